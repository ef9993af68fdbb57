/*
 * mpi_reduce.c - identity at MPI_Init, the job-wide profile at MPI_Finalize.
 *
 * At MPI_Init every rank records its rank and the world size in its segment
 * and adopts rank 0's job id (so `mpirun vigil run -- app`, which starts one
 * `vigil run` per rank with its own generated id, still makes one job).
 * This happens on a private duplicate of MPI_COMM_WORLD with PMPI calls, so
 * the application's communicators and wrappers never see vigil's traffic.
 *
 * At MPI_Finalize, before PMPI_Finalize, the ranks first meet in an
 * MPI_Ibarrier polled with a deadline (VIGIL_MPI_TIMEOUT seconds, default
 * 60): a rank that died before finalizing makes the others give up the
 * reduction instead of blocking (their segments still hold everything for
 * vigil run / vigild).  Then each rank sends a compacted copy of its own
 * segment (the segment is the serialisation: only the used file records,
 * shards and kernel records are kept, still parseable by vigil_seg_parse) to rank 0, which
 * folds each with vigil_profile_add_segment (the code path vigil run uses)
 * and writes one profile to $VIGIL_PROFILE, else into the site profile store
 * $VIGIL_PROFILE_DIR (store.h), else ./vigil-<jobid>[.<step>].json.
 * Rank 0 then tells everybody whether the profile was written; those ranks
 * mark their segment (VIGIL_SEG_MPI_REDUCED) so vigil run does not count
 * them again.  vigil_pause() keeps vigil's own I/O out of the counters.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "mpi/mpi_internal.h"
#include "format/profile.h"
#include "format/store.h"

#define VM_TAG 0x7619 /* tag of vigil's messages on its private communicator */

MPI_Comm vm_comm;
int vm_comm_ok;
static int vm_rank0 = -1, vm_size0;

static const struct vigil_seg_identity *vm_ident(const struct vigil_seg_header *h)
{
	return (const void *)((const char *)h + h->ident_offset);
}

static int vm_verbose(void)
{
	const char *v = getenv("VIGIL_VERBOSE");
	return v && *v && strcmp(v, "0") != 0;
}

static double vm_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void vm_after_init(void)
{
	vm_api.pause();
	vm_pmpi.comm_rank(VM_COMM_WORLD, &vm_rank0);
	vm_pmpi.comm_size(VM_COMM_WORLD, &vm_size0);
	vm_api.set_rank(vm_rank0, vm_size0, vm_impl);
	const struct vigil_seg_header *sh = vm_api.segment();
	vm_tsc = sh && sh->clock.source == VIGIL_CLOCK_TSC; /* vm_now() reads it inline */
	if (vm_pmpi.comm_dup(VM_COMM_WORLD, &vm_comm) == MPI_SUCCESS) {
		vm_comm_ok = 1;
		/* vigil's own failures must never abort the job */
		vm_pmpi.comm_set_errhandler(vm_comm, VM_ERRORS_RETURN);
		char job[sizeof(((struct vigil_seg_identity *)0)->job_id)] = "";
		const struct vigil_seg_header *h = vm_api.segment();
		if (h)
			snprintf(job, sizeof(job), "%s", vm_ident(h)->job_id);
		if (vm_pmpi.bcast(job, (int)sizeof(job), VM_BYTE, 0, vm_comm) == MPI_SUCCESS) {
			job[sizeof(job) - 1] = '\0';
			if (h && vm_rank0 != 0 && job[0] && strcmp(job, vm_ident(h)->job_id) != 0)
				vm_api.set_job(job);
		}
	}
	vm_api.resume();
}

/*
 * A private copy of this process's segment with only the used file records
 * and shards, stamped as ended now (the process reached MPI_Finalize; its
 * exit status is not known yet, so -1).
 */
static unsigned char *vm_compact(size_t *len_out)
{
	const struct vigil_seg_header *h = vm_api.segment();
	*len_out = 0;
	if (!h || h->files_offset < h->header_size || h->shards_offset < h->files_offset)
		return NULL;
	const unsigned char *src = (const unsigned char *)h;
	uint32_t nf = 0, ns = 0;
	for (uint32_t i = 0; i < h->n_files; i++)
		nf += __atomic_load_n(&((const struct vigil_file *)(src + h->files_offset + (uint64_t)i * h->file_size))->hash,
		                      __ATOMIC_ACQUIRE) != 0;
	for (uint32_t i = 0; i < h->n_shards; i++) {
		const struct vigil_shard *s = (const void *)(src + h->shards_offset + (uint64_t)i * h->shard_size);
		ns += s->state != 0 || s->changes != 0;
	}
	if (ns == 0)
		ns = 1; /* a segment has at least one shard */
	uint64_t files_off = h->files_offset;
	uint64_t shards_off = (files_off + (uint64_t)nf * h->file_size + 63) & ~(uint64_t)63;
	uint64_t total = shards_off + (uint64_t)ns * h->shard_size;
	/* version 2: the accelerator region and the kernel records in use (OpenCL) follow the shards */
	uint64_t accel_off = 0, kern_off = 0;
	uint32_t nk = 0;
	if (h->version != VIGIL_SEG_VERSION_V1 && h->accel_offset >= h->header_size && h->accel_size) {
		const struct vigil_accel *a = (const void *)(src + h->accel_offset);
		nk = __atomic_load_n(&a->kernels_used, __ATOMIC_ACQUIRE) + 1;
		if (nk > h->n_kernels)
			nk = h->n_kernels;
		accel_off = (total + 63) & ~(uint64_t)63;
		kern_off = (accel_off + h->accel_size + 63) & ~(uint64_t)63;
		total = kern_off + (uint64_t)nk * h->kernel_size;
	}
	unsigned char *buf = calloc(1, total);
	if (!buf)
		return NULL;
	memcpy(buf, src, files_off);
	uint32_t k = 0;
	for (uint32_t i = 0; i < h->n_files && k < nf; i++) {
		const unsigned char *f = src + h->files_offset + (uint64_t)i * h->file_size;
		if (__atomic_load_n(&((const struct vigil_file *)f)->hash, __ATOMIC_ACQUIRE) != 0)
			memcpy(buf + files_off + (uint64_t)k++ * h->file_size, f, h->file_size);
	}
	nf = k;
	k = 0;
	for (uint32_t i = 0; i < h->n_shards && k < ns; i++) {
		const struct vigil_shard *s = (const void *)(src + h->shards_offset + (uint64_t)i * h->shard_size);
		if (s->state != 0 || s->changes != 0 || (i == h->n_shards - 1 && k == 0))
			memcpy(buf + shards_off + (uint64_t)k++ * h->shard_size, s, h->shard_size);
	}
	struct vigil_seg_header *c = (struct vigil_seg_header *)buf;
	if (accel_off) {
		memcpy(buf + accel_off, src + h->accel_offset, h->accel_size);
		memcpy(buf + kern_off, src + h->kernels_offset, (size_t)nk * h->kernel_size);
		c->accel_offset = accel_off;
		c->kernels_offset = kern_off;
		c->n_kernels = nk;
	}
	c->segment_size = total;
	c->n_files = nf;
	c->files_used = nf;
	c->shards_offset = shards_off;
	c->n_shards = k ? k : 1;
	c->shards_used = c->n_shards;
	struct timespec mono, real;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	c->clock.end_ticks = vm_api.now();
	c->clock.end_mono_ns = (uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec;
	c->clock.end_real_ns = (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
	c->state = VIGIL_STATE_ENDED;
	struct vigil_seg_identity *id = (struct vigil_seg_identity *)(buf + c->ident_offset);
	if (c->ident_offset + sizeof(*id) <= files_off)
		id->exit_status = -1;
	*len_out = total;
	return buf;
}

/* ./vigil-<jobid>[.<step>].json, job id characters outside [A-Za-z0-9._-] as %XX (docs/PROFILE.md). */
/*
 * Where rank 0 writes the job profile: $VIGIL_PROFILE, else the site store
 * ($VIGIL_PROFILE_DIR/YEAR/MONTH/DAY/, owner-only), else ./; the name is
 * every writer's (store.h).  Returns the file mode, or -errno.
 */
static int vm_profile_path(char *out, size_t n, const struct vigil_profile *p)
{
	const char *env = getenv("VIGIL_PROFILE"), *store = getenv(VIGIL_STORE_ENV);
	char dir[3072] = ".", name[1024];
	int rc;
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return 0644;
	}
	if (store && *store && (rc = vigil_store_day_dir(dir, sizeof(dir), store, p->start)))
		return rc;
	if ((rc = vigil_store_name(name, sizeof(name), p->job_id, p->step, NULL, 0)))
		return rc;
	if ((size_t)snprintf(out, n, "%s/%s", dir, name) >= n)
		return -ENAMETOOLONG;
	return store && *store ? 0600 : 0644;
}

static int vm_fold(struct vigil_profile *p, const void *buf, size_t len, double tsc)
{
	struct vigil_seg_view v;
	const char *why = NULL;
	if (len == 0)
		return 0;
	int rc = vigil_seg_parse(buf, len, tsc, &v, &why);
	if (rc == 0)
		rc = vigil_profile_add_segment(p, &v);
	else if (vm_verbose())
		fprintf(stderr, "vigil-mpi: a rank's segment was rejected (%s)\n", why ? why : "?");
	return rc;
}

/*
 * Findings last, on the job-wide profile (every rank folded): $VIGIL_INSIGHTS
 * (vigil run --insights) or /etc/vigil/insights.conf.  A bad file must not
 * stop the job: it is judged with the defaults, and VIGIL_VERBOSE says why.
 */
static void vm_judge(struct vigil_profile *p)
{
	struct vigil_insights_conf c;
	char err[512];
	const char *file = getenv("VIGIL_INSIGHTS");
	if (vigil_insights_conf_load(&c, file && *file ? file : NULL, err, sizeof(err))) {
		if (vm_verbose())
			fprintf(stderr, "vigil-mpi: %s Judging with the defaults.\n", err);
		vigil_insights_conf_default(&c);
	}
	if (vigil_insights_judge_profile(p, &c) && vm_verbose())
		fprintf(stderr, "vigil-mpi: out of memory judging the insights\n");
}

/* Rank 0: receive every other rank's segment, fold, write.  Returns 0 when the profile was saved. */
static int vm_root(unsigned char *mine, size_t mylen, size_t *bytes_in)
{
	struct vigil_profile p;
	double tsc = 0; /* each copy carries its own clock pairs; the parser calibrates only if they are too close */
	vigil_profile_init(&p);
	int rc = vm_fold(&p, mine, mylen, tsc);
	for (int i = 1; i < vm_size0; i++) {
		MPI_Status st;
		int n = 0;
		if (vm_pmpi.probe(MPI_ANY_SOURCE, VM_TAG, vm_comm, &st) != MPI_SUCCESS ||
		    vm_pmpi.get_count(&st, VM_BYTE, &n) != MPI_SUCCESS || n < 0) {
			rc = -EIO;
			break;
		}
		unsigned char *buf = malloc(n ? (size_t)n : 1);
		unsigned char dummy[8];
		/* Receive even without memory, so the sender is released. */
		if (vm_pmpi.recv(buf ? buf : dummy, buf ? n : 0, VM_BYTE, st.MPI_SOURCE, VM_TAG, vm_comm,
		                 MPI_STATUS_IGNORE) != MPI_SUCCESS || !buf) {
			free(buf);
			rc = rc ? rc : -ENOMEM;
			continue;
		}
		*bytes_in += (size_t)n;
		int r = vm_fold(&p, buf, (size_t)n, tsc);
		if (r == -ENOMEM)
			rc = r;
		free(buf);
	}
	if (rc == 0) {
		char path[4096] = "";
		vigil_profile_set_str(&p.generator, "vigil-mpi");
		p.uid = (uint32_t)getuid();
		struct passwd pw, *pwp = NULL;
		char pwbuf[1024];
		if (getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 && pwp)
			vigil_profile_set_str(&p.user, pw.pw_name);
		vm_judge(&p);
		int mode = vm_profile_path(path, sizeof(path), &p);
		rc = mode < 0 ? mode : vigil_profile_save(&p, path, (unsigned)mode, VIGIL_SAVE_DURABLE);
		if (rc && vm_verbose())
			fprintf(stderr, "vigil-mpi: cannot write the job profile %s: %s\n", path, strerror(-rc));
		else if (vm_verbose())
			fprintf(stderr, "vigil-mpi: job profile %s (%d ranks)\n", path, vm_size0);
	}
	vigil_profile_free(&p);
	return rc;
}

/* Wait for every rank to reach MPI_Finalize, at most `limit` seconds. */
static int vm_all_arrived(double limit)
{
	MPI_Request req;
	if (vm_pmpi.ibarrier(vm_comm, &req) != MPI_SUCCESS)
		return 0;
	double end = vm_mono() + limit;
	for (long spins = 0;; spins++) {
		int done = 0;
		if (vm_pmpi.test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
			return 0;
		if (done)
			return 1;
		if (spins > 1000) {
			if (vm_mono() > end)
				return 0; /* the request stays pending: the job is broken anyway */
			struct timespec ts = { 0, 200 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
}

int vm_reduce(void)
{
	const char *off = getenv("VIGIL_MPI_REDUCE");
	if (off && strcmp(off, "0") == 0)
		return -ECANCELED; /* turned off: no profile */
	const char *tl = getenv("VIGIL_MPI_TIMEOUT");
	double limit = tl && *tl ? atof(tl) : 60.0;
	double t0 = vm_mono();
	if (!vm_all_arrived(limit > 0 ? limit : 60.0)) {
		if (vm_verbose())
			fprintf(stderr, "vigil-mpi: rank %d: not every rank reached MPI_Finalize; no job profile\n", vm_rank0);
		return -ETIMEDOUT;
	}
	double t1 = vm_mono();
	size_t len = 0, bytes_in = 0;
	/* From the snapshot on, no thread counts (MPI's own threads talk to the launcher while it
	 * finalizes): what this rank sends is what its segment holds at the end. */
	if (vm_api.freeze)
		vm_api.freeze();
	unsigned char *mine = vm_compact(&len);
	int ok = 0;
	if (vm_rank0 == 0) {
		ok = vm_root(mine, len, &bytes_in) == 0;
	} else {
		/* An empty message when there is no segment: rank 0 waits for everyone. */
		vm_pmpi.send(mine ? mine : (unsigned char *)"", (int)len, VM_BYTE, 0, VM_TAG, vm_comm);
	}
	free(mine);
	vm_pmpi.bcast(&ok, (int)sizeof(ok), VM_BYTE, 0, vm_comm);
	const struct vigil_seg_header *h = vm_api.segment();
	if (ok && h) /* the segment is shared memory this process owns: only this word is written */
		__atomic_store_n((uint64_t *)&h->reserved[VIGIL_SEG_MPI_REDUCED_SLOT], VIGIL_SEG_MPI_REDUCED,
		                 __ATOMIC_RELEASE);
	if (!ok && vm_api.thaw) /* no profile: the segment is the truth again */
		vm_api.thaw();
	if (vm_rank0 == 0 && vm_verbose())
		fprintf(stderr, "vigil-mpi: reduction of %d ranks: %zu bytes from the others, "
		        "%.3f ms waiting for the last rank, %.3f ms gather+fold+write\n",
		        vm_size0, bytes_in, (t1 - t0) * 1e3, (vm_mono() - t1) * 1e3);
	return ok ? 0 : -EIO;
}

/*
 * Returns 1 when the job profile was written: counting then stays off (this
 * thread paused, every thread frozen since the snapshot) through
 * PMPI_Finalize, until vm_after_finalize(), so that what MPI does while it
 * finalizes (closing and unlinking its shared-memory files, its threads
 * talking to the launcher) is in neither the reduced profile nor the
 * segment: the reduction and vigild agree exactly on every rank
 * (docs/PROFILE.md).  I/O after MPI_Finalize returns is counted again.
 */
int vm_before_finalize(void)
{
	int written = 0;
	vm_api.pause();
	if (vm_comm_ok) {
		written = vm_reduce() == 0;
		vm_pmpi.comm_free(&vm_comm);
		vm_comm_ok = 0;
	}
	if (!written)
		vm_api.resume();
	return written;
}

void vm_after_finalize(void)
{
	if (vm_api.thaw)
		vm_api.thaw();
	vm_api.resume();
}
