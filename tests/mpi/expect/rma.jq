# rma.c with 4 ranks
.totals.mpi.MPI_Put.calls == 8 and .totals.mpi.MPI_Put.bytes == 112
.totals.mpi.MPI_Get.calls == 4 and .totals.mpi.MPI_Get.bytes == 32
.totals.mpi.MPI_Accumulate.calls == 4 and .totals.mpi.MPI_Accumulate.bytes == 16
.totals.mpi.MPI_Win_fence.calls == 16
.totals.mpi.MPI_Win_lock.calls == 4 and .totals.mpi.MPI_Win_unlock.calls == 4
