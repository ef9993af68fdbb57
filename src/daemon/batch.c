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
 * an old kernel) every read falls back to pread.  The once-a-second fstat
 * re-check and header read stay as they were (read.c).
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
#define BATCH_MAX_BYTES (1u << 20) /* beyond, a read goes by pread at once */
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
#define BATCH_MAX_PAGES 4

struct batch_req {
	struct vd_proc *p;
	uint32_t shard, lo, hi;
	bool hist;
	size_t at, want;  /* in batch_buf */
	uint64_t off;     /* in the file */
};

static struct batch_req *batch;
static size_t batch_n, batch_cap;
static unsigned char *batch_buf;
static size_t batch_len, batch_buf_cap;
static bool batch_off;             /* process_vm_readv refused here: pread only */
static unsigned batch_maps;        /* segments mapped now */

void sample_mmap(struct vd_proc *p)
{
	struct vd_sproc *sp = p->sp;
	if (batch_off || !sp || sp->map || p->fd < 0 || !p->n_shards || batch_maps >= BATCH_MAX_MAPS)
		return;
	uint64_t lo = p->shards_offset & ~(uint64_t)4095;
	uint64_t hi = p->shards_offset + (uint64_t)p->n_shards * p->shard_size; /* <= p->len (vigil_seg_parse) */
	void *m = mmap(NULL, hi - lo, PROT_READ, MAP_SHARED, p->fd, (off_t)lo);
	if (m == MAP_FAILED)
		return; /* read by pread */
	sp->map = (uintptr_t)m;
	sp->map_off = lo;
	sp->map_len = hi - lo;
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

bool sample_batch_add(struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist)
{
	struct vd_sproc *sp = p->sp;
	if (!sp->map || batch_off)
		return false;
	struct batch_req r = { .p = p, .shard = i, .lo = lo, .hi = hi, .hist = hist, .at = batch_len };
	sample_ops_span(p, i, lo, hi, hist, &r.off, &r.want);
	unsigned pages = (unsigned)((r.off + r.want - 1) / 4096 - r.off / 4096 + 1);
	if (r.off < sp->map_off || r.off + r.want > sp->map_off + sp->map_len ||
	    batch_len + r.want > BATCH_MAX_BYTES || sp->batch_pages + pages > BATCH_MAX_PAGES)
		return false;
	if (batch_n == batch_cap) {
		size_t ncap = batch_cap ? 2 * batch_cap : 1024;
		struct batch_req *nb = realloc(batch, ncap * sizeof *nb);
		if (!nb)
			return false;
		batch = nb;
		batch_cap = ncap;
	}
	if (batch_len + r.want > batch_buf_cap) {
		size_t ncap = batch_buf_cap ? 2 * batch_buf_cap : 65536;
		while (ncap < batch_len + r.want)
			ncap *= 2;
		unsigned char *nb = realloc(batch_buf, ncap);
		if (!nb)
			return false;
		batch_buf = nb;
		batch_buf_cap = ncap;
	}
	batch[batch_n++] = r;
	batch_len += r.want;
	sp->batch_pages += pages;
	sp->batched = true;
	return true;
}

/*
 * Read requests [k, end) with one process_vm_readv; returns how many arrived
 * in full (those before the first short piece).
 */
static size_t batch_read(size_t k, size_t end)
{
	static struct iovec remote[UIO_MAXIOV];
	size_t n = end - k, total = 0;
	for (size_t j = 0; j < n; j++) {
		const struct batch_req *r = &batch[k + j];
		remote[j].iov_base = (void *)(r->p->sp->map + (uintptr_t)(r->off - r->p->sp->map_off));
		remote[j].iov_len = r->want;
		total += r->want;
	}
	struct iovec local = { batch_buf + batch[k].at, total };
	ssize_t got = process_vm_readv(getpid(), &local, 1, remote, (unsigned long)n, 0);
	if (got < 0 && errno != EFAULT) {
		vd_log(VD_LOG_WARN, "sample", "process_vm_readv refused (%s): segments are read with pread",
		       strerror(errno));
		batch_off = true;
	}
	size_t done = 0;
	for (size_t sum = 0; got > 0 && done < n && sum + batch[k + done].want <= (size_t)got; done++)
		sum += batch[k + done].want;
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

/*
 * Read the queued requests and keep their deltas for the fold (no lock).
 * A process whose read failed is passed to `failed` with its reason; each
 * other one to `ready` (which keeps those with something to fold).
 */
void sample_batch_flush(void (*ready)(struct vd_proc *), void (*failed)(struct vd_proc *, int, const char *))
{
	double now = vd_mono();
	size_t k = 0;
	while (k < batch_n) {
		size_t end = k + UIO_MAXIOV < batch_n ? k + UIO_MAXIOV : batch_n;
		size_t done = batch_off ? 0 : batch_read(k, end);
		for (size_t j = k; j < k + done; j++) {
			struct batch_req *r = &batch[j];
			if (j + 4 < k + done) { /* our copy's line and the pending list, a few requests ahead */
				const struct batch_req *q = &batch[j + 4];
				const struct vd_raw *c = q->p->shard_copy[q->shard];
				if (c)
					SAMPLE_PREFETCH(c + q->lo);
				SAMPLE_PREFETCH(q->p->sp->pend + q->p->sp->npend);
			}
			if (!r->p->sp->batch_fail)
				sample_ops_delta(r->p, r->shard, batch_buf + r->at, r->lo, r->hi, true, r->hist);
		}
		batch_nbatched += done;
		k += done;
		if (k < end) { /* the piece that did not arrive: pread decides (truncated, or a race) */
			struct batch_req *r = &batch[k++];
			if (!r->p->sp->batch_fail) {
				r->p->sp->batch_fail = sample_pread_ops(r->p, r->shard, r->lo, r->hi, r->hist);
				batch_nfallback++;
			}
		}
	}
	for (size_t j = 0; j < batch_n; j++) {
		struct vd_proc *p = batch[j].p;
		struct vd_sproc *sp = p->sp;
		if (!sp || !sp->batched)
			continue; /* already handed on (a failed one's sp is freed) */
		sp->batched = false;
		sp->batch_pages = 0;
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
	batch_n = 0;
	batch_len = 0;
}
