/*
 * json.c - the profile as JSON (docs/PROFILE.md, schema vigil-profile/1).
 *
 * Written with stdio and no JSON library because the MPI collector links this
 * file into every rank.  Every string came from a segment, which its owner can
 * fill with anything: vigil_json_string escapes it and replaces invalid UTF-8,
 * so the output is always valid JSON.  Numbers that are not finite (a hostile
 * clock can produce them) are written as 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "format/profile.h"

#ifndef VIGIL_VERSION
#define VIGIL_VERSION "0"
#endif

/* Length of the valid UTF-8 sequence at s (1..4), or 0 with *skip = bytes to replace. */
static size_t json_utf8_len(const unsigned char *s, size_t *skip)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		*skip = 1;
		return 0;
	}
	/* Replace the maximal valid prefix as one U+FFFD (Unicode's recommended practice). */
	for (size_t i = 1; i < n; i++) {
		unsigned char b = s[i];
		int ok = i == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xbf);
		if (!ok) {
			*skip = i;
			return 0;
		}
	}
	return n;
}

void vigil_json_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	fputc('"', out);
	while (*s) {
		unsigned char c = *s;
		if (c < 0x80) {
			switch (c) {
			case '"': fputs("\\\"", out); break;
			case '\\': fputs("\\\\", out); break;
			case '\n': fputs("\\n", out); break;
			case '\r': fputs("\\r", out); break;
			case '\t': fputs("\\t", out); break;
			case '\b': fputs("\\b", out); break;
			case '\f': fputs("\\f", out); break;
			default:
				if (c < 0x20 || c == 0x7f) /* DEL too: terminals act on it */
					fprintf(out, "\\u%04x", c);
				else
					fputc(c, out);
			}
			s++;
			continue;
		}
		size_t skip = 0, n = json_utf8_len(s, &skip);
		if (n) {
			fwrite(s, 1, n, out);
			s += n;
		} else {
			fputs("\\ufffd", out);
			s += skip;
		}
	}
	fputc('"', out);
}

static void json_num(FILE *out, double x)
{
	if (!isfinite(x))
		x = 0;
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		fprintf(out, "%.0f", x);
	else
		fprintf(out, "%.15g", x);
}

/* Unix timestamps: microseconds, never exponent notation. */
static void json_time(FILE *out, double t)
{
	fprintf(out, "%.6f", isfinite(t) && t > 0 ? t : 0.0);
}

static int json_layer_active(const struct vigil_opstat *ops, int layer)
{
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (vigil_op_table[o].layer == layer && ops[o].calls)
			return 1;
	return 0;
}

static void json_hist(FILE *out, const uint64_t *h)
{
	fputc('[', out);
	for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
		fprintf(out, "%s%" PRIu64, b ? "," : "", h[b]);
	fputc(']', out);
}

/* `totals.<layer>.<op>` for job totals and each process's own. */
static void json_totals(FILE *out, const struct vigil_opstat *ops, const char *ind)
{
	int first_layer = 1;
	fputc('{', out);
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		if (!json_layer_active(ops, l))
			continue;
		fprintf(out, "%s\n%s  \"%s\": {", first_layer ? "" : ",", ind, vigil_layer_names[l]);
		first_layer = 0;
		int first = 1;
		for (int o = 0; o < VIGIL_NOPS; o++) {
			const struct vigil_opstat *s = &ops[o];
			if (vigil_op_table[o].layer != l || !s->calls)
				continue;
			fprintf(out, "%s\n%s    ", first ? "" : ",", ind);
			first = 0;
			vigil_json_string(out, vigil_op_table[o].name);
			fprintf(out, ": {\"calls\": %" PRIu64 ", \"errors\": %" PRIu64 ", \"bytes\": %" PRIu64
			        ", \"seconds\": ", s->calls, s->errors, s->bytes);
			json_num(out, s->seconds);
			fprintf(out, ", \"class\": \"%s\", \"size_histogram\": ",
			        vigil_class_names[vigil_op_table[o].cls]);
			json_hist(out, s->hist);
			fputc('}', out);
		}
		fprintf(out, "\n%s  }", ind);
	}
	fprintf(out, "%s%s}", first_layer ? "" : "\n", first_layer ? "" : ind);
}

static void json_classes(FILE *out, const struct vigil_opstat *ops)
{
	int first_layer = 1;
	fputc('{', out);
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		if (!json_layer_active(ops, l))
			continue;
		struct vigil_opstat c[VIGIL_NCLASSES];
		memset(c, 0, sizeof(c));
		for (int o = 0; o < VIGIL_NOPS; o++) {
			if (vigil_op_table[o].layer != l)
				continue;
			struct vigil_opstat *d = &c[vigil_op_table[o].cls];
			d->calls += ops[o].calls;
			d->errors += ops[o].errors;
			d->bytes += ops[o].bytes;
			d->seconds += ops[o].seconds;
		}
		fprintf(out, "%s\n    \"%s\": {", first_layer ? "" : ",", vigil_layer_names[l]);
		first_layer = 0;
		int first = 1;
		for (int k = 0; k < VIGIL_NCLASSES; k++) {
			if (!c[k].calls)
				continue;
			fprintf(out, "%s\"%s\": {\"calls\": %" PRIu64 ", \"errors\": %" PRIu64
			        ", \"bytes\": %" PRIu64 ", \"seconds\": ", first ? "" : ", ",
			        vigil_class_names[k], c[k].calls, c[k].errors, c[k].bytes);
			json_num(out, c[k].seconds);
			fputc('}', out);
			first = 0;
		}
		fputc('}', out);
	}
	fprintf(out, "%s}", first_layer ? "" : "\n  ");
}

#define JSON_V2_COUNTERS (VIGIL_HAVE_APPENDS | VIGIL_HAVE_MISALIGNED)

static void json_files(FILE *out, const struct vigil_profile *p)
{
	fputc('[', out);
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct vigil_filestat *f = &p->files[i];
		fprintf(out, "%s\n    {\"path\": ", i ? "," : "");
		vigil_json_string(out, f->path);
		fprintf(out, ", \"layer\": \"%s\", \"bytes_read\": %" PRIu64 ", \"bytes_written\": %" PRIu64
		        ", \"reads\": %" PRIu64 ", \"writes\": %" PRIu64 ", \"metadata_ops\": %" PRIu64
		        ", \"seconds\": ", vigil_file_layer_name(f->layer), f->bytes_read, f->bytes_written,
		        f->reads, f->writes, f->meta_ops);
		json_num(out, f->seconds);
		fprintf(out, ", \"seq_reads\": %" PRIu64 ", \"seq_writes\": %" PRIu64
		        ", \"consec_reads\": %" PRIu64 ", \"consec_writes\": %" PRIu64
		        ", \"max_offset\": %" PRIu64 ", \"first_access\": ",
		        f->seq_reads, f->seq_writes, f->consec_reads, f->consec_writes, f->max_offset);
		json_time(out, f->first_access);
		fputs(", \"last_access\": ", out);
		json_time(out, f->last_access);
		fprintf(out, ", \"processes\": %" PRIu32 ", \"ranks\": %" PRIu32
		        ", \"rank_min\": %" PRId32 ", \"rank_max\": %" PRId32,
		        f->processes, f->nranks, f->rank_min, f->rank_max);
		if (f->fastest_rank >= 0 && f->slowest_rank >= 0) {
			fprintf(out, ", \"fastest_rank\": %" PRId32 ", \"fastest_rank_seconds\": ", f->fastest_rank);
			json_num(out, f->fastest_rank_seconds);
			fprintf(out, ", \"slowest_rank\": %" PRId32 ", \"slowest_rank_seconds\": ", f->slowest_rank);
			json_num(out, f->slowest_rank_seconds);
		}
		/* segment v2 counters: only when every process had them (else absent, never 0) */
		if ((p->insight_have & JSON_V2_COUNTERS) == JSON_V2_COUNTERS)
			fprintf(out, ", \"unpositioned_reads\": %" PRIu64 ", \"unpositioned_writes\": %" PRIu64
			        ", \"misaligned\": %" PRIu64, f->unpositioned_reads, f->unpositioned_writes, f->misaligned);
		fputc('}', out);
	}
	fprintf(out, "%s]", p->nfiles ? "\n  " : "");
}

static void json_series(FILE *out, const struct vigil_timeline *tl, int layer, size_t field)
{
	fputc('[', out);
	for (int b = 0; b < VIGIL_TL_BINS; b++) {
		const double *v = (const double *)((const char *)&tl->bin[b][layer] + field);
		if (b)
			fputc(',', out);
		json_num(out, *v);
	}
	fputc(']', out);
}

static void json_timeline(FILE *out, const struct vigil_timeline *tl)
{
	fputs("{\"start\": ", out);
	json_time(out, tl->start);
	fputs(", \"bin_seconds\": ", out);
	json_num(out, tl->bin_seconds);
	fprintf(out, ", \"bins\": %d, \"layers\": {", VIGIL_TL_BINS);
	int first = 1;
	for (int l = 0; l < VIGIL_NLAYERS; l++) {
		int any = 0;
		for (int b = 0; b < VIGIL_TL_BINS; b++)
			any |= tl->bin[b][l].ops > 0 || tl->bin[b][l].bytes_read > 0 ||
			       tl->bin[b][l].bytes_written > 0;
		if (!any)
			continue;
		fprintf(out, "%s\n    \"%s\": {\"ops\": ", first ? "" : ",", vigil_layer_names[l]);
		first = 0;
		json_series(out, tl, l, offsetof(struct vigil_tlstat, ops));
		fputs(",\n      \"bytes_read\": ", out);
		json_series(out, tl, l, offsetof(struct vigil_tlstat, bytes_read));
		fputs(",\n      \"bytes_written\": ", out);
		json_series(out, tl, l, offsetof(struct vigil_tlstat, bytes_written));
		fputs(",\n      \"seconds\": ", out);
		json_series(out, tl, l, offsetof(struct vigil_tlstat, seconds));
		fputc('}', out);
	}
	fprintf(out, "%s}}", first ? "" : "\n  ");
}

static const char *json_state(int state)
{
	return state == VIGIL_PROC_RUNNING ? "running" : state == VIGIL_PROC_EXITED ? "exited"
	       : state == VIGIL_PROC_UNMONITORED ? "unmonitored" : "killed";
}

static void json_processes(FILE *out, const struct vigil_profile *p)
{
	fputc('[', out);
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct vigil_procstat *ps = &p->procs[i];
		fprintf(out, "%s\n    {\"pid\": %" PRId32 ", \"ppid\": %" PRId32 ", \"rank\": %" PRId32
		        ", \"nranks\": %" PRId32 ", \"host\": ", i ? "," : "", ps->pid, ps->ppid, ps->rank, ps->nranks);
		vigil_json_string(out, ps->host);
		fputs(", \"exe\": ", out);
		vigil_json_string(out, ps->exe);
		fputs(", \"command\": ", out);
		vigil_json_string(out, ps->command);
		fputs(", \"step\": ", out);
		vigil_json_string(out, ps->step ? ps->step : "");
		fputs(",\n     \"start\": ", out);
		json_time(out, ps->start);
		fputs(", \"end\": ", out);
		json_time(out, ps->state == VIGIL_PROC_RUNNING ? 0 : ps->end);
		fprintf(out, ", \"state\": \"%s\", \"exit_status\": %" PRId32 ", \"signal\": %" PRId32
		        ",\n     \"totals\": ", json_state(ps->state), ps->exit_status, ps->term_signal);
		json_totals(out, ps->ops, "    ");
		fputc('}', out);
	}
	fprintf(out, "%s]", p->nprocs ? "\n  " : "");
}

/*
 * `steps`: the job's processes grouped by step (a Slurm job's srun steps, the
 * batch script), each with its process count and totals, in order of first
 * appearance.  A process missing from `processes` is missing here too.
 */
static int json_steps(FILE *out, const struct vigil_profile *p)
{
	size_t *first = malloc((p->nprocs ? p->nprocs : 1) * sizeof(*first)), n = 0;
	struct vigil_opstat *ops = malloc(VIGIL_NOPS * sizeof(*ops));
	if (!first || !ops) {
		free(first);
		free(ops);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->nprocs; i++) {
		const char *s = p->procs[i].step ? p->procs[i].step : "";
		size_t k = 0;
		while (k < n && strcmp(p->procs[first[k]].step ? p->procs[first[k]].step : "", s))
			k++;
		if (k == n)
			first[n++] = i;
	}
	fputc('[', out);
	for (size_t k = 0; k < n; k++) {
		const char *s = p->procs[first[k]].step ? p->procs[first[k]].step : "";
		size_t np = 0;
		memset(ops, 0, VIGIL_NOPS * sizeof(*ops));
		for (size_t i = first[k]; i < p->nprocs; i++) {
			if (strcmp(p->procs[i].step ? p->procs[i].step : "", s))
				continue;
			np++;
			for (unsigned op = 0; op < VIGIL_NOPS; op++)
				vigil_opstat_add(&ops[op], &p->procs[i].ops[op]);
		}
		fprintf(out, "%s\n    {\"step\": ", k ? "," : "");
		vigil_json_string(out, s);
		fprintf(out, ", \"processes\": %zu, \"totals\": ", np);
		json_totals(out, ops, "    ");
		fputc('}', out);
	}
	fprintf(out, "%s]", n ? "\n  " : "");
	free(first);
	free(ops);
	return 0;
}

static int json_int_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* Distinct ranks of the profile's processes, sorted; *n = 0 for a non-MPI job. */
static int32_t *json_ranks(const struct vigil_profile *p, size_t *n)
{
	*n = 0;
	int32_t *r = malloc((p->nprocs ? p->nprocs : 1) * sizeof(*r));
	if (!r)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < p->nprocs; i++)
		if (vigil_proc_mpi_rank(&p->procs[i]) >= 0)
			r[k++] = p->procs[i].rank;
	qsort(r, k, sizeof(*r), json_int_cmp);
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (u == 0 || r[u - 1] != r[i])
			r[u++] = r[i];
	*n = u;
	return r;
}

static void json_minmax(FILE *out, const double *v, const int32_t *ranks, size_t n)
{
	size_t lo = 0, hi = 0;
	double sum = 0;
	for (size_t i = 0; i < n; i++) {
		sum += v[i];
		if (v[i] < v[lo])
			lo = i;
		if (v[i] > v[hi])
			hi = i;
	}
	fputs("\"min\": ", out);
	json_num(out, v[lo]);
	fputs(", \"max\": ", out);
	json_num(out, v[hi]);
	fputs(", \"mean\": ", out);
	json_num(out, sum / (double)n);
	fprintf(out, ", \"min_rank\": %" PRId32 ", \"max_rank\": %" PRId32, ranks[lo], ranks[hi]);
}

/* Per-rank balance, from the processes that have a rank (several per rank are summed). */
static int json_mpi(FILE *out, const struct vigil_profile *p, const int32_t *ranks, size_t nr)
{
	double *sec = calloc(nr, sizeof(double)), *bytes = calloc(nr, sizeof(double));
	struct vigil_opstat ranked[VIGIL_NOPS];
	int rc = 0;

	if (!sec || !bytes) {
		rc = -ENOMEM;
		goto out;
	}
	memset(ranked, 0, sizeof(ranked));
	for (size_t i = 0; i < p->nprocs; i++)
		if (vigil_proc_mpi_rank(&p->procs[i]) >= 0)
			for (int o = 0; o < VIGIL_NOPS; o++)
				if (p->procs[i].ops[o].calls) {
					ranked[o].calls += p->procs[i].ops[o].calls;
					ranked[o].seconds += p->procs[i].ops[o].seconds;
				}
	fprintf(out, ",\n  \"mpi\": {\"ranks\": %zu,\n    \"per_rank\": {", nr);
	for (int pass = 0; pass < 2; pass++) {
		int first_layer = 1;
		if (pass == 1)
			fputs("},\n    \"imbalance\": {", out);
		for (int l = 0; l < VIGIL_NLAYERS; l++) {
			if (!json_layer_active(ranked, l))
				continue;
			fprintf(out, "%s\n      \"%s\": {", first_layer ? "" : ",", vigil_layer_names[l]);
			first_layer = 0;
			int first = 1;
			for (int o = 0; o < VIGIL_NOPS; o++) {
				if (vigil_op_table[o].layer != l || !ranked[o].calls)
					continue;
				memset(sec, 0, nr * sizeof(double));
				memset(bytes, 0, nr * sizeof(double));
				for (size_t i = 0; i < p->nprocs; i++) {
					const struct vigil_procstat *ps = &p->procs[i];
					if (vigil_proc_mpi_rank(ps) < 0)
						continue;
					const int32_t *at = bsearch(&ps->rank, ranks, nr, sizeof(*ranks), json_int_cmp);
					sec[at - ranks] += ps->ops[o].seconds;
					bytes[at - ranks] += (double)ps->ops[o].bytes;
				}
				fprintf(out, "%s\n        ", first ? "" : ",");
				first = 0;
				vigil_json_string(out, vigil_op_table[o].name);
				if (pass == 0) {
					fputs(": {", out);
					json_minmax(out, sec, ranks, nr);
					fputs(", \"bytes\": {", out);
					json_minmax(out, bytes, ranks, nr);
					fputs("}}", out);
				} else {
					double max = 0, sum = 0;
					for (size_t i = 0; i < nr; i++) {
						sum += sec[i];
						max = fmax(max, sec[i]);
					}
					fputs(": ", out);
					json_num(out, sum > 0 ? max / (sum / (double)nr) : 1.0);
				}
			}
			fputc('}', out);
		}
	}
	fputs("},\n    \"time_share\": {", out);
	double mpi_total = 0;
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (vigil_op_table[o].layer == VIGIL_LAYER_MPI)
			mpi_total += ranked[o].seconds;
	int first = 1;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		if (vigil_op_table[o].layer != VIGIL_LAYER_MPI || !ranked[o].calls)
			continue;
		fputs(first ? "" : ", ", out);
		first = 0;
		vigil_json_string(out, vigil_op_table[o].name);
		fputs(": ", out);
		json_num(out, mpi_total > 0 ? ranked[o].seconds / mpi_total : 0);
	}
	fputs("}}", out);
out:
	free(sec);
	free(bytes);
	return rc;
}

static void json_flags(FILE *out, const struct vigil_profile *p)
{
	uint32_t flags = p->flags | (p->early_calls ? VIGIL_FLAG_EARLY_CALLS : 0);
	int first = 1;
	fputc('[', out);
	for (size_t i = 0; i < VIGIL_NPROFILE_FLAGS; i++)
		if (flags & vigil_profile_flags[i].bit) {
			fprintf(out, "%s\"%s\"", first ? "" : ", ", vigil_profile_flags[i].name);
			first = 0;
		}
	if (p->survivors)
		fprintf(out, "%s\"survivors\"", first ? "" : ", ");
	fputc(']', out);
}

/*
 * "insights": the fired findings in display order; "insights_not_evaluated":
 * rules a missing counter kept from judging; "insights_config": the
 * thresholds they were judged with (docs/PROFILE.md).
 */
void vigil_insights_write_json(FILE *out, const struct vigil_insights *in)
{
	int idx[VIGIL_NRULES], n = vigil_insights_order(in, idx);
	fputs("[", out);
	for (int i = 0; i < n; i++) {
		const struct vigil_finding *f = &in->f[idx[i]];
		const struct vigil_rule_info *r = &vigil_rule_table[idx[i]];
		fprintf(out, "%s\n    {\"rule\": \"%s\", \"severity\": \"%s\", \"category\": \"%s\", \"title\": ",
		        i ? "," : "", r->id, vigil_severity_names[f->severity], vigil_rule_category_names[r->category]);
		vigil_json_string(out, r->title);
		fputs(",\n     \"value\": ", out);
		json_num(out, f->value);
		fputs(", \"threshold\": ", out);
		json_num(out, f->threshold);
		fputs(", \"first_fired\": ", out);
		json_time(out, f->first_fired);
		fputs(", \"last_fired\": ", out);
		json_time(out, f->last_fired);
		fputs(", \"active_seconds\": ", out);
		json_num(out, f->active_seconds);
		fputs(",\n     \"evidence\": ", out);
		vigil_json_string(out, f->evidence);
		fputs(",\n     \"fix\": ", out);
		vigil_json_string(out, f->fix);
		fputc('}', out);
	}
	fputs(n ? "\n  ],\n  \"insights_not_evaluated\": [" : "],\n  \"insights_not_evaluated\": [", out);
	int first = 1;
	for (int r = 0; r < VIGIL_NRULES; r++)
		if (in->f[r].state == VIGIL_FINDING_NOT_EVALUATED) {
			fprintf(out, "%s\"%s\"", first ? "" : ", ", vigil_rule_table[r].id);
			first = 0;
		}
	const struct vigil_insights_conf *c = &in->conf;
	fputs("],\n  \"insights_config\": {\"source\": ", out);
	vigil_json_string(out, c->source);
	fputs(", \"window\": ", out);
	json_num(out, c->window);
	fputs(", \"for\": ", out);
	json_num(out, c->for_seconds);
	fputs(", \"keep_firing_for\": ", out);
	json_num(out, c->keep_firing_for);
	fputs(", \"rules\": {", out);
	for (int r = 0; r < VIGIL_NRULES; r++) {
		fprintf(out, "%s\n    \"%s\": {\"enabled\": %s, \"severity\": \"%s\"", r ? "," : "",
		        vigil_rule_table[r].id, c->enabled[r] ? "true" : "false", vigil_severity_names[c->severity[r]]);
		for (int i = 0; i < VIGIL_NRULE_PARAMS; i++)
			if (vigil_rule_params[i].rule == r) {
				fprintf(out, ", \"%s\": ", vigil_rule_params[i].name);
				json_num(out, c->param[i]);
			}
		fputc('}', out);
	}
	fputs("}}", out);
}

int vigil_profile_write_json(const struct vigil_profile *p, FILE *out)
{
	size_t nranks;
	int32_t *ranks = json_ranks(p, &nranks);
	int rc = 0;

	if (!ranks)
		return -ENOMEM;
	fputs("{\n  \"schema\": \"" VIGIL_PROFILE_SCHEMA "\",\n  \"generator\": ", out);
	const char *gen = p->generator && *p->generator ? p->generator : "vigil";
	char genbuf[256];
	/* "vigil run" becomes "vigil run 0.1.0"; a merged profile's generator keeps its version. */
	snprintf(genbuf, sizeof(genbuf), "%s%s%s", gen, strchr(gen, ' ') && strpbrk(gen, "0123456789")
	         ? "" : " ", strchr(gen, ' ') && strpbrk(gen, "0123456789") ? "" : VIGIL_VERSION);
	vigil_json_string(out, genbuf);
	fputs(",\n  \"job\": {\"id\": ", out);
	vigil_json_string(out, p->job_id);
	fputs(", \"step\": ", out);
	vigil_json_string(out, p->step);
	fputs(", \"user\": ", out);
	vigil_json_string(out, p->user);
	fprintf(out, ", \"uid\": %" PRIu32 ",\n    \"command\": ", p->uid);
	vigil_json_string(out, p->command);
	fputs(",\n    \"start\": ", out);
	json_time(out, p->start);
	fputs(", \"end\": ", out);
	json_time(out, p->end);
	fputs(", \"duration_seconds\": ", out);
	json_num(out, p->end > p->start && p->start > 0 ? p->end - p->start : 0);
	fputs(", \"hosts\": [", out);
	for (size_t i = 0; i < p->nhosts; i++) {
		if (i)
			fputs(", ", out);
		vigil_json_string(out, p->hosts[i]);
	}
	fprintf(out, "], \"processes\": %zu, \"ranks\": %zu},\n", p->nprocs, nranks);
	if (p->insights.judged) {
		fputs("  \"insights\": ", out);
		vigil_insights_write_json(out, &p->insights);
		fputs(",\n", out);
	}
	fputs("  \"totals\": ", out);
	json_totals(out, p->ops, "  ");
	fputs(",\n  \"classes\": ", out);
	json_classes(out, p->ops);
	if ((p->insight_have & JSON_V2_COUNTERS) == JSON_V2_COUNTERS)
		fprintf(out, ",\n  \"file_counters\": [\"unpositioned\", \"misaligned\"],\n  \"again_errors\": %" PRIu64,
		        p->again_errors);
	fputs(",\n  \"files\": ", out);
	json_files(out, p);
	fputs(",\n  \"timeline\": ", out);
	json_timeline(out, &p->timeline);
	fputs(",\n  \"steps\": ", out);
	if ((rc = json_steps(out, p)))
		goto out;
	fputs(",\n  \"processes\": ", out);
	json_processes(out, p);
	if (nranks && (rc = json_mpi(out, p, ranks, nranks)))
		goto out;
	vigil_accel_write_json(out, p);
	fputs(",\n  \"flags\": ", out);
	json_flags(out, p);
	fputs("\n}\n", out);
	if (fflush(out) == EOF || ferror(out))
		rc = errno ? -errno : -EIO;
out:
	free(ranks);
	return rc;
}
