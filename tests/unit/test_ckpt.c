/*
 * test_ckpt.c - vigild's checkpoint trailer (src/daemon/ckpt.c): an older
 * file (version 1, FNV-1a over bytes: tests/fuzz/corpus/ckpt) is still read; the same
 * records as version 3 are read with the word checksum, computed here by an
 * independent loop; one flipped byte is refused as damaged under either
 * version; a version from the future is refused as such.
 * usage: test_ckpt CORPUS_DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "daemon/daemon.h"
#include "check.h"

static unsigned njobs, nprocs, nptot, njtot, nins;
static int cb_job(void *c, const struct vd_job *j) { (void)c; (void)j; njobs++; return 0; }
static int cb_jtot(void *c, unsigned op, const struct vd_tot *t) { (void)c; (void)op; (void)t; njtot++; return 0; }
static int cb_proc(void *c, const struct vd_proc *p, const char *d) { (void)c; (void)p; (void)d; nprocs++; return 0; }
static int cb_ptot(void *c, unsigned op, const struct vd_raw *r) { (void)c; (void)op; (void)r; nptot++; return 0; }
static int cb_ntot(void *c, unsigned op, const struct vd_tot *t) { (void)c; (void)op; (void)t; return 0; }
static int cb_node(void *c, const uint64_t *ids, unsigned n, uint64_t next) { (void)c; (void)ids; (void)n; (void)next; return 0; }
static int cb_ins(void *c, int rule, const struct vd_ins_rule *r) { (void)c; (void)rule; (void)r; nins++; return 0; }

static int parse(const unsigned char *b, size_t n)
{
	struct vd_ckpt_cb cb = { NULL, cb_job, cb_jtot, cb_proc, cb_ptot, cb_ntot, cb_node, cb_ins };
	njobs = nprocs = nptot = njtot = nins = 0;
	return vd_ckpt_parse(b, n, &cb);
}

/* The version 3 trailer, written out: FNV-1a's step over little-endian 8-byte words, then bytes. */
static uint64_t sum3(const unsigned char *b, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = 0;
		for (int k = 7; k >= 0; k--)
			w = w << 8 | b[i + (size_t)k];
		h = (h ^ w) * 1099511628211ull;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static void set_version(unsigned char *b, size_t n, uint32_t v)
{
	memcpy(b + 8, &v, 4);
	uint64_t h = sum3(b, n - 16);
	memcpy(b + n - 8, &h, 8);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_ckpt CORPUS_DIR\n");
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/insights.ckpt", argv[1]);
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 2;
	}
	static unsigned char b[1 << 16];
	size_t n = fread(b, 1, sizeof b, f);
	fclose(f);
	uint32_t v;
	memcpy(&v, b + 8, 4);
	CHECK(v == 1 || v == 2);
	/* as written by an older vigild */
	CHECK_INT(parse(b, n), 0);
	unsigned jobs = njobs, procs = nprocs, ptot = nptot, jtot = njtot, ins = nins;
	CHECK_INT(jobs, 1);
	CHECK(procs > 0 && ptot > 0 && jtot > 0 && ins > 0);
	CHECK_U64(vd_ckpt_sum(b, 11, 3), sum3(b, 11)); /* one word and 3 bytes */
	CHECK_U64(vd_ckpt_sum(b, n - 16, 3), sum3(b, n - 16));
	/* the same records as version 3 */
	set_version(b, n, 3);
	CHECK_INT(parse(b, n), 0);
	CHECK_INT(njobs, jobs);
	CHECK_INT(nprocs, procs);
	CHECK_INT(nptot, ptot);
	CHECK_INT(njtot, jtot);
	CHECK_INT(nins, ins);
	/* damage: one byte in the middle, under either checksum */
	b[n / 2] ^= 0x40;
	CHECK_INT(parse(b, n), -EBADMSG);
	b[n / 2] ^= 0x40;
	CHECK_INT(parse(b, n), 0);
	/* the top bit of two words: a plain multiply-xor step passes it (x * odd keeps bit 63's flip in bit 63 only) */
	size_t w1 = (n / 4) & ~(size_t)7, w2 = (n / 2) & ~(size_t)7;
	b[w1 + 7] ^= 0x80;
	b[w2 + 7] ^= 0x80;
	CHECK_INT(parse(b, n), -EBADMSG);
	b[w1 + 7] ^= 0x80;
	b[w2 + 7] ^= 0x80;
	CHECK_INT(parse(b, n), 0);
	uint32_t two = 2;
	memcpy(b + 8, &two, 4); /* a version 3 sum under version 2's rule: damaged */
	CHECK_INT(parse(b, n), -EBADMSG);
	set_version(b, n, 4);
	CHECK_INT(parse(b, n), -EINVAL);
	if (check_failures)
		return 1;
	printf("ok: version %u and 3 trailers, %u processes, %u insight records\n", v, procs, ins);
	return 0;
}
