/*
 * mpi_internal.h - shared state of one MPI collector build.
 *
 * The same sources build libvigil-mpi-openmpi.so and libvigil-mpi-mpich.so,
 * each against its implementation's mpi.h (VM_IMPL names it).  Neither links
 * libmpi: every MPI function, and every handle that OpenMPI exports as a
 * data symbol (MPI_COMM_WORLD, MPI_BYTE, ...), is looked up with dlsym once
 * MPI is known to be in the process, so the library loads harmlessly into
 * programs without MPI (the build links with -z defs to prove it).
 */
#ifndef VIGIL_MPI_INTERNAL_H
#define VIGIL_MPI_INTERNAL_H

#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif
#include <mpi.h>
#include "collector/vigil_collector.h"

#define VM_EXPORT __attribute__((visibility("default")))
#define VM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define VM_LIKELY(x) __builtin_expect(!!(x), 1)

/* What this library does with the calls it sees. */
enum vm_mode {
	VM_UNKNOWN = 0, /* not decided yet: the first call decides */
	VM_FORWARD,     /* the process runs another MPI: call the next MPI_* definition */
	VM_PASS,        /* our MPI, but no libvigil.so: call PMPI_* without counting */
	VM_COUNT,       /* our MPI and a collector: count */
};

extern int vm_mode;
extern const char *const vm_impl;   /* "openmpi" or "mpich" */

/* libvigil.so's API (vigil_collector.h), resolved at setup. */
struct vm_api {
	vigil_now_fn now;
	vigil_count_fn count;
	vigil_file_register_fn file_register;
	vigil_count_file_fn count_file;
	vigil_set_rank_fn set_rank;
	vigil_set_job_fn set_job;
	vigil_segment_fn segment;
	vigil_pause_fn pause;
	vigil_resume_fn resume;
	vigil_freeze_fn freeze;       /* NULL with a collector older than them */
	vigil_thaw_fn thaw;
	vigil_counter_get_fn counter; /* NULL with a collector before version 2 */
	vigil_counter_ret_get_fn counter_ret; /* NULL with a collector before version 3 */
};
extern struct vm_api vm_api;

/* PMPI functions vigil itself uses (never the application's wrappers). */
struct vm_pmpi {
	int (*type_size_x)(MPI_Datatype, MPI_Count *);
	int (*comm_size)(MPI_Comm, int *);
	int (*comm_rank)(MPI_Comm, int *);
	int (*comm_test_inter)(MPI_Comm, int *);
	int (*comm_remote_size)(MPI_Comm, int *);
	int (*comm_dup)(MPI_Comm, MPI_Comm *);
	int (*comm_free)(MPI_Comm *);
	int (*comm_set_errhandler)(MPI_Comm, MPI_Errhandler);
	int (*bcast)(void *, int, MPI_Datatype, int, MPI_Comm);
	int (*ibarrier)(MPI_Comm, MPI_Request *);
	int (*test)(MPI_Request *, int *, MPI_Status *);
	int (*send)(const void *, int, MPI_Datatype, int, int, MPI_Comm);
	int (*recv)(void *, int, MPI_Datatype, int, int, MPI_Comm, MPI_Status *);
	int (*probe)(int, int, MPI_Comm, MPI_Status *);
	int (*get_count)(const MPI_Status *, MPI_Datatype, int *);
	int (*finalized)(int *);
	MPI_Datatype (*type_f2c)(MPI_Fint);
	MPI_Comm (*comm_f2c)(MPI_Fint);
	MPI_File (*file_f2c)(MPI_Fint);
};
extern struct vm_pmpi vm_pmpi;

/* Handles: OpenMPI's are addresses of library data, MPICH's are constants. */
#ifdef OPEN_MPI
extern void *vm_h_world, *vm_h_byte, *vm_h_errors_return;
#define VM_COMM_WORLD        ((MPI_Comm)vm_h_world)
#define VM_BYTE              ((MPI_Datatype)vm_h_byte)
#define VM_ERRORS_RETURN     ((MPI_Errhandler)vm_h_errors_return)
#else
#define VM_COMM_WORLD        MPI_COMM_WORLD
#define VM_BYTE              MPI_BYTE
#define VM_ERRORS_RETURN     MPI_ERRORS_RETURN
#endif

void vm_setup(void);
void *vm_sym(const char *name);     /* dlsym in MPI's scope (next, default, known libmpi names) */
void *vm_next(const char *name);    /* the next definition of NAME (RTLD_NEXT, or the shim's) */

/* Decide, then: is this library counting? (slow path of every wrapper) */
static inline int vm_counting(void)
{
	int m = __atomic_load_n(&vm_mode, __ATOMIC_ACQUIRE);
	if (VM_UNLIKELY(m == VM_UNKNOWN)) {
		vm_setup();
		m = __atomic_load_n(&vm_mode, __ATOMIC_ACQUIRE);
	}
	return m == VM_COUNT;
}

/*
 * The segment's clock (vigil_now()), read inline when it is the TSC:
 * vm_tsc is set by vm_after_init() from the segment's clock source, so
 * the ticks are the collector's own.  VM_NOW(tsc) takes vm_tsc read once
 * per call (the compiler then keeps one path per clock).
 */
extern int vm_tsc;
#if defined(__x86_64__) || defined(__i386__)
#define VM_NOW(tsc) (VM_LIKELY(tsc) ? __rdtsc() : vm_api.now())
#define VM_TSC_OK vm_tsc
#define VM_RDTSC() __rdtsc()
#else
#define VM_NOW(tsc) vm_api.now()
#define VM_TSC_OK 0
#define VM_RDTSC() 0
#endif
static inline uint64_t vm_now(void)
{
	return VM_NOW(vm_tsc);
}

/* Byte rules (docs/MPI-COUNTING.md). */
/*
 * Datatype sizes, cached: PMPI_Type_size_x costs more than the rest of the
 * wrapper.  One 64-bit word per slot holds (handle << 16 | size) so a reader
 * never sees a torn entry; handles wider than 48 bits or sizes of 64 KiB and
 * more are not cached.  MPI_Type_free (wrapped) drops the entry, as a later
 * datatype may reuse the handle.  The lookup is inline, a miss out of line.
 */
#define VM_TCACHE 64
extern uint64_t vm_tcache[VM_TCACHE];
uint64_t vm_tsize_miss(MPI_Count count, MPI_Datatype dt);

static inline uint64_t vm_tkey(MPI_Datatype dt)
{
	uint64_t k = 0;
	memcpy(&k, &dt, sizeof(dt) < sizeof(k) ? sizeof(dt) : sizeof(k));
	return k;
}

static inline unsigned vm_tslot(uint64_t k)
{
	return (unsigned)((k * 0x9E3779B97F4A7C15ull) >> 58) & (VM_TCACHE - 1);
}

static inline uint64_t vm_tsize(MPI_Count count, MPI_Datatype dt)
{
	if (count <= 0)
		return 0;
	uint64_t k = vm_tkey(dt);
	uint64_t e = __atomic_load_n(&vm_tcache[vm_tslot(k)], __ATOMIC_RELAXED);
	if (VM_LIKELY(e && e >> 16 == k))
		return (uint64_t)count * (e & 0xffff);
	return vm_tsize_miss(count, dt);
}

uint64_t vm_b_gather(const void *sbuf, int scount, MPI_Datatype stype, int rcount, MPI_Datatype rtype, int root, MPI_Comm comm);
uint64_t vm_b_gatherv(const void *sbuf, int scount, MPI_Datatype stype, const int *rcounts, MPI_Datatype rtype, int root, MPI_Comm comm);
uint64_t vm_b_scatter(int scount, MPI_Datatype stype, int rcount, MPI_Datatype rtype, int root, MPI_Comm comm);
uint64_t vm_b_scatterv(const int *scounts, MPI_Datatype stype, int rcount, MPI_Datatype rtype, int root, MPI_Comm comm);
uint64_t vm_b_allgather(const void *sbuf, int scount, MPI_Datatype stype, int rcount, MPI_Datatype rtype, MPI_Comm comm);
uint64_t vm_b_allgatherv(const void *sbuf, int scount, MPI_Datatype stype, const int *rcounts, MPI_Datatype rtype, MPI_Comm comm);
uint64_t vm_b_alltoall(const void *sbuf, int scount, MPI_Datatype stype, int rcount, MPI_Datatype rtype, MPI_Comm comm);
uint64_t vm_b_alltoallv(const void *sbuf, const int *scounts, MPI_Datatype stype, const int *rcounts, MPI_Datatype rtype, MPI_Comm comm);
uint64_t vm_b_alltoallw(const void *sbuf, const int *scounts, const MPI_Datatype *stypes, const int *rcounts, const MPI_Datatype *rtypes, MPI_Comm comm);
uint64_t vm_b_redscat(const int *rcounts, MPI_Datatype dt, MPI_Comm comm);
uint64_t vm_b_redscat_block(int rcount, MPI_Datatype dt, MPI_Comm comm);

/* Fortran bindings (mpi_fortran.c): resolve their next definitions at setup. */
void vm_fortran_resolve(void);

/* After PMPI_Init succeeded / before PMPI_Finalize: identity, job id, reduction.
 * vm_before_finalize returns 1 when counting stays off until the caller's
 * vm_after_finalize() after PMPI_Finalize (the job profile was written). */
void vm_after_init(void);
int vm_before_finalize(void);
void vm_after_finalize(void);

/* MPI_File -> vigil file id (-1 unknown), and the view for byte offsets. */
int vm_file_id(MPI_File fh, int64_t off, int64_t *byte_off);
void vm_file_add(MPI_File fh, int id);
void vm_file_del(MPI_File fh);
void vm_file_view(MPI_File fh, MPI_Offset disp, MPI_Datatype etype, MPI_Datatype ftype);

/* Reduction of every rank's segment into one job profile (mpi_reduce.c). */
extern MPI_Comm vm_comm;            /* private duplicate of MPI_COMM_WORLD (valid when vm_comm_ok) */
extern int vm_comm_ok;
int vm_reduce(void);

#endif
