/*
 * aio.c - asynchronous I/O: counted as calls and flagged, never as bytes.
 *
 * The bytes of asynchronous I/O move after the call returns (libaio and
 * io_uring in the kernel, POSIX aio on glibc's own threads through internal
 * calls no wrapper sees), so vigil cannot count them.  What it can do is
 * count the calls that set it up and submit it, and flag the process
 * (VIGIL_FLAG_ASYNC_IO) so no profile calls itself exact and complete.
 *
 * glibc exports no io_setup/io_submit, and io_uring has no libc wrapper:
 * programs reach them through libaio's and liburing's exported entry points
 * or through syscall(2), so those are what is wrapped.  Nested entry points
 * (io_uring_queue_init calling io_uring_queue_init_params) count once: the
 * outer wrapper pauses counting around the real call.  No libaio or liburing
 * header is needed: pointers pass through untouched.
 */
#include <stdarg.h>
#include <sys/syscall.h>
#include "collector/col.h"

/* Call the real function with counting paused (so nested entry points count once), then count. */
#define AIO_BODY(op, name, ret_t, failed_if, ...) \
	if (!col_on()) \
		return COL_REAL(name)(__VA_ARGS__); \
	__typeof__(real_##name) fn = COL_FN(name); \
	col_tls.paused++; \
	uint64_t t0 = col_now(); \
	ret_t r = fn(__VA_ARGS__); \
	uint64_t t1 = col_now(); \
	col_tls.paused--; \
	aio_count(op, (failed_if), t0, t1); \
	return r

static void aio_count(int op, int failed, uint64_t t0, uint64_t t1)
{
	int saved = errno;
	col_io(op, -1, 0, 0, 0, failed, COL_OFF_NONE, t0, t1);
	col_set_flag(VIGIL_FLAG_ASYNC_IO);
	errno = saved;
}

/* ---- libaio (returns -errno, never sets errno) ---- */
COL_DECL(int, io_setup, (int, void *));
VIGIL_EXPORT int io_setup(int nr, void *ctxp)
{
	AIO_BODY(VIGIL_OP_IO_SETUP, io_setup, int, r < 0, nr, ctxp);
}

COL_DECL(int, io_queue_init, (int, void *));
VIGIL_EXPORT int io_queue_init(int nr, void *ctxp)
{
	AIO_BODY(VIGIL_OP_IO_SETUP, io_queue_init, int, r < 0, nr, ctxp);
}

COL_DECL(int, io_submit, (void *, long, void *));
VIGIL_EXPORT int io_submit(void *ctx, long nr, void *iocbs)
{
	AIO_BODY(VIGIL_OP_IO_SUBMIT, io_submit, int, r < 0, ctx, nr, iocbs);
}

/* ---- liburing (returns -errno) ---- */
COL_DECL(int, io_uring_queue_init, (unsigned, void *, unsigned));
VIGIL_EXPORT int io_uring_queue_init(unsigned entries, void *ring, unsigned flags)
{
	AIO_BODY(VIGIL_OP_IO_SETUP, io_uring_queue_init, int, r < 0, entries, ring, flags);
}

COL_DECL(int, io_uring_queue_init_params, (unsigned, void *, void *));
VIGIL_EXPORT int io_uring_queue_init_params(unsigned entries, void *ring, void *p)
{
	AIO_BODY(VIGIL_OP_IO_SETUP, io_uring_queue_init_params, int, r < 0, entries, ring, p);
}

COL_DECL(int, io_uring_setup, (unsigned, void *));
VIGIL_EXPORT int io_uring_setup(unsigned entries, void *p)
{
	AIO_BODY(VIGIL_OP_IO_SETUP, io_uring_setup, int, r < 0, entries, p);
}

COL_DECL(int, io_uring_submit, (void *));
VIGIL_EXPORT int io_uring_submit(void *ring)
{
	AIO_BODY(VIGIL_OP_IO_SUBMIT, io_uring_submit, int, r < 0, ring);
}

COL_DECL(int, io_uring_submit_and_wait, (void *, unsigned));
VIGIL_EXPORT int io_uring_submit_and_wait(void *ring, unsigned wait_nr)
{
	AIO_BODY(VIGIL_OP_IO_SUBMIT, io_uring_submit_and_wait, int, r < 0, ring, wait_nr);
}

COL_DECL(int, io_uring_enter, (unsigned, unsigned, unsigned, unsigned, void *));
VIGIL_EXPORT int io_uring_enter(unsigned fd, unsigned to_submit, unsigned min_complete, unsigned flags, void *sig)
{
	AIO_BODY(VIGIL_OP_IO_SUBMIT, io_uring_enter, int, r < 0, fd, to_submit, min_complete, flags, sig);
}

/* ---- POSIX aio (returns -1 and sets errno) ---- */
#define AIO_POSIX(name) \
	COL_DECL(int, name, (void *)); \
	VIGIL_EXPORT int name(void *cb) \
	{ \
		AIO_BODY(VIGIL_OP_AIO, name, int, r != 0, cb); \
	}
AIO_POSIX(aio_read)
AIO_POSIX(aio_read64)
AIO_POSIX(aio_write)
AIO_POSIX(aio_write64)

#define AIO_FSYNC(name) \
	COL_DECL(int, name, (int, void *)); \
	VIGIL_EXPORT int name(int op, void *cb) \
	{ \
		AIO_BODY(VIGIL_OP_AIO, name, int, r != 0, op, cb); \
	}
AIO_FSYNC(aio_fsync)
AIO_FSYNC(aio_fsync64)

#define AIO_LIO(name) \
	COL_DECL(int, name, (int, void *, int, void *)); \
	VIGIL_EXPORT int name(int mode, void *list, int nent, void *sig) \
	{ \
		AIO_BODY(VIGIL_OP_AIO, name, int, r != 0, mode, list, nent, sig); \
	}
AIO_LIO(lio_listio)
AIO_LIO(lio_listio64)

/* ---- syscall(2): fio's io_uring engine, and anything else without a library ---- */
COL_DECL(long, syscall, (long, ...));
VIGIL_EXPORT long syscall(long nr, ...)
{
	va_list ap;
	va_start(ap, nr);
	long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
	long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
	va_end(ap);
	int op = nr == SYS_io_setup || nr == SYS_io_uring_setup ? VIGIL_OP_IO_SETUP
	       : nr == SYS_io_submit || nr == SYS_io_uring_enter ? VIGIL_OP_IO_SUBMIT : -1;
	if (COL_LIKELY(op < 0) || !col_on())
		return COL_REAL(syscall)(nr, a, b, c, d, e, f);
	uint64_t t0 = col_now();
	long r = COL_FN(syscall)(nr, a, b, c, d, e, f);
	uint64_t t1 = col_now();
	aio_count(op, r == -1, t0, t1);
	return r;
}
