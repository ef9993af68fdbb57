/*
 * mpi_wrap.c - the C MPI wrappers: PMPI interposition that counts into the
 * process's vigil segment through libvigil.so's exported API.
 *
 * A collector is loaded by the shim (shim.c: only the one of the process's
 * MPI), or both are preloaded into every process of a job (the old form:
 * vigil run cannot know which MPI a program uses before it runs).  The first
 * MPI call a library sees decides, once, what it does: when the process runs
 * its own implementation (or VIGIL_MPI says so) it counts and calls PMPI_*;
 * otherwise it forwards every call to the next definition of the same MPI_*
 * name (the other collector, or the MPI library itself).  Either way the
 * decision is one pointer per function, and the hot path is: a mode check,
 * two clock reads, the real call, the byte rule, one vigil_count().
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include "mpi/mpi_internal.h"
#include "mpi/mpi_calls.h"
#include "mpi/mpi_detect.h"

#ifdef OPEN_MPI
const char *const vm_impl = "openmpi";
void *vm_h_world, *vm_h_byte, *vm_h_errors_return;
#else
const char *const vm_impl = "mpich";
#endif

int vm_mode;
struct vm_api vm_api;
struct vm_pmpi vm_pmpi;

#define VM_NOOFF (-1)

/* ---- real functions: PMPI_* when counting or passing, next MPI_* when forwarding ---- */
#define VM_X_DECL(ID, NAME, P, A, B) static int (*vm_real_##NAME) P;
#define VM_IO_DECL(ID, NAME, P, A, FH, OFF, B) static int (*vm_real_##NAME) P;
VIGIL_MPI_CALLS(VM_X_DECL)
VIGIL_MPIIO_CALLS(VM_IO_DECL)
static int (*vm_real_MPI_Init)(int *, char ***);
static int (*vm_real_MPI_Init_thread)(int *, char ***, int, int *);
static int (*vm_real_MPI_Finalize)(void);
static int (*vm_real_MPI_File_open)(MPI_Comm, const char *, int, MPI_Info, MPI_File *);
static int (*vm_real_MPI_File_close)(MPI_File *);
static int (*vm_real_MPI_File_set_view)(MPI_File, MPI_Offset, MPI_Datatype, MPI_Datatype, const char *, MPI_Info);
static int (*vm_real_MPI_Type_free)(MPI_Datatype *);

static const struct { const char *name; void **ptr; } vm_reals[] = {
#define VM_X_RES(ID, NAME, P, A, B) { #NAME, (void **)&vm_real_##NAME },
#define VM_IO_RES(ID, NAME, P, A, FH, OFF, B) { #NAME, (void **)&vm_real_##NAME },
	VIGIL_MPI_CALLS(VM_X_RES)
	VIGIL_MPIIO_CALLS(VM_IO_RES)
	{ "MPI_Init", (void **)&vm_real_MPI_Init },
	{ "MPI_Init_thread", (void **)&vm_real_MPI_Init_thread },
	{ "MPI_Finalize", (void **)&vm_real_MPI_Finalize },
	{ "MPI_File_open", (void **)&vm_real_MPI_File_open },
	{ "MPI_File_close", (void **)&vm_real_MPI_File_close },
	{ "MPI_File_set_view", (void **)&vm_real_MPI_File_set_view },
	{ "MPI_Type_free", (void **)&vm_real_MPI_Type_free },
};

/*
 * The next definition of NAME after this library.  Loaded by the shim
 * (shim.c dlopens it, privately), RTLD_NEXT would see only this library's
 * own dependencies: the shim then hands over its own lookup, which starts
 * where the shim sits in the global scope.  Preloaded directly, as always.
 */
static void *(*vm_next_hook)(const char *);

VM_EXPORT void vigil_mpi_set_next(void *(*next)(const char *))
{
	vm_next_hook = next;
}

void *vm_next(const char *name)
{
	return vm_next_hook ? vm_next_hook(name) : dlsym(RTLD_NEXT, name);
}

void *vm_sym(const char *name)
{
	void *p = vm_next(name);
	if (!p)
		p = dlsym(RTLD_DEFAULT, name);
	return p ? p : vigil_mpi_private_sym(vm_impl, name);
}

static void vm_resolve(int own)
{
	char pname[64];
	for (size_t i = 0; i < sizeof(vm_reals) / sizeof(vm_reals[0]); i++) {
		if (own) {
			pname[0] = 'P';
			strncpy(pname + 1, vm_reals[i].name, sizeof(pname) - 2);
			pname[sizeof(pname) - 1] = '\0';
			*vm_reals[i].ptr = vm_sym(pname);
		} else {
			*vm_reals[i].ptr = vm_next(vm_reals[i].name);
		}
	}
	if (!own)
		return;
#define VM_P(field, name) (*(void **)&vm_pmpi.field = vm_sym(name))
	VM_P(type_size_x, "PMPI_Type_size_x");
	VM_P(comm_size, "PMPI_Comm_size");
	VM_P(comm_rank, "PMPI_Comm_rank");
	VM_P(comm_test_inter, "PMPI_Comm_test_inter");
	VM_P(comm_remote_size, "PMPI_Comm_remote_size");
	VM_P(comm_dup, "PMPI_Comm_dup");
	VM_P(comm_free, "PMPI_Comm_free");
	VM_P(comm_set_errhandler, "PMPI_Comm_set_errhandler");
	VM_P(bcast, "PMPI_Bcast");
	VM_P(ibarrier, "PMPI_Ibarrier");
	VM_P(test, "PMPI_Test");
	VM_P(send, "PMPI_Send");
	VM_P(recv, "PMPI_Recv");
	VM_P(probe, "PMPI_Probe");
	VM_P(get_count, "PMPI_Get_count");
	VM_P(finalized, "PMPI_Finalized");
	VM_P(type_f2c, "PMPI_Type_f2c");
	VM_P(comm_f2c, "PMPI_Comm_f2c");
	VM_P(file_f2c, "PMPI_File_f2c");
#undef VM_P
#ifdef OPEN_MPI
	/*
	 * Data: look in the global scope first.  A program that uses
	 * MPI_COMM_WORLD may hold a copy-relocated instance of it, and that
	 * copy (not libmpi's original, which RTLD_NEXT finds) is the handle.
	 */
	vm_h_world = dlsym(RTLD_DEFAULT, "ompi_mpi_comm_world");
	vm_h_byte = dlsym(RTLD_DEFAULT, "ompi_mpi_byte");
	vm_h_errors_return = dlsym(RTLD_DEFAULT, "ompi_mpi_errors_return");
	if (!vm_h_world || !vm_h_byte || !vm_h_errors_return) {
		vm_h_world = vm_sym("ompi_mpi_comm_world");
		vm_h_byte = vm_sym("ompi_mpi_byte");
		vm_h_errors_return = vm_sym("ompi_mpi_errors_return");
	}
#endif
}

static int vm_api_resolve(void)
{
#define VM_A(field, name) (*(void **)&vm_api.field = dlsym(RTLD_DEFAULT, name))
	VM_A(now, "vigil_now");
	VM_A(count, "vigil_count");
	VM_A(file_register, "vigil_file_register");
	VM_A(count_file, "vigil_count_file");
	VM_A(set_rank, "vigil_set_rank");
	VM_A(set_job, "vigil_set_job");
	VM_A(segment, "vigil_segment");
	VM_A(pause, "vigil_pause");
	VM_A(resume, "vigil_resume");
	VM_A(freeze, "vigil_freeze");
	VM_A(thaw, "vigil_thaw");
	VM_A(counter, "vigil_counter");
	VM_A(counter_ret, "vigil_counter_ret");
#undef VM_A
	return vm_api.now && vm_api.count && vm_api.file_register && vm_api.count_file &&
	       vm_api.set_rank && vm_api.set_job && vm_api.segment && vm_api.pause && vm_api.resume;
}

static void vm_counters_resolve(void);

/*
 * Runs once, at the first MPI call this library sees (normally MPI_Init;
 * MPI_Initialized and friends are not wrapped).  Threads that arrive while
 * another decides wait for it: this happens once per process.
 */
void vm_setup(void)
{
	static int state; /* 0 idle, 1 deciding, 2 done */
	int expect = 0;
	if (!__atomic_compare_exchange_n(&state, &expect, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2)
			sched_yield();
		return;
	}
	const char *impl = vigil_mpi_detect();
	int own = strcmp(impl, vm_impl) == 0;
	vm_resolve(own);
	vm_fortran_resolve();
	int mode = !own ? VM_FORWARD : vm_api_resolve() ? VM_COUNT : VM_PASS;
	if (mode == VM_COUNT)
		vm_counters_resolve();
	const char *off = getenv("VIGIL_MPI_DISABLE");
	if (mode == VM_COUNT && off && *off && strcmp(off, "0") != 0)
		mode = VM_PASS;
	__atomic_store_n(&vm_mode, mode, __ATOMIC_RELEASE);
	__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
}

/* ---- byte rules (docs/MPI-COUNTING.md); called only after the call succeeded ---- */
uint64_t vm_tcache[VM_TCACHE];
int vm_tsc;

uint64_t vm_tsize_miss(MPI_Count count, MPI_Datatype dt)
{
	uint64_t k = vm_tkey(dt);
	MPI_Count s = 0;
	if (vm_pmpi.type_size_x(dt, &s) != MPI_SUCCESS || s <= 0)
		return 0;
	if (s < 0x10000 && k < (1ull << 48))
		__atomic_store_n(&vm_tcache[vm_tslot(k)], k << 16 | (uint64_t)s, __ATOMIC_RELAXED);
	return (uint64_t)count * (uint64_t)s;
}

VM_EXPORT int MPI_Type_free(MPI_Datatype *dt)
{
	if (vm_counting()) {
		uint64_t k = vm_tkey(*dt);
		unsigned slot = vm_tslot(k);
		uint64_t e = __atomic_load_n(&vm_tcache[slot], __ATOMIC_RELAXED);
		if (e >> 16 == k)
			__atomic_store_n(&vm_tcache[slot], 0, __ATOMIC_RELAXED);
	}
	return vm_real_MPI_Type_free(dt);
}

/* Peers a per-peer count goes to: the remote group of an intercommunicator. */
static int vm_peers(MPI_Comm comm)
{
	int inter = 0, n = 0;
	vm_pmpi.comm_test_inter(comm, &inter);
	if (inter)
		vm_pmpi.comm_remote_size(comm, &n);
	else
		vm_pmpi.comm_size(comm, &n);
	return n;
}

static int vm_rank(MPI_Comm comm)
{
	int r = -1;
	vm_pmpi.comm_rank(comm, &r);
	return r;
}

/* Root role in a rooted collective: 1 root, 0 non-root, -1 takes no part (intercomm MPI_PROC_NULL). */
static int vm_role(int root, MPI_Comm comm)
{
	if (root == MPI_ROOT)
		return 1;
	if (root == MPI_PROC_NULL)
		return -1;
	int inter = 0;
	vm_pmpi.comm_test_inter(comm, &inter);
	return inter ? 0 : root == vm_rank(comm);
}

static uint64_t vm_sum(const int *counts, int n, MPI_Datatype dt)
{
	uint64_t c = 0;
	for (int i = 0; i < n; i++)
		c += counts[i] > 0 ? (uint64_t)counts[i] : 0;
	return vm_tsize((MPI_Count)c, dt);
}

uint64_t vm_b_gather(const void *sbuf, int scount, MPI_Datatype stype, int rcount,
                            MPI_Datatype rtype, int root, MPI_Comm comm)
{
	int role = vm_role(root, comm);
	if (role < 0)
		return 0;
	if (root == MPI_ROOT) /* intercomm root: receive-only */
		return vm_tsize((MPI_Count)rcount * vm_peers(comm), rtype);
	if (sbuf == MPI_IN_PLACE)
		return vm_tsize(rcount, rtype);
	return vm_tsize(scount, stype);
}

uint64_t vm_b_gatherv(const void *sbuf, int scount, MPI_Datatype stype, const int *rcounts,
                             MPI_Datatype rtype, int root, MPI_Comm comm)
{
	int role = vm_role(root, comm);
	if (role < 0)
		return 0;
	if (root == MPI_ROOT)
		return vm_sum(rcounts, vm_peers(comm), rtype);
	if (sbuf == MPI_IN_PLACE) {
		int r = vm_rank(comm);
		return r >= 0 ? vm_tsize(rcounts[r], rtype) : 0;
	}
	return vm_tsize(scount, stype);
}

uint64_t vm_b_scatter(int scount, MPI_Datatype stype, int rcount, MPI_Datatype rtype,
                             int root, MPI_Comm comm)
{
	int role = vm_role(root, comm);
	if (role < 0)
		return 0;
	if (role == 1)
		return vm_tsize((MPI_Count)scount * vm_peers(comm), stype);
	return vm_tsize(rcount, rtype); /* receive-only role: the posted receive */
}

uint64_t vm_b_scatterv(const int *scounts, MPI_Datatype stype, int rcount, MPI_Datatype rtype,
                              int root, MPI_Comm comm)
{
	int role = vm_role(root, comm);
	if (role < 0)
		return 0;
	if (role == 1)
		return vm_sum(scounts, vm_peers(comm), stype);
	return vm_tsize(rcount, rtype);
}

uint64_t vm_b_allgather(const void *sbuf, int scount, MPI_Datatype stype, int rcount,
                               MPI_Datatype rtype, MPI_Comm comm)
{
	return sbuf == MPI_IN_PLACE ? vm_tsize(rcount, rtype) : vm_tsize(scount, stype);
}

uint64_t vm_b_allgatherv(const void *sbuf, int scount, MPI_Datatype stype, const int *rcounts,
                                MPI_Datatype rtype, MPI_Comm comm)
{
	if (sbuf == MPI_IN_PLACE) {
		int r = vm_rank(comm);
		return r >= 0 ? vm_tsize(rcounts[r], rtype) : 0;
	}
	return vm_tsize(scount, stype);
}

uint64_t vm_b_alltoall(const void *sbuf, int scount, MPI_Datatype stype, int rcount,
                              MPI_Datatype rtype, MPI_Comm comm)
{
	MPI_Count n = vm_peers(comm);
	return sbuf == MPI_IN_PLACE ? vm_tsize(rcount * n, rtype) : vm_tsize(scount * n, stype);
}

uint64_t vm_b_alltoallv(const void *sbuf, const int *scounts, MPI_Datatype stype,
                               const int *rcounts, MPI_Datatype rtype, MPI_Comm comm)
{
	int n = vm_peers(comm);
	return sbuf == MPI_IN_PLACE ? vm_sum(rcounts, n, rtype) : vm_sum(scounts, n, stype);
}

uint64_t vm_b_alltoallw(const void *sbuf, const int *scounts, const MPI_Datatype *stypes,
                               const int *rcounts, const MPI_Datatype *rtypes, MPI_Comm comm)
{
	int n = vm_peers(comm);
	const int *c = sbuf == MPI_IN_PLACE ? rcounts : scounts;
	const MPI_Datatype *t = sbuf == MPI_IN_PLACE ? rtypes : stypes;
	uint64_t b = 0;
	for (int i = 0; i < n; i++)
		b += vm_tsize(c[i], t[i]);
	return b;
}

uint64_t vm_b_redscat(const int *rcounts, MPI_Datatype dt, MPI_Comm comm)
{
	int n = 0;
	vm_pmpi.comm_size(comm, &n); /* the send buffer holds sum(recvcounts) over the local group */
	return vm_sum(rcounts, n, dt);
}

uint64_t vm_b_redscat_block(int rcount, MPI_Datatype dt, MPI_Comm comm)
{
	int n = 0;
	vm_pmpi.comm_size(comm, &n);
	return vm_tsize((MPI_Count)rcount * n, dt);
}

/* ---- the generated wrappers ---- */
/*
 * Each is an exported dispatcher that only tail-calls (no frame, no saved
 * registers: forwarding to the other MPI's collector costs a load and two
 * jumps) and a counted body vm_c_NAME for the TSC clock (vm_s_NAME, a tail
 * call, for the other: no spill around a clock call on the usual path; a
 * failed call is counted before any byte rule): two clock reads, the real call, the
 * byte rule, and the op's own counter from vigil_counter_ret() (its counters
 * fold at compile time there; it returns the call's result, so the body ends
 * in a tail call and keeps no register of its own for it), else
 * vigil_counter() or vigil_count() through vm_cf_NAME (older collectors).
 */
#define VM_DISPATCH(NAME, A) \
{ \
	int vm_m_ = __atomic_load_n(&vm_mode, __ATOMIC_ACQUIRE); \
	if (VM_LIKELY(vm_m_ == VM_COUNT)) \
		return vm_c_##NAME A; \
	if (VM_UNLIKELY(vm_m_ == VM_UNKNOWN) && vm_counting()) \
		return vm_c_##NAME A; \
	return vm_real_##NAME A; \
}

_Static_assert(MPI_SUCCESS == 0, "vigil_counter_ret counts ret != 0 as failed");
static vigil_counter_ret_fn vm_cnt[VIGIL_NOPS];
static vigil_counter_fn vm_cnt_v2[VIGIL_NOPS]; /* a version 2 collector's vigil_counter() */

#define VM_X_WRAP(ID, NAME, P, A, BYTES) \
static int vm_cf_##NAME(uint64_t req, uint64_t bytes, int ret, uint64_t t0, uint64_t t1) \
{ \
	if (vm_cnt_v2[VIGIL_OP_##ID]) \
		vm_cnt_v2[VIGIL_OP_##ID](req, bytes, ret != MPI_SUCCESS, t0, t1); \
	else \
		vm_api.count(VIGIL_OP_##ID, req, bytes, ret != MPI_SUCCESS, t0, t1); \
	return ret; \
} \
__attribute__((noinline)) static int vm_s_##NAME P \
{ \
	uint64_t vm_t0_ = vm_now(); \
	int vm_rc_ = vm_real_##NAME A; \
	uint64_t vm_t1_ = vm_now(); \
	uint64_t vm_n_ = vm_rc_ == MPI_SUCCESS ? (uint64_t)(BYTES) : 0; \
	return vm_cnt[VIGIL_OP_##ID](vm_n_, vm_n_, vm_rc_, vm_t0_, vm_t1_); \
} \
__attribute__((noinline)) static int vm_c_##NAME P \
{ \
	if (VM_UNLIKELY(!VM_TSC_OK)) \
		return vm_s_##NAME A; \
	uint64_t vm_t0_ = VM_RDTSC(); \
	int vm_rc_ = vm_real_##NAME A; \
	uint64_t vm_t1_ = VM_RDTSC(); \
	if (VM_UNLIKELY(vm_rc_ != MPI_SUCCESS)) \
		return vm_cnt[VIGIL_OP_##ID](0, 0, vm_rc_, vm_t0_, vm_t1_); \
	uint64_t vm_n_ = (BYTES); \
	return vm_cnt[VIGIL_OP_##ID](vm_n_, vm_n_, MPI_SUCCESS, vm_t0_, vm_t1_); \
} \
VM_EXPORT int NAME P VM_DISPATCH(NAME, A)
VIGIL_MPI_CALLS(VM_X_WRAP)

/* Each wrapped op's counter: libvigil.so's own for it, else an older collector's (vm_cf_NAME). */
static void vm_counters_resolve(void)
{
#define VM_X_CNT(ID, NAME, P, A, B) \
	vm_cnt[VIGIL_OP_##ID] = vm_api.counter_ret ? vm_api.counter_ret(VIGIL_OP_##ID) : NULL; \
	vm_cnt_v2[VIGIL_OP_##ID] = vm_api.counter ? vm_api.counter(VIGIL_OP_##ID) : NULL; \
	if (!vm_cnt[VIGIL_OP_##ID]) \
		vm_cnt[VIGIL_OP_##ID] = vm_cf_##NAME;
	VIGIL_MPI_CALLS(VM_X_CNT)
#undef VM_X_CNT
}

#define VM_IO_WRAP(ID, NAME, P, A, FH, OFF, BYTES) \
__attribute__((noinline)) static int vm_c_##NAME P \
{ \
	MPI_File vm_f_ = (FH); \
	int vm_tsc_ = vm_tsc; \
	uint64_t vm_t0_ = VM_NOW(vm_tsc_); \
	int vm_rc_ = vm_real_##NAME A; \
	uint64_t vm_t1_ = VM_NOW(vm_tsc_); \
	uint64_t vm_n_ = vm_rc_ == MPI_SUCCESS ? (uint64_t)(BYTES) : 0; \
	int64_t vm_off_ = -1; \
	int vm_id_ = vm_file_id(vm_f_, (OFF), &vm_off_); \
	vm_api.count_file(VIGIL_OP_##ID, vm_id_, vm_n_, vm_n_, vm_off_, vm_rc_ != MPI_SUCCESS, vm_t0_, vm_t1_); \
	return vm_rc_; \
} \
VM_EXPORT int NAME P VM_DISPATCH(NAME, A)
VIGIL_MPIIO_CALLS(VM_IO_WRAP)

/* ---- the hand-written ones ---- */
VM_EXPORT int MPI_Init(int *argc, char ***argv)
{
	if (!vm_counting())
		return vm_real_MPI_Init(argc, argv);
	uint64_t t0 = vm_api.now();
	int rc = vm_real_MPI_Init(argc, argv);
	uint64_t t1 = vm_api.now();
	vm_api.count(VIGIL_OP_MPI_INIT, 0, 0, rc != MPI_SUCCESS, t0, t1);
	if (rc == MPI_SUCCESS)
		vm_after_init();
	return rc;
}

VM_EXPORT int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
	if (!vm_counting())
		return vm_real_MPI_Init_thread(argc, argv, required, provided);
	uint64_t t0 = vm_api.now();
	int rc = vm_real_MPI_Init_thread(argc, argv, required, provided);
	uint64_t t1 = vm_api.now();
	vm_api.count(VIGIL_OP_MPI_INIT_THREAD, 0, 0, rc != MPI_SUCCESS, t0, t1);
	if (rc == MPI_SUCCESS)
		vm_after_init();
	return rc;
}

/*
 * MPI_Finalize is counted as one call of no measured time: the reduction
 * must run before PMPI_Finalize, so the profile it writes cannot hold the
 * time PMPI_Finalize takes.  After a reduction, nothing PMPI_Finalize does
 * is counted (vm_before_finalize).
 */
VM_EXPORT int MPI_Finalize(void)
{
	if (!vm_counting())
		return vm_real_MPI_Finalize();
	uint64_t t0 = vm_api.now();
	vm_api.count(VIGIL_OP_MPI_FINALIZE, 0, 0, 0, t0, t0);
	if (!vm_before_finalize())
		return vm_real_MPI_Finalize();
	int rc = vm_real_MPI_Finalize();
	vm_after_finalize();
	return rc;
}

VM_EXPORT int MPI_File_open(MPI_Comm comm, const char *filename, int amode, MPI_Info info, MPI_File *fh)
{
	if (!vm_counting())
		return vm_real_MPI_File_open(comm, filename, amode, info, fh);
	uint64_t t0 = vm_api.now();
	int rc = vm_real_MPI_File_open(comm, filename, amode, info, fh);
	uint64_t t1 = vm_api.now();
	int id = -1;
	if (rc == MPI_SUCCESS && filename) {
		/* ROMIO accepts "fs:path" prefixes (ufs:, nfs:, lustre:...): the file is the path. */
		const char *p = filename, *colon = strchr(filename, ':');
		if (colon && colon - filename > 1 && colon - filename < 16 && !memchr(filename, '/', (size_t)(colon - filename)))
			p = colon + 1;
		id = vm_api.file_register(p, VIGIL_FLAYER_MPIIO);
		vm_file_add(*fh, id);
	}
	vm_api.count_file(VIGIL_OP_MPI_FILE_OPEN, id, 0, 0, -1, rc != MPI_SUCCESS, t0, t1);
	return rc;
}

VM_EXPORT int MPI_File_close(MPI_File *fh)
{
	if (!vm_counting())
		return vm_real_MPI_File_close(fh);
	MPI_File f = *fh;
	int64_t boff;
	int id = vm_file_id(f, VM_NOOFF, &boff);
	uint64_t t0 = vm_api.now();
	int rc = vm_real_MPI_File_close(fh);
	uint64_t t1 = vm_api.now();
	if (rc == MPI_SUCCESS)
		vm_file_del(f);
	vm_api.count_file(VIGIL_OP_MPI_FILE_CLOSE, id, 0, 0, -1, rc != MPI_SUCCESS, t0, t1);
	return rc;
}

VM_EXPORT int MPI_File_set_view(MPI_File fh, MPI_Offset disp, MPI_Datatype etype, MPI_Datatype ftype,
                                const char *datarep, MPI_Info info)
{
	if (!vm_counting())
		return vm_real_MPI_File_set_view(fh, disp, etype, ftype, datarep, info);
	uint64_t t0 = vm_api.now();
	int rc = vm_real_MPI_File_set_view(fh, disp, etype, ftype, datarep, info);
	uint64_t t1 = vm_api.now();
	if (rc == MPI_SUCCESS)
		vm_file_view(fh, disp, etype, ftype);
	int64_t boff;
	int id = vm_file_id(fh, VM_NOOFF, &boff);
	vm_api.count_file(VIGIL_OP_MPI_FILE_SET_VIEW, id, 0, 0, -1, rc != MPI_SUCCESS, t0, t1);
	return rc;
}
