/*
 * driver.c - a deterministic stand-in for libFuzzer's main: replays every file
 * of a corpus folder, then N seeded random mutations of them (bit flips, byte
 * sets, truncations, splices, interesting integers).  Run under ASan/UBSan in
 * `make check-asan`; any crash or sanitizer report fails the test.
 * usage: fuzz_X CORPUS_DIR [ITERATIONS]
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct seed { uint8_t *data; size_t len; };

static void mutate(uint8_t *buf, size_t *len, size_t cap, const struct seed *other)
{
	static const uint64_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff,
		0x7fffffff, 0xffffffff, 0x8000000000000000ull, ~0ull, 4096, 65536 };
	int rounds = 1 + (int)(rng() % 8);
	for (int r = 0; r < rounds; r++) {
		size_t n = *len;
		switch (rng() % 6) {
		case 0: if (n) buf[rng() % n] ^= (uint8_t)(1u << (rng() % 8)); break;
		case 1: if (n) buf[rng() % n] = (uint8_t)rng(); break;
		case 2: if (n) *len = rng() % n; break;
		case 3: if (n >= 8) {
				uint64_t v = interesting[rng() % (sizeof(interesting) / sizeof(*interesting))];
				size_t at = (rng() % (n / 8)) * 8; /* aligned: hits header fields */
				memcpy(buf + at, &v, rng() % 2 ? 8 : 4);
			}
			break;
		case 4: if (other->len && n < cap) {
				size_t at = n ? rng() % n : 0, take = rng() % other->len;
				if (at + take > cap) take = cap - at;
				size_t from = rng() % (other->len - take + 1); /* take <= len */
				memcpy(buf + at, other->data + from, take);
				if (at + take > *len) *len = at + take;
			}
			break;
		case 5: if (n < cap) { size_t add = rng() % 64; if (n + add > cap) add = cap - n;
				for (size_t i = 0; i < add; i++) buf[n + i] = (uint8_t)rng();
				*len = n + add; }
			break;
		}
	}
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	long iters = argc > 2 ? atol(argv[2]) : 10000;
	struct seed seeds[256];
	size_t nseeds = 0, maxlen = 64;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) && nseeds < 256) {
			if (e->d_name[0] == '.')
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			FILE *f = fopen(path, "rb");
			if (!f)
				continue;
			fseek(f, 0, SEEK_END);
			long l = ftell(f);
			fseek(f, 0, SEEK_SET);
			if (l < 0 || l > (16 << 20)) { fclose(f); continue; }
			seeds[nseeds].data = malloc((size_t)l + 1);
			seeds[nseeds].len = fread(seeds[nseeds].data, 1, (size_t)l, f);
			fclose(f);
			if (seeds[nseeds].len > maxlen)
				maxlen = seeds[nseeds].len;
			nseeds++;
		}
		closedir(d);
	}
	if (nseeds == 0) { /* no corpus: random inputs only */
		seeds[0].data = calloc(1, 64);
		seeds[0].len = 64;
		nseeds = 1;
	}
	for (size_t i = 0; i < nseeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
	size_t cap = maxlen + 256;
	uint8_t *buf = malloc(cap);
	for (long i = 0; i < iters; i++) {
		const struct seed *s = &seeds[rng() % nseeds];
		size_t len = s->len;
		memcpy(buf, s->data, len);
		mutate(buf, &len, cap, &seeds[rng() % nseeds]);
		/* exact-size heap copy so ASan sees any read past the end */
		uint8_t *exact = malloc(len ? len : 1);
		memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	printf("fuzz: %zu seeds, %ld mutations, no crash\n", nseeds, iters);
	free(buf);
	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i].data);
	return 0;
}
