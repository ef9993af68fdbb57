/*
 * shimrace.c - the shim's first MPI calls come from 8 threads at once (one resolves, the others
 * wait for it), every argument and return value passes the trampolines intact, and the calls
 * did go through libvigil-mpi.so.  Linked to shimstub.c's library; prints "ok" or what failed.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

int MPI_Comm_rank(void *comm, int *rank);
int MPI_Sendrecv(const void *sbuf, int scount, void *stype, int dest, int stag, void *rbuf,
                 int rcount, void *rtype, int src, int rtag, void *comm, void *status);

#define NT 8
static pthread_barrier_t go;
static int got[NT];

static void *worker(void *arg)
{
	long i = (long)arg;
	pthread_barrier_wait(&go);
	int r = -1;
	for (int k = 0; k < 1000; k++)
		if (MPI_Comm_rank((void *)(i + 1 + k), &r) != 0 || r != (int)(i + 1 + k))
			return NULL;
	got[i] = 1;
	return NULL;
}

int main(void)
{
	pthread_t t[NT];
	pthread_barrier_init(&go, NULL, NT);
	for (long i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	int bad = 0;
	for (int i = 0; i < NT; i++) {
		pthread_join(t[i], NULL);
		if (!got[i]) {
			printf("thread %d: wrong rank or return value\n", i);
			bad = 1;
		}
	}
	int x;
	int rc = MPI_Sendrecv(&x, 1, &x, 2, 3, &x, 4, &x, 5, 6, &got, &got);
	if (rc != 654321 + 7) {
		printf("MPI_Sendrecv returned %d, want %d\n", rc, 654321 + 7);
		bad = 1;
	}
	Dl_info di;
	void *p = dlsym(RTLD_DEFAULT, "MPI_Comm_rank");
	const char *b = p && dladdr(p, &di) && di.dli_fname ? strrchr(di.dli_fname, '/') : NULL;
	if (!b || strcmp(b, "/libvigil-mpi.so")) {
		printf("MPI_Comm_rank is not the shim's but %s's\n", p && di.dli_fname ? di.dli_fname : "nobody");
		bad = 1;
	}
	if (!bad)
		printf("ok\n");
	return bad;
}
