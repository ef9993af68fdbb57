/*
 * top.c - `vigil top`: the node's jobs, live, from vigild's socket.
 *
 * Everything shown comes from segments that users wrote: control characters
 * are replaced before anything reaches the terminal (top may run as root).
 */
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/help.h"
#include "cli/cli.h"
#include "cli/report_util.h"
#include "common/vigild_client.h"

struct top_row {
	char id[64], user[32], state[8], top_op[32];
	char finding[40];    /* the worst finding firing (live insights), "" none */
	double rd, wr, ops, meta, mpi;
	long procs;
};

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
		struct top_row *t = &rows[i];
		top_clean(t->id, sizeof t->id, json_string_value(json_object_get(j, "id")));
		top_clean(t->user, sizeof t->user, json_string_value(json_object_get(j, "user")));
		top_clean(t->state, sizeof t->state, json_string_value(json_object_get(j, "state")));
		top_clean(t->top_op, sizeof t->top_op, json_string_value(json_object_get(r, "top_op")));
		t->rd = top_num(r, "read_bytes_per_second") / 1e6;
		t->wr = top_num(r, "write_bytes_per_second") / 1e6;
		t->ops = top_num(r, "io_ops_per_second");
		t->meta = top_num(r, "metadata_ops_per_second");
		t->mpi = top_num(r, "mpi_time_share") * 100;
		t->procs = (long)json_integer_value(json_object_get(p, "running"));
		top_finding(t->finding, sizeof t->finding, j);
	}
	json_decref(root);
	*n = cnt;
	qsort(rows, cnt, sizeof *rows, top_cmp);
	return rows;
}

static void top_line(char *out, size_t n, const struct top_row *t)
{
	snprintf(out, n, "%-20.20s %-10.10s %-7s %5ld %9.2f %9.2f %10.0f %9.0f %5.1f  %-14.14s %s", t->id, t->user,
	         t->state, t->procs, t->rd, t->wr, t->ops, t->meta, t->mpi, t->top_op, t->finding);
}

static const char top_header[] =
	"JOBID                USER       STATE   PROCS  READ MB/s WRITE MB/s   OPS/s    META/s  MPI%  TOP OP         FINDING";

static int top_unreachable(void)
{
	fprintf(stderr, "vigil top: vigild is not reachable at %s (is it running? see docs/DEPLOY.md).\n",
	        vigil_daemon_socket_path());
	return 1;
}

int cmd_top(int argc, char **argv)
{
	bool once = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once"))
			once = true;
		else if (!strcmp(argv[i], "--sort") && i + 1 < argc && strchr(top_keys, argv[i + 1][0]) && argv[i + 1][0] != ' ')
			top_sort = argv[++i][0];
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			vigil_help("usage: vigil top [--once] [--sort r|w|o|m|p|i]\n\n"
			       "Live view of this node's jobs from vigild: read and write MB/s, I/O operations/s,\n"
			       "metadata operations/s, share of time in MPI, busiest operation. Refreshes every\n"
			       "second; keys r w o m p i choose the sort column (read, write, ops, metadata, MPI,\n"
			       "id), q quits. --once prints one plain-text snapshot for scripts.\n");
			return 0;
		} else {
			fprintf(stderr, "vigil top: unknown option '%s' (see vigil top --help).\n", argv[i]);
			return 2;
		}
	}
	size_t n;
	const char *err;
	char line[256];
	struct top_row *rows = top_fetch(&n, &err);
	if (!rows)
		return top_unreachable();
	if (once) {
		printf("%s\n", top_header);
		for (size_t i = 0; i < n; i++) {
			top_line(line, sizeof line, &rows[i]);
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
		mvprintw(0, 0, "vigil top - %zu jobs - sort: %c (r w o m p i, q quits)", n, top_sort);
		attron(A_REVERSE);
		mvprintw(2, 0, "%-*s", COLS, top_header);
		attroff(A_REVERSE);
		for (size_t i = 0; rows && i < n && (int)i + 3 < LINES; i++) {
			top_line(line, sizeof line, &rows[i]);
			mvprintw((int)i + 3, 0, "%.*s", COLS, line);
		}
		if (!rows)
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
