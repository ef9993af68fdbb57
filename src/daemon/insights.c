/*
 * insights.c - live insights in vigild (docs/INSIGHTS.md "Live").
 *
 * Every second each running job's counter totals are differenced into a
 * window ring (one slot per step, holding only the operations that moved, so
 * a job's memory is bounded by the ring's size and the operation count); the
 * window's sums go to the one evaluator, vigil_insights_eval
 * (src/format/insights.c), and each rule's verdict drives a Prometheus alert
 * state: pending while true, firing once true for `for`, resolved once false
 * for `keep_firing_for`.  MPI ranks on this node get a ring each, so the
 * per-rank rules see the window too.
 *
 * What vigild sees live are the shards' operation counters and, in version 2
 * segments, the shards' totals (struct vigil_shard_ext: requests at a known
 * offset, non-sequential, misaligned, EAGAIN failures), one 64-byte read per
 * shard per step, not the file tables (reading 512 records per process per
 * second costs more than the whole sampler).  The window's requests are taken
 * as requests on regular files, one record per layer; random_access and
 * misaligned_io are judged from the window's totals; io_errors leaves the
 * EAGAIN failures out.
 *
 * redundant_reads and many_small_files need the file tables (bytes read of a
 * file against its size; distinct files): every INS_FILES_EVERY seconds the
 * sampler builds the job's profile so far from its segments (as at the end of
 * the job, without the lock) and judges those two rules on it, over the job so
 * far, not the window; a job of more than INS_FILES_MAX processes is not
 * judged on them live.  A pass runs only once the job's op totals make
 * either rule possible (ins_files_possible), at most every INS_FILES_EVERY.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon/accel.h"
#include "daemon/insights.h"
#include "format/profile.h"

_Static_assert(sizeof(struct vd_tot) == sizeof(struct vigil_opstat), "vd_tot and vigil_opstat share a layout");
_Static_assert(offsetof(struct vd_tot, seconds) == offsetof(struct vigil_opstat, seconds), "same layout");
_Static_assert(offsetof(struct vd_tot, hist) == offsetof(struct vigil_opstat, hist), "same layout");

const char *const vd_ins_state_names[4] = { "ok", "pending", "firing", "resolved" };
struct vigil_insights_conf vd_ins_conf;
static const char *ins_path;         /* --insights (NULL: the default) */

#define INS_MAX_SLOTS 600            /* a longer window takes longer steps */
#define INS_FILES_EVERY 10.0         /* seconds between file-table passes of a job */
#define INS_FILES_MAX 64             /* processes a job may have for one */

/* One operation's increase in one step. */
struct ins_delta {
	uint32_t op;
	struct vigil_opstat d;
};

struct ins_slot {
	double t;                    /* end of the step (Unix seconds) */
	uint32_t n;
	struct ins_delta *d;
	struct vigil_shard_ext x;    /* the shards' totals' increase in the step */
};

/* A window of deltas over one counter source (a job, or one rank). */
struct ins_ring {
	struct ins_slot *slot;
	unsigned cap, head, count;   /* slot[(head + i) % cap], i < count: oldest first */
	double t0;                   /* start of the window: end of the step before the oldest */
	uint64_t entries;            /* deltas held: 0 = nothing moved in the window */
	struct vigil_opstat prev[VIGIL_NOPS]; /* the source at the last step */
	struct vigil_opstat win[VIGIL_NOPS];  /* sum of the slots */
	struct vigil_shard_ext prev_x, win_x; /* the same for the shards' totals (the job's ring only) */
};

struct ins_rank {
	const struct vd_proc *p;
	struct ins_ring ring;
};

struct vd_jins {
	bool started;                /* job ring set up (a restored record comes before it) */
	struct ins_ring job;
	struct ins_rank **ranks; unsigned nranks; /* each its own block: the evaluator's input points into them */
	double last;                 /* last judgement */
	double files_at;             /* last file-table pass (0: none yet) */
	bool files_judged;           /* files[] holds its verdicts */
	struct vigil_finding files[2]; /* redundant_reads, many_small_files over the job so far */
	struct vd_ins_rule r[VIGIL_NRULES];
};

/* The rules judged from the file-table pass: their index in vd_jins.files, else -1. */
static const int ins_file_rules[2] = { VIGIL_RULE_REDUNDANT_READS, VIGIL_RULE_MANY_SMALL_FILES };
static int ins_file_ix(int r)
{
	return r == ins_file_rules[0] ? 0 : r == ins_file_rules[1] ? 1 : -1;
}

static bool ins_mpi_rule(int r)
{
	int cat = vigil_rule_table[r].category;
	return cat == VIGIL_RCAT_PARALLEL || cat == VIGIL_RCAT_MPI;
}

/* ---- configuration --------------------------------------------------------------- */

int vd_insights_load(const char *path, bool startup)
{
	struct vigil_insights_conf c;
	char err[512];
	if (startup)
		ins_path = path;
	vigil_insights_conf_default(&c);
	int rc = vigil_insights_conf_load(&c, ins_path, err, sizeof err);
	if (rc < 0) {
		if (startup) {
			fprintf(stderr, "vigild: %s\n", err);
			return -1;
		}
		vd_log(VD_LOG_ERROR, "insights", "%s Keeping the rules from %s.", err, vd_ins_conf.source);
		return -1;
	}
	pthread_mutex_lock(&vd.lock);
	vd_ins_conf = c;
	pthread_mutex_unlock(&vd.lock);
	vd_log(startup ? VD_LOG_DEBUG : VD_LOG_INFO, "insights", "rules from %s: window %g s, for %g s, keep_firing_for %g s", c.source,
	       c.window, c.for_seconds, c.keep_firing_for);
	return 0;
}

/* ---- the window ring ------------------------------------------------------------- */

static double ins_step(void)
{
	double w = vd_ins_conf.window;
	return w > INS_MAX_SLOTS ? w / INS_MAX_SLOTS : 1.0;
}

static void ins_ring_init(struct ins_ring *g, double t0)
{
	memset(g, 0, sizeof *g);
	g->t0 = t0;
}

static void ins_ring_free(struct ins_ring *g)
{
	for (unsigned i = 0; i < g->count; i++)
		free(g->slot[(g->head + i) % g->cap].d);
	free(g->slot);
}

static void ins_opstat_add(struct vigil_opstat *a, const struct vigil_opstat *d, int sign)
{
	if (sign > 0) {
		vigil_opstat_add(a, d);
		return;
	}
	a->calls -= d->calls;
	a->errors -= d->errors;
	a->bytes -= d->bytes;
	a->seconds = a->seconds > d->seconds ? a->seconds - d->seconds : 0;
	for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
		a->hist[b] -= d->hist[b];
}

/* The shards' totals are eight counters: a += d (sign 1) or a -= d. */
#define INS_XN (sizeof(struct vigil_shard_ext) / sizeof(uint64_t))
static void ins_ext_add(struct vigil_shard_ext *a, const struct vigil_shard_ext *d, int sign)
{
	uint64_t av[INS_XN], dv[INS_XN];
	memcpy(av, a, sizeof av);
	memcpy(dv, d, sizeof dv);
	for (size_t i = 0; i < INS_XN; i++)
		av[i] = sign > 0 ? av[i] + dv[i] : av[i] - dv[i];
	memcpy(a, av, sizeof av);
}

static void ins_ring_drop_oldest(struct ins_ring *g)
{
	struct ins_slot *s = &g->slot[g->head];
	ins_ext_add(&g->win_x, &s->x, -1);
	for (uint32_t k = 0; k < s->n; k++)
		ins_opstat_add(&g->win[s->d[k].op], &s->d[k].d, -1);
	g->entries -= s->n;
	g->t0 = s->t;
	free(s->d);
	s->d = NULL;
	s->n = 0;
	g->head = (g->head + 1) % g->cap;
	g->count--;
}

/* Capacity for `cap` slots, oldest first (a reload may change the window). */
static int ins_ring_resize(struct ins_ring *g, unsigned cap)
{
	while (g->count > cap - 1)
		ins_ring_drop_oldest(g);
	struct ins_slot *ns = calloc(cap, sizeof *ns);
	if (!ns)
		return -1;
	for (unsigned i = 0; i < g->count; i++)
		ns[i] = g->slot[(g->head + i) % g->cap];
	free(g->slot);
	g->slot = ns;
	g->cap = cap;
	g->head = 0;
	return 0;
}

/* A counter's increase; one that went back (a restarted source) starts over from here. */
static uint64_t ins_inc(uint64_t now, uint64_t prev) { return now > prev ? now - prev : 0; }

/* One step: what moved since the last one becomes the newest slot; slots older than the window go. */
static void ins_ring_step(struct ins_ring *g, const struct vigil_opstat *cur, const struct vigil_shard_ext *cur_x,
                          double now, double window)
{
	unsigned want = (unsigned)ceil(window / ins_step()) + 1;
	if (want < 2)
		want = 2;
	if (want > INS_MAX_SLOTS + 1)
		want = INS_MAX_SLOTS + 1;
	if (g->cap != want && ins_ring_resize(g, want) < 0)
		return;
	while (g->count && g->slot[g->head].t <= now - window)
		ins_ring_drop_oldest(g);
	if (g->count == g->cap)
		ins_ring_drop_oldest(g);
	struct ins_delta tmp[VIGIL_NOPS];
	uint32_t n = 0;
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		const struct vigil_opstat *c = &cur[op];
		struct vigil_opstat *p = &g->prev[op];
		if (!c->calls && !(c->seconds > 0))
			continue;
		if (c->calls == p->calls && c->errors == p->errors && c->bytes == p->bytes && c->seconds == p->seconds &&
		    !memcmp(c->hist, p->hist, sizeof c->hist))
			continue;
		struct ins_delta *d = &tmp[n++];
		d->op = op;
		d->d.calls = ins_inc(c->calls, p->calls);
		d->d.errors = ins_inc(c->errors, p->errors);
		d->d.bytes = ins_inc(c->bytes, p->bytes);
		d->d.seconds = c->seconds > p->seconds ? c->seconds - p->seconds : 0;
		for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
			d->d.hist[b] = ins_inc(c->hist[b], p->hist[b]);
		*p = *c;
	}
	struct ins_slot *s = &g->slot[(g->head + g->count) % g->cap];
	s->t = now;
	s->n = 0;
	s->d = NULL;
	memset(&s->x, 0, sizeof s->x);
	if (cur_x) {
		uint64_t c[INS_XN], pv[INS_XN], d[INS_XN];
		memcpy(c, cur_x, sizeof c);
		memcpy(pv, &g->prev_x, sizeof pv);
		for (size_t i = 0; i < INS_XN; i++)
			d[i] = ins_inc(c[i], pv[i]);
		memcpy(&s->x, d, sizeof d);
		g->prev_x = *cur_x;
		ins_ext_add(&g->win_x, &s->x, 1);
	}
	if (n) {
		s->d = malloc(n * sizeof *s->d);
		if (s->d) {
			memcpy(s->d, tmp, n * sizeof *s->d);
			s->n = n;
			for (uint32_t k = 0; k < n; k++)
				ins_opstat_add(&g->win[tmp[k].op], &tmp[k].d, 1);
			g->entries += n;
		}
	}
	g->count++;
}

/* ---- one job ---------------------------------------------------------------------- */

static struct ins_ring *ins_rank_ring(struct vd_jins *x, const struct vd_proc *p)
{
	for (unsigned i = 0; i < x->nranks; i++)
		if (x->ranks[i]->p == p)
			return &x->ranks[i]->ring;
	struct ins_rank **nr = realloc(x->ranks, (x->nranks + 1) * sizeof *nr);
	if (!nr)
		return NULL;
	x->ranks = nr;
	struct ins_rank *r = malloc(sizeof *r);
	if (!r)
		return NULL;
	r->p = p;
	ins_ring_init(&r->ring, p->start_real);
	nr[x->nranks++] = r;
	return &r->ring;
}

/* A rank's counters in seconds (the ring's source). */
static void ins_proc_opstat(const struct vd_proc *p, struct vigil_opstat *out)
{
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		const struct vd_raw *r = &p->counted[op];
		out[op].calls = r->calls;
		out[op].errors = r->errors;
		out[op].bytes = r->bytes;
		out[op].seconds = (double)r->ticks * p->tick_seconds;
		memcpy(out[op].hist, r->hist, sizeof r->hist);
	}
}

/* The window's requests as one regular-file record per layer (see the top of the file). */
static size_t ins_window_files(const struct vigil_opstat *ops, double t0, double t1, struct vigil_filestat *f)
{
	static char *names[VIGIL_NFLAYERS] = { "<window: posix>", "<window: stdio>", "<window: mpiio>" };
	memset(f, 0, VIGIL_NFLAYERS * sizeof *f);
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		const struct vigil_op_info *oi = &vigil_op_table[op];
		int l = oi->layer == VIGIL_LAYER_POSIX ? VIGIL_FLAYER_POSIX : oi->layer == VIGIL_LAYER_STDIO ?
		        VIGIL_FLAYER_STDIO : oi->layer == VIGIL_LAYER_MPIIO ? VIGIL_FLAYER_MPIIO : -1;
		if (l < 0 || oi->cls == VIGIL_CLASS_OTHER)
			continue;
		const struct vigil_opstat *s = &ops[op];
		if (oi->cls == VIGIL_CLASS_DATA && oi->dir == VIGIL_DIR_READ) {
			f[l].reads += s->calls;
			f[l].bytes_read += s->bytes;
		} else if (oi->cls == VIGIL_CLASS_DATA && oi->dir == VIGIL_DIR_WRITE) {
			f[l].writes += s->calls;
			f[l].bytes_written += s->bytes;
		} else
			f[l].meta_ops += s->calls;
		f[l].seconds += s->seconds;
	}
	for (int l = 0; l < VIGIL_NFLAYERS; l++) {
		f[l].path = names[l];
		f[l].kind = VIGIL_FILE_REGULAR;
		f[l].layer = l;
		f[l].seq_reads = f[l].consec_reads = f[l].reads;
		f[l].seq_writes = f[l].consec_writes = f[l].writes;
		f[l].first_access = t0;
		f[l].last_access = t1;
		f[l].processes = 1;
		f[l].rank_min = f[l].rank_max = -1;
		f[l].fastest_rank = f[l].slowest_rank = -1;
	}
	return VIGIL_NFLAYERS;
}

/* Prometheus alert semantics for one rule's verdict at `now` (dt since the last judgement). */
static void ins_transition(struct vd_ins_rule *s, const struct vigil_finding *f, double now, double dt)
{
	const struct vigil_insights_conf *c = &vd_ins_conf;
	bool holds = f->state == VIGIL_FINDING_FIRED;
	if (s->state == VD_INS_FIRING)
		s->active_seconds += dt;
	if (holds) {
		s->last_true = now;
		s->value = f->value;
		s->threshold = f->threshold;
		if (s->state != VD_INS_PENDING && s->state != VD_INS_FIRING) {
			s->back = s->state;
			s->back_since = s->since;
			s->state = VD_INS_PENDING;
			s->since = now;
		}
		if (s->state == VD_INS_PENDING && now - s->since >= c->for_seconds) {
			s->state = VD_INS_FIRING;
			s->since = now;
			s->firings++;
			if (!(s->first_fired > 0))
				s->first_fired = now;
		}
		/* the peak is the worst value: the highest, or the lowest for a rule that fires below its threshold */
		bool below = f->value < f->threshold;
		if (!s->evidence[0] || (below ? !(f->value > s->peak) : !(f->value < s->peak))) {
			s->peak = f->value;
			snprintf(s->evidence, sizeof s->evidence, "%s", f->evidence);
			snprintf(s->fix, sizeof s->fix, "%s", f->fix);
		}
		return;
	}
	s->value = f->state == VIGIL_FINDING_NONE ? 0 : s->value;
	if (s->state == VD_INS_PENDING) {
		s->state = s->back; /* true for less than `for`: as if it never was */
		s->since = s->back_since;
	} else if (s->state == VD_INS_FIRING && now - s->last_true >= c->keep_firing_for) {
		s->state = VD_INS_RESOLVED;
		s->since = now;
	}
}

/* Scratch of the sampler thread (the evaluator's input). */
static struct vigil_insight_proc *ins_procs;
static size_t ins_procs_cap;
static struct vigil_opstat ins_zero[VIGIL_NOPS], ins_cur[VIGIL_NOPS];

static void ins_judge(struct vd_job *j, struct vd_jins *x, double now)
{
	const struct vigil_insights_conf *c = &vd_ins_conf;
	double w = c->window > 0 ? c->window : 1;
	double dt = x->last > 0 ? now - x->last : 0;
	x->last = now;
	/* The shards' totals mean something only when every process's segment has them (version 2). */
	struct vigil_shard_ext jx = { 0 };
	bool have_x = true;
	size_t np = 0, nranks = 0;
	for (const struct vd_proc *p = j->procs; p; p = p->next) {
		np++;
		/* (a process restored ended from a checkpoint has no version: it adds nothing new) */
		have_x = have_x && (p->version >= 2 || (p->version == 0 && p->state != VD_P_RUNNING));
		ins_ext_add(&jx, &p->ext, 1);
	}
	have_x = have_x && np > 0;
	ins_ring_step(&x->job, (const struct vigil_opstat *)j->tot, &jx, now, w);
	if (np > ins_procs_cap) {
		struct vigil_insight_proc *n = realloc(ins_procs, np * sizeof *n);
		if (!n)
			return;
		ins_procs = n;
		ins_procs_cap = np;
	}
	double t0 = x->job.t0;
	np = 0;
	for (const struct vd_proc *p = j->procs; p; p = p->next) {
		double s = p->start_real > t0 ? p->start_real : t0;
		double e = p->state == VD_P_RUNNING || !(p->end_real > 0) ? now : p->end_real;
		if (e <= s && p->state != VD_P_RUNNING)
			continue; /* ended before the window */
		struct vigil_insight_proc *ip = &ins_procs[np++];
		ip->rank = p->rank;
		ip->seconds = e > s ? e - s : 0;
		ip->ops = ins_zero;
		if (p->rank >= 0 && p->counted) {
			struct ins_ring *g = ins_rank_ring(x, p);
			nranks++;
			if (g) {
				ins_proc_opstat(p, ins_cur);
				ins_ring_step(g, ins_cur, NULL, now, w);
				ip->ops = g->win;
			}
		}
	}
	struct vigil_finding out[VIGIL_NRULES];
	memset(out, 0, sizeof out);
	struct vigil_accelstat acc;
	const struct vigil_accelstat *accel = vd_accel_window(j, t0, now, &acc); /* device times: accel.c */
	if (x->job.entries) {
		struct vigil_filestat files[VIGIL_NFLAYERS];
		struct vigil_insight_input in = {
			.ops = x->job.win, .procs = ins_procs, .nprocs = np,
			.files = files, .nfiles = ins_window_files(x->job.win, t0, now, files),
			.start = t0, .end = now, .nhosts = 1, .have = VIGIL_HAVE_FILES | VIGIL_HAVE_PROCS,
			.accel = accel,
			.totals = x->job.win_x, .again_errors = have_x ? x->job.win_x.again_errors : 0,
		};
		if (have_x)
			in.have |= VIGIL_HAVE_TOTALS | VIGIL_HAVE_MISALIGNED | VIGIL_HAVE_APPENDS;
		vigil_insights_eval(c, &in, out);
	}
	/* A node judges single_rank_io only when it hosts at least 4 of the job's ranks. */
	size_t distinct = 0;
	for (size_t i = 0; i < np; i++) {
		size_t k = 0;
		while (k < i && ins_procs[k].rank != ins_procs[i].rank)
			k++;
		distinct += ins_procs[i].rank >= 0 && k == i;
	}
	for (int r = 0; r < VIGIL_NRULES; r++) {
		struct vd_ins_rule *s = &x->r[r];
		/* (without the shards' totals the window's synthesized records would say "all sequential") */
		bool need_x = r == VIGIL_RULE_RANDOM_ACCESS || r == VIGIL_RULE_MISALIGNED_IO;
		int fk = ins_file_ix(r);
		if (fk >= 0) /* the verdict of the last file-table pass */
			out[r] = x->files_judged ? x->files[fk] : (struct vigil_finding){ 0 };
		s->applies = c->enabled[r] && (!ins_mpi_rule(r) || nranks > 0) && (have_x || !need_x) &&
		             (fk < 0 || x->files_judged) &&
		             (r != VIGIL_RULE_SINGLE_RANK_IO || distinct >= 4) &&
		             out[r].state != VIGIL_FINDING_NOT_EVALUATED;
		if (!s->applies)
			memset(&out[r], 0, sizeof out[r]);
		struct vd_ins_rule was = *s;
		ins_transition(s, &out[r], now, dt);
		/* the record is checkpointed (ckpt.c): a change makes the job dirty */
		if (was.state != s->state || was.since != s->since || was.firings != s->firings ||
		    was.last_true != s->last_true || was.peak != s->peak || was.active_seconds != s->active_seconds ||
		    was.applies != s->applies)
			j->dirty = true;
	}
}

/* One process's shards' totals: a 64-byte read per shard in use (bounds from the validated geometry). */
static void ins_read_ext(struct vd_proc *p)
{
	struct vigil_shard_ext sum = { 0 }, e;
	uint64_t at = vigil_shard_ext_offset(p->n_ops);
	if (at + sizeof e > p->shard_size)
		return;
	for (uint32_t i = 0; i < p->shards_used && i < p->n_shards; i++) {
		uint64_t off = p->shards_offset + (uint64_t)i * p->shard_size + at;
		if (off + sizeof e > p->len || vd_seg_pread(p, &e, sizeof e, off) != (ssize_t)sizeof e)
			return; /* keep the last good sum */
		static const struct vigil_shard_ext zero;
		if (i < 32 && memcmp(&e, &zero, sizeof e))
			p->ext_written |= 1u << i;
		ins_ext_add(&sum, &e, 1);
	}
	p->ext = sum;
}

/*
 * A job's file-table pass: its profile so far (segments read whole, as at the
 * end of the job) judged by the one evaluator; only the rules that need the
 * file tables are taken (sampler thread, no lock; the verdicts are stored
 * under it).
 */
/*
 * Can the job's op totals allow either file rule at all?  Necessary
 * conditions only (the rules are the evaluator's): a file read more than
 * min_times over with min_reread_bytes re-read needs that many bytes read; min_files
 * distinct files need as many metadata calls (each was opened).  Most jobs
 * never need a file-table pass.
 */
static bool ins_files_possible(const struct vd_job *j)
{
	const struct vigil_insights_conf *c = &vd_ins_conf;
	double read = 0, meta = 0;
	for (unsigned op = vd_op_next(j->tot_ops, 0); op < VIGIL_NOPS; op = vd_op_next(j->tot_ops, op + 1)) {
		const struct vigil_op_info *oi = &vigil_op_table[op];
		if (!vigil_layer_is_io(oi->layer))
			continue;
		if (oi->cls == VIGIL_CLASS_DATA && oi->dir == VIGIL_DIR_READ)
			read += (double)j->tot[op].bytes;
		else if (oi->cls == VIGIL_CLASS_META)
			meta += (double)j->tot[op].calls;
	}
	return (c->enabled[VIGIL_RULE_REDUNDANT_READS] && read >= c->param[VIGIL_RP_REDUNDANT_READS_min_reread_bytes]) ||
	       (c->enabled[VIGIL_RULE_MANY_SMALL_FILES] && meta >= c->param[VIGIL_RP_MANY_SMALL_FILES_min_files]);
}

/* Whether the job's file tables must be read now; the cheap verdicts are settled here. */
static bool ins_files_wanted(struct vd_job *j)
{
	struct vd_jins *x = j->ins;
	unsigned n = 0;
	for (const struct vd_proc *p = j->procs; p; p = p->next)
		n++;
	if (n > INS_FILES_MAX)
		return false;
	if (!ins_files_possible(j)) { /* judged: neither holds (checked again next step: it costs nothing) */
		pthread_mutex_lock(&vd.lock);
		memset(x->files, 0, sizeof x->files);
		x->files_judged = true;
		pthread_mutex_unlock(&vd.lock);
		return false;
	}
	return true;
}

static void ins_files_pass(struct vd_job *j, double now)
{
	struct vd_jins *x = j->ins;
	x->files_at = now;
	struct vigil_profile prof;
	if (vd_job_profile(j, &prof) == 0 && vigil_insights_judge_profile(&prof, &vd_ins_conf) == 0) {
		pthread_mutex_lock(&vd.lock);
		for (int k = 0; k < 2; k++)
			x->files[k] = prof.insights.f[ins_file_rules[k]];
		x->files_judged = true;
		pthread_mutex_unlock(&vd.lock);
	}
	vigil_profile_free(&prof);
}

static double ins_read_last;

bool vd_insights_read_due(double now)
{
	return !(now - ins_read_last < ins_step() && now >= ins_read_last);
}

/*
 * Only shards whose totals were seen written: the totals may lie on a page
 * the owner never wrote (a process without positioned I/O), and a read of a
 * hole through the mapping would allocate it (batch.c); those stay preads.
 */
void vd_insights_preread(struct vd_proc *p)
{
	uint64_t at = vigil_shard_ext_offset(p->n_ops);
	if (p->version < 2 || at + sizeof(struct vigil_shard_ext) > p->shard_size)
		return;
	for (uint32_t i = 0; i < p->shards_used && i < p->n_shards && i < 32; i++)
		if (p->ext_written >> i & 1)
			vd_seg_preread(p, p->shards_offset + (uint64_t)i * p->shard_size + at, sizeof(struct vigil_shard_ext));
}

void vd_insights_read(double now)
{
	if (!vd_insights_read_due(now))
		return;
	ins_read_last = now;
	struct vd_job *due = NULL; /* one file-table pass a step, the job waiting longest: a pass reads
	                              whole segments, and many jobs must not stall the sampler */
	for (struct vd_job *j = vd.jobs; j; j = j->next) {
		if (j->state != VD_J_RUNNING)
			continue;
		for (struct vd_proc *p = j->procs; p; p = p->next)
			if (p->fd >= 0 && p->state == VD_P_RUNNING && !p->pending && !p->rejected && p->version >= 2)
				ins_read_ext(p);
		if (j->ins && j->ins->started && (now - j->ins->files_at >= INS_FILES_EVERY || now < j->ins->files_at) &&
		    ins_files_wanted(j) && (!due || j->ins->files_at < due->ins->files_at))
			due = j;
	}
	if (due)
		ins_files_pass(due, now);
}

void vd_insights_tick(double now)
{
	static double last;
	double step = ins_step();
	if (now - last < step && now >= last)
		return;
	/* A steady cadence (not "a step after the last pass"): `for` is counted in whole steps. */
	last = now - last < 2 * step ? last + step : now;
	for (struct vd_job *j = vd.jobs; j; j = j->next) {
		if (j->state != VD_J_RUNNING)
			continue;
		if (!j->ins && !(j->ins = calloc(1, sizeof *j->ins)))
			continue;
		if (!j->ins->started) {
			j->ins->started = true;
			/* The first step holds everything counted so far: since the first process began. */
			double t0 = j->first_seen;
			for (const struct vd_proc *p = j->procs; p; p = p->next)
				if (p->start_real > 0 && p->start_real < t0)
					t0 = p->start_real;
			ins_ring_init(&j->ins->job, t0);
		}
		ins_judge(j, j->ins, now);
	}
}

const struct vd_ins_rule *vd_insights_job(const struct vd_job *j)
{
	return j->ins ? j->ins->r : NULL;
}

int vd_insights_worst(const struct vd_job *j, int *rule)
{
	int best = 0;
	*rule = -1;
	for (int r = 0; j->ins && r < VIGIL_NRULES; r++)
		if (j->ins->r[r].state == VD_INS_FIRING && vd_ins_conf.severity[r] > best) {
			best = vd_ins_conf.severity[r];
			*rule = r;
		}
	return best;
}

int vd_insights_restore(struct vd_job *j, int rule, const struct vd_ins_rule *r)
{
	if (rule < 0 || rule >= VIGIL_NRULES)
		return -EINVAL;
	if (!j->ins && !(j->ins = calloc(1, sizeof *j->ins)))
		return -ENOMEM;
	j->ins->r[rule] = *r; /* `last` stays 0: the time vigild was down is not counted as firing */
	return 0;
}

void vd_insights_free(struct vd_job *j)
{
	struct vd_jins *x = j->ins;
	if (!x)
		return;
	ins_ring_free(&x->job);
	for (unsigned i = 0; i < x->nranks; i++) {
		ins_ring_free(&x->ranks[i]->ring);
		free(x->ranks[i]);
	}
	free(x->ranks);
	free(x);
	j->ins = NULL;
}

/*
 * The profile's verdict: the end-of-job findings over the whole job, plus
 * what was seen live - a rule that fired live keeps its first firing, last
 * true, peak and active seconds, and is a finding even when the whole-job
 * sums dilute it below the threshold (its evidence then says so).
 */
void vd_insights_profile(const struct vd_job *j, struct vigil_profile *prof)
{
	if (vigil_insights_judge_profile(prof, &vd_ins_conf) < 0 || !j->ins)
		return;
	for (int r = 0; r < VIGIL_NRULES; r++) {
		const struct vd_ins_rule *s = &j->ins->r[r];
		struct vigil_finding *f = &prof->insights.f[r];
		if (!s->firings)
			continue;
		if (f->state != VIGIL_FINDING_FIRED) {
			f->state = VIGIL_FINDING_FIRED;
			f->severity = vd_ins_conf.severity[r];
			f->value = s->peak;
			f->threshold = s->threshold;
			snprintf(f->evidence, sizeof f->evidence, "live, in a %g s window: %.560s", vd_ins_conf.window,
			         s->evidence);
			snprintf(f->fix, sizeof f->fix, "%s", s->fix);
		}
		f->first_fired = s->first_fired;
		f->last_fired = s->last_true;
		f->active_seconds = s->active_seconds;
	}
}

/* ---- /metrics ---------------------------------------------------------------------- */

static void ins_series(struct vd_buf *b, const char *name, const struct vd_job *j, int r, bool anon)
{
	vd_buf_printf(b, "%s{", name);
	vd_prom_job_labels(b, j, anon);
	vd_buf_printf(b, ",rule=\"%s\"}", vigil_rule_table[r].id);
}

void vd_insights_prom(struct vd_buf *b, bool om, bool anon)
{
	const struct vigil_insights_conf *c = &vd_ins_conf;
	vd_prom_family(b, om, "vigil_insight_rule_info", "gauge",
	           "An insight rule: its category, configured severity and title (always 1).");
	for (int r = 0; r < VIGIL_NRULES; r++) {
		const struct vigil_rule_info *ri = &vigil_rule_table[r];
		vd_buf_printf(b, "vigil_insight_rule_info{rule=\"%s\",category=\"%s\",severity=\"%s\",title=\"", ri->id,
		              vigil_rule_category_names[ri->category], vigil_severity_names[c->severity[r]]);
		vd_prom_label_escape(b, ri->title);
		vd_buf_add(b, "\"} 1\n", 5);
	}
	vd_prom_family(b, om, "vigil_insight_level", "gauge",
	           "Live verdict of a rule on a running job: 0 ok or pending, else the severity while firing "
	           "(1 info, 2 warning, 3 critical).");
	for (const struct vd_job *j = vd.jobs; j; j = j->next) {
		if (j->state != VD_J_RUNNING || !j->ins)
			continue;
		for (int r = 0; r < VIGIL_NRULES; r++)
			if (j->ins->r[r].applies) {
				ins_series(b, "vigil_insight_level", j, r, anon);
				vd_buf_printf(b, " %d\n", j->ins->r[r].state == VD_INS_FIRING ? c->severity[r] : 0);
			}
	}
	vd_prom_family(b, om, "vigil_insight_active_seconds_total", "counter", "Seconds a rule has been firing on a job.");
	for (const struct vd_job *j = vd.jobs; j; j = j->next) {
		if (!j->ins)
			continue;
		for (int r = 0; r < VIGIL_NRULES; r++)
			if (j->ins->r[r].applies || j->ins->r[r].firings) {
				ins_series(b, "vigil_insight_active_seconds_total", j, r, anon);
				vd_buf_printf(b, " %.17g\n", j->ins->r[r].active_seconds);
			}
	}
}
