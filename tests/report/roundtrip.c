/*
 * roundtrip.c - a profile model written by libvigilformat's JSON writer reads
 * back field for field through vigil_profile_load: the writer and the reader
 * agree on docs/PROFILE.md.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/profile_read.h"

static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* Writers print reals with 15 significant digits and times with 6 decimals. */
static int rt_near(double a, double b)
{
	return a == b || fabs(a - b) <= 1e-6 + 1e-13 * fmax(fabs(a), fabs(b));
}

static void rt_ops_equal(const struct vigil_opstat *a, const struct vigil_opstat *b, const char *where)
{
	for (int i = 0; i < VIGIL_NOPS; i++) {
		CHECK(a[i].calls == b[i].calls && a[i].errors == b[i].errors && a[i].bytes == b[i].bytes,
		      "%s op %s counts", where, vigil_op_table[i].name);
		CHECK(rt_near(a[i].seconds, b[i].seconds), "%s op %s seconds %.17g != %.17g", where, vigil_op_table[i].name,
		      a[i].seconds, b[i].seconds);
		CHECK(!memcmp(a[i].hist, b[i].hist, sizeof(a[i].hist)), "%s op %s histogram", where, vigil_op_table[i].name);
	}
}

static void rt_fill(struct vigil_profile *p)
{
	vigil_profile_init(p);
	vigil_profile_set_str(&p->job_id, "rt-42");
	vigil_profile_set_str(&p->step, "3");
	vigil_profile_set_str(&p->user, "bob");
	vigil_profile_set_str(&p->command, "mpirun -n 2 ./app \"quoted\" \x01ctl <b>");
	vigil_profile_set_str(&p->generator, "vigil-mpi 0.1.0");
	p->uid = 4321;
	p->start = 1763712000.125;
	p->end = 1763712010.5;
	p->hosts = calloc(2, sizeof(char *));
	p->hosts[0] = strdup("n1");
	p->hosts[1] = strdup("n2");
	p->nhosts = 2;
	p->nprocs = p->procs_cap = 2;
	p->procs = calloc(2, sizeof(*p->procs));
	for (int r = 0; r < 2; r++) {
		struct vigil_procstat *q = &p->procs[r];
		q->pid = 100 + r;
		q->ppid = 99;
		q->rank = r;
		q->uid = 4321;
		q->host = strdup(r ? "n2" : "n1");
		q->exe = strdup("/bin/app");
		q->command = strdup("./app");
		q->start = p->start;
		q->end = r ? 0 : p->end;
		q->state = r ? VIGIL_PROC_RUNNING : VIGIL_PROC_EXITED;
		q->exit_status = r ? -1 : 0;
		for (int op = 0; op < VIGIL_NOPS; op += 3 + r) {
			q->ops[op].calls = (uint64_t)(op + 1) * 7 + (uint64_t)r;
			q->ops[op].errors = (uint64_t)r;
			q->ops[op].bytes = vigil_op_table[op].dir ? (uint64_t)(op + 1) << 20 : 0;
			q->ops[op].seconds = 0.001 * (op + 1) + r * 0.25;
			q->ops[op].hist[vigil_hist_bucket(q->ops[op].bytes)] = q->ops[op].calls;
		}
		for (int op = 0; op < VIGIL_NOPS; op++)
			vigil_opstat_add(&p->ops[op], &q->ops[op]);
	}
	p->survivors = 1;
	p->flags = VIGIL_FLAG_FILE_OVERFLOW | VIGIL_PFLAG_REJECTED;
	p->nfiles = p->files_cap = 3;
	p->files = calloc(3, sizeof(*p->files));
	static const char *paths[] = { "/data/in.dat", "<stdout>", "<other files>" };
	static const int kinds[] = { VIGIL_FILE_REGULAR, VIGIL_FILE_STDOUT, VIGIL_FILE_OVERFLOW };
	for (int i = 0; i < 3; i++) {
		struct vigil_filestat *f = &p->files[i];
		f->path = strdup(paths[i]);
		f->kind = kinds[i];
		f->layer = i == 1 ? VIGIL_FLAYER_STDIO : VIGIL_FLAYER_POSIX;
		f->reads = 10u + (unsigned)i;
		f->writes = 20;
		f->bytes_read = 1000;
		f->bytes_written = 123456789012ull;
		f->meta_ops = 3;
		f->seq_reads = 9;
		f->seq_writes = 19;
		f->consec_reads = 8;
		f->consec_writes = 18;
		f->max_offset = 1ull << 40;
		f->seconds = 1.5;
		f->first_access = p->start + 1;
		f->last_access = p->start + 2;
		f->processes = 2;
		f->nranks = 2;
		f->rank_min = 0;
		f->rank_max = 1;
	}
	p->timeline.start = p->start;
	p->timeline.bin_seconds = 0.25;
	for (int i = 0; i < VIGIL_TL_BINS; i++) {
		p->timeline.bin[i][VIGIL_LAYER_POSIX].ops = i * 1.5;
		p->timeline.bin[i][VIGIL_LAYER_POSIX].bytes_read = i * 4096.0;
		p->timeline.bin[i][VIGIL_LAYER_POSIX].bytes_written = i * 100.25;
		p->timeline.bin[i][VIGIL_LAYER_POSIX].seconds = i * 0.001;
		p->timeline.bin[i][VIGIL_LAYER_MPI].ops = 2;
	}
}

int main(void)
{
	struct vigil_profile a, b;
	char path[] = "/tmp/vigil-roundtrip-XXXXXX", err[512];
	int fd = mkstemp(path);
	if (fd < 0)
		return 2;
	FILE *f = fdopen(fd, "w");
	rt_fill(&a);
	CHECK(vigil_profile_write_json(&a, f) == 0, "write_json failed");
	fclose(f);
	int rc = vigil_profile_load(path, &b, err, sizeof(err));
	CHECK(rc == 0, "load failed: %s", err);
	if (rc == 0) {
		CHECK(!strcmp(a.job_id, b.job_id) && !strcmp(a.step, b.step) && !strcmp(a.user, b.user), "job strings");
		CHECK(!strcmp(a.command, b.command), "command %s", b.command);
		CHECK(!strcmp(a.generator, b.generator), "generator %s", b.generator);
		CHECK(a.uid == b.uid && rt_near(a.start, b.start) && rt_near(a.end, b.end), "job numbers");
		CHECK(b.nhosts == 2 && !strcmp(b.hosts[1], "n2"), "hosts");
		CHECK(b.flags == a.flags, "flags %#x != %#x", b.flags, a.flags);
		CHECK(b.survivors == 1, "survivors %u", b.survivors);
		rt_ops_equal(a.ops, b.ops, "job");
		CHECK(b.nprocs == 2, "nprocs %zu", b.nprocs);
		for (size_t i = 0; i < b.nprocs && i < 2; i++) {
			struct vigil_procstat *x = &a.procs[i], *y = &b.procs[i];
			CHECK(x->pid == y->pid && x->ppid == y->ppid && x->rank == y->rank && x->state == y->state &&
			      x->exit_status == y->exit_status && x->term_signal == y->term_signal, "process %zu ids", i);
			CHECK(!strcmp(x->host, y->host) && !strcmp(x->exe, y->exe) && !strcmp(x->command, y->command), "process %zu strings", i);
			CHECK(rt_near(x->start, y->start) && rt_near(x->end, y->end), "process %zu times", i);
			rt_ops_equal(x->ops, y->ops, "process");
		}
		CHECK(b.nfiles == 3, "nfiles %zu", b.nfiles);
		for (size_t i = 0; i < b.nfiles && i < 3; i++) {
			struct vigil_filestat *x = &a.files[i], *y = NULL;
			for (size_t k = 0; k < b.nfiles; k++)
				if (!strcmp(b.files[k].path, x->path))
					y = &b.files[k];
			CHECK(y != NULL, "file %s missing", x->path);
			if (!y)
				continue;
			CHECK(x->kind == y->kind && x->layer == y->layer && x->reads == y->reads && x->writes == y->writes &&
			      x->bytes_read == y->bytes_read && x->bytes_written == y->bytes_written && x->meta_ops == y->meta_ops &&
			      x->seq_reads == y->seq_reads && x->seq_writes == y->seq_writes && x->consec_reads == y->consec_reads &&
			      x->consec_writes == y->consec_writes && x->max_offset == y->max_offset && x->processes == y->processes &&
			      x->nranks == y->nranks && x->rank_min == y->rank_min && x->rank_max == y->rank_max,
			      "file %s counters", x->path);
			CHECK(rt_near(x->seconds, y->seconds) && rt_near(x->first_access, y->first_access) &&
			      rt_near(x->last_access, y->last_access), "file %s times", x->path);
		}
		CHECK(rt_near(a.timeline.start, b.timeline.start) && a.timeline.bin_seconds == b.timeline.bin_seconds, "timeline");
		for (int i = 0; i < VIGIL_TL_BINS; i++)
			for (int l = 0; l < VIGIL_NLAYERS; l++) {
				struct vigil_tlstat *x = &a.timeline.bin[i][l], *y = &b.timeline.bin[i][l];
				CHECK(rt_near(x->ops, y->ops) && rt_near(x->bytes_read, y->bytes_read) &&
				      rt_near(x->bytes_written, y->bytes_written) && rt_near(x->seconds, y->seconds),
				      "timeline bin %d layer %d", i, l);
			}
	}
	unlink(path);
	vigil_profile_free(&a);
	vigil_profile_free(&b);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	else
		puts("ok");
	return failures ? 1 : 0;
}
