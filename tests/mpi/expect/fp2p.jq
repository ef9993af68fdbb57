# fp2p.f90 with 4 ranks (Fortran: counted once, whatever the bindings call)
.mpi.ranks == 4
.totals.mpi.MPI_Init.calls == 4 and .totals.mpi.MPI_Finalize.calls == 4
.totals.mpi.MPI_Comm_rank.calls == 4 and .totals.mpi.MPI_Comm_size.calls == 4
.totals.mpi.MPI_Send.calls == 2 and .totals.mpi.MPI_Send.bytes == 800
.totals.mpi.MPI_Recv.calls == 2 and .totals.mpi.MPI_Recv.bytes == 800
.totals.mpi.MPI_Isend.calls == 4 and .totals.mpi.MPI_Isend.bytes == 160
.totals.mpi.MPI_Irecv.calls == 4 and .totals.mpi.MPI_Irecv.bytes == 160
.totals.mpi.MPI_Waitall.calls == 4
.totals.mpi.MPI_Barrier.calls == 4
.totals.mpi.MPI_Bcast.bytes == 256
.totals.mpi.MPI_Allreduce.calls == 4 and .totals.mpi.MPI_Allreduce.bytes == 128
.totals.mpi.MPI_Reduce.calls == 4 and .totals.mpi.MPI_Reduce.bytes == 64
