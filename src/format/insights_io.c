/*
 * insights_io.c - the I/O and metadata rules (docs/INSIGHTS.md): one judge each,
 * over the conventions of insights.c (regular files, lower-bound small counts).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "format/insights_int.h"

/* Evidence and fix texts are cut to their buffers on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

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

void ins_small(struct ins_ctx *x, int dir)
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

/* Requests at no known offset (O_APPEND, "a" streams): never random (segment v2; 0 before). */
static double ins_unpositioned(const struct vigil_filestat *f, int dir)
{
	return (double)(dir == VIGIL_DIR_READ ? f->unpositioned_reads : f->unpositioned_writes);
}

static double ins_key_random(const struct ins_ctx *x, size_t i, int dir)
{
	const struct vigil_filestat *f = &x->in->files[i];
	if (!x->direct[i])
		return 0;
	/* A descriptor starts at offset 0, so its first access at any offset is sequential (files.c). */
	double n = (double)ins_dir_n(f, dir);
	double seq = (double)(dir == VIGIL_DIR_READ ? f->seq_reads : f->seq_writes);
	double r = n - seq - ins_unpositioned(f, dir);
	return r > 0 ? r : 0;
}

void ins_random(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	int best_dir = 0, files = (in->have & VIGIL_HAVE_FILES) && !(in->have & VIGIL_HAVE_TOTALS);
	double best_ratio = -1, best_n = 0, best_nonseq = 0, data_t = 0;
	if (!files && !(in->have & VIGIL_HAVE_TOTALS)) {
		ins_not_evaluated(x, VIGIL_RULE_RANDOM_ACCESS);
		return;
	}
	for (int dir = VIGIL_DIR_READ; dir <= VIGIL_DIR_WRITE; dir++) {
		/* Without the append counter, writes at no known offset (O_APPEND, "a") look random: reads only. */
		if (dir == VIGIL_DIR_WRITE && !(in->have & VIGIL_HAVE_APPENDS))
			continue;
		double n = 0, nonseq = 0;
		if (files) {
			for (size_t i = 0; i < in->nfiles; i++) {
				if (!x->direct[i])
					continue;
				n += (double)ins_dir_n(&in->files[i], dir) - ins_unpositioned(&in->files[i], dir);
				nonseq += ins_key_random(x, i, dir);
				data_t += ins_dir_seconds(&in->files[i], dir);
			}
		} else {
			int rd = dir == VIGIL_DIR_READ;
			n = (double)(rd ? in->totals.positioned_reads : in->totals.positioned_writes);
			nonseq = (double)(rd ? in->totals.nonseq_reads : in->totals.nonseq_writes);
			for (int o = 0; o < VIGIL_NOPS; o++)
				if (ins_is_direct_op(o, dir))
					data_t += in->ops[o].seconds;
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
	char c1[32], c2[32], files_s[400] = "", ev[VIGIL_INSIGHT_TEXT];
	double t0 = 0, t1 = 0;
	ins_pct(ins_var(&v, "pct"), 96, best_ratio);
	ins_count(ins_var(&v, "total"), 96, best_n);
	snprintf(ins_var(&v, "dir"), 96, "%s", rd ? "reads" : "writes");
	if (files)
		ins_top_files(x, ins_key_random, best_dir, "non-sequential", files_s, sizeof(files_s), &t0, &t1);
	snprintf(ev, sizeof(ev), "%s of %s %s at a known offset on regular files are not sequential%s%s%s",
	         ins_count(c1, sizeof(c1), best_nonseq), ins_count(c2, sizeof(c2), best_n), rd ? "reads" : "writes",
	         files ? "; top files: " : "", files_s, in->have & VIGIL_HAVE_APPENDS ? "" :
	         " (writes not judged: no append counter)");
	ins_fire(x, VIGIL_RULE_RANDOM_ACCESS, best_ratio, ins_p(x, VIGIL_RP_RANDOM_ACCESS_min_ratio), t0, t1, ev, &v);
}

void ins_metadata_heavy(struct ins_ctx *x)
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

void ins_metadata_storm(struct ins_ctx *x)
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

void ins_many_small_files(struct ins_ctx *x)
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

void ins_redundant_reads(struct ins_ctx *x)
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

void ins_sync_heavy(struct ins_ctx *x)
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

void ins_stdio_heavy(struct ins_ctx *x)
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

static double ins_key_misaligned(const struct ins_ctx *x, size_t i, int dir)
{
	return x->direct[i] ? (double)x->in->files[i].misaligned : 0;
}

void ins_misaligned(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	int files = (in->have & VIGIL_HAVE_FILES) && !(in->have & VIGIL_HAVE_TOTALS);
	if (!(in->have & VIGIL_HAVE_MISALIGNED) || (!files && !(in->have & VIGIL_HAVE_TOTALS))) {
		ins_not_evaluated(x, VIGIL_RULE_MISALIGNED_IO);
		return;
	}
	/* Small requests are misaligned as a matter of course: the small-request finding says it, with its fix. */
	if (x->out[VIGIL_RULE_SMALL_WRITES].state == VIGIL_FINDING_FIRED ||
	    x->out[VIGIL_RULE_SMALL_READS].state == VIGIL_FINDING_FIRED)
		return;
	double n = 0, m = 0;
	if (files) {
		for (size_t i = 0; i < in->nfiles; i++) {
			const struct vigil_filestat *f = &in->files[i];
			if (!x->direct[i])
				continue;
			n += (double)f->reads + (double)f->writes - ins_unpositioned(f, VIGIL_DIR_READ) -
			     ins_unpositioned(f, VIGIL_DIR_WRITE);
			m += (double)f->misaligned;
		}
	} else {
		n = (double)in->totals.positioned_reads + (double)in->totals.positioned_writes;
		m = (double)in->totals.misaligned;
	}
	double ratio = n > 0 ? m / n : 0;
	double th = ins_p(x, VIGIL_RP_MISALIGNED_IO_min_ratio);
	if (!(ratio > th && m > ins_p(x, VIGIL_RP_MISALIGNED_IO_min_count)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], files_s[400] = "";
	double t0 = 0, t1 = 0;
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_count(ins_var(&v, "total"), 96, n);
	if (files)
		ins_top_files(x, ins_key_misaligned, 0, "misaligned", files_s, sizeof(files_s), &t0, &t1);
	snprintf(ev, sizeof(ev), "%s of %s requests at a known offset on regular files start off the file's block "
	         "size (st_blksize)%s%s", ins_count(ins_var(&v, "count"), 96, m), v.val[1], files ? "; top files: " : "",
	         files_s);
	ins_fire(x, VIGIL_RULE_MISALIGNED_IO, ratio, th, t0, t1, ev, &v);
}

void ins_io_errors(struct ins_ctx *x)
{
	const struct vigil_opstat *ops = x->in->ops;
	double calls = 0, errs = 0, top_e = 0;
	int top = -1;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		const struct vigil_op_info *i = &vigil_op_table[o];
		if (!vigil_layer_is_io(i->layer) || !(i->cls == VIGIL_CLASS_DATA || ins_is_sync(o)))
			continue;
		calls += (double)ops[o].calls;
		errs += (double)ops[o].errors;
		if ((double)ops[o].errors > top_e) {
			top_e = (double)ops[o].errors;
			top = o;
		}
	}
	/* A non-blocking descriptor with nothing to give is not an error to fix (all data calls: a subset of errs). */
	double again = (double)x->in->again_errors;
	errs = errs > again ? errs - again : 0;
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
	/* EAGAIN failures are known per process, not per operation: the busiest one may hold them */
	snprintf(ev, sizeof(ev), "%s of %s data and sync calls failed (%s); most in %s (%s%s)", v.val[0], v.val[1],
	         v.val[2], v.val[3], ins_count(ins_var(&v, "op_count"), 96, top_e),
	         again > 0 ? ", EAGAIN failures included" : "");
	ins_fire(x, VIGIL_RULE_IO_ERRORS, ratio, th, 0, 0, ev, &v);
}

void ins_io_dominant(struct ins_ctx *x)
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

