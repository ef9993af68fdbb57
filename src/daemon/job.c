/*
 * job.c - a job's life after its processes: linger, end, profile, grace, retirement.
 *
 * A job ends when it had no live process for --job-linger seconds, or when
 * told (vigil job-end).  Then, in this order: its profile is written (never
 * replacing one), its checkpoint says "ended", and only then are its
 * segments removed - so a crash at any point loses nothing and counts
 * nothing twice.  It stays exported for --job-grace seconds, then its totals
 * move into the node's retired totals (node file first, job file second).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/accel.h"
#include "daemon/daemon.h"
#include "daemon/insights.h"
#include "format/profile.h"
#include "format/store.h"

void vd_proc_forget(struct vd_proc *p);

/* A segment's whole private copy, validated (daemon.h). */
int vd_segment_copy_at(int dirfd, uid_t uid, const char *name, unsigned char **buf, struct vigil_seg_view *v)
{
	const char *why;
	struct stat st;
	int rc = -EINVAL;
	*buf = NULL;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != uid ||
	    (uint64_t)st.st_size > vd.cfg.max_segment_bytes || st.st_size < (off_t)sizeof(struct vigil_seg_header))
		goto out;
	*buf = malloc((size_t)st.st_size);
	if (!*buf) {
		rc = -ENOMEM;
		goto out;
	}
	for (int attempt = 0;; attempt++) { /* a copy that saw no file-table reuse (format/profile.h) */
		if (pread(fd, *buf, (size_t)st.st_size, 0) != st.st_size)
			goto out;
		if (attempt + 1 >= VIGIL_SEG_COPY_TRIES || vigil_seg_copy_settled(fd, *buf, (size_t)st.st_size))
			break;
		vigil_seg_copy_wait(attempt);
	}
	rc = vigil_seg_parse(*buf, (size_t)st.st_size, vigil_reader_tsc_seconds(), v, &why);
out:
	if (rc < 0) {
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return rc;
}

/*
 * The job's profile as its segments and our totals say now (sampler thread,
 * no lock: it reads segments).  Returns 0 or -ENOMEM; `prof` is to be freed.
 */
int vd_job_profile(const struct vd_job *j, struct vigil_profile *prof_)
{
	struct vigil_profile prof;
	int rc = 0;
	vigil_profile_init(&prof);
	for (const struct vd_proc *p = j->procs; p; p = p->next) {
		unsigned char *buf;
		struct vigil_seg_view v;
		const struct vd_dir *d = &vd.dirs[p->dirix];
		int crc = vd_segment_copy_at(d->fd, d->uid, p->name, &buf, &v);
		if (crc < 0) {
			/* gone: its counts are still in the totals below, its accelerator region in our copy */
			vd_accel_profile_add(p, &prof.accel);
			vd_log(VD_LOG_DEBUG, "profile", "segment %s not in the profile: %s", p->name, strerror(-crc));
			continue;
		}
		if (vigil_profile_add_segment(&prof, &v) < 0)
			rc = -ENOMEM;
		free(buf);
	}
	/* Our totals are exact even for processes whose segment is gone. */
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		prof.ops[op].calls = j->tot[op].calls;
		prof.ops[op].errors = j->tot[op].errors;
		prof.ops[op].bytes = j->tot[op].bytes;
		prof.ops[op].seconds = j->tot[op].seconds;
		memcpy(prof.ops[op].hist, j->tot[op].hist, sizeof prof.ops[op].hist);
	}
	vigil_profile_set_str(&prof.job_id, j->id);
	vigil_profile_set_str(&prof.step, j->step);
	vigil_profile_set_str(&prof.user, j->user);
	vigil_profile_set_str(&prof.generator, "vigild " VIGIL_VERSION);
	if (!prof.command || !prof.command[0])
		vigil_profile_set_str(&prof.command, j->command);
	prof.uid = j->uid;
	if (!prof.start || prof.start > j->first_seen)
		prof.start = prof.start ? prof.start : j->first_seen;
	if (prof.end < j->last_live)
		prof.end = j->last_live;
	for (const struct vd_proc *p = j->procs; p; p = p->next)
		if (p->state == VD_P_RUNNING)
			prof.survivors++;
	*prof_ = prof;
	return rc;
}

int vd_job_write_profile(struct vd_job *j)
{
	struct vigil_profile prof;
	char path[4096 + 1024 + 2];

	if (!vd.cfg.profile_dir)
		return 0;
	int rc = vd_job_profile(j, &prof);
	vd_insights_profile(j, &prof); /* last: judges the final profile */

	/* flat: PROFILE-DIR/NAME; dated: PROFILE-DIR/YEAR/MONTH/DAY/NAME, the site store's layout */
	char dir[4096], name[1024];
	rc = vd.cfg.profile_dated ? vigil_store_day_dir(dir, sizeof dir, vd.cfg.profile_dir, prof.start)
	                          : (snprintf(dir, sizeof dir, "%s", vd.cfg.profile_dir), 0);
	for (int attempt = 1; rc == 0 && attempt < 100; attempt++) {
		if ((rc = vigil_store_name(name, sizeof name, j->id, j->step, j->host, attempt - 1)))
			break;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
			rc = -ENAMETOOLONG;
			break;
		}
		rc = vigil_profile_save(&prof, path, 0600, VIGIL_SAVE_DURABLE);
		if (rc != -EEXIST)
			break;
		if (attempt == 1 && !j->profile_written) {
			/* Written before a crash, then we restarted: it is the same job. */
			rc = 0;
			break;
		}
	}
	if (rc == 0) {
		if (geteuid() == 0 && lchown(path, j->uid, (gid_t)-1) < 0)
			vd_log(VD_LOG_WARN, "profile", "cannot give %s to uid %u: %s", path, j->uid, strerror(errno));
		__atomic_add_fetch(&vd.profiles_written, 1, __ATOMIC_RELAXED); /* no lock held */
		vd_log(VD_LOG_INFO, "profile", "job %s of %s ended: %s", j->id, j->user, path);
	} else
		vd_log(VD_LOG_ERROR, "profile", "cannot write the profile of job %s: %s", j->id, strerror(-rc));
	vigil_profile_free(&prof);
	return rc;
}

/*
 * End a job (sampler thread, vd.lock NOT held).  Its profile reads the job's
 * segments and writes a file: the sampler is the only thread that changes
 * jobs and processes, so it reads them here without the lock, and takes it
 * only to publish the new state.
 */
static void job_end(struct vd_job *j, double now)
{
	int rc = vd_job_write_profile(j);
	pthread_mutex_lock(&vd.lock);
	if (rc == 0)
		j->profile_written = true;
	j->state = VD_J_ENDED;
	j->ended_at = now;
	j->dirty = true;
	pthread_mutex_unlock(&vd.lock);
	/* The checkpoint must say "ended" before any segment disappears. */
	if (vd_ckpt_write_job(j) < 0)
		return; /* keep the segments: retried at the next tick via dirty */
	for (struct vd_proc *p = j->procs; p; p = p->next)
		if (p->state != VD_P_RUNNING && unlinkat(vd.dirs[p->dirix].fd, p->name, 0) < 0 && errno != ENOENT)
			vd_log_limited(VD_LOG_WARN, "job", "unlink", "cannot remove segment %s: %s", p->name, strerror(errno));
}

static void job_retire(struct vd_job *j)
{
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		struct vd_tot *r = &vd.retired[op];
		const struct vd_tot *t = &j->tot[op];
		r->calls += t->calls;
		r->errors += t->errors;
		r->bytes += t->bytes;
		r->seconds += t->seconds;
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
			r->hist[b] += t->hist[b];
	}
	vd.retired_ids[vd.nretired_ids++ % 256] = j->instance;
	vd.node_dirty = true;
	/* node file first: a crash before the job file goes cannot count it twice */
	vd_ckpt_write_node();
	vd_ckpt_remove_job(j);
	while (j->procs) {
		struct vd_proc *p = j->procs;
		j->procs = p->next;
		vd_proc_forget(p);
	}
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		free(j->op_hist[op]);
		free(j->mpi_sec_hist[op]);
	}
	free(j->hist);
	vd_insights_free(j);
	vd_accel_job_free(j);
	free(j);
}

#define VD_END_WAIT 1.5

void vd_jobs_tick(double now)
{
	struct vd_job **jp = &vd.jobs;
	while (*jp) {
		struct vd_job *j = *jp;
		if (j->state != VD_J_ENDED) {
			if (j->nlive > 0)
				j->last_live = now;
			/* An end request (the epilog) comes when the job's tasks are gone, but possibly
			 * before a pass has read their last counts: wait until no process of the job
			 * is live here, or at most VD_END_WAIT seconds. */
			if ((j->end_requested && (j->nlive == 0 || now - j->end_requested_at >= VD_END_WAIT)) ||
			    (j->nlive == 0 && now - j->last_live >= vd.cfg.job_linger))
				j->end_due = true; /* ended by vd_jobs_end_due, after the lock */
		} else if (j->nlive == 0) {
			/* Processes that ended after the job did: remove once checkpointed. */
			if (now - j->ended_at >= vd.cfg.job_grace && !j->dirty && !j->counts_dirty) {
				*jp = j->next;
				job_retire(j);
				continue;
			}
		}
		jp = &j->next;
	}
}

void vd_jobs_end_due(double now)
{
	for (struct vd_job *j = vd.jobs; j; j = j->next)
		if (j->end_due) {
			j->end_due = false;
			if (j->state != VD_J_ENDED)
				job_end(j, now);
		}
}

static void tot_add(struct vd_tot *a, const struct vd_tot *b)
{
	a->calls += b->calls;
	a->errors += b->errors;
	a->bytes += b->bytes;
	a->seconds += b->seconds;
	for (int k = 0; k < VIGIL_HIST_BUCKETS; k++)
		a->hist[k] += b->hist[k];
}

void vd_node_totals(struct vd_tot *out)
{
	memcpy(out, vd.retired, sizeof vd.retired);
	for (struct vd_job *j = vd.jobs; j; j = j->next)
		for (unsigned op = vd_op_next(j->tot_ops, 0); op < VIGIL_NOPS; op = vd_op_next(j->tot_ops, op + 1))
			if (j->tot[op].calls || j->tot[op].seconds > 0)
				tot_add(&out[op], &j->tot[op]);
}

/* One history point per job per second: rates since the previous point. */
void vd_history_tick(double now)
{
	for (struct vd_job *j = vd.jobs; j; j = j->next) {
		double dt = now - j->rate_t;
		if (dt < 1.0 || !j->hist)
			continue;
		struct vd_hpoint *h = &j->hist[j->hist_head];
		memset(h, 0, sizeof *h);
		h->t = now;
		h->live = j->nlive;
		for (const struct vd_proc *p = j->procs; p; p = p->next)
			h->live_ranks += p->state == VD_P_RUNNING && p->rank >= 0 && p->nranks > 0;
		vd_accel_history(j, h, dt);
		/* Only ops ever counted: the others' totals are 0 now and at the last point. */
		for (unsigned op = vd_op_next(j->tot_ops, 0); op < VIGIL_NOPS; op = vd_op_next(j->tot_ops, op + 1)) {
			const struct vd_tot *t = &j->tot[op], *l = &j->last_tot[op];
			const struct vigil_op_info *oi = &vigil_op_table[op];
			double dc = (double)(t->calls - l->calls) / dt;
			double db = (double)(t->bytes - l->bytes) / dt;
			double ds = (t->seconds - l->seconds) / dt;
			if (dc > 0 && !j->op_hist[op])
				j->op_hist[op] = calloc(j->hist_len, sizeof(float));
			if (j->op_hist[op])
				j->op_hist[op][j->hist_head] = (float)dc;
			if (oi->layer == VIGIL_LAYER_MPI) {
				if ((dc > 0 || ds > 0) && !j->mpi_sec_hist[op])
					j->mpi_sec_hist[op] = calloc(j->hist_len, sizeof(float));
				if (j->mpi_sec_hist[op])
					j->mpi_sec_hist[op][j->hist_head] = (float)ds;
				h->mpi_seconds += ds;
				continue;
			}
			if (!vigil_layer_is_io(oi->layer))
				continue; /* OpenCL is never I/O */
			h->ops_class[oi->cls] += dc;
			h->io_seconds += ds;
			if (oi->dir == VIGIL_DIR_READ)
				h->bytes_read += db;
			else if (oi->dir == VIGIL_DIR_WRITE)
				h->bytes_written += db;
		}
		for (unsigned op = vd_op_next(j->tot_ops, 0); op < VIGIL_NOPS; op = vd_op_next(j->tot_ops, op + 1))
			j->last_tot[op] = j->tot[op];
		j->rate_t = now;
		j->hist_head = (j->hist_head + 1) % j->hist_len;
	}
}
