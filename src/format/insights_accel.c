/* insights_accel.c - the accelerator rules (OpenCL): transfer_bound, small_transfers, host_waits. */
#include <stdio.h>
#include "format/insights_int.h"

static int ins_is_h2d_d2h(int op)
{
	return op == VIGIL_OP_CL_READ_BUFFER || op == VIGIL_OP_CL_WRITE_BUFFER || op == VIGIL_OP_CL_READ_BUFFER_RECT ||
	       op == VIGIL_OP_CL_WRITE_BUFFER_RECT || op == VIGIL_OP_CL_READ_IMAGE || op == VIGIL_OP_CL_WRITE_IMAGE;
}

static int ins_used_opencl(const struct vigil_insight_input *in)
{
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (vigil_op_table[o].layer == VIGIL_LAYER_OPENCL && in->ops[o].calls)
			return 1;
	return 0;
}

/* Transfer device time (host<->device and device copies) vs kernel device time and the process time. */
void ins_transfer_bound(struct ins_ctx *x)
{
	const struct vigil_accelstat *a = x->in->accel;
	if (!ins_used_opencl(x->in))
		return; /* no accelerator: nothing to say */
	if (!a || !a->profiling) {
		ins_not_evaluated(x, VIGIL_RULE_TRANSFER_BOUND); /* device times unknown */
		return;
	}
	double xfer = a->kind[VIGIL_XFER_H2D].device_seconds + a->kind[VIGIL_XFER_D2H].device_seconds +
	              a->kind[VIGIL_XFER_D2D].device_seconds;
	double kern = a->kind[VIGIL_XFER_KERNEL].device_seconds;
	double ratio = x->proc_seconds > 0 ? xfer / x->proc_seconds : 0;
	double th = ins_p(x, VIGIL_RP_TRANSFER_BOUND_min_time_share);
	if (!(ratio >= th && xfer >= kern))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	ins_secs(ins_var(&v, "xfer"), 96, xfer);
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_secs(ins_var(&v, "kernels"), 96, kern);
	snprintf(ev, sizeof(ev), "transfers %s of device time (%s of the process time), kernels %s", v.val[0],
	         v.val[1], v.val[2]);
	ins_fire(x, VIGIL_RULE_TRANSFER_BOUND, ratio, th, 0, 0, ev, &v);
}

void ins_small_transfers(struct ins_ctx *x)
{
	const struct vigil_insight_input *in = x->in;
	int last = ins_small_last(ins_p(x, VIGIL_RP_SMALL_TRANSFERS_small_bytes));
	double total = 0, small = 0;
	for (int o = 0; o < VIGIL_NOPS; o++) {
		if (!ins_is_h2d_d2h(o))
			continue;
		total += (double)in->ops[o].calls;
		for (int b = 0; b <= last; b++)
			small += (double)in->ops[o].hist[b];
	}
	double ratio = total > 0 ? small / total : 0, th = ins_p(x, VIGIL_RP_SMALL_TRANSFERS_min_ratio);
	if (!(ratio > th && small > ins_p(x, VIGIL_RP_SMALL_TRANSFERS_min_count)))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT];
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	ins_count(ins_var(&v, "total"), 96, total);
	ins_bytes(ins_var(&v, "small"), 96, ins_p(x, VIGIL_RP_SMALL_TRANSFERS_small_bytes));
	snprintf(ev, sizeof(ev), "%s of %s host-device transfers under %s", v.val[0], v.val[1], v.val[2]);
	ins_fire(x, VIGIL_RULE_SMALL_TRANSFERS, ratio, th, 0, 0, ev, &v);
}

void ins_host_waits(struct ins_ctx *x)
{
	double wait = vigil_accel_wait_seconds(x->in->ops);
	double ratio = x->proc_seconds > 0 ? wait / x->proc_seconds : 0, th = ins_p(x, VIGIL_RP_HOST_WAITS_min_ratio);
	if (!(ratio >= th))
		return;
	struct ins_vars v = { 0 };
	char ev[VIGIL_INSIGHT_TEXT], s[32];
	ins_secs(ins_var(&v, "secs"), 96, wait);
	ins_pct(ins_var(&v, "pct"), 96, ratio);
	snprintf(ev, sizeof(ev), "%s blocked in OpenCL waits in %s of process time (%s)", v.val[0],
	         ins_secs(s, sizeof(s), x->proc_seconds), v.val[1]);
	ins_fire(x, VIGIL_RULE_HOST_WAITS, ratio, th, 0, 0, ev, &v);
}
