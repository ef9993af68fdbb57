/*
 * ops.h - the one list of everything vigil counts.
 *
 * Every intercepted operation is one line of VIGIL_OPS.  The line gives its
 * enum suffix, its layer, its canonical name (the name used in profiles, in
 * the JSON API and in Prometheus labels), its class (what "metadata
 * operations" means everywhere), its direction (which timeline column and
 * which per-file counters its bytes go to) and its help text.
 *
 * The list is APPEND-ONLY: a segment stores counters indexed by position, and
 * readers accept segments with fewer operations than they know (older
 * collectors).  Never reorder or delete a line; add new ones at the end and
 * document them in docs/SEGMENT.md.
 *
 * Adding an intercepted call = one wrapper + one line here.
 */
#ifndef VIGIL_OPS_H
#define VIGIL_OPS_H

enum vigil_layer {
	VIGIL_LAYER_POSIX,
	VIGIL_LAYER_STDIO,
	VIGIL_LAYER_MPI,
	VIGIL_LAYER_MPIIO,
	VIGIL_LAYER_OPENCL,  /* segment version 2: accelerator calls, never part of I/O totals */
	VIGIL_NLAYERS
};

/* Layers that have per-file records (MPI has no files). */
enum vigil_file_layer {
	VIGIL_FLAYER_POSIX,
	VIGIL_FLAYER_STDIO,
	VIGIL_FLAYER_MPIIO,
	VIGIL_NFLAYERS
};

enum vigil_class {
	VIGIL_CLASS_DATA,  /* moves bytes: read, write, send, bcast ... */
	VIGIL_CLASS_META,  /* metadata: open, close, stat, unlink, seek ... */
	VIGIL_CLASS_SYNC,  /* waits for data or peers: fsync, MPI_Wait, MPI_Barrier */
	VIGIL_CLASS_OTHER, /* bookkeeping: dup, mmap, MPI_Init, MPI_Comm_rank */
	VIGIL_NCLASSES
};

enum vigil_dir {
	VIGIL_DIR_NONE,
	VIGIL_DIR_READ,  /* bytes go to "read" (received, for MPI) */
	VIGIL_DIR_WRITE, /* bytes go to "written" (sent, for MPI) */
};

/* X(ID, LAYER, "name", CLASS, DIR, "help") */
#define VIGIL_OPS(X) \
	/* ---- POSIX ---- */ \
	X(OPEN,      POSIX, "open",      META,  NONE,  "open, open64, openat, openat64, creat, creat64 and their _FORTIFY_SOURCE variants (__open_2, ...)") \
	X(CLOSE,     POSIX, "close",     META,  NONE,  "close, close_range, closefrom (one call each)") \
	X(READ,      POSIX, "read",      DATA,  READ,  "read and __read_chk") \
	X(WRITE,     POSIX, "write",     DATA,  WRITE, "write") \
	X(PREAD,     POSIX, "pread",     DATA,  READ,  "pread, pread64 and their __chk variants") \
	X(PWRITE,    POSIX, "pwrite",    DATA,  WRITE, "pwrite and pwrite64") \
	X(READV,     POSIX, "readv",     DATA,  READ,  "readv") \
	X(WRITEV,    POSIX, "writev",    DATA,  WRITE, "writev") \
	X(PREADV,    POSIX, "preadv",    DATA,  READ,  "preadv, preadv64, preadv2, preadv64v2") \
	X(PWRITEV,   POSIX, "pwritev",   DATA,  WRITE, "pwritev, pwritev64, pwritev2, pwritev64v2") \
	X(LSEEK,     POSIX, "lseek",     META,  NONE,  "lseek and lseek64") \
	X(FSYNC,     POSIX, "fsync",     SYNC,  NONE,  "fsync") \
	X(FDATASYNC, POSIX, "fdatasync", SYNC,  NONE,  "fdatasync") \
	X(FTRUNCATE, POSIX, "ftruncate", META,  NONE,  "ftruncate, ftruncate64, truncate, truncate64") \
	X(STAT,      POSIX, "stat",      META,  NONE,  "stat, lstat, fstat, fstatat, statx and the __xstat family, with 64 variants") \
	X(UNLINK,    POSIX, "unlink",    META,  NONE,  "unlink and unlinkat") \
	X(RENAME,    POSIX, "rename",    META,  NONE,  "rename, renameat, renameat2") \
	X(MKDIR,     POSIX, "mkdir",     META,  NONE,  "mkdir and mkdirat") \
	X(RMDIR,     POSIX, "rmdir",     META,  NONE,  "rmdir") \
	X(OPENDIR,   POSIX, "opendir",   META,  NONE,  "opendir and fdopendir") \
	X(ACCESS,    POSIX, "access",    META,  NONE,  "access, faccessat, euidaccess") \
	X(DUP,       POSIX, "dup",       OTHER, NONE,  "dup, dup2, dup3, fcntl(F_DUPFD, F_DUPFD_CLOEXEC): the new descriptor keeps its file") \
	X(MMAP,      POSIX, "mmap",      OTHER, NONE,  "mmap and mmap64 of a file descriptor (counted; mapped bytes are not traffic)") \
	/* ---- stdio ---- */ \
	X(FOPEN,     STDIO, "fopen",     META,  NONE,  "fopen, fopen64, _IO_fopen") \
	X(FDOPEN,    STDIO, "fdopen",    META,  NONE,  "fdopen, _IO_fdopen") \
	X(FREOPEN,   STDIO, "freopen",   META,  NONE,  "freopen and freopen64") \
	X(FCLOSE,    STDIO, "fclose",    META,  NONE,  "fclose, _IO_fclose, pclose") \
	X(FREAD,     STDIO, "fread",     DATA,  READ,  "fread, fread_unlocked, __fread_chk, __fread_unlocked_chk, _IO_fread") \
	X(FWRITE,    STDIO, "fwrite",    DATA,  WRITE, "fwrite, fwrite_unlocked, _IO_fwrite") \
	X(FGETS,     STDIO, "fgets",     DATA,  READ,  "fgets, fgets_unlocked, __fgets_chk, __fgets_unlocked_chk, _IO_fgets") \
	X(FPUTS,     STDIO, "fputs",     DATA,  WRITE, "fputs, fputs_unlocked, puts, _IO_fputs, _IO_puts") \
	X(FGETC,     STDIO, "fgetc",     DATA,  READ,  "fgetc, getc, getchar, their _unlocked forms (when not inlined), _IO_getc") \
	X(FPUTC,     STDIO, "fputc",     DATA,  WRITE, "fputc, putc, putchar, their _unlocked forms (when not inlined), _IO_putc") \
	X(FPRINTF,   STDIO, "fprintf",   DATA,  WRITE, "fprintf, vfprintf, printf, vprintf, the __fprintf_chk family, _IO_fprintf, _IO_printf, _IO_vfprintf") \
	X(FSCANF,    STDIO, "fscanf",    DATA,  READ,  "fscanf, vfscanf, scanf and __isoc99_ variants (calls; bytes unknown)") \
	X(FFLUSH,    STDIO, "fflush",    SYNC,  NONE,  "fflush, fflush_unlocked, _IO_fflush") \
	X(FSEEK,     STDIO, "fseek",     META,  NONE,  "fseek, fseeko, fseeko64, fsetpos, fsetpos64, _IO_fsetpos") \
	X(FTELL,     STDIO, "ftell",     META,  NONE,  "ftell, ftello, ftello64, fgetpos, fgetpos64, _IO_ftell, _IO_fgetpos") \
	X(REWIND,    STDIO, "rewind",    META,  NONE,  "rewind") \
	/* ---- MPI ---- */ \
	X(MPI_INIT,            MPI, "MPI_Init",            OTHER, NONE,  "MPI_Init") \
	X(MPI_INIT_THREAD,     MPI, "MPI_Init_thread",     OTHER, NONE,  "MPI_Init_thread") \
	X(MPI_FINALIZE,        MPI, "MPI_Finalize",        OTHER, NONE,  "MPI_Finalize (the application's part, not vigil's reduction)") \
	X(MPI_COMM_RANK,       MPI, "MPI_Comm_rank",       OTHER, NONE,  "MPI_Comm_rank") \
	X(MPI_COMM_SIZE,       MPI, "MPI_Comm_size",       OTHER, NONE,  "MPI_Comm_size") \
	X(MPI_SEND,            MPI, "MPI_Send",            DATA,  WRITE, "MPI_Send") \
	X(MPI_SSEND,           MPI, "MPI_Ssend",           DATA,  WRITE, "MPI_Ssend") \
	X(MPI_BSEND,           MPI, "MPI_Bsend",           DATA,  WRITE, "MPI_Bsend") \
	X(MPI_RSEND,           MPI, "MPI_Rsend",           DATA,  WRITE, "MPI_Rsend") \
	X(MPI_ISEND,           MPI, "MPI_Isend",           DATA,  WRITE, "MPI_Isend") \
	X(MPI_ISSEND,          MPI, "MPI_Issend",          DATA,  WRITE, "MPI_Issend") \
	X(MPI_IBSEND,          MPI, "MPI_Ibsend",          DATA,  WRITE, "MPI_Ibsend") \
	X(MPI_IRSEND,          MPI, "MPI_Irsend",          DATA,  WRITE, "MPI_Irsend") \
	X(MPI_RECV,            MPI, "MPI_Recv",            DATA,  READ,  "MPI_Recv (posted receive size)") \
	X(MPI_IRECV,           MPI, "MPI_Irecv",           DATA,  READ,  "MPI_Irecv (posted receive size)") \
	X(MPI_SENDRECV,        MPI, "MPI_Sendrecv",        DATA,  WRITE, "MPI_Sendrecv (send size)") \
	X(MPI_SENDRECV_REPLACE,MPI, "MPI_Sendrecv_replace",DATA,  WRITE, "MPI_Sendrecv_replace (send size)") \
	X(MPI_PROBE,           MPI, "MPI_Probe",           SYNC,  NONE,  "MPI_Probe") \
	X(MPI_IPROBE,          MPI, "MPI_Iprobe",          OTHER, NONE,  "MPI_Iprobe") \
	X(MPI_WAIT,            MPI, "MPI_Wait",            SYNC,  NONE,  "MPI_Wait") \
	X(MPI_WAITALL,         MPI, "MPI_Waitall",         SYNC,  NONE,  "MPI_Waitall") \
	X(MPI_WAITANY,         MPI, "MPI_Waitany",         SYNC,  NONE,  "MPI_Waitany") \
	X(MPI_WAITSOME,        MPI, "MPI_Waitsome",        SYNC,  NONE,  "MPI_Waitsome") \
	X(MPI_TEST,            MPI, "MPI_Test",            OTHER, NONE,  "MPI_Test") \
	X(MPI_TESTALL,         MPI, "MPI_Testall",         OTHER, NONE,  "MPI_Testall") \
	X(MPI_TESTANY,         MPI, "MPI_Testany",         OTHER, NONE,  "MPI_Testany") \
	X(MPI_TESTSOME,        MPI, "MPI_Testsome",        OTHER, NONE,  "MPI_Testsome") \
	X(MPI_BARRIER,         MPI, "MPI_Barrier",         SYNC,  NONE,  "MPI_Barrier") \
	X(MPI_BCAST,           MPI, "MPI_Bcast",           DATA,  WRITE, "MPI_Bcast (buffer size)") \
	X(MPI_REDUCE,          MPI, "MPI_Reduce",          DATA,  WRITE, "MPI_Reduce") \
	X(MPI_ALLREDUCE,       MPI, "MPI_Allreduce",       DATA,  WRITE, "MPI_Allreduce") \
	X(MPI_GATHER,          MPI, "MPI_Gather",          DATA,  WRITE, "MPI_Gather") \
	X(MPI_GATHERV,         MPI, "MPI_Gatherv",         DATA,  WRITE, "MPI_Gatherv") \
	X(MPI_SCATTER,         MPI, "MPI_Scatter",         DATA,  WRITE, "MPI_Scatter") \
	X(MPI_SCATTERV,        MPI, "MPI_Scatterv",        DATA,  WRITE, "MPI_Scatterv") \
	X(MPI_ALLGATHER,       MPI, "MPI_Allgather",       DATA,  WRITE, "MPI_Allgather") \
	X(MPI_ALLGATHERV,      MPI, "MPI_Allgatherv",      DATA,  WRITE, "MPI_Allgatherv") \
	X(MPI_ALLTOALL,        MPI, "MPI_Alltoall",        DATA,  WRITE, "MPI_Alltoall") \
	X(MPI_ALLTOALLV,       MPI, "MPI_Alltoallv",       DATA,  WRITE, "MPI_Alltoallv") \
	X(MPI_ALLTOALLW,       MPI, "MPI_Alltoallw",       DATA,  WRITE, "MPI_Alltoallw") \
	X(MPI_REDUCE_SCATTER,  MPI, "MPI_Reduce_scatter",  DATA,  WRITE, "MPI_Reduce_scatter") \
	X(MPI_REDUCE_SCATTER_BLOCK, MPI, "MPI_Reduce_scatter_block", DATA, WRITE, "MPI_Reduce_scatter_block") \
	X(MPI_SCAN,            MPI, "MPI_Scan",            DATA,  WRITE, "MPI_Scan") \
	X(MPI_EXSCAN,          MPI, "MPI_Exscan",          DATA,  WRITE, "MPI_Exscan") \
	X(MPI_IBARRIER,        MPI, "MPI_Ibarrier",        SYNC,  NONE,  "MPI_Ibarrier") \
	X(MPI_IBCAST,          MPI, "MPI_Ibcast",          DATA,  WRITE, "MPI_Ibcast") \
	X(MPI_IREDUCE,         MPI, "MPI_Ireduce",         DATA,  WRITE, "MPI_Ireduce") \
	X(MPI_IALLREDUCE,      MPI, "MPI_Iallreduce",      DATA,  WRITE, "MPI_Iallreduce") \
	X(MPI_IGATHER,         MPI, "MPI_Igather",         DATA,  WRITE, "MPI_Igather") \
	X(MPI_IGATHERV,        MPI, "MPI_Igatherv",        DATA,  WRITE, "MPI_Igatherv") \
	X(MPI_ISCATTER,        MPI, "MPI_Iscatter",        DATA,  WRITE, "MPI_Iscatter") \
	X(MPI_ISCATTERV,       MPI, "MPI_Iscatterv",       DATA,  WRITE, "MPI_Iscatterv") \
	X(MPI_IALLGATHER,      MPI, "MPI_Iallgather",      DATA,  WRITE, "MPI_Iallgather") \
	X(MPI_IALLGATHERV,     MPI, "MPI_Iallgatherv",     DATA,  WRITE, "MPI_Iallgatherv") \
	X(MPI_IALLTOALL,       MPI, "MPI_Ialltoall",       DATA,  WRITE, "MPI_Ialltoall") \
	X(MPI_IALLTOALLV,      MPI, "MPI_Ialltoallv",      DATA,  WRITE, "MPI_Ialltoallv") \
	X(MPI_IALLTOALLW,      MPI, "MPI_Ialltoallw",      DATA,  WRITE, "MPI_Ialltoallw") \
	X(MPI_IREDUCE_SCATTER, MPI, "MPI_Ireduce_scatter", DATA,  WRITE, "MPI_Ireduce_scatter") \
	X(MPI_IREDUCE_SCATTER_BLOCK, MPI, "MPI_Ireduce_scatter_block", DATA, WRITE, "MPI_Ireduce_scatter_block") \
	X(MPI_ISCAN,           MPI, "MPI_Iscan",           DATA,  WRITE, "MPI_Iscan") \
	X(MPI_IEXSCAN,         MPI, "MPI_Iexscan",         DATA,  WRITE, "MPI_Iexscan") \
	X(MPI_PUT,             MPI, "MPI_Put",             DATA,  WRITE, "MPI_Put (origin size)") \
	X(MPI_GET,             MPI, "MPI_Get",             DATA,  READ,  "MPI_Get (origin size)") \
	X(MPI_ACCUMULATE,      MPI, "MPI_Accumulate",      DATA,  WRITE, "MPI_Accumulate (origin size)") \
	X(MPI_WIN_FENCE,       MPI, "MPI_Win_fence",       SYNC,  NONE,  "MPI_Win_fence") \
	X(MPI_WIN_LOCK,        MPI, "MPI_Win_lock",        SYNC,  NONE,  "MPI_Win_lock") \
	X(MPI_WIN_UNLOCK,      MPI, "MPI_Win_unlock",      SYNC,  NONE,  "MPI_Win_unlock") \
	/* ---- MPI-IO ---- */ \
	X(MPI_FILE_OPEN,       MPIIO, "MPI_File_open",       META, NONE,  "MPI_File_open") \
	X(MPI_FILE_CLOSE,      MPIIO, "MPI_File_close",      META, NONE,  "MPI_File_close") \
	X(MPI_FILE_READ,       MPIIO, "MPI_File_read",       DATA, READ,  "MPI_File_read") \
	X(MPI_FILE_READ_AT,    MPIIO, "MPI_File_read_at",    DATA, READ,  "MPI_File_read_at") \
	X(MPI_FILE_READ_ALL,   MPIIO, "MPI_File_read_all",   DATA, READ,  "MPI_File_read_all") \
	X(MPI_FILE_READ_AT_ALL,MPIIO, "MPI_File_read_at_all",DATA, READ,  "MPI_File_read_at_all") \
	X(MPI_FILE_READ_SHARED,MPIIO, "MPI_File_read_shared",DATA, READ,  "MPI_File_read_shared") \
	X(MPI_FILE_READ_ORDERED,MPIIO,"MPI_File_read_ordered",DATA,READ,  "MPI_File_read_ordered") \
	X(MPI_FILE_IREAD,      MPIIO, "MPI_File_iread",      DATA, READ,  "MPI_File_iread") \
	X(MPI_FILE_IREAD_AT,   MPIIO, "MPI_File_iread_at",   DATA, READ,  "MPI_File_iread_at") \
	X(MPI_FILE_IREAD_ALL,  MPIIO, "MPI_File_iread_all",  DATA, READ,  "MPI_File_iread_all") \
	X(MPI_FILE_IREAD_AT_ALL,MPIIO,"MPI_File_iread_at_all",DATA,READ,  "MPI_File_iread_at_all") \
	X(MPI_FILE_IREAD_SHARED,MPIIO,"MPI_File_iread_shared",DATA,READ,  "MPI_File_iread_shared") \
	X(MPI_FILE_WRITE,      MPIIO, "MPI_File_write",      DATA, WRITE, "MPI_File_write") \
	X(MPI_FILE_WRITE_AT,   MPIIO, "MPI_File_write_at",   DATA, WRITE, "MPI_File_write_at") \
	X(MPI_FILE_WRITE_ALL,  MPIIO, "MPI_File_write_all",  DATA, WRITE, "MPI_File_write_all") \
	X(MPI_FILE_WRITE_AT_ALL,MPIIO,"MPI_File_write_at_all",DATA,WRITE, "MPI_File_write_at_all") \
	X(MPI_FILE_WRITE_SHARED,MPIIO,"MPI_File_write_shared",DATA,WRITE, "MPI_File_write_shared") \
	X(MPI_FILE_WRITE_ORDERED,MPIIO,"MPI_File_write_ordered",DATA,WRITE,"MPI_File_write_ordered") \
	X(MPI_FILE_IWRITE,     MPIIO, "MPI_File_iwrite",     DATA, WRITE, "MPI_File_iwrite") \
	X(MPI_FILE_IWRITE_AT,  MPIIO, "MPI_File_iwrite_at",  DATA, WRITE, "MPI_File_iwrite_at") \
	X(MPI_FILE_IWRITE_ALL, MPIIO, "MPI_File_iwrite_all", DATA, WRITE, "MPI_File_iwrite_all") \
	X(MPI_FILE_IWRITE_AT_ALL,MPIIO,"MPI_File_iwrite_at_all",DATA,WRITE,"MPI_File_iwrite_at_all") \
	X(MPI_FILE_IWRITE_SHARED,MPIIO,"MPI_File_iwrite_shared",DATA,WRITE,"MPI_File_iwrite_shared") \
	X(MPI_FILE_SET_VIEW,   MPIIO, "MPI_File_set_view",   META, NONE,  "MPI_File_set_view") \
	X(MPI_FILE_SYNC,       MPIIO, "MPI_File_sync",       SYNC, NONE,  "MPI_File_sync") \
	X(MPI_FILE_SET_SIZE,   MPIIO, "MPI_File_set_size",   META, NONE,  "MPI_File_set_size") \
	X(MPI_FILE_PREALLOCATE,MPIIO, "MPI_File_preallocate",META, NONE,  "MPI_File_preallocate") \
	X(MPI_FILE_SEEK,       MPIIO, "MPI_File_seek",       META, NONE,  "MPI_File_seek") \
	/* ---- POSIX, appended: in-kernel copies (bytes once, as written; per file: read on the input, written on the output) ---- */ \
	X(COPY_FILE_RANGE, POSIX, "copy_file_range", DATA, WRITE, "copy_file_range: bytes copied (per file: read from the input, written to the output)") \
	X(SENDFILE,        POSIX, "sendfile",        DATA, WRITE, "sendfile and sendfile64: bytes copied (per file: read from the input, written to the output)") \
	X(SPLICE,          POSIX, "splice",          DATA, WRITE, "splice: bytes moved to or from a pipe (per file: read from the input, written to the output)") \
	X(TEE,             POSIX, "tee",             DATA, WRITE, "tee: bytes duplicated from one pipe to another (per file: read from the input, written to the output)") \
	/* ---- appended: stdio buffer edges, line reads, temporary files, metadata and sync calls ---- */ \
	X(BUFFER_REFILL,   STDIO, "buffer_refill",   DATA, READ,  "bytes inlined getc/getc_unlocked/getchar_unlocked took from a stream's buffer, booked at its refills (__uflow, __underflow) or at the next stdio call on the stream") \
	X(BUFFER_FLUSH,    STDIO, "buffer_flush",    DATA, WRITE, "bytes inlined putc/putc_unlocked/putchar_unlocked put into a stream's buffer, booked at its flushes (__overflow, fflush, fclose, exit) or at the next stdio call on the stream") \
	X(GETLINE,         STDIO, "getline",         DATA, READ,  "getline, getdelim, __getdelim (bytes: the length returned)") \
	X(MKSTEMP,         POSIX, "mkstemp",         META, NONE,  "mkstemp, mkostemp, mkstemps, mkostemps and their 64 variants (an open of the generated path)") \
	X(TMPFILE,         STDIO, "tmpfile",         META, NONE,  "tmpfile and tmpfile64 (an open of an unnamed file)") \
	X(FALLOCATE,       POSIX, "fallocate",       META, NONE,  "fallocate, fallocate64, posix_fallocate, posix_fallocate64") \
	X(SYNC_FILE_RANGE, POSIX, "sync_file_range", SYNC, NONE,  "sync_file_range") \
	X(SYNCFS,          POSIX, "syncfs",          SYNC, NONE,  "syncfs") \
	X(MSYNC,           POSIX, "msync",           SYNC, NONE,  "msync") \
	X(LINK,            POSIX, "link",            META, NONE,  "link and linkat") \
	X(SYMLINK,         POSIX, "symlink",         META, NONE,  "symlink and symlinkat") \
	X(CHMOD,           POSIX, "chmod",           META, NONE,  "chmod, fchmod, fchmodat") \
	X(CHOWN,           POSIX, "chown",           META, NONE,  "chown, fchown, lchown, fchownat") \
	X(UTIME,           POSIX, "utime",           META, NONE,  "utimensat, futimens, utimes, futimes, lutimes, futimesat, utime") \
	/* ---- appended: asynchronous I/O, counted as calls and flagged (its bytes are not seen) ---- */ \
	X(IO_SETUP,        POSIX, "io_setup",        OTHER, NONE, "asynchronous I/O contexts: io_setup (libaio), io_uring_setup (liburing or syscall), io_uring_queue_init and _params") \
	X(IO_SUBMIT,       POSIX, "io_submit",       OTHER, NONE, "asynchronous submissions: io_submit (libaio), io_uring_enter (liburing or syscall), io_uring_submit and _and_wait; the bytes they move are not counted") \
	X(AIO,             POSIX, "aio",             OTHER, NONE, "POSIX asynchronous requests: aio_read, aio_write, aio_fsync, lio_listio and their 64 forms; the bytes they move are not counted") \
	/* ---- OpenCL (segment version 2): host->device bytes as written, device->host as read; \
	        device->device, fills, maps, migrations: no direction here (the accelerator region has them) ---- */ \
	X(CL_READ_BUFFER,       OPENCL, "clEnqueueReadBuffer",       DATA,  READ,  "clEnqueueReadBuffer: bytes device->host") \
	X(CL_WRITE_BUFFER,      OPENCL, "clEnqueueWriteBuffer",      DATA,  WRITE, "clEnqueueWriteBuffer: bytes host->device") \
	X(CL_READ_BUFFER_RECT,  OPENCL, "clEnqueueReadBufferRect",   DATA,  READ,  "clEnqueueReadBufferRect: region product (region[0] in bytes) device->host") \
	X(CL_WRITE_BUFFER_RECT, OPENCL, "clEnqueueWriteBufferRect",  DATA,  WRITE, "clEnqueueWriteBufferRect: region product host->device") \
	X(CL_READ_IMAGE,        OPENCL, "clEnqueueReadImage",        DATA,  READ,  "clEnqueueReadImage: region x element size device->host") \
	X(CL_WRITE_IMAGE,       OPENCL, "clEnqueueWriteImage",       DATA,  WRITE, "clEnqueueWriteImage: region x element size host->device") \
	X(CL_COPY_BUFFER,       OPENCL, "clEnqueueCopyBuffer",       DATA,  NONE,  "clEnqueueCopyBuffer: bytes device->device") \
	X(CL_COPY_BUFFER_RECT,  OPENCL, "clEnqueueCopyBufferRect",   DATA,  NONE,  "clEnqueueCopyBufferRect: region product device->device") \
	X(CL_COPY_IMAGE,        OPENCL, "clEnqueueCopyImage",        DATA,  NONE,  "clEnqueueCopyImage: region x element size device->device") \
	X(CL_COPY_IMAGE_TO_BUFFER, OPENCL, "clEnqueueCopyImageToBuffer", DATA, NONE, "clEnqueueCopyImageToBuffer: region x element size device->device") \
	X(CL_COPY_BUFFER_TO_IMAGE, OPENCL, "clEnqueueCopyBufferToImage", DATA, NONE, "clEnqueueCopyBufferToImage: region x element size device->device") \
	X(CL_FILL_BUFFER,       OPENCL, "clEnqueueFillBuffer",       DATA,  NONE,  "clEnqueueFillBuffer: bytes filled on the device") \
	X(CL_FILL_IMAGE,        OPENCL, "clEnqueueFillImage",        DATA,  NONE,  "clEnqueueFillImage: region x element size filled") \
	X(CL_MAP_BUFFER,        OPENCL, "clEnqueueMapBuffer",        DATA,  NONE,  "clEnqueueMapBuffer: mapped bytes (moved or not, depending on the device)") \
	X(CL_MAP_IMAGE,         OPENCL, "clEnqueueMapImage",         DATA,  NONE,  "clEnqueueMapImage: mapped bytes, region x element size") \
	X(CL_UNMAP,             OPENCL, "clEnqueueUnmapMemObject",   DATA,  NONE,  "clEnqueueUnmapMemObject: the bytes its map mapped") \
	X(CL_MIGRATE,           OPENCL, "clEnqueueMigrateMemObjects",DATA,  NONE,  "clEnqueueMigrateMemObjects: sum of the objects' sizes (direction in the accelerator region)") \
	X(CL_SVM_MEMCPY,        OPENCL, "clEnqueueSVMMemcpy",        DATA,  NONE,  "clEnqueueSVMMemcpy: bytes (direction from clSVMAlloc'd pointers)") \
	X(CL_SVM_MEMFILL,       OPENCL, "clEnqueueSVMMemFill",       DATA,  NONE,  "clEnqueueSVMMemFill: bytes filled") \
	X(CL_SVM_MAP,           OPENCL, "clEnqueueSVMMap",           DATA,  NONE,  "clEnqueueSVMMap: mapped bytes") \
	X(CL_SVM_UNMAP,         OPENCL, "clEnqueueSVMUnmap",         DATA,  NONE,  "clEnqueueSVMUnmap: calls") \
	X(CL_CREATE_BUFFER,     OPENCL, "clCreateBuffer",            OTHER, WRITE, "clCreateBuffer, clCreateBufferWithProperties, clCreateSubBuffer: bytes = implicit host->device copy of CL_MEM_COPY_HOST_PTR") \
	X(CL_CREATE_IMAGE,      OPENCL, "clCreateImage",             OTHER, WRITE, "clCreateImage, clCreateImage2D/3D, clCreateImageWithProperties: bytes = implicit copy of CL_MEM_COPY_HOST_PTR") \
	X(CL_NDRANGE_KERNEL,    OPENCL, "clEnqueueNDRangeKernel",    OTHER, NONE,  "clEnqueueNDRangeKernel: launches (work items and device time in the kernel table)") \
	X(CL_TASK,              OPENCL, "clEnqueueTask",             OTHER, NONE,  "clEnqueueTask: one work item") \
	X(CL_NATIVE_KERNEL,     OPENCL, "clEnqueueNativeKernel",     OTHER, NONE,  "clEnqueueNativeKernel: a host function run as a command") \
	X(CL_FINISH,            OPENCL, "clFinish",                  SYNC,  NONE,  "clFinish: host time waiting") \
	X(CL_WAIT_FOR_EVENTS,   OPENCL, "clWaitForEvents",           SYNC,  NONE,  "clWaitForEvents: host time waiting") \
	X(CL_FLUSH,             OPENCL, "clFlush",                   OTHER, NONE,  "clFlush") \
	X(CL_MARKER_BARRIER,    OPENCL, "clEnqueueMarkerWithWaitList", OTHER, NONE, "clEnqueueMarker(WithWaitList), clEnqueueBarrier(WithWaitList), clEnqueueWaitForEvents: device-side synchronisation") \
	X(CL_BUILD_PROGRAM,     OPENCL, "clBuildProgram",            OTHER, NONE,  "clBuildProgram: host time building") \
	X(CL_COMPILE_PROGRAM,   OPENCL, "clCompileProgram",          OTHER, NONE,  "clCompileProgram: host time compiling") \
	X(CL_LINK_PROGRAM,      OPENCL, "clLinkProgram",             OTHER, NONE,  "clLinkProgram: host time linking") \
	X(CL_CREATE_QUEUE,      OPENCL, "clCreateCommandQueue",      OTHER, NONE,  "clCreateCommandQueue and clCreateCommandQueueWithProperties") \
	X(CL_CREATE_KERNEL,     OPENCL, "clCreateKernel",            OTHER, NONE,  "clCreateKernel, clCreateKernelsInProgram (one per kernel), clCloneKernel") \
	X(CL_SET_KERNEL_ARG,    OPENCL, "clSetKernelArg",            OTHER, NONE,  "clSetKernelArg and clSetKernelArgSVMPointer") \
	X(CL_CREATE_PROGRAM,    OPENCL, "clCreateProgramWithSource", OTHER, NONE,  "clCreateProgramWithSource, WithBinary, WithIL, WithBuiltInKernels") \
	X(CL_RELEASE_MEM,       OPENCL, "clReleaseMemObject",        OTHER, NONE,  "clReleaseMemObject")

enum vigil_op {
#define VIGIL_X_ENUM(id, layer, name, cls, dir, help) VIGIL_OP_##id,
	VIGIL_OPS(VIGIL_X_ENUM)
#undef VIGIL_X_ENUM
	VIGIL_NOPS
};

struct vigil_op_info {
	const char *name;  /* canonical name: profile key, API key, Prometheus label */
	unsigned char layer; /* enum vigil_layer */
	unsigned char cls;   /* enum vigil_class */
	unsigned char dir;   /* enum vigil_dir */
	const char *help;
};

/* Defined once in src/common/ops.c and src/collector (no libc beyond data). */
extern const struct vigil_op_info vigil_op_table[VIGIL_NOPS];
extern const char *const vigil_layer_names[VIGIL_NLAYERS];   /* "posix","stdio","mpi","mpiio","opencl" */
extern const char *const vigil_class_names[VIGIL_NCLASSES];  /* "data","metadata","sync","other" */

/* Layer index -> per-file layer index, or -1 for layers without files. */
static inline int vigil_file_layer_of(int layer)
{
	return layer == VIGIL_LAYER_POSIX ? VIGIL_FLAYER_POSIX
	     : layer == VIGIL_LAYER_STDIO ? VIGIL_FLAYER_STDIO
	     : layer == VIGIL_LAYER_MPIIO ? VIGIL_FLAYER_MPIIO : -1;
}

/* Layers whose data bytes are file or message I/O (the I/O totals); opencl is not. */
static inline int vigil_layer_is_io(int layer)
{
	return layer == VIGIL_LAYER_POSIX || layer == VIGIL_LAYER_STDIO || layer == VIGIL_LAYER_MPIIO;
}

#endif
