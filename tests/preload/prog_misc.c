/*
 * prog_misc.c - scenarios for the collector's process-level tests
 * (tests/preload/ scripts), one per mode: threads, handover, fork, exec, kill, files,
 * bigfile, reuse_threads, errno, signal, spawn, copy, fsize.  Each does a known number of calls; exits 1 if a
 * call did not behave as it does without the collector.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed line %d: %s (errno %d)\n", __LINE__, #c, errno); failures++; } } while (0)

static int devnull(void)
{
	int fd = open("/dev/null", O_WRONLY);
	if (fd < 0)
		exit(2);
	return fd;
}

/* ---- threads: T threads x 10000 one-byte writes + 100 ten-byte pwrites to a shared file */
static int shared_fd;
static void *thread_body(void *arg)
{
	long id = (long)arg;
	int fd = devnull();
	char b[10] = "0123456789";
	for (int i = 0; i < 10000; i++)
		if (write(fd, b, 1) != 1)
			failures++;
	for (int i = 0; i < 100; i++)
		if (pwrite(shared_fd, b, 10, (id * 100 + i) * 10) != 10)
			failures++;
	close(fd);
	return NULL;
}

static int mode_threads(int n)
{
	pthread_t t[64];
	shared_fd = open("shared.dat", O_CREAT | O_TRUNC | O_WRONLY, 0644);
	CHECK(shared_fd >= 0);
	for (long i = 0; i < n; i++)
		CHECK(pthread_create(&t[i], NULL, thread_body, (void *)i) == 0);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	close(shared_fd);
	return failures ? 1 : 0;
}

/* ---- handover: the main thread owns 2 files' records and keeps writing to them while T
 * threads start writing them through their own descriptors (each record is handed over while
 * its owner writes): per file 1 + (T + 1) x 10000 one-byte writes */
#define HANDOVER_FILES 2
static pthread_barrier_t handover_go;

static void handover_open(int *fds, int flags)
{
	for (int f = 0; f < HANDOVER_FILES; f++) {
		char name[32];
		snprintf(name, sizeof(name), "handover.%d", f);
		fds[f] = open(name, flags, 0644);
		CHECK(fds[f] >= 0);
	}
}

static void handover_write(const int *fds)
{
	for (int i = 0; i < 10000 * HANDOVER_FILES; i++)
		CHECK(pwrite(fds[i % HANDOVER_FILES], "x", 1, i % 512) == 1);
	for (int f = 0; f < HANDOVER_FILES; f++)
		close(fds[f]);
}

static void *handover_body(void *arg)
{
	(void)arg;
	int fds[HANDOVER_FILES];
	handover_open(fds, O_WRONLY);
	pthread_barrier_wait(&handover_go);
	handover_write(fds);
	return NULL;
}

static int mode_handover(int n)
{
	pthread_t t[64];
	int fds[HANDOVER_FILES];
	handover_open(fds, O_CREAT | O_TRUNC | O_WRONLY);
	for (int f = 0; f < HANDOVER_FILES; f++)
		CHECK(write(fds[f], "x", 1) == 1); /* this thread owns the records now */
	CHECK(pthread_barrier_init(&handover_go, NULL, (unsigned)n + 1) == 0);
	for (long i = 0; i < n; i++)
		CHECK(pthread_create(&t[i], NULL, handover_body, NULL) == 0);
	pthread_barrier_wait(&handover_go);
	handover_write(fds);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return failures ? 1 : 0;
}

/* ---- fork: parent 3+1 writes, child 5 writes (10 bytes each) */
static int mode_fork(void)
{
	int fd = devnull();
	for (int i = 0; i < 3; i++)
		CHECK(write(fd, "0123456789", 10) == 10);
	pid_t p = fork();
	if (p == 0) {
		for (int i = 0; i < 5; i++)
			if (write(fd, "0123456789", 10) != 10)
				_exit(1);
		_exit(0);
	}
	int st;
	CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(write(fd, "0123456789", 10) == 10);
	return failures ? 1 : 0;
}

/* ---- exec: 2 writes of 10 bytes per image, then exec self with level-1 */
static int mode_exec(char *self, int level)
{
	int fd = devnull();
	for (int i = 0; i < 2; i++)
		CHECK(write(fd, "0123456789", 10) == 10);
	close(fd);
	if (level > 0) {
		char lv[16];
		snprintf(lv, sizeof(lv), "%d", level - 1);
		char *args[] = { self, "exec", lv, NULL };
		execv(self, args);
		return 3;
	}
	return failures ? 1 : 42;
}

/* ---- kill: child does 7 writes + 1 pipe write, parent SIGKILLs it */
static int mode_kill(void)
{
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	pid_t p = fork();
	if (p == 0) {
		int fd = devnull();
		for (int i = 0; i < 7; i++)
			write(fd, "x", 1);
		write(pfd[1], "r", 1);
		for (;;)
			pause();
	}
	char c;
	CHECK(read(pfd[0], &c, 1) == 1);
	kill(p, SIGKILL);
	int st;
	CHECK(waitpid(p, &st, 0) == p && WIFSIGNALED(st));
	return failures ? 1 : 0;
}

/* ---- files: n distinct files, one byte each */
static int mode_files(int n)
{
	char name[64];
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%04d", i);
		int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		CHECK(fd >= 0);
		CHECK(write(fd, "x", 1) == 1);
		CHECK(close(fd) == 0);
	}
	return failures ? 1 : 0;
}

/* ---- bigfile: n small files (one byte each), then one 8 MiB file in 1 MiB writes, then `after` more small ones */
static int mode_bigfile(int n, int after)
{
	static char mib[1 << 20];
	CHECK(mode_files(n) == 0);
	int fd = open("big.dat", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(fd >= 0);
	for (int i = 0; i < 8; i++)
		CHECK(write(fd, mib, sizeof(mib)) == (ssize_t)sizeof(mib));
	CHECK(close(fd) == 0);
	char name[64];
	for (int i = 0; i < after; i++) {
		snprintf(name, sizeof(name), "g%04d", i);
		CHECK((fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644)) >= 0);
		CHECK(write(fd, "x", 1) == 1);
		CHECK(close(fd) == 0);
	}
	return failures ? 1 : 0;
}

/*
 * ---- reuse_threads: 4 threads, each keeps held-T open and writes one byte to it per new
 * small file; a small file gets `reuse_w` one-byte writes (1 unless given)
 */
#define REUSE_THREADS 4
static int reuse_n, reuse_w = 1;

static void *reuse_thread(void *arg)
{
	int t = (int)(intptr_t)arg;
	char name[64];
	snprintf(name, sizeof(name), "held-%d", t);
	int held = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK(held >= 0);
	for (int i = 0; i < reuse_n; i++) {
		snprintf(name, sizeof(name), "s%d-%04d", t, i);
		int fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		CHECK(fd >= 0);
		for (int w = 0; w < reuse_w; w++)
			CHECK(write(fd, "x", 1) == 1);
		CHECK(close(fd) == 0);
		CHECK(write(held, "h", 1) == 1);
	}
	CHECK(close(held) == 0);
	return NULL;
}

static int mode_reuse_threads(int n)
{
	pthread_t th[REUSE_THREADS];
	reuse_n = n;
	for (int t = 0; t < REUSE_THREADS; t++)
		CHECK(pthread_create(&th[t], NULL, reuse_thread, (void *)(intptr_t)t) == 0);
	for (int t = 0; t < REUSE_THREADS; t++)
		CHECK(pthread_join(th[t], NULL) == 0);
	return failures ? 1 : 0;
}

/* ---- errno: return values and errno of failing calls, errno untouched by successful ones */
static int mode_errno(void)
{
	char b[8];
	errno = 0;
	CHECK(read(-1, b, 8) == -1 && errno == EBADF);              /* read: error */
	errno = 0;
	CHECK(write(987, b, 8) == -1 && errno == EBADF);            /* write: error */
	errno = 0;
	CHECK(open("/nonexistent/x", O_RDONLY) == -1 && errno == ENOENT); /* open: error */
	int pfd[2];
	CHECK(pipe(pfd) == 0);
	errno = 0;
	CHECK(lseek(pfd[0], 0, SEEK_SET) == -1 && errno == ESPIPE); /* lseek: error */
	errno = 0;
	CHECK(close(-1) == -1 && errno == EBADF);                   /* close: error */
	errno = 0;
	CHECK(fopen("/nonexistent/x", "r") == NULL && errno == ENOENT); /* fopen: error */
	int fd = devnull();                                          /* open ok */
	errno = 1234;
	CHECK(write(fd, b, 8) == 8 && errno == 1234);                /* write ok, errno kept */
	errno = 4321;
	CHECK(close(fd) == 0 && errno == 4321);                      /* close ok */
	return failures ? 1 : 0;
}

/* ---- signal + constructor: 3 writes in a constructor, 2 in a signal handler */
static int ctor_fd = -1;
__attribute__((constructor)) static void early(void)
{
	const char *m = getenv("VIGIL_TEST_CTOR");
	if (!m)
		return;
	ctor_fd = open("/dev/null", O_WRONLY);
	for (int i = 0; i < 3; i++)
		write(ctor_fd, "abc", 3);
}

static void on_usr1(int sig)
{
	(void)sig;
	write(ctor_fd, "s", 1);
}

static int mode_signal(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	raise(SIGUSR1);
	return ctor_fd >= 0 ? 0 : 1;
}

/* ---- spawn: posix_spawn and system each start one more process */
static int mode_spawn(void)
{
	pid_t p;
	char *args[] = { "/bin/sh", "-c", "echo spawned > spawn.txt", NULL };
	CHECK(posix_spawn(&p, "/bin/sh", NULL, NULL, args, environ) == 0);
	int st;
	CHECK(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return failures ? 1 : 0;
}

/*
 * ---- copy: copy_file_range, sendfile, splice, tee between src.dat, dst.dat and
 * two pipes; exact counts in misc.sh.  dst.dat ends up src[0,850) + src[700,850) (the tee'd copy).
 * Offsets: src reads at 0, 300, 500, 600, 700, 1000 (EOF); dst writes at 0..1000 in order,
 * then the EOF call at dst's position 850 (the offset-pointer splice did not move it).
 */
static int mode_copy(void)
{
	char buf[1000];
	for (int i = 0; i < 1000; i++)
		buf[i] = (char)(i * 7);
	int s = open("src.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
	int d = open("dst.dat", O_CREAT | O_RDWR | O_TRUNC, 0644);
	CHECK(s >= 0 && d >= 0);
	CHECK(write(s, buf, 1000) == 1000);
	off64_t o = 0;
	CHECK(copy_file_range(s, &o, d, NULL, 300, 0) == 300 && o == 300);   /* src 0..300 -> dst 0 */
	CHECK(lseek(s, 300, SEEK_SET) == 300);
	CHECK(copy_file_range(s, NULL, d, NULL, 200, 0) == 200);             /* src 300..500 (pos) */
	CHECK(sendfile(d, s, NULL, 100) == 100);                              /* src 500..600 (pos) */
	off_t so = 600;
	CHECK(sendfile(d, s, &so, 100) == 100 && so == 700);                  /* src 600..700, pos stays */
	int p[2], q[2];
	CHECK(pipe(p) == 0 && pipe(q) == 0);
	o = 700;
	CHECK(splice(s, &o, p[1], NULL, 150, 0) == 150 && o == 850);          /* src 700..850 -> pipe p */
	CHECK(tee(p[0], q[1], 150, 0) == 150);                                /* p -> q, p keeps its data */
	CHECK(splice(p[0], NULL, d, NULL, 150, 0) == 150);                    /* p -> dst 700 (pos) */
	off64_t d0 = 850;
	CHECK(splice(q[0], NULL, d, &d0, 150, 0) == 150 && d0 == 1000);       /* q (src 700..850) -> dst 850 (offset) */
	CHECK(lseek(s, 0, SEEK_END) == 1000);
	CHECK(copy_file_range(s, NULL, d, NULL, 10, 0) == 0);                 /* EOF: 0 bytes, no error */
	/* failures: return value and errno as without the collector */
	errno = 0;
	CHECK(copy_file_range(-1, NULL, d, NULL, 10, 0) == -1 && errno == EBADF);
	errno = 0;
	CHECK(copy_file_range(s, (off64_t *)8, d, NULL, 10, 0) == -1 && errno == EFAULT); /* never read by us */
	errno = 0;
	CHECK(sendfile(d, 12345, NULL, 10) == -1 && errno == EBADF);
	errno = 0;
	CHECK(splice(s, NULL, d, NULL, 10, 0) == -1 && errno == EINVAL);      /* no pipe on either side */
	errno = 0;
	CHECK(tee(s, d, 10, 0) == -1 && errno == EINVAL);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(s);
	close(d);
	return failures ? 1 : 0;
}

/* ---- fsize: ulimit -f lowered below the segment size, then threads (which claim shards) */
static int mode_fsize(int n)
{
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	return mode_threads(n);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *m = argv[1];
	int n = argc > 2 ? atoi(argv[2]) : 0;
	if (!strcmp(m, "threads"))
		return mode_threads(n);
	if (!strcmp(m, "handover"))
		return mode_handover(n);
	if (!strcmp(m, "fork"))
		return mode_fork();
	if (!strcmp(m, "exec"))
		return mode_exec(argv[0], n);
	if (!strcmp(m, "kill"))
		return mode_kill();
	if (!strcmp(m, "files"))
		return mode_files(n);
	if (!strcmp(m, "bigfile"))
		return mode_bigfile(n, argc > 3 ? atoi(argv[3]) : 0);
	if (!strcmp(m, "reuse_threads"))
		return reuse_w = argc > 3 ? atoi(argv[3]) : 1, mode_reuse_threads(n);
	if (!strcmp(m, "errno"))
		return mode_errno();
	if (!strcmp(m, "signal"))
		return mode_signal();
	if (!strcmp(m, "spawn"))
		return mode_spawn();
	if (!strcmp(m, "copy"))
		return mode_copy();
	if (!strcmp(m, "fsize"))
		return mode_fsize(n);
	return 2;
}
