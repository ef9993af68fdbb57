/*
 * insights_int.h - what the files of the rules engine share (not an API:
 * include/vigil/rules.h and format/insights.h are).
 *   insights.c       derived sums, findings, the evaluator's entry points
 *   insights_text.c  numbers, sizes, the fix template
 *   insights_io.c    the I/O and metadata rules
 *   insights_mpi.c   the parallel and MPI rules
 *   insights_accel.c the accelerator (OpenCL) rules
 */
#ifndef VIGIL_INSIGHTS_INT_H
#define VIGIL_INSIGHTS_INT_H

#include <stddef.h>
#include <stdint.h>
#include "format/insights.h"
#include "format/profile.h"

#define INS_TOP 3         /* files or ranks named in evidence */
#define INS_VARS 12       /* measured quantities a judge gives its fix template */

/* The {name} values of a fix template. */
struct ins_vars {
	int n;
	const char *name[INS_VARS];
	char val[INS_VARS][96];
};

/* One evaluation: the input, its derived sums, the findings being written. */
struct ins_ctx {
	const struct vigil_insights_conf *c;
	const struct vigil_insight_input *in;
	struct vigil_finding *out;
	double proc_seconds;        /* sum of the processes' lifetimes (window parts) */
	double io_seconds;          /* I/O time on regular files, nested MPI-IO POSIX time once */
	unsigned char *direct;      /* per file: POSIX record of a regular file without MPI-IO */
};

/* A rank: its processes folded. */
struct ins_rank {
	int32_t rank;
	double seconds;             /* lifetime */
	double io_bytes;            /* top-layer I/O bytes */
	double io_seconds;
	double mpi_seconds;         /* MPI time, MPI_Init and MPI_Finalize excluded */
	const struct vigil_opstat *ops[4]; int nops; /* its processes' counters (forked children share a rank) */
};

/* insights_text.c */
char *ins_var(struct ins_vars *v, const char *name);
const char *ins_count(char *buf, size_t len, double x);
const char *ins_bytes(char *buf, size_t len, double b);
const char *ins_pct(char *buf, size_t len, double r);
const char *ins_secs(char *buf, size_t len, double s);
const char *ins_bucket(char *buf, size_t len, int b);
void ins_expand(char *out, size_t len, const char *tpl, const struct ins_vars *v);

/* insights.c: classes of operations, derived sums, findings */
double ins_p(const struct ins_ctx *x, int param);
int ins_is_direct_op(int op, int dir);
int ins_is_seek(int op);
int ins_is_meta(int op);
int ins_is_sync(int op);
int ins_is_collective(int op);
int ins_is_send(int op);
int ins_is_mpiio_coll(int op);
uint64_t ins_dir_n(const struct vigil_filestat *f, int dir);
double ins_dir_seconds(const struct vigil_filestat *f, int dir);
int ins_regular(const struct vigil_filestat *f);
int ins_has_layer(const struct vigil_insight_input *in, const char *path, int layer);
double ins_proc_io(const struct vigil_opstat *ops);
void ins_fire(struct ins_ctx *x, int rule, double value, double threshold, double t0, double t1,
              const char *evidence, const struct ins_vars *v);
void ins_not_evaluated(struct ins_ctx *x, int rule);
void ins_top_files(const struct ins_ctx *x, double (*key)(const struct ins_ctx *, size_t, int), int arg,
                   const char *what, char *out, size_t len, double *t0, double *t1);
int ins_median_bucket(const uint64_t *h, int last);
int ins_small_last(double bytes);

/* insights_io.c: one judge per rule */
void ins_small(struct ins_ctx *x, int dir);
void ins_random(struct ins_ctx *x);
void ins_metadata_heavy(struct ins_ctx *x);
void ins_metadata_storm(struct ins_ctx *x);
void ins_many_small_files(struct ins_ctx *x);
void ins_redundant_reads(struct ins_ctx *x);
void ins_sync_heavy(struct ins_ctx *x);
void ins_stdio_heavy(struct ins_ctx *x);
void ins_misaligned(struct ins_ctx *x);
void ins_io_errors(struct ins_ctx *x);
void ins_io_dominant(struct ins_ctx *x);

/* insights_mpi.c */
struct ins_rank *ins_ranks(const struct ins_ctx *x, size_t *n);
void ins_single_rank_io(struct ins_ctx *x, const struct ins_rank *r, size_t n);
void ins_io_imbalance(struct ins_ctx *x, const struct ins_rank *r, size_t n);
void ins_no_collective(struct ins_ctx *x);
void ins_load_imbalance(struct ins_ctx *x, const struct ins_rank *r, size_t n);
void ins_wait_dominant(struct ins_ctx *x, const struct ins_rank *r, size_t n);
void ins_small_messages(struct ins_ctx *x, const struct ins_rank *r, size_t n);

/* insights_accel.c */
void ins_transfer_bound(struct ins_ctx *x);
void ins_small_transfers(struct ins_ctx *x);
void ins_host_waits(struct ins_ctx *x);

#endif
