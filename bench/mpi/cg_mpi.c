/*
 * cg_mpi.c - the wrapped calls in loops of their own, for callgrind.
 * Rank 0 (the one run under valgrind) makes each call N times inside its own
 * function (cg_pingpong, cg_allreduce, cg_comm_rank), so that
 * `--toggle-collect=cg_*` counts those loops and nothing of MPI_Init;
 * bench/mpi/cg_added.awk then takes out the inclusive cost of the MPI
 * library's own functions, whose polling depends on timing.  Each call is
 * made once before, outside the loops (first-use caches, lazy binding).
 * Rank 1 echoes the ping-pong and joins the allreduces.
 * usage: cg_mpi [N]   (2 ranks)
 */
#include <mpi.h>
#include <stdlib.h>

static char msg[8];
static double v = 1, w;
static int r;

static void ping(int rank)
{
	if (rank == 0) {
		MPI_Send(msg, 8, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
		MPI_Recv(msg, 8, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	} else {
		MPI_Recv(msg, 8, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		MPI_Send(msg, 8, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
	}
}

__attribute__((noinline)) static void cg_pingpong(long n, int rank)
{
	for (long i = 0; i < n; i++)
		ping(rank);
}

__attribute__((noinline)) static void cg_allreduce(long n)
{
	for (long i = 0; i < n; i++)
		MPI_Allreduce(&v, &w, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

__attribute__((noinline)) static void cg_comm_rank(long n)
{
	for (long i = 0; i < n; i++)
		MPI_Comm_rank(MPI_COMM_WORLD, &r);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000;
	int rank;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	ping(rank);
	MPI_Allreduce(&v, &w, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	cg_pingpong(n, rank);
	cg_allreduce(n);
	if (rank == 0)
		cg_comm_rank(n);
	MPI_Finalize();
	return 0;
}
