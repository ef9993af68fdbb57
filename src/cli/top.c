/*
 * top.c - `vigil top`: the node's jobs, live, from vigild's socket.
 *
 * One line per job, readable at 80 columns: the columns are one table
 * (top_cols) of fixed widths, and the last one, COMMAND, takes what the
 * terminal has left.  A new column (findings, OpenCL) is one entry in the
 * table, placed before COMMAND, which yields its width.  Units are the
 * dashboard's: MiB/s, thousands separators, and the state of a job with no
 * process left is "idle", not "running".
 *
 * Everything shown comes from segments that users wrote: control characters
 * are replaced before anything reaches the terminal (top may run as root).
 */
#include <curses.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/report_util.h"
#include "common/help.h"
#include "common/prom_query.h"
#include "common/vigild_client.h"

struct top_row {
	char id[300], user[64], procs[16], top_op[32], command[512];
	char finding[40];       /* the worst finding firing (live insights), "" none */
	double rd, wr, ops, meta, mpi;
	double cl;              /* OpenCL device time share, percent */
	bool has_cl;            /* the job ran OpenCL (totals.opencl) */
	const char *shown_id;   /* id as printed: whole, or cut in the middle */
	char cut_id[64];
};

/*
 * One column: header, width (0 = the rest of the line), right-aligned,
 * whether a longer cell is cut to the width (never a job id: it widens its
 * line instead), whether it yields its place when the columns shown do not
 * fit the terminal, and how a row fills it.
 */
struct top_col {
	const char *head;
	int width, right, cut, yield;
	void (*cell)(char *buf, size_t len, const struct top_row *t);
};

#define TOP_JOB_COLS 14

static void top_c_job(char *b, size_t n, const struct top_row *t) { snprintf(b, n, "%s", t->shown_id); }
static void top_c_user(char *b, size_t n, const struct top_row *t) { snprintf(b, n, "%s", t->user); }
static void top_c_procs(char *b, size_t n, const struct top_row *t) { snprintf(b, n, "%s", t->procs); }
static void top_c_op(char *b, size_t n, const struct top_row *t) { snprintf(b, n, "%s", t->top_op[0] ? t->top_op : "-"); }
static void top_c_finding(char *b, size_t n, const struct top_row *t) { snprintf(b, n, "%s", t->finding[0] ? t->finding : "-"); }
static void top_c_cmd(char *b, size_t n, const struct top_row *t) { snprintf(b, n, "%s", t->command); }

/* A rate in MiB/s in 5 columns: "0", "0.05", "12.3", "1,234", "12.3k" (thousands of MiB/s). */
static void top_mib(char *b, size_t n, double bps)
{
	double v = bps / 1048576.0;
	if (v < 0.005)
		snprintf(b, n, "0");
	else if (v < 100)
		snprintf(b, n, v < 10 ? "%.2f" : "%.1f", v);
	else if (v < 1e4)
		rep_count(b, n, round(v));
	else
		snprintf(b, n, v < 1e5 ? "%.1fk" : "%.0fk", v / 1e3);
}

/* Operations per second in 5 columns: "12", "9,999", "12.3k", "123k", "1.2M". */
static void top_per_s(char *b, size_t n, double v)
{
	if (v < 1e4)
		rep_count(b, n, round(v));
	else if (v < 1e6)
		snprintf(b, n, v < 1e5 ? "%.1fk" : "%.0fk", v / 1e3);
	else
		snprintf(b, n, v < 1e7 ? "%.1fM" : "%.0fM", v / 1e6);
}

static void top_c_rd(char *b, size_t n, const struct top_row *t) { top_mib(b, n, t->rd); }
static void top_c_wr(char *b, size_t n, const struct top_row *t) { top_mib(b, n, t->wr); }
static void top_c_ops(char *b, size_t n, const struct top_row *t) { top_per_s(b, n, t->ops); }
static void top_c_meta(char *b, size_t n, const struct top_row *t) { top_per_s(b, n, t->meta); }
static void top_c_mpi(char *b, size_t n, const struct top_row *t) { snprintf(b, n, "%.0f", t->mpi); }
static void top_c_cl(char *b, size_t n, const struct top_row *t) { snprintf(b, n, t->has_cl ? "%.0f" : "-", t->cl); }

/*
 * 14+8+5+5+5+5+6+4+9 columns and 9 spaces: 70 of 80; CL% (4 + 1) and FINDING
 * (14 + 1) appear only while some job needs them, before COMMAND, which takes
 * the rest (more on wider terminals).  When they would not fit, TOP OP yields
 * its place (what is wrong matters more than what is busiest); a line is
 * cut at the terminal's width.  Numbers are never cut: a wider one widens
 * its line.
 */
static const struct top_col top_cols[] = {
	{ "JOB",    TOP_JOB_COLS, 0, 0, 0, top_c_job },
	{ "USER",   8,  0, 1, 0, top_c_user },
	{ "PROCS",  5,  1, 0, 0, top_c_procs },
	{ "READ",   5,  1, 0, 0, top_c_rd },
	{ "WRITE",  5,  1, 0, 0, top_c_wr },
	{ "OPS/s",  5,  1, 0, 0, top_c_ops },
	{ "META/s", 6,  1, 0, 0, top_c_meta },
	{ "MPI%",   4,  1, 0, 0, top_c_mpi },
	{ "CL%",    4,  1, 0, 0, top_c_cl },
	{ "TOP OP", 9,  0, 1, 1, top_c_op },
	{ "FINDING", 14, 0, 1, 0, top_c_finding },
	{ "COMMAND", 0, 0, 0, 0, top_c_cmd },
};
#define TOP_NCOLS (sizeof(top_cols) / sizeof(top_cols[0]))

/* FINDING is shown only while some job has a finding: what is wrong comes before the command. */
static bool top_findings;
/* CL% only while some job ran OpenCL. */
static bool top_opencl;

static const char *top_keys = "rwomp i";
static int top_sort = 'w';

static void top_clean(char *dst, size_t n, const char *src)
{
	rep_term(dst, n, src ? src : ""); /* C0, DEL and UTF-8 C1 controls (a CSI is U+009B) become '?' */
}

static double top_num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static int top_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double vx, vy;
	switch (top_sort) {
	case 'r': vx = x->rd; vy = y->rd; break;
	case 'o': vx = x->ops; vy = y->ops; break;
	case 'm': vx = x->meta; vy = y->meta; break;
	case 'p': vx = x->mpi; vy = y->mpi; break;
	case 'i': return strcmp(x->id, y->id);
	default: vx = x->wr; vy = y->wr; break;
	}
	return vx < vy ? 1 : vx > vy ? -1 : strcmp(x->id, y->id);
}

/* Bytes of the first `cols` terminal columns of a UTF-8 string (rep_width counts code points). */
static size_t top_prefix(const char *s, size_t cols)
{
	size_t i = 0;
	for (size_t c = 0; s[i] && c < cols; c++)
		do
			i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80);
	return i;
}

/*
 * Job ids as printed: an id longer than the column keeps its head and its
 * tail (where `vigil run`'s ids differ: host-date-time-PID) around a '~'.  Two
 * ids that would still look alike are printed whole: never two identical
 * rows for two jobs.
 */
static void top_ids(struct top_row *rows, size_t n)
{
	const size_t w = TOP_JOB_COLS, head = 5;
	for (size_t i = 0; i < n; i++) {
		struct top_row *t = &rows[i];
		size_t cols = rep_width(t->id);
		t->shown_id = t->id;
		if (cols <= w)
			continue;
		size_t hb = top_prefix(t->id, head), tail = top_prefix(t->id, cols - (w - head - 1));
		snprintf(t->cut_id, sizeof t->cut_id, "%.*s~%s", (int)hb, t->id, t->id + tail);
		t->shown_id = t->cut_id;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t k = i + 1; k < n; k++)
			if (!strcmp(rows[i].shown_id, rows[k].shown_id) && strcmp(rows[i].id, rows[k].id)) {
				rows[i].shown_id = rows[i].id;
				rows[k].shown_id = rows[k].id;
			}
}

static const char *top_prom;         /* --prometheus URL: the cluster's jobs */
static char top_prom_err[256];

/* The cluster's jobs from Prometheus (every node's part summed); COMMAND names the nodes. */
static struct top_row *top_fetch_prom(size_t *n, const char **err)
{
	struct vigil_prom_job *pj;
	int cnt = vigil_prom_jobs(top_prom, NULL, NULL, 3000, &pj, top_prom_err, sizeof top_prom_err);
	*n = 0;
	if (cnt < 0) {
		*err = top_prom_err;
		return NULL;
	}
	struct top_row *rows = calloc(cnt ? (size_t)cnt : 1, sizeof *rows);
	for (int i = 0; rows && i < cnt; i++) {
		struct top_row *t = &rows[i];
		top_clean(t->id, sizeof t->id, pj[i].jobid);
		top_clean(t->user, sizeof t->user, pj[i].user);
		if (pj[i].running > 0)
			snprintf(t->procs, sizeof t->procs, "%.0f", pj[i].procs);
		else
			snprintf(t->procs, sizeof t->procs, "ended");
		snprintf(t->command, sizeof t->command, "%.0f node%s", pj[i].nodes, pj[i].nodes == 1 ? "" : "s");
		t->rd = pj[i].read_bps;
		t->wr = pj[i].write_bps;
		t->ops = pj[i].ops_ps;
		t->meta = pj[i].meta_ps;
		t->mpi = pj[i].mpi_share * 100;
	}
	free(pj);
	if (rows) {
		*n = (size_t)cnt;
		qsort(rows, *n, sizeof *rows, top_cmp);
		top_ids(rows, *n);
	}
	return rows;
}

/* "W small_writes": the worst finding firing, its severity's initial first (docs/INSIGHTS.md). */
static void top_finding(char *dst, size_t n, json_t *job)
{
	static const char sev[] = " IWC";
	json_int_t level = json_integer_value(json_object_get(job, "insight_level"));
	const char *rule = json_string_value(json_object_get(job, "insight"));
	char buf[40];
	dst[0] = 0;
	if (!rule || level < 1 || level > 3)
		return;
	snprintf(buf, sizeof buf, "%c %s", sev[level], rule);
	top_clean(dst, n, buf);
}

/* Fetch and parse; returns rows (caller frees) or NULL with *err set. */
static struct top_row *top_fetch(size_t *n, const char **err)
{
	if (top_prom)
		return top_fetch_prom(n, err);
	int status;
	char *body;
	size_t len;
	json_error_t je;
	*n = 0;
	if (vigil_daemon_request(vigil_daemon_socket_path(), "GET", "/api/v1/jobs", 3000, &status, &body, &len) < 0) {
		*err = "unreachable";
		return NULL;
	}
	json_t *root = json_loadb(body, len, 0, &je);
	free(body);
	json_t *jobs = json_object_get(root, "jobs");
	if (status != 200 || !json_is_array(jobs)) {
		json_decref(root);
		*err = "bad answer";
		return NULL;
	}
	size_t cnt = json_array_size(jobs);
	struct top_row *rows = calloc(cnt ? cnt : 1, sizeof *rows);
	for (size_t i = 0; rows && i < cnt; i++) {
		json_t *j = json_array_get(jobs, i), *r = json_object_get(j, "rates"), *p = json_object_get(j, "processes");
		json_t *top = json_object_get(j, "top_op");
		struct top_row *t = &rows[i];
		char id[200], step[64];
		top_clean(id, sizeof id, json_string_value(json_object_get(j, "id")));
		top_clean(step, sizeof step, json_string_value(json_object_get(j, "step")));
		snprintf(t->id, sizeof t->id, "%s%s%s", id, step[0] ? "." : "", step);
		top_clean(t->user, sizeof t->user, json_string_value(json_object_get(j, "user")));
		top_clean(t->top_op, sizeof t->top_op, json_string_value(json_object_get(top, "op")));
		top_finding(t->finding, sizeof t->finding, j);
		/* the command line for the owner, the executable for others */
		const char *cmd = json_string_value(json_object_get(j, "command"));
		top_clean(t->command, sizeof t->command, cmd && *cmd ? cmd : json_string_value(json_object_get(j, "executable")));
		long live = (long)json_integer_value(json_object_get(p, "running"));
		const char *state = json_string_value(json_object_get(j, "state"));
		if (state && !strcmp(state, "ended"))
			snprintf(t->procs, sizeof t->procs, "ended");
		else if (!live)
			snprintf(t->procs, sizeof t->procs, "idle");
		else
			rep_count(t->procs, sizeof t->procs, (double)live);
		t->rd = top_num(r, "read_bytes_per_second");
		t->wr = top_num(r, "write_bytes_per_second");
		t->ops = top_num(r, "io_ops_per_second");
		t->meta = top_num(r, "metadata_ops_per_second");
		t->mpi = top_num(r, "mpi_time_share") * 100;
		t->has_cl = json_object_get(json_object_get(j, "totals"), "opencl") != NULL;
		t->cl = top_num(r, "opencl_device_share") * 100;
	}
	json_decref(root);
	*n = cnt;
	if (rows) {
		qsort(rows, cnt, sizeof *rows, top_cmp);
		top_ids(rows, cnt);
		top_findings = top_opencl = false;
		for (size_t i = 0; i < (size_t)cnt; i++) {
			top_findings |= rows[i].finding[0] != '\0';
			top_opencl |= rows[i].has_cl;
		}
	}
	return rows;
}

/*
 * One line of at most `width` terminal columns (0: no limit).  Each column is
 * padded and cut by terminal columns, not bytes (an id may hold UTF-8).
 * Row NULL: the header.
 */
static bool top_col_shown(const struct top_col *col)
{
	return !(col->cell == top_c_finding && !top_findings) && !(col->cell == top_c_cl && !top_opencl);
}

static void top_line(char *out, size_t n, const struct top_row *t, int width)
{
	size_t k = 0, cols = 0, fixed = 0;
	out[0] = '\0';
	for (size_t c = 0; c < TOP_NCOLS; c++)
		if (top_col_shown(&top_cols[c]) && top_cols[c].width)
			fixed += (c ? 1 : 0) + (size_t)top_cols[c].width;
	bool yield = width > 0 && fixed > (size_t)width;
	for (size_t c = 0; c < TOP_NCOLS && k + 1 < n; c++) {
		const struct top_col *col = &top_cols[c];
		if (!top_col_shown(col) || (yield && col->yield))
			continue;
		char cell[600];
		if (t)
			col->cell(cell, sizeof cell, t);
		else
			snprintf(cell, sizeof cell, "%s", col->head);
		if (col->cut && rep_width(cell) > (size_t)col->width)
			cell[top_prefix(cell, (size_t)col->width)] = '\0'; /* a user or op name longer than its column */
		size_t w = rep_width(cell), pad = col->width && w < (size_t)col->width ? col->width - w : 0;
		int last = c + 1 == TOP_NCOLS;
		k += (size_t)snprintf(out + k, n - k, "%s%*s%s%*s", c ? " " : "", col->right ? (int)pad : 0, "", cell,
		                      col->right || last ? 0 : (int)pad, "");
		if (k >= n)
			k = n - 1;
		cols += (c ? 1 : 0) + w + pad;
	}
	if (width > 0 && cols > (size_t)width)
		out[top_prefix(out, (size_t)width)] = '\0';
	/* no trailing blanks */
	while (k && out[k - 1] == ' ')
		out[--k] = '\0';
}

static int top_unreachable(void)
{
	fprintf(stderr, "vigil top: vigild is not reachable at %s (is it running? see docs/DEPLOY.md).\n",
	        vigil_daemon_socket_path());
	return 1;
}

static const char top_usage[] =
"usage: vigil top [--once] [--width N] [--sort r|w|o|m|p|i] [--prometheus URL]\n"
"\n"
"Live view of this node's jobs from vigild, one line per job:\n"
"  JOB      job id (and step); a long id keeps its head and tail around '~',\n"
"           and is printed whole if two would still look alike\n"
"  USER     owner\n"
"  PROCS    processes running now; idle: none left but the job not ended yet;\n"
"           ended\n"
"  READ     read bandwidth, MiB/s, over the latest second\n"
"  WRITE    write bandwidth, MiB/s\n"
"  OPS/s    I/O operations per second (k, M from 10,000)\n"
"  META/s   metadata operations per second (open, stat, unlink, ...)\n"
"  MPI%     share of the ranks' time in MPI over the latest second\n"
"  CL%      share of the latest second the job's OpenCL devices were busy\n"
"           (device time per process running OpenCL; credited when the\n"
"           collector collects it, at the program's synchronisation points),\n"
"           shown while any job ran OpenCL\n"
"  TOP OP   the operation with the most time so far, any layer (it yields\n"
"           its place to CL% and FINDING when they would not fit the width)\n"
"  FINDING  the worst live finding firing (C critical, W warning, I info, then\n"
"           the rule id; docs/INSIGHTS.md), shown while any job has one\n"
"  COMMAND  the command line (your jobs), else the executable; it takes the\n"
"           columns the others leave (they fit in 70 of 80 columns, 80 with\n"
"           CL% and FINDING)\n"
"Refreshes every second; keys r w o m p i choose the sort column (read,\n"
"write, ops, metadata, MPI, id), q quits.\n"
"\n"
"Options:\n"
"  --once       print one plain-text snapshot and exit (for scripts)\n"
"  --width N    with --once: cut lines at N columns (default: the terminal's\n"
"               width when standard output is one, else no limit)\n"
"  --sort KEY   initial sort column (default w)\n"
"  --prometheus URL  the whole cluster's jobs instead, every node's part summed\n"
"               by the Prometheus at URL (http://HOST:PORT) that scrapes the\n"
"               nodes' vigild: POSIX bytes and operations, rates over the last\n"
"               minute; COMMAND names the job's node count\n";

int cmd_top(int argc, char **argv)
{
	bool once = false;
	long width = -1;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--once"))
			once = true;
		else if (!strcmp(argv[i], "--prometheus") && i + 1 < argc)
			top_prom = argv[++i];
		else if (!strcmp(argv[i], "--sort") && i + 1 < argc && strchr(top_keys, argv[i + 1][0]) && argv[i + 1][0] != ' ')
			top_sort = argv[++i][0];
		else if (!strcmp(argv[i], "--width") && i + 1 < argc && (width = strtol(argv[i + 1], &end, 10)) >= 20 &&
		         width <= 10000 && !*end)
			i++;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			vigil_help("%s", top_usage);
			return 0;
		} else {
			fprintf(stderr, "vigil top: unknown or incomplete option '%s' (see vigil top --help).\n", argv[i]);
			return 2;
		}
	}
	size_t n;
	const char *err;
	char line[2048];
	struct top_row *rows = top_fetch(&n, &err);
	if (!rows && top_prom) {
		fprintf(stderr, "vigil top: %s.\n", err);
		return 1;
	}
	if (!rows)
		return top_unreachable();
	if (once) {
		struct winsize ws;
		if (width < 0)
			width = isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0;
		top_line(line, sizeof line, NULL, (int)width);
		printf("%s\n", line);
		for (size_t i = 0; i < n; i++) {
			top_line(line, sizeof line, &rows[i], (int)width);
			printf("%s\n", line);
		}
		free(rows);
		return 0;
	}
	initscr();
	cbreak();
	noecho();
	curs_set(0);
	timeout(1000);
	for (;;) {
		erase();
		mvprintw(0, 0, "vigil top - %zu job%s - READ, WRITE in MiB/s - sort: %c (r w o m p i, q quits)", n,
		         n == 1 ? "" : "s", top_sort);
		top_line(line, sizeof line, NULL, COLS);
		attron(A_REVERSE);
		mvprintw(2, 0, "%-*s", COLS, line);
		attroff(A_REVERSE);
		for (size_t i = 0; rows && i < n && (int)i + 3 < LINES; i++) {
			top_line(line, sizeof line, &rows[i], COLS);
			mvprintw((int)i + 3, 0, "%s", line);
		}
		if (!rows && top_prom)
			mvprintw(3, 0, "%.*s", COLS, err);
		else if (!rows)
			mvprintw(3, 0, "vigild is not reachable at %s", vigil_daemon_socket_path());
		refresh();
		int ch = getch();
		if (ch == 'q' || ch == 'Q')
			break;
		if (ch != ERR && ch != ' ' && strchr(top_keys, ch))
			top_sort = ch;
		free(rows);
		rows = top_fetch(&n, &err);
	}
	endwin();
	free(rows);
	return 0;
}
