/*
 * api.c - the JSON API (docs/API.md): /api/v1/health, /api/v1/jobs,
 * /api/v1/jobs/{id}, /api/v1/jobs/{id}/insights, POST /api/v1/jobs/{id}/end.
 *
 * File names, command lines and pids are personal data: only the job's owner
 * (or root over the socket, or anyone if the operator passed
 * --allow-anonymous-details) gets them.  jansson escapes every string for
 * JSON; the dashboard escapes again for HTML.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/daemon.h"
#include "daemon/accel.h"
#include "daemon/insights.h"
#include "format/profile.h"
#include "common/prom_query.h"

static bool api_details(const struct vd_job *j, long viewer)
{
	return viewer == 0 || (viewer > 0 && (uint32_t)viewer == j->uid) || vd.cfg.anon_details;
}

/* json_string() refuses invalid UTF-8: replace bad bytes first. */
static json_t *api_str(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	struct vd_buf b = {0};
	vd_prom_label_escape(&b, s); /* also fixes UTF-8; undo its escapes below */
	struct vd_buf o = {0};
	for (size_t i = 0; b.p && i < b.len; i++) {
		if (b.p[i] == '\\' && i + 1 < b.len) {
			i++;
			vd_buf_add(&o, b.p[i] == 'n' ? "\n" : &b.p[i], 1);
		} else
			vd_buf_add(&o, &b.p[i], 1);
	}
	j = json_string(o.p ? o.p : "");
	vd_buf_free(&b);
	vd_buf_free(&o);
	return j;
}

static const struct vd_hpoint *api_last_point(const struct vd_job *j)
{
	if (!j->hist || !j->hist_len)
		return NULL;
	unsigned k = (j->hist_head + j->hist_len - 1) % j->hist_len;
	return j->hist[k].t > 0 ? &j->hist[k] : NULL;
}

static int api_cmp_int32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return x < y ? -1 : x > y;
}

/* Distinct MPI ranks among the job's processes (0 for a non-MPI job). */
static unsigned api_ranks(const struct vd_job *j)
{
	size_t n = 0, k = 0;
	for (const struct vd_proc *p = j->procs; p; p = p->next)
		n += p->rank >= 0 && p->nranks > 0;
	if (!n)
		return 0;
	int32_t *r = malloc(n * sizeof *r);
	if (!r)
		return 0;
	for (const struct vd_proc *p = j->procs; p; p = p->next)
		if (p->rank >= 0 && p->nranks > 0)
			r[k++] = p->rank;
	qsort(r, n, sizeof *r, api_cmp_int32);
	unsigned distinct = 1;
	for (size_t i = 1; i < n; i++)
		distinct += r[i] != r[i - 1];
	free(r);
	return distinct;
}

/*
 * totals.opencl: the accelerator region summed over the job's processes, in
 * the profile's "accelerator" shape (docs/API.md); NULL without OpenCL.
 * With `kernels` (the owner's view) the kernels by name too.
 */
static json_t *api_opencl(const struct vd_job *j, bool kernels)
{
	struct vigil_accelstat a;
	if (!vd_accel_job(j, &a, kernels))
		return NULL;
	json_t *o = json_object(), *tr = json_object();
	json_object_set_new(o, "processes", json_integer(a.processes));
	json_object_set_new(o, "profiling", json_integer(a.profiling));
	json_object_set_new(o, "dropped", json_integer((json_int_t)a.dropped));
	for (int k = 0; k < VIGIL_NXFER; k++) {
		const struct vigil_xferstat *x = &a.kind[k];
		json_t *e = json_object();
		json_object_set_new(e, "commands", json_integer((json_int_t)x->commands));
		json_object_set_new(e, k == VIGIL_XFER_KERNEL ? "work_items" : "bytes", json_integer((json_int_t)x->bytes));
		json_object_set_new(e, "small", json_integer((json_int_t)x->small));
		json_object_set_new(e, "timed", json_integer((json_int_t)x->timed));
		json_object_set_new(e, "device_seconds", json_real(x->device_seconds));
		json_object_set_new(tr, vigil_xfer_names[k], e);
	}
	json_object_set_new(o, "transfers", tr);
	json_object_set_new(o, "wait_seconds", json_real(vd_accel_wait_seconds(j)));
	if (kernels) {
		json_t *ks = json_array();
		if (a.nkernels)
			qsort(a.kernels, a.nkernels, sizeof *a.kernels, vigil_kernstat_cmp);
		for (size_t i = 0; i < a.nkernels; i++) {
			const struct vigil_kernstat *k = &a.kernels[i];
			json_t *e = json_object();
			json_object_set_new(e, "name", api_str(k->name));
			json_object_set_new(e, "launches", json_integer((json_int_t)k->launches));
			json_object_set_new(e, "work_items", json_integer((json_int_t)k->work_items));
			json_object_set_new(e, "timed", json_integer((json_int_t)k->timed));
			json_object_set_new(e, "errors", json_integer((json_int_t)k->errors));
			json_object_set_new(e, "device_seconds", json_real(k->device_seconds));
			json_array_append_new(ks, e);
		}
		json_object_set_new(o, "kernels", ks);
		vigil_accel_free(&a);
	}
	return o;
}

static json_t *api_job_summary(const struct vd_job *j, long viewer)
{
	json_t *o = json_object();
	uint64_t rd = 0, wr = 0, ops = 0, meta = 0, mpi_calls = 0, cl_calls = 0;
	double io_s = 0, mpi_s = 0, cl_s = 0;
	int top_t = -1; /* the operation with the most time so far, any layer */
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		const struct vigil_op_info *oi = &vigil_op_table[op];
		const struct vd_tot *t = &j->tot[op];
		if (t->calls && (top_t < 0 || t->seconds > j->tot[top_t].seconds))
			top_t = (int)op;
		if (oi->layer == VIGIL_LAYER_MPI) {
			mpi_calls += t->calls;
			mpi_s += t->seconds;
			continue;
		}
		if (!vigil_layer_is_io(oi->layer)) { /* OpenCL is never I/O */
			cl_calls += t->calls;
			cl_s += t->seconds;
			continue;
		}
		ops += t->calls;
		io_s += t->seconds;
		if (oi->cls == VIGIL_CLASS_META)
			meta += t->calls;
		if (oi->dir == VIGIL_DIR_READ)
			rd += t->bytes;
		else if (oi->dir == VIGIL_DIR_WRITE)
			wr += t->bytes;
	}
	json_object_set_new(o, "id", api_str(j->id));
	json_object_set_new(o, "step", api_str(j->step));
	char ub[32];
	bool anon = viewer == VD_VIEWER_ANON;
	json_object_set_new(o, "user", api_str(vd_user_shown(j, anon, ub)));
	if (!anon || vd.cfg.user_label == VD_LABEL_ON)
		json_object_set_new(o, "uid", json_integer(j->uid));
	json_object_set_new(o, "host", api_str(j->host));
	json_object_set_new(o, "state", json_string(j->state == VD_J_ENDED ? "ended" : "running"));
	json_object_set_new(o, "executable", api_str(vd_exe_shown(j, anon)));
	json_object_set_new(o, "start", json_real(j->first_seen));
	json_object_set_new(o, "end", json_real(j->state == VD_J_ENDED ? j->ended_at : 0));
	if (api_details(j, viewer))
		json_object_set_new(o, "command", api_str(j->command));
	json_t *pr = json_object();
	json_object_set_new(pr, "running", json_integer(j->nlive));
	json_object_set_new(pr, "exited", json_integer(j->nexited));
	json_object_set_new(pr, "killed", json_integer(j->nkilled));
	json_object_set_new(o, "processes", pr);
	json_object_set_new(o, "ranks", json_integer(api_ranks(j)));
	int worst_rule, worst = vd_insights_worst(j, &worst_rule);
	json_object_set_new(o, "insight_level", json_integer(worst));
	json_object_set_new(o, "insight", worst_rule >= 0 ? json_string(vigil_rule_table[worst_rule].id) : json_null());
	json_t *tot = json_object();
	json_object_set_new(tot, "bytes_read", json_integer((json_int_t)rd));
	json_object_set_new(tot, "bytes_written", json_integer((json_int_t)wr));
	json_object_set_new(tot, "io_operations", json_integer((json_int_t)ops));
	json_object_set_new(tot, "metadata_operations", json_integer((json_int_t)meta));
	json_object_set_new(tot, "io_seconds", json_real(io_s));
	json_object_set_new(tot, "mpi_calls", json_integer((json_int_t)mpi_calls));
	json_object_set_new(tot, "mpi_seconds", json_real(mpi_s));
	json_object_set_new(tot, "opencl_calls", json_integer((json_int_t)cl_calls));
	json_object_set_new(tot, "opencl_seconds", json_real(cl_s));
	json_t *ocl = api_opencl(j, false);
	if (ocl)
		json_object_set_new(tot, "opencl", ocl);
	json_object_set_new(o, "totals", tot);
	if (top_t >= 0) {
		json_t *t = json_object();
		json_object_set_new(t, "layer", json_string(vigil_layer_names[vigil_op_table[top_t].layer]));
		json_object_set_new(t, "op", json_string(vigil_op_table[top_t].name));
		json_object_set_new(t, "seconds", json_real(j->tot[top_t].seconds));
		json_object_set_new(o, "top_op", t);
	}

	/* Rates over the latest second (0 before the first full second). */
	const struct vd_hpoint *h = api_last_point(j);
	json_t *r = json_object();
	double data = h ? h->ops_class[VIGIL_CLASS_DATA] : 0, metar = h ? h->ops_class[VIGIL_CLASS_META] : 0;
	json_object_set_new(r, "read_bytes_per_second", json_real(h ? h->bytes_read : 0));
	json_object_set_new(r, "write_bytes_per_second", json_real(h ? h->bytes_written : 0));
	json_object_set_new(r, "io_ops_per_second", json_real(h ? data + metar + h->ops_class[2] + h->ops_class[3] : 0));
	json_object_set_new(r, "metadata_ops_per_second", json_real(metar));
	/* per running rank; launchers and helpers of an MPI job make no MPI calls */
	unsigned per = h ? (h->live_ranks ? h->live_ranks : h->live) : 0;
	double share = per ? h->mpi_seconds / per : 0;
	json_object_set_new(r, "mpi_time_share", json_real(share > 1 ? 1 : share));
	/* per live process running OpenCL; device time arrives when the collector harvests it */
	double cl = h && h->live_cl ? h->cl_device_seconds / h->live_cl : 0;
	json_object_set_new(r, "opencl_device_share", json_real(cl > 1 ? 1 : cl));
	int top = -1;
	float topv = 0;
	if (h)
		for (unsigned op = 0; op < VIGIL_NOPS; op++) {
			unsigned k = (j->hist_head + j->hist_len - 1) % j->hist_len;
			if (j->op_hist[op] && j->op_hist[op][k] > topv) {
				topv = j->op_hist[op][k];
				top = (int)op;
			}
		}
	json_object_set_new(r, "top_op", json_string(top >= 0 ? vigil_op_table[top].name : ""));
	json_object_set_new(r, "top_op_per_second", json_real(topv));
	json_object_set_new(o, "rates", r);
	return o;
}

static json_t *api_ops_json(const struct vd_tot *tot)
{
	json_t *layers = json_object();
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		const struct vigil_op_info *oi = &vigil_op_table[op];
		const struct vd_tot *t = &tot[op];
		if (!t->calls)
			continue;
		json_t *l = json_object_get(layers, vigil_layer_names[oi->layer]);
		if (!l) {
			l = json_object();
			json_object_set_new(layers, vigil_layer_names[oi->layer], l);
		}
		json_t *e = json_object();
		json_object_set_new(e, "calls", json_integer((json_int_t)t->calls));
		json_object_set_new(e, "errors", json_integer((json_int_t)t->errors));
		json_object_set_new(e, "bytes", json_integer((json_int_t)t->bytes));
		json_object_set_new(e, "seconds", json_real(t->seconds));
		json_object_set_new(e, "class", json_string(vigil_class_names[oi->cls]));
		json_t *hist = json_array();
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
			json_array_append_new(hist, json_integer((json_int_t)t->hist[b]));
		json_object_set_new(e, "size_histogram", hist);
		json_object_set_new(l, oi->name, e);
	}
	return layers;
}

/* Append v to series[name], first padding it with zeros up to the point
 * before the current one (npoints counts it): its ring started with zeros. */
static void api_series_add(json_t *series, const char *name, size_t npoints, double v)
{
	json_t *a = json_object_get(series, name);
	if (!a) {
		a = json_array();
		for (size_t z = 0; z + 1 < npoints; z++)
			json_array_append_new(a, json_real(0));
		json_object_set_new(series, name, a);
	}
	json_array_append_new(a, json_real(v));
}

static json_t *api_history(const struct vd_job *j)
{
	json_t *o = json_object(), *t = json_array(), *rd = json_array(), *wr = json_array();
	json_t *mpi = json_array(), *io = json_array(), *cls[4], *byop = json_object();
	json_t *mpibycall = json_object();
	for (int c = 0; c < 4; c++)
		cls[c] = json_array();
	for (unsigned i = 0; j->hist && i < j->hist_len; i++) {
		unsigned k = (j->hist_head + i) % j->hist_len;
		const struct vd_hpoint *h = &j->hist[k];
		if (h->t <= 0)
			continue;
		json_array_append_new(t, json_real(h->t));
		json_array_append_new(rd, json_real(h->bytes_read));
		json_array_append_new(wr, json_real(h->bytes_written));
		json_array_append_new(mpi, json_real(h->mpi_seconds));
		json_array_append_new(io, json_real(h->io_seconds));
		for (int c = 0; c < 4; c++)
			json_array_append_new(cls[c], json_real(h->ops_class[c]));
		for (unsigned op = 0; op < VIGIL_NOPS; op++) {
			if (j->op_hist[op])
				api_series_add(byop, vigil_op_table[op].name, json_array_size(t), j->op_hist[op][k]);
			if (j->mpi_sec_hist[op])
				api_series_add(mpibycall, vigil_op_table[op].name, json_array_size(t), j->mpi_sec_hist[op][k]);
		}
	}
	json_object_set_new(o, "t", t);
	json_object_set_new(o, "read_bytes_per_second", rd);
	json_object_set_new(o, "write_bytes_per_second", wr);
	json_object_set_new(o, "io_seconds_per_second", io);
	json_object_set_new(o, "mpi_seconds_per_second", mpi);
	json_t *co = json_object();
	for (int c = 0; c < 4; c++)
		json_object_set_new(co, vigil_class_names[c], cls[c]);
	json_object_set_new(o, "ops_per_second_by_class", co);
	json_object_set_new(o, "ops_per_second_by_op", byop);
	json_object_set_new(o, "mpi_seconds_per_second_by_call", mpibycall);
	return o;
}

/*
 * A job's steps (a Slurm job's srun steps and batch script, SLURM_STEP_ID of
 * its processes), in order of first appearance, each with its process count
 * and `ops` like the job's: the sum of what its processes counted.
 */
static json_t *api_steps(const struct vd_job *j)
{
	json_t *a = json_array();
	struct vd_tot *tot = malloc(VIGIL_NOPS * sizeof *tot);
	if (!tot)
		return a;
	/* the process list is newest first: walk it once per step, oldest step first */
	for (const struct vd_proc *s = j->procs; s; s = s->next) {
		bool later = false;
		for (const struct vd_proc *q = s->next; q && !later; q = q->next)
			later = !strcmp(q->step, s->step);
		if (later)
			continue;   /* not the step's oldest process */
		json_int_t n = 0;
		memset(tot, 0, VIGIL_NOPS * sizeof *tot);
		for (const struct vd_proc *p = j->procs; p; p = p->next) {
			if (strcmp(p->step, s->step))
				continue;
			n++;
			for (unsigned op = 0; op < VIGIL_NOPS; op++) {
				const struct vd_raw *c = &p->counted[op];
				tot[op].calls += c->calls;
				tot[op].errors += c->errors;
				tot[op].bytes += c->bytes;
				tot[op].seconds += (double)c->ticks * p->tick_seconds;
				for (unsigned b = 0; b < VIGIL_HIST_BUCKETS; b++)
					tot[op].hist[b] += c->hist[b];
			}
		}
		json_t *o = json_object();
		json_object_set_new(o, "step", api_str(s->step));
		json_object_set_new(o, "processes", json_integer(n));
		json_object_set_new(o, "ops", api_ops_json(tot));
		json_array_insert_new(a, 0, o);
	}
	free(tot);
	return a;
}

static json_t *api_processes(const struct vd_job *j, bool details)
{
	json_t *a = json_array();
	for (const struct vd_proc *p = j->procs; p; p = p->next) {
		json_t *o = json_object();
		uint64_t rd = 0, wr = 0, ops = 0;
		double io_s = 0, mpi_s = 0;
		for (unsigned op = 0; op < VIGIL_NOPS; op++) {
			const struct vigil_op_info *oi = &vigil_op_table[op];
			const struct vd_raw *c = &p->counted[op];
			double s = (double)c->ticks * p->tick_seconds;
			if (oi->layer == VIGIL_LAYER_MPI) {
				mpi_s += s;
				continue;
			}
			if (!vigil_layer_is_io(oi->layer))
				continue; /* OpenCL is never I/O */
			ops += c->calls;
			io_s += s;
			if (oi->dir == VIGIL_DIR_READ)
				rd += c->bytes;
			else if (oi->dir == VIGIL_DIR_WRITE)
				wr += c->bytes;
		}
		if (details) {
			json_object_set_new(o, "pid", json_integer(p->pid));
			json_object_set_new(o, "exe", api_str(p->exe));
		}
		json_object_set_new(o, "rank", json_integer(p->rank));
		json_object_set_new(o, "state", json_string(vd_pstate_names[p->state]));
		json_object_set_new(o, "exit_status", json_integer(p->exit_status));
		json_object_set_new(o, "start", json_real(p->start_real));
		json_object_set_new(o, "end", json_real(p->end_real));
		json_object_set_new(o, "bytes_read", json_integer((json_int_t)rd));
		json_object_set_new(o, "bytes_written", json_integer((json_int_t)wr));
		json_object_set_new(o, "io_operations", json_integer((json_int_t)ops));
		json_object_set_new(o, "io_seconds", json_real(io_s));
		json_object_set_new(o, "mpi_seconds", json_real(mpi_s));
		json_array_append_new(a, o);
	}
	return a;
}

static int api_cmp_bytes(const void *a, const void *b)
{
	const struct vigil_filestat *x = a, *y = b;
	uint64_t bx = x->bytes_read + x->bytes_written, by = y->bytes_read + y->bytes_written;
	return bx < by ? 1 : bx > by ? -1 : 0;
}

static int api_cmp_time(const void *a, const void *b)
{
	const struct vigil_filestat *x = a, *y = b;
	return x->seconds < y->seconds ? 1 : x->seconds > y->seconds ? -1 : 0;
}

static json_t *api_file_list(struct vigil_profile *p, int (*cmp)(const void *, const void *))
{
	json_t *a = json_array();
	qsort(p->files, p->nfiles, sizeof *p->files, cmp);
	for (size_t i = 0; i < p->nfiles && i < 20; i++) {
		const struct vigil_filestat *f = &p->files[i];
		json_t *o = json_object();
		json_object_set_new(o, "path", api_str(f->path ? f->path : ""));
		json_object_set_new(o, "layer", json_string(vigil_layer_names[f->layer == VIGIL_FLAYER_MPIIO ? VIGIL_LAYER_MPIIO : f->layer]));
		json_object_set_new(o, "bytes_read", json_integer((json_int_t)f->bytes_read));
		json_object_set_new(o, "bytes_written", json_integer((json_int_t)f->bytes_written));
		json_object_set_new(o, "reads", json_integer((json_int_t)f->reads));
		json_object_set_new(o, "writes", json_integer((json_int_t)f->writes));
		json_object_set_new(o, "metadata_ops", json_integer((json_int_t)f->meta_ops));
		json_object_set_new(o, "seconds", json_real(f->seconds));
		json_array_append_new(a, o);
	}
	return a;
}

/* Where one of a job's segments is: copied under the lock, read after it. */
struct api_segref {
	int dirfd;                   /* vd.dirs[].fd: directories stay open for vigild's life */
	uid_t uid;
	char name[64];
};
#define API_FILES_MAX 64

/*
 * Top files: read the job's segments now (at most 64 processes).  Called with
 * vd.lock held; releases it while it reads (segment I/O must not stall the
 * sampler or other requests) and holds it again on return.  `j` must not be
 * used after: the job may be retired meanwhile.
 */
static json_t *api_files(const struct vd_job *j, json_t **by_time)
{
	struct vigil_profile prof;
	struct api_segref *refs = calloc(API_FILES_MAX, sizeof *refs);
	unsigned n = 0;
	for (const struct vd_proc *p = j->procs; refs && p && n < API_FILES_MAX; p = p->next, n++) {
		refs[n].dirfd = vd.dirs[p->dirix].fd;
		refs[n].uid = vd.dirs[p->dirix].uid;
		snprintf(refs[n].name, sizeof refs[n].name, "%s", p->name);
	}
	pthread_mutex_unlock(&vd.lock);
	vigil_profile_init(&prof);
	for (unsigned k = 0; k < n; k++) {
		unsigned char *buf;
		struct vigil_seg_view v;
		if (vd_segment_copy_at(refs[k].dirfd, refs[k].uid, refs[k].name, &buf, &v) < 0)
			continue;
		vigil_profile_add_segment(&prof, &v);
		free(buf);
	}
	free(refs);
	json_t *by_bytes = api_file_list(&prof, api_cmp_bytes);
	*by_time = api_file_list(&prof, api_cmp_time);
	vigil_profile_free(&prof);
	pthread_mutex_lock(&vd.lock);
	return by_bytes;
}

static struct vd_job *api_pick(const char *id, const char *user, long viewer)
{
	struct vd_job *any = NULL;
	for (struct vd_job *j = vd.jobs; j; j = j->next) {
		if (strcmp(j->id, id))
			continue;
		if (user && *user && strcmp(user, j->user))
			continue;
		if (viewer > 0 && (uint32_t)viewer == j->uid)
			return j;
		if (!any)
			any = j;
	}
	return any;
}

/*
 * The live verdict of every rule that applies to the job: state and times for
 * anyone who may see the job; value, evidence and fix (which may name files
 * and ranks) for its owner only.
 */
static json_t *api_insights(const struct vd_job *j, bool details)
{
	const struct vigil_insights_conf *c = &vd_ins_conf;
	const struct vd_ins_rule *lr = vd_insights_job(j);
	json_t *o = json_object(), *a = json_array();
	json_object_set_new(o, "id", api_str(j->id));
	json_object_set_new(o, "state", json_string(j->state == VD_J_ENDED ? "ended" : "running"));
	json_object_set_new(o, "time", json_real(vd_now()));
	json_object_set_new(o, "details", json_boolean(details));
	json_t *cf = json_object();
	json_object_set_new(cf, "source", api_str(c->source));
	json_object_set_new(cf, "window", json_real(c->window));
	json_object_set_new(cf, "for", json_real(c->for_seconds));
	json_object_set_new(cf, "keep_firing_for", json_real(c->keep_firing_for));
	json_object_set_new(o, "config", cf);
	for (int r = 0; lr && r < VIGIL_NRULES; r++) {
		const struct vd_ins_rule *s = &lr[r];
		if (!s->applies && !s->firings)
			continue;
		const struct vigil_rule_info *ri = &vigil_rule_table[r];
		json_t *e = json_object();
		json_object_set_new(e, "rule", json_string(ri->id));
		json_object_set_new(e, "title", json_string(ri->title));
		json_object_set_new(e, "category", json_string(vigil_rule_category_names[ri->category]));
		json_object_set_new(e, "severity", json_string(vigil_severity_names[c->severity[r]]));
		json_object_set_new(e, "state", json_string(vd_ins_state_names[s->state]));
		json_object_set_new(e, "level", json_integer(s->state == VD_INS_FIRING ? c->severity[r] : 0));
		json_object_set_new(e, "since", json_real(s->since));
		json_object_set_new(e, "first_fired", json_real(s->first_fired));
		json_object_set_new(e, "last_true", json_real(s->last_true));
		json_object_set_new(e, "active_seconds", json_real(s->active_seconds));
		json_object_set_new(e, "firings", json_integer(s->firings));
		if (details) {
			json_object_set_new(e, "value", json_real(s->value));
			json_object_set_new(e, "peak", json_real(s->peak));
			json_object_set_new(e, "threshold", json_real(s->threshold));
			json_object_set_new(e, "evidence", api_str(s->evidence));
			json_object_set_new(e, "fix", api_str(s->fix));
		}
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "insights", a);
	return o;
}

static int api_dump(json_t *o, struct vd_buf *out)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(o);
	if (!s)
		return 500;
	vd_buf_add(out, s, strlen(s));
	vd_buf_add(out, "\n", 1);
	free(s);
	return 200;
}

static int api_error(struct vd_buf *out, int status, const char *msg)
{
	json_t *o = json_object();
	json_object_set_new(o, "error", json_string(msg));
	api_dump(o, out);
	return status;
}

/*
 * Returns the HTTP status.  Caller holds vd.lock; a job's details release it
 * while they read segments (api_files) and take it again before returning.
 */
/*
 * GET /api/v1/jobs/ID/cluster: the job over every node, from the Prometheus
 * of --prometheus (fixed queries for this job id and user only).  Numbers
 * only, like /metrics, and the user as this viewer may see it.  With
 * --user-label hashed or off the nodes' user labels are pseudonyms (each
 * node's own), so only the job id selects.  Releases vd.lock while
 * Prometheus answers.
 */
static int api_cluster(const struct vd_job *j, long viewer, struct vd_buf *out)
{
	char id[sizeof j->id], user[sizeof j->user], shown[sizeof j->user], ub[32], err[256] = "no answer";
	struct vigil_prom_job *pj = NULL;
	if (!vd.cfg.prometheus)
		return api_error(out, 404, "vigild runs without --prometheus");
	snprintf(id, sizeof id, "%s", j->id);
	snprintf(user, sizeof user, "%s", j->user);
	snprintf(shown, sizeof shown, "%s", vd_user_shown(j, viewer == VD_VIEWER_ANON, ub));
	bool by_user = vd.cfg.user_label == VD_LABEL_ON;
	pthread_mutex_unlock(&vd.lock);
	int n = vigil_prom_jobs(vd.cfg.prometheus, id, by_user ? user : NULL, 2000, &pj, err, sizeof err);
	pthread_mutex_lock(&vd.lock);
	if (n < 0)
		return api_error(out, 502, err);
	json_t *o = json_object();
	json_object_set_new(o, "id", api_str(id));
	json_object_set_new(o, "user", api_str(shown));
	json_object_set_new(o, "source", json_string("prometheus"));
	const struct vigil_prom_job *r = n > 0 ? &pj[0] : &(struct vigil_prom_job){ .nodes = 0 };
	json_object_set_new(o, "nodes", json_integer((json_int_t)r->nodes));
	json_object_set_new(o, "nodes_running", json_integer((json_int_t)r->running));
	json_object_set_new(o, "processes_running", json_integer((json_int_t)r->procs));
	json_object_set_new(o, "bytes_read", json_integer((json_int_t)r->bytes_read));
	json_object_set_new(o, "bytes_written", json_integer((json_int_t)r->bytes_written));
	json_object_set_new(o, "io_operations", json_integer((json_int_t)r->io_operations));
	json_object_set_new(o, "read_bytes_per_second", json_real(r->read_bps));
	json_object_set_new(o, "write_bytes_per_second", json_real(r->write_bps));
	json_object_set_new(o, "io_ops_per_second", json_real(r->ops_ps));
	json_object_set_new(o, "metadata_ops_per_second", json_real(r->meta_ps));
	json_object_set_new(o, "mpi_time_share", json_real(r->mpi_share));
	free(pj);
	return api_dump(o, out);
}

int vd_api(const char *method, const char *path, const char *query, long viewer,
           struct vd_buf *out, const char **ctype)
{
	char id[64];
	int action;
	*ctype = "application/json";
	if (vd_api_route(path, id, sizeof id, &action) < 0)
		return api_error(out, 404, "no such endpoint");
	bool post = !strcmp(method, "POST");
	if (post != (action == VD_ROUTE_JOB_END))
		return api_error(out, 405, "method not allowed");
	switch (action) {
	case VD_ROUTE_HEALTH: {
		json_t *o = json_object(), *rej = json_object();
		unsigned njobs = 0;
		for (struct vd_job *j = vd.jobs; j; j = j->next)
			njobs++;
		json_object_set_new(o, "status", json_string("ok"));
		json_object_set_new(o, "version", json_string(VIGIL_VERSION));
		json_object_set_new(o, "host", api_str(vd.hostname));
		json_object_set_new(o, "uptime_seconds", json_real(vd_now() - vd.started));
		json_object_set_new(o, "jobs", json_integer(njobs));
		json_object_set_new(o, "segments_live", json_integer((json_int_t)vd.segments_live));
		json_object_set_new(o, "segments_seen", json_integer((json_int_t)vd.segments_seen));
		json_object_set_new(o, "samples", json_integer((json_int_t)vd.samples));
		json_object_set_new(o, "sample_duration_seconds", json_real(vd.sample_seconds_last));
		json_object_set_new(o, "interval_seconds", json_real(vd.cfg.interval));
		for (int r = 0; r < VD_NREJECT; r++)
			json_object_set_new(rej, vd_reject_names[r], json_integer((json_int_t)vd.rejected[r]));
		json_object_set_new(o, "rejected_segments", rej);
		json_object_set_new(o, "viewer_uid", json_integer(viewer));
		return api_dump(o, out);
	}
	case VD_ROUTE_JOBS: {
		json_t *o = json_object(), *a = json_array();
		for (struct vd_job *j = vd.jobs; j; j = j->next)
			json_array_append_new(a, api_job_summary(j, viewer));
		json_object_set_new(o, "host", api_str(vd.hostname));
		json_object_set_new(o, "time", json_real(vd_now()));
		json_object_set_new(o, "jobs", a);
		return api_dump(o, out);
	}
	default:
		break;
	}
	struct vd_job *j = api_pick(id, query, viewer);
	if (!j)
		return api_error(out, 404, "no such job");
	if (action == VD_ROUTE_JOB_END) {
		if (!(viewer == 0 || (viewer > 0 && (uint32_t)viewer == j->uid)))
			return api_error(out, 403, "only the job's owner or root may end it");
		vd_job_end_request(j);
		json_t *o = json_object();
		json_object_set_new(o, "id", api_str(j->id));
		json_object_set_new(o, "end_requested", json_true());
		return api_dump(o, out);
	}
	if (action == VD_ROUTE_JOB_CLUSTER)
		return api_cluster(j, viewer, out);
	bool details = api_details(j, viewer);
	if (action == VD_ROUTE_JOB_INSIGHTS)
		return api_dump(api_insights(j, details), out);
	json_t *o = api_job_summary(j, viewer);
	json_object_set_new(o, "details", json_boolean(details));
	json_object_set_new(o, "ops", api_ops_json(j->tot));
	json_object_set_new(o, "history", api_history(j));
	json_object_set_new(o, "steps", api_steps(j));
	json_object_set_new(o, "process_list", api_processes(j, details));
	json_t *ocl = details ? api_opencl(j, true) : NULL;
	if (ocl)
		json_object_set_new(o, "opencl", ocl);
	if (details) {
		json_t *by_time = NULL;
		json_object_set_new(o, "files_by_bytes", api_files(j, &by_time)); /* j is stale after this */
		json_object_set_new(o, "files_by_time", by_time);
	}
	return api_dump(o, out);
}
