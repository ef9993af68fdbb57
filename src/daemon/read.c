/*
 * read.c - reading a segment safely into private memory: the full read
 * (whole copy, validated by vigil_seg_parse; the geometry validated then is
 * the only one used afterwards) and the cheap fast read of a steady state.
 * Split from sample.c (see sample_internal.h).
 *
 * Every segment is hostile: read with pread, or process_vm_readv from a
 * mapping never loaded from (batch.c), into private memory: the owner may
 * truncate it at any time.  The live header is never trusted again after the
 * full read.
 *
 * Cheap steady state: a shard's op map (segment.h) names the ops it ever
 * counted, and only those counters are read (288 bytes each, in runs), never
 * the whole shard.  A process that changed in the last second gets one read
 * of its op runs per used shard per pass (queued in the pass's batch, batch.c;
 * compared in memory once read); an idle one gets
 * one 64-byte read of each shard's head (`changes`, op map) and its ops only
 * when `changes` moved.  The segment header and the op maps are re-read once a
 * second.  Those small reads are pre-read in the pass's batch when predicted
 * (sample_pre_want, vd_seg_pread).  Every read and /proc read happens outside
 * vd.lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/accel.h"
#include "daemon/daemon.h"
#include "daemon/insights.h"
#include "daemon/sample_internal.h"
#include "format/profile.h"

static unsigned char *sample_scratch;   /* whole-segment private copy (sampler thread) */
static size_t sample_scratch_len;

#define SAMPLE_GAP 7   /* unused ops read through rather than split a run (7 x 288 B < a syscall) */

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

static void sample_load_op(struct vd_raw *r, const unsigned char *shard, uint32_t ops_offset, uint32_t op)
{
	/* Layout of struct vigil_op_counters; copied, the source may be unaligned. */
	memcpy(r, shard + ops_offset + (size_t)op * sizeof(struct vigil_op_counters),
	       sizeof *r);
}

/* Same, from a buffer holding only the op array from op `lo` on. */
static void sample_load_op_at(struct vd_raw *r, const unsigned char *ops, uint32_t lo, uint32_t op)
{
	memcpy(r, ops + (size_t)(op - lo) * sizeof(struct vigil_op_counters), sizeof *r);
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
void sample_ops_delta(struct vd_proc *p, uint32_t i, const unsigned char *ops, uint32_t lo, uint32_t hi,
                      bool defer, bool hist)
{
	if (!p->shard_copy[i]) {
		p->shard_copy[i] = vd_ops_new();
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
	sample_ops_delta(p, i, shard + p->ops_offset, 0, nops, false, true);
}

/* The shard's op map from its head (reserved words; see segment.h). */
static void sample_map_load(struct vd_proc *p, uint32_t i, const unsigned char *shard)
{
	memcpy(p->sp->opmap[i], shard + offsetof(struct vigil_shard, reserved), sizeof p->sp->opmap[i]);
}

#define SPROC_HEAD ((sizeof(struct vd_sproc) + 7) & ~(size_t)7)
#define SPROC_SIZE(n) (SPROC_HEAD + 2 * (size_t)(n) * sizeof(uint64_t[VIGIL_OPMAP_WORDS]))
/* Sampler blocks of up to VIGIL_SHARDS shards (a writer's own): beside each other (opsarena.c). */
static struct vd_arena sample_sproc_arena = { .block = SPROC_SIZE(VIGIL_SHARDS) };

/* Free a block of sample_sproc_new. */
void sample_sproc_release(struct vd_sproc *sp)
{
	if (sp->arena)
		vd_arena_free(&sample_sproc_arena, sp);
	else
		free(sp);
}

/* The sampler's state of a process with n_shards shards, in one cache-aligned block. */
struct vd_sproc *sample_sproc_new(uint32_t n_shards)
{
	size_t head = SPROC_HEAD;
	size_t maps = (size_t)n_shards * sizeof(uint64_t[VIGIL_OPMAP_WORDS]);
	void *m = NULL;
	bool arena = n_shards <= VIGIL_SHARDS;
	if (arena)
		m = vd_arena_new(&sample_sproc_arena);
	else if (posix_memalign(&m, 64, head + 2 * maps))
		m = NULL;
	else
		memset(m, 0, head + 2 * maps);
	if (!m)
		return NULL;
	struct vd_sproc *sp = m;
	sp->arena = arena;
	sp->opmap = (void *)((char *)m + head);
	sp->hstale = (void *)((char *)m + head + maps);
	return sp;
}

static void sample_set_identity(struct vd_proc *p, const struct vigil_seg_view *v)
{
	const struct vigil_seg_identity *id = v->id;
	p->pid = id->pid;
	p->ppid = id->ppid;
	p->rank = id->rank;
	p->nranks = id->nranks > 0 ? id->nranks : 0;
	p->exit_status = id->exit_status;
	p->term_signal = id->term_signal;
	p->flags = v->hdr->flags;
	p->early_calls = v->hdr->early_calls;
	p->tick_seconds = v->tick_seconds > 0 && v->tick_seconds < 1 ? v->tick_seconds : 1e-9;
	p->start_real = v->hdr->clock.start_real_ns / 1e9;
	p->end_real = v->hdr->clock.end_real_ns / 1e9;
	vd_basename(p->exe, sizeof p->exe, id->exe);
	snprintf(p->step, sizeof p->step, "%s", id->step);
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
uint64_t sample_proc_start(int32_t pid)
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
 * What a segment must be, at its first open and for as long as it is read
 * (docs/DAEMON.md): a regular file of the directory's owner with one link,
 * of the size it had when accepted.  A segment that stops being so is
 * rejected from then on (its owner could have been changed under a running
 * job, or a link made to it elsewhere); what it counted before is kept.
 * Returns 0, or a rejection reason + 1.
 */
int sample_check_stat(const struct stat *st, const struct vd_dir *d, const struct vd_proc *p, const char **why)
{
	if (!S_ISREG(st->st_mode))
		return VD_REJ_NOT_REGULAR + 1;
	if (st->st_uid != d->uid)
		return VD_REJ_OWNER + 1;
	if (st->st_nlink != 1)
		return VD_REJ_LINKS + 1;
	if (p->file_size && (uint64_t)st->st_size != p->file_size) {
		*why = "size changed after it was accepted";
		return ((uint64_t)st->st_size < p->file_size ? VD_REJ_TRUNCATED : VD_REJ_SIZE) + 1;
	}
	return 0;
}

/*
 * A collector creates its segment in place: open, size, then the header
 * through its mapping, magic first (which does not touch the file's mtime on
 * tmpfs, so a file rejected then would never be retried).  A file not yet
 * accepted that is too short for a header or fails validation as truncated
 * or malformed is therefore read again each pass, for up to 5 s after it
 * first failed so, and only then rejected (docs/DAEMON.md).
 */
static bool sample_being_created(struct vd_proc *p)
{
	if (p->job)
		return false;
	double now = vd_mono();
	if (!p->creating_since)
		p->creating_since = now;
	p->pending = now - p->creating_since < 5.0;
	return p->pending;
}

/* The once-a-second re-check of an accepted segment (one fstat). */
int sample_recheck(struct vd_proc *p, const struct vd_dir *d, const char **why)
{
	struct stat st;
	if (fstat(p->fd, &st) < 0)
		return VD_REJ_READ + 1;
	return sample_check_stat(&st, d, p, why);
}

/*
 * Full read: the whole segment into private memory and validated (no lock),
 * then under the lock: identity and geometry refreshed, the job attached,
 * every used shard compared.  Returns 0, or a rejection reason + 1.  Called
 * without the lock.
 */
static int sample_full_read_once(struct vd_proc *p, const struct vd_dir *d, const char **why);

int sample_full_read(struct vd_proc *p, const struct vd_dir *d, const char **why)
{
	int rc = sample_full_read_once(p, d, why);
	if ((rc == VD_REJ_FORMAT + 1 || rc == VD_REJ_TRUNCATED + 1) && sample_being_created(p))
		return 0;
	return rc;
}

static int sample_full_read_once(struct vd_proc *p, const struct vd_dir *d, const char **why)
{
	struct stat st;
	struct vigil_seg_view v;
	if (fstat(p->fd, &st) < 0)
		return VD_REJ_READ + 1;
	int bad = sample_check_stat(&st, d, p, why);
	if (bad)
		return bad;
	if ((uint64_t)st.st_size < sizeof(struct vigil_seg_header) && sample_being_created(p))
		return 0;
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
	/* the accelerator region: its own pread, into its own copy (accel.c) */
	vd_accel_geometry(p, h);
	if (vd_accel_read(p, true) < 0)
		return VD_REJ_TRUNCATED + 1;
	if (!p->file_size)
		p->file_size = (uint64_t)st.st_size;
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
	if (rc == 0 && p->state == VD_P_RUNNING)
		sample_mmap(p); /* a system call: not under the lock */
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
	p->ops_offset = v->ops_offset;
	p->version = h->version;
	p->hdr_changes = h->header_changes;
	if (!p->shard_changes) {
		p->shard_changes = calloc(p->n_shards, sizeof *p->shard_changes);
		p->shard_copy = calloc(p->n_shards, sizeof *p->shard_copy);
		if (!p->shard_changes || !p->shard_copy)
			return VD_REJ_READ + 1;
	}
	if (!p->sp && !(p->sp = sample_sproc_new(p->n_shards)))
		return VD_REJ_READ + 1;
	sample_fold(p); /* deltas already taken from our copies: count them before comparing again */
	sample_set_identity(p, v);

	if (p->pending || !p->job) {
		uint32_t uid = (uint32_t)d->uid;
		p->job = sample_job_get(uid, user, jobid, v->id, p);
		if (!p->job)
			return VD_REJ_USER_CAP + 1;
		p->pending = false;
		p->job->dirty = true; /* a process joined: checkpointed within a second */
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
			p->shard_copy[i] = vd_ops_new();
			if (!p->shard_copy[i])
				continue;
			for (uint32_t op = 0; op < nops; op++) {
				struct vd_raw r;
				sample_load_op(&r, sh, p->ops_offset, op);
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
		p->job->dirty = true; /* a restart's first read: checkpointed within a second */
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
	vd_accel_fold(p);
	if (h->state == VIGIL_STATE_ENDED)
		sample_proc_ended(p, VD_P_EXITED);
	return 0;
}

/* Where ops [lo, hi) of shard i lie in the file, and how many bytes a read of them takes. */
void sample_ops_span(const struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist, uint64_t *off,
                     size_t *want)
{
	*want = (size_t)(hi - lo) * sizeof(struct vigil_op_counters);
	if (!hist && hi == lo + 1)
		*want = SAMPLE_SCALARS;
	*off = p->shards_offset + (uint64_t)i * p->shard_size + p->ops_offset +
	       (uint64_t)lo * sizeof(struct vigil_op_counters);
}

/*
 * Read ops [lo, hi) of shard i with pread and keep their increase for the
 * fold (no lock).  Without `hist` a single op's read stops before its
 * histogram.
 */
int sample_pread_ops(struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist)
{
	struct vd_sproc *sp = p->sp;
	uint64_t off;
	size_t want;
	sample_ops_span(p, i, lo, hi, hist, &off, &want);
	if (want > sp->cap) {
		unsigned char *nb = realloc(sp->buf, want);
		if (!nb)
			return VD_REJ_READ + 1;
		sp->buf = nb;
		sp->cap = want;
	}
	if (pread(p->fd, sp->buf, want, (off_t)off) != (ssize_t)want)
		return VD_REJ_TRUNCATED + 1;
	sample_ops_delta(p, i, sp->buf, lo, hi, true, hist);
	return 0;
}

/* The same, queued for this pass's batched read (batch.c) when the segment is mapped. */
static int sample_read_ops(struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist)
{
	if (sample_batch_add(p, i, lo, hi, hist))
		return 0;
	return sample_pread_ops(p, i, lo, hi, hist);
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
 * What sample_fast_read below will read this pass besides op counters, for
 * the pre-read (batch.c): a guess from the same conditions; a read not
 * guessed goes by pread.  `ext`: the insights' shard totals are due too.
 */
void sample_pre_want(struct vd_proc *p, double now, bool ext)
{
	if (p->pending || p->baseline || !p->job || !p->shard_copy)
		return;
	if (now - p->last_header >= 1.0) {
		vd_seg_preread(p, 0, sizeof(struct vigil_seg_header));
		vd_accel_preread(p);
	}
	bool maps = now - p->last_full_shards >= 1.0, hot = now - p->last_change < 1.0;
	for (uint32_t i = 0; i < p->shards_used && i < 32; i++)
		if ((p->head_written >> i & 1) && (!hot || maps || !p->shard_copy[i] || sample_map_zero(p->sp->opmap[i])))
			vd_seg_preread(p, p->shards_offset + (uint64_t)i * p->shard_size,
			               offsetof(struct vigil_shard, timeline));
	if (ext)
		vd_insights_preread(p);
}

/*
 * Steady state, no lock: reads into p->sp, deltas pending for the fold.
 * Sets *full when it had to read the whole segment instead (already applied).
 */
int sample_fast_read(struct vd_proc *p, const struct vd_dir *d, const char **why, bool *full)
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
		int bad = sample_recheck(p, d, why);
		if (bad)
			return bad;
		r = vd_seg_pread(p, &h, sizeof h, 0);
		if (r < 0)
			return VD_REJ_READ + 1;
		if ((size_t)r < sizeof h)
			return VD_REJ_TRUNCATED + 1;
		if (memcmp(h.magic, VIGIL_SEG_MAGIC, 8) || h.version < VIGIL_SEG_VERSION_MIN || h.version > VIGIL_SEG_VERSION ||
		    (p->version && h.version != p->version)) {
			*why = "header rewritten";
			return VD_REJ_FORMAT + 1;
		}
		if (h.header_changes != p->hdr_changes || h.state != VIGIL_STATE_RUNNING) {
			*full = true;
			return sample_full_read(p, d, why);
		}
		p->shards_used = h.shards_used < p->n_shards ? h.shards_used : p->n_shards;
		if (vd_accel_read(p, false) < 0)
			return VD_REJ_TRUNCATED + 1;
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
			if (vd_seg_pread(p, head, sizeof head, off) != (ssize_t)sizeof head)
				return VD_REJ_TRUNCATED + 1;
			memcpy(&ch, head, sizeof ch);
			uint32_t state;
			memcpy(&state, head + offsetof(struct vigil_shard, state), sizeof state);
			if ((ch || state) && i < 32)
				p->head_written |= 1u << i;
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
		p->last_change = now; /* (reads queued in the batch: sample_batch_flush) */
	return 0;
}
