/*
 * test_profile.c - folding segments into a profile: totals, files merged by
 * (path, layer), pseudo files, ranks, timeline re-binning (proportional split,
 * clipping at the process end, widening), merging profiles.
 */
#include <errno.h>
#include <stdlib.h>
#include "format/profile.h"
#include "check.h"
#include "segfab.h"

#define T0 1000000000.0 /* FAB_T0_NS in seconds */

static void add(struct vigil_profile *p, struct fab *f)
{
	struct vigil_seg_view v;
	const char *why;
	int rc = vigil_seg_parse(f->buf, f->len, 0, &v, &why);
	CHECK_INT(rc, 0);
	if (rc == 0)
		CHECK_INT(vigil_profile_add_segment(p, &v), 0);
}

static const struct vigil_filestat *find(const struct vigil_profile *p, const char *path, int layer)
{
	for (size_t i = 0; i < p->nfiles; i++)
		if (!strcmp(p->files[i].path, path) && p->files[i].layer == layer)
			return &p->files[i];
	return NULL;
}

/* Segment A: two shards, a path published twice, pseudo files, junk records. */
static struct fab seg_a(void)
{
	struct fab f = fab_new(VIGIL_NOPS, 2, 8);
	fab_op(&f, 0, VIGIL_OP_WRITE, 3, 24, 300, 8);
	fab_op(&f, 1, VIGIL_OP_WRITE, 2, 16, 200, 8);
	fab_op(&f, 1, VIGIL_OP_READ, 1, 4096, 1000, 4096);
	fab_op(&f, 0, VIGIL_OP_OPEN, 2, 0, 50, 0);
	fab_op(&f, 0, VIGIL_OP_FWRITE, 4, 400, 80, 100);
	struct vigil_file *r = fab_file(&f, 0, VIGIL_FILE_REGULAR, "/data/out");
	r->first_ticks = f.h->clock.start_ticks + 1000000000ull; /* 1 s after start */
	r->last_ticks = f.h->clock.start_ticks + 1500000000ull;
	r->layer[VIGIL_FLAYER_POSIX] = (struct vigil_file_counters){ .writes = 5, .bytes_written = 40,
		.meta_ops = 2, .ticks = 1000, .seq_writes = 4, .consec_writes = 3, .max_offset = 40 };
	r = fab_file(&f, 1, VIGIL_FILE_REGULAR, "/data/out"); /* the same path, published twice */
	r->first_ticks = f.h->clock.start_ticks + 500000000ull;
	r->last_ticks = f.h->clock.start_ticks + 600000000ull;
	r->layer[VIGIL_FLAYER_POSIX] = (struct vigil_file_counters){ .writes = 1, .bytes_written = 8,
		.ticks = 500, .max_offset = 100 };
	r->layer[VIGIL_FLAYER_STDIO] = (struct vigil_file_counters){ .writes = 4, .bytes_written = 400 };
	r = fab_file(&f, 2, VIGIL_FILE_STDOUT, NULL);
	r->layer[VIGIL_FLAYER_POSIX] = (struct vigil_file_counters){ .writes = 1, .bytes_written = 13 };
	r = fab_file(&f, 3, VIGIL_FILE_REGULAR, "/free");
	r->hash = 0; /* not published: ignored */
	r->layer[VIGIL_FLAYER_POSIX].reads = 99;
	r = fab_file(&f, 4, 99, "/badkind");
	r->layer[VIGIL_FLAYER_POSIX].reads = 99;
	r = fab_file(&f, 5, VIGIL_FILE_REGULAR, "/idle"); /* published, never used: no record */
	r = fab_file(&f, 6, VIGIL_FILE_OVERFLOW, NULL);
	r->layer[VIGIL_FLAYER_POSIX] = (struct vigil_file_counters){ .reads = 2, .bytes_read = 7 };
	r = fab_file(&f, 7, VIGIL_FILE_REGULAR, NULL);
	memset(r->path, 'p', VIGIL_PATH_MAX); /* no NUL: kept truncated */
	r->path[0] = '/';
	r->layer[VIGIL_FLAYER_POSIX].reads = 1;
	f.h->flags = VIGIL_FLAG_FILE_OVERFLOW;
	return f;
}

static void test_totals_and_files(void)
{
	struct vigil_profile p;
	vigil_profile_init(&p);
	struct fab a = seg_a(), b = fab_new(VIGIL_NOPS, 1, 2);
	b.id->pid = 101;
	strcpy(b.id->host, "node2");
	fab_op(&b, 0, VIGIL_OP_WRITE, 1, 5, 10, 5);
	struct vigil_file *r = fab_file(&b, 0, VIGIL_FILE_REGULAR, "/data/out");
	r->layer[VIGIL_FLAYER_POSIX] = (struct vigil_file_counters){ .writes = 1, .bytes_written = 5, .max_offset = 5 };
	r = fab_file(&b, 1, VIGIL_FILE_STDOUT, NULL);
	r->layer[VIGIL_FLAYER_POSIX] = (struct vigil_file_counters){ .writes = 2, .bytes_written = 2 };

	add(&p, &a);
	add(&p, &b);
	CHECK_STR(p.job_id, "job1");
	CHECK_STR(p.command, "app --in data");
	CHECK_U64(p.nhosts, 2);
	CHECK_STR(p.hosts[0], "node1");
	CHECK_STR(p.hosts[1], "node2");
	CHECK_U64(p.ops[VIGIL_OP_WRITE].calls, 6);
	CHECK_U64(p.ops[VIGIL_OP_WRITE].bytes, 45);
	CHECK_NEAR(p.ops[VIGIL_OP_WRITE].seconds, 510e-9, 1e-18);
	CHECK_U64(p.ops[VIGIL_OP_WRITE].hist[4], 5);   /* 8 bytes: [8,16) */
	CHECK_U64(p.ops[VIGIL_OP_WRITE].hist[3], 1);   /* 5 bytes: [4,8) */
	CHECK_U64(p.ops[VIGIL_OP_READ].hist[13], 1);   /* 4096: [4096,8192) */
	CHECK_U64(p.ops[VIGIL_OP_FWRITE].calls, 4);
	CHECK_U64(p.flags, VIGIL_FLAG_FILE_OVERFLOW);

	/* sorted by (path, layer): /data/out x2, the 255-byte path, <other files>, <stdout> */
	CHECK_U64(p.nfiles, 5);
	const struct vigil_filestat *f = find(&p, "/data/out", VIGIL_FLAYER_POSIX);
	CHECK(f != NULL);
	if (f) {
		CHECK_U64(f->writes, 7);
		CHECK_U64(f->bytes_written, 53);
		CHECK_U64(f->meta_ops, 2);
		CHECK_U64(f->seq_writes, 4);
		CHECK_U64(f->consec_writes, 3);
		CHECK_U64(f->max_offset, 100);
		CHECK_U64(f->processes, 2); /* two records of one process count once */
		CHECK_NEAR(f->seconds, 1500e-9, 1e-18);
		CHECK_NEAR(f->first_access, T0 + 0.5, 1e-6);
		CHECK_NEAR(f->last_access, T0 + 1.5, 1e-6);
		CHECK_INT(f->rank_min, -1);
		CHECK_U64(f->nranks, 0);
		CHECK_INT(f->kind, VIGIL_FILE_REGULAR);
	}
	f = find(&p, "/data/out", VIGIL_FLAYER_STDIO);
	CHECK(f && f->writes == 4 && f->bytes_written == 400 && f->processes == 1);
	f = find(&p, "<stdout>", VIGIL_FLAYER_POSIX);
	CHECK(f && f->writes == 3 && f->bytes_written == 15 && f->processes == 2);
	f = find(&p, "<other files>", VIGIL_FLAYER_POSIX);
	CHECK(f && f->reads == 2 && f->bytes_read == 7);
	CHECK(find(&p, "/idle", VIGIL_FLAYER_POSIX) == NULL);
	CHECK(find(&p, "/free", VIGIL_FLAYER_POSIX) == NULL);
	CHECK(find(&p, "/badkind", VIGIL_FLAYER_POSIX) == NULL);
	CHECK(strcmp(p.files[0].path, "/data/out") == 0 && p.files[0].layer == VIGIL_FLAYER_POSIX);
	CHECK(strcmp(p.files[1].path, "/data/out") == 0 && p.files[1].layer == VIGIL_FLAYER_STDIO);
	CHECK_U64(strlen(p.files[2].path), VIGIL_PATH_MAX - 1);
	CHECK_STR(p.files[3].path, "<other files>");
	CHECK_STR(p.files[4].path, "<stdout>");

	CHECK_U64(p.nprocs, 2);
	CHECK_INT(p.procs[0].pid, 100);
	CHECK_INT(p.procs[0].state, VIGIL_PROC_EXITED);
	CHECK_NEAR(p.procs[0].start, T0, 1e-6);
	CHECK_NEAR(p.procs[0].end, T0 + 2, 1e-6);
	CHECK_U64(p.procs[0].ops[VIGIL_OP_WRITE].calls, 5);
	CHECK_U64(p.procs[1].ops[VIGIL_OP_WRITE].calls, 1);
	CHECK_NEAR(p.start, T0, 1e-6);
	CHECK_NEAR(p.end, T0 + 2, 1e-6);

	/* merge: everything doubles, files' processes add up */
	struct vigil_profile m;
	vigil_profile_init(&m);
	CHECK_INT(vigil_profile_merge(&m, &p), 0);
	CHECK_INT(vigil_profile_merge(&m, &p), 0);
	CHECK_U64(m.ops[VIGIL_OP_WRITE].calls, 12);
	CHECK_U64(m.nprocs, 4);
	CHECK_U64(m.nfiles, 5);
	CHECK_U64(m.nhosts, 2);
	CHECK_STR(m.job_id, "job1");
	f = find(&m, "/data/out", VIGIL_FLAYER_POSIX);
	CHECK(f && f->processes == 4 && f->writes == 14 && f->max_offset == 100);
	CHECK_STR(m.procs[3].host, "node2");
	CHECK(m.procs[3].host != p.procs[1].host); /* deep copies */
	vigil_profile_free(&m);
	vigil_profile_free(&p);
	fab_free(&a);
	fab_free(&b);
}

static void test_ranks_and_states(void)
{
	struct vigil_profile p;
	vigil_profile_init(&p);
	/* ranks 3 and 2 called MPI_Init; "rank" 5 is a task's SLURM_PROCID only: no MPI rank */
	for (int rank = 5; rank >= 2; rank--) {
		if (rank == 4)
			continue;
		struct fab f = fab_new(VIGIL_NOPS, 1, 1);
		f.id->pid = 200 + rank;
		f.id->rank = rank;
		f.id->nranks = rank == 5 ? 0 : 4;
		fab_file(&f, 0, VIGIL_FILE_REGULAR, "/shared")->layer[VIGIL_FLAYER_MPIIO].writes = 1;
		if (rank == 2) { /* killed: no end record */
			f.h->state = VIGIL_STATE_RUNNING;
			f.h->clock.end_ticks = f.h->clock.end_mono_ns = f.h->clock.end_real_ns = 0;
			f.id->exit_status = -1;
			fab_file(&f, 0, VIGIL_FILE_REGULAR, NULL)->last_ticks = f.h->clock.start_ticks + 3000000000ull;
		}
		add(&p, &f);
		fab_free(&f);
	}
	const struct vigil_filestat *f = find(&p, "/shared", VIGIL_FLAYER_MPIIO);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->rank_min, 2);
		CHECK_INT(f->rank_max, 3);
		CHECK_U64(f->nranks, 2);
		CHECK_U64(f->processes, 3);
	}
	CHECK_INT(p.procs[0].rank, 5);
	CHECK_INT(vigil_proc_mpi_rank(&p.procs[0]), -1);
	CHECK_INT(vigil_proc_mpi_rank(&p.procs[1]), 3);
	CHECK_INT(p.procs[2].state, VIGIL_PROC_KILLED);
	CHECK_INT(p.procs[2].exit_status, -1);
	CHECK_NEAR(p.procs[2].end, T0 + 3, 1e-6); /* last activity */
	vigil_profile_free(&p);
}

/* A TSC segment whose tick is 2^-20 s, so shift 20 makes 1 s bins. */
static struct fab seg_tsc(double start_s, double end_s)
{
	struct fab f = fab_new(VIGIL_NOPS, 2, 1);
	f.h->clock.source = VIGIL_CLOCK_TSC;
	f.h->clock.start_ticks = 1000;
	f.h->clock.end_ticks = 1000 + (1ull << 26);
	f.h->clock.start_mono_ns = 1000000000ull;
	f.h->clock.end_mono_ns = 65000000000ull;
	f.h->clock.start_real_ns = FAB_T0_NS + (uint64_t)(start_s * 1e9);
	f.h->clock.end_real_ns = FAB_T0_NS + (uint64_t)(end_s * 1e9);
	fab_shard(&f, 0)->tl_shift = 20;
	return f;
}

static void test_timeline(void)
{
	struct vigil_profile p;
	vigil_profile_init(&p);
	p.timeline.start = T0;
	p.timeline.bin_seconds = 1.0; /* the job's grid, known in advance */

	struct fab a = seg_tsc(0.5, 10);
	struct vigil_shard *s = fab_shard(&a, 0);
	s->timeline[0][VIGIL_LAYER_POSIX].ops = 10;
	s->timeline[0][VIGIL_LAYER_POSIX].ticks = 1u << 20; /* 1 s */
	s->timeline[2][VIGIL_LAYER_STDIO].bytes_written = 100;
	s->timeline[2][VIGIL_LAYER_STDIO].ops = 1;
	add(&p, &a);
	/* process bin 0 = [0.5, 1.5): half in job bin 0, half in bin 1 */
	CHECK_NEAR(p.timeline.bin[0][VIGIL_LAYER_POSIX].ops, 5, 0);
	CHECK_NEAR(p.timeline.bin[1][VIGIL_LAYER_POSIX].ops, 5, 0);
	CHECK_NEAR(p.timeline.bin[0][VIGIL_LAYER_POSIX].seconds, 0.5, 1e-12);
	CHECK_NEAR(p.timeline.bin[2][VIGIL_LAYER_STDIO].bytes_written, 50, 0);
	CHECK_NEAR(p.timeline.bin[3][VIGIL_LAYER_STDIO].bytes_written, 50, 0);
	CHECK_NEAR(p.timeline.bin[2][VIGIL_LAYER_POSIX].ops, 0, 0);
	CHECK_NEAR(p.timeline.start, T0, 0);
	CHECK_NEAR(p.timeline.bin_seconds, 1.0, 0); /* fits: the grid is kept */

	/* A bin that outlasts its process is clipped to the process's end. */
	struct fab b = seg_tsc(20, 20.25);
	fab_shard(&b, 0)->timeline[0][VIGIL_LAYER_POSIX].ops = 8;
	add(&p, &b);
	CHECK_NEAR(p.timeline.bin[20][VIGIL_LAYER_POSIX].ops, 8, 0);
	CHECK_NEAR(p.timeline.bin[21][VIGIL_LAYER_POSIX].ops, 0, 0);
	vigil_profile_free(&p);
	fab_free(&a);
	fab_free(&b);

	/* No grid given: the first process sets it, a later one widens it (2 s bins). */
	vigil_profile_init(&p);
	a = seg_tsc(0, 64);
	for (int i = 0; i < 64; i++)
		fab_shard(&a, 0)->timeline[i][VIGIL_LAYER_POSIX].ops = (uint64_t)i + 1;
	add(&p, &a);
	CHECK_NEAR(p.timeline.bin_seconds, 1.0, 1e-12);
	CHECK_NEAR(p.timeline.bin[63][VIGIL_LAYER_POSIX].ops, 64, 0);
	b = seg_tsc(64, 128);
	fab_shard(&b, 0)->timeline[0][VIGIL_LAYER_POSIX].ops = 1000;
	add(&p, &b);
	CHECK_NEAR(p.timeline.start, T0, 0);
	CHECK_NEAR(p.timeline.bin_seconds, 2.0, 1e-12);
	double total = 0;
	for (int j = 0; j < 32; j++) {
		CHECK_NEAR(p.timeline.bin[j][VIGIL_LAYER_POSIX].ops, 4 * j + 3, 1e-9);
		total += p.timeline.bin[j][VIGIL_LAYER_POSIX].ops;
	}
	CHECK_NEAR(total, 64 * 65 / 2, 1e-6); /* nothing lost */
	CHECK_NEAR(p.timeline.bin[32][VIGIL_LAYER_POSIX].ops, 1000, 0);
	CHECK_NEAR(p.start, T0, 0);
	CHECK_NEAR(p.end, T0 + 128, 1e-6);

	/* merge onto a grid twice as fine keeps every operation */
	struct vigil_profile m;
	vigil_profile_init(&m);
	m.timeline.start = T0;
	m.timeline.bin_seconds = 4.0;
	CHECK_INT(vigil_profile_merge(&m, &p), 0);
	double mt = 0;
	for (int j = 0; j < VIGIL_TL_BINS; j++)
		mt += m.timeline.bin[j][VIGIL_LAYER_POSIX].ops;
	CHECK_NEAR(mt, 64 * 65 / 2 + 1000, 1e-6);
	CHECK_NEAR(m.timeline.bin[0][VIGIL_LAYER_POSIX].ops, 3 + 7, 1e-9);
	vigil_profile_free(&m);
	vigil_profile_free(&p);
	fab_free(&a);
	fab_free(&b);
}

/* Folding early (timeline kept, placed once the grid is known) gives the profile folding late gives. */
static void test_kept_timeline(void)
{
	struct vigil_profile late, early;
	vigil_profile_init(&late);
	vigil_profile_init(&early);
	struct fab a = seg_tsc(0.5, 10), b = seg_tsc(3, 7.25);
	a.h->shards_used = 2; /* a second thread, its shard with a coarser timeline */
	fab_shard(&a, 1)->tl_shift = 21;
	fab_shard(&a, 0)->timeline[0][VIGIL_LAYER_POSIX].ops = 10;
	fab_shard(&a, 0)->timeline[0][VIGIL_LAYER_POSIX].ticks = 1u << 20;
	fab_shard(&a, 1)->timeline[3][VIGIL_LAYER_STDIO].bytes_written = 100;
	fab_shard(&a, 1)->timeline[3][VIGIL_LAYER_STDIO].ops = 1;
	fab_shard(&b, 0)->timeline[2][VIGIL_LAYER_POSIX].bytes_read = 77;
	fab_shard(&b, 0)->timeline[2][VIGIL_LAYER_POSIX].ops = 7;
	struct vigil_seg_view va, vb;
	const char *why;
	CHECK_INT(vigil_seg_parse(a.buf, a.len, 0, &va, &why), 0);
	CHECK_INT(vigil_seg_parse(b.buf, b.len, 0, &vb, &why), 0);
	/* early: folded before any grid exists, timelines kept; the segments could be gone now */
	struct vigil_proc_timeline ka, kb;
	CHECK_INT(vigil_profile_add_segment_keep(&early, &va, &ka), 0);
	CHECK_INT(vigil_profile_add_segment_keep(&early, &vb, &kb), 0);
	CHECK_INT((int)ka.n, 2); /* shards with activity only */
	CHECK_INT((int)kb.n, 1);
	CHECK_NEAR(early.timeline.bin_seconds, 0, 0); /* nothing placed yet */
	early.timeline.start = late.timeline.start = T0;
	early.timeline.bin_seconds = late.timeline.bin_seconds = 0.25;
	vigil_profile_add_timeline(&early, &ka);
	vigil_profile_add_timeline(&early, &kb);
	vigil_proc_timeline_free(&ka);
	vigil_proc_timeline_free(&kb);
	CHECK_INT(vigil_profile_add_segment(&late, &va), 0);
	CHECK_INT(vigil_profile_add_segment(&late, &vb), 0);
	for (int i = 0; i < VIGIL_TL_BINS; i++)
		for (int l = 0; l < VIGIL_NLAYERS; l++) {
			const struct vigil_tlstat *x = &early.timeline.bin[i][l], *y = &late.timeline.bin[i][l];
			CHECK(x->ops == y->ops && x->bytes_read == y->bytes_read &&
			      x->bytes_written == y->bytes_written && x->seconds == y->seconds);
		}
	double stdio_ops = 0;
	for (int i = 0; i < VIGIL_TL_BINS; i++)
		stdio_ops += late.timeline.bin[i][VIGIL_LAYER_STDIO].ops;
	CHECK_NEAR(stdio_ops, 1, 1e-9); /* the second shard's op was placed */
	CHECK_INT((int)early.nprocs, 2);
	CHECK_NEAR(early.start, late.start, 0);
	CHECK_NEAR(early.end, late.end, 0);
	vigil_profile_free(&early);
	vigil_profile_free(&late);
	fab_free(&a);
	fab_free(&b);
}

static void test_hostile_timeline(void)
{
	/* Absurd widths and times must not crash or produce non-finite numbers. */
	struct vigil_profile p;
	vigil_profile_init(&p);
	struct fab f = fab_new(VIGIL_NOPS, 2, 1);
	fab_shard(&f, 0)->tl_shift = 62;
	fab_shard(&f, 0)->timeline[63][0].ops = ~0ull;
	fab_shard(&f, 1)->tl_shift = 0xffffffffu;
	fab_shard(&f, 1)->timeline[1][0].ops = 5;
	f.h->clock.start_real_ns = ~0ull;
	f.h->state = VIGIL_STATE_RUNNING;
	add(&p, &f);
	for (int b = 0; b < VIGIL_TL_BINS; b++)
		CHECK(isfinite(p.timeline.bin[b][0].ops));
	CHECK(isfinite(p.timeline.bin_seconds) && isfinite(p.timeline.start));
	vigil_profile_free(&p);
	fab_free(&f);
}

/* Segment v2 counters fold per (path, layer); a version 1 process makes them unknown for the whole profile. */
static void test_v2_counters(void)
{
	struct vigil_profile p;
	vigil_profile_init(&p);
	struct fab a = fab_new(VIGIL_NOPS, 1, 2), b = fab_new(VIGIL_NOPS, 1, 2), c = fab_new_v(VIGIL_NOPS, 1, 2, 1);
	b.id->pid = 101;
	c.id->pid = 102;
	struct vigil_file *r = fab_file(&a, 0, VIGIL_FILE_REGULAR, "/log");
	r->layer[VIGIL_FLAYER_POSIX].writes = 7;
	r->ext[VIGIL_FLAYER_POSIX] = (struct vigil_file_ext){ .unpositioned_writes = 5, .misaligned = 2 };
	r = fab_file(&b, 0, VIGIL_FILE_REGULAR, "/log");
	r->layer[VIGIL_FLAYER_POSIX].writes = 3;
	r->ext[VIGIL_FLAYER_POSIX] = (struct vigil_file_ext){ .unpositioned_reads = 1, .unpositioned_writes = 3 };
	add(&p, &a);
	add(&p, &b);
	const struct vigil_filestat *f = find(&p, "/log", VIGIL_FLAYER_POSIX);
	CHECK(f != NULL);
	if (f) {
		CHECK_U64(f->writes, 10);
		CHECK_U64(f->unpositioned_writes, 8);
		CHECK_U64(f->unpositioned_reads, 1);
		CHECK_U64(f->misaligned, 2);
	}
	CHECK_U64(p.insight_have, VIGIL_HAVE_APPENDS | VIGIL_HAVE_MISALIGNED);
	/* a version 1 process joins: the counters are no longer complete */
	fab_file(&c, 0, VIGIL_FILE_REGULAR, "/log")->layer[VIGIL_FLAYER_POSIX].writes = 1;
	add(&p, &c);
	CHECK_U64(p.insight_have, 0);
	/* merging: the same rule across profiles */
	struct vigil_profile q;
	vigil_profile_init(&q);
	add(&q, &a);
	CHECK_U64(q.insight_have, VIGIL_HAVE_APPENDS | VIGIL_HAVE_MISALIGNED);
	CHECK_INT(vigil_profile_merge(&q, &p), 0);
	CHECK_U64(q.insight_have, 0);
	vigil_profile_free(&q);
	vigil_profile_free(&p);
	fab_free(&a);
	fab_free(&b);
	fab_free(&c);
}

/*
 * A record caught mid-reuse (odd generation, docs/SEGMENT.md "File-table reuse"): its
 * counts (what the move has not taken yet) go to <other files>, never to its path; a
 * reused record (generation 2) is its new file's.  A version 1 segment has no generation.
 */
static void test_reused_records(void)
{
	struct vigil_profile p;
	vigil_profile_init(&p);
	struct fab a = fab_new(VIGIL_NOPS, 1, 4), c = fab_new_v(VIGIL_NOPS, 1, 2, 1);
	c.id->pid = 102;
	struct vigil_file *r = fab_file(&a, 0, VIGIL_FILE_OVERFLOW, NULL);
	r->layer[VIGIL_FLAYER_POSIX].bytes_written = 40; /* what the move took already */
	r->layer[VIGIL_FLAYER_POSIX].writes = 4;
	r = fab_file(&a, 1, VIGIL_FILE_REGULAR, "/old-half-rewritten");
	r->layer[VIGIL_FLAYER_POSIX].bytes_written = 2;
	r->layer[VIGIL_FLAYER_POSIX].writes = 1;
	VIGIL_FILE_GEN(r) = 3;
	r = fab_file(&a, 2, VIGIL_FILE_REGULAR, "/new");
	r->layer[VIGIL_FLAYER_POSIX].bytes_written = 8;
	r->layer[VIGIL_FLAYER_POSIX].writes = 1;
	VIGIL_FILE_GEN(r) = 2;
	add(&p, &a);
	CHECK(find(&p, "/old-half-rewritten", VIGIL_FLAYER_POSIX) == NULL);
	const struct vigil_filestat *f = find(&p, "<other files>", VIGIL_FLAYER_POSIX);
	CHECK(f != NULL);
	if (f) {
		CHECK_U64(f->bytes_written, 42);
		CHECK_U64(f->writes, 5);
		CHECK_U64(f->processes, 1); /* one process, once, though two records */
	}
	f = find(&p, "/new", VIGIL_FLAYER_POSIX);
	CHECK(f != NULL && f->bytes_written == 8);
	/* version 1: the bytes where ext[0].generation would be belong to nothing (no ext) */
	fab_file(&c, 0, VIGIL_FILE_REGULAR, "/v1")->layer[VIGIL_FLAYER_POSIX].writes = 1;
	add(&p, &c);
	CHECK(find(&p, "/v1", VIGIL_FLAYER_POSIX) != NULL);
	vigil_profile_free(&p);
	fab_free(&a);
	fab_free(&c);
}

int main(void)
{
	test_reused_records();
	test_v2_counters();
	test_totals_and_files();
	test_ranks_and_states();
	test_timeline();
	test_kept_timeline();
	test_hostile_timeline();
	CHECK_DONE();
}
