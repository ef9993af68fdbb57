/*
 * test_live_insights.c - vigild's live insights (src/daemon/insights.c) on a
 * job whose totals the test sets second by second: the window ring, and the
 * Prometheus alert semantics with exact times (window 4 s, for 3 s,
 * keep_firing_for 4 s).  The job writes 2,000 requests of 16 B a second
 * (half of each second in write) for 10 s, then 10 requests of 2 MiB.
 * test_totals: a version 2 process, its shards' totals (random, misaligned,
 * EAGAIN) judged live.
 */
#include <stdlib.h>
#include "daemon/daemon.h"
#include "daemon/insights.h"
#include "check.h"

static void add_writes(struct vd_job *j, uint64_t n, int bucket, uint64_t size)
{
	struct vd_tot *w = &j->tot[VIGIL_OP_WRITE];
	vd_job_mark_op(j, VIGIL_OP_WRITE);
	w->calls += n;
	w->bytes += n * size;
	w->hist[bucket] += n;
	w->seconds += 0.5;
}

/*
 * MPI ranks on this node, rank 0 alone writing 100 MiB a second (a third of
 * its time): single_rank_io is judged only once the node hosts 4 ranks.
 */
static void test_ranks(void)
{
	static struct vd_job j;
	static struct vd_proc p[4];
	static struct vd_raw counted[4][VIGIL_NOPS];
	j.state = VD_J_RUNNING;
	j.first_seen = 2000;
	for (int r = 0; r < 4; r++) {
		p[r].rank = r;
		p[r].state = VD_P_RUNNING;
		p[r].start_real = 2000;
		p[r].tick_seconds = 1e-9;
		p[r].counted = counted[r];
		p[r].next = r < 2 ? &p[r + 1] : NULL; /* ranks 0-2 first */
	}
	j.procs = &p[0];
	vd.jobs = &j;
	for (int t = 2001; t <= 2012; t++) {
		if (t == 2005)
			p[2].next = &p[3]; /* the fourth rank appears */
		counted[0][VIGIL_OP_WRITE].calls += 100;
		counted[0][VIGIL_OP_WRITE].bytes += 100u << 20;
		counted[0][VIGIL_OP_WRITE].ticks += 333333333;
		counted[0][VIGIL_OP_WRITE].hist[21] += 100;
		j.tot[VIGIL_OP_WRITE].calls += 100;
		vd_job_mark_op(&j, VIGIL_OP_WRITE);
		j.tot[VIGIL_OP_WRITE].bytes += 100u << 20;
		j.tot[VIGIL_OP_WRITE].seconds += 0.333333333;
		j.tot[VIGIL_OP_WRITE].hist[21] += 100;
		vd_insights_tick(t);
		const struct vd_ins_rule *s = &vd_insights_job(&j)[VIGIL_RULE_SINGLE_RANK_IO];
		if (t < 2005)
			CHECK(!s->applies);
		else
			CHECK(s->applies);
		/* true from 2005 (4 ranks), firing 3 s later */
		CHECK_INT(s->state, t < 2005 ? VD_INS_OK : t < 2008 ? VD_INS_PENDING : VD_INS_FIRING);
	}
	CHECK_NEAR(vd_insights_job(&j)[VIGIL_RULE_SINGLE_RANK_IO].first_fired, 2008, 0);
	/* A 1 s window (the ring shrinks): tiny writes for 2 s, true for less than `for`: back to ok, its time unchanged */
	const struct vd_ins_rule *sw = &vd_insights_job(&j)[VIGIL_RULE_SMALL_WRITES];
	CHECK_INT(sw->state, VD_INS_OK);
	vd_ins_conf.window = 1;
	for (int t = 2013; t <= 2020; t++) {
		if (t <= 2014)
			add_writes(&j, 2000, 5, 16);
		vd_insights_tick(t);
		CHECK_INT(sw->state, t <= 2014 ? VD_INS_PENDING : VD_INS_OK);
	}
	CHECK_NEAR(sw->since, 0, 0);
	CHECK_INT(sw->firings, 0);
	vd_insights_free(&j);
}

static void add_op(struct vd_job *j, int op, uint64_t n, uint64_t errors, uint64_t size, double secs)
{
	struct vd_tot *w = &j->tot[op];
	vd_job_mark_op(j, op);
	w->calls += n;
	w->errors += errors;
	w->bytes += (n - errors) * size;
	w->hist[vigil_hist_bucket(size)] += n;
	w->seconds += secs;
}

/*
 * A version 2 process: 2,000 preads of 2 MiB a second, 1,500 of them before
 * the end of the previous one on their descriptor and 500 off st_blksize (a
 * quarter of the second in pread), and 1,000 reads of 2 MiB a second failing with
 * EAGAIN (a non-blocking socket).  random_access fires from its totals (a rule
 * the window's op counters cannot judge); io_errors stays ok until, from
 * t = 3010, the failures are no longer EAGAIN.
 */
static void test_totals(void)
{
	static struct vd_job j;
	static struct vd_proc p;
	p.rank = -1;
	p.state = VD_P_RUNNING;
	p.start_real = 3000;
	p.version = 2;
	j.state = VD_J_RUNNING;
	j.first_seen = 3000;
	j.procs = &p;
	vd.jobs = &j;
	vd_ins_conf.window = 4;
	for (int t = 3001; t <= 3016; t++) {
		add_op(&j, VIGIL_OP_PREAD, 2000, 0, 2 << 20, 0.25);
		add_op(&j, VIGIL_OP_READ, 1000, 1000, 2 << 20, 0.001);
		p.ext.positioned_reads += 2000;
		p.ext.nonseq_reads += 1500;
		p.ext.misaligned += 500;
		if (t < 3010)
			p.ext.again_errors += 1000;
		vd_insights_tick(t);
		const struct vd_ins_rule *ra = &vd_insights_job(&j)[VIGIL_RULE_RANDOM_ACCESS];
		const struct vd_ins_rule *er = &vd_insights_job(&j)[VIGIL_RULE_IO_ERRORS];
		const struct vd_ins_rule *mis = &vd_insights_job(&j)[VIGIL_RULE_MISALIGNED_IO];
		CHECK(ra->applies && mis->applies && er->applies);
		CHECK_INT(ra->state, t < 3004 ? VD_INS_PENDING : VD_INS_FIRING);
		/* misaligned: 500 of 2,000 (25 %) in a second, 2,000 of 8,000 in a full window: above 1,000 from 3003 */
		CHECK_INT(mis->state, t < 3003 ? VD_INS_OK : t < 3006 ? VD_INS_PENDING : VD_INS_FIRING);
		/* the window (t-4, t] holds a non-EAGAIN failure from 3010: pending, firing 3 s later */
		CHECK_INT(er->state, t < 3010 ? VD_INS_OK : t < 3013 ? VD_INS_PENDING : VD_INS_FIRING);
	}
	const struct vd_ins_rule *ra = &vd_insights_job(&j)[VIGIL_RULE_RANDOM_ACCESS];
	CHECK_NEAR(ra->first_fired, 3004, 0);
	CHECK_NEAR(ra->peak, 0.75, 1e-12);
	CHECK(strstr(ra->evidence, "6,000 of 8,000 reads at a known offset on regular files are not sequential") != NULL);
	const struct vd_ins_rule *mis = &vd_insights_job(&j)[VIGIL_RULE_MISALIGNED_IO];
	CHECK_NEAR(mis->peak, 0.25, 1e-12);
	CHECK(strstr(mis->evidence, "2,000 of 8,000 requests at a known offset") != NULL);
	/* at 3016 the window's 4,000 failed reads of 12,000 data calls include no EAGAIN */
	const struct vd_ins_rule *er = &vd_insights_job(&j)[VIGIL_RULE_IO_ERRORS];
	CHECK(strstr(er->evidence, "4,000 of 12,000 data and sync calls failed") != NULL);
	CHECK_NEAR(er->first_fired, 3013, 0);
	vd_insights_free(&j);
}

int main(void)
{
	static struct vd_job j;
	static struct vd_proc p;
	vigil_insights_conf_default(&vd_ins_conf);
	vd_ins_conf.window = 4;
	vd_ins_conf.for_seconds = 3;
	vd_ins_conf.keep_firing_for = 4;
	p.rank = -1;
	p.state = VD_P_RUNNING;
	p.start_real = 1000;
	j.state = VD_J_RUNNING;
	j.first_seen = 1000;
	j.procs = &p;
	vd.jobs = &j;
	const struct vd_ins_rule *sw = NULL;
	int rule;
	for (int t = 1001; t <= 1030; t++) {
		if (t <= 1010)
			add_writes(&j, 2000, 5, 16);     /* 16-31 B */
		else
			add_writes(&j, 10, 22, 2 << 20); /* 2-4 MiB */
		vd_insights_tick(t);
		sw = &vd_insights_job(&j)[VIGIL_RULE_SMALL_WRITES];
		int level = vd_insights_worst(&j, &rule);
		if (t < 1004) {
			CHECK_INT(sw->state, VD_INS_PENDING); /* true from the first second, not yet for 3 s */
			CHECK_INT(level, 0);
		} else if (t < 1017) {
			/* the window (t-4, t] holds a tiny second until t = 1013; firing until 4 s after that */
			CHECK_INT(sw->state, VD_INS_FIRING);
			CHECK_INT(level, VIGIL_SEV_WARNING);
			CHECK_INT(rule, VIGIL_RULE_SMALL_WRITES);
		} else {
			CHECK_INT(sw->state, VD_INS_RESOLVED);
			CHECK_INT(level, VIGIL_SEV_INFO); /* half of every second in write: io_dominant (info) */
			CHECK_INT(rule, VIGIL_RULE_IO_DOMINANT);
		}
	}
	CHECK(sw->applies);
	CHECK_NEAR(sw->first_fired, 1004, 0);
	CHECK_NEAR(sw->last_true, 1013, 0);
	CHECK_NEAR(sw->since, 1017, 0);
	CHECK_NEAR(sw->active_seconds, 13, 1e-9);
	CHECK_INT(sw->firings, 1);
	CHECK_NEAR(sw->peak, 1, 0);              /* every write of the first windows is small */
	CHECK_NEAR(sw->threshold, 0.10, 0);
	CHECK(strstr(sw->evidence, "8,000 of 8,000 writes") != NULL);
	/* MPI rules do not apply to a job without ranks; nor random_access to one without the shards' totals (v1). */
	CHECK(!vd_insights_job(&j)[VIGIL_RULE_MPI_LOAD_IMBALANCE].applies);
	CHECK(!vd_insights_job(&j)[VIGIL_RULE_RANDOM_ACCESS].applies);
	CHECK(vd_insights_job(&j)[VIGIL_RULE_IO_ERRORS].applies);
	vd_insights_free(&j);
	CHECK(j.ins == NULL);
	test_ranks();
	test_totals();
	CHECK_DONE();
}
