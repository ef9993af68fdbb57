# threads.c: 4 ranks x 4 threads x 50 MPI_Allreduce of one int, MPI_THREAD_MULTIPLE
.totals.mpi.MPI_Init_thread.calls == 4
.totals.mpi.MPI_Allreduce.calls == 800 and .totals.mpi.MPI_Allreduce.bytes == 3200
