/*
 * reclaim.c - with no reader in charge, segments of ended processes do not
 * pile up: a process that creates its segment keeps its directory at most
 * VIGIL_SEG_KEEP_ENDED segments of ended processes, reclaiming the oldest
 * first (docs/SEGMENT.md, "Lifetime").
 *
 * The rule is the same one every reader follows: a reader in charge folds a
 * segment and then removes it (vigil run, vigild).  Nobody is in charge when
 * this process was not started by `vigil run` (no VIGIL_RUN_ID) and no vigild
 * holds the directory's lock or released it less than VIGIL_DAEMON_STALE
 * seconds ago (a restarting vigild comes back for them: nothing it would
 * count is removed within that grace time).  Then there is nobody to fold the
 * counts into, and the oldest ended segments beyond the cap are removed,
 * except those a `vigil run` still alive will collect (their run id names it).
 *
 * Cost: nothing on tmpfs while the directory's size says it holds fewer
 * names than the cap (core.c looks before calling); else one getdents64 for
 * a directory under the cap; above it, the oldest
 * are reclaimed down to VIGIL_SEG_KEEP_ENDED - RECLAIM_SLACK, so the work is
 * done once every RECLAIM_SLACK processes, and segments that may not be
 * reclaimed are looked at no more than 2 * RECLAIM_MISSES times a pass.  Raw system calls only: the
 * collector's own file work must not pass through its wrappers.
 */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "collector/col.h"

#define RECLAIM_SLACK 16
#define RECLAIM_MAX   2048 /* candidates looked at in one pass (the rest wait for the next) */
#define RECLAIM_MISSES 8   /* segments found not reclaimable before a walk gives up */

struct reclaim_ent {
	uint64_t start;
	int32_t pid;
};
static struct reclaim_ent reclaim_ents[RECLAIM_MAX];

struct reclaim_dirent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Is a reader in charge of the directory's segments? */
static int reclaim_reader_present(int dfd)
{
	const char *run = getenv("VIGIL_RUN_ID");
	if (run && *run)
		return 1; /* vigil run folds and removes its own */
	/*
	 * The lock file's age alone: a running vigild touches it every
	 * VIGIL_DAEMON_REFRESH seconds, so it is never older than the grace time
	 * while vigild lives.  No flock: a shared lock held here, even for a
	 * moment, would make a vigild starting at that moment think another
	 * one holds the directory.
	 */
	struct stat st;
	if (col_sys(SYS_newfstatat, dfd, (long)VIGIL_DAEMON_LOCK, (long)&st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno != ENOENT; /* cannot tell: keep everything */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec - st.st_mtime < VIGIL_DAEMON_STALE;
}

/* "<pid>-<start>.seg" -> pid, start; 0 if the name is not a segment's. */
static int reclaim_parse(const char *n, int32_t *pid, uint64_t *start)
{
	uint64_t p = 0, s = 0;
	const char *c = n;
	if (*c < '0' || *c > '9')
		return 0;
	while (*c >= '0' && *c <= '9' && p < INT32_MAX)
		p = p * 10 + (uint64_t)(*c++ - '0');
	if (*c++ != '-' || *c < '0' || *c > '9')
		return 0;
	while (*c >= '0' && *c <= '9' && s < UINT64_MAX / 16)
		s = s * 10 + (uint64_t)(*c++ - '0');
	if (strcmp(c, VIGIL_SEG_SUFFIX) != 0 || p == 0 || p > INT32_MAX)
		return 0;
	*pid = (int32_t)p;
	*start = s;
	return 1;
}

static void reclaim_name(char *out, int32_t pid, uint64_t start)
{
	char tmp[24];
	int n = 0;
	uint64_t v = (uint64_t)pid;
	do tmp[n++] = (char)('0' + v % 10); while ((v /= 10));
	while (n)
		*out++ = tmp[--n];
	*out++ = '-';
	v = start;
	do tmp[n++] = (char)('0' + v % 10); while ((v /= 10));
	while (n)
		*out++ = tmp[--n];
	memcpy(out, VIGIL_SEG_SUFFIX, sizeof(VIGIL_SEG_SUFFIX));
}

/* Does process pid with this start time still run?  (Field 22 of /proc/pid/stat.) */
static int reclaim_alive(int32_t pid, uint64_t start)
{
	if (col_sys(SYS_kill, pid, 0, 0, 0) != 0 && errno == ESRCH)
		return 0;
	char path[48] = "/proc/", buf[1024];
	char *p = path + 6;
	char tmp[16];
	int n = 0;
	uint32_t v = (uint32_t)pid;
	do tmp[n++] = (char)('0' + v % 10); while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	memcpy(p, "/stat", 6);
	long fd = col_sys(SYS_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	long r = col_sys(SYS_read, fd, (long)buf, sizeof(buf) - 1, 0);
	col_sys(SYS_close, fd, 0, 0, 0);
	if (r <= 0)
		return 0;
	buf[r] = 0;
	char *c = strrchr(buf, ')');
	if (!c || c[2] == 'Z' || c[2] == 'X')
		return 0;
	int field = 2;
	for (c++; *c && field < 22; c++)
		if (*c == ' ')
			field++;
	uint64_t s = 0;
	while (*c >= '0' && *c <= '9')
		s = s * 10 + (uint64_t)(*c++ - '0');
	return s == start;
}

/*
 * The `vigil run` that will collect a segment (identity.run_id =
 * "<host>-<pid>-<hex>-<hex>", run_spawn.c) is still alive: its segment is
 * not ours to reclaim, whoever shares the directory.
 */
static int reclaim_run_alive(const char *run_id)
{
	const char *dash[3] = { NULL, NULL, NULL };
	for (const char *c = run_id; *c; c++)
		if (*c == '-') {
			dash[0] = dash[1];
			dash[1] = dash[2];
			dash[2] = c;
		}
	if (!dash[0])
		return 0; /* not a run id vigil run made */
	long pid = 0;
	for (const char *c = dash[0] + 1; c < dash[1]; c++) {
		if (*c < '0' || *c > '9' || pid > INT32_MAX / 10)
			return 0;
		pid = pid * 10 + (*c - '0');
	}
	return pid > 0 && (col_sys(SYS_kill, pid, 0, 0, 0) == 0 || errno == EPERM);
}

/* A segment whose process ended (end record, or gone without one) and whose reader is gone: reclaimable. */
static int reclaim_ended(int dfd, const char *name, int32_t pid, uint64_t start)
{
	long fd = col_sys(SYS_openat, dfd, (long)name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct stat st;
	struct vigil_seg_header h;
	char run_id[sizeof(((struct vigil_seg_identity *)0)->run_id)];
	int ok = col_sys(SYS_fstat, fd, (long)&st, 0, 0) == 0 && S_ISREG(st.st_mode) &&
	         col_sys(SYS_pread64, fd, (long)&h, sizeof(h), 0) == (long)sizeof(h) &&
	         h.ident_offset < (uint64_t)st.st_size &&
	         col_sys(SYS_pread64, fd, (long)run_id, sizeof(run_id),
	                 (long)(h.ident_offset + offsetof(struct vigil_seg_identity, run_id))) == (long)sizeof(run_id);
	col_sys(SYS_close, fd, 0, 0, 0);
	if (!ok)
		return 0;
	run_id[sizeof(run_id) - 1] = 0;
	if (run_id[0] && reclaim_run_alive(run_id))
		return 0;
	if (memcmp(h.magic, VIGIL_SEG_MAGIC, 8) == 0 && h.state == VIGIL_STATE_ENDED)
		return 1;
	return !reclaim_alive(pid, start);
}

/* Shell sort by start time, then pid: oldest first. */
static void reclaim_sort(struct reclaim_ent *a, size_t n)
{
	for (size_t gap = n / 2; gap > 0; gap /= 2)
		for (size_t i = gap; i < n; i++) {
			struct reclaim_ent t = a[i];
			size_t j = i;
			while (j >= gap && (a[j - gap].start > t.start ||
			                    (a[j - gap].start == t.start && a[j - gap].pid > t.pid))) {
				a[j] = a[j - gap];
				j -= gap;
			}
			a[j] = t;
		}
}

static void reclaim_pass(int dfd, int32_t self_pid)
{
	if (reclaim_reader_present(dfd))
		return;
	char buf[16384];
	size_t n = 0, total = 0;
	col_sys(SYS_lseek, dfd, 0, SEEK_SET, 0);
	for (;;) {
		long got = col_sys(SYS_getdents64, dfd, (long)buf, sizeof(buf), 0);
		if (got <= 0)
			break;
		for (long off = 0; off < got;) {
			struct reclaim_dirent *d = (struct reclaim_dirent *)(buf + off);
			off += d->reclen;
			int32_t pid;
			uint64_t start;
			if (!reclaim_parse(d->name, &pid, &start))
				continue;
			total++;
			if (pid != self_pid && n < RECLAIM_MAX)
				reclaim_ents[n++] = (struct reclaim_ent){ start, pid };
		}
	}
	if (total <= VIGIL_SEG_KEEP_ENDED)
		return;
	reclaim_sort(reclaim_ents, n);
	/*
	 * Oldest first; then, should the oldest be segments nobody may reclaim
	 * (a live `vigil run`'s, live processes'), from a place that differs
	 * from process to process.  Each walk gives up after RECLAIM_MISSES
	 * such segments: a directory full of them costs every process start a
	 * bounded ~100 system calls, not six per segment.
	 */
	size_t target = VIGIL_SEG_KEEP_ENDED - RECLAIM_SLACK;
	size_t from[2] = { 0, n ? ((uint64_t)(uint32_t)self_pid * 2654435761u) % n : 0 };
	char name[64];
	for (int walk = 0; walk < 2; walk++) {
		int misses = 0;
		for (size_t k = 0; k < n && total > target && misses < RECLAIM_MISSES; k++) {
			struct reclaim_ent *e = &reclaim_ents[(from[walk] + k) % n];
			if (!e->pid)
				continue; /* reclaimed by the first walk */
			reclaim_name(name, e->pid, e->start);
			if (reclaim_ended(dfd, name, e->pid, e->start) &&
			    col_sys(SYS_unlinkat, dfd, (long)name, 0, 0) == 0) {
				total--;
				e->pid = 0;
			} else {
				misses++;
			}
		}
	}
}

void col_reclaim(int dfd, int32_t self_pid)
{
	int saved = errno;
	reclaim_pass(dfd, self_pid);
	errno = saved;
}
