/* p2p.c - point to point with exact, known counts (tests/mpi/expect/p2p.jq). Needs an even number of ranks. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int rank, size, a[100] = { 0 }, b[5];
	double d[10] = { 0 }, e[10];
	char c = 'x';
	MPI_Request req[2];
	MPI_Status st;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	int peer = rank ^ 1;
	if (rank % 2 == 0)
		MPI_Send(a, 100, MPI_INT, peer, 1, MPI_COMM_WORLD);              /* 400 */
	else
		MPI_Recv(a, 100, MPI_INT, peer, 1, MPI_COMM_WORLD, &st);         /* 400 */
	MPI_Isend(d, 10, MPI_DOUBLE, peer, 2, MPI_COMM_WORLD, &req[0]);      /* 80 */
	MPI_Irecv(e, 10, MPI_DOUBLE, peer, 2, MPI_COMM_WORLD, &req[1]);      /* 80 */
	MPI_Waitall(2, req, MPI_STATUSES_IGNORE);
	MPI_Sendrecv(a, 3, MPI_INT, peer, 3, b, 5, MPI_INT, peer, 3, MPI_COMM_WORLD, &st); /* 12 */
	if (rank % 2 == 0) {
		MPI_Ssend(&c, 1, MPI_CHAR, peer, 4, MPI_COMM_WORLD);             /* 1 */
	} else {
		MPI_Probe(peer, 4, MPI_COMM_WORLD, &st);
		MPI_Recv(&c, 1, MPI_CHAR, peer, 4, MPI_COMM_WORLD, &st);         /* 1 */
	}
	MPI_Finalize();
	if (rank == 0)
		printf("p2p ok %d\n", size);
	return 0;
}
