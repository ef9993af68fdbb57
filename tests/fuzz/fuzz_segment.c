/*
 * fuzz_segment.c - every reader of segments goes through vigil_seg_parse,
 * then folds what it accepted into a profile and writes it: fuzz all three,
 * and vigild's reading of the accelerator region (daemon/accel.c) with the
 * geometry the parse accepted.
 * The input is copied to an 8-aligned buffer of exactly its size, as
 * readers do with their pread copy, so ASan sees any read past the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/accel.h"
#include "format/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		return 0;
	unsigned char *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct vigil_seg_view v;
	const char *why;
	/* A fixed reader calibration keeps runs deterministic. */
	if (vigil_seg_parse(copy, size, 3e-10, &v, &why) == 0) {
		struct vigil_profile p, m;
		vigil_profile_init(&p);
		vigil_profile_init(&m);
		vigil_profile_add_segment(&p, &v);
		vigil_profile_add_segment(&p, &v); /* the same process twice: merges its files */
		vigil_profile_merge(&m, &p);
		/* the version 2 counters a live reader takes from the shards, and the rules on the result */
		uint64_t sum = 0;
		for (uint32_t i = 0; i < v.hdr->n_shards; i++) {
			const struct vigil_shard_ext *x = vigil_seg_shard_ext(&v, i);
			sum += x ? x->positioned_reads + x->nonseq_writes + x->misaligned : 0;
		}
		fprintf(devnull, "%llu", (unsigned long long)sum);
		const struct vigil_accel *acc = vigil_seg_accel(&v);
		if (acc) { /* as vd_accel_read: the region, then kernels_used + 1 records of the table */
			static struct vd_asnap snap;
			uint32_t nk = vd_accel_nkern(acc->kernels_used, v.hdr->n_kernels);
			vd_accel_parse((const unsigned char *)acc, (const unsigned char *)vigil_seg_kernel(&v, 0), nk,
			               v.hdr->kernel_size, &snap);
			fprintf(devnull, "%u %s", snap.nkern, snap.nkern ? snap.kern[snap.nkern - 1].name : "");
		}
		struct vigil_insights_conf c;
		vigil_insights_conf_default(&c);
		vigil_insights_judge_profile(&m, &c);
		vigil_profile_write_json(&m, devnull);
		vigil_profile_free(&p);
		vigil_profile_free(&m);
	} else if (!why) {
		abort(); /* every rejection must say why */
	}
	free(copy);
	return 0;
}
