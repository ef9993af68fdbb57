/*
 * prog_fidelity.c - calls whose numbers tests/fidelity/stdio.sh knows exactly.
 *
 * usage: prog_fidelity CASE   (run in an empty directory)
 *   mix       fputs and putc_unlocked on one stream, read back with getc_unlocked and fgets
 *   getline   getline/getdelim over a known file
 *   temp      mkstemp, mkostemp, mkstemps, mkostemps, tmpfile
 *   meta      fallocate ... utimes: one call each (see stdio.sh)
 *   mem       fmemopen and open_memstream (not file I/O)
 *   pclose    a popen stream closed by pclose, then a descriptor made without a wrapped call
 *   fcloseall the same after fcloseall
 *   wide      fputws/fgetws (documented as not counted)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <wchar.h>

#define MIX_PUTC 10000 /* more than one 4096-byte buffer: several flushes */

static int die(const char *what)
{
	perror(what);
	return 1;
}

/* A descriptor opened without any wrapped call (as glibc-internal code would). */
static int raw_open(const char *path)
{
	return (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
}

static int case_mix(void)
{
	FILE *f = fopen("mix.txt", "w");
	if (!f)
		return die("fopen");
	fputs("head-", f);                         /* 5 bytes, counted by fputs */
	for (int i = 0; i < MIX_PUTC; i++)
		putc_unlocked('a' + i % 26, f);     /* 10000 inline bytes */
	fputs("-mid-", f);                         /* 5 */
	for (int i = 0; i < 100; i++)
		putc_unlocked('z', f);              /* 100 inline, left in the buffer */
	fclose(f);                                 /* total 10110 */
	f = fopen("mix.txt", "r");
	if (!f)
		return die("fopen");
	char buf[64];
	if (!fgets(buf, 6, f))                     /* "head-": 5 bytes by fgets */
		return die("fgets");
	long n = 0;
	int c;
	while ((c = getc_unlocked(f)) != EOF)      /* 10105 inline bytes */
		n++;
	fclose(f);
	printf("%ld\n", n);
	return 0;
}

static int case_getline(void)
{
	FILE *f = fopen("lines.txt", "w");
	if (!f)
		return die("fopen");
	for (int i = 0; i < 100; i++)
		fprintf(f, "line %03d\n", i);       /* 100 x 9 bytes */
	fclose(f);
	f = fopen("lines.txt", "r");
	if (!f)
		return die("fopen");
	char *line = NULL;
	size_t cap = 0;
	long total = 0;
	for (int i = 0; i < 50; i++)
		total += getline(&line, &cap, f);  /* 50 x 9 */
	ssize_t r;
	while ((r = getdelim(&line, &cap, ' ', f)) > 0) /* the other 450 bytes, by words */
		total += r;
	free(line);
	fclose(f);
	printf("%ld\n", total);
	return 0;
}

static int write_n(int fd, size_t n)
{
	char buf[256];
	memset(buf, 't', sizeof(buf));
	return write(fd, buf, n) == (ssize_t)n ? 0 : -1;
}

static int case_temp(void)
{
	char a[] = "tmpAXXXXXX", b[] = "tmpBXXXXXX", c[] = "tmpCXXXXXX.dat", d[] = "tmpDXXXXXX.dat";
	int fa = mkstemp(a), fb = mkostemp(b, O_APPEND), fc = mkstemps(c, 4), fd = mkostemps(d, 4, 0);
	if (fa < 0 || fb < 0 || fc < 0 || fd < 0)
		return die("mkstemp");
	if (write_n(fa, 100) || write_n(fb, 101) || write_n(fc, 102) || write_n(fd, 103))
		return die("write");
	close(fa);
	close(fb);
	close(fc);
	close(fd);
	FILE *t = tmpfile();
	if (!t)
		return die("tmpfile");
	fwrite("0123456789", 1, 10, t);
	fclose(t);
	return 0;
}

static int case_meta(void)
{
	int fd = open("m.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return die("open");
	struct timespec ts[2] = {{0, 0}, {0, 0}};
	struct timeval tv[2] = {{0, 0}, {0, 0}};
	int bad = 0;
	bad |= fallocate(fd, 0, 0, 4096);
	bad |= posix_fallocate(fd, 0, 8192);
	bad |= sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	bad |= syncfs(fd);
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return die("mmap");
	bad |= msync(p, 4096, MS_SYNC);
	munmap(p, 4096);
	bad |= link("m.txt", "l1.txt");
	bad |= linkat(AT_FDCWD, "m.txt", AT_FDCWD, "l2.txt", 0);
	bad |= symlink("m.txt", "s1.txt");
	bad |= symlinkat("m.txt", AT_FDCWD, "s2.txt");
	bad |= chmod("m.txt", 0600);
	bad |= fchmod(fd, 0640);
	bad |= fchmodat(AT_FDCWD, "m.txt", 0644, 0);
	bad |= chown("m.txt", getuid(), getgid());
	bad |= fchown(fd, getuid(), getgid());
	bad |= lchown("s1.txt", getuid(), getgid());
	bad |= fchownat(AT_FDCWD, "m.txt", getuid(), getgid(), 0);
	bad |= utimensat(AT_FDCWD, "m.txt", ts, 0);
	bad |= futimens(fd, ts);
	bad |= utimes("m.txt", tv);
	close(fd);
	return bad ? die("a metadata call") : 0;
}

static int case_mem(void)
{
	char buf[256] = "memory stream data\n";
	FILE *m = fmemopen(buf, sizeof(buf), "r+");
	if (!m)
		return die("fmemopen");
	char line[64];
	if (!fgets(line, sizeof(line), m))
		return die("fgets");
	fputs("more", m);
	fprintf(m, "%d", 12345);
	fclose(m);
	char *out = NULL;
	size_t len = 0;
	FILE *s = open_memstream(&out, &len);
	if (!s)
		return die("open_memstream");
	for (int i = 0; i < 1000; i++)
		fputs("0123456789", s);
	fwrite("abc", 1, 3, s);
	putc_unlocked('x', s);
	fclose(s);
	printf("%zu\n", len);
	free(out);
	return 0;
}

/* After the stream's descriptor was closed inside libc, a raw descriptor with its number writes 7 bytes. */
static int reuse_after(int oldfd, const char *path)
{
	int fd = raw_open(path);
	if (fd < 0 || (fd != oldfd && syscall(SYS_dup3, fd, oldfd, 0) != oldfd))
		return die("raw open");
	if (write(oldfd, "reused\n", 7) != 7)
		return die("write");
	return 0;
}

static int case_pclose(void)
{
	FILE *p = popen("cat > /dev/null", "w");
	if (!p)
		return die("popen");
	fputs("to the pipe\n", p);                 /* 12 bytes on <pipe> */
	int fd = fileno(p);
	pclose(p);
	return reuse_after(fd, "after-pclose.txt");
}

static int case_fcloseall(void)
{
	FILE *f = fopen("before.txt", "w");
	if (!f)
		return die("fopen");
	fputs("before\n", f);                      /* 7 bytes on before.txt */
	int fd = fileno(f);
	fcloseall();
	return reuse_after(fd, "after-fcloseall.txt");
}

static int case_wide(void)
{
	FILE *f = fopen("wide.txt", "w");
	if (!f)
		return die("fopen");
	fputws(L"wide characters\n", f);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: prog_fidelity CASE\n");
		return 2;
	}
	const char *c = argv[1];
	return !strcmp(c, "mix") ? case_mix() : !strcmp(c, "getline") ? case_getline()
	     : !strcmp(c, "temp") ? case_temp() : !strcmp(c, "meta") ? case_meta()
	     : !strcmp(c, "mem") ? case_mem() : !strcmp(c, "pclose") ? case_pclose()
	     : !strcmp(c, "fcloseall") ? case_fcloseall() : !strcmp(c, "wide") ? case_wide() : 2;
}
