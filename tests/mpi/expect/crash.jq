# crash.c: rank 1 dies after the first exchange; no reduction, vigil run reads every segment
([.processes[] | select(.rank >= 0)] | length) == 4
.totals.mpi.MPI_Send.calls == 2 and .totals.mpi.MPI_Send.bytes == 64
.totals.mpi.MPI_Recv.calls == 2 and .totals.mpi.MPI_Recv.bytes == 64
([.processes[] | select(.rank == 0)][0].totals.mpi.MPI_Send.bytes) == 32
