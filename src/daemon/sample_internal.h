/*
 * sample_internal.h - what the sampler's files share (not for the rest of
 * vigild): the table of tracked segments, sampler-private per-process state,
 * and the helpers one step of a pass calls in another.
 *   discover.c  directories, scanning, sweeping, opening new segments
 *   read.c      full and fast reads of a segment into private memory
 *   batch.c     a pass's op reads in a few process_vm_readv calls
 *   fold.c      deltas into processes and jobs, their lifetime
 *   sample.c    one pass over all of it
 */
#ifndef VIGIL_DAEMON_SAMPLE_INTERNAL_H
#define VIGIL_DAEMON_SAMPLE_INTERNAL_H
#include <stddef.h>
#include <sys/stat.h>
#include "daemon/daemon.h"

#define SAMPLE_HASH 8192

/*
 * Ask for the cache line at `a` ahead of use.  An asm on x86-64: GCC 12's
 * dead-code elimination dropped __builtin_prefetch calls in vd_sample's loop.
 */
#if defined(__x86_64__)
#define SAMPLE_PREFETCH(a) __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)(a)))
#else
#define SAMPLE_PREFETCH(a) __builtin_prefetch(a)
#endif
extern struct vd_proc *sample_hash[SAMPLE_HASH];

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

/*
 * What only the sampler thread touches for a process (never read under
 * vd.lock by others).  One block with its op maps and stale-histogram maps
 * (sample_sproc_new): a pass's reads of a process touch these few lines only.
 */
struct vd_sproc {
	uint64_t (*opmap)[VIGIL_OPMAP_WORDS]; /* n_shards: each shard's op map as last read */
	uint64_t (*hstale)[VIGIL_OPMAP_WORDS]; /* n_shards: ops whose histogram in our copy lags
	                                        * (counted without it this second) */
	uintptr_t map;                        /* the shard area mapped read-only, 0 none: an address
	                                       * for process_vm_readv only, never loaded from (batch.c) */
	uint64_t map_off, map_len;            /* file offset and length of the mapping */
	struct sample_delta *pend;            /* deltas waiting for the fold */
	unsigned npend, pend_cap;
	bool batched;                         /* reads queued in this pass's batch */
	unsigned batch_pages;                 /* pages of the mapping this pass reads (batch.c: bounded) */
	unsigned pages_pass;                  /* the pass batch_pages counts */
	unsigned pre_pass, pre_lo, pre_hi;    /* the pass whose pre-reads [pre_lo, pre_hi) are its (batch.c) */
	int batch_fail;                       /* one of them failed: reason + 1 */
	bool arena;                           /* the block is sample_sproc_arena's (read.c) */
	unsigned char *buf;                   /* a pread's op counters */
	size_t cap;
};

/* discover.c */
void sample_reject(int reason, const struct vd_dir *d, const char *name, const char *why);
void sample_scan_user_root(void);
void sample_scan_dir(int dirix);
void sample_sweep(int dirix);
void sample_lost(struct vd_proc *p, struct vd_dir *d, int reason, const char *why);

/* read.c */
int sample_check_stat(const struct stat *st, const struct vd_dir *d, const struct vd_proc *p, const char **why);
int sample_recheck(struct vd_proc *p, const struct vd_dir *d, const char **why);
int sample_full_read(struct vd_proc *p, const struct vd_dir *d, const char **why);
int sample_fast_read(struct vd_proc *p, const struct vd_dir *d, const char **why, bool *full);
uint64_t sample_proc_start(int32_t pid);
void sample_pre_want(struct vd_proc *p, double now, bool ext);

/* read.c: op reads */
struct vd_sproc *sample_sproc_new(uint32_t n_shards);
void sample_sproc_release(struct vd_sproc *sp); /* the block only (fold.c frees what it points to) */
void sample_ops_span(const struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist, uint64_t *off,
                     size_t *want);
int sample_pread_ops(struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist);
void sample_ops_delta(struct vd_proc *p, uint32_t i, const unsigned char *ops, uint32_t lo, uint32_t hi,
                      bool defer, bool hist);

/* batch.c */
void sample_mmap(struct vd_proc *p);
void sample_munmap(struct vd_sproc *sp);
bool sample_batch_add(struct vd_proc *p, uint32_t i, uint32_t lo, uint32_t hi, bool hist);
void sample_batch_flush(void (*ready)(struct vd_proc *), void (*failed)(struct vd_proc *, int, const char *));
/* Pre-read each mapped live process's small deciding reads of this pass (sample_pre_want). */
void sample_pre_pass(double now, bool ext);
/* Add the pass's batched and fallback read counts to vd's (caller holds vd.lock). */
void sample_batch_counted(void);

/* fold.c */
void sample_apply_part(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old,
                       bool hist);
void sample_apply(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old);
int sample_defer(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old, bool hist);
void sample_fold(struct vd_proc *p);
struct vd_job *sample_job_get(uint32_t uid, const char *user, const char *id,
                              const struct vigil_seg_identity *ident, struct vd_proc *p);
void sample_proc_free(struct vd_proc *p);
void sample_drop_copies(struct vd_proc *p);
void sample_proc_ended(struct vd_proc *p, int state);

#endif
