/*
 * insights_mpi.c - the parallel and MPI rules (docs/INSIGHTS.md): per-rank
 * folds of the processes' totals, then one judge each.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "format/insights_int.h"

/* Evidence and fix texts are cut to their buffers on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* ---- parallel and MPI rules: per rank ------------------------------------------- */

static int ins_rank_cmp(const void *a, const void *b)
{
	const struct ins_rank *x = a, *y = b;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

static double ins_rank_op(const struct ins_rank *r, int op)
{
	double s = 0;
	for (int i = 0; i < r->nops; i++)
		s += r->ops[i][op].seconds;
	return s;
}

/* Ranks sorted by rank; NULL with *n = 0 when none. */
struct ins_rank *ins_ranks(const struct ins_ctx *x, size_t *n)
{
	const struct vigil_insight_input *in = x->in;
	struct ins_rank *r = calloc(in->nprocs ? in->nprocs : 1, sizeof(*r));
	size_t k = 0;
	*n = 0;
	if (!r)
		return NULL;
	/* POSIX and stdio bytes count only in the share that regular files without MPI-IO took job-wide. */
	double ps_all = 0, ps_reg = 0;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		int l = vigil_op_table[o].layer;
		if (vigil_op_table[o].cls == VIGIL_CLASS_DATA && (l == VIGIL_LAYER_POSIX || l == VIGIL_LAYER_STDIO))
			ps_all += (double)in->ops[o].bytes;
	}
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		if (x->direct[i] || (ins_regular(f) && f->layer == VIGIL_FLAYER_STDIO))
			ps_reg += (double)f->bytes_read + (double)f->bytes_written;
	}
	double ps_share = ps_all > 0 ? (ps_reg < ps_all ? ps_reg / ps_all : 1) : 0;
	double raw_io = ins_proc_io(in->ops), io_scale = raw_io > 0 ? x->io_seconds / raw_io : 0;
	for (size_t i = 0; i < in->nprocs; i++) {
		const struct vigil_insight_proc *p = &in->procs[i];
		if (p->rank < 0)
			continue;
		size_t j = 0;
		while (j < k && r[j].rank != p->rank)
			j++;
		if (j == k) {
			r[k].rank = p->rank;
			k++;
		}
		if (p->seconds > r[j].seconds)
			r[j].seconds = p->seconds;
		if (r[j].nops < 4)
			r[j].ops[r[j].nops++] = p->ops;
		for (int o = 0; o < VIGIL_NOPS; o++) {
			const struct vigil_op_info *oi = &vigil_op_table[o];
			const struct vigil_opstat *s = &p->ops[o];
			if (oi->cls == VIGIL_CLASS_DATA && oi->layer == VIGIL_LAYER_MPIIO)
				r[j].io_bytes += (double)s->bytes;
			else if (oi->cls == VIGIL_CLASS_DATA && vigil_layer_is_io(oi->layer))
				r[j].io_bytes += (double)s->bytes * ps_share;
			if (oi->layer == VIGIL_LAYER_MPI && o != VIGIL_OP_MPI_INIT && o != VIGIL_OP_MPI_INIT_THREAD &&
			    o != VIGIL_OP_MPI_FINALIZE)
				r[j].mpi_seconds += s->seconds;
		}
		r[j].io_seconds += ins_proc_io(p->ops) * io_scale;
	}
	qsort(r, k, sizeof(*r), ins_rank_cmp);
	*n = k;
	return r;
}

void ins_single_rank_io(struct ins_ctx *x, const struct ins_rank *r, size_t n)
{
	double total = 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		total += r[i].io_bytes;
		if (r[i].io_bytes > r[m].io_bytes)
			m = i;
	}
	if (n < ins_p(x, VIGIL_RP_SINGLE_RANK_IO_min_ranks) || !(total >= ins_p(x, VIGIL_RP_SINGLE_RANK_IO_min_bytes)))
		return;
	double ratio = r[m].io_bytes / total;
	double rank_share = r[m].seconds > 0 ? r[m].io_seconds / r[m].seconds : 0;
	double th = ins_p(x, VIGIL_RP_SINGLE_RANK_IO_min_ratio);
	if (!(ratio >= th && rank_share >= ins_p(x, VIGIL_RP_SINGLE_RANK_IO_min_rank_io_share)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	snprintf(ins_var(&v, "rank"), 96, "%d", (int)r[m].rank);
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_bytes(ins_var(&v, "bytes"), 96, total);
	ins_pct(ins_var(&v, "rank_pct"), 96, rank_share);
	snprintf(ev, sizeof(ev), "rank %s of %zu moved %s of %s (%s of its time in I/O)", v.val[0], n, v.val[1],
	         v.val[2], v.val[3]);
	ins_fire(x, VIGIL_RULE_SINGLE_RANK_IO, ratio, th, 0, 0, ev, &v);
}

/*
 * Drishti's straggler test (P19) on files shared by ranks: the slowest rank's
 * time on the file exceeds the fastest's by more than min_time_ratio of the
 * file's time (all ranks).  Top layer only: an MPI-IO file's record, or the
 * POSIX record of a file without MPI-IO; and only files that carry at least
 * a tenth of the ranks' bytes (the MPI library's probes of /sys and /proc are
 * shared too, and a rank descheduled while reading one is no straggler).  The
 * file with the largest ratio.
 */
static void ins_straggler(struct ins_ctx *x, double total)
{
	const struct vigil_insight_input *in = x->in;
	double th = ins_p(x, VIGIL_RP_IO_IMBALANCE_min_time_ratio), best = -1;
	size_t bi = 0;
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		if (!ins_regular(f) || !(f->layer == VIGIL_FLAYER_MPIIO || x->direct[i]) || f->nranks < 2 ||
		    f->fastest_rank < 0 || f->slowest_rank < 0 || !(f->seconds > 0) ||
		    (double)f->bytes_read + (double)f->bytes_written < total / 10)
			continue;
		double ratio = (f->slowest_rank_seconds - f->fastest_rank_seconds) / f->seconds;
		if (ratio > best) {
			best = ratio;
			bi = i;
		}
	}
	if (!(best > th))
		return;
	const struct vigil_filestat *f = &in->files[bi];
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], s1[32], s2[32], s3[32], p[32];
	ins_secs(s1, sizeof(s1), f->slowest_rank_seconds);
	ins_secs(s2, sizeof(s2), f->fastest_rank_seconds);
	ins_secs(s3, sizeof(s3), f->seconds);
	ins_pct(p, sizeof(p), best);
	snprintf(ev, sizeof(ev), "%s, shared by %u ranks: rank %d spent %s on it, rank %d %s (%s of the %s all ranks spent on it)",
	         f->path, f->nranks, (int)f->slowest_rank, s1, (int)f->fastest_rank, s2, p, s3);
	snprintf(ins_var(&v, "imbalance"), 96, "One rank is slow on a shared file: rank %d %s, rank %d %s",
	         (int)f->slowest_rank, s1, (int)f->fastest_rank, s2);
	snprintf(ins_var(&v, "hint"), 96, " (check that rank's requests, its node and the file's striping)");
	ins_fire(x, VIGIL_RULE_IO_IMBALANCE, best, th, f->first_access, f->last_access, ev, &v);
}

void ins_io_imbalance(struct ins_ctx *x, const struct ins_rank *r, size_t n)
{
	/* One rank doing (nearly) all the I/O is single_rank_io's finding: one cause, one finding. */
	if (x->out[VIGIL_RULE_SINGLE_RANK_IO].state == VIGIL_FINDING_FIRED)
		return;
	double total = 0;
	size_t doing = 0, hi = 0, lo = 0;
	int first = 1;
	for (size_t i = 0; i < n; i++) {
		total += r[i].io_bytes;
		if (!(r[i].io_bytes > 0))
			continue;
		doing++;
		if (first || r[i].io_bytes > r[hi].io_bytes)
			hi = i;
		if (first || r[i].io_bytes < r[lo].io_bytes)
			lo = i;
		first = 0;
	}
	if (n < ins_p(x, VIGIL_RP_IO_IMBALANCE_min_ranks) || doing < 2 ||
	    !(total >= ins_p(x, VIGIL_RP_IO_IMBALANCE_min_bytes)))
		return;
	double ratio = (r[hi].io_bytes - r[lo].io_bytes) / r[hi].io_bytes;
	double th = ins_p(x, VIGIL_RP_IO_IMBALANCE_min_ratio);
	if (!(ratio > th)) {
		ins_straggler(x, total);
		return;
	}
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], b1[32], b2[32], p[32];
	snprintf(ev, sizeof(ev), "%zu of %zu ranks do I/O: rank %d moved %s, rank %d moved %s", doing, n, (int)r[hi].rank,
	         ins_bytes(b1, sizeof(b1), r[hi].io_bytes), (int)r[lo].rank, ins_bytes(b2, sizeof(b2), r[lo].io_bytes));
	snprintf(ins_var(&v, "imbalance"), 96, "Ranks move unequal amounts of data: rank %d %s, rank %d %s (%s spread)",
	         (int)r[hi].rank, b1, (int)r[lo].rank, b2, ins_pct(p, sizeof(p), ratio));
	ins_var(&v, "hint")[0] = '\0';
	ins_fire(x, VIGIL_RULE_IO_IMBALANCE, ratio, th, 0, 0, ev, &v);
}

void ins_no_collective(struct ins_ctx *x)
{
	double indep = 0, coll = 0;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		const struct vigil_op_info *i = &vigil_op_table[o];
		if (i->layer != VIGIL_LAYER_MPIIO || i->cls != VIGIL_CLASS_DATA)
			continue;
		if (ins_is_mpiio_coll(o))
			coll += (double)x->in->ops[o].calls;
		else
			indep += (double)x->in->ops[o].calls;
	}
	double th = ins_p(x, VIGIL_RP_NO_COLLECTIVE_MPIIO_min_count);
	if (!(indep > th && coll == 0))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	ins_count(ins_var(&v, "count"), 96, indep);
	snprintf(ev, sizeof(ev), "%s independent MPI-IO data calls, 0 collective", v.val[0]);
	ins_fire(x, VIGIL_RULE_NO_COLLECTIVE_MPIIO, indep, th, 0, 0, ev, &v);
}

void ins_load_imbalance(struct ins_ctx *x, const struct ins_rank *r, size_t n)
{
	if (n < 2)
		return;
	double sum_u = 0, sum_t = 0, sum_mpi = 0;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		double u = r[i].seconds - r[i].mpi_seconds;
		sum_u += u > 0 ? u : 0;
		sum_t += r[i].seconds;
		sum_mpi += r[i].mpi_seconds;
		if (r[i].seconds - r[i].mpi_seconds > r[m].seconds - r[m].mpi_seconds)
			m = i;
	}
	double max_u = r[m].seconds - r[m].mpi_seconds;
	if (!(max_u > 0) || !(sum_t > 0))
		return;
	double mean = sum_u / (double)n, lb = mean / max_u, share = sum_mpi / sum_t;
	double th = ins_p(x, VIGIL_RP_MPI_LOAD_IMBALANCE_max_lb);
	if (!(lb < th && share >= ins_p(x, VIGIL_RP_MPI_LOAD_IMBALANCE_min_mpi_share)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	snprintf(ins_var(&v, "lb"), 96, "%.2f", lb);
	snprintf(ins_var(&v, "max_rank"), 96, "%d", (int)r[m].rank);
	ins_secs(ins_var(&v, "max_useful"), 96, max_u);
	ins_secs(ins_var(&v, "mean_useful"), 96, mean);
	ins_pct(ins_var(&v, "mpi_pct"), 96, share);
	snprintf(ev, sizeof(ev), "load balance %s over %zu ranks; rank %s spends %s outside MPI, the mean is %s; "
	         "MPI is %s of the ranks' time", v.val[0], n, v.val[1], v.val[2], v.val[3], v.val[4]);
	ins_fire(x, VIGIL_RULE_MPI_LOAD_IMBALANCE, lb, th, 0, 0, ev, &v);
}

void ins_wait_dominant(struct ins_ctx *x, const struct ins_rank *r, size_t n)
{
	if (n < 2)
		return;
	double sum_t = 0;
	for (size_t i = 0; i < n; i++)
		sum_t += r[i].seconds;
	if (!(sum_t > 0))
		return;
	int best = -1;
	double best_share = 0, best_spread = 0;
	size_t best_lo = 0, best_hi = 0;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		if (!ins_is_collective(o) || !x->in->ops[o].calls)
			continue;
		double sum = 0;
		size_t lo = 0, hi = 0;
		for (size_t i = 0; i < n; i++) {
			double t = ins_rank_op(&r[i], o);
			sum += t;
			if (t < ins_rank_op(&r[lo], o))
				lo = i;
			if (t > ins_rank_op(&r[hi], o))
				hi = i;
		}
		double mean = sum / (double)n, share = sum / sum_t;
		double spread = mean > 0 ? (ins_rank_op(&r[hi], o) - ins_rank_op(&r[lo], o)) / mean : 0;
		if (share >= ins_p(x, VIGIL_RP_MPI_WAIT_DOMINANT_min_ratio) &&
		    spread >= ins_p(x, VIGIL_RP_MPI_WAIT_DOMINANT_min_spread) && share > best_share) {
			best = o;
			best_share = share;
			best_spread = spread;
			best_lo = lo;
			best_hi = hi;
		}
	}
	if (best < 0)
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	snprintf(ins_var(&v, "op"), 96, "%s", vigil_op_table[best].name);
	ins_pct(ins_var(&v, "pct"), 96, best_share);
	ins_secs(ins_var(&v, "min"), 96, ins_rank_op(&r[best_lo], best));
	ins_secs(ins_var(&v, "max"), 96, ins_rank_op(&r[best_hi], best));
	snprintf(ins_var(&v, "late_rank"), 96, "%d", (int)r[best_lo].rank);
	snprintf(ev, sizeof(ev), "%s: %s of the ranks' time; rank %s spent the least in it (%s, the late arriver), "
	         "rank %d the most (%s); spread %.2f of the mean", v.val[0], v.val[1], v.val[4], v.val[2],
	         (int)r[best_hi].rank, v.val[3], best_spread);
	ins_fire(x, VIGIL_RULE_MPI_WAIT_DOMINANT, best_share, ins_p(x, VIGIL_RP_MPI_WAIT_DOMINANT_min_ratio), 0, 0,
	         ev, &v);
}

void ins_small_messages(struct ins_ctx *x, const struct ins_rank *r, size_t n)
{
	const struct vigil_insight_input *in = x->in;
	if (!(in->end - in->start >= x->c->for_seconds) || !n)
		return;
	int last = ins_small_last(ins_p(x, VIGIL_RP_SMALL_MESSAGES_small_bytes));
	double sends = 0, small = 0, rank_t = 0;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		if (!ins_is_send(o))
			continue;
		sends += (double)in->ops[o].calls;
		for (int b = 0; b <= last; b++)
			small += (double)in->ops[o].hist[b];
	}
	for (size_t i = 0; i < n; i++)
		rank_t += r[i].seconds;
	double ratio = sends > 0 ? small / sends : 0, rate = rank_t > 0 ? sends / rank_t : 0;
	double th = ins_p(x, VIGIL_RP_SMALL_MESSAGES_min_ratio);
	if (!(ratio > th && rate > ins_p(x, VIGIL_RP_SMALL_MESSAGES_min_rate)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_count(ins_var(&v, "count"), 96, sends);
	ins_bytes(ins_var(&v, "small"), 96, ins_p(x, VIGIL_RP_SMALL_MESSAGES_small_bytes));
	ins_count(ins_var(&v, "rate"), 96, rate);
	snprintf(ev, sizeof(ev), "%s of %s point-to-point sends under %s; %s sends per second per rank", v.val[0],
	         v.val[1], v.val[2], v.val[3]);
	ins_fire(x, VIGIL_RULE_SMALL_MESSAGES, ratio, th, 0, 0, ev, &v);
}

