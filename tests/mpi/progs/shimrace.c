/*
 * shimrace.c - the shim's first MPI calls come from 8 threads at once (one resolves, the others
 * wait for it), every argument and return value passes the trampolines intact, and the calls
 * did go through libvigil-mpi.so.  The first call of each thread is the 12-argument
 * MPI_Sendrecv with 8 doubles more (shimstub.c), so the lazy resolver must give back every
 * argument register (%rdi..%r9, the stack, xmm0-7 and %al) exactly as the caller set them.
 * Linked to shimstub.c's library; prints "ok" or what failed.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

int MPI_Comm_rank(void *comm, int *rank);
/* shimstub.c's stand-in: the 12 arguments, then 8 doubles */
int MPI_Sendrecv(const void *sbuf, int scount, void *stype, int dest, int stag, void *rbuf,
                 int rcount, void *rtype, int src, int rtag, void *comm, void *status, ...);
struct sr_seen {
	long a[11];
	double d[8];
	long rax;
};

#define NT 8
static pthread_barrier_t go;
static int got[NT];

static void *worker(void *arg)
{
	long i = (long)arg;
	struct sr_seen s;
	memset(&s, 0, sizeof s);
	long a[11];
	for (int j = 0; j < 11; j++)
		a[j] = 1000 * (i + 1) + j + 1; /* pointers too: only their values travel */
	pthread_barrier_wait(&go);
	int rc = MPI_Sendrecv((void *)a[0], (int)a[1], (void *)a[2], (int)a[3], (int)a[4], (void *)a[5],
	                      (int)a[6], (void *)a[7], (int)a[8], (int)a[9], (void *)a[10], &s,
	                      i + 0.5, i + 1.25, i + 2.125, i + 3.0625, i + 4.5, i + 5.25, i + 6.125, i + 7.0625);
	static const double frac[8] = {0.5, 1.25, 2.125, 3.0625, 4.5, 5.25, 6.125, 7.0625};
	int bad = rc != (int)(a[1] + a[9]) || s.rax != 8;
	for (int j = 0; j < 11; j++)
		bad |= s.a[j] != a[j];
	for (int j = 0; j < 8; j++)
		bad |= s.d[j] != i + frac[j];
	if (bad) {
		printf("thread %ld: MPI_Sendrecv got other arguments: rc %d rax %ld a", i, rc, s.rax);
		for (int j = 0; j < 11; j++)
			printf(" %ld", s.a[j]);
		for (int j = 0; j < 8; j++)
			printf(" %g", s.d[j]);
		printf("\n");
		return NULL;
	}
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
			printf("thread %d: wrong arguments, rank or return value\n", i);
			bad = 1;
		}
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
