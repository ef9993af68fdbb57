/*
 * files_reuse.c - keep the heaviest files once the file table is full.
 *
 * The table has VIGIL_FILES records and used to keep the first files a
 * process saw: a job that touched 600 small files and then one 8 MiB file
 * showed that file only inside <other files>.  Now, when a new file needs a
 * record and the table is full, the record of a file that moved few bytes
 * (files_victim) and that nothing holds is reused: its counts move into record 0
 * (<other files>) and it is rewritten for the new file.  A job's top files are
 * then its heaviest, and its totals stay exact (docs/SEGMENT.md, "File-table
 * reuse").  All of it runs at open time, never on a data call.
 *
 * "Nothing holds it": no descriptor of this image is bound to it (col_fds),
 * and no thread is between finding it and binding it, or uses its index
 * outside the fd table (a pin, files_pins).  The reclaimer marks the record
 * (odd generation) before it looks for pins and bindings, and a thread pins
 * before it checks the generation, both with sequentially consistent order:
 * one of the two always sees the other.
 *
 * One reclaim at a time (the header's sequence, odd meanwhile): a thread that
 * finds another reclaiming does not wait, its file counts under <other files>.
 * Counts move field by field with an exchange, so an add racing the move
 * lands once, in one of the two records.  A data call still running on a
 * descriptor another thread closes may add its counts to the record's next
 * file (totals stay exact).
 */
#include <stddef.h>
#include "collector/col.h"

static uint32_t files_pins[VIGIL_FILES];  /* threads holding a record's index outside the fd table */
static unsigned files_fd_hi;              /* highest descriptor ever bound: the scan's end */

/* The reclaimer's own (only the thread holding the sequence touches them): files_victim */
#define FILES_CANDS 32
#define FILES_BACKOFF 64
static int files_cand[FILES_CANDS];       /* the lightest records of the last scan, lightest first */
static int files_ncand, files_next;
static uint64_t files_cut;                /* the heaviest candidate's weight at that scan */
static unsigned files_backoff;            /* new files to let go to <other files> without looking */

static uint64_t *files_seq(void)
{
	return &col.hdr->reserved[VIGIL_SEG_FILES_SEQ_SLOT];
}

void col_files_reuse_reset(void)
{
	__builtin_memset(files_pins, 0, sizeof(files_pins));
	files_ncand = files_next = 0; /* a new segment */
	files_backoff = 0;
}

/* An exec'd image re-attached: a reclaim its predecessor's threads left half done stays
 * odd (it counts under <other files>), and reclaiming goes on. */
void col_files_reuse_attached(void)
{
	uint64_t s = __atomic_load_n(files_seq(), __ATOMIC_RELAXED);
	if (s & 1)
		__atomic_store_n(files_seq(), s + 1, __ATOMIC_RELEASE);
}

void col_fd_bound(int fd)
{
	unsigned hi = __atomic_load_n(&files_fd_hi, __ATOMIC_RELAXED);
	while ((unsigned)fd > hi && !__atomic_compare_exchange_n(&files_fd_hi, &hi, (unsigned)fd, 1,
	                                                         __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
}

int col_file_pin(int i, uint64_t gen)
{
	if (i <= 0 || i >= VIGIL_FILES)
		return 1;
	__atomic_fetch_add(&files_pins[i], 1, __ATOMIC_SEQ_CST);
	if (!(gen & 1) && __atomic_load_n(&VIGIL_FILE_GEN(&col.files[i]), __ATOMIC_SEQ_CST) == gen)
		return 1;
	col_file_unpin(i);
	return 0;
}

/* Only a regular file's record is pinned (a pinned record keeps its kind; a pseudo file's is never reused). */
void col_file_unpin(int i)
{
	if (i > 0 && i < VIGIL_FILES && col.files && col.files[i].kind == VIGIL_FILE_REGULAR)
		__atomic_fetch_sub(&files_pins[i], 1, __ATOMIC_RELEASE);
}

/* Is record i bound to a descriptor of this image?  With bound[], mark every bound record instead. */
static int files_bound(int i, uint64_t *bound)
{
	unsigned hi = __atomic_load_n(&files_fd_hi, __ATOMIC_ACQUIRE);
	uint32_t gen = __atomic_load_n(&col.fd_gen, __ATOMIC_RELAXED);
	for (unsigned fd = 0; fd <= hi && fd < COL_FDS; fd++) {
		if (__atomic_load_n(&col_fds[fd].gen, __ATOMIC_ACQUIRE) != gen)
			continue;
		int32_t f = __atomic_load_n(&col_fds[fd].file, __ATOMIC_RELAXED);
		if (!bound) {
			if (f == i)
				return 1;
		} else if (f > 0 && f < VIGIL_FILES) {
			bound[f / 64] |= 1ull << (f % 64);
		}
	}
	return 0;
}

static uint64_t files_weight(const struct vigil_file *f)
{
	uint64_t w = 0;
	for (int l = 0; l < VIGIL_NFLAYERS; l++)
		w += __atomic_load_n(&f->layer[l].bytes_read, __ATOMIC_RELAXED) +
		     __atomic_load_n(&f->layer[l].bytes_written, __ATOMIC_RELAXED);
	return w;
}

/*
 * Candidates: the FILES_CANDS lightest records of the last scan, lightest
 * first, and the heaviest of their weights then.  A scan reads every record
 * (~7 us for 511); taking candidates from it makes one scan serve up to
 * FILES_CANDS reuses.  A candidate that moved more than `files_cut` since, or
 * is held now, is passed over: a file heavier than the 32 lightest of the
 * table at the last scan is never reused.  Only the thread holding the
 * sequence (odd) touches these.
 */

static void files_scan(void)
{
	uint64_t w[FILES_CANDS];
	int n = 0;
	for (int i = 1; i < VIGIL_FILES; i++) {
		const struct vigil_file *f = &col.files[i];
		if (f->kind != VIGIL_FILE_REGULAR || !__atomic_load_n(&f->hash, __ATOMIC_ACQUIRE))
			continue;
		uint64_t x = files_weight(f);
		if (n == FILES_CANDS && x >= w[n - 1])
			continue;
		int k = n < FILES_CANDS ? n++ : n - 1; /* insert in order (the heaviest falls off) */
		for (; k > 0 && w[k - 1] > x; k--) {
			w[k] = w[k - 1];
			files_cand[k] = files_cand[k - 1];
		}
		w[k] = x;
		files_cand[k] = i;
	}
	files_ncand = n;
	files_next = 0;
	files_cut = n ? w[n - 1] : 0;
}

/*
 * The next candidate that is still light and that nothing holds now (a pin,
 * a descriptor); 0 if none, even after a fresh scan: then the next
 * FILES_BACKOFF new files count under <other files> without looking (a
 * process holding the table's files open pays for the scans only now and then).
 */

static int files_victim(void)
{
	uint64_t bound[VIGIL_FILES / 64 + 1];
	int fresh = 0, have_bound = 0;
	if (files_backoff) {
		files_backoff--;
		return 0;
	}
	for (;;) {
		if (files_next >= files_ncand) {
			if (fresh) {
				files_backoff = FILES_BACKOFF;
				return 0;
			}
			files_scan();
			fresh = 1;
		}
		while (files_next < files_ncand) {
			int i = files_cand[files_next++];
			const struct vigil_file *f = &col.files[i];
			if (f->kind != VIGIL_FILE_REGULAR || (VIGIL_FILE_GEN(f) & 1) ||
			    __atomic_load_n(&files_pins[i], __ATOMIC_RELAXED) || files_weight(f) > files_cut)
				continue;
			if (!have_bound) { /* one pass over the descriptors for all candidates */
				__builtin_memset(bound, 0, sizeof(bound));
				files_bound(-1, bound);
				have_bound = 1;
			}
			if (!(bound[i / 64] >> (i % 64) & 1))
				return i;
		}
	}
}

static void files_move(uint64_t *from, uint64_t *to)
{
	if (!__atomic_load_n(from, __ATOMIC_RELAXED))
		return; /* most are 0 (unused layers); an add racing this one lands in the next file's */
	uint64_t v = __atomic_exchange_n(from, 0, __ATOMIC_RELAXED);
	if (v)
		__atomic_fetch_add(to, v, __ATOMIC_RELAXED);
}

static void files_move_max(uint64_t *from, uint64_t *to, int smallest)
{
	if (!__atomic_load_n(from, __ATOMIC_RELAXED))
		return;
	uint64_t v = __atomic_exchange_n(from, 0, __ATOMIC_RELAXED);
	uint64_t m = __atomic_load_n(to, __ATOMIC_RELAXED);
	while (v && (smallest ? (m == 0 || v < m) : v > m) &&
	       !__atomic_compare_exchange_n(to, &m, v, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* Every count of f into o (<other files>): sums add, max_offset and last access take the larger, first access the smaller. */
static void files_fold(struct vigil_file *f, struct vigil_file *o)
{
	for (int l = 0; l < VIGIL_NFLAYERS; l++) {
		struct vigil_file_counters *c = &f->layer[l], *d = &o->layer[l];
		files_move(&c->reads, &d->reads);
		files_move(&c->writes, &d->writes);
		files_move(&c->bytes_read, &d->bytes_read);
		files_move(&c->bytes_written, &d->bytes_written);
		files_move(&c->meta_ops, &d->meta_ops);
		files_move(&c->ticks, &d->ticks);
		files_move(&c->seq_reads, &d->seq_reads);
		files_move(&c->seq_writes, &d->seq_writes);
		files_move(&c->consec_reads, &d->consec_reads);
		files_move(&c->consec_writes, &d->consec_writes);
		files_move_max(&c->max_offset, &d->max_offset, 0);
		files_move(&f->ext[l].unpositioned_reads, &o->ext[l].unpositioned_reads);
		files_move(&f->ext[l].unpositioned_writes, &o->ext[l].unpositioned_writes);
		files_move(&f->ext[l].misaligned, &o->ext[l].misaligned);
	}
	files_move_max(&f->first_ticks, &o->first_ticks, 1);
	files_move_max(&f->last_ticks, &o->last_ticks, 0);
}

/*
 * A record to rewrite for a new file: its counts are in <other files> now, its
 * generation is odd, the header's sequence is odd, and the caller holds a pin.
 * 0 when none can be had (another thread reclaiming, every record held): the
 * new file then counts under <other files>.  The caller rewrites the record's
 * identity and calls col_file_reclaim_end.
 */
int col_file_reclaim_begin(void)
{
	if (!col.hdr || !col.files)
		return 0;
	uint64_t s = __atomic_load_n(files_seq(), __ATOMIC_RELAXED);
	if ((s & 1) || !__atomic_compare_exchange_n(files_seq(), &s, s + 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		return 0;
	int i = files_victim();
	if (i > 0) {
		struct vigil_file *f = &col.files[i];
		uint64_t g = __atomic_load_n(&VIGIL_FILE_GEN(f), __ATOMIC_RELAXED);
		__atomic_store_n(&VIGIL_FILE_GEN(f), g + 1, __ATOMIC_SEQ_CST); /* mark, then look (file comment) */
		if (__atomic_load_n(&files_pins[i], __ATOMIC_SEQ_CST) || files_bound(i, NULL)) {
			__atomic_store_n(&VIGIL_FILE_GEN(f), g, __ATOMIC_RELEASE);
			i = 0;
		} else {
			__atomic_fetch_add(&files_pins[i], 1, __ATOMIC_RELAXED);
			/* no thread may add with plain stores while the counts move (files.c, "Owners") */
			col_file_share(i);
			col_file_share(0);
			files_fold(f, &col.files[0]);
		}
	}
	if (i == 0) /* nothing changed: readers need not copy again */
		__atomic_store_n(files_seq(), s, __ATOMIC_RELEASE);
	return i;
}

void col_file_reclaim_end(int i)
{
	struct vigil_file *f = &col.files[i];
	__atomic_store_n(&VIGIL_FILE_GEN(f), __atomic_load_n(&VIGIL_FILE_GEN(f), __ATOMIC_RELAXED) + 1,
	                 __ATOMIC_RELEASE);
	__atomic_store_n(files_seq(), __atomic_load_n(files_seq(), __ATOMIC_RELAXED) + 1, __ATOMIC_RELEASE);
}
