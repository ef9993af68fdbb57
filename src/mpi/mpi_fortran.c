/*
 * mpi_fortran.c - Fortran MPI bindings (`use mpi`, mpif.h) for OpenMPI.
 *
 * OpenMPI 4.1's Fortran bindings (libmpi_mpifh) call PMPI_* directly, so the
 * C wrappers never see a Fortran program's calls: its mpi_send_ & co. are
 * wrapped here, counted, and passed to the next definition of the same name
 * (OpenMPI's, which goes to PMPI_Send: counted once).  MPICH's bindings
 * call MPI_* and so reach the C wrappers: the MPICH build defines none of
 * these, and in an MPICH process the OpenMPI build forwards without counting.
 * gfortran calls the name with one trailing underscore; the other spellings
 * (none, two underscores, upper case) are aliases.  mpi_f08 is not covered.
 */
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include "mpi/mpi_internal.h"

#ifdef OPEN_MPI

#define VM_T(x) vm_pmpi.type_f2c(*(x))
#define VM_C(x) vm_pmpi.comm_f2c(*(x))

/* Fortran's MPI_IN_PLACE is the address of a common block; map it to C's. */
static void *vm_f_inplace[4];
static const void *vm_fip(const void *p)
{
	for (int i = 0; i < 4; i++)
		if (p && p == vm_f_inplace[i])
			return MPI_IN_PLACE;
	return p;
}

typedef MPI_Fint F;
#define VM_FSEND void *buf, F *count, F *dt, F *dest, F *tag, F *comm
#define VM_FSENDA buf, count, dt, dest, tag, comm
#define VM_FG8 void *sbuf, F *scount, F *stype, void *rbuf, F *rcount, F *rtype
#define VM_FG8A sbuf, scount, stype, rbuf, rcount, rtype

/* F(OP, name, NAME, (parameters ending with ierr), (arguments), bytes) */
#define VIGIL_MPI_FCALLS(X) \
	X(MPI_COMM_RANK, mpi_comm_rank, MPI_COMM_RANK, (F *comm, F *rank, F *ierr), (comm, rank, ierr), 0) \
	X(MPI_COMM_SIZE, mpi_comm_size, MPI_COMM_SIZE, (F *comm, F *size, F *ierr), (comm, size, ierr), 0) \
	X(MPI_SEND,  mpi_send,  MPI_SEND,  (VM_FSEND, F *ierr), (VM_FSENDA, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_SSEND, mpi_ssend, MPI_SSEND, (VM_FSEND, F *ierr), (VM_FSENDA, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_BSEND, mpi_bsend, MPI_BSEND, (VM_FSEND, F *ierr), (VM_FSENDA, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_RSEND, mpi_rsend, MPI_RSEND, (VM_FSEND, F *ierr), (VM_FSENDA, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_ISEND, mpi_isend, MPI_ISEND, (VM_FSEND, F *req, F *ierr), (VM_FSENDA, req, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_ISSEND, mpi_issend, MPI_ISSEND, (VM_FSEND, F *req, F *ierr), (VM_FSENDA, req, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_RECV, mpi_recv, MPI_RECV, (VM_FSEND, F *st, F *ierr), (VM_FSENDA, st, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_IRECV, mpi_irecv, MPI_IRECV, (VM_FSEND, F *req, F *ierr), (VM_FSENDA, req, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_SENDRECV, mpi_sendrecv, MPI_SENDRECV, (void *sbuf, F *scount, F *stype, F *dest, F *stag, void *rbuf, \
	  F *rcount, F *rtype, F *src, F *rtag, F *comm, F *st, F *ierr), \
	  (sbuf, scount, stype, dest, stag, rbuf, rcount, rtype, src, rtag, comm, st, ierr), vm_tsize(*scount, VM_T(stype))) \
	X(MPI_PROBE, mpi_probe, MPI_PROBE, (F *src, F *tag, F *comm, F *st, F *ierr), (src, tag, comm, st, ierr), 0) \
	X(MPI_IPROBE, mpi_iprobe, MPI_IPROBE, (F *src, F *tag, F *comm, F *flag, F *st, F *ierr), (src, tag, comm, flag, st, ierr), 0) \
	X(MPI_WAIT, mpi_wait, MPI_WAIT, (F *req, F *st, F *ierr), (req, st, ierr), 0) \
	X(MPI_WAITALL, mpi_waitall, MPI_WAITALL, (F *n, F *reqs, F *sts, F *ierr), (n, reqs, sts, ierr), 0) \
	X(MPI_WAITANY, mpi_waitany, MPI_WAITANY, (F *n, F *reqs, F *idx, F *st, F *ierr), (n, reqs, idx, st, ierr), 0) \
	X(MPI_TEST, mpi_test, MPI_TEST, (F *req, F *flag, F *st, F *ierr), (req, flag, st, ierr), 0) \
	X(MPI_TESTALL, mpi_testall, MPI_TESTALL, (F *n, F *reqs, F *flag, F *sts, F *ierr), (n, reqs, flag, sts, ierr), 0) \
	X(MPI_BARRIER, mpi_barrier, MPI_BARRIER, (F *comm, F *ierr), (comm, ierr), 0) \
	X(MPI_BCAST, mpi_bcast, MPI_BCAST, (void *buf, F *count, F *dt, F *root, F *comm, F *ierr), \
	  (buf, count, dt, root, comm, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_REDUCE, mpi_reduce, MPI_REDUCE, (void *sbuf, void *rbuf, F *count, F *dt, F *op, F *root, F *comm, F *ierr), \
	  (sbuf, rbuf, count, dt, op, root, comm, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_ALLREDUCE, mpi_allreduce, MPI_ALLREDUCE, (void *sbuf, void *rbuf, F *count, F *dt, F *op, F *comm, F *ierr), \
	  (sbuf, rbuf, count, dt, op, comm, ierr), vm_tsize(*count, VM_T(dt))) \
	X(MPI_GATHER, mpi_gather, MPI_GATHER, (VM_FG8, F *root, F *comm, F *ierr), (VM_FG8A, root, comm, ierr), \
	  vm_b_gather(vm_fip(sbuf), *scount, VM_T(stype), *rcount, VM_T(rtype), *root, VM_C(comm))) \
	X(MPI_SCATTER, mpi_scatter, MPI_SCATTER, (VM_FG8, F *root, F *comm, F *ierr), (VM_FG8A, root, comm, ierr), \
	  vm_b_scatter(*scount, VM_T(stype), *rcount, VM_T(rtype), *root, VM_C(comm))) \
	X(MPI_ALLGATHER, mpi_allgather, MPI_ALLGATHER, (VM_FG8, F *comm, F *ierr), (VM_FG8A, comm, ierr), \
	  vm_b_allgather(vm_fip(sbuf), *scount, VM_T(stype), *rcount, VM_T(rtype), VM_C(comm))) \
	X(MPI_ALLTOALL, mpi_alltoall, MPI_ALLTOALL, (VM_FG8, F *comm, F *ierr), (VM_FG8A, comm, ierr), \
	  vm_b_alltoall(vm_fip(sbuf), *scount, VM_T(stype), *rcount, VM_T(rtype), VM_C(comm)))

#define VM_FIO_AT void *fh, MPI_Offset *off, void *buf, F *count, F *dt
#define VM_FIO_ATA fh, off, buf, count, dt
#define VM_FIO void *fh, void *buf, F *count, F *dt
#define VM_FIOA fh, buf, count, dt
#define VIGIL_MPI_FIOCALLS(X) \
	X(MPI_FILE_READ_AT, mpi_file_read_at, MPI_FILE_READ_AT, (VM_FIO_AT, F *st, F *ierr), (VM_FIO_ATA, st, ierr), *off) \
	X(MPI_FILE_READ_AT_ALL, mpi_file_read_at_all, MPI_FILE_READ_AT_ALL, (VM_FIO_AT, F *st, F *ierr), (VM_FIO_ATA, st, ierr), *off) \
	X(MPI_FILE_WRITE_AT, mpi_file_write_at, MPI_FILE_WRITE_AT, (VM_FIO_AT, F *st, F *ierr), (VM_FIO_ATA, st, ierr), *off) \
	X(MPI_FILE_WRITE_AT_ALL, mpi_file_write_at_all, MPI_FILE_WRITE_AT_ALL, (VM_FIO_AT, F *st, F *ierr), (VM_FIO_ATA, st, ierr), *off) \
	X(MPI_FILE_READ, mpi_file_read, MPI_FILE_READ, (VM_FIO, F *st, F *ierr), (VM_FIOA, st, ierr), -1) \
	X(MPI_FILE_READ_ALL, mpi_file_read_all, MPI_FILE_READ_ALL, (VM_FIO, F *st, F *ierr), (VM_FIOA, st, ierr), -1) \
	X(MPI_FILE_WRITE, mpi_file_write, MPI_FILE_WRITE, (VM_FIO, F *st, F *ierr), (VM_FIOA, st, ierr), -1) \
	X(MPI_FILE_WRITE_ALL, mpi_file_write_all, MPI_FILE_WRITE_ALL, (VM_FIO, F *st, F *ierr), (VM_FIOA, st, ierr), -1)

/* The next definition of each wrapped Fortran name, always (even when counting). */
#define VM_F_DECL(ID, n, N, P, A, B) static void (*vm_freal_##n) P;
VIGIL_MPI_FCALLS(VM_F_DECL)
VIGIL_MPI_FIOCALLS(VM_F_DECL)
static void (*vm_freal_mpi_init)(F *);
static void (*vm_freal_mpi_init_thread)(F *, F *, F *);
static void (*vm_freal_mpi_finalize)(F *);
static void (*vm_freal_mpi_file_open)(F *, char *, F *, F *, F *, F *, size_t);
static void (*vm_freal_mpi_file_close)(F *, F *);

void vm_fortran_resolve(void)
{
#define VM_F_RES(ID, n, N, P, A, B) *(void **)&vm_freal_##n = vm_next(#n "_");
	VIGIL_MPI_FCALLS(VM_F_RES)
	VIGIL_MPI_FIOCALLS(VM_F_RES)
	*(void **)&vm_freal_mpi_init = vm_next("mpi_init_");
	*(void **)&vm_freal_mpi_init_thread = vm_next("mpi_init_thread_");
	*(void **)&vm_freal_mpi_finalize = vm_next("mpi_finalize_");
	*(void **)&vm_freal_mpi_file_open = vm_next("mpi_file_open_");
	*(void **)&vm_freal_mpi_file_close = vm_next("mpi_file_close_");
	static const char *const ip[4] = { "mpi_fortran_in_place", "mpi_fortran_in_place_",
	                                   "mpi_fortran_in_place__", "MPI_FORTRAN_IN_PLACE" };
	for (int i = 0; i < 4; i++)
		vm_f_inplace[i] = dlsym(RTLD_DEFAULT, ip[i]); /* data: the canonical copy */
}

#define VM_F_ALIASES(n, N, P) \
	VM_EXPORT void n P __attribute__((alias(#n "_"))); \
	VM_EXPORT void n##__ P __attribute__((alias(#n "_"))); \
	VM_EXPORT void N P __attribute__((alias(#n "_")));

#define VM_F_WRAP(ID, n, N, P, A, BYTES) \
VM_EXPORT void n##_ P \
{ \
	if (!vm_counting()) { \
		vm_freal_##n A; \
		return; \
	} \
	uint64_t vm_t0_ = vm_now(); \
	vm_freal_##n A; \
	uint64_t vm_t1_ = vm_now(); \
	uint64_t vm_n_ = *ierr == MPI_SUCCESS ? (uint64_t)(BYTES) : 0; \
	vm_api.count(VIGIL_OP_##ID, vm_n_, vm_n_, *ierr != MPI_SUCCESS, vm_t0_, vm_t1_); \
} \
VM_F_ALIASES(n, N, P)
VIGIL_MPI_FCALLS(VM_F_WRAP)

#define VM_FIO_WRAP(ID, n, N, P, A, OFF) \
VM_EXPORT void n##_ P \
{ \
	if (!vm_counting()) { \
		vm_freal_##n A; \
		return; \
	} \
	MPI_File vm_f_ = vm_pmpi.file_f2c(*(F *)fh); \
	uint64_t vm_t0_ = vm_now(); \
	vm_freal_##n A; \
	uint64_t vm_t1_ = vm_now(); \
	uint64_t vm_n_ = *ierr == MPI_SUCCESS ? vm_tsize(*count, VM_T(dt)) : 0; \
	int64_t vm_off_ = -1; \
	int vm_id_ = vm_file_id(vm_f_, (OFF), &vm_off_); \
	vm_api.count_file(VIGIL_OP_##ID, vm_id_, vm_n_, vm_n_, vm_off_, *ierr != MPI_SUCCESS, vm_t0_, vm_t1_); \
} \
VM_F_ALIASES(n, N, P)
VIGIL_MPI_FIOCALLS(VM_FIO_WRAP)

VM_EXPORT void mpi_init_(F *ierr)
{
	if (!vm_counting()) {
		vm_freal_mpi_init(ierr);
		return;
	}
	uint64_t t0 = vm_api.now();
	vm_freal_mpi_init(ierr);
	uint64_t t1 = vm_api.now();
	vm_api.count(VIGIL_OP_MPI_INIT, 0, 0, *ierr != MPI_SUCCESS, t0, t1);
	if (*ierr == MPI_SUCCESS)
		vm_after_init();
}
VM_F_ALIASES(mpi_init, MPI_INIT, (F *ierr))

VM_EXPORT void mpi_init_thread_(F *req, F *prov, F *ierr)
{
	if (!vm_counting()) {
		vm_freal_mpi_init_thread(req, prov, ierr);
		return;
	}
	uint64_t t0 = vm_api.now();
	vm_freal_mpi_init_thread(req, prov, ierr);
	uint64_t t1 = vm_api.now();
	vm_api.count(VIGIL_OP_MPI_INIT_THREAD, 0, 0, *ierr != MPI_SUCCESS, t0, t1);
	if (*ierr == MPI_SUCCESS)
		vm_after_init();
}
VM_F_ALIASES(mpi_init_thread, MPI_INIT_THREAD, (F *req, F *prov, F *ierr))

VM_EXPORT void mpi_finalize_(F *ierr)
{
	int paused = 0;
	if (vm_counting()) {
		uint64_t t0 = vm_api.now();
		vm_api.count(VIGIL_OP_MPI_FINALIZE, 0, 0, 0, t0, t0);
		paused = vm_before_finalize();
	}
	vm_freal_mpi_finalize(ierr);
	if (paused)
		vm_after_finalize(); /* as MPI_Finalize (mpi_wrap.c) */
}
VM_F_ALIASES(mpi_finalize, MPI_FINALIZE, (F *ierr))

VM_EXPORT void mpi_file_open_(F *comm, char *name, F *amode, F *info, F *fh, F *ierr, size_t len)
{
	if (!vm_counting()) {
		vm_freal_mpi_file_open(comm, name, amode, info, fh, ierr, len);
		return;
	}
	uint64_t t0 = vm_api.now();
	vm_freal_mpi_file_open(comm, name, amode, info, fh, ierr, len);
	uint64_t t1 = vm_api.now();
	int id = -1;
	if (*ierr == MPI_SUCCESS) {
		/* A Fortran string: blank-padded, not NUL-terminated. */
		char path[4096];
		size_t n = len < sizeof(path) - 1 ? len : sizeof(path) - 1;
		while (n > 0 && name[n - 1] == ' ')
			n--;
		memcpy(path, name, n);
		path[n] = '\0';
		id = vm_api.file_register(path, VIGIL_FLAYER_MPIIO);
		vm_file_add(vm_pmpi.file_f2c(*fh), id);
	}
	vm_api.count_file(VIGIL_OP_MPI_FILE_OPEN, id, 0, 0, -1, *ierr != MPI_SUCCESS, t0, t1);
}
VM_F_ALIASES(mpi_file_open, MPI_FILE_OPEN, (F *comm, char *name, F *amode, F *info, F *fh, F *ierr, size_t len))

VM_EXPORT void mpi_file_close_(F *fh, F *ierr)
{
	if (!vm_counting()) {
		vm_freal_mpi_file_close(fh, ierr);
		return;
	}
	MPI_File f = vm_pmpi.file_f2c(*fh);
	int64_t boff;
	int id = vm_file_id(f, -1, &boff);
	uint64_t t0 = vm_api.now();
	vm_freal_mpi_file_close(fh, ierr);
	uint64_t t1 = vm_api.now();
	if (*ierr == MPI_SUCCESS)
		vm_file_del(f);
	vm_api.count_file(VIGIL_OP_MPI_FILE_CLOSE, id, 0, 0, -1, *ierr != MPI_SUCCESS, t0, t1);
}
VM_F_ALIASES(mpi_file_close, MPI_FILE_CLOSE, (F *fh, F *ierr))

#else /* MPICH: its Fortran bindings call MPI_*, which the C wrappers count. */

void vm_fortran_resolve(void)
{
}

#endif
