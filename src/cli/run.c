/*
 * run.c - `vigil run [OPTIONS] [--] CMD [ARGS...]`: run a command and all its
 * descendants under the collector, then write the job's profile.
 *
 * This is the embedded, daemon-free path through vigil, so it does the whole
 * job itself:
 *   1. preload libvigil.so (and, later, the MPI collectors) into CMD, tag every
 *      process with a fresh VIGIL_RUN_ID and a job id;
 *   2. wait like system(3) (SIGINT/SIGQUIT ignored: the terminal signals CMD),
 *      forward TERM/HUP/USR1/USR2, and stay a child subreaper so orphaned
 *      descendants are reparented to us and their exit statuses are ours;
 *   3. read the segments tagged with our run id as hostile input (no mmap, no
 *      symlinks, owner and size checked), fold them into a profile, remove
 *      them, write the profile atomically and print a summary.
 * Exit status is CMD's (128+N when signal N killed it).  Errors of vigil run
 * itself before CMD starts exit 125 (like env(1)); usage errors exit 2.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/summary.h"
#include "format/profile.h"
#include "common/profile_read.h"
#include "common/vigild_client.h"

#define RUN_EXIT_USAGE 2
#define RUN_EXIT_FAIL  125
#define RUN_EXIT_NOEXEC 126
#define RUN_EXIT_NOTFOUND 127
#define RUN_SEG_MAX   (64u << 20)  /* largest segment file we copy */
#define RUN_DEFAULT_LINGER 10.0

#if defined(__SANITIZE_ADDRESS__)
#define RUN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUN_ASAN 1
#endif
#endif

struct run_opts {
	const char *profile;   /* --profile, NULL = default name */
	int quiet;
	double linger;
	const char *mpi;       /* --mpi IMPL: VIGIL_MPI for the MPI collectors, NULL = auto */
	char **cmd;            /* CMD and its arguments */
};

/* A status reaped from a child (CMD or an adopted orphan). */
struct run_reaped {
	pid_t pid;
	int status;
	double when;           /* Unix seconds */
};

struct run_state {
	int dirfd;
	char dir[PATH_MAX];
	char run_id[40];
	char job_id[64];
	char step[32];
	pid_t cmd_pid;
	int cmd_status;
	double t_start, t_end;
	struct run_reaped *reaped;
	size_t nreaped, reaped_cap;
	int no_children;       /* waitpid said ECHILD after CMD ended */
	char mpi_profile[PATH_MAX + 64]; /* VIGIL_PROFILE given to MPI ranks (docs/MPI-COUNTING.md) */
	size_t mpi_reduced;    /* segments already in that profile, left out of ours */
};

static void run_usage_hint(void)
{
	fprintf(stderr, "usage: vigil run [--profile FILE] [--quiet] [--mpi IMPL] [--linger SECONDS] [--] CMD [ARGS...]\n"
	                "Run 'vigil run --help' for details.\n");
}

static void run_help(void)
{
	printf(
"NAME\n"
"    vigil run - run a command under the vigil collector and write its job profile\n"
"\n"
"SYNOPSIS\n"
"    vigil run [--profile FILE] [--quiet] [--linger SECONDS] [--] CMD [ARGS...]\n"
"\n"
"DESCRIPTION\n"
"    Runs CMD with libvigil.so preloaded, so that CMD and every process it starts\n"
"    count their POSIX I/O, stdio and MPI calls into per-process shared-memory\n"
"    segments.  No daemon is needed.  When CMD has exited and every descendant has\n"
"    finished (or the linger time has passed), vigil run reads the segments of the\n"
"    processes it started, removes them, writes one JSON job profile\n"
"    (docs/PROFILE.md) and prints a short summary on standard error.\n"
"\n"
"    vigil run is a child subreaper: descendants whose parent exits are adopted,\n"
"    so daemons started by CMD are followed too.  Like system(3), it ignores\n"
"    SIGINT and SIGQUIT while CMD runs (the terminal delivers them to CMD) and\n"
"    forwards SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to CMD.  Once CMD has exited,\n"
"    Ctrl-C (SIGINT, SIGQUIT, SIGTERM or SIGHUP) stops waiting for descendants\n"
"    and writes the profile.  Statically linked and\n"
"    setuid programs cannot be observed (the loader ignores LD_PRELOAD); vigil run\n"
"    warns when CMD is one of them.\n"
"\n"
"OPTIONS\n"
"    --profile FILE, -o FILE\n"
"                      Write the profile to FILE.  An existing FILE is never\n"
"                      replaced: the profile is then not written (error message).\n"
"                      Default: ./vigil-JOBID.json (./vigil-JOBID.STEP.json with a\n"
"                      batch step); if that exists, ./vigil-JOBID.N.json.\n"
"    --quiet, -q       Do not print the summary.\n"
"    --mpi IMPL        MPI of the programs (openmpi, mpich, none, or auto, the\n"
"                      default).  Each process's MPI is recognised at its first\n"
"                      MPI call; IMPL decides only when it cannot be (e.g. an MPI\n"
"                      loaded with dlopen), and none turns MPI counting off.\n"
"                      Same as VIGIL_MPI=IMPL.\n"
"    --linger SECONDS  After CMD exits, wait at most SECONDS for descendants that\n"
"                      are still running (default 10).  Those still running then\n"
"                      are left running and marked \"running\" in the profile\n"
"                      (flag \"survivors\").\n"
"    --help, -h        Show this help.\n"
"    --                End of options: everything after it is CMD.\n"
"\n"
"ENVIRONMENT\n"
"    VIGIL_DIR       Segment directory (default /dev/shm/vigil-UID/, created 0700).\n"
"                    It must be a real directory owned by you and not writable by\n"
"                    others.  A relative path is taken from the current directory\n"
"                    (CMD gets the absolute path).\n"
"    VIGIL_JOB_ID    Job id.  Else SLURM_JOB_ID (with SLURM_STEP_ID), PBS_JOBID,\n"
"                    LSB_JOBID or FLUX_JOB_ID; else vigil run generates one and\n"
"                    exports it as VIGIL_JOB_ID.\n"
"    VIGIL_LIB       Path of the collector library (default: ../lib/libvigil.so or\n"
"                    ../lib/vigil/libvigil.so next to the vigil binary).\n"
"    LD_PRELOAD      Kept: the collector is put in front of what is there.\n"
"    VIGIL_DISABLE   1: the collector counts nothing (the profile is empty).\n"
"    VIGIL_DEBUG     1: the collector says on standard error why it does not count.\n"
"    vigil run sets VIGIL_RUN_ID for CMD; it tags the segments it collects.\n"
"\n"
"EXIT STATUS\n"
"    CMD's exit status, or 128+N when CMD was killed by signal N.\n"
"    126  CMD was found but could not be executed.\n"
"    127  CMD was not found.\n"
"    125  vigil run could not start (collector or segment directory unusable).\n"
"    2    Wrong usage (unknown option, no command).\n"
"    A profile that cannot be written is reported on standard error but does not\n"
"    change the exit status.\n"
"\n"
"EXAMPLES\n"
"    vigil run -- ./my_app input.dat\n"
"    vigil run --profile run1.json -- ./my_app\n"
"    vigil run --quiet -- mpirun -np 4 ./app && vigil report vigil-*.json\n"
"    vigil run --linger 0 -- ./start_server.sh\n");
}

/* ---- options ----------------------------------------------------------- */

static int run_parse_linger(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Returns 0, 1 for --help, or -1 after printing a usage error. */
static int run_parse_args(int argc, char **argv, struct run_opts *o)
{
	int i;
	o->profile = NULL;
	o->quiet = 0;
	o->linger = RUN_DEFAULT_LINGER;
	o->mpi = NULL;
	o->cmd = NULL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return 1;
		if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			o->quiet = 1;
		} else if (!strcmp(a, "--profile") || !strcmp(a, "-o")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				fprintf(stderr, "vigil run: %s needs a file name.\n", a);
				goto usage;
			}
			o->profile = argv[++i];
		} else if (!strncmp(a, "--profile=", 10) && a[10]) {
			o->profile = a + 10;
		} else if (!strcmp(a, "--mpi") || !strncmp(a, "--mpi=", 6)) {
			o->mpi = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
			/* the names src/mpi understands (the MPICH ABI family under its members' names) */
			static const char *const known[] = { "auto", "none", "openmpi", "ompi", "open-mpi", "mpich",
				"intel", "impi", "intelmpi", "cray", "mvapich", "mvapich2" };
			size_t k = 0;
			while (o->mpi && k < sizeof(known) / sizeof(known[0]) && strcasecmp(o->mpi, known[k]))
				k++;
			if (!o->mpi || k == sizeof(known) / sizeof(known[0])) {
				fprintf(stderr, "vigil run: --mpi needs an MPI implementation: openmpi, mpich (also intel, cray, "
				        "mvapich), none or auto.\n");
				goto usage;
			}
		} else if (!strcmp(a, "--linger") || !strncmp(a, "--linger=", 9)) {
			const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || run_parse_linger(v, &o->linger)) {
				fprintf(stderr, "vigil run: --linger needs a number of seconds (e.g. --linger 5).\n");
				goto usage;
			}
		} else {
			fprintf(stderr, "vigil run: unknown option '%s'.\n", a);
			goto usage;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "vigil run: no command given.\n");
		goto usage;
	}
	o->cmd = argv + i;
	return 0;
usage:
	run_usage_hint();
	return -1;
}

/* ---- the collector and its preload list --------------------------------- */

static int run_is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* libvigil.so next to the vigil binary (build tree or install prefix), or $VIGIL_LIB. */
static int run_find_collector(char *out, size_t len)
{
	const char *env = getenv("VIGIL_LIB");
	if (env && *env) {
		if (!run_is_file(env)) {
			fprintf(stderr, "vigil run: VIGIL_LIB=%s is not a file.\n", env);
			return -ENOENT;
		}
		if (!realpath(env, out))
			return -errno;
		return 0;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -errno;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	static const char *const rel[] = { "/../lib/libvigil.so", "/../lib/vigil/libvigil.so",
	                                   "/../lib64/libvigil.so", "/../lib64/vigil/libvigil.so" };
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char cand[PATH_MAX + 64];
		snprintf(cand, sizeof(cand), "%s%s", self, rel[i]);
		if (run_is_file(cand) && realpath(cand, out) && strlen(out) < len)
			return 0;
	}
	fprintf(stderr, "vigil run: cannot find the collector libvigil.so (looked in %s/../lib "
	        "and %s/../lib/vigil); set VIGIL_LIB to its path.\n", self, self);
	return -ENOENT;
}

#ifdef RUN_ASAN
static int run_asan_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	char *out = data;
	const char *n = info->dlpi_name;
	if (n && (strstr(n, "/libasan.so") || strstr(n, "libclang_rt.asan"))) {
		snprintf(out, PATH_MAX, "%s", n);
		return 1;
	}
	return 0;
}
#endif

/*
 * The ASan runtime this vigil was built with, which must come first in
 * LD_PRELOAD when the collector is ASan-built too.  Found among our own
 * loaded objects (gcc links it dynamically), else the build-time path.
 */
static const char *run_asan_runtime(char *buf)
{
#ifdef RUN_ASAN
	buf[0] = '\0';
	dl_iterate_phdr(run_asan_cb, buf);
	if (buf[0])
		return buf;
#ifdef VIGIL_ASAN_RUNTIME
	snprintf(buf, PATH_MAX, "%s", VIGIL_ASAN_RUNTIME);
	return buf;
#endif
#endif
	(void)buf;
	return NULL;
}

/*
 * The whole LD_PRELOAD for CMD: sanitizer runtime, collectors, then what the
 * user had.  The one place to add a library (the MPI collectors go here).
 */
static char *run_build_preload(const char *collector)
{
	char asan[PATH_MAX];
	const char *parts[8];
	size_t n = 0;
	const char *rt = run_asan_runtime(asan);

	if (rt)
		parts[n++] = rt;
	parts[n++] = collector;
	/*
	 * The MPI collectors, next to libvigil.so, all of them: each finds out
	 * at the first MPI call whether the process runs its MPI, and forwards
	 * otherwise (the launcher and non-MPI programs never call MPI).
	 */
	static char mpilib[2][PATH_MAX];
	static const char *const impls[2] = { "openmpi", "mpich" };
	for (int k = 0; k < 2; k++) {
		snprintf(mpilib[k], sizeof(mpilib[k]), "%s", collector);
		char *slash = strrchr(mpilib[k], '/');
		if (slash && (size_t)(slash - mpilib[k]) + 40 < sizeof(mpilib[k])) {
			sprintf(slash + 1, "libvigil-mpi-%s.so", impls[k]);
			if (run_is_file(mpilib[k]))
				parts[n++] = mpilib[k];
		}
	}
	const char *old = getenv("LD_PRELOAD");
	if (old && *old)
		parts[n++] = old;

	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, ":");
		strcat(s, parts[i]);
	}
	return s;
}

/* ---- identity of the run ------------------------------------------------ */

static double run_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_short_host(char *out, size_t len)
{
	char host[256] = "host";
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	size_t k = 0;
	for (const char *c = host; *c && *c != '.' && k + 1 < len; c++)
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-')
			out[k++] = *c;
	out[k] = '\0';
	if (!k)
		snprintf(out, len, "host");
}

static uint32_t run_random32(void)
{
	uint32_t r = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &r, sizeof(r)) != sizeof(r))
			r = 0;
		close(fd);
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return r ^ (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
}

/* The job id the collector will pick (same order), else a generated one that we export. */
static int run_setup_ids(struct run_state *st)
{
	static const char *const vars[] = { "VIGIL_JOB_ID", "SLURM_JOB_ID", "PBS_JOBID",
	                                    "LSB_JOBID", "FLUX_JOB_ID" };
	char host[24];
	run_short_host(host, sizeof(host));
	time_t now = time(NULL);

	st->job_id[0] = '\0';
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) {
			snprintf(st->job_id, sizeof(st->job_id), "%s", v);
			break;
		}
	}
	if (!st->job_id[0]) {
		struct tm tm;
		localtime_r(&now, &tm);
		char stamp[32];
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(st->job_id, sizeof(st->job_id), "%.24s-%.15s-%ld", host, stamp, (long)getpid());
		if (setenv("VIGIL_JOB_ID", st->job_id, 1))
			return -errno;
	}
	const char *step = getenv("SLURM_STEP_ID");
	snprintf(st->step, sizeof(st->step), "%s", step && getenv("SLURM_JOB_ID") ? step : "");

	char h12[13]; /* the host's first 12 bytes keep run ids short */
	size_t hl = strnlen(host, sizeof(h12) - 1);
	memcpy(h12, host, hl);
	h12[hl] = '\0';
	snprintf(st->run_id, sizeof(st->run_id), "%s-%ld-%lx-%08x", h12, (long)getpid(),
	         (unsigned long)now, run_random32());
	if (setenv("VIGIL_RUN_ID", st->run_id, 1))
		return -errno;
	return 0;
}

/* ---- the segment directory ---------------------------------------------- */

static int run_open_segdir(struct run_state *st)
{
	const char *env = getenv("VIGIL_DIR");
	struct stat sb;
	uid_t uid = geteuid();

	if (env && *env && *env != '/') {
		/*
		 * Relative to each process's working directory, a descendant that
		 * changed directory would put its segment elsewhere (lost, left
		 * behind): CMD gets the absolute path.
		 */
		char cwd[PATH_MAX];
		int err = 0;
		if (!getcwd(cwd, sizeof(cwd)))
			err = errno;
		else if ((size_t)snprintf(st->dir, sizeof(st->dir), "%s/%s", cwd, env) >= sizeof(st->dir))
			err = ENAMETOOLONG;
		if (err) {
			fprintf(stderr, "vigil run: cannot make VIGIL_DIR=%s an absolute path: %s.\n", env,
			        strerror(err));
			return -1;
		}
		if (setenv("VIGIL_DIR", st->dir, 1)) {
			fprintf(stderr, "vigil run: cannot set VIGIL_DIR: %s.\n", strerror(errno));
			return -1;
		}
	} else if (env && *env) {
		snprintf(st->dir, sizeof(st->dir), "%s", env);
	} else {
		snprintf(st->dir, sizeof(st->dir), "/dev/shm/vigil-%u", (unsigned)uid);
	}
	if (mkdir(st->dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "vigil run: cannot create the segment directory %s: %s.\n",
		        st->dir, strerror(errno));
		return -1;
	}
	const char *why = NULL;
	if (lstat(st->dir, &sb) != 0)
		why = strerror(errno);
	else if (S_ISLNK(sb.st_mode))
		why = "it is a symbolic link";
	else if (!S_ISDIR(sb.st_mode))
		why = "it is not a directory";
	else if (sb.st_uid != uid)
		why = "it is not owned by you";
	else if (sb.st_mode & 022)
		why = "others can write to it";
	if (!why) {
		st->dirfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (st->dirfd < 0)
			why = strerror(errno);
		else if (fstat(st->dirfd, &sb) != 0 || sb.st_uid != uid)
			why = "it changed while being opened";
	}
	if (why) {
		fprintf(stderr, "vigil run: refusing to use the segment directory %s: %s "
		        "(set VIGIL_DIR to a directory of your own, mode 0700).\n", st->dir, why);
		return -1;
	}
	return 0;
}

/* ---- CMD checks --------------------------------------------------------- */

/* Where execvp would find `cmd`, or 0 when not found. */
static int run_resolve(const char *cmd, char *out, size_t len)
{
	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		return 1;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		int dl = (int)(end - path);
		snprintf(out, len, "%.*s%s%s", dl, path, dl ? "/" : "", cmd);
		if (access(out, X_OK) == 0 && run_is_file(out))
			return 1;
		path = *end ? end + 1 : end;
	}
	return 0;
}

/* 1 when the ELF at fd has no program interpreter (static), 0 otherwise or not ELF. */
static int run_elf_static(int fd)
{
	unsigned char e[EI_NIDENT];
	if (pread(fd, e, sizeof(e), 0) != (ssize_t)sizeof(e) || memcmp(e, ELFMAG, SELFMAG) != 0)
		return 0;
	uint64_t phoff;
	unsigned phnum, phentsize;
	if (e[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr h;
		if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
			return 0;
		phoff = h.e_phoff, phnum = h.e_phnum, phentsize = h.e_phentsize;
	} else if (e[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr h;
		if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
			return 0;
		phoff = h.e_phoff, phnum = h.e_phnum, phentsize = h.e_phentsize;
	} else {
		return 0;
	}
	if (phentsize < sizeof(uint32_t) || phnum > 4096)
		return 0;
	for (unsigned i = 0; i < phnum; i++) {
		uint32_t type;
		if (pread(fd, &type, sizeof(type), (off_t)(phoff + (uint64_t)i * phentsize)) != sizeof(type))
			return 0;
		if (type == PT_INTERP)
			return 0;
	}
	return 1;
}

static void run_warn_unobservable(const char *cmd)
{
	char path[PATH_MAX];
	struct stat sb;
	if (!run_resolve(cmd, path, sizeof(path)) || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return;
	if (sb.st_mode & (S_ISUID | S_ISGID)) {
		fprintf(stderr, "vigil run: warning: %s is set-user/group-ID; the loader ignores LD_PRELOAD "
		        "for it, so its own I/O is not measured.\n", cmd);
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (run_elf_static(fd))
		fprintf(stderr, "vigil run: warning: %s is statically linked; the collector cannot be "
		        "preloaded into it, so its own I/O is not measured.\n", cmd);
	close(fd);
}

/* ---- running and waiting ------------------------------------------------ */

static void run_record(struct run_state *st, pid_t pid, int status)
{
	if (st->nreaped == st->reaped_cap) {
		size_t cap = st->reaped_cap ? st->reaped_cap * 2 : 64;
		struct run_reaped *r = realloc(st->reaped, cap * sizeof(*r));
		if (!r)
			return; /* only a lost exit status: the profile says "killed" without a signal */
		st->reaped = r;
		st->reaped_cap = cap;
	}
	st->reaped[st->nreaped++] = (struct run_reaped){ pid, status, run_now() };
}

static const struct run_reaped *run_find_reaped(const struct run_state *st, pid_t pid)
{
	for (size_t i = st->nreaped; i-- > 0;)
		if (st->reaped[i].pid == pid)
			return &st->reaped[i];
	return NULL;
}

/* Reap every child that changed state; returns 1 when CMD has ended. */
static int run_reap(struct run_state *st, int *cmd_done)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			run_record(st, pid, status);
			if (pid == st->cmd_pid) {
				st->cmd_status = status;
				*cmd_done = 1;
			}
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		st->no_children = pid < 0 && errno == ECHILD;
		return *cmd_done;
	}
}

static int run_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* SIGINT and SIGQUIT are blocked and taken by sigtimedwait; a no-op handler (not SIG_IGN,
 * which would discard them) so that one still pending when they are unblocked is harmless. */
static void run_no_op(int sig)
{
	(void)sig;
}

/*
 * Start CMD and wait until it and every adopted descendant are gone (or the
 * linger time after CMD's end).  While CMD runs, SIGINT and SIGQUIT are
 * ignored (system(3)); once it has ended they stop the lingering, like
 * SIGTERM and SIGHUP.  Returns 0, or the exit code for an exec failure
 * (126/127) after printing why.
 */
static int run_spawn_wait(struct run_state *st, const struct run_opts *o)
{
	sigset_t fwd, old_mask;
	struct sigaction held = { .sa_handler = run_no_op }, old_int, old_quit;
	int pfd[2];

	sigemptyset(&fwd);
	sigaddset(&fwd, SIGCHLD);
	sigaddset(&fwd, SIGTERM);
	sigaddset(&fwd, SIGHUP);
	sigaddset(&fwd, SIGUSR1);
	sigaddset(&fwd, SIGUSR2);
	sigaddset(&fwd, SIGINT);
	sigaddset(&fwd, SIGQUIT);
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		fprintf(stderr, "vigil run: pipe: %s.\n", strerror(errno));
		return RUN_EXIT_FAIL;
	}
	sigaction(SIGINT, &held, &old_int);
	sigaction(SIGQUIT, &held, &old_quit);
	sigprocmask(SIG_BLOCK, &fwd, &old_mask);
	fflush(NULL);
	st->t_start = run_now();
	pid_t pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		close(pfd[0]);
		execvp(o->cmd[0], o->cmd);
		int err = errno;
		if (write(pfd[1], &err, sizeof(err)) < 0)
			_exit(RUN_EXIT_NOEXEC);
		_exit(err == ENOENT ? RUN_EXIT_NOTFOUND : RUN_EXIT_NOEXEC);
	}
	close(pfd[1]);
	if (pid < 0) {
		fprintf(stderr, "vigil run: cannot start %s: %s.\n", o->cmd[0], strerror(errno));
		close(pfd[0]);
		return RUN_EXIT_FAIL;
	}
	st->cmd_pid = pid;

	int err = 0;
	ssize_t got;
	while ((got = read(pfd[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(pfd[0]);
	if (got == (ssize_t)sizeof(err)) {
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (err == ENOENT)
			fprintf(stderr, "vigil run: %s: command not found.\n", o->cmd[0]);
		else
			fprintf(stderr, "vigil run: %s: cannot execute: %s.\n", o->cmd[0], strerror(err));
		return err == ENOENT ? RUN_EXIT_NOTFOUND : RUN_EXIT_NOEXEC;
	}

	int cmd_done = 0;
	double deadline = 0;
	for (;;) {
		if (run_reap(st, &cmd_done)) {
			if (deadline == 0)
				deadline = run_now() + o->linger;
			if (st->no_children || run_now() >= deadline)
				break;
		}
		double wait = 0.25;
		if (cmd_done && deadline - run_now() < wait)
			wait = deadline - run_now();
		if (wait < 0)
			wait = 0;
		struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
		siginfo_t si;
		int sig = sigtimedwait(&fwd, &si, &ts);
		if (sig == SIGTERM || sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2) {
			if (!cmd_done)
				kill(st->cmd_pid, sig);
			else if (sig == SIGTERM || sig == SIGHUP)
				deadline = run_now(); /* asked to stop: stop lingering */
		} else if ((sig == SIGINT || sig == SIGQUIT) && cmd_done) {
			deadline = run_now(); /* Ctrl-C while lingering: stop waiting, write the profile */
		}
	}
	st->t_end = run_now();
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return 0;
}

/* ---- collecting segments ------------------------------------------------ */

/*
 * What happens to a segment once its counts are in the profile.  With no
 * daemon it is removed so nothing is left in /dev/shm.  (When vigild runs it
 * will set the header's reader_mark instead, so the daemon still sees the
 * final counts: that decision belongs here and only here.)
 */
static void run_dispose_segment(const struct run_state *st, const char *name)
{
	vigil_daemon_release_segment(st->dirfd, name, 1);
}

/* /proc/<pid>/stat field 22 matches: the process that wrote the segment still runs. */
static int run_still_alive(pid_t pid, uint64_t proc_start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* after ")": field 3 (state) ... field 22 (starttime) */
	char state = p[2];
	if (state == 'Z' || state == 'X')
		return 0;
	int field = 2;
	for (; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	/* A segment without a start time (0) can only be matched by pid. */
	return proc_start == 0 || strtoull(p, NULL, 10) == proc_start;
}

/* Copy of a segment file if it is ours (run id); NULL otherwise. */
static unsigned char *run_read_segment(const struct run_state *st, const char *name, size_t *len)
{
	unsigned char *buf = NULL;
	struct stat sb;
	int fd = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
	    sb.st_size < (off_t)sizeof(struct vigil_seg_header) || sb.st_size > (off_t)RUN_SEG_MAX)
		goto fail;
	/* The identity normally lies in the first page: check the run id before copying it all. */
	struct vigil_seg_header h;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		goto fail;
	if (h.ident_offset <= (uint64_t)sb.st_size - sizeof(struct vigil_seg_identity)) {
		char rid[sizeof(((struct vigil_seg_identity *)0)->run_id)];
		off_t at = (off_t)(h.ident_offset + offsetof(struct vigil_seg_identity, run_id));
		if (pread(fd, rid, sizeof(rid), at) != (ssize_t)sizeof(rid) ||
		    strncmp(rid, st->run_id, sizeof(rid)) != 0)
			goto fail;
	}
	buf = malloc((size_t)sb.st_size);
	if (!buf)
		goto fail;
	size_t done = 0;
	while (done < (size_t)sb.st_size) {
		ssize_t n = pread(fd, buf + done, (size_t)sb.st_size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	*len = done;
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* Fill in what only the reaper knows: survivors, signals, exit statuses without end records. */
static void run_fix_process(struct run_state *st, struct vigil_profile *p, struct vigil_procstat *ps,
                            const struct vigil_seg_view *v)
{
	const struct run_reaped *r = run_find_reaped(st, ps->pid);
	if (r && WIFSIGNALED(r->status)) {
		ps->state = VIGIL_PROC_KILLED;
		ps->term_signal = WTERMSIG(r->status);
		ps->end = r->when;
		return;
	}
	if (v->hdr->state == VIGIL_STATE_ENDED)
		return;
	if (r && WIFEXITED(r->status)) {
		ps->state = VIGIL_PROC_EXITED; /* ended without the collector's end record (_exit) */
		ps->exit_status = WEXITSTATUS(r->status);
		ps->end = r->when;
	} else if (run_still_alive(ps->pid, v->id->proc_start)) {
		ps->state = VIGIL_PROC_RUNNING;
		ps->end = 0;
		p->survivors++;
	}
}

static int run_collect(struct run_state *st, struct vigil_profile *p)
{
	int dfd = dup(st->dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;
	double calib = 0;
	int have_cmd = 0, rc = 0;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		size_t nl = strlen(e->d_name), sl = strlen(VIGIL_SEG_SUFFIX);
		if (nl <= sl || strcmp(e->d_name + nl - sl, VIGIL_SEG_SUFFIX) != 0)
			continue;
		size_t len = 0;
		unsigned char *buf = run_read_segment(st, e->d_name, &len);
		if (!buf)
			continue;
		struct vigil_seg_view v;
		const char *why;
		if (calib == 0)
			calib = vigil_reader_tsc_seconds();
		int prc = vigil_seg_parse(buf, len, calib, &v, &why);
		if (prc == 0 && strcmp(v.id->run_id, st->run_id) != 0) {
			free(buf); /* not ours after all (unusual layout) */
			continue;
		}
		if (prc == 0 && v.hdr->reserved[VIGIL_SEG_MPI_REDUCED_SLOT] == VIGIL_SEG_MPI_REDUCED) {
			st->mpi_reduced++; /* an MPI rank already in the job profile its ranks wrote */
			run_dispose_segment(st, e->d_name);
			free(buf);
			continue;
		}
		if (prc == 0) {
			rc = vigil_profile_add_segment(p, &v);
			if (rc == 0) {
				run_fix_process(st, p, &p->procs[p->nprocs - 1], &v);
				have_cmd |= v.id->pid == st->cmd_pid;
			}
		} else {
			p->flags |= VIGIL_PFLAG_REJECTED;
			fprintf(stderr, "vigil run: ignored segment %s: %s.\n", e->d_name, why);
		}
		run_dispose_segment(st, e->d_name);
		free(buf);
		if (rc)
			break;
	}
	closedir(d);
	if (!have_cmd && !st->mpi_reduced)
		p->flags |= VIGIL_PFLAG_SEGMENT_FAILED;
	return rc;
}

static int run_proc_cmp(const void *a, const void *b)
{
	const struct vigil_procstat *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* ---- the profile file --------------------------------------------------- */

/* Job ids come from the environment: anything outside [A-Za-z0-9._-] becomes %XX. */
static void run_escape_name(char *out, size_t len, const char *s)
{
	size_t k = 0;
	for (; *s && k + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-')
			out[k++] = (char)c;
		else
			k += (size_t)snprintf(out + k, len - k, "%%%02X", c);
	}
	out[k] = '\0';
}

/* Writes the profile; on success *where is its path (static buffer). */
static int run_save(const struct run_state *st, const struct run_opts *o,
                    const struct vigil_profile *p, const char **where)
{
	static char path[PATH_MAX];
	*where = NULL;
	if (o->profile) {
		int rc = vigil_profile_save(p, o->profile, 0644);
		if (rc == -EEXIST)
			fprintf(stderr, "vigil run: %s already exists; vigil never replaces a profile, "
			        "so this run's profile was not written.\n", o->profile);
		else if (rc)
			fprintf(stderr, "vigil run: cannot write the profile %s: %s.\n", o->profile, strerror(-rc));
		else
			*where = o->profile;
		return rc;
	}
	char job[3 * 64 + 1], step[3 * 32 + 2] = "", first[PATH_MAX] = "";
	run_escape_name(job, sizeof(job), st->job_id);
	if (st->step[0]) {
		step[0] = '.';
		run_escape_name(step + 1, sizeof(step) - 1, st->step);
	}
	int rc = 0;
	for (int n = 0; n < 1000; n++) {
		if (n == 0)
			snprintf(path, sizeof(path), "vigil-%s%s.json", job, step);
		else
			snprintf(path, sizeof(path), "vigil-%s%s.%d.json", job, step, n);
		rc = vigil_profile_save(p, path, 0644);
		if (rc != -EEXIST)
			break;
		if (n == 0)
			snprintf(first, sizeof(first), "%s", path);
	}
	if (rc) {
		fprintf(stderr, "vigil run: cannot write the profile %s: %s.\n", path, strerror(-rc));
		return rc;
	}
	if (first[0] && strcmp(first, path))
		fprintf(stderr, "vigil run: %s already exists; profile written to %s instead.\n", first, path);
	*where = path;
	return 0;
}

static void run_user(struct vigil_profile *p)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	p->uid = (uint32_t)geteuid();
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
		vigil_profile_set_str(&p->user, pw.pw_name);
	else {
		char num[16];
		snprintf(num, sizeof(num), "%u", (unsigned)p->uid);
		vigil_profile_set_str(&p->user, num);
	}
}

static void run_join_command(struct vigil_profile *p, char **cmd)
{
	size_t len = 1;
	for (char **a = cmd; *a; a++)
		len += strlen(*a) + 1;
	char *s = malloc(len);
	if (!s)
		return;
	s[0] = '\0';
	for (char **a = cmd; *a; a++) {
		if (a != cmd)
			strcat(s, " ");
		strcat(s, *a);
	}
	free(p->command);
	p->command = s;
}

/* ---- MPI jobs (docs/MPI-COUNTING.md) -------------------------------------- */

/* The MPI ranks' reduction writes the job profile where we say; --mpi forces the implementation. */
static int run_setup_mpi(struct run_state *st, const struct run_opts *o)
{
	char cwd[PATH_MAX];
	if (o->mpi && setenv("VIGIL_MPI", o->mpi, 1))
		return -1;
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/tmp");
	snprintf(st->mpi_profile, sizeof(st->mpi_profile), "%s/.vigil-mpi-%s.json", cwd, st->run_id);
	return setenv("VIGIL_PROFILE", st->mpi_profile, 1);
}

/*
 * When our ranks wrote a job profile (rank 0 ran under this vigil run), it
 * becomes ours with our own non-rank processes (mpirun, daemons) merged in.
 * When ranks were reduced but the profile is elsewhere (this vigil run
 * wrapped another rank: `mpirun vigil run -- app`), we write nothing.
 * Returns 0 when *p is to be saved.
 */
static int run_merge_mpi(struct run_state *st, struct vigil_profile *p)
{
	struct vigil_profile q;
	char err[256];
	if (access(st->mpi_profile, F_OK) != 0)
		return st->mpi_reduced ? 1 : 0;
	vigil_profile_init(&q);
	int rc = vigil_profile_load(st->mpi_profile, &q, err, sizeof(err));
	unlink(st->mpi_profile);
	if (rc) {
		fprintf(stderr, "vigil run: cannot read the MPI job profile: %s.\n", err);
		vigil_profile_free(&q);
		return 0;
	}
	if (p->nprocs)
		rc = vigil_profile_merge(&q, p);
	if (rc == 0) {
		vigil_profile_set_str(&q.command, p->command);
		vigil_profile_free(p);
		*p = q;
		return 0;
	}
	vigil_profile_free(&q);
	return 0;
}

/* ---- entry point -------------------------------------------------------- */

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct run_state st;
	struct vigil_profile p;
	char lib[PATH_MAX];
	char *preload = NULL;
	int exit_code;

	memset(&st, 0, sizeof(st));
	st.dirfd = -1;
	vigil_profile_init(&p);
	int prc = run_parse_args(argc, argv, &o);
	if (prc != 0) {
		if (prc == 1)
			run_help();
		exit_code = prc == 1 ? 0 : RUN_EXIT_USAGE;
		goto out;
	}
	exit_code = RUN_EXIT_FAIL;
	if (run_find_collector(lib, sizeof(lib)) || run_open_segdir(&st))
		goto out;
	if (!(preload = run_build_preload(lib)) || setenv("LD_PRELOAD", preload, 1) ||
	    run_setup_ids(&st) || run_setup_mpi(&st, &o)) {
		fprintf(stderr, "vigil run: cannot set up the environment: %s.\n", strerror(errno));
		goto out;
	}
#ifdef RUN_ASAN
	/* The sanitizer runtime is preloaded into programs that were not built for it: no leak reports. */
	const char *ao = getenv("ASAN_OPTIONS");
	if (!ao || !strstr(ao, "detect_leaks")) {
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s%sdetect_leaks=0", ao ? ao : "", ao && *ao ? ":" : "");
		setenv("ASAN_OPTIONS", buf, 1);
	}
#endif
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		fprintf(stderr, "vigil run: warning: cannot become a subreaper (%s); orphaned "
		        "descendants are not followed.\n", strerror(errno));
	run_warn_unobservable(o.cmd[0]);

	int src = run_spawn_wait(&st, &o);
	if (src) {
		exit_code = src;
		goto out;
	}
	exit_code = run_exit_code(st.cmd_status);

	vigil_profile_set_str(&p.generator, "vigil run");
	vigil_profile_set_str(&p.job_id, st.job_id);
	vigil_profile_set_str(&p.step, st.step);
	run_user(&p);
	run_join_command(&p, o.cmd);
	p.start = st.t_start;
	p.end = st.t_end;
	/* The grid is known now: every process lands on it without re-splitting. */
	p.timeline.start = st.t_start;
	p.timeline.bin_seconds = st.t_end > st.t_start ? (st.t_end - st.t_start) / VIGIL_TL_BINS : 1e-6;
	int crc = run_collect(&st, &p);
	if (crc)
		fprintf(stderr, "vigil run: reading the segments failed: %s; the profile is incomplete.\n",
		        strerror(-crc));
	if (p.nprocs > 1)
		qsort(p.procs, p.nprocs, sizeof(*p.procs), run_proc_cmp);
	const char *off = getenv("VIGIL_DISABLE");
	if (p.nprocs == 0 && !st.mpi_reduced && off && *off == '1')
		fprintf(stderr, "vigil run: no process of %s was observed: VIGIL_DISABLE=%s turns the "
		        "collector off.\n", o.cmd[0], off);
	else if (p.nprocs == 0 && !st.mpi_reduced)
		fprintf(stderr, "vigil run: no process of %s was observed (is the collector working? "
		        "VIGIL_DEBUG=1 tells why).\n", o.cmd[0]);

	const char *where = NULL;
	if (run_merge_mpi(&st, &p) == 0)
		run_save(&st, &o, &p, &where);
	if (!o.quiet)
		summary_print(stderr, &p, where);
out:
	if (st.dirfd >= 0)
		close(st.dirfd);
	free(st.reaped);
	free(preload);
	vigil_profile_free(&p);
	return exit_code;
}
