/*
 * discover.c - finding segments: the watched directories (and per-user ones
 * under --user-root), scans on change, sweeping entries whose file is gone,
 * and opening and validating a new segment before it is read.  Split from
 * sample.c so the pass itself stays short (see sample_internal.h).
 *
 * Every segment is hostile: opened relative to its directory with
 * O_NOFOLLOW|O_NONBLOCK (a FIFO cannot hang us), checked with fstat (regular,
 * owner = directory owner, one link, bounded size) before read.c reads it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/vigild_client.h"
#include "daemon/accel.h"
#include "daemon/daemon.h"
#include "daemon/sample_internal.h"

const char *const vd_reject_names[VD_NREJECT] = {
#define VD_X(id, s) s,
	VD_REJECT_REASONS(VD_X)
#undef VD_X
};

struct vd_proc *sample_hash[SAMPLE_HASH];

static unsigned sample_hkey(int dirix, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)dirix;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h % SAMPLE_HASH;
}

static struct vd_proc *sample_lookup(int dirix, const char *name)
{
	for (struct vd_proc *p = sample_hash[sample_hkey(dirix, name)]; p; p = p->hnext)
		if (p->dirix == dirix && !strcmp(p->name, name))
			return p;
	return NULL;
}

/* Count a rejection (takes the lock: call without it). */
void sample_reject(int reason, const struct vd_dir *d, const char *name, const char *why)
{
	pthread_mutex_lock(&vd.lock);
	vd.rejected[reason]++;
	pthread_mutex_unlock(&vd.lock);
	vd_log_limited(VD_LOG_WARN, "segment", vd_reject_names[reason],
	               "rejected %s/%s: %s (%s)", d->path, name, vd_reject_names[reason], why ? why : "");
}

/* ---- directories ------------------------------------------------------- */

static int sample_add_dir(const char *path, bool per_user, uid_t want_uid)
{
	struct stat st;
	if (strlen(path) >= 512)
		return -ENAMETOOLONG; /* the checkpoint stores at most 511 bytes of it */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || (per_user && st.st_uid != want_uid) || (st.st_mode & 0022)) {
		/* A group/world-writable directory lets others plant files: skip it. */
		vd_log_limited(VD_LOG_WARN, "discovery", "baddir", "ignoring %s: wrong owner or writable by others", path);
		close(fd);
		return -EPERM;
	}
	int lockfd = openat(fd, VIGIL_DAEMON_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (lockfd >= 0) {
		if (flock(lockfd, LOCK_EX | LOCK_NB) < 0) {
			int e = errno;
			if (e == EWOULDBLOCK && !per_user)
				fprintf(stderr, "vigild: another vigild (pid %ld) already watches %s; "
				        "stop it or give this one another --dir.\n", vd_lock_owner(lockfd), path);
			close(lockfd);
			close(fd);
			return e == EWOULDBLOCK ? -EBUSY : -e;
		}
		vd_lock_claim(lockfd);
		if (fchown(lockfd, st.st_uid, st.st_gid) < 0) { /* non-root: already ours */ }
		futimens(lockfd, NULL);
	}
	/* HTTP threads read vd.dirs (tokens): grow it under the lock. */
	pthread_mutex_lock(&vd.lock);
	struct vd_dir *nd = realloc(vd.dirs, sizeof *nd * (size_t)(vd.ndirs + 1));
	if (!nd) {
		pthread_mutex_unlock(&vd.lock);
		if (lockfd >= 0)
			close(lockfd);
		close(fd);
		return -ENOMEM;
	}
	vd.dirs = nd;
	struct vd_dir *d = &vd.dirs[vd.ndirs];
	memset(d, 0, sizeof *d);
	snprintf(d->path, sizeof d->path, "%s", path);
	d->fd = fd;
	d->lockfd = lockfd;
	d->uid = st.st_uid;
	d->per_user = per_user;
	d->last_scan = -1;
	vd.ndirs++;
	pthread_mutex_unlock(&vd.lock);
	vd_log(VD_LOG_DEBUG, "discovery", "watching %s (uid %u)", path, (unsigned)st.st_uid);
	return 0;
}

/* Find new per-user directories <root>/vigil-<uid>. */
void sample_scan_user_root(void)
{
	DIR *dir = opendir(vd.cfg.user_root);
	struct dirent *e;
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char *end;
		unsigned long uid;
		if (strncmp(e->d_name, "vigil-", 6))
			continue;
		uid = strtoul(e->d_name + 6, &end, 10);
		if (*end || end == e->d_name + 6 || uid > UINT32_MAX)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", vd.cfg.user_root, e->d_name);
		bool known = false;
		for (int i = 0; i < vd.ndirs; i++)
			if (!strcmp(vd.dirs[i].path, path))
				known = true;
		if (!known && vd.ndirs < VD_MAX_DIRS)
			sample_add_dir(path, true, (uid_t)uid);
	}
	closedir(dir);
}

int vd_dirs_setup(void)
{
	for (int i = 0; i < vd.cfg.ndirs; i++) {
		int rc = sample_add_dir(vd.cfg.dirs[i], false, 0);
		if (rc == -EBUSY)
			return rc; /* said by sample_add_dir */
		if (rc < 0) {
			fprintf(stderr, "vigild: cannot watch segment directory %s: %s.\n",
			        vd.cfg.dirs[i], strerror(-rc));
			return rc;
		}
	}
	if (vd.cfg.user_root)
		sample_scan_user_root();
	return 0;
}

/* ---- per-process reading ---------------------------------------------- */

/*
 * Open a segment for reading.  O_NOATIME (allowed to the file's owner and to
 * root) spares every later pread an access-time update: ~5 % of a pass.
 */
static int sample_openat(int dirfd, const char *name)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
	int fd = openat(dirfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags);
	return fd;
}

static struct vd_proc *sample_new_proc(int dirix, const char *name)
{
	struct vd_proc *p;
	p = vd_arena_new(&vd_arena_procs); /* its hot head on two whole cache lines, beside the others */
	if (!p)
		return NULL;
	p->counted = vd_ops_new();
	if (!p->counted) {
		vd_arena_free(&vd_arena_procs, p);
		return NULL;
	}
	p->dirix = dirix;
	snprintf(p->name, sizeof p->name, "%s", name);
	p->fd = -1;
	p->state = VD_P_RUNNING;
	unsigned k = sample_hkey(dirix, name);
	p->hnext = sample_hash[k];
	sample_hash[k] = p;
	return p;
}

/* Reopen a segment file and validate it; on failure leave a tombstone. */
static void sample_open(struct vd_proc *p, struct vd_dir *d, bool from_ckpt)
{
	const char *why = NULL;
	struct stat st;
	int reason = 0;

	int pid = 0;
	unsigned long long start = 0;
	char tail[8];
	if (sscanf(p->name, "%d-%llu%7s", &pid, &start, tail) != 3 || strcmp(tail, VIGIL_SEG_SUFFIX) || pid <= 0) {
		reason = VD_REJ_NAME + 1;
		goto fail;
	}
	p->proc_start = start;
	int fd = sample_openat(d->fd, p->name);
	if (fd < 0) {
		why = strerror(errno);
		reason = (errno == ELOOP ? VD_REJ_NOT_REGULAR : VD_REJ_OPEN) + 1;
		if (fstatat(d->fd, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			p->rej_mtime = st.st_mtim; /* retried only when it changes */
		goto fail;
	}
	p->fd = fd;
	if (fstat(fd, &st) < 0) {
		reason = VD_REJ_OPEN + 1;
		goto fail;
	}
	p->rej_mtime = st.st_mtim;
	if ((reason = sample_check_stat(&st, d, p, &why)))
		goto fail;
	unsigned user_segments = 0; /* one walk: duplicates and the user's count */
	for (int k = 0; k < SAMPLE_HASH; k++)
		for (struct vd_proc *q = sample_hash[k]; q; q = q->hnext) {
			if (q != p && q->fd >= 0 && q->dev == st.st_dev && q->ino == st.st_ino) {
				reason = VD_REJ_DUPLICATE + 1;
				goto fail;
			}
			user_segments += !q->rejected && vd.dirs[q->dirix].uid == d->uid;
		}
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	if (!from_ckpt && user_segments > vd.cfg.max_segments_per_user) {
		reason = VD_REJ_USER_CAP + 1;
		goto fail;
	}
	reason = sample_full_read(p, d, &why);
	if (reason)
		goto fail;
	if (!p->pending) {
		pthread_mutex_lock(&vd.lock);
		vd.segments_seen++;
		pthread_mutex_unlock(&vd.lock);
	}
	return;
fail:
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->rejected = reason;
	sample_reject(reason - 1, d, p->name, why);
}

/* A tracked segment failed a later read: keep what it counted, stop reading it. */
void sample_lost(struct vd_proc *p, struct vd_dir *d, int reason, const char *why)
{
	sample_reject(reason - 1, d, p->name, why);
	vd_log(VD_LOG_DEBUG, "sample", "lost %s", p->name);
	pthread_mutex_lock(&vd.lock);
	sample_proc_ended(p, VD_P_KILLED);
	pthread_mutex_unlock(&vd.lock);
	sample_drop_copies(p);
}

void sample_scan_dir(int dirix)
{
	struct vd_dir *d = &vd.dirs[dirix];
	int fd = dup(d->fd);
	if (fd < 0)
		return;
	DIR *dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	rewinddir(dir);
	struct dirent *e;
	while ((e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || n >= 64 || strcmp(e->d_name + n - 4, VIGIL_SEG_SUFFIX))
			continue;
		struct vd_proc *p = sample_lookup(dirix, e->d_name);
		if (p) {
			p->seen = true;
			if (p->rejected) {
				/* Retry a rejected file only when it changed. */
				struct stat st;
				if (fstatat(d->fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				    (st.st_mtim.tv_sec != p->rej_mtime.tv_sec || st.st_mtim.tv_nsec != p->rej_mtime.tv_nsec) &&
				    !p->job) {
					p->rejected = 0;
					sample_open(p, d, false);
				}
			}
			continue;
		}
		p = sample_new_proc(dirix, e->d_name);
		if (!p)
			continue;
		p->seen = true;
		sample_open(p, d, false);
	}
	closedir(dir);
}

/* Drop tombstones and pending entries whose file is gone; end procs whose segment vanished. */
void sample_sweep(int dirix)
{
	for (int k = 0; k < SAMPLE_HASH; k++) {
		struct vd_proc **pp = &sample_hash[k];
		while (*pp) {
			struct vd_proc *p = *pp;
			if (p->dirix != dirix || p->seen) {
				pp = &p->hnext;
				continue;
			}
			if (p->job) {
				/* Vanished under us (its owner removed it): keep its counts. */
				if (p->state == VD_P_RUNNING) {
					vd_log(VD_LOG_DEBUG, "sample", "vanished %s", p->name);
					pthread_mutex_lock(&vd.lock);
					sample_proc_ended(p, VD_P_KILLED);
					pthread_mutex_unlock(&vd.lock);
				}
				p->fd = -1;
				pp = &p->hnext;
				continue;
			}
			*pp = p->hnext;
			sample_proc_free(p);
		}
	}
}

/* ---- helpers for other modules ----------------------------------------- */

/* Used by ckpt.c at load: recreate a process from its checkpoint record. */
struct vd_proc *vd_proc_restore(struct vd_job *j, int dirix, const char *name, const struct vd_proc *meta);
struct vd_proc *vd_proc_restore(struct vd_job *j, int dirix, const char *name, const struct vd_proc *meta)
{
	struct vd_proc *p = sample_lookup(dirix, name);
	if (p)
		return p;
	p = sample_new_proc(dirix, name);
	if (!p)
		return NULL;
	p->job = j;
	p->pid = meta->pid;
	p->ppid = meta->ppid;
	p->rank = meta->rank;
	p->proc_start = meta->proc_start;
	p->state = meta->state;
	p->exit_status = meta->exit_status;
	p->term_signal = meta->term_signal;
	p->start_real = meta->start_real;
	p->end_real = meta->end_real;
	p->tick_seconds = meta->tick_seconds > 0 ? meta->tick_seconds : 1e-9;
	snprintf(p->exe, sizeof p->exe, "%s", meta->exe);
	snprintf(p->step, sizeof p->step, "%s", meta->step);
	p->nranks = meta->nranks;
	p->baseline = true;
	p->next = j->procs;
	j->procs = p;
	if (p->state == VD_P_RUNNING)
		j->nlive++;
	else if (p->state == VD_P_EXITED)
		j->nexited++;
	else
		j->nkilled++;
	return p;
}

/*
 * After a restart: reopen every restored running process (its baseline makes
 * the first read a delta), and read once the accelerator region of every
 * restored ended one whose segment is still there (its job has not ended):
 * the region holds running totals, not checkpointed (accel.c).
 */
void vd_procs_reopen(void);
void vd_procs_reopen(void)
{
	for (int k = 0; k < SAMPLE_HASH; k++)
		for (struct vd_proc *p = sample_hash[k]; p; p = p->hnext) {
			struct vd_dir *d = &vd.dirs[p->dirix];
			if (p->job && p->state != VD_P_RUNNING && p->job->state != VD_J_ENDED) {
				unsigned char *buf;
				struct vigil_seg_view v;
				if (vd_segment_copy_at(d->fd, d->uid, p->name, &buf, &v) == 0) {
					vd_accel_restore(p, &v);
					free(buf);
				}
				continue;
			}
			if (!p->job || p->state != VD_P_RUNNING || p->fd >= 0)
				continue;
			p->fd = sample_openat(d->fd, p->name);
			/* the same checks as a first open: regular, the directory owner's, one link */
			struct stat st;
			const char *why;
			if (p->fd < 0 || fstat(p->fd, &st) < 0 || sample_check_stat(&st, d, p, &why)) {
				if (p->fd >= 0)
					close(p->fd);
				p->fd = -1;
				vd_log(VD_LOG_DEBUG, "sample", "reopen of %s refused or failed", p->name);
				sample_proc_ended(p, VD_P_KILLED);
				continue;
			}
			p->dev = st.st_dev;
			p->ino = st.st_ino;
			p->seen = true;
		}
}

/* Remove a process entry entirely (job retired). */
void vd_proc_forget(struct vd_proc *p);
void vd_proc_forget(struct vd_proc *p)
{
	struct vd_proc **pp = &sample_hash[sample_hkey(p->dirix, p->name)];
	while (*pp && *pp != p)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = p->hnext;
	sample_proc_free(p);
}

/* Directory index for a path named in a checkpoint (adding it when it still exists). */
int vd_dir_index(const char *path);
int vd_dir_index(const char *path)
{
	for (int i = 0; i < vd.ndirs; i++)
		if (!strcmp(vd.dirs[i].path, path))
			return i;
	if (!vd.cfg.user_root)
		return -1;
	size_t n = strlen(vd.cfg.user_root);
	unsigned long uid;
	char *end;
	if (strncmp(path, vd.cfg.user_root, n) || strncmp(path + n, "/vigil-", 7))
		return -1;
	uid = strtoul(path + n + 7, &end, 10);
	if (*end || sample_add_dir(path, true, (uid_t)uid) < 0)
		return -1;
	return vd.ndirs - 1;
}
