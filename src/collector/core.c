/*
 * core.c - the collector's core: init, the per-process segment, the clock,
 * counter shards, fork/exec/exit handling and the exported API.
 *
 * Why it looks the way it does:
 * - Nothing here may go through our own wrappers, so the collector's own
 *   file work uses raw system calls (col_sys), never libc's open/read.
 * - Init runs from the constructor, or from the first intercepted call if
 *   another library's constructor calls in first (lazy, once).
 * - The segment fd is closed right after mmap (programs that close every
 *   fd must not break us); a thread claiming a new shard re-opens the file
 *   by path just long enough to fallocate its shard, so a full tmpfs gives
 *   an error we can handle instead of a SIGBUS.
 * - A second copy of libvigil.so in the process (ld.so.preload plus
 *   LD_PRELOAD) finds that it is not the first definition of
 *   vigil_collector_version and passes everything through.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#if defined(__x86_64__) && defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h> /* glibc >= 2.33: the loader's CPUID answers (2.32 lacks PRESENT) */
#ifdef CPU_FEATURE_PRESENT
#define VIGIL_HAVE_SYS_PLATFORM_X86 1
#endif
#endif
#endif
#include "collector/col.h"

__thread struct col_tls col_tls __attribute__((tls_model("initial-exec"))) = { .slot = COL_SLOT_NONE, .mark = &col_marks[0].seq };
struct col_state col;

static char core_seg_path[4096];   /* for re-opening at shard claim */
static uint64_t core_seg_ino;
static uint32_t core_seg_uid;      /* the segment file's owner: its directory is that user's */
static int core_notify_end;        /* a `vigil run` folds ended processes: touch the file at the end */
static int core_handlers_set;

long col_sys(long nr, long a, long b, long c, long d)
{
	return syscall(nr, a, b, c, d);
}

static size_t core_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* Copy into a fixed array, always NUL-terminated. */
static void core_copy(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	if (src)
		for (; i + 1 < cap && src[i]; i++)
			dst[i] = src[i];
	memset(dst + i, 0, cap - i);
}

void col_debug(const char *msg, const char *arg)
{
	if (!col.debug)
		return;
	char buf[512];
	size_t n = 0;
	const char *parts[3] = { "vigil: ", msg, arg };
	for (int p = 0; p < 3; p++)
		for (const char *s = parts[p]; s && *s && n < sizeof(buf) - 2; s++)
			buf[n++] = *s;
	buf[n++] = '\n';
	col_sys(SYS_write, 2, (long)buf, (long)n, 0);
}

static void core_utoa(char *out, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*out++ = tmp[--n];
	*out = 0;
}

/* Read a small /proc file with raw syscalls; returns bytes read or -1. */
static long core_read_file(const char *path, char *buf, size_t cap)
{
	long fd = col_sys(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while ((size_t)n < cap - 1 && (r = col_sys(SYS_read, fd, (long)(buf + n), (long)(cap - 1 - n), 0)) > 0)
		n += r;
	col_sys(SYS_close, fd, 0, 0, 0);
	buf[n] = 0;
	return n;
}

/* Field 22 of /proc/self/stat (start time in clock ticks since boot). */
static uint64_t core_proc_start(void)
{
	char buf[1024];
	if (core_read_file("/proc/self/stat", buf, sizeof(buf)) <= 0)
		return 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* after ") " comes field 3; skip to field 22 */
	int field = 2;
	for (p++; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	uint64_t v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

/* ---- clock ------------------------------------------------------------ */

/* The TSC counts time only where it is invariant (CPUID 0x80000007 EDX bit 8).
 * glibc's loader has already run CPUID and keeps the answer: asking it costs
 * nothing, while CPUID itself traps to the hypervisor in a VM (three of them
 * cost ~50 us, a quarter of a short-lived process's budget). */
static void core_clock_setup(void)
{
	col.tsc = 0;
#if defined(__x86_64__) && defined(VIGIL_HAVE_SYS_PLATFORM_X86)
	col.tsc = CPU_FEATURE_PRESENT(INVARIANT_TSC) ? 1 : 0;
#elif defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (__get_cpuid(0x80000000u, &a, &b, &c, &d) && a >= 0x80000007u &&
	    __get_cpuid(0x80000007u, &a, &b, &c, &d) && (d & (1u << 8)))
		col.tsc = 1;
#endif
	const char *e = getenv("VIGIL_CLOCK");
	if (e && strcmp(e, "ns") == 0)
		col.tsc = 0;
}

static void core_clock_pair(uint64_t *ticks, uint64_t *mono, uint64_t *real)
{
	struct timespec m, r;
	*ticks = col_now();
	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	*mono = (uint64_t)m.tv_sec * 1000000000u + (uint64_t)m.tv_nsec;
	*real = (uint64_t)r.tv_sec * 1000000000u + (uint64_t)r.tv_nsec;
}

/* ---- identity --------------------------------------------------------- */

/* The arguments the constructor was given (glibc passes them to ELF constructors); NULL before. */
static int core_argc;
static char **core_argv;

/* /proc/self/cmdline as it reads now: the arguments, each ended by a NUL (from argv when known). */
static long core_cmdline(char *buf, size_t cap)
{
	if (!core_argv)
		return core_read_file("/proc/self/cmdline", buf, cap);
	size_t n = 0;
	for (int i = 0; i < core_argc && core_argv[i] && n < cap - 1; i++) {
		for (const char *a = core_argv[i]; *a && n < cap - 1; a++)
			buf[n++] = *a;
		if (n < cap - 1)
			buf[n++] = 0;
	}
	buf[n] = 0;
	return (long)n;
}

static void core_identity_image(struct vigil_seg_identity *id)
{
	char buf[4096];
	long n = col_sys(SYS_readlink, (long)"/proc/self/exe", (long)buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	core_copy(id->exe, sizeof(id->exe), buf);
	n = core_cmdline(buf, sizeof(buf));
	if (n < 0)
		n = 0;
	while (n > 0 && buf[n - 1] == 0)
		n--;
	for (long i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = ' ';
	buf[n] = 0;
	core_copy(id->cmdline, sizeof(id->cmdline), buf);
}

static void core_identity_job(struct vigil_seg_identity *id)
{
	static const char *const vars[] = { "VIGIL_JOB_ID", "SLURM_JOB_ID", "PBS_JOBID",
	                                    "LSB_JOBID", "FLUX_JOB_ID" };
	core_copy(id->job_id, sizeof(id->job_id), "");
	core_copy(id->step, sizeof(id->step), "");
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) {
			core_copy(id->job_id, sizeof(id->job_id), v);
			if (i == 1)
				core_copy(id->step, sizeof(id->step), getenv("SLURM_STEP_ID"));
			break;
		}
	}
	core_copy(id->run_id, sizeof(id->run_id), getenv("VIGIL_RUN_ID"));
}

/*
 * The rank a launcher gave this process in its environment, tagged with the
 * variable it came from ((index << 24) | rank), or -1.  The launchers' own
 * variables come before SLURM_PROCID: under mpirun in an allocation every
 * rank has SLURM_PROCID=0.
 */
static int32_t core_env_rank(void)
{
	static const char *const vars[] = { "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK",
	                                    "SLURM_PROCID" };
	for (int i = 0; i < (int)(sizeof(vars) / sizeof(vars[0])); i++) {
		const char *v = getenv(vars[i]);
		if (!v || *v < '0' || *v > '9')
			continue;
		int32_t r = 0;
		while (*v >= '0' && *v <= '9' && r < (1 << 23))
			r = r * 10 + (*v++ - '0');
		if (*v || r >= (1 << 23))
			continue;
		return (i << 24) | r;
	}
	return -1;
}

/*
 * An environment-derived rank names the process the launcher started, not its
 * descendants, which inherit the same variable: a fork child is no rank, and
 * an exec'd image takes the environment's rank only when the variable is not
 * the one its parent already had (env_rank, copied at fork).
 */
static void core_identity_rank(struct vigil_seg_identity *id, int fresh)
{
	int32_t t = core_env_rank();
	if (fresh || (t >= 0 && t != id->env_rank))
		id->rank = t >= 0 ? (t & 0xffffff) : -1;
	id->env_rank = t;
}

/* ---- segment ---------------------------------------------------------- */

/*
 * May this process grow a file to `end` bytes?  Past RLIMIT_FSIZE (ulimit -f)
 * ftruncate and fallocate raise SIGXFSZ, which kills the program: the
 * collector must pass through instead.
 */
static int core_fsize_ok(uint64_t end)
{
	struct rlimit rl;
	if (col_sys(SYS_prlimit64, 0, RLIMIT_FSIZE, 0, (long)&rl) != 0)
		return 1;
	return rl.rlim_cur == RLIM_INFINITY || (uint64_t)rl.rlim_cur >= end;
}

/*
 * Open (creating if missing) and check the per-user directory; -1 if unusable.
 * *entries: at most how many names it holds (tmpfs keeps a directory's size at
 * 20 bytes a name, two for "." and ".."), UINT64_MAX where that is not known.
 */
static int core_dir_open(char *dir, size_t cap, uint64_t *entries)
{
	const char *e = getenv("VIGIL_DIR");
	if (e && *e && *e != '/') {
		/* relative to each process's own working directory: segments would scatter */
		col_debug("VIGIL_DIR is not an absolute path, passing through: ", e);
		return -1;
	}
	if (e && *e) {
		core_copy(dir, cap, e);
	} else {
		char num[24];
		core_utoa(num, (uint64_t)geteuid());
		core_copy(dir, cap, "/dev/shm/vigil-");
		size_t l = core_strlen(dir);
		core_copy(dir + l, cap - l, num);
	}
	long fd = col_sys(SYS_openat, AT_FDCWD, (long)dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0 && errno == ENOENT) {
		col_sys(SYS_mkdirat, AT_FDCWD, (long)dir, 0700, 0);
		fd = col_sys(SYS_openat, AT_FDCWD, (long)dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	}
	if (fd < 0) {
		int e = errno;
		struct stat ls;
		if ((e == ENOTDIR || e == ELOOP) &&
		    col_sys(SYS_newfstatat, AT_FDCWD, (long)dir, (long)&ls, AT_SYMLINK_NOFOLLOW) == 0)
			e = S_ISLNK(ls.st_mode) ? ELOOP : ENOTDIR; /* O_DIRECTORY|O_NOFOLLOW says ENOTDIR for both */
		col_debug(e == ELOOP ? "segment directory is a symbolic link, passing through: "
		          : e == ENOTDIR ? "segment directory is not a directory, passing through: "
		          : e == ENOENT ? "cannot create the segment directory (its parent does not exist), passing through: "
		          : e == EACCES || e == EPERM ? "segment directory: permission denied, passing through: "
		          : "cannot open the segment directory, passing through: ", dir);
		return -1;
	}
	struct stat st;
	if (col_sys(SYS_fstat, fd, (long)&st, 0, 0) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 07777) != 0700) {
		col_debug("segment directory is not ours with mode 0700, passing through: ", dir);
		col_sys(SYS_close, fd, 0, 0, 0);
		return -1;
	}
	struct statfs sf;
	*entries = UINT64_MAX;
	if (fstatfs((int)fd, &sf) == 0) {
		uint64_t unit = sf.f_frsize ? (uint64_t)sf.f_frsize : (uint64_t)sf.f_bsize;
		if ((uint64_t)sf.f_bavail * unit < 4 * (uint64_t)VIGIL_SEGMENT_SIZE) {
			col_debug("segment file system nearly full, passing through: ", dir);
			col_sys(SYS_close, fd, 0, 0, 0);
			return -1;
		}
		if (sf.f_type == TMPFS_MAGIC && st.st_size >= 40)
			*entries = (uint64_t)st.st_size / 20 - 2;
	}
	return (int)fd;
}

static size_t core_shard_off(uint32_t i)
{
	return (size_t)VIGIL_SHARDS_OFFSET + (size_t)i * VIGIL_SHARD_SIZE;
}

static void core_map_set(void *base)
{
	col.hdr = base;
	col.ident = (struct vigil_seg_identity *)((char *)base + VIGIL_IDENT_OFFSET);
	col.files = (struct vigil_file *)((char *)base + VIGIL_FILES_OFFSET);
	col.shards = (unsigned char *)base + VIGIL_SHARDS_OFFSET;
}

/* Is an existing segment ours to continue (same process, same geometry)? */
static int core_seg_matches(const struct vigil_seg_header *h, int pid, uint64_t start)
{
	const struct vigil_seg_identity *id =
		(const void *)((const char *)h + VIGIL_IDENT_OFFSET);
	return memcmp(h->magic, VIGIL_SEG_MAGIC, 8) == 0 && h->version == VIGIL_SEG_VERSION &&
	       h->segment_size == VIGIL_SEGMENT_SIZE && h->n_ops == VIGIL_NOPS &&
	       h->n_shards == VIGIL_SHARDS && h->shard_size == VIGIL_SHARD_SIZE &&
	       h->n_files == VIGIL_FILES && h->file_size == sizeof(struct vigil_file) &&
	       h->n_tl_bins == VIGIL_TL_BINS && h->n_layers == VIGIL_NLAYERS &&
	       id->pid == pid && id->proc_start == start;
}

static void core_header_init(struct vigil_seg_header *h)
{
	vigil_seg_header_init(h);
	h->clock.source = col.tsc ? VIGIL_CLOCK_TSC : VIGIL_CLOCK_NS;
	core_clock_pair(&h->clock.start_ticks, &h->clock.start_mono_ns, &h->clock.start_real_ns);
	/* every shard gets its width when a thread claims it (core_shard_claim): a process that never
	   counts touches neither shard 0's page nor the shared shard's (two page faults) */
	/* record 0: "<other files>" */
	struct vigil_file *f = &col.files[0];
	f->kind = VIGIL_FILE_OVERFLOW;
	core_copy(f->path, sizeof(f->path), "<other files>");
	f->path_len = (uint32_t)core_strlen(f->path);
	h->files_used = 1;
	__atomic_store_n(&f->hash, 1, __ATOMIC_RELEASE);
}

/*
 * Create this process's segment, or re-attach to it after exec.
 * `inherit`: identity to start from (fork child), else built from /proc.
 */
static void core_segment_open(const struct vigil_seg_identity *inherit)
{
	char dir[4096];
	if (!core_fsize_ok(VIGIL_SEGMENT_SIZE)) {
		col_debug("the file size limit (ulimit -f) is below the segment size, passing through", NULL);
		return;
	}
	uint64_t entries;
	int dfd = core_dir_open(dir, sizeof(dir) - 64, &entries);
	if (dfd < 0)
		return;
	int pid = getpid();
	uint64_t start = core_proc_start();
	char name[64], num[24];
	core_utoa(num, (uint64_t)pid);
	core_copy(name, sizeof(name), num);
	size_t l = core_strlen(name);
	name[l++] = '-';
	core_utoa(name + l, start);
	l = core_strlen(name);
	core_copy(name + l, sizeof(name) - l, VIGIL_SEG_SUFFIX);

	int reattach = 0;
	long fd = col_sys(SYS_openat, dfd, (long)name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		fd = col_sys(SYS_openat, dfd, (long)name, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
		reattach = 1;
	}
	if (fd < 0) {
		col_debug("cannot create segment in ", dir);
		col_sys(SYS_close, dfd, 0, 0, 0);
		return;
	}
	struct stat st;
	int ok = col_sys(SYS_fstat, fd, (long)&st, 0, 0) == 0 && S_ISREG(st.st_mode) &&
	         st.st_uid == geteuid();
	if (ok && reattach)
		ok = (uint64_t)st.st_size == VIGIL_SEGMENT_SIZE;
	if (ok && !reattach) {
		/* the written parts: header+identity+the first chunk of file records, shard 0
		   and the shared shard (the fallback when no other can be allocated) */
		ok = col_sys(SYS_ftruncate, fd, (long)VIGIL_SEGMENT_SIZE, 0, 0) == 0 &&
		     col_sys(SYS_fallocate, fd, 0, 0, (long)(VIGIL_FILES_OFFSET +
		             COL_FILES_CHUNK * sizeof(struct vigil_file))) == 0 &&
		     col_sys(SYS_fallocate, fd, 0, (long)core_shard_off(0), (long)VIGIL_SHARD_SIZE) == 0 &&
		     col_sys(SYS_fallocate, fd, 0, (long)core_shard_off(VIGIL_SHARED_SHARD),
		             (long)VIGIL_SHARD_SIZE) == 0;
		if (!ok) {
			col_debug("cannot allocate segment (file system full?): ", name);
			col_sys(SYS_unlinkat, dfd, (long)name, 0, 0);
		}
	}
	/* raw mmap: our own mmap wrapper must not see the collector's mapping */
	void *base = ok ? (void *)syscall(SYS_mmap, 0L, (long)VIGIL_SEGMENT_SIZE, (long)(PROT_READ | PROT_WRITE),
	                                  (long)MAP_SHARED, fd, 0L) : MAP_FAILED;
	col_sys(SYS_close, fd, 0, 0, 0);
	if (base == MAP_FAILED) {
		col_sys(SYS_close, dfd, 0, 0, 0);
		return;
	}
	if (reattach && !core_seg_matches(base, pid, start)) {
		col_debug("existing segment is not ours to continue, passing through: ", name);
		munmap(base, VIGIL_SEGMENT_SIZE);
		col_sys(SYS_close, dfd, 0, 0, 0);
		return;
	}
	core_map_set(base);
	struct vigil_seg_header *h = col.hdr;
	struct vigil_seg_identity *id = col.ident;
	if (reattach) {
		/* an exec'd image continues the counts of the previous one */
		__atomic_store_n(&h->shards_used, 0, __ATOMIC_RELAXED);
		id->exec_count++;
		col_files_reuse_attached();
		core_identity_image(id);
		core_identity_job(id); /* the new image's environment is authoritative */
		core_identity_rank(id, 0);
		__atomic_fetch_or(&h->flags, VIGIL_FLAG_EXEC_REATTACH, __ATOMIC_RELAXED);
		/* this image is measured: the exec that brought it here was not a blind one */
		__atomic_fetch_and(&h->flags, ~VIGIL_FLAG_EXEC_UNMONITORED, __ATOMIC_RELAXED);
		core_copy(id->exec_target, sizeof(id->exec_target), "");
		__atomic_store_n(&h->state, VIGIL_STATE_RUNNING, __ATOMIC_RELEASE);
	} else {
		core_header_init(h);
		if (inherit) {
			memcpy(id, inherit, sizeof(*id));
			id->rank = -1; /* a rank's child is not that rank */
			core_copy(id->exec_target, sizeof(id->exec_target), "");
			/* the parent may have changed its environment since it started */
			const char *run = getenv("VIGIL_RUN_ID");
			if (run)
				core_copy(id->run_id, sizeof(id->run_id), run);
		} else {
			char host[256];
			core_identity_image(id);
			core_identity_job(id);
			/* several slurmd "nodes" may share one host: the node's name wins */
			const char *node = getenv("SLURMD_NODENAME");
			if (node && *node)
				core_copy(host, sizeof(host), node);
			else if (gethostname(host, sizeof(host)) != 0)
				host[0] = 0;
			host[sizeof(host) - 1] = 0;
			core_copy(id->host, sizeof(id->host), host);
			core_identity_rank(id, 1);
			id->nranks = 0;
			core_copy(id->mpi_impl, sizeof(id->mpi_impl), "");
		}
		id->pid = pid;
		id->ppid = getppid();
		id->uid = getuid();
		id->gid = getgid();
		id->proc_start = start;
		id->exit_status = -1;
		id->term_signal = 0;
		id->exec_count = 1;
		__atomic_store_n(&h->state, VIGIL_STATE_RUNNING, __ATOMIC_RELEASE);
	}
	if (col.early) {
		__atomic_fetch_add(&h->early_calls, col.early, __ATOMIC_RELAXED);
		__atomic_fetch_or(&h->flags, VIGIL_FLAG_EARLY_CALLS, __ATOMIC_RELAXED);
		col.early = 0;
	}
	__atomic_fetch_add(&h->header_changes, 1, __ATOMIC_RELEASE);
	size_t dl = core_strlen(dir);
	core_copy(core_seg_path, sizeof(core_seg_path), dir);
	core_seg_path[dl] = '/';
	core_copy(core_seg_path + dl + 1, sizeof(core_seg_path) - dl - 1, name);
	core_seg_ino = st.st_ino;
	core_seg_uid = st.st_uid;
	__atomic_store_n(&col.files_committed, 1u, __ATOMIC_RELEASE); /* chunk 0, by the creator */
	const char *run = getenv("VIGIL_RUN_ID");
	core_notify_end = run && *run;
	if (!reattach && entries >= VIGIL_SEG_KEEP_ENDED) /* with ours still under the cap: nothing to reclaim */
		col_reclaim(dfd, pid);
	col_sys(SYS_close, dfd, 0, 0, 0);
	col_debug(reattach ? "re-attached segment " : "created segment ", core_seg_path);
}

/*
 * The accelerator region (accel struct + kernel table): allocated in the file
 * the first time the OpenCL layer needs it, as a shard is, so processes that
 * never use OpenCL keep it sparse.  NULL when it cannot be allocated.
 */
/*
 * Make the segment's bytes [off, off+len) exist in the file (fallocate), so
 * touching them cannot SIGBUS on a full tmpfs.  The collector keeps no
 * descriptor of its own (the program may close any), so it re-opens the path
 * and checks it is still the segment it created.  0 on success.
 */
static int core_seg_fallocate(uint64_t off, uint64_t len)
{
	if (!core_fsize_ok(off + len))
		return -1; /* the program lowered ulimit -f since: no SIGXFSZ */
	long fd = col_sys(SYS_openat, AT_FDCWD, (long)core_seg_path, O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct stat st;
	int ok = col_sys(SYS_fstat, fd, (long)&st, 0, 0) == 0 && st.st_ino == core_seg_ino &&
	         col_sys(SYS_fallocate, fd, 0, (long)off, (long)len) == 0;
	col_sys(SYS_close, fd, 0, 0, 0);
	return ok ? 0 : -1;
}

struct vigil_accel *col_accel_get(void)
{
	struct vigil_accel *a = __atomic_load_n(&col.accel, __ATOMIC_ACQUIRE);
	if (a || !col.hdr)
		return a;
	col_tls.busy++;
	int saved = errno;
	if (core_seg_fallocate(VIGIL_ACCEL_OFFSET, VIGIL_SEGMENT_SIZE - VIGIL_ACCEL_OFFSET) == 0) {
		a = (struct vigil_accel *)((char *)col.hdr + VIGIL_ACCEL_OFFSET);
		struct vigil_kernel *k0 = (struct vigil_kernel *)((char *)col.hdr + VIGIL_KERNELS_OFFSET);
		if (k0->hash == 0) {
			core_copy(k0->name, sizeof(k0->name), "<other kernels>");
			__atomic_store_n(&k0->hash, 1, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&col.accel, a, __ATOMIC_RELEASE);
	}
	errno = saved;
	col_tls.busy--;
	return a;
}

/*
 * File records are committed in chunks as they are claimed: a process that
 * touches three files does not pay for zeroing a 512-record table (a third of
 * a megabyte, ~90 us per process).  Record i may be written only after this
 * returned 0 for it; bit k of col.files_committed says chunk k is allocated.
 */
_Static_assert((VIGIL_FILES + COL_FILES_CHUNK - 1) / COL_FILES_CHUNK <= 32, "one bit a chunk");

int col_files_commit(uint32_t i)
{
	uint32_t k = i / COL_FILES_CHUNK, bit = 1u << k;
	if (__atomic_load_n(&col.files_committed, __ATOMIC_ACQUIRE) & bit)
		return 0;
	int saved = errno;
	uint64_t off = VIGIL_FILES_OFFSET + (uint64_t)k * COL_FILES_CHUNK * sizeof(struct vigil_file);
	uint64_t end = off + (uint64_t)COL_FILES_CHUNK * sizeof(struct vigil_file);
	if (end > VIGIL_FILES_OFFSET + (uint64_t)VIGIL_FILES * sizeof(struct vigil_file))
		end = VIGIL_FILES_OFFSET + (uint64_t)VIGIL_FILES * sizeof(struct vigil_file);
	int r = core_seg_fallocate(off, end - off); /* two threads may both: fallocate is idempotent */
	if (r == 0)
		__atomic_fetch_or(&col.files_committed, bit, __ATOMIC_RELEASE);
	errno = saved;
	return r;
}

/* ---- shards ----------------------------------------------------------- */

static struct vigil_shard *core_shard(uint32_t i)
{
	return (struct vigil_shard *)(col.shards + (size_t)i * VIGIL_SHARD_SIZE);
}

/* Make sure shard i's pages exist in the file (fallocate), so touching them cannot SIGBUS. */
static int core_shard_alloc(uint32_t i)
{
	if (i == 0 || i == VIGIL_SHARED_SHARD)
		return 0;
	return core_seg_fallocate(core_shard_off(i), VIGIL_SHARD_SIZE); /* fails: the shared shard */
}

static struct vigil_shard *core_shard_claim(void)
{
	if (!col.hdr)
		return NULL;
	col_tls.busy++;
	int saved = errno;
	uint32_t i = __atomic_fetch_add(&col.hdr->shards_used, 1, __ATOMIC_RELAXED);
	if (i >= 1) {
		/* a second thread: records another thread owns are handed over from now on */
		__atomic_store_n(&col.multi, 1, __ATOMIC_RELAXED);
	}
	struct vigil_shard *s;
	if (i < VIGIL_SHARED_SHARD && core_shard_alloc(i) == 0) {
		s = core_shard(i);
		if (s->tl_shift == 0) /* claimed for the first time (an exec'd image re-claims its shards) */
			__atomic_store_n(&s->tl_shift, VIGIL_TL_SHIFT0, __ATOMIC_RELEASE);
		s->tid = (uint32_t)syscall(SYS_gettid);
		__atomic_store_n(&s->state, 1, __ATOMIC_RELAXED);
		col_tls.shared = 0;
		col_tls.slot = i + 1;
		col_tls.mark = &col_marks[i + 1].seq;
	} else {
		s = core_shard(VIGIL_SHARED_SHARD);
		uint32_t unset = 0; /* its first user gives it its width; every user claims before counting */
		__atomic_compare_exchange_n(&s->tl_shift, &unset, VIGIL_TL_SHIFT0, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		__atomic_store_n(&s->state, 2, __ATOMIC_RELAXED);
		col_tls.shared = 1;
		col_tls.slot = COL_SLOT_NONE;
		col_tls.mark = &col_tls.spare_mark;
		if (i >= VIGIL_SHARED_SHARD)
			col_set_flag(VIGIL_FLAG_SHARED_SHARD);
	}
	col_tls.shard = s;
	col_tls.own = col_tls.shared ? NULL : s;
	col_tls.tl_end = 0;
	errno = saved;
	col_tls.busy--;
	return s;
}

void col_set_flag(uint32_t flag)
{
	if (!col.hdr || (__atomic_load_n(&col.hdr->flags, __ATOMIC_RELAXED) & flag))
		return;
	__atomic_fetch_or(&col.hdr->flags, flag, __ATOMIC_RELAXED);
	__atomic_fetch_add(&col.hdr->header_changes, 1, __ATOMIC_RELEASE);
}

/*
 * A process that runs as another effective user than its segment's owner
 * writes its next segment (fork child, exec'd image) into that user's
 * directory, where this run's readers may not look: say so in this segment.
 */
void col_uid_check(void)
{
	if (col.hdr && (uint32_t)geteuid() != core_seg_uid)
		col_set_flag(VIGIL_FLAG_UID_SWITCH);
}

/* Before an exec: flag it blind until the new image re-attaches (core_segment_open) or it fails. */
void col_exec_begin(const char *target, uint32_t flag)
{
	if (!col.hdr)
		return;
	col_uid_check();
	core_copy(col.ident->exec_target, sizeof(col.ident->exec_target), target);
	col_set_flag(flag);
}

void col_exec_failed(void)
{
	if (!col.hdr)
		return;
	__atomic_fetch_and(&col.hdr->flags, ~VIGIL_FLAG_EXEC_UNMONITORED, __ATOMIC_RELAXED);
	__atomic_fetch_add(&col.hdr->header_changes, 1, __ATOMIC_RELEASE);
}

#define CORE_AADD(var, v) __atomic_fetch_add(&(var), (v), __ATOMIC_RELAXED)

/* Double the timeline bin width until `rel` fits (merging pairs of bins). */
static void core_tl_widen(struct vigil_shard *s, uint64_t rel)
{
	uint32_t sh = s->tl_shift;
	while (sh < 63 && (rel >> sh) >= VIGIL_TL_BINS) {
		for (int i = 0; i < VIGIL_TL_BINS / 2; i++)
			for (int l = 0; l < VIGIL_NLAYERS; l++) {
				struct vigil_tl_bin *a = &s->timeline[2 * i][l], *b = &s->timeline[2 * i + 1][l];
				struct vigil_tl_bin m = { a->ops + b->ops, a->bytes_read + b->bytes_read,
				                          a->bytes_written + b->bytes_written, a->ticks + b->ticks };
				s->timeline[i][l] = m;
			}
		memset(&s->timeline[VIGIL_TL_BINS / 2], 0, sizeof(s->timeline) / 2);
		sh++;
	}
	__atomic_store_n(&s->tl_shift, sh, __ATOMIC_RELEASE);
}

/*
 * The thread's timeline bin for t0 in its own shard (widening as needed),
 * cached in TLS with the tick where that bin ends: the inline path only
 * compares t0 with it.  Only the owner widens its shard, so the cache stays
 * right; the shared shard never uses it.
 */
struct vigil_tl_bin *col_tl_locate(struct vigil_shard *s, uint64_t t0)
{
	uint64_t start = col.hdr->clock.start_ticks;
	uint64_t rel = t0 > start ? t0 - start : 0;
	uint64_t bin = rel >> s->tl_shift;
	if (COL_UNLIKELY(bin >= VIGIL_TL_BINS)) {
		core_tl_widen(s, rel);
		bin = rel >> s->tl_shift;
		if (bin >= VIGIL_TL_BINS)
			bin = VIGIL_TL_BINS - 1;
	}
	uint32_t sh = s->tl_shift;
	uint64_t end = UINT64_MAX;
	if (sh < 57) { /* (bin + 1) <= 64 = 2^6: no overflow of the shift below 58 */
		uint64_t w = (bin + 1) << sh;
		if (start <= UINT64_MAX - w)
			end = start + w;
	}
	col_tls.tl_row = s->timeline[bin];
	col_tls.tl_end = end;
	return s->timeline[bin];
}

/*
 * Out of line, so the inline path pays one predicted branch: a non-blocking
 * descriptor that has nothing to give (EAGAIN, EWOULDBLOCK) is not an error a
 * user should fix, and io_errors leaves these out (docs/INSIGHTS.md).  Reads
 * errno only; col_count_slow claimed the shard if there was none.
 */
void col_failed(int op)
{
	int e = errno;
	unsigned bits = col_op_bits(op);
	struct vigil_shard *s = col_tls.shard;
	if ((e != EAGAIN && e != EWOULDBLOCK) || !s || ((bits >> 4) & 15) != VIGIL_CLASS_DATA ||
	    !vigil_layer_is_io((int)(bits & 15)))
		return;
	struct vigil_shard_ext *x = col_shard_ext(s);
	if (col_tls.shared)
		CORE_AADD(x->again_errors, 1);
	else
		x->again_errors++;
}

/* Count into the thread's shard: claims one on the first call; the shared shard adds atomically. */
void col_count_slow(int op, uint64_t req, uint64_t bytes, int failed, uint64_t t0, uint64_t t1)
{
	struct vigil_shard *s = col_tls.shard;
	if (COL_UNLIKELY(!s) && !(s = core_shard_claim()))
		return;
	uint64_t dt = t1 > t0 ? t1 - t0 : 0;
	if (failed)
		bytes = 0;
	if (COL_LIKELY(!col_tls.shared)) {
		col_count_own(s, op, req, bytes, failed, t0, dt);
		return;
	}
	struct vigil_op_counters *c = &s->ops[op];
	unsigned b = vigil_hist_bucket(req);
	const struct vigil_op_info *oi = &vigil_op_table[op];
	uint64_t rel = t0 > col.hdr->clock.start_ticks ? t0 - col.hdr->clock.start_ticks : 0;
	uint64_t bin = rel >> __atomic_load_n(&s->tl_shift, __ATOMIC_ACQUIRE);
	if (COL_UNLIKELY(bin >= VIGIL_TL_BINS)) {
		/* the shared shard may lose a few timeline updates racing with this; totals stay exact */
		core_tl_widen(s, rel);
		bin = rel >> s->tl_shift;
		if (bin >= VIGIL_TL_BINS)
			bin = VIGIL_TL_BINS - 1;
	}
	struct vigil_tl_bin *tb = &s->timeline[bin][oi->layer];
	uint64_t *map = &s->reserved[(unsigned)op >> 6], bit = 1ull << ((unsigned)op & 63);
	if (COL_UNLIKELY(!(__atomic_load_n(map, __ATOMIC_RELAXED) & bit)))
		__atomic_fetch_or(map, bit, __ATOMIC_RELAXED); /* op map, before the counters move */
	CORE_AADD(c->calls, 1);
	if (failed)
		CORE_AADD(c->errors, 1);
	CORE_AADD(c->bytes, bytes);
	CORE_AADD(c->ticks, dt);
	CORE_AADD(c->hist[b], 1);
	CORE_AADD(tb->ops, 1);
	if (oi->dir == VIGIL_DIR_READ)
		CORE_AADD(tb->bytes_read, bytes);
	else if (oi->dir == VIGIL_DIR_WRITE)
		CORE_AADD(tb->bytes_written, bytes);
	CORE_AADD(tb->ticks, dt);
	__atomic_fetch_add(&s->changes, 1, __ATOMIC_RELEASE);
}

/* ---- end record, fork, init ------------------------------------------- */

void col_end_record(int status)
{
	struct vigil_seg_header *h = col.hdr;
	if (!h || col.ident->pid != (int32_t)syscall(SYS_getpid))
		return; /* no segment, or a vfork child sharing our memory */
	core_clock_pair(&h->clock.end_ticks, &h->clock.end_mono_ns, &h->clock.end_real_ns);
	col.ident->exit_status = status;
	__atomic_store_n(&h->state, VIGIL_STATE_ENDED, __ATOMIC_RELEASE);
	__atomic_fetch_add(&h->header_changes, 1, __ATOMIC_RELEASE);
	if (core_notify_end) {
		/* IN_ATTRIB for vigil run's inotify: fold this process once it is gone (run_collect.c) */
		int saved = errno;
		col_sys(SYS_utimensat, AT_FDCWD, (long)core_seg_path, 0, 0);
		errno = saved;
	}
}

static void core_on_exit(int status, void *arg)
{
	(void)arg;
	col_stdio_exit(); /* bytes inlined putc/getc left in stream buffers: exit flushes them */
	col_end_record(status);
}

/* Child of fork: its own new segment; the parent's mapping is dropped. */
static void core_atfork_child(void)
{
	if (!col.hdr)
		return;
	col_tls.busy++;
	/* the parent's mapping is still shared here: tell its segment where this child went */
	col_uid_check();
	struct vigil_seg_identity id;
	memcpy(&id, col.ident, sizeof(id));
	void *old = col.hdr;
	col.enabled = 0;
	col.hdr = NULL;
	col.ident = NULL;
	col.files = NULL;
	col.shards = NULL;
	munmap(old, VIGIL_SEGMENT_SIZE);
	col.accel = NULL;
	col_tls.shard = NULL;
	col_tls.own = NULL;
	col_tls.tl_end = 0;
	col_tls.shared = 0;
	col_tls.slot = COL_SLOT_NONE;
	col_tls.mark = &col_marks[0].seq;
	col.multi = 0;
	col.early = 0;
	col_files_reset(); /* also the records' owners: the child has one thread */
	core_segment_open(&id);
	col.enabled = col.hdr != NULL;
	col_tls.busy--;
}

/* Is this copy of the collector the one the program's calls reach? */
extern int core_self_version(void) __attribute__((alias("vigil_collector_version"), visibility("hidden")));

static int core_is_first_copy(void)
{
	void *first = dlsym(RTLD_DEFAULT, "vigil_collector_version");
	return first == NULL || first == (void *)core_self_version;
}

void col_init(void)
{
	int expect = 0;
	if (!__atomic_compare_exchange_n(&col.init_state, &expect, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	col_tls.busy++;
	int saved = errno;
	col_real_vfork = dlsym(RTLD_NEXT, "vfork"); /* NULL: the trampoline forks */
	const char *e = getenv("VIGIL_DEBUG");
	col.debug = e && *e == '1';
	e = getenv("VIGIL_DISABLE");
	if (e && *e == '1') {
		col_debug("disabled by VIGIL_DISABLE", NULL);
	} else if (!core_is_first_copy()) {
		col_debug("another copy of the collector is active; this one passes through", NULL);
	} else {
		col.fd_gen = 1;
		core_clock_setup();
		core_segment_open(NULL);
		if (col.hdr && !core_handlers_set) {
			core_handlers_set = 1;
			pthread_atfork(NULL, NULL, core_atfork_child);
			on_exit(core_on_exit, NULL);
		}
		__atomic_store_n(&col.enabled, col.hdr != NULL, __ATOMIC_RELEASE);
		if (col.hdr)
			col_ocl_init();
	}
	__atomic_store_n(&col.init_state, 2, __ATOMIC_RELEASE);
	errno = saved;
	col_tls.busy--;
}

__attribute__((constructor)) static void core_constructor(int argc, char **argv)
{
	core_argc = argc;
	core_argv = argv; /* the command line without reading /proc (core_cmdline) */
	col_init();
}

int col_on_slow(void)
{
	int st = __atomic_load_n(&col.init_state, __ATOMIC_ACQUIRE);
	if (st == 0 && col_tls.busy == 0) {
		col_init();
		st = __atomic_load_n(&col.init_state, __ATOMIC_ACQUIRE);
	}
	if (!col.enabled) {
		if (st != 2)
			__atomic_fetch_add(&col.early, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (col_tls.paused)
		return 0;
	if (col_tls.busy) {
		/* a signal handler interrupted our counting: pass through, say so */
		__atomic_fetch_add(&col.hdr->early_calls, 1, __ATOMIC_RELAXED);
		col_set_flag(VIGIL_FLAG_EARLY_CALLS);
		return 0;
	}
	return 1;
}

static int core_enosys(void)
{
	errno = ENOSYS;
	return -1;
}

void *col_resolve(const char *name)
{
	int saved = errno; /* dlsym may set it; a successful real call would not reset it */
	void *p = dlsym(RTLD_NEXT, name);
	if (!p)
		p = dlvsym(RTLD_NEXT, name, "GLIBC_2.2.5");
	if (!p) {
		col_debug("no next definition of ", name);
		p = (void *)core_enosys;
	}
	errno = saved;
	return p;
}

/* ---- exported API (vigil_collector.h) --------------------------------- */

VIGIL_EXPORT int vigil_collector_version(void)
{
	return VIGIL_COLLECTOR_VERSION;
}

VIGIL_EXPORT uint64_t vigil_now(void)
{
	return col_now();
}

/*
 * vigil_count() on the thread's own shard: the same plain adds as col_io()
 * (which never change errno), without the per-file part and its errno save;
 * anything else takes vigil_count_file().  With `op` a constant (the
 * vigil_counter() functions) the op's counters and timeline row fold.
 */
COL_INLINE void core_count(int op, uint64_t req_size, uint64_t bytes, int failed, uint64_t t0, uint64_t t1)
{
	struct vigil_shard *s = col_tls.own;
	if (COL_LIKELY(col.enabled) && COL_LIKELY(s != NULL) && COL_LIKELY((unsigned)op < VIGIL_NOPS)) {
		col_tls.busy++;
		col_count_own(s, op, req_size, failed ? 0 : bytes, failed, t0, t1 > t0 ? t1 - t0 : 0);
		col_tls.busy--;
		return;
	}
	vigil_count_file(op, -1, req_size, bytes, -1, failed, t0, t1);
}

VIGIL_EXPORT void vigil_count(int op, uint64_t req_size, uint64_t bytes, int failed, uint64_t t0, uint64_t t1)
{
	core_count(op, req_size, bytes, failed, t0, t1);
}

/* vigil_counter(): one vigil_count() per MPI op with the op a constant (the others are dropped). */
#define CORE_X_COUNTER(id, layer, name, cls, dir, help) \
static void core_count_##id(uint64_t req_size, uint64_t bytes, int failed, uint64_t t0, uint64_t t1) \
{ \
	core_count(VIGIL_OP_##id, req_size, bytes, failed, t0, t1); \
}
VIGIL_OPS(CORE_X_COUNTER)
#undef CORE_X_COUNTER

/*
 * vigil_counter_ret(): the same count, and nothing in its usual path that
 * needs a register kept across a call (no frame: it runs in the argument
 * registers); a timeline row to locate, no own shard or a failed call goes
 * to core_count_ret_cold (a tail call).
 */
static __attribute__((noinline)) int core_count_ret_cold(int op, uint64_t req_size, uint64_t bytes, int ret,
                                                         uint64_t t0, uint64_t t1)
{
	core_count(op, req_size, bytes, ret != 0, t0, t1);
	return ret;
}

COL_INLINE int core_count_ret(int op, uint64_t req_size, uint64_t bytes, int ret, uint64_t t0, uint64_t t1)
{
	col_tls.busy++; /* first: a signal handler's count cannot move the cached row between check and use */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	struct vigil_shard *s = col_tls.own;
	if (COL_LIKELY(col.enabled) && COL_LIKELY(s != NULL) && COL_LIKELY(t0 < col_tls.tl_end) && COL_LIKELY(ret == 0)) {
		col_count_row(s, col_tls.tl_row, op, req_size, bytes, 0, t1 > t0 ? t1 - t0 : 0);
		col_tls.busy--;
		return ret;
	}
	col_tls.busy--;
	return core_count_ret_cold(op, req_size, bytes, ret, t0, t1);
}

#define CORE_X_COUNTER(id, layer, name, cls, dir, help) \
static int core_count_ret_##id(uint64_t req_size, uint64_t bytes, int ret, uint64_t t0, uint64_t t1) \
{ \
	return core_count_ret(VIGIL_OP_##id, req_size, bytes, ret, t0, t1); \
}
VIGIL_OPS(CORE_X_COUNTER)
#undef CORE_X_COUNTER

static const vigil_counter_ret_fn core_counters_ret[VIGIL_NOPS] = {
#define CORE_X_COUNTER(id, layer, name, cls, dir, help) \
	[VIGIL_OP_##id] = VIGIL_LAYER_##layer == VIGIL_LAYER_MPI ? core_count_ret_##id : NULL,
	VIGIL_OPS(CORE_X_COUNTER)
#undef CORE_X_COUNTER
};

VIGIL_EXPORT vigil_counter_ret_fn vigil_counter_ret(int op)
{
	return op >= 0 && op < VIGIL_NOPS ? core_counters_ret[op] : NULL;
}

static const vigil_counter_fn core_counters[VIGIL_NOPS] = {
#define CORE_X_COUNTER(id, layer, name, cls, dir, help) \
	[VIGIL_OP_##id] = VIGIL_LAYER_##layer == VIGIL_LAYER_MPI ? core_count_##id : NULL,
	VIGIL_OPS(CORE_X_COUNTER)
#undef CORE_X_COUNTER
};

VIGIL_EXPORT vigil_counter_fn vigil_counter(int op)
{
	return op >= 0 && op < VIGIL_NOPS ? core_counters[op] : NULL;
}

VIGIL_EXPORT int vigil_file_register(const char *path, int file_layer)
{
	if (!col.enabled || !path || file_layer < 0 || file_layer >= VIGIL_NFLAYERS)
		return -1;
	int saved = errno;
	col_tls.busy++;
	int r = col_file_register(AT_FDCWD, path); /* stays pinned: the caller counts on it until a close we do not see */
	col_tls.busy--;
	errno = saved;
	return r;
}

/* Per-file end offsets for callers that give offsets (MPI-IO): [file][layer]. */
static int64_t core_api_rd_end[VIGIL_FILES][VIGIL_NFLAYERS];
static int64_t core_api_wr_end[VIGIL_FILES][VIGIL_NFLAYERS];

VIGIL_EXPORT void vigil_count_file(int op, int file_id, uint64_t req_size, uint64_t bytes,
                                   int64_t offset, int failed, uint64_t t0, uint64_t t1)
{
	if (!col.enabled || op < 0 || op >= VIGIL_NOPS)
		return;
	int saved = errno;
	col_tls.busy++;
	col_count_slow(op, req_size, bytes, failed, t0, t1);
	int fl = vigil_file_layer_of(vigil_op_table[op].layer);
	if (file_id >= 0 && file_id < VIGIL_FILES && fl >= 0)
		col_file_update(file_id, fl, op, bytes, failed, offset < 0 ? COL_OFF_NONE : offset,
		                &core_api_rd_end[file_id][fl], &core_api_wr_end[file_id][fl], t0, t1);
	col_tls.busy--;
	errno = saved;
}

VIGIL_EXPORT void vigil_set_rank(int rank, int nranks, const char *mpi_impl)
{
	if (!col.enabled)
		return;
	col.ident->rank = rank;
	col.ident->nranks = nranks;
	if (mpi_impl)
		core_copy(col.ident->mpi_impl, sizeof(col.ident->mpi_impl), mpi_impl);
	__atomic_fetch_add(&col.hdr->header_changes, 1, __ATOMIC_RELEASE);
}

VIGIL_EXPORT void vigil_set_job(const char *job_id)
{
	if (!col.enabled || !job_id)
		return;
	core_copy(col.ident->job_id, sizeof(col.ident->job_id), job_id);
	__atomic_fetch_add(&col.hdr->header_changes, 1, __ATOMIC_RELEASE);
}

VIGIL_EXPORT const struct vigil_seg_header *vigil_segment(void)
{
	return col.enabled || col.frozen ? col.hdr : NULL;
}

/*
 * Process-wide pause, at no cost to the hot path (it reads `enabled`
 * anyway): the MPI reduction freezes the counts it snapshots, so that the
 * segment vigild reads ends equal to the reduced profile.
 */
VIGIL_EXPORT void vigil_freeze(void)
{
	if (col.enabled) {
		col.frozen = 1;
		__atomic_store_n(&col.enabled, 0, __ATOMIC_SEQ_CST);
	}
}

VIGIL_EXPORT void vigil_thaw(void)
{
	if (col.frozen) {
		col.frozen = 0;
		__atomic_store_n(&col.enabled, 1, __ATOMIC_SEQ_CST);
	}
}

VIGIL_EXPORT void vigil_pause(void)
{
	col_tls.paused++;
}

VIGIL_EXPORT void vigil_resume(void)
{
	if (col_tls.paused > 0)
		col_tls.paused--;
}
