/*
 * prog_posix.c - a known number of every POSIX operation (tests/preload/posix.sh
 * checks the counts).  Built plain and with -O2 -D_FORTIFY_SOURCE=2, where
 * read/pread become __read_chk/__pread_chk and the variable-flag opens __open_2.
 * Exits 1 if a call did not behave as without the collector.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed line %d: %s (errno %d)\n", __LINE__, #c, errno); failures++; } } while (0)

static volatile int rdonly = O_RDONLY; /* not a constant: fortify calls __open_2 */
static volatile size_t n1000 = 1000, n10 = 10, n20 = 20; /* not constants: fortify calls __read_chk */

int main(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]) != 0)
		return 2;
	umask(022);
	char buf[1000], small[64];
	memset(buf, 'x', sizeof(buf));
	struct stat st;

	int fd1 = open("a.dat", O_CREAT | O_TRUNC | O_RDWR, 0640);          /* open 1 */
	CHECK(fd1 >= 0);
	CHECK(fstat(fd1, &st) == 0 && (st.st_mode & 0777) == 0640);         /* stat 1 */
	for (int i = 0; i < 4; i++)
		CHECK(write(fd1, buf, 1000) == 1000);                          /* write 4 */
	CHECK(lseek(fd1, 0, SEEK_SET) == 0);                                 /* lseek 1 */
	for (int i = 0; i < 4; i++)
		CHECK(read(fd1, buf, n1000) == 1000);                          /* read 4 (__read_chk fortified) */
	CHECK(read(fd1, buf, sizeof(buf)) == 0);                             /* read 5 (EOF) */
	CHECK(pwrite(fd1, buf, 100, 4000) == 100);                           /* pwrite 1 */
	CHECK(pwrite64(fd1, buf, 50, 4100) == 50);                           /* pwrite 2 */
	CHECK(pread(fd1, small, n10, 0) == 10);                              /* pread 1 (__pread_chk) */
	CHECK(pread64(fd1, small, n20, 10) == 20);                           /* pread 2 (__pread64_chk) */
	CHECK(lseek64(fd1, 0, SEEK_SET) == 0);                               /* lseek 2 */
	struct iovec iov[2] = { { small, 5 }, { small + 5, 5 } };
	CHECK(readv(fd1, iov, 2) == 10);                                     /* readv 1 */
	struct iovec wv[2] = { { buf, 3 }, { buf + 3, 4 } };
	CHECK(writev(fd1, wv, 2) == 7);                                      /* writev 1 */
	struct iovec v8[2] = { { small, 8 }, { small + 8, 8 } };
	CHECK(preadv(fd1, v8, 2, 100) == 16);                                /* preadv 1 */
	CHECK(preadv2(fd1, v8, 2, 200, 0) == 16);                            /* preadv 2 */
	CHECK(preadv64(fd1, v8, 2, 300) == 16);                              /* preadv 3 */
	CHECK(pwritev(fd1, v8, 2, 300) == 16);                               /* pwritev 1 */
	CHECK(pwritev2(fd1, v8, 2, 400, 0) == 16);                           /* pwritev 2 */
	CHECK(pwritev64(fd1, v8, 2, 500) == 16);                             /* pwritev 3 */
	CHECK(fsync(fd1) == 0);                                              /* fsync 1 */
	CHECK(fdatasync(fd1) == 0 && fdatasync(fd1) == 0);                  /* fdatasync 2 */
	CHECK(ftruncate(fd1, 5000) == 0);                                    /* ftruncate 1 */
	CHECK(truncate("a.dat", 5000) == 0);                                 /* ftruncate 2 */
	int fd2 = dup(fd1);                                                  /* dup 1 */
	CHECK(fd2 >= 0);
	CHECK(dup2(fd1, 50) == 50);                                          /* dup 2 */
	CHECK(dup3(fd1, 51, O_CLOEXEC) == 51);                               /* dup 3 */
	CHECK(fcntl(fd1, F_DUPFD, 60) >= 60);                                /* dup 4 */
	int fd70 = fcntl(fd1, F_DUPFD_CLOEXEC, 70);                          /* dup 5 */
	CHECK(fd70 >= 70);
	CHECK(fcntl(fd1, F_GETFD) == 0);                                     /* not counted */
	CHECK(write(50, buf, 11) == 11);                                     /* write 5: a.dat */
	void *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd1, 0);          /* mmap 1 */
	CHECK(m != MAP_FAILED);
	munmap(m, 4096);
	void *anon = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* not counted */
	munmap(anon, 4096);
	CHECK(close(fd1) == 0 && close(fd2) == 0 && close(50) == 0 && close(51) == 0); /* close 4 */
	CHECK(close(60) == 0 && close(fd70) == 0);                           /* close 6 */

	CHECK(stat("a.dat", &st) == 0 && st.st_size == 5000);               /* stat 2 */
	CHECK(lstat("a.dat", &st) == 0);                                     /* stat 3 */
	CHECK(fstatat(AT_FDCWD, "a.dat", &st, 0) == 0);                      /* stat 4 */
	struct statx sx;
	CHECK(statx(AT_FDCWD, "a.dat", 0, STATX_SIZE, &sx) == 0 && sx.stx_size == 5000); /* stat 5 */

	int dfd = open(".", O_RDONLY | O_DIRECTORY);                         /* open 2 */
	CHECK(dfd >= 0);
	int fb = openat(dfd, "b.dat", O_CREAT | O_WRONLY, 0600);             /* open 3 */
	CHECK(fb >= 0);
	int fc = creat("c.dat", 0600);                                       /* open 4 */
	CHECK(fc >= 0);
	int fc2 = open64("c.dat", rdonly);                                   /* open 5 (__open64_2 fortified) */
	CHECK(fc2 >= 0);
	int fc3 = openat(dfd, "c.dat", rdonly);                              /* open 6 (__openat_2 fortified) */
	CHECK(fc3 >= 0);
	errno = 0;
	CHECK(open("no-such-file", rdonly) == -1 && errno == ENOENT);        /* open 7, error */
	CHECK(close(dfd) == 0 && close(fb) == 0 && close(fc) == 0 && close(fc2) == 0 && close(fc3) == 0); /* close 11 */

	CHECK(access("a.dat", R_OK) == 0);                                   /* access 1 */
	CHECK(faccessat(AT_FDCWD, "a.dat", R_OK, 0) == 0);                   /* access 2 */
	CHECK(mkdir("d", 0700) == 0);                                        /* mkdir 1 */
	errno = 0;
	CHECK(mkdir("d", 0700) == -1 && errno == EEXIST);                    /* mkdir 2, error */
	DIR *dir = opendir("d");                                             /* opendir 1 */
	CHECK(dir != NULL);
	closedir(dir);
	CHECK(rmdir("d") == 0);                                              /* rmdir 1 */
	CHECK(rename("b.dat", "b2.dat") == 0);                               /* rename 1 */
	CHECK(renameat(AT_FDCWD, "b2.dat", AT_FDCWD, "b3.dat") == 0);        /* rename 2 */
	CHECK(renameat2(AT_FDCWD, "b3.dat", AT_FDCWD, "b4.dat", 0) == 0);    /* rename 3 */
	CHECK(unlink("b4.dat") == 0);                                        /* unlink 1 */
	CHECK(unlinkat(AT_FDCWD, "c.dat", 0) == 0);                          /* unlink 2 */
	return failures ? 1 : 0;
}
