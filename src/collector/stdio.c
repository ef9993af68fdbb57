/*
 * stdio.c - wrappers of the stdio entry points of libc.
 *
 * glibc's stdio calls its internal write/read, so the POSIX wrappers never
 * see stdio traffic: each layer is counted once, in its own layer.  A FILE*
 * maps to its fd with fileno_unlocked(), and from there to the same file
 * record as the POSIX layer (counters of the "stdio" layer).  fopen and
 * fclose keep the fd table right because the open/close inside them are
 * invisible to us.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "collector/col.h"

/* glibc may define these as macros when optimising; we define the functions */
#undef fread_unlocked
#undef fwrite_unlocked
#undef getc_unlocked
#undef putc_unlocked
#undef fgetc_unlocked
#undef fputc_unlocked
#undef getchar_unlocked
#undef putchar_unlocked
#undef getc
#undef putc

#define SX VIGIL_FLAYER_STDIO

size_t __fread_chk(void *ptr, size_t ptrlen, size_t size, size_t n, FILE *fp);
size_t __fread_unlocked_chk(void *ptr, size_t ptrlen, size_t size, size_t n, FILE *fp);
char *__fgets_chk(char *s, size_t size, int n, FILE *fp);
char *__fgets_unlocked_chk(char *s, size_t size, int n, FILE *fp);
int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...);
int __printf_chk(int flag, const char *fmt, ...);
int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap);
int __vprintf_chk(int flag, const char *fmt, va_list ap);
int __isoc99_fscanf(FILE *fp, const char *fmt, ...);
int __isoc99_scanf(const char *fmt, ...);
int __isoc99_vfscanf(FILE *fp, const char *fmt, va_list ap);
int __isoc99_vscanf(const char *fmt, va_list ap);

/*
 * fileno_unlocked() without the call, and without its errno (EBADF for
 * streams that have no fd): glibc's FILE is a public struct (bits/types/
 * struct_FILE.h), _IO_IS_FILEBUF (0x2000) marks a stream on a descriptor.
 */
static inline int stdio_fd(FILE *fp)
{
#ifdef __GLIBC__
	return fp && (fp->_flags & 0x2000) && fp->_fileno >= 0 ? fp->_fileno : -1;
#else
	int e = errno;
	int fd = fp ? fileno_unlocked(fp) : -1;
	errno = e;
	return fd;
#endif
}

static int stdio_append(const char *mode)
{
	return mode && strchr(mode, 'a') != NULL;
}

/* ---- open / close ----------------------------------------------------- */

#define STDIO_FOPEN(name) \
	COL_DECL(FILE *, name, (const char *, const char *)); \
	VIGIL_EXPORT FILE *name(const char *path, const char *mode) \
	{ \
		if (!col_on()) { \
			FILE *r0 = COL_REAL(name)(path, mode); \
			if (r0 && col.enabled) \
				col_fd_closed(stdio_fd(r0)); \
			return r0; \
		} \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		FILE *r = COL_REAL(name)(path, mode); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		col_open_done(VIGIL_OP_FOPEN, SX, stdio_fd(r), AT_FDCWD, path, stdio_append(mode), \
		              r == NULL, t0, t1); \
		errno = e; \
		return r; \
	}
STDIO_FOPEN(fopen)
STDIO_FOPEN(fopen64)

#define STDIO_FREOPEN(name) \
	COL_DECL(FILE *, name, (const char *, const char *, FILE *)); \
	VIGIL_EXPORT FILE *name(const char *path, const char *mode, FILE *fp) \
	{ \
		int oldfd = stdio_fd(fp); \
		if (!col_on()) { \
			FILE *r0 = COL_REAL(name)(path, mode, fp); \
			if (col.enabled) { \
				col_fd_closed(oldfd); \
				if (r0) \
					col_fd_closed(stdio_fd(r0)); \
			} \
			return r0; \
		} \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		FILE *r = COL_REAL(name)(path, mode, fp); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		int fd = stdio_fd(r); \
		if (path) { \
			col_fd_closed(oldfd); \
			col_open_done(VIGIL_OP_FREOPEN, SX, fd, AT_FDCWD, path, stdio_append(mode), \
			              r == NULL, t0, t1); \
		} else { \
			col_io(VIGIL_OP_FREOPEN, r ? fd : -1, SX, 0, 0, r == NULL, COL_OFF_NONE, t0, t1); \
		} \
		errno = e; \
		return r; \
	}
STDIO_FREOPEN(freopen)
STDIO_FREOPEN(freopen64)

COL_DECL(FILE *, fdopen, (int, const char *));
VIGIL_EXPORT FILE *fdopen(int fd, const char *mode)
{
	if (!col_on())
		return COL_REAL(fdopen)(fd, mode);
	(void)COL_REAL(fdopen); uint64_t t0 = col_now();
	FILE *r = COL_REAL(fdopen)(fd, mode);
	int e = errno;
	uint64_t t1 = col_now();
	col_io(VIGIL_OP_FDOPEN, r ? fd : -1, SX, 0, 0, r == NULL, COL_OFF_NONE, t0, t1);
	errno = e;
	return r;
}

COL_DECL(int, fclose, (FILE *));
VIGIL_EXPORT int fclose(FILE *fp)
{
	int fd = stdio_fd(fp);
	if (!col_on()) {
		int r0 = COL_REAL(fclose)(fp);
		if (col.enabled)
			col_fd_closed(fd);
		return r0;
	}
	(void)COL_REAL(fclose); uint64_t t0 = col_now();
	int r = COL_REAL(fclose)(fp);
	int e = errno;
	uint64_t t1 = col_now();
	col_io(VIGIL_OP_FCLOSE, fd, SX, 0, 0, r == EOF, COL_OFF_NONE, t0, t1);
	col_fd_closed(fd);
	errno = e;
	return r;
}

/* ---- data ------------------------------------------------------------- */

/* call returns size_t items; req in bytes */
#define STDIO_ITEMS_BODY(name, op, fp, size, n, ...) \
	COL_TIMED(name, size_t, __VA_ARGS__); \
	col_io(op, stdio_fd(fp), SX, (uint64_t)(size) * (n), (uint64_t)(size) * r, \
	       r < (n) && ferror_unlocked(fp), COL_OFF_POS, t0, t1); \
	return r

#define STDIO_FREAD(name) \
	COL_DECL(size_t, name, (void *, size_t, size_t, FILE *)); \
	VIGIL_EXPORT size_t name(void *p, size_t size, size_t n, FILE *fp) \
	{ \
		STDIO_ITEMS_BODY(name, VIGIL_OP_FREAD, fp, size, n, p, size, n, fp); \
	}
STDIO_FREAD(fread)
STDIO_FREAD(fread_unlocked)

#define STDIO_FREAD_CHK(name) \
	COL_DECL(size_t, name, (void *, size_t, size_t, size_t, FILE *)); \
	VIGIL_EXPORT size_t name(void *p, size_t plen, size_t size, size_t n, FILE *fp) \
	{ \
		STDIO_ITEMS_BODY(name, VIGIL_OP_FREAD, fp, size, n, p, plen, size, n, fp); \
	}
STDIO_FREAD_CHK(__fread_chk)
STDIO_FREAD_CHK(__fread_unlocked_chk)

#define STDIO_FWRITE(name) \
	COL_DECL(size_t, name, (const void *, size_t, size_t, FILE *)); \
	VIGIL_EXPORT size_t name(const void *p, size_t size, size_t n, FILE *fp) \
	{ \
		STDIO_ITEMS_BODY(name, VIGIL_OP_FWRITE, fp, size, n, p, size, n, fp); \
	}
STDIO_FWRITE(fwrite)
STDIO_FWRITE(fwrite_unlocked)

#define STDIO_FGETS_BODY(name, fp, n, ...) \
	COL_TIMED(name, char *, __VA_ARGS__); \
	col_io(VIGIL_OP_FGETS, stdio_fd(fp), SX, (uint64_t)((n) > 0 ? (n) : 0), r ? strlen(r) : 0, \
	       r == NULL && ferror_unlocked(fp), COL_OFF_POS, t0, t1); \
	return r

#define STDIO_FGETS(name) \
	COL_DECL(char *, name, (char *, int, FILE *)); \
	VIGIL_EXPORT char *name(char *s, int n, FILE *fp) \
	{ \
		STDIO_FGETS_BODY(name, fp, n, s, n, fp); \
	}
STDIO_FGETS(fgets)
STDIO_FGETS(fgets_unlocked)

#define STDIO_FGETS_CHK(name) \
	COL_DECL(char *, name, (char *, size_t, int, FILE *)); \
	VIGIL_EXPORT char *name(char *s, size_t size, int n, FILE *fp) \
	{ \
		STDIO_FGETS_BODY(name, fp, n, s, size, n, fp); \
	}
STDIO_FGETS_CHK(__fgets_chk)
STDIO_FGETS_CHK(__fgets_unlocked_chk)

/* int-returning writes of a known size: fails on EOF */
#define STDIO_PUT_BODY(name, op, fp, req, ...) \
	COL_TIMED(name, int, __VA_ARGS__); \
	col_io(op, stdio_fd(fp), SX, req, r == EOF ? 0 : (req), r == EOF, COL_OFF_POS, t0, t1); \
	return r

#define STDIO_FPUTS(name) \
	COL_DECL(int, name, (const char *, FILE *)); \
	VIGIL_EXPORT int name(const char *s, FILE *fp) \
	{ \
		STDIO_PUT_BODY(name, VIGIL_OP_FPUTS, fp, strlen(s), s, fp); \
	}
STDIO_FPUTS(fputs)
STDIO_FPUTS(fputs_unlocked)

COL_DECL(int, puts, (const char *));
VIGIL_EXPORT int puts(const char *s)
{
	STDIO_PUT_BODY(puts, VIGIL_OP_FPUTS, stdout, strlen(s) + 1, s);
}

#define STDIO_FPUTC(name) \
	COL_DECL(int, name, (int, FILE *)); \
	VIGIL_EXPORT int name(int c, FILE *fp) \
	{ \
		STDIO_PUT_BODY(name, VIGIL_OP_FPUTC, fp, 1, c, fp); \
	}
STDIO_FPUTC(fputc)
STDIO_FPUTC(putc)
STDIO_FPUTC(fputc_unlocked)
STDIO_FPUTC(putc_unlocked)

#define STDIO_PUTCHAR(name) \
	COL_DECL(int, name, (int)); \
	VIGIL_EXPORT int name(int c) \
	{ \
		STDIO_PUT_BODY(name, VIGIL_OP_FPUTC, stdout, 1, c); \
	}
STDIO_PUTCHAR(putchar)
STDIO_PUTCHAR(putchar_unlocked)

#define STDIO_GETC_BODY(name, fp, ...) \
	COL_TIMED(name, int, __VA_ARGS__); \
	col_io(VIGIL_OP_FGETC, stdio_fd(fp), SX, 1, r == EOF ? 0 : 1, r == EOF && ferror_unlocked(fp), \
	       COL_OFF_POS, t0, t1); \
	return r

#define STDIO_FGETC(name) \
	COL_DECL(int, name, (FILE *)); \
	VIGIL_EXPORT int name(FILE *fp) \
	{ \
		STDIO_GETC_BODY(name, fp, fp); \
	}
STDIO_FGETC(fgetc)
STDIO_FGETC(getc)
STDIO_FGETC(fgetc_unlocked)
STDIO_FGETC(getc_unlocked)

#define STDIO_GETCHAR(name) \
	COL_DECL(int, name, (void)); \
	VIGIL_EXPORT int name(void) \
	{ \
		STDIO_GETC_BODY(name, stdin, ); \
	}
STDIO_GETCHAR(getchar)
STDIO_GETCHAR(getchar_unlocked)

/* ---- formatted -------------------------------------------------------- */

/* printf family: bytes = characters written (also the histogram size) */
#define STDIO_PRINTF_CALL(real, fp, ...) \
	__typeof__(&(real)) fn_ = &(real); \
	uint64_t t0 = col_now(); \
	int r = fn_(__VA_ARGS__); \
	uint64_t t1 = col_now(); \
	col_io(VIGIL_OP_FPRINTF, stdio_fd(fp), SX, r > 0 ? (uint64_t)r : 0, r > 0 ? (uint64_t)r : 0, \
	       r < 0, COL_OFF_POS, t0, t1)

COL_DECL(int, vfprintf, (FILE *, const char *, va_list));
COL_DECL(int, __vfprintf_chk, (FILE *, int, const char *, va_list));

/* exported variadic spellings call these directly, not through the PLT */
static int stdio_vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	if (!col_on())
		return COL_REAL(vfprintf)(fp, fmt, ap);
	STDIO_PRINTF_CALL(COL_REAL(vfprintf), fp, fp, fmt, ap);
	return r;
}

VIGIL_EXPORT int vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	return stdio_vfprintf(fp, fmt, ap);
}

VIGIL_EXPORT int vprintf(const char *fmt, va_list ap)
{
	return stdio_vfprintf(stdout, fmt, ap);
}

VIGIL_EXPORT int fprintf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = stdio_vfprintf(fp, fmt, ap);
	va_end(ap);
	return r;
}

VIGIL_EXPORT int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = stdio_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}

static int stdio_vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap)
{
	if (!col_on())
		return COL_REAL(__vfprintf_chk)(fp, flag, fmt, ap);
	STDIO_PRINTF_CALL(COL_REAL(__vfprintf_chk), fp, fp, flag, fmt, ap);
	return r;
}

VIGIL_EXPORT int __vfprintf_chk(FILE *fp, int flag, const char *fmt, va_list ap)
{
	return stdio_vfprintf_chk(fp, flag, fmt, ap);
}

VIGIL_EXPORT int __vprintf_chk(int flag, const char *fmt, va_list ap)
{
	return stdio_vfprintf_chk(stdout, flag, fmt, ap);
}

VIGIL_EXPORT int __fprintf_chk(FILE *fp, int flag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = stdio_vfprintf_chk(fp, flag, fmt, ap);
	va_end(ap);
	return r;
}

VIGIL_EXPORT int __printf_chk(int flag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = stdio_vfprintf_chk(stdout, flag, fmt, ap);
	va_end(ap);
	return r;
}

/* scanf family: calls only (bytes unknown); the stream position becomes unknown */
#define STDIO_SCANF_CALL(real, fp, ...) \
	__typeof__(&(real)) fn_ = &(real); \
	uint64_t t0 = col_now(); \
	int r = fn_(__VA_ARGS__); \
	int e = errno; \
	uint64_t t1 = col_now(); \
	int fd = stdio_fd(fp); \
	col_io(VIGIL_OP_FSCANF, fd, SX, 0, 0, r == EOF && ferror_unlocked(fp), COL_OFF_NONE, t0, t1); \
	col_fd_seek(fd, SX, -1); \
	errno = e

COL_DECL(int, vfscanf, (FILE *, const char *, va_list));
COL_DECL(int, __isoc99_vfscanf, (FILE *, const char *, va_list));

static int stdio_vfscanf(FILE *fp, const char *fmt, va_list ap)
{
	if (!col_on())
		return COL_REAL(vfscanf)(fp, fmt, ap);
	STDIO_SCANF_CALL(COL_REAL(vfscanf), fp, fp, fmt, ap);
	return r;
}

static int stdio_isoc99_vfscanf(FILE *fp, const char *fmt, va_list ap)
{
	if (!col_on())
		return COL_REAL(__isoc99_vfscanf)(fp, fmt, ap);
	STDIO_SCANF_CALL(COL_REAL(__isoc99_vfscanf), fp, fp, fmt, ap);
	return r;
}

/*
 * stdio.h redirects fscanf & co to __isoc99_* in C99 mode; the old
 * spellings are defined under their assembler names.
 */
VIGIL_EXPORT int stdio_plain_vfscanf(FILE *fp, const char *fmt, va_list ap) __asm__("vfscanf");
VIGIL_EXPORT int stdio_plain_vscanf(const char *fmt, va_list ap) __asm__("vscanf");
VIGIL_EXPORT int stdio_plain_fscanf(FILE *fp, const char *fmt, ...) __asm__("fscanf");
VIGIL_EXPORT int stdio_plain_scanf(const char *fmt, ...) __asm__("scanf");

VIGIL_EXPORT int stdio_plain_vfscanf(FILE *fp, const char *fmt, va_list ap)
{
	return stdio_vfscanf(fp, fmt, ap);
}

VIGIL_EXPORT int __isoc99_vfscanf(FILE *fp, const char *fmt, va_list ap)
{
	return stdio_isoc99_vfscanf(fp, fmt, ap);
}

VIGIL_EXPORT int stdio_plain_vscanf(const char *fmt, va_list ap)
{
	return stdio_vfscanf(stdin, fmt, ap);
}

VIGIL_EXPORT int __isoc99_vscanf(const char *fmt, va_list ap)
{
	return stdio_isoc99_vfscanf(stdin, fmt, ap);
}

#define STDIO_SCANF_VARARGS(name, target, fp, ...) \
	{ \
		va_list ap; \
		va_start(ap, fmt); \
		int r = target(__VA_ARGS__); \
		va_end(ap); \
		return r; \
	}
VIGIL_EXPORT int stdio_plain_fscanf(FILE *fp, const char *fmt, ...) STDIO_SCANF_VARARGS(fscanf, stdio_vfscanf, fp, fp, fmt, ap)
VIGIL_EXPORT int stdio_plain_scanf(const char *fmt, ...) STDIO_SCANF_VARARGS(scanf, stdio_vfscanf, stdin, stdin, fmt, ap)
VIGIL_EXPORT int __isoc99_fscanf(FILE *fp, const char *fmt, ...)
	STDIO_SCANF_VARARGS(__isoc99_fscanf, stdio_isoc99_vfscanf, fp, fp, fmt, ap)
VIGIL_EXPORT int __isoc99_scanf(const char *fmt, ...)
	STDIO_SCANF_VARARGS(__isoc99_scanf, stdio_isoc99_vfscanf, stdin, stdin, fmt, ap)

/* ---- flush and positioning -------------------------------------------- */

COL_DECL(int, fflush, (FILE *));
VIGIL_EXPORT int fflush(FILE *fp)
{
	if (!col_on())
		return COL_REAL(fflush)(fp);
	(void)COL_REAL(fflush); uint64_t t0 = col_now();
	int r = COL_REAL(fflush)(fp);
	int e = errno;
	uint64_t t1 = col_now();
	col_io(VIGIL_OP_FFLUSH, stdio_fd(fp), SX, 0, 0, r == EOF, COL_OFF_NONE, t0, t1);
	errno = e;
	return r;
}

COL_DECL(off64_t, ftello64, (FILE *));

/* After a successful seek: the stream's new position for sequential detection. */
static void stdio_seeked(FILE *fp, int whence, int64_t off)
{
	int fd = stdio_fd(fp);
	int64_t pos = whence == SEEK_SET ? off : (int64_t)COL_REAL(ftello64)(fp);
	col_fd_seek(fd, SX, pos < 0 ? -1 : pos);
}

#define STDIO_SEEK_BODY(name, op, fp, whence, off, ...) \
	if (!col_on()) \
		return COL_REAL(name)(__VA_ARGS__); \
	(void)COL_REAL(name); uint64_t t0 = col_now(); \
	int r = COL_REAL(name)(__VA_ARGS__); \
	int e = errno; \
	uint64_t t1 = col_now(); \
	col_io(op, stdio_fd(fp), SX, 0, 0, r != 0, COL_OFF_NONE, t0, t1); \
	if (r == 0) \
		stdio_seeked(fp, whence, off); \
	errno = e; \
	return r

#define STDIO_FSEEK(name, offt) \
	COL_DECL(int, name, (FILE *, offt, int)); \
	VIGIL_EXPORT int name(FILE *fp, offt off, int whence) \
	{ \
		STDIO_SEEK_BODY(name, VIGIL_OP_FSEEK, fp, whence, off, fp, off, whence); \
	}
STDIO_FSEEK(fseek, long)
STDIO_FSEEK(fseeko, off_t)
STDIO_FSEEK(fseeko64, off64_t)

#define STDIO_FSETPOS(name, post) \
	COL_DECL(int, name, (FILE *, const post *)); \
	VIGIL_EXPORT int name(FILE *fp, const post *pos) \
	{ \
		STDIO_SEEK_BODY(name, VIGIL_OP_FSEEK, fp, SEEK_CUR, 0, fp, pos); \
	}
STDIO_FSETPOS(fsetpos, fpos_t)
STDIO_FSETPOS(fsetpos64, fpos64_t)

#define STDIO_FTELL(name, rett) \
	COL_DECL(rett, name, (FILE *)); \
	VIGIL_EXPORT rett name(FILE *fp) \
	{ \
		if (!col_on()) \
			return COL_REAL(name)(fp); \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		rett r = COL_REAL(name)(fp); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		col_io(VIGIL_OP_FTELL, stdio_fd(fp), SX, 0, 0, r < 0, COL_OFF_NONE, t0, t1); \
		errno = e; \
		return r; \
	}
STDIO_FTELL(ftell, long)
STDIO_FTELL(ftello, off_t)
STDIO_FTELL(ftello64, off64_t)

#define STDIO_FGETPOS(name, post) \
	COL_DECL(int, name, (FILE *, post *)); \
	VIGIL_EXPORT int name(FILE *fp, post *pos) \
	{ \
		if (!col_on()) \
			return COL_REAL(name)(fp, pos); \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		int r = COL_REAL(name)(fp, pos); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		col_io(VIGIL_OP_FTELL, stdio_fd(fp), SX, 0, 0, r != 0, COL_OFF_NONE, t0, t1); \
		errno = e; \
		return r; \
	}
STDIO_FGETPOS(fgetpos, fpos_t)
STDIO_FGETPOS(fgetpos64, fpos64_t)

COL_DECL(void, rewind, (FILE *));
VIGIL_EXPORT void rewind(FILE *fp)
{
	if (!col_on()) {
		COL_REAL(rewind)(fp);
		return;
	}
	(void)COL_REAL(rewind); uint64_t t0 = col_now();
	COL_REAL(rewind)(fp);
	int e = errno;
	uint64_t t1 = col_now();
	col_io(VIGIL_OP_REWIND, stdio_fd(fp), SX, 0, 0, 0, COL_OFF_NONE, t0, t1);
	col_fd_seek(stdio_fd(fp), SX, 0);
	errno = e;
}
