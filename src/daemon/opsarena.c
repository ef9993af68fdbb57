/*
 * opsarena.c - the per-process op arrays (struct vd_raw[VIGIL_NOPS], 40 KiB:
 * each process's counted totals and vigild's copy of each used shard) in
 * 2 MiB-aligned chunks marked MADV_HUGEPAGE, not among the small blocks of
 * the heap.
 *
 * Why (issue 12, bench/daemon/RESULTS.md): a pass touches one or two lines of
 * each of these arrays per process, 1,000s of processes every 100 ms; from
 * malloc each lies on its own 4 KiB pages and the small per-process blocks
 * between them end up 80 KiB apart, so nearly every access was a TLB miss.
 * Here 51 arrays share a huge page (when the kernel grants one: THP in
 * "madvise" mode or "always"; otherwise the same memory in 4 KiB pages), and
 * the heap's small blocks stay dense.  Only this allocation is affected, not
 * the process (glibc's malloc tunable would apply to every allocation).
 * Freed arrays go to a free list; chunks are kept (bounded by the peak).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "daemon/daemon.h"

#define ARENA_CHUNK (2u << 20)
#define ARENA_BLOCK ((sizeof(struct vd_raw) * VIGIL_NOPS + 63) & ~(size_t)63)

static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER; /* API threads free nothing, but cheap */
static void *arena_free;        /* free list, linked through each block's first word */
static unsigned char *arena_cur; /* the chunk being carved */
static size_t arena_left;

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

struct vd_raw *vd_ops_new(void)
{
	void *b = NULL;
	bool used = false; /* (fresh chunk memory is zero already) */
	pthread_mutex_lock(&arena_lock);
	if (arena_free) {
		b = arena_free;
		memcpy(&arena_free, b, sizeof arena_free);
		used = true;
	} else {
		if (arena_left < ARENA_BLOCK && (arena_cur = arena_chunk()))
			arena_left = ARENA_CHUNK;
		if (arena_cur && arena_left >= ARENA_BLOCK) {
			b = arena_cur;
			arena_cur += ARENA_BLOCK;
			arena_left -= ARENA_BLOCK;
		}
	}
	pthread_mutex_unlock(&arena_lock);
	if (used)
		memset(b, 0, ARENA_BLOCK);
	return b;
}

void vd_ops_free(struct vd_raw *ops)
{
	if (!ops)
		return;
	pthread_mutex_lock(&arena_lock);
	memcpy(ops, &arena_free, sizeof arena_free);
	arena_free = ops;
	pthread_mutex_unlock(&arena_lock);
}
