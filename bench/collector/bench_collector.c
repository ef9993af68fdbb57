/*
 * bench_collector.c - ns per call of a few hot calls; run with and without
 * libvigil.so preloaded by bench/collector/run.sh (alternating, medians).
 * usage: bench_collector OP N   (OP: write pread fwrite openclose stat)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *op = argv[1];
	long n = atol(argv[2]);
	char b[1] = { 'x' };
	char path[64];
	snprintf(path, sizeof(path), "/dev/shm/vigil-bench-%d", (int)getpid());
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "0123456789", 10) != 10)
		return 1;
	int nul = open("/dev/null", O_WRONLY);
	FILE *f = fopen("/dev/null", "w");
	struct stat st;
	double t0 = now();
	if (!strcmp(op, "write"))
		for (long i = 0; i < n; i++)
			write(nul, b, 1);
	else if (!strcmp(op, "pread"))
		for (long i = 0; i < n; i++)
			pread(fd, b, 1, 3);
	else if (!strcmp(op, "fwrite"))
		for (long i = 0; i < n; i++)
			fwrite(b, 1, 1, f);
	else if (!strcmp(op, "openclose"))
		for (long i = 0; i < n; i++)
			close(open(path, O_RDONLY));
	else if (!strcmp(op, "stat"))
		for (long i = 0; i < n; i++)
			stat(path, &st);
	else
		return 2;
	double t1 = now();
	printf("%.2f\n", (t1 - t0) / n);
	fclose(f);
	unlink(path);
	return 0;
}
