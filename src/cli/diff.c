/*
 * diff.c - `vigil diff A B [--fail-on RULE...]`: compare two job profiles.
 *
 * Side by side: totals, then every operation (calls, bytes, time and their
 * relative change, what changed most first), then the files that appeared,
 * vanished or changed most.  --fail-on rules (grammar in docs/DIFF.md) turn
 * the comparison into a regression check: exit 1 with one line per broken
 * rule, 0 when none is broken, 2 on bad input.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/help.h"
#include "cli/cli.h"
#include "cli/report_util.h"
#include "common/profile_read.h"

static const char diff_usage[] =
"usage: vigil diff A B [--fail-on RULE]... [--top N] [--quiet] [--insights FILE]\n"
"                  [--profile-dir DIR]\n"
"\n"
"Compare two vigil job profiles (A = before, B = after; each a file, or a job\n"
"id looked up in the profile store as by 'vigil report JOBID'): totals, every\n"
"operation's calls, bytes and time with their relative change (largest\n"
"change first), and the files that appeared, vanished or changed most.\n"
"\n"
"Options:\n"
"  -f, --fail-on RULE  fail (exit 1) when RULE is broken; repeatable.\n"
"  -n, --top N         rows in the file tables (default 10).\n"
"  -q, --quiet         print only the broken rules.\n"
"  -i, --insights FILE judge both profiles' findings with the rule settings in\n"
"                      FILE (default /etc/vigil/insights.conf, else built-in).\n"
"  -d, --profile-dir DIR  the site profile store (default $VIGIL_PROFILE_DIR).\n"
"  -h, --help          show this help.\n"
"\n"
"RULE is SELECTOR OP CHANGE [& OP CHANGE]..., broken when every condition\n"
"holds, e.g.\n"
"  posix.write.seconds>+10%&>+0.5s\n"
"                             time in POSIX write grew by more than 10 % and\n"
"                             by more than 0.5 s (a floor: run-to-run noise of\n"
"                             a short run does not break it)\n"
"  posix.write.seconds>+10%   time in POSIX write grew by more than 10 %\n"
"  metadata.calls>+20%        metadata calls of all layers grew by more than 20 %\n"
"  stdio.*.calls>+5           some stdio operation made more than 5 calls more\n"
"  total.bytes<-10%           bytes moved (all layers) dropped by more than 10 %\n"
"  insight:small_writes       B has the finding small_writes and A has not\n"
"  insight>=warning           B has a warning or critical finding A has not\n"
"SELECTOR: total | CLASS | LAYER | OP | LAYER.OP | LAYER.CLASS | LAYER.* | *,\n"
"then .calls, .errors, .bytes, .bytes_read, .bytes_written or .seconds;\n"
"CLASS: data, metadata, sync, other; LAYER: posix, stdio, mpi, mpiio.\n"
"OP: >, >=, <, <=.  CHANGE: a signed number, with % for a relative change\n"
"(B-A)/A, else an absolute difference B-A in the metric's unit (bytes may\n"
"use KiB, MiB, GiB, KB, MB, GB; seconds may use ns, us, ms, s).\n"
"From A = 0 to B > 0 is a change of +infinity %.  Full grammar: docs/DIFF.md.\n"
"\n"
"Exit status: 0 no rule broken, 1 a rule broken (one line each on standard\n"
"error), 2 bad usage, a bad rule, a profile that cannot be read, or output\n"
"that cannot be written.\n";

enum df_metric { DF_CALLS, DF_ERRORS, DF_BYTES, DF_BREAD, DF_BWRITTEN, DF_SECONDS, DF_NMETRICS };
static const char *const df_metric_names[DF_NMETRICS] = {
	"calls", "errors", "bytes", "bytes_read", "bytes_written", "seconds"
};

/* One CMP CHANGE of a rule; a rule is broken when all of its conditions hold. */
struct df_cond {
	int gt, eq;       /* > / >= or < / <= */
	int pct;          /* relative change in %, else absolute B - A */
	double value;
};
#define DF_MAXCONDS 4

struct df_rule {
	const char *text;
	int insight;      /* 0 a counter rule; DF_INSIGHT_RULE insight:ID; DF_INSIGHT_SEV insight>=SEV */
	int rule;         /* DF_INSIGHT_RULE: enum vigil_rule */
	int severity;     /* DF_INSIGHT_SEV: the lowest severity that counts */
	int layer;        /* -1 any */
	int op;           /* -1 none */
	int cls;          /* -1 any */
	int each;         /* evaluate every operation of the scope on its own */
	int metric;
	struct df_cond cond[DF_MAXCONDS];
	int ncond;
};

static double df_metric(const struct rep_sum *s, int m)
{
	switch (m) {
	case DF_CALLS: return (double)s->calls;
	case DF_ERRORS: return (double)s->errors;
	case DF_BYTES: return (double)s->bytes;
	case DF_BREAD: return (double)s->bytes_read;
	case DF_BWRITTEN: return (double)s->bytes_written;
	default: return s->seconds;
	}
}

/* Sum of the metric over the ops a scope selects. */
static double df_value(const struct vigil_profile *p, int layer, int cls, int op, int m)
{
	double v = 0;
	for (int i = 0; i < VIGIL_NOPS; i++) {
		if ((op >= 0 && i != op) || (layer >= 0 && vigil_op_table[i].layer != layer) ||
		    (cls >= 0 && vigil_op_table[i].cls != cls))
			continue;
		struct rep_sum s = { 0 };
		rep_sum_add(&s, &p->ops[i], i);
		v += df_metric(&s, m);
	}
	return v;
}

/* The change, rounded to 9 decimals so that 12.5 ms -> 15 ms is exactly +20 %. */
static double df_change(double a, double b, int pct)
{
	double ch;
	if (!pct)
		ch = b - a;
	else if (a == 0)
		return b == 0 ? 0 : INFINITY;
	else
		ch = (b - a) / a * 100;
	return round(ch * 1e9) / 1e9;
}

static char *df_rel(char *buf, size_t len, double a, double b)
{
	if (a == b)
		snprintf(buf, len, "=");
	else if (a == 0)
		snprintf(buf, len, "new");
	else if (b == 0)
		snprintf(buf, len, "gone");
	else
		snprintf(buf, len, "%+.1f %%", (b - a) / a * 100);
	return buf;
}

static int df_class_lookup(const char *s)
{
	for (int c = 0; c < VIGIL_NCLASSES; c++)
		if (!strcmp(s, vigil_class_names[c]))
			return c;
	return -1;
}

static int df_op_any(const char *s)
{
	for (int i = 0; i < VIGIL_NOPS; i++)
		if (!strcmp(s, vigil_op_table[i].name))
			return i;
	return -1;
}

/* Parse the number and unit of a CHANGE (a NUL-terminated token). */
static int df_parse_value(const char *s, int metric, struct df_cond *r)
{
	char *end;
	if (*s != '+' && *s != '-' && (*s < '0' || *s > '9'))
		return -1;
	double v = strtod(s, &end);
	if (end == s || !isfinite(v))
		return -1;
	if (!strcmp(end, "%")) {
		r->pct = 1;
	} else if (*end) {
		static const struct { const char *u; double f; int bytes; } units[] = {
			{ "B", 1, 1 }, { "KiB", 1024.0, 1 }, { "MiB", 1048576.0, 1 }, { "GiB", 1073741824.0, 1 },
			{ "TiB", 1099511627776.0, 1 }, { "K", 1e3, 1 }, { "KB", 1e3, 1 }, { "kB", 1e3, 1 },
			{ "MB", 1e6, 1 }, { "GB", 1e9, 1 }, { "TB", 1e12, 1 }, { "ns", 1e-9, 0 }, { "us", 1e-6, 0 },
			{ "µs", 1e-6, 0 }, { "ms", 1e-3, 0 }, { "s", 1, 0 },
		};
		int bytes = metric == DF_BYTES || metric == DF_BREAD || metric == DF_BWRITTEN;
		size_t k;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (!strcmp(end, units[k].u) && units[k].bytes == bytes && (bytes || metric == DF_SECONDS))
				break;
		if (k == sizeof(units) / sizeof(units[0]))
			return -1;
		v *= units[k].f;
	}
	r->value = v;
	return 0;
}

enum { DF_INSIGHT_RULE = 1, DF_INSIGHT_SEV = 2 };

/* insight:ID or insight>=SEV / insight>SEV: broken when B has such a finding that A has not. */
static int df_parse_insight(const char *text, struct df_rule *r, char *why, size_t wlen)
{
	const char *rest = text + 7;
	if (*rest == ':') {
		r->insight = DF_INSIGHT_RULE;
		if ((r->rule = vigil_rule_lookup(rest + 1)) >= 0)
			return 0;
		snprintf(why, wlen, "'%.60s' is not a rule id (docs/INSIGHTS.md)", rest + 1);
		return -1;
	}
	int ge = !strncmp(rest, ">=", 2), gt = !ge && *rest == '>';
	int sev = ge || gt ? vigil_severity_lookup(rest + (ge ? 2 : 1)) : -1;
	if (sev <= VIGIL_SEV_OK - (gt ? 1 : 0) || (gt && sev >= VIGIL_SEV_CRITICAL)) {
		snprintf(why, wlen, "'%.60s' is not a severity to compare with (info, warning, critical)",
		         rest + (ge ? 2 : gt ? 1 : 0));
		return -1;
	}
	r->insight = DF_INSIGHT_SEV;
	r->severity = ge ? sev : sev + 1;
	return 0;
}

/* The scope part of a selector ("posix.write", "metadata", "*", ...); -1 with *why naming the bad word. */
static int df_parse_scope(char *sel, struct df_rule *r, char *why, size_t wlen)
{
	char *second = strchr(sel, '.');
	if (second)
		*second++ = 0;
	if (second && strchr(second, '.')) {
		snprintf(why, wlen, "'%s.%s' has too many parts (LAYER.OP at most)", sel, second);
		return -1;
	}
	if (!second) {
		if (!strcmp(sel, "total"))
			return 0;
		if (!strcmp(sel, "*")) {
			r->each = 1;
			return 0;
		}
		if ((r->cls = df_class_lookup(sel)) >= 0 || (r->layer = vigil_layer_lookup(sel)) >= 0 ||
		    (r->op = df_op_any(sel)) >= 0)
			return 0;
		snprintf(why, wlen, "'%s' is not total, a class, a layer or an operation", sel);
		return -1;
	}
	if ((r->layer = vigil_layer_lookup(sel)) < 0) {
		snprintf(why, wlen, "'%s' is not a layer (posix, stdio, mpi, mpiio)", sel);
		return -1;
	}
	if (!strcmp(second, "*")) {
		r->each = 1;
		return 0;
	}
	if ((r->cls = df_class_lookup(second)) >= 0 || (r->op = vigil_op_lookup(r->layer, second)) >= 0)
		return 0;
	snprintf(why, wlen, "'%s' is not an operation or class of %s", second, sel);
	return -1;
}

/*
 * RULE := SELECTOR COND ("&" COND)* | INSIGHT, COND := CMP CHANGE.  On failure, *why
 * says which word is wrong (terminal-safe: the caller cleans the rule text,
 * and words come from it).
 */
static int df_parse_rule(const char *text, struct df_rule *r, char *why, size_t wlen)
{
	memset(r, 0, sizeof(*r));
	r->text = text;
	r->layer = r->op = r->cls = -1;
	if (!strncmp(text, "insight", 7) && (text[7] == ':' || text[7] == '>'))
		return df_parse_insight(text, r, why, wlen);
	const char *cmp = strpbrk(text, "<>");
	if (!cmp) {
		snprintf(why, wlen, "no comparison (>, >=, < or <=) in it");
		return -1;
	}
	if (cmp == text) {
		snprintf(why, wlen, "no SELECTOR before '%c'", *cmp);
		return -1;
	}
	char sel[256], tok[256];
	size_t n = (size_t)(cmp - text);
	if (n >= sizeof(sel)) {
		snprintf(why, wlen, "the selector is too long");
		return -1;
	}
	memcpy(sel, text, n);
	sel[n] = 0;
	char *dot = strrchr(sel, '.');
	if (!dot) {
		snprintf(why, wlen, "'%s' has no .METRIC (calls, errors, bytes, bytes_read, bytes_written, seconds)", sel);
		return -1;
	}
	*dot = 0;
	r->metric = -1;
	for (int m = 0; m < DF_NMETRICS; m++)
		if (!strcmp(dot + 1, df_metric_names[m]))
			r->metric = m;
	if (r->metric < 0) {
		snprintf(why, wlen, "'%s' is not a metric (calls, errors, bytes, bytes_read, bytes_written, seconds)", dot + 1);
		return -1;
	}
	for (const char *c = cmp; *c;) {
		struct df_cond *k = &r->cond[r->ncond];
		if (r->ncond == DF_MAXCONDS) {
			snprintf(why, wlen, "more than %d conditions", DF_MAXCONDS);
			return -1;
		}
		if (*c != '<' && *c != '>') {
			snprintf(why, wlen, "'%.40s' after '&' does not start with >, >=, < or <=", c);
			return -1;
		}
		k->gt = *c == '>';
		k->eq = c[1] == '=';
		c += 1 + k->eq;
		size_t l = strcspn(c, "&");
		if (l >= sizeof(tok))
			l = sizeof(tok) - 1;
		memcpy(tok, c, l);
		tok[l] = 0;
		if (df_parse_value(tok, r->metric, k)) {
			snprintf(why, wlen, "'%s' is not a change of %s (a signed number with %%%s)", tok, df_metric_names[r->metric],
			         r->metric == DF_SECONDS ? ", ns, us, ms or s" : r->metric == DF_CALLS || r->metric == DF_ERRORS
			         ? " or none" : ", B, KiB, MiB, GiB, KB, MB or GB");
			return -1;
		}
		r->ncond++;
		c += l;
		if (*c == '&' && !*++c) {
			snprintf(why, wlen, "nothing after the last '&'");
			return -1;
		}
	}
	return df_parse_scope(sel, r, why, wlen);
}

static int df_holds(const struct df_cond *k, double ch)
{
	if (isnan(ch))
		return 0;
	return k->gt ? (k->eq ? ch >= k->value : ch > k->value) : (k->eq ? ch <= k->value : ch < k->value);
}

/* Broken when every condition holds (relative and absolute: "grew by 10 % and by at least 0.5 s"). */
static int df_broken(const struct df_rule *r, double va, double vb)
{
	for (int i = 0; i < r->ncond; i++)
		if (!df_holds(&r->cond[i], df_change(va, vb, r->cond[i].pct)))
			return 0;
	return 1;
}

static void df_fmt_metric(char *buf, size_t len, int m, double v)
{
	if (m == DF_SECONDS)
		rep_secs(buf, len, v);
	else if (m == DF_CALLS || m == DF_ERRORS)
		rep_count(buf, len, v);
	else
		rep_bytes(buf, len, v);
}

static int df_insight_counts(const struct df_rule *r, const struct vigil_finding *f, int rule)
{
	if (f->state != VIGIL_FINDING_FIRED)
		return 0;
	return r->insight == DF_INSIGHT_RULE ? rule == r->rule : f->severity >= r->severity;
}

/* An insight rule: one line per finding B has and A has not. */
static int df_eval_insight(const struct df_rule *r, const struct vigil_profile *a, const struct vigil_profile *b,
                           FILE *log)
{
	int broken = 0;
	char ev[VIGIL_INSIGHT_TEXT * 4];
	for (int i = 0; i < VIGIL_NRULES; i++) {
		const struct vigil_finding *fb = &b->insights.f[i];
		if (!df_insight_counts(r, fb, i) || df_insight_counts(r, &a->insights.f[i], i))
			continue;
		broken++;
		fprintf(log, "vigil diff: rule '%s' broken: B has the finding %s (%s) that A has not: %s\n", r->text,
		        vigil_rule_table[i].id, vigil_severity_names[fb->severity], rep_term(ev, sizeof(ev), fb->evidence));
	}
	return broken;
}

/* Evaluate one rule; print a line per broken part; return how many broke. */
static int df_eval(const struct df_rule *r, const struct vigil_profile *a, const struct vigil_profile *b, FILE *log)
{
	int broken = 0;
	if (r->insight)
		return df_eval_insight(r, a, b, log);
	for (int i = 0; i < (r->each ? VIGIL_NOPS : 1); i++) {
		int op = r->op;
		if (r->each) {
			if ((r->layer >= 0 && vigil_op_table[i].layer != r->layer) || (!a->ops[i].calls && !b->ops[i].calls))
				continue;
			op = i;
		}
		double va = df_value(a, r->layer, r->cls, op, r->metric);
		double vb = df_value(b, r->layer, r->cls, op, r->metric);
		if (!df_broken(r, va, vb))
			continue;
		broken++;
		/* the change as each kind of condition measures it: "+20.0 %", "+2.50 ms", or both */
		char sa[32], sb[32], sc[96] = "", what[96];
		df_fmt_metric(sa, sizeof(sa), r->metric, va);
		df_fmt_metric(sb, sizeof(sb), r->metric, vb);
		for (int pass = 0; pass < 2; pass++) {
			int want_pct = r->cond[0].pct ? !pass : pass, used = 0;
			for (int k = 0; k < r->ncond; k++)
				used |= r->cond[k].pct == want_pct;
			if (!used)
				continue;
			double ch = df_change(va, vb, want_pct);
			char d[48];
			if (want_pct)
				isinf(ch) ? snprintf(d, sizeof(d), "+inf %%") : snprintf(d, sizeof(d), "%+.1f %%", ch);
			else {
				char m[32];
				df_fmt_metric(m, sizeof(m), r->metric, fabs(ch));
				snprintf(d, sizeof(d), "%s%s", ch < 0 ? "-" : "+", m);
			}
			snprintf(sc + strlen(sc), sizeof(sc) - strlen(sc), "%s%s", sc[0] ? ", " : "", d);
		}
		if (op >= 0)
			snprintf(what, sizeof(what), "%s.%s", vigil_layer_names[vigil_op_table[op].layer], vigil_op_table[op].name);
		else if (r->layer >= 0 && r->cls >= 0)
			snprintf(what, sizeof(what), "%s %s", vigil_layer_names[r->layer], vigil_class_names[r->cls]);
		else if (r->layer >= 0)
			snprintf(what, sizeof(what), "%s", vigil_layer_names[r->layer]);
		else if (r->cls >= 0)
			snprintf(what, sizeof(what), "%s (all layers)", vigil_class_names[r->cls]);
		else
			snprintf(what, sizeof(what), "total");
		fprintf(log, "vigil diff: rule '%s' broken: %s %s went from %s to %s (%s).\n", r->text, what,
		        df_metric_names[r->metric], sa, sb, sc);
	}
	return broken;
}

/* ---- the side-by-side comparison ---- */

struct df_row { int op; double score; };

static int df_cmp_rows(const void *x, const void *y)
{
	const struct df_row *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	return a->op - b->op;
}

static double df_norm(double a, double b, double tot)
{
	return tot > 0 ? fabs(b - a) / tot : 0;
}

static const struct vigil_filestat *df_find_file(const struct vigil_profile *p, const struct vigil_filestat *f)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (p->files[i].layer == f->layer && !strcmp(p->files[i].path, f->path))
			return &p->files[i];
	return NULL;
}

struct df_frow { const struct vigil_filestat *a, *b; double score; };

static int df_cmp_frows(const void *x, const void *y)
{
	const struct df_frow *a = x, *b = y;
	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	const char *pa = a->a ? a->a->path : a->b->path, *pb = b->a ? b->a->path : b->b->path;
	return strcmp(pa, pb);
}

static void df_files(FILE *out, const struct vigil_profile *a, const struct vigil_profile *b, size_t top)
{
	size_t cap = a->nfiles + b->nfiles, n = 0;
	struct df_frow *rows = cap ? calloc(cap, sizeof(*rows)) : NULL;
	if (cap && !rows)
		return;
	for (size_t i = 0; i < a->nfiles; i++) {
		rows[n].a = &a->files[i];
		rows[n].b = df_find_file(b, &a->files[i]);
		n++;
	}
	for (size_t i = 0; i < b->nfiles; i++)
		if (!df_find_file(a, &b->files[i])) {
			rows[n].b = &b->files[i];
			n++;
		}
	for (size_t i = 0; i < n; i++) {
		double ba = rows[i].a ? (double)(rows[i].a->bytes_read + rows[i].a->bytes_written) : 0;
		double bb = rows[i].b ? (double)(rows[i].b->bytes_read + rows[i].b->bytes_written) : 0;
		double sa = rows[i].a ? rows[i].a->seconds : 0, sb = rows[i].b ? rows[i].b->seconds : 0;
		rows[i].score = fabs(bb - ba) + fabs(sb - sa) * 1e9; /* time first, then bytes */
	}
	qsort(rows, n, sizeof(*rows), df_cmp_frows);
	for (int pass = 0; pass < 2; pass++) {
		size_t cnt = 0;
		for (size_t i = 0; i < n; i++)
			cnt += pass ? !rows[i].a : !rows[i].b;
		fprintf(out, "\nFiles %s in B (%zu)\n", pass ? "that appeared" : "that vanished", cnt);
		size_t shown = 0;
		char path[1024], c1[32];
		for (size_t i = 0; i < n && shown < top; i++) {
			const struct vigil_filestat *f = pass ? (rows[i].a ? NULL : rows[i].b) : (rows[i].b ? NULL : rows[i].a);
			if (!f)
				continue;
			fprintf(out, "  %-5s %10s  %s\n", vigil_file_layer_name(f->layer),
			        rep_bytes(c1, sizeof(c1), (double)(f->bytes_read + f->bytes_written)),
			        rep_term(path, sizeof(path), f->path));
			shown++;
		}
		if (cnt > shown)
			fprintf(out, "  ... and %zu more\n", cnt - shown);
	}
	const char *h[] = { "layer", "bytes A", "bytes B", "change", "time A", "time B", "change", "path" };
	struct rep_table t;
	rep_table_init(&t, 8, h, "lrrrrrrl");
	for (size_t i = 0; i < n && t.nrows < top; i++) {
		if (!rows[i].a || !rows[i].b || rows[i].score == 0)
			continue;
		const struct vigil_filestat *fa = rows[i].a, *fb = rows[i].b;
		double ba = (double)(fa->bytes_read + fa->bytes_written), bb = (double)(fb->bytes_read + fb->bytes_written);
		char c1[32], c2[32], c3[32], c4[32], c5[32], c6[32], path[1024];
		rep_table_add(&t, vigil_file_layer_name(fa->layer), rep_bytes(c1, 32, ba), rep_bytes(c2, 32, bb), df_rel(c3, 32, ba, bb),
		              rep_secs(c4, 32, fa->seconds), rep_secs(c5, 32, fb->seconds),
		              df_rel(c6, 32, fa->seconds, fb->seconds), rep_term(path, sizeof(path), fa->path));
	}
	fputs("\nFiles that changed most (in both)\n", out);
	if (t.nrows)
		rep_table_print(&t, out, "  ");
	else
		fputs("  none\n", out);
	rep_table_free(&t);
	free(rows);
}

/* Findings that appeared (in B only), disappeared (A only) or changed severity; both judged with one config. */
static void df_findings(FILE *out, const struct vigil_profile *a, const struct vigil_profile *b)
{
	int any = 0;
	fprintf(out, "\nFindings (both judged with %s)\n", a->insights.conf.source);
	for (int i = 0; i < VIGIL_NRULES; i++) {
		const struct vigil_finding *fa = &a->insights.f[i], *fb = &b->insights.f[i];
		int ia = fa->state == VIGIL_FINDING_FIRED, ib = fb->state == VIGIL_FINDING_FIRED;
		const char *what = ia && !ib ? "disappeared" : !ia && ib ? "appeared" : NULL;
		if (!what && ia && fa->severity == fb->severity)
			continue;
		if (!what && !ia)
			continue;
		any = 1;
		fprintf(out, "  %-11s %-8s %-20s A %-8s B %s\n", what ? what : "changed",
		        rep_severity_label((ib ? fb : fa)->severity), vigil_rule_table[i].id,
		        ia ? vigil_severity_names[fa->severity] : "-", ib ? vigil_severity_names[fb->severity] : "-");
	}
	for (int i = 0; i < VIGIL_NRULES; i++)
		if (a->insights.f[i].state == VIGIL_FINDING_FIRED && b->insights.f[i].state == VIGIL_FINDING_FIRED &&
		    a->insights.f[i].severity == b->insights.f[i].severity) {
			fprintf(out, "  %-11s %-8s %s\n", "in both", rep_severity_label(b->insights.f[i].severity),
			        vigil_rule_table[i].id);
			any = 1;
		}
	if (!any)
		fputs("  none in either profile\n", out);
}

static void df_report(FILE *out, const char *na, const char *nb, const struct vigil_profile *a,
                      const struct vigil_profile *b, size_t top)
{
	struct rep_summary sa, sb;
	char c[8][48];
	rep_summarize(a, &sa);
	rep_summarize(b, &sb);
	char x[512], y[512];
	fprintf(out, "vigil diff: A = %s (job ", rep_term(x, sizeof(x), na));
	fprintf(out, "%s), B = %s (job ", rep_term(y, sizeof(y), a->job_id), rep_term(x, sizeof(x), nb));
	fprintf(out, "%s)\n", rep_term(y, sizeof(y), b->job_id));

	fputs("\nTotals\n", out);
	const char *h[] = { "", "A", "B", "change" };
	struct rep_table t;
	rep_table_init(&t, 4, h, "lrrr");
	rep_table_add(&t, "duration", rep_secs(c[0], 48, sa.duration), rep_secs(c[1], 48, sb.duration),
	              df_rel(c[2], 48, sa.duration, sb.duration));
	rep_table_add(&t, "processes", rep_count(c[0], 48, (double)a->nprocs), rep_count(c[1], 48, (double)b->nprocs),
	              df_rel(c[2], 48, (double)a->nprocs, (double)b->nprocs));
	rep_table_add(&t, "I/O time", rep_secs(c[0], 48, sa.io_seconds), rep_secs(c[1], 48, sb.io_seconds),
	              df_rel(c[2], 48, sa.io_seconds, sb.io_seconds));
	rep_table_add(&t, "MPI time", rep_secs(c[0], 48, sa.mpi_seconds), rep_secs(c[1], 48, sb.mpi_seconds),
	              df_rel(c[2], 48, sa.mpi_seconds, sb.mpi_seconds));
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		if (!sa.layer[l].calls && !sb.layer[l].calls)
			continue;
		char lab[64];
		snprintf(lab, sizeof(lab), "%s calls", vigil_layer_names[l]);
		rep_table_add(&t, lab, rep_count(c[0], 48, (double)sa.layer[l].calls), rep_count(c[1], 48, (double)sb.layer[l].calls),
		              df_rel(c[2], 48, (double)sa.layer[l].calls, (double)sb.layer[l].calls));
		snprintf(lab, sizeof(lab), "%s bytes", vigil_layer_names[l]);
		rep_table_add(&t, lab, rep_bytes(c[0], 48, (double)sa.layer[l].bytes), rep_bytes(c[1], 48, (double)sb.layer[l].bytes),
		              df_rel(c[2], 48, (double)sa.layer[l].bytes, (double)sb.layer[l].bytes));
		snprintf(lab, sizeof(lab), "%s time", vigil_layer_names[l]);
		rep_table_add(&t, lab, rep_secs(c[0], 48, sa.layer[l].seconds), rep_secs(c[1], 48, sb.layer[l].seconds),
		              df_rel(c[2], 48, sa.layer[l].seconds, sb.layer[l].seconds));
	}
	rep_table_print(&t, out, "  ");
	rep_table_free(&t);

	struct df_row rows[VIGIL_NOPS];
	int n = 0;
	double tc = fmax((double)sa.all.calls, (double)sb.all.calls), tb = fmax((double)sa.all.bytes, (double)sb.all.bytes);
	double ts = fmax(sa.all.seconds, sb.all.seconds);
	for (int i = 0; i < VIGIL_NOPS; i++) {
		const struct vigil_opstat *oa = &a->ops[i], *ob = &b->ops[i];
		if (!oa->calls && !ob->calls)
			continue;
		rows[n].op = i;
		rows[n].score = fmax(df_norm(oa->seconds, ob->seconds, ts),
		                     fmax(df_norm((double)oa->bytes, (double)ob->bytes, tb),
		                          df_norm((double)oa->calls, (double)ob->calls, tc)));
		n++;
	}
	qsort(rows, (size_t)n, sizeof(rows[0]), df_cmp_rows);
	fputs("\nOperations (largest change first)\n", out);
	const char *h2[] = { "layer", "operation", "calls A", "calls B", "change", "bytes A", "bytes B", "change",
	                     "time A", "time B", "change" };
	rep_table_init(&t, 11, h2, "llrrrrrrrrr");
	for (int k = 0; k < n; k++) {
		int i = rows[k].op;
		const struct vigil_opstat *oa = &a->ops[i], *ob = &b->ops[i];
		char d[3][48];
		rep_table_add(&t, vigil_layer_names[vigil_op_table[i].layer], vigil_op_table[i].name,
		              rep_count(c[0], 48, (double)oa->calls), rep_count(c[1], 48, (double)ob->calls),
		              df_rel(c[2], 48, (double)oa->calls, (double)ob->calls),
		              rep_bytes(c[3], 48, (double)oa->bytes), rep_bytes(c[4], 48, (double)ob->bytes),
		              df_rel(c[5], 48, (double)oa->bytes, (double)ob->bytes),
		              rep_secs(d[0], 48, oa->seconds), rep_secs(d[1], 48, ob->seconds),
		              df_rel(d[2], 48, oa->seconds, ob->seconds));
	}
	if (t.nrows)
		rep_table_print(&t, out, "  ");
	else
		fputs("  no calls in either profile\n", out);
	rep_table_free(&t);
	df_files(out, a, b, top);
	df_findings(out, a, b);
	rep_summary_free(&sa);
	rep_summary_free(&sb);
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "fail-on", required_argument, NULL, 'f' },
		{ "top", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "insights", required_argument, NULL, 'i' },
		{ "profile-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct df_rule *rules = NULL;
	size_t nrules = 0;
	int quiet = 0, c, rc = 2;
	long top = 10;
	const char *insights = NULL;
	char clean[1200];
	optind = 0;
	opterr = 0;
	const char *store = NULL;
	while ((c = getopt_long(argc, argv, "f:n:qi:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': insights = optarg; break;
		case 'f': {
			struct df_rule *nr = realloc(rules, (nrules + 1) * sizeof(*rules));
			if (!nr)
				goto out;
			rules = nr;
			char why[400], cwhy[400];
			if (df_parse_rule(optarg, &rules[nrules], why, sizeof(why))) {
				fprintf(stderr, "vigil diff: bad rule '%s': %s; expected SELECTOR>CHANGE such as "
				        "posix.write.seconds>+10%%&>+0.5s, insight:RULE or insight>=SEVERITY (see 'vigil diff --help').\n",
				        rep_term(clean, sizeof(clean), optarg), rep_term(cwhy, sizeof(cwhy), why));
				goto out;
			}
			nrules++;
			break;
		}
		case 'n':
			if (rep_parse_top("diff", optarg, &top))
				goto out;
			break;
		case 'q': quiet = 1; break;
		case 'd': store = optarg; break;
		case 'h': vigil_help("%s", diff_usage); rc = 0; goto out;
		default:
			fprintf(stderr, "vigil diff: unknown or incomplete option '%s'; see 'vigil diff --help'.\n",
			        rep_term(clean, sizeof(clean), argv[optind - 1]));
			goto out;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "vigil diff: expected two profiles, A and B; see 'vigil diff --help'.\n");
		goto out;
	}
	struct vigil_insights_conf conf;
	char ierr[512];
	if (vigil_insights_conf_load(&conf, insights, ierr, sizeof(ierr))) {
		fprintf(stderr, "vigil diff: %s\n", rep_term(clean, sizeof(clean), ierr));
		goto out;
	}
	struct vigil_profile a, b;
	if (rep_load_job("diff", argv[optind], rep_store(store), &a))
		goto out;
	if (rep_load_job("diff", argv[optind + 1], rep_store(store), &b)) {
		vigil_profile_free(&a);
		goto out;
	}
	/* Findings compared are judged here, both with one configuration, never taken from the files. */
	if (vigil_insights_judge_profile(&a, &conf) || vigil_insights_judge_profile(&b, &conf)) {
		fprintf(stderr, "vigil diff: out of memory.\n");
		vigil_profile_free(&a);
		vigil_profile_free(&b);
		goto out;
	}
	errno = 0;
	if (!quiet)
		df_report(stdout, argv[optind], argv[optind + 1], &a, &b, (size_t)top);
	int broken = 0;
	if (nrules && !quiet)
		fputs("\nRules\n", stdout);
	fflush(stdout);
	for (size_t i = 0; i < nrules; i++) {
		int k = df_eval(&rules[i], &a, &b, stderr);
		if (!quiet)
			printf("  %-6s %s\n", k ? "BROKEN" : "ok", rep_term(clean, sizeof(clean), rules[i].text));
		broken += k;
	}
	rc = broken ? 1 : 0;
	vigil_profile_free(&a);
	vigil_profile_free(&b);
out:
	free(rules);
	/* a comparison nobody could read is no success; a broken rule still says 1 */
	if (rep_finish_output("diff", stdout, "to standard output") && rc == 0)
		rc = 2;
	return rc;
}
