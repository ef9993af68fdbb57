/*
 * prog_stdio.c - a known number of every stdio operation (tests/preload/stdio.sh
 * checks the counts).  Strings are not constants so the compiler keeps each
 * call as written (it turns fputs("lit") into fwrite, printf("%s\n") into puts).
 * Writes "7\nhello\n\nz" on stdout.  Exits 1 if a call misbehaved.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed line %d: %s (errno %d)\n", __LINE__, #c, errno); failures++; } } while (0)

static char data[] = "ABCDEFGHIJABCDEFGHIJABCDEFGHIJ"; /* 30 bytes */
static char hello[] = "hello\n";
static char ab[] = "ab";
static volatile int seven = 7;

int main(int argc, char **argv)
{
	char path[4096], buf[1000];
	int n = 0;
	if (argc < 2)
		return 2;
	snprintf(path, sizeof(path), "%s/s.txt", argv[1]);
	FILE *f = fopen(path, "w+");                                  /* fopen 1 */
	CHECK(f != NULL);
	CHECK(fwrite(data, 10, 3, f) == 3);                          /* fwrite 1: 30 */
	CHECK(fwrite(data, 1, 7, f) == 7);                           /* fwrite 2: 37 */
	CHECK(fputs(hello, f) >= 0);                                 /* fputs 1: 6 */
	CHECK(fputc('x', f) == 'x');                                 /* fputc 1 */
	CHECK(putc('y', f) == 'y');                                  /* fputc 2 */
	CHECK(fprintf(f, "%d-%s\n", 42, ab) == 6);                   /* fprintf 1: 6 */
	CHECK(fflush(f) == 0);                                       /* fflush 1 */
	CHECK(fseek(f, 0, SEEK_SET) == 0);                           /* fseek 1 */
	CHECK(ftell(f) == 0);                                        /* ftell 1 */
	CHECK(fread(buf, 1, 30, f) == 30);                           /* fread 1: 30 */
	CHECK(fread(buf, 5, 1, f) == 1);                             /* fread 2: 5 */
	CHECK(fgets(buf, sizeof(buf), f) != NULL && strcmp(buf, "FGhello\n") == 0); /* fgets 1: 8 */
	CHECK(fgetc(f) == 'x');                                      /* fgetc 1 */
	CHECK(getc(f) == 'y');                                       /* fgetc 2 */
	CHECK(fscanf(f, "%d", &n) == 1 && n == 42);                  /* fscanf 1 */
	rewind(f);                                                   /* rewind 1 */
	fpos_t pos;
	CHECK(fgetpos(f, &pos) == 0);                                /* ftell 2 */
	CHECK(fsetpos(f, &pos) == 0);                                /* fseek 2 */
	CHECK(fseeko(f, 0, SEEK_END) == 0);                          /* fseek 3 */
	CHECK(ftello(f) == 51);                                      /* ftell 3 */
	CHECK(fclose(f) == 0);                                       /* fclose 1 */

	FILE *g = fopen(path, "r");                                  /* fopen 2 */
	CHECK(g != NULL);
	FILE *h = fdopen(dup(fileno(g)), "r");                       /* fdopen 1 (posix dup 1) */
	CHECK(h != NULL);
	CHECK(fread(buf, 1, sizeof(buf), h) == 51);                  /* fread 3: 51 (short, not an error) */
	CHECK(fclose(h) == 0 && fclose(g) == 0);                     /* fclose 3 */

	snprintf(path, sizeof(path), "%s/s3.txt", argv[1]);
	FILE *k = fopen(path, "w");                                  /* fopen 3 */
	snprintf(path, sizeof(path), "%s/s4.txt", argv[1]);
	k = freopen(path, "w", k);                                   /* freopen 1 */
	CHECK(k != NULL);
	CHECK(fprintf(k, "%d%s", 1, ab) == 3);                       /* fprintf 2: 3 */
	CHECK(fclose(k) == 0);                                       /* fclose 4 */

	CHECK(printf("%d\n", seven) == 2);                           /* fprintf 3: 2 */
	CHECK(puts(hello) >= 0);                                     /* fputs 2: 7 */
	CHECK(putchar('z') == 'z');                                  /* fputc 3 */
	CHECK(fflush(stdout) == 0);                                  /* fflush 2 */
	errno = 0;
	CHECK(fopen("/nonexistent-dir/x", "r") == NULL && errno == ENOENT); /* fopen 4, error */
	return failures ? 1 : 0;
}
