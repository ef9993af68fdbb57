/*
 * segfab.h - build segments in memory for tests, exactly as the collector
 * lays them out (header, identity at 1024, files at 4096, shards after), with
 * a chosen geometry so tests can also make small or odd ones.
 */
#ifndef VIGIL_TEST_SEGFAB_H
#define VIGIL_TEST_SEGFAB_H

#include <stdlib.h>
#include <string.h>
#include "vigil/segment.h"

/* 2001-09-09T01:46:40Z: a round start time for exact checks. */
#define FAB_T0_NS 1000000000000000000ull

struct fab {
	unsigned char *buf;
	size_t len;
	struct vigil_seg_header *h;
	struct vigil_seg_identity *id;
};

#define FAB_KERNELS 4  /* kernel records of a fabricated version-2 segment */
/* Where a shard's ops start: after a 5-layer timeline (version 2) or a 4-layer one (version 1). */
#define FAB_V1_OPS_OFFSET (offsetof(struct vigil_shard, timeline) + VIGIL_TL_BINS * 4 * sizeof(struct vigil_tl_bin))
static inline size_t fab_ops_offset(uint32_t version)
{
	return version >= 2 ? sizeof(struct vigil_shard) : FAB_V1_OPS_OFFSET;
}

/* Version 2 shards end with struct vigil_shard_ext; version 1 shards do not. */
static inline uint32_t fab_shard_size_v(uint32_t n_ops, uint32_t version)
{
	size_t ext = version >= 2 ? sizeof(struct vigil_shard_ext) : 0;
	return (uint32_t)((fab_ops_offset(version) + (size_t)n_ops * sizeof(struct vigil_op_counters) + ext + 63) &
	                  ~(size_t)63);
}

static inline uint32_t fab_shard_size(uint32_t n_ops)
{
	return fab_shard_size_v(n_ops, VIGIL_SEG_VERSION);
}

static inline uint32_t fab_file_size_v(uint32_t version)
{
	return (uint32_t)(version >= 2 ? sizeof(struct vigil_file) : VIGIL_FILE_V1_SIZE);
}

/* A valid, ended segment of `version` (1: as collectors before segment v2 wrote) with the NS clock, pid 100, job "job1". */
static inline struct fab fab_new_v(uint32_t n_ops, uint32_t n_shards, uint32_t n_files, uint32_t version)
{
	struct fab f;
	uint64_t files_off = VIGIL_FILES_OFFSET;
	uint64_t shards_off = (files_off + (uint64_t)n_files * fab_file_size_v(version) + 63) & ~63ull;
	uint32_t ss = fab_shard_size_v(n_ops, version);
	f.len = (size_t)(shards_off + (uint64_t)n_shards * ss);
	/* version 2: the accelerator region and a small kernel table after the shards */
	uint64_t accel_off = (f.len + 63) & ~63ull, kernels_off = accel_off + sizeof(struct vigil_accel);
	if (version >= 2)
		f.len = (size_t)(kernels_off + FAB_KERNELS * sizeof(struct vigil_kernel));
	f.buf = aligned_alloc(64, (f.len + 63) & ~(size_t)63);
	memset(f.buf, 0, f.len);
	f.h = (struct vigil_seg_header *)f.buf;
	f.id = (struct vigil_seg_identity *)(f.buf + VIGIL_IDENT_OFFSET);
	vigil_seg_header_init(f.h);
	f.h->version = version;
	f.h->file_size = fab_file_size_v(version);
	/* this fabricated segment's own geometry */
	f.h->segment_size = f.len;
	f.h->n_ops = n_ops;
	f.h->n_shards = n_shards;
	f.h->shard_size = ss;
	f.h->shards_offset = shards_off;
	if (version >= 2) {
		f.h->accel_offset = accel_off;
		f.h->n_kernels = FAB_KERNELS;
		f.h->kernels_offset = kernels_off;
	} else {
		f.h->header_size = VIGIL_V1_HEADER_SIZE;
		f.h->n_layers = VIGIL_V1_NLAYERS;
		memset((char *)f.h + VIGIL_V1_HEADER_SIZE, 0, sizeof(struct vigil_seg_header) - VIGIL_V1_HEADER_SIZE);
	}
	f.h->n_files = n_files;
	f.h->files_offset = files_off;
	f.h->clock.source = VIGIL_CLOCK_NS;
	f.h->clock.start_ticks = 5000000000ull;
	f.h->clock.start_mono_ns = 5000000000ull;
	f.h->clock.start_real_ns = FAB_T0_NS;
	f.h->clock.end_ticks = 7000000000ull;
	f.h->clock.end_mono_ns = 7000000000ull;
	f.h->clock.end_real_ns = FAB_T0_NS + 2000000000ull;
	f.h->state = VIGIL_STATE_ENDED;
	f.id->pid = 100;
	f.id->ppid = 1;
	f.id->uid = 1000;
	f.id->rank = -1;
	f.id->exit_status = 0;
	f.id->exec_count = 1;
	strcpy(f.id->job_id, "job1");
	strcpy(f.id->run_id, "run1");
	strcpy(f.id->host, "node1");
	strcpy(f.id->exe, "/usr/bin/app");
	strcpy(f.id->cmdline, "app --in data");
	for (uint32_t s = 0; s < n_shards; s++)
		((struct vigil_shard *)(f.buf + shards_off + (uint64_t)s * ss))->tl_shift = VIGIL_TL_SHIFT0;
	return f;
}

static inline struct fab fab_new(uint32_t n_ops, uint32_t n_shards, uint32_t n_files)
{
	return fab_new_v(n_ops, n_shards, n_files, VIGIL_SEG_VERSION);
}

static inline struct vigil_shard *fab_shard(struct fab *f, uint32_t s)
{
	return (struct vigil_shard *)(f->buf + f->h->shards_offset + (uint64_t)s * f->h->shard_size);
}

static inline void fab_op(struct fab *f, uint32_t shard, int op, uint64_t calls, uint64_t bytes,
                          uint64_t ticks, uint64_t req_size)
{
	struct vigil_op_counters *c = (struct vigil_op_counters *)((unsigned char *)fab_shard(f, shard) +
	                                                           fab_ops_offset(f->h->version)) + op;
	c->calls += calls;
	c->bytes += bytes;
	c->ticks += ticks;
	c->hist[vigil_hist_bucket(req_size)] += calls;
}

static inline struct vigil_file *fab_file(struct fab *f, uint32_t i, int kind, const char *path)
{
	struct vigil_file *r = (struct vigil_file *)(f->buf + f->h->files_offset + (uint64_t)i * f->h->file_size);
	r->hash = 0x1234 + i;
	r->kind = (uint32_t)kind;
	if (path) {
		strncpy(r->path, path, VIGIL_PATH_MAX - 1);
		r->path_len = (uint32_t)strlen(path);
	}
	return r;
}

/* A version-1 segment (4 layers, no extensions, no accelerator region) and counting into it. */
static inline struct fab fab_new_v1(uint32_t n_ops, uint32_t n_shards, uint32_t n_files)
{
	return fab_new_v(n_ops, n_shards, n_files, 1);
}

static inline void fab_op_v1(struct fab *f, uint32_t shard, int op, uint64_t calls, uint64_t bytes)
{
	fab_op(f, shard, op, calls, bytes, 0, 0);
}

static inline void fab_free(struct fab *f)
{
	free(f->buf);
	f->buf = NULL;
}

#endif
