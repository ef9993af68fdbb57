/*
 * insights.c - the evaluator of the rules in include/vigil/rules.h.
 *
 * Every rule is a judge over counter sums (struct vigil_insight_input): job or
 * window totals per operation, per-process totals, per-file records.  The
 * formulas, and why each one is what it is, are in docs/INSIGHTS.md; the
 * comments here only say how the counters map onto them.
 *
 * Conventions shared by the judges:
 *  - "regular" data is what the per-file records of regular files say; the
 *    pseudo files (<stdout>, <pipe>, ...) and "<other files>" are left out, so
 *    a read blocked on a pipe is never I/O time.
 *  - Size histograms are per operation, not per file: a count of small
 *    requests on regular files is the histogram's count minus every request
 *    on the excluded records (as if all of those were small), so it is a
 *    lower bound and never blames a program for its terminal output.
 *  - The judges are deterministic: ties in "top" lists break by path or rank.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "format/insights_int.h"

/* Evidence and fix texts are cut to their buffers on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* ---- derived sums ------------------------------------------------------------ */

double ins_p(const struct ins_ctx *x, int param)
{
	return x->c->param[param];
}

int ins_is_direct_op(int op, int dir)
{
	if (dir == VIGIL_DIR_READ)
		return op == VIGIL_OP_READ || op == VIGIL_OP_PREAD || op == VIGIL_OP_READV || op == VIGIL_OP_PREADV;
	return op == VIGIL_OP_WRITE || op == VIGIL_OP_PWRITE || op == VIGIL_OP_WRITEV || op == VIGIL_OP_PWRITEV;
}

int ins_is_seek(int op)
{
	return op == VIGIL_OP_LSEEK || op == VIGIL_OP_FSEEK || op == VIGIL_OP_FTELL || op == VIGIL_OP_REWIND ||
	       op == VIGIL_OP_MPI_FILE_SEEK;
}

/* Metadata as the rules mean it: class metadata of the I/O layers, seeks excluded. */
int ins_is_meta(int op)
{
	const struct vigil_op_info *o = &vigil_op_table[op];
	return o->cls == VIGIL_CLASS_META && vigil_layer_is_io(o->layer) && !ins_is_seek(op);
}

int ins_is_sync(int op)
{
	return op == VIGIL_OP_FSYNC || op == VIGIL_OP_FDATASYNC || op == VIGIL_OP_MPI_FILE_SYNC ||
	       op == VIGIL_OP_SYNC_FILE_RANGE || op == VIGIL_OP_SYNCFS || op == VIGIL_OP_MSYNC;
}

int ins_is_collective(int op)
{
	return op >= VIGIL_OP_MPI_BARRIER && op <= VIGIL_OP_MPI_EXSCAN;
}

int ins_is_send(int op)
{
	return (op >= VIGIL_OP_MPI_SEND && op <= VIGIL_OP_MPI_IRSEND) || op == VIGIL_OP_MPI_SENDRECV ||
	       op == VIGIL_OP_MPI_SENDRECV_REPLACE;
}

/* MPI-IO data calls that are collective (_all, _ordered). */
int ins_is_mpiio_coll(int op)
{
	const char *n = vigil_op_table[op].name;
	return strstr(n, "_all") || strstr(n, "_ordered");
}

uint64_t ins_dir_n(const struct vigil_filestat *f, int dir)
{
	return dir == VIGIL_DIR_READ ? f->reads : f->writes;
}

/* The share of a record's time that its direction's data calls took (time is per record). */
double ins_dir_seconds(const struct vigil_filestat *f, int dir)
{
	double all = (double)f->reads + (double)f->writes + (double)f->meta_ops;
	return all > 0 ? f->seconds * (double)ins_dir_n(f, dir) / all : 0;
}

int ins_regular(const struct vigil_filestat *f)
{
	return f->kind == VIGIL_FILE_REGULAR;
}

/* Has `path` a record of `layer`? (Profiles keep records sorted, but a window's input need not be.) */
int ins_has_layer(const struct vigil_insight_input *in, const char *path, int layer)
{
	for (size_t i = 0; i < in->nfiles; i++)
		if (in->files[i].layer == layer && !strcmp(in->files[i].path, path))
			return 1;
	return 0;
}

/* Per-process I/O time: I/O layers' data, metadata and sync time, nested POSIX time of MPI-IO once. */
double ins_proc_io(const struct vigil_opstat *ops)
{
	double t = 0;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		const struct vigil_op_info *i = &vigil_op_table[o];
		if (!vigil_layer_is_io(i->layer) || i->cls == VIGIL_CLASS_OTHER || ins_is_seek(o)) /* never MPI or OpenCL */
			continue;
		t += ops[o].seconds;
	}
	return t;
}

static int ins_prepare(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	x->direct = calloc(in->nfiles ? in->nfiles : 1, 1);
	if (!x->direct)
		return -ENOMEM;
	int any_mpiio = 0;
	for (size_t i = 0; i < in->nfiles; i++)
		any_mpiio |= in->files[i].layer == VIGIL_FLAYER_MPIIO;
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		if (f->layer != VIGIL_FLAYER_POSIX || !ins_regular(f))
			continue;
		int under_mpiio = 0;
		for (size_t j = 0; any_mpiio && j < in->nfiles && !under_mpiio; j++)
			under_mpiio = in->files[j].layer == VIGIL_FLAYER_MPIIO && !strcmp(in->files[j].path, f->path);
		x->direct[i] = !under_mpiio;
	}
	for (size_t i = 0; i < in->nprocs; i++)
		x->proc_seconds += in->procs[i].seconds > 0 ? in->procs[i].seconds : 0;
	/*
	 * I/O time: every I/O-layer op's time, less the time on pseudo files
	 * (waiting on pipes and terminals), less POSIX time on MPI-IO files
	 * (already inside the MPI-IO calls).
	 */
	double t = ins_proc_io(in->ops);
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		int pseudo = f->kind != VIGIL_FILE_REGULAR && f->kind != VIGIL_FILE_OVERFLOW;
		if (pseudo || (f->layer == VIGIL_FLAYER_POSIX && ins_regular(f) && !x->direct[i]))
			t -= f->seconds;
	}
	x->io_seconds = t > 0 ? t : 0;
	return 0;
}

/* ---- findings ------------------------------------------------------------------ */

void ins_fire(struct ins_ctx *x, int rule, double value, double threshold, double t0, double t1,
                     const char *evidence, const struct ins_vars *v)
{
	struct vigil_finding *f = &x->out[rule];
	f->state = VIGIL_FINDING_FIRED;
	f->severity = x->c->severity[rule];
	f->value = value;
	f->threshold = threshold;
	if (!(t0 > 0) || !(t1 >= t0)) {
		t0 = x->in->start;
		t1 = x->in->end > t0 ? x->in->end : t0;
	}
	f->first_fired = t0;
	f->last_fired = t1;
	f->active_seconds = t1 - t0;
	snprintf(f->evidence, sizeof(f->evidence), "%s", evidence);
	ins_expand(f->fix, sizeof(f->fix), vigil_rule_table[rule].fix, v);
}

void ins_not_evaluated(struct ins_ctx *x, int rule)
{
	x->out[rule].state = VIGIL_FINDING_NOT_EVALUATED;
	x->out[rule].severity = x->c->severity[rule];
}

/* Top files by key(f) > 0, descending, ties by path; writes "path (N what), ..." and their span. */
void ins_top_files(const struct ins_ctx *x, double (*key)(const struct ins_ctx *, size_t, int), int arg,
                          const char *what, char *out, size_t len, double *t0, double *t1)
{
	size_t best[INS_TOP];
	int n = 0;
	for (size_t i = 0; i < x->in->nfiles; i++) {
		double k = key(x, i, arg);
		if (!(k > 0))
			continue;
		int pos = n;
		while (pos > 0) {
			double kp = key(x, best[pos - 1], arg);
			if (kp > k || (kp == k && strcmp(x->in->files[best[pos - 1]].path, x->in->files[i].path) <= 0))
				break;
			pos--;
		}
		if (pos >= INS_TOP)
			continue;
		if (n < INS_TOP)
			n++;
		memmove(&best[pos + 1], &best[pos], (size_t)(n - 1 - pos) * sizeof(best[0]));
		best[pos] = i;
	}
	size_t k = 0;
	out[0] = '\0';
	*t0 = *t1 = 0;
	for (int i = 0; i < n && k + 1 < len; i++) {
		const struct vigil_filestat *f = &x->in->files[best[i]];
		char c[32];
		int w = snprintf(out + k, len - k, "%s%s (%s %s)", i ? ", " : "", f->path,
		                 ins_count(c, sizeof(c), key(x, best[i], arg)), what);
		k += w < 0 ? 0 : (size_t)w;
		if (f->first_access > 0 && (*t0 == 0 || f->first_access < *t0))
			*t0 = f->first_access;
		if (f->last_access > *t1)
			*t1 = f->last_access;
	}
	if (k >= len)
		out[len - 1] = '\0';
}

/* Median bucket of hist restricted to buckets [0, last]. */
int ins_median_bucket(const uint64_t *h, int last)
{
	uint64_t total = 0, run = 0;
	for (int b = 0; b <= last; b++)
		total += h[b];
	for (int b = 0; b <= last; b++) {
		run += h[b];
		if (total && run * 2 >= total)
			return b;
	}
	return 0;
}

/* Highest histogram bucket entirely below `bytes` (bucket b holds [2^(b-1), 2^b)). */
int ins_small_last(double bytes)
{
	int last = 0;
	for (int b = 1; b < VIGIL_HIST_BUCKETS - 1; b++)
		if (ldexp(1, b) <= bytes)
			last = b;
	return last;
}

/* ---- entry points -------------------------------------------------------------- */

void vigil_insights_eval(const struct vigil_insights_conf *c, const struct vigil_insight_input *in,
                         struct vigil_finding out[VIGIL_NRULES])
{
	struct ins_ctx x = { .c = c, .in = in, .out = out };
	memset(out, 0, VIGIL_NRULES * sizeof(*out));
	for (int r = 0; r < VIGIL_NRULES; r++)
		out[r].severity = c->severity[r];
	if (ins_prepare(&x) != 0) {
		for (int r = 0; r < VIGIL_NRULES; r++)
			ins_not_evaluated(&x, r);
		return;
	}
	size_t nr = 0;
	struct ins_rank *ranks = ins_ranks(&x, &nr);
	int have_files = (in->have & VIGIL_HAVE_FILES) != 0, have_procs = (in->have & VIGIL_HAVE_PROCS) != 0;
	/* Which judge needs what: files, processes (lifetimes, ranks). */
	static const struct { int rule; int files, procs; } needs[] = {
		{ VIGIL_RULE_SMALL_WRITES, 1, 1 }, { VIGIL_RULE_SMALL_READS, 1, 1 }, { VIGIL_RULE_RANDOM_ACCESS, 0, 1 },
		{ VIGIL_RULE_METADATA_HEAVY, 1, 1 }, { VIGIL_RULE_METADATA_STORM, 0, 0 },
		{ VIGIL_RULE_MANY_SMALL_FILES, 1, 1 }, { VIGIL_RULE_REDUNDANT_READS, 1, 0 },
		{ VIGIL_RULE_SYNC_HEAVY, 1, 0 }, { VIGIL_RULE_STDIO_HEAVY, 1, 0 }, { VIGIL_RULE_MISALIGNED_IO, 0, 0 },
		{ VIGIL_RULE_IO_ERRORS, 0, 0 }, { VIGIL_RULE_IO_DOMINANT, 1, 1 }, { VIGIL_RULE_SINGLE_RANK_IO, 1, 1 },
		{ VIGIL_RULE_IO_IMBALANCE, 1, 1 }, { VIGIL_RULE_NO_COLLECTIVE_MPIIO, 0, 0 },
		{ VIGIL_RULE_MPI_LOAD_IMBALANCE, 0, 1 }, { VIGIL_RULE_MPI_WAIT_DOMINANT, 0, 1 },
		{ VIGIL_RULE_SMALL_MESSAGES, 0, 1 },
		{ VIGIL_RULE_TRANSFER_BOUND, 0, 1 }, { VIGIL_RULE_SMALL_TRANSFERS, 0, 0 }, { VIGIL_RULE_HOST_WAITS, 0, 1 },
	};
	_Static_assert(sizeof(needs) / sizeof(needs[0]) == VIGIL_NRULES, "every rule says what it needs");
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
		int r = needs[i].rule;
		if (!c->enabled[r])
			continue;
		if ((needs[i].files && !have_files) || (needs[i].procs && !have_procs) ||
		    (!ranks && (needs[i].procs || needs[i].files))) {
			ins_not_evaluated(&x, r);
			continue;
		}
		switch (r) {
		case VIGIL_RULE_SMALL_WRITES: ins_small(&x, VIGIL_DIR_WRITE); break;
		case VIGIL_RULE_SMALL_READS: ins_small(&x, VIGIL_DIR_READ); break;
		case VIGIL_RULE_RANDOM_ACCESS: ins_random(&x); break;
		case VIGIL_RULE_METADATA_HEAVY: ins_metadata_heavy(&x); break;
		case VIGIL_RULE_METADATA_STORM: ins_metadata_storm(&x); break;
		case VIGIL_RULE_MANY_SMALL_FILES: ins_many_small_files(&x); break;
		case VIGIL_RULE_REDUNDANT_READS: ins_redundant_reads(&x); break;
		case VIGIL_RULE_SYNC_HEAVY: ins_sync_heavy(&x); break;
		case VIGIL_RULE_STDIO_HEAVY: ins_stdio_heavy(&x); break;
		case VIGIL_RULE_MISALIGNED_IO: ins_misaligned(&x); break;
		case VIGIL_RULE_IO_ERRORS: ins_io_errors(&x); break;
		case VIGIL_RULE_IO_DOMINANT: ins_io_dominant(&x); break;
		case VIGIL_RULE_SINGLE_RANK_IO: ins_single_rank_io(&x, ranks, nr); break;
		case VIGIL_RULE_IO_IMBALANCE: ins_io_imbalance(&x, ranks, nr); break;
		case VIGIL_RULE_NO_COLLECTIVE_MPIIO: ins_no_collective(&x); break;
		case VIGIL_RULE_MPI_LOAD_IMBALANCE: ins_load_imbalance(&x, ranks, nr); break;
		case VIGIL_RULE_MPI_WAIT_DOMINANT: ins_wait_dominant(&x, ranks, nr); break;
		case VIGIL_RULE_SMALL_MESSAGES: ins_small_messages(&x, ranks, nr); break;
		case VIGIL_RULE_TRANSFER_BOUND: ins_transfer_bound(&x); break;
		case VIGIL_RULE_SMALL_TRANSFERS: ins_small_transfers(&x); break;
		case VIGIL_RULE_HOST_WAITS: ins_host_waits(&x); break;
		}
	}
	free(ranks);
	free(x.direct);
}

int vigil_insights_judge_profile(struct vigil_profile *p, const struct vigil_insights_conf *c)
{
	struct vigil_insight_proc *procs = calloc(p->nprocs ? p->nprocs : 1, sizeof(*procs));
	if (!procs)
		return -ENOMEM;
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct vigil_procstat *ps = &p->procs[i];
		double end = ps->end > 0 ? ps->end : p->end;
		procs[i].rank = vigil_proc_mpi_rank(ps); /* MPI rules: only processes that called MPI_Init */
		procs[i].seconds = end > ps->start ? end - ps->start : 0;
		procs[i].ops = ps->ops;
	}
	struct vigil_insight_input in = {
		.ops = p->ops, .procs = procs, .nprocs = p->nprocs, .files = p->files, .nfiles = p->nfiles,
		.start = p->start, .end = p->end, .nhosts = p->nhosts ? (uint32_t)p->nhosts : 1,
		.have = VIGIL_HAVE_FILES | (p->nprocs ? VIGIL_HAVE_PROCS : 0) | p->insight_have,
		.accel = &p->accel, .again_errors = p->again_errors,
	};
	p->insights.conf = *c;
	vigil_insights_eval(c, &in, p->insights.f);
	p->insights.judged = 1;
	free(procs);
	return 0;
}

int vigil_insights_order(const struct vigil_insights *in, int idx[VIGIL_NRULES])
{
	int n = 0;
	for (int sev = VIGIL_SEV_CRITICAL; sev > VIGIL_SEV_OK; sev--)
		for (int r = 0; r < VIGIL_NRULES; r++)
			if (in->f[r].state == VIGIL_FINDING_FIRED && in->f[r].severity == sev)
				idx[n++] = r;
	return n;
}
