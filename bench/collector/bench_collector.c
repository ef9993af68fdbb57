/*
 * bench_collector.c - ns per call of a few hot calls; run with and without
 * libvigil.so preloaded by bench/collector/run.sh (alternating, medians) and
 * callgrind.sh (instructions).
 * usage: bench_collector OP N            OP: write pwrite pread fwrite openclose stat
 *        bench_collector OP-t N          the same after another thread made one call (a stat)
 *                                        and ended: the process is multithreaded from then on
 *        bench_collector OP-s N          the same after another thread made one OP on the same
 *                                        files: their records are shared between threads
 *        bench_collector callgrind N     every OP, OP-t and OP-s in one process (in that order),
 *                                        each as measured(N) then measured(2N); prints "OP N" per
 *                                        measured() call (callgrind.sh dumps around each)
 *        bench_collector shared T N      T threads, each pwriting 1 byte N times to one shared
 *                                        file through its own descriptor; prints ns per call
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char path[64];
static long n;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int fd, nul;
static FILE *f;

/* `count` calls of op; 0: unknown op */
static int loop(const char *op, long count)
{
	char b[1] = { 'x' };
	struct stat st;
	if (!strcmp(op, "write"))
		for (long i = 0; i < count; i++)
			write(nul, b, 1);
	else if (!strcmp(op, "pwrite"))
		for (long i = 0; i < count; i++)
			pwrite(fd, b, 1, 3);
	else if (!strcmp(op, "pread"))
		for (long i = 0; i < count; i++)
			pread(fd, b, 1, 3);
	else if (!strcmp(op, "fwrite"))
		for (long i = 0; i < count; i++)
			fwrite(b, 1, 1, f);
	else if (!strcmp(op, "openclose"))
		for (long i = 0; i < count; i++)
			close(open(path, O_RDONLY));
	else if (!strcmp(op, "stat"))
		for (long i = 0; i < count; i++)
			stat(path, &st);
	else
		return 0;
	return 1;
}

/* One measured loop: callgrind.sh dumps its counts right before and after each call. */
__attribute__((noinline)) int measured(const char *op, long count)
{
	int r = loop(op, count);
	__asm__ volatile("" ::: "memory");
	return r;
}

/* The other thread: one counted call (a stat, or one `arg` op on the same files), then it ends. */
static void *other(void *arg)
{
	struct stat st;
	if (arg)
		loop(arg, 1);
	else
		stat("/", &st);
	return NULL;
}

static pthread_barrier_t start;

static void *writer(void *arg)
{
	int fd = open(path, O_WRONLY);
	char b = 'x';
	pthread_barrier_wait(&start);
	for (long i = 0; i < n; i++)
		pwrite(fd, &b, 1, (long)arg);
	close(fd);
	return NULL;
}

static int shared(int threads)
{
	pthread_t t[64];
	if (threads < 1 || threads > 64)
		return 2;
	pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
	for (long i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	pthread_barrier_wait(&start);
	double t0 = now();
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("%.2f\n", (now() - t0) / n);
	return 0;
}

static const char *const ops[] = { "write", "pwrite", "pread", "fwrite", "openclose", "stat" };
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static long n_of(const char *op)
{
	return strcmp(op, "openclose") ? n : n / 4;
}

static int all_variants(void)
{
	static const char *const sfx[] = { "", "-t", "-s" };
	for (int v = 0; v < 3; v++) {
		for (unsigned i = 0; v > 0 && i < (v == 1 ? 1u : NOPS); i++) {
			pthread_t t;
			if (pthread_create(&t, NULL, other, v == 2 ? (void *)ops[i] : NULL) || pthread_join(t, NULL))
				return 1;
		}
		for (unsigned i = 0; i < NOPS; i++)
			for (long m = 1; m <= 2; m++) {
				printf("%s%s %ld\n", ops[i], sfx[v], m * n_of(ops[i]));
				fflush(stdout);
				measured(ops[i], m * n_of(ops[i]));
			}
	}
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	char op[32];
	snprintf(op, sizeof(op), "%s", argv[1]);
	n = atol(argv[argc - 1]);
	snprintf(path, sizeof(path), "/dev/shm/vigil-bench-%d", (int)getpid());
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "0123456789", 10) != 10)
		return 1;
	if (!strcmp(op, "shared")) {
		int rc = shared(atoi(argv[2]));
		unlink(path);
		return rc;
	}
	nul = open("/dev/null", O_WRONLY);
	f = fopen("/dev/null", "w");
	size_t l = strlen(op);
	if (l > 2 && op[l - 2] == '-' && (op[l - 1] == 't' || op[l - 1] == 's')) {
		op[l - 2] = 0;
		pthread_t t;
		if (pthread_create(&t, NULL, other, op[l - 1] == 's' ? op : NULL) || pthread_join(t, NULL))
			return 1;
	}
	if (!strcmp(op, "callgrind"))
		return all_variants();
	double t0 = now();
	if (!loop(op, n))
		return 2;
	double t1 = now();
	printf("%.2f\n", (t1 - t0) / n);
	fclose(f);
	unlink(path);
	return 0;
}
