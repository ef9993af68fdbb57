/* rma.c - one-sided: fence epochs with put/get/accumulate, then a lock epoch. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int rank, size, buf[16] = { 0 }, loc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	MPI_Win win;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Win_create(buf, sizeof(buf), sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &win);
	int peer = (rank + 1) % size;
	MPI_Win_fence(0, win);
	MPI_Put(loc, 4, MPI_INT, peer, 0, 4, MPI_INT, win);                /* 16 */
	MPI_Win_fence(0, win);
	MPI_Get(loc, 2, MPI_INT, peer, 4, 2, MPI_INT, win);                /* 8 */
	MPI_Win_fence(0, win);
	MPI_Accumulate(loc, 1, MPI_INT, peer, 8, 1, MPI_INT, MPI_SUM, win); /* 4 */
	MPI_Win_fence(0, win);
	MPI_Win_lock(MPI_LOCK_SHARED, peer, 0, win);
	MPI_Put(loc, 3, MPI_INT, peer, 12, 3, MPI_INT, win);               /* 12 */
	MPI_Win_unlock(peer, win);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Win_free(&win);
	MPI_Finalize();
	if (rank == 0)
		printf("rma ok %d\n", size);
	return 0;
}
