/*
 * ckpt.c - restart safety: vigild's state on disk, one file per job plus one
 * for the node, each replaced atomically (temporary file + rename) and only
 * when it changed.
 *
 * A job file holds the job's totals AND, for each of its processes, what that
 * process had contributed (its "baseline") - written together, so they always
 * agree.  After a restart (even SIGKILL) every segment is read again and only
 * what exceeds its baseline is added: nothing lost, nothing counted twice.
 * The node file holds the totals of retired jobs and the instance ids of the
 * last ones retired, so a job file left behind by a crash is not loaded again.
 *
 * The format is native binary (same machine, same build) in TLV records with
 * a trailing checksum (vd_ckpt_sum); vd_ckpt_parse treats it as untrusted all the
 * same (state dirs get copied around) and is fuzzed (tests/fuzz/fuzz_ckpt.c).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include "daemon/daemon.h"
#include "daemon/insights.h"

#define CKPT_MAGIC "VGLDCKP1"
/* 2: CK_INS (live insight records). Version 1 files (no CK_INS) are still read; an older
 * vigild refuses version 2 files as of another version, not as damaged.
 * 3: the same records, checksummed 8 bytes a step (vd_ckpt_sum; 1 and 2 are still read). */
#define CKPT_VERSION 3u
enum { CK_JOB = 1, CK_JTOT, CK_PROC, CK_PTOT, CK_NODE, CK_NTOT, CK_END, CK_INS };

struct ckpt_job {
	uint32_t uid, state;
	uint64_t instance;
	double first_seen, last_live, ended_at;
	uint32_t profile_written, end_requested;
	char id[64], step[32], exe[64], host[64], user[64], command[1024];
};

struct ckpt_tot { uint32_t op, pad; struct vd_tot t; };
struct ckpt_raw { uint32_t op, pad; struct vd_raw r; };

struct ckpt_proc {
	int32_t pid, ppid, rank, state, exit_status, term_signal;
	uint64_t proc_start;
	double start_real, end_real, tick_seconds;
	char name[64], exe[64];
	char dir[512];               /* segment directories longer than this are refused at start */
	char step[32];               /* added later: a record without it is read with step "" */
	int32_t nranks;              /* added with step: without it, a rank counts as MPI's */
	uint32_t pad;
};

struct ckpt_node { uint64_t next_instance; uint32_t nids, pad; uint64_t ids[256]; };

/* A live insight record (insights.h struct vd_ins_rule), the rule by id: not ok, or fired before. */
struct ckpt_ins {
	char rule[32];
	uint32_t applies, state, back, firings;
	double since, back_since, first_fired, last_true, value, peak, threshold, active_seconds;
	char evidence[VIGIL_INSIGHT_TEXT], fix[VIGIL_INSIGHT_TEXT];
};

/*
 * The trailer's checksum of a version `ver` file: FNV-1a 64 over bytes up to
 * version 2; from version 3 the same step over 8-byte words (little-endian
 * loads, each product's high half folded into its low half, then the last
 * < 8 bytes one at a time), 8x fewer dependent multiplies: the images of all
 * dirty jobs are summed each second.  It detects a torn or damaged file
 * (each step is a bijection of the state, so one differing word always
 * changes the result, and the fold lets damage to a word's high bits reach
 * every bit of the later state), not a forgery.
 */
uint64_t vd_ckpt_sum(const unsigned char *p, size_t n, uint32_t ver)
{
	uint64_t h = 1469598103934665603ull;
	if (ver >= 3)
		for (; n >= 8; p += 8, n -= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			h = (h ^ w) * 1099511628211ull;
			h ^= h >> 32; /* a product's high bits never reach its low ones: fold them down */
		}
	while (n--)
		h = (h ^ *p++) * 1099511628211ull;
	return h;
}

static void ckpt_rec(struct vd_buf *b, uint32_t type, const void *data, uint32_t len)
{
	uint32_t hdr[2] = { type, len };
	vd_buf_add(b, (const char *)hdr, sizeof hdr);
	vd_buf_add(b, data, len);
}

static void ckpt_finish(struct vd_buf *b)
{
	uint64_t h = vd_ckpt_sum((const unsigned char *)b->p, b->len, CKPT_VERSION);
	ckpt_rec(b, CK_END, &h, sizeof h);
}

static void ckpt_start(struct vd_buf *b)
{
	uint32_t v[2] = { CKPT_VERSION, 0 };
	vd_buf_add(b, CKPT_MAGIC, 8);
	vd_buf_add(b, (const char *)v, sizeof v);
}

static bool ckpt_str_ok(const char *s, size_t n)
{
	return memchr(s, 0, n) != NULL;
}

int vd_ckpt_parse(const unsigned char *buf, size_t len, const struct vd_ckpt_cb *cb)
{
	size_t off = 16;
	if (len < 16 + 8 + 8 || memcmp(buf, CKPT_MAGIC, 8))
		return -EINVAL;
	uint32_t ver;
	memcpy(&ver, buf + 8, 4);
	if (ver < 1 || ver > CKPT_VERSION)
		return -EINVAL;
	/* checksum first: nothing is applied from a damaged file */
	uint32_t last[2];
	uint64_t want;
	memcpy(last, buf + len - 16, 8);
	memcpy(&want, buf + len - 8, 8);
	if (last[0] != CK_END || last[1] != 8 || vd_ckpt_sum(buf, len - 16, ver) != want)
		return -EBADMSG;
	len -= 16;
	bool have_proc = false, have_job = false;
	while (off < len) {
		uint32_t h[2];
		if (len - off < 8)
			return -EBADMSG;
		memcpy(h, buf + off, 8);
		off += 8;
		if (h[1] > len - off)
			return -EBADMSG;
		const unsigned char *pl = buf + off;
		int rc = 0;
		off += h[1];
		switch (h[0]) {
		case CK_JOB: {
			struct ckpt_job cj;
			if (h[1] != sizeof cj || have_job)
				return -EBADMSG;
			memcpy(&cj, pl, sizeof cj);
			if (!ckpt_str_ok(cj.id, sizeof cj.id) || !ckpt_str_ok(cj.step, sizeof cj.step) ||
			    !ckpt_str_ok(cj.exe, sizeof cj.exe) || !ckpt_str_ok(cj.host, sizeof cj.host) ||
			    !ckpt_str_ok(cj.user, sizeof cj.user) || !ckpt_str_ok(cj.command, sizeof cj.command) ||
			    cj.state > VD_J_ENDED)
				return -EBADMSG;
			struct vd_job *j = calloc(1, sizeof *j);
			if (!j)
				return -ENOMEM;
			j->uid = cj.uid;
			j->state = (int)cj.state;
			j->instance = cj.instance;
			j->first_seen = cj.first_seen;
			j->last_live = cj.last_live;
			j->ended_at = cj.ended_at;
			j->profile_written = cj.profile_written;
			j->end_requested = cj.end_requested;
			memcpy(j->id, cj.id, sizeof j->id);
			memcpy(j->step, cj.step, sizeof j->step);
			memcpy(j->exe, cj.exe, sizeof j->exe);
			memcpy(j->host, cj.host, sizeof j->host);
			memcpy(j->user, cj.user, sizeof j->user);
			memcpy(j->command, cj.command, sizeof j->command);
			rc = cb->job ? cb->job(cb->ctx, j) : 0;
			free(j);
			have_job = true;
			break;
		}
		case CK_JTOT:
		case CK_NTOT: {
			struct ckpt_tot ct;
			if (h[1] != sizeof ct)
				return -EBADMSG;
			memcpy(&ct, pl, sizeof ct);
			if (ct.op >= VIGIL_NOPS || (h[0] == CK_JTOT && !have_job))
				return -EBADMSG;
			if (h[0] == CK_NTOT)
				rc = cb->ntot ? cb->ntot(cb->ctx, ct.op, &ct.t) : 0;
			else
				rc = cb->jtot ? cb->jtot(cb->ctx, ct.op, &ct.t) : 0;
			break;
		}
		case CK_PROC: {
			struct ckpt_proc *cp = malloc(sizeof *cp);
			if (!cp)
				return -ENOMEM;
			if ((h[1] != sizeof *cp && h[1] != offsetof(struct ckpt_proc, step)) || !have_job) {
				free(cp);
				return -EBADMSG;
			}
			memset(cp, 0, sizeof *cp);
			memcpy(cp, pl, h[1]);
			if (h[1] < sizeof *cp)
				cp->nranks = cp->rank >= 0; /* an old record: ranks were MPI's */
			if (!ckpt_str_ok(cp->name, sizeof cp->name) || !ckpt_str_ok(cp->exe, sizeof cp->exe) ||
			    !ckpt_str_ok(cp->step, sizeof cp->step) ||
			    !ckpt_str_ok(cp->dir, sizeof cp->dir) || cp->state < 0 || cp->state > VD_P_KILLED) {
				free(cp);
				return -EBADMSG;
			}
			struct vd_proc meta;
			memset(&meta, 0, sizeof meta);
			meta.pid = cp->pid;
			meta.ppid = cp->ppid;
			meta.rank = cp->rank;
			meta.state = cp->state;
			meta.exit_status = cp->exit_status;
			meta.term_signal = cp->term_signal;
			meta.proc_start = cp->proc_start;
			meta.start_real = cp->start_real;
			meta.end_real = cp->end_real;
			meta.tick_seconds = cp->tick_seconds;
			memcpy(meta.name, cp->name, sizeof meta.name);
			memcpy(meta.exe, cp->exe, sizeof meta.exe);
			memcpy(meta.step, cp->step, sizeof meta.step);
			meta.nranks = cp->nranks;
			rc = cb->proc ? cb->proc(cb->ctx, &meta, cp->dir) : 0;
			free(cp);
			have_proc = true;
			break;
		}
		case CK_PTOT: {
			struct ckpt_raw cr;
			if (h[1] != sizeof cr || !have_proc)
				return -EBADMSG;
			memcpy(&cr, pl, sizeof cr);
			if (cr.op >= VIGIL_NOPS)
				return -EBADMSG;
			rc = cb->ptot ? cb->ptot(cb->ctx, cr.op, &cr.r) : 0;
			break;
		}
		case CK_INS: {
			struct ckpt_ins *ci = malloc(sizeof *ci);
			if (!ci)
				return -ENOMEM;
			rc = -EBADMSG;
			if (h[1] == sizeof *ci && have_job) {
				memcpy(ci, pl, sizeof *ci);
				struct vd_ins_rule r;
				memset(&r, 0, sizeof r);
				int rule = ckpt_str_ok(ci->rule, sizeof ci->rule) ? vigil_rule_lookup(ci->rule) : -1;
				/* times and active seconds finite and not negative; value, peak, threshold finite */
				double times[5] = { ci->since, ci->back_since, ci->first_fired, ci->last_true, ci->active_seconds };
				bool finite = isfinite(ci->value) && isfinite(ci->peak) && isfinite(ci->threshold);
				for (int k = 0; k < 5; k++)
					finite = finite && isfinite(times[k]) && times[k] >= 0;
				if (rule >= 0 && finite && ci->applies <= 1 && ci->state <= VD_INS_RESOLVED &&
				    ci->back <= VD_INS_RESOLVED && ckpt_str_ok(ci->evidence, sizeof ci->evidence) &&
				    ckpt_str_ok(ci->fix, sizeof ci->fix)) {
					r.applies = (unsigned char)ci->applies;
					r.state = (unsigned char)ci->state;
					r.back = (unsigned char)ci->back;
					r.firings = ci->firings;
					r.since = ci->since;
					r.back_since = ci->back_since;
					r.first_fired = ci->first_fired;
					r.last_true = ci->last_true;
					r.value = ci->value;
					r.peak = ci->peak;
					r.threshold = ci->threshold;
					r.active_seconds = ci->active_seconds;
					memcpy(r.evidence, ci->evidence, sizeof r.evidence);
					memcpy(r.fix, ci->fix, sizeof r.fix);
					rc = cb->ins ? cb->ins(cb->ctx, rule, &r) : 0;
				}
			}
			free(ci);
			break;
		}
		case CK_NODE: {
			struct ckpt_node cn;
			if (h[1] != sizeof cn)
				return -EBADMSG;
			memcpy(&cn, pl, sizeof cn);
			if (cn.nids > 256)
				return -EBADMSG;
			rc = cb->node ? cb->node(cb->ctx, cn.ids, cn.nids, cn.next_instance) : 0;
			break;
		}
		default:
			return -EBADMSG; /* same build wrote it: unknown means damaged */
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- writing ----------------------------------------------------------- */

static int ckpt_jobs_fd = -1;

int vd_ckpt_open(void)
{
	if (!vd.cfg.state_dir)
		return 0;
	if (mkdir(vd.cfg.state_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	vd.state_fd = open(vd.cfg.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (vd.state_fd < 0)
		return -errno;
	if (mkdirat(vd.state_fd, "jobs", 0700) < 0 && errno != EEXIST)
		return -errno;
	ckpt_jobs_fd = openat(vd.state_fd, "jobs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return ckpt_jobs_fd < 0 ? -errno : 0;
}

static int ckpt_replace(int dirfd, const char *name, const struct vd_buf *b)
{
	char tmp[128];
	int rc = 0;
	if (b->oom)
		return -ENOMEM;
	snprintf(tmp, sizeof tmp, ".%s.tmp", name);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	size_t off = 0;
	/* Test hook (daemon.restart): die in the middle of a write, half a file on disk. */
	static int die = -1;
	if (die < 0)
		die = getenv("VIGILD_TEST_CKPT_DIE") != NULL;
	if (die && b->len > 64 && write(fd, b->p, 64) == 64)
		raise(SIGKILL);
	while (off < b->len) {
		ssize_t w = write(fd, b->p + off, b->len - off);
		if (w < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	/* No fsync: this protects against our own death, which keeps the page cache. */
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && renameat(dirfd, tmp, dirfd, name) < 0)
		rc = -errno;
	if (rc) {
		unlinkat(dirfd, tmp, 0);
		/* atomic: vd_ckpt_write_dirty writes files without vd.lock */
		__atomic_add_fetch(&vd.ckpt_errors, 1, __ATOMIC_RELAXED);
		vd_log_limited(VD_LOG_ERROR, "checkpoint", "write", "cannot write checkpoint %s: %s", name, strerror(-rc));
	} else
		__atomic_add_fetch(&vd.ckpt_writes, 1, __ATOMIC_RELAXED);
	return rc;
}

/* The image of job j's checkpoint file (memory only). */
static int ckpt_job_image(const struct vd_job *j, struct vd_buf *b_)
{
	struct vd_buf b = {0};
	*b_ = b;
	ckpt_start(&b);
	struct ckpt_job cj;
	memset(&cj, 0, sizeof cj);
	cj.uid = j->uid;
	cj.state = (uint32_t)j->state;
	cj.instance = j->instance;
	cj.first_seen = j->first_seen;
	cj.last_live = j->last_live;
	cj.ended_at = j->ended_at;
	cj.profile_written = j->profile_written;
	cj.end_requested = j->end_requested;
	memcpy(cj.id, j->id, sizeof cj.id);
	memcpy(cj.step, j->step, sizeof cj.step);
	memcpy(cj.exe, j->exe, sizeof cj.exe);
	memcpy(cj.host, j->host, sizeof cj.host);
	memcpy(cj.user, j->user, sizeof cj.user);
	memcpy(cj.command, j->command, sizeof cj.command);
	ckpt_rec(&b, CK_JOB, &cj, sizeof cj);
	for (unsigned op = vd_op_next(j->tot_ops, 0); op < VIGIL_NOPS; op = vd_op_next(j->tot_ops, op + 1))
		if (j->tot[op].calls || j->tot[op].seconds > 0) {
			struct ckpt_tot ct = { .op = op, .t = j->tot[op] };
			ckpt_rec(&b, CK_JTOT, &ct, sizeof ct);
		}
	struct ckpt_proc *cp = calloc(1, sizeof *cp);
	if (!cp) {
		vd_buf_free(&b);
		return -ENOMEM;
	}
	const struct vd_proc *p;
	for (p = j->procs; p; p = p->next) {
		memset(cp, 0, sizeof *cp);
		cp->pid = p->pid;
		cp->ppid = p->ppid;
		cp->rank = p->rank;
		cp->state = p->state;
		cp->exit_status = p->exit_status;
		cp->term_signal = p->term_signal;
		cp->proc_start = p->proc_start;
		cp->start_real = p->start_real;
		cp->end_real = p->end_real;
		cp->tick_seconds = p->tick_seconds;
		memcpy(cp->name, p->name, sizeof cp->name);
		memcpy(cp->exe, p->exe, sizeof cp->exe);
		memcpy(cp->step, p->step, sizeof cp->step);
		cp->nranks = p->nranks;
		memcpy(cp->dir, vd.dirs[p->dirix].path, sizeof cp->dir - 1); /* < 512 by setup */
		ckpt_rec(&b, CK_PROC, cp, sizeof *cp);
		/* Only the ops it ever counted (not 139 cold 288-byte records per process). */
		for (uint32_t w = 0; w < VIGIL_OPMAP_WORDS; w++)
			for (uint64_t m = p->counted_ops[w]; m; m &= m - 1) {
				uint32_t op = w * 64 + (uint32_t)__builtin_ctzll(m);
				if (op >= VIGIL_NOPS || !(p->counted[op].calls || p->counted[op].ticks))
					continue;
				struct ckpt_raw cr = { .op = op, .r = p->counted[op] };
				ckpt_rec(&b, CK_PTOT, &cr, sizeof cr);
			}
	}
	free(cp);
	const struct vd_ins_rule *ins = vd_insights_job(j);
	struct ckpt_ins *ci = ins ? malloc(sizeof *ci) : NULL;
	for (int r = 0; ci && r < VIGIL_NRULES; r++) {
		const struct vd_ins_rule *s = &ins[r];
		if (s->state == VD_INS_OK && !s->firings)
			continue;
		memset(ci, 0, sizeof *ci);
		snprintf(ci->rule, sizeof ci->rule, "%s", vigil_rule_table[r].id);
		ci->applies = s->applies;
		ci->state = s->state;
		ci->back = s->back;
		ci->firings = s->firings;
		ci->since = s->since;
		ci->back_since = s->back_since;
		ci->first_fired = s->first_fired;
		ci->last_true = s->last_true;
		ci->value = s->value;
		ci->peak = s->peak;
		ci->threshold = s->threshold;
		ci->active_seconds = s->active_seconds;
		memcpy(ci->evidence, s->evidence, sizeof ci->evidence);
		memcpy(ci->fix, s->fix, sizeof ci->fix);
		ckpt_rec(&b, CK_INS, ci, sizeof *ci);
	}
	if (ins && !ci)
		b.oom = true;
	free(ci);
	ckpt_finish(&b);
	*b_ = b;
	return b.oom ? -ENOMEM : 0;
}

static void ckpt_job_name(const struct vd_job *j, char name[64])
{
	snprintf(name, 64, "%016" PRIx64 ".ckpt", j->instance);
}

/* Written: the job and its processes are clean (sampler thread only). */
static void ckpt_job_clean(struct vd_job *j)
{
	j->dirty = j->counts_dirty = false;
	j->ckpt_at = vd_mono();
	for (struct vd_proc *p = j->procs; p; p = p->next)
		p->dirty = false;
}

int vd_ckpt_write_job(struct vd_job *j)
{
	struct vd_buf b = {0};
	char name[64];
	int rc;
	if (ckpt_jobs_fd < 0) {
		j->dirty = j->counts_dirty = false;
		return 0;
	}
	if ((rc = ckpt_job_image(j, &b)) == 0) {
		ckpt_job_name(j, name);
		rc = ckpt_replace(ckpt_jobs_fd, name, &b);
	}
	vd_buf_free(&b);
	if (rc == 0)
		ckpt_job_clean(j);
	return rc;
}

int vd_ckpt_write_node(void)
{
	struct vd_buf b = {0};
	int rc;
	if (vd.state_fd <= 0) {
		vd.node_dirty = false;
		return 0;
	}
	ckpt_start(&b);
	struct ckpt_node cn;
	memset(&cn, 0, sizeof cn);
	cn.next_instance = vd.next_instance;
	cn.nids = vd.nretired_ids < 256 ? vd.nretired_ids : 256;
	memcpy(cn.ids, vd.retired_ids, sizeof cn.ids);
	ckpt_rec(&b, CK_NODE, &cn, sizeof cn);
	for (uint32_t op = 0; op < VIGIL_NOPS; op++)
		if (vd.retired[op].calls || vd.retired[op].seconds > 0) {
			struct ckpt_tot ct = { .op = op, .t = vd.retired[op] };
			ckpt_rec(&b, CK_NTOT, &ct, sizeof ct);
		}
	ckpt_finish(&b);
	rc = ckpt_replace(vd.state_fd, "node.ckpt", &b);
	vd_buf_free(&b);
	if (rc == 0)
		vd.node_dirty = false;
	return rc;
}

void vd_ckpt_remove_job(struct vd_job *j)
{
	char name[64];
	if (ckpt_jobs_fd < 0)
		return;
	snprintf(name, sizeof name, "%016" PRIx64 ".ckpt", j->instance);
	unlinkat(ckpt_jobs_fd, name, 0);
}

/*
 * A job whose only change is its live processes' counts is written at most
 * every VD_CKPT_COUNTS_EVERY seconds: after a crash those counts are read
 * again from the segments (a segment stays until the job's end checkpoint is
 * written, job.c), and the restart adds what exceeds the checkpointed
 * contribution, so an older checkpoint loses nothing.  Every other change (a
 * process joined, ended or was lost, the job's state, a live insight record,
 * a restart's first reads) sets `dirty` and is written within a second.
 */
#define VD_CKPT_COUNTS_EVERY 10.0

/*
 * Write every dirty job (at most once a second unless forced).  Called by the
 * sampler thread, the only one that changes or frees jobs: the images are made
 * under vd.lock (memory only: HTTP threads may set end_requested), the files
 * written after it, so scrapes never wait for the disk.
 */
void vd_ckpt_write_dirty(bool force)
{
	static double last;
	double now = vd_mono();
	if (!force && now - last < 1.0)
		return;
	last = now;
	struct ckpt_pending { struct vd_job *j; struct vd_buf b; } *pend = NULL;
	size_t n = 0, cap = 0;
	pthread_mutex_lock(&vd.lock);
	for (struct vd_job *j = vd.jobs; j; j = j->next) {
		if (!j->dirty && !(j->counts_dirty && (force || now - j->ckpt_at >= VD_CKPT_COUNTS_EVERY)))
			continue;
		if (ckpt_jobs_fd < 0) {
			j->dirty = j->counts_dirty = false;
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct ckpt_pending *np = realloc(pend, ncap * sizeof *np);
			if (!np)
				break; /* still dirty: next time */
			pend = np;
			cap = ncap;
		}
		pend[n].j = j;
		if (ckpt_job_image(j, &pend[n].b) == 0)
			n++;
		else
			vd_buf_free(&pend[n].b);
	}
	pthread_mutex_unlock(&vd.lock);
	for (size_t k = 0; k < n; k++) {
		char name[64];
		ckpt_job_name(pend[k].j, name);
		if (ckpt_replace(ckpt_jobs_fd, name, &pend[k].b) == 0)
			ckpt_job_clean(pend[k].j);
		vd_buf_free(&pend[k].b);
	}
	free(pend);
	if (vd.node_dirty) {
		pthread_mutex_lock(&vd.lock);
		vd_ckpt_write_node();
		pthread_mutex_unlock(&vd.lock);
	}
}

/* ---- loading ----------------------------------------------------------- */

struct vd_proc *vd_proc_restore(struct vd_job *j, int dirix, const char *name, const struct vd_proc *meta);
int vd_dir_index(const char *path);

struct ckpt_load {
	struct vd_job *job;
	struct vd_proc *proc;
	bool skip;
};

static int load_job(void *ctx, const struct vd_job *meta)
{
	struct ckpt_load *L = ctx;
	for (unsigned i = 0; i < 256 && i < vd.nretired_ids; i++)
		if (vd.retired_ids[i] == meta->instance) {
			L->skip = true;
			return -ECANCELED;
		}
	struct vd_job *j = calloc(1, sizeof *j);
	if (!j)
		return -ENOMEM;
	memcpy(j, meta, sizeof *j);
	j->procs = NULL;
	j->next = NULL;
	j->nlive = j->nexited = j->nkilled = 0;
	j->hist_len = (unsigned)vd.cfg.history_seconds;
	j->hist = calloc(j->hist_len, sizeof *j->hist);
	j->rate_t = vd_now();
	if (j->instance >= vd.next_instance)
		vd.next_instance = j->instance + 1;
	L->job = j;
	return 0;
}

static int load_jtot(void *ctx, unsigned op, const struct vd_tot *t)
{
	struct ckpt_load *L = ctx;
	L->job->tot[op] = *t;
	L->job->last_tot[op] = *t;
	vd_job_mark_op(L->job, op);
	return 0;
}

static int load_proc(void *ctx, const struct vd_proc *meta, const char *dir)
{
	struct ckpt_load *L = ctx;
	int dirix = vd_dir_index(dir);
	L->proc = NULL;
	if (dirix < 0)
		return 0; /* directory gone: the totals stay, the process is ended */
	L->proc = vd_proc_restore(L->job, dirix, meta->name, meta);
	return 0;
}

static int load_ptot(void *ctx, unsigned op, const struct vd_raw *r)
{
	struct ckpt_load *L = ctx;
	if (L->proc) {
		L->proc->counted[op] = *r;
		vd_proc_mark_counted(L->proc, op);
	}
	return 0;
}

static int load_ins(void *ctx, int rule, const struct vd_ins_rule *r)
{
	struct ckpt_load *L = ctx;
	return vd_insights_restore(L->job, rule, r);
}

static int load_ntot(void *ctx, unsigned op, const struct vd_tot *t)
{
	vd.retired[op] = *t;
	return 0;
}

static int load_node(void *ctx, const uint64_t *ids, unsigned n, uint64_t next_instance)
{
	memcpy(vd.retired_ids, ids, n * sizeof *ids);
	vd.nretired_ids = n;
	if (next_instance > vd.next_instance)
		vd.next_instance = next_instance;
	return 0;
}

static int ckpt_read_file(int dirfd, const char *name, unsigned char **buf, size_t *len)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
		close(fd);
		return -EINVAL;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len + 1);
	if (!*buf || pread(fd, *buf, *len, 0) != (ssize_t)*len) {
		free(*buf);
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

int vd_ckpt_load(void)
{
	unsigned char *buf;
	size_t len;
	unsigned njobs = 0;
	if (vd.state_fd <= 0)
		return 0;
	struct vd_ckpt_cb cb = { .node = load_node, .ntot = load_ntot };
	if (ckpt_read_file(vd.state_fd, "node.ckpt", &buf, &len) == 0) {
		if (vd_ckpt_parse(buf, len, &cb) < 0)
			vd_log(VD_LOG_ERROR, "checkpoint", "node.ckpt is damaged: node totals restart from the job files");
		free(buf);
	}
	int fd = dup(ckpt_jobs_fd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	while (dir && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		if (ckpt_read_file(ckpt_jobs_fd, e->d_name, &buf, &len) < 0)
			continue;
		struct ckpt_load L = {0};
		struct vd_ckpt_cb jcb = { .ctx = &L, .job = load_job, .jtot = load_jtot,
		                          .proc = load_proc, .ptot = load_ptot, .ins = load_ins };
		int rc = vd_ckpt_parse(buf, len, &jcb);
		free(buf);
		if (L.skip) {
			unlinkat(ckpt_jobs_fd, e->d_name, 0); /* retired before the crash */
			continue;
		}
		if (rc < 0) {
			vd_log(VD_LOG_ERROR, "checkpoint", "ignoring damaged checkpoint %s", e->d_name);
			if (L.job) {
				/* its processes are in the hash: forget nothing half-loaded */
				struct vd_job *j = L.job;
				j->next = vd.jobs;
				vd.jobs = j;
			}
			continue;
		}
		if (L.job) {
			L.job->next = vd.jobs;
			vd.jobs = L.job;
			njobs++;
		}
	}
	if (dir)
		closedir(dir);
	else if (fd >= 0)
		close(fd);
	if (njobs)
		vd_log(VD_LOG_INFO, "checkpoint", "restored %u jobs", njobs);
	return 0;
}
