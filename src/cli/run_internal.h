/*
 * run_internal.h - what the files of `vigil run` share: its options, the
 * state of one run, exit codes, and the steps cmd_run (run.c) calls in turn.
 *   run.c          entry point, options, help
 *   run_spawn.c    collector and preload, ids, segment directory, spawn, wait, reap
 *   run_collect.c  reading our segments into the profile
 *   run_fold.c     folding ended processes (and removing their segments) while the run goes on
 *   run_write.c    the profile file, MPI job profile merge
 */
#ifndef VIGIL_CLI_RUN_INTERNAL_H
#define VIGIL_CLI_RUN_INTERNAL_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "format/profile.h"

#define RUN_EXIT_USAGE 2
#define RUN_EXIT_FAIL  125
#define RUN_EXIT_NOEXEC 126
#define RUN_EXIT_NOTFOUND 127
#define RUN_SEG_MAX   (64u << 20)  /* largest segment file we copy */
#define RUN_DEFAULT_LINGER 10.0

#if defined(__SANITIZE_ADDRESS__)
#define RUN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUN_ASAN 1
#endif
#endif

struct run_opts {
	const char *profile;   /* --profile, NULL = default name */
	const char *store;     /* --profile-dir or VIGIL_PROFILE_DIR: the site profile store, NULL = none */
	int quiet;
	double linger;
	const char *mpi;       /* --mpi IMPL: VIGIL_MPI for the MPI collectors, NULL = auto */
	const char *insights;  /* --insights FILE, NULL = /etc/vigil/insights.conf if present */
	char **cmd;            /* CMD and its arguments */
};

/*
 * The one buffer every segment of the run is copied into (run_collect.c): a
 * fresh zeroed 1.4 MiB per segment cost more than its fold; after each fold
 * only the ranges its copy filled are zeroed again.
 */
#define RUN_COPY_RANGES 48
struct run_copy_range {
	uint64_t off, len;
};
struct run_copybuf {
	unsigned char *buf;
	size_t cap;
	struct run_copy_range filled[RUN_COPY_RANGES];
	size_t nfilled;
	int all;               /* more ranges than fit: zero it all */
};

/* A status reaped from a child (CMD or an adopted orphan). */
struct run_reaped {
	pid_t pid;
	int status;
	double when;           /* Unix seconds */
};

struct run_state {
	int dirfd;
	char dir[PATH_MAX];
	char run_id[40];
	char job_id[64];
	char step[32];
	pid_t cmd_pid;
	int cmd_status;
	double t_start, t_end;
	uint64_t self_start;       /* vigil run's own start in ticks since boot: older segments are not the run's */
	struct vigil_tsc_mark tsc_mark; /* taken before the spawn: the TSC rate without a calibration sleep */
	struct run_reaped *reaped;
	size_t nreaped, reaped_cap;
	int no_children;       /* waitpid said ECHILD after CMD ended */
	char mpi_profile[PATH_MAX + 64]; /* VIGIL_PROFILE given to MPI ranks (docs/MPI-COUNTING.md) */
	size_t mpi_reduced;    /* segments already in that profile, left out of ours */
	double calib;          /* seconds per TSC tick (run_collect.c), 0 until needed */
	int have_cmd;          /* CMD's own segment was folded */
	struct run_copybuf copy; /* segment copies (run_collect.c); freed by run_copy_free */
	/* folding ended processes during the run (run_collect.c) */
	int inofd;             /* inotify on the segment directory, -1: fold everything at the end */
	struct vigil_profile *fold_into;
	struct vigil_proc_timeline *folded; size_t nfolded, folded_cap; /* timelines awaiting the grid */
	char (*pending)[64]; size_t npending, pending_cap; /* ended, their process not yet gone */
	char **taken; size_t ntaken; /* folded but not removed */
	timer_t fold_timer;    /* SIGIO when a held-off pass is due (run_fold.c) */
	int fold_timer_ok, fold_held; /* fold_held: O_ASYNC off, the timer armed */
	double fold_last;      /* CLOCK_MONOTONIC seconds of the last pass */
};

/* run_spawn.c */
int run_find_collector(char *out, size_t len);
char *run_build_preload(const char *collector);
int run_setup_ids(struct run_state *st);
int run_open_segdir(struct run_state *st);
int run_setup_mpi(struct run_state *st, const struct run_opts *o);
void run_warn_unobservable(const char *cmd);
int run_spawn_wait(struct run_state *st, const struct run_opts *o);
int run_exit_code(int status);
const struct run_reaped *run_find_reaped(const struct run_state *st, pid_t pid);

/* run_collect.c */
int run_collect(struct run_state *st, struct vigil_profile *p);
int run_still_alive(pid_t pid, uint64_t proc_start);
/* This process's start time in clock ticks since boot (/proc/self/stat field 22), 0 unknown. */
uint64_t run_self_start(void);
int run_take(struct run_state *st, struct vigil_profile *p, const char *name,
             struct vigil_proc_timeline *keep, int *removed);
void run_copy_free(struct run_state *st);

/* run_fold.c */
int run_fold_start(struct run_state *st, struct vigil_profile *p);
void run_fold_ended(struct run_state *st);
void run_fold_end(struct run_state *st);
void run_fold_remember(struct run_state *st, const char *name);
int run_fold_was_taken(const struct run_state *st, const char *name);
void run_fold_fix_signals(const struct run_state *st, struct vigil_profile *p);
int run_proc_cmp(const void *a, const void *b);

/* run_write.c */
int run_check_profile(const struct run_opts *o);  /* before CMD: -1 after one sentence */
int run_save(const struct run_state *st, const struct run_opts *o,
             const struct vigil_profile *p, const char **where);
void run_user(struct vigil_profile *p);
void run_join_command(struct vigil_profile *p, char **cmd);
int run_merge_mpi(struct run_state *st, struct vigil_profile *p);

#endif
