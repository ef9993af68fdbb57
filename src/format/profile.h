/*
 * profile.h - the in-memory job profile and the safe segment reader.
 *
 * libvigilformat (src/format/) is plain C with libc only, so the CLI, the
 * daemon and the MPI collector (which reduces a job at MPI_Finalize) share
 * one implementation of: parsing an untrusted segment copy, folding segments
 * into a profile, and writing the profile as JSON (docs/PROFILE.md).
 * Reading profile JSON back needs a JSON parser and lives in src/common/.
 */
#ifndef VIGIL_PROFILE_H
#define VIGIL_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "vigil/segment.h"
#include "format/insights.h"

#define VIGIL_PROFILE_SCHEMA "vigil-profile/1"

/* ---------------------------------------------------------------------------
 * Segment view: a validated, private copy of one segment.
 * ------------------------------------------------------------------------- */
struct vigil_seg_view {
	const unsigned char *base;          /* the copy (owned by the caller) */
	size_t len;
	const struct vigil_seg_header *hdr;
	const struct vigil_seg_identity *id; /* strings checked NUL-terminated */
	uint32_t n_ops;                      /* min(header n_ops, VIGIL_NOPS) */
	int has_ext;                         /* version >= 2: struct vigil_file_ext, vigil_shard_ext */
	const char *exec_target;             /* identity.exec_target, "" for a version 1 segment */
	uint32_t n_layers;                   /* timeline layers: 4 (version 1) or VIGIL_NLAYERS */
	uint32_t ops_offset;                 /* of a shard's ops[] from the shard's start */
	double tick_seconds;                 /* seconds per tick (see segment.h clock) */
	uint64_t unread_shards;              /* bit s: shard s was left out of the copy (zeros there) and
	                                        is skipped; 0 from vigil_seg_parse, set by the reader */
};

/*
 * Validate a copy of a segment: magic, version, every size and offset, the
 * NUL in every identity string.  On failure returns a negative errno-style
 * code and sets *why to a short static reason ("bad magic", "truncated", ...)
 * used as the rejection-reason label.  `reader_tick_seconds` is the reader's
 * own calibration (0 if none) used when the segment's clock pairs are too
 * close together.
 */
int vigil_seg_parse(const void *buf, size_t len, double reader_tick_seconds,
                    struct vigil_seg_view *v, const char **why);

/*
 * Did a copy of a segment, read from `fd` header first, see no file-table
 * reuse in progress?  1 when the header's sequence (VIGIL_SEG_FILES_SEQ_SLOT)
 * in the copy is even and still the file's.  A reader of a live segment
 * copies again (up to VIGIL_SEG_COPY_TRIES, vigil_seg_copy_wait between) and
 * then keeps its last copy: a record caught mid-reuse has an odd generation
 * and counts under <other files> (docs/SEGMENT.md, "File-table reuse").
 */
#define VIGIL_SEG_COPY_TRIES 8
int vigil_seg_copy_settled(int fd, const void *copy, size_t len);
void vigil_seg_copy_wait(int attempt);

/* Bounds-checked accessors (valid after a successful parse). */
const struct vigil_shard *vigil_seg_shard(const struct vigil_seg_view *v, uint32_t i);
const struct vigil_op_counters *vigil_seg_ops(const struct vigil_seg_view *v, uint32_t shard);
const struct vigil_file *vigil_seg_file(const struct vigil_seg_view *v, uint32_t i);
/* Version 2 counters; NULL for a version 1 segment (its readers report "not evaluated"). */
const struct vigil_shard_ext *vigil_seg_shard_ext(const struct vigil_seg_view *v, uint32_t i);
const struct vigil_file_ext *vigil_seg_file_ext(const struct vigil_seg_view *v, uint32_t i, int flayer);
/* Timeline row `bin` of a shard: n_layers bins (layers of version 1 are the first 4 of today's). */
const struct vigil_tl_bin *vigil_seg_tl_row(const struct vigil_seg_view *v, uint32_t shard, uint32_t bin);
/* The accelerator region and kernel record i; NULL for a version-1 segment. */
const struct vigil_accel *vigil_seg_accel(const struct vigil_seg_view *v);
const struct vigil_kernel *vigil_seg_kernel(const struct vigil_seg_view *v, uint32_t i);
/* Offset of ops[] in a shard of this (checked) header's geometry: never sizeof of this build. */
uint64_t vigil_seg_ops_offset(const struct vigil_seg_header *h);

/* This machine's TSC rate in seconds per tick, measured over >= 5 ms once and cached; 0 if no invariant TSC. */
double vigil_reader_tsc_seconds(void);

/*
 * The same rate without sleeping, for a reader that has been alive a while:
 * mark a (TSC, CLOCK_MONOTONIC) pair early, and later take the rate between
 * that pair and now.  0 when the two are less than 1 ms apart or there is no
 * TSC (the caller then falls back to vigil_reader_tsc_seconds).
 */
struct vigil_tsc_mark { uint64_t tsc, mono_ns; };
void vigil_reader_tsc_mark(struct vigil_tsc_mark *m);
double vigil_reader_tsc_since(const struct vigil_tsc_mark *m);

/* ---------------------------------------------------------------------------
 * Profile model: what a profile file holds, in memory.
 * ------------------------------------------------------------------------- */
struct vigil_opstat {
	uint64_t calls, errors, bytes;
	double seconds;
	uint64_t hist[VIGIL_HIST_BUCKETS];
};

struct vigil_filestat {
	char *path;                 /* malloc'd; "<stdout>" etc. for pseudo files */
	int kind;                   /* enum vigil_file_kind */
	int layer;                  /* enum vigil_file_layer */
	uint64_t reads, writes, bytes_read, bytes_written, meta_ops;
	uint64_t seq_reads, seq_writes, consec_reads, consec_writes, max_offset;
	uint64_t unpositioned_reads, unpositioned_writes, misaligned; /* segment v2 (profile insight_have) */
	double seconds;
	double first_access, last_access; /* Unix seconds, 0 = never */
	uint32_t processes;         /* how many processes touched it */
	int32_t rank_min, rank_max; /* ranks that touched it (-1 none) */
	uint32_t nranks;            /* distinct ranks that touched it */
	/* The MPI ranks with the least and the most time on it (a rank's processes each count alone), -1 none. */
	int32_t fastest_rank, slowest_rank;
	double fastest_rank_seconds, slowest_rank_seconds;
};

struct vigil_tlstat {
	double ops, bytes_read, bytes_written, seconds; /* doubles: bins are re-split */
};

struct vigil_timeline {
	double start;               /* Unix seconds of bin 0 */
	double bin_seconds;         /* width of a bin (0 = empty timeline) */
	struct vigil_tlstat bin[VIGIL_TL_BINS][VIGIL_NLAYERS];
};

enum vigil_proc_state {
	VIGIL_PROC_RUNNING,         /* still alive when the profile was written (survivor) */
	VIGIL_PROC_EXITED,          /* exit status known */
	VIGIL_PROC_KILLED,          /* signal known or process vanished without an end record */
	VIGIL_PROC_UNMONITORED,     /* exec'd into an image the collector could not enter (exe = that
	                               image); exit status only when its reaper saw it */
};

struct vigil_procstat {
	int32_t pid, ppid, rank;    /* rank: MPI_Comm_rank, else the launcher's (environment), -1 none */
	int32_t nranks;             /* MPI_COMM_WORLD size once MPI_Init ran, 0 never */
	uint32_t uid;
	char *host, *exe, *command; /* malloc'd */
	char *step;                 /* malloc'd: SLURM_STEP_ID of its job, "" when none */
	double start, end;          /* Unix seconds; end 0 while running */
	int state;                  /* enum vigil_proc_state */
	int32_t exit_status;        /* -1 unknown */
	int32_t term_signal;        /* 0 none/unknown */
	uint32_t flags;             /* VIGIL_FLAG_* of its segment */
	uint64_t early_calls;
	struct vigil_opstat ops[VIGIL_NOPS];
};

/*
 * The process's MPI rank for the MPI views and rules, -1 when none: a rank the
 * environment gave a process that never called MPI_Init (an srun task's
 * SLURM_PROCID) names the task, not an MPI rank.
 */
static inline int32_t vigil_proc_mpi_rank(const struct vigil_procstat *ps)
{
	return ps->nranks > 0 ? ps->rank : -1;
}
/* The accelerator section (OpenCL): docs/PROFILE.md "accelerator". */
struct vigil_xferstat {
	uint64_t commands, bytes, small, timed; /* bytes: work items for kernels */
	double device_seconds;
};

struct vigil_kernstat {
	char *name;                 /* malloc'd; "<other kernels>" for the overflow record */
	uint64_t launches, work_items, timed, errors;
	double device_seconds;
};

struct vigil_queuestat {
	int32_t pid;
	uint64_t id, commands;      /* id: creation order in its process (0: "<other queues>") */
	double busy_seconds, device_seconds;
};

struct vigil_accelstat {
	uint32_t processes;         /* processes where the OpenCL layer ran */
	uint32_t profiling;         /* ... with device timing on */
	uint64_t dropped;           /* commands not timed */
	struct vigil_xferstat kind[VIGIL_NXFER];
	struct vigil_kernstat *kernels; size_t nkernels, kernels_cap;
	struct vigil_queuestat *queues; size_t nqueues, queues_cap;
};

/* "host_to_device", "device_to_host", "device_to_device", "fill", "map", "kernels", "other" */
extern const char *const vigil_xfer_names[VIGIL_NXFER];

/* Fold a segment's accelerator region / a profile's section into p->accel (profile_accel.c). */
struct vigil_profile;
int vigil_accel_add_segment(struct vigil_profile *p, const struct vigil_seg_view *v);
int vigil_accel_merge(struct vigil_accelstat *d, const struct vigil_accelstat *s);
int vigil_accel_add_kernel(struct vigil_accelstat *a, const struct vigil_kernstat *k); /* by name */
void vigil_accel_free(struct vigil_accelstat *a);
/* Host seconds in OpenCL waits (every timed opencl op but builds) and in builds. */
double vigil_accel_wait_seconds(const struct vigil_opstat *ops);
double vigil_accel_build_seconds(const struct vigil_opstat *ops);
void vigil_accel_write_json(FILE *out, const struct vigil_profile *p);
/* qsort order of struct vigil_kernstat: device time, then launches, then name. */
int vigil_kernstat_cmp(const void *x, const void *y);

/* Profile-only flags (struct vigil_profile.flags), above the segment's VIGIL_FLAG_* bits. */
#define VIGIL_PFLAG_SEGMENT_FAILED (1u << 16) /* "segment_failed": a process ran without a segment */
#define VIGIL_PFLAG_REJECTED       (1u << 17) /* "rejected_segments": a segment failed validation */

struct vigil_profile {
	/* job */
	char *job_id, *step, *user, *command; /* malloc'd, never NULL after init */
	uint32_t uid;
	double start, end;          /* Unix seconds */
	char **hosts; size_t nhosts;
	char *generator;            /* "vigil run", "vigild", "vigil-mpi" */

	struct vigil_opstat ops[VIGIL_NOPS];          /* job totals */
	struct vigil_filestat *files; size_t nfiles, files_cap;
	struct vigil_procstat *procs; size_t nprocs, procs_cap;
	struct vigil_timeline timeline;
	uint32_t flags;             /* OR of every segment's VIGIL_FLAG_*, and VIGIL_PFLAG_* */
	uint64_t early_calls;
	uint32_t survivors;         /* processes still running when written */

	/* Counters only newer collectors keep: VIGIL_HAVE_APPENDS | VIGIL_HAVE_MISALIGNED when every folded segment had them. */
	uint32_t insight_have;
	uint64_t again_errors;      /* failed I/O data calls with EAGAIN/EWOULDBLOCK (segment v2 shard totals) */
	struct vigil_insights insights; /* the verdict stored with the profile (judged 0: none) */
	struct vigil_accelstat accel;
};

/* The flags of a profile's "flags" list (docs/PROFILE.md), in the order they are written; "survivors" is p->survivors. */
struct vigil_flag_name {
	uint32_t bit;               /* VIGIL_FLAG_* or VIGIL_PFLAG_* */
	const char *name;           /* "file_table_overflow", ... */
};
#define VIGIL_NPROFILE_FLAGS 11
extern const struct vigil_flag_name vigil_profile_flags[VIGIL_NPROFILE_FLAGS];

/* "posix", "stdio", "mpiio" for an enum vigil_file_layer; "?" for anything else. */
const char *vigil_file_layer_name(int flayer);
/* "<stdout>", "<other files>", ... for a pseudo file kind; NULL for VIGIL_FILE_REGULAR and unknown kinds. */
const char *vigil_file_kind_name(int kind);

/* d += s: counts, seconds and histogram. */
void vigil_opstat_add(struct vigil_opstat *d, const struct vigil_opstat *s);

void vigil_profile_init(struct vigil_profile *p);
void vigil_profile_free(struct vigil_profile *p);
int  vigil_profile_set_str(char **field, const char *value); /* strdup with NULL -> "" */

/*
 * Fold one process's segment into the profile: job totals, files (merged by
 * path and layer), timeline (re-binned onto the job's bins), and one process
 * entry.  The first segment sets job id, step and host if still empty.
 * Returns 0 or -ENOMEM.
 */
int vigil_profile_add_segment(struct vigil_profile *p, const struct vigil_seg_view *v);

/*
 * A process's timeline kept apart from its segment (8 KiB a shard that
 * counted), so a reader can fold a segment and remove it before the job's
 * time grid is known, and place the timeline once it is: the result is the
 * one vigil_profile_add_segment would have given on that grid.
 */
struct vigil_proc_timeline {
	double start, end, tick_seconds;
	uint32_t n;                 /* shards kept (those with activity) */
	struct {
		uint32_t tl_shift;
		struct vigil_tl_bin timeline[VIGIL_TL_BINS][VIGIL_NLAYERS];
	} *shards;
};
/* vigil_profile_add_segment, the timeline kept in *keep (NULL: placed at once). */
int vigil_profile_add_segment_keep(struct vigil_profile *p, const struct vigil_seg_view *v,
                                   struct vigil_proc_timeline *keep);
void vigil_profile_add_timeline(struct vigil_profile *p, const struct vigil_proc_timeline *t);
void vigil_proc_timeline_free(struct vigil_proc_timeline *t);

/* Fold a whole profile into another (used to merge rank profiles and vigil run's own processes). */
int vigil_profile_merge(struct vigil_profile *dst, const struct vigil_profile *src);

/* Write as JSON (schema vigil-profile/1, docs/PROFILE.md). Returns 0 or -errno. */
int vigil_profile_write_json(const struct vigil_profile *p, FILE *out);

/*
 * Write atomically to `path`: a temporary file in the same directory, then
 * renameat2(RENAME_NOREPLACE) (link+unlink fallback).  Never replaces an
 * existing file: returns -EEXIST.  `mode` e.g. 0644 (vigil run) or 0600 (vigild).
 * VIGIL_SAVE_DURABLE: fsync the file before the rename and the directory
 * after, so the profile survives a crash of the node; without it the
 * write-back is started (not waited for): readers still never see half a
 * profile, but a node crash in the next seconds may lose it, as it may lose
 * any file the job itself wrote.
 */
#define VIGIL_SAVE_DURABLE 1
int vigil_profile_save(const struct vigil_profile *p, const char *path, unsigned mode, int flags);

/* Grow *arr (of *cap elements of `elem` bytes) to hold `need`, doubling; 0 or -ENOMEM (arr unchanged). */
int vigil_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* Small helpers shared by every writer of JSON and by readers. */
void vigil_json_string(FILE *out, const char *s);   /* quoted, escaped, invalid UTF-8 replaced */

#endif
