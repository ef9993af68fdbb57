/*
 * batch.c - a pass's op-counter reads in a few system calls instead of one
 * pread each (issue 12: at 1,000 changing segments the per-read kernel path
 * was ~40 % of vigild's time).
 *
 * Once accepted, a segment's shard area is also mapped read-only into vigild
 * (MAP_SHARED, the validated geometry).  vigild never loads from that mapping:
 * the owner may truncate the file at any time, and a load past its end would
 * raise SIGBUS, which only a process-wide handler could catch - one that would
 * hide real crashes.  The mapping serves as the source address of
 * process_vm_readv(2) on vigild itself: the kernel copies from the owner's
 * pages into private memory, and a page gone with a truncation ends the copy
 * with a short count (EFAULT), never a signal.  Each pass queues its op reads
 * (read.c, sample_read_ops) and sample_batch_flush reads them in calls of up
 * to UIO_MAXIOV pieces; the first piece that did not arrive in full is read
 * again with pread, whose rules (short read = truncated) decide as before,
 * and the batch resumes after it.  Where process_vm_readv is refused (seccomp,
 * an old kernel) every read falls back to pread.
 *
 * The small reads that decide what a pass reads (each segment's header and
 * accelerator record once a second, shard heads: `changes` and the op map,
 * the insights' shard totals) are batched too, ahead of the pass: the
 * pre-read (sample_pre_pass) queues what each process will probably ask
 * for, reads it in a few calls, and vd_seg_pread then answers a read of
 * exactly that span from this copy, or with pread when there is none (not
 * predicted, or a piece that did not arrive: pread's rules decide).  The
 * once-a-second fstat re-check stays a system call per segment.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#include "daemon/daemon.h"
#include "daemon/sample_internal.h"

#ifndef UIO_MAXIOV
#define UIO_MAXIOV 1024
#endif
#define BATCH_MAX_BYTES (1u << 20) /* a set's buffer; beyond, a read goes by pread at once */
/*
 * Bounds.  A read through the mapping of a hole in a tmpfs file (never
 * written, or punched by its owner) allocates the page, charged to vigild's
 * memory cgroup, where a pread returns zeros: so at most BATCH_MAX_MAPS
 * segments are mapped and at most BATCH_MAX_PAGES pages of each are read
 * through its mapping per pass (the rest by pread).  That bounds a pass only:
 * a page so allocated stays in the owner's file, so over many passes up to a
 * whole mapped segment may be charged to vigild (docs/DAEMON.md).  An honest
 * process's reads touch pages it has written.  Far below vm.max_map_count
 * (65,530): malloc's own mappings never fail for ours.
 */
#define BATCH_MAX_MAPS 4096
#define BATCH_MAX_PAGES 8

struct batch_req {
	struct vd_proc *p;
	uint32_t shard, lo, hi;
	bool hist;
	bool ok;          /* pre-read: arrived in full */
	size_t at, want;  /* in the set's buffer */
	uint64_t off;     /* in the file */
};

/* A set of queued reads and the buffer they land in. */
struct batch_set {
	struct batch_req *req;
	size_t n, cap;
	unsigned char *buf;
	size_t len, buf_cap;
};

static struct batch_set ops_set;   /* a pass's op-counter reads (sample_batch_add) */
static struct batch_set pre_set;   /* its small deciding reads (sample_pre_pass) */
static unsigned batch_pass;        /* pass number: stamps pre-reads and page counts */
static bool batch_off;             /* process_vm_readv refused here: pread only */
static unsigned batch_maps;        /* segments mapped now */

/* The whole validated file, read-only: header, accelerator region and shards. */
void sample_mmap(struct vd_proc *p)
{
	struct vd_sproc *sp = p->sp;
	if (batch_off || !sp || sp->map || p->fd < 0 || !p->n_shards || !p->len || batch_maps >= BATCH_MAX_MAPS)
		return;
	void *m = mmap(NULL, p->len, PROT_READ, MAP_SHARED, p->fd, 0);
	if (m == MAP_FAILED)
		return; /* read by pread */
	sp->map = (uintptr_t)m;
	sp->map_off = 0;
	sp->map_len = p->len;
	batch_maps++;
}

void sample_munmap(struct vd_sproc *sp)
{
	if (sp->map) {
		munmap((void *)sp->map, sp->map_len);
		batch_maps--;
	}
	sp->map = 0;
}

/* Queue a read of [off, off + want) of p's file in set s; NULL when it must go by pread. */
static struct batch_req *set_add(struct batch_set *s, struct vd_proc *p, uint64_t off, size_t want)
{
	struct vd_sproc *sp = p->sp;
	if (!sp || !sp->map || batch_off || !want)
		return NULL;
	if (sp->pages_pass != batch_pass) {
		sp->pages_pass = batch_pass;
		sp->batch_pages = 0;
	}
	unsigned pages = (unsigned)((off + want - 1) / 4096 - off / 4096 + 1);
	if (off < sp->map_off || off + want > sp->map_off + sp->map_len || want > BATCH_MAX_BYTES ||
	    s->len + want > BATCH_MAX_BYTES || sp->batch_pages + pages > BATCH_MAX_PAGES)
		return NULL;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 1024;
		struct batch_req *nb = realloc(s->req, ncap * sizeof *nb);
		if (!nb)
			return NULL;
		s->req = nb;
		s->cap = ncap;
	}
	if (s->len + want > s->buf_cap) {
		size_t ncap = s->buf_cap ? 2 * s->buf_cap : 65536;
		while (ncap < s->len + want)
			ncap *= 2;
		unsigned char *nb = realloc(s->buf, ncap);
		if (!nb)
			return NULL;
		s->buf = nb;
		s->buf_cap = ncap;
	}
	struct batch_req *r = &s->req[s->n++];
	*r = (struct batch_req){ .p = p, .at = s->len, .want = want, .off = off };
	s->len += want;
	sp->batch_pages += pages;
	return r;
}

bool sample_batch_add(struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist)
{
	uint64_t off;
	size_t want;
	sample_ops_span(p, i, lo, hi, hist, &off, &want);
	struct batch_req *r = set_add(&ops_set, p, off, want);
	if (!r)
		return false;
	r->shard = i;
	r->lo = lo;
	r->hi = hi;
	r->hist = hist;
	p->sp->batched = true;
	return true;
}

/*
 * Read requests [k, end) of set s with one process_vm_readv; returns how many
 * arrived in full (those before the first short piece).
 */
static size_t batch_read(struct batch_set *s, size_t k, size_t end)
{
	static struct iovec remote[UIO_MAXIOV];
	size_t n = end - k, total = 0;
	for (size_t j = 0; j < n; j++) {
		const struct batch_req *r = &s->req[k + j];
		remote[j].iov_base = (void *)(r->p->sp->map + (uintptr_t)(r->off - r->p->sp->map_off));
		remote[j].iov_len = r->want;
		total += r->want;
	}
	struct iovec local = { s->buf + s->req[k].at, total };
	ssize_t got = process_vm_readv(getpid(), &local, 1, remote, (unsigned long)n, 0);
	if (got < 0 && errno != EFAULT) {
		vd_log(VD_LOG_WARN, "sample", "process_vm_readv refused (%s): segments are read with pread",
		       strerror(errno));
		batch_off = true;
	}
	size_t done = 0;
	for (size_t sum = 0; got > 0 && done < n && sum + s->req[k + done].want <= (size_t)got; done++)
		sum += s->req[k + done].want;
	return done;
}

/* this pass's reads, for vd's counters (added under the lock: sample_batch_counted) */
static uint64_t batch_nbatched, batch_nfallback;

void sample_batch_counted(void)
{
	vd.reads_batched += batch_nbatched;
	vd.reads_fallback += batch_nfallback;
	batch_nbatched = batch_nfallback = 0;
}

/* ---- pre-read: the pass's small deciding reads ---------------------------- */

void vd_seg_preread(struct vd_proc *p, uint64_t off, size_t len)
{
	struct vd_sproc *sp = p->sp;
	if (!sp)
		return;
	if (sp->pre_pass != batch_pass) {
		sp->pre_pass = batch_pass;
		sp->pre_lo = sp->pre_hi = (unsigned)pre_set.n;
	}
	if (sp->pre_hi != pre_set.n)
		return; /* (each process's pieces are consecutive) */
	if (set_add(&pre_set, p, off, len))
		sp->pre_hi = (unsigned)pre_set.n;
}

ssize_t vd_seg_pread(struct vd_proc *p, void *buf, size_t len, uint64_t off)
{
	const struct vd_sproc *sp = p->sp;
	if (sp && sp->pre_pass == batch_pass)
		for (unsigned k = sp->pre_lo; k < sp->pre_hi; k++) {
			const struct batch_req *r = &pre_set.req[k];
			if (r->off == off && r->want == len && r->ok) {
				memcpy(buf, pre_set.buf + r->at, len);
				return (ssize_t)len;
			}
		}
	return pread(p->fd, buf, len, (off_t)off);
}

/* Read the queued pre-reads; a piece that did not arrive is left to pread (its consumer's). */
static void sample_pre_flush(void)
{
	size_t k = 0;
	while (k < pre_set.n && !batch_off) {
		size_t end = k + UIO_MAXIOV < pre_set.n ? k + UIO_MAXIOV : pre_set.n;
		size_t done = batch_read(&pre_set, k, end);
		for (size_t j = k; j < k + done; j++)
			pre_set.req[j].ok = true;
		batch_nbatched += done;
		k += done;
		if (k < end)
			k++; /* short: not ok */
	}
}

void sample_pre_pass(double now, bool ext)
{
	batch_pass++;
	pre_set.n = 0;
	pre_set.len = 0;
	if (batch_off)
		return;
	for (int k = 0; k < SAMPLE_HASH; k++)
		for (struct vd_proc *p = sample_hash[k]; p; p = p->hnext)
			if (p->sp && p->sp->map && !p->rejected && p->fd >= 0 && p->state == VD_P_RUNNING)
				sample_pre_want(p, now, ext);
	sample_pre_flush();
}

/* ---- the op reads ------------------------------------------------------------ */

/*
 * Read the queued requests and keep their deltas for the fold (no lock).
 * A process whose read failed is passed to `failed` with its reason; each
 * other one to `ready` (which keeps those with something to fold).
 */
void sample_batch_flush(void (*ready)(struct vd_proc *), void (*failed)(struct vd_proc *, int, const char *))
{
	struct batch_set *s = &ops_set;
	double now = vd_mono();
	size_t k = 0;
	while (k < s->n) {
		size_t end = k + UIO_MAXIOV < s->n ? k + UIO_MAXIOV : s->n;
		size_t done = batch_off ? 0 : batch_read(s, k, end);
		for (size_t j = k; j < k + done; j++) {
			struct batch_req *r = &s->req[j];
			if (j + 4 < k + done) { /* our copy's line and the pending list, a few requests ahead */
				const struct batch_req *q = &s->req[j + 4];
				const struct vd_raw *c = q->p->shard_copy[q->shard];
				if (c)
					SAMPLE_PREFETCH(c + q->lo);
				SAMPLE_PREFETCH(q->p->sp->pend + q->p->sp->npend);
			}
			if (!r->p->sp->batch_fail)
				sample_ops_delta(r->p, r->shard, s->buf + r->at, r->lo, r->hi, true, r->hist);
		}
		batch_nbatched += done;
		k += done;
		if (k < end) { /* the piece that did not arrive: pread decides (truncated, or a race) */
			struct batch_req *r = &s->req[k++];
			if (!r->p->sp->batch_fail) {
				r->p->sp->batch_fail = sample_pread_ops(r->p, r->shard, r->lo, r->hi, r->hist);
				batch_nfallback++;
			}
		}
	}
	for (size_t j = 0; j < s->n; j++) {
		struct vd_proc *p = s->req[j].p;
		struct vd_sproc *sp = p->sp;
		if (!sp || !sp->batched)
			continue; /* already handed on (a failed one's sp is freed) */
		sp->batched = false;
		int fail = sp->batch_fail;
		sp->batch_fail = 0;
		if (fail)
			failed(p, fail, NULL);
		else {
			if (sp->npend)
				p->last_change = now;
			ready(p); /* when it has anything to fold */
		}
	}
	s->n = 0;
	s->len = 0;
}
