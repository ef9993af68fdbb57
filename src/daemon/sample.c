/*
 * sample.c - one sampling pass: discover segments (discover.c), read them
 * (read.c), fold the deltas into processes and jobs (fold.c), then the job
 * bookkeeping.  What the sampler's files share: sample_internal.h.
 *
 * Locking: the sampler (main thread) is the only writer of vd's state, so it
 * reads its own state without the lock.  Every system call (open, fstat,
 * pread, /proc reads) happens outside vd.lock, into sampler-private memory
 * (struct vd_sproc: op maps, read buffer, pending deltas); the lock is taken
 * only to change what HTTP threads read: once per pass to fold the pending
 * deltas into processes and jobs, and briefly per event (new segment, end,
 * rejection).  A scrape or API call waits at most for one fold.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/accel.h"
#include "daemon/daemon.h"
#include "daemon/insights.h"
#include "daemon/sample_internal.h"

static struct vd_proc **sample_ready;   /* processes with deltas to fold this pass */
static size_t sample_nready, sample_ready_cap;

static void sample_ready_add(struct vd_proc *p)
{
	if (sample_nready == sample_ready_cap) {
		size_t ncap = sample_ready_cap ? 2 * sample_ready_cap : 256;
		struct vd_proc **nr = realloc(sample_ready, ncap * sizeof *nr);
		if (!nr)
			return; /* its deltas wait for the next pass */
		sample_ready = nr;
		sample_ready_cap = ncap;
	}
	sample_ready[sample_nready++] = p;
}

/* A process with deltas (counters, its accelerator region) to fold this pass. */
static void sample_ready_if(struct vd_proc *p)
{
	if ((p->sp && p->sp->npend) || vd_accel_pending(p))
		sample_ready_add(p);
}

/* A read failed: an attached process is lost (keeps its counts), another one refused. */
static void sample_failed(struct vd_proc *p, int reason, const char *why)
{
	struct vd_dir *d = &vd.dirs[p->dirix];
	if (p->job)
		sample_lost(p, d, reason, why);
	else {
		p->rejected = reason;
		close(p->fd);
		p->fd = -1;
		sample_reject(reason - 1, d, p->name, why);
	}
}

/*
 * A pass walks 1,000s of processes whose state the writers' cores evicted
 * since the last pass: fetch a process's hot lines (vd_proc's head, then its
 * sampler block and copy pointers) a few buckets before it is reached.  No
 * system call runs between processes in steady state (reads are batched),
 * so the lines are still there when used.
 */
static void sample_prefetch(int k)
{
	struct vd_proc *q = sample_hash[(k + 16) & (SAMPLE_HASH - 1)];
	if (q) {
		SAMPLE_PREFETCH(q);
		SAMPLE_PREFETCH((char *)q + 64);
	}
	q = sample_hash[(k + 8) & (SAMPLE_HASH - 1)];
	if (q && q->sp) {
		SAMPLE_PREFETCH(q->sp);
		SAMPLE_PREFETCH((char *)q->sp + 64);
		SAMPLE_PREFETCH((char *)q->sp + 128);
		if (q->shard_copy)
			SAMPLE_PREFETCH(q->shard_copy);
		if (q->acc)
			SAMPLE_PREFETCH(q->acc); /* vd_accel_pending: its small block's head */
	}
}

/*
 * The fold walks the ready processes in order, each line it needs cold (the
 * writers' cores ran in between): fetch them in stages ahead of use - the
 * process's head and fold line, then its sampler block, then its pending
 * list, then the counted and job totals its first delta adds to.
 */
static void sample_fold_prefetch(size_t k)
{
	if (k + 12 < sample_nready) {
		SAMPLE_PREFETCH(sample_ready[k + 12]);
		SAMPLE_PREFETCH((char *)sample_ready[k + 12] + 128);
	}
	if (k + 8 < sample_nready && sample_ready[k + 8]->sp)
		SAMPLE_PREFETCH(sample_ready[k + 8]->sp);
	const struct vd_sproc *sp = k + 4 < sample_nready ? sample_ready[k + 4]->sp : NULL;
	if (sp && sp->npend)
		SAMPLE_PREFETCH(sp->pend);
	const struct vd_proc *q = k + 2 < sample_nready ? sample_ready[k + 2] : NULL;
	if (q && q->sp && q->sp->npend && q->job && q->sp->pend[0].op < VIGIL_NOPS) {
		SAMPLE_PREFETCH(q->counted + q->sp->pend[0].op);
		SAMPLE_PREFETCH(&q->job->tot[q->sp->pend[0].op]);
	}
}

/*
 * One pass.  Discovery and every read happen without vd.lock (the helpers
 * take it for the moments they change shared state); then one short locked
 * section folds the deltas read and runs the job bookkeeping.
 */
void vd_sample(void)
{
	double t0 = vd_mono();
	static double last_root_scan;
	if (vd.cfg.user_root && t0 - last_root_scan >= 1.0) {
		sample_scan_user_root();
		last_root_scan = t0;
	}
	for (int i = 0; i < vd.ndirs; i++) {
		struct vd_dir *d = &vd.dirs[i];
		struct stat st;
		if (fstat(d->fd, &st) < 0)
			continue;
		/* Rescan when the directory changed, and once a second regardless. */
		if (st.st_mtim.tv_sec != d->mtime.tv_sec || st.st_mtim.tv_nsec != d->mtime.tv_nsec ||
		    t0 - d->last_scan >= 1.0) {
			d->mtime = st.st_mtim;
			d->last_scan = t0;
			for (int k = 0; k < SAMPLE_HASH; k++)
				for (struct vd_proc *p = sample_hash[k]; p; p = p->hnext)
					if (p->dirix == i)
						p->seen = false;
			sample_scan_dir(i);
			sample_sweep(i);
		}
	}
	sample_pre_pass(vd_mono(), vd_insights_read_due(vd_now()));
	unsigned live = 0;
	sample_nready = 0;
	for (int k = 0; k < SAMPLE_HASH; k++) {
		sample_prefetch(k);
		for (struct vd_proc *p = sample_hash[k]; p; p = p->hnext) {
			struct vd_dir *d = &vd.dirs[p->dirix];
			const char *why = NULL;
			int reason;
			bool full = false;
			if (p->rejected || p->fd < 0 || p->state != VD_P_RUNNING)
				continue;
			live++;
			/* Idle for a second: is the process still there (same start time)? */
			/* (every 2 s: /proc reads cost more than the segment's own) */
			if (!p->pending && !p->baseline && p->job && t0 - p->last_change >= 1.0 &&
			    t0 - p->last_alive_check >= 2.0) {
				p->last_alive_check = t0;
				if (sample_proc_start(p->pid) != p->proc_start) {
					reason = sample_full_read(p, d, &why); /* last words, maybe an end record */
					if (p->state == VD_P_RUNNING) {
						vd_log(VD_LOG_DEBUG, "sample", "pid gone %s", p->name);
						pthread_mutex_lock(&vd.lock);
						sample_proc_ended(p, VD_P_KILLED);
						pthread_mutex_unlock(&vd.lock);
					}
					continue;
				}
			}
			if (p->pending || p->baseline)
				reason = sample_full_read(p, d, &why);
			else
				reason = sample_fast_read(p, d, &why, &full);
			if (reason && p->sp && p->sp->batched) {
				/* some of its reads are queued: the flush reads them, then hands the
				   failure on (failing now would free what the batch points into) */
				if (!p->sp->batch_fail)
					p->sp->batch_fail = reason;
				continue;
			}
			if (reason) {
				sample_failed(p, reason, why);
				continue;
			}
			if (!full && !(p->sp && p->sp->batched)) /* (batched: once read, sample_batch_flush) */
				sample_ready_if(p);
		}
	}
	sample_batch_flush(sample_ready_if, sample_failed);
	vd_insights_read(vd_now()); /* preads: before the lock */
	pthread_mutex_lock(&vd.lock);
	for (size_t k = 0; k < sample_nready; k++) {
		sample_fold_prefetch(k);
		sample_fold(sample_ready[k]);
	}
	vd.segments_live = live;
	double now = vd_now();
	vd_jobs_tick(now);
	vd_history_tick(now);
	vd_insights_tick(now);
	vd.samples++;
	sample_batch_counted();
	vd.sample_seconds_last = vd_mono() - t0;
	vd.sample_seconds_total += vd.sample_seconds_last;
	pthread_mutex_unlock(&vd.lock);
	vd_jobs_end_due(now); /* profiles read segments and write files: not under the lock */
}
