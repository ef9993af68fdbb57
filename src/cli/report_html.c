/*
 * report_html.c - the self-contained HTML report.
 *
 * One file, no request leaves it (a Content-Security-Policy forbids any):
 * inline CSS, inline SVG drawn here in C, a little inline JS (sortable
 * tables).  Every plotted number is also on the element that shows it
 * (data-v, exact: integers as integers, reals with 17 digits) and the data
 * set is embedded as a JSON island (<script type="application/json"
 * id="vigil-data">), so tests and tools read back exactly what was drawn.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/report_util.h"

#define RH_W 760   /* plot width */
#define RH_H 220   /* plot height */
#define RH_L 70    /* left margin (y labels) */
#define RH_B 34    /* bottom margin (x labels) */

static const char rh_css[] =
"body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}"
"main{max-width:1100px;margin:0 auto;padding:16px 24px}"
"h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d5dc}"
"section{background:#fff;border:1px solid #e1e4e8;border-radius:6px;padding:8px 16px 16px;margin:12px 0}"
"table{border-collapse:collapse;margin:6px 0}th,td{padding:2px 10px;text-align:left;white-space:nowrap}"
"th{cursor:pointer;border-bottom:1px solid #c9ced6;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
"tr:nth-child(even) td{background:#f6f8fa}td.path{white-space:normal;word-break:break-all}"
"dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:0}dt{color:#57606a}dd{margin:0;word-break:break-all}"
"svg{display:block;margin:6px 0;font-size:11px}svg text{fill:#444}.ax{stroke:#999;stroke-width:1}"
".grid{stroke:#e5e7ea}polyline{fill:none;stroke-width:2}"
".legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}"
".flags{color:#9a3412}.muted{color:#57606a}.hists{display:flex;flex-wrap:wrap;gap:8px 24px}"
".badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;margin-right:8px}"
".sev-critical{background:#b42318}.sev-warning{background:#b54708}.sev-info{background:#3574d4}"
".finding{border-left:4px solid #d0d5dc;padding:4px 12px;margin:10px 0}.finding p{margin:3px 0}"
"rect.win{fill-opacity:.12;stroke-opacity:.5;stroke-dasharray:3 2}rect.win.sev-critical{fill:#b42318;stroke:#b42318}"
"rect.win.sev-warning{fill:#b54708;stroke:#b54708}rect.win.sev-info{fill:#3574d4;stroke:#3574d4}";

/*
 * Series colours, one per series of a plot (up to 10 before they repeat):
 * far apart in hue and lightness, so 8 timeline series (read and write of
 * four layers) stay distinguishable.  Lines take only a stroke (a fill would
 * turn each polyline into a wedge hiding the others); bars and legend
 * swatches take a fill.
 */
static const char *const rh_palette[] = {
	"#3574d4", "#e0702e", "#2e9e5b", "#8f4fc2", "#c33d54",
	"#17becf", "#b8860b", "#e377c2", "#8c564b", "#666666",
};
#define RH_NCOLOURS ((int)(sizeof(rh_palette) / sizeof(rh_palette[0])))

static void rh_palette_css(FILE *out)
{
	for (int i = 0; i < RH_NCOLOURS; i++)
		fprintf(out, "polyline.s%d{stroke:%s}rect.s%d,.legend i.s%d{fill:%s;background:%s}", i, rh_palette[i], i, i,
		        rh_palette[i], rh_palette[i]);
}

static const char rh_js[] =
"(function(){'use strict';"
"var d=JSON.parse(document.getElementById('vigil-data').textContent);"
"document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){"
"var tb=th.closest('table').tBodies[0];var rows=Array.prototype.slice.call(tb.rows);var asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';"
"rows.sort(function(a,b){var x=a.cells[i],y=b.cells[i];var u=x.dataset.v,v=y.dataset.v;"
"var r=(u!==undefined&&v!==undefined)?(parseFloat(u)-parseFloat(v)):x.textContent.localeCompare(y.textContent);return asc?r:-r;});"
"rows.forEach(function(r){tb.appendChild(r);});});});"
"document.body.dataset.ready=String(d.ops.length);})();";

/* A number exactly: integers as integers, others with 17 significant digits. */
static void rh_num(FILE *out, double v)
{
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.17g", v);
}

static void rh_td(FILE *out, double v, const char *shown)
{
	fputs("<td class=\"n\" data-v=\"", out);
	rh_num(out, v);
	fprintf(out, "\">%s</td>", shown);
}

/* Round a maximum up to 1, 2 or 5 times a power of ten (of 1024 for bytes). */
static double rh_nice(double v)
{
	if (v <= 0)
		return 1;
	double e = pow(10, floor(log10(v))), m = v / e;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

typedef char *(*rh_fmt)(char *, size_t, double);

static void rh_axes(FILE *out, double ymax, rh_fmt fmt)
{
	char lab[32];
	for (int k = 0; k <= 4; k++) {
		double y = RH_H - RH_B - (RH_H - RH_B - 10) * k / 4.0;
		fprintf(out, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", RH_L, RH_W - 10, y, y);
		fprintf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", RH_L - 6, y + 4,
		        fmt(lab, sizeof(lab), ymax * k / 4.0));
	}
	fprintf(out, "<line class=\"ax\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", RH_L, RH_W - 10, RH_H - RH_B,
	        RH_H - RH_B);
}

/*
 * Bars: n groups of nser stacked values (vals[i*nser+s]).  Each rect carries
 * data-series, data-i and data-v.  labels[i] under every `every`-th bar.
 */
static void rh_bars(FILE *out, const char *id, int n, int nser, const double *vals, const char *const *sname,
                    char (*labels)[32], rh_fmt fmt, const char *title)
{
	double ymax = 0;
	for (int i = 0; i < n; i++) {
		double t = 0;
		for (int s = 0; s < nser; s++)
			t += vals[i * nser + s];
		if (t > ymax)
			ymax = t;
	}
	ymax = rh_nice(ymax);
	int rot = n > 10 && labels[0][0] && !isdigit((unsigned char)labels[0][0]); /* names: slanted */
	fprintf(out, "<svg id=\"%s\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">", id, RH_W,
	        RH_H + (rot ? 70 : 0), title);
	rh_axes(out, ymax, fmt);
	double slot = (double)(RH_W - 10 - RH_L) / (n ? n : 1), bw = fmin(slot * 0.75, 60);
	int every = slot >= 58 ? 1 : (int)ceil(58 / slot); /* unslanted labels need ~58 px */
	for (int i = 0; i < n; i++) {
		double x = RH_L + slot * i + (slot - bw) / 2, base = RH_H - RH_B;
		for (int s = 0; s < nser; s++) {
			double v = vals[i * nser + s], h = v / ymax * (RH_H - RH_B - 10);
			char lab[32];
			fprintf(out, "<rect class=\"s%d\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" data-series=\"%s\" data-i=\"%d\" data-v=\"",
			        s % RH_NCOLOURS, x, base - h, bw, h, sname[s], i);
			rh_num(out, v);
			fprintf(out, "\"><title>%s %s: %s</title></rect>", labels[i], sname[s], fmt(lab, sizeof(lab), v));
			base -= h;
		}
		if (rot)
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" transform=\"rotate(-40 %.1f %d)\">%s</text>",
			        x + bw / 2, RH_H - RH_B + 12, x + bw / 2, RH_H - RH_B + 12, labels[i]);
		else if (i % every == 0)
			fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x + bw / 2, RH_H - RH_B + 14,
			        labels[i]);
	}
	fputs("</svg>", out);
	if (nser > 1) {
		fputs("<div class=\"legend\">", out);
		for (int s = 0; s < nser; s++)
			fprintf(out, "<span><i class=\"s%d\"></i>%s</span>", s % RH_NCOLOURS, sname[s]);
		fputs("</div>", out);
	}
}

/* The findings' windows (first to last fired) as shaded bands over a timeline plot. */
static void rh_windows(FILE *out, const struct vigil_profile *p, double dx)
{
	const struct vigil_timeline *tl = &p->timeline;
	int idx[VIGIL_NRULES], n = vigil_insights_order(&p->insights, idx);
	double lo = RH_L, hi = RH_W - 10;
	for (int i = n - 1; i >= 0; i--) { /* the most severe drawn last, on top */
		const struct vigil_finding *f = &p->insights.f[idx[i]];
		if (!(f->first_fired > 0) || !(tl->bin_seconds > 0))
			continue;
		double x0 = RH_L + dx * (f->first_fired - tl->start) / tl->bin_seconds;
		double x1 = RH_L + dx * (f->last_fired - tl->start) / tl->bin_seconds;
		x0 = fmin(fmax(x0, lo), hi);
		x1 = fmin(fmax(x1, x0 + 2), hi);
		fprintf(out, "<rect class=\"win sev-%s\" data-rule=\"%s\" x=\"%.1f\" y=\"4\" width=\"%.1f\" height=\"%d\">"
		        "<title>%s</title></rect>", vigil_severity_names[f->severity], vigil_rule_table[idx[i]].id, x0,
		        x1 - x0, RH_H - RH_B - 4, vigil_rule_table[idx[i]].id);
	}
}

/* Lines over the timeline bins: one polyline per series with its values in data-values. */
static void rh_lines(FILE *out, const char *id, int n, int nser, const double *const *vals, const char *const *sname,
                     double bin_seconds, rh_fmt fmt, const char *title, const struct vigil_profile *mark)
{
	double ymax = 0;
	for (int s = 0; s < nser; s++)
		for (int i = 0; i < n; i++)
			if (vals[s][i] > ymax)
				ymax = vals[s][i];
	ymax = rh_nice(ymax);
	fprintf(out, "<svg id=\"%s\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">", id, RH_W, RH_H, title);
	rh_axes(out, ymax, fmt);
	double dx = (double)(RH_W - 10 - RH_L) / (n > 1 ? n - 1 : 1);
	if (mark)
		rh_windows(out, mark, dx);
	for (int s = 0; s < nser; s++) {
		fprintf(out, "<polyline class=\"s%d\" data-series=\"%s\" data-values=\"", s % RH_NCOLOURS, sname[s]);
		for (int i = 0; i < n; i++) {
			if (i)
				fputc(' ', out);
			rh_num(out, vals[s][i]);
		}
		fputs("\" points=\"", out);
		for (int i = 0; i < n; i++)
			fprintf(out, "%.1f,%.1f ", RH_L + dx * i, RH_H - RH_B - vals[s][i] / ymax * (RH_H - RH_B - 10));
		fputs("\"/>", out);
	}
	char lab[32];
	for (int k = 0; k <= 4; k++) {
		double t = (n > 1 ? n - 1 : 1) * bin_seconds * k / 4.0;
		fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", RH_L + (RH_W - 10 - RH_L) * k / 4.0,
		        RH_H - RH_B + 14, rep_secs(lab, sizeof(lab), t));
	}
	fputs("</svg><div class=\"legend\">", out);
	for (int s = 0; s < nser; s++)
		fprintf(out, "<span><i class=\"s%d\"></i>%s</span>", s % RH_NCOLOURS, sname[s]);
	fputs("</div>", out);
}

static char *rh_ops(char *b, size_t l, double v)
{
	return rep_count(b, l, v >= 100 ? round(v) : round(v * 100) / 100);
}

static void rh_header(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	char a[64];
	fputs("<header><h1>vigil report: job <span id=\"job-id\">", out);
	rep_html(out, p->job_id);
	fputs("</span></h1><dl>", out);
	if (p->step[0]) {
		fputs("<dt>step</dt><dd id=\"job-step\">", out);
		rep_html(out, p->step);
		fputs("</dd>", out);
	}
	fputs("<dt>command</dt><dd id=\"job-command\">", out);
	rep_html(out, p->command);
	fputs("</dd><dt>user</dt><dd id=\"job-user\">", out);
	rep_html(out, p->user);
	fprintf(out, " (uid %u)</dd><dt>generator</dt><dd>", p->uid);
	rep_html(out, p->generator);
	fputs("</dd><dt>hosts</dt><dd id=\"job-hosts\">", out);
	for (size_t i = 0; i < p->nhosts; i++) {
		if (i)
			fputs(", ", out);
		rep_html(out, p->hosts[i]);
	}
	fprintf(out, "</dd><dt>processes</dt><dd id=\"job-processes\" data-v=\"%zu\">%zu (MPI ranks: %u)</dd>",
	        p->nprocs, p->nprocs, s->nranks);
	fprintf(out, "<dt>start</dt><dd>%s</dd>", rep_time_utc(a, sizeof(a), p->start));
	fputs("<dt>duration</dt><dd id=\"job-duration\" data-v=\"", out);
	rh_num(out, s->duration);
	/* only flags are a warning: "none" is not painted as one */
	int any = rep_flags(NULL, p);
	fprintf(out, "\">%s</dd><dt>flags</dt><dd%s id=\"job-flags\">", rep_secs(a, sizeof(a), s->duration),
	        any ? " class=\"flags\"" : "");
	rep_flags(out, p); /* fixed names: nothing to escape */
	fprintf(out, "%s</dd></dl></header>\n", any ? " (numbers may be partial)" : "none");
}

/* Findings first: severity badge, rule, title, evidence, window, fix (docs/INSIGHTS.md). */
static void rh_findings(FILE *out, const struct vigil_profile *p)
{
	const struct vigil_insights *in = &p->insights;
	int idx[VIGIL_NRULES], n = vigil_insights_order(in, idx);
	char a[64], b[64];
	fputs("<section id=\"findings\"><h2>Findings</h2>", out);
	if (!in->judged) {
		fputs("<p class=\"muted\">Not judged: a profile from before insights (vigil report --insights FILE judges it)."
		      "</p></section>\n", out);
		return;
	}
	if (!n)
		fputs("<p id=\"no-findings\">None: no rule fired.</p>", out);
	for (int i = 0; i < n; i++) {
		const struct vigil_finding *f = &in->f[idx[i]];
		const struct vigil_rule_info *r = &vigil_rule_table[idx[i]];
		const char *sev = vigil_severity_names[f->severity];
		fprintf(out, "<div class=\"finding\" data-rule=\"%s\" data-severity=\"%s\"><p><span class=\"badge sev-%s\">%s"
		        "</span><b>%s</b> &mdash; ", r->id, sev, sev, sev, r->id);
		rep_html(out, r->title);
		fputs("</p><p class=\"evidence\">", out);
		rep_html(out, f->evidence);
		fprintf(out, "</p><p class=\"muted\">%s: %.4g (threshold %.4g)", r->measures, f->value, f->threshold);
		if (f->first_fired > 0)
			fprintf(out, "; from %s for %s (shaded on the timeline)", rep_time_utc(a, sizeof(a), f->first_fired),
			        rep_secs(b, sizeof(b), f->active_seconds));
		fputs("</p><p class=\"fix\"><b>Fix:</b> ", out);
		rep_html(out, f->fix);
		fputs("</p></div>", out);
	}
	int nne = 0;
	for (int r = 0; r < VIGIL_NRULES; r++)
		if (in->f[r].state == VIGIL_FINDING_NOT_EVALUATED)
			fprintf(out, "%s%s", nne++ ? ", " : "<p class=\"muted\" id=\"not-evaluated\">Not evaluated (counters missing): ",
			        vigil_rule_table[r].id);
	fputs(nne ? "</p>" : "", out);
	fputs("<p class=\"muted\">Judged with ", out);
	rep_html(out, in->conf.source);
	fputs(" (docs/INSIGHTS.md).</p></section>\n", out);
}

static void rh_breakdown(FILE *out, const struct rep_summary *s)
{
	char a[32], b[32];
	int threads = s->proc_seconds > s->lifetime_seconds;
	fputs("<section id=\"breakdown\"><h2>Where the time went</h2><p class=\"muted\">Summed over processes", out);
	fputs(threads ? " and their threads: " : ": ", out);
	fputs(rep_secs(a, sizeof(a), s->proc_seconds), out);
	if (threads) {
		fputs(" (the processes lived ", out);
		fputs(rep_secs(b, sizeof(b), s->lifetime_seconds), out);
		fputs(": threads were in calls at the same time)", out);
	}
	fputs(". I/O is the time inside POSIX, stdio and MPI-IO calls (MPI-IO time includes the POSIX calls it makes).</p>", out);
	double tot = s->proc_seconds > 0 ? s->proc_seconds : 1;
	const char *names[] = { "I/O", "MPI", "rest of the run" };
	double v[] = { s->io_seconds, s->mpi_seconds, s->rest_seconds };
	fputs("<table><thead><tr><th>part</th><th class=\"n\">time</th><th class=\"n\">share</th></tr></thead><tbody>", out);
	for (int i = 0; i < 3; i++) {
		fprintf(out, "<tr data-part=\"%s\"><td>%s</td>", names[i], names[i]);
		rh_td(out, v[i], rep_secs(a, sizeof(a), v[i]));
		rh_td(out, v[i] / tot, rep_pct(b, sizeof(b), v[i] / tot));
		fputs("</tr>", out);
	}
	fputs("</tbody></table>", out);
	/* one stacked horizontal bar */
	fprintf(out, "<svg id=\"plot-breakdown\" width=\"%d\" height=\"30\">", RH_W);
	double x = 0;
	for (int i = 0; i < 3; i++) {
		double w = v[i] / tot * RH_W;
		fprintf(out, "<rect class=\"s%d\" x=\"%.2f\" y=\"4\" width=\"%.2f\" height=\"22\" data-series=\"%s\" data-v=\"",
		        i, x, w, names[i]);
		rh_num(out, v[i]);
		fprintf(out, "\"><title>%s: %s</title></rect>", names[i], rep_pct(a, sizeof(a), v[i] / tot));
		x += w;
	}
	fputs("</svg><div class=\"legend\"><span><i class=\"s0\"></i>I/O</span><span><i class=\"s1\"></i>MPI</span>"
	      "<span><i class=\"s2\"></i>rest of the run</span></div></section>\n", out);
}

static void rh_layers(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	char a[32];
	fputs("<section id=\"layers\"><h2>Volume and time per layer</h2><table id=\"layer-table\" class=\"sortable\"><thead><tr>"
	      "<th>layer</th><th class=\"n\">calls</th><th class=\"n\">errors</th><th class=\"n\">bytes read</th>"
	      "<th class=\"n\">bytes written</th><th class=\"n\">time</th><th class=\"n\">data</th><th class=\"n\">metadata</th>"
	      "<th class=\"n\">sync</th><th class=\"n\">other</th></tr></thead><tbody>", out);
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		const struct rep_sum *x = &s->layer[l];
		if (!x->calls)
			continue;
		fprintf(out, "<tr data-layer=\"%s\"><td>%s</td>", vigil_layer_names[l], vigil_layer_names[l]);
		rh_td(out, (double)x->calls, rep_count(a, sizeof(a), (double)x->calls));
		rh_td(out, (double)x->errors, rep_count(a, sizeof(a), (double)x->errors));
		rh_td(out, (double)x->bytes_read, rep_bytes(a, sizeof(a), (double)x->bytes_read));
		rh_td(out, (double)x->bytes_written, rep_bytes(a, sizeof(a), (double)x->bytes_written));
		rh_td(out, x->seconds, rep_secs(a, sizeof(a), x->seconds));
		for (int c = 0; c < VIGIL_NCLASSES; c++)
			rh_td(out, s->cls[l][c].seconds, rep_secs(a, sizeof(a), s->cls[l][c].seconds));
		fputs("</tr>", out);
	}
	fputs("</tbody></table></section>\n", out);

	fputs("<section id=\"operations\"><h2>Operations</h2><table id=\"op-table\" class=\"sortable\"><thead><tr>"
	      "<th>layer</th><th>operation</th><th>class</th><th class=\"n\">calls</th><th class=\"n\">errors</th>"
	      "<th class=\"n\">bytes</th><th class=\"n\">time</th><th class=\"n\">avg time</th><th class=\"n\">avg size</th>"
	      "</tr></thead><tbody>", out);
	for (int k = 0; k < s->nops; k++) {
		int i = s->ops_by_time[k];
		const struct vigil_opstat *o = &p->ops[i];
		fprintf(out, "<tr data-op=\"%s.%s\"><td>%s</td><td>%s</td><td>%s</td>", vigil_layer_names[vigil_op_table[i].layer],
		        vigil_op_table[i].name, vigil_layer_names[vigil_op_table[i].layer], vigil_op_table[i].name,
		        vigil_class_names[vigil_op_table[i].cls]);
		rh_td(out, (double)o->calls, rep_count(a, sizeof(a), (double)o->calls));
		rh_td(out, (double)o->errors, rep_count(a, sizeof(a), (double)o->errors));
		rh_td(out, (double)o->bytes, rep_bytes(a, sizeof(a), (double)o->bytes));
		rh_td(out, o->seconds, rep_secs(a, sizeof(a), o->seconds));
		double at = o->calls ? o->seconds / (double)o->calls : 0;
		rh_td(out, at, rep_secs(a, sizeof(a), at));
		double as = o->calls ? (double)o->bytes / (double)o->calls : 0;
		rh_td(out, as, vigil_op_table[i].dir != VIGIL_DIR_NONE ? rep_bytes(a, sizeof(a), as) : "-");
		fputs("</tr>", out);
	}
	fputs("</tbody></table>", out);
	int n = s->nops < 20 ? s->nops : 20;
	if (n) {
		double vals[40] = { 0 };
		char labels[20][32];
		const char *sn[] = { "time" };
		for (int k = 0; k < n; k++) {
			vals[k] = p->ops[s->ops_by_time[k]].seconds;
			snprintf(labels[k], sizeof(labels[k]), "%s", vigil_op_table[s->ops_by_time[k]].name);
		}
		fputs("<h3>Time per operation (top 20)</h3>", out);
		rh_bars(out, "plot-op-time", n, 1, vals, sn, labels, rep_secs, "time per operation");
		for (int k = 0; k < n; k++)
			vals[k] = (double)p->ops[s->ops_by_time[k]].bytes;
		fputs("<h3>Bytes per operation (top 20 by time)</h3>", out);
		rh_bars(out, "plot-op-bytes", n, 1, vals, sn + 0, labels, rep_bytes, "bytes per operation");
	}
	fputs("</section>\n", out);
}

static void rh_hists(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	fputs("<section id=\"histograms\"><h2>Request sizes</h2><p class=\"muted\">Requests per size range (bytes, power-of-two buckets).</p><div class=\"hists\">", out);
	int any = 0;
	for (int k = 0; k < s->nops; k++) {
		int i = s->ops_by_time[k];
		const struct vigil_opstat *o = &p->ops[i];
		int lo = -1, hi = -1;
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
			if (o->hist[b]) {
				if (lo < 0)
					lo = b;
				hi = b;
			}
		if (lo < 0 || vigil_op_table[i].cls != VIGIL_CLASS_DATA) /* sizes mean nothing for open, fsync ... */
			continue;
		any = 1;
		int n = hi - lo + 1;
		double vals[VIGIL_HIST_BUCKETS];
		char labels[VIGIL_HIST_BUCKETS][32];
		for (int b = lo; b <= hi; b++) {
			vals[b - lo] = (double)o->hist[b];
			rep_hist_label(labels[b - lo], sizeof(labels[0]), b);
		}
		char id[96];
		snprintf(id, sizeof(id), "hist-%s-%s", vigil_layer_names[vigil_op_table[i].layer], vigil_op_table[i].name);
		const char *sn[] = { "requests" };
		fprintf(out, "<div><h3>%s %s</h3>", vigil_layer_names[vigil_op_table[i].layer], vigil_op_table[i].name);
		fprintf(out, "<div data-hist=\"%s.%s\" data-first-bucket=\"%d\">", vigil_layer_names[vigil_op_table[i].layer],
		        vigil_op_table[i].name, lo);
		rh_bars(out, id, n, 1, vals, sn, labels, rh_ops, "request sizes");
		fputs("</div></div>", out);
	}
	if (!any)
		fputs("<p>No sized requests were counted.</p>", out);
	fputs("</div></section>\n", out);
}

static void rh_files(FILE *out, const struct vigil_profile *p, const size_t *order, size_t top, const char *id,
                     const char *title)
{
	char a[32];
	fprintf(out, "<h3>%s (%zu of %zu)</h3><table id=\"%s\" class=\"sortable\"><thead><tr><th>path</th><th>layer</th>"
	        "<th class=\"n\">read</th><th class=\"n\">written</th><th class=\"n\">reads</th><th class=\"n\">writes</th>"
	        "<th class=\"n\">metadata</th><th class=\"n\">time</th><th class=\"n\">processes</th><th class=\"n\">ranks</th>"
	        "</tr></thead><tbody>", title, p->nfiles < top ? p->nfiles : top, p->nfiles, id);
	for (size_t k = 0; k < p->nfiles && k < top; k++) {
		const struct vigil_filestat *f = &p->files[order[k]];
		fputs("<tr><td class=\"path\">", out);
		rep_html(out, f->path);
		fprintf(out, "</td><td>%s</td>", vigil_file_layer_name(f->layer));
		rh_td(out, (double)f->bytes_read, rep_bytes(a, sizeof(a), (double)f->bytes_read));
		rh_td(out, (double)f->bytes_written, rep_bytes(a, sizeof(a), (double)f->bytes_written));
		rh_td(out, (double)f->reads, rep_count(a, sizeof(a), (double)f->reads));
		rh_td(out, (double)f->writes, rep_count(a, sizeof(a), (double)f->writes));
		rh_td(out, (double)f->meta_ops, rep_count(a, sizeof(a), (double)f->meta_ops));
		rh_td(out, f->seconds, rep_secs(a, sizeof(a), f->seconds));
		rh_td(out, f->processes, rep_count(a, sizeof(a), f->processes));
		if (f->nranks)
			snprintf(a, sizeof(a), "%u (%d-%d)", f->nranks, f->rank_min, f->rank_max);
		else
			snprintf(a, sizeof(a), "-");
		rh_td(out, f->nranks, a);
		fputs("</tr>", out);
	}
	fputs("</tbody></table>", out);
}

static void rh_balance(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	char a[32];
	if (p->nprocs < 2)
		return;
	int mpi = s->nranks > 0;
	fprintf(out, "<section id=\"balance\"><h2>%s</h2>", mpi ? "Per-rank balance" : "Per-process balance");
	if (s->mpi_wait_rank >= 0) {
		char b[32];
		fprintf(out, "<p id=\"culprits\">most time waiting in MPI: <b id=\"mpi-wait-rank\">rank %d</b> (%s); "
		        "most time computing / arriving last: <b id=\"outside-rank\">rank %d</b> (%s outside MPI)</p>",
		        s->mpi_wait_rank, rep_secs(a, sizeof(a), s->mpi_wait_seconds), s->outside_rank,
		        rep_secs(b, sizeof(b), s->outside_seconds));
	}
	if (mpi && s->nbal) {
		fputs("<table id=\"balance-table\" class=\"sortable\"><thead><tr><th>layer</th><th>operation</th>"
		      "<th class=\"n\">min</th><th class=\"n\">mean</th><th class=\"n\">max</th><th class=\"n\">rank of min</th>"
		      "<th class=\"n\">rank of max</th><th class=\"n\">max/mean</th></tr></thead><tbody>", out);
		for (size_t k = 0; k < s->nbal && k < 20; k++) {
			const struct rep_balance *b = &s->bal[k];
			fprintf(out, "<tr data-op=\"%s.%s\"><td>%s</td><td>%s</td>", vigil_layer_names[vigil_op_table[b->op].layer],
			        vigil_op_table[b->op].name, vigil_layer_names[vigil_op_table[b->op].layer], vigil_op_table[b->op].name);
			rh_td(out, b->smin, rep_secs(a, sizeof(a), b->smin));
			rh_td(out, b->smean, rep_secs(a, sizeof(a), b->smean));
			rh_td(out, b->smax, rep_secs(a, sizeof(a), b->smax));
			snprintf(a, sizeof(a), "%d", b->smin_rank);
			rh_td(out, b->smin_rank, a);
			snprintf(a, sizeof(a), "%d", b->smax_rank);
			rh_td(out, b->smax_rank, a);
			snprintf(a, sizeof(a), "%.2f", b->imbalance);
			rh_td(out, b->imbalance, a);
			fputs("</tr>", out);
		}
		fputs("</tbody></table>", out);
	}
	/* I/O and MPI seconds per process (by rank for MPI jobs), at most 256 bars */
	size_t n = p->nprocs < 256 ? p->nprocs : 256;
	double *vals = calloc(n * 2, sizeof(double));
	char (*labels)[32] = calloc(n, 32);
	if (vals && labels) {
		for (size_t i = 0; i < n; i++) {
			const struct vigil_procstat *q = &p->procs[i];
			for (int op = 0; op < VIGIL_NOPS; op++)
				if (vigil_op_table[op].layer == VIGIL_LAYER_MPI || vigil_layer_is_io(vigil_op_table[op].layer))
					vals[i * 2 + (vigil_op_table[op].layer == VIGIL_LAYER_MPI)] += q->ops[op].seconds;
			snprintf(labels[i], 32, "%d", mpi ? q->rank : q->pid);
		}
		const char *sn[] = { "I/O", "MPI" };
		fprintf(out, "<h3>I/O and MPI time per %s%s</h3>", mpi ? "rank" : "process (by pid)",
		        n < p->nprocs ? " (first 256)" : "");
		rh_bars(out, "plot-balance", (int)n, 2, vals, sn, labels, rep_secs, "time per process");
	}
	free(vals);
	free(labels);
	fputs("</section>\n", out);
}

static void rh_timeline(FILE *out, const struct vigil_profile *p)
{
	const struct vigil_timeline *tl = &p->timeline;
	fputs("<section id=\"timeline\"><h2>Timeline</h2>", out);
	int nb = 0;
	for (int i = 0; i < VIGIL_TL_BINS; i++)
		for (int l = 0; l < VIGIL_NLAYERS; l++)
			if (tl->bin[i][l].ops > 0 || tl->bin[i][l].seconds > 0)
				nb = i + 1;
	if (!nb || tl->bin_seconds <= 0) {
		fputs("<p>No timeline in this profile.</p></section>\n", out);
		return;
	}
	if (nb < 2)
		nb = 2;
	char a[32];
	fprintf(out, "<p class=\"muted\">%d bins of %s from the job start; bandwidth = bytes per bin / bin width.</p>", nb,
	        rep_secs(a, sizeof(a), tl->bin_seconds));
	static double rd[VIGIL_NLAYERS][VIGIL_TL_BINS], wr[VIGIL_NLAYERS][VIGIL_TL_BINS], ops[VIGIL_NLAYERS][VIGIL_TL_BINS];
	const double *rv[2 * VIGIL_NLAYERS], *ov[VIGIL_NLAYERS];
	char names[2 * VIGIL_NLAYERS][32], onames[VIGIL_NLAYERS][32];
	const char *rn[2 * VIGIL_NLAYERS], *on[VIGIL_NLAYERS];
	int nr = 0, no = 0;
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		int active = 0, bytes = 0;
		for (int i = 0; i < nb; i++) {
			rd[l][i] = tl->bin[i][l].bytes_read / tl->bin_seconds;
			wr[l][i] = tl->bin[i][l].bytes_written / tl->bin_seconds;
			ops[l][i] = tl->bin[i][l].ops / tl->bin_seconds;
			active |= tl->bin[i][l].ops > 0;
			bytes |= tl->bin[i][l].bytes_read > 0 || tl->bin[i][l].bytes_written > 0;
		}
		if (!active)
			continue;
		if (bytes) {
			snprintf(names[nr], 32, "%s.read", vigil_layer_names[l]);
			rn[nr] = names[nr];
			rv[nr++] = rd[l];
			snprintf(names[nr], 32, "%s.write", vigil_layer_names[l]);
			rn[nr] = names[nr];
			rv[nr++] = wr[l];
		}
		snprintf(onames[no], 32, "%s.ops", vigil_layer_names[l]);
		on[no] = onames[no];
		ov[no++] = ops[l];
	}
	if (nr) {
		fputs("<h3>Bandwidth</h3>", out);
		rh_lines(out, "plot-bandwidth", nb, nr, rv, rn, tl->bin_seconds, rep_rate, "bandwidth over time", p);
	}
	if (no) {
		fputs("<h3>Operations per second</h3>", out);
		rh_lines(out, "plot-ops", nb, no, ov, on, tl->bin_seconds, rh_ops, "operations over time", p);
	}
	fputs("</section>\n", out);
}

/* The data island: what the plots and tables were drawn from. */
static void rh_island(FILE *out, const struct vigil_profile *p, const struct rep_summary *s)
{
	fputs("<script type=\"application/json\" id=\"vigil-data\">{\"job\":{\"id\":", out);
	rep_json_str(out, p->job_id);
	fputs(",\"user\":", out);
	rep_json_str(out, p->user);
	fprintf(out, ",\"processes\":%zu,\"ranks\":%u,\"duration_seconds\":", p->nprocs, s->nranks);
	rh_num(out, s->duration);
	fputs("},\"layers\":{", out);
	int first = 1;
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		const struct rep_sum *x = &s->layer[l];
		if (!x->calls)
			continue;
		fprintf(out, "%s\"%s\":{\"calls\":%llu,\"errors\":%llu,\"bytes\":%llu,\"bytes_read\":%llu,\"bytes_written\":%llu,\"seconds\":",
		        first ? "" : ",", vigil_layer_names[l], (unsigned long long)x->calls, (unsigned long long)x->errors,
		        (unsigned long long)x->bytes, (unsigned long long)x->bytes_read, (unsigned long long)x->bytes_written);
		rh_num(out, x->seconds);
		fputc('}', out);
		first = 0;
	}
	fputs("},\"ops\":[", out);
	for (int k = 0; k < s->nops; k++) {
		int i = s->ops_by_time[k];
		const struct vigil_opstat *o = &p->ops[i];
		fprintf(out, "%s{\"layer\":\"%s\",\"op\":\"%s\",\"calls\":%llu,\"errors\":%llu,\"bytes\":%llu,\"seconds\":",
		        k ? "," : "", vigil_layer_names[vigil_op_table[i].layer], vigil_op_table[i].name,
		        (unsigned long long)o->calls, (unsigned long long)o->errors, (unsigned long long)o->bytes);
		rh_num(out, o->seconds);
		fputs(",\"size_histogram\":[", out);
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
			fprintf(out, "%s%llu", b ? "," : "", (unsigned long long)o->hist[b]);
		fputs("]}", out);
	}
	fputs("],\"breakdown\":{\"io\":", out);
	rh_num(out, s->io_seconds);
	fputs(",\"mpi\":", out);
	rh_num(out, s->mpi_seconds);
	fputs(",\"rest\":", out);
	rh_num(out, s->rest_seconds);
	fputs("},\"timeline\":{\"start\":", out);
	rh_num(out, p->timeline.start);
	fputs(",\"bin_seconds\":", out);
	rh_num(out, p->timeline.bin_seconds);
	fputs(",\"layers\":{", out);
	first = 1;
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		int active = 0;
		for (int i = 0; i < VIGIL_TL_BINS; i++)
			active |= p->timeline.bin[i][l].ops > 0;
		if (!active)
			continue;
		fprintf(out, "%s\"%s\":{", first ? "" : ",", vigil_layer_names[l]);
		first = 0;
		static const char *const col[] = { "ops", "bytes_read", "bytes_written", "seconds" };
		for (int c = 0; c < 4; c++) {
			fprintf(out, "%s\"%s\":[", c ? "," : "", col[c]);
			for (int i = 0; i < VIGIL_TL_BINS; i++) {
				const struct vigil_tlstat *b = &p->timeline.bin[i][l];
				double v = c == 0 ? b->ops : c == 1 ? b->bytes_read : c == 2 ? b->bytes_written : b->seconds;
				if (i)
					fputc(',', out);
				rh_num(out, v);
			}
			fputc(']', out);
		}
		fputc('}', out);
	}
	fputs("}}}</script>\n", out);
}

/* OpenCL: transfers by direction, kernels by device time (plots of both); nothing without OpenCL. */
static void rh_accel(FILE *out, const struct vigil_profile *p, size_t top)
{
	const struct vigil_accelstat *a = &p->accel;
	char c1[48], c2[48];
	if (!a->processes)
		return;
	fprintf(out, "<section id=\"accelerator\"><h2>Accelerator (OpenCL)</h2><p class=\"muted\">Host time waiting %s, "
	        "building programs %s; device timing %s.</p><table id=\"accel-table\" class=\"sortable\"><thead><tr>"
	        "<th>kind</th><th>commands</th><th>bytes / work items</th><th>under 64 KiB</th><th>device time</th>"
	        "</tr></thead><tbody>", rep_secs(c1, 48, vigil_accel_wait_seconds(p->ops)),
	        rep_secs(c2, 48, vigil_accel_build_seconds(p->ops)), a->profiling ? "on" : "off");
	double vals[VIGIL_NXFER] = { 0 };
	char labels[VIGIL_NXFER][32];
	int n = 0;
	for (int k = 0; k < VIGIL_NXFER; k++) {
		const struct vigil_xferstat *x = &a->kind[k];
		if (!x->commands)
			continue;
		fprintf(out, "<tr><td>%s</td>", vigil_xfer_names[k]);
		rh_td(out, (double)x->commands, rep_count(c1, 48, (double)x->commands));
		rh_td(out, (double)x->bytes, k == VIGIL_XFER_KERNEL ? rep_count(c1, 48, (double)x->bytes)
		                                                   : rep_bytes(c1, 48, (double)x->bytes));
		rh_td(out, (double)x->small, rep_count(c1, 48, (double)x->small));
		rh_td(out, x->device_seconds, rep_secs(c1, 48, x->device_seconds));
		fputs("</tr>", out);
		vals[n] = x->device_seconds;
		snprintf(labels[n++], 32, "%s", vigil_xfer_names[k]);
	}
	fputs("</tbody></table>", out);
	const char *sn[] = { "device time" };
	if (n) {
		fputs("<h3>Device time by kind</h3>", out);
		rh_bars(out, "plot-accel-kind", n, 1, vals, sn, labels, rep_secs, "device time by kind");
	}
	size_t nk = a->nkernels < top ? a->nkernels : top;
	if (nk > 20)
		nk = 20;
	double kv[20];
	char kl[20][32];
	int used[20] = { 0 };
	for (size_t i = 0; i < nk; i++) { /* the nk kernels with the most device time, in order */
		size_t best = 0;
		for (size_t j = 0, b = 0; j < a->nkernels; j++) {
			int taken = 0;
			for (size_t u = 0; u < i; u++)
				taken |= used[u] == (int)j + 1;
			if (!taken && (!b || a->kernels[j].device_seconds > a->kernels[best].device_seconds))
				best = j, b = 1;
		}
		used[i] = (int)best + 1;
		kv[i] = a->kernels[best].device_seconds;
		/* a name comes from a segment: only identifier characters reach the SVG */
		size_t l = 0;
		for (const char *c = a->kernels[best].name; *c && l < 31; c++, l++)
			kl[i][l] = isalnum((unsigned char)*c) || *c == '_' ? *c : '?';
		kl[i][l] = 0;
	}
	if (nk) {
		fputs("<h3>Kernels by device time</h3>", out);
		rh_bars(out, "plot-accel-kernels", (int)nk, 1, kv, sn, kl, rep_secs, "device time per kernel");
	}
	fputs("</section>\n", out);
}

void rep_html_write(FILE *out, const struct vigil_profile *p, const struct rep_summary *s, size_t top)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	      "script-src 'unsafe-inline'; img-src data:\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>vigil report: job ", out);
	rep_html(out, p->job_id);
	fprintf(out, "</title><style>%s", rh_css);
	rh_palette_css(out);
	fputs("</style></head><body><main>\n", out);
	rh_header(out, p, s);
	rh_findings(out, p);
	rh_breakdown(out, s);
	rh_layers(out, p, s);
	rh_hists(out, p, s);
	fputs("<section id=\"files\"><h2>Top files</h2>", out);
	if (p->nfiles) {
		rh_files(out, p, s->by_bytes, top, "files-by-bytes", "By bytes");
		rh_files(out, p, s->by_time, top, "files-by-time", "By time");
	} else
		fputs("<p>No files were recorded.</p>", out);
	fputs("</section>\n", out);
	rh_balance(out, p, s);
	rh_accel(out, p, top);
	rh_timeline(out, p);
	rh_island(out, p, s);
	fprintf(out, "<script>%s</script>\n</main></body></html>\n", rh_js);
}
