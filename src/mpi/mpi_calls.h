/*
 * mpi_calls.h - the one list of C MPI calls the MPI collectors wrap.
 *
 * Each line is one wrapper: X(OP, Name, (parameters), (arguments), bytes).
 * OP is the suffix of VIGIL_OP_ in include/vigil/ops.h; `bytes` is this
 * rank's byte count by the rule of docs/MPI-COUNTING.md, evaluated only
 * after the call succeeded (so every handle it reads is known valid).
 * MPI_Init, MPI_Init_thread, MPI_Finalize, MPI_File_open and MPI_File_close
 * do more than count and are written by hand in mpi_wrap.c.
 *
 * IO(OP, Name, (parameters), (arguments), fh, offset, bytes) is the same for
 * MPI-IO calls on an open file: `fh` names the file for its per-file record,
 * `offset` is the explicit offset of the _at forms (VM_NOOFF otherwise).
 */
#ifndef VIGIL_MPI_CALLS_H
#define VIGIL_MPI_CALLS_H

#define VM_SENDP const void *buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm
#define VM_SENDA buf, count, dt, dest, tag, comm
#define VM_RED6P const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op, MPI_Comm comm
#define VM_RED6A sbuf, rbuf, count, dt, op, comm
#define VM_G8P const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount, MPI_Datatype rtype
#define VM_G8A sbuf, scount, stype, rbuf, rcount, rtype
#define VM_GVP const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, const int rcounts[], const int displs[], MPI_Datatype rtype
#define VM_GVA sbuf, scount, stype, rbuf, rcounts, displs, rtype
#define VM_SVP const void *sbuf, const int scounts[], const int displs[], MPI_Datatype stype, void *rbuf, int rcount, MPI_Datatype rtype
#define VM_SVA sbuf, scounts, displs, stype, rbuf, rcount, rtype
#define VM_AVP const void *sbuf, const int scounts[], const int sdispls[], MPI_Datatype stype, void *rbuf, const int rcounts[], const int rdispls[], MPI_Datatype rtype, MPI_Comm comm
#define VM_AVA sbuf, scounts, sdispls, stype, rbuf, rcounts, rdispls, rtype, comm
#define VM_AWP const void *sbuf, const int scounts[], const int sdispls[], const MPI_Datatype stypes[], void *rbuf, const int rcounts[], const int rdispls[], const MPI_Datatype rtypes[], MPI_Comm comm
#define VM_AWA sbuf, scounts, sdispls, stypes, rbuf, rcounts, rdispls, rtypes, comm
#define VM_RSP const void *sbuf, void *rbuf, const int rcounts[], MPI_Datatype dt, MPI_Op op, MPI_Comm comm
#define VM_RSA sbuf, rbuf, rcounts, dt, op, comm
#define VM_RSBP const void *sbuf, void *rbuf, int rcount, MPI_Datatype dt, MPI_Op op, MPI_Comm comm
#define VM_RSBA sbuf, rbuf, rcount, dt, op, comm
#define VM_RMAP int tcount, MPI_Datatype ttype
#define VM_REQ MPI_Request *req

/* Byte rules shared by a blocking call and its nonblocking form. */
#define VM_B_SEND         vm_tsize(count, dt)
#define VM_B_RED          vm_tsize(count, dt)
#define VM_B_GATHER       vm_b_gather(sbuf, scount, stype, rcount, rtype, root, comm)
#define VM_B_GATHERV      vm_b_gatherv(sbuf, scount, stype, rcounts, rtype, root, comm)
#define VM_B_SCATTER      vm_b_scatter(scount, stype, rcount, rtype, root, comm)
#define VM_B_SCATTERV     vm_b_scatterv(scounts, stype, rcount, rtype, root, comm)
#define VM_B_ALLGATHER    vm_b_allgather(sbuf, scount, stype, rcount, rtype, comm)
#define VM_B_ALLGATHERV   vm_b_allgatherv(sbuf, scount, stype, rcounts, rtype, comm)
#define VM_B_ALLTOALL     vm_b_alltoall(sbuf, scount, stype, rcount, rtype, comm)
#define VM_B_ALLTOALLV    vm_b_alltoallv(sbuf, scounts, stype, rcounts, rtype, comm)
#define VM_B_ALLTOALLW    vm_b_alltoallw(sbuf, scounts, stypes, rcounts, rtypes, comm)
#define VM_B_RS           vm_b_redscat(rcounts, dt, comm)
#define VM_B_RSB          vm_b_redscat_block(rcount, dt, comm)

#define VIGIL_MPI_CALLS(X) \
	X(MPI_COMM_RANK, MPI_Comm_rank, (MPI_Comm comm, int *rank), (comm, rank), 0) \
	X(MPI_COMM_SIZE, MPI_Comm_size, (MPI_Comm comm, int *size), (comm, size), 0) \
	X(MPI_SEND,  MPI_Send,  (VM_SENDP), (VM_SENDA), VM_B_SEND) \
	X(MPI_SSEND, MPI_Ssend, (VM_SENDP), (VM_SENDA), VM_B_SEND) \
	X(MPI_BSEND, MPI_Bsend, (VM_SENDP), (VM_SENDA), VM_B_SEND) \
	X(MPI_RSEND, MPI_Rsend, (VM_SENDP), (VM_SENDA), VM_B_SEND) \
	X(MPI_ISEND,  MPI_Isend,  (VM_SENDP, VM_REQ), (VM_SENDA, req), VM_B_SEND) \
	X(MPI_ISSEND, MPI_Issend, (VM_SENDP, VM_REQ), (VM_SENDA, req), VM_B_SEND) \
	X(MPI_IBSEND, MPI_Ibsend, (VM_SENDP, VM_REQ), (VM_SENDA, req), VM_B_SEND) \
	X(MPI_IRSEND, MPI_Irsend, (VM_SENDP, VM_REQ), (VM_SENDA, req), VM_B_SEND) \
	X(MPI_RECV,  MPI_Recv, (void *buf, int count, MPI_Datatype dt, int src, int tag, MPI_Comm comm, MPI_Status *st), \
	  (buf, count, dt, src, tag, comm, st), VM_B_SEND) \
	X(MPI_IRECV, MPI_Irecv, (void *buf, int count, MPI_Datatype dt, int src, int tag, MPI_Comm comm, VM_REQ), \
	  (buf, count, dt, src, tag, comm, req), VM_B_SEND) \
	X(MPI_SENDRECV, MPI_Sendrecv, (const void *sbuf, int scount, MPI_Datatype stype, int dest, int stag, \
	  void *rbuf, int rcount, MPI_Datatype rtype, int src, int rtag, MPI_Comm comm, MPI_Status *st), \
	  (sbuf, scount, stype, dest, stag, rbuf, rcount, rtype, src, rtag, comm, st), vm_tsize(scount, stype)) \
	X(MPI_SENDRECV_REPLACE, MPI_Sendrecv_replace, (void *buf, int count, MPI_Datatype dt, int dest, int stag, \
	  int src, int rtag, MPI_Comm comm, MPI_Status *st), (buf, count, dt, dest, stag, src, rtag, comm, st), VM_B_SEND) \
	X(MPI_PROBE,  MPI_Probe,  (int src, int tag, MPI_Comm comm, MPI_Status *st), (src, tag, comm, st), 0) \
	X(MPI_IPROBE, MPI_Iprobe, (int src, int tag, MPI_Comm comm, int *flag, MPI_Status *st), (src, tag, comm, flag, st), 0) \
	X(MPI_WAIT,    MPI_Wait,    (MPI_Request *req, MPI_Status *st), (req, st), 0) \
	X(MPI_WAITALL, MPI_Waitall, (int n, MPI_Request reqs[], MPI_Status sts[]), (n, reqs, sts), 0) \
	X(MPI_WAITANY, MPI_Waitany, (int n, MPI_Request reqs[], int *idx, MPI_Status *st), (n, reqs, idx, st), 0) \
	X(MPI_WAITSOME, MPI_Waitsome, (int n, MPI_Request reqs[], int *outn, int idx[], MPI_Status sts[]), \
	  (n, reqs, outn, idx, sts), 0) \
	X(MPI_TEST,    MPI_Test,    (MPI_Request *req, int *flag, MPI_Status *st), (req, flag, st), 0) \
	X(MPI_TESTALL, MPI_Testall, (int n, MPI_Request reqs[], int *flag, MPI_Status sts[]), (n, reqs, flag, sts), 0) \
	X(MPI_TESTANY, MPI_Testany, (int n, MPI_Request reqs[], int *idx, int *flag, MPI_Status *st), \
	  (n, reqs, idx, flag, st), 0) \
	X(MPI_TESTSOME, MPI_Testsome, (int n, MPI_Request reqs[], int *outn, int idx[], MPI_Status sts[]), \
	  (n, reqs, outn, idx, sts), 0) \
	X(MPI_BARRIER,  MPI_Barrier, (MPI_Comm comm), (comm), 0) \
	X(MPI_IBARRIER, MPI_Ibarrier, (MPI_Comm comm, VM_REQ), (comm, req), 0) \
	X(MPI_BCAST,  MPI_Bcast,  (void *buf, int count, MPI_Datatype dt, int root, MPI_Comm comm), \
	  (buf, count, dt, root, comm), VM_B_SEND) \
	X(MPI_IBCAST, MPI_Ibcast, (void *buf, int count, MPI_Datatype dt, int root, MPI_Comm comm, VM_REQ), \
	  (buf, count, dt, root, comm, req), VM_B_SEND) \
	X(MPI_REDUCE,  MPI_Reduce,  (const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op, int root, MPI_Comm comm), \
	  (sbuf, rbuf, count, dt, op, root, comm), VM_B_RED) \
	X(MPI_IREDUCE, MPI_Ireduce, (const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op, int root, MPI_Comm comm, VM_REQ), \
	  (sbuf, rbuf, count, dt, op, root, comm, req), VM_B_RED) \
	X(MPI_ALLREDUCE,  MPI_Allreduce,  (VM_RED6P), (VM_RED6A), VM_B_RED) \
	X(MPI_IALLREDUCE, MPI_Iallreduce, (VM_RED6P, VM_REQ), (VM_RED6A, req), VM_B_RED) \
	X(MPI_SCAN,    MPI_Scan,    (VM_RED6P), (VM_RED6A), VM_B_RED) \
	X(MPI_ISCAN,   MPI_Iscan,   (VM_RED6P, VM_REQ), (VM_RED6A, req), VM_B_RED) \
	X(MPI_EXSCAN,  MPI_Exscan,  (VM_RED6P), (VM_RED6A), VM_B_RED) \
	X(MPI_IEXSCAN, MPI_Iexscan, (VM_RED6P, VM_REQ), (VM_RED6A, req), VM_B_RED) \
	X(MPI_GATHER,  MPI_Gather,  (VM_G8P, int root, MPI_Comm comm), (VM_G8A, root, comm), VM_B_GATHER) \
	X(MPI_IGATHER, MPI_Igather, (VM_G8P, int root, MPI_Comm comm, VM_REQ), (VM_G8A, root, comm, req), VM_B_GATHER) \
	X(MPI_GATHERV,  MPI_Gatherv,  (VM_GVP, int root, MPI_Comm comm), (VM_GVA, root, comm), VM_B_GATHERV) \
	X(MPI_IGATHERV, MPI_Igatherv, (VM_GVP, int root, MPI_Comm comm, VM_REQ), (VM_GVA, root, comm, req), VM_B_GATHERV) \
	X(MPI_SCATTER,  MPI_Scatter,  (VM_G8P, int root, MPI_Comm comm), (VM_G8A, root, comm), VM_B_SCATTER) \
	X(MPI_ISCATTER, MPI_Iscatter, (VM_G8P, int root, MPI_Comm comm, VM_REQ), (VM_G8A, root, comm, req), VM_B_SCATTER) \
	X(MPI_SCATTERV,  MPI_Scatterv,  (VM_SVP, int root, MPI_Comm comm), (VM_SVA, root, comm), VM_B_SCATTERV) \
	X(MPI_ISCATTERV, MPI_Iscatterv, (VM_SVP, int root, MPI_Comm comm, VM_REQ), (VM_SVA, root, comm, req), VM_B_SCATTERV) \
	X(MPI_ALLGATHER,  MPI_Allgather,  (VM_G8P, MPI_Comm comm), (VM_G8A, comm), VM_B_ALLGATHER) \
	X(MPI_IALLGATHER, MPI_Iallgather, (VM_G8P, MPI_Comm comm, VM_REQ), (VM_G8A, comm, req), VM_B_ALLGATHER) \
	X(MPI_ALLGATHERV,  MPI_Allgatherv,  (VM_GVP, MPI_Comm comm), (VM_GVA, comm), VM_B_ALLGATHERV) \
	X(MPI_IALLGATHERV, MPI_Iallgatherv, (VM_GVP, MPI_Comm comm, VM_REQ), (VM_GVA, comm, req), VM_B_ALLGATHERV) \
	X(MPI_ALLTOALL,  MPI_Alltoall,  (VM_G8P, MPI_Comm comm), (VM_G8A, comm), VM_B_ALLTOALL) \
	X(MPI_IALLTOALL, MPI_Ialltoall, (VM_G8P, MPI_Comm comm, VM_REQ), (VM_G8A, comm, req), VM_B_ALLTOALL) \
	X(MPI_ALLTOALLV,  MPI_Alltoallv,  (VM_AVP), (VM_AVA), VM_B_ALLTOALLV) \
	X(MPI_IALLTOALLV, MPI_Ialltoallv, (VM_AVP, VM_REQ), (VM_AVA, req), VM_B_ALLTOALLV) \
	X(MPI_ALLTOALLW,  MPI_Alltoallw,  (VM_AWP), (VM_AWA), VM_B_ALLTOALLW) \
	X(MPI_IALLTOALLW, MPI_Ialltoallw, (VM_AWP, VM_REQ), (VM_AWA, req), VM_B_ALLTOALLW) \
	X(MPI_REDUCE_SCATTER,  MPI_Reduce_scatter,  (VM_RSP), (VM_RSA), VM_B_RS) \
	X(MPI_IREDUCE_SCATTER, MPI_Ireduce_scatter, (VM_RSP, VM_REQ), (VM_RSA, req), VM_B_RS) \
	X(MPI_REDUCE_SCATTER_BLOCK,  MPI_Reduce_scatter_block,  (VM_RSBP), (VM_RSBA), VM_B_RSB) \
	X(MPI_IREDUCE_SCATTER_BLOCK, MPI_Ireduce_scatter_block, (VM_RSBP, VM_REQ), (VM_RSBA, req), VM_B_RSB) \
	X(MPI_PUT, MPI_Put, (const void *obuf, int ocount, MPI_Datatype otype, int trank, MPI_Aint tdisp, VM_RMAP, MPI_Win win), \
	  (obuf, ocount, otype, trank, tdisp, tcount, ttype, win), vm_tsize(ocount, otype)) \
	X(MPI_GET, MPI_Get, (void *obuf, int ocount, MPI_Datatype otype, int trank, MPI_Aint tdisp, VM_RMAP, MPI_Win win), \
	  (obuf, ocount, otype, trank, tdisp, tcount, ttype, win), vm_tsize(ocount, otype)) \
	X(MPI_ACCUMULATE, MPI_Accumulate, (const void *obuf, int ocount, MPI_Datatype otype, int trank, MPI_Aint tdisp, \
	  VM_RMAP, MPI_Op op, MPI_Win win), (obuf, ocount, otype, trank, tdisp, tcount, ttype, op, win), vm_tsize(ocount, otype)) \
	X(MPI_WIN_FENCE,  MPI_Win_fence,  (int assert, MPI_Win win), (assert, win), 0) \
	X(MPI_WIN_LOCK,   MPI_Win_lock,   (int type, int rank, int assert, MPI_Win win), (type, rank, assert, win), 0) \
	X(MPI_WIN_UNLOCK, MPI_Win_unlock, (int rank, MPI_Win win), (rank, win), 0)

#define VM_FRDP MPI_File fh, void *buf, int count, MPI_Datatype dt
#define VM_FWRP MPI_File fh, const void *buf, int count, MPI_Datatype dt
#define VM_FRAP MPI_File fh, MPI_Offset off, void *buf, int count, MPI_Datatype dt
#define VM_FWAP MPI_File fh, MPI_Offset off, const void *buf, int count, MPI_Datatype dt
#define VM_FA   fh, buf, count, dt
#define VM_FAA  fh, off, buf, count, dt
#define VM_ST   MPI_Status *st

#define VIGIL_MPIIO_CALLS(IO) \
	IO(MPI_FILE_READ,          MPI_File_read,          (VM_FRDP, VM_ST), (VM_FA, st), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_READ_ALL,      MPI_File_read_all,      (VM_FRDP, VM_ST), (VM_FA, st), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_READ_SHARED,   MPI_File_read_shared,   (VM_FRDP, VM_ST), (VM_FA, st), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_READ_ORDERED,  MPI_File_read_ordered,  (VM_FRDP, VM_ST), (VM_FA, st), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_READ_AT,       MPI_File_read_at,       (VM_FRAP, VM_ST), (VM_FAA, st), fh, off, VM_B_SEND) \
	IO(MPI_FILE_READ_AT_ALL,   MPI_File_read_at_all,   (VM_FRAP, VM_ST), (VM_FAA, st), fh, off, VM_B_SEND) \
	IO(MPI_FILE_IREAD,         MPI_File_iread,         (VM_FRDP, VM_REQ), (VM_FA, req), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_IREAD_ALL,     MPI_File_iread_all,     (VM_FRDP, VM_REQ), (VM_FA, req), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_IREAD_SHARED,  MPI_File_iread_shared,  (VM_FRDP, VM_REQ), (VM_FA, req), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_IREAD_AT,      MPI_File_iread_at,      (VM_FRAP, VM_REQ), (VM_FAA, req), fh, off, VM_B_SEND) \
	IO(MPI_FILE_IREAD_AT_ALL,  MPI_File_iread_at_all,  (VM_FRAP, VM_REQ), (VM_FAA, req), fh, off, VM_B_SEND) \
	IO(MPI_FILE_WRITE,         MPI_File_write,         (VM_FWRP, VM_ST), (VM_FA, st), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_WRITE_ALL,     MPI_File_write_all,     (VM_FWRP, VM_ST), (VM_FA, st), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_WRITE_SHARED,  MPI_File_write_shared,  (VM_FWRP, VM_ST), (VM_FA, st), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_WRITE_ORDERED, MPI_File_write_ordered, (VM_FWRP, VM_ST), (VM_FA, st), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_WRITE_AT,      MPI_File_write_at,      (VM_FWAP, VM_ST), (VM_FAA, st), fh, off, VM_B_SEND) \
	IO(MPI_FILE_WRITE_AT_ALL,  MPI_File_write_at_all,  (VM_FWAP, VM_ST), (VM_FAA, st), fh, off, VM_B_SEND) \
	IO(MPI_FILE_IWRITE,        MPI_File_iwrite,        (VM_FWRP, VM_REQ), (VM_FA, req), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_IWRITE_ALL,    MPI_File_iwrite_all,    (VM_FWRP, VM_REQ), (VM_FA, req), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_IWRITE_SHARED, MPI_File_iwrite_shared, (VM_FWRP, VM_REQ), (VM_FA, req), fh, VM_NOOFF, VM_B_SEND) \
	IO(MPI_FILE_IWRITE_AT,     MPI_File_iwrite_at,     (VM_FWAP, VM_REQ), (VM_FAA, req), fh, off, VM_B_SEND) \
	IO(MPI_FILE_IWRITE_AT_ALL, MPI_File_iwrite_at_all, (VM_FWAP, VM_REQ), (VM_FAA, req), fh, off, VM_B_SEND) \
	IO(MPI_FILE_SYNC,          MPI_File_sync,          (MPI_File fh), (fh), fh, VM_NOOFF, 0) \
	IO(MPI_FILE_SET_SIZE,      MPI_File_set_size,      (MPI_File fh, MPI_Offset size), (fh, size), fh, VM_NOOFF, 0) \
	IO(MPI_FILE_PREALLOCATE,   MPI_File_preallocate,   (MPI_File fh, MPI_Offset size), (fh, size), fh, VM_NOOFF, 0) \
	IO(MPI_FILE_SEEK,          MPI_File_seek,          (MPI_File fh, MPI_Offset off, int whence), (fh, off, whence), fh, VM_NOOFF, 0)

#endif
