/*
 * insights.h - vigild's live insights (docs/INSIGHTS.md "Live"): per job a
 * fixed-size ring of one-second counter deltas, the rules of
 * src/format/insights.c judged over that window every second, and the
 * Prometheus alert states (pending, firing, resolved) with their record.
 *
 * Everything here is changed by the sampler thread under vd.lock and read by
 * the HTTP threads under it; the configuration is swapped under it too.
 */
#ifndef VIGIL_DAEMON_INSIGHTS_H
#define VIGIL_DAEMON_INSIGHTS_H

#include <stdbool.h>
#include "daemon/daemon.h"
#include "format/insights.h"

struct vigil_profile;

enum vd_ins_state { VD_INS_OK, VD_INS_PENDING, VD_INS_FIRING, VD_INS_RESOLVED };
extern const char *const vd_ins_state_names[4]; /* "ok", "pending", "firing", "resolved" */

/* One rule of one job, live. */
struct vd_ins_rule {
	unsigned char applies;       /* judged in the window (an MPI rule only for an MPI job) */
	unsigned char state;         /* enum vd_ins_state */
	double since;                /* Unix seconds the state began */
	unsigned char back;          /* pending: the state (ok or resolved) it returns to if false */
	double back_since;
	double first_fired, last_true; /* 0 = never */
	double value, peak, threshold;
	double active_seconds;       /* seconds spent firing */
	unsigned firings;
	char evidence[VIGIL_INSIGHT_TEXT], fix[VIGIL_INSIGHT_TEXT]; /* of the peak */
};

/* The configuration in use (read under vd.lock; replaced by vd_insights_load). */
extern struct vigil_insights_conf vd_ins_conf;

/* Load FILE (NULL: the default path, missing = defaults).  At start-up a bad file is fatal (-1). */
int vd_insights_load(const char *path, bool startup);
/* Every pass, sampler thread, lock NOT held: once a step reads what the rules need beyond op counters. */
void vd_insights_read(double now);
bool vd_insights_read_due(double now); /* vd_insights_read(now) would read the shards' totals */
void vd_insights_preread(struct vd_proc *p); /* queue those reads of p (batch.c) */
/* Every pass, lock held: once a second steps each running job's window and judges it. */
void vd_insights_tick(double now);
/* A job's live record; NULL before its first judgement. */
const struct vd_ins_rule *vd_insights_job(const struct vd_job *j);
/* Worst firing level of a job (0 none) and its rule (-1 none). */
int vd_insights_worst(const struct vd_job *j, int *rule);
/* The end-of-job verdict of `prof` plus this job's live record (sampler, no lock). */
void vd_insights_profile(const struct vd_job *j, struct vigil_profile *prof);
void vd_insights_free(struct vd_job *j);
/* A checkpointed record of rule `rule` (ckpt.c, loading): the restarted vigild continues it. Returns 0 or -ENOMEM. */
int vd_insights_restore(struct vd_job *j, int rule, const struct vd_ins_rule *r);
/* /metrics families (lock held). */
void vd_insights_prom(struct vd_buf *b, bool om, bool anonymous);

#endif
