/*
 * col.h - internals of libvigil.so shared by its files (all hidden).
 *
 * core.c   init, the segment (create, re-attach after exec, fork), clock,
 *          shards, end record, the exported API (vigil_collector.h)
 * files.c  the private fd table and the segment's file records
 * posix.c  POSIX wrappers          stdio.c  stdio wrappers
 *
 * The hot path of a wrapper is: col_on() (two loads), col_now(), the real
 * call, errno saved, col_now(), col_io() (plain stores into the thread's
 * shard and the file record), errno restored.  Everything else (paths,
 * system calls, record creation) happens at open time or once per fd.
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

/* col_io() offsets */
#define COL_OFF_POS  (-1)      /* use and advance the fd's tracked position */
#define COL_OFF_NONE (-2)      /* not a positioned operation */

struct col_tls {
	struct vigil_shard *shard; /* this thread's shard, NULL until claimed */
	int shared;                /* shard is the shared one: atomic adds */
	int busy;                  /* inside collector code: a call now is a signal handler's */
	int paused;                /* vigil_pause() depth */
};
extern __thread struct col_tls col_tls __attribute__((tls_model("initial-exec"))) COL_HIDDEN;

struct col_state {
	int enabled;               /* a segment is mapped and counting is on */
	int init_state;            /* 0 not started, 1 running, 2 done */
	int tsc;                   /* ticks are rdtsc (invariant TSC), else CLOCK_MONOTONIC ns */
	int multi;                 /* a second thread claimed a shard: atomic per-file updates */
	int debug;                 /* VIGIL_DEBUG=1 */
	uint32_t fd_gen;           /* fd table entries of another generation are unknown */
	struct vigil_seg_header *hdr;
	struct vigil_seg_identity *ident;
	struct vigil_file *files;
	unsigned char *shards;
	uint64_t early;            /* calls passed through before the segment existed */
};
extern struct col_state col COL_HIDDEN;

/* Per-fd private state (positions per file layer: posix, stdio). */
struct col_fd {
	int32_t file;              /* record index, valid when gen == col.fd_gen */
	uint32_t gen;
	int64_t pos[2];            /* current offset, -1 unknown */
	int64_t rd_end[2];         /* end of the previous read */
	int64_t wr_end[2];         /* end of the previous write */
};
extern struct col_fd col_fds[COL_FDS] COL_HIDDEN;

static inline uint64_t col_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
	if (COL_LIKELY(col.tsc))
		return __rdtsc();
#endif
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

COL_HIDDEN int col_on_slow(void);

/* Should this call be counted?  Triggers lazy init on the first call. */
static inline int col_on(void)
{
	if (COL_LIKELY(col.enabled) && COL_LIKELY((col_tls.busy | col_tls.paused) == 0))
		return 1;
	return col_on_slow();
}

/* core.c */
COL_HIDDEN void col_init(void);
COL_HIDDEN void *col_resolve(const char *name);
COL_HIDDEN void col_count_op(int op, uint64_t req, uint64_t bytes, int failed, uint64_t t0, uint64_t t1);
COL_HIDDEN void col_set_flag(uint32_t flag);
COL_HIDDEN void col_end_record(int status);
COL_HIDDEN void col_debug(const char *msg, const char *arg);
COL_HIDDEN long col_sys(long nr, long a, long b, long c, long d);

/* files.c */
COL_HIDDEN void col_files_reset(void);
COL_HIDDEN int col_file_register(int dirfd, const char *path);
COL_HIDDEN int col_file_pseudo(uint32_t kind);
COL_HIDDEN void col_file_update(int file, int flayer, int op, uint64_t bytes, int failed,
                                int64_t off, int64_t *rd_end, int64_t *wr_end,
                                uint64_t t0, uint64_t t1);
COL_HIDDEN struct col_fd *col_fd_get(int fd);
COL_HIDDEN void col_fd_opened(int fd, int dirfd, const char *path, int append);
COL_HIDDEN void col_fd_closed(int fd);
COL_HIDDEN void col_fd_dup(int oldfd, int newfd);
COL_HIDDEN void col_fd_seek(int fd, int flayer, int64_t pos);
COL_HIDDEN void col_io(int op, int fd, int flayer, uint64_t req, uint64_t bytes, int failed,
                       int64_t off, uint64_t t0, uint64_t t1);
COL_HIDDEN void col_io_copy(int op, int fd_in, int64_t off_in, int fd_out, int64_t off_out,
                            uint64_t req, uint64_t bytes, int failed, uint64_t t0, uint64_t t1);
COL_HIDDEN void col_open_done(int op, int flayer, int fd, int dirfd, const char *path, int append,
                              int failed, uint64_t t0, uint64_t t1);

/* Declare a real-function pointer and fetch it (resolved lazily if called before init). */
#define COL_DECL(ret, name, args) static ret (*real_##name) args
#define COL_REAL(name) (*({ \
	if (COL_UNLIKELY(real_##name == NULL)) \
		real_##name = (__typeof__(real_##name))col_resolve(#name); \
	real_##name; }))

#endif
