/*
 * report_util.c - derived numbers, units and escaping for report and diff.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include "cli/report_util.h"
#include "common/store_find.h"
#include "format/store.h"
#include "common/profile_read.h"

void rep_sum_add(struct rep_sum *d, const struct vigil_opstat *o, int op)
{
	d->calls += o->calls;
	d->errors += o->errors;
	d->bytes += o->bytes;
	d->seconds += o->seconds;
	if (vigil_op_table[op].dir == VIGIL_DIR_READ)
		d->bytes_read += o->bytes;
	else if (vigil_op_table[op].dir == VIGIL_DIR_WRITE)
		d->bytes_written += o->bytes;
}

static const struct vigil_profile *ru_sort_p;

static int ru_cmp_bytes(const void *a, const void *b)
{
	const struct vigil_filestat *x = &ru_sort_p->files[*(const size_t *)a];
	const struct vigil_filestat *y = &ru_sort_p->files[*(const size_t *)b];
	uint64_t bx = x->bytes_read + x->bytes_written, by = y->bytes_read + y->bytes_written;
	if (bx != by)
		return bx < by ? 1 : -1;
	if (x->seconds != y->seconds)
		return x->seconds < y->seconds ? 1 : -1;
	int c = strcmp(x->path, y->path);
	return c ? c : x->layer - y->layer;
}

static int ru_cmp_time(const void *a, const void *b)
{
	const struct vigil_filestat *x = &ru_sort_p->files[*(const size_t *)a];
	const struct vigil_filestat *y = &ru_sort_p->files[*(const size_t *)b];
	if (x->seconds != y->seconds)
		return x->seconds < y->seconds ? 1 : -1;
	return ru_cmp_bytes(a, b);
}

static int ru_cmp_ops(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	const struct vigil_opstat *ox = &ru_sort_p->ops[x], *oy = &ru_sort_p->ops[y];
	if (ox->seconds != oy->seconds)
		return ox->seconds < oy->seconds ? 1 : -1;
	if (ox->calls != oy->calls)
		return ox->calls < oy->calls ? 1 : -1;
	return x - y;
}

static int ru_cmp_bal(const void *a, const void *b)
{
	const struct rep_balance *x = a, *y = b;
	if (x->smax != y->smax)
		return x->smax < y->smax ? 1 : -1;
	return x->op - y->op;
}

/*
 * Who waits and who is waited for.  The rank with the most MPI time is the
 * victim of an imbalance, not its cause: in a barrier, the rank that arrives
 * last spends the least time in it and the most outside MPI (lifetime minus
 * MPI time; startup skew lands in MPI_Init, which is MPI time).
 */
static void ru_culprits(const struct vigil_profile *p, struct rep_summary *s)
{
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct vigil_procstat *q = &p->procs[i];
		if (q->rank < 0)
			continue;
		double mpi = 0, end = q->end > 0 ? q->end : p->end;
		for (int op = 0; op < VIGIL_NOPS; op++)
			if (vigil_op_table[op].layer == VIGIL_LAYER_MPI)
				mpi += q->ops[op].seconds;
		double outside = end > q->start && q->start > 0 ? end - q->start - mpi : 0;
		if (outside < 0)
			outside = 0;
		if (s->mpi_wait_rank < 0 || mpi > s->mpi_wait_seconds) {
			s->mpi_wait_rank = q->rank;
			s->mpi_wait_seconds = mpi;
		}
		if (s->outside_rank < 0 || outside > s->outside_seconds) {
			s->outside_rank = q->rank;
			s->outside_seconds = outside;
		}
	}
}

int rep_summarize(const struct vigil_profile *p, struct rep_summary *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < VIGIL_NOPS; i++) {
		const struct vigil_opstat *o = &p->ops[i];
		int l = vigil_op_table[i].layer, c = vigil_op_table[i].cls;
		rep_sum_add(&s->layer[l], o, i);
		rep_sum_add(&s->cls[l][c], o, i);
		rep_sum_add(&s->all, o, i);
		if (o->calls || o->seconds > 0 || o->bytes)
			s->ops_by_time[s->nops++] = i;
	}
	ru_sort_p = p;
	qsort(s->ops_by_time, (size_t)s->nops, sizeof(int), ru_cmp_ops);
	s->duration = p->end > p->start ? p->end - p->start : 0;
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct vigil_procstat *q = &p->procs[i];
		double end = q->end > 0 ? q->end : p->end;
		if (end > q->start && q->start > 0)
			s->proc_seconds += end - q->start;
		if (vigil_proc_mpi_rank(q) >= 0)
			s->nranks++;
	}
	if (p->nprocs == 0)
		s->proc_seconds = s->duration;
	s->io_seconds = s->layer[VIGIL_LAYER_POSIX].seconds + s->layer[VIGIL_LAYER_STDIO].seconds +
	                s->layer[VIGIL_LAYER_MPIIO].seconds;
	s->mpi_seconds = s->layer[VIGIL_LAYER_MPI].seconds;
	double total = s->proc_seconds;
	s->lifetime_seconds = total;
	if (total < s->io_seconds + s->mpi_seconds)
		total = s->io_seconds + s->mpi_seconds;
	s->proc_seconds = total;
	s->rest_seconds = total - s->io_seconds - s->mpi_seconds;
	if (s->rest_seconds < 0)
		s->rest_seconds = 0;

	if (p->nfiles) {
		s->by_bytes = malloc(p->nfiles * sizeof(size_t));
		s->by_time = malloc(p->nfiles * sizeof(size_t));
		if (!s->by_bytes || !s->by_time)
			return -1;
		for (size_t i = 0; i < p->nfiles; i++)
			s->by_bytes[i] = s->by_time[i] = i;
		qsort(s->by_bytes, p->nfiles, sizeof(size_t), ru_cmp_bytes);
		qsort(s->by_time, p->nfiles, sizeof(size_t), ru_cmp_time);
	}

	s->mpi_wait_rank = s->outside_rank = -1;
	if (s->layer[VIGIL_LAYER_MPI].seconds > 0)
		ru_culprits(p, s);
	if (s->nranks) {
		s->bal = calloc(VIGIL_NOPS, sizeof(*s->bal));
		if (!s->bal)
			return -1;
		for (int op = 0; op < VIGIL_NOPS; op++) {
			if (!p->ops[op].calls)
				continue;
			struct rep_balance *b = &s->bal[s->nbal];
			double ssum = 0, bsum = 0;
			uint32_t n = 0;
			for (size_t i = 0; i < p->nprocs; i++) {
				const struct vigil_procstat *q = &p->procs[i];
				if (q->rank < 0)
					continue;
				double sec = q->ops[op].seconds, by = (double)q->ops[op].bytes;
				if (!n || sec < b->smin) { b->smin = sec; b->smin_rank = q->rank; }
				if (!n || sec > b->smax) { b->smax = sec; b->smax_rank = q->rank; }
				if (!n || by < b->bmin) { b->bmin = by; b->bmin_rank = q->rank; }
				if (!n || by > b->bmax) { b->bmax = by; b->bmax_rank = q->rank; }
				ssum += sec;
				bsum += by;
				n++;
			}
			b->op = op;
			b->smean = ssum / n;
			b->bmean = bsum / n;
			b->imbalance = b->smean > 0 ? b->smax / b->smean : 1.0;
			s->nbal++;
		}
		qsort(s->bal, s->nbal, sizeof(*s->bal), ru_cmp_bal);
	}
	return 0;
}

void rep_summary_free(struct rep_summary *s)
{
	free(s->by_bytes);
	free(s->by_time);
	free(s->bal);
	memset(s, 0, sizeof(*s));
}

int rep_load(const char *cmd, const char *path, struct vigil_profile *p)
{
	char err[1024], clean[1024];
	if (!vigil_profile_load(path, p, err, sizeof(err)))
		return 0;
	fprintf(stderr, "vigil %s: %s\n", cmd, rep_term(clean, sizeof(clean), err));
	vigil_profile_free(p);
	return -1;
}

const char *rep_store(const char *flag)
{
	const char *env = getenv(VIGIL_STORE_ENV);
	return flag && *flag ? flag : env && *env ? env : NULL;
}

int rep_load_job(const char *cmd, const char *arg, const char *store, struct vigil_profile *p)
{
	struct stat st;
	char err[1024], clean[1024], a[512], s[1024];
	/* a name that exists is a file, whatever it looks like */
	if (!store || stat(arg, &st) == 0)
		return rep_load(cmd, arg, p);
	int rc = vigil_store_load(store, arg, p, err, sizeof(err));
	if (rc == 0)
		return 0;
	if (rc == -ENOENT)
		fprintf(stderr, "vigil %s: %s is neither a file nor a job with a profile in the profile store %s.\n", cmd,
		        rep_term(a, sizeof(a), arg), rep_term(s, sizeof(s), store));
	else
		fprintf(stderr, "vigil %s: %s\n", cmd, rep_term(clean, sizeof(clean), err));
	vigil_profile_free(p);
	return -1;
}

int rep_finish_output(const char *cmd, FILE *f, const char *name)
{
	char clean[1024];
	int bad = ferror(f), e = 0, during = errno; /* the writes' errno: the caller zeroed it before them */
	errno = 0;
	if (fflush(f)) {
		bad = 1;
		e = errno;
	}
	if (f != stdout) {
		errno = 0;
		if (fclose(f)) {
			bad = 1;
			e = e ? e : errno;
		}
	}
	if (!bad)
		return 0;
	if (!e)
		e = during;
	fprintf(stderr, "vigil %s: cannot write %s: %s.\n", cmd, rep_term(clean, sizeof(clean), name),
	        e ? strerror(e) : "write error");
	return -1;
}

int rep_parse_top(const char *cmd, const char *arg, long *top)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || v < 1 || v > 1000000) {
		fprintf(stderr, "vigil %s: --top needs a number from 1 to 1000000.\n", cmd);
		return -1;
	}
	*top = v;
	return 0;
}

int rep_flags(FILE *out, const struct vigil_profile *p)
{
	int n = 0;
	for (size_t i = 0; i < VIGIL_NPROFILE_FLAGS; i++)
		if (p->flags & vigil_profile_flags[i].bit && ++n && out)
			fprintf(out, "%s%s", n > 1 ? ", " : "", vigil_profile_flags[i].name);
	if (p->survivors && ++n && out)
		fprintf(out, "%ssurvivors", n > 1 ? ", " : "");
	return n;
}

char *rep_proc_state(char *buf, size_t len, const struct vigil_procstat *q)
{
	if (q->state == VIGIL_PROC_EXITED)
		snprintf(buf, len, q->exit_status >= 0 ? "exited %d" : "exited", q->exit_status);
	else if (q->state == VIGIL_PROC_KILLED)
		snprintf(buf, len, q->term_signal ? "killed %d" : "killed", q->term_signal);
	else if (q->state == VIGIL_PROC_UNMONITORED)
		snprintf(buf, len, q->exit_status >= 0 ? "unmonitored, exit %d" : "unmonitored", q->exit_status);
	else
		snprintf(buf, len, "running");
	return buf;
}

char *rep_rank(char *buf, size_t len, int32_t rank)
{
	if (rank >= 0)
		snprintf(buf, len, "%d", rank);
	else
		snprintf(buf, len, "-");
	return buf;
}

/* ---- units ---- */

static char *ru_scaled(char *buf, size_t len, double v, double base, const char *const *units, int nunits)
{
	int u = 0;
	while (u + 1 < nunits && fabs(v) >= base) {
		v /= base;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", v, units[0]);
	else
		snprintf(buf, len, fabs(v) >= 100 ? "%.0f %s" : fabs(v) >= 10 ? "%.1f %s" : "%.2f %s", v, units[u]);
	return buf;
}

char *rep_bytes(char *buf, size_t len, double b)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	return ru_scaled(buf, len, b, 1024, u, 6);
}

char *rep_rate(char *buf, size_t len, double bps)
{
	static const char *const u[] = { "B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s" };
	return ru_scaled(buf, len, bps, 1024, u, 5);
}

char *rep_secs(char *buf, size_t len, double s)
{
	double a = fabs(s);
	if (a == 0)
		snprintf(buf, len, "0 s");
	else if (a < 1e-6)
		snprintf(buf, len, "%.0f ns", s * 1e9);
	else if (a < 1e-3)
		snprintf(buf, len, a < 1e-5 ? "%.2f µs" : a < 1e-4 ? "%.1f µs" : "%.0f µs", s * 1e6);
	else if (a < 1)
		snprintf(buf, len, a < 1e-2 ? "%.2f ms" : a < 1e-1 ? "%.1f ms" : "%.0f ms", s * 1e3);
	else if (a < 3600)
		snprintf(buf, len, a < 10 ? "%.2f s" : a < 100 ? "%.1f s" : "%.0f s", s);
	else /* as the dashboard: "2 h 5 min" */
		snprintf(buf, len, "%s%d h %d min", s < 0 ? "-" : "", (int)(a / 3600), (int)fmod(a / 60, 60));
	return buf;
}

char *rep_pct(char *buf, size_t len, double frac)
{
	snprintf(buf, len, "%.1f %%", frac * 100);
	return buf;
}

char *rep_count(char *buf, size_t len, double n)
{
	if (!(n == floor(n) && fabs(n) < 1e15)) {
		snprintf(buf, len, "%.4g", n);
		return buf;
	}
	/* thousands separators, as the dashboard writes counts: 1,234,567 */
	char raw[32];
	int l = snprintf(raw, sizeof(raw), "%.0f", fabs(n)), k = 0;
	if (n < 0 && (size_t)k + 1 < len)
		buf[k++] = '-';
	for (int i = 0; i < l && (size_t)k + 2 < len; i++) {
		if (i && (l - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = raw[i];
	}
	buf[k] = '\0';
	return buf;
}

static void ru_pow2(char *buf, size_t len, int e)
{
	static const char sfx[] = { 0, 'K', 'M', 'G' };
	snprintf(buf, len, sfx[e / 10] ? "%lu%c" : "%lu", 1ul << (e % 10), sfx[e / 10]);
}

char *rep_hist_label(char *buf, size_t len, int bucket)
{
	char lo[16], hi[16];
	if (bucket <= 0)
		snprintf(buf, len, "0");
	else if (bucket >= VIGIL_HIST_BUCKETS - 1) {
		ru_pow2(lo, sizeof(lo), VIGIL_HIST_BUCKETS - 2);
		snprintf(buf, len, ">=%s", lo);
	} else if (bucket == 1)
		snprintf(buf, len, "1");
	else {
		ru_pow2(lo, sizeof(lo), bucket - 1);
		ru_pow2(hi, sizeof(hi), bucket);
		snprintf(buf, len, "%s-%s", lo, hi);
	}
	return buf;
}

char *rep_time_utc(char *buf, size_t len, double t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (t <= 0 || !gmtime_r(&tt, &tm))
		snprintf(buf, len, "unknown");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

/* ---- escaping ---- */

char *rep_term(char *buf, size_t len, const char *s)
{
	size_t o = 0;
	if (!len)
		return buf;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && o + 1 < len; p++) {
		unsigned char ch = *p;
		if (ch < 0x20 || ch == 0x7f) {
			buf[o++] = '?';
		} else if (ch == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) { /* C1 control */
			buf[o++] = '?';
			p++;
		} else {
			/* do not cut a UTF-8 sequence in half */
			size_t n = ch < 0x80 ? 1 : ch >= 0xf0 ? 4 : ch >= 0xe0 ? 3 : 2;
			if (o + n >= len)
				break;
			size_t k = 0;
			for (; k < n && p[k]; k++)
				buf[o++] = (char)p[k];
			p += k - 1;
		}
	}
	buf[o] = 0;
	return buf;
}

size_t rep_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		w += (*p & 0xc0) != 0x80;
	return w;
}

void rep_html(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if (*p < 0x20 && *p != '\t')
				fputs("&#xFFFD;", out);
			else
				fputc(*p, out);
		}
	}
}

void rep_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		unsigned char ch = *p;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&' || ch == 0x7f)
			fprintf(out, "\\u%04x", ch);
		else if (ch == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			fprintf(out, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
			p += 2;
		} else
			fputc(ch, out);
	}
	fputc('"', out);
}

/* ---- tables ---- */

void rep_table_init(struct rep_table *t, int ncols, const char *const *head, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	for (int i = 0; i < ncols; i++) {
		t->head[i] = head[i];
		t->right[i] = align && align[i] == 'r';
	}
}

void rep_table_add(struct rep_table *t, ...)
{
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		char **nc = realloc(t->cells, ncap * (size_t)t->ncols * sizeof(char *));
		if (!nc)
			return;
		t->cells = nc;
		t->cap = ncap;
	}
	va_list ap;
	va_start(ap, t);
	for (int i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);
		t->cells[t->nrows * (size_t)t->ncols + (size_t)i] = strdup(s ? s : "");
	}
	va_end(ap);
	t->nrows++;
}

static void ru_cell(FILE *out, const char *s, size_t w, int right, int last)
{
	size_t sw = rep_width(s);
	size_t pad = w > sw ? w - sw : 0;
	if (right)
		fprintf(out, "%*s%s", (int)pad, "", s);
	else if (last)
		fputs(s, out);
	else
		fprintf(out, "%s%*s", s, (int)pad, "");
}

void rep_table_print(struct rep_table *t, FILE *out, const char *indent)
{
	size_t w[REP_MAXCOLS] = { 0 };
	for (int c = 0; c < t->ncols; c++) {
		w[c] = rep_width(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * (size_t)t->ncols + (size_t)c];
			size_t sw = s ? rep_width(s) : 0;
			if (sw > w[c])
				w[c] = sw;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		fputs(indent, out);
		for (int c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->head[c] : t->cells[(r - 1) * (size_t)t->ncols + (size_t)c];
			if (c)
				fputs("  ", out);
			ru_cell(out, s ? s : "", w[c], t->right[c], c == t->ncols - 1);
		}
		fputc('\n', out);
	}
}

void rep_table_free(struct rep_table *t)
{
	for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

const char *rep_severity_label(int sev)
{
	static const char *const l[VIGIL_NSEVERITIES] = { "OK", "INFO", "WARNING", "CRITICAL" };
	return sev >= 0 && sev < VIGIL_NSEVERITIES ? l[sev] : "?";
}

void rep_findings(FILE *out, const struct vigil_profile *p, int detail)
{
	const struct vigil_insights *in = &p->insights;
	char a[VIGIL_INSIGHT_TEXT * 4], b[64], c[64], ne[512] = "";
	int idx[VIGIL_NRULES], n = vigil_insights_order(in, idx), nne = 0, judged = 0;
	if (!in->judged) {
		fprintf(out, "  findings: not judged (a profile from before insights; judge it with "
		        "vigil report --insights FILE)\n");
		return;
	}
	for (int r = 0; r < VIGIL_NRULES; r++) {
		if (in->f[r].state == VIGIL_FINDING_NOT_EVALUATED) {
			size_t l = strlen(ne);
			snprintf(ne + l, sizeof(ne) - l, "%s%s", nne ? ", " : "", vigil_rule_table[r].id);
			nne++;
		} else if (in->conf.enabled[r]) {
			judged++;
		}
	}
	if (!n)
		fprintf(out, "  findings: none (%d rules judged%s%s%s)\n", judged, nne ? "; not evaluated: " : "", ne,
		        nne ? ", counters missing" : "");
	else if (detail)
		fprintf(out, "  %d finding%s (%d rules judged with %s%s%s)\n", n, n == 1 ? "" : "s", judged,
		        rep_term(a, sizeof(a), in->conf.source), nne ? "; not evaluated: " : "", ne);
	else
		fprintf(out, "  findings:\n");
	for (int i = 0; i < n; i++) {
		const struct vigil_finding *f = &in->f[idx[i]];
		const struct vigil_rule_info *r = &vigil_rule_table[idx[i]];
		if (!detail) {
			fprintf(out, "  %-8s %s: %s\n", rep_severity_label(f->severity), r->id, rep_term(a, sizeof(a), f->fix));
			continue;
		}
		fprintf(out, "\n  [%s] %s: %s\n", rep_severity_label(f->severity), r->id, r->title);
		fprintf(out, "    evidence  %s\n", rep_term(a, sizeof(a), f->evidence));
		fprintf(out, "    measured  %.4g (threshold %.4g): %s\n", f->value, f->threshold, r->measures);
		if (f->first_fired > 0)
			fprintf(out, "    when      %s, for %s\n", rep_time_utc(b, sizeof(b), f->first_fired),
			        rep_secs(c, sizeof(c), f->active_seconds));
		fprintf(out, "    fix       %s\n", rep_term(a, sizeof(a), f->fix));
	}
	if (nne && n && !detail)
		fprintf(out, "  (not evaluated, counters missing: %s)\n", ne);
}
