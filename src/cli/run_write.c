/*
 * run_write.c - writing for `vigil run`: the profile's job fields, the
 * profile file (written atomically), and taking over the MPI ranks' job
 * profile.  Split from run.c (see run_internal.h).
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include "cli/run_internal.h"
#include "format/profile.h"
#include "format/store.h"
#include "common/profile_read.h"

/* ---- the profile file --------------------------------------------------- */

/*
 * Before CMD starts: will --profile FILE be writable when it ends?  An
 * existing FILE (never replaced), a missing directory or one we cannot
 * create files in would otherwise lose the profile after a job of hours.
 * The last check creates and removes a probe file: only that says whether
 * this user can create a file there (root, ACLs, read-only mounts).
 */
int run_check_profile(const struct run_opts *o)
{
	struct stat sb;
	char dir[PATH_MAX], probe[PATH_MAX + 32];
	const char *f = o->profile, *why = NULL;
	if (!f && o->store) {
		/* the store's root must exist: its day directories are made as needed */
		if (stat(o->store, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "vigil run: the profile store %s is not a directory (%s); create it or set "
			        VIGIL_STORE_ENV " to another; the command was not run.\n", o->store,
			        errno == ENOENT ? "it does not exist" : strerror(errno ? errno : ENOTDIR));
			return -1;
		}
		return 0;
	}
	if (!f)
		return 0;
	if (lstat(f, &sb) == 0) {
		fprintf(stderr, "vigil run: the profile %s already exists and vigil never replaces a profile: remove it "
		        "or name another file with --profile; the command was not run.\n", f);
		return -1;
	}
	const char *slash = strrchr(f, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if ((size_t)snprintf(dir, sizeof(dir), "%.*s", (int)(slash - f), f) >= sizeof(dir))
		why = strerror(ENAMETOOLONG);
	if (slash == f)
		snprintf(dir, sizeof(dir), "/");
	if (!why && stat(dir, &sb) != 0)
		why = errno == ENOENT ? "its directory does not exist" : strerror(errno);
	else if (!why && !S_ISDIR(sb.st_mode))
		why = "its directory is not a directory";
	if (!why) {
		snprintf(probe, sizeof(probe), "%s/.vigil-probe-XXXXXX", dir);
		int fd = mkstemp(probe);
		if (fd < 0)
			why = strerror(errno);
		else {
			close(fd);
			unlink(probe);
		}
	}
	if (why) {
		fprintf(stderr, "vigil run: cannot write the profile %s: %s; the command was not run.\n", f, why);
		return -1;
	}
	return 0;
}

/* Writes the profile; on success *where is its path (static buffer). */
int run_save(const struct run_state *st, const struct run_opts *o,
             const struct vigil_profile *p, const char **where)
{
	static char path[PATH_MAX];
	*where = NULL;
	if (o->profile) {
		int rc = vigil_profile_save(p, o->profile, 0644, 0);
		if (rc == -EEXIST)
			fprintf(stderr, "vigil run: %s already exists; vigil never replaces a profile, "
			        "so this run's profile was not written.\n", o->profile);
		else if (rc)
			fprintf(stderr, "vigil run: cannot write the profile %s: %s.\n", o->profile, strerror(-rc));
		else
			*where = o->profile;
		return rc;
	}
	/* the site store (--profile-dir, VIGIL_PROFILE_DIR): ROOT/YEAR/MONTH/DAY/, owner-only; else here */
	char dir[PATH_MAX] = ".", name[PATH_MAX], first[PATH_MAX] = "";
	int rc = 0;
	unsigned mode = 0644;
	if (o->store) {
		mode = 0600;
		if ((rc = vigil_store_day_dir(dir, sizeof(dir), o->store, st->t_start))) {
			fprintf(stderr, "vigil run: cannot write the profile into the profile store %s: %s.\n", o->store,
			        strerror(-rc));
			return rc;
		}
	}
	for (int n = 0; n < 1000; n++) {
		if ((rc = vigil_store_name(name, sizeof(name), st->job_id, st->step, NULL, n)) ||
		    (size_t)snprintf(path, sizeof(path), "%s%s%s", o->store ? dir : "", o->store ? "/" : "", name) >= sizeof(path)) {
			rc = -ENAMETOOLONG;
			break;
		}
		rc = vigil_profile_save(p, path, mode, 0);
		if (rc != -EEXIST)
			break;
		if (n == 0)
			snprintf(first, sizeof(first), "%s", path);
	}
	if (rc) {
		fprintf(stderr, "vigil run: cannot write the profile %s: %s.\n", path, strerror(-rc));
		return rc;
	}
	if (first[0] && strcmp(first, path))
		fprintf(stderr, "vigil run: %s already exists; profile written to %s instead.\n", first, path);
	*where = path;
	return 0;
}

void run_user(struct vigil_profile *p)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	p->uid = (uint32_t)geteuid();
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
		vigil_profile_set_str(&p->user, pw.pw_name);
	else {
		char num[16];
		snprintf(num, sizeof(num), "%u", (unsigned)p->uid);
		vigil_profile_set_str(&p->user, num);
	}
}

void run_join_command(struct vigil_profile *p, char **cmd)
{
	size_t len = 1;
	for (char **a = cmd; *a; a++)
		len += strlen(*a) + 1;
	char *s = malloc(len);
	if (!s)
		return;
	s[0] = '\0';
	for (char **a = cmd; *a; a++) {
		if (a != cmd)
			strcat(s, " ");
		strcat(s, *a);
	}
	free(p->command);
	p->command = s;
}

/* ---- MPI jobs (docs/MPI-COUNTING.md) -------------------------------------- */

/*
 * When our ranks wrote a job profile (rank 0 ran under this vigil run), it
 * becomes ours with our own non-rank processes (mpirun, daemons) merged in.
 * When ranks were reduced but the profile is elsewhere (this vigil run
 * wrapped another rank: `mpirun vigil run -- app`), we write nothing.
 * Returns 0 when *p is to be saved.
 */
int run_merge_mpi(struct run_state *st, struct vigil_profile *p)
{
	struct vigil_profile q;
	char err[256];
	if (access(st->mpi_profile, F_OK) != 0)
		return st->mpi_reduced ? 1 : 0;
	vigil_profile_init(&q);
	int rc = vigil_profile_load(st->mpi_profile, &q, err, sizeof(err));
	unlink(st->mpi_profile);
	if (rc) {
		fprintf(stderr, "vigil run: cannot read the MPI job profile: %s.\n", err);
		vigil_profile_free(&q);
		return 0;
	}
	if (p->nprocs)
		rc = vigil_profile_merge(&q, p);
	if (rc == 0) {
		vigil_profile_set_str(&q.command, p->command);
		vigil_profile_free(p);
		*p = q;
		return 0;
	}
	vigil_profile_free(&q);
	return 0;
}

