/*
 * sample.c - discovery and safe reading of segments, aggregation per job.
 *
 * Every segment is hostile: opened relative to its directory with
 * O_NOFOLLOW|O_NONBLOCK (a FIFO cannot hang us), checked with fstat (regular,
 * owner = directory owner, one link, bounded size), read with pread into
 * private memory (never mapped: the owner may truncate it at any time) and
 * validated by vigil_seg_parse.  The geometry validated at the full read is
 * the only geometry used afterwards; the live header is never trusted again.
 *
 * Cheap steady state: a shard's op map (segment.h) names the ops it ever
 * counted, and only those counters are read (288 bytes each, in runs), never
 * the whole shard.  A process that changed in the last second gets one pread
 * per used shard per pass (its op runs, compared in memory); an idle one gets
 * one 64-byte pread of each shard's head (`changes`, op map) and its ops only
 * when `changes` moved.  The segment header and the op maps are re-read once a
 * second.  Deltas are never negative, so what we export never goes backwards
 * whatever a segment's owner writes.
 *
 * Locking: the sampler (main thread) is the only writer of vd's state, so it
 * reads its own state without the lock.  Every system call (open, fstat,
 * pread, /proc reads) happens outside vd.lock, into sampler-private memory
 * (struct vd_sproc: op maps, read buffer, pending deltas); the lock is taken
 * only to change what HTTP threads read: once per pass to fold the pending
 * deltas into processes and jobs, and briefly per event (new segment, end,
 * rejection).  A scrape or API call waits at most for one fold.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/vigild_client.h"
#include "daemon/daemon.h"
#include "format/profile.h"

const char *const vd_reject_names[VD_NREJECT] = {
#define VD_X(id, s) s,
	VD_REJECT_REASONS(VD_X)
#undef VD_X
};
const char *const vd_pstate_names[3] = { "running", "exited", "killed" };

#define SAMPLE_HASH 8192
static struct vd_proc *sample_hash[SAMPLE_HASH];
static unsigned char *sample_scratch;   /* whole-segment private copy (sampler thread) */
static size_t sample_scratch_len;
static struct vd_proc **sample_ready;   /* processes with deltas to fold this pass */
static size_t sample_nready, sample_ready_cap;

/*
 * One op's counter increase, read unlocked, added under the lock.  Without
 * `hist` only calls, errors, bytes and ticks are meant (d.hist is not set).
 */
struct sample_delta {
	uint32_t op;
	bool hist;
	struct vd_raw d;
};

/* The scalar counters at the head of struct vigil_op_counters (one cache line of it). */
#define SAMPLE_SCALARS offsetof(struct vigil_op_counters, hist)

/* What only the sampler thread touches for a process (never read under vd.lock by others). */
struct vd_sproc {
	uint64_t (*opmap)[VIGIL_OPMAP_WORDS]; /* n_shards: each shard's op map as last read */
	uint64_t (*hstale)[VIGIL_OPMAP_WORDS]; /* n_shards: ops whose histogram in our copy lags
	                                        * (counted without it this second) */
	unsigned char *buf;                   /* this pass's op counters */
	size_t cap;
	struct sample_delta *pend;            /* deltas waiting for the fold */
	unsigned npend, pend_cap;
};

#define SAMPLE_GAP 7   /* unused ops read through rather than split a run (7 x 288 B < a syscall) */

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
static void sample_reject(int reason, const struct vd_dir *d, const char *name, const char *why)
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
			close(lockfd);
			close(fd);
			return e == EWOULDBLOCK ? -EBUSY : -e;
		}
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
static void sample_scan_user_root(void)
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
		if (rc == -EBUSY) {
			fprintf(stderr, "vigild: another vigild already watches %s.\n", vd.cfg.dirs[i]);
			return rc;
		}
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

static int sample_scratch_fit(size_t len)
{
	if (len <= sample_scratch_len)
		return 0;
	if (sample_scratch)
		munmap(sample_scratch, sample_scratch_len);
	/* Anonymous mapping: only pages we write are committed. */
	sample_scratch = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sample_scratch == MAP_FAILED) {
		sample_scratch = NULL;
		sample_scratch_len = 0;
		return -ENOMEM;
	}
	sample_scratch_len = len;
	return 0;
}

static uint64_t sample_sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/*
 * Add delta (new - old, clamped at 0) of one op to the process and its job
 * (lock held); the histogram too when `hist`.
 */
static void sample_apply_part(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old,
                              bool hist)
{
	struct vd_raw *c = &p->counted[op];
	struct vd_tot *t = &p->job->tot[op];
	uint64_t d;

	d = sample_sat_sub(nw->calls, old->calls);  c->calls += d;  t->calls += d;
	d = sample_sat_sub(nw->errors, old->errors); c->errors += d; t->errors += d;
	d = sample_sat_sub(nw->bytes, old->bytes);  c->bytes += d;  t->bytes += d;
	d = sample_sat_sub(nw->ticks, old->ticks);  c->ticks += d;  t->seconds += (double)d * p->tick_seconds;
	if (hist)
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++) {
			d = sample_sat_sub(nw->hist[b], old->hist[b]);
			c->hist[b] += d;
			t->hist[b] += d;
		}
	vd_proc_mark_counted(p, op);
	p->dirty = true;
	p->job->dirty = true;
}

static void sample_apply(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old)
{
	sample_apply_part(p, op, nw, old, true);
}

static void sample_load_op(struct vd_raw *r, const unsigned char *shard, uint32_t op)
{
	/* Layout of struct vigil_op_counters; copied, the source may be unaligned. */
	memcpy(r, shard + offsetof(struct vigil_shard, ops) + (size_t)op * sizeof(struct vigil_op_counters),
	       sizeof *r);
}

/* Same, from a buffer holding only the op array from op `lo` on. */
static void sample_load_op_at(struct vd_raw *r, const unsigned char *ops, uint32_t lo, uint32_t op)
{
	memcpy(r, ops + (size_t)(op - lo) * sizeof(struct vigil_op_counters), sizeof *r);
}

/* Keep the increase nw - old (clamped at 0) of one op for the fold (no lock needed). */
static int sample_defer(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old,
                        bool hist)
{
	struct vd_sproc *sp = p->sp;
	if (sp->npend == sp->pend_cap) {
		unsigned ncap = sp->pend_cap ? 2 * sp->pend_cap : 8;
		struct sample_delta *np = realloc(sp->pend, ncap * sizeof *np);
		if (!np)
			return -ENOMEM;
		sp->pend = np;
		sp->pend_cap = ncap;
	}
	struct sample_delta *e = &sp->pend[sp->npend++];
	e->op = op;
	e->d.calls = sample_sat_sub(nw->calls, old->calls);
	e->d.errors = sample_sat_sub(nw->errors, old->errors);
	e->d.bytes = sample_sat_sub(nw->bytes, old->bytes);
	e->d.ticks = sample_sat_sub(nw->ticks, old->ticks);
	e->hist = hist;
	if (hist)
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
			e->d.hist[b] = sample_sat_sub(nw->hist[b], old->hist[b]);
	return 0;
}

/* Add a process's pending deltas to it and its job (lock held). */
static void sample_fold(struct vd_proc *p)
{
	static const struct vd_raw zero;
	struct vd_sproc *sp = p->sp;
	if (!sp || !p->job)
		return;
	for (unsigned k = 0; k < sp->npend; k++)
		sample_apply_part(p, sp->pend[k].op, &sp->pend[k].d, &zero, sp->pend[k].hist);
	sp->npend = 0;
}

static bool sample_map_zero(const uint64_t *m)
{
	for (int w = 0; w < VIGIL_OPMAP_WORDS; w++)
		if (m[w])
			return false;
	return true;
}

#define SAMPLE_STALE(sp, i, op) (((sp)->hstale[i][(op) >> 6] >> ((op) & 63)) & 1)

static bool sample_stale_any(const struct vd_proc *p, uint32_t i)
{
	return p->sp && p->sp->hstale && !sample_map_zero(p->sp->hstale[i]);
}

/*
 * Compare freshly read op counters [lo, hi) of shard i (`ops` holds them from
 * op lo on) with our copy and count the difference - at once (lock held) or,
 * with `defer`, as pending deltas for the fold; widen the process's span of
 * used ops.  Without `hist` only the scalar counters are compared and counted
 * (`ops` may then hold just SAMPLE_SCALARS bytes of a single op); the op's
 * histogram is marked stale in our copy, and the next pass `hist` counts it,
 * even when the scalars have not moved since.
 */
static void sample_ops_delta(struct vd_proc *p, uint32_t i, const unsigned char *ops, uint32_t lo, uint32_t hi,
                             bool defer, bool hist)
{
	if (!p->shard_copy[i]) {
		p->shard_copy[i] = calloc(VIGIL_NOPS, sizeof(struct vd_raw));
		if (!p->shard_copy[i])
			return;
	}
	struct vd_raw *copy = p->shard_copy[i];
	struct vd_sproc *sp = p->sp;
	for (uint32_t op = lo; op < hi; op++) {
		struct vd_raw nw;
		bool stale = SAMPLE_STALE(sp, i, op);
		if (hist)
			sample_load_op_at(&nw, ops, lo, op);
		else
			memcpy(&nw, ops + (size_t)(op - lo) * sizeof(struct vigil_op_counters), SAMPLE_SCALARS);
		if (nw.calls == copy[op].calls && nw.bytes == copy[op].bytes &&
		    nw.ticks == copy[op].ticks && nw.errors == copy[op].errors && (!hist || !stale))
			continue;
		if (!defer)
			sample_apply_part(p, op, &nw, &copy[op], hist);
		else if (sample_defer(p, op, &nw, &copy[op], hist) < 0)
			continue; /* out of memory: counted at a later pass */
		if (hist) {
			copy[op] = nw;
			sp->hstale[i][op >> 6] &= ~((uint64_t)1 << (op & 63));
		} else {
			memcpy(&copy[op], &nw, SAMPLE_SCALARS);
			sp->hstale[i][op >> 6] |= (uint64_t)1 << (op & 63);
		}
		if (nw.calls) {
			if (op < p->span_lo || p->span_lo == p->span_hi)
				p->span_lo = op;
			if (op + 1 > p->span_hi)
				p->span_hi = op + 1;
		}
	}
}

/* Compare a whole shard (as laid out in the segment) with our copy. */
static void sample_shard_delta(struct vd_proc *p, uint32_t i, const unsigned char *shard)
{
	uint32_t nops = p->n_ops < VIGIL_NOPS ? p->n_ops : VIGIL_NOPS;
	sample_ops_delta(p, i, shard + offsetof(struct vigil_shard, ops), 0, nops, false, true);
}

/* The shard's op map from its head (reserved words; see segment.h). */
static void sample_map_load(struct vd_proc *p, uint32_t i, const unsigned char *shard)
{
	memcpy(p->sp->opmap[i], shard + offsetof(struct vigil_shard, reserved), sizeof p->sp->opmap[i]);
}

static void sample_set_identity(struct vd_proc *p, const struct vigil_seg_view *v)
{
	const struct vigil_seg_identity *id = v->id;
	p->pid = id->pid;
	p->ppid = id->ppid;
	p->rank = id->rank;
	p->exit_status = id->exit_status;
	p->term_signal = id->term_signal;
	p->flags = v->hdr->flags;
	p->early_calls = v->hdr->early_calls;
	p->tick_seconds = v->tick_seconds > 0 && v->tick_seconds < 1 ? v->tick_seconds : 1e-9;
	p->start_real = v->hdr->clock.start_real_ns / 1e9;
	p->end_real = v->hdr->clock.end_real_ns / 1e9;
	vd_basename(p->exe, sizeof p->exe, id->exe);
}

/* Slurm's cgroup names the job: /proc/<pid>/cgroup "...job_<id>/...". */
static bool sample_slurm_job(int32_t pid, char *out, size_t n)
{
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return false;
	buf[r] = 0;
	char *j = strstr(buf, "/job_");
	if (!j)
		return false;
	j += 5;
	size_t k = 0;
	while (j[k] >= '0' && j[k] <= '9' && k + 1 < n) {
		out[k] = j[k];
		k++;
	}
	out[k] = 0;
	return k > 0;
}

/* /proc/<pid>/stat field 22, or 0 when the process is gone. */
static uint64_t sample_proc_start(int32_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = 0;
	char *s = strrchr(buf, ')');
	if (!s)
		return 0;
	/* after ')' come fields 3..: skip 19 fields to reach field 22 */
	unsigned long long start = 0;
	int field = 2;
	for (char *tok = s + 1; *tok && field < 22; tok++)
		if (*tok == ' ') {
			field++;
			if (field == 22)
				start = strtoull(tok + 1, NULL, 10);
		}
	return start;
}

static struct vd_job *sample_job_get(uint32_t uid, const char *user, const char *id,
                                     const struct vigil_seg_identity *ident, struct vd_proc *p)
{
	struct vd_job *j;
	unsigned njobs = 0;
	for (j = vd.jobs; j; j = j->next) {
		if (j->uid == uid && !strcmp(j->id, id))
			break;
		if (j->uid == uid && j->state != VD_J_ENDED)
			njobs++;
	}
	if (j) {
		if (j->state == VD_J_ENDED) {
			/* A job id seen again within its grace time: the same job continues. */
			j->state = VD_J_RUNNING;
			j->end_requested = false;
			j->profile_written = false;
		}
		return j;
	}
	if (njobs >= vd.cfg.max_jobs_per_user)
		return NULL;
	j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->uid = uid;
	snprintf(j->user, sizeof j->user, "%s", user);
	snprintf(j->id, sizeof j->id, "%s", id);
	snprintf(j->step, sizeof j->step, "%s", ident->step);
	snprintf(j->host, sizeof j->host, "%s", vd.hostname);
	snprintf(j->exe, sizeof j->exe, "%s", p->exe);
	snprintf(j->command, sizeof j->command, "%s", ident->cmdline);
	j->instance = vd.next_instance++;
	j->first_seen = vd_now();
	j->last_live = j->first_seen;
	j->hist_len = (unsigned)vd.cfg.history_seconds;
	j->hist = calloc(j->hist_len, sizeof *j->hist);
	j->rate_t = j->first_seen;
	j->dirty = true;
	j->next = vd.jobs;
	vd.jobs = j;
	return j;
}

static void sample_sproc_free(struct vd_proc *p)
{
	if (!p->sp)
		return;
	free(p->sp->opmap);
	free(p->sp->hstale);
	free(p->sp->buf);
	free(p->sp->pend);
	free(p->sp);
	p->sp = NULL;
}

static void sample_proc_free(struct vd_proc *p)
{
	sample_sproc_free(p);
	if (p->fd >= 0)
		close(p->fd);
	if (p->shard_copy)
		for (uint32_t i = 0; i < p->n_shards; i++)
			free(p->shard_copy[i]);
	free(p->shard_copy);
	free(p->shard_changes);
	free(p->counted);
	free(p);
}

static void sample_drop_copies(struct vd_proc *p)
{
	sample_sproc_free(p);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->shard_copy)
		for (uint32_t i = 0; i < p->n_shards; i++) {
			free(p->shard_copy[i]);
			p->shard_copy[i] = NULL;
		}
}

static void sample_proc_ended(struct vd_proc *p, int state)
{
	struct vd_job *j = p->job;
	if (p->state != VD_P_RUNNING)
		return;
	vd_log(VD_LOG_DEBUG, "sample", "process %s %s", p->name, vd_pstate_names[state]);
	p->state = state;
	p->dirty = true;
	sample_drop_copies(p);
	if (j) {
		j->nlive--;
		if (state == VD_P_EXITED)
			j->nexited++;
		else
			j->nkilled++;
		j->last_live = vd_now();
		j->dirty = true;
	}
}

static int sample_full_apply(struct vd_proc *p, const struct vd_dir *d, const struct vigil_seg_view *v,
                             const char *jobid, const char *user, const char **why);

/* User name of uid (NSS may do I/O: never under the lock; the last answer is kept). */
static const char *sample_user(uint32_t uid)
{
	static char name[64];
	static uint32_t cached = UINT32_MAX;
	static double when;
	double now = vd_mono();
	if (uid != cached || now - when >= 60) {
		vd_user_name(uid, name, sizeof name);
		cached = uid;
		when = now;
	}
	return name;
}

/*
 * Full read: the whole segment into private memory and validated (no lock),
 * then under the lock: identity and geometry refreshed, the job attached,
 * every used shard compared.  Returns 0, or a rejection reason + 1.  Called
 * without the lock.
 */
static int sample_full_read(struct vd_proc *p, const struct vd_dir *d, const char **why)
{
	struct stat st;
	struct vigil_seg_view v;
	if (fstat(p->fd, &st) < 0)
		return VD_REJ_READ + 1;
	if (!S_ISREG(st.st_mode))
		return VD_REJ_NOT_REGULAR + 1;
	if ((uint64_t)st.st_size < sizeof(struct vigil_seg_header) ||
	    (uint64_t)st.st_size > vd.cfg.max_segment_bytes)
		return VD_REJ_SIZE + 1;
	size_t len = (size_t)st.st_size;
	if (sample_scratch_fit(len) < 0)
		return VD_REJ_READ + 1;
	/*
	 * Only what the sampler uses is copied: the header and identity, then the
	 * shards in use - not the file table nor unused shards (most of a 1 MiB
	 * segment).  The copy keeps the file's layout, so vigil_seg_parse checks
	 * every offset against the file's length as before; it reads nothing else.
	 */
	size_t have = len < VIGIL_HEADER_AREA ? len : VIGIL_HEADER_AREA;
	ssize_t r = pread(p->fd, sample_scratch, have, 0);
	if (r < 0)
		return VD_REJ_READ + 1;
	if ((size_t)r < have)
		return VD_REJ_TRUNCATED + 1;
	const struct vigil_seg_header *raw = (const void *)sample_scratch;
	if (raw->ident_offset <= len && raw->ident_size <= len - raw->ident_offset &&
	    raw->ident_offset + raw->ident_size > have) {
		size_t more = (size_t)(raw->ident_offset + raw->ident_size) - have;
		if (pread(p->fd, sample_scratch + have, more, (off_t)have) != (ssize_t)more)
			return VD_REJ_TRUNCATED + 1;
	}
	if (vigil_seg_parse(sample_scratch, len, vigil_reader_tsc_seconds(), &v, why) < 0)
		return (*why && strstr(*why, "trunc") ? VD_REJ_TRUNCATED : VD_REJ_FORMAT) + 1;
	const struct vigil_seg_header *h = v.hdr;
	if (h->n_shards == 0 || h->n_shards > 1024)
		return VD_REJ_FORMAT + 1;
	uint32_t used = h->shards_used < h->n_shards ? h->shards_used : h->n_shards;
	for (uint32_t i = 0; i < used; i++) { /* in bounds: vigil_seg_parse checked the shard area */
		uint64_t off = h->shards_offset + (uint64_t)i * h->shard_size;
		if (pread(p->fd, sample_scratch + off, h->shard_size, (off_t)off) != (ssize_t)h->shard_size)
			return VD_REJ_TRUNCATED + 1;
	}
	if (h->state == VIGIL_STATE_INIT) {
		p->pending = true;
		return 0;
	}
	/* The job's id: the segment's, or Slurm's (a /proc read: before the lock). */
	char jobid[64] = "";
	const char *user = "";
	if (p->pending || !p->job) {
		snprintf(jobid, sizeof jobid, "%s", v.id->job_id[0] ? v.id->job_id : "none");
		if (p->proc_start && sample_proc_start(v.id->pid) == p->proc_start)
			sample_slurm_job(v.id->pid, jobid, sizeof jobid);
		user = sample_user((uint32_t)d->uid);
	}
	pthread_mutex_lock(&vd.lock);
	int rc = sample_full_apply(p, d, &v, jobid, user, why);
	pthread_mutex_unlock(&vd.lock);
	return rc;
}

/* The locked half of sample_full_read: `v` is the validated copy in sample_scratch. */
static int sample_full_apply(struct vd_proc *p, const struct vd_dir *d, const struct vigil_seg_view *v,
                             const char *jobid, const char *user, const char **why)
{
	const struct vigil_seg_header *h = v->hdr;
	if (p->shard_changes && p->n_shards != h->n_shards) {
		*why = "geometry changed";
		return VD_REJ_FORMAT + 1;
	}
	p->len = v->len;
	p->n_ops = v->n_ops;
	p->n_shards = h->n_shards;
	p->shard_size = h->shard_size;
	p->shards_offset = h->shards_offset;
	p->hdr_changes = h->header_changes;
	if (!p->shard_changes) {
		p->shard_changes = calloc(p->n_shards, sizeof *p->shard_changes);
		p->shard_copy = calloc(p->n_shards, sizeof *p->shard_copy);
		if (!p->shard_changes || !p->shard_copy)
			return VD_REJ_READ + 1;
	}
	if (!p->sp && !(p->sp = calloc(1, sizeof *p->sp)))
		return VD_REJ_READ + 1;
	if (!p->sp->opmap && !(p->sp->opmap = calloc(p->n_shards, sizeof *p->sp->opmap)))
		return VD_REJ_READ + 1;
	if (!p->sp->hstale && !(p->sp->hstale = calloc(p->n_shards, sizeof *p->sp->hstale)))
		return VD_REJ_READ + 1;
	sample_fold(p); /* deltas already taken from our copies: count them before comparing again */
	sample_set_identity(p, v);

	if (p->pending || !p->job) {
		uint32_t uid = (uint32_t)d->uid;
		p->job = sample_job_get(uid, user, jobid, v->id, p);
		if (!p->job)
			return VD_REJ_USER_CAP + 1;
		p->pending = false;
		p->next = p->job->procs;
		p->job->procs = p;
		p->state = VD_P_RUNNING;
		p->job->nlive++;
		p->job->last_live = vd_now();
		if (!p->job->exe[0])
			snprintf(p->job->exe, sizeof p->job->exe, "%s", p->exe);
	}

	/* Shards: baseline (after a restart) means counted = sum of shards seen before. */
	uint32_t used = h->shards_used < p->n_shards ? h->shards_used : p->n_shards;
	p->shards_used = used;
	p->last_header = p->last_full_shards = vd_mono();
	if (p->baseline) {
		struct vd_raw *sum = calloc(VIGIL_NOPS, sizeof *sum);
		if (!sum)
			return VD_REJ_READ + 1;
		uint32_t nops = p->n_ops < VIGIL_NOPS ? p->n_ops : VIGIL_NOPS;
		for (uint32_t i = 0; i < used; i++) {
			const unsigned char *sh = sample_scratch + p->shards_offset + (uint64_t)i * p->shard_size;
			p->shard_copy[i] = calloc(VIGIL_NOPS, sizeof(struct vd_raw));
			if (!p->shard_copy[i])
				continue;
			for (uint32_t op = 0; op < nops; op++) {
				struct vd_raw r;
				sample_load_op(&r, sh, op);
				p->shard_copy[i][op] = r;
				sum[op].calls += r.calls; sum[op].errors += r.errors;
				sum[op].bytes += r.bytes; sum[op].ticks += r.ticks;
				for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
					sum[op].hist[b] += r.hist[b];
			}
			memcpy(&p->shard_changes[i], sh, sizeof(uint64_t));
			sample_map_load(p, i, sh);
		}
		/* counted -> only what exceeds the checkpointed baseline is new */
		for (uint32_t op = 0; op < nops; op++) {
			struct vd_raw old = p->counted[op];
			struct vd_raw cur = sum[op];
			p->counted[op] = (struct vd_raw){0};
			/* apply(new=cur, old=baseline) then counted = max(baseline, cur) */
			sample_apply(p, op, &cur, &old);
			struct vd_raw *c = &p->counted[op];
			c->calls = old.calls + c->calls; c->errors = old.errors + c->errors;
			c->bytes = old.bytes + c->bytes; c->ticks = old.ticks + c->ticks;
			for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
				c->hist[b] += old.hist[b];
			vd_proc_mark_counted(p, op);
		}
		for (uint32_t op = 0; op < nops; op++)
			if (sum[op].calls) {
				if (p->span_lo == p->span_hi || op < p->span_lo)
					p->span_lo = op;
				if (op + 1 > p->span_hi)
					p->span_hi = op + 1;
			}
		free(sum);
		p->baseline = false;
	} else {
		for (uint32_t i = 0; i < used; i++) {
			const unsigned char *sh = sample_scratch + p->shards_offset + (uint64_t)i * p->shard_size;
			uint64_t ch;
			memcpy(&ch, sh, sizeof ch);
			sample_map_load(p, i, sh);
			if (p->shard_copy[i] && ch == p->shard_changes[i] && !sample_stale_any(p, i))
				continue;
			sample_shard_delta(p, i, sh);
			p->shard_changes[i] = ch;
		}
	}
	p->last_change = vd_mono();
	if (h->state == VIGIL_STATE_ENDED)
		sample_proc_ended(p, VD_P_EXITED);
	return 0;
}

/*
 * Read ops [lo, hi) of shard i and keep their increase for the fold (no lock).
 * Without `hist` a single op's read stops before its histogram.
 */
static int sample_read_ops(struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist)
{
	struct vd_sproc *sp = p->sp;
	size_t want = (size_t)(hi - lo) * sizeof(struct vigil_op_counters);
	if (!hist && hi == lo + 1)
		want = SAMPLE_SCALARS;
	if (want > sp->cap) {
		unsigned char *nb = realloc(sp->buf, want);
		if (!nb)
			return VD_REJ_READ + 1;
		sp->buf = nb;
		sp->cap = want;
	}
	uint64_t off = p->shards_offset + (uint64_t)i * p->shard_size + offsetof(struct vigil_shard, ops) +
	               (uint64_t)lo * sizeof(struct vigil_op_counters);
	if (pread(p->fd, sp->buf, want, (off_t)off) != (ssize_t)want)
		return VD_REJ_TRUNCATED + 1;
	sample_ops_delta(p, i, sp->buf, lo, hi, true, hist);
	return 0;
}

/*
 * Read the ops of shard i its op map names, one pread per run (gaps of up to
 * SAMPLE_GAP unused ops are read through).  A map of zeros names nothing: then
 * every op when `all` (once a second), else the span of ops seen used.
 * `hist`: compare and count the histograms too (else the scalars only).
 */
static int sample_read_shard(struct vd_proc *p, uint32_t i, bool all, bool hist)
{
	uint32_t nops = p->n_ops < VIGIL_NOPS ? p->n_ops : VIGIL_NOPS;
	const uint64_t *m = p->sp->opmap[i];
	if (sample_map_zero(m)) {
		uint32_t lo = 0, hi = nops;
		if (!all && p->span_hi > p->span_lo && p->span_hi <= nops) {
			lo = p->span_lo;
			hi = p->span_hi;
		}
		return sample_read_ops(p, i, lo, hi, hist);
	}
#define SAMPLE_BIT(op) ((m[(op) >> 6] >> ((op) & 63)) & 1)
	uint32_t op = 0;
	while (op < nops) {
		while (op < nops && !m[op >> 6] && (op & 63) == 0)
			op += 64; /* empty word */
		if (op >= nops || !SAMPLE_BIT(op)) {
			op++;
			continue;
		}
		uint32_t lo = op, hi = op + 1, gap = 0;
		for (uint32_t k = hi; k < nops && gap <= SAMPLE_GAP; k++) {
			if (SAMPLE_BIT(k)) {
				hi = k + 1;
				gap = 0;
			} else
				gap++;
		}
		int rc = sample_read_ops(p, i, lo, hi, hist);
		if (rc)
			return rc;
		op = hi;
	}
#undef SAMPLE_BIT
	return 0;
}

/*
 * Steady state, no lock: reads into p->sp, deltas pending for the fold.
 * Sets *full when it had to read the whole segment instead (already applied).
 */
static int sample_fast_read(struct vd_proc *p, const struct vd_dir *d, const char **why, bool *full)
{
	struct vigil_seg_header h;
	ssize_t r;
	double now = vd_mono();
	/*
	 * The header (state, end record, shards in use) is read once a second:
	 * an end is noticed up to 1 s late, which the job linger absorbs.
	 */
	if (now - p->last_header >= 1.0) {
		p->last_header = now;
		r = pread(p->fd, &h, sizeof h, 0);
		if (r < 0)
			return VD_REJ_READ + 1;
		if ((size_t)r < sizeof h)
			return VD_REJ_TRUNCATED + 1;
		if (memcmp(h.magic, VIGIL_SEG_MAGIC, 8) || h.version != VIGIL_SEG_VERSION) {
			*why = "header rewritten";
			return VD_REJ_FORMAT + 1;
		}
		if (h.header_changes != p->hdr_changes || h.state != VIGIL_STATE_RUNNING) {
			*full = true;
			return sample_full_read(p, d, why);
		}
		p->shards_used = h.shards_used < p->n_shards ? h.shards_used : p->n_shards;
	}
	/*
	 * A process that changed within the last second is read directly (its op
	 * runs: one pread per used shard, compared in memory); an idle one, and
	 * every process once a second, first by its shards' heads (`changes` and
	 * the op map, 64 bytes), and its ops only when `changes` moved.
	 */
	bool maps = now - p->last_full_shards >= 1.0;
	bool hot = now - p->last_change < 1.0;
	if (maps)
		p->last_full_shards = now;
	for (uint32_t i = 0; i < p->shards_used; i++) {
		uint64_t off = p->shards_offset + (uint64_t)i * p->shard_size;
		bool all = maps || !p->shard_copy[i];
		if (!hot || all || sample_map_zero(p->sp->opmap[i])) {
			unsigned char head[offsetof(struct vigil_shard, timeline)];
			uint64_t ch;
			if (pread(p->fd, head, sizeof head, (off_t)off) != (ssize_t)sizeof head)
				return VD_REJ_TRUNCATED + 1;
			memcpy(&ch, head, sizeof ch);
			sample_map_load(p, i, head);
			if (p->shard_copy[i] && ch == p->shard_changes[i] && !sample_stale_any(p, i))
				continue;
			p->shard_changes[i] = ch;
		}
		/*
		 * Histograms (8 of a counter's 9 cache lines) are compared and
		 * counted once a second, and whenever the process is read in full
		 * (its end included); between, a hot process's passes count its
		 * calls, errors, bytes and time only.
		 */
		int rc = sample_read_shard(p, i, all, all || !hot);
		if (rc)
			return rc;
	}
	if (p->sp->npend)
		p->last_change = now;
	return 0;
}

static struct vd_proc *sample_new_proc(int dirix, const char *name)
{
	struct vd_proc *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->counted = calloc(VIGIL_NOPS, sizeof *p->counted);
	if (!p->counted) {
		free(p);
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
	if (!S_ISREG(st.st_mode)) {
		reason = VD_REJ_NOT_REGULAR + 1;
		goto fail;
	}
	if (st.st_uid != d->uid) {
		reason = VD_REJ_OWNER + 1;
		goto fail;
	}
	if (st.st_nlink != 1) {
		reason = VD_REJ_LINKS + 1;
		goto fail;
	}
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
static void sample_lost(struct vd_proc *p, struct vd_dir *d, int reason, const char *why)
{
	sample_reject(reason - 1, d, p->name, why);
	vd_log(VD_LOG_DEBUG, "sample", "lost %s", p->name);
	pthread_mutex_lock(&vd.lock);
	sample_proc_ended(p, VD_P_KILLED);
	pthread_mutex_unlock(&vd.lock);
	sample_drop_copies(p);
}

static void sample_scan_dir(int dirix)
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
static void sample_sweep(int dirix)
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

static void sample_ready_add(struct vd_proc *p)
{
	if (sample_nready == sample_ready_cap) {
		size_t ncap = sample_ready_cap ? 2 * sample_ready_cap : 256;
		struct vd_proc **nr = realloc(sample_ready, ncap * sizeof *nr);
		if (!nr)
			return; /* its deltas wait for the next pass */
		sample_ready = nr;
		sample_ready_cap = ncap;
	}
	sample_ready[sample_nready++] = p;
}

/*
 * One pass.  Discovery and every read happen without vd.lock (the helpers
 * take it for the moments they change shared state); then one short locked
 * section folds the deltas read and runs the job bookkeeping.
 */
void vd_sample(void)
{
	double t0 = vd_mono();
	static double last_root_scan;
	if (vd.cfg.user_root && t0 - last_root_scan >= 1.0) {
		sample_scan_user_root();
		last_root_scan = t0;
	}
	for (int i = 0; i < vd.ndirs; i++) {
		struct vd_dir *d = &vd.dirs[i];
		struct stat st;
		if (fstat(d->fd, &st) < 0)
			continue;
		/* Rescan when the directory changed, and once a second regardless. */
		if (st.st_mtim.tv_sec != d->mtime.tv_sec || st.st_mtim.tv_nsec != d->mtime.tv_nsec ||
		    t0 - d->last_scan >= 1.0) {
			d->mtime = st.st_mtim;
			d->last_scan = t0;
			for (int k = 0; k < SAMPLE_HASH; k++)
				for (struct vd_proc *p = sample_hash[k]; p; p = p->hnext)
					if (p->dirix == i)
						p->seen = false;
			sample_scan_dir(i);
			sample_sweep(i);
		}
	}
	unsigned live = 0;
	sample_nready = 0;
	for (int k = 0; k < SAMPLE_HASH; k++)
		for (struct vd_proc *p = sample_hash[k]; p; p = p->hnext) {
			struct vd_dir *d = &vd.dirs[p->dirix];
			const char *why = NULL;
			int reason;
			bool full = false;
			if (p->rejected || p->fd < 0 || p->state != VD_P_RUNNING)
				continue;
			live++;
			/* Idle for a second: is the process still there (same start time)? */
			/* (every 2 s: /proc reads cost more than the segment's own) */
			if (!p->pending && !p->baseline && p->job && t0 - p->last_change >= 1.0 &&
			    t0 - p->last_alive_check >= 2.0) {
				p->last_alive_check = t0;
				if (sample_proc_start(p->pid) != p->proc_start) {
					reason = sample_full_read(p, d, &why); /* last words, maybe an end record */
					if (p->state == VD_P_RUNNING) {
						vd_log(VD_LOG_DEBUG, "sample", "pid gone %s", p->name);
						pthread_mutex_lock(&vd.lock);
						sample_proc_ended(p, VD_P_KILLED);
						pthread_mutex_unlock(&vd.lock);
					}
					continue;
				}
			}
			if (p->pending || p->baseline)
				reason = sample_full_read(p, d, &why);
			else
				reason = sample_fast_read(p, d, &why, &full);
			if (reason) {
				if (p->job)
					sample_lost(p, d, reason, why);
				else {
					p->rejected = reason;
					close(p->fd);
					p->fd = -1;
					sample_reject(reason - 1, d, p->name, why);
				}
				continue;
			}
			if (!full && p->sp && p->sp->npend)
				sample_ready_add(p);
		}
	pthread_mutex_lock(&vd.lock);
	for (size_t k = 0; k < sample_nready; k++)
		sample_fold(sample_ready[k]);
	vd.segments_live = live;
	double now = vd_now();
	vd_jobs_tick(now);
	vd_history_tick(now);
	vd.samples++;
	vd.sample_seconds_last = vd_mono() - t0;
	vd.sample_seconds_total += vd.sample_seconds_last;
	pthread_mutex_unlock(&vd.lock);
	vd_jobs_end_due(now); /* profiles read segments and write files: not under the lock */
}

/* ---- helpers for other modules ----------------------------------------- */

void vd_proc_sum(const struct vd_proc *p, struct vd_raw *out)
{
	memcpy(out, p->counted, VIGIL_NOPS * sizeof *out);
}

struct vd_job *vd_job_find(const char *id, uint32_t uid, bool any_user)
{
	struct vd_job *found = NULL;
	for (struct vd_job *j = vd.jobs; j; j = j->next)
		if (!strcmp(j->id, id)) {
			if (j->uid == uid)
				return j;
			if (any_user && !found)
				found = j;
		}
	return found;
}

void vd_job_end_request(struct vd_job *j)
{
	j->end_requested = true;
}

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

/* After a restart: reopen every restored running process (its baseline makes the first read a delta). */
void vd_procs_reopen(void);
void vd_procs_reopen(void)
{
	for (int k = 0; k < SAMPLE_HASH; k++)
		for (struct vd_proc *p = sample_hash[k]; p; p = p->hnext) {
			if (!p->job || p->state != VD_P_RUNNING || p->fd >= 0)
				continue;
			struct vd_dir *d = &vd.dirs[p->dirix];
			p->fd = sample_openat(d->fd, p->name);
			/* the same checks as a first open: regular, the directory owner's, one link */
			struct stat st;
			if (p->fd < 0 || fstat(p->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != d->uid ||
			    st.st_nlink != 1) {
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
