/*
 * segread.c - validate a private copy of a segment before anyone reads it.
 *
 * A segment is written by the process it describes, so its owner can put any
 * bytes in it at any time.  Everything a reader dereferences is checked here,
 * once, against the copy's length: afterwards the accessors only index within
 * bounds that were proven.  Arithmetic is done in 64 bits on values that are
 * at most 32 bits wide, or with explicit overflow checks, so no field can
 * wrap an offset back into range.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "format/profile.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define SEG_HAVE_TSC 1
#endif

/* Larger than any segment this format can describe sensibly; bounds the reader's copy. */
#define SEG_MAX_SHARDS 4096u
#define SEG_MAX_FILES  (1u << 20)

static int seg_fail(const char **why, const char *reason, int err)
{
	if (why)
		*why = reason;
	return err;
}

/* off + count * size <= len, without overflow; off must be 8-aligned. */
static int seg_area_ok(uint64_t off, uint64_t count, uint64_t size, size_t len)
{
	if (off % 8 != 0 || off > len)
		return 0;
	if (size != 0 && count > UINT64_MAX / size)
		return 0;
	return count * size <= (uint64_t)len - off;
}

#define SEG_STR_OK(s) (memchr((s), '\0', sizeof(s)) != NULL)

double vigil_reader_tsc_seconds(void)
{
#ifdef SEG_HAVE_TSC
	/* Cached after the first call; a benign race only repeats the measurement. */
	static double cached;
	if (cached > 0)
		return cached;
	struct timespec t0, t1, pause = { 0, 6 * 1000 * 1000 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t c0 = __rdtsc();
	double dt;
	uint64_t c1;
	do {
		nanosleep(&pause, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		c1 = __rdtsc();
		dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	} while (dt < 0.005);
	if (c1 <= c0)
		return 0;
	cached = dt / (double)(c1 - c0);
	return cached;
#else
	return 0;
#endif
}

static uint64_t seg_mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void vigil_reader_tsc_mark(struct vigil_tsc_mark *m)
{
#ifdef SEG_HAVE_TSC
	m->tsc = __rdtsc();
	m->mono_ns = seg_mono_ns();
#else
	m->tsc = 0;
	m->mono_ns = 0;
#endif
}

double vigil_reader_tsc_since(const struct vigil_tsc_mark *m)
{
#ifdef SEG_HAVE_TSC
	uint64_t c1 = __rdtsc(), t1 = seg_mono_ns();
	if (!m->tsc || c1 <= m->tsc || t1 < m->mono_ns + 1000000u)
		return 0;
	return (double)(t1 - m->mono_ns) * 1e-9 / (double)(c1 - m->tsc);
#else
	(void)m;
	return 0;
#endif
}

/* A plausible tick length lies between 1 ps (1 THz) and 1 us (1 MHz). */
static int seg_rate_ok(double s)
{
	return s >= 1e-12 && s <= 1e-6;
}

static double seg_tick_seconds(const struct vigil_seg_clock *c, double reader)
{
	if (c->source == VIGIL_CLOCK_NS)
		return 1e-9;
	if (c->end_ticks > c->start_ticks && c->end_mono_ns >= c->start_mono_ns + 10000000ull) {
		double s = (double)(c->end_mono_ns - c->start_mono_ns) * 1e-9 /
		           (double)(c->end_ticks - c->start_ticks);
		if (seg_rate_ok(s))
			return s;
	}
	if (seg_rate_ok(reader))
		return reader;
	double own = vigil_reader_tsc_seconds();
	/* No calibration at all: nanoseconds is the only guess that is not arbitrary. */
	return seg_rate_ok(own) ? own : 1e-9;
}

int vigil_seg_parse(const void *buf, size_t len, double reader_tick_seconds,
                    struct vigil_seg_view *v, const char **why)
{
	const unsigned char *base = buf;
	const struct vigil_seg_header *h = buf;

	if (why)
		*why = NULL;
	memset(v, 0, sizeof(*v));
	if (!buf || len < sizeof(*h))
		return seg_fail(why, "truncated", -EBADMSG);
	if ((uintptr_t)buf % 8 != 0)
		return seg_fail(why, "misaligned copy", -EINVAL);
	if (memcmp(h->magic, VIGIL_SEG_MAGIC, sizeof(h->magic)) != 0)
		return seg_fail(why, "bad magic", -EBADMSG);
	if (h->version < VIGIL_SEG_VERSION_MIN || h->version > VIGIL_SEG_VERSION)
		return seg_fail(why, "unsupported version", -EPROTONOSUPPORT);
	int v2 = h->version >= 2; /* file records end with ext[], shards with a struct vigil_shard_ext */
	int v1 = !v2;             /* also: 4 layers, a 232-byte header, no accelerator region */
	uint32_t hdr_need = v1 ? VIGIL_V1_HEADER_SIZE : (uint32_t)sizeof(*h);
	if (h->header_size < hdr_need || h->header_size > len)
		return seg_fail(why, "bad header size", -EBADMSG);
	if (h->segment_size > len)
		return seg_fail(why, "truncated", -EBADMSG);
	if (h->segment_size < h->header_size)
		return seg_fail(why, "bad segment size", -EBADMSG);
	/* Everything below is bounded by what the segment says it is, inside the copy. */
	len = (size_t)h->segment_size;

	if (h->n_layers != (v1 ? VIGIL_V1_NLAYERS : VIGIL_NLAYERS) || h->n_hist != VIGIL_HIST_BUCKETS ||
	    h->n_tl_bins != VIGIL_TL_BINS || h->n_flayers != VIGIL_NFLAYERS)
		return seg_fail(why, "bad geometry", -EBADMSG);
	if (h->n_ops == 0 || h->n_shards == 0 || h->n_shards > SEG_MAX_SHARDS)
		return seg_fail(why, "bad geometry", -EBADMSG);
	uint64_t ops_off = vigil_seg_ops_offset(h);
	uint64_t shard_need = ops_off + (uint64_t)h->n_ops * sizeof(struct vigil_op_counters) +
	                      (v2 ? sizeof(struct vigil_shard_ext) : 0);
	if (h->shard_size % 8 != 0 || h->shard_size < shard_need)
		return seg_fail(why, "bad shard size", -EBADMSG);
	if (!seg_area_ok(h->shards_offset, h->n_shards, h->shard_size, len) ||
	    h->shards_offset < h->header_size)
		return seg_fail(why, "shards out of bounds", -EBADMSG);
	if (h->n_files > SEG_MAX_FILES || h->file_size % 8 != 0 ||
	    h->file_size < (v2 ? sizeof(struct vigil_file) : VIGIL_FILE_V1_SIZE))
		return seg_fail(why, "bad file table", -EBADMSG);
	if (!seg_area_ok(h->files_offset, h->n_files, h->file_size, len) ||
	    h->files_offset < h->header_size)
		return seg_fail(why, "files out of bounds", -EBADMSG);
	/*
	 * The identity may not share bytes with the shards: vigild validates the
	 * identity, then reads the shards into the same copy, which would replace
	 * the checked strings with whatever the owner wrote meanwhile.
	 */
	uint64_t shards_end = h->shards_offset + (uint64_t)h->n_shards * h->shard_size; /* checked above */
	/* version 1's identity ends before exec_target */
	uint64_t ident_min = h->version == 1 ? offsetof(struct vigil_seg_identity, exec_target)
	                                     : sizeof(struct vigil_seg_identity);
	if (h->ident_size < ident_min ||
	    !seg_area_ok(h->ident_offset, 1, h->ident_size, len) ||
	    h->ident_offset < h->header_size ||
	    (h->ident_offset < shards_end && h->ident_offset + h->ident_size > h->shards_offset))
		return seg_fail(why, "identity out of bounds", -EBADMSG);
	/* Version 2's accelerator region: anywhere after the header, inside the segment. */
	if (!v1 && (h->accel_size < sizeof(struct vigil_accel) ||
	            !seg_area_ok(h->accel_offset, 1, h->accel_size, len) ||
	            h->accel_offset < h->header_size))
		return seg_fail(why, "accelerator region out of bounds", -EBADMSG);
	if (!v1 && (h->n_kernels > SEG_MAX_FILES || h->kernel_size % 8 != 0 ||
	            h->kernel_size < sizeof(struct vigil_kernel) ||
	            !seg_area_ok(h->kernels_offset, h->n_kernels, h->kernel_size, len) ||
	            h->kernels_offset < h->header_size))
		return seg_fail(why, "kernel table out of bounds", -EBADMSG);
	if (h->clock.source != VIGIL_CLOCK_NS && h->clock.source != VIGIL_CLOCK_TSC)
		return seg_fail(why, "bad clock source", -EBADMSG);
	if (h->state == VIGIL_STATE_INIT)
		return seg_fail(why, "not initialised", -EAGAIN);
	if (h->state != VIGIL_STATE_RUNNING && h->state != VIGIL_STATE_ENDED)
		return seg_fail(why, "bad state", -EBADMSG);

	const struct vigil_seg_identity *id = (const void *)(base + h->ident_offset);
	if (!SEG_STR_OK(id->job_id) || !SEG_STR_OK(id->step) || !SEG_STR_OK(id->run_id) ||
	    !SEG_STR_OK(id->host) || !SEG_STR_OK(id->exe) || !SEG_STR_OK(id->cmdline) ||
	    !SEG_STR_OK(id->mpi_impl) || (h->version > 1 && !SEG_STR_OK(id->exec_target)))
		return seg_fail(why, "unterminated string", -EBADMSG);

	v->base = base;
	v->len = len;
	v->hdr = h;
	v->id = id;
	v->n_ops = h->n_ops < VIGIL_NOPS ? h->n_ops : VIGIL_NOPS;
	v->has_ext = v2;
	v->exec_target = h->version > 1 ? id->exec_target : "";
	v->n_layers = h->n_layers;
	v->ops_offset = (uint32_t)ops_off;
	v->tick_seconds = seg_tick_seconds(&h->clock, reader_tick_seconds);
	return 0;
}

const struct vigil_shard *vigil_seg_shard(const struct vigil_seg_view *v, uint32_t i)
{
	if (!v->hdr || i >= v->hdr->n_shards)
		return NULL;
	return (const void *)(v->base + v->hdr->shards_offset + (uint64_t)i * v->hdr->shard_size);
}

uint64_t vigil_seg_ops_offset(const struct vigil_seg_header *h)
{
	return offsetof(struct vigil_shard, timeline) +
	       (uint64_t)h->n_tl_bins * h->n_layers * sizeof(struct vigil_tl_bin);
}

const struct vigil_op_counters *vigil_seg_ops(const struct vigil_seg_view *v, uint32_t shard)
{
	const struct vigil_shard *s = vigil_seg_shard(v, shard);
	return s ? (const void *)((const unsigned char *)s + v->ops_offset) : NULL;
}

const struct vigil_tl_bin *vigil_seg_tl_row(const struct vigil_seg_view *v, uint32_t shard, uint32_t bin)
{
	const struct vigil_shard *s = vigil_seg_shard(v, shard);
	if (!s || bin >= VIGIL_TL_BINS)
		return NULL;
	return (const struct vigil_tl_bin *)((const unsigned char *)s + offsetof(struct vigil_shard, timeline)) +
	       (size_t)bin * v->n_layers;
}

const struct vigil_accel *vigil_seg_accel(const struct vigil_seg_view *v)
{
	if (!v->hdr || v->hdr->version == VIGIL_SEG_VERSION_V1)
		return NULL;
	return (const void *)(v->base + v->hdr->accel_offset);
}

const struct vigil_kernel *vigil_seg_kernel(const struct vigil_seg_view *v, uint32_t i)
{
	if (!v->hdr || v->hdr->version == VIGIL_SEG_VERSION_V1 || i >= v->hdr->n_kernels)
		return NULL;
	return (const void *)(v->base + v->hdr->kernels_offset + (uint64_t)i * v->hdr->kernel_size);
}

const struct vigil_shard_ext *vigil_seg_shard_ext(const struct vigil_seg_view *v, uint32_t i)
{
	const unsigned char *s = (const void *)vigil_seg_shard(v, i);
	return s && v->has_ext ? (const void *)(s + vigil_shard_ext_offset(v->hdr->n_ops)) : NULL;
}

const struct vigil_file_ext *vigil_seg_file_ext(const struct vigil_seg_view *v, uint32_t i, int flayer)
{
	const struct vigil_file *f = vigil_seg_file(v, i);
	return f && v->has_ext && flayer >= 0 && flayer < VIGIL_NFLAYERS ? &f->ext[flayer] : NULL;
}

const struct vigil_file *vigil_seg_file(const struct vigil_seg_view *v, uint32_t i)
{
	if (!v->hdr || i >= v->hdr->n_files)
		return NULL;
	return (const void *)(v->base + v->hdr->files_offset + (uint64_t)i * v->hdr->file_size);
}

int vigil_seg_copy_settled(int fd, const void *copy, size_t len)
{
	const size_t at = offsetof(struct vigil_seg_header, reserved) + 8 * VIGIL_SEG_FILES_SEQ_SLOT;
	uint64_t was, now;
	if (len < at + sizeof(was))
		return 1;
	memcpy(&was, (const unsigned char *)copy + at, sizeof(was));
	if (pread(fd, &now, sizeof(now), (off_t)at) != (ssize_t)sizeof(now))
		return 1; /* the file went: nothing better to read */
	return !(was & 1) && was == now;
}

void vigil_seg_copy_wait(int attempt)
{
	struct timespec ts = { 0, attempt < 3 ? 0 : 1000000 }; /* a reclaim takes microseconds; a writer preempted in one, a tick */
	if (ts.tv_nsec)
		nanosleep(&ts, NULL);
}
