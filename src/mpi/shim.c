/*
 * shim.c - libvigil-mpi.so: what `vigil run` and the SPANK plugin preload
 * for MPI, in place of both MPI collectors (docs/MPI-COUNTING.md).
 *
 * Every MPI name either collector exports is here a one-instruction
 * trampoline, `jmp *vs_slot[k]` (shim_syms.S, generated from the built
 * collectors by shim_gen.sh).  Slots start at lazy stubs that put k in %r11
 * and enter vs_lazy, which saves the argument registers (and %al, which a
 * varargs call sets) and calls vs_resolve(k).  The first MPI call decides
 * for the whole process, as the collectors do (mpi_detect.c): the collector
 * of the MPI that runs here is dlopen'ed from the shim's own directory and
 * every slot points at its definition; names it lacks, or every name when
 * nothing is to be counted, go to the next definition.  So a process that
 * never calls MPI maps this small library only and runs no code of it (no
 * constructor; the slot table holds only relative relocations, and with lazy
 * binding, the default, none of its few libc imports is looked up), and an
 * MPI call costs one jump more than with the collector preloaded.
 */
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "mpi/mpi_detect.h"

#define VS_HIDDEN __attribute__((visibility("hidden")))

/*
 * From shim_syms.S: the slots, the names in slot order (each NUL-terminated),
 * and per slot whether the first call found no definition for it (the slot
 * then stays at its lazy stub).
 */
extern void *vs_slot[] VS_HIDDEN;
extern const char vs_names[] VS_HIDDEN;
extern const unsigned vs_nslots VS_HIDDEN;
extern unsigned char vs_undef[] VS_HIDDEN;

void *vs_resolve(unsigned k) VS_HIDDEN;

/*
 * Entered with k in %r11 and the MPI call's arguments untouched; leaves for
 * what vs_resolve(k) returns with them restored.  The stack is 16-byte
 * aligned for the call and the xmm saves.  The CFI (a frame on %rbp) lets
 * debuggers and profilers unwind through it.
 */
__asm__(
	".text\n"
	".globl vs_lazy\n"
	".hidden vs_lazy\n"
	".type vs_lazy,@function\n"
	"vs_lazy:\n"
	"	.cfi_startproc\n"
	"	pushq %rbp\n"
	"	.cfi_def_cfa_offset 16\n"
	"	.cfi_offset %rbp, -16\n"
	"	movq %rsp, %rbp\n"
	"	.cfi_def_cfa_register %rbp\n"
	"	andq $-16, %rsp\n"
	"	subq $192, %rsp\n"
	"	movq %rdi, 0(%rsp)\n"
	"	movq %rsi, 8(%rsp)\n"
	"	movq %rdx, 16(%rsp)\n"
	"	movq %rcx, 24(%rsp)\n"
	"	movq %r8, 32(%rsp)\n"
	"	movq %r9, 40(%rsp)\n"
	"	movq %rax, 48(%rsp)\n"
	"	movaps %xmm0, 64(%rsp)\n"
	"	movaps %xmm1, 80(%rsp)\n"
	"	movaps %xmm2, 96(%rsp)\n"
	"	movaps %xmm3, 112(%rsp)\n"
	"	movaps %xmm4, 128(%rsp)\n"
	"	movaps %xmm5, 144(%rsp)\n"
	"	movaps %xmm6, 160(%rsp)\n"
	"	movaps %xmm7, 176(%rsp)\n"
	"	movl %r11d, %edi\n"
	"	call vs_resolve\n"
	"	movq %rax, %r11\n"
	"	movq 0(%rsp), %rdi\n"
	"	movq 8(%rsp), %rsi\n"
	"	movq 16(%rsp), %rdx\n"
	"	movq 24(%rsp), %rcx\n"
	"	movq 32(%rsp), %r8\n"
	"	movq 40(%rsp), %r9\n"
	"	movq 48(%rsp), %rax\n"
	"	movaps 64(%rsp), %xmm0\n"
	"	movaps 80(%rsp), %xmm1\n"
	"	movaps 96(%rsp), %xmm2\n"
	"	movaps 112(%rsp), %xmm3\n"
	"	movaps 128(%rsp), %xmm4\n"
	"	movaps 144(%rsp), %xmm5\n"
	"	movaps 160(%rsp), %xmm6\n"
	"	movaps 176(%rsp), %xmm7\n"
	"	movq %rbp, %rsp\n"
	"	popq %rbp\n"
	"	.cfi_def_cfa %rsp, 8\n"
	"	jmp *%r11\n"
	"	.cfi_endproc\n"
	".size vs_lazy, .-vs_lazy\n");

/*
 * The next definition of NAME after the shim: the MPI library (or a tool
 * preloaded after vigil), else a known libmpi loaded privately (dlopen'ed
 * MPI, e.g. mpi4py).  Also the collector's lookup (vigil_mpi_set_next),
 * since RTLD_NEXT from a dlopen'ed library sees only its own dependencies.
 */
static void *vs_next(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	return p ? p : vigil_mpi_private_sym(NULL, name);
}

/* A collector preloaded after the shim (old launch form in a user's LD_PRELOAD), from any directory: it counts by itself, as before. */
static int vs_collector_preloaded(void)
{
	Dl_info di;
	void *p = dlsym(RTLD_NEXT, "MPI_Init");
	if (!p || !dladdr(p, &di) || !di.dli_fname)
		return 0;
	const char *b = strrchr(di.dli_fname, '/');
	return !strncmp(b ? b + 1 : di.dli_fname, "libvigil-mpi-", 13);
}

/*
 * The collector of FAMILY, from the shim's own directory, loaded privately;
 * NULL if there is none.  The directory: that of the shim's path when it is
 * absolute; else (a relative LD_PRELOAD, and the program may have changed
 * directory since) the loader's origin, made absolute at load.
 */
static void *vs_collector(const char *family)
{
	Dl_info di;
	struct link_map *lm;
	char origin[PATH_MAX], path[PATH_MAX + 64];
	if (!dladdr1((void *)vs_next, &di, (void **)&lm, RTLD_DL_LINKMAP) || !di.dli_fname)
		return NULL;
	const char *dir = di.dli_fname;
	int len = 0;
	if (dir[0] == '/') {
		len = (int)(strrchr(dir, '/') - dir);
	} else {
		if (dlinfo(lm, RTLD_DI_ORIGIN, origin) != 0)
			return NULL;
		dir = origin;
		len = (int)strlen(origin);
	}
	int n = snprintf(path, sizeof path, "%.*s/libvigil-mpi-%s.so", len, dir, family);
	if (n <= 0 || (size_t)n >= sizeof path)
		return NULL;
	void *h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
	if (h) { /* preloaded too, before the shim or after it: it counts by itself, as before */
		dlclose(h);
		return NULL;
	}
	h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (!h)
		return NULL;
	void (*set_next)(void *(*)(const char *)) = (void (*)(void *(*)(const char *)))dlsym(h, "vigil_mpi_set_next");
	if (!set_next) { /* not a collector of this shim's version: count nothing */
		dlclose(h);
		return NULL;
	}
	set_next(vs_next);
	return h;
}

static void vs_fill(void)
{
	const char *family = vigil_mpi_detect();
	void *h = NULL;
	if (strcmp(family, "none") && dlsym(RTLD_DEFAULT, "vigil_count") && !vs_collector_preloaded())
		h = vs_collector(family);
	const char *name = vs_names;
	for (unsigned k = 0; k < vs_nslots; k++, name += strlen(name) + 1) {
		void *p = h ? dlsym(h, name) : NULL;
		if (!p)
			p = vs_next(name);
		if (p)
			__atomic_store_n(&vs_slot[k], p, __ATOMIC_RELEASE);
		else
			vs_undef[k] = 1;
	}
}

static const char *vs_name(unsigned k)
{
	const char *name = vs_names;
	for (unsigned i = 0; i < k; i++)
		name += strlen(name) + 1;
	return name;
}

/*
 * A name defined nowhere: the program took its address as an MPI function's
 * (a weak reference the shim answered) and calls it.  It returns 16, an
 * internal error in both MPI families (OpenMPI's MPI_ERR_OTHER, MPICH's
 * MPI_ERR_INTERN), and does nothing else: the collector never stops or
 * writes to the program, and an error return is what MPI code checks.
 */
static int vs_undefined(void)
{
	return 16;
}

/* The next definition of name k, for a call that has none in the slot; an MPI loaded since (dlopen) is found here. */
static void *vs_next_or_undef(unsigned k)
{
	void *p = vs_next(vs_name(k));
	return p ? p : (void *)vs_undefined;
}

/*
 * Waits for the filling thread; 0 after a second without it.  The waiter may
 * hold the loader's lock (an MPI call from a library constructor) that the
 * filler's dlopen needs: then it goes to the next definition uncounted, and
 * so does every waiter after it, rather than deadlock.
 */
static int vs_wait_filled(int *state)
{
	static int gave_up;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (__atomic_load_n(state, __ATOMIC_ACQUIRE) != 2) {
		if (__atomic_load_n(&gave_up, __ATOMIC_RELAXED))
			return 0;
		sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= 2 || (t.tv_sec - t0.tv_sec == 1 && t.tv_nsec >= t0.tv_nsec)) {
			__atomic_store_n(&gave_up, 1, __ATOMIC_RELAXED);
			return 0;
		}
	}
	return 1;
}

/*
 * Fills every slot at the first MPI call (threads arriving meanwhile wait,
 * once per process, at most a second: vs_wait_filled); a call made while filling, by the filling thread
 * itself, goes to the next definition, and so does a later call of a name
 * that had none at the first call.  Returns where call k goes.  Used:
 * its only caller is vs_lazy's top-level asm, which LTO does not see.
 */
__attribute__((used)) void *vs_resolve(unsigned k)
{
	static int state; /* 0 idle, 1 filling, 2 done */
	static unsigned long owner;
	int expect = 0;
	if (__atomic_compare_exchange_n(&state, &expect, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&owner, (unsigned long)pthread_self(), __ATOMIC_RELAXED);
		vs_fill();
		__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
	} else if (expect == 1 && __atomic_load_n(&owner, __ATOMIC_RELAXED) == (unsigned long)pthread_self()) {
		return vs_next_or_undef(k);
	} else if (!vs_wait_filled(&state)) {
		return vs_next_or_undef(k);
	}
	if (!vs_undef[k])
		return __atomic_load_n(&vs_slot[k], __ATOMIC_ACQUIRE);
	void *p = vs_next_or_undef(k);
	__atomic_store_n(&vs_slot[k], p, __ATOMIC_RELEASE);
	return p;
}
