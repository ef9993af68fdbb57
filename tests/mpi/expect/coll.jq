# coll.c with 4 ranks, root 0 (byte rules: docs/MPI-COUNTING.md)
.mpi.ranks == 4
.totals.mpi.MPI_Barrier.calls == 4
.totals.mpi.MPI_Bcast.bytes == 256
.totals.mpi.MPI_Reduce.bytes == 128
.totals.mpi.MPI_Allreduce.calls == 8 and .totals.mpi.MPI_Allreduce.bytes == 96
.totals.mpi.MPI_Gather.bytes == 32
.totals.mpi.MPI_Gatherv.bytes == 40
.totals.mpi.MPI_Scatter.bytes == 28
.totals.mpi.MPI_Scatterv.bytes == 76
.totals.mpi.MPI_Allgather.bytes == 16
.totals.mpi.MPI_Allgatherv.bytes == 40
.totals.mpi.MPI_Alltoall.bytes == 64
.totals.mpi.MPI_Alltoallv.bytes == 128
.totals.mpi.MPI_Alltoallw.bytes == 64
.totals.mpi.MPI_Reduce_scatter_block.bytes == 64
.totals.mpi.MPI_Reduce_scatter.bytes == 64
.totals.mpi.MPI_Scan.bytes == 16 and .totals.mpi.MPI_Exscan.bytes == 16
.totals.mpi.MPI_Ibcast.calls == 4 and .totals.mpi.MPI_Ibcast.bytes == 32
.totals.mpi.MPI_Iallreduce.bytes == 16
.totals.mpi.MPI_Ibarrier.calls == 4
.totals.mpi.MPI_Wait.calls == 12
.mpi.per_rank.mpi.MPI_Gatherv.bytes | .min == 4 and .min_rank == 0 and .max == 16 and .max_rank == 3
.mpi.per_rank.mpi.MPI_Scatterv.bytes | .min == 8 and .min_rank == 1 and .max == 40 and .max_rank == 0
([.processes[] | select(.rank == 0)][0].totals.mpi.MPI_Scatter.bytes) == 16
