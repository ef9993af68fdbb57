/*
 * stdio.c - wrappers of the stdio entry points of libc.
 *
 * glibc's stdio calls its internal write/read, so the POSIX wrappers never
 * see stdio traffic: each layer is counted once, in its own layer.  A FILE*
 * maps to its fd with fileno_unlocked(), and from there to the same file
 * record as the POSIX layer (counters of the "stdio" layer).  fopen and
 * fclose keep the fd table right because the open/close inside them are
 * invisible to us.
 *
 * Inlined getc/putc macros (getc_unlocked, putc_unlocked, ...) move bytes
 * between the program and the FILE buffer without any call; they call
 * __uflow/__underflow/__overflow only at the buffer's edges.  We keep, per
 * fd, where the stream's read and write pointers were when a counted call
 * last returned (stdio_marks); pointer movement seen before the next counted
 * call on the stream is bytes nobody counted, booked then as buffer_refill
 * (read) or buffer_flush (write), and at exit for what buffers still hold.
 * Bytes a wrapper counted happen between its own pre and post, so no byte is
 * counted twice.  Only while the process is single-threaded (stdio_take).
 *
 * Streams without a descriptor (fmemopen, open_memstream, fopencookie) are
 * not file I/O: their calls pass through uncounted.
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

/* ---- inline bytes (see the top) ---------------------------------------- */

struct stdio_mark {
	FILE *fp;  /* the stream the marks belong to */
	char *w;   /* its _IO_write_ptr when a counted call last returned */
	char *r;   /* its _IO_read_ptr then */
};
static struct stdio_mark stdio_marks[COL_FDS + 1]; /* [COL_FDS]: every fd beyond the table, never booked */

COL_INLINE struct stdio_mark *stdio_mark_of(int fd)
{
	return &stdio_marks[(unsigned)fd < COL_FDS ? (unsigned)fd : COL_FDS];
}

/* col_io for a stream: files.c needs the FILE to place a descriptor classified only now */
#define STDIO_IO(fp, ...) do { col_tls.stream = (fp); col_io(__VA_ARGS__); } while (0)

/* Bytes inline macros put into the write buffer since the mark (an unseen flush loses what came before it). */
static uint64_t stdio_moved_w(FILE *fp, const struct stdio_mark *m)
{
	char *wp = fp->_IO_write_ptr, *wb = fp->_IO_write_base;
	if (!wp || !wb || wp <= wb)
		return 0;
	return (uint64_t)(m->w >= wb && m->w <= wp ? wp - m->w : wp - wb);
}

/* Bytes inline macros took from the read buffer since the mark (pointer gone back, e.g. ungetc: none). */
static uint64_t stdio_moved_r(FILE *fp, const struct stdio_mark *m)
{
	char *rp = fp->_IO_read_ptr, *rb = fp->_IO_read_base;
	if (!rp || !rb || rp <= rb || m->r > rp)
		return 0;
	return (uint64_t)(m->r >= rb ? rp - m->r : rp - rb);
}

/* Take the uncounted bytes of direction `dir` (returned) and book those of the other one now. */
static uint64_t stdio_take(FILE *fp, int fd, int dir)
{
	if ((unsigned)fd >= COL_FDS || __atomic_load_n(&col.multi, __ATOMIC_RELAXED))
		return 0;
	struct stdio_mark *m = &stdio_marks[fd];
	if (m->fp != fp) {
		/* first look at this stream on this fd: marks a post of this stream left inside its
		   buffer stand (the fp is checked here only, off the inline path), others restart */
		m->fp = fp;
		if (!(m->w >= fp->_IO_write_base && m->w <= fp->_IO_write_ptr))
			m->w = fp->_IO_write_base;
		if (!(m->r >= fp->_IO_read_base && m->r <= fp->_IO_read_ptr))
			m->r = fp->_IO_read_base;
	}
	uint64_t w = stdio_moved_w(fp, m), r = stdio_moved_r(fp, m);
	m->w = fp->_IO_write_ptr;
	m->r = fp->_IO_read_ptr;
	uint64_t other = dir == VIGIL_DIR_READ ? w : r;
	if (other) {
		uint64_t t = col_now();
		if (dir == VIGIL_DIR_READ)
			STDIO_IO(fp, VIGIL_OP_BUFFER_FLUSH, fd, SX, other, other, 0, COL_OFF_POS, t, t);
		else
			STDIO_IO(fp, VIGIL_OP_BUFFER_REFILL, fd, SX, other, other, 0, COL_OFF_POS, t, t);
	}
	return dir == VIGIL_DIR_READ ? r : w;
}

/* Book both directions' uncounted bytes of one stream as their own calls. */
static void stdio_book(FILE *fp, int fd)
{
	uint64_t r = stdio_take(fp, fd, VIGIL_DIR_READ);
	if (r) {
		uint64_t t = col_now();
		STDIO_IO(fp, VIGIL_OP_BUFFER_REFILL, fd, SX, r, r, 0, COL_OFF_POS, t, t);
	}
}

/* What a stream's buffer holds unwritten less what it holds unread: the stream's position
 * is the descriptor's plus this (files.c places a descriptor classified only now with it). */
int64_t col_stdio_buffered(const void *stream)
{
	const FILE *fp = stream;
	int64_t b = 0;
	if (fp && fp->_IO_write_ptr && fp->_IO_write_base)
		b += fp->_IO_write_ptr - fp->_IO_write_base;
	if (fp && fp->_IO_read_ptr && fp->_IO_read_end)
		b -= fp->_IO_read_end - fp->_IO_read_ptr;
	return b;
}

/* Before a counted call on a stream with a descriptor: book what inline macros moved. */
COL_INLINE void stdio_pre(FILE *fp, int fd)
{
	const struct stdio_mark *m = stdio_mark_of(fd);
	if (COL_UNLIKELY(m->w != fp->_IO_write_ptr || m->r != fp->_IO_read_ptr))
		stdio_book(fp, fd);
}

/* After it (the stream still open). */
COL_INLINE void stdio_post(FILE *fp, int fd)
{
	struct stdio_mark *m = stdio_mark_of(fd);
	m->w = fp->_IO_write_ptr;
	m->r = fp->_IO_read_ptr;
}

/* Every open stream: exit and fflush(NULL) flush them where we cannot see it. */
extern FILE *_IO_list_all;
static void stdio_book_all(void)
{
	for (FILE *fp = _IO_list_all; fp; fp = fp->_chain) {
		int fd = stdio_fd(fp);
		if (fd >= 0)
			stdio_book(fp, fd);
	}
}

void col_stdio_exit(void)
{
	if (col_on())
		stdio_book_all();
}

/*
 * The counted path of stdio wrappers: pass through when not counting or for
 * a stream without a descriptor; else `rtype r` = the real call between t0
 * and t1, with `fd` the stream's descriptor, inline bytes booked before.
 */
#define STDIO_TIMED(name, rtype, fp, ...) \
	int fd = stdio_fd(fp); \
	if (!col_on() || fd < 0) \
		return COL_REAL(name)(__VA_ARGS__); \
	stdio_pre(fp, fd); \
	__typeof__(real_##name) fn = COL_FN(name); \
	uint64_t t0 = col_now(); \
	rtype r = fn(__VA_ARGS__); \
	uint64_t t1 = col_now(); \
	stdio_post(fp, fd)

/* STDIO_TIMED for a wrapper split in two (COL_FAST_TIMED): the usual case, else name##_cold */
#define STDIO_FAST_TIMED(name, rtype, fp, ...) \
	int fd = stdio_fd(fp); \
	__typeof__(real_##name) fn = real_##name; \
	if (COL_UNLIKELY(!col.enabled) || COL_UNLIKELY(col_tls.quiet != 0) || COL_UNLIKELY(fn == NULL) || \
	    !COL_TSC_OK || COL_UNLIKELY(fd < 0) || \
	    COL_UNLIKELY(stdio_mark_of(fd)->w != (fp)->_IO_write_ptr || stdio_mark_of(fd)->r != (fp)->_IO_read_ptr)) \
		return name##_cold(__VA_ARGS__); \
	uint64_t t0 = COL_RDTSC(); \
	rtype r = fn(__VA_ARGS__); \
	uint64_t t1 = COL_RDTSC(); \
	stdio_post(fp, fd)

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
STDIO_FOPEN(_IO_fopen)

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
		if (oldfd >= 0) \
			stdio_pre(fp, oldfd); \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		FILE *r = COL_REAL(name)(path, mode, fp); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		int fd = stdio_fd(r); \
		if (r && fd >= 0) \
			stdio_post(r, fd); \
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

#define STDIO_FDOPEN(name) \
	COL_DECL(FILE *, name, (int, const char *)); \
	VIGIL_EXPORT FILE *name(int fd, const char *mode) \
	{ \
		if (!col_on()) \
			return COL_REAL(name)(fd, mode); \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		FILE *r = COL_REAL(name)(fd, mode); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		col_io(VIGIL_OP_FDOPEN, r ? fd : -1, SX, 0, 0, r == NULL, COL_OFF_NONE, t0, t1); \
		errno = e; \
		return r; \
	}
STDIO_FDOPEN(fdopen)
STDIO_FDOPEN(_IO_fdopen)

/* fclose and pclose: book what the buffer holds (the close flushes it), forget the fd */
#define STDIO_FCLOSE(name) \
	COL_DECL(int, name, (FILE *)); \
	VIGIL_EXPORT int name(FILE *fp) \
	{ \
		int fd = stdio_fd(fp); \
		if (!col_on() || fd < 0) { \
			int r0 = COL_REAL(name)(fp); \
			if (col.enabled) \
				col_fd_closed(fd); \
			return r0; \
		} \
		stdio_pre(fp, fd); \
		if ((unsigned)fd < COL_FDS) \
			stdio_marks[fd].fp = NULL; \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		int r = COL_REAL(name)(fp); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		col_io(VIGIL_OP_FCLOSE, fd, SX, 0, 0, r == EOF, COL_OFF_NONE, t0, t1); \
		col_fd_closed(fd); \
		errno = e; \
		return r; \
	}
STDIO_FCLOSE(fclose)
STDIO_FCLOSE(_IO_fclose)
STDIO_FCLOSE(pclose)

/* popen's pipe is made inside libc: its fd number is unknown to us now */
COL_DECL(FILE *, popen, (const char *, const char *));
VIGIL_EXPORT FILE *popen(const char *cmd, const char *mode)
{
	FILE *r = COL_REAL(popen)(cmd, mode);
	if (r && col.enabled) {
		int e = errno;
		col_fd_closed(stdio_fd(r));
		errno = e;
	}
	return r;
}

/* fcloseall: every stream's fd closed inside libc */
COL_DECL(int, fcloseall, (void));
VIGIL_EXPORT int fcloseall(void)
{
	if (col_on())
		stdio_book_all();
	int r = COL_REAL(fcloseall)();
	if (col.enabled) {
		int e = errno;
		col_fd_forget_all();
		errno = e;
	}
	return r;
}

/* tmpfile: an unnamed file; its record is named after what /proc shows (files.c) */
#define STDIO_TMPFILE(name) \
	COL_DECL(FILE *, name, (void)); \
	VIGIL_EXPORT FILE *name(void) \
	{ \
		if (!col_on()) { \
			FILE *r0 = COL_REAL(name)(); \
			if (r0 && col.enabled) \
				col_fd_closed(stdio_fd(r0)); \
			return r0; \
		} \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		FILE *r = COL_REAL(name)(); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		col_open_done(VIGIL_OP_TMPFILE, SX, stdio_fd(r), AT_FDCWD, NULL, 0, r == NULL, t0, t1); \
		errno = e; \
		return r; \
	}
STDIO_TMPFILE(tmpfile)
STDIO_TMPFILE(tmpfile64)

/* ---- data ------------------------------------------------------------- */

/* call returns size_t items; req in bytes */
#define STDIO_ITEMS_BODY(name, op, fp, size, n, ...) \
	STDIO_TIMED(name, size_t, fp, __VA_ARGS__); \
	STDIO_IO(fp, op, fd, SX, (uint64_t)(size) * (n), (uint64_t)(size) * r, \
	       r < (n) && ferror_unlocked(fp), COL_OFF_POS, t0, t1); \
	return r

/* An items wrapper as two functions: the usual case exported, name##_cold (STDIO_ITEMS_BODY) for the rest */
#define STDIO_ITEMS(name, params, op, fp, size, n, ...) \
	static __attribute__((noinline)) size_t name##_cold params \
	{ \
		STDIO_ITEMS_BODY(name, op, fp, size, n, __VA_ARGS__); \
	} \
	VIGIL_EXPORT size_t name params \
	{ \
		STDIO_FAST_TIMED(name, size_t, fp, __VA_ARGS__); \
		STDIO_IO(fp, op, fd, SX, (uint64_t)(size) * (n), (uint64_t)(size) * r, \
		         r < (n) && ferror_unlocked(fp), COL_OFF_POS, t0, t1); \
		return r; \
	}

#define STDIO_FREAD(name) \
	COL_DECL(size_t, name, (void *, size_t, size_t, FILE *)); \
	STDIO_ITEMS(name, (void *p, size_t size, size_t n, FILE *fp), \
	            VIGIL_OP_FREAD, fp, size, n, p, size, n, fp)
STDIO_FREAD(fread)
STDIO_FREAD(fread_unlocked)
STDIO_FREAD(_IO_fread)

#define STDIO_FREAD_CHK(name) \
	COL_DECL(size_t, name, (void *, size_t, size_t, size_t, FILE *)); \
	STDIO_ITEMS(name, (void *p, size_t plen, size_t size, size_t n, FILE *fp), \
	            VIGIL_OP_FREAD, fp, size, n, p, plen, size, n, fp)
STDIO_FREAD_CHK(__fread_chk)
STDIO_FREAD_CHK(__fread_unlocked_chk)

#define STDIO_FWRITE(name) \
	COL_DECL(size_t, name, (const void *, size_t, size_t, FILE *)); \
	STDIO_ITEMS(name, (const void *p, size_t size, size_t n, FILE *fp), \
	            VIGIL_OP_FWRITE, fp, size, n, p, size, n, fp)
STDIO_FWRITE(fwrite)
STDIO_FWRITE(fwrite_unlocked)
STDIO_FWRITE(_IO_fwrite)

#define STDIO_FGETS_BODY(name, fp, n, ...) \
	STDIO_TIMED(name, char *, fp, __VA_ARGS__); \
	STDIO_IO(fp, VIGIL_OP_FGETS, fd, SX, (uint64_t)((n) > 0 ? (n) : 0), r ? strlen(r) : 0, \
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
STDIO_FGETS(_IO_fgets)

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
	STDIO_TIMED(name, int, fp, __VA_ARGS__); \
	STDIO_IO(fp, op, fd, SX, req, r == EOF ? 0 : (req), r == EOF, COL_OFF_POS, t0, t1); \
	return r

#define STDIO_FPUTS(name) \
	COL_DECL(int, name, (const char *, FILE *)); \
	VIGIL_EXPORT int name(const char *s, FILE *fp) \
	{ \
		STDIO_PUT_BODY(name, VIGIL_OP_FPUTS, fp, strlen(s), s, fp); \
	}
STDIO_FPUTS(fputs)
STDIO_FPUTS(fputs_unlocked)
STDIO_FPUTS(_IO_fputs)

#define STDIO_PUTS(name) \
	COL_DECL(int, name, (const char *)); \
	VIGIL_EXPORT int name(const char *s) \
	{ \
		STDIO_PUT_BODY(name, VIGIL_OP_FPUTS, stdout, strlen(s) + 1, s); \
	}
STDIO_PUTS(puts)
STDIO_PUTS(_IO_puts)

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
STDIO_FPUTC(_IO_putc)

#define STDIO_PUTCHAR(name) \
	COL_DECL(int, name, (int)); \
	VIGIL_EXPORT int name(int c) \
	{ \
		STDIO_PUT_BODY(name, VIGIL_OP_FPUTC, stdout, 1, c); \
	}
STDIO_PUTCHAR(putchar)
STDIO_PUTCHAR(putchar_unlocked)

#define STDIO_GETC_BODY(name, fp, ...) \
	STDIO_TIMED(name, int, fp, __VA_ARGS__); \
	STDIO_IO(fp, VIGIL_OP_FGETC, fd, SX, 1, r == EOF ? 0 : 1, r == EOF && ferror_unlocked(fp), \
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
STDIO_FGETC(_IO_getc)

#define STDIO_GETCHAR(name) \
	COL_DECL(int, name, (void)); \
	VIGIL_EXPORT int name(void) \
	{ \
		STDIO_GETC_BODY(name, stdin, ); \
	}
STDIO_GETCHAR(getchar)
STDIO_GETCHAR(getchar_unlocked)

/* getline family: bytes = the length returned (the delimiter included) */
#define STDIO_GETDELIM(name, params, fp, ...) \
	COL_DECL(ssize_t, name, params); \
	VIGIL_EXPORT ssize_t name params \
	{ \
		STDIO_TIMED(name, ssize_t, fp, __VA_ARGS__); \
		uint64_t n = r > 0 ? (uint64_t)r : 0; \
		STDIO_IO(fp, VIGIL_OP_GETLINE, fd, SX, n, n, r < 0 && ferror_unlocked(fp), COL_OFF_POS, t0, t1); \
		return r; \
	}
STDIO_GETDELIM(getline, (char **line, size_t *cap, FILE *fp), fp, line, cap, fp)
STDIO_GETDELIM(getdelim, (char **line, size_t *cap, int delim, FILE *fp), fp, line, cap, delim, fp)
STDIO_GETDELIM(__getdelim, (char **line, size_t *cap, int delim, FILE *fp), fp, line, cap, delim, fp)

/* ---- buffer edges of inlined getc/putc -------------------------------- */

int __uflow(FILE *fp);
int __underflow(FILE *fp);
int __overflow(FILE *fp, int c);

/*
 * One buffer edge: the bytes inline macros moved since the last counted call
 * (taken before the real call), plus the character the edge call itself
 * returns (__uflow) or stores (__overflow).
 */
#define STDIO_EDGE(name, op, dir, params, fp, extra, failed, ...) \
	COL_DECL(int, name, params); \
	VIGIL_EXPORT int name params \
	{ \
		int fd = stdio_fd(fp); \
		if (!col_on() || fd < 0) \
			return COL_REAL(name)(__VA_ARGS__); \
		uint64_t n = stdio_take(fp, fd, dir); \
		__typeof__(real_##name) fn = COL_FN(name); \
		uint64_t t0 = col_now(); \
		int r = fn(__VA_ARGS__); \
		uint64_t t1 = col_now(); \
		stdio_post(fp, fd); \
		n += (extra); \
		STDIO_IO(fp, op, fd, SX, n, n, failed, COL_OFF_POS, t0, t1); \
		return r; \
	}
STDIO_EDGE(__uflow, VIGIL_OP_BUFFER_REFILL, VIGIL_DIR_READ, (FILE *fp), fp, r != EOF,
           r == EOF && ferror_unlocked(fp), fp)
STDIO_EDGE(__underflow, VIGIL_OP_BUFFER_REFILL, VIGIL_DIR_READ, (FILE *fp), fp, 0,
           r == EOF && ferror_unlocked(fp), fp)
STDIO_EDGE(__overflow, VIGIL_OP_BUFFER_FLUSH, VIGIL_DIR_WRITE, (FILE *fp, int c), fp, c != EOF && r != EOF,
           r == EOF, fp, c)

/* ---- formatted -------------------------------------------------------- */

/* printf family: bytes = characters written (also the histogram size) */
#define STDIO_PRINTF_CALL(real, fp, ...) \
	int fd = stdio_fd(fp); \
	if (fd < 0) \
		return (real)(__VA_ARGS__); \
	stdio_pre(fp, fd); \
	__typeof__(&(real)) fn_ = &(real); \
	uint64_t t0 = col_now(); \
	int r = fn_(__VA_ARGS__); \
	uint64_t t1 = col_now(); \
	stdio_post(fp, fd); \
	STDIO_IO(fp, VIGIL_OP_FPRINTF, fd, SX, r > 0 ? (uint64_t)r : 0, r > 0 ? (uint64_t)r : 0, \
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

VIGIL_EXPORT int _IO_vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	return stdio_vfprintf(fp, fmt, ap);
}

VIGIL_EXPORT int _IO_fprintf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = stdio_vfprintf(fp, fmt, ap);
	va_end(ap);
	return r;
}

VIGIL_EXPORT int _IO_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = stdio_vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
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
	int fd = stdio_fd(fp); \
	if (fd < 0) \
		return (real)(__VA_ARGS__); \
	stdio_pre(fp, fd); \
	__typeof__(&(real)) fn_ = &(real); \
	uint64_t t0 = col_now(); \
	int r = fn_(__VA_ARGS__); \
	int e = errno; \
	uint64_t t1 = col_now(); \
	stdio_post(fp, fd); \
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

/* fflush(NULL) flushes every stream: book what each buffer holds first */
#define STDIO_FFLUSH(name) \
	COL_DECL(int, name, (FILE *)); \
	VIGIL_EXPORT int name(FILE *fp) \
	{ \
		int fd = stdio_fd(fp); \
		if (!col_on() || (fd < 0 && fp)) \
			return COL_REAL(name)(fp); \
		if (fp) \
			stdio_pre(fp, fd); \
		else \
			stdio_book_all(); \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		int r = COL_REAL(name)(fp); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		if (fp) \
			stdio_post(fp, fd); \
		col_io(VIGIL_OP_FFLUSH, fd, SX, 0, 0, r == EOF, COL_OFF_NONE, t0, t1); \
		errno = e; \
		return r; \
	}
STDIO_FFLUSH(fflush)
STDIO_FFLUSH(fflush_unlocked)
STDIO_FFLUSH(_IO_fflush)

COL_DECL(off64_t, ftello64, (FILE *));

/* After a successful seek: the stream's new position for sequential detection. */
static void stdio_seeked(FILE *fp, int whence, int64_t off)
{
	int fd = stdio_fd(fp);
	int64_t pos = whence == SEEK_SET ? off : (int64_t)COL_REAL(ftello64)(fp);
	col_fd_seek(fd, SX, pos < 0 ? -1 : pos);
}

#define STDIO_SEEK_BODY(name, op, fp, whence, off, ...) \
	int fd = stdio_fd(fp); \
	if (!col_on() || fd < 0) \
		return COL_REAL(name)(__VA_ARGS__); \
	stdio_pre(fp, fd); \
	(void)COL_REAL(name); uint64_t t0 = col_now(); \
	int r = COL_REAL(name)(__VA_ARGS__); \
	int e = errno; \
	uint64_t t1 = col_now(); \
	stdio_post(fp, fd); \
	col_io(op, fd, SX, 0, 0, r != 0, COL_OFF_NONE, t0, t1); \
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
STDIO_FSETPOS(_IO_fsetpos, fpos_t)
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
STDIO_FTELL(_IO_ftell, long)
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
STDIO_FGETPOS(_IO_fgetpos, fpos_t)
STDIO_FGETPOS(fgetpos64, fpos64_t)

COL_DECL(void, rewind, (FILE *));
VIGIL_EXPORT void rewind(FILE *fp)
{
	int fd = stdio_fd(fp);
	if (!col_on() || fd < 0) {
		COL_REAL(rewind)(fp);
		return;
	}
	stdio_pre(fp, fd);
	(void)COL_REAL(rewind); uint64_t t0 = col_now();
	COL_REAL(rewind)(fp);
	int e = errno;
	uint64_t t1 = col_now();
	stdio_post(fp, fd);
	col_io(VIGIL_OP_REWIND, fd, SX, 0, 0, 0, COL_OFF_NONE, t0, t1);
	col_fd_seek(fd, SX, 0);
	errno = e;
}
