/*
 * shimlock.c MOD - the shim's first MPI call waits for no thread forever: MOD's constructor
 * (run under the loader's lock) starts a thread whose MPI call begins filling the slots (and so
 * needs that lock), then makes an MPI call itself.  It must pass through (rank 7) after the
 * shim's bounded wait, and the thread's call must complete once dlopen returns (rank 5); a
 * call after that goes through the filled slot (rank 9).
 * Linked to shimstub.c's library; prints "ok" or what failed.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

int MPI_Comm_rank(void *comm, int *rank);

int main(int argc, char **argv)
{
	void *h = argc == 2 ? dlopen(argv[1], RTLD_NOW) : NULL;
	pthread_t *t = h ? dlsym(h, "shimlock_thread") : NULL;
	int *rank = h ? dlsym(h, "shimlock_rank") : NULL;
	if (!t || !rank) {
		printf("dlopen %s: %s\n", argc == 2 ? argv[1] : "(none)", dlerror());
		return 1;
	}
	void *r = NULL;
	pthread_join(*t, &r);
	int after = -1;
	MPI_Comm_rank((void *)9, &after);
	if (*rank != 7 || (long)r != 5 || after != 9) {
		printf("ranks %d (constructor, want 7), %ld (thread, want 5), %d (after, want 9)\n", *rank, (long)r, after);
		return 1;
	}
	printf("ok\n");
	return 0;
}
