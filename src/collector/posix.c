/*
 * posix.c - wrappers of the POSIX I/O entry points of libc.
 *
 * Every spelling glibc exports is wrapped (open/open64/__open_2, pread64,
 * __read_chk, stat/__xstat, ...) and counted under its canonical op of
 * include/vigil/ops.h.  Each wrapper: col_on() or call straight through;
 * clock; real call (RTLD_NEXT); save errno; clock; count; restore errno;
 * return exactly what the real call returned.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#include <utime.h>
#include "collector/col.h"

#define PX VIGIL_FLAYER_POSIX
#define POSIX_NEEDS_MODE(f) (((f) & O_CREAT) || ((f) & O_TMPFILE) == O_TMPFILE)

/* glibc symbols without a prototype in its headers */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off64_t off, size_t buflen);
int __xstat(int ver, const char *path, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __fxstat(int ver, int fd, struct stat *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstat64(int ver, int fd, struct stat64 *st);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

/* ---- open family ------------------------------------------------------ */

#define POSIX_OPEN_AS(op, name, dirfd, path, flags, ...) \
	if (!col_on()) { \
		int r0 = COL_REAL(name)(__VA_ARGS__); \
		if (r0 >= 0 && col.enabled) \
			col_fd_closed(r0); /* unknown now: classified again when used */ \
		return r0; \
	} \
	(void)COL_REAL(name); uint64_t t0 = col_now(); \
	int r = COL_REAL(name)(__VA_ARGS__); \
	int e = errno; \
	uint64_t t1 = col_now(); \
	col_open_done(op, PX, r, dirfd, path, (flags) & O_APPEND, r < 0, t0, t1); \
	errno = e; \
	return r
#define POSIX_OPEN_BODY(...) POSIX_OPEN_AS(VIGIL_OP_OPEN, __VA_ARGS__)

#define POSIX_OPEN_VARIADIC(name) \
	COL_DECL(int, name, (const char *, int, ...)); \
	VIGIL_EXPORT int name(const char *path, int flags, ...) \
	{ \
		mode_t mode = 0; \
		if (POSIX_NEEDS_MODE(flags)) { \
			va_list ap; \
			va_start(ap, flags); \
			mode = va_arg(ap, mode_t); \
			va_end(ap); \
		} \
		POSIX_OPEN_BODY(name, AT_FDCWD, path, flags, path, flags, mode); \
	}
POSIX_OPEN_VARIADIC(open)
POSIX_OPEN_VARIADIC(open64)

#define POSIX_OPENAT_VARIADIC(name) \
	COL_DECL(int, name, (int, const char *, int, ...)); \
	VIGIL_EXPORT int name(int dirfd, const char *path, int flags, ...) \
	{ \
		mode_t mode = 0; \
		if (POSIX_NEEDS_MODE(flags)) { \
			va_list ap; \
			va_start(ap, flags); \
			mode = va_arg(ap, mode_t); \
			va_end(ap); \
		} \
		POSIX_OPEN_BODY(name, dirfd, path, flags, dirfd, path, flags, mode); \
	}
POSIX_OPENAT_VARIADIC(openat)
POSIX_OPENAT_VARIADIC(openat64)

#define POSIX_CREAT(name) \
	COL_DECL(int, name, (const char *, mode_t)); \
	VIGIL_EXPORT int name(const char *path, mode_t mode) \
	{ \
		POSIX_OPEN_BODY(name, AT_FDCWD, path, 0, path, mode); \
	}
POSIX_CREAT(creat)
POSIX_CREAT(creat64)

#define POSIX_OPEN2(name) \
	COL_DECL(int, name, (const char *, int)); \
	VIGIL_EXPORT int name(const char *path, int flags) \
	{ \
		POSIX_OPEN_BODY(name, AT_FDCWD, path, flags, path, flags); \
	}
POSIX_OPEN2(__open_2)
POSIX_OPEN2(__open64_2)

#define POSIX_OPENAT2(name) \
	COL_DECL(int, name, (int, const char *, int)); \
	VIGIL_EXPORT int name(int dirfd, const char *path, int flags) \
	{ \
		POSIX_OPEN_BODY(name, dirfd, path, flags, dirfd, path, flags); \
	}
POSIX_OPENAT2(__openat_2)
POSIX_OPENAT2(__openat64_2)

/* ---- data ------------------------------------------------------------- */

/* ret: a ssize_t result; req: requested size; off: offset or COL_OFF_POS */
/* (col_io never changes errno: the real call's errno reaches the caller untouched) */
#define POSIX_RW_BODY(name, op, fd, req, off, ...) \
	COL_TIMED(name, ssize_t, __VA_ARGS__); \
	col_io(op, fd, PX, req, r > 0 ? (uint64_t)r : 0, r < 0, off, t0, t1); \
	return r

/* A data wrapper as two functions (COL_FAST_TIMED): the exported one for the usual case, name##_cold
   (POSIX_RW_BODY) for the rest.  params: the parameter list in parentheses; ...: the call's arguments */
#define POSIX_RW(name, params, op, fd, req, off, ...) \
	static __attribute__((noinline)) ssize_t name##_cold params \
	{ \
		POSIX_RW_BODY(name, op, fd, req, off, __VA_ARGS__); \
	} \
	VIGIL_EXPORT ssize_t name params \
	{ \
		COL_FAST_TIMED(name, ssize_t, __VA_ARGS__); \
		col_io(op, fd, PX, req, r > 0 ? (uint64_t)r : 0, r < 0, off, t0, t1); \
		return r; \
	}

COL_DECL(ssize_t, read, (int, void *, size_t));
POSIX_RW(read, (int fd, void *buf, size_t n), VIGIL_OP_READ, fd, n, COL_OFF_POS, fd, buf, n)

COL_DECL(ssize_t, __read_chk, (int, void *, size_t, size_t));
POSIX_RW(__read_chk, (int fd, void *buf, size_t n, size_t buflen),
         VIGIL_OP_READ, fd, n, COL_OFF_POS, fd, buf, n, buflen)

COL_DECL(ssize_t, write, (int, const void *, size_t));
POSIX_RW(write, (int fd, const void *buf, size_t n), VIGIL_OP_WRITE, fd, n, COL_OFF_POS, fd, buf, n)

#define POSIX_PREAD(name, offt) \
	COL_DECL(ssize_t, name, (int, void *, size_t, offt)); \
	POSIX_RW(name, (int fd, void *buf, size_t n, offt off), \
	         VIGIL_OP_PREAD, fd, n, off < 0 ? COL_OFF_NONE : off, fd, buf, n, off)
POSIX_PREAD(pread, off_t)
POSIX_PREAD(pread64, off64_t)

#define POSIX_PREAD_CHK(name, offt) \
	COL_DECL(ssize_t, name, (int, void *, size_t, offt, size_t)); \
	POSIX_RW(name, (int fd, void *buf, size_t n, offt off, size_t buflen), \
	         VIGIL_OP_PREAD, fd, n, off < 0 ? COL_OFF_NONE : off, fd, buf, n, off, buflen)
POSIX_PREAD_CHK(__pread_chk, off_t)
POSIX_PREAD_CHK(__pread64_chk, off64_t)

#define POSIX_PWRITE(name, offt) \
	COL_DECL(ssize_t, name, (int, const void *, size_t, offt)); \
	POSIX_RW(name, (int fd, const void *buf, size_t n, offt off), \
	         VIGIL_OP_PWRITE, fd, n, off < 0 ? COL_OFF_NONE : off, fd, buf, n, off)
POSIX_PWRITE(pwrite, off_t)
POSIX_PWRITE(pwrite64, off64_t)

static uint64_t posix_iov_sum(const struct iovec *iov, int cnt)
{
	uint64_t s = 0;
	for (int i = 0; iov && i < cnt; i++)
		s += iov[i].iov_len;
	return s;
}

COL_DECL(ssize_t, readv, (int, const struct iovec *, int));
POSIX_RW(readv, (int fd, const struct iovec *iov, int cnt),
         VIGIL_OP_READV, fd, posix_iov_sum(iov, cnt), COL_OFF_POS, fd, iov, cnt)

COL_DECL(ssize_t, writev, (int, const struct iovec *, int));
POSIX_RW(writev, (int fd, const struct iovec *iov, int cnt),
         VIGIL_OP_WRITEV, fd, posix_iov_sum(iov, cnt), COL_OFF_POS, fd, iov, cnt)

#define POSIX_PV(name, op, offt) \
	COL_DECL(ssize_t, name, (int, const struct iovec *, int, offt)); \
	POSIX_RW(name, (int fd, const struct iovec *iov, int cnt, offt off), \
	         op, fd, posix_iov_sum(iov, cnt), off < 0 ? COL_OFF_NONE : off, \
	         fd, iov, cnt, off)
POSIX_PV(preadv, VIGIL_OP_PREADV, off_t)
POSIX_PV(preadv64, VIGIL_OP_PREADV, off64_t)
POSIX_PV(pwritev, VIGIL_OP_PWRITEV, off_t)
POSIX_PV(pwritev64, VIGIL_OP_PWRITEV, off64_t)

/* v2: offset -1 means "at the current position" */
#define POSIX_PV2(name, op, offt) \
	COL_DECL(ssize_t, name, (int, const struct iovec *, int, offt, int)); \
	POSIX_RW(name, (int fd, const struct iovec *iov, int cnt, offt off, int flags), \
	         op, fd, posix_iov_sum(iov, cnt), off == -1 ? COL_OFF_POS : off < 0 ? COL_OFF_NONE : off, \
	         fd, iov, cnt, off, flags)
POSIX_PV2(preadv2, VIGIL_OP_PREADV, off_t)
POSIX_PV2(preadv64v2, VIGIL_OP_PREADV, off64_t)
POSIX_PV2(pwritev2, VIGIL_OP_PWRITEV, off_t)
POSIX_PV2(pwritev64v2, VIGIL_OP_PWRITEV, off64_t)

/* ---- fd metadata ------------------------------------------------------ */

/* An int-returning call on fd (or -1 for path calls); fails when r < 0. */
#define POSIX_META_BODY(name, op, fd, ...) \
	COL_TIMED(name, int, __VA_ARGS__); \
	col_io(op, fd, PX, 0, 0, r < 0, COL_OFF_NONE, t0, t1); \
	return r

/* POSIX_META_BODY as two functions (COL_FAST_TIMED), as POSIX_RW */
#define POSIX_META_FN(name, params, op, fd, ...) \
	static __attribute__((noinline)) int name##_cold params \
	{ \
		POSIX_META_BODY(name, op, fd, __VA_ARGS__); \
	} \
	VIGIL_EXPORT int name params \
	{ \
		COL_FAST_TIMED(name, int, __VA_ARGS__); \
		col_io(op, fd, PX, 0, 0, r < 0, COL_OFF_NONE, t0, t1); \
		return r; \
	}

COL_DECL(int, close, (int));
VIGIL_EXPORT int close(int fd)
{
	if (!col_on()) {
		if (col.enabled)
			col_fd_closed(fd);
		return COL_REAL(close)(fd);
	}
	__typeof__(real_close) fn = COL_FN(close);
	/* The entry as it is before the real close: after it, another thread may open a file
	   that gets this number, and its record must not get this close */
	struct col_fd e, *ep = NULL;
	if ((unsigned)fd < COL_FDS) {
		if (COL_UNLIKELY(col_fds[fd].gen != col.fd_gen))
			col_fd_closing(fd);
		if (COL_LIKELY(col_fds[fd].gen == col.fd_gen)) {
			/* what counting a close reads of it: its record (a close has no offset: the
			   positions are never read) */
			e.gen = col_fds[fd].gen;
			e.file = col_fds[fd].file;
			e.f = col_fds[fd].f;
			ep = &e;
		}
	}
	uint64_t t0 = col_now();
	int r = fn(fd);
	uint64_t t1 = col_now();
	/* (a number beyond the table: counted as before, on <other>) */
	col_io_at(VIGIL_OP_CLOSE, ep || (unsigned)fd >= COL_FDS ? fd : -1, ep, PX, 0, 0, r < 0, COL_OFF_NONE, t0, t1);
	col_fd_closed_as(fd, ep ? e.file : -1);
	return r;
}

#define POSIX_LSEEK(name, offt) \
	COL_DECL(offt, name, (int, offt, int)); \
	VIGIL_EXPORT offt name(int fd, offt off, int whence) \
	{ \
		if (!col_on()) \
			return COL_REAL(name)(fd, off, whence); \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		offt r = COL_REAL(name)(fd, off, whence); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		col_io(VIGIL_OP_LSEEK, fd, PX, 0, 0, r < 0, COL_OFF_NONE, t0, t1); \
		if (r >= 0) \
			col_fd_seek(fd, PX, r); \
		errno = e; \
		return r; \
	}
POSIX_LSEEK(lseek, off_t)
POSIX_LSEEK(lseek64, off64_t)

COL_DECL(int, fsync, (int));
POSIX_META_FN(fsync, (int fd), VIGIL_OP_FSYNC, fd, fd)

COL_DECL(int, fdatasync, (int));
POSIX_META_FN(fdatasync, (int fd), VIGIL_OP_FDATASYNC, fd, fd)

COL_DECL(int, ftruncate, (int, off_t));
POSIX_META_FN(ftruncate, (int fd, off_t len), VIGIL_OP_FTRUNCATE, fd, fd, len)

COL_DECL(int, ftruncate64, (int, off64_t));
POSIX_META_FN(ftruncate64, (int fd, off64_t len), VIGIL_OP_FTRUNCATE, fd, fd, len)

COL_DECL(int, truncate, (const char *, off_t));
POSIX_META_FN(truncate, (const char *path, off_t len), VIGIL_OP_FTRUNCATE, -1, path, len)

COL_DECL(int, truncate64, (const char *, off64_t));
POSIX_META_FN(truncate64, (const char *path, off64_t len), VIGIL_OP_FTRUNCATE, -1, path, len)

/* ---- stat family ------------------------------------------------------ */

#define POSIX_STAT_PATH(name, st_t) \
	COL_DECL(int, name, (const char *, st_t *)); \
	POSIX_META_FN(name, (const char *path, st_t *st), VIGIL_OP_STAT, -1, path, st)
POSIX_STAT_PATH(stat, struct stat)
POSIX_STAT_PATH(stat64, struct stat64)
POSIX_STAT_PATH(lstat, struct stat)
POSIX_STAT_PATH(lstat64, struct stat64)

#define POSIX_STAT_FD(name, st_t) \
	COL_DECL(int, name, (int, st_t *)); \
	POSIX_META_FN(name, (int fd, st_t *st), VIGIL_OP_STAT, fd, fd, st)
POSIX_STAT_FD(fstat, struct stat)
POSIX_STAT_FD(fstat64, struct stat64)

#define POSIX_STAT_AT(name, st_t) \
	COL_DECL(int, name, (int, const char *, st_t *, int)); \
	POSIX_META_FN(name, (int dirfd, const char *path, st_t *st, int flags), \
	              VIGIL_OP_STAT, -1, dirfd, path, st, flags)
POSIX_STAT_AT(fstatat, struct stat)
POSIX_STAT_AT(fstatat64, struct stat64)

COL_DECL(int, statx, (int, const char *, int, unsigned, struct statx *));
POSIX_META_FN(statx, (int dirfd, const char *path, int flags, unsigned mask, struct statx *st),
              VIGIL_OP_STAT, -1, dirfd, path, flags, mask, st)

#define POSIX_XSTAT_PATH(name, st_t) \
	COL_DECL(int, name, (int, const char *, st_t *)); \
	POSIX_META_FN(name, (int ver, const char *path, st_t *st), VIGIL_OP_STAT, -1, ver, path, st)
POSIX_XSTAT_PATH(__xstat, struct stat)
POSIX_XSTAT_PATH(__xstat64, struct stat64)
POSIX_XSTAT_PATH(__lxstat, struct stat)
POSIX_XSTAT_PATH(__lxstat64, struct stat64)

#define POSIX_FXSTAT(name, st_t) \
	COL_DECL(int, name, (int, int, st_t *)); \
	POSIX_META_FN(name, (int ver, int fd, st_t *st), VIGIL_OP_STAT, fd, ver, fd, st)
POSIX_FXSTAT(__fxstat, struct stat)
POSIX_FXSTAT(__fxstat64, struct stat64)

#define POSIX_FXSTATAT(name, st_t) \
	COL_DECL(int, name, (int, int, const char *, st_t *, int)); \
	POSIX_META_FN(name, (int ver, int dirfd, const char *path, st_t *st, int flags), \
	              VIGIL_OP_STAT, -1, ver, dirfd, path, st, flags)
POSIX_FXSTATAT(__fxstatat, struct stat)
POSIX_FXSTATAT(__fxstatat64, struct stat64)

/* ---- space, sync, links, modes, owners, times ------------------------- */

/* one int-returning call, declared and counted in one line each */
#define POSIX_META(name, op, fdexpr, params, ...) \
	COL_DECL(int, name, params); \
	POSIX_META_FN(name, params, op, fdexpr, __VA_ARGS__)
POSIX_META(fallocate, VIGIL_OP_FALLOCATE, fd, (int fd, int mode, off_t off, off_t len), fd, mode, off, len)
POSIX_META(fallocate64, VIGIL_OP_FALLOCATE, fd, (int fd, int mode, off64_t off, off64_t len), fd, mode, off, len)
POSIX_META(sync_file_range, VIGIL_OP_SYNC_FILE_RANGE, fd, (int fd, off64_t off, off64_t n, unsigned flags),
           fd, off, n, flags)
POSIX_META(syncfs, VIGIL_OP_SYNCFS, fd, (int fd), fd)
POSIX_META(msync, VIGIL_OP_MSYNC, -1, (void *addr, size_t len, int flags), addr, len, flags)
POSIX_META(link, VIGIL_OP_LINK, -1, (const char *from, const char *to), from, to)
POSIX_META(linkat, VIGIL_OP_LINK, -1, (int fromfd, const char *from, int tofd, const char *to, int flags),
           fromfd, from, tofd, to, flags)
POSIX_META(symlink, VIGIL_OP_SYMLINK, -1, (const char *target, const char *path), target, path)
POSIX_META(symlinkat, VIGIL_OP_SYMLINK, -1, (const char *target, int dirfd, const char *path), target, dirfd, path)
POSIX_META(chmod, VIGIL_OP_CHMOD, -1, (const char *path, mode_t mode), path, mode)
POSIX_META(fchmod, VIGIL_OP_CHMOD, fd, (int fd, mode_t mode), fd, mode)
POSIX_META(fchmodat, VIGIL_OP_CHMOD, -1, (int dirfd, const char *path, mode_t mode, int flags), dirfd, path, mode, flags)
POSIX_META(chown, VIGIL_OP_CHOWN, -1, (const char *path, uid_t u, gid_t g), path, u, g)
POSIX_META(lchown, VIGIL_OP_CHOWN, -1, (const char *path, uid_t u, gid_t g), path, u, g)
POSIX_META(fchown, VIGIL_OP_CHOWN, fd, (int fd, uid_t u, gid_t g), fd, u, g)
POSIX_META(fchownat, VIGIL_OP_CHOWN, -1, (int dirfd, const char *path, uid_t u, gid_t g, int flags),
           dirfd, path, u, g, flags)
POSIX_META(utimensat, VIGIL_OP_UTIME, -1, (int dirfd, const char *path, const struct timespec t[2], int flags),
           dirfd, path, t, flags)
POSIX_META(futimens, VIGIL_OP_UTIME, fd, (int fd, const struct timespec t[2]), fd, t)
POSIX_META(utimes, VIGIL_OP_UTIME, -1, (const char *path, const struct timeval t[2]), path, t)
POSIX_META(lutimes, VIGIL_OP_UTIME, -1, (const char *path, const struct timeval t[2]), path, t)
POSIX_META(futimes, VIGIL_OP_UTIME, fd, (int fd, const struct timeval t[2]), fd, t)
POSIX_META(futimesat, VIGIL_OP_UTIME, -1, (int dirfd, const char *path, const struct timeval t[2]), dirfd, path, t)
POSIX_META(utime, VIGIL_OP_UTIME, -1, (const char *path, const struct utimbuf *t), path, t)

/* posix_fallocate returns the error number (errno untouched): failed when non-zero */
#define POSIX_PFALLOCATE(name, offt) \
	COL_DECL(int, name, (int, offt, offt)); \
	VIGIL_EXPORT int name(int fd, offt off, offt len) \
	{ \
		COL_TIMED(name, int, fd, off, len); \
		col_io(VIGIL_OP_FALLOCATE, fd, PX, 0, 0, r != 0, COL_OFF_NONE, t0, t1); \
		return r; \
	}
POSIX_PFALLOCATE(posix_fallocate, off_t)
POSIX_PFALLOCATE(posix_fallocate64, off64_t)

/* ---- namespace -------------------------------------------------------- */

COL_DECL(int, unlink, (const char *));
POSIX_META_FN(unlink, (const char *path), VIGIL_OP_UNLINK, -1, path)

COL_DECL(int, unlinkat, (int, const char *, int));
POSIX_META_FN(unlinkat, (int dirfd, const char *path, int flags), VIGIL_OP_UNLINK, -1, dirfd, path, flags)

COL_DECL(int, rename, (const char *, const char *));
POSIX_META_FN(rename, (const char *from, const char *to), VIGIL_OP_RENAME, -1, from, to)

COL_DECL(int, renameat, (int, const char *, int, const char *));
POSIX_META_FN(renameat, (int fromfd, const char *from, int tofd, const char *to),
              VIGIL_OP_RENAME, -1, fromfd, from, tofd, to)

COL_DECL(int, renameat2, (int, const char *, int, const char *, unsigned));
POSIX_META_FN(renameat2, (int fromfd, const char *from, int tofd, const char *to, unsigned flags),
              VIGIL_OP_RENAME, -1, fromfd, from, tofd, to, flags)

COL_DECL(int, mkdir, (const char *, mode_t));
POSIX_META_FN(mkdir, (const char *path, mode_t mode), VIGIL_OP_MKDIR, -1, path, mode)

COL_DECL(int, mkdirat, (int, const char *, mode_t));
POSIX_META_FN(mkdirat, (int dirfd, const char *path, mode_t mode), VIGIL_OP_MKDIR, -1, dirfd, path, mode)

COL_DECL(int, rmdir, (const char *));
POSIX_META_FN(rmdir, (const char *path), VIGIL_OP_RMDIR, -1, path)

COL_DECL(int, access, (const char *, int));
POSIX_META_FN(access, (const char *path, int mode), VIGIL_OP_ACCESS, -1, path, mode)

COL_DECL(int, faccessat, (int, const char *, int, int));
POSIX_META_FN(faccessat, (int dirfd, const char *path, int mode, int flags),
              VIGIL_OP_ACCESS, -1, dirfd, path, mode, flags)

COL_DECL(int, euidaccess, (const char *, int));
POSIX_META_FN(euidaccess, (const char *path, int mode), VIGIL_OP_ACCESS, -1, path, mode)

COL_DECL(int, eaccess, (const char *, int));
POSIX_META_FN(eaccess, (const char *path, int mode), VIGIL_OP_ACCESS, -1, path, mode)

#define POSIX_DIR_BODY(name, ...) \
	if (!col_on()) \
		return COL_REAL(name)(__VA_ARGS__); \
	(void)COL_REAL(name); uint64_t t0 = col_now(); \
	DIR *r = COL_REAL(name)(__VA_ARGS__); \
	int e = errno; \
	uint64_t t1 = col_now(); \
	col_io(VIGIL_OP_OPENDIR, -1, PX, 0, 0, r == NULL, COL_OFF_NONE, t0, t1); \
	errno = e; \
	return r

COL_DECL(DIR *, opendir, (const char *));
VIGIL_EXPORT DIR *opendir(const char *path)
{
	POSIX_DIR_BODY(opendir, path);
}

COL_DECL(DIR *, fdopendir, (int));
VIGIL_EXPORT DIR *fdopendir(int fd)
{
	POSIX_DIR_BODY(fdopendir, fd);
}

/* closedir closes the DIR's descriptor inside libc (an fdopendir one was ours): forget it */
COL_DECL(int, closedir, (DIR *));
VIGIL_EXPORT int closedir(DIR *d)
{
	int fd = dirfd(d);
	int r = COL_REAL(closedir)(d);
	if (r == 0 && col.enabled)
		col_fd_closed(fd);
	return r;
}

/* ---- descriptors ------------------------------------------------------ */

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

/* close_range, closefrom: one close call each; every entry in the range is forgotten */
COL_DECL(int, close_range, (unsigned, unsigned, int));
VIGIL_EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	if (!col_on()) {
		int r0 = COL_REAL(close_range)(first, last, flags);
		if (r0 == 0 && col.enabled && !(flags & CLOSE_RANGE_CLOEXEC))
			col_fd_closed_range(first, last);
		return r0;
	}
	(void)COL_REAL(close_range); uint64_t t0 = col_now();
	int r = COL_REAL(close_range)(first, last, flags);
	int e = errno;
	uint64_t t1 = col_now();
	col_io(VIGIL_OP_CLOSE, -1, PX, 0, 0, r != 0, COL_OFF_NONE, t0, t1);
	if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC))
		col_fd_closed_range(first, last);
	errno = e;
	return r;
}

COL_DECL(void, closefrom, (int));
VIGIL_EXPORT void closefrom(int lowfd)
{
	if (!col_on()) {
		COL_REAL(closefrom)(lowfd);
		if (col.enabled && lowfd >= 0)
			col_fd_closed_range((unsigned)lowfd, ~0u);
		return;
	}
	(void)COL_REAL(closefrom); uint64_t t0 = col_now();
	COL_REAL(closefrom)(lowfd);
	int e = errno;
	uint64_t t1 = col_now();
	col_io(VIGIL_OP_CLOSE, -1, PX, 0, 0, 0, COL_OFF_NONE, t0, t1);
	if (lowfd >= 0)
		col_fd_closed_range((unsigned)lowfd, ~0u);
	errno = e;
}

/*
 * vfork: the child runs on our memory until it execs, so it must not change
 * our fd table (files.c checks the pid once col_vforked is set).  A C wrapper
 * cannot call vfork (the child would return through, and the parent then
 * into, a clobbered frame): this trampoline sets the flag and jumps.
 */
void *col_real_vfork;
#if defined(__x86_64__)
__asm__(".pushsection .text\n"
        ".globl vfork\n"
        ".type vfork, @function\n"
        "vfork:\n"
        "	movl $1, col_vforked(%rip)\n"
        "	movq col_real_vfork(%rip), %rax\n"
        "	testq %rax, %rax\n"
        "	jz 1f\n"
        "	jmp *%rax\n"
        "1:	jmp fork@PLT\n"
        ".size vfork, .-vfork\n"
        ".popsection\n");
#endif

/* ---- temporary files -------------------------------------------------- */

/* mkstemp family: an open of the path written into the template */
#define POSIX_MKSTEMP(name, flags_expr, params, ...) \
	COL_DECL(int, name, params); \
	VIGIL_EXPORT int name params \
	{ \
		POSIX_OPEN_AS(VIGIL_OP_MKSTEMP, name, AT_FDCWD, tmpl, flags_expr, __VA_ARGS__); \
	}
POSIX_MKSTEMP(mkstemp, 0, (char *tmpl), tmpl)
POSIX_MKSTEMP(mkstemp64, 0, (char *tmpl), tmpl)
POSIX_MKSTEMP(mkostemp, flags, (char *tmpl, int flags), tmpl, flags)
POSIX_MKSTEMP(mkostemp64, flags, (char *tmpl, int flags), tmpl, flags)
POSIX_MKSTEMP(mkstemps, 0, (char *tmpl, int slen), tmpl, slen)
POSIX_MKSTEMP(mkstemps64, 0, (char *tmpl, int slen), tmpl, slen)
POSIX_MKSTEMP(mkostemps, flags, (char *tmpl, int slen, int flags), tmpl, slen, flags)
POSIX_MKSTEMP(mkostemps64, flags, (char *tmpl, int slen, int flags), tmpl, slen, flags)

#define POSIX_DUP_BODY(name, oldfd, ...) \
	if (!col_on()) { \
		int r0 = COL_REAL(name)(__VA_ARGS__); \
		if (r0 >= 0 && col.enabled && !col_tls.paused) \
			col_fd_closed(r0); /* unknown now: classified again when used */ \
		return r0; \
	} \
	(void)COL_REAL(name); uint64_t t0 = col_now(); \
	int r = COL_REAL(name)(__VA_ARGS__); \
	int e = errno; \
	uint64_t t1 = col_now(); \
	col_io(VIGIL_OP_DUP, oldfd, PX, 0, 0, r < 0, COL_OFF_NONE, t0, t1); \
	if (r >= 0 && r != (oldfd)) { \
		col_tls.busy++; \
		col_fd_dup(oldfd, r); \
		col_tls.busy--; \
	} \
	errno = e; \
	return r

COL_DECL(int, dup, (int));
VIGIL_EXPORT int dup(int fd)
{
	POSIX_DUP_BODY(dup, fd, fd);
}

COL_DECL(int, dup2, (int, int));
VIGIL_EXPORT int dup2(int fd, int fd2)
{
	POSIX_DUP_BODY(dup2, fd, fd, fd2);
}

COL_DECL(int, dup3, (int, int, int));
VIGIL_EXPORT int dup3(int fd, int fd2, int flags)
{
	POSIX_DUP_BODY(dup3, fd, fd, fd2, flags);
}

/* fcntl: every argument is passed on as a pointer-sized word (as glibc reads it). */
#define POSIX_FCNTL(name) \
	COL_DECL(int, name, (int, int, ...)); \
	VIGIL_EXPORT int name(int fd, int cmd, ...) \
	{ \
		va_list ap; \
		va_start(ap, cmd); \
		void *arg = va_arg(ap, void *); \
		va_end(ap); \
		if (cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC) \
			return COL_REAL(name)(fd, cmd, arg); \
		POSIX_DUP_BODY(name, fd, fd, cmd, arg); \
	}
POSIX_FCNTL(fcntl)
POSIX_FCNTL(fcntl64)

#define POSIX_MMAP(name, offt) \
	COL_DECL(void *, name, (void *, size_t, int, int, int, offt)); \
	VIGIL_EXPORT void *name(void *addr, size_t len, int prot, int flags, int fd, offt off) \
	{ \
		if (fd < 0 || (flags & MAP_ANONYMOUS) || !col_on()) \
			return COL_REAL(name)(addr, len, prot, flags, fd, off); \
		(void)COL_REAL(name); uint64_t t0 = col_now(); \
		void *r = COL_REAL(name)(addr, len, prot, flags, fd, off); \
		int e = errno; \
		uint64_t t1 = col_now(); \
		col_io(VIGIL_OP_MMAP, fd, PX, len, 0, r == MAP_FAILED, COL_OFF_NONE, t0, t1); \
		errno = e; \
		return r; \
	}
POSIX_MMAP(mmap, off_t)
POSIX_MMAP(mmap64, off64_t)

/* ---- in-kernel copies ------------------------------------------------- */

/*
 * copy_file_range, sendfile, splice, tee: the op counts the bytes once (as
 * written); the input fd's file gets a read of those bytes, the output fd's
 * file a write.  An offset pointer is read only AFTER a successful call (the
 * kernel has then written it: start = *off - r), never before: a bad pointer
 * must give the program its EFAULT, not a SIGSEGV from us.  Without a pointer
 * the fd's position is used and advanced, as the kernel does.
 */
#define POSIX_COPY_OFF(p, r) ((p) == NULL ? COL_OFF_POS : (r) > 0 ? (int64_t)*(p) - (int64_t)(r) : COL_OFF_NONE)

#define POSIX_COPY_BODY(name, op, fdin, pin, fdout, pout, req, ...) \
	if (!col_on()) \
		return COL_REAL(name)(__VA_ARGS__); \
	(void)COL_REAL(name); uint64_t t0 = col_now(); \
	ssize_t r = COL_REAL(name)(__VA_ARGS__); \
	int e = errno; \
	uint64_t t1 = col_now(); \
	col_io_copy(op, fdin, POSIX_COPY_OFF(pin, r), fdout, POSIX_COPY_OFF(pout, r), req, \
	            r > 0 ? (uint64_t)r : 0, r < 0, t0, t1); \
	errno = e; \
	return r

COL_DECL(ssize_t, copy_file_range, (int, off64_t *, int, off64_t *, size_t, unsigned));
VIGIL_EXPORT ssize_t copy_file_range(int fdin, off64_t *offin, int fdout, off64_t *offout, size_t len,
                                     unsigned flags)
{
	POSIX_COPY_BODY(copy_file_range, VIGIL_OP_COPY_FILE_RANGE, fdin, offin, fdout, offout, len,
	                fdin, offin, fdout, offout, len, flags);
}

#define POSIX_SENDFILE(name, offt) \
	COL_DECL(ssize_t, name, (int, int, offt *, size_t)); \
	VIGIL_EXPORT ssize_t name(int fdout, int fdin, offt *off, size_t count) \
	{ \
		POSIX_COPY_BODY(name, VIGIL_OP_SENDFILE, fdin, off, fdout, (offt *)NULL, count, \
		                fdout, fdin, off, count); \
	}
POSIX_SENDFILE(sendfile, off_t)
POSIX_SENDFILE(sendfile64, off64_t)

COL_DECL(ssize_t, splice, (int, off64_t *, int, off64_t *, size_t, unsigned));
VIGIL_EXPORT ssize_t splice(int fdin, off64_t *offin, int fdout, off64_t *offout, size_t len, unsigned flags)
{
	POSIX_COPY_BODY(splice, VIGIL_OP_SPLICE, fdin, offin, fdout, offout, len,
	                fdin, offin, fdout, offout, len, flags);
}

/* tee: pipes only, no offsets; the input keeps its data (its pipe is not consumed) */
COL_DECL(ssize_t, tee, (int, int, size_t, unsigned));
VIGIL_EXPORT ssize_t tee(int fdin, int fdout, size_t len, unsigned flags)
{
	POSIX_COPY_BODY(tee, VIGIL_OP_TEE, fdin, (off64_t *)NULL, fdout, (off64_t *)NULL, len,
	                fdin, fdout, len, flags);
}

/* ---- process end ------------------------------------------------------ */

#define POSIX_EXIT(name) \
	COL_DECL(void, name, (int)); \
	VIGIL_EXPORT void name(int status) \
	{ \
		col_end_record(status & 0xff); \
		COL_REAL(name)(status); \
		syscall(SYS_exit_group, status); \
		__builtin_unreachable(); \
	}
POSIX_EXIT(_exit)
POSIX_EXIT(_Exit)
