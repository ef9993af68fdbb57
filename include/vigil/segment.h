/*
 * segment.h - the shared-memory segment: the only ABI between the collector
 * (one writer per process) and its readers (vigil run, vigild, tests).
 *
 * One segment per process, a regular file of fixed size in the per-user
 * directory (default /dev/shm/vigil-<uid>/, or $VIGIL_DIR), named
 * "<pid>-<proc_start>.seg" where proc_start is field 22 of /proc/<pid>/stat
 * (so a reused pid cannot collide, and an exec'd image finds its segment).
 * Created mode 0600 with O_EXCL|O_NOFOLLOW.  See docs/SEGMENT.md.
 *
 * Writers update counters in place with plain (thread-owned shard) or relaxed
 * atomic (shared shard, file records) stores.  Readers must treat every byte
 * as hostile: copy the segment, then check magic, version, every size and
 * offset below against the copy's length, and the NUL inside every string.
 * Readers compute every offset from the geometry fields, never from sizeof
 * of their own build, so segments with fewer ops (older collectors) read.
 *
 * All fields are fixed-width, little-endian (the host's), naturally aligned.
 * Time is in "ticks" of the segment's clock; see struct vigil_seg_clock.
 */
#ifndef VIGIL_SEGMENT_H
#define VIGIL_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/ops.h"

#define VIGIL_SEG_MAGIC      "VIGILSEG"  /* 8 bytes, no NUL */
#define VIGIL_SEG_VERSION    2u   /* what this build writes (docs/SEGMENT.md "Versions") */
#define VIGIL_SEG_VERSION_MIN 1u  /* the oldest version readers accept */
#define VIGIL_SEG_VERSION_V1 1u   /* version 1: 4 layers, no file/shard extensions, no accelerator region */
#define VIGIL_V1_NLAYERS     4u
#define VIGIL_SEG_SUFFIX     ".seg"

#define VIGIL_HIST_BUCKETS   32   /* 0: size 0; i>=1: [2^(i-1), 2^i); 31: >= 2^30 */
#define VIGIL_TL_BINS        64   /* timeline bins per shard; width doubles as needed */
#define VIGIL_TL_SHIFT0      20   /* first bin width = 2^20 ticks (~0.35 ms TSC, ~1 ms ns) */
#define VIGIL_SHARDS         16   /* per-thread counter shards; the last is shared */
#define VIGIL_SHARED_SHARD   (VIGIL_SHARDS - 1)
#define VIGIL_FILES          512  /* file records, record 0 is "<other files>" */
#define VIGIL_PATH_MAX       256  /* stored path bytes incl. NUL (longer: middle elided) */
#define VIGIL_KERNELS        128  /* kernel records, record 0 is "<other kernels>" */
#define VIGIL_KERNEL_NAME    64   /* stored kernel name bytes incl. NUL (longer: truncated) */
#define VIGIL_QUEUES         32   /* command-queue records, record 0 is "<other queues>" */

/* Pseudo file names for what is not a regular file (struct vigil_file.kind). */
enum vigil_file_kind {
	VIGIL_FILE_FREE = 0,   /* slot not yet published */
	VIGIL_FILE_REGULAR,    /* absolute, lexically normalised path */
	VIGIL_FILE_OVERFLOW,   /* "<other files>": the table was full */
	VIGIL_FILE_STDIN,      /* "<stdin>"  */
	VIGIL_FILE_STDOUT,     /* "<stdout>" */
	VIGIL_FILE_STDERR,     /* "<stderr>" */
	VIGIL_FILE_PIPE,       /* "<pipe>"   */
	VIGIL_FILE_SOCKET,     /* "<socket>" */
	VIGIL_FILE_OTHER,      /* "<other>": devices, directories, unknown */
	VIGIL_FILE_NKINDS
};

/* struct vigil_seg_header.state */
enum vigil_seg_state {
	VIGIL_STATE_INIT = 0,    /* being created: readers skip */
	VIGIL_STATE_RUNNING = 1,
	VIGIL_STATE_ENDED = 2,   /* end record written (exit status known) */
};

/* struct vigil_seg_header.flags: why numbers may be partial (profiles' "flags"). */
#define VIGIL_FLAG_FILE_OVERFLOW  (1u << 0) /* file table full: "<other files>" used */
#define VIGIL_FLAG_FD_OVERFLOW    (1u << 1) /* a descriptor beyond the fd table */
#define VIGIL_FLAG_SHARED_SHARD   (1u << 2) /* more threads than shards (exact, slower) */
#define VIGIL_FLAG_PATH_TRUNCATED (1u << 3) /* a path longer than VIGIL_PATH_MAX */
#define VIGIL_FLAG_EARLY_CALLS    (1u << 4) /* calls before the segment existed, not counted */
#define VIGIL_FLAG_EXEC_REATTACH  (1u << 5) /* an exec'd image continued this segment */
/*
 * v2: what vigil knows it did not see.  EXEC_UNMONITORED is set (with
 * identity.exec_target) just before an exec, and cleared when the new image
 * re-attaches or the exec fails: once the process is gone it means the
 * process exec'd into an image the collector could not enter (static,
 * set-user-ID, LD_PRELOAD removed).  A posix_spawn whose image is predicted
 * unenterable sets it on the spawning process.
 */
#define VIGIL_FLAG_EXEC_UNMONITORED (1u << 6) /* an exec'd image was not measured (exec_target) */
#define VIGIL_FLAG_ASYNC_IO       (1u << 7) /* asynchronous I/O set up: its bytes are not counted */
#define VIGIL_FLAG_UID_SWITCH     (1u << 8) /* a child or exec'd image runs as another user: its
                                               segments are in that user's directory */
#define VIGIL_FLAG_SPAWN_UNMONITORED (1u << 9) /* a posix_spawn child runs an image that will not
                                                  load the collector (exec_target) */

/*
 * Who is in charge of a directory's segments (docs/SEGMENT.md, "Lifetime").
 * vigild holds an exclusive flock on <dir>/VIGIL_DAEMON_LOCK and touches it
 * every VIGIL_DAEMON_REFRESH seconds; a lock file that is free and older than
 * VIGIL_DAEMON_STALE seconds means no daemon (the restart grace time).  With
 * no reader in charge, the collector keeps at most VIGIL_SEG_KEEP_ENDED
 * segments of ended processes, reclaiming the oldest first.
 */
#define VIGIL_DAEMON_LOCK     "vigild.lock"
#define VIGIL_DAEMON_REFRESH  10
#define VIGIL_DAEMON_STALE    60
#define VIGIL_SEG_KEEP_ENDED  64

/* struct vigil_seg_clock.source */
enum vigil_clock_source {
	VIGIL_CLOCK_NS = 0,   /* ticks are CLOCK_MONOTONIC nanoseconds */
	VIGIL_CLOCK_TSC = 1,  /* ticks are invariant TSC cycles (same on every CPU) */
};

/*
 * Ticks -> seconds.  For the TSC, the collector does no calibration loop: it
 * stores a (ticks, CLOCK_MONOTONIC ns) pair when the segment is created and
 * another when the process ends.  Readers take the rate from those two pairs
 * when they are >= 10 ms apart, else from a pair they take themselves
 * (the TSC is shared by all processes of the node), else from their own
 * calibration.
 */
struct vigil_seg_clock {
	uint32_t source;          /* enum vigil_clock_source */
	uint32_t reserved;
	uint64_t start_ticks;     /* clock at segment creation = timeline origin */
	uint64_t start_mono_ns;   /* CLOCK_MONOTONIC at the same moment */
	uint64_t start_real_ns;   /* CLOCK_REALTIME at the same moment (Unix epoch) */
	uint64_t end_ticks;       /* clock when the end record was written, or 0 */
	uint64_t end_mono_ns;
	uint64_t end_real_ns;
};

/* Who the process is.  Strings are NUL-terminated within their arrays (readers check). */
struct vigil_seg_identity {
	int32_t  pid;
	int32_t  ppid;
	uint32_t uid;             /* as the process says; readers trust the file owner instead */
	uint32_t gid;
	uint64_t proc_start;      /* /proc/<pid>/stat field 22: pid-reuse guard */
	int32_t  rank;            /* MPI rank, -1 unknown */
	int32_t  nranks;          /* MPI_COMM_WORLD size, 0 unknown */
	int32_t  exit_status;     /* exit(3) status when state == ENDED, else -1 */
	int32_t  term_signal;     /* killing signal when known (set by readers that reaped it), else 0 */
	uint32_t exec_count;      /* images that ran in this process (1 + successful execs seen) */
	int32_t  env_rank;        /* rank from the environment, tagged by its variable (collector only), or -1 */
	char job_id[64];          /* VIGIL_JOB_ID, SLURM_JOB_ID, PBS_JOBID, LSB_JOBID, FLUX_JOB_ID */
	char step[32];            /* SLURM_STEP_ID, else "" */
	char run_id[40];          /* VIGIL_RUN_ID: the `vigil run` that started this process, else "" */
	char host[64];            /* SLURMD_NODENAME, else gethostname */
	char exe[256];            /* /proc/self/exe of the latest image */
	char cmdline[1024];       /* argv joined by single spaces (truncated) of the latest image */
	char mpi_impl[16];        /* "openmpi", "mpich" once an MPI collector attached, else "" */
	/* v2 (ident_size >= 1800) */
	char exec_target[256];    /* path given to the latest exec/posix_spawn flagged EXEC_UNMONITORED */
};

/* Per-operation counters, in each shard. */
struct vigil_op_counters {
	uint64_t calls;
	uint64_t errors;          /* calls that failed (returned the call's error value) */
	uint64_t bytes;           /* bytes actually transferred (return value based) */
	uint64_t ticks;           /* time inside the call */
	uint64_t hist[VIGIL_HIST_BUCKETS]; /* requested size (iovec sum for v-calls) */
};

/* One timeline bin of one layer. */
struct vigil_tl_bin {
	uint64_t ops;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t ticks;
};

/*
 * A counter shard.  One thread owns a shard and updates it with plain stores
 * (no lock prefix); threads beyond VIGIL_SHARDS-1 share the last shard and use
 * atomic adds.  `changes` is bumped after each update so a reader can skip a
 * shard that did not change since its last sample.
 *
 * reserved[0..VIGIL_OPMAP_WORDS-1] is the shard's op map: bit (op % 64) of
 * word (op / 64) is set the first time the shard counts `op`, before that
 * call's counters and `changes` move, and never cleared.  A reader may then
 * read only the ops whose bit is set.  A map of all zeros (a collector older
 * than the map, or a foreign writer) says nothing: read every op.
 */
#define VIGIL_OPMAP_WORDS 5       /* ops 0..319 */
struct vigil_shard {
	uint64_t changes;
	uint32_t state;           /* 0 free, 1 owned by one thread, 2 shared (atomic) */
	uint32_t tid;             /* owning thread's tid (informative) */
	uint32_t tl_shift;        /* timeline bin width = 2^tl_shift ticks */
	uint32_t reserved0;
	uint64_t reserved[5];     /* [0..4]: op map (VIGIL_OPMAP_WORDS); header of the shard: 64 bytes */
	struct vigil_tl_bin timeline[VIGIL_TL_BINS][VIGIL_NLAYERS];
	struct vigil_op_counters ops[]; /* n_ops entries (header.n_ops) */
};

/* Per-file, per-layer counters. */
struct vigil_file_counters {
	uint64_t reads;
	uint64_t writes;
	uint64_t bytes_read;
	uint64_t bytes_written;
	uint64_t meta_ops;        /* class-metadata ops on this file (open, close, fstat, seek, ...) */
	uint64_t ticks;           /* time in all ops on this file */
	uint64_t seq_reads;       /* read at an offset >= the end of the previous read */
	uint64_t seq_writes;
	uint64_t consec_reads;    /* read exactly at the end of the previous read */
	uint64_t consec_writes;
	uint64_t max_offset;      /* highest byte offset touched + 1 */
	uint64_t reserved;
};

/*
 * Version 2: per-file, per-layer counters the insight rules need
 * (docs/INSIGHTS.md), at the end of each file record.
 */
struct vigil_file_ext {
	uint64_t unpositioned_reads;  /* data requests at no known offset (O_APPEND, "a" streams) */
	uint64_t unpositioned_writes;
	uint64_t misaligned;          /* requests at an offset that is not a multiple of st_blksize */
	uint64_t generation;          /* ext[0] only (ext[1..2]: 0): the record's reuse count x 2,
	                                 odd while it is being reused (VIGIL_FILE_GEN) */
};

/*
 * Version 2: per-shard totals over the regular files the shard's thread
 * touched, right after the shard's n_ops op counters (shard_size covers
 * them), so a reader judges a process without its file records.
 */
struct vigil_shard_ext {
	uint64_t positioned_reads;    /* data requests at a known offset (file records of any kind) */
	uint64_t positioned_writes;
	uint64_t nonseq_reads;        /* of those, at an offset before the end of the previous one */
	uint64_t nonseq_writes;
	uint64_t misaligned;          /* of those, at an offset that is not a multiple of st_blksize */
	uint64_t again_errors;        /* failed data calls whose errno was EAGAIN/EWOULDBLOCK */
	uint64_t reserved[2];
};

/*
 * A file record.  Published by writing `hash` last (release); a reader takes
 * a record only when hash != 0 and kind is valid.  The same path can appear
 * in two records (two threads opening it at once): readers merge by path.
 */
struct vigil_file {
	uint64_t hash;            /* FNV-1a 64 of the full normalised path; 0 = free */
	uint32_t kind;            /* enum vigil_file_kind */
	uint32_t path_len;        /* length of the full path (may exceed what is stored) */
	uint64_t first_ticks;     /* first access, segment clock (0 = none) */
	uint64_t last_ticks;      /* last access */
	char path[VIGIL_PATH_MAX];
	struct vigil_file_counters layer[VIGIL_NFLAYERS];
	struct vigil_file_ext ext[VIGIL_NFLAYERS]; /* version 2 (a version 1 record ends before it) */
};

/*
 * File-table reuse (version 2, docs/SEGMENT.md "File-table reuse").  Once the
 * table is full, opening a new file reclaims the record of a file that no
 * descriptor holds and that moved the fewest bytes: its counts are moved into
 * record 0 (<other files>), then it is rewritten for the new file.  The
 * record's generation is odd while that happens and 2 more afterwards: a
 * record of odd generation counts under <other files>, never under its path.
 * header.reserved[VIGIL_SEG_FILES_SEQ_SLOT] is odd while any record is being
 * reclaimed and 2 more afterwards: a reader whose copy began and ended with
 * the same even value saw no reclaim, so no count was seen twice or missed.
 */
#define VIGIL_FILE_GEN(f) ((f)->ext[0].generation)
#define VIGIL_SEG_FILES_SEQ_SLOT 1

/* A version 1 file record's size: readers of version 1 segments need at least this much. */
#define VIGIL_FILE_V1_SIZE offsetof(struct vigil_file, ext)

/*
 * The accelerator region (version 2): what the OpenCL layer measures that
 * per-op counters cannot say.  Transfers by direction (the op counters keep
 * their static direction; migrate and SVM copies get theirs at run time),
 * device time from event profiling, kernels by name and queues.  Every
 * field is updated with relaxed atomic adds (any thread, or the harvest).
 */
enum vigil_xfer {
	VIGIL_XFER_H2D,    /* host -> device: write, implicit copy of CL_MEM_COPY_HOST_PTR */
	VIGIL_XFER_D2H,    /* device -> host: read */
	VIGIL_XFER_D2D,    /* device -> device: copies */
	VIGIL_XFER_FILL,   /* device fills (no host data) */
	VIGIL_XFER_MAP,    /* mapped bytes (map + unmap: whether data moves depends on the device) */
	VIGIL_XFER_KERNEL, /* kernels: count = launches, bytes = work items */
	VIGIL_XFER_OTHER,  /* markers, barriers, migrations without content, ... */
	VIGIL_NXFER
};

struct vigil_accel_kind {
	uint64_t commands;        /* commands enqueued */
	uint64_t bytes;           /* bytes (work items for VIGIL_XFER_KERNEL) */
	uint64_t small;           /* commands under 64 KiB (transfers) */
	uint64_t timed;           /* commands whose device time is in dev_ns */
	uint64_t dev_ns;          /* device time, sum of END - START of the timed commands */
	uint64_t reserved[3];
};

/* A command queue the program created (record 0: queues beyond the table). */
struct vigil_queue_rec {
	uint64_t id;              /* 1 + creation order in the process; 0 = free */
	uint64_t commands;        /* commands timed on it */
	uint64_t busy_ns;         /* device busy time: union of its commands' [START, END) */
	uint64_t dev_ns;          /* sum of its commands' END - START (> busy_ns when they overlap) */
};

struct vigil_accel {
	uint64_t changes;         /* bumped after each update */
	uint32_t kernels_used;    /* kernel records claimed (may exceed n_kernels: overflow) */
	uint32_t queues_used;     /* queue records claimed (may exceed VIGIL_QUEUES) */
	uint32_t profiling;       /* 1: device timing on (VIGIL_OPENCL_PROFILING != 0) */
	uint32_t layer;           /* 1: the ICD loader called the layer (OpenCL is in use) */
	uint64_t dropped;         /* commands not timed: too many pending, or no profiling info */
	uint64_t reserved[4];
	struct vigil_accel_kind kind[VIGIL_NXFER];
	struct vigil_queue_rec queue[VIGIL_QUEUES];
};

/* A kernel by name.  Published by writing `hash` last (release), as file records. */
struct vigil_kernel {
	uint64_t hash;            /* FNV-1a 64 of the name; 0 = free */
	uint64_t launches;
	uint64_t work_items;
	uint64_t timed;           /* launches whose device time is in dev_ns */
	uint64_t dev_ns;
	uint64_t errors;          /* launches that failed */
	char name[VIGIL_KERNEL_NAME];
};

struct vigil_seg_header {
	char     magic[8];        /* VIGIL_SEG_MAGIC */
	uint32_t version;         /* VIGIL_SEG_VERSION */
	uint32_t header_size;     /* sizeof(struct vigil_seg_header) */
	uint64_t segment_size;    /* bytes in the file */

	/* geometry: every offset is from the segment start */
	uint32_t n_ops;           /* ops per shard (VIGIL_NOPS of the writer) */
	uint32_t n_layers;        /* VIGIL_NLAYERS */
	uint32_t n_hist;          /* VIGIL_HIST_BUCKETS */
	uint32_t n_tl_bins;       /* VIGIL_TL_BINS */
	uint32_t n_shards;        /* VIGIL_SHARDS */
	uint32_t shard_size;      /* bytes per shard, multiple of 64 */
	uint64_t shards_offset;
	uint32_t n_files;         /* capacity of the file table */
	uint32_t file_size;       /* bytes per file record */
	uint64_t files_offset;
	uint64_t ident_offset;
	uint32_t ident_size;
	uint32_t n_flayers;       /* VIGIL_NFLAYERS */

	struct vigil_seg_clock clock;

	/* live state */
	uint32_t state;           /* enum vigil_seg_state */
	uint32_t flags;           /* VIGIL_FLAG_* */
	uint32_t files_used;      /* records claimed (may exceed n_files: overflow) */
	uint32_t shards_used;     /* shards claimed */
	uint64_t header_changes;  /* bumped when identity, state or flags change */
	uint64_t early_calls;     /* calls that could not be counted (before init, no segment) */
	uint64_t reader_mark;     /* written by readers: nonzero = collected by this `vigil run` */
	uint64_t reserved[6];     /* [0] VIGIL_SEG_MPI_REDUCED_SLOT, [1] VIGIL_SEG_FILES_SEQ_SLOT */

	/* version 2 (a version-1 header ends here: VIGIL_V1_HEADER_SIZE) */
	uint64_t accel_offset;    /* struct vigil_accel */
	uint32_t accel_size;      /* sizeof(struct vigil_accel) */
	uint32_t n_kernels;       /* capacity of the kernel table */
	uint64_t kernels_offset;
	uint32_t kernel_size;     /* bytes per kernel record */
	uint32_t reserved2;
};
#define VIGIL_V1_HEADER_SIZE ((uint32_t)offsetof(struct vigil_seg_header, accel_offset))

/*
 * header.reserved[VIGIL_SEG_MPI_REDUCED_SLOT] == VIGIL_SEG_MPI_REDUCED: this MPI rank's counters
 * went into the job profile its ranks wrote at MPI_Finalize (docs/MPI-COUNTING.md).  A reader
 * that writes a profile of the same job (vigil run) leaves such a process out of its own.
 */
#define VIGIL_SEG_MPI_REDUCED_SLOT 0
#define VIGIL_SEG_MPI_REDUCED      0x4445435544455250ull /* "PREDUCED" */

/* Offset of a version 2 shard's struct vigil_shard_ext: after the writer's n_ops op counters. */
static inline uint64_t vigil_shard_ext_offset(uint32_t n_ops)
{
	return sizeof(struct vigil_shard) + (uint64_t)n_ops * sizeof(struct vigil_op_counters);
}

/* Geometry of the segment this build writes. */
#define VIGIL_SHARD_SIZE \
	((uint32_t)(((sizeof(struct vigil_shard) + VIGIL_NOPS * sizeof(struct vigil_op_counters) + \
	              sizeof(struct vigil_shard_ext)) + 63) & ~(size_t)63))
#define VIGIL_HEADER_AREA    4096u  /* header, then identity, within the first page(s) */
#define VIGIL_IDENT_OFFSET   1024u
#define VIGIL_FILES_OFFSET   ((uint64_t)VIGIL_HEADER_AREA)
#define VIGIL_SHARDS_OFFSET  \
	((VIGIL_FILES_OFFSET + (uint64_t)VIGIL_FILES * sizeof(struct vigil_file) + 4095) & ~(uint64_t)4095)
#define VIGIL_ACCEL_OFFSET   \
	((VIGIL_SHARDS_OFFSET + (uint64_t)VIGIL_SHARDS * VIGIL_SHARD_SIZE + 4095) & ~(uint64_t)4095)
#define VIGIL_KERNELS_OFFSET ((VIGIL_ACCEL_OFFSET + sizeof(struct vigil_accel) + 63) & ~(uint64_t)63)
#define VIGIL_SEGMENT_SIZE   \
	((VIGIL_KERNELS_OFFSET + (uint64_t)VIGIL_KERNELS * sizeof(struct vigil_kernel) + 4095) & ~(uint64_t)4095)

/* The op map (struct vigil_shard.reserved) covers every op. */
_Static_assert(VIGIL_NOPS <= 64 * VIGIL_OPMAP_WORDS, "the shard's op map needs more words");

/* Names of the pseudo files by kind ("<stdout>", "<other files>", ...; NULL for FREE and REGULAR). */
extern const char *const vigil_file_kind_names[VIGIL_FILE_NKINDS];

/* Fill a zeroed header with this build's magic, version and geometry (the collector, and tools that fabricate segments). */
static inline void vigil_seg_header_init(struct vigil_seg_header *h)
{
	__builtin_memcpy(h->magic, VIGIL_SEG_MAGIC, 8);
	h->version = VIGIL_SEG_VERSION;
	h->header_size = sizeof(struct vigil_seg_header);
	h->segment_size = VIGIL_SEGMENT_SIZE;
	h->n_ops = VIGIL_NOPS;
	h->n_layers = VIGIL_NLAYERS;
	h->n_hist = VIGIL_HIST_BUCKETS;
	h->n_tl_bins = VIGIL_TL_BINS;
	h->n_shards = VIGIL_SHARDS;
	h->shard_size = VIGIL_SHARD_SIZE;
	h->shards_offset = VIGIL_SHARDS_OFFSET;
	h->n_files = VIGIL_FILES;
	h->file_size = sizeof(struct vigil_file);
	h->files_offset = VIGIL_FILES_OFFSET;
	h->ident_offset = VIGIL_IDENT_OFFSET;
	h->ident_size = sizeof(struct vigil_seg_identity);
	h->n_flayers = VIGIL_NFLAYERS;
	h->accel_offset = VIGIL_ACCEL_OFFSET;
	h->accel_size = sizeof(struct vigil_accel);
	h->n_kernels = VIGIL_KERNELS;
	h->kernels_offset = VIGIL_KERNELS_OFFSET;
	h->kernel_size = sizeof(struct vigil_kernel);
}

/* Size bucket of a request: 0 for 0 bytes, else 1 + floor(log2(n)), at most 31. */
static inline unsigned vigil_hist_bucket(uint64_t n)
{
	if (n == 0)
		return 0;
	unsigned b = 64u - (unsigned)__builtin_clzll(n);
	return b < VIGIL_HIST_BUCKETS ? b : VIGIL_HIST_BUCKETS - 1;
}

#endif
