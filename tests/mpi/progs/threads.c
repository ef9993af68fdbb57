/* threads.c - MPI_THREAD_MULTIPLE: 4 threads per rank each do 50 MPI_Allreduce on a communicator of their own. */
#include <mpi.h>
#include <pthread.h>
#include <stdio.h>

static MPI_Comm comms[4];

static void *work(void *arg)
{
	MPI_Comm c = comms[(long)arg];
	for (int i = 0; i < 50; i++) {
		int x = 1, y;
		MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_SUM, c); /* 4 */
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int prov, rank;
	pthread_t t[4];
	MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &prov);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	for (long i = 0; i < 4; i++)
		MPI_Comm_dup(MPI_COMM_WORLD, &comms[i]);
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, (void *)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 4; i++)
		MPI_Comm_free(&comms[i]);
	MPI_Finalize();
	if (rank == 0)
		printf("threads ok %d\n", prov == MPI_THREAD_MULTIPLE);
	return 0;
}
