/*
 * accel.c - the accelerator region (OpenCL) in vigild: read, folded per
 * process, summed per job, exported, and windowed for the live rules.
 *
 * Reading: the region (struct vigil_accel, ~1.5 KiB) is read whole at every
 * full read of a segment and once a second with the header; the kernel
 * table (its first kernels_used records, at most VIGIL_KERNELS) only when
 * the region's `changes` moved.  Geometry comes from the header that
 * vigil_seg_parse validated, never from the live one; every byte read is
 * copied and bounded (vd_accel_parse, fuzzed through fuzz_segment).  A
 * process that never ran the OpenCL layer costs one pread a second and no
 * memory beyond its geometry.
 *
 * Restarts: the region holds running totals and is not checkpointed.  A
 * live process's numbers come back whole at its first read after a
 * restart, a restored ended one's from one read at start while its segment
 * is still there (vd_accel_restore); docs/DAEMON.md says what is lost.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/accel.h"

/* What the sampler thread keeps per process (vd_proc.acc; others read only vd_proc.acc_shown). */
struct vd_accel {
	uint64_t off, koff;          /* validated geometry */
	uint32_t nk, ksize;
	bool pending;
	uint64_t last_changes;
	struct vd_asnap *next;       /* read, not yet folded (lazily: OpenCL seen) */
};

/* Kernel records larger than this (the writer's are 112 bytes) are not read: a bounded copy. */
#define ACC_MAX_KSIZE 1024u

static uint64_t acc_max(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t acc_sat_add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

uint32_t vd_accel_nkern(uint32_t kernels_used, uint32_t cap)
{
	if (cap > VIGIL_KERNELS)
		cap = VIGIL_KERNELS;
	return kernels_used < cap ? kernels_used + 1 : cap; /* kernels_used: the last record claimed */
}

void vd_accel_parse(const unsigned char *region, const unsigned char *ktab, uint32_t nk, uint32_t ksize,
                    struct vd_asnap *out)
{
	struct vigil_accel a;
	memcpy(&a, region, sizeof a);
	out->changes = a.changes;
	out->layer = a.layer != 0;
	out->profiling = a.profiling != 0;
	out->dropped = a.dropped;
	for (int k = 0; k < VIGIL_NXFER; k++) {
		const struct vigil_accel_kind *s = &a.kind[k];
		out->kind[k] = (struct vd_akind){ s->commands, s->bytes, s->small, s->timed, s->dev_ns };
	}
	if (ksize < sizeof(struct vigil_kernel))
		nk = 0;
	if (nk > VIGIL_KERNELS)
		nk = VIGIL_KERNELS;
	out->nkern = nk;
	for (uint32_t i = 0; i < nk; i++) {
		struct vigil_kernel k;
		struct vd_akern *d = &out->kern[i];
		memcpy(&k, ktab + (size_t)i * ksize, sizeof k);
		*d = (struct vd_akern){ k.launches, k.work_items, k.timed, k.dev_ns, k.errors, "" };
		if (k.hash) {
			memcpy(d->name, k.name, VIGIL_KERNEL_NAME);
			d->name[VIGIL_KERNEL_NAME] = 0; /* the owner may leave it unterminated */
		}
	}
}

void vd_accel_geometry(struct vd_proc *p, const struct vigil_seg_header *h)
{
	if (h->version < 2)
		return; /* version 1 has no accelerator region */
	if (!p->acc && !(p->acc = calloc(1, sizeof *p->acc)))
		return;
	struct vd_accel *a = p->acc;
	a->off = h->accel_offset;
	a->koff = h->kernels_offset;
	a->nk = h->kernel_size > ACC_MAX_KSIZE ? 0 : h->n_kernels < VIGIL_KERNELS ? h->n_kernels : VIGIL_KERNELS;
	a->ksize = h->kernel_size;
}

/* The sampler's buffer for kernel records. */
static unsigned char *acc_kbuf;
static size_t acc_kcap;

/*
 * The record's head (`changes`, `layer`, the counts), read first: the rest
 * (1.5 KiB, per kind and queue) only when `changes` moved or a read is forced
 * - at 1,000 processes a second the whole record was most of what vigild
 * copied out of segments.
 */
#define ACC_HEAD offsetof(struct vigil_accel, reserved)

/*
 * Through the mapping only once the process ran the OpenCL layer: before, the
 * region's page is a hole (the collector writes it on first use), and a read
 * of a hole through the mapping would allocate it (batch.c); a pread does not.
 */
void vd_accel_preread(struct vd_proc *p)
{
	if (p->acc && p->acc->next)
		vd_seg_preread(p, p->acc->off, ACC_HEAD);
}

int vd_accel_read(struct vd_proc *p, bool force)
{
	struct vd_accel *a = p->acc;
	struct vigil_accel raw;
	if (!a || p->fd < 0)
		return 0;
	/* vigil_seg_parse proved accel_size >= sizeof raw inside the file */
	if (vd_seg_pread(p, &raw, ACC_HEAD, a->off) != (ssize_t)ACC_HEAD)
		return -1;
	if (!force && a->next && raw.changes == a->last_changes)
		return 0;
	if (!raw.layer && !a->next)
		return 0; /* no OpenCL in this process (yet) */
	if (pread(p->fd, &raw, sizeof raw, (off_t)a->off) != (ssize_t)sizeof raw)
		return -1;
	if (!a->next && !(a->next = calloc(1, sizeof *a->next)))
		return 0;
	uint32_t nk = vd_accel_nkern(raw.kernels_used, a->nk);
	size_t want = (size_t)nk * a->ksize; /* <= 128 KiB, inside the table vigil_seg_parse checked */
	if (want > acc_kcap) {
		unsigned char *nb = realloc(acc_kbuf, want);
		if (!nb)
			return 0;
		acc_kbuf = nb;
		acc_kcap = want;
	}
	if (want && pread(p->fd, acc_kbuf, want, (off_t)a->koff) != (ssize_t)want)
		return -1;
	vd_accel_parse((const unsigned char *)&raw, acc_kbuf, nk, a->ksize, a->next);
	a->last_changes = raw.changes;
	a->pending = true;
	return 0;
}

void vd_accel_restore(struct vd_proc *p, const struct vigil_seg_view *v)
{
	const struct vigil_accel *raw = vigil_seg_accel(v);
	vd_accel_geometry(p, v->hdr);
	struct vd_accel *a = p->acc;
	if (!a || !raw || !raw->layer || (!a->next && !(a->next = calloc(1, sizeof *a->next))))
		return;
	vd_accel_parse((const unsigned char *)raw, (const unsigned char *)vigil_seg_kernel(v, 0),
	               vd_accel_nkern(raw->kernels_used, a->nk), a->ksize, a->next);
	a->pending = true;
	vd_accel_fold(p);
}

bool vd_accel_pending(const struct vd_proc *p)
{
	return p->acc && p->acc->pending;
}

void vd_accel_fold(struct vd_proc *p)
{
	struct vd_accel *a = p->acc;
	if (!a || !a->pending || !p->job)
		return;
	if (!p->acc_shown && !(p->acc_shown = calloc(1, sizeof *p->acc_shown)))
		return; /* folded at a later pass */
	struct vd_asnap *s = p->acc_shown;
	const struct vd_asnap *n = a->next;
	s->changes = n->changes;
	s->layer |= n->layer;
	s->profiling |= n->profiling;
	s->dropped = acc_max(s->dropped, n->dropped);
	for (int k = 0; k < VIGIL_NXFER; k++) {
		struct vd_akind *d = &s->kind[k];
		const struct vd_akind *x = &n->kind[k];
		d->commands = acc_max(d->commands, x->commands);
		d->bytes = acc_max(d->bytes, x->bytes);
		d->small = acc_max(d->small, x->small);
		d->timed = acc_max(d->timed, x->timed);
		d->dev_ns = acc_max(d->dev_ns, x->dev_ns);
	}
	for (uint32_t i = 0; i < n->nkern; i++) {
		struct vd_akern *d = &s->kern[i];
		const struct vd_akern *x = &n->kern[i];
		if (x->name[0])
			memcpy(d->name, x->name, sizeof d->name);
		d->launches = acc_max(d->launches, x->launches);
		d->work_items = acc_max(d->work_items, x->work_items);
		d->timed = acc_max(d->timed, x->timed);
		d->dev_ns = acc_max(d->dev_ns, x->dev_ns);
		d->errors = acc_max(d->errors, x->errors);
	}
	if (n->nkern > s->nkern)
		s->nkern = n->nkern;
	a->pending = false; /* not checkpointed: the job stays clean */
}

void vd_accel_ended(struct vd_proc *p)
{
	vd_accel_fold(p); /* a snapshot read this pass still counts */
	if (p->acc)
		free(p->acc->next);
	free(p->acc);
	p->acc = NULL; /* nothing more to read: what was read stays in acc_shown */
}

void vd_accel_free(struct vd_proc *p)
{
	if (p->acc)
		free(p->acc->next);
	free(p->acc);
	free(p->acc_shown);
	p->acc = NULL;
	p->acc_shown = NULL;
}

/* ---- per job ---------------------------------------------------------------------- */

/* Add one process's snapshot to `out` (sums saturate); with `kernels`, its kernels by name. */
static void acc_add_proc(const struct vd_asnap *s, struct vigil_accelstat *out, uint64_t sum[VIGIL_NXFER][5],
                         uint64_t *dropped, bool kernels)
{
	out->processes++;
	out->profiling += s->profiling;
	*dropped = acc_sat_add(*dropped, s->dropped);
	for (int k = 0; k < VIGIL_NXFER; k++) {
		const struct vd_akind *x = &s->kind[k];
		const uint64_t v[5] = { x->commands, x->bytes, x->small, x->timed, x->dev_ns };
		for (int f = 0; f < 5; f++)
			sum[k][f] = acc_sat_add(sum[k][f], v[f]);
	}
	for (uint32_t i = 0; kernels && i < s->nkern; i++) {
		const struct vd_akern *k = &s->kern[i];
		if (!k->name[0] || (!k->launches && !k->errors))
			continue;
		struct vigil_kernstat ks = { (char *)k->name, k->launches, k->work_items, k->timed, k->errors,
		                             (double)k->dev_ns * 1e-9 };
		if (vigil_accel_add_kernel(out, &ks) < 0)
			break; /* out of memory: fewer kernels listed */
	}
}

void vd_accel_profile_add(const struct vd_proc *p, struct vigil_accelstat *a)
{
	uint64_t sum[VIGIL_NXFER][5] = { { 0 } }, dropped = 0;
	if (!p->acc_shown || !p->acc_shown->layer)
		return;
	acc_add_proc(p->acc_shown, a, sum, &dropped, true);
	a->dropped += dropped;
	for (int k = 0; k < VIGIL_NXFER; k++) {
		struct vigil_xferstat *x = &a->kind[k];
		x->commands += sum[k][0];
		x->bytes += sum[k][1];
		x->small += sum[k][2];
		x->timed += sum[k][3];
		x->device_seconds += (double)sum[k][4] * 1e-9;
	}
}

uint32_t vd_accel_job(const struct vd_job *j, struct vigil_accelstat *out, bool kernels)
{
	uint64_t sum[VIGIL_NXFER][5] = { { 0 } }, dropped = 0;
	memset(out, 0, sizeof *out);
	for (const struct vd_proc *p = j->procs; p; p = p->next) {
		const struct vd_asnap *s = p->acc_shown;
		if (!s || !s->layer)
			continue;
		acc_add_proc(s, out, sum, &dropped, kernels);
	}
	out->dropped = dropped;
	for (int k = 0; k < VIGIL_NXFER; k++)
		out->kind[k] = (struct vigil_xferstat){ sum[k][0], sum[k][1], sum[k][2], sum[k][3],
		                                        (double)sum[k][4] * 1e-9 };
	return out->processes;
}

double vd_accel_wait_seconds(const struct vd_job *j)
{
	/* struct vd_tot and struct vigil_opstat share a layout (asserted in insights.c) */
	return vigil_accel_wait_seconds((const struct vigil_opstat *)j->tot);
}

/* ---- the live window ---------------------------------------------------------------- */

struct acc_point {
	double t;
	struct vigil_xferstat kind[VIGIL_NXFER];
};

struct vd_jaccel {
	struct acc_point *pt;        /* oldest first */
	unsigned n, cap;
	double hist_dev;             /* device seconds at the last history point */
};

static struct vd_jaccel *acc_jobstate(struct vd_job *j)
{
	if (!j->acc)
		j->acc = calloc(1, sizeof *j->acc);
	return j->acc;
}

static double acc_device_seconds(const struct vigil_accelstat *a)
{
	double s = 0;
	for (int k = 0; k < VIGIL_NXFER; k++)
		s += a->kind[k].device_seconds;
	return s;
}

void vd_accel_history(struct vd_job *j, struct vd_hpoint *h, double dt)
{
	struct vigil_accelstat a;
	struct vd_jaccel *w;
	if (!vd_accel_job(j, &a, false) || !(w = acc_jobstate(j)))
		return;
	double dev = acc_device_seconds(&a);
	h->cl_device_seconds = dt > 0 && dev > w->hist_dev ? (dev - w->hist_dev) / dt : 0;
	w->hist_dev = dev;
	for (const struct vd_proc *p = j->procs; p; p = p->next)
		h->live_cl += p->state == VD_P_RUNNING && p->acc_shown && p->acc_shown->layer;
}

const struct vigil_accelstat *vd_accel_window(struct vd_job *j, double t0, double now,
                                              struct vigil_accelstat *win)
{
	if (!vd_accel_job(j, win, false) || !win->profiling)
		return NULL;
	struct vd_jaccel *w = acc_jobstate(j);
	if (!w)
		return NULL;
	/* keep one point at or before t0 (the window's base), drop older ones */
	unsigned drop = 0;
	while (drop + 1 < w->n && w->pt[drop + 1].t <= t0)
		drop++;
	if (drop) {
		memmove(w->pt, w->pt + drop, (w->n - drop) * sizeof *w->pt);
		w->n -= drop;
	}
	if (w->n == w->cap) {
		unsigned ncap = w->cap ? 2 * w->cap : 16;
		struct acc_point *np = realloc(w->pt, ncap * sizeof *np);
		if (!np)
			return NULL;
		w->pt = np;
		w->cap = ncap;
	}
	struct acc_point *cur = &w->pt[w->n++];
	cur->t = now;
	memcpy(cur->kind, win->kind, sizeof cur->kind);
	/* No point at or before t0: the window holds everything since the job began. */
	if (w->pt[0].t > t0)
		return win;
	for (int k = 0; k < VIGIL_NXFER; k++) {
		struct vigil_xferstat *x = &win->kind[k];
		const struct vigil_xferstat *b = &w->pt[0].kind[k];
		x->commands = x->commands > b->commands ? x->commands - b->commands : 0;
		x->bytes = x->bytes > b->bytes ? x->bytes - b->bytes : 0;
		x->small = x->small > b->small ? x->small - b->small : 0;
		x->timed = x->timed > b->timed ? x->timed - b->timed : 0;
		x->device_seconds = x->device_seconds > b->device_seconds ? x->device_seconds - b->device_seconds : 0;
	}
	return win;
}

void vd_accel_job_free(struct vd_job *j)
{
	if (!j->acc)
		return;
	free(j->acc->pt);
	free(j->acc);
	j->acc = NULL;
}

/* ---- /metrics ------------------------------------------------------------------------ */

static void acc_series(struct vd_buf *b, const char *name, const struct vd_job *j, bool anon)
{
	vd_buf_printf(b, "%s{", name);
	vd_prom_job_labels(b, j, anon);
}

/* The transfer kinds (everything but kernels and other): the `direction` label. */
static bool acc_is_transfer(int k)
{
	return k != VIGIL_XFER_KERNEL && k != VIGIL_XFER_OTHER;
}

enum { ACC_DEV_SECONDS, ACC_XFER_COMMANDS, ACC_XFER_BYTES, ACC_XFER_SMALL, ACC_LAUNCHES, ACC_WORK_ITEMS,
       ACC_WAIT, ACC_DROPPED, ACC_NFAM };

static const struct { const char *name, *help; } acc_fams[ACC_NFAM] = {
	[ACC_DEV_SECONDS] = { "vigil_opencl_device_seconds_total",
	                      "Device time of a job's OpenCL commands (END - START of their events), by kind: "
	                      "kernels, a transfer direction, or other." },
	[ACC_XFER_COMMANDS] = { "vigil_opencl_transfers_total", "OpenCL transfer commands of a job, by direction." },
	[ACC_XFER_BYTES] = { "vigil_opencl_transfer_bytes_total", "Bytes of a job's OpenCL transfer commands, by direction." },
	[ACC_XFER_SMALL] = { "vigil_opencl_small_transfers_total",
	                     "OpenCL transfer commands of a job under 64 KiB, by direction." },
	[ACC_LAUNCHES] = { "vigil_opencl_kernel_launches_total", "OpenCL kernel launches of a job." },
	[ACC_WORK_ITEMS] = { "vigil_opencl_kernel_work_items_total", "Work items of a job's OpenCL kernel launches." },
	[ACC_WAIT] = { "vigil_opencl_wait_seconds_total",
	               "Host time a job spent blocked in OpenCL waits (clFinish, clWaitForEvents, blocking "
	               "transfers and maps; builds excluded)." },
	[ACC_DROPPED] = { "vigil_opencl_untimed_commands_total",
	                  "OpenCL commands of a job whose device time was given up (too many pending, or no "
	                  "profiling info; commands of a process with profiling off are not counted here)." },
};

void vd_accel_prom(struct vd_buf *b, bool om, bool anon)
{
	for (int f = 0; f < ACC_NFAM; f++) {
		vd_prom_family(b, om, acc_fams[f].name, "counter", acc_fams[f].help);
		for (const struct vd_job *j = vd.jobs; j; j = j->next) {
			struct vigil_accelstat a;
			if (!vd_accel_job(j, &a, false))
				continue;
			const char *name = acc_fams[f].name;
			switch (f) {
			case ACC_DEV_SECONDS:
				for (int k = 0; k < VIGIL_NXFER; k++) {
					acc_series(b, name, j, anon);
					vd_buf_printf(b, ",kind=\"%s\"} %.17g\n", vigil_xfer_names[k], a.kind[k].device_seconds);
				}
				break;
			case ACC_XFER_COMMANDS:
			case ACC_XFER_BYTES:
			case ACC_XFER_SMALL:
				for (int k = 0; k < VIGIL_NXFER; k++) {
					if (!acc_is_transfer(k))
						continue;
					const struct vigil_xferstat *x = &a.kind[k];
					acc_series(b, name, j, anon);
					vd_buf_printf(b, ",direction=\"%s\"} %llu\n", vigil_xfer_names[k],
					              (unsigned long long)(f == ACC_XFER_COMMANDS ? x->commands :
					                                   f == ACC_XFER_BYTES ? x->bytes : x->small));
				}
				break;
			case ACC_LAUNCHES:
			case ACC_WORK_ITEMS:
				acc_series(b, name, j, anon);
				vd_buf_printf(b, "} %llu\n", (unsigned long long)(f == ACC_LAUNCHES ?
				              a.kind[VIGIL_XFER_KERNEL].commands : a.kind[VIGIL_XFER_KERNEL].bytes));
				break;
			case ACC_WAIT:
				acc_series(b, name, j, anon);
				vd_buf_printf(b, "} %.17g\n", vd_accel_wait_seconds(j));
				break;
			default:
				acc_series(b, name, j, anon);
				vd_buf_printf(b, "} %llu\n", (unsigned long long)a.dropped);
				break;
			}
		}
	}
}
