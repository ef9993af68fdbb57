/*
 * segtool.c - a stand-in collector for vigild's tests: creates its own segment
 * (real layout from segment.h, named <pid>-<start>.seg like libvigil does),
 * performs a known workload by updating counters in place, and ends with or
 * without an end record.  Deterministic: every call costs 1000 ticks of the
 * NS clock (1 us), so expected values are exact.
 *
 * usage: segtool DIR JOBID [--op NAME] [--calls N] [--bytes B] [--delay-ms D]
 *        [--step S] [--exe PATH] [--cmd TEXT] [--file PATH] [--shards K]
 *        [--mpi N] [--no-end] [--hang] [--exit S] [--no-opmap] [--more-on-usr1 M]
 * --no-opmap leaves the shards' op maps zero, like a collector older than them.
 * --more-on-usr1 M: after the calls, wait for SIGUSR1, then make M more.
 *
 *        segtool --check-opmap SEGMENT
 * checks a segment written by the real collector: in every shard, an op's map
 * bit is set exactly when the op has calls; prints the number of ops mapped.
 *
 *        segtool --watch-files SEGMENT SLACK [--no-settle]
 * copies a live segment of the real collector the way readers do (again while
 * a file-table reuse overlapped the copy, vigil_seg_copy_settled) until it has
 * ended, and checks every copy against the write ops' bytes read just before
 * and in it (shards lie after the file table): the bytes written in all file
 * records are at least those before, less SLACK (calls in flight between
 * their op and file counts), and at most those in the copy.  A reuse seen half
 * done loses a file's bytes, one seen twice counts them twice.  Only settled
 * copies are checked; one still unsettled after all tries is counted apart.
 * Prints "checked retried unsettled violations"; fails on a violation or when
 * no copy settled.  --no-settle keeps every first copy, to show that the check
 * can fail.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "format/profile.h"
#include "vigil/segment.h"

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned long long proc_start(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(buf, sizeof buf, f))
		exit(3);
	fclose(f);
	char *s = strrchr(buf, ')');
	int field = 2;
	for (char *t = s + 1; *t; t++)
		if (*t == ' ' && ++field == 22)
			return strtoull(t + 1, NULL, 10);
	return 0;
}

static int check_opmap(const char *path)
{
	FILE *f = fopen(path, "rb");
	static unsigned char buf[VIGIL_SEGMENT_SIZE + 1] __attribute__((aligned(64)));
	struct vigil_seg_view v;
	const char *why;
	if (!f)
		return 3;
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (vigil_seg_parse(buf, n, 0, &v, &why) < 0) {
		fprintf(stderr, "segtool: %s: %s\n", path, why);
		return 1;
	}
	unsigned mapped = 0;
	for (uint32_t i = 0; i < v.hdr->n_shards; i++) {
		const struct vigil_shard *s = vigil_seg_shard(&v, i);
		for (uint32_t op = 0; op < v.n_ops; op++) {
			int bit = (int)((s->reserved[op / 64] >> (op % 64)) & 1);
			if (bit != (s->ops[op].calls != 0)) {
				fprintf(stderr, "segtool: shard %u op %s: map bit %d, calls %llu\n", i,
				        vigil_op_table[op].name, bit, (unsigned long long)s->ops[op].calls);
				return 1;
			}
			mapped += (unsigned)bit;
		}
	}
	printf("%u\n", mapped);
	return 0;
}

static uint64_t write_ops_bytes(const struct vigil_seg_view *v)
{
	uint64_t ops = 0;
	for (uint32_t i = 0; i < v->hdr->n_shards; i++)
		ops += vigil_seg_ops(v, i)[VIGIL_OP_WRITE].bytes;
	return ops;
}

static int watch_files(const char *path, uint64_t slack, int settle)
{
	static unsigned char before[VIGIL_SEGMENT_SIZE + 1] __attribute__((aligned(64)));
	static unsigned char buf[VIGIL_SEGMENT_SIZE + 1] __attribute__((aligned(64)));
	unsigned long copies = 0, retried = 0, unsettled = 0, bad = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 3;
	for (int ended = 0; !ended;) {
		struct vigil_seg_view v, vb;
		const char *why;
		ssize_t nb = pread(fd, before, sizeof before, 0), n;
		int settled = 0;
		for (int attempt = 0;; attempt++) {
			n = pread(fd, buf, sizeof buf, 0);
			if (n <= 0)
				break;
			if (!settle || vigil_seg_copy_settled(fd, buf, (size_t)n)) {
				settled = 1;
				break;
			}
			if (attempt + 1 >= VIGIL_SEG_COPY_TRIES)
				break;
			retried++;
			vigil_seg_copy_wait(attempt);
		}
		if (nb <= 0 || n <= 0 || vigil_seg_parse(before, (size_t)nb, 0, &vb, &why) < 0 ||
		    vigil_seg_parse(buf, (size_t)n, 0, &v, &why) < 0)
			continue; /* not yet initialised */
		ended = v.hdr->state == VIGIL_STATE_ENDED;
		if (!settled) {
			/* a copy taken mid-update may lose or double a reuse: only settled ones are judged */
			unsettled++;
			continue;
		}
		uint64_t files = 0, lo = write_ops_bytes(&vb), hi = write_ops_bytes(&v);
		for (uint32_t i = 0; i < v.hdr->n_files; i++) {
			const struct vigil_file *r = vigil_seg_file(&v, i);
			if (r->hash)
				files += r->layer[VIGIL_FLAYER_POSIX].bytes_written;
		}
		if (files + slack < lo || files > hi) {
			if (bad++ < 5)
				fprintf(stderr, "segtool: copy %lu: files %llu bytes, write ops %llu before, %llu in it\n",
				        copies, (unsigned long long)files, (unsigned long long)lo, (unsigned long long)hi);
		}
		copies++;
	}
	close(fd);
	printf("%lu %lu %lu %lu\n", copies, retried, unsettled, bad);
	if (!copies)
		fprintf(stderr, "segtool: no copy of %s settled\n", path);
	return bad || !copies ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--check-opmap"))
		return check_opmap(argv[2]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "--watch-files"))
		return watch_files(argv[2], strtoull(argv[3], NULL, 10), argc == 4 || strcmp(argv[4], "--no-settle"));
	const char *op_name = "write", *step = "", *exe = "/usr/bin/segtool", *cmd = "segtool", *file = NULL;
	uint64_t calls = 10, bytes = 4096, mpi = 0, more = 0;
	int delay_ms = 0, shards = 1, end = 1, hang = 0, status = 0, opmap = 1;
	if (argc < 3) {
		fprintf(stderr, "usage: segtool DIR JOBID [options]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(a, "--op")) op_name = v, i++;
		else if (!strcmp(a, "--calls")) calls = strtoull(v, 0, 10), i++;
		else if (!strcmp(a, "--bytes")) bytes = strtoull(v, 0, 10), i++;
		else if (!strcmp(a, "--delay-ms")) delay_ms = atoi(v), i++;
		else if (!strcmp(a, "--step")) step = v, i++;
		else if (!strcmp(a, "--exe")) exe = v, i++;
		else if (!strcmp(a, "--cmd")) cmd = v, i++;
		else if (!strcmp(a, "--file")) file = v, i++;
		else if (!strcmp(a, "--shards")) shards = atoi(v), i++;
		else if (!strcmp(a, "--mpi")) mpi = strtoull(v, 0, 10), i++;
		else if (!strcmp(a, "--exit")) status = atoi(v), i++;
		else if (!strcmp(a, "--no-end")) end = 0;
		else if (!strcmp(a, "--hang")) hang = 1;
		else if (!strcmp(a, "--no-opmap")) opmap = 0;
		else if (!strcmp(a, "--more-on-usr1")) more = strtoull(v, 0, 10), i++;
		else {
			fprintf(stderr, "segtool: unknown option %s\n", a);
			return 2;
		}
	}
	int op = -1;
	for (int k = 0; k < VIGIL_NOPS; k++)
		if (!strcmp(vigil_op_table[k].name, op_name))
			op = k;
	if (op < 0 || shards < 1 || shards > VIGIL_SHARDS)
		return 2;
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL); /* before the segment exists: a signal sent then waits */
	char path[4096];
	snprintf(path, sizeof path, "%s/%d-%llu%s", argv[1], (int)getpid(), proc_start(), VIGIL_SEG_SUFFIX);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)VIGIL_SEGMENT_SIZE) < 0) {
		perror(path);
		return 3;
	}
	unsigned char *m = mmap(NULL, VIGIL_SEGMENT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 3;
	struct vigil_seg_header *h = (void *)m;
	struct vigil_seg_identity *id = (void *)(m + VIGIL_IDENT_OFFSET);
	vigil_seg_header_init(h);
	h->clock.source = VIGIL_CLOCK_NS;
	h->clock.start_ticks = now_ns(CLOCK_MONOTONIC);
	h->clock.start_mono_ns = h->clock.start_ticks;
	h->clock.start_real_ns = now_ns(CLOCK_REALTIME);
	id->pid = getpid();
	id->ppid = getppid();
	id->uid = getuid();
	id->proc_start = proc_start();
	id->rank = -1;
	id->exit_status = -1;
	id->exec_count = 1;
	snprintf(id->job_id, sizeof id->job_id, "%s", argv[2]);
	snprintf(id->step, sizeof id->step, "%s", step);
	gethostname(id->host, sizeof id->host - 1);
	snprintf(id->exe, sizeof id->exe, "%s", exe);
	snprintf(id->cmdline, sizeof id->cmdline, "%s", cmd);
	h->shards_used = (uint32_t)shards;
	struct vigil_file *fr = NULL;
	if (file) {
		fr = (void *)(m + VIGIL_FILES_OFFSET + sizeof(struct vigil_file));
		fr->kind = VIGIL_FILE_REGULAR;
		snprintf(fr->path, sizeof fr->path, "%s", file);
		fr->path_len = (uint32_t)strlen(file);
		fr->first_ticks = h->clock.start_ticks;
		__atomic_store_n(&fr->hash, 0x5eedull, __ATOMIC_RELEASE);
		h->files_used = 2;
	}
	__atomic_store_n(&h->state, VIGIL_STATE_RUNNING, __ATOMIC_RELEASE);
	h->header_changes++;
	int layer = vigil_op_table[op].layer, fl = vigil_file_layer_of(layer);
	uint64_t i = 0;
again:
	for (; i < calls || i < mpi; i++) {
		struct vigil_shard *s = (void *)(m + VIGIL_SHARDS_OFFSET + (uint64_t)(i % (uint64_t)shards) * VIGIL_SHARD_SIZE);
		if (opmap) /* as the collector: an op's bit before its counters */
			s->reserved[op / 64] |= (i < calls ? 1ull << (op % 64) : 0),
			s->reserved[VIGIL_OP_MPI_ALLREDUCE / 64] |= (i < mpi ? 1ull << (VIGIL_OP_MPI_ALLREDUCE % 64) : 0);
		if (i < calls) {
			struct vigil_op_counters *c = &s->ops[op];
			c->calls++;
			c->bytes += bytes;
			c->ticks += 1000;
			c->hist[vigil_hist_bucket(bytes)]++;
			if (fr && fl >= 0) {
				if (vigil_op_table[op].dir == VIGIL_DIR_WRITE) {
					fr->layer[fl].writes++;
					fr->layer[fl].bytes_written += bytes;
				} else {
					fr->layer[fl].reads++;
					fr->layer[fl].bytes_read += bytes;
				}
				fr->layer[fl].ticks += 1000;
			}
		}
		if (i < mpi) {
			struct vigil_op_counters *c = &s->ops[VIGIL_OP_MPI_ALLREDUCE];
			c->calls++;
			c->bytes += 8;
			c->ticks += 1000;
			c->hist[vigil_hist_bucket(8)]++;
		}
		__atomic_store_n(&s->changes, s->changes + 1, __ATOMIC_RELEASE);
		if (delay_ms)
			usleep((useconds_t)delay_ms * 1000);
	}
	if (more) {
		int sig;
		sigwait(&usr1, &sig);
		calls = i + more;
		more = 0;
		goto again;
	}
	if (hang)
		for (;;)
			pause();
	if (end) {
		h->clock.end_ticks = now_ns(CLOCK_MONOTONIC);
		h->clock.end_mono_ns = h->clock.end_ticks;
		h->clock.end_real_ns = now_ns(CLOCK_REALTIME);
		id->exit_status = status;
		__atomic_store_n(&h->state, VIGIL_STATE_ENDED, __ATOMIC_RELEASE);
		h->header_changes++;
	}
	return status;
}
