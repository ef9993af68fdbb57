/*
 * run_collect.c - collecting for `vigil run`: read the segments tagged with
 * our run id as hostile input, fix each process's end from what we reaped,
 * and fold them into the profile.  Split from run.c (see run_internal.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/run_internal.h"
#include "format/profile.h"
#include "common/profile_read.h"
#include "common/vigild_client.h"

/* ---- collecting segments ------------------------------------------------ */

/*
 * What happens to a segment once its counts are in the profile.  With no
 * daemon it is removed so nothing is left in /dev/shm.  (When vigild runs it
 * will set the header's reader_mark instead, so the daemon still sees the
 * final counts: that decision belongs here and only here.)
 */
static int run_dispose_segment(const struct run_state *st, const char *name)
{
	return vigil_daemon_release_segment(st->dirfd, name, 1);
}

/* /proc/<pid>/stat: field 22 (start time in clock ticks since boot) in *start; -1 when the
 * process is gone or a zombie. */
static int run_proc_stat(pid_t pid, uint64_t *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* after ")": field 3 (state) ... field 22 (starttime) */
	char state = p[2];
	if (state == 'Z' || state == 'X')
		return -1;
	int field = 2;
	for (; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	*start = strtoull(p, NULL, 10);
	return 0;
}

/* /proc/<pid>/stat field 22 matches: the process that wrote the segment still runs. */
int run_still_alive(pid_t pid, uint64_t proc_start)
{
	uint64_t s;
	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 0; /* gone: no /proc read */
	if (run_proc_stat(pid, &s) != 0)
		return 0;
	/* A segment without a start time (0) can only be matched by pid. */
	return proc_start == 0 || s == proc_start;
}

uint64_t run_self_start(void)
{
	uint64_t s = 0;
	return run_proc_stat(getpid(), &s) == 0 ? s : 0;
}

/* Read [off, off+n) of the segment (clamped to its size) into the copy, remembering the range. */
static void run_pread_all(int fd, struct run_copybuf *c, size_t size, uint64_t off, uint64_t n)
{
	if (off >= size)
		return;
	if (n > size - off)
		n = size - off;
	if (c->nfilled < RUN_COPY_RANGES)
		c->filled[c->nfilled++] = (struct run_copy_range){ off, n };
	else
		c->all = 1;
	size_t done = 0;
	while (done < n) {
		ssize_t r = pread(fd, c->buf + off + done, (size_t)(n - done), (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
}

/* Zero again what the last copy filled: the next one starts from zeros. */
static void run_copy_clean(struct run_copybuf *c)
{
	if (c->all)
		memset(c->buf, 0, c->cap);
	else
		for (size_t i = 0; i < c->nfilled; i++)
			memset(c->buf + c->filled[i].off, 0, c->filled[i].len);
	c->nfilled = 0;
	c->all = 0;
}

/* A zeroed buffer of at least `size` bytes; 0, or -1 without memory. */
static int run_copy_reserve(struct run_copybuf *c, size_t size)
{
	if (c->cap >= size)
		return 0;
	free(c->buf);
	c->buf = calloc(1, size);
	c->cap = c->buf ? size : 0;
	return c->buf ? 0 : -1;
}

void run_copy_free(struct run_state *st)
{
	free(st->copy.buf);
	memset(&st->copy, 0, sizeof(st->copy));
}

/*
 * One shard: its 64-byte head first.  A shard whose `changes` never moved has
 * counted nothing (segment.h) and is left out (bit in *unread); otherwise the
 * timeline, the ops its op map names (all of them when the map is all zero)
 * and its version 2 totals.
 */
static void run_read_shard(int fd, struct run_copybuf *c, size_t size, const struct vigil_seg_header *h,
                           uint32_t i, uint64_t *unread)
{
	uint64_t at = h->shards_offset + (uint64_t)i * h->shard_size;
	const uint64_t headsz = offsetof(struct vigil_shard, timeline);
	if (at >= size || size - at < headsz) {
		run_pread_all(fd, c, size, at, h->shard_size);
		return;
	}
	run_pread_all(fd, c, size, at, headsz);
	struct vigil_shard s; /* its head, copied out: a hostile offset need not be aligned */
	memcpy(&s, c->buf + at, offsetof(struct vigil_shard, timeline));
	if (s.changes == 0 && i < 64) {
		*unread |= 1ull << i;
		return;
	}
	uint64_t ops_off = vigil_seg_ops_offset(h), opsz = sizeof(struct vigil_op_counters);
	uint32_t lo = UINT32_MAX, hi = 0;
	for (uint32_t o = 0; o < h->n_ops && o < 64 * VIGIL_OPMAP_WORDS; o++)
		if ((s.reserved[o >> 6] >> (o & 63)) & 1) {
			lo = lo < o ? lo : o;
			hi = o;
		}
	if (lo == UINT32_MAX || ops_off >= h->shard_size) { /* no map (older writer): the whole shard */
		run_pread_all(fd, c, size, at + headsz, h->shard_size - headsz);
		return;
	}
	run_pread_all(fd, c, size, at + headsz, ops_off - headsz);
	run_pread_all(fd, c, size, at + ops_off + lo * opsz, (uint64_t)(hi - lo + 1) * opsz);
	uint64_t ext = vigil_shard_ext_offset(h->n_ops);
	if (h->version >= 2 && ext < h->shard_size)
		run_pread_all(fd, c, size, at + ext, h->shard_size - ext);
}

#define RUN_MAX_SHARDS 4096 /* more than vigil_seg_parse accepts: a full read, then its rejection */

/*
 * Read what a segment uses, not its whole 1.4 MiB: the header page(s) up to
 * the file table, the claimed file records, the claimed shards and the
 * shared one (every shard after an exec re-attached), each shard only as far
 * as it counted (run_read_shard).  The header's counts are the owner's word,
 * so a lie only hides the owner's own counters; vigil_seg_parse validates the
 * copy as always.  Geometry that does not look like a segment gets a full
 * read.  *unread: the shards left out (zeros in the copy).
 */
static void run_read_used(int fd, struct run_copybuf *c, size_t size, const struct vigil_seg_header *h,
                          uint64_t *unread)
{
	uint64_t files = h->files_used < h->n_files ? h->files_used : h->n_files;
	uint64_t shards = h->shards_used < h->n_shards ? h->shards_used : h->n_shards;
	*unread = 0;
	if (shards == 0)
		shards = 1; /* shard 0 is allocated at creation */
	if (h->flags & VIGIL_FLAG_EXEC_REATTACH)
		shards = h->n_shards; /* an exec resets shards_used: the earlier image's threads may be above it */
	if (h->files_offset > size || h->shards_offset > size || h->files_offset < sizeof(*h) ||
	    h->n_shards == 0 || h->n_shards > RUN_MAX_SHARDS || h->shard_size == 0 || (uint64_t)h->file_size * h->n_files > size ||
	    (uint64_t)h->shard_size * h->n_shards > size) {
		run_pread_all(fd, c, size, 0, size);
		return;
	}
	uint64_t head = h->files_offset > h->ident_offset + h->ident_size ? h->files_offset
	                                                                   : h->ident_offset + h->ident_size;
	run_pread_all(fd, c, size, 0, head);
	run_pread_all(fd, c, size, h->files_offset, files * h->file_size);
	for (uint32_t i = 0; i < h->n_shards; i++) {
		/* the shared shard (last) always: late threads, or a shard that could not be allocated */
		if (i < shards || i == h->n_shards - 1)
			run_read_shard(fd, c, size, h, i, unread);
		else if (i < 64)
			*unread |= 1ull << i;
	}
	if (h->version >= 2) { /* the accelerator region and kernel table (OpenCL); bounded by size */
		run_pread_all(fd, c, size, h->accel_offset, h->accel_size);
		run_pread_all(fd, c, size, h->kernels_offset, (uint64_t)h->n_kernels * h->kernel_size);
	}
}

/*
 * Copy a segment file into st->copy if it is ours (run id); its length, or 0.
 * *unread: shards left out of the copy (run_read_used).
 */
static size_t run_read_segment(struct run_state *st, const char *name, uint64_t *unread)
{
	struct run_copybuf *c = &st->copy;
	size_t len = 0;
	struct stat sb;
	int fd = openat(st->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
	    sb.st_size < (off_t)sizeof(struct vigil_seg_header) || sb.st_size > (off_t)RUN_SEG_MAX)
		goto out;
	/* The identity normally lies in the first page: check the run id before copying it all. */
	struct vigil_seg_header h;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
		goto out;
	if (h.ident_offset <= (uint64_t)sb.st_size - sizeof(struct vigil_seg_identity)) {
		char rid[sizeof(((struct vigil_seg_identity *)0)->run_id)];
		off_t at = (off_t)(h.ident_offset + offsetof(struct vigil_seg_identity, run_id));
		if (pread(fd, rid, sizeof(rid), at) != (ssize_t)sizeof(rid) ||
		    strncmp(rid, st->run_id, sizeof(rid)) != 0)
			goto out;
	}
	/* zeroed: what is not read below (unused records and shards) reads as zero counters */
	if (run_copy_reserve(c, (size_t)sb.st_size) != 0)
		goto out;
	for (int attempt = 0;; attempt++) { /* a copy that saw no file-table reuse (format/profile.h) */
		run_read_used(fd, c, (size_t)sb.st_size, &h, unread);
		if (attempt + 1 >= VIGIL_SEG_COPY_TRIES || vigil_seg_copy_settled(fd, c->buf, (size_t)sb.st_size))
			break;
		vigil_seg_copy_wait(attempt);
		run_copy_clean(c); /* the next attempt may read less (fewer shards): no stale bytes */
		if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
			break;
	}
	len = (size_t)sb.st_size;
out:
	close(fd);
	return len;
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
	if (r && WIFEXITED(r->status) && ps->state == VIGIL_PROC_UNMONITORED) {
		ps->exit_status = WEXITSTATUS(r->status); /* still unmonitored: only the status is known */
		ps->end = r->when;
	} else if (r && WIFEXITED(r->status)) {
		ps->state = VIGIL_PROC_EXITED; /* ended without the collector's end record (_exit) */
		ps->exit_status = WEXITSTATUS(r->status);
		ps->end = r->when;
	} else if (run_still_alive(ps->pid, v->id->proc_start)) {
		ps->state = VIGIL_PROC_RUNNING;
		ps->end = 0;
		p->survivors++;
	}
}

/* seconds per TSC tick for this run's segments: from the mark taken before the spawn, else measured */
static double run_calib(struct run_state *st)
{
	if (st->calib == 0)
		st->calib = vigil_reader_tsc_since(&st->tsc_mark);
	if (st->calib == 0)
		st->calib = vigil_reader_tsc_seconds();
	return st->calib;
}

/*
 * Fold one segment of ours into the profile (its timeline kept in *keep when
 * given) and dispose of it.  Returns 0 (folded, skipped or rejected) or
 * -ENOMEM; *removed says whether the file is gone.
 */
int run_take(struct run_state *st, struct vigil_profile *p, const char *name,
                    struct vigil_proc_timeline *keep, int *removed)
{
	int rc = 0;
	uint64_t unread = 0;
	*removed = 0;
	size_t len = run_read_segment(st, name, &unread);
	if (!len) {
		run_copy_clean(&st->copy);
		return 0;
	}
	struct vigil_seg_view v;
	const char *why;
	int prc = vigil_seg_parse(st->copy.buf, len, run_calib(st), &v, &why);
	v.unread_shards = unread;
	if (prc == 0 && strcmp(v.id->run_id, st->run_id) != 0) {
		run_copy_clean(&st->copy); /* not ours after all (unusual layout) */
		return 0;
	}
	if (prc == 0 && v.hdr->reserved[VIGIL_SEG_MPI_REDUCED_SLOT] == VIGIL_SEG_MPI_REDUCED) {
		st->mpi_reduced++; /* an MPI rank already in the job profile its ranks wrote */
	} else if (prc == 0) {
		rc = vigil_profile_add_segment_keep(p, &v, keep);
		if (rc == 0) {
			run_fix_process(st, p, &p->procs[p->nprocs - 1], &v);
			st->have_cmd |= v.id->pid == st->cmd_pid;
		}
	} else {
		p->flags |= VIGIL_PFLAG_REJECTED;
		fprintf(stderr, "vigil run: ignored segment %s: %s.\n", name, why);
	}
	if (rc == 0)
		*removed = run_dispose_segment(st, name) == 0;
	run_copy_clean(&st->copy);
	return rc;
}

int run_collect(struct run_state *st, struct vigil_profile *p)
{
	int dfd = dup(st->dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *e;
	int rc = 0, removed;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return -errno;
	}
	/* processes folded while the run went on: their timelines go on the grid now known */
	for (size_t i = 0; i < st->nfolded; i++) {
		vigil_profile_add_timeline(p, &st->folded[i]);
		vigil_proc_timeline_free(&st->folded[i]);
	}
	st->nfolded = 0;
	run_fold_fix_signals(st, p);
	while ((e = readdir(d))) {
		size_t nl = strlen(e->d_name), sl = strlen(VIGIL_SEG_SUFFIX);
		if (nl <= sl || strcmp(e->d_name + nl - sl, VIGIL_SEG_SUFFIX) != 0)
			continue;
		if (run_fold_was_taken(st, e->d_name))
			continue; /* folded already, but its file could not be removed */
		/* Named PID-START.seg, START the process's start in ticks since boot: one that
		   started before vigil run is no process of this run (a stale segment left by
		   a collector with no reader, up to 64: not opened, not read) */
		unsigned long long started;
		if (st->self_start && sscanf(e->d_name, "%*d-%llu", &started) == 1 && started &&
		    started < st->self_start)
			continue;
		if ((rc = run_take(st, p, e->d_name, NULL, &removed)))
			break;
	}
	closedir(d);
	if (!st->have_cmd && !st->mpi_reduced)
		p->flags |= VIGIL_PFLAG_SEGMENT_FAILED;
	return rc;
}

int run_proc_cmp(const void *a, const void *b)
{
	const struct vigil_procstat *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

