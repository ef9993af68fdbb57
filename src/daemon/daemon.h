/*
 * daemon.h - vigild's internals: configuration, the state the sampler builds
 * (jobs, processes, node totals) and the modules that read it.
 *
 * Threads: the main thread samples and checkpoints; libmicrohttpd's threads
 * answer HTTP and the UNIX socket.  Everything under `struct vd_state` is
 * guarded by state.lock, held by the sampler only while it applies a sample,
 * and by readers only while they render (no I/O under the lock except reads
 * of private memory).
 */
#ifndef VIGIL_DAEMON_H
#define VIGIL_DAEMON_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include "vigil/segment.h"

/* ---- configuration ---------------------------------------------------- */
#define VD_MAX_DIRS 4096

struct vd_config {
	const char *listen;          /* "ADDR:PORT" */
	const char *dirs[16];        /* explicit segment directories (--dir) */
	int ndirs;
	const char *user_root;       /* scan <user_root>/vigil-<uid>/ (root default /dev/shm) */
	double interval;             /* seconds between samples */
	const char *state_dir;
	const char *profile_dir;
	bool profile_dated;          /* --profile-layout dated: profile_dir/YEAR/MONTH/DAY/ */
	const char *prometheus;      /* --prometheus URL: the cluster-wide view of a job, or NULL */
	double job_linger;           /* seconds without a live process before a job ends */
	double job_grace;            /* seconds an ended job stays exported */
	const char *socket_path;
	int log_level;
	bool anon_details;
	int user_label;              /* VD_LABEL_*: the user label anonymous clients see */
	unsigned max_segments_per_user;
	unsigned max_jobs_per_user;
	uint64_t max_segment_bytes;
	unsigned max_connections;
	int history_seconds;
};

/* ---- logging (log.c) -------------------------------------------------- */
enum { VD_LOG_ERROR, VD_LOG_WARN, VD_LOG_INFO, VD_LOG_DEBUG };
extern int vd_log_level;
void vd_log_at(int level, const char *comp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Same, but at most once per 10 s per `key` (a static string); counts what it swallowed. */
void vd_log_limited(int level, const char *comp, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define vd_log(level, comp, ...) \
	do { if ((level) <= vd_log_level) vd_log_at(level, comp, __VA_ARGS__); } while (0)

/* ---- counters --------------------------------------------------------- */
/* Raw per-op counters as a segment holds them (ticks in the segment's clock). */
struct vd_raw {
	uint64_t calls, errors, bytes, ticks;
	uint64_t hist[VIGIL_HIST_BUCKETS];
};

/* Job/node totals: ticks already converted to seconds. */
struct vd_tot {
	uint64_t calls, errors, bytes;
	double seconds;
	uint64_t hist[VIGIL_HIST_BUCKETS];
};

/* Rejection reasons (label values of vigil_daemon_segments_rejected_total). */
#define VD_REJECT_REASONS(X) \
	X(OPEN, "open_failed") X(NOT_REGULAR, "not_regular") X(OWNER, "foreign_owner") \
	X(LINKS, "hard_linked") X(SIZE, "bad_size") X(READ, "read_failed") \
	X(TRUNCATED, "truncated") X(FORMAT, "bad_format") X(USER_CAP, "user_cap") \
	X(DUPLICATE, "duplicate") X(NAME, "bad_name")
enum vd_reject {
#define VD_X(id, s) VD_REJ_##id,
	VD_REJECT_REASONS(VD_X)
#undef VD_X
	VD_NREJECT
};
extern const char *const vd_reject_names[VD_NREJECT];

/* ---- processes and jobs ------------------------------------------------ */
enum vd_pstate { VD_P_RUNNING, VD_P_EXITED, VD_P_KILLED };
extern const char *const vd_pstate_names[3];

struct vd_job;
struct vd_jins;                  /* live insights of a job (insights.c) */
struct vd_accel;                 /* a process's accelerator reading state (accel.c) */
struct vd_asnap;                 /* a process's accelerator region, sanitised (accel.h) */
struct vd_jaccel;                /* a job's accelerator window (accel.c) */
struct vd_ins_rule;              /* one rule's live record (insights.h) */

struct vd_proc {
	/*
	 * What a sampling pass reads for every live process, together at the
	 * head (two cache lines; the sampler prefetches them ahead, sample.c):
	 * at 1,000 processes each of their lines is a cache miss per pass.
	 */
	struct vd_proc *hnext;       /* in the (dir, name) hash */
	struct vd_job *job;
	struct vd_sproc *sp;         /* sampler-private reading state (sample_internal.h), NULL when not read */
	struct vd_raw **shard_copy;  /* n_shards, NULL until seen changing */
	struct vd_accel *acc;        /* sampler only: reading the accelerator region (accel.c), NULL: version 1 */
	int rejected;                /* tombstone: reason + 1, retried when the file changes */
	int fd;                      /* open while the process is live, else -1 */
	int state;                   /* enum vd_pstate */
	int dirix;                   /* index into state.dirs */
	bool pending;                /* not attached yet (INIT state, or being created) */
	bool baseline;               /* counted came from a checkpoint: next read is a delta */
	bool seen;                   /* found in the latest directory scan */
	bool dirty;                  /* changed since the last checkpoint */
	uint32_t shards_used;        /* from the latest header, bounded by n_shards */
	double last_change, last_alive_check; /* monotonic seconds */
	double last_full_shards;     /* monotonic time of the last read of whole op arrays */
	double last_header;          /* monotonic time of the last header read */
	/* validated geometry (never re-read from the live header) */
	uint64_t shards_offset;
	uint32_t n_ops, n_shards, shard_size;
	uint32_t ops_offset;          /* of ops[] in a shard: from the geometry (version 1 or 2) */
	uint32_t span_lo, span_hi;   /* ops ever called [lo, hi): the fast path reads only these */
	/* what the fold touches besides the head: the third line */
	struct vd_raw *counted;      /* NOPS: what this process has contributed (the fold's) */
	double tick_seconds;
	uint64_t counted_ops[VIGIL_OPMAP_WORDS]; /* ops whose counted calls or ticks may be nonzero
	                                * (a superset; set by vd_proc_mark_counted) */
	/* the rest: read at events, checkpoints and by the API, and by a pass's head reads */
	uint64_t *shard_changes;     /* n_shards */
	uint64_t ident_offset;
	uint32_t ident_size;
	uint32_t version;             /* the segment's format version */
	struct vd_proc *next;        /* in its job */
	double creating_since;       /* monotonic: first seen empty or with a zero header */
	struct timespec rej_mtime;
	char name[64];               /* "<pid>-<start>.seg" */
	dev_t dev; ino_t ino;
	uint64_t len;                /* validated file length */
	uint64_t file_size;          /* st_size when accepted (0: not yet): a later change rejects it */
	int32_t pid, ppid, rank;
	uint64_t proc_start;
	int32_t exit_status, term_signal;
	uint32_t flags;
	uint64_t early_calls;
	double start_real, end_real; /* Unix seconds */
	uint64_t hdr_changes;
	char exe[64];                /* basename of the executable */
	char step[32];               /* its job step (SLURM_STEP_ID), "" when none */
	int32_t nranks;              /* MPI_COMM_WORLD size once MPI_Init ran, 0 never: rank is an MPI rank only then */
	struct vd_asnap *acc_shown;  /* what its accelerator region says (accel.h), NULL: no OpenCL seen */
	struct vigil_shard_ext ext;  /* version 2: its shards' totals, read once per insights step (insights.c) */
	uint32_t ext_written;        /* shards (< 32) whose totals were seen nonzero: their page is the
	                              * owner's, read through the mapping from then on (batch.c) */
	uint32_t head_written;       /* shards (< 32) whose head was seen written (changes or state):
	                              * pre-read through the mapping from then on; before, the page may
	                              * be a hole (a shard whose allocation failed) that a read through
	                              * the mapping would allocate, charged to vigild */
};

enum vd_jstate { VD_J_RUNNING, VD_J_ENDING, VD_J_ENDED };

/* One second of a job's history. */
struct vd_hpoint {
	double t;                    /* Unix seconds */
	double bytes_read, bytes_written;
	double ops_class[4];         /* per enum vigil_class, all layers but MPI */
	double mpi_seconds, io_seconds;
	uint32_t live;
	uint32_t live_ranks;          /* live processes with an MPI rank */
	double cl_device_seconds;    /* OpenCL device seconds per second (accel.c) */
	uint32_t live_cl;            /* live processes where the OpenCL layer ran */
};

struct vd_job {
	struct vd_job *next;
	uint32_t uid;
	char user[64];
	char id[64], step[32], exe[64], host[64];
	char command[1024];          /* first process's command line (owner only) */
	uint64_t instance;           /* random id of this job in this node's life */
	int state;                   /* enum vd_jstate */
	double first_seen, last_live, ended_at; /* Unix seconds */
	bool end_requested, dirty, profile_written;
	bool counts_dirty;           /* only live processes' counts moved since the last checkpoint:
	                              * written within VD_CKPT_COUNTS_EVERY, not a second (ckpt.c) */
	double ckpt_at;              /* monotonic time of the last checkpoint written */
	uint64_t tot_ops[VIGIL_OPMAP_WORDS]; /* ops whose tot may be nonzero (vd_job_mark_op): the
	                              * once-a-second walks visit only these (beside `dirty`: the fold
	                              * sets both) */
	double end_requested_at;     /* Unix seconds of the (first) end request, 0 after a restart */
	bool end_due;                /* sampler only: vd_jobs_tick decided it ends (vd_jobs_end_due) */
	unsigned nlive, nexited, nkilled;
	struct vd_proc *procs;
	struct vd_tot tot[VIGIL_NOPS];
	/* history ring: one point per second, plus per-op calls per second */
	struct vd_hpoint *hist; unsigned hist_len, hist_head;
	float *op_hist[VIGIL_NOPS];  /* lazily: calls per second, same ring */
	float *mpi_sec_hist[VIGIL_NOPS]; /* lazily, MPI ops once called: seconds per second, same ring */
	struct vd_tot last_tot[VIGIL_NOPS]; /* totals at the last history point */
	double rate_t;               /* time of last history point */
	struct vd_jins *ins;         /* live insights, NULL until first judged (insights.h) */
	struct vd_jaccel *acc;       /* accelerator window of the live rules (accel.h), NULL: none */
};

struct vd_dir {
	char path[4096];
	int fd, lockfd;
	uid_t uid;                   /* owner of the directory: segments must match */
	bool per_user;
	struct timespec mtime;
	double last_scan;
	char token[33];              /* browser token of this user (per-user dirs + explicit) */
};

struct vd_user {
	uint32_t uid;
	unsigned segments, jobs;
};

struct vd_state {
	pthread_mutex_t lock;
	struct vd_config cfg;
	struct vd_dir *dirs; int ndirs;
	struct vd_job *jobs;
	struct vd_tot retired[VIGIL_NOPS]; /* node totals of jobs no longer kept */
	uint64_t retired_ids[256]; unsigned nretired_ids;
	uint64_t rejected[VD_NREJECT];
	uint64_t segments_seen, segments_live, samples, ckpt_writes, ckpt_errors, profiles_written;
	uint64_t overflowed_segments, early_calls_total;
	uint64_t reads_batched, reads_fallback; /* op reads by process_vm_readv; pieces it missed, read by pread */
	uint64_t scrapes, http_requests, http_denied;
	double sample_seconds_last, sample_seconds_total, scrape_seconds_last, scrape_seconds_total;
	double started;              /* Unix seconds */
	bool node_dirty;
	char hostname[64];
	int state_fd;                /* --state-dir */
	uint64_t next_instance;
};

extern struct vd_state vd;

/* ---- modules ---------------------------------------------------------- */
double vd_now(void);             /* Unix seconds */
double vd_mono(void);            /* monotonic seconds */
void vd_basename(char *dst, size_t n, const char *path);
const char *vd_user_name(uint32_t uid, char *buf, size_t n);

/* the sampler: sample.c, discover.c, read.c, fold.c (shared internals: sample_internal.h) */
int vd_dirs_setup(void);

/* instance.c: one vigild per state directory, segment directory and socket */
long vd_lock_owner(int fd);
void vd_lock_claim(int fd);
int vd_instance_lock_state(const char *state_dir);
int vd_instance_probe_socket(const char *path);
void vd_sample(void);            /* one sampling pass (takes the lock itself) */
void vd_job_end_request(struct vd_job *j);
struct vd_job *vd_job_find(const char *id, uint32_t uid, bool any_user);
void vd_proc_sum(const struct vd_proc *p, struct vd_raw *out); /* counted, NOPS */

/*
 * batch.c: read [off, off + len) of p's segment: this pass's pre-read copy when
 * one was queued with vd_seg_preread and arrived, else pread (sampler thread).
 */
ssize_t vd_seg_pread(struct vd_proc *p, void *buf, size_t len, uint64_t off);
void vd_seg_preread(struct vd_proc *p, uint64_t off, size_t len);

/* opsarena.c: zeroed 64-byte aligned blocks of one size in huge-page chunks (NULL: out of memory) */
struct vd_arena {
	size_t block;            /* bytes per block */
	void *free;              /* freed blocks, linked through their first word */
	unsigned char *cur;      /* the chunk being carved, and what is left of it */
	size_t left;
};
extern struct vd_arena vd_arena_procs; /* struct vd_proc */
void *vd_arena_new(struct vd_arena *a);
void vd_arena_free(struct vd_arena *a, void *b);
/* a zeroed struct vd_raw[VIGIL_NOPS] (counted totals, shard copies) */
struct vd_raw *vd_ops_new(void);
void vd_ops_free(struct vd_raw *ops);

/* Note that op's counted totals of p may be nonzero (checkpoints walk only those). */
static inline void vd_proc_mark_counted(struct vd_proc *p, unsigned op)
{
	if (op < VIGIL_NOPS && (p->counted[op].calls || p->counted[op].ticks))
		p->counted_ops[op >> 6] |= (uint64_t)1 << (op & 63);
}

/* Note that op's totals in j may be nonzero (set whenever tot[op] is added to). */
static inline void vd_job_mark_op(struct vd_job *j, unsigned op)
{
	if (op < VIGIL_NOPS)
		j->tot_ops[op >> 6] |= (uint64_t)1 << (op & 63);
}

/* The first op at or after `op` set in a VIGIL_OPMAP_WORDS bitmap, VIGIL_NOPS when none. */
static inline unsigned vd_op_next(const uint64_t *map, unsigned op)
{
	for (unsigned w = op >> 6; op < VIGIL_NOPS && w < VIGIL_OPMAP_WORDS; w++, op = w << 6) {
		uint64_t m = map[w] & (~(uint64_t)0 << (op & 63));
		if (m)
			return w * 64 + (unsigned)__builtin_ctzll(m) < VIGIL_NOPS ? w * 64 + (unsigned)__builtin_ctzll(m)
			                                                        : VIGIL_NOPS;
	}
	return VIGIL_NOPS;
}

/* job.c */
void vd_jobs_tick(double now);   /* lingering, ending, grace (lock held) */
void vd_jobs_end_due(double now); /* end the jobs vd_jobs_tick marked: profile, checkpoint (lock NOT held) */
void vd_node_totals(struct vd_tot *out); /* NOPS; lock held */
void vd_history_tick(double now);

/* ckpt.c */
int vd_ckpt_open(void);
int vd_ckpt_load(void);
void vd_ckpt_write_dirty(bool force);
int vd_ckpt_write_job(struct vd_job *j);
int vd_ckpt_write_node(void);
void vd_ckpt_remove_job(struct vd_job *j);
/* Parse a checkpoint file image; calls back per record.  Pure: fuzzed. */
struct vd_ckpt_cb {
	void *ctx;
	int (*job)(void *ctx, const struct vd_job *meta);
	int (*jtot)(void *ctx, unsigned op, const struct vd_tot *t);
	int (*proc)(void *ctx, const struct vd_proc *meta, const char *dirpath);
	int (*ptot)(void *ctx, unsigned op, const struct vd_raw *r);
	int (*ntot)(void *ctx, unsigned op, const struct vd_tot *t);
	int (*node)(void *ctx, const uint64_t *ids, unsigned nids, uint64_t next_instance);
	int (*ins)(void *ctx, int rule, const struct vd_ins_rule *r); /* a live insight record of the job */
};
int vd_ckpt_parse(const unsigned char *buf, size_t len, const struct vd_ckpt_cb *cb);
uint64_t vd_ckpt_sum(const unsigned char *p, size_t n, uint32_t version); /* a file's trailer checksum */

/* text buffers */
struct vd_buf { char *p; size_t len, cap; bool oom; };
void vd_buf_add(struct vd_buf *b, const char *s, size_t n);
void vd_buf_printf(struct vd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vd_buf_free(struct vd_buf *b);

/* prom.c */
void vd_prom_render(struct vd_buf *b, bool openmetrics, bool anonymous);
void vd_prom_label_escape(struct vd_buf *b, const char *s);
/* A family's HELP and TYPE lines (OpenMetrics: a counter family without _total). */
void vd_prom_family(struct vd_buf *b, bool om, const char *name, const char *type, const char *help);
/* A job's labels, jobid="..",user=".." (--user-label for anonymous scrapers), no braces. */
void vd_prom_job_labels(struct vd_buf *b, const struct vd_job *j, bool anon);

/* api.c: viewer uid (or -1 anonymous, or 0 root = everything) */
#define VD_VIEWER_ANON (-1L)
#define VD_VIEWER_SCRAPER (-2L)      /* authenticated by basic auth, no user token */

/* ---- exporter security (webcfg.c): --web.config.file, what anonymous clients see */
enum { VD_CLIENT_NONE, VD_CLIENT_REQUEST, VD_CLIENT_REQUIRE_ANY, VD_CLIENT_VERIFY_IF_GIVEN,
       VD_CLIENT_REQUIRE_VERIFY };
#define VD_WEB_MAX_USERS 64
struct vd_webcfg {
	char *cert, *key, *ca;       /* PEM text; no cert: plain HTTP */
	int client_auth;             /* VD_CLIENT_* (tls_server_config.client_auth_type) */
	int nusers;                  /* basic_auth_users: when > 0 every TCP request authenticates */
	struct { char *name, *hash; } users[VD_WEB_MAX_USERS];
};
extern struct vd_webcfg vd_web;
int vd_webcfg_load(const char *file);
bool vd_webcfg_check(const char *user, const char *pass);
enum { VD_LABEL_ON, VD_LABEL_HASHED, VD_LABEL_OFF };
int vd_label_key_load(const char *state_dir);
/* The user (and executable) an anonymous client is shown; buf: 32 bytes. */
const char *vd_user_shown(const struct vd_job *j, bool anonymous, char *buf);
const char *vd_exe_shown(const struct vd_job *j, bool anonymous);
int vd_api(const char *method, const char *path, const char *query, long viewer,
           struct vd_buf *out, const char **ctype);

/* request.c: pure helpers for untrusted request text (fuzzed) */
int vd_bearer_token(const char *authz, char *out, size_t outn);
int vd_api_route(const char *path, char *jobid, size_t n, int *action);
enum { VD_ROUTE_NONE, VD_ROUTE_HEALTH, VD_ROUTE_JOBS, VD_ROUTE_JOB, VD_ROUTE_JOB_END, VD_ROUTE_JOB_CLUSTER,
       VD_ROUTE_JOB_INSIGHTS };

/* http.c */
int vd_http_start(void);
void vd_http_stop(void);
int vd_tokens_refresh(void);     /* token files in every user's directory */
long vd_token_uid(const char *token);

/* profile writing (job.c) */
struct vigil_profile;
int vd_job_profile(const struct vd_job *j, struct vigil_profile *prof); /* sampler, no lock: reads segments */
int vd_job_write_profile(struct vd_job *j);
/*
 * Read segment `name` of directory `dirfd` (owned by `uid`) whole into a
 * malloc'd private copy and validate it.  Touches no shared state: callable
 * without vd.lock.
 */
struct vigil_seg_view;
int vd_segment_copy_at(int dirfd, uid_t uid, const char *name, unsigned char **buf, struct vigil_seg_view *v);

#endif
