/*
 * fold.c - counting: deltas read from segments folded into each process's
 * and its job's totals (never negative, so what we export never goes
 * backwards whatever a segment's owner writes), and the lifetime of jobs and
 * processes (attach, end, free).  Split from sample.c (see sample_internal.h).
 * The fold and every change of shared state here run under vd.lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/accel.h"
#include "daemon/daemon.h"
#include "daemon/sample_internal.h"

const char *const vd_pstate_names[3] = { "running", "exited", "killed" };


static uint64_t sample_sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/*
 * Add delta (new - old, clamped at 0) of one op to the process and its job
 * (lock held); the histogram too when `hist`.
 */
void sample_apply_part(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old,
                       bool hist)
{
	struct vd_raw *c = &p->counted[op];
	struct vd_tot *t = &p->job->tot[op];
	uint64_t d;

	d = sample_sat_sub(nw->calls, old->calls);  c->calls += d;  t->calls += d;
	d = sample_sat_sub(nw->errors, old->errors); c->errors += d; t->errors += d;
	d = sample_sat_sub(nw->bytes, old->bytes);  c->bytes += d;  t->bytes += d;
	d = sample_sat_sub(nw->ticks, old->ticks);  c->ticks += d;  t->seconds += (double)d * p->tick_seconds;
	if (hist)
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++) {
			d = sample_sat_sub(nw->hist[b], old->hist[b]);
			c->hist[b] += d;
			t->hist[b] += d;
		}
	vd_proc_mark_counted(p, op);
	vd_job_mark_op(p->job, op);
	p->dirty = true;
	p->job->counts_dirty = true; /* (recoverable from the segment: ckpt.c) */
}

void sample_apply(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old)
{
	sample_apply_part(p, op, nw, old, true);
}

/* Keep the increase nw - old (clamped at 0) of one op for the fold (no lock needed). */
int sample_defer(struct vd_proc *p, unsigned op, const struct vd_raw *nw, const struct vd_raw *old,
                 bool hist)
{
	struct vd_sproc *sp = p->sp;
	if (sp->npend == sp->pend_cap) {
		unsigned ncap = sp->pend_cap ? 2 * sp->pend_cap : 8;
		struct sample_delta *np = realloc(sp->pend, ncap * sizeof *np);
		if (!np)
			return -ENOMEM;
		sp->pend = np;
		sp->pend_cap = ncap;
	}
	struct sample_delta *e = &sp->pend[sp->npend++];
	e->op = op;
	e->d.calls = sample_sat_sub(nw->calls, old->calls);
	e->d.errors = sample_sat_sub(nw->errors, old->errors);
	e->d.bytes = sample_sat_sub(nw->bytes, old->bytes);
	e->d.ticks = sample_sat_sub(nw->ticks, old->ticks);
	e->hist = hist;
	if (hist)
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
			e->d.hist[b] = sample_sat_sub(nw->hist[b], old->hist[b]);
	return 0;
}

/* Add a process's pending deltas to it and its job (lock held). */
void sample_fold(struct vd_proc *p)
{
	static const struct vd_raw zero;
	struct vd_sproc *sp = p->sp;
	if (!sp || !p->job)
		return;
	for (unsigned k = 0; k < sp->npend; k++)
		sample_apply_part(p, sp->pend[k].op, &sp->pend[k].d, &zero, sp->pend[k].hist);
	sp->npend = 0;
	vd_accel_fold(p);
}

struct vd_job *sample_job_get(uint32_t uid, const char *user, const char *id,
                              const struct vigil_seg_identity *ident, struct vd_proc *p)
{
	struct vd_job *j;
	unsigned njobs = 0;
	for (j = vd.jobs; j; j = j->next) {
		if (j->uid == uid && !strcmp(j->id, id))
			break;
		if (j->uid == uid && j->state != VD_J_ENDED)
			njobs++;
	}
	if (j) {
		if (j->state == VD_J_ENDED) {
			/* A job id seen again within its grace time: the same job continues. */
			j->state = VD_J_RUNNING;
			j->end_requested = false;
			j->profile_written = false;
		}
		return j;
	}
	if (njobs >= vd.cfg.max_jobs_per_user)
		return NULL;
	j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->uid = uid;
	snprintf(j->user, sizeof j->user, "%s", user);
	snprintf(j->id, sizeof j->id, "%s", id);
	snprintf(j->step, sizeof j->step, "%s", ident->step);
	snprintf(j->host, sizeof j->host, "%s", vd.hostname);
	snprintf(j->exe, sizeof j->exe, "%s", p->exe);
	snprintf(j->command, sizeof j->command, "%s", ident->cmdline);
	j->instance = vd.next_instance++;
	j->first_seen = vd_now();
	j->last_live = j->first_seen;
	j->hist_len = (unsigned)vd.cfg.history_seconds;
	j->hist = calloc(j->hist_len, sizeof *j->hist);
	j->rate_t = j->first_seen;
	j->dirty = true;
	j->next = vd.jobs;
	vd.jobs = j;
	return j;
}

static void sample_sproc_free(struct vd_proc *p)
{
	if (!p->sp)
		return;
	/* (op maps and stale maps live in the same block: sample_sproc_new) */
	free(p->sp->buf);
	free(p->sp->pend);
	sample_munmap(p->sp);
	sample_sproc_release(p->sp);
	p->sp = NULL;
}

void sample_proc_free(struct vd_proc *p)
{
	sample_sproc_free(p);
	vd_accel_free(p);
	if (p->fd >= 0)
		close(p->fd);
	if (p->shard_copy)
		for (uint32_t i = 0; i < p->n_shards; i++)
			vd_ops_free(p->shard_copy[i]);
	free(p->shard_copy);
	free(p->shard_changes);
	vd_ops_free(p->counted);
	vd_arena_free(&vd_arena_procs, p);
}

void sample_drop_copies(struct vd_proc *p)
{
	sample_sproc_free(p);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->shard_copy)
		for (uint32_t i = 0; i < p->n_shards; i++) {
			vd_ops_free(p->shard_copy[i]);
			p->shard_copy[i] = NULL;
		}
}

void sample_proc_ended(struct vd_proc *p, int state)
{
	struct vd_job *j = p->job;
	if (p->state != VD_P_RUNNING)
		return;
	vd_log(VD_LOG_DEBUG, "sample", "process %s %s", p->name, vd_pstate_names[state]);
	p->state = state;
	p->dirty = true;
	sample_drop_copies(p);
	vd_accel_ended(p);
	if (j) {
		j->nlive--;
		if (state == VD_P_EXITED)
			j->nexited++;
		else
			j->nkilled++;
		j->last_live = vd_now();
		j->dirty = true;
	}
}

/* ---- helpers for other modules ----------------------------------------- */

void vd_proc_sum(const struct vd_proc *p, struct vd_raw *out)
{
	memcpy(out, p->counted, VIGIL_NOPS * sizeof *out);
}

struct vd_job *vd_job_find(const char *id, uint32_t uid, bool any_user)
{
	struct vd_job *found = NULL;
	for (struct vd_job *j = vd.jobs; j; j = j->next)
		if (!strcmp(j->id, id)) {
			if (j->uid == uid)
				return j;
			if (any_user && !found)
				found = j;
		}
	return found;
}

void vd_job_end_request(struct vd_job *j)
{
	if (!j->end_requested)
		j->end_requested_at = vd_now();
	j->end_requested = true;
}
