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
#include "format/insights.h"
#include "format/profile.h"

/* Evidence and fix texts are cut to their buffers on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define INS_TOP 3         /* files or ranks named in evidence */
#define INS_VARS 12

/* ---- text: numbers, sizes and the fix template ----------------------------- */

struct ins_vars {
	int n;
	const char *name[INS_VARS];
	char val[INS_VARS][96];
};

static char *ins_var(struct ins_vars *v, const char *name)
{
	if (v->n >= INS_VARS)
		return v->val[INS_VARS - 1]; /* never reached: judges set few */
	v->name[v->n] = name;
	v->val[v->n][0] = '\0';
	return v->val[v->n++];
}

/* 1234567 -> "1,234,567" */
static const char *ins_count(char *buf, size_t len, double x)
{
	char raw[32];
	int l = snprintf(raw, sizeof(raw), "%.0f", x > 0 && isfinite(x) ? x : 0.0);
	size_t k = 0;
	for (int i = 0; i < l && k + 2 < len; i++) {
		if (i && (l - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = raw[i];
	}
	buf[k] = '\0';
	return buf;
}

static const char *ins_bytes(char *buf, size_t len, double b)
{
	static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int i = 0;
	if (!(b > 0) || !isfinite(b))
		b = 0;
	while (b >= 1024 && i < 5) {
		b /= 1024;
		i++;
	}
	if (i == 0 || b >= 100 || b == floor(b))
		snprintf(buf, len, "%.0f %s", b, u[i]);
	else
		snprintf(buf, len, "%.1f %s", b, u[i]);
	return buf;
}

static const char *ins_pct(char *buf, size_t len, double r)
{
	double p = isfinite(r) ? r * 100 : 0;
	/* 99.9 % is not 100 %: one decimal near the ends of the scale */
	int dec = p != floor(p) && (p < 10 || (p > 99 && p < 100));
	snprintf(buf, len, dec ? "%.1f %%" : "%.0f %%", dec && p > 99 ? floor(p * 10) / 10 : p);
	return buf;
}

static const char *ins_secs(char *buf, size_t len, double s)
{
	if (!(s > 0) || !isfinite(s))
		s = 0;
	if (s < 1)
		snprintf(buf, len, "%.0f ms", s * 1e3);
	else if (s < 100)
		snprintf(buf, len, "%.1f s", s);
	else
		snprintf(buf, len, "%.0f s", s);
	return buf;
}

/* Histogram bucket b as a range: "0 B", "16–31 B", "1–2 KiB" ([1 KiB, 2 KiB)). */
static const char *ins_bucket(char *buf, size_t len, int b)
{
	if (b <= 0) {
		snprintf(buf, len, "0 B");
		return buf;
	}
	if (b >= VIGIL_HIST_BUCKETS - 1) {
		snprintf(buf, len, ">= 1 GiB");
		return buf;
	}
	double lo = ldexp(1, b - 1), hi = ldexp(1, b);
	if (hi <= 1024) {
		snprintf(buf, len, "%.0f–%.0f B", lo, hi - 1);
		return buf;
	}
	static const char *u[] = { "B", "KiB", "MiB", "GiB" };
	int i = 0;
	while (lo >= 1024 && i < 3) {
		lo /= 1024;
		hi /= 1024;
		i++;
	}
	snprintf(buf, len, "%.0f–%.0f %s", lo, hi, u[i]);
	return buf;
}

/* Replace {name} in the rule's template by the judge's values; unknown names stay. */
static void ins_expand(char *out, size_t len, const char *tpl, const struct ins_vars *v)
{
	size_t k = 0;
	for (const char *s = tpl; *s && k + 1 < len;) {
		if (*s == '{') {
			const char *e = strchr(s, '}');
			int hit = -1;
			for (int i = 0; e && i < v->n; i++)
				if (strlen(v->name[i]) == (size_t)(e - s - 1) && !strncmp(v->name[i], s + 1, (size_t)(e - s - 1)))
					hit = i;
			if (hit >= 0) {
				int w = snprintf(out + k, len - k, "%s", v->val[hit]);
				k += w < 0 ? 0 : (size_t)w;
				if (k >= len)
					k = len - 1;
				s = e + 1;
				continue;
			}
		}
		out[k++] = *s++;
	}
	out[k] = '\0';
}

/* ---- derived sums ------------------------------------------------------------ */

struct ins_ctx {
	const struct vigil_insights_conf *c;
	const struct vigil_insight_input *in;
	struct vigil_finding *out;
	double proc_seconds;        /* sum of the processes' lifetimes (window parts) */
	double io_seconds;          /* I/O time on regular files, nested MPI-IO POSIX time once */
	unsigned char *direct;      /* per file: POSIX record of a regular file without MPI-IO */
};

static double ins_p(const struct ins_ctx *x, int param)
{
	return x->c->param[param];
}

static int ins_is_direct_op(int op, int dir)
{
	if (dir == VIGIL_DIR_READ)
		return op == VIGIL_OP_READ || op == VIGIL_OP_PREAD || op == VIGIL_OP_READV || op == VIGIL_OP_PREADV;
	return op == VIGIL_OP_WRITE || op == VIGIL_OP_PWRITE || op == VIGIL_OP_WRITEV || op == VIGIL_OP_PWRITEV;
}

static int ins_is_seek(int op)
{
	return op == VIGIL_OP_LSEEK || op == VIGIL_OP_FSEEK || op == VIGIL_OP_FTELL || op == VIGIL_OP_REWIND ||
	       op == VIGIL_OP_MPI_FILE_SEEK;
}

/* Metadata as the rules mean it: class metadata of the I/O layers, seeks excluded. */
static int ins_is_meta(int op)
{
	const struct vigil_op_info *o = &vigil_op_table[op];
	return o->cls == VIGIL_CLASS_META && o->layer != VIGIL_LAYER_MPI && !ins_is_seek(op);
}

static int ins_is_sync(int op)
{
	return op == VIGIL_OP_FSYNC || op == VIGIL_OP_FDATASYNC || op == VIGIL_OP_MPI_FILE_SYNC ||
	       op == VIGIL_OP_SYNC_FILE_RANGE || op == VIGIL_OP_SYNCFS || op == VIGIL_OP_MSYNC;
}

static int ins_is_collective(int op)
{
	return op >= VIGIL_OP_MPI_BARRIER && op <= VIGIL_OP_MPI_EXSCAN;
}

static int ins_is_send(int op)
{
	return (op >= VIGIL_OP_MPI_SEND && op <= VIGIL_OP_MPI_IRSEND) || op == VIGIL_OP_MPI_SENDRECV ||
	       op == VIGIL_OP_MPI_SENDRECV_REPLACE;
}

/* MPI-IO data calls that are collective (_all, _ordered). */
static int ins_is_mpiio_coll(int op)
{
	const char *n = vigil_op_table[op].name;
	return strstr(n, "_all") || strstr(n, "_ordered");
}

static uint64_t ins_dir_n(const struct vigil_filestat *f, int dir)
{
	return dir == VIGIL_DIR_READ ? f->reads : f->writes;
}

/* The share of a record's time that its direction's data calls took (time is per record). */
static double ins_dir_seconds(const struct vigil_filestat *f, int dir)
{
	double all = (double)f->reads + (double)f->writes + (double)f->meta_ops;
	return all > 0 ? f->seconds * (double)ins_dir_n(f, dir) / all : 0;
}

static int ins_regular(const struct vigil_filestat *f)
{
	return f->kind == VIGIL_FILE_REGULAR;
}

/* Has `path` a record of `layer`? (Profiles keep records sorted, but a window's input need not be.) */
static int ins_has_layer(const struct vigil_insight_input *in, const char *path, int layer)
{
	for (size_t i = 0; i < in->nfiles; i++)
		if (in->files[i].layer == layer && !strcmp(in->files[i].path, path))
			return 1;
	return 0;
}

/* Per-process I/O time: I/O layers' data, metadata and sync time, nested POSIX time of MPI-IO once. */
static double ins_proc_io(const struct vigil_opstat *ops)
{
	double t = 0;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		const struct vigil_op_info *i = &vigil_op_table[o];
		if (i->layer == VIGIL_LAYER_MPI || i->cls == VIGIL_CLASS_OTHER || ins_is_seek(o))
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

static void ins_fire(struct ins_ctx *x, int rule, double value, double threshold, double t0, double t1,
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

static void ins_not_evaluated(struct ins_ctx *x, int rule)
{
	x->out[rule].state = VIGIL_FINDING_NOT_EVALUATED;
	x->out[rule].severity = x->c->severity[rule];
}

/* Top files by key(f) > 0, descending, ties by path; writes "path (N what), ..." and their span. */
static void ins_top_files(const struct ins_ctx *x, double (*key)(const struct ins_ctx *, size_t, int), int arg,
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
static int ins_median_bucket(const uint64_t *h, int last)
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
static int ins_small_last(double bytes)
{
	int last = 0;
	for (int b = 1; b < VIGIL_HIST_BUCKETS - 1; b++)
		if (ldexp(1, b) <= bytes)
			last = b;
	return last;
}

/* ---- I/O rules ----------------------------------------------------------------- */

static double ins_key_small(const struct ins_ctx *x, size_t i, int dir)
{
	const struct vigil_filestat *f = &x->in->files[i];
	int rule = dir == VIGIL_DIR_READ ? VIGIL_RULE_SMALL_READS : VIGIL_RULE_SMALL_WRITES;
	double small = ins_p(x, rule == VIGIL_RULE_SMALL_READS ? VIGIL_RP_SMALL_READS_small_bytes
	                                                       : VIGIL_RP_SMALL_WRITES_small_bytes);
	uint64_t n = ins_dir_n(f, dir);
	double bytes = (double)(dir == VIGIL_DIR_READ ? f->bytes_read : f->bytes_written);
	if (!x->direct[i] || !n || bytes / (double)n >= small)
		return 0;
	return (double)n;
}

static void ins_small(struct ins_ctx *x, int dir)
{
	int rd = dir == VIGIL_DIR_READ;
	int rule = rd ? VIGIL_RULE_SMALL_READS : VIGIL_RULE_SMALL_WRITES;
	int p0 = rd ? VIGIL_RP_SMALL_READS_min_ratio : VIGIL_RP_SMALL_WRITES_min_ratio;
	double small_bytes = ins_p(x, p0 + 1), min_count = ins_p(x, p0 + 2), min_share = ins_p(x, p0 + 3);
	const struct vigil_insight_input *in = x->in;
	uint64_t h[VIGIL_HIST_BUCKETS] = { 0 };
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (ins_is_direct_op(o, dir))
			for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
				h[b] += in->ops[o].hist[b];
	int last = ins_small_last(small_bytes);
	double small_all = 0, n_reg = 0, excluded = 0, t = 0;
	for (int b = 0; b <= last; b++)
		small_all += (double)h[b];
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		if (f->layer != VIGIL_FLAYER_POSIX)
			continue;
		if (x->direct[i]) {
			n_reg += (double)ins_dir_n(f, dir);
			t += ins_dir_seconds(f, dir);
		} else {
			excluded += (double)ins_dir_n(f, dir);
		}
	}
	double small = small_all > excluded ? small_all - excluded : 0;
	if (small > n_reg)
		small = n_reg;
	double ratio = n_reg > 0 ? small / n_reg : 0;
	double share = x->proc_seconds > 0 ? t / x->proc_seconds : 0;
	if (!(ratio > ins_p(x, p0) && small > min_count && share >= min_share))
		return;
	struct ins_vars v = { 0 };
	char c1[32], c2[32], med[48], files[400], ev[VIGIL_INSIGHT_TEXT];
	double t0, t1;
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_count(ins_var(&v, "total"), 96, n_reg);
	ins_bytes(ins_var(&v, "small"), 96, small_bytes);
	ins_bucket(med, sizeof(med), ins_median_bucket(h, last));
	snprintf(ins_var(&v, "median"), 96, "%s", med);
	ins_top_files(x, ins_key_small, dir, rd ? "reads" : "writes", files, sizeof(files), &t0, &t1);
	snprintf(ev, sizeof(ev), "%s of %s %s on regular files are under %s (median %s); they take %s of the "
	         "process time; top files: %s", ins_count(c1, sizeof(c1), small), ins_count(c2, sizeof(c2), n_reg),
	         rd ? "reads" : "writes", v.val[2], med, ins_pct(ins_var(&v, "time_pct"), 96, share),
	         files[0] ? files : "none above the size");
	ins_fire(x, rule, ratio, ins_p(x, p0), t0, t1, ev, &v);
}

static double ins_key_random(const struct ins_ctx *x, size_t i, int dir)
{
	const struct vigil_filestat *f = &x->in->files[i];
	if (!x->direct[i])
		return 0;
	double n = (double)ins_dir_n(f, dir);
	/* A descriptor starts at offset 0, so its first access at any offset is sequential (files.c). */
	double seq = (double)(dir == VIGIL_DIR_READ ? f->seq_reads : f->seq_writes);
	double r = n - seq;
	return r > 0 ? r : 0;
}

static void ins_random(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	int best_dir = 0;
	double best_ratio = -1, best_n = 0, best_nonseq = 0, data_t = 0;
	for (int dir = VIGIL_DIR_READ; dir <= VIGIL_DIR_WRITE; dir++) {
		/* Without the append counter, writes at no known offset (O_APPEND, "a") look random: reads only. */
		if (dir == VIGIL_DIR_WRITE && !(in->have & VIGIL_HAVE_APPENDS))
			continue;
		double n = 0, nonseq = 0;
		for (size_t i = 0; i < in->nfiles; i++) {
			if (!x->direct[i])
				continue;
			n += (double)ins_dir_n(&in->files[i], dir);
			nonseq += ins_key_random(x, i, dir);
			data_t += ins_dir_seconds(&in->files[i], dir);
		}
		double ratio = n > 0 ? nonseq / n : 0;
		if (ratio > ins_p(x, VIGIL_RP_RANDOM_ACCESS_min_ratio) && nonseq > ins_p(x, VIGIL_RP_RANDOM_ACCESS_min_count) &&
		    ratio > best_ratio) {
			best_ratio = ratio;
			best_dir = dir;
			best_n = n;
			best_nonseq = nonseq;
		}
	}
	double share = x->proc_seconds > 0 ? data_t / x->proc_seconds : 0;
	if (!best_dir || share < ins_p(x, VIGIL_RP_RANDOM_ACCESS_min_time_share))
		return;
	int rd = best_dir == VIGIL_DIR_READ;
	struct ins_vars v = { 0 };
	char c1[32], c2[32], files[400], ev[VIGIL_INSIGHT_TEXT];
	double t0, t1;
	ins_pct(ins_var(&v, "pct"), 96, best_ratio);
	ins_count(ins_var(&v, "total"), 96, best_n);
	snprintf(ins_var(&v, "dir"), 96, "%s", rd ? "reads" : "writes");
	ins_top_files(x, ins_key_random, best_dir, "non-sequential", files, sizeof(files), &t0, &t1);
	snprintf(ev, sizeof(ev), "%s of %s %s on regular files are not sequential; top files: %s",
	         ins_count(c1, sizeof(c1), best_nonseq), ins_count(c2, sizeof(c2), best_n), rd ? "reads" : "writes",
	         files);
	ins_fire(x, VIGIL_RULE_RANDOM_ACCESS, best_ratio, ins_p(x, VIGIL_RP_RANDOM_ACCESS_min_ratio), t0, t1, ev, &v);
	if (!(in->have & VIGIL_HAVE_APPENDS))
		strncat(x->out[VIGIL_RULE_RANDOM_ACCESS].evidence, " (writes not judged: no append counter)",
		        VIGIL_INSIGHT_TEXT - strlen(x->out[VIGIL_RULE_RANDOM_ACCESS].evidence) - 1);
}

static void ins_metadata_heavy(struct ins_ctx *x)
{
	const struct vigil_opstat *ops = x->in->ops;
	double meta = 0, top_t = 0;
	int top = -1;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		if (!ins_is_meta(o))
			continue;
		meta += ops[o].seconds;
		if (ops[o].seconds > top_t) {
			top_t = ops[o].seconds;
			top = o;
		}
	}
	double io = x->io_seconds > meta ? x->io_seconds : meta;
	double ratio = io > 0 ? meta / io : 0;
	double io_share = x->proc_seconds > 0 ? io / x->proc_seconds : 0;
	double th = ins_p(x, VIGIL_RP_METADATA_HEAVY_min_ratio);
	if (!(ratio >= th && meta >= ins_p(x, VIGIL_RP_METADATA_HEAVY_min_seconds) && meta > 0 &&
	      io_share >= ins_p(x, VIGIL_RP_METADATA_HEAVY_min_io_share)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], s1[32], s2[32];
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_pct(ins_var(&v, "io_pct"), 96, io_share);
	snprintf(ins_var(&v, "top"), 96, "most in %s", top >= 0 ? vigil_op_table[top].name : "?");
	snprintf(ev, sizeof(ev), "metadata %s of %s I/O time; I/O is %s of the process time; most in %s (%s)",
	         ins_secs(s1, sizeof(s1), meta), ins_secs(s2, sizeof(s2), io), v.val[1],
	         top >= 0 ? vigil_op_table[top].name : "?", ins_count(ins_var(&v, "calls"), 96,
	                                                               top >= 0 ? (double)ops[top].calls : 0));
	ins_fire(x, VIGIL_RULE_METADATA_HEAVY, ratio, th, 0, 0, ev, &v);
}

static void ins_metadata_storm(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	double dur = in->end - in->start;
	/* A rate rule must hold for `for`: never judged on a shorter job (window). */
	if (!(dur >= x->c->for_seconds) || !(dur > 0))
		return;
	double n = 0;
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (ins_is_meta(o))
			n += (double)in->ops[o].calls;
	double rate = n / dur / (in->nhosts ? in->nhosts : 1);
	double th = ins_p(x, VIGIL_RP_METADATA_STORM_min_rate);
	if (!(rate > th))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	ins_count(ins_var(&v, "rate"), 96, rate);
	ins_secs(ins_var(&v, "secs"), 96, dur);
	ins_count(ins_var(&v, "count"), 96, n);
	snprintf(ev, sizeof(ev), "%s metadata operations in %s on %u host%s: %s per second per host", v.val[2],
	         v.val[1], in->nhosts ? in->nhosts : 1, in->nhosts > 1 ? "s" : "", v.val[0]);
	ins_fire(x, VIGIL_RULE_METADATA_STORM, rate, th, 0, 0, ev, &v);
}

static void ins_many_small_files(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	double opens = 0, bytes = 0, meta = 0;
	static const int open_ops[] = { VIGIL_OP_OPEN, VIGIL_OP_FOPEN, VIGIL_OP_FREOPEN, VIGIL_OP_MPI_FILE_OPEN,
	                                VIGIL_OP_MKSTEMP, VIGIL_OP_TMPFILE };
	for (size_t i = 0; i < sizeof(open_ops) / sizeof(open_ops[0]); i++)
		opens += (double)(in->ops[open_ops[i]].calls - in->ops[open_ops[i]].errors);
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (ins_is_meta(o))
			meta += in->ops[o].seconds;
	/* Bytes of regular files: POSIX, plus stdio (libc's own calls under stdio are not counted by POSIX). */
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		if ((ins_regular(f) || f->kind == VIGIL_FILE_OVERFLOW) && f->layer != VIGIL_FLAYER_MPIIO)
			bytes += (double)f->bytes_read + (double)f->bytes_written;
	}
	/*
	 * Files, not opens (one file opened 30,000 times is not many files): the
	 * distinct regular paths, and for "<other files>" (a full file table) an
	 * estimate of one file per open/close pair of metadata operations.
	 */
	double nfiles = 0;
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		if (f->layer != VIGIL_FLAYER_POSIX && f->layer != VIGIL_FLAYER_STDIO)
			continue;
		if (ins_regular(f) && (f->layer == VIGIL_FLAYER_POSIX || !ins_has_layer(in, f->path, VIGIL_FLAYER_POSIX)))
			nfiles += 1;
		else if (f->kind == VIGIL_FILE_OVERFLOW)
			nfiles += (double)(f->meta_ops / 2);
	}
	double avg = opens > 0 ? bytes / opens : 0;
	double meta_share = x->proc_seconds > 0 ? meta / x->proc_seconds : 0;
	double th = ins_p(x, VIGIL_RP_MANY_SMALL_FILES_max_bytes_per_open);
	if (!(nfiles >= ins_p(x, VIGIL_RP_MANY_SMALL_FILES_min_files) && avg < th &&
	      meta_share >= ins_p(x, VIGIL_RP_MANY_SMALL_FILES_min_meta_share)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], b[32];
	ins_count(ins_var(&v, "count"), 96, nfiles);
	ins_bytes(ins_var(&v, "avg"), 96, avg);
	ins_pct(ins_var(&v, "meta_pct"), 96, meta_share);
	snprintf(ev, sizeof(ev), "about %s regular files; %s successful opens moved %s in all (%s per open); metadata "
	         "is %s of the process time", v.val[0], ins_count(ins_var(&v, "opens"), 96, opens),
	         ins_bytes(b, sizeof(b), bytes), v.val[1], v.val[2]);
	ins_fire(x, VIGIL_RULE_MANY_SMALL_FILES, avg, th, 0, 0, ev, &v);
}

static void ins_redundant_reads(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	double times_th = ins_p(x, VIGIL_RP_REDUNDANT_READS_min_times);
	double best = 0, best_times = 0;
	size_t bi = 0;
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		if (!ins_regular(f) || f->layer == VIGIL_FLAYER_MPIIO || !f->max_offset)
			continue;
		double rd = (double)f->bytes_read, size = (double)f->max_offset;
		double reread = rd - size;
		if (rd > times_th * size && reread >= ins_p(x, VIGIL_RP_REDUNDANT_READS_min_reread_bytes) &&
		    (reread > best || (reread == best && best > 0 && strcmp(f->path, in->files[bi].path) < 0))) {
			best = reread;
			best_times = rd / size;
			bi = i;
		}
	}
	if (!(best > 0))
		return;
	const struct vigil_filestat *f = &in->files[bi];
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	snprintf(ins_var(&v, "file"), 96, "%s", f->path);
	snprintf(ins_var(&v, "times"), 96, "%.1f times", best_times);
	ins_bytes(ins_var(&v, "read"), 96, (double)f->bytes_read);
	ins_bytes(ins_var(&v, "size"), 96, (double)f->max_offset);
	snprintf(ev, sizeof(ev), "%s (%s): %s read, highest offset %s, %s over", f->path,
	         vigil_file_layer_name(f->layer), v.val[2], v.val[3], v.val[1]);
	ins_fire(x, VIGIL_RULE_REDUNDANT_READS, best_times, times_th, f->first_access, f->last_access, ev, &v);
}

static void ins_sync_heavy(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	double n = 0, t = 0, writes = 0;
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (ins_is_sync(o)) {
			n += (double)in->ops[o].calls;
			t += in->ops[o].seconds;
		}
	for (size_t i = 0; i < in->nfiles; i++)
		if (ins_regular(&in->files[i]) && (in->files[i].layer != VIGIL_FLAYER_POSIX || x->direct[i]))
			writes += (double)in->files[i].writes;
	double io = x->io_seconds > t ? x->io_seconds : t;
	double ratio = io > 0 ? t / io : 0;
	double th = ins_p(x, VIGIL_RP_SYNC_HEAVY_min_ratio);
	if (!(ratio >= th && n >= ins_p(x, VIGIL_RP_SYNC_HEAVY_min_syncs) &&
	      n > ins_p(x, VIGIL_RP_SYNC_HEAVY_min_syncs_per_write) * writes))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], s[32];
	ins_count(ins_var(&v, "count"), 96, n);
	ins_count(ins_var(&v, "writes"), 96, writes);
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	snprintf(ev, sizeof(ev), "%s sync calls (%s) for %s writes to regular files: %s of "
	         "the I/O time", v.val[0], ins_secs(s, sizeof(s), t), v.val[1], v.val[2]);
	ins_fire(x, VIGIL_RULE_SYNC_HEAVY, ratio, th, 0, 0, ev, &v);
}

static void ins_stdio_heavy(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	double st = 0, all = 0;
	for (size_t i = 0; i < in->nfiles; i++) {
		const struct vigil_filestat *f = &in->files[i];
		double b = (double)f->bytes_read + (double)f->bytes_written;
		if (!ins_regular(f))
			continue;
		if (f->layer == VIGIL_FLAYER_STDIO)
			st += b;
		if (f->layer != VIGIL_FLAYER_POSIX || x->direct[i])
			all += b;
	}
	double ratio = all > 0 ? st / all : 0;
	double th = ins_p(x, VIGIL_RP_STDIO_HEAVY_min_ratio);
	if (!(ratio > th && st >= ins_p(x, VIGIL_RP_STDIO_HEAVY_min_bytes)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], a[32];
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_bytes(ins_var(&v, "bytes"), 96, st);
	snprintf(ev, sizeof(ev), "stdio moved %s of %s to and from regular files (%s)", v.val[1],
	         ins_bytes(a, sizeof(a), all), v.val[0]);
	ins_fire(x, VIGIL_RULE_STDIO_HEAVY, ratio, th, 0, 0, ev, &v);
}

static void ins_misaligned(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	if (!(in->have & VIGIL_HAVE_MISALIGNED)) {
		ins_not_evaluated(x, VIGIL_RULE_MISALIGNED_IO);
		return;
	}
	double n = (double)in->aligned_checked, m = (double)in->misaligned;
	double ratio = n > 0 ? m / n : 0;
	double th = ins_p(x, VIGIL_RP_MISALIGNED_IO_min_ratio);
	if (!(ratio > th && m > ins_p(x, VIGIL_RP_MISALIGNED_IO_min_count)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_count(ins_var(&v, "total"), 96, n);
	ins_bytes(ins_var(&v, "blksize"), 96, (double)in->blksize);
	snprintf(ev, sizeof(ev), "%s of %s requests on regular files start off the block size (%s)",
	         ins_count(ins_var(&v, "count"), 96, m), v.val[1], v.val[2]);
	ins_fire(x, VIGIL_RULE_MISALIGNED_IO, ratio, th, 0, 0, ev, &v);
}

static void ins_io_errors(struct ins_ctx *x)
{
	const struct vigil_opstat *ops = x->in->ops;
	double calls = 0, errs = 0, top_e = 0;
	int top = -1;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		const struct vigil_op_info *i = &vigil_op_table[o];
		if (i->layer == VIGIL_LAYER_MPI || !(i->cls == VIGIL_CLASS_DATA || ins_is_sync(o)))
			continue;
		calls += (double)ops[o].calls;
		errs += (double)ops[o].errors;
		if ((double)ops[o].errors > top_e) {
			top_e = (double)ops[o].errors;
			top = o;
		}
	}
	double ratio = calls > 0 ? errs / calls : 0;
	double th = ins_p(x, VIGIL_RP_IO_ERRORS_min_ratio);
	if (!(ratio > th && errs >= ins_p(x, VIGIL_RP_IO_ERRORS_min_count)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	ins_count(ins_var(&v, "count"), 96, errs);
	ins_count(ins_var(&v, "total"), 96, calls);
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	snprintf(ins_var(&v, "op"), 96, "%s", top >= 0 ? vigil_op_table[top].name : "?");
	snprintf(ev, sizeof(ev), "%s of %s data and sync calls failed (%s); most in %s (%s)", v.val[0], v.val[1],
	         v.val[2], v.val[3], ins_count(ins_var(&v, "op_count"), 96, top_e));
	ins_fire(x, VIGIL_RULE_IO_ERRORS, ratio, th, 0, 0, ev, &v);
}

static void ins_io_dominant(struct ins_ctx *x)
{
	double ratio = x->proc_seconds > 0 ? x->io_seconds / x->proc_seconds : 0;
	double th = ins_p(x, VIGIL_RP_IO_DOMINANT_min_ratio);
	if (!(ratio >= th))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], s[32];
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_secs(ins_var(&v, "secs"), 96, x->io_seconds);
	snprintf(ev, sizeof(ev), "%s of I/O in %s of process time (%s)", v.val[1],
	         ins_secs(s, sizeof(s), x->proc_seconds), v.val[0]);
	ins_fire(x, VIGIL_RULE_IO_DOMINANT, ratio, th, 0, 0, ev, &v);
}

/* ---- parallel and MPI rules: per rank ------------------------------------------- */

struct ins_rank {
	int32_t rank;
	double seconds;             /* lifetime */
	double io_bytes;            /* top-layer I/O bytes */
	double io_seconds;
	double mpi_seconds;         /* MPI time, MPI_Init and MPI_Finalize excluded */
	const struct vigil_opstat *ops[4]; int nops; /* its processes' counters (forked children share a rank) */
};

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
static struct ins_rank *ins_ranks(const struct ins_ctx *x, size_t *n)
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
			else if (oi->cls == VIGIL_CLASS_DATA && oi->layer != VIGIL_LAYER_MPI)
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

static void ins_single_rank_io(struct ins_ctx *x, const struct ins_rank *r, size_t n)
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

static void ins_io_imbalance(struct ins_ctx *x, const struct ins_rank *r, size_t n)
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
	if (!(ratio > th))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	snprintf(ins_var(&v, "max_rank"), 96, "%d", (int)r[hi].rank);
	ins_bytes(ins_var(&v, "max_bytes"), 96, r[hi].io_bytes);
	snprintf(ins_var(&v, "min_rank"), 96, "%d", (int)r[lo].rank);
	ins_bytes(ins_var(&v, "min_bytes"), 96, r[lo].io_bytes);
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	snprintf(ev, sizeof(ev), "%zu of %zu ranks do I/O: rank %s moved %s, rank %s moved %s", doing, n, v.val[0],
	         v.val[1], v.val[2], v.val[3]);
	ins_fire(x, VIGIL_RULE_IO_IMBALANCE, ratio, th, 0, 0, ev, &v);
}

static void ins_no_collective(struct ins_ctx *x)
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

static void ins_load_imbalance(struct ins_ctx *x, const struct ins_rank *r, size_t n)
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

static void ins_wait_dominant(struct ins_ctx *x, const struct ins_rank *r, size_t n)
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

static void ins_small_messages(struct ins_ctx *x, const struct ins_rank *r, size_t n)
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
		{ VIGIL_RULE_SMALL_WRITES, 1, 1 }, { VIGIL_RULE_SMALL_READS, 1, 1 }, { VIGIL_RULE_RANDOM_ACCESS, 1, 1 },
		{ VIGIL_RULE_METADATA_HEAVY, 1, 1 }, { VIGIL_RULE_METADATA_STORM, 0, 0 },
		{ VIGIL_RULE_MANY_SMALL_FILES, 1, 1 }, { VIGIL_RULE_REDUNDANT_READS, 1, 0 },
		{ VIGIL_RULE_SYNC_HEAVY, 1, 0 }, { VIGIL_RULE_STDIO_HEAVY, 1, 0 }, { VIGIL_RULE_MISALIGNED_IO, 0, 0 },
		{ VIGIL_RULE_IO_ERRORS, 0, 0 }, { VIGIL_RULE_IO_DOMINANT, 1, 1 }, { VIGIL_RULE_SINGLE_RANK_IO, 1, 1 },
		{ VIGIL_RULE_IO_IMBALANCE, 1, 1 }, { VIGIL_RULE_NO_COLLECTIVE_MPIIO, 0, 0 },
		{ VIGIL_RULE_MPI_LOAD_IMBALANCE, 0, 1 }, { VIGIL_RULE_MPI_WAIT_DOMINANT, 0, 1 },
		{ VIGIL_RULE_SMALL_MESSAGES, 0, 1 },
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
		.misaligned = p->misaligned, .aligned_checked = p->aligned_checked, .blksize = p->blksize,
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
