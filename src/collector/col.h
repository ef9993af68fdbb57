/*
 * col.h - internals of libvigil.so shared by its files (all hidden).
 *
 * core.c   init, the segment (create, re-attach after exec, fork), clock,
 *          shards, end record, the exported API (vigil_collector.h)
 * files.c  the private fd table and the segment's file records
 * posix.c  POSIX wrappers          stdio.c  stdio wrappers
 * opencl.c the OpenCL loader layer  opencl_dev.c its tables and device timing
 *
 * The hot path of a wrapper is: col_on() (two loads), col_now(), the real
 * call, col_now(), col_io() (inlined: plain adds into the thread's shard and
 * the file record; it never changes errno).  Everything else (paths, system
 * calls, record creation) happens at open time or once per fd, out of line.
 * Data and metadata wrappers are split (COL_FAST_TIMED): the exported one
 * takes only the usual case, the rest is a cold twin with COL_TIMED.
 */
#ifndef VIGIL_COL_H
#define VIGIL_COL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif
#include "vigil/segment.h"
#include "collector/vigil_collector.h"

#define COL_HIDDEN __attribute__((visibility("hidden")))
#define COL_LIKELY(x) __builtin_expect(!!(x), 1)
#define COL_UNLIKELY(x) __builtin_expect(!!(x), 0)

#define COL_FDS 65536          /* fd table entries; larger fds count under "<other>" */
#define COL_GEN_NONE UINT32_MAX /* an fd generation no entry ever has (closed entries have 0) */

/* col_file_owner[] values besides a thread's slot (1 .. VIGIL_SHARDS-1); files.c, "Owners" */
#define COL_OWNER_FREE   0u          /* no thread counted on the record yet */
#define COL_OWNER_SHARED 0xfffffffeu /* every thread adds atomically */
#define COL_OWNER_MOVING 0xfffffffdu /* being handed over to SHARED: wait */
#define COL_SLOT_NONE    0xffffffffu /* col_tls.slot of a thread without an own shard */

/* col_io() offsets */
#define COL_OFF_POS  (-1)      /* use and advance the fd's tracked position */
#define COL_OFF_NONE (-2)      /* not a positioned operation */

struct col_tls {
	union {
		struct {
			uint32_t busy;     /* inside collector code: a call now is a signal handler's */
			uint32_t paused;   /* vigil_pause() depth */
		};
		uint64_t quiet;        /* busy | paused, tested with one load */
	};
	struct vigil_shard *own;   /* this thread's own shard (plain adds), NULL: slow path */
	struct vigil_tl_bin *tl_row; /* own shard: timeline[bin] of the bin that holds now */
	uint64_t tl_end;           /* first tick after that bin (0: locate again) */
	struct vigil_shard *shard; /* this thread's shard (own or the shared one), NULL until claimed */
	int shared;                /* shard is the shared one: atomic adds */
	uint32_t slot;             /* own shard's index + 1 (owner id of file records), else
	                              COL_SLOT_NONE (the TLS image starts with it) */
	uint64_t *mark;            /* &col_marks[slot]; without an own shard &spare_mark (never
	                              waited on: a private line, not one all such threads bounce) */
	uint64_t spare_mark;
	const void *stream;        /* the FILE of the stdio call being counted (files.c) */
};
extern __thread struct col_tls col_tls __attribute__((tls_model("initial-exec"))) COL_HIDDEN;

struct col_state {
	int enabled;               /* a segment is mapped and counting is on */
	int frozen;                /* vigil_freeze(): enabled is 0 until vigil_thaw(), the segment stays */
	int tsc;                   /* ticks are rdtsc (invariant TSC), else CLOCK_MONOTONIC ns */
	uint32_t fd_gen;           /* fd table entries of another generation are unknown */
	int multi;                 /* a second thread claimed a shard */
	int membar;                /* membarrier(PRIVATE_EXPEDITED): 1 registered (exact record hand-over),
	                              -1 refused, 0 not tried yet (files_hand_over) */
	int init_state;            /* 0 not started, 1 running, 2 done */
	int debug;                 /* VIGIL_DEBUG=1 */
	struct vigil_seg_header *hdr;
	struct vigil_seg_identity *ident;
	struct vigil_file *files;
	unsigned char *shards;
	struct vigil_accel *accel; /* the accelerator region once allocated (col_accel_get) */
	uint32_t files_committed;  /* bit k: file records of chunk k are allocated (col_files_commit) */
	uint64_t early;            /* calls passed through before the segment existed */
};
extern struct col_state col COL_HIDDEN;

/* Per-fd private state (positions per file layer: posix, stdio); one cache line. */
struct col_fd {
	uint32_t gen;              /* entry valid when gen == col.fd_gen */
	int32_t file;              /* record index, -1 none */
	struct vigil_file *f;      /* &col.files[file], NULL when file < 0 */
	int64_t pos[2];            /* current offset, -1 unknown */
	int64_t rd_end[2];         /* end of the previous read */
	int64_t wr_end[2];         /* end of the previous write */
} __attribute__((aligned(64)));
extern struct col_fd col_fds[COL_FDS] COL_HIDDEN;

static inline uint64_t col_now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__) || defined(__i386__)
#define COL_TSC_OK COL_LIKELY(col.tsc)
#define COL_RDTSC() __rdtsc()
#else
#define COL_TSC_OK 0
#define COL_RDTSC() 0
#endif

static inline uint64_t col_now(void)
{
	if (COL_TSC_OK)
		return COL_RDTSC();
	return col_now_mono();
}

COL_HIDDEN int col_on_slow(void);

/* Should this call be counted?  Triggers lazy init on the first call. */
static inline int col_on(void)
{
	if (COL_LIKELY(col.enabled) && COL_LIKELY(col_tls.quiet == 0))
		return 1;
	return col_on_slow();
}

/* core.c */
COL_HIDDEN void col_init(void);
COL_HIDDEN void *col_resolve(const char *name);
COL_HIDDEN void col_set_flag(uint32_t flag);
COL_HIDDEN void col_end_record(int status);
COL_HIDDEN void col_debug(const char *msg, const char *arg);
COL_HIDDEN long col_sys(long nr, long a, long b, long c, long d);
COL_HIDDEN void col_uid_check(void);
COL_HIDDEN void col_exec_begin(const char *target, uint32_t flag);
COL_HIDDEN void col_exec_failed(void);
COL_HIDDEN struct vigil_accel *col_accel_get(void);
/* File records are allocated in the segment file COL_FILES_CHUNK at a time (core.c). */
#define COL_FILES_CHUNK 32u
COL_HIDDEN int col_files_commit(uint32_t i);

/* opencl.c: sets OPENCL_LAYERS where libOpenCL is mapped (called at the end of col_init) */
COL_HIDDEN void col_ocl_init(void);

/* stdio.c */
COL_HIDDEN void col_stdio_exit(void);
COL_HIDDEN int64_t col_stdio_buffered(const void *stream);

/* reclaim.c */
COL_HIDDEN void col_reclaim(int dfd, int32_t self_pid);

/* files_reuse.c: reusing the records of light, unheld files once the table is full */
COL_HIDDEN void col_files_reuse_reset(void);
COL_HIDDEN void col_files_reuse_attached(void);
COL_HIDDEN void col_fd_bound(int fd);
COL_HIDDEN int col_file_pin(int i, uint64_t gen);
COL_HIDDEN void col_file_unpin(int i);
COL_HIDDEN int col_file_reclaim_begin(void);
COL_HIDDEN void col_file_reclaim_end(int i);

/* files.c */
COL_HIDDEN void col_files_reset(void);
COL_HIDDEN int col_file_register(int dirfd, const char *path);
COL_HIDDEN int col_file_pseudo(uint32_t kind);
COL_HIDDEN void col_file_update(int file, int flayer, int op, uint64_t bytes, int failed,
                                int64_t off, int64_t *rd_end, int64_t *wr_end,
                                uint64_t t0, uint64_t t1);
COL_HIDDEN struct col_fd *col_fd_get(int fd);
/* Owner of each file record (COL_OWNER_*, or the slot of the one thread that adds to it with
 * plain stores), indexed by record + 1 (entry 0, record -1, is always FREE: never a slot). */
extern uint32_t col_file_owner[VIGIL_FILES + 1] COL_HIDDEN;
/* Per slot: odd while its thread updates a record it owns with plain stores. */
struct col_mark {
	uint64_t seq;
} __attribute__((aligned(64)));
extern struct col_mark col_marks[VIGIL_SHARDS] COL_HIDDEN;
COL_HIDDEN void col_file_share(int file);
/* st_blksize - 1 of each file record's file when a power of two (the open-time fstat), else 0. */
extern uint64_t col_file_blkmask[VIGIL_FILES] COL_HIDDEN;
COL_HIDDEN void col_fd_opened(int fd, int dirfd, const char *path, int append);
COL_HIDDEN void col_fd_closed(int fd);
COL_HIDDEN void col_fd_closing(int fd);
COL_HIDDEN void col_fd_closed_as(int fd, int file);
COL_HIDDEN void col_fd_closed_range(unsigned first, unsigned last);
COL_HIDDEN void col_fd_forget_all(void);
extern int col_vforked COL_HIDDEN;        /* the process called vfork (its child may share our memory) */
extern void *col_real_vfork COL_HIDDEN;   /* libc's vfork, for the trampoline (posix.c) */
COL_HIDDEN void col_fd_dup(int oldfd, int newfd);
COL_HIDDEN void col_fd_seek(int fd, int flayer, int64_t pos);
COL_HIDDEN void col_io_copy(int op, int fd_in, int64_t off_in, int fd_out, int64_t off_out,
                            uint64_t req, uint64_t bytes, int failed, uint64_t t0, uint64_t t1);
/* col_fd_opened with errno kept and counting off meanwhile (col_open_done) */
COL_HIDDEN void col_fd_opened_quiet(int fd, int dirfd, const char *path, int append);

/* ---- the inline counting path -------------------------------------------
 *
 * col_io() is inlined into every wrapper with a constant op and file layer, so
 * the op's layer, class and direction fold at compile time (col_op_bits).
 * Fast case: the thread owns its shard (plain adds, no lock prefix), the
 * timeline bin of `now` is cached in TLS, the fd entry is of the current
 * generation and points straight at its file record, and that record is
 * owned by this thread (whether or not other threads exist: files.c).  Anything else goes out of line.
 * The counting path never changes errno (the out-of-line parts that make
 * system calls save and restore it), so data wrappers need not save it.
 */
COL_HIDDEN void col_count_slow(int op, uint64_t req, uint64_t bytes, int failed, uint64_t t0, uint64_t t1);
COL_HIDDEN struct vigil_tl_bin *col_tl_locate(struct vigil_shard *s, uint64_t t0);
/* col_file_slow with the descriptor's entry already in hand (close: a copy taken before it).
 * Both end the count: they undo col_io's busy++ before they return. */
COL_HIDDEN void col_file_slow_entry(struct col_fd *e, int op, int flayer, uint64_t bytes, int failed, int64_t off,
                                    uint64_t t0, uint64_t t1);
COL_HIDDEN void col_file_slow(int op, int fd, int flayer, uint64_t bytes, int failed, int64_t off,
                              uint64_t t0, uint64_t t1);
/* A failed call (after it was counted): EAGAIN/EWOULDBLOCK of an I/O data call goes to the shard's totals. */
COL_HIDDEN void col_failed(int op);

#define COL_INLINE static inline __attribute__((always_inline))
#define COL_BITS(layer, cls, dir) ((unsigned)(layer) | (unsigned)(cls) << 4 | (unsigned)(dir) << 8)

/* layer | class << 4 | dir << 8 of an op: a constant when op is one */
COL_INLINE unsigned col_op_bits(int op)
{
	if (!__builtin_constant_p(op)) {
		const struct vigil_op_info *oi = &vigil_op_table[op];
		return COL_BITS(oi->layer, oi->cls, oi->dir);
	}
	switch (op) {
#define COL_X_BITS(id, layer, name, cls, dir, help) \
	case VIGIL_OP_##id: return COL_BITS(VIGIL_LAYER_##layer, VIGIL_CLASS_##cls, VIGIL_DIR_##dir);
	VIGIL_OPS(COL_X_BITS)
#undef COL_X_BITS
	}
	return 0;
}

/* vigil_hist_bucket without branches: 0 -> 0, else 1 + floor(log2 n), at most 31.
 * With m = min(n, 2^30): bsr(2m + 1) is 0 for 0, 1 + floor(log2 m) else, and 31 for 2^30
 * (63 ^ clz is bsr; 2m + 1 < 2^32 never overflows) */
COL_INLINE uint64_t col_hist_bucket(uint64_t n)
{
	const uint64_t cap = 1ull << (VIGIL_HIST_BUCKETS - 2);
	uint64_t m = n < cap ? n : cap;
#if defined(__x86_64__)
	uint64_t b; /* bsr itself: a 64-bit index, no zero-extension of clz's int */
	__asm__("bsr %1, %0" : "=r"(b) : "r"(2 * m + 1) : "cc");
	return b;
#else
	return 63u ^ (unsigned)__builtin_clzll(2 * m + 1);
#endif
}

/* Per-op counters and timeline of the thread's own shard (plain adds); row: timeline[bin of t0]. */
COL_INLINE void col_count_row(struct vigil_shard *s, struct vigil_tl_bin *row, int op, uint64_t req,
                              uint64_t bytes, int failed, uint64_t dt)
{
	unsigned bits = col_op_bits(op);
	struct vigil_op_counters *c = &s->ops[op];
	/* op map: set once per op and shard (readers then copy only the ops used) */
	uint64_t *map = &s->reserved[(unsigned)op >> 6], bit = 1ull << ((unsigned)op & 63);
	if (COL_UNLIKELY(!(*map & bit)))
		*map |= bit;
	c->calls++;
	c->errors += failed != 0;
	c->bytes += bytes;
	c->ticks += dt;
	c->hist[col_hist_bucket(req)]++;
	struct vigil_tl_bin *tb = &row[bits & 15];
	tb->ops++;
	if ((bits >> 8) == VIGIL_DIR_READ)
		tb->bytes_read += bytes;
	else if ((bits >> 8) == VIGIL_DIR_WRITE)
		tb->bytes_written += bytes;
	tb->ticks += dt;
	/* release: the counters above are stored before `changes` moves (x86 stores are
	   ordered; the fence keeps the compiler from sinking them below) */
	__atomic_signal_fence(__ATOMIC_RELEASE);
	s->changes++;
}

/* col_count_row with the row of t0 (cached in TLS, located again when time left it). */
COL_INLINE void col_count_own(struct vigil_shard *s, int op, uint64_t req, uint64_t bytes, int failed,
                              uint64_t t0, uint64_t dt)
{
	struct vigil_tl_bin *row = col_tls.tl_row;
	if (COL_UNLIKELY(t0 >= col_tls.tl_end))
		row = col_tl_locate(s, t0);
	col_count_row(s, row, op, req, bytes, failed, dt);
}

/* A shard's version 2 totals (segment.h): right after this build's op counters. */
COL_INLINE struct vigil_shard_ext *col_shard_ext(struct vigil_shard *s)
{
	return (struct vigil_shard_ext *)((unsigned char *)s + vigil_shard_ext_offset(VIGIL_NOPS));
}

/* Add to a counter: plain (the record's owner, or the thread's own shard) or atomic. */
#define COL_ADD(atomic, var, v) do { \
	if (atomic) __atomic_fetch_add(&(var), (v), __ATOMIC_RELAXED); \
	else (var) += (v); \
} while (0)

/*
 * One fd's side of a call on its file record: plain adds when this thread owns
 * the record, atomic ones (`atomic`, a constant in each copy) when it is shared.
 */
COL_INLINE void col_file_add(struct col_fd *e, int cls, int dir, int flayer, uint64_t bytes, int failed,
                             int64_t off, uint64_t t0, uint64_t t1, uint64_t dt, const int atomic,
                             struct vigil_shard *own)
{
	struct vigil_file *f = e->f; /* not NULL: col_file_owner[0] (no record) is always FREE */
	struct vigil_file_counters *c = &f->layer[flayer];
	COL_ADD(atomic, c->ticks, dt);
	if (cls == VIGIL_CLASS_META)
		COL_ADD(atomic, c->meta_ops, 1);
	if (cls == VIGIL_CLASS_DATA && dir != VIGIL_DIR_NONE) {
		int rd = dir == VIGIL_DIR_READ;
		if (rd) {
			COL_ADD(atomic, c->reads, 1);
			COL_ADD(atomic, c->bytes_read, bytes);
		} else {
			COL_ADD(atomic, c->writes, 1);
			COL_ADD(atomic, c->bytes_written, bytes);
		}
		int64_t at = off == COL_OFF_POS ? e->pos[flayer] : off;
		if (at >= 0 && !failed) {
			if (off == COL_OFF_POS)
				e->pos[flayer] = at + (int64_t)bytes;
			int64_t *last = rd ? &e->rd_end[flayer] : &e->wr_end[flayer];
			int64_t l = *last;
			/* branches, not flags added: each case adds only what it counts */
			int nonseq = 0;
			if (l >= 0) {
				if (at == l) {
					COL_ADD(atomic, *(rd ? &c->consec_reads : &c->consec_writes), 1);
					COL_ADD(atomic, *(rd ? &c->seq_reads : &c->seq_writes), 1);
				} else if (at > l) {
					COL_ADD(atomic, *(rd ? &c->seq_reads : &c->seq_writes), 1);
				} else {
					nonseq = 1;
				}
			}
			uint64_t end = (uint64_t)at + bytes;
			*last = (int64_t)end;
			if (!atomic) {
				if (end > c->max_offset)
					c->max_offset = end;
			} else {
				uint64_t m = __atomic_load_n(&c->max_offset, __ATOMIC_RELAXED);
				while (end > m && !__atomic_compare_exchange_n(&c->max_offset, &m, end, 1,
				                                               __ATOMIC_RELAXED, __ATOMIC_RELAXED))
					;
			}
			/* st_blksize is a power of two: a mask, no division. A request that continues
			   the previous one is not misaligned: readahead and write-behind stream it */
			int mis = at != l && ((uint64_t)at & col_file_blkmask[e->file]) != 0;
			if (mis)
				COL_ADD(atomic, f->ext[flayer].misaligned, 1);
			/* the shard's totals: the thread's own one (own: col_tls.own, already loaded by
			   the caller; plain adds, whether or not the record is shared), else the shared
			   one (atomic adds) when a record is */
			struct vigil_shard *s = own;
			int sh = 0;
			if (atomic && s == NULL) {
				s = col_tls.shard;
				sh = col_tls.shared;
			}
			if (COL_LIKELY(s != NULL)) {
				struct vigil_shard_ext *x = col_shard_ext(s);
				COL_ADD(sh, *(rd ? &x->positioned_reads : &x->positioned_writes), 1);
				if (nonseq)
					COL_ADD(sh, *(rd ? &x->nonseq_reads : &x->nonseq_writes), 1);
				if (mis)
					COL_ADD(sh, x->misaligned, 1);
			}
		} else if (!failed) {
			/* no known offset (O_APPEND, "a" streams, pipes): never sequential, never random */
			COL_ADD(atomic, *(rd ? &f->ext[flayer].unpositioned_reads : &f->ext[flayer].unpositioned_writes), 1);
		}
	}
	/* first_ticks: a record's first update is out of line (files_update: a FREE record is
	   taken there), or its reuse for a new file set it (files.c, files_new) */
	__atomic_store_n(&f->last_ticks, t1, __ATOMIC_RELAXED);
}

/*
 * Count one call: op (a constant in wrappers), its fd (-1: no file), file
 * layer, requested size, bytes transferred, failed, offset (COL_OFF_POS: the
 * fd's position, advanced; COL_OFF_NONE) and the two clock reads.
 */
COL_INLINE void col_io_at(int op, int fd, struct col_fd *e, int flayer, uint64_t req, uint64_t bytes, int failed,
                          int64_t off, uint64_t t0, uint64_t t1);

COL_INLINE void col_io(int op, int fd, int flayer, uint64_t req, uint64_t bytes, int failed, int64_t off,
                       uint64_t t0, uint64_t t1)
{
	struct col_fd *e = COL_LIKELY((unsigned)fd < COL_FDS) && COL_LIKELY(col_fds[fd].gen == col.fd_gen)
	                 ? &col_fds[fd] : NULL;
	col_io_at(op, fd, e, flayer, req, bytes, failed, off, t0, t1);
}

/*
 * The whole count, any case (col_io_at's cold side, files.c): no own shard,
 * a failed call, a timeline row to locate.  The op need not be a constant.
 */
COL_HIDDEN void col_io_cold(int op, int fd, struct col_fd *e, int flayer, uint64_t req, uint64_t bytes,
                            int failed, int64_t off, uint64_t t0, uint64_t t1);

/*
 * The count of col_io_cold: col_file_slow_entry/col_file_slow end with busy-- (the
 * caller returns right after: no value of its own is kept across them).
 */
COL_INLINE void col_io_full(int op, int fd, struct col_fd *e, int flayer, uint64_t req, uint64_t bytes, int failed,
                            int64_t off, uint64_t t0, uint64_t t1)
{
	col_tls.busy++;
	if (failed)
		bytes = 0;
	uint64_t dt = t1 > t0 ? t1 - t0 : 0;
	struct vigil_shard *s = col_tls.own;
	if (COL_LIKELY(s != NULL)) {
		col_count_own(s, op, req, bytes, failed, t0, dt);
	} else {
		col_count_slow(op, req, bytes, failed, t0, t1);
		s = col_tls.own; /* it may have claimed one */
	}
	if (COL_UNLIKELY(failed))
		col_failed(op);
	unsigned bits = col_op_bits(op);
	if (COL_LIKELY(e != NULL)) {
		/* mark the thread's slot odd, then: is the record this thread's? (files.c, "Owners") */
		uint64_t *mark = col_tls.mark;
		(*mark)++;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		uint32_t o = __atomic_load_n(&(col_file_owner + 1)[e->file], __ATOMIC_RELAXED); /* one indexed load */
		if (COL_LIKELY(o == col_tls.slot)) {
			col_file_add(e, (bits >> 4) & 15, bits >> 8, flayer, bytes, failed, off, t0, t1, dt, 0, s);
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			(*mark)++;
		} else {
			(*mark)++;
			if (o != COL_OWNER_SHARED) {
				col_file_slow_entry(e, op, flayer, bytes, failed, off, t0, t1);
				return;
			}
			col_file_add(e, (bits >> 4) & 15, bits >> 8, flayer, bytes, failed, off, t0, t1, dt, 1, s);
		}
	} else if (fd >= 0) {
		col_file_slow(op, fd, flayer, bytes, failed, off, t0, t1);
		return;
	}
	col_tls.busy--;
}

/*
 * col_io with the descriptor's entry given: NULL when it is not known
 * (classified out of line).  Its usual case (own shard, a call that did not
 * fail, the cached timeline row) makes no call, and every other case ends in
 * one that finishes the count: nothing of the wrapper's is kept in a register
 * across them (fewer registers saved around the real call).
 */
COL_INLINE void col_io_at(int op, int fd, struct col_fd *e, int flayer, uint64_t req, uint64_t bytes, int failed,
                          int64_t off, uint64_t t0, uint64_t t1)
{
	/* busy first (and the compiler keeps the reads below after it): a signal handler's
	   count cannot move the cached timeline row between its check and its use */
	col_tls.busy++;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	struct vigil_shard *s = col_tls.own;
	if (COL_UNLIKELY(s == NULL) || COL_UNLIKELY(failed) || COL_UNLIKELY(t0 >= col_tls.tl_end) ||
	    COL_UNLIKELY(t1 < t0)) {
		col_tls.busy--;
		col_io_cold(op, fd, e, flayer, req, bytes, failed, off, t0, t1);
		return;
	}
	/* col_io_full with those known: a constant op folds, no error, no call but the finishing ones */
	uint64_t dt = t1 - t0;
	col_count_row(s, col_tls.tl_row, op, req, bytes, 0, dt);
	unsigned bits = col_op_bits(op);
	if (COL_LIKELY(e != NULL)) {
		uint64_t *mark = col_tls.mark;
		(*mark)++;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		uint32_t o = __atomic_load_n(&(col_file_owner + 1)[e->file], __ATOMIC_RELAXED);
		if (COL_LIKELY(o == col_tls.slot)) {
			col_file_add(e, (bits >> 4) & 15, bits >> 8, flayer, bytes, 0, off, t0, t1, dt, 0, s);
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			(*mark)++;
		} else {
			(*mark)++;
			if (o != COL_OWNER_SHARED) {
				col_file_slow_entry(e, op, flayer, bytes, 0, off, t0, t1);
				return;
			}
			col_file_add(e, (bits >> 4) & 15, bits >> 8, flayer, bytes, 0, off, t0, t1, dt, 1, s);
		}
	} else if (fd >= 0) {
		col_file_slow(op, fd, flayer, bytes, 0, off, t0, t1);
		return;
	}
	col_tls.busy--;
}

/* An open's count: the new descriptor's entry (out of line), then col_io with the op a constant. */
COL_INLINE void col_open_done(int op, int flayer, int fd, int dirfd, const char *path, int append,
                              int failed, uint64_t t0, uint64_t t1)
{
	if (!failed && fd >= 0)
		col_fd_opened_quiet(fd, dirfd, path, append);
	col_io(op, failed ? -1 : fd, flayer, 0, 0, failed, COL_OFF_NONE, t0, t1);
}

/* Declare a real-function pointer and fetch it (resolved lazily if called before init). */
#define COL_DECL(ret, name, args) static ret (*real_##name) args
#define COL_REAL(name) (*({ \
	if (COL_UNLIKELY(real_##name == NULL)) \
		real_##name = (__typeof__(real_##name))col_resolve(#name); \
	real_##name; }))
/* The real function as a local pointer (one load, one check), for the counted path. */
#define COL_FN(name) ({ \
	__typeof__(real_##name) fn_ = real_##name; \
	if (COL_UNLIKELY(fn_ == NULL)) \
		fn_ = real_##name = (__typeof__(real_##name))col_resolve(#name); \
	fn_; })

/*
 * The counted path every data wrapper shares: the plain call when not counting,
 * else `rtype r` = the real call between the two clock reads t0 and t1.  The
 * wrapper then counts with col_io() (which never changes errno) and returns r.
 */
#define COL_TIMED(name, rtype, ...) \
	if (!col_on()) \
		return COL_REAL(name)(__VA_ARGS__); \
	__typeof__(real_##name) fn = COL_FN(name); \
	uint64_t t0, t1; \
	rtype r; \
	if (COL_TSC_OK) { /* one test of the clock for both reads */ \
		t0 = COL_RDTSC(); \
		r = fn(__VA_ARGS__); \
		t1 = COL_RDTSC(); \
	} else { \
		t0 = col_now_mono(); \
		r = fn(__VA_ARGS__); \
		t1 = col_now_mono(); \
	}

/*
 * COL_TIMED for a wrapper split in two: the usual case only (counting on, the
 * real function resolved, the TSC), else the whole wrapper again as
 * name##_cold (COL_TIMED), a tail call.  Nothing of the slow cases runs before
 * the real call, so only what the count needs after it is kept in registers
 * across it (fewer saved, no arguments moved around).
 */
#define COL_FAST_TIMED(name, rtype, ...) \
	__typeof__(real_##name) fn = real_##name; \
	if (COL_UNLIKELY(!col.enabled) || COL_UNLIKELY(col_tls.quiet != 0) || COL_UNLIKELY(fn == NULL) || \
	    !COL_TSC_OK) \
		return name##_cold(__VA_ARGS__); \
	uint64_t t0 = COL_RDTSC(); \
	rtype r = fn(__VA_ARGS__); \
	uint64_t t1 = COL_RDTSC()

#endif
