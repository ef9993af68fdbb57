/*
 * test_insights.c - the rules engine: insights.conf parsing (defaults, every
 * kind of setting, one sentence naming the line for each kind of mistake),
 * and the evaluator on hand-built counter sums whose expected verdicts follow
 * from the formulas in docs/INSIGHTS.md (fires / near miss / not evaluated).
 */
#include <errno.h>
#include <stdlib.h>
#include "format/insights.h"
#include "format/profile.h"
#include "check.h"

static int parse(struct vigil_insights_conf *c, const char *text, char *err, size_t len)
{
	vigil_insights_conf_default(c);
	return vigil_insights_conf_parse(c, text, strlen(text), "t.conf", err, len);
}

static void test_conf(void)
{
	struct vigil_insights_conf c;
	char err[512];
	vigil_insights_conf_default(&c);
	CHECK_NEAR(c.param[VIGIL_RP_SMALL_WRITES_min_ratio], 0.10, 0);
	CHECK_NEAR(c.param[VIGIL_RP_SMALL_WRITES_small_bytes], 1048576, 0);
	CHECK_INT(c.severity[VIGIL_RULE_METADATA_STORM], VIGIL_SEV_CRITICAL);
	CHECK_INT(c.severity[VIGIL_RULE_IO_DOMINANT], VIGIL_SEV_INFO);
	CHECK_INT(c.enabled[VIGIL_RULE_SMALL_READS], 1);
	CHECK_NEAR(c.for_seconds, 30, 0);
	CHECK_STR(vigil_rule_table[VIGIL_RULE_NO_COLLECTIVE_MPIIO].id, "no_collective_mpiio");
	CHECK_INT(vigil_rule_lookup("mpi_wait_dominant"), VIGIL_RULE_MPI_WAIT_DOMINANT);
	CHECK_INT(vigil_rule_lookup("nope"), -1);

	CHECK_INT(parse(&c, "# comment\n\n small_writes.min_ratio = 0.5 # why\r\nsmall_writes.severity=critical\n"
	                "io_dominant.enabled = false\nfor = 5\nkeep_firing_for=7.5\nwindow = 10\n", err, sizeof(err)), 0);
	CHECK_NEAR(c.param[VIGIL_RP_SMALL_WRITES_min_ratio], 0.5, 0);
	CHECK_INT(c.severity[VIGIL_RULE_SMALL_WRITES], VIGIL_SEV_CRITICAL);
	CHECK_INT(c.enabled[VIGIL_RULE_IO_DOMINANT], 0);
	CHECK_NEAR(c.for_seconds, 5, 0);
	CHECK_NEAR(c.keep_firing_for, 7.5, 0);
	CHECK_NEAR(c.window, 10, 0);

	static const struct { const char *text, *msg; } bad[] = {
		{ "\nfoo.min_ratio = 1\n", "t.conf line 2: unknown rule 'foo'." },
		{ "small_writes.bogus = 1\n", "t.conf line 1: rule small_writes has no setting 'bogus' (see docs/INSIGHTS.md)." },
		{ "small_writes.min_ratio = lots\n", "t.conf line 1: small_writes.min_ratio must be a non-negative number, not 'lots'." },
		{ "small_writes.min_ratio = -1\n", "t.conf line 1: small_writes.min_ratio must be a non-negative number, not '-1'." },
		{ "a\n#\nsmall_writes.min_ratio\n", "t.conf line 1: expected 'SETTING = VALUE', not 'a'." },
		{ "small_writes.severity = ok\n", "t.conf line 1: small_writes.severity must be info, warning or critical, not 'ok'." },
		{ "small_writes.enabled = maybe\n", "t.conf line 1: small_writes.enabled must be true or false, not 'maybe'." },
		{ "for = 1e9\n", "t.conf line 1: for must be a number of seconds from 0 to 86400, not '1e9'." },
		{ "ratio = 1\n", "t.conf line 1: unknown setting 'ratio' (expected RULE.SETTING, window, for or keep_firing_for)." },
		{ "small_writes.min_ratio =\n", "t.conf line 1: expected 'SETTING = VALUE'." },
		{ "small_writes.min_ratio = nan\n", "t.conf line 1: small_writes.min_ratio must be a non-negative number, not 'nan'." },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		CHECK_INT(parse(&c, bad[i].text, err, sizeof(err)), -EINVAL);
		CHECK_STR(err, bad[i].msg);
	}
	/* a NUL byte inside a line */
	vigil_insights_conf_default(&c);
	CHECK_INT(vigil_insights_conf_parse(&c, "for = 1\nfo\0r = 2\n", 17, "t.conf", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "t.conf line 2: a NUL byte.");
	/* a missing explicit file is an error; a missing default file means the defaults */
	CHECK_INT(vigil_insights_conf_load(&c, "/nonexistent/insights.conf", err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "cannot read the insights configuration /nonexistent/insights.conf: No such file or directory.");
}

/* ---- a hand-built job ------------------------------------------------------------ */

struct job {
	struct vigil_profile p;
};

static void job_init(struct job *j, double seconds)
{
	vigil_profile_init(&j->p);
	j->p.start = 1000;
	j->p.end = 1000 + seconds;
}

static struct vigil_procstat *job_proc(struct job *j, int rank, double seconds)
{
	struct vigil_profile *p = &j->p;
	p->procs = realloc(p->procs, (p->nprocs + 1) * sizeof(*p->procs));
	struct vigil_procstat *ps = &p->procs[p->nprocs++];
	memset(ps, 0, sizeof(*ps));
	ps->rank = rank;
	ps->nranks = rank >= 0 ? 4 : 0; /* an MPI rank: it called MPI_Init */
	ps->start = p->start;
	ps->end = p->start + seconds;
	ps->host = strdup("h");
	ps->exe = strdup("x");
	ps->command = strdup("x");
	return ps;
}

/* `calls` requests of `size` bytes taking `secs`, in the job's and process's totals. */
static void job_op(struct job *j, struct vigil_procstat *ps, int op, uint64_t calls, uint64_t size, double secs)
{
	struct vigil_opstat s = { 0 };
	s.calls = calls;
	s.bytes = calls * size;
	s.seconds = secs;
	s.hist[vigil_hist_bucket(size)] = calls;
	vigil_opstat_add(&j->p.ops[op], &s);
	if (ps)
		vigil_opstat_add(&ps->ops[op], &s);
}

static struct vigil_filestat *job_file(struct job *j, const char *path, int kind, int layer)
{
	struct vigil_profile *p = &j->p;
	p->files = realloc(p->files, (p->nfiles + 1) * sizeof(*p->files));
	struct vigil_filestat *f = &p->files[p->nfiles++];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	f->kind = kind;
	f->layer = layer;
	f->processes = 1;
	return f;
}

static int judge(struct job *j, const struct vigil_insights_conf *c)
{
	struct vigil_insights_conf d;
	if (!c) {
		vigil_insights_conf_default(&d);
		c = &d;
	}
	CHECK_INT(vigil_insights_judge_profile(&j->p, c), 0);
	return 0;
}

static int fired(const struct job *j, int rule)
{
	return j->p.insights.f[rule].state == VIGIL_FINDING_FIRED;
}

/* n writes of size bytes to one regular file (file-per-process), in `secs` of a 1 s process. */
static void small_writes_job(struct job *j, uint64_t n, uint64_t size, double secs, int kind)
{
	job_init(j, 1);
	struct vigil_procstat *ps = job_proc(j, -1, 1);
	job_op(j, ps, VIGIL_OP_WRITE, n, size, secs);
	struct vigil_filestat *f = job_file(j, kind == VIGIL_FILE_REGULAR ? "/d/out" : "<stdout>", kind, VIGIL_FLAYER_POSIX);
	f->writes = n;
	f->bytes_written = n * size;
	f->seconds = secs;
	f->seq_writes = n - 1;
	f->first_access = 1000.25;
	f->last_access = 1000.75;
}

static void test_small_writes(void)
{
	struct job j;
	small_writes_job(&j, 1500, 16, 0.1, VIGIL_FILE_REGULAR);
	judge(&j, NULL);
	CHECK(fired(&j, VIGIL_RULE_SMALL_WRITES));
	const struct vigil_finding *f = &j.p.insights.f[VIGIL_RULE_SMALL_WRITES];
	CHECK_NEAR(f->value, 1.0, 0);
	CHECK_NEAR(f->threshold, 0.10, 0);
	CHECK_INT(f->severity, VIGIL_SEV_WARNING);
	CHECK_NEAR(f->first_fired, 1000.25, 0);
	CHECK_NEAR(f->active_seconds, 0.5, 1e-12);
	CHECK_STR(f->fix, "100 % of your 1,500 writes to regular files are under 1 MiB (median size 16–31 B). Buffer "
	          "them into requests of 1 MiB or more (collect records in memory, setvbuf with a large buffer, or "
	          "MPI_File_write_all so aggregators issue large requests).");
	CHECK_STR(f->evidence, "1,500 of 1,500 writes on regular files are under 1 MiB (median 16–31 B); they take "
	          "10 % of the process time; top files: /d/out (1,500 writes)");
	CHECK(!fired(&j, VIGIL_RULE_SMALL_READS));
	CHECK_INT(j.p.insights.f[VIGIL_RULE_MISALIGNED_IO].state, VIGIL_FINDING_NOT_EVALUATED);
	/* deterministic */
	struct vigil_finding again[VIGIL_NRULES];
	memcpy(again, j.p.insights.f, sizeof(again));
	judge(&j, NULL);
	CHECK(memcmp(again, j.p.insights.f, sizeof(again)) == 0);
	/* re-judged with another configuration */
	struct vigil_insights_conf c;
	char err[256];
	CHECK_INT(parse(&c, "small_writes.severity = critical\n", err, sizeof(err)), 0);
	judge(&j, &c);
	CHECK_INT(j.p.insights.f[VIGIL_RULE_SMALL_WRITES].severity, VIGIL_SEV_CRITICAL);
	CHECK_INT(parse(&c, "small_writes.min_count = 1500\n", err, sizeof(err)), 0);
	judge(&j, &c);
	CHECK(!fired(&j, VIGIL_RULE_SMALL_WRITES));
	CHECK_INT(parse(&c, "small_writes.enabled = false\n", err, sizeof(err)), 0);
	judge(&j, &c);
	CHECK_INT(j.p.insights.f[VIGIL_RULE_SMALL_WRITES].state, VIGIL_FINDING_NONE);
	vigil_profile_free(&j.p);

	/* near misses: 2 MiB writes; 1,000 writes (not more than 1,000); 4 % of the time; the terminal */
	small_writes_job(&j, 1500, 2 << 20, 0.1, VIGIL_FILE_REGULAR);
	judge(&j, NULL);
	CHECK(!fired(&j, VIGIL_RULE_SMALL_WRITES));
	vigil_profile_free(&j.p);
	small_writes_job(&j, 1000, 16, 0.1, VIGIL_FILE_REGULAR);
	judge(&j, NULL);
	CHECK(!fired(&j, VIGIL_RULE_SMALL_WRITES));
	vigil_profile_free(&j.p);
	small_writes_job(&j, 1500, 16, 0.04, VIGIL_FILE_REGULAR);
	judge(&j, NULL);
	CHECK(!fired(&j, VIGIL_RULE_SMALL_WRITES));
	vigil_profile_free(&j.p);
	small_writes_job(&j, 1500, 16, 0.1, VIGIL_FILE_STDOUT);
	judge(&j, NULL);
	CHECK(!fired(&j, VIGIL_RULE_SMALL_WRITES));
	vigil_profile_free(&j.p);

	/* no processes (lifetimes unknown): not evaluated, never ok */
	small_writes_job(&j, 1500, 16, 0.1, VIGIL_FILE_REGULAR);
	j.p.nprocs = 0;
	judge(&j, NULL);
	CHECK_INT(j.p.insights.f[VIGIL_RULE_SMALL_WRITES].state, VIGIL_FINDING_NOT_EVALUATED);
	j.p.nprocs = 1;
	vigil_profile_free(&j.p);
}

/* 4 ranks of 10 s; rank `late` computes 8 s and spends 1 s in the barrier, the others wait 8.5 s there. */
static void barrier_job(struct job *j, int late)
{
	job_init(j, 10);
	for (int r = 0; r < 4; r++) {
		struct vigil_procstat *ps = job_proc(j, r, 10);
		job_op(j, ps, VIGIL_OP_MPI_BARRIER, 10, 0, r == late ? 1.0 : 8.5);
	}
}

static void test_mpi(void)
{
	struct job j;
	barrier_job(&j, 2);
	judge(&j, NULL);
	CHECK(fired(&j, VIGIL_RULE_MPI_WAIT_DOMINANT));
	CHECK(fired(&j, VIGIL_RULE_MPI_LOAD_IMBALANCE));
	const struct vigil_finding *f = &j.p.insights.f[VIGIL_RULE_MPI_WAIT_DOMINANT];
	CHECK(strstr(f->fix, "rank 2 (the least time in MPI_Barrier)") != NULL);
	CHECK_NEAR(f->value, (1.0 + 3 * 8.5) / 40, 1e-12);
	/* load balance: useful 9, 1.5, 1.5, 1.5 -> mean 3.375 / max 9 */
	CHECK_NEAR(j.p.insights.f[VIGIL_RULE_MPI_LOAD_IMBALANCE].value, 3.375 / 9, 1e-12);
	vigil_profile_free(&j.p);

	/* rank 0 writes 1 GiB through POSIX to its own file in 2 s of 10 s; 3 ranks idle */
	job_init(&j, 10);
	for (int r = 0; r < 4; r++) {
		struct vigil_procstat *ps = job_proc(&j, r, 10);
		if (r == 0)
			job_op(&j, ps, VIGIL_OP_WRITE, 256, 4 << 20, 2.0);
	}
	struct vigil_filestat *fs = job_file(&j, "/d/out", VIGIL_FILE_REGULAR, VIGIL_FLAYER_POSIX);
	fs->writes = 256;
	fs->bytes_written = 256ull << 22;
	fs->seconds = 2.0;
	judge(&j, NULL);
	CHECK(fired(&j, VIGIL_RULE_SINGLE_RANK_IO));
	CHECK(!fired(&j, VIGIL_RULE_IO_IMBALANCE)); /* one rank doing I/O: single_rank_io says it */
	CHECK(strstr(j.p.insights.f[VIGIL_RULE_SINGLE_RANK_IO].evidence, "rank 0 of 4 moved 100 %") != NULL);
	vigil_profile_free(&j.p);

	/* independent MPI-IO: 1,001 calls fire, a single collective call clears it */
	job_init(&j, 10);
	struct vigil_procstat *ps = job_proc(&j, 0, 10);
	job_op(&j, ps, VIGIL_OP_MPI_FILE_WRITE_AT, 1001, 100, 0.01);
	judge(&j, NULL);
	CHECK(fired(&j, VIGIL_RULE_NO_COLLECTIVE_MPIIO));
	job_op(&j, ps, VIGIL_OP_MPI_FILE_WRITE_AT_ALL, 1, 100, 0.01);
	judge(&j, NULL);
	CHECK(!fired(&j, VIGIL_RULE_NO_COLLECTIVE_MPIIO));
	vigil_profile_free(&j.p);
}

static void test_order_and_json(void)
{
	struct job j;
	small_writes_job(&j, 1500, 16, 0.9, VIGIL_FILE_REGULAR);
	judge(&j, NULL);
	int idx[VIGIL_NRULES], n = vigil_insights_order(&j.p.insights, idx);
	CHECK_INT(n, 2);
	CHECK_INT(idx[0], VIGIL_RULE_SMALL_WRITES); /* warning before info */
	CHECK_INT(idx[1], VIGIL_RULE_IO_DOMINANT);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	vigil_insights_write_json(m, &j.p.insights);
	fclose(m);
	CHECK(strstr(buf, "{\"rule\": \"small_writes\", \"severity\": \"warning\", \"category\": \"io\"") != NULL);
	CHECK(strstr(buf, "\"insights_not_evaluated\": [\"misaligned_io\"]") != NULL);
	CHECK(strstr(buf, "\"small_writes\": {\"enabled\": true, \"severity\": \"warning\", \"min_ratio\": 0.1, "
	                  "\"small_bytes\": 1048576, \"min_count\": 1000, \"min_time_share\": 0.05}") != NULL);
	free(buf);
	vigil_profile_free(&j.p);
}

/* OpenCL waits and transfers are no I/O: io_dominant, io_errors and metadata rules ignore them. */
static void test_opencl_not_io(void)
{
	struct job j;
	job_init(&j, 10);
	struct vigil_procstat *ps = job_proc(&j, -1, 10);
	job_op(&j, ps, VIGIL_OP_CL_FINISH, 100, 0, 8.0);         /* 80 % of the process blocked in clFinish */
	job_op(&j, ps, VIGIL_OP_CL_READ_BUFFER, 5000, 4096, 1.0); /* blocking reads */
	j.p.ops[VIGIL_OP_CL_WRITE_BUFFER].calls = 200;
	j.p.ops[VIGIL_OP_CL_WRITE_BUFFER].errors = 200;           /* failing enqueues are no I/O errors */
	judge(&j, NULL);
	CHECK(!fired(&j, VIGIL_RULE_IO_DOMINANT));
	CHECK(!fired(&j, VIGIL_RULE_IO_ERRORS));
	CHECK(!fired(&j, VIGIL_RULE_METADATA_HEAVY));
	/* the same seconds in POSIX reads do fire io_dominant (the test can fail) */
	job_op(&j, ps, VIGIL_OP_READ, 100, 4096, 8.0);
	job_file(&j, "/data/in", VIGIL_FILE_REGULAR, VIGIL_FLAYER_POSIX)->seconds = 8.0;
	judge(&j, NULL);
	CHECK(fired(&j, VIGIL_RULE_IO_DOMINANT));
	vigil_profile_free(&j.p);
}

/* transfer_bound, small_transfers, host_waits: fire, near miss, not evaluated (docs/INSIGHTS.md). */
static void test_accelerator(void)
{
	struct job j;
	/* no OpenCL at all: the three are judged and hold */
	job_init(&j, 10);
	struct vigil_procstat *ps = job_proc(&j, -1, 10);
	job_op(&j, ps, VIGIL_OP_READ, 10, 4096, 0.1);
	judge(&j, NULL);
	CHECK_INT(j.p.insights.f[VIGIL_RULE_TRANSFER_BOUND].state, VIGIL_FINDING_NONE);
	CHECK_INT(j.p.insights.f[VIGIL_RULE_HOST_WAITS].state, VIGIL_FINDING_NONE);
	vigil_profile_free(&j.p);

	job_init(&j, 10);
	ps = job_proc(&j, -1, 10);
	job_op(&j, ps, VIGIL_OP_CL_FINISH, 10, 0, 6.0);            /* 60 % waiting */
	job_op(&j, ps, VIGIL_OP_CL_WRITE_BUFFER, 2000, 4096, 0);   /* 2000 small transfers */
	job_op(&j, ps, VIGIL_OP_CL_READ_BUFFER, 10, 1 << 20, 0);
	/* device times unknown (timing off): transfer_bound is not evaluated, the others are */
	judge(&j, NULL);
	CHECK_INT(j.p.insights.f[VIGIL_RULE_TRANSFER_BOUND].state, VIGIL_FINDING_NOT_EVALUATED);
	CHECK(fired(&j, VIGIL_RULE_HOST_WAITS));
	CHECK_NEAR(j.p.insights.f[VIGIL_RULE_HOST_WAITS].value, 0.6, 1e-9);
	CHECK(fired(&j, VIGIL_RULE_SMALL_TRANSFERS));
	CHECK_NEAR(j.p.insights.f[VIGIL_RULE_SMALL_TRANSFERS].value, 2000.0 / 2010, 1e-9);
	j.p.accel.processes = j.p.accel.profiling = 1;
	j.p.accel.kind[VIGIL_XFER_H2D].device_seconds = 1.5;
	j.p.accel.kind[VIGIL_XFER_D2H].device_seconds = 0.5;
	j.p.accel.kind[VIGIL_XFER_KERNEL].device_seconds = 1.0;
	judge(&j, NULL);
	CHECK(fired(&j, VIGIL_RULE_TRANSFER_BOUND));
	CHECK_NEAR(j.p.insights.f[VIGIL_RULE_TRANSFER_BOUND].value, 0.2, 1e-9);
	/* near misses: kernels longer than transfers; waits under half; too few small transfers */
	j.p.accel.kind[VIGIL_XFER_KERNEL].device_seconds = 2.5;
	j.p.ops[VIGIL_OP_CL_FINISH].seconds = 4.0;
	j.p.procs[0].ops[VIGIL_OP_CL_FINISH].seconds = 4.0;
	j.p.ops[VIGIL_OP_CL_WRITE_BUFFER].hist[vigil_hist_bucket(4096)] = 900;
	judge(&j, NULL);
	CHECK(!fired(&j, VIGIL_RULE_TRANSFER_BOUND));
	CHECK(!fired(&j, VIGIL_RULE_HOST_WAITS));
	CHECK(!fired(&j, VIGIL_RULE_SMALL_TRANSFERS));
	vigil_profile_free(&j.p);
}

int main(void)
{
	test_opencl_not_io();
	test_accelerator();
	test_conf();
	test_small_writes();
	test_mpi();
	test_order_and_json();
	CHECK_DONE();
}
