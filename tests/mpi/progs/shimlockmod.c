/* shimlockmod.c - shimlock.c's module: its constructor races the shim's first fill (see there). */
#include <pthread.h>
#include <unistd.h>

int MPI_Comm_rank(void *comm, int *rank);

pthread_t shimlock_thread;
int shimlock_rank = -1;

static void *first(void *arg)
{
	int r = -1;
	MPI_Comm_rank((void *)5, &r);
	return (void *)(long)r;
}

__attribute__((constructor)) static void shimlock_init(void)
{
	pthread_create(&shimlock_thread, NULL, first, NULL);
	usleep(200000); /* the thread is filling, and waits for the loader's lock this constructor holds */
	MPI_Comm_rank((void *)7, &shimlock_rank);
}
