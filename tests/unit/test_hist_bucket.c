/*
 * test_hist_bucket.c - the collector's inline size-histogram bucket (col_hist_bucket,
 * src/collector/col.h) against a bit-counting oracle and the readers' vigil_hist_bucket:
 * bucket 0 for 0, else 1 + floor(log2 n), at most VIGIL_HIST_BUCKETS - 1.
 */
#include "collector/col.h"
#include "check.h"

static unsigned oracle(uint64_t n)
{
	unsigned b = 0;
	while (n) { /* bits needed to write n */
		b++;
		n >>= 1;
	}
	return b < VIGIL_HIST_BUCKETS ? b : VIGIL_HIST_BUCKETS - 1;
}

static void one(uint64_t n)
{
	CHECK_U64(col_hist_bucket(n), oracle(n));
	CHECK_U64(vigil_hist_bucket(n), oracle(n));
}

int main(void)
{
	CHECK_U64(col_hist_bucket(0), 0);
	CHECK_U64(col_hist_bucket(1), 1);
	CHECK_U64(col_hist_bucket(3), 2);
	CHECK_U64(col_hist_bucket(4), 3);
	CHECK_U64(col_hist_bucket((1ull << 30) - 1), 30);
	CHECK_U64(col_hist_bucket(1ull << 30), 31);
	CHECK_U64(col_hist_bucket(UINT64_MAX), 31);
	for (uint64_t n = 0; n < 70000; n++)
		one(n);
	for (int k = 0; k < 64; k++)
		for (int d = -2; d <= 2; d++)
			one((1ull << k) + (uint64_t)(int64_t)d);
	uint64_t x = 88172645463325252ull; /* xorshift: sizes of every magnitude */
	for (int i = 0; i < 1000000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		one(x >> (x & 63));
	}
	return check_failures != 0;
}
