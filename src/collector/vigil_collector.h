/*
 * vigil_collector.h - what libvigil.so exports to other collectors.
 *
 * The MPI collectors (libvigil-mpi-*.so) are separate preloaded libraries
 * that must count into THIS process's segment.  They find these functions
 * with dlsym(RTLD_DEFAULT, "vigil_...") so that they pass through when
 * libvigil.so is not loaded; the VIGIL_COLLECTOR_FN typedefs below are for
 * that.  Everything else in libvigil.so is hidden (-fvisibility=hidden).
 *
 * Every function is safe to call at any time, from any thread, before or
 * after the collector's constructor, and when the collector passes through
 * (no segment): it then does nothing (or returns -1 / NULL / 0).
 * None of them changes errno.
 */
#ifndef VIGIL_COLLECTOR_H
#define VIGIL_COLLECTOR_H

#include <stdint.h>
#include "vigil/segment.h"

#define VIGIL_EXPORT __attribute__((visibility("default")))

/* Bumped when a function is added (never changed or removed). */
#define VIGIL_COLLECTOR_VERSION 3

/* VIGIL_COLLECTOR_VERSION of the loaded libvigil.so. */
VIGIL_EXPORT int vigil_collector_version(void);

/* The tick clock of the segment (struct vigil_seg_clock): TSC or CLOCK_MONOTONIC ns. */
VIGIL_EXPORT uint64_t vigil_now(void);

/*
 * Count one call of `op` (enum vigil_op) made by the calling thread:
 * req_size = requested size (histogram), bytes = bytes transferred,
 * failed != 0 counts an error, [t0, t1] from vigil_now().
 * Out-of-range ops are ignored.
 */
VIGIL_EXPORT void vigil_count(int op, uint64_t req_size, uint64_t bytes, int failed,
                              uint64_t t0, uint64_t t1);

/*
 * vigil_count() of one op, as a function with the op built in (cheaper per
 * call: the op's counters fold at compile time), or NULL when there is none
 * for `op` (only ops of the MPI layer have one).  Since version 2.
 */
typedef void (*vigil_counter_fn)(uint64_t req_size, uint64_t bytes, int failed, uint64_t t0, uint64_t t1);
VIGIL_EXPORT vigil_counter_fn vigil_counter(int op);
/*
 * vigil_counter() for a call whose result `ret` is 0 on success (MPI): the
 * call failed when ret != 0, and the function returns ret, so that a wrapper
 * can end with `return counter(req, bytes, ret, t0, t1);` (a tail call: no
 * register of its own kept across the count).  NULL as vigil_counter().
 * Since version 3.
 */
typedef int (*vigil_counter_ret_fn)(uint64_t req_size, uint64_t bytes, int ret, uint64_t t0, uint64_t t1);
VIGIL_EXPORT vigil_counter_ret_fn vigil_counter_ret(int op);

/*
 * Find or create the file record of `path` (made absolute against the cwd
 * and lexically normalised) for layer `file_layer` (enum vigil_file_layer).
 * Returns a file id for vigil_count_file(), or -1 (no segment, bad args).
 * When the table is full returns the "<other files>" record (id 0).
 */
VIGIL_EXPORT int vigil_file_register(const char *path, int file_layer);

/*
 * vigil_count() plus the per-file counters of `file_id` in the op's layer
 * (offset: byte offset of the access, -1 unknown: no sequential detection).
 * file_id < 0 counts only the totals.
 */
VIGIL_EXPORT void vigil_count_file(int op, int file_id, uint64_t req_size, uint64_t bytes,
                                   int64_t offset, int failed, uint64_t t0, uint64_t t1);

/* MPI identity: rank, MPI_COMM_WORLD size, "openmpi" / "mpich" (may be NULL). */
VIGIL_EXPORT void vigil_set_rank(int rank, int nranks, const char *mpi_impl);

/* Adopt a job id (e.g. rank 0's, broadcast), replacing the one found at start. */
VIGIL_EXPORT void vigil_set_job(const char *job_id);

/* This process's segment, or NULL when passing through. Read-only for callers. */
VIGIL_EXPORT const struct vigil_seg_header *vigil_segment(void);

/*
 * Per-thread: calls of the calling thread between vigil_pause() and
 * vigil_resume() are not counted (vigil's own I/O, e.g. the MPI reduction).
 * They nest.
 */
VIGIL_EXPORT void vigil_pause(void);
VIGIL_EXPORT void vigil_resume(void);

/*
 * Process-wide: no thread's calls are counted between vigil_freeze() and
 * vigil_thaw() (the MPI reduction's snapshot, through PMPI_Finalize).
 * They do not nest.
 */
VIGIL_EXPORT void vigil_freeze(void);
VIGIL_EXPORT void vigil_thaw(void);

/* Function pointer types, for dlsym(RTLD_DEFAULT, ...). */
typedef int (*vigil_collector_version_fn)(void);
typedef uint64_t (*vigil_now_fn)(void);
typedef void (*vigil_count_fn)(int, uint64_t, uint64_t, int, uint64_t, uint64_t);
typedef int (*vigil_file_register_fn)(const char *, int);
typedef void (*vigil_count_file_fn)(int, int, uint64_t, uint64_t, int64_t, int, uint64_t, uint64_t);
typedef void (*vigil_set_rank_fn)(int, int, const char *);
typedef void (*vigil_set_job_fn)(const char *);
typedef const struct vigil_seg_header *(*vigil_segment_fn)(void);
typedef void (*vigil_pause_fn)(void);
typedef void (*vigil_resume_fn)(void);
typedef void (*vigil_freeze_fn)(void);
typedef void (*vigil_thaw_fn)(void);
typedef vigil_counter_fn (*vigil_counter_get_fn)(int);
typedef vigil_counter_ret_fn (*vigil_counter_ret_get_fn)(int);

#endif
