# errors.c: MPI_ERRORS_RETURN; a send to rank 999 fails on every rank and the program sees the error
.totals.mpi.MPI_Send.calls == 4 and .totals.mpi.MPI_Send.errors == 4 and .totals.mpi.MPI_Send.bytes == 0
