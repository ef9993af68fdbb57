/*
 * report.c - `vigil report PROFILE [-o report.html] [--text]`.
 *
 * Reads a job profile (src/common/profile_read.c) and prints a summary in
 * the terminal, or writes a self-contained HTML page (report_html.c) with
 * inline CSS, inline SVG plots and the plotted data as a JSON island.
 * Every string from the profile is escaped for where it goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/help.h"
#include "cli/cli.h"
#include "cli/report_util.h"

static const char report_usage[] =
"usage: vigil report PROFILE [-o FILE.html] [--text] [--top N] [--insights FILE]\n"
"\n"
"Summarise a vigil job profile (docs/PROFILE.md): its findings first (what\n"
"is wrong and how to fix it, docs/INSIGHTS.md), the job, where the time\n"
"went (I/O, MPI, the rest of the run), volume and time per layer and\n"
"operation, request sizes, the busiest files, per-rank balance of MPI jobs\n"
"and a timeline of the run.\n"
"\n"
"Options:\n"
"  -o, --output FILE  write a self-contained HTML report to FILE ('-' for\n"
"                     standard output): inline CSS and SVG plots, no network\n"
"                     access needed to view it.  FILE is replaced if it exists,\n"
"                     unless it is a vigil profile (refused).\n"
"  -t, --text         print the terminal summary (the default without -o;\n"
"                     with -o, print it as well).\n"
"  -n, --top N        rows in the top-files tables (default 10).\n"
"  -i, --insights FILE  judge the profile again with the rule settings in\n"
"                     FILE (docs/INSIGHTS.md); without it the findings\n"
"                     stored in the profile are shown.\n"
"  -h, --help         show this help.\n"
"\n"
"Units: bytes in B, KiB, MiB, GiB (powers of 1024); times in ns, µs, ms, s;\n"
"bandwidth in B/s with the same prefixes. Time shares are of the summed\n"
"lifetime of all processes. Names from the profile are printed with control\n"
"characters replaced by '?'.\n"
"\n"
"Exit status: 0 on success, 2 when the profile cannot be read or is not a\n"
"vigil profile (one sentence on standard error), 1 when the output cannot be\n"
"written.\n"
"\n"
"Examples:\n"
"  vigil report vigil-1234.json\n"
"  vigil report vigil-1234.json -o report.html\n"
"See docs/REPORT.md.\n";

static const char *rt_sparks[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };

static void rt_header(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	char a[512], b[512];
	rep_term(a, sizeof(a), p->job_id);
	if (p->step && p->step[0])
		fprintf(out, "vigil report: job %s, step %s\n", a, rep_term(b, sizeof(b), p->step));
	else
		fprintf(out, "vigil report: job %s\n", a);
	fprintf(out, "  command     %s\n", rep_term(a, sizeof(a), p->command));
	fprintf(out, "  user        %s (uid %u)\n", rep_term(a, sizeof(a), p->user), p->uid);
	fprintf(out, "  generator   %s\n", rep_term(a, sizeof(a), p->generator));
	fputs("  hosts       ", out);
	for (size_t i = 0; i < p->nhosts; i++)
		fprintf(out, "%s%s", i ? ", " : "", rep_term(a, sizeof(a), p->hosts[i]));
	fprintf(out, "%s\n", p->nhosts ? "" : "none");
	fprintf(out, "  processes   %zu (MPI ranks: %u)\n", p->nprocs, s->nranks);
	fprintf(out, "  start       %s\n", rep_time_utc(a, sizeof(a), p->start));
	fprintf(out, "  duration    %s\n", rep_secs(a, sizeof(a), s->duration));
	fputs("  flags       ", out);
	int any = rep_flags(out, p);
	fprintf(out, "%s\n", any ? " (numbers may be partial: see docs/PROFILE.md)" : "none (exact and complete)");
}

static void rt_breakdown(FILE *out, const struct rep_summary *s)
{
	char a[64], b[64], c[64];
	if (s->proc_seconds > s->lifetime_seconds)
		/* threads were in I/O or MPI at the same time: more call time than lifetime */
		fprintf(out, "\nTime breakdown (summed over processes and their threads: %s; the processes "
		        "lived %s)\n", rep_secs(c, sizeof(c), s->proc_seconds),
		        rep_secs(a, sizeof(a), s->lifetime_seconds));
	else
		fprintf(out, "\nTime breakdown (summed over processes: %s)\n", rep_secs(c, sizeof(c), s->proc_seconds));
	double tot = s->proc_seconds > 0 ? s->proc_seconds : 1;
	const char *h[] = { "part", "time", "share" };
	struct rep_table t;
	rep_table_init(&t, 3, h, "lrr");
	rep_table_add(&t, "I/O (posix + stdio + mpiio)", rep_secs(a, sizeof(a), s->io_seconds),
	              rep_pct(b, sizeof(b), s->io_seconds / tot));
	rep_table_add(&t, "MPI", rep_secs(a, sizeof(a), s->mpi_seconds), rep_pct(b, sizeof(b), s->mpi_seconds / tot));
	rep_table_add(&t, "rest of the run", rep_secs(a, sizeof(a), s->rest_seconds),
	              rep_pct(b, sizeof(b), s->rest_seconds / tot));
	rep_table_print(&t, out, "  ");
	rep_table_free(&t);
}

static void rt_layers(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	char c1[32], c2[32], c3[32], c4[32], c5[32], c6[32];
	fputs("\nLayers\n", out);
	const char *h[] = { "layer", "calls", "errors", "read", "written", "time", "data", "metadata", "sync" };
	struct rep_table t;
	rep_table_init(&t, 9, h, "lrrrrrrrr");
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		const struct rep_sum *x = &s->layer[l];
		if (!x->calls)
			continue;
		char d[32], m[32], y[32];
		rep_table_add(&t, vigil_layer_names[l], rep_count(c1, 32, (double)x->calls),
		              rep_count(c2, 32, (double)x->errors), rep_bytes(c3, 32, (double)x->bytes_read),
		              rep_bytes(c4, 32, (double)x->bytes_written), rep_secs(c5, 32, x->seconds),
		              rep_secs(c6, 32, s->cls[l][VIGIL_CLASS_DATA].seconds),
		              rep_secs(d, 32, s->cls[l][VIGIL_CLASS_META].seconds),
		              rep_secs(m, 32, s->cls[l][VIGIL_CLASS_SYNC].seconds));
		(void)y;
	}
	if (!t.nrows)
		fputs("  no calls were counted\n", out);
	else
		rep_table_print(&t, out, "  ");
	rep_table_free(&t);

	if (!s->nops)
		return;
	fputs("\nOperations (most time first)\n", out);
	const char *h2[] = { "layer", "operation", "class", "calls", "errors", "bytes", "time", "avg time", "avg size" };
	rep_table_init(&t, 9, h2, "lllrrrrrr");
	for (int k = 0; k < s->nops; k++) {
		int i = s->ops_by_time[k];
		const struct vigil_opstat *o = &p->ops[i];
		char at[32], as[32];
		rep_table_add(&t, vigil_layer_names[vigil_op_table[i].layer], vigil_op_table[i].name,
		              vigil_class_names[vigil_op_table[i].cls], rep_count(c1, 32, (double)o->calls),
		              rep_count(c2, 32, (double)o->errors), rep_bytes(c3, 32, (double)o->bytes),
		              rep_secs(c4, 32, o->seconds),
		              o->calls ? rep_secs(at, 32, o->seconds / (double)o->calls) : "-",
		              o->calls && vigil_op_table[i].dir != VIGIL_DIR_NONE
		                      ? rep_bytes(as, 32, (double)o->bytes / (double)o->calls) : "-");
	}
	rep_table_print(&t, out, "  ");
	rep_table_free(&t);
}

static void rt_hist(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	int any = 0;
	for (int k = 0; k < s->nops; k++) {
		int i = s->ops_by_time[k];
		const struct vigil_opstat *o = &p->ops[i];
		uint64_t n = 0;
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
			n += o->hist[b];
		if (!n || vigil_op_table[i].cls != VIGIL_CLASS_DATA) /* sizes mean nothing for open, fsync ... */
			continue;
		if (!any++)
			fputs("\nRequest sizes (bytes: count)\n", out);
		char name[64];
		snprintf(name, sizeof(name), "%s %s", vigil_layer_names[vigil_op_table[i].layer], vigil_op_table[i].name);
		fprintf(out, "  %-24s", name);
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++) {
			if (!o->hist[b])
				continue;
			char lab[32];
			fprintf(out, " %s: %llu", rep_hist_label(lab, sizeof(lab), b), (unsigned long long)o->hist[b]);
		}
		fputc('\n', out);
	}
}

static void rt_files(FILE *out, const struct vigil_profile *p, const struct rep_summary *s, size_t top,
                     const size_t *order, const char *title)
{
	if (!p->nfiles)
		return;
	fprintf(out, "\n%s (%zu of %zu)\n", title, p->nfiles < top ? p->nfiles : top, p->nfiles);
	const char *h[] = { "read", "written", "reads", "writes", "meta", "time", "procs", "layer", "path" };
	struct rep_table t;
	rep_table_init(&t, 9, h, "rrrrrrrll");
	for (size_t k = 0; k < p->nfiles && k < top; k++) {
		const struct vigil_filestat *f = &p->files[order[k]];
		char c1[32], c2[32], c3[32], c4[32], c5[32], c6[32], c7[32], path[1024];
		rep_table_add(&t, rep_bytes(c1, 32, (double)f->bytes_read), rep_bytes(c2, 32, (double)f->bytes_written),
		              rep_count(c3, 32, (double)f->reads), rep_count(c4, 32, (double)f->writes),
		              rep_count(c5, 32, (double)f->meta_ops), rep_secs(c6, 32, f->seconds),
		              rep_count(c7, 32, f->processes), vigil_file_layer_name(f->layer), rep_term(path, sizeof(path), f->path));
	}
	rep_table_print(&t, out, "  ");
	rep_table_free(&t);
}

static void rt_balance(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	if (!s->nranks || !s->nbal)
		return;
	fprintf(out, "\nPer-rank balance (%u ranks; seconds per rank, most time first)\n", s->nranks);
	const char *h[] = { "layer", "operation", "min", "mean", "max", "slowest rank", "max/mean" };
	struct rep_table t;
	rep_table_init(&t, 7, h, "llrrrrr");
	for (size_t k = 0; k < s->nbal && k < 15; k++) {
		const struct rep_balance *b = &s->bal[k];
		char c1[32], c2[32], c3[32], c4[32], c5[32];
		snprintf(c4, sizeof(c4), "%d", b->smax_rank);
		snprintf(c5, sizeof(c5), "%.2f", b->imbalance);
		rep_table_add(&t, vigil_layer_names[vigil_op_table[b->op].layer], vigil_op_table[b->op].name,
		              rep_secs(c1, 32, b->smin), rep_secs(c2, 32, b->smean), rep_secs(c3, 32, b->smax), c4, c5);
	}
	rep_table_print(&t, out, "  ");
	rep_table_free(&t);
}

static void rt_procs(FILE *out, const struct vigil_profile *p, size_t top)
{
	if (!p->nprocs)
		return;
	fprintf(out, "\nProcesses (%zu of %zu)\n", p->nprocs < top ? p->nprocs : top, p->nprocs);
	const char *h[] = { "pid", "rank", "state", "I/O time", "MPI time", "bytes", "host", "exe" };
	struct rep_table t;
	rep_table_init(&t, 8, h, "rrlrrrll");
	for (size_t i = 0; i < p->nprocs && i < top; i++) {
		const struct vigil_procstat *q = &p->procs[i];
		double io = 0, mpi = 0, by = 0;
		for (int op = 0; op < VIGIL_NOPS; op++) {
			if (vigil_op_table[op].layer == VIGIL_LAYER_MPI)
				mpi += q->ops[op].seconds;
			else {
				io += q->ops[op].seconds;
				by += (double)q->ops[op].bytes;
			}
		}
		char c1[16], c2[16], c3[48], c4[32], c5[32], c6[32], host[256], exe[1024];
		snprintf(c1, sizeof(c1), "%d", q->pid);
		snprintf(c2, sizeof(c2), "%d", q->rank);
		if (q->state == VIGIL_PROC_EXITED)
			snprintf(c3, sizeof(c3), "exited %d", q->exit_status);
		else if (q->state == VIGIL_PROC_KILLED)
			snprintf(c3, sizeof(c3), q->term_signal ? "killed %d" : "killed", q->term_signal);
		else if (q->state == VIGIL_PROC_UNMONITORED)
			snprintf(c3, sizeof(c3), q->exit_status >= 0 ? "unmonitored, exit %d" : "unmonitored",
			         q->exit_status);
		else
			snprintf(c3, sizeof(c3), "running");
		rep_table_add(&t, c1, c2, c3, rep_secs(c4, 32, io), rep_secs(c5, 32, mpi), rep_bytes(c6, 32, by),
		              rep_term(host, sizeof(host), q->host), rep_term(exe, sizeof(exe), q->exe));
	}
	rep_table_print(&t, out, "  ");
	rep_table_free(&t);
}

static void rt_timeline(FILE *out, const struct vigil_profile *p)
{
	const struct vigil_timeline *tl = &p->timeline;
	if (tl->bin_seconds <= 0)
		return;
	int nb = 0;
	for (int i = 0; i < VIGIL_TL_BINS; i++)
		for (int l = 0; l < VIGIL_NLAYERS; l++)
			if (tl->bin[i][l].ops > 0)
				nb = i + 1;
	if (!nb)
		return;
	char a[32];
	fprintf(out, "\nTimeline (%d bins of %s; bar height = bytes moved per bin, peak on the right)\n", nb,
	        rep_secs(a, sizeof(a), tl->bin_seconds));
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		double peak = 0, opk = 0;
		for (int i = 0; i < nb; i++) {
			double v = tl->bin[i][l].bytes_read + tl->bin[i][l].bytes_written;
			if (v > peak)
				peak = v;
			if (tl->bin[i][l].ops > opk)
				opk = tl->bin[i][l].ops;
		}
		if (opk <= 0)
			continue;
		fprintf(out, "  %-6s |", vigil_layer_names[l]);
		for (int i = 0; i < nb; i++) {
			double v = tl->bin[i][l].bytes_read + tl->bin[i][l].bytes_written;
			int h = peak > 0 ? (int)ceil(v / peak * 8) : 0;
			if (peak <= 0) /* no bytes: show operations instead */
				h = (int)ceil(tl->bin[i][l].ops / opk * 8);
			fputs(rt_sparks[h < 0 ? 0 : h > 8 ? 8 : h], out);
		}
		if (peak > 0)
			fprintf(out, "| %s\n", rep_rate(a, sizeof(a), peak / tl->bin_seconds));
		else
			fprintf(out, "| %.0f ops/s (no bytes)\n", opk / tl->bin_seconds);
	}
}

void rep_text(FILE *out, const struct vigil_profile *p, const struct rep_summary *s, size_t top)
{
	fputs("Findings\n", out);
	rep_findings(out, p, 1);
	fputc('\n', out);
	rt_header(out, p, s);
	rt_breakdown(out, s);
	rt_layers(out, p, s);
	rt_hist(out, p, s);
	rt_files(out, p, s, top, s->by_bytes, "Top files by bytes");
	rt_files(out, p, s, top, s->by_time, "Top files by time");
	rt_balance(out, p, s);
	rt_procs(out, p, top);
	rt_timeline(out, p);
}

/*
 * -o must not destroy a profile: not the one being read (`vigil report
 * p.json -o p.json`), nor any other (a slip of the fingers among
 * vigil-*.json).  Returns -1 after one sentence when FILE is refused.
 */
static int report_refuse_output(const char *profile, const char *out)
{
	struct stat si, so;
	char clean[1100], head[256];
	if (stat(out, &so) != 0 || !S_ISREG(so.st_mode))
		return 0; /* new file, or a device/FIFO (/dev/stdout): nothing to lose */
	if (stat(profile, &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
		fprintf(stderr, "vigil report: refusing to write the HTML report over the profile %s itself; "
		        "name another file with -o (e.g. report.html).\n", rep_term(clean, sizeof(clean), out));
		return -1;
	}
	FILE *f = fopen(out, "r");
	size_t n = f ? fread(head, 1, sizeof(head) - 1, f) : 0;
	if (f)
		fclose(f);
	head[n] = '\0';
	if (strstr(head, "\"schema\": \"vigil-profile/") || strstr(head, "\"schema\":\"vigil-profile/")) {
		fprintf(stderr, "vigil report: refusing to overwrite %s: it is a vigil profile; name another "
		        "file with -o (e.g. report.html).\n", rep_term(clean, sizeof(clean), out));
		return -1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "text", no_argument, NULL, 't' },
		{ "top", required_argument, NULL, 'n' },
		{ "insights", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *html = NULL, *insights = NULL;
	int text = 0, c;
	long top = 10;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:tn:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': html = optarg; break;
		case 'i': insights = optarg; break;
		case 't': text = 1; break;
		case 'n':
			if (rep_parse_top("report", optarg, &top))
				return 2;
			break;
		case 'h': vigil_help("%s", report_usage); return 0;
		default:
			fprintf(stderr, "vigil report: unknown or incomplete option '%s'; see 'vigil report --help'.\n",
			        argv[optind - 1]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vigil report: expected exactly one PROFILE; see 'vigil report --help'.\n");
		return 2;
	}
	struct vigil_profile p;
	struct rep_summary s;
	char clean[1100];
	struct vigil_insights_conf conf;
	char ierr[512];
	if (insights && vigil_insights_conf_load(&conf, insights, ierr, sizeof(ierr))) {
		fprintf(stderr, "vigil report: %s\n", rep_term(clean, sizeof(clean), ierr));
		return 2;
	}
	if (rep_load("report", argv[optind], &p))
		return 2;
	int rc = 0;
	/* The stored verdict stands unless a configuration is given: then judge again. */
	if (insights && vigil_insights_judge_profile(&p, &conf)) {
		fprintf(stderr, "vigil report: out of memory.\n");
		vigil_profile_free(&p);
		return 1;
	}
	if (rep_summarize(&p, &s)) {
		fprintf(stderr, "vigil report: out of memory.\n");
		rc = 1;
		goto out;
	}
	if (html && strcmp(html, "-") && report_refuse_output(argv[optind], html)) {
		rc = 1;
		goto out;
	}
	errno = 0;
	if (!html || text)
		rep_text(stdout, &p, &s, (size_t)top);
	if (html) {
		/* A file is written beside its final name and renamed into place when complete:
		 * a full disk or an interrupted run never leaves half a report behind. */
		/* Anything but a regular file (a device, a FIFO) is written in place. */
		char tmp[PATH_MAX + 16] = "";
		FILE *f = stdout;
		struct stat ost;
		if (strcmp(html, "-")) {
			int fd = -1;
			if (stat(html, &ost) == 0 && !S_ISREG(ost.st_mode)) {
				fd = open(html, O_WRONLY | O_CLOEXEC);
			} else if (strlen(html) < PATH_MAX) {
				snprintf(tmp, sizeof(tmp), "%s.XXXXXX", html);
				fd = mkstemp(tmp);
				if (fd >= 0 && fchmod(fd, 0644)) {
					close(fd);
					fd = -1;
				}
			} else {
				errno = ENAMETOOLONG;
			}
			if (fd < 0 || !(f = fdopen(fd, "w"))) {
				fprintf(stderr, "vigil report: cannot write %s: %s.\n", rep_term(clean, sizeof(clean), html),
				        strerror(errno));
				if (fd >= 0)
					close(fd);
				if (tmp[0])
					unlink(tmp);
				rc = 1;
				goto out;
			}
		}
		errno = 0;
		rep_html_write(f, &p, &s, (size_t)top);
		if (rep_finish_output("report", f, f == stdout ? "to standard output" : html))
			rc = 1;
		if (tmp[0] && (rc || rename(tmp, html))) {
			if (!rc)
				fprintf(stderr, "vigil report: cannot write %s: %s.\n", rep_term(clean, sizeof(clean), html),
				        strerror(errno));
			unlink(tmp);
			rc = 1;
		}
	}
	if (rc == 0 && rep_finish_output("report", stdout, "to standard output"))
		rc = 1;
out:
	rep_summary_free(&s);
	vigil_profile_free(&p);
	return rc;
}
