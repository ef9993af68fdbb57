/*
 * proc.c - exec and posix_spawn: know when a process leaves what vigil sees.
 *
 * An exec'd image normally loads the collector again and re-attaches to the
 * process's segment (core.c).  It cannot when the image is static, runs in
 * secure mode (set-user/group-ID to another user: the loader ignores
 * LD_PRELOAD), or was started with LD_PRELOAD removed (env -i).  Every exec
 * wrapper therefore records the target and sets VIGIL_FLAG_EXEC_UNMONITORED
 * before the real call; the new image clears it when it re-attaches, a failed
 * exec clears it on return.  Whatever remains once the process is gone is an
 * exec into an image vigil did not measure, and readers label the process
 * with that image (docs/COLLECTOR.md, "What is flagged").
 *
 * posix_spawn's child never runs our code before its exec (glibc clones with
 * CLONE_VM|CLONE_VFORK and execs directly), so there the verdict is a
 * prediction (format/image.h, and LD_PRELOAD in the child's environment),
 * recorded on the spawning process (VIGIL_FLAG_SPAWN_UNMONITORED).  glibc's execl*, execv*, system and
 * popen reach the kernel through internal aliases, so each exported spelling
 * is wrapped here.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "collector/col.h"
#include "format/image.h"

#define PROC_ARGS_MAX 4096 /* execl* argument lists longer than this fail with E2BIG */

extern char **environ;

static ssize_t proc_pread(int fd, void *buf, size_t len, off_t off)
{
	return col_sys(SYS_pread64, fd, (long)buf, (long)len, (long)off);
}

/* `file` looked up in $PATH as execvp does (first executable regular file), into out. */
static const char *proc_resolve(const char *file, char *out, size_t cap)
{
	if (!file || strchr(file, '/') || !*file)
		return file;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	size_t fl = strlen(file);
	while (*path) {
		const char *end = strchrnul(path, ':');
		size_t dl = (size_t)(end - path);
		if (dl + 1 + fl < cap) {
			memcpy(out, path, dl);
			size_t n = dl;
			if (dl)
				out[n++] = '/';
			memcpy(out + n, file, fl + 1);
			struct stat st;
			if (col_sys(SYS_faccessat, AT_FDCWD, (long)out, X_OK, 0) == 0 &&
			    col_sys(SYS_newfstatat, AT_FDCWD, (long)out, (long)&st, 0) == 0 && S_ISREG(st.st_mode))
				return out;
		}
		path = *end ? end + 1 : end;
	}
	return file;
}

/* Does envp preload this collector?  (Its file name in LD_PRELOAD.) */
static int proc_env_preloads(char *const envp[])
{
	static const char *self;
	if (!self) {
		Dl_info info;
		const char *p = dladdr((void *)proc_env_preloads, &info) && info.dli_fname ? info.dli_fname : "libvigil.so";
		const char *slash = strrchr(p, '/');
		self = slash ? slash + 1 : p;
	}
	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11) == 0)
			return strstr(*e + 11, self) != NULL;
	return 0;
}

/* Will a child exec'ing `path` with `envp` run without the collector? */
static int proc_blind(const char *path, char *const envp[])
{
	if (!proc_env_preloads(envp))
		return 1;
	struct stat st;
	if (col_sys(SYS_newfstatat, AT_FDCWD, (long)path, (long)&st, 0) != 0 || !S_ISREG(st.st_mode))
		return 0; /* the spawn fails */
	if (vigil_image_secure(&st, getuid(), getgid(), geteuid(), getegid()))
		return 1;
	long fd = col_sys(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	int stat_img = vigil_image_static((int)fd, proc_pread);
	col_sys(SYS_close, fd, 0, 0, 0);
	return stat_img;
}

/*
 * Mark before the exec, clear again when it failed.  A vfork child shares
 * its parent's memory (and segment) and has no segment of its own: there the
 * verdict is predicted, as for posix_spawn, and recorded on the parent.
 */
static void proc_begin(const char *target, char *const envp[])
{
	if (!col.hdr)
		return;
	int saved = errno;
	col_tls.busy++;
	if (!target)
		target = "";
	if ((int32_t)syscall(SYS_getpid) == col.ident->pid)
		col_exec_begin(target, VIGIL_FLAG_EXEC_UNMONITORED);
	else if (proc_blind(target, envp))
		col_exec_begin(target, VIGIL_FLAG_SPAWN_UNMONITORED);
	col_tls.busy--;
	errno = saved;
}

static int proc_end(int r)
{
	col_exec_failed(); /* only atomics: errno stays the exec's */
	return r;
}

COL_DECL(int, execve, (const char *, char *const[], char *const[]));
VIGIL_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	proc_begin(path, envp);
	return proc_end(COL_REAL(execve)(path, argv, envp));
}

COL_DECL(int, execv, (const char *, char *const[]));
VIGIL_EXPORT int execv(const char *path, char *const argv[])
{
	proc_begin(path, environ);
	return proc_end(COL_REAL(execv)(path, argv));
}

COL_DECL(int, execvp, (const char *, char *const[]));
VIGIL_EXPORT int execvp(const char *file, char *const argv[])
{
	char buf[4096];
	proc_begin(col.hdr ? proc_resolve(file, buf, sizeof(buf)) : file, environ);
	return proc_end(COL_REAL(execvp)(file, argv));
}

COL_DECL(int, execvpe, (const char *, char *const[], char *const[]));
VIGIL_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	char buf[4096];
	proc_begin(col.hdr ? proc_resolve(file, buf, sizeof(buf)) : file, envp);
	return proc_end(COL_REAL(execvpe)(file, argv, envp));
}

/* The image behind a descriptor: /proc/self/fd/N's link. */
static const char *proc_fd_target(int fd, char *buf, size_t cap)
{
	char link[64] = "/proc/self/fd/";
	char num[16];
	int n = 0;
	unsigned v = (unsigned)fd;
	do
		num[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 15);
	size_t l = strlen(link);
	while (n)
		link[l++] = num[--n];
	link[l] = 0;
	long r = col_sys(SYS_readlink, (long)link, (long)buf, (long)cap - 1, 0);
	buf[r > 0 ? r : 0] = 0;
	return buf;
}

COL_DECL(int, fexecve, (int, char *const[], char *const[]));
VIGIL_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	char buf[4096];
	proc_begin(col.hdr ? proc_fd_target(fd, buf, sizeof(buf)) : "", envp);
	return proc_end(COL_REAL(fexecve)(fd, argv, envp));
}

COL_DECL(int, execveat, (int, const char *, char *const[], char *const[], int));
VIGIL_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags)
{
	char buf[4096];
	const char *t = path;
	if (col.hdr && !*path && (flags & AT_EMPTY_PATH))
		t = proc_fd_target(dirfd, buf, sizeof(buf));
	proc_begin(t, envp);
	return proc_end(COL_REAL(execveat)(dirfd, path, argv, envp, flags));
}

/* execl, execlp, execle: collect the list, then the matching v-form above. */
#define PROC_COLLECT(first, ap, argv, n) \
	do { \
		argv[0] = (char *)(first); \
		n = 1; \
		while (argv[n - 1] && n < PROC_ARGS_MAX) \
			argv[n++] = va_arg(ap, char *); \
	} while (0)

VIGIL_EXPORT int execl(const char *path, const char *arg, ...)
{
	char *argv[PROC_ARGS_MAX];
	size_t n;
	va_list ap;
	va_start(ap, arg);
	PROC_COLLECT(arg, ap, argv, n);
	va_end(ap);
	if (argv[n - 1]) {
		errno = E2BIG;
		return -1;
	}
	return execve(path, argv, environ);
}

VIGIL_EXPORT int execlp(const char *file, const char *arg, ...)
{
	char *argv[PROC_ARGS_MAX];
	size_t n;
	va_list ap;
	va_start(ap, arg);
	PROC_COLLECT(arg, ap, argv, n);
	va_end(ap);
	if (argv[n - 1]) {
		errno = E2BIG;
		return -1;
	}
	return execvp(file, argv);
}

VIGIL_EXPORT int execle(const char *path, const char *arg, ...)
{
	char *argv[PROC_ARGS_MAX];
	size_t n;
	va_list ap;
	va_start(ap, arg);
	PROC_COLLECT(arg, ap, argv, n);
	char *const *envp = argv[n - 1] ? NULL : va_arg(ap, char *const *);
	va_end(ap);
	if (argv[n - 1]) {
		errno = E2BIG;
		return -1;
	}
	return execve(path, argv, envp);
}

/* ---- posix_spawn: the child is never ours before its exec; predict ---- */
static void proc_spawned(const char *path, char *const envp[])
{
	if (!col.hdr)
		return;
	int saved = errno;
	col_tls.busy++;
	if (proc_blind(path, envp))
		col_exec_begin(path, VIGIL_FLAG_SPAWN_UNMONITORED);
	col_tls.busy--;
	errno = saved;
}

COL_DECL(int, posix_spawn, (pid_t *, const char *, const posix_spawn_file_actions_t *,
                            const posix_spawnattr_t *, char *const[], char *const[]));
VIGIL_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                             const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int r = COL_REAL(posix_spawn)(pid, path, fa, attr, argv, envp);
	if (r == 0)
		proc_spawned(path, envp);
	return r;
}

COL_DECL(int, posix_spawnp, (pid_t *, const char *, const posix_spawn_file_actions_t *,
                             const posix_spawnattr_t *, char *const[], char *const[]));
VIGIL_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                              const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int r = COL_REAL(posix_spawnp)(pid, file, fa, attr, argv, envp);
	char buf[4096];
	if (r == 0 && col.hdr)
		proc_spawned(proc_resolve(file, buf, sizeof(buf)), envp);
	return r;
}
