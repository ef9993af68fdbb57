/*
 * save.c - write a profile so that no reader ever sees half of one and no
 * existing file is ever replaced.
 *
 * The JSON goes to a temporary file in the target's directory (same file
 * system, so the final step is a rename), then moves into place with
 * renameat2(RENAME_NOREPLACE).  File systems without that flag (some NFS,
 * older kernels) get link()+unlink(), which also fails with EEXIST instead
 * of replacing.  With VIGIL_SAVE_DURABLE the file is fsync'ed before the
 * rename and the directory after, so the name and content survive a node
 * crash; `vigil run` skips that wait (two fsyncs cost tens of ms on a
 * rotating or network disk, more than everything else it does) and only
 * starts the write-back.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "format/profile.h"

static int save_link_fallback(int dfd, const char *tmp, const char *base)
{
	if (linkat(dfd, tmp, dfd, base, 0) != 0)
		return -errno;
	unlinkat(dfd, tmp, 0);
	return 0;
}

int vigil_profile_save(const struct vigil_profile *p, const char *path, unsigned mode, int flags)
{
	char *dir = NULL, tmp[512];
	const char *base;
	int dfd = -1, fd = -1, rc = 0, have_tmp = 0;
	FILE *f = NULL;

	if (!path || !*path)
		return -EINVAL;
	const char *slash = strrchr(path, '/');
	if (slash) {
		base = slash + 1;
		dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	} else {
		base = path;
		dir = strdup(".");
	}
	if (!dir)
		return -ENOMEM;
	if (!*base || strlen(base) > 200) {
		rc = -EINVAL;
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
		goto out;
	}
	/* Fail early rather than write a large file that cannot be placed. */
	if (faccessat(dfd, base, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = -EEXIST;
		goto out;
	}
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(tmp, sizeof(tmp), ".%s.%ld.%lx.tmp", base, (long)getpid(),
	         (unsigned long)now.tv_nsec ^ (unsigned long)now.tv_sec);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	have_tmp = 1;
	f = fdopen(fd, "w");
	if (!f) {
		rc = -errno;
		goto out;
	}
	fd = -1; /* owned by f now */
	if ((rc = vigil_profile_write_json(p, f)))
		goto out;
	if (fflush(f) == EOF || ((flags & VIGIL_SAVE_DURABLE) && fsync(fileno(f)) != 0)) {
		rc = -errno;
		goto out;
	}
	if (!(flags & VIGIL_SAVE_DURABLE))
		sync_file_range(fileno(f), 0, 0, SYNC_FILE_RANGE_WRITE); /* start, do not wait */
	int cr = fclose(f);
	f = NULL;
	if (cr != 0) {
		rc = -errno;
		goto out;
	}
	if (renameat2(dfd, tmp, dfd, base, RENAME_NOREPLACE) == 0) {
		have_tmp = 0;
	} else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
		if ((rc = save_link_fallback(dfd, tmp, base)))
			goto out;
		have_tmp = 0;
	} else {
		rc = -errno;
		goto out;
	}
	if (flags & VIGIL_SAVE_DURABLE)
		fsync(dfd);
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (have_tmp)
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	free(dir);
	return rc;
}
