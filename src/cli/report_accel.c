/*
 * report_accel.c - the report's accelerator section (OpenCL): transfers by
 * direction, kernels by device time, host time waiting and building.
 * From the profile's "accelerator" section (docs/PROFILE.md); nothing when
 * the job used no OpenCL.
 */
#include <stdio.h>
#include <stdlib.h>
#include "cli/report_util.h"

static const char *const ra_labels[VIGIL_NXFER] = {
	"host -> device", "device -> host", "device -> device", "fill", "mapped", "kernels", "other",
};

void rep_accel_text(FILE *out, const struct vigil_profile *p, size_t top)
{
	const struct vigil_accelstat *a = &p->accel;
	if (!a->processes)
		return;
	char c1[48], c2[48], c3[48], c4[48], c5[48];
	fprintf(out, "\nAccelerator (OpenCL: %u process%s, device timing %s)\n", a->processes,
	        a->processes == 1 ? "" : "es", a->profiling ? "on" : "off");
	const char *h[] = { "", "commands", "bytes", "under 64 KiB", "device time" };
	struct rep_table t;
	rep_table_init(&t, 5, h, "lrrrr");
	for (int k = 0; k < VIGIL_NXFER; k++) {
		const struct vigil_xferstat *x = &a->kind[k];
		if (!x->commands || k == VIGIL_XFER_KERNEL)
			continue;
		rep_table_add(&t, ra_labels[k], rep_count(c1, 48, (double)x->commands), rep_bytes(c2, 48, (double)x->bytes),
		              rep_count(c3, 48, (double)x->small), x->timed ? rep_secs(c4, 48, x->device_seconds) : "-");
	}
	rep_table_print(&t, out, "  ");
	rep_table_free(&t);
	fprintf(out, "  host time waiting %s, building programs %s",
	        rep_secs(c1, 48, vigil_accel_wait_seconds(p->ops)), rep_secs(c2, 48, vigil_accel_build_seconds(p->ops)));
	if (a->dropped)
		fprintf(out, "; %s commands not timed", rep_count(c3, 48, (double)a->dropped));
	fputc('\n', out);
	if (!a->nkernels)
		return;
	/* kernels by device time (the profile writes them sorted; a merged one may not be) */
	size_t n = a->nkernels, m = 0;
	size_t *order = malloc(n * sizeof(*order));
	if (!order)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t j = m++;
		while (j > 0 && a->kernels[order[j - 1]].device_seconds < a->kernels[i].device_seconds) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	fprintf(out, "\nKernels by device time (%zu of %zu)\n", m < top ? m : top, n);
	const char *hk[] = { "kernel", "launches", "work items", "device time", "mean" };
	rep_table_init(&t, 5, hk, "lrrrr");
	for (size_t i = 0; i < m && i < top; i++) {
		const struct vigil_kernstat *k = &a->kernels[order[i]];
		char name[256];
		rep_term(name, sizeof(name), k->name);
		rep_table_add(&t, name, rep_count(c1, 48, (double)k->launches), rep_count(c2, 48, (double)k->work_items),
		              k->timed ? rep_secs(c3, 48, k->device_seconds) : "-",
		              k->timed ? rep_secs(c5, 48, k->device_seconds / (double)k->timed) : "-");
	}
	rep_table_print(&t, out, "  ");
	rep_table_free(&t);
	free(order);
}
