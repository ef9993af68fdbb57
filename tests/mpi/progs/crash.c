/*
 * crash.c - a rank dies mid-job: argv[1] "abort" (rank 1 calls MPI_Abort) or
 * "kill" (rank 1 sends itself SIGKILL).  Before that every rank did one
 * known MPI_Send/MPI_Recv pair and a barrier, which must survive in the segments.
 */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int rank, v[8] = { 0 };
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	if (rank % 2 == 0)
		MPI_Send(v, 8, MPI_INT, rank + 1, 0, MPI_COMM_WORLD); /* 32 */
	else
		MPI_Recv(v, 8, MPI_INT, rank - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	MPI_Barrier(MPI_COMM_WORLD); /* every exchange is done (and counted) before the death */
	if (rank == 1) {
		if (argc > 1 && !strcmp(argv[1], "kill"))
			raise(SIGKILL);
		MPI_Abort(MPI_COMM_WORLD, 3);
	}
	MPI_Barrier(MPI_COMM_WORLD); /* never completes: rank 1 is gone */
	MPI_Finalize();
	return 0;
}
