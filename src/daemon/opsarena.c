/*
 * opsarena.c - the per-process blocks a sampling pass touches, in 2 MiB-aligned
 * chunks marked MADV_HUGEPAGE instead of spread through the heap: the op
 * arrays (struct vd_raw[VIGIL_NOPS], 40 KiB: each process's counted totals and
 * vigild's copy of each used shard), the processes (struct vd_proc) and their
 * sampler blocks (struct vd_sproc with its op maps, up to VIGIL_SHARDS shards).
 *
 * Why (issue 12, bench/daemon/RESULTS.md): a pass touches a line or two of
 * each of these per process, 1,000s of processes every 100 ms, with the
 * writers' cores evicting everything in between; from malloc each lay on its
 * own 4 KiB pages, the small blocks 80 KiB apart between the op arrays, so
 * nearly every first touch was also a TLB miss.  Here a class's blocks share
 * huge pages (when the kernel grants them: THP "madvise" or "always";
 * otherwise the same memory in 4 KiB pages).  Only these allocations are
 * affected, not the process (glibc's malloc tunable would apply to all).
 * Freed blocks go to their class's free list; chunks are kept (bounded by the
 * peak).  Blocks are 64-byte aligned and zeroed.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "daemon/daemon.h"

#define ARENA_CHUNK (2u << 20)

struct vd_arena vd_arena_ops = { .block = sizeof(struct vd_raw) * VIGIL_NOPS };
struct vd_arena vd_arena_procs = { .block = sizeof(struct vd_proc) };

static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER; /* (API threads allocate nothing here; cheap) */

/* A 2 MiB-aligned chunk of 2 MiB (an unaligned one could not be a huge page). */
static unsigned char *arena_chunk(void)
{
	unsigned char *m = mmap(NULL, 2 * ARENA_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)m + ARENA_CHUNK - 1) & ~(uintptr_t)(ARENA_CHUNK - 1);
	if (a > (uintptr_t)m)
		munmap(m, a - (uintptr_t)m);
	munmap((void *)(a + ARENA_CHUNK), (uintptr_t)m + 2 * ARENA_CHUNK - (a + ARENA_CHUNK));
	madvise((void *)a, ARENA_CHUNK, MADV_HUGEPAGE); /* a hint: refused, 4 KiB pages serve */
	return (unsigned char *)a;
}

void *vd_arena_new(struct vd_arena *a)
{
	size_t block = (a->block + 63) & ~(size_t)63;
	void *b = NULL;
	bool used = false; /* (fresh chunk memory is zero already) */
	pthread_mutex_lock(&arena_lock);
	if (a->free) {
		b = a->free;
		memcpy(&a->free, b, sizeof a->free);
		used = true;
	} else {
		if (a->left < block && (a->cur = arena_chunk()))
			a->left = ARENA_CHUNK;
		if (a->cur && a->left >= block) {
			b = a->cur;
			a->cur += block;
			a->left -= block;
		}
	}
	pthread_mutex_unlock(&arena_lock);
	if (used)
		memset(b, 0, block);
	return b;
}

void vd_arena_free(struct vd_arena *a, void *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&arena_lock);
	memcpy(b, &a->free, sizeof a->free);
	a->free = b;
	pthread_mutex_unlock(&arena_lock);
}

struct vd_raw *vd_ops_new(void)
{
	return vd_arena_new(&vd_arena_ops);
}

void vd_ops_free(struct vd_raw *ops)
{
	vd_arena_free(&vd_arena_ops, ops);
}
