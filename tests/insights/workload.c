/*
 * workload.c - the I/O patterns the insight rules are about, each with a
 * near miss (tests/insights/run_test.sh).  Every mode does exactly what its
 * comment says, so a test can state what the rules must conclude.
 *
 * usage: workload MODE DIR [N] [SIZE]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *buf;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int create(const char *dir, const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(p);
	return fd;
}

static void fill(int fd, size_t bytes)
{
	for (size_t done = 0; done < bytes;) {
		size_t n = bytes - done < (4u << 20) ? bytes - done : (4u << 20);
		if (write(fd, buf, n) != (ssize_t)n)
			die("write");
		done += n;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: workload MODE DIR [N] [SIZE]\n");
		return 2;
	}
	const char *mode = argv[1], *dir = argv[2];
	long n = argc > 3 ? atol(argv[3]) : 1500;
	size_t size = argc > 4 ? strtoul(argv[4], NULL, 0) : 16;
	buf = calloc(1, 8u << 20);
	if (!buf)
		die("calloc");
	if (!strcmp(mode, "writes")) {          /* n write() of size bytes, one after the other */
		int fd = create(dir, "out");
		for (long i = 0; i < n; i++)
			if (write(fd, buf, size) != (ssize_t)size)
				die("write");
		close(fd);
	} else if (!strcmp(mode, "pwrite0")) {  /* n pwrite() of size bytes, all at offset 0 */
		int fd = create(dir, "out");
		for (long i = 0; i < n; i++)
			if (pwrite(fd, buf, size, 0) != (ssize_t)size)
				die("pwrite");
		close(fd);
	} else if (!strcmp(mode, "reads") || !strcmp(mode, "randreads")) {
		/* an 8 MiB file, then n reads of size bytes: in order, or backwards (each before the last) */
		int fd = create(dir, "in");
		fill(fd, 8u << 20);
		lseek(fd, 0, SEEK_SET);
		for (long i = 0; i < n; i++) {
			long blocks = (8l << 20) / (long)size;
			off_t off = (off_t)((!strcmp(mode, "reads") ? i : n - 1 - i) % blocks) * (off_t)size;
			if (pread(fd, buf, size, off) != (ssize_t)size)
				die("pread");
		}
		close(fd);
	} else if (!strcmp(mode, "randwrites")) { /* n pwrite() of size bytes, each before the previous one */
		int fd = create(dir, "out");
		for (long i = 0; i < n; i++)
			if (pwrite(fd, buf, size, (off_t)(n - 1 - i) * (off_t)size) != (ssize_t)size)
				die("pwrite");
		close(fd);
	} else if (!strcmp(mode, "reread")) {   /* a file of size bytes, read n times from the start */
		int fd = create(dir, "in");
		fill(fd, size);
		for (long i = 0; i < n; i++) {
			lseek(fd, 0, SEEK_SET);
			for (size_t done = 0; done < size;) {
				ssize_t r = read(fd, buf, (8u << 20));
				if (r <= 0)
					die("read");
				done += (size_t)r;
			}
		}
		close(fd);
	} else if (!strcmp(mode, "meta")) {     /* n x (stat, open, close) of one file, size bytes read per open */
		int fd = create(dir, "m");
		fill(fd, size);
		close(fd);
		char p[4096];
		snprintf(p, sizeof(p), "%s/m", dir);
		for (long i = 0; i < n; i++) {
			struct stat st;
			if (stat(p, &st) || (fd = open(p, O_RDONLY)) < 0)
				die(p);
			if (size && read(fd, buf, size) != (ssize_t)size)
				die("read");
			close(fd);
		}
	} else if (!strcmp(mode, "storm")) {    /* stat() as fast as possible for size milliseconds */
		char p[4096];
		snprintf(p, sizeof(p), "%s/m", dir);
		close(create(dir, "m"));
		double end = now() + (double)size / 1000;
		struct stat st;
		while (now() < end)
			for (int i = 0; i < 100; i++)
				stat(p, &st);
	} else if (!strcmp(mode, "smallfiles")) { /* n files of size bytes: create, write, close each once */
		for (long i = 0; i < n; i++) {
			char name[64];
			snprintf(name, sizeof(name), "f%ld", i);
			int fd = create(dir, name);
			fill(fd, size);
			close(fd);
		}
	} else if (!strcmp(mode, "fsync")) {    /* n writes of size bytes, an fsync after each (n_sync = SYNCS env: 1 = once) */
		int fd = create(dir, "out");
		int once = getenv("ONCE") != NULL;
		for (long i = 0; i < n; i++) {
			if (write(fd, buf, size) != (ssize_t)size)
				die("write");
			if (!once && fsync(fd))
				die("fsync");
		}
		if (once && fsync(fd))
			die("fsync");
		close(fd);
	} else if (!strcmp(mode, "stdio")) {    /* n fwrite() of size bytes to a regular file */
		char p[4096];
		snprintf(p, sizeof(p), "%s/out.txt", dir);
		FILE *f = fopen(p, "w");
		if (!f)
			die(p);
		for (long i = 0; i < n; i++)
			if (fwrite(buf, 1, size, f) != size)
				die("fwrite");
		fclose(f);
	} else if (!strcmp(mode, "errors")) {   /* n reads that fail (EBADF) among 1,000 that succeed */
		int fd = create(dir, "in");
		fill(fd, 1000);
		lseek(fd, 0, SEEK_SET);
		for (long i = 0; i < 1000; i++)
			if (read(fd, buf, 1) != 1)
				die("read");
		for (long i = 0; i < n; i++)
			if (read(-1, buf, 1) != -1 || errno != EBADF)
				die("read(-1)");
		close(fd);
	} else if (!strcmp(mode, "again")) {    /* n reads of an empty non-blocking pipe (EAGAIN) among 1,000 that succeed */
		int fd = create(dir, "in"), pfd[2];
		fill(fd, 1000);
		lseek(fd, 0, SEEK_SET);
		if (pipe(pfd) < 0 || fcntl(pfd[0], F_SETFL, O_NONBLOCK) < 0)
			die("pipe");
		for (long i = 0; i < 1000; i++)
			if (read(fd, buf, 1) != 1)
				die("read");
		for (long i = 0; i < n; i++)
			if (read(pfd[0], buf, 1) != -1 || (errno != EAGAIN && errno != EWOULDBLOCK))
				die("read(pipe)");
		close(pfd[0]);
		close(pfd[1]);
		close(fd);
	} else if (!strcmp(mode, "append")) {   /* n writes of size bytes to a log opened O_APPEND */
		char p[4096];
		snprintf(p, sizeof(p), "%s/log", dir);
		int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			die(p);
		for (long i = 0; i < n; i++)
			if (write(fd, buf, size) != (ssize_t)size)
				die("write");
		close(fd);
	} else {
		fprintf(stderr, "workload: unknown mode %s\n", mode);
		return 2;
	}
	free(buf);
	/* WORKLOAD_HOLD=FILE (vigild's live tests): say "done", then stay alive until FILE exists */
	const char *hold = getenv("WORKLOAD_HOLD");
	if (hold) {
		printf("done\n");
		fflush(stdout);
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		for (int i = 0; i < 2400 && access(hold, F_OK) != 0; i++)
			nanosleep(&ts, NULL);
	}
	return 0;
}
