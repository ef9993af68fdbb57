/*
 * run_spawn.c - launching for `vigil run`: find the collector and build the
 * preload list, give the run its ids and segment directory, check CMD, then
 * spawn it, wait like system(3), forward signals and reap adopted orphans.
 * Split from run.c (see run_internal.h).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/run_internal.h"
#include "format/image.h"
#include "format/profile.h"
#include "common/vigild_client.h"

/* ---- the collector and its preload list --------------------------------- */

static int run_is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* libvigil.so next to the vigil binary (build tree or install prefix), or $VIGIL_LIB. */
int run_find_collector(char *out, size_t len)
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
 * user had.  The one place to add a library (the MPI ones go here).
 */
char *run_build_preload(const char *collector)
{
	char asan[PATH_MAX];
	const char *parts[8];
	size_t n = 0;
	const char *rt = run_asan_runtime(asan);

	if (rt)
		parts[n++] = rt;
	parts[n++] = collector;
	/*
	 * For MPI, next to libvigil.so: the shim, which loads the collector of
	 * the MPI a process runs at its first MPI call (nothing else in the
	 * launcher and non-MPI programs); without a shim port, both collectors.
	 */
	static char mpilib[2][PATH_MAX];
	const char *m = VIGIL_MPI_PRELOAD;
	const char *slash = strrchr(collector, '/');
	int dir = slash ? (int)(slash - collector) + 1 : 0;
	for (int k = 0; k < 2 && *m; k++) {
		int len = (int)strcspn(m, ":");
		int w = snprintf(mpilib[k], sizeof(mpilib[k]), "%.*s%.*s", dir, collector, len, m);
		if (w > 0 && (size_t)w < sizeof(mpilib[k]) && run_is_file(mpilib[k]))
			parts[n++] = mpilib[k];
		m += len + (m[len] == ':');
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
int run_setup_ids(struct run_state *st)
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
	st->self_start = run_self_start();
	return 0;
}

/* ---- the segment directory ---------------------------------------------- */

int run_open_segdir(struct run_state *st)
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
	else if ((sb.st_mode & 07777) != 0700) {
		/* The collector's own rule (core.c): any other mode and it would count nothing. */
		fprintf(stderr, "vigil run: refusing the segment directory %s: its mode is %04o and the collector "
		        "uses only a directory of mode 0700 (it would count nothing); fix it with: chmod 700 %s\n",
		        st->dir, (unsigned)(sb.st_mode & 07777), st->dir);
		return -1;
	}
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

void run_warn_unobservable(const char *cmd)
{
	char path[PATH_MAX];
	struct stat sb;
	if (!run_resolve(cmd, path, sizeof(path)) || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return;
	if (vigil_image_secure(&sb, getuid(), getgid(), geteuid(), getegid())) {
		fprintf(stderr, "vigil run: warning: %s is set-user/group-ID to another user; the loader ignores "
		        "LD_PRELOAD for it, so its own I/O is not measured.\n", cmd);
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (vigil_image_static(fd, pread))
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

const struct run_reaped *run_find_reaped(const struct run_state *st, pid_t pid)
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

int run_exit_code(int status)
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
int run_spawn_wait(struct run_state *st, const struct run_opts *o)
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
	sigaddset(&fwd, SIGIO); /* inotify: a process wrote its end record (run_fold_ended) */
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		fprintf(stderr, "vigil run: pipe: %s.\n", strerror(errno));
		return RUN_EXIT_FAIL;
	}
	sigaction(SIGINT, &held, &old_int);
	sigaction(SIGQUIT, &held, &old_quit);
	sigprocmask(SIG_BLOCK, &fwd, &old_mask);
	fflush(NULL);
	st->t_start = run_now();
	vigil_reader_tsc_mark(&st->tsc_mark);
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
		run_fold_ended(st);
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


/* ---- MPI jobs (docs/MPI-COUNTING.md) -------------------------------------- */

/* The MPI ranks' reduction writes the job profile where we say; --mpi forces the implementation. */
int run_setup_mpi(struct run_state *st, const struct run_opts *o)
{
	char cwd[PATH_MAX];
	if (o->mpi && setenv("VIGIL_MPI", o->mpi, 1))
		return -1;
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/tmp");
	snprintf(st->mpi_profile, sizeof(st->mpi_profile), "%s/.vigil-mpi-%s.json", cwd, st->run_id);
	return setenv("VIGIL_PROFILE", st->mpi_profile, 1);
}

