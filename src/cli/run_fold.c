/*
 * run_fold.c - folding ended processes into the profile while `vigil run`
 * goes on, and removing their segments (see run_internal.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/run_internal.h"
#include "format/profile.h"
#include "common/vigild_client.h"

/*
 * A long shell loop would otherwise hold one segment per ended process in
 * /dev/shm until the run ends.  When no vigild is in charge of the directory
 * (docs/DAEMON.md's ownership rule: then only vigild removes segments),
 * each collector touches its segment when it writes its end record
 * (IN_ATTRIB); vigil run hears that through inotify (SIGIO, no directory
 * scan), and once the process is gone (its last exit-time writes done) folds
 * the segment into the profile and removes it.  Only the process's timeline
 * waits in memory (8 KiB a thread) for the job's time grid, known at the end,
 * so the profile is the one the end-of-run collection would have written.
 *
 * Passes are at least RUN_FOLD_GAP apart: a signal and a wake-up for every
 * ended process of a fast loop cost more than its fold (and most were still
 * exiting when woken).  Within the gap O_ASYNC is off and a timer's SIGIO
 * brings the next pass, which takes every event queued meanwhile.
 */
#define RUN_FOLD_GAP 0.01 /* seconds */

static double run_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* O_ASYNC on the inotify descriptor: SIGIO at each event. */
static void run_fold_async(const struct run_state *st, int on)
{
	int fl = fcntl(st->inofd, F_GETFL);
	if (fl >= 0)
		fcntl(st->inofd, F_SETFL, on ? fl | O_ASYNC : fl & ~O_ASYNC);
}

/* SIGIO from the timer in `secs`. */
static void run_fold_arm(struct run_state *st, double secs)
{
	struct itimerspec it = { { 0, 0 }, { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) } };
	if (it.it_value.tv_sec == 0 && it.it_value.tv_nsec < 1000000)
		it.it_value.tv_nsec = 1000000;
	timer_settime(st->fold_timer, 0, &it, NULL);
}

static void run_sigio(int sig)
{
	(void)sig; /* taken by sigtimedwait while CMD runs; outside of it, only a wake-up */
}

int run_fold_start(struct run_state *st, struct vigil_profile *p)
{
	st->inofd = -1;
	st->fold_into = p;
	const char *off = getenv("VIGIL_RUN_FOLD");
	if ((off && !strcmp(off, "0")) || vigil_daemon_running_at(st->dirfd))
		return 0; /* VIGIL_RUN_FOLD=0: collect everything at the end (tests compare both) */
	struct sigaction sa = { .sa_handler = run_sigio, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGIO, &sa, NULL) != 0)
		return 0;
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return 0; /* no folding: everything is collected at the end, as before */
	if (inotify_add_watch(fd, st->dir, IN_ATTRIB | IN_ONLYDIR) < 0 ||
	    fcntl(fd, F_SETOWN, getpid()) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) != 0) {
		close(fd);
		return 0;
	}
	st->inofd = fd;
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGIO };
	st->fold_timer_ok = timer_create(CLOCK_MONOTONIC, &sev, &st->fold_timer) == 0; /* else: a pass per SIGIO */
	return 1;
}

static int run_pending_add(struct run_state *st, const char *name)
{
	for (size_t i = 0; i < st->npending; i++)
		if (!strcmp(st->pending[i], name))
			return 0;
	if (st->npending == st->pending_cap) {
		size_t cap = st->pending_cap ? 2 * st->pending_cap : 64;
		char (*n)[64] = realloc(st->pending, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		st->pending = n;
		st->pending_cap = cap;
	}
	snprintf(st->pending[st->npending++], 64, "%s", name);
	return 0;
}

/* "<pid>-<start>.seg" of a process that is gone (or a zombie): nothing more will be written. */
static int run_name_gone(const char *name)
{
	char *end;
	long pid = strtol(name, &end, 10);
	if (*end != '-' || pid <= 0)
		return 1;
	unsigned long long start = strtoull(end + 1, NULL, 10);
	return !run_still_alive((pid_t)pid, start);
}

/* Folded early but still on disk (removal failed): the final collection must not count it again. */
void run_fold_remember(struct run_state *st, const char *name)
{
	char **n = realloc(st->taken, (st->ntaken + 1) * sizeof(*n));
	if (!n)
		return;
	st->taken = n;
	if ((n[st->ntaken] = strdup(name)))
		st->ntaken++;
}

int run_fold_was_taken(const struct run_state *st, const char *name)
{
	for (size_t i = 0; i < st->ntaken; i++)
		if (!strcmp(st->taken[i], name))
			return 1;
	return 0;
}

/* Processes folded early whose reaper saw a signal after their end record. */
void run_fold_fix_signals(const struct run_state *st, struct vigil_profile *p)
{
	for (size_t i = 0; i < p->nprocs; i++) {
		const struct run_reaped *r = run_find_reaped(st, p->procs[i].pid);
		if (r && WIFSIGNALED(r->status)) {
			p->procs[i].state = VIGIL_PROC_KILLED;
			p->procs[i].term_signal = WTERMSIG(r->status);
			p->procs[i].end = r->when;
		}
	}
}

void run_fold_end(struct run_state *st)
{
	if (st->inofd >= 0)
		close(st->inofd);
	st->inofd = -1;
	if (st->fold_timer_ok)
		timer_delete(st->fold_timer);
	st->fold_timer_ok = 0;
	for (size_t i = 0; i < st->nfolded; i++)
		vigil_proc_timeline_free(&st->folded[i]);
	free(st->folded);
	free(st->pending);
	for (size_t i = 0; i < st->ntaken; i++)
		free(st->taken[i]);
	free(st->taken);
}

void run_fold_ended(struct run_state *st)
{
	if (st->inofd < 0)
		return;
	double now = run_mono();
	if (st->fold_timer_ok && now - st->fold_last < RUN_FOLD_GAP) {
		if (!st->fold_held) { /* hold further SIGIOs off until the timer's */
			st->fold_held = 1;
			run_fold_async(st, 0);
			run_fold_arm(st, RUN_FOLD_GAP - (now - st->fold_last));
		}
		return;
	}
	if (st->fold_held) {
		st->fold_held = 0;
		run_fold_async(st, 1); /* before the read: a later event signals again */
	}
	st->fold_last = now;
	char ev[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while ((n = read(st->inofd, ev, sizeof(ev))) > 0)
		for (char *q = ev; q < ev + n;) {
			const struct inotify_event *ie = (const void *)q;
			q += sizeof(*ie) + ie->len;
			size_t nl = ie->len ? strlen(ie->name) : 0, sl = strlen(VIGIL_SEG_SUFFIX);
			if (nl > sl && nl < 64 && !strcmp(ie->name + nl - sl, VIGIL_SEG_SUFFIX))
				run_pending_add(st, ie->name);
		}
	if (st->npending && vigil_daemon_running_at(st->dirfd)) {
		/* a vigild took charge meanwhile: from now on its rule holds, the rest waits for the end */
		close(st->inofd);
		st->inofd = -1;
		st->npending = 0;
		return;
	}
	size_t keep = 0;
	for (size_t i = 0; i < st->npending; i++) {
		const char *name = st->pending[i];
		if (!run_name_gone(name)) {
			memmove(st->pending[keep++], name, 64); /* still exiting: next time */
			continue;
		}
		if (st->nfolded == st->folded_cap) {
			size_t cap = st->folded_cap ? 2 * st->folded_cap : 64;
			struct vigil_proc_timeline *f = realloc(st->folded, cap * sizeof(*f));
			if (!f)
				break;
			st->folded = f;
			st->folded_cap = cap;
		}
		struct vigil_proc_timeline *t = &st->folded[st->nfolded];
		size_t before = st->fold_into->nprocs;
		int removed;
		if (run_take(st, st->fold_into, name, t, &removed))
			break;
		if (st->fold_into->nprocs > before) {
			st->nfolded++;
			if (!removed)
				run_fold_remember(st, name);
		}
	}
	st->npending = keep;
	if (keep && st->fold_timer_ok)
		run_fold_arm(st, RUN_FOLD_GAP); /* still exiting: look again soon, not at the next event */
}

