/*
 * insights.h - the rules engine: one evaluator for a live window (vigild),
 * a finished job (vigil run, the MPI reduction) and a stored profile
 * (vigil report, vigil diff).  Rules are listed in include/vigil/rules.h;
 * formulas, defaults and reasons are in docs/INSIGHTS.md.
 *
 * The evaluator sees counter sums, never traces: job (or window) totals per
 * operation, per-process totals with their rank and lifetime, and per-file
 * records.  A caller with a finished profile uses vigil_insights_input_profile;
 * vigild fills the same input with the deltas of its window.  libc only, no
 * allocation on the caller's behalf beyond what vigil_insights_eval frees
 * itself, deterministic: the same input gives the same findings.
 */
#ifndef VIGIL_INSIGHTS_H
#define VIGIL_INSIGHTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "vigil/rules.h"
#include "vigil/segment.h"

struct vigil_opstat;
struct vigil_filestat;
struct vigil_profile;

#define VIGIL_INSIGHTS_CONF_DEFAULT "/etc/vigil/insights.conf"
#define VIGIL_INSIGHT_TEXT 640   /* bytes of evidence and of fix text */

/* Thresholds used: per rule enabled, severity, parameters; the live timing. */
struct vigil_insights_conf {
	unsigned char enabled[VIGIL_NRULES];
	unsigned char severity[VIGIL_NRULES];    /* enum vigil_severity (never OK) */
	double param[VIGIL_NRULE_PARAMS];
	double window;                          /* live: sliding window, seconds (60) */
	double for_seconds;                     /* `for`: true this long before firing (30) */
	double keep_firing_for;                 /* resolves after false this long (120) */
	char source[256];                       /* file read, or "defaults" */
};

/* Counters an input may lack (old segments and profiles): rules needing them are "not evaluated". */
#define VIGIL_HAVE_FILES      (1u << 0)  /* per-file records */
#define VIGIL_HAVE_PROCS      (1u << 1)  /* per-process totals with lifetimes */
#define VIGIL_HAVE_MISALIGNED (1u << 2)  /* misaligned request counters (segment v2) */
#define VIGIL_HAVE_APPENDS    (1u << 3)  /* unpositioned (append-mode) request counters (segment v2) */
#define VIGIL_HAVE_TOTALS     (1u << 4)  /* `totals` below: per-process sums of struct vigil_shard_ext */

/* One process (or one process's window) as the evaluator sees it. */
struct vigil_insight_proc {
	int32_t rank;                           /* -1 if not an MPI rank */
	double seconds;                         /* lifetime (or its part in the window) */
	const struct vigil_opstat *ops;         /* VIGIL_NOPS entries */
};

struct vigil_insight_input {
	const struct vigil_opstat *ops;         /* VIGIL_NOPS job (window) sums */
	const struct vigil_insight_proc *procs; size_t nprocs;
	const struct vigil_filestat *files; size_t nfiles;
	double start, end;                      /* Unix seconds of the job (window) */
	uint32_t nhosts;                        /* hosts the sums cover (>= 1) */
	uint32_t have;                          /* VIGIL_HAVE_* */
	/*
	 * With VIGIL_HAVE_TOTALS, random_access and misaligned_io are judged from
	 * the shards' totals (segment.h struct vigil_shard_ext, summed), not from
	 * file records: a live window (vigild reads no file table per sample) has
	 * only one synthesized record per layer.
	 */
	struct vigil_shard_ext totals;
	uint64_t again_errors;                  /* failed data calls with EAGAIN/EWOULDBLOCK: not io_errors */
	const struct vigil_accelstat *accel;    /* OpenCL device times (profiles), NULL: not known (live) */
};

enum vigil_finding_state {
	VIGIL_FINDING_NONE,                     /* judged, does not hold (or rule disabled) */
	VIGIL_FINDING_FIRED,
	VIGIL_FINDING_NOT_EVALUATED,            /* a counter it needs is missing */
};

struct vigil_finding {
	int state;                              /* enum vigil_finding_state */
	int severity;                           /* enum vigil_severity */
	double value, threshold;
	double first_fired, last_fired;         /* Unix seconds (end of job: the evidence's span) */
	double active_seconds;
	char evidence[VIGIL_INSIGHT_TEXT];
	char fix[VIGIL_INSIGHT_TEXT];
};

/* All rules' outcome, indexed by enum vigil_rule; `judged` 0 = no verdict stored. */
struct vigil_insights {
	int judged;
	struct vigil_insights_conf conf;
	struct vigil_finding f[VIGIL_NRULES];
};

/* Defaults of include/vigil/rules.h. */
void vigil_insights_conf_default(struct vigil_insights_conf *c);

/*
 * Parse an insights.conf text (docs/INSIGHTS.md) on top of `c` (start from the
 * defaults).  `name` stands for the file in messages.  Returns 0, or -EINVAL
 * with one sentence naming the line in `err`.
 */
int vigil_insights_conf_parse(struct vigil_insights_conf *c, const char *text, size_t len,
                              const char *name, char *err, size_t errlen);

/*
 * Load `path` (NULL: VIGIL_INSIGHTS_CONF_DEFAULT, and a missing default file
 * means the defaults).  Returns 0, or a negative errno with one sentence.
 */
int vigil_insights_conf_load(struct vigil_insights_conf *c, const char *path, char *err, size_t errlen);

/* Rule index of an id, or -1; severity index of "info"/"warning"/"critical"/"ok", or -1. */
int vigil_rule_lookup(const char *id);
int vigil_severity_lookup(const char *name);

/* Judge every rule; out[r] for each enum vigil_rule. */
void vigil_insights_eval(const struct vigil_insights_conf *c, const struct vigil_insight_input *in,
                         struct vigil_finding out[VIGIL_NRULES]);

/*
 * Judge a finished profile and store the verdict in it (p->insights).
 * Returns 0 or -ENOMEM.
 */
int vigil_insights_judge_profile(struct vigil_profile *p, const struct vigil_insights_conf *c);

/* Fired findings in display order (severity, then rule order); returns how many (<= VIGIL_NRULES). */
int vigil_insights_order(const struct vigil_insights *in, int idx[VIGIL_NRULES]);

/* The profile's "insights", "insights_not_evaluated" and "insights_config" members (json.c). */
void vigil_insights_write_json(FILE *out, const struct vigil_insights *in);

#endif
