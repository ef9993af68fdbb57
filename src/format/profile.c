/*
 * profile.c - the in-memory job profile: folding validated segments (and
 * whole profiles) into one description of a job.
 *
 * Files are kept sorted by (path, layer) so merging is a binary search and
 * the output order is stable.  The timeline is kept on the job's own 64
 * bins; a process (or profile) that does not fit widens the grid, and the
 * bins already there are re-split onto the new grid proportionally.  A
 * reader that knows the job's span in advance (vigil run) sets the grid
 * first and nothing is ever re-split twice.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "format/profile.h"


const struct vigil_flag_name vigil_profile_flags[VIGIL_NPROFILE_FLAGS] = {
	{ VIGIL_FLAG_FILE_OVERFLOW, "file_table_overflow" },
	{ VIGIL_FLAG_FD_OVERFLOW, "fd_overflow" },
	{ VIGIL_FLAG_SHARED_SHARD, "shared_shard" },
	{ VIGIL_FLAG_PATH_TRUNCATED, "path_truncated" },
	{ VIGIL_FLAG_EARLY_CALLS, "early_calls" },
	{ VIGIL_FLAG_EXEC_UNMONITORED, "unmonitored_exec" },
	{ VIGIL_FLAG_SPAWN_UNMONITORED, "unmonitored_spawn" },
	{ VIGIL_FLAG_ASYNC_IO, "async_io" },
	{ VIGIL_FLAG_UID_SWITCH, "uid_switch" },
	{ VIGIL_PFLAG_SEGMENT_FAILED, "segment_failed" },
	{ VIGIL_PFLAG_REJECTED, "rejected_segments" },
};

const char *vigil_file_layer_name(int flayer)
{
	static const char *const names[VIGIL_NFLAYERS] = {
		[VIGIL_FLAYER_POSIX] = "posix", [VIGIL_FLAYER_STDIO] = "stdio", [VIGIL_FLAYER_MPIIO] = "mpiio",
	};
	return flayer >= 0 && flayer < VIGIL_NFLAYERS ? names[flayer] : "?";
}

const char *vigil_file_kind_name(int kind)
{
	return kind >= 0 && kind < VIGIL_FILE_NKINDS ? vigil_file_kind_names[kind] : NULL;
}

int vigil_profile_set_str(char **field, const char *value)
{
	char *s = strdup(value ? value : "");
	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

void vigil_profile_init(struct vigil_profile *p)
{
	memset(p, 0, sizeof(*p));
	/* strdup("") failing leaves NULL, which every writer treats as "". */
	vigil_profile_set_str(&p->job_id, "");
	vigil_profile_set_str(&p->step, "");
	vigil_profile_set_str(&p->user, "");
	vigil_profile_set_str(&p->command, "");
	vigil_profile_set_str(&p->generator, "");
}

static void prof_proc_free(struct vigil_procstat *ps)
{
	free(ps->host);
	free(ps->exe);
	free(ps->command);
	free(ps->step);
}

void vigil_profile_free(struct vigil_profile *p)
{
	free(p->job_id);
	free(p->step);
	free(p->user);
	free(p->command);
	free(p->generator);
	for (size_t i = 0; i < p->nhosts; i++)
		free(p->hosts[i]);
	free(p->hosts);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i].path);
	free(p->files);
	for (size_t i = 0; i < p->nprocs; i++)
		prof_proc_free(&p->procs[i]);
	free(p->procs);
	vigil_accel_free(&p->accel);
	memset(p, 0, sizeof(*p));
}

int vigil_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *a = realloc(*arr, n * elem);
	if (!a)
		return -ENOMEM;
	*arr = a;
	*cap = n;
	return 0;
}

static int prof_add_host(struct vigil_profile *p, const char *host)
{
	if (!host || !*host)
		return 0;
	for (size_t i = 0; i < p->nhosts; i++)
		if (!strcmp(p->hosts[i], host))
			return 0;
	char **h = realloc(p->hosts, (p->nhosts + 1) * sizeof(*h));
	if (!h)
		return -ENOMEM;
	p->hosts = h;
	if (!(h[p->nhosts] = strdup(host)))
		return -ENOMEM;
	p->nhosts++;
	return 0;
}

static int prof_fill_empty(char **field, const char *value)
{
	if (*field && **field)
		return 0;
	return vigil_profile_set_str(field, value);
}

void vigil_opstat_add(struct vigil_opstat *d, const struct vigil_opstat *s)
{
	d->calls += s->calls;
	d->errors += s->errors;
	d->bytes += s->bytes;
	d->seconds += s->seconds;
	for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
		d->hist[b] += s->hist[b];
}

static void prof_span(struct vigil_profile *p, double start, double end)
{
	if (start > 0 && (p->start <= 0 || start < p->start))
		p->start = start;
	if (end > p->end)
		p->end = end;
}

/* ---- timeline ---------------------------------------------------------- */

static int prof_bin_index(const struct vigil_timeline *tl, double t)
{
	double x = floor((t - tl->start) / tl->bin_seconds);
	if (!(x >= 0)) /* also NaN */
		return 0;
	return x >= VIGIL_TL_BINS - 1 ? VIGIL_TL_BINS - 1 : (int)x;
}

/* d += val * f */
static void prof_tl_add(struct vigil_tlstat *d, const struct vigil_tlstat *val, double f)
{
	d->ops += val->ops * f;
	d->bytes_read += val->bytes_read * f;
	d->bytes_written += val->bytes_written * f;
	d->seconds += val->seconds * f;
}

/*
 * Spread `val`, observed uniformly over [t0, t1), onto the grid.  Parts
 * outside the grid go to the first or last bin, so nothing is ever lost.
 */
static void prof_tl_spread(struct vigil_timeline *tl, int layer, double t0, double t1,
                           const struct vigil_tlstat *val)
{
	int b0 = prof_bin_index(tl, t0), b1 = prof_bin_index(tl, t1);
	if (!(t1 > t0) || b0 == b1) {
		prof_tl_add(&tl->bin[b0][layer], val, 1);
		return;
	}
	double span = t1 - t0;
	for (int b = b0; b <= b1; b++) {
		double lo = b == 0 ? -INFINITY : tl->start + b * tl->bin_seconds;
		double hi = b == VIGIL_TL_BINS - 1 ? INFINITY : tl->start + (b + 1) * tl->bin_seconds;
		double f = (fmin(t1, hi) - fmax(t0, lo)) / span;
		if (!(f > 0))
			continue;
		prof_tl_add(&tl->bin[b][layer], val, f);
	}
}

/* Make the grid cover [t0, t1], re-splitting what it holds when it must widen. */
static void prof_tl_cover(struct vigil_timeline *tl, double t0, double t1)
{
	if (!(t1 >= t0) || !isfinite(t0) || !isfinite(t1))
		return;
	if (tl->bin_seconds <= 0) {
		tl->start = t0;
		tl->bin_seconds = fmax((t1 - t0) / VIGIL_TL_BINS, 1e-6);
		memset(tl->bin, 0, sizeof(tl->bin));
		return;
	}
	double end = tl->start + VIGIL_TL_BINS * tl->bin_seconds;
	if (t0 >= tl->start && t1 <= end)
		return;
	struct vigil_timeline old = *tl;
	tl->start = fmin(t0, tl->start);
	tl->bin_seconds = fmax((fmax(t1, end) - tl->start) / VIGIL_TL_BINS, 1e-6);
	memset(tl->bin, 0, sizeof(tl->bin));
	for (int b = 0; b < VIGIL_TL_BINS; b++)
		for (int l = 0; l < VIGIL_NLAYERS; l++)
			prof_tl_spread(tl, l, old.start + b * old.bin_seconds,
			               old.start + (b + 1) * old.bin_seconds, &old.bin[b][l]);
}

/* ---- files ------------------------------------------------------------- */

static int prof_file_cmp(const char *path_a, int layer_a, const char *path_b, int layer_b)
{
	int c = strcmp(path_a, path_b);
	return c ? c : (layer_a > layer_b) - (layer_a < layer_b);
}

/* Index of (path, layer) in p->files, inserted zeroed when absent; -ENOMEM. */
static long prof_file_slot(struct vigil_profile *p, const char *path, int kind, int layer)
{
	size_t lo = 0, hi = p->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = prof_file_cmp(p->files[mid].path, p->files[mid].layer, path, layer);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (vigil_grow((void **)&p->files, &p->files_cap, p->nfiles + 1, sizeof(*p->files)))
		return -ENOMEM;
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	memmove(&p->files[lo + 1], &p->files[lo], (p->nfiles - lo) * sizeof(*p->files));
	p->nfiles++;
	struct vigil_filestat *f = &p->files[lo];
	memset(f, 0, sizeof(*f));
	f->path = copy;
	f->kind = kind;
	f->layer = layer;
	f->rank_min = f->rank_max = -1;
	f->fastest_rank = f->slowest_rank = -1;
	return (long)lo;
}

static void prof_file_add(struct vigil_filestat *d, const struct vigil_filestat *s)
{
	d->reads += s->reads;
	d->writes += s->writes;
	d->bytes_read += s->bytes_read;
	d->bytes_written += s->bytes_written;
	d->meta_ops += s->meta_ops;
	d->seq_reads += s->seq_reads;
	d->seq_writes += s->seq_writes;
	d->consec_reads += s->consec_reads;
	d->consec_writes += s->consec_writes;
	d->unpositioned_reads += s->unpositioned_reads;
	d->unpositioned_writes += s->unpositioned_writes;
	d->misaligned += s->misaligned;
	if (s->max_offset > d->max_offset)
		d->max_offset = s->max_offset;
	d->seconds += s->seconds;
	if (s->first_access > 0 && (d->first_access <= 0 || s->first_access < d->first_access))
		d->first_access = s->first_access;
	if (s->last_access > d->last_access)
		d->last_access = s->last_access;
	d->processes += s->processes;
	if (s->rank_min >= 0 && (d->rank_min < 0 || s->rank_min < d->rank_min))
		d->rank_min = s->rank_min;
	if (s->rank_max > d->rank_max)
		d->rank_max = s->rank_max;
	d->nranks += s->nranks;
	if (s->fastest_rank >= 0 && (d->fastest_rank < 0 || s->fastest_rank_seconds < d->fastest_rank_seconds)) {
		d->fastest_rank = s->fastest_rank;
		d->fastest_rank_seconds = s->fastest_rank_seconds;
	}
	if (s->slowest_rank >= 0 && (d->slowest_rank < 0 || s->slowest_rank_seconds > d->slowest_rank_seconds)) {
		d->slowest_rank = s->slowest_rank;
		d->slowest_rank_seconds = s->slowest_rank_seconds;
	}
}

/* One (record, layer) of a segment, before records of the same path are merged. */
struct prof_fent {
	const char *path;
	int kind, layer;
	const struct vigil_file *rec;
};

static int prof_fent_cmp(const void *a, const void *b)
{
	const struct prof_fent *x = a, *y = b;
	return prof_file_cmp(x->path, x->layer, y->path, y->layer);
}

/* Unix nanoseconds to seconds without losing the sub-second part (2^53 ns is only 104 days). */
static double prof_ns_to_s(uint64_t ns)
{
	return (double)(ns / 1000000000u) + (double)(ns % 1000000000u) * 1e-9;
}

static double prof_abs_time(const struct vigil_seg_view *v, uint64_t ticks)
{
	const struct vigil_seg_clock *c = &v->hdr->clock;
	return prof_ns_to_s(c->start_real_ns) +
	       (double)(int64_t)(ticks - c->start_ticks) * v->tick_seconds;
}

static int prof_counters_active(const struct vigil_file_counters *c)
{
	return c->reads || c->writes || c->meta_ops || c->bytes_read || c->bytes_written || c->ticks;
}

/*
 * Fold the segment's file table into p: records of one path (two threads can
 * publish the same path twice) are merged first, so `processes` counts this
 * process once per (path, layer).
 */
static int prof_add_files(struct vigil_profile *p, const struct vigil_seg_view *v, int new_rank)
{
	uint32_t n = v->hdr->n_files;
	int rc = 0;
	char *paths = NULL;
	struct prof_fent *ents = NULL;
	size_t nents = 0;

	if (n == 0)
		return 0;
	ents = malloc((size_t)n * VIGIL_NFLAYERS * sizeof(*ents));
	paths = malloc((size_t)n * VIGIL_PATH_MAX);
	if (!ents || !paths) {
		rc = -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct vigil_file *r = vigil_seg_file(v, i);
		if (!r || r->hash == 0 || r->kind <= VIGIL_FILE_FREE || r->kind >= VIGIL_FILE_NKINDS)
			continue;
		/* Being reused (odd generation): its counts are partly in <other files> already, the
		 * rest count there too, never under a path that may be half rewritten. */
		int kind = v->has_ext && (VIGIL_FILE_GEN(r) & 1) ? VIGIL_FILE_OVERFLOW : (int)r->kind;
		const char *name = vigil_file_kind_names[kind];
		if (kind == VIGIL_FILE_REGULAR) {
			/* The writer's NUL may be missing: keep what fits, terminated. */
			char *dst = paths + (size_t)i * VIGIL_PATH_MAX;
			size_t l = strnlen(r->path, VIGIL_PATH_MAX - 1);
			memcpy(dst, r->path, l);
			dst[l] = '\0';
			name = dst;
		}
		for (int l = 0; l < VIGIL_NFLAYERS; l++)
			if (prof_counters_active(&r->layer[l]))
				ents[nents++] = (struct prof_fent){ name, kind, l, r };
	}
	qsort(ents, nents, sizeof(*ents), prof_fent_cmp);
	int32_t rank = v->id->nranks > 0 ? v->id->rank : -1; /* MPI ranks only */
	for (size_t i = 0; i < nents;) {
		struct vigil_filestat acc;
		memset(&acc, 0, sizeof(acc));
		acc.processes = 1;
		acc.rank_min = acc.rank_max = rank >= 0 ? rank : -1;
		acc.nranks = rank >= 0 && new_rank ? 1 : 0;
		acc.fastest_rank = acc.slowest_rank = -1;
		size_t j = i;
		for (; j < nents && !prof_fent_cmp(&ents[i], &ents[j]); j++) {
			const struct vigil_file *r = ents[j].rec;
			const struct vigil_file_counters *c = &r->layer[ents[j].layer];
			struct vigil_filestat s = {
				.reads = c->reads, .writes = c->writes,
				.bytes_read = c->bytes_read, .bytes_written = c->bytes_written,
				.meta_ops = c->meta_ops, .seq_reads = c->seq_reads,
				.seq_writes = c->seq_writes, .consec_reads = c->consec_reads,
				.consec_writes = c->consec_writes, .max_offset = c->max_offset,
				.seconds = (double)c->ticks * v->tick_seconds,
				.first_access = r->first_ticks ? prof_abs_time(v, r->first_ticks) : 0,
				.last_access = r->last_ticks ? prof_abs_time(v, r->last_ticks) : 0,
				.rank_min = -1, .rank_max = -1, .fastest_rank = -1, .slowest_rank = -1,
			};
			const struct vigil_file_ext *x = v->has_ext ? &r->ext[ents[j].layer] : NULL;
			if (x) {
				s.unpositioned_reads = x->unpositioned_reads;
				s.unpositioned_writes = x->unpositioned_writes;
				s.misaligned = x->misaligned;
			}
			prof_file_add(&acc, &s);
		}
		if (rank >= 0) { /* this process's time on the file, for the straggler test (io_imbalance) */
			acc.fastest_rank = acc.slowest_rank = rank;
			acc.fastest_rank_seconds = acc.slowest_rank_seconds = acc.seconds;
		}
		long slot = prof_file_slot(p, ents[i].path, ents[i].kind, ents[i].layer);
		if (slot < 0) {
			rc = (int)slot;
			goto out;
		}
		prof_file_add(&p->files[slot], &acc);
		i = j;
	}
out:
	free(ents);
	free(paths);
	return rc;
}

/* ---- processes --------------------------------------------------------- */

static int prof_new_proc(struct vigil_profile *p, struct vigil_procstat **out)
{
	if (vigil_grow((void **)&p->procs, &p->procs_cap, p->nprocs + 1, sizeof(*p->procs)))
		return -ENOMEM;
	struct vigil_procstat *ps = &p->procs[p->nprocs++];
	memset(ps, 0, sizeof(*ps));
	*out = ps;
	return 0;
}

static int prof_rank_seen(const struct vigil_profile *p, int32_t rank)
{
	if (rank < 0)
		return 0;
	for (size_t i = 0; i < p->nprocs; i++)
		if (vigil_proc_mpi_rank(&p->procs[i]) == rank)
			return 1;
	return 0;
}

/* Shards the reader left out of its copy (zeros there): nothing to fold. */
static int prof_shard_unread(const struct vigil_seg_view *v, uint32_t s)
{
	return s < 64 && ((v->unread_shards >> s) & 1);
}

/* May op o of this shard be nonzero?  Its op map says (segment.h); a map of all zeros says nothing. */
static int prof_op_mapped(const uint64_t map[VIGIL_OPMAP_WORDS], int any, uint32_t o)
{
	return !any || o >= 64 * VIGIL_OPMAP_WORDS || ((map[o >> 6] >> (o & 63)) & 1);
}

/* Last moment the segment shows activity, in seconds after its start. */
static double prof_last_activity(const struct vigil_seg_view *v)
{
	double last = 0;
	for (uint32_t s = 0; s < v->hdr->n_shards; s++) {
		const struct vigil_shard *sh = vigil_seg_shard(v, s);
		if (sh->tl_shift >= 63 || prof_shard_unread(v, s))
			continue;
		for (int b = VIGIL_TL_BINS - 1; b >= 0; b--) {
			const struct vigil_tl_bin *row = vigil_seg_tl_row(v, s, (uint32_t)b);
			int any = 0;
			for (uint32_t l = 0; l < v->n_layers; l++)
				any |= row[l].ops != 0;
			if (any) {
				double t = (double)(b + 1) * ldexp(1.0, (int)sh->tl_shift) * v->tick_seconds;
				last = fmax(last, t);
				break;
			}
		}
	}
	for (uint32_t i = 0; i < v->hdr->n_files; i++) {
		const struct vigil_file *r = vigil_seg_file(v, i);
		if (r->hash && r->last_ticks > v->hdr->clock.start_ticks)
			last = fmax(last, (double)(r->last_ticks - v->hdr->clock.start_ticks) *
			                  v->tick_seconds);
	}
	return last;
}

/* One shard's timeline onto the job's bins. */
static void prof_place_shard(struct vigil_profile *p, uint32_t tl_shift,
                             const struct vigil_tl_bin (*timeline)[VIGIL_NLAYERS], double tick_seconds,
                             double start, double end)
{
	if (tl_shift >= 63)
		return; /* hostile width: nothing sensible to place */
	double w = ldexp(1.0, (int)tl_shift) * tick_seconds;
	for (int b = 0; b < VIGIL_TL_BINS; b++) {
		for (int l = 0; l < VIGIL_NLAYERS; l++) {
			const struct vigil_tl_bin *src = &timeline[b][l];
			if (!src->ops && !src->bytes_read && !src->bytes_written && !src->ticks)
				continue;
			struct vigil_tlstat val = {
				(double)src->ops, (double)src->bytes_read,
				(double)src->bytes_written, (double)src->ticks * tick_seconds,
			};
			double t0 = start + b * w, t1 = t0 + w;
			/* A bin can outlast the process: the activity happened before its end. */
			if (end > t0 && end < t1)
				t1 = end;
			prof_tl_spread(&p->timeline, l, t0, t1, &val);
		}
	}
}

/* A shard's timeline as this build lays it out: a version-1 shard's 4-layer rows are copied into `buf`. */
typedef const struct vigil_tl_bin (*prof_tl)[VIGIL_NLAYERS];
static prof_tl prof_tl_of(const struct vigil_seg_view *v, uint32_t s, struct vigil_tl_bin buf[VIGIL_TL_BINS][VIGIL_NLAYERS])
{
	if (v->n_layers == VIGIL_NLAYERS)
		return vigil_seg_shard(v, s)->timeline;
	memset(buf, 0, sizeof(struct vigil_tl_bin) * VIGIL_TL_BINS * VIGIL_NLAYERS);
	for (uint32_t b = 0; b < VIGIL_TL_BINS; b++)
		memcpy(buf[b], vigil_seg_tl_row(v, s, b), v->n_layers * sizeof(struct vigil_tl_bin));
	return (prof_tl)buf;
}

static int prof_shard_active(prof_tl timeline)
{
	for (int b = 0; b < VIGIL_TL_BINS; b++)
		for (int l = 0; l < VIGIL_NLAYERS; l++)
			if (timeline[b][l].ops || timeline[b][l].ticks)
				return 1;
	return 0;
}

/* The segment's timeline onto the job's bins, or kept in *keep to be placed later. */
static int prof_add_timeline(struct vigil_profile *p, const struct vigil_seg_view *v,
                             double start, double end, struct vigil_proc_timeline *keep)
{
	if (keep) {
		memset(keep, 0, sizeof(*keep));
		keep->start = start;
		keep->end = end;
		keep->tick_seconds = v->tick_seconds;
		uint32_t n = 0;
		struct vigil_tl_bin buf[VIGIL_TL_BINS][VIGIL_NLAYERS];
		for (uint32_t s = 0; s < v->hdr->n_shards; s++)
			n += !prof_shard_unread(v, s) && prof_shard_active(prof_tl_of(v, s, buf));
		if (n && !(keep->shards = calloc(n, sizeof(*keep->shards))))
			return -ENOMEM;
		for (uint32_t s = 0; s < v->hdr->n_shards; s++) {
			if (prof_shard_unread(v, s))
				continue;
			const struct vigil_shard *sh = vigil_seg_shard(v, s);
			prof_tl tl = prof_tl_of(v, s, buf);
			if (!prof_shard_active(tl))
				continue;
			keep->shards[keep->n].tl_shift = sh->tl_shift;
			memcpy(keep->shards[keep->n].timeline, tl, sizeof(sh->timeline));
			keep->n++;
		}
		return 0;
	}
	prof_tl_cover(&p->timeline, start, end);
	for (uint32_t s = 0; s < v->hdr->n_shards; s++) {
		if (prof_shard_unread(v, s))
			continue;
		const struct vigil_shard *sh = vigil_seg_shard(v, s);
		struct vigil_tl_bin buf[VIGIL_TL_BINS][VIGIL_NLAYERS];
		prof_place_shard(p, sh->tl_shift, prof_tl_of(v, s, buf), v->tick_seconds, start, end);
	}
	return 0;
}

void vigil_profile_add_timeline(struct vigil_profile *p, const struct vigil_proc_timeline *t)
{
	prof_tl_cover(&p->timeline, t->start, t->end);
	for (uint32_t s = 0; s < t->n; s++)
		prof_place_shard(p, t->shards[s].tl_shift, t->shards[s].timeline, t->tick_seconds, t->start, t->end);
}

void vigil_proc_timeline_free(struct vigil_proc_timeline *t)
{
	free(t->shards);
	t->shards = NULL;
	t->n = 0;
}

int vigil_profile_add_segment(struct vigil_profile *p, const struct vigil_seg_view *v)
{
	return vigil_profile_add_segment_keep(p, v, NULL);
}

int vigil_profile_add_segment_keep(struct vigil_profile *p, const struct vigil_seg_view *v,
                                   struct vigil_proc_timeline *keep)
{
	const struct vigil_seg_header *h = v->hdr;
	const struct vigil_seg_identity *id = v->id;
	struct vigil_procstat *ps;
	int rc;

	if ((rc = prof_fill_empty(&p->job_id, id->job_id)) ||
	    (rc = prof_fill_empty(&p->step, id->step)) ||
	    (rc = prof_fill_empty(&p->command, id->cmdline)) ||
	    (rc = prof_add_host(p, id->host)))
		return rc;

	int new_rank = id->nranks > 0 && id->rank >= 0 && !prof_rank_seen(p, id->rank);
	/* The version 2 counters mean something only when every process had them. */
	uint32_t have = v->has_ext ? VIGIL_HAVE_APPENDS | VIGIL_HAVE_MISALIGNED : 0;
	p->insight_have = p->nprocs ? p->insight_have & have : have;
	if ((rc = prof_add_files(p, v, new_rank)))
		return rc;
	if ((rc = prof_new_proc(p, &ps)))
		return rc;
	ps->pid = id->pid;
	ps->ppid = id->ppid;
	ps->rank = id->rank >= 0 ? id->rank : -1;
	ps->nranks = id->nranks > 0 ? id->nranks : 0;
	ps->uid = id->uid;
	ps->host = strdup(id->host);
	/* a process that exec'd where the collector could not follow is that image now */
	int blind = (h->flags & VIGIL_FLAG_EXEC_UNMONITORED) && h->state != VIGIL_STATE_ENDED &&
	            v->exec_target[0];
	ps->exe = strdup(blind ? v->exec_target : id->exe);
	ps->command = strdup(blind ? v->exec_target : id->cmdline);
	ps->step = strdup(id->step);
	if (!ps->host || !ps->exe || !ps->command || !ps->step)
		return -ENOMEM;
	ps->start = prof_ns_to_s(h->clock.start_real_ns);
	if (h->state == VIGIL_STATE_ENDED) {
		ps->state = VIGIL_PROC_EXITED;
		ps->exit_status = id->exit_status;
		ps->end = h->clock.end_real_ns >= h->clock.start_real_ns
		        ? prof_ns_to_s(h->clock.end_real_ns) : ps->start;
	} else {
		/* No end record: the process died without one (or still runs; the reader knows). */
		ps->state = blind ? VIGIL_PROC_UNMONITORED : VIGIL_PROC_KILLED;
		ps->exit_status = -1;
		ps->end = ps->start + prof_last_activity(v);
	}
	ps->term_signal = id->term_signal > 0 && id->term_signal < 128 ? id->term_signal : 0;
	if (ps->term_signal && ps->state == VIGIL_PROC_EXITED)
		ps->state = VIGIL_PROC_KILLED;
	ps->flags = h->flags;
	ps->early_calls = h->early_calls;

	uint64_t added[VIGIL_OPMAP_WORDS] = { 0 }; /* the ops any shard may have counted */
	int unmapped = 0;
	for (uint32_t s = 0; s < h->n_shards; s++) {
		if (prof_shard_unread(v, s))
			continue;
		const uint64_t *map = vigil_seg_shard(v, s)->reserved;
		int any = 0;
		for (int w = 0; w < VIGIL_OPMAP_WORDS; w++) {
			any |= map[w] != 0;
			added[w] |= map[w];
		}
		unmapped |= !any;
		const struct vigil_op_counters *oc = vigil_seg_ops(v, s);
		for (uint32_t o = 0; o < v->n_ops; o++) {
			if (!prof_op_mapped(map, any, o))
				continue;
			struct vigil_opstat *d = &ps->ops[o];
			d->calls += oc[o].calls;
			d->errors += oc[o].errors;
			d->bytes += oc[o].bytes;
			d->seconds += (double)oc[o].ticks * v->tick_seconds;
			for (int b = 0; b < VIGIL_HIST_BUCKETS; b++)
				d->hist[b] += oc[o].hist[b];
		}
	}
	for (int o = 0; o < VIGIL_NOPS; o++)
		if (prof_op_mapped(added, !unmapped, (uint32_t)o))
			vigil_opstat_add(&p->ops[o], &ps->ops[o]);
	for (uint32_t s = 0; s < h->n_shards; s++) {
		const struct vigil_shard_ext *x = vigil_seg_shard_ext(v, s);
		p->again_errors += x ? x->again_errors : 0;
	}
	p->flags |= h->flags;
	p->early_calls += h->early_calls;
	prof_span(p, ps->start, ps->end);
	rc = prof_add_timeline(p, v, ps->start, ps->end, keep);
	return rc ? rc : vigil_accel_add_segment(p, v);
}

int vigil_profile_merge(struct vigil_profile *dst, const struct vigil_profile *src)
{
	int rc;

	if ((rc = prof_fill_empty(&dst->job_id, src->job_id)) ||
	    (rc = prof_fill_empty(&dst->step, src->step)) ||
	    (rc = prof_fill_empty(&dst->user, src->user)) ||
	    (rc = prof_fill_empty(&dst->command, src->command)) ||
	    (rc = prof_fill_empty(&dst->generator, src->generator)))
		return rc;
	if (!dst->uid)
		dst->uid = src->uid;
	for (size_t i = 0; i < src->nhosts; i++)
		if ((rc = prof_add_host(dst, src->hosts[i])))
			return rc;
	for (int o = 0; o < VIGIL_NOPS; o++)
		vigil_opstat_add(&dst->ops[o], &src->ops[o]);
	for (size_t i = 0; i < src->nfiles; i++) {
		const struct vigil_filestat *f = &src->files[i];
		long slot = prof_file_slot(dst, f->path, f->kind, f->layer);
		if (slot < 0)
			return (int)slot;
		prof_file_add(&dst->files[slot], f);
	}
	if (src->nprocs)
		dst->insight_have = dst->nprocs ? dst->insight_have & src->insight_have : src->insight_have;
	for (size_t i = 0; i < src->nprocs; i++) {
		struct vigil_procstat *ps;
		if ((rc = prof_new_proc(dst, &ps)))
			return rc;
		*ps = src->procs[i];
		ps->host = strdup(src->procs[i].host ? src->procs[i].host : "");
		ps->exe = strdup(src->procs[i].exe ? src->procs[i].exe : "");
		ps->command = strdup(src->procs[i].command ? src->procs[i].command : "");
		ps->step = strdup(src->procs[i].step ? src->procs[i].step : "");
		if (!ps->host || !ps->exe || !ps->command || !ps->step)
			return -ENOMEM;
	}
	const struct vigil_timeline *st = &src->timeline;
	if (st->bin_seconds > 0) {
		prof_tl_cover(&dst->timeline, st->start, st->start + VIGIL_TL_BINS * st->bin_seconds);
		for (int b = 0; b < VIGIL_TL_BINS; b++)
			for (int l = 0; l < VIGIL_NLAYERS; l++)
				prof_tl_spread(&dst->timeline, l, st->start + b * st->bin_seconds,
				               st->start + (b + 1) * st->bin_seconds, &st->bin[b][l]);
	}
	dst->flags |= src->flags;
	dst->early_calls += src->early_calls;
	dst->again_errors += src->again_errors;
	dst->survivors += src->survivors;
	prof_span(dst, src->start, src->end);
	return vigil_accel_merge(&dst->accel, &src->accel);
}
