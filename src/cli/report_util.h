/*
 * report_util.h - what `vigil report` and `vigil diff` share: numbers derived
 * from a loaded profile, human units, and escaping of profile strings for
 * the terminal and for HTML.
 */
#ifndef VIGIL_REPORT_UTIL_H
#define VIGIL_REPORT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "format/profile.h"
#include "vigil/ops.h"

struct rep_sum {
	uint64_t calls, errors, bytes, bytes_read, bytes_written;
	double seconds;
};

/* Per-rank spread of one operation (MPI jobs). */
struct rep_balance {
	int op;
	double smin, smax, smean;      /* seconds */
	int32_t smin_rank, smax_rank;
	double bmin, bmax, bmean;      /* bytes */
	int32_t bmin_rank, bmax_rank;
	double imbalance;              /* smax / smean, 1 when balanced */
};

struct rep_summary {
	struct rep_sum layer[VIGIL_NLAYERS];
	struct rep_sum cls[VIGIL_NLAYERS][VIGIL_NCLASSES];
	struct rep_sum all;            /* every layer (bytes of MPI included) */
	double duration;               /* job end - start (0 if unknown) */
	double proc_seconds;           /* sum of process lifetimes */
	double lifetime_seconds;       /* the same, before raising it to the I/O + MPI time of overlapping threads */
	double io_seconds, mpi_seconds, rest_seconds;
	uint32_t nranks;               /* processes with rank >= 0 */
	struct rep_balance *bal; size_t nbal; /* ops with MPI-rank spread, by max seconds */
	/* MPI jobs (-1 when no rank made an MPI call): the rank that waited longest in MPI,
	 * and the one with the most time outside MPI (computing or I/O: it arrives last at
	 * the collectives, the others wait for it). */
	int32_t mpi_wait_rank, outside_rank;
	double mpi_wait_seconds, outside_seconds;
	size_t *by_bytes, *by_time;    /* file indexes, largest first */
	int ops_by_time[VIGIL_NOPS]; int nops; /* ops called, most time first */
};

int  rep_summarize(const struct vigil_profile *p, struct rep_summary *s);
void rep_summary_free(struct rep_summary *s);
/* d += operation `op`'s counts (its bytes also as read or written, by the op's direction). */
void rep_sum_add(struct rep_sum *d, const struct vigil_opstat *o, int op);

/*
 * Load a profile for subcommand `cmd`; on failure print "vigil CMD: <the
 * reader's sentence>" (terminal-safe) on stderr, free `p` and return -1.
 */
int rep_load(const char *cmd, const char *path, struct vigil_profile *p);
/*
 * `arg` for subcommand `cmd`: a file when one has that name (or when there
 * is no store), else a job id looked up in the profile store `store`
 * (common/store_find.h: the whole job's profile wins over node profiles,
 * which are merged).  Failure: one sentence on stderr, `p` freed, -1.
 */
int rep_load_job(const char *cmd, const char *arg, const char *store, struct vigil_profile *p);
/* The profile store: `flag` (--profile-dir) if given, else $VIGIL_PROFILE_DIR, else NULL. */
const char *rep_store(const char *flag);
/* --top N (1 to 1000000); else one sentence on stderr for `cmd` and -1. */
int rep_parse_top(const char *cmd, const char *arg, long *top);
/* Flush (and close, unless stdout) an output stream; a write error gets one sentence
 * "vigil CMD: cannot write NAME: REASON." on stderr and -1.  Set errno to 0 before
 * writing to f: a failed write's errno is the REASON when the flush cannot tell it. */
int rep_finish_output(const char *cmd, FILE *f, const char *name);
/* The profile's flags, then "survivors", as "a, b, c"; returns how many there are (out NULL: only count). */
int rep_flags(FILE *out, const struct vigil_profile *p);
/* "exited 3", "exited" (status unknown), "killed 9", "running". */
char *rep_proc_state(char *buf, size_t len, const struct vigil_procstat *q);
/* "3", or "-" for a process that is not an MPI rank (rank -1). */
char *rep_rank(char *buf, size_t len, int32_t rank);

/* Human units into buf (returns buf). */
char *rep_bytes(char *buf, size_t len, double b);    /* B, KiB, MiB, GiB, TiB */
char *rep_secs(char *buf, size_t len, double s);     /* ns, µs, ms, s, "2 h 5 min" (as the dashboard) */
char *rep_rate(char *buf, size_t len, double bps);   /* B/s, KiB/s, ... */
char *rep_pct(char *buf, size_t len, double frac);   /* 12.3 % */
char *rep_count(char *buf, size_t len, double n);    /* 1,234,567 or 1.234e+15 */
char *rep_hist_label(char *buf, size_t len, int bucket); /* "4K-8K" */
char *rep_time_utc(char *buf, size_t len, double unix_seconds);

/* Copy for a terminal: control characters (C0, DEL, C1) become '?'. */
char *rep_term(char *buf, size_t len, const char *s);
/* Number of terminal columns of a UTF-8 string (one per code point). */
size_t rep_width(const char *s);

/* HTML text / attribute escaping of a (UTF-8) profile string. */
void rep_html(FILE *out, const char *s);
/* A JSON string literal safe inside <script>: <, >, & and U+2028/9 as \u escapes. */
void rep_json_str(FILE *out, const char *s);

/* Aligned text tables. */
#define REP_MAXCOLS 12
struct rep_table {
	int ncols;
	const char *head[REP_MAXCOLS];
	char right[REP_MAXCOLS];       /* 1 = right-aligned */
	char **cells; size_t nrows, cap;
};
void rep_table_init(struct rep_table *t, int ncols, const char *const *head, const char *align);
void rep_table_add(struct rep_table *t, ...);  /* ncols strings, copied */
void rep_table_print(struct rep_table *t, FILE *out, const char *indent);
void rep_table_free(struct rep_table *t);

/*
 * The profile's findings (docs/INSIGHTS.md), most severe first: with detail 0
 * one line each (severity, rule, fix), as `vigil run` prints them; with
 * detail 1 also the title, evidence, window and threshold (`vigil report`).
 * A profile without findings, or judged with none, says so in one line.
 */
void rep_findings(FILE *out, const struct vigil_profile *p, int detail);
/* Upper-case severity label: "CRITICAL", "WARNING", "INFO". */
const char *rep_severity_label(int sev);
/* report_accel.c: the accelerator (OpenCL) section of the terminal report; nothing without OpenCL. */
void rep_accel_text(FILE *out, const struct vigil_profile *p, size_t top);

/* report.c / report_html.c */
void rep_text(FILE *out, const struct vigil_profile *p, const struct rep_summary *s, size_t top);
void rep_html_write(FILE *out, const struct vigil_profile *p, const struct rep_summary *s, size_t top);

#endif
