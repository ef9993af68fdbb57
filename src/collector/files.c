/*
 * files.c - per-file records in the segment and the private fd table.
 *
 * A file record is keyed by the absolute, lexically normalised path at open
 * time (relative paths resolved against the cwd or the dirfd, via
 * /proc/self/fd, at OPEN time only).  Data calls find their record through
 * the fd table (fd -> record index + positions), which lives in private
 * memory: no string work after open.  Once the table is full, a new file
 * reuses the record of a light file that nothing holds (files_reuse.c).
 *
 * Descriptors we did not see opened (inherited, or opened before a fork or
 * an exec) are classified once, lazily: 0/1/2 are <stdin>/<stdout>/<stderr> unless they are regular files,
 * others by fstat (pipe, socket, regular file via readlink, other).  The
 * position is read back after the first data call (the hot path stays one
 * compare), so that call's own bytes are taken off again, and a stream's
 * position is the descriptor's plus what its buffer holds (files_fd_get_moved).
 *
 * A vfork child shares this memory until it execs: its dup2/close/open must
 * not re-point the parent's entries.  Once the process has vforked, calls
 * that change the table check the pid first (files_foreign).
 *
 * Owners.  A file record is owned by the first thread (with an own shard)
 * that counts on it: that thread adds with plain stores, whether or not other
 * threads exist (col_file_owner[], private memory).  The first call of another
 * thread on it hands the record over to SHARED (atomic adds by every thread
 * from then on): it sets MOVING, then membarrier(PRIVATE_EXPEDITED) makes
 * every thread pass a full barrier, so the owner either sees MOVING on its
 * next check or has already made its slot's mark odd (col_marks, set before
 * that check on the inline path); the new thread waits for the mark to move
 * on, so an update in flight with plain stores is complete before any atomic
 * add: counts stay exact.  Threads without an own shard never own a record.
 * Without membarrier (kernels before 4.14) the hand-over does not wait: an
 * update the owner started just before it can lose one of two increments.
 * Per-op totals (in shards) are never affected.
 */
#include <fcntl.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "collector/col.h"

struct col_fd col_fds[COL_FDS];

/*
 * A system call of open-time work (fstat, lseek, getcwd, readlink): inline on
 * x86-64, so it neither passes this library's own syscall() wrapper (aio.c)
 * nor touches errno; the result is the kernel's (negative errno on failure:
 * callers test "< 0", "<= 0" or "!= 0" only).
 */
static inline long files_sys(long nr, long a, long b, long c)
{
#if defined(__x86_64__)
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "0"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
#else
	return syscall(nr, a, b, c);
#endif
}
int col_vforked;                                   /* set by the vfork trampoline (posix.c) */
static int files_pseudo_idx[VIGIL_FILE_NKINDS];   /* record index + 1 of each pseudo file */


/* New segment (fork child): every fd must be classified again against it. */
uint64_t col_file_blkmask[VIGIL_FILES];
uint32_t col_file_owner[VIGIL_FILES + 1];
struct col_mark col_marks[VIGIL_SHARDS];

void col_files_reset(void)
{
	memset(col_file_blkmask, 0, sizeof(col_file_blkmask));
	memset(col_file_owner, 0, sizeof(col_file_owner));
	memset(col_marks, 0, sizeof(col_marks)); /* a fork child: other threads' marks froze mid-way */
	col.membar = 0;                          /* registered again at the child's first hand-over */
	col.fd_gen++;
	if (col.fd_gen == 0 || col.fd_gen == COL_GEN_NONE)
		col.fd_gen = 1;
	memset(files_pseudo_idx, 0, sizeof(files_pseudo_idx));
	col_files_reuse_reset();
}

/* Waiting on another thread's step of a hand-over: spin politely, yield now and then. */
static void files_relax(long spins)
{
	if (!(spins & 63))
		syscall(SYS_sched_yield);
#if defined(__x86_64__) || defined(__i386__)
	else
		__builtin_ia32_pause();
#elif defined(__aarch64__)
	else
		__asm__ __volatile__("yield");
#endif
}

/* A thread that died inside a hand-over step (cancelled asynchronously) must not hang another. */
#define FILES_SPIN_MAX 1000000L

/* Hand record `file` (owned by slot `o`, now MOVING) over to SHARED: see "Owners" above. */
static void files_hand_over(uint32_t *own, uint32_t o)
{
	int saved = errno;
	/* Registered at the first hand-over, not when a second thread appears: registering
	   in a process that already has threads waits for an RCU grace period (~15 ms), which
	   only programs that share records between threads should pay, once. */
	if (!col.membar)
		col.membar = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0 ? 1 : -1;
	if (col.membar > 0 && o < VIGIL_SHARDS &&
	    syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0) {
		uint64_t m = __atomic_load_n(&col_marks[o].seq, __ATOMIC_ACQUIRE);
		/* an odd mark moves on within the owner's update */
		for (long spins = 0; (m & 1) && spins < FILES_SPIN_MAX; spins++) {
			if (__atomic_load_n(&col_marks[o].seq, __ATOMIC_ACQUIRE) != m)
				break;
			files_relax(spins);
		}
	}
	errno = saved;
	__atomic_store_n(own, COL_OWNER_SHARED, __ATOMIC_RELEASE);
}

/* A record MOVING for too long (its hand-over's thread died): SHARED, as a hand-over without
 * membarrier would leave it. */
static void files_moving_wait(uint32_t *own, long spins)
{
	uint32_t o = COL_OWNER_MOVING;
	if (spins >= FILES_SPIN_MAX)
		__atomic_compare_exchange_n(own, &o, COL_OWNER_SHARED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	else
		files_relax(spins);
}

/* Make record `file` SHARED (atomic adds by all; the file-table reuse moves its counts). */
void col_file_share(int file)
{
	uint32_t *own = &col_file_owner[file + 1];
	for (long spins = 0;; spins++) {
		uint32_t o = __atomic_load_n(own, __ATOMIC_ACQUIRE);
		if (o == COL_OWNER_SHARED)
			return;
		if (o == COL_OWNER_MOVING) {
			files_moving_wait(own, spins);
		} else if (o == COL_OWNER_FREE || o == col_tls.slot) { /* this thread is between updates */
			if (__atomic_compare_exchange_n(own, &o, COL_OWNER_SHARED, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return;
		} else if (__atomic_compare_exchange_n(own, &o, COL_OWNER_MOVING, 0, __ATOMIC_ACQ_REL,
		                                       __ATOMIC_ACQUIRE)) {
			files_hand_over(own, o);
			return;
		}
	}
}

/*
 * How this thread updates record `file`: returns its slot's mark pointer with
 * the mark made odd when it owns the record (plain stores; files_done() after),
 * NULL for atomic adds.  A FREE record becomes this thread's, or SHARED for a
 * thread without an own shard; another thread's record is handed over.
 */
static uint64_t *files_take(int file)
{
	uint32_t *own = &col_file_owner[file + 1], me = col_tls.slot;
	for (long spins = 0;; spins++) {
		uint32_t o = __atomic_load_n(own, __ATOMIC_ACQUIRE);
		if (o == me) {
			uint64_t *mark = &col_marks[me].seq;
			__atomic_store_n(mark, *mark + 1, __ATOMIC_RELAXED);
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(own, __ATOMIC_RELAXED) == me)
				return mark;
			__atomic_store_n(mark, *mark + 1, __ATOMIC_RELAXED);
		} else if (o == COL_OWNER_SHARED) {
			return NULL;
		} else if (o == COL_OWNER_FREE) {
			__atomic_compare_exchange_n(own, &o, me == COL_SLOT_NONE ? COL_OWNER_SHARED : me, 0,
			                            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		} else if (o == COL_OWNER_MOVING) {
			files_moving_wait(own, spins);
		} else if (__atomic_compare_exchange_n(own, &o, COL_OWNER_MOVING, 0, __ATOMIC_ACQ_REL,
		                                       __ATOMIC_ACQUIRE)) {
			files_hand_over(own, o);
			return NULL;
		}
	}
}

/* End of a plain update of an owned record: its mark even again. */
static void files_done(uint64_t *mark)
{
	if (mark) {
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(mark, *mark + 1, __ATOMIC_RELAXED);
	}
}

static uint64_t files_fnv(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	const uint64_t prime = 1099511628211ull;
	uint64_t h = 14695981039346656037ull;
	size_t i = 0;
#define FILES_FNV4(k) (h = ((((h ^ u[i + (k)]) * prime ^ u[i + (k) + 1]) * prime ^ u[i + (k) + 2]) * prime ^ \
                            u[i + (k) + 3]) * prime)
	for (; i + 8 <= n; i += 8) { /* unrolled: open hashes every path */
		FILES_FNV4(0);
		FILES_FNV4(4);
	}
	if (i + 4 <= n) {
		FILES_FNV4(0);
		i += 4;
	}
#undef FILES_FNV4
	for (; i < n; i++)
		h = (h ^ u[i]) * prime;
	return h ? h : 1;
}

/*
 * files_fnv of an absolute path that is surely normal (what files_normalise
 * would leave as is), else 0 (the caller normalises a copy).  Surely normal:
 * no '/' is followed by '/' or '.' (so no empty, "." or ".." component; a
 * name starting with a dot is left to files_normalise too) and the path does
 * not end in '/'.  Checked 8 bytes at a time: '/' and '.' differ only in
 * bit 0, so "x is '/' and y | 1 is '/'" is one zero-byte test of
 * (x ^ '/') | ((y | 1) ^ '/') over x = bytes i.., y = bytes i+1..
 * s[n] is the path's NUL (read, never past it).
 */
static uint64_t files_fnv_normal(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n < 2 || u[n - 1] == '/')
		return 0;
	const uint64_t ones = 0x0101010101010101ull, slashes = ones * '/';
	size_t i = 0;
	for (; i + 8 <= n; i += 8) { /* y ends at u[i + 8] <= u[n] */
		uint64_t x, y;
		memcpy(&x, u + i, 8);
		memcpy(&y, u + i + 1, 8);
		uint64_t z = (x ^ slashes) | ((y | ones) ^ slashes);
		if ((z - ones) & ~z & (ones << 7))
			return 0;
	}
	for (; i < n; i++)
		if (u[i] == '/' && (u[i + 1] | 1) == '/')
			return 0;
	return files_fnv(s, n);
}

/*
 * Lexically normalise an absolute path in place: collapse "//", drop ".",
 * resolve ".." (never above "/").  Returns the new length.
 */
static size_t files_normalise(char *p, size_t n)
{
	/* fast case, most paths: absolute, no "//", no "." or ".." component, no trailing "/" */
	if (n > 1 && p[0] == '/' && p[n - 1] != '/') {
		size_t i = 1;
		for (; i < n; i++)
			if (p[i] == '/' && (p[i - 1] == '/' || (p[i - 1] == '.' && (p[i - 2] == '/' ||
			                    (p[i - 2] == '.' && i >= 3 && p[i - 3] == '/')))))
				break;
		if (i == n && !(p[n - 1] == '.' && (p[n - 2] == '/' || (p[n - 2] == '.' && n >= 3 && p[n - 3] == '/')))) {
			p[n] = 0;
			return n;
		}
	}
	size_t out = 0, i = 0;
	while (i < n) {
		while (i < n && p[i] == '/')
			i++;
		size_t s = i;
		while (i < n && p[i] != '/')
			i++;
		size_t len = i - s;
		if (len == 0 || (len == 1 && p[s] == '.'))
			continue;
		if (len == 2 && p[s] == '.' && p[s + 1] == '.') {
			while (out > 0 && p[out - 1] != '/')
				out--;
			if (out > 0)
				out--;
			continue;
		}
		p[out++] = '/';
		memmove(p + out, p + s, len);
		out += len;
	}
	if (out == 0)
		p[out++] = '/';
	p[out] = 0;
	return out;
}

/* What /proc/self/fd/<fd> points to (not NUL-terminated), by raw system call: no stdio, no malloc. */
static long files_fd_path(int fd, char *buf, size_t cap)
{
	char link[40] = "/proc/self/fd/", digits[16];
	size_t l = 14;
	int nd = 0;
	unsigned v = (unsigned)fd;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (nd)
		link[l++] = digits[--nd];
	link[l] = 0;
	return files_sys(SYS_readlink, (long)link, (long)buf, (long)(cap - 1));
}

/* Absolute, normalised form of `path` relative to `dirfd`; length or -1. */
static long files_absolute(int dirfd, const char *path, char *buf, size_t cap)
{
	size_t pl = strnlen(path, cap);
	size_t base = 0;
	if (path[0] != '/') {
		if (dirfd == AT_FDCWD) {
			long r = files_sys(SYS_getcwd, (long)buf, (long)cap, 0);
			if (r <= 0)
				return -1;
			base = strlen(buf);
		} else {
			long r = files_fd_path(dirfd, buf, cap);
			if (r <= 0)
				return -1;
			base = (size_t)r;
		}
		if (base + 1 + pl + 1 > cap)
			return -1;
		buf[base++] = '/';
	}
	if (base + pl + 1 > cap)
		return -1;
	memcpy(buf + base, path, pl);
	return (long)files_normalise(buf, base + pl);
}

static void files_flag(uint32_t flag)
{
	col_set_flag(flag);
}

/* The published record of (kind, hash h, path) and its generation, read before its identity; 0 if none. */
static int files_find(uint32_t kind, uint64_t h, const char *path, size_t len, uint64_t *gen)
{
	uint32_t used = __atomic_load_n(&col.hdr->files_used, __ATOMIC_ACQUIRE);
	if (used > VIGIL_FILES)
		used = VIGIL_FILES;
	int stored_whole = len < VIGIL_PATH_MAX;
	for (uint32_t i = 1; i < used; i++) {
		struct vigil_file *f = &col.files[i];
		if (__atomic_load_n(&f->hash, __ATOMIC_ACQUIRE) != h)
			continue;
		uint64_t g = __atomic_load_n(&VIGIL_FILE_GEN(f), __ATOMIC_ACQUIRE);
		if (f->kind == kind && f->path_len == len && (!stored_whole || memcmp(f->path, path, len) == 0)) {
			*gen = g;
			return (int)i;
		}
	}
	return 0;
}

/* Write a record's identity, hash last (release): readers take a record once its hash is set. */
static void files_write(struct vigil_file *f, uint32_t kind, uint64_t h, const char *path, size_t len)
{
	f->kind = kind;
	f->path_len = (uint32_t)len;
	if (len < VIGIL_PATH_MAX) {
		memcpy(f->path, path, len);
		memset(f->path + len, 0, VIGIL_PATH_MAX - len); /* a reused record: no tail of its last path */
	} else {
		/* keep both ends, elide the middle */
		size_t head = (VIGIL_PATH_MAX - 4) / 2, tail = VIGIL_PATH_MAX - 4 - head;
		memcpy(f->path, path, head);
		memcpy(f->path + head, "...", 3);
		memcpy(f->path + head + 3, path + len - tail, tail);
		f->path[VIGIL_PATH_MAX - 1] = 0;
		files_flag(VIGIL_FLAG_PATH_TRUNCATED);
	}
	__atomic_store_n(&f->hash, h, __ATOMIC_RELEASE);
}

static int files_foreign(void);

/* A record for a new (kind, path): a free one, else a reused one (files_reuse.c), else 0 (<other files>). */
static int files_new(uint32_t kind, uint64_t h, const char *path, size_t len)
{
	uint32_t i = VIGIL_FILES;
	if (__atomic_load_n(&col.hdr->files_used, __ATOMIC_RELAXED) < VIGIL_FILES)
		i = __atomic_fetch_add(&col.hdr->files_used, 1, __ATOMIC_RELAXED);
	if (i < VIGIL_FILES && col_files_commit(i) != 0) {
		/* a record that cannot be allocated stays empty (hash 0: readers skip it, never reused) */
		files_flag(VIGIL_FLAG_FILE_OVERFLOW);
		return 0;
	}
	if (i < VIGIL_FILES) {
		if (kind == VIGIL_FILE_REGULAR)
			col_file_pin((int)i, 0); /* a fresh record: generation 0 */
		files_write(&col.files[i], kind, h, path, len);
		return (int)i;
	}
	files_flag(VIGIL_FLAG_FILE_OVERFLOW);
	if (files_foreign())
		return 0; /* a vfork child on its parent's memory changes no record */
	int r = col_file_reclaim_begin();
	if (r > 0) {
		col_file_blkmask[r] = 0;
		files_write(&col.files[r], kind, h, path, len);
		/* SHARED since the move (col_file_share). One thread: the new file's first update
		   takes it again, out of line, and sets first_ticks; threads: its first access is now
		   (the inline path never sets it) */
		if (!__atomic_load_n(&col.multi, __ATOMIC_RELAXED))
			__atomic_store_n(&col_file_owner[r + 1], COL_OWNER_FREE, __ATOMIC_RELEASE);
		else {
			uint64_t t = col_now();
			__atomic_store_n(&col.files[r].first_ticks, t ? t : 1, __ATOMIC_RELAXED);
		}
		col_file_reclaim_end(r); /* still pinned: a pseudo file's for good (never reused) */
	}
	return r;
}

/*
 * Find or publish the record of (kind, path).  A regular file's record comes
 * back pinned (files_reuse.c): the caller binds it to a descriptor or keeps
 * it, then calls col_file_unpin.  Once the table is full, 0 (<other files>).
 */
static int files_lookup_hashed(uint32_t kind, uint64_t h, const char *path, size_t len)
{
	if (!col.hdr)
		return -1;
	for (int tries = 0; tries < 4; tries++) {
		uint64_t g = 0;
		int i = files_find(kind, h, path, len, &g);
		if (i == 0)
			return files_new(kind, h, path, len);
		if (kind != VIGIL_FILE_REGULAR || col_file_pin(i, g))
			return i;
		/* reused meanwhile: look again */
	}
	return 0;
}

static int files_lookup(uint32_t kind, const char *path, size_t len)
{
	return files_lookup_hashed(kind, files_fnv(path, len), path, len);
}

int col_file_pseudo(uint32_t kind)
{
	if (kind >= VIGIL_FILE_NKINDS || !vigil_file_kind_names[kind])
		return -1;
	if (kind == VIGIL_FILE_OVERFLOW)
		return 0;
	int i = files_pseudo_idx[kind];
	if (i > 0)
		return i - 1;
	const char *n = vigil_file_kind_names[kind];
	i = files_lookup(kind, n, strlen(n));
	if (i > 0)
		files_pseudo_idx[kind] = i + 1;
	return i;
}

/* col_file_register of a path that is relative or not normal: an absolute, normal copy */
static __attribute__((noinline)) int files_register_copy(int dirfd, const char *path)
{
	char buf[4096];
	long n = files_absolute(dirfd, path, buf, sizeof(buf));
	if (n < 0)
		return col_file_pseudo(VIGIL_FILE_OTHER);
	return files_lookup(VIGIL_FILE_REGULAR, buf, (size_t)n);
}

/* A regular file's record, pinned (col_file_unpin), or a pseudo file's. */
int col_file_register(int dirfd, const char *path)
{
	if (path[0] == '/') { /* the usual case: an absolute path already normal, used as it is */
		size_t n = strnlen(path, 4096);
		uint64_t h = n < 4096 ? files_fnv_normal(path, n) : 0;
		if (h)
			return files_lookup_hashed(VIGIL_FILE_REGULAR, h, path, n);
	}
	return files_register_copy(dirfd, path);
}

static int files_kind_of(mode_t m)
{
	return S_ISFIFO(m) ? VIGIL_FILE_PIPE : S_ISSOCK(m) ? VIGIL_FILE_SOCKET : VIGIL_FILE_OTHER;
}

static void files_fd_init(struct col_fd *e, int file, int64_t pos)
{
	col_fd_bound((int)(e - col_fds));
	e->file = file;
	e->f = file >= 0 && file < VIGIL_FILES && col.files ? &col.files[file] : NULL;
	for (int l = 0; l < 2; l++) {
		e->pos[l] = pos;
		e->rd_end[l] = pos;
		e->wr_end[l] = pos;
	}
	__atomic_store_n(&e->gen, col.fd_gen, __ATOMIC_RELEASE);
}

/* Classify a descriptor we did not see opened. */
static void files_fd_classify(int fd, struct col_fd *e)
{
	/* 0/1/2 redirected to a regular file (`cmd > out`) count on that file's record,
	 * like any file; a terminal or pipe there is <stdin>/<stdout>/<stderr>. */
	struct stat st;
	if (files_sys(SYS_fstat, fd, (long)&st, 0) != 0) {
		files_fd_init(e, col_file_pseudo(fd <= 2 ? VIGIL_FILE_STDIN + (uint32_t)fd : VIGIL_FILE_OTHER), -1);
		return;
	}
	if (fd <= 2 && !S_ISREG(st.st_mode)) {
		files_fd_init(e, col_file_pseudo(VIGIL_FILE_STDIN + (uint32_t)fd), -1);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		files_fd_init(e, col_file_pseudo((uint32_t)files_kind_of(st.st_mode)), -1);
		return;
	}
	char buf[4096];
	long r = files_fd_path(fd, buf, sizeof(buf));
	int file;
	static const char deleted[] = " (deleted)";  /* an unlinked or O_TMPFILE file: keep its name */
	size_t dl = sizeof(deleted) - 1;
	if (r > (long)dl && memcmp(buf + r - dl, deleted, dl) == 0)
		r -= (long)dl;
	if (r > 0 && buf[0] == '/') {
		buf[r] = 0;
		file = files_lookup(VIGIL_FILE_REGULAR, buf, files_normalise(buf, (size_t)r));
	} else {
		file = col_file_pseudo(VIGIL_FILE_OTHER);
	}
	long pos = files_sys(SYS_lseek, fd, 0L, SEEK_CUR);
	files_fd_init(e, file, pos < 0 ? -1 : pos);
	col_file_unpin(file); /* bound now */
}

/* Is this a vfork child running on its parent's memory (and fd table)? */
static int files_foreign(void)
{
	if (COL_LIKELY(!__atomic_load_n(&col_vforked, __ATOMIC_RELAXED)) || !col.ident)
		return 0;
	int saved = errno;
	int pid = (int)syscall(SYS_getpid);
	errno = saved;
	return pid != col.ident->pid;
}

struct col_fd *col_fd_get(int fd)
{
	if (COL_UNLIKELY((unsigned)fd >= COL_FDS)) {
		if (fd >= 0)
			files_flag(VIGIL_FLAG_FD_OVERFLOW);
		return NULL;
	}
	struct col_fd *e = &col_fds[fd];
	if (COL_UNLIKELY(e->gen != col.fd_gen)) {
		if (files_foreign())
			return NULL;
		int saved = errno;
		files_fd_classify(fd, e);
		errno = saved;
	}
	return e;
}

/*
 * The entry of a descriptor whose data call already moved `moved` bytes at
 * its position (off == COL_OFF_POS): one classified only now read its
 * position back after those bytes, so they are taken off again; for a stream
 * (col_tls.stream, set by stdio.c) the stream's position is the descriptor's
 * plus what its buffer holds unwritten, less what it holds unread.
 */
static struct col_fd *files_fd_get_moved(int fd, int flayer, int64_t off, uint64_t moved)
{
	int stale = (unsigned)fd < COL_FDS && col_fds[fd].gen != col.fd_gen;
	struct col_fd *e = col_fd_get(fd);
	if (e && stale && off == COL_OFF_POS && e->pos[flayer] >= 0) {
		int64_t p = e->pos[flayer] - (int64_t)moved;
		if (flayer == VIGIL_FLAYER_STDIO)
			p += col_stdio_buffered(col_tls.stream);
		if (p < 0)
			return e;
		e->pos[flayer] = e->rd_end[flayer] = e->wr_end[flayer] = p;
	}
	return e;
}

void col_fd_opened(int fd, int dirfd, const char *path, int append)
{
	if (fd < 0 || files_foreign())
		return;
	if ((unsigned)fd >= COL_FDS) {
		files_flag(VIGIL_FLAG_FD_OVERFLOW);
		return;
	}
	if (!path) { /* unnamed (tmpfile): named as /proc shows it */
		files_fd_classify(fd, &col_fds[fd]);
		return;
	}
	struct stat st;
	int file;
	int64_t pos = append ? -1 : 0;
	if (files_sys(SYS_fstat, fd, (long)&st, 0) != 0) {
		file = col_file_pseudo(VIGIL_FILE_OTHER);
		pos = -1;
	} else if (S_ISREG(st.st_mode)) {
		file = path ? col_file_register(dirfd, path) : -1;
		uint64_t bs = st.st_blksize > 0 ? (uint64_t)st.st_blksize : 0;
		if (file >= 0 && file < VIGIL_FILES)
			col_file_blkmask[file] = bs && !(bs & (bs - 1)) ? bs - 1 : 0;
	} else {
		file = col_file_pseudo((uint32_t)files_kind_of(st.st_mode));
		pos = -1;
	}
	files_fd_init(&col_fds[fd], file, pos);
	col_file_unpin(file); /* bound now */
}

void col_fd_closed(int fd)
{
	if ((unsigned)fd < COL_FDS && !files_foreign())
		col_fds[fd].gen = 0;
}

/* close(), before the real close: an entry not known yet is classified while the fd is open. */
void col_fd_closing(int fd)
{
	int saved = errno; /* classifying makes system calls; a close that succeeds keeps errno */
	col_tls.busy++;
	if ((unsigned)fd < COL_FDS && !files_foreign())
		col_fd_get(fd);
	col_tls.busy--;
	errno = saved;
}

/* After the real close: the entry is forgotten unless another thread bound the number to
 * another record meanwhile (it opened a file that got this descriptor). */
void col_fd_closed_as(int fd, int file)
{
	if ((unsigned)fd < COL_FDS && !files_foreign() &&
	    (col_fds[fd].gen != col.fd_gen || __atomic_load_n(&col_fds[fd].file, __ATOMIC_RELAXED) == file))
		col_fds[fd].gen = 0;
}

/* close_range/closefrom: every entry in [first, last] is unknown now. */
void col_fd_closed_range(unsigned first, unsigned last)
{
	if (first >= COL_FDS || files_foreign())
		return;
	if (last >= COL_FDS)
		last = COL_FDS - 1;
	for (unsigned fd = first; fd <= last; fd++)
		col_fds[fd].gen = 0;
}

/* fcloseall (and anything else that closes descriptors we cannot name): all entries unknown. */
void col_fd_forget_all(void)
{
	if (files_foreign())
		return;
	col.fd_gen++;
	if (col.fd_gen == 0 || col.fd_gen == COL_GEN_NONE)
		col.fd_gen = 1;
}

void col_fd_dup(int oldfd, int newfd)
{
	if ((unsigned)newfd >= COL_FDS || files_foreign())
		return;
	struct col_fd *o = col_fd_get(oldfd);
	if (o) {
		col_fd_bound(newfd);
		col_fds[newfd] = *o;
	} else {
		files_fd_init(&col_fds[newfd], col_file_pseudo(VIGIL_FILE_OTHER), -1);
	}
}

void col_fd_seek(int fd, int flayer, int64_t pos)
{
	col_tls.busy++;
	struct col_fd *e = files_foreign() ? NULL : col_fd_get(fd);
	if (e)
		e->pos[flayer] = pos;
	col_tls.busy--;
}

#define FILES_ADD(var, v) do { \
	if (multi) __atomic_fetch_add(&(var), (v), __ATOMIC_RELAXED); \
	else __atomic_store_n(&(var), __atomic_load_n(&(var), __ATOMIC_RELAXED) + (v), __ATOMIC_RELAXED); \
} while (0)

/* Version 2 counters of a request at a known offset: the file's misaligned, the thread's shard totals. */
static void files_ext_positioned(struct vigil_file *f, int flayer, int rd, int nonseq, int mis, int multi)
{
	if (mis)
		FILES_ADD(f->ext[flayer].misaligned, 1);
	struct vigil_shard *s = col_tls.shard;
	if (!s)
		return;
	struct vigil_shard_ext *x = col_shard_ext(s);
	multi = col_tls.shared; /* the shard's own rule: plain adds unless it is the shared one */
	FILES_ADD(*(rd ? &x->positioned_reads : &x->positioned_writes), 1);
	if (nonseq)
		FILES_ADD(*(rd ? &x->nonseq_reads : &x->nonseq_writes), 1);
	if (mis)
		FILES_ADD(x->misaligned, 1);
}

/* One file's side of a call: class and direction given (a copy reads one file, writes another). */
static void files_update(int file, int flayer, int cls, int dir, uint64_t bytes, int failed, int64_t off,
                         int64_t *rd_end, int64_t *wr_end, uint64_t dt, uint64_t t0, uint64_t t1)
{
	if (file < 0 || file >= VIGIL_FILES || !col.files)
		return;
	struct vigil_file *f = &col.files[file];
	struct vigil_file_counters *c = &f->layer[flayer];
	uint64_t *mark = files_take(file);
	int multi = mark == NULL;
	if (failed)
		bytes = 0;
	FILES_ADD(c->ticks, dt);
	if (cls == VIGIL_CLASS_META)
		FILES_ADD(c->meta_ops, 1);
	if (cls == VIGIL_CLASS_DATA && dir != VIGIL_DIR_NONE) {
		int rd = dir == VIGIL_DIR_READ;
		if (rd) {
			FILES_ADD(c->reads, 1);
			FILES_ADD(c->bytes_read, bytes);
		} else {
			FILES_ADD(c->writes, 1);
			FILES_ADD(c->bytes_written, bytes);
		}
		if (off >= 0 && !failed) {
			int64_t *last = rd ? rd_end : wr_end;
			if (*last >= 0) {
				if (off == *last)
					FILES_ADD(*(rd ? &c->consec_reads : &c->consec_writes), 1);
				if (off >= *last)
					FILES_ADD(*(rd ? &c->seq_reads : &c->seq_writes), 1);
			}
			files_ext_positioned(f, flayer, rd, *last >= 0 && off < *last,
			                     ((uint64_t)off & col_file_blkmask[file]) != 0 && off != *last, multi);
			uint64_t end = (uint64_t)off + bytes;
			*last = (int64_t)end;
			uint64_t m = __atomic_load_n(&c->max_offset, __ATOMIC_RELAXED);
			if (!multi && end > m)
				__atomic_store_n(&c->max_offset, end, __ATOMIC_RELAXED);
			else
				while (end > m && !__atomic_compare_exchange_n(&c->max_offset, &m, end, 1,
				                                               __ATOMIC_RELAXED, __ATOMIC_RELAXED))
					;
		} else if (!failed) {
			/* no known offset (O_APPEND, "a" streams, pipes): never sequential, never random */
			FILES_ADD(*(rd ? &f->ext[flayer].unpositioned_reads : &f->ext[flayer].unpositioned_writes), 1);
		}
	}
	if (__atomic_load_n(&f->first_ticks, __ATOMIC_RELAXED) == 0)
		__atomic_store_n(&f->first_ticks, t0 ? t0 : 1, __ATOMIC_RELAXED);
	__atomic_store_n(&f->last_ticks, t1, __ATOMIC_RELAXED);
	files_done(mark);
}

void col_file_update(int file, int flayer, int op, uint64_t bytes, int failed, int64_t off,
                     int64_t *rd_end, int64_t *wr_end, uint64_t t0, uint64_t t1)
{
	const struct vigil_op_info *oi = &vigil_op_table[op];
	files_update(file, flayer, oi->cls, oi->dir, bytes, failed, off, rd_end, wr_end,
	             t1 > t0 ? t1 - t0 : 0, t0, t1);
}

/*
 * One descriptor's side of a data call with an explicit direction: `off` is
 * an offset, COL_OFF_POS (the fd's tracked position, advanced) or
 * COL_OFF_NONE; `dt` the ticks to add to its file.
 */
static void files_side(int fd, int dir, int64_t off, uint64_t bytes, int failed, uint64_t dt,
                       uint64_t t0, uint64_t t1)
{
	struct col_fd *e;
	if (fd >= 0 && (e = files_fd_get_moved(fd, VIGIL_FLAYER_POSIX, off, failed ? 0 : bytes)) != NULL) {
		int64_t at = off;
		if (off == COL_OFF_POS) {
			at = e->pos[VIGIL_FLAYER_POSIX];
			if (at >= 0 && !failed)
				e->pos[VIGIL_FLAYER_POSIX] = at + (int64_t)bytes;
		}
		files_update(e->file, VIGIL_FLAYER_POSIX, VIGIL_CLASS_DATA, dir, bytes, failed, at,
		             &e->rd_end[VIGIL_FLAYER_POSIX], &e->wr_end[VIGIL_FLAYER_POSIX], dt, t0, t1);
	} else if (fd >= COL_FDS) {
		int64_t dummy = -1;
		files_update(col_file_pseudo(VIGIL_FILE_OTHER), VIGIL_FLAYER_POSIX, VIGIL_CLASS_DATA, dir,
		             bytes, failed, COL_OFF_NONE, &dummy, &dummy, dt, t0, t1);
	}
}

void col_io_copy(int op, int fd_in, int64_t off_in, int fd_out, int64_t off_out, uint64_t req,
                 uint64_t bytes, int failed, uint64_t t0, uint64_t t1)
{
	col_tls.busy++;
	col_count_slow(op, req, bytes, failed, t0, t1);
	uint64_t dt = t1 > t0 ? t1 - t0 : 0;
	files_side(fd_in, VIGIL_DIR_READ, off_in, bytes, failed, dt, t0, t1);
	/* the same descriptor on both sides: its time counts once */
	files_side(fd_out, VIGIL_DIR_WRITE, off_out, bytes, failed, fd_out == fd_in ? 0 : dt, t0, t1);
	col_tls.busy--;
}

/* The per-file part of col_io() off the fast path: threads (atomic adds), a new or stale fd entry, fd overflow. */
static void files_slow_entry(struct col_fd *e, int op, int flayer, uint64_t bytes, int failed, int64_t off,
                             uint64_t t0, uint64_t t1)
{
	int64_t at = off;
	if (off == COL_OFF_POS) {
		at = e->pos[flayer];
		if (at >= 0 && !failed)
			e->pos[flayer] = at + (int64_t)bytes;
	}
	col_file_update(e->file, flayer, op, bytes, failed, at, &e->rd_end[flayer], &e->wr_end[flayer], t0, t1);
}

void col_file_slow_entry(struct col_fd *e, int op, int flayer, uint64_t bytes, int failed, int64_t off,
                         uint64_t t0, uint64_t t1)
{
	files_slow_entry(e, op, flayer, bytes, failed, off, t0, t1);
	col_tls.busy--;
}

void col_file_slow(int op, int fd, int flayer, uint64_t bytes, int failed, int64_t off,
                   uint64_t t0, uint64_t t1)
{
	struct col_fd *e;
	if ((e = files_fd_get_moved(fd, flayer, off, failed ? 0 : bytes)) != NULL) {
		files_slow_entry(e, op, flayer, bytes, failed, off, t0, t1);
	} else if (fd >= COL_FDS) {
		int64_t dummy = -1;
		col_file_update(col_file_pseudo(VIGIL_FILE_OTHER), flayer, op, bytes, failed,
		                COL_OFF_NONE, &dummy, &dummy, t0, t1);
	}
	col_tls.busy--;
}

void col_io_cold(int op, int fd, struct col_fd *e, int flayer, uint64_t req, uint64_t bytes, int failed,
                 int64_t off, uint64_t t0, uint64_t t1)
{
	col_io_full(op, fd, e, flayer, req, bytes, failed, off, t0, t1);
}

void col_fd_opened_quiet(int fd, int dirfd, const char *path, int append)
{
	int saved = errno; /* fstat, getcwd, readlink below (system calls through libc off x86-64) */
	col_tls.busy++;
	col_fd_opened(fd, dirfd, path, append);
	col_tls.busy--;
	errno = saved;
}
