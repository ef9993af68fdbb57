/*
 * test_segparse.c - vigil_seg_parse against good and crafted bad segments.
 * Every rejection must name its reason; nothing may read outside the copy
 * (the ASan suite runs this too, with exact-size heap copies).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include "format/profile.h"
#include "check.h"
#include "segfab.h"

/* Parse an exact-size heap copy of the first len bytes so ASan catches overreads. */
static int parse_copy(const struct fab *f, size_t len, double reader, struct vigil_seg_view *v,
                      const char **why, unsigned char **keep)
{
	unsigned char *c = malloc(len ? len : 1);
	memcpy(c, f->buf, len);
	int rc = vigil_seg_parse(c, len, reader, v, why);
	if (keep)
		*keep = c;
	else
		free(c);
	return rc;
}

static void expect_reject(struct fab *f, const char *reason, int err, int line)
{
	struct vigil_seg_view v;
	const char *why = NULL;
	int rc = parse_copy(f, f->len, 0, &v, &why, NULL);
	if (rc != err || !why || strcmp(why, reason) != 0) {
		fprintf(stderr, "line %d: rc %d why \"%s\", expected %d \"%s\"\n", line, rc,
		        why ? why : "(null)", err, reason);
		check_failures++;
	}
}
#define REJECT(f, reason, err) expect_reject(f, reason, err, __LINE__)

static struct fab good(void)
{
	struct fab f = fab_new(VIGIL_NOPS, 2, 8);
	fab_op(&f, 0, VIGIL_OP_WRITE, 3, 24, 300, 8);
	return f;
}

static void test_good(void)
{
	struct fab f = good();
	struct vigil_seg_view v;
	const char *why = "unset";
	unsigned char *copy;
	CHECK_INT(parse_copy(&f, f.len, 0, &v, &why, &copy), 0);
	CHECK(why == NULL);
	CHECK(v.base == copy);
	CHECK_U64(v.len, f.len);
	CHECK_U64(v.n_ops, VIGIL_NOPS);
	CHECK_NEAR(v.tick_seconds, 1e-9, 0);
	CHECK_INT(v.id->pid, 100);
	CHECK_STR(v.id->job_id, "job1");
	CHECK(vigil_seg_shard(&v, 0) == (const void *)(copy + f.h->shards_offset));
	CHECK(vigil_seg_shard(&v, 1) == (const void *)(copy + f.h->shards_offset + f.h->shard_size));
	CHECK(vigil_seg_shard(&v, 2) == NULL);
	CHECK_U64(vigil_seg_ops(&v, 0)[VIGIL_OP_WRITE].calls, 3);
	CHECK(vigil_seg_ops(&v, 2) == NULL);
	CHECK(vigil_seg_file(&v, 7) == (const void *)(copy + 4096 + 7 * 672));
	CHECK(vigil_seg_file(&v, 8) == NULL);
	free(copy);
	/* A copy longer than segment_size is fine; the view is bounded by segment_size. */
	unsigned char *big = aligned_alloc(64, f.len + 64);
	memset(big, 0, f.len + 64);
	memcpy(big, f.buf, f.len);
	CHECK_INT(vigil_seg_parse(big, f.len + 64, 0, &v, &why), 0);
	CHECK_U64(v.len, f.len);
	free(big);
	fab_free(&f);
}

/* A version 1 segment (identity without exec_target) still reads; a v2 one needs the longer identity. */
static void test_version1(void)
{
	struct fab f = good();
	struct vigil_seg_view v;
	const char *why;
	memcpy(f.id->exec_target, "/bin/x", 7);
	CHECK_INT(vigil_seg_parse(f.buf, f.len, 0, &v, &why), 0);
	CHECK(strcmp(v.exec_target, "/bin/x") == 0);
	f.h->ident_size = (uint32_t)offsetof(struct vigil_seg_identity, exec_target);
	REJECT(&f, "identity out of bounds", -EBADMSG);
	f.h->version = 1;
	f.h->n_layers = VIGIL_V1_NLAYERS; /* version 1 also had 4 layers and a shorter header */
	f.h->header_size = VIGIL_V1_HEADER_SIZE;
	CHECK_INT(vigil_seg_parse(f.buf, f.len, 0, &v, &why), 0);
	CHECK(strcmp(v.exec_target, "") == 0);
	f.h->ident_size -= 8;
	REJECT(&f, "identity out of bounds", -EBADMSG);
	fab_free(&f);
}

static void test_header_fields(void)
{
	struct fab f = good();
	f.h->magic[0] = 'X';
	REJECT(&f, "bad magic", -EBADMSG);
	fab_free(&f);

	f = good();
	f.h->version = 3;
	REJECT(&f, "unsupported version", -EPROTONOSUPPORT);
	f.h->version = 0;
	REJECT(&f, "unsupported version", -EPROTONOSUPPORT);
	fab_free(&f);

	f = good();
	f.h->header_size = 100;
	REJECT(&f, "bad header size", -EBADMSG);
	f.h->header_size = 0xffffffffu;
	REJECT(&f, "bad header size", -EBADMSG);
	fab_free(&f);

	f = good();
	f.h->segment_size = f.len + 1;
	REJECT(&f, "truncated", -EBADMSG);
	f.h->segment_size = ~0ull;
	REJECT(&f, "truncated", -EBADMSG);
	f.h->segment_size = 100;
	REJECT(&f, "bad segment size", -EBADMSG);
	fab_free(&f);

	static const size_t geo[] = { offsetof(struct vigil_seg_header, n_layers),
		offsetof(struct vigil_seg_header, n_hist), offsetof(struct vigil_seg_header, n_tl_bins),
		offsetof(struct vigil_seg_header, n_flayers) };
	for (size_t i = 0; i < 4; i++) {
		f = good();
		*(uint32_t *)(f.buf + geo[i]) += 1;
		REJECT(&f, "bad geometry", -EBADMSG);
		fab_free(&f);
	}
	f = good();
	f.h->n_ops = 0;
	REJECT(&f, "bad geometry", -EBADMSG);
	f.h->n_ops = VIGIL_NOPS;
	f.h->n_shards = 0;
	REJECT(&f, "bad geometry", -EBADMSG);
	f.h->n_shards = 0xffffffffu;
	REJECT(&f, "bad geometry", -EBADMSG);
	fab_free(&f);

	f = good();
	f.h->n_ops = 0xffffffffu; /* needs a shard of ~1.2 TB */
	REJECT(&f, "bad shard size", -EBADMSG);
	f.h->n_ops = VIGIL_NOPS;
	f.h->shard_size -= 64; /* smaller than its n_ops need */
	REJECT(&f, "bad shard size", -EBADMSG);
	f.h->shard_size += 68; /* not a multiple of 8 */
	REJECT(&f, "bad shard size", -EBADMSG);
	f.h->shard_size = 0xfffffff8u; /* two of them exceed the copy */
	REJECT(&f, "shards out of bounds", -EBADMSG);
	fab_free(&f);

	f = good();
	f.h->shards_offset = ~0ull - 7; /* offset + size wraps around */
	REJECT(&f, "shards out of bounds", -EBADMSG);
	f.h->shards_offset = f.len - f.h->shard_size; /* second shard past the end */
	REJECT(&f, "shards out of bounds", -EBADMSG);
	f.h->shards_offset = 8; /* overlaps the header */
	REJECT(&f, "shards out of bounds", -EBADMSG);
	f.h->shards_offset = VIGIL_FILES_OFFSET + 4; /* misaligned */
	REJECT(&f, "shards out of bounds", -EBADMSG);
	fab_free(&f);

	f = good();
	f.h->n_files = 0xffffffffu;
	REJECT(&f, "bad file table", -EBADMSG);
	f.h->n_files = 8;
	f.h->file_size = 100;
	REJECT(&f, "bad file table", -EBADMSG);
	f.h->file_size = sizeof(struct vigil_file);
	f.h->files_offset = f.len - 4 * sizeof(struct vigil_file);
	REJECT(&f, "files out of bounds", -EBADMSG);
	f.h->files_offset = ~0ull & ~7ull;
	REJECT(&f, "files out of bounds", -EBADMSG);
	fab_free(&f);

	f = good();
	f.h->ident_offset = f.len - 8;
	REJECT(&f, "identity out of bounds", -EBADMSG);
	f.h->ident_offset = 1024;
	f.h->ident_size = 16;
	REJECT(&f, "identity out of bounds", -EBADMSG);
	fab_free(&f);

	/*
	 * The identity inside the shard area: vigild copies the header and
	 * identity, validates them, then reads the shards over the same copy, so
	 * an owner rewriting the file between the two reads would replace the
	 * checked strings with unterminated ones.
	 */
	f = good();
	f.h->ident_offset = f.h->shards_offset;
	REJECT(&f, "identity out of bounds", -EBADMSG);
	f.h->ident_offset = f.h->shards_offset + f.h->shard_size - 8; /* straddles shards 0 and 1 */
	REJECT(&f, "identity out of bounds", -EBADMSG);
	f.h->ident_offset = f.h->shards_offset - 8; /* last bytes run into shard 0 */
	REJECT(&f, "identity out of bounds", -EBADMSG);
	fab_free(&f);

	f = good();
	f.h->clock.source = 7;
	REJECT(&f, "bad clock source", -EBADMSG);
	fab_free(&f);

	f = good();
	f.h->state = VIGIL_STATE_INIT;
	REJECT(&f, "not initialised", -EAGAIN);
	f.h->state = 9;
	REJECT(&f, "bad state", -EBADMSG);
	fab_free(&f);
}

/* Cut the copy at every header field boundary and at every page: always rejected, never read past. */
static void test_truncation(void)
{
	struct fab f = good();
	struct vigil_seg_view v;
	const char *why;
	for (size_t len = 0; len < sizeof(struct vigil_seg_header); len += 4) {
		int rc = parse_copy(&f, len, 0, &v, &why, NULL);
		if (rc != -EBADMSG || strcmp(why, "truncated") != 0) {
			fprintf(stderr, "truncated at %zu: rc %d (%s)\n", len, rc, why);
			check_failures++;
		}
	}
	for (size_t len = sizeof(struct vigil_seg_header); len < f.len; len += 4096) {
		int rc = parse_copy(&f, len, 0, &v, &why, NULL);
		if (rc == 0) {
			fprintf(stderr, "truncated at %zu accepted\n", len);
			check_failures++;
		}
	}
	CHECK_INT(parse_copy(&f, f.len - 1, 0, &v, &why, NULL), -EBADMSG);
	CHECK_INT(vigil_seg_parse(NULL, 0, 0, &v, &why), -EBADMSG);
	/* A misaligned copy is refused rather than read with unaligned loads. */
	unsigned char *odd = malloc(f.len + 1);
	memcpy(odd + 1, f.buf, f.len);
	CHECK_INT(vigil_seg_parse(odd + 1, f.len, 0, &v, &why), -EINVAL);
	free(odd);
	fab_free(&f);
}

static void test_strings(void)
{
	static const size_t str[][2] = {
		{ offsetof(struct vigil_seg_identity, job_id), 64 },
		{ offsetof(struct vigil_seg_identity, step), 32 },
		{ offsetof(struct vigil_seg_identity, run_id), 40 },
		{ offsetof(struct vigil_seg_identity, host), 64 },
		{ offsetof(struct vigil_seg_identity, exe), 256 },
		{ offsetof(struct vigil_seg_identity, cmdline), 1024 },
		{ offsetof(struct vigil_seg_identity, mpi_impl), 16 },
	};
	for (size_t i = 0; i < sizeof(str) / sizeof(str[0]); i++) {
		struct fab f = good();
		memset((char *)f.id + str[i][0], 'A', str[i][1]);
		REJECT(&f, "unterminated string", -EBADMSG);
		/* NUL in the last byte is enough */
		((char *)f.id)[str[i][0] + str[i][1] - 1] = '\0';
		struct vigil_seg_view v;
		const char *why;
		CHECK_INT(parse_copy(&f, f.len, 0, &v, &why, NULL), 0);
		fab_free(&f);
	}
}

static void test_ops_and_clock(void)
{
	struct vigil_seg_view v;
	const char *why;

	/* An older collector: fewer ops than this reader knows. */
	struct fab f = fab_new(10, 1, 1);
	CHECK_INT(parse_copy(&f, f.len, 0, &v, &why, NULL), 0);
	CHECK_U64(v.n_ops, 10);
	fab_free(&f);

	/* A newer collector: more ops; clamped to ours, its bigger shards still accepted. */
	f = fab_new(VIGIL_NOPS + 5, 2, 1);
	CHECK_INT(parse_copy(&f, f.len, 0, &v, &why, NULL), 0);
	CHECK_U64(v.n_ops, VIGIL_NOPS);
	fab_free(&f);

	/* TSC with pairs 64 s apart: rate from the pairs, exactly. */
	f = good();
	f.h->clock.source = VIGIL_CLOCK_TSC;
	f.h->clock.start_ticks = 1000;
	f.h->clock.end_ticks = 1000 + (1ull << 26);
	f.h->clock.start_mono_ns = 1000000000ull;
	f.h->clock.end_mono_ns = 65000000000ull;
	CHECK_INT(parse_copy(&f, f.len, 3e-10, &v, &why, NULL), 0);
	CHECK_NEAR(v.tick_seconds, 64.0 / (double)(1ull << 26), 1e-20);

	/* Pairs only 5 ms apart: the reader's calibration wins. */
	f.h->clock.end_mono_ns = f.h->clock.start_mono_ns + 5000000ull;
	CHECK_INT(parse_copy(&f, f.len, 3e-10, &v, &why, NULL), 0);
	CHECK_NEAR(v.tick_seconds, 3e-10, 0);

	/* No end record (killed): the reader's calibration too. */
	f.h->clock.end_ticks = 0;
	f.h->clock.end_mono_ns = 0;
	f.h->state = VIGIL_STATE_RUNNING;
	CHECK_INT(parse_copy(&f, f.len, 4e-10, &v, &why, NULL), 0);
	CHECK_NEAR(v.tick_seconds, 4e-10, 0);

	/* No usable reader value: its own measurement, which is plausible. */
	CHECK_INT(parse_copy(&f, f.len, 0, &v, &why, NULL), 0);
	CHECK(v.tick_seconds >= 1e-12 && v.tick_seconds <= 1e-6);
	fab_free(&f);

	double t1 = vigil_reader_tsc_seconds(), t2 = vigil_reader_tsc_seconds();
#if defined(__x86_64__)
	CHECK(t1 > 1e-11 && t1 < 1e-8); /* 100 MHz .. 100 GHz */
#endif
	CHECK_NEAR(t2, t1, 0); /* cached */
}

/* Version 1 segments (collectors before segment v2) still read; their v2 counters are absent, never 0. */
static void test_versions(void)
{
	struct vigil_seg_view v;
	const char *why;
	struct fab f = fab_new_v(VIGIL_NOPS, 2, 8, 1);
	fab_op(&f, 0, VIGIL_OP_WRITE, 3, 24, 300, 8);
	fab_file(&f, 1, VIGIL_FILE_REGULAR, "/d/a");
	CHECK_U64(f.h->file_size, 576);
	CHECK_INT(vigil_seg_parse(f.buf, f.len, 0, &v, &why), 0);
	CHECK_INT(v.has_ext, 0);
	CHECK(vigil_seg_file(&v, 1) == (const void *)(f.buf + 4096 + 576));
	CHECK_STR(vigil_seg_file(&v, 1)->path, "/d/a");
	CHECK(vigil_seg_file_ext(&v, 1, VIGIL_FLAYER_POSIX) == NULL);
	CHECK(vigil_seg_shard_ext(&v, 0) == NULL);
	CHECK_U64(vigil_seg_ops(&v, 1 - 1)[VIGIL_OP_WRITE].calls, 3);
	fab_free(&f);

	f = fab_new_v(VIGIL_NOPS, 2, 8, 2);
	CHECK_INT(vigil_seg_parse(f.buf, f.len, 0, &v, &why), 0);
	CHECK_INT(v.has_ext, 1);
	CHECK(vigil_seg_file_ext(&v, 1, VIGIL_FLAYER_STDIO) == (const void *)(f.buf + 4096 + 672 + 576 + 32));
	CHECK(vigil_seg_shard_ext(&v, 1) ==
	      (const void *)(f.buf + f.h->shards_offset + f.h->shard_size + sizeof(struct vigil_shard) + (size_t)VIGIL_NOPS * 288));
	CHECK(vigil_seg_file_ext(&v, 1, VIGIL_NFLAYERS) == NULL);
	/* a version 2 segment needs room for the v2 parts */
	f.h->file_size = 576;
	REJECT(&f, "bad file table", -EBADMSG);
	f.h->file_size = 672;
	f.h->shard_size = fab_shard_size_v(VIGIL_NOPS, 1);
	if (f.h->shard_size < vigil_shard_ext_offset(VIGIL_NOPS) + sizeof(struct vigil_shard_ext))
		REJECT(&f, "bad shard size", -EBADMSG);
	fab_free(&f);
}

/* Version 1 (4 layers, no accelerator region) still reads; its ops lie after a 4-layer timeline. */
static void test_v1_layout(void)
{
	struct fab f = fab_new_v1(VIGIL_OP_CL_READ_BUFFER, 2, 8); /* a version-1 collector: every op before OpenCL */
	fab_op_v1(&f, 1, VIGIL_OP_WRITE, 3, 30);
	/* bin 2 of stdio: row stride 4 layers in version 1 */
	(&fab_shard(&f, 1)->timeline[0][0])[2 * 4 + VIGIL_LAYER_STDIO].ops = 7;
	struct vigil_seg_view v;
	const char *why;
	CHECK_INT(vigil_seg_parse(f.buf, f.len, 0, &v, &why), 0);
	CHECK_U64(v.n_layers, 4);
	CHECK_U64(v.n_ops, VIGIL_OP_CL_READ_BUFFER);
	CHECK_U64(vigil_seg_ops(&v, 1)[VIGIL_OP_WRITE].calls, 3);
	CHECK_U64(vigil_seg_ops(&v, 1)[VIGIL_OP_WRITE].bytes, 30);
	CHECK_U64(vigil_seg_tl_row(&v, 1, 2)[VIGIL_LAYER_STDIO].ops, 7);
	CHECK(vigil_seg_accel(&v) == NULL);
	CHECK(vigil_seg_kernel(&v, 0) == NULL);
	/* version 1 with 5 layers, or version 2 with 4, is neither */
	f.h->n_layers = VIGIL_NLAYERS;
	REJECT(&f, "bad geometry", -EBADMSG);
	fab_free(&f);
	f = good();
	f.h->n_layers = VIGIL_V1_NLAYERS;
	REJECT(&f, "bad geometry", -EBADMSG);
	fab_free(&f);
}

/* Version 2's accelerator region and kernel table are bounded like the file table. */
static void test_accel_region(void)
{
	struct fab f = good();
	struct vigil_seg_view v;
	const char *why;
	CHECK_INT(vigil_seg_parse(f.buf, f.len, 0, &v, &why), 0);
	CHECK(vigil_seg_accel(&v) == (const void *)(f.buf + f.h->accel_offset));
	CHECK(vigil_seg_kernel(&v, FAB_KERNELS - 1) != NULL);
	CHECK(vigil_seg_kernel(&v, FAB_KERNELS) == NULL);
	f.h->accel_offset = f.len - 8;
	REJECT(&f, "accelerator region out of bounds", -EBADMSG);
	f.h->accel_offset = 8;
	REJECT(&f, "accelerator region out of bounds", -EBADMSG);
	fab_free(&f);
	f = good();
	f.h->accel_size = 8;
	REJECT(&f, "accelerator region out of bounds", -EBADMSG);
	fab_free(&f);
	f = good();
	f.h->n_kernels = FAB_KERNELS + 1;
	REJECT(&f, "kernel table out of bounds", -EBADMSG);
	f.h->n_kernels = FAB_KERNELS;
	f.h->kernel_size = 12;
	REJECT(&f, "kernel table out of bounds", -EBADMSG);
	fab_free(&f);
	f = good();
	f.h->header_size = VIGIL_V1_HEADER_SIZE; /* a version-2 header must have its fields */
	REJECT(&f, "bad header size", -EBADMSG);
	fab_free(&f);
}

/*
 * vigil_seg_copy_settled: a copy is kept only when the file-table reuse sequence in it is
 * even and the file's is still the same (docs/SEGMENT.md, "File-table reuse").
 */
static void test_copy_settled(void)
{
	struct fab f = fab_new(VIGIL_NOPS, 1, 2);
	char path[] = "/tmp/vigil-settled-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	unlink(path);
	uint64_t *seq = &f.h->reserved[VIGIL_SEG_FILES_SEQ_SLOT];
	const off_t at = (off_t)((unsigned char *)seq - f.buf);
	unsigned char *copy = malloc(f.len);
	static const uint64_t cases[][2] = { /* {in the copy, in the file after it} */
		{ 4, 4 }, { 5, 5 }, { 4, 6 }, { 4, 5 }, { 0, 0 },
	};
	static const int want[] = { 1, 0, 0, 0, 1 };
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		*seq = cases[k][0];
		memcpy(copy, f.buf, f.len);
		*seq = cases[k][1];
		CHECK(pwrite(fd, f.buf, f.len, 0) == (ssize_t)f.len);
		CHECK_INT(vigil_seg_copy_settled(fd, copy, f.len), want[k]);
	}
	CHECK_INT(vigil_seg_copy_settled(fd, copy, (size_t)at), 1); /* too short to hold it: nothing to compare */
	free(copy);
	close(fd);
	fab_free(&f);
}

int main(void)
{
	test_copy_settled();
	test_versions();
	test_v1_layout();
	test_accel_region();
	test_good();
	test_version1();
	test_header_fields();
	test_truncation();
	test_strings();
	test_ops_and_clock();
	CHECK_DONE();
}
