/*
 * profile_accel.c - the profile's accelerator section: folding a segment's
 * accelerator region (OpenCL: transfers by direction, device time, kernels
 * by name, queues) into a profile, merging profiles, writing the JSON.
 * Kernels are merged by name; queues are listed per process (bounded: the
 * segment holds at most VIGIL_QUEUES per process).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "format/profile.h"

const char *const vigil_xfer_names[VIGIL_NXFER] = {
	[VIGIL_XFER_H2D] = "host_to_device", [VIGIL_XFER_D2H] = "device_to_host",
	[VIGIL_XFER_D2D] = "device_to_device", [VIGIL_XFER_FILL] = "fill", [VIGIL_XFER_MAP] = "map",
	[VIGIL_XFER_KERNEL] = "kernels", [VIGIL_XFER_OTHER] = "other",
};

int vigil_accel_add_kernel(struct vigil_accelstat *a, const struct vigil_kernstat *k)
{
	struct vigil_kernstat *d = NULL;
	for (size_t i = 0; i < a->nkernels && !d; i++)
		if (!strcmp(a->kernels[i].name, k->name))
			d = &a->kernels[i];
	if (!d) {
		if (vigil_grow((void **)&a->kernels, &a->kernels_cap, a->nkernels + 1, sizeof(*a->kernels)))
			return -ENOMEM;
		d = &a->kernels[a->nkernels];
		memset(d, 0, sizeof(*d));
		if (!(d->name = strdup(k->name)))
			return -ENOMEM;
		a->nkernels++;
	}
	d->launches += k->launches;
	d->work_items += k->work_items;
	d->timed += k->timed;
	d->errors += k->errors;
	d->device_seconds += k->device_seconds;
	return 0;
}

static int acc_add_queue(struct vigil_accelstat *a, const struct vigil_queuestat *q)
{
	if (vigil_grow((void **)&a->queues, &a->queues_cap, a->nqueues + 1, sizeof(*a->queues)))
		return -ENOMEM;
	a->queues[a->nqueues++] = *q;
	return 0;
}

int vigil_accel_add_segment(struct vigil_profile *p, const struct vigil_seg_view *v)
{
	const struct vigil_accel *sa = vigil_seg_accel(v);
	struct vigil_accelstat *a = &p->accel;
	if (!sa || !sa->layer)
		return 0;
	a->processes++;
	a->profiling += sa->profiling != 0;
	a->dropped += sa->dropped;
	for (int k = 0; k < VIGIL_NXFER; k++) {
		a->kind[k].commands += sa->kind[k].commands;
		a->kind[k].bytes += sa->kind[k].bytes;
		a->kind[k].small += sa->kind[k].small;
		a->kind[k].timed += sa->kind[k].timed;
		a->kind[k].device_seconds += (double)sa->kind[k].dev_ns * 1e-9;
	}
	for (uint32_t i = 0; i < v->hdr->n_kernels; i++) {
		const struct vigil_kernel *k = vigil_seg_kernel(v, i);
		if (!k->hash || (!k->launches && !k->errors))
			continue;
		char name[VIGIL_KERNEL_NAME + 1];
		memcpy(name, k->name, VIGIL_KERNEL_NAME);
		name[VIGIL_KERNEL_NAME] = 0; /* the owner may leave it unterminated */
		struct vigil_kernstat ks = { name, k->launches, k->work_items, k->timed, k->errors,
		                             (double)k->dev_ns * 1e-9 };
		int rc = vigil_accel_add_kernel(a, &ks);
		if (rc)
			return rc;
	}
	for (uint32_t i = 0; i < VIGIL_QUEUES; i++) {
		const struct vigil_queue_rec *q = &sa->queue[i];
		if (!q->id || !q->commands)
			continue;
		struct vigil_queuestat qs = { v->id->pid, i ? q->id : 0, q->commands,
		                              (double)q->busy_ns * 1e-9, (double)q->dev_ns * 1e-9 };
		int rc = acc_add_queue(a, &qs);
		if (rc)
			return rc;
	}
	return 0;
}

int vigil_accel_merge(struct vigil_accelstat *d, const struct vigil_accelstat *s)
{
	d->processes += s->processes;
	d->profiling += s->profiling;
	d->dropped += s->dropped;
	for (int k = 0; k < VIGIL_NXFER; k++) {
		d->kind[k].commands += s->kind[k].commands;
		d->kind[k].bytes += s->kind[k].bytes;
		d->kind[k].small += s->kind[k].small;
		d->kind[k].timed += s->kind[k].timed;
		d->kind[k].device_seconds += s->kind[k].device_seconds;
	}
	int rc;
	for (size_t i = 0; i < s->nkernels; i++)
		if ((rc = vigil_accel_add_kernel(d, &s->kernels[i])))
			return rc;
	for (size_t i = 0; i < s->nqueues; i++)
		if ((rc = acc_add_queue(d, &s->queues[i])))
			return rc;
	return 0;
}

void vigil_accel_free(struct vigil_accelstat *a)
{
	for (size_t i = 0; i < a->nkernels; i++)
		free(a->kernels[i].name);
	free(a->kernels);
	free(a->queues);
	memset(a, 0, sizeof(*a));
}

static int acc_is_build(int op)
{
	return op == VIGIL_OP_CL_BUILD_PROGRAM || op == VIGIL_OP_CL_COMPILE_PROGRAM || op == VIGIL_OP_CL_LINK_PROGRAM;
}

double vigil_accel_wait_seconds(const struct vigil_opstat *ops)
{
	double s = 0;
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (vigil_op_table[o].layer == VIGIL_LAYER_OPENCL && !acc_is_build(o))
			s += ops[o].seconds;
	return s;
}

double vigil_accel_build_seconds(const struct vigil_opstat *ops)
{
	return ops[VIGIL_OP_CL_BUILD_PROGRAM].seconds + ops[VIGIL_OP_CL_COMPILE_PROGRAM].seconds +
	       ops[VIGIL_OP_CL_LINK_PROGRAM].seconds;
}

static void acc_num(FILE *out, double x)
{
	fprintf(out, "%.9g", isfinite(x) && x > 0 ? x : 0.0);
}

/* Kernels by device time, then launches, then name (the profile's and the API's order). */
int vigil_kernstat_cmp(const void *x, const void *y)
{
	const struct vigil_kernstat *a = x, *b = y;
	if (a->device_seconds != b->device_seconds)
		return a->device_seconds > b->device_seconds ? -1 : 1;
	if (a->launches != b->launches)
		return a->launches > b->launches ? -1 : 1;
	return strcmp(a->name, b->name);
}

void vigil_accel_write_json(FILE *out, const struct vigil_profile *p)
{
	const struct vigil_accelstat *a = &p->accel;
	if (!a->processes)
		return;
	fprintf(out, ",\n  \"accelerator\": {\"api\": \"opencl\", \"processes\": %" PRIu32
	        ", \"profiling\": %" PRIu32 ", \"dropped\": %" PRIu64 ",\n    \"transfers\": {",
	        a->processes, a->profiling, a->dropped);
	for (int k = 0; k < VIGIL_NXFER; k++) {
		const struct vigil_xferstat *x = &a->kind[k];
		fprintf(out, "%s\n      \"%s\": {\"commands\": %" PRIu64 ", \"%s\": %" PRIu64
		        ", \"small\": %" PRIu64 ", \"timed\": %" PRIu64 ", \"device_seconds\": ",
		        k ? "," : "", vigil_xfer_names[k], x->commands,
		        k == VIGIL_XFER_KERNEL ? "work_items" : "bytes", x->bytes, x->small, x->timed);
		acc_num(out, x->device_seconds);
		fputc('}', out);
	}
	fputs("},\n    \"wait_seconds\": ", out);
	acc_num(out, vigil_accel_wait_seconds(p->ops));
	fputs(", \"build_seconds\": ", out);
	acc_num(out, vigil_accel_build_seconds(p->ops));
	fputs(",\n    \"kernels\": [", out);
	struct vigil_kernstat *ks = a->nkernels ? malloc(a->nkernels * sizeof(*ks)) : NULL;
	if (ks) {
		memcpy(ks, a->kernels, a->nkernels * sizeof(*ks));
		qsort(ks, a->nkernels, sizeof(*ks), vigil_kernstat_cmp);
	}
	for (size_t i = 0; ks && i < a->nkernels; i++) {
		fprintf(out, "%s\n      {\"name\": ", i ? "," : "");
		vigil_json_string(out, ks[i].name);
		fprintf(out, ", \"launches\": %" PRIu64 ", \"work_items\": %" PRIu64 ", \"timed\": %" PRIu64
		        ", \"errors\": %" PRIu64 ", \"device_seconds\": ",
		        ks[i].launches, ks[i].work_items, ks[i].timed, ks[i].errors);
		acc_num(out, ks[i].device_seconds);
		fputc('}', out);
	}
	free(ks);
	fprintf(out, "%s],\n    \"queues\": [", a->nkernels ? "\n    " : "");
	for (size_t i = 0; i < a->nqueues; i++) {
		const struct vigil_queuestat *q = &a->queues[i];
		fprintf(out, "%s\n      {\"pid\": %" PRId32 ", \"id\": %" PRIu64 ", \"commands\": %" PRIu64
		        ", \"busy_seconds\": ", i ? "," : "", q->pid, q->id, q->commands);
		acc_num(out, q->busy_seconds);
		fputs(", \"device_seconds\": ", out);
		acc_num(out, q->device_seconds);
		fputc('}', out);
	}
	fprintf(out, "%s]}", a->nqueues ? "\n    " : "");
}
