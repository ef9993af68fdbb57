/*
 * summary.c - the few lines `vigil run` prints when its command ends.
 *
 * Written for someone who has never seen vigil: what the job did, per layer
 * and operation (calls, volume, time), how big its requests were, which
 * files it used most, and where the full profile is.  Everything that came
 * from a segment (paths, commands) is made safe for a terminal first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli/report_util.h"
#include "cli/summary.h"

#define SUM_MAX_OPS   14
#define SUM_MAX_FILES 5
#define SUM_PATH_COLS 40
#define PATH_MAX_SUM  4200

/* `s` right-aligned in `w` terminal columns ("µs" is two bytes, one column). */
static const char *sum_right(char *buf, size_t len, const char *s, int w)
{
	size_t pad = rep_width(s) < (size_t)w ? (size_t)w - rep_width(s) : 0;
	snprintf(buf, len, "%*s%s", (int)pad, "", s);
	return buf;
}

/*
 * Terminal-safe copy (rep_term: control characters become '?').  A string
 * longer than `cols` bytes keeps its tail (paths: the file name matters) or,
 * with cols < 0, its head (commands: the program matters).
 */
static const char *sum_safe(char *buf, size_t len, const char *s, int cols)
{
	const char *from = s ? s : "";
	size_t l = strlen(from), want = (size_t)(cols < 0 ? -cols : cols);
	if (!want || l <= want || len <= want)
		return rep_term(buf, len, from);
	if (cols > 0) {
		memcpy(buf, "...", 3);
		rep_term(buf + 3, len - 3, from + l - (want - 3));
	} else {
		rep_term(buf, want - 2, from); /* at most want - 3 bytes */
		strcat(buf, "...");
	}
	return buf;
}

/* Most time first, across layers. */
static int sum_op_cmp(const void *a, const void *b, void *ctx)
{
	const struct vigil_opstat *ops = ctx;
	int x = *(const int *)a, y = *(const int *)b;
	if (ops[x].seconds != ops[y].seconds)
		return ops[x].seconds > ops[y].seconds ? -1 : 1;
	if (ops[x].calls != ops[y].calls)
		return ops[x].calls > ops[y].calls ? -1 : 1;
	return x - y;
}

/*
 * The SUM_MAX_OPS rows with the most time, but never a layer left out: each
 * layer's busiest operation is kept (an MPI job's POSIX plumbing must not push
 * MPI_Barrier or MPI_File_write_at into "... and N more").  Printed most time first.
 */
static void sum_ops(FILE *out, const struct vigil_profile *p)
{
	int idx[VIGIL_NOPS], n = 0, shown[VIGIL_NOPS], ns = 0, layer_seen[VIGIL_NLAYERS] = { 0 };
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (p->ops[o].calls)
			idx[n++] = o;
	if (!n) {
		fprintf(out, "  No I/O or MPI call was counted.\n");
		return;
	}
	qsort_r(idx, (size_t)n, sizeof(int), sum_op_cmp, (void *)p->ops);
	int keep[VIGIL_NOPS] = { 0 }, nlayers = 0;
	for (int i = 0; i < n; i++) {
		int l = vigil_op_table[idx[i]].layer;
		if (!layer_seen[l]++) {
			keep[i] = 1;
			nlayers++;
		}
	}
	for (int i = 0, room = SUM_MAX_OPS - nlayers; i < n; i++)
		if (keep[i] || room-- > 0)
			shown[ns++] = idx[i];
	fprintf(out, "  %-6s %-20s %12s %11s %10s %9s\n", "layer", "operation", "calls", "bytes",
	        "time", "errors");
	for (int i = 0; i < ns; i++) {
		const struct vigil_opstat *s = &p->ops[shown[i]];
		const struct vigil_op_info *inf = &vigil_op_table[shown[i]];
		char c[32], b[32], t[32], e[32], tp[48];
		fprintf(out, "  %-6s %-20s %12s %11s %s %9s\n", vigil_layer_names[inf->layer], inf->name,
		        rep_count(c, sizeof(c), (double)s->calls),
		        inf->cls == VIGIL_CLASS_DATA ? rep_bytes(b, sizeof(b), (double)s->bytes) : "-",
		        sum_right(tp, sizeof(tp), rep_secs(t, sizeof(t), s->seconds), 10),
		        rep_count(e, sizeof(e), (double)s->errors));
	}
	if (n > ns)
		fprintf(out, "  ... and %d more operations (see the profile)\n", n - ns);
}

/*
 * Where the processes' time went: I/O, and MPI whenever the job made MPI
 * calls (its share is the first thing an MPI user asks for), of the summed
 * process lifetimes (rep_summarize: the same figures `vigil report` shows).
 */
static void sum_shares(FILE *out, const struct vigil_profile *p)
{
	struct rep_summary s;
	if (rep_summarize(p, &s) == 0 && s.proc_seconds > 0) {
		char io[32], mpi[32], tot[32];
		fprintf(out, "  time: I/O %s (%.1f %%)", rep_secs(io, sizeof(io), s.io_seconds),
		        100 * s.io_seconds / s.proc_seconds);
		if (s.layer[VIGIL_LAYER_MPI].calls || s.nranks)
			fprintf(out, ", MPI %s (%.1f %%)", rep_secs(mpi, sizeof(mpi), s.mpi_seconds),
			        100 * s.mpi_seconds / s.proc_seconds);
		fprintf(out, " of the processes' %s\n", rep_secs(tot, sizeof(tot), s.proc_seconds));
	}
	rep_summary_free(&s);
}

/* Request sizes of data operations, by direction, in five ranges. */
static void sum_sizes(FILE *out, const struct vigil_profile *p)
{
	/* histogram bucket b counts sizes in [2^(b-1), 2^b) */
	static const struct { const char *label; int lo, hi; } r[] = {
		{ "0 B", 0, 0 }, { "1 B-1 KiB", 1, 10 }, { "1-64 KiB", 11, 16 },
		{ "64 KiB-1 MiB", 17, 20 }, { ">= 1 MiB", 21, VIGIL_HIST_BUCKETS - 1 },
	};
	uint64_t cnt[2][5] = { { 0 } };
	int any = 0;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		const struct vigil_op_info *inf = &vigil_op_table[o];
		if (inf->cls != VIGIL_CLASS_DATA || inf->dir == VIGIL_DIR_NONE ||
		    !vigil_layer_is_io(inf->layer))
			continue;
		int d = inf->dir == VIGIL_DIR_READ ? 0 : 1;
		for (int k = 0; k < 5; k++)
			for (int b = r[k].lo; b <= r[k].hi; b++) {
				cnt[d][k] += p->ops[o].hist[b];
				any |= p->ops[o].hist[b] != 0;
			}
	}
	if (!any)
		return;
	fprintf(out, "\n  %-22s", "request sizes (I/O)");
	for (int k = 0; k < 5; k++)
		fprintf(out, " %12s", r[k].label);
	fputc('\n', out);
	for (int d = 0; d < 2; d++) {
		fprintf(out, "  %-22s", d ? "writes" : "reads");
		for (int k = 0; k < 5; k++) {
			char c[32];
			fprintf(out, " %12s", rep_count(c, sizeof(c), (double)cnt[d][k]));
		}
		fputc('\n', out);
	}
}

static double sum_file_weight(const struct vigil_filestat *f)
{
	return (double)f->bytes_read + (double)f->bytes_written;
}

static int sum_file_cmp(const void *a, const void *b, void *ctx)
{
	const struct vigil_filestat *files = ctx;
	const struct vigil_filestat *x = &files[*(const size_t *)a], *y = &files[*(const size_t *)b];
	double wx = sum_file_weight(x), wy = sum_file_weight(y);
	if (wx != wy)
		return wx > wy ? -1 : 1;
	if (x->seconds != y->seconds)
		return x->seconds > y->seconds ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void sum_files(FILE *out, const struct vigil_profile *p)
{
	size_t *idx = malloc((p->nfiles ? p->nfiles : 1) * sizeof(*idx)), n = 0;
	if (!idx)
		return;
	for (size_t i = 0; i < p->nfiles; i++)
		idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), sum_file_cmp, p->files);
	if (n) {
		fprintf(out, "\n  %-*s %-6s %11s %11s %9s %10s\n", SUM_PATH_COLS, "top files", "layer",
		        "read", "written", "ops", "time");
	}
	for (size_t i = 0; i < n && i < SUM_MAX_FILES; i++) {
		const struct vigil_filestat *f = &p->files[idx[i]];
		char path[SUM_PATH_COLS * 4], rd[32], wr[32], ops[32], t[32], tp[48];
		fprintf(out, "  %-*s %-6s %11s %11s %9s %s\n", SUM_PATH_COLS,
		        sum_safe(path, sizeof(path), f->path, SUM_PATH_COLS), vigil_file_layer_name(f->layer),
		        rep_bytes(rd, sizeof(rd), (double)f->bytes_read),
		        rep_bytes(wr, sizeof(wr), (double)f->bytes_written),
		        rep_count(ops, sizeof(ops), (double)(f->reads + f->writes + f->meta_ops)),
		        sum_right(tp, sizeof(tp), rep_secs(t, sizeof(t), f->seconds), 10));
	}
	if (n > SUM_MAX_FILES)
		fprintf(out, "  ... and %zu more files (see the profile)\n", n - SUM_MAX_FILES);
	free(idx);
}

/* "12" calls of io_setup, io_submit and aio, as text */
static const char *sum_async_calls(const struct vigil_profile *p)
{
	static char buf[32];
	uint64_t n = p->ops[VIGIL_OP_IO_SETUP].calls + p->ops[VIGIL_OP_IO_SUBMIT].calls + p->ops[VIGIL_OP_AIO].calls;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);
	return buf;
}

/* The images vigil could not enter, by name (the first few). */
static void sum_blind(FILE *out, const struct vigil_profile *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nprocs; i++)
		n += p->procs[i].state == VIGIL_PROC_UNMONITORED;
	fprintf(out, "  Note: not measured after exec (static, set-user-ID to another user, or LD_PRELOAD removed):");
	size_t shown = 0;
	char safe[256];
	for (size_t i = 0; i < p->nprocs && shown < 3; i++)
		if (p->procs[i].state == VIGIL_PROC_UNMONITORED)
			fprintf(out, "%s %s", shown++ ? "," : "", sum_safe(safe, sizeof(safe), p->procs[i].exe, -60));
	if (n > shown)
		fprintf(out, " and %zu more", n - shown);
	if (!n)
		fprintf(out, " a child started by posix_spawn or vfork+exec (its counts are not in this profile)");
	fputc('\n', out);
}

void summary_print(FILE *out, const struct vigil_profile *p, const char *profile_path)
{
	char cmd[128], dur[32];
	size_t nhosts = p->nhosts;
	fprintf(out, "\nvigil: %s: %zu process%s on %zu host%s, %s\n",
	        sum_safe(cmd, sizeof(cmd), p->command, -60), p->nprocs, p->nprocs == 1 ? "" : "es",
	        nhosts, nhosts == 1 ? "" : "s",
	        rep_secs(dur, sizeof(dur), p->end > p->start ? p->end - p->start : 0));
	rep_findings(out, p, 0);
	fputc('\n', out);
	sum_ops(out, p);
	sum_shares(out, p);
	sum_sizes(out, p);
	sum_files(out, p);
	if (p->survivors)
		fprintf(out, "\n  %u process%s still running (left running; marked \"running\" in the profile).\n",
		        p->survivors, p->survivors == 1 ? " was" : "es were");
	if (p->flags & VIGIL_FLAG_FILE_OVERFLOW)
		fprintf(out, "  Note: more files than the collector's table holds; extras are under <other files>.\n");
	if (p->flags & (VIGIL_FLAG_EXEC_UNMONITORED | VIGIL_FLAG_SPAWN_UNMONITORED))
		sum_blind(out, p);
	if (p->flags & VIGIL_FLAG_ASYNC_IO)
		fprintf(out, "  Note: asynchronous I/O was set up (%s calls); the bytes it moved are not counted.\n",
		        sum_async_calls(p));
	if (p->flags & VIGIL_FLAG_UID_SWITCH)
		fprintf(out, "  Note: a process ran as another user; its counts are in that user's segment "
		        "directory, not in this profile.\n");
	if (p->flags & VIGIL_PFLAG_SEGMENT_FAILED)
		fprintf(out, "  Note: some processes were not observed (statically linked, setuid, or no segment).\n");
	if (profile_path) {
		char safe[PATH_MAX_SUM];
		sum_safe(safe, sizeof(safe), profile_path, 0);
		fprintf(out, "\n  profile: %s   (details: vigil report %s)\n\n", safe, safe);
	} else {
		fprintf(out, "\n  profile: not written (see the message above)\n\n");
	}
}
