/*
 * prom.c - /metrics: the Prometheus text format 0.0.4, or OpenMetrics 1.0
 * when the scraper asks for it.
 *
 * Labels: jobid, user, layer, op (or call for MPI), state, reason - never a
 * path, pid or rank.  Every job series carries `user` as well as `jobid`, so
 * two users' jobs with the same id never collide.  Only operations that were
 * called appear.  Values come from deltas that are never negative, so a
 * counter never goes backwards while it is exported.
 */
#include <inttypes.h>
#include <string.h>
#include "daemon/accel.h"
#include "daemon/daemon.h"
#include "daemon/insights.h"

/* Label value escaping: \ " and newline escaped, invalid UTF-8 -> U+FFFD, UTF-8 kept. */
void vd_prom_label_escape(struct vd_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned char c = *p;
		if (c == '\\') { vd_buf_add(b, "\\\\", 2); p++; continue; }
		if (c == '"') { vd_buf_add(b, "\\\"", 2); p++; continue; }
		if (c == '\n') { vd_buf_add(b, "\\n", 2); p++; continue; }
		if (c < 0x80) { vd_buf_add(b, (const char *)p, 1); p++; continue; }
		int n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
		if (c >= 0xf5)
			n = 0;
		int ok = n > 0;
		for (int k = 1; ok && k < n; k++)
			if ((p[k] & 0xc0) != 0x80)
				ok = 0;
		/* reject overlongs and surrogates */
		if (ok && n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
			ok = 0;
		if (ok && n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
			ok = 0;
		if (ok) {
			vd_buf_add(b, (const char *)p, (size_t)n);
			p += n;
		} else {
			vd_buf_add(b, "\xef\xbf\xbd", 3);
			p++;
		}
	}
}

struct prom_ctx {
	struct vd_buf *b;
	bool om;
	bool anon;                   /* an anonymous client: --user-label applies */
};

void vd_prom_family(struct vd_buf *b, bool om, const char *name, const char *type, const char *help)
{
	/* OpenMetrics names the counter family without its _total suffix. */
	size_t n = strlen(name);
	int len = om && !strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total") ? (int)n - 6 : (int)n;
	vd_buf_printf(b, "# HELP %.*s %s\n# TYPE %.*s %s\n", len, name, help, len, name, type);
}

void vd_prom_job_labels(struct vd_buf *b, const struct vd_job *j, bool anon)
{
	vd_buf_add(b, "jobid=\"", 7);
	vd_prom_label_escape(b, j->id);
	char ub[32];
	vd_buf_add(b, "\",user=\"", 8);
	vd_prom_label_escape(b, vd_user_shown(j, anon, ub));
	vd_buf_add(b, "\"", 1);
}

static void prom_family(struct prom_ctx *c, const char *name, const char *type, const char *help)
{
	vd_prom_family(c->b, c->om, name, type, help);
}

static void prom_job_labels(struct prom_ctx *c, const struct vd_job *j)
{
	vd_prom_job_labels(c->b, j, c->anon);
}

static void prom_num(struct prom_ctx *c, double v)
{
	vd_buf_printf(c->b, " %.17g\n", v);
}

static void prom_u64(struct prom_ctx *c, uint64_t v)
{
	vd_buf_printf(c->b, " %" PRIu64 "\n", v);
}

enum { F_CALLS, F_ERRORS, F_BYTES, F_SECONDS };

static void prom_tot_value(struct prom_ctx *c, const struct vd_tot *t, int field)
{
	switch (field) {
	case F_CALLS: prom_u64(c, t->calls); break;
	case F_ERRORS: prom_u64(c, t->errors); break;
	case F_BYTES: prom_u64(c, t->bytes); break;
	default: prom_num(c, t->seconds); break;
	}
}

/* Which families a layer's ops go to: I/O (never OpenCL), MPI calls, OpenCL calls. */
enum { PROM_IO, PROM_MPI, PROM_OPENCL };
static int prom_group(int layer)
{
	return layer == VIGIL_LAYER_MPI ? PROM_MPI : layer == VIGIL_LAYER_OPENCL ? PROM_OPENCL : PROM_IO;
}

static bool prom_io_layer(int layer)
{
	return prom_group(layer) == PROM_IO;
}

/* One per-job family over all jobs and ops of the right layers. */
static void prom_job_family(struct prom_ctx *c, const char *name, const char *help, int group, int field)
{
	prom_family(c, name, "counter", help);
	for (struct vd_job *j = vd.jobs; j; j = j->next)
		for (unsigned op = 0; op < VIGIL_NOPS; op++) {
			const struct vigil_op_info *oi = &vigil_op_table[op];
			if (prom_group(oi->layer) != group || !j->tot[op].calls)
				continue;
			vd_buf_printf(c->b, "%s{", name);
			prom_job_labels(c, j);
			if (group != PROM_IO)
				vd_buf_printf(c->b, ",call=\"%s\"}", oi->name);
			else
				vd_buf_printf(c->b, ",layer=\"%s\",op=\"%s\"}", vigil_layer_names[oi->layer], oi->name);
			prom_tot_value(c, &j->tot[op], field);
		}
}

static void prom_node_family(struct prom_ctx *c, const struct vd_tot *node, const char *name,
                             const char *help, int group, int field)
{
	prom_family(c, name, "counter", help);
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		const struct vigil_op_info *oi = &vigil_op_table[op];
		if (prom_group(oi->layer) != group || !node[op].calls)
			continue;
		if (group != PROM_IO)
			vd_buf_printf(c->b, "%s{call=\"%s\"}", name, oi->name);
		else
			vd_buf_printf(c->b, "%s{layer=\"%s\",op=\"%s\"}", name, vigil_layer_names[oi->layer], oi->name);
		prom_tot_value(c, &node[op], field);
	}
}

/*
 * Fixed buckets from the power-of-two ones: bucket i>=1 holds [2^(i-1), 2^i),
 * so le = 2^upto - 1 is exact.  Tiny (< 64 B), small (< 1 KiB), < 4 KiB,
 * < 64 KiB, medium (< 256 KiB), < 1 MiB, < 16 MiB, +Inf: 8 buckets, 10 series
 * per job, layer and op with _sum and _count (docs/METRICS.md).  4095, 65535,
 * 1048575 and 16777215 are the original edges: dashboards rely on them.
 */
static const struct { int upto; const char *le; } prom_buckets[] = {
	{ 6, "63" }, { 10, "1023" }, { 12, "4095" }, { 16, "65535" }, { 18, "262143" },
	{ 20, "1048575" }, { 24, "16777215" },
};

static void prom_histograms(struct prom_ctx *c)
{
	const char *name = "vigil_io_request_size_bytes";
	prom_family(c, name, "histogram",
	            "Requested sizes of data reads and writes (le is inclusive: 63 counts requests below 64 B, 4095 below 4 KiB); _sum is bytes transferred.");
	for (struct vd_job *j = vd.jobs; j; j = j->next)
		for (unsigned op = 0; op < VIGIL_NOPS; op++) {
			const struct vigil_op_info *oi = &vigil_op_table[op];
			const struct vd_tot *t = &j->tot[op];
			if (!prom_io_layer(oi->layer) || oi->cls != VIGIL_CLASS_DATA || !t->calls)
				continue;
			uint64_t cum = 0;
			int b = 0;
			for (size_t k = 0; k < sizeof prom_buckets / sizeof prom_buckets[0]; k++) {
				for (; b <= prom_buckets[k].upto; b++)
					cum += t->hist[b];
				vd_buf_printf(c->b, "%s_bucket{", name);
				prom_job_labels(c, j);
				vd_buf_printf(c->b, ",layer=\"%s\",op=\"%s\",le=\"%s\"}", vigil_layer_names[oi->layer],
				              oi->name, prom_buckets[k].le);
				prom_u64(c, cum);
			}
			for (; b < VIGIL_HIST_BUCKETS; b++)
				cum += t->hist[b];
			vd_buf_printf(c->b, "%s_bucket{", name);
			prom_job_labels(c, j);
			vd_buf_printf(c->b, ",layer=\"%s\",op=\"%s\",le=\"+Inf\"}", vigil_layer_names[oi->layer], oi->name);
			prom_u64(c, cum);
			vd_buf_printf(c->b, "%s_sum{", name);
			prom_job_labels(c, j);
			vd_buf_printf(c->b, ",layer=\"%s\",op=\"%s\"}", vigil_layer_names[oi->layer], oi->name);
			prom_u64(c, t->bytes);
			vd_buf_printf(c->b, "%s_count{", name);
			prom_job_labels(c, j);
			vd_buf_printf(c->b, ",layer=\"%s\",op=\"%s\"}", vigil_layer_names[oi->layer], oi->name);
			prom_u64(c, cum);
		}
}

static void prom_jobs(struct prom_ctx *c)
{
	prom_family(c, "vigil_job_info", "gauge", "Always 1: a job vigild knows, with its step and executable (basename).");
	for (struct vd_job *j = vd.jobs; j; j = j->next) {
		vd_buf_add(c->b, "vigil_job_info{", 15);
		prom_job_labels(c, j);
		vd_buf_add(c->b, ",step=\"", 7);
		vd_prom_label_escape(c->b, j->step);
		vd_buf_add(c->b, "\",executable=\"", 14);
		vd_prom_label_escape(c->b, vd_exe_shown(j, c->anon));
		vd_buf_add(c->b, "\"} 1\n", 5);
	}
	prom_family(c, "vigil_job_processes", "gauge", "Processes of a job by state (running, exited, killed).");
	for (struct vd_job *j = vd.jobs; j; j = j->next) {
		unsigned n[3] = { j->nlive, j->nexited, j->nkilled };
		for (int s = 0; s < 3; s++) {
			vd_buf_add(c->b, "vigil_job_processes{", 20);
			prom_job_labels(c, j);
			vd_buf_printf(c->b, ",state=\"%s\"} %u\n", vd_pstate_names[s], n[s]);
		}
	}
	prom_family(c, "vigil_job_running", "gauge", "1 while a job runs, 0 once it ended (kept for the grace period).");
	for (struct vd_job *j = vd.jobs; j; j = j->next) {
		vd_buf_add(c->b, "vigil_job_running{", 18);
		prom_job_labels(c, j);
		vd_buf_printf(c->b, "} %d\n", j->state != VD_J_ENDED);
	}
}

static void prom_health(struct prom_ctx *c)
{
	struct vd_buf *b = c->b;
	prom_family(c, "vigil_daemon_segments_seen_total", "counter", "Segments accepted since vigild started.");
	vd_buf_printf(b, "vigil_daemon_segments_seen_total %" PRIu64 "\n", vd.segments_seen);
	prom_family(c, "vigil_daemon_segments_live", "gauge", "Segments of running processes being sampled.");
	vd_buf_printf(b, "vigil_daemon_segments_live %" PRIu64 "\n", vd.segments_live);
	prom_family(c, "vigil_daemon_segments_rejected_total", "counter", "Segment files refused, by reason.");
	for (int r = 0; r < VD_NREJECT; r++)
		vd_buf_printf(b, "vigil_daemon_segments_rejected_total{reason=\"%s\"} %" PRIu64 "\n",
		              vd_reject_names[r], vd.rejected[r]);
	prom_family(c, "vigil_daemon_segment_reads_total", "counter",
	            "Reads of segment counters in a sampling pass's batch (process_vm_readv), and pieces it missed (read again with pread).");
	vd_buf_printf(b, "vigil_daemon_segment_reads_total{path=\"batched\"} %" PRIu64 "\n", vd.reads_batched);
	vd_buf_printf(b, "vigil_daemon_segment_reads_total{path=\"fallback\"} %" PRIu64 "\n", vd.reads_fallback);
	prom_family(c, "vigil_daemon_samples_total", "counter", "Sampling passes.");
	vd_buf_printf(b, "vigil_daemon_samples_total %" PRIu64 "\n", vd.samples);
	prom_family(c, "vigil_daemon_sample_seconds_total", "counter", "Time spent sampling.");
	vd_buf_printf(b, "vigil_daemon_sample_seconds_total %.9f\n", vd.sample_seconds_total);
	prom_family(c, "vigil_daemon_sample_duration_seconds", "gauge", "Duration of the latest sampling pass.");
	vd_buf_printf(b, "vigil_daemon_sample_duration_seconds %.9f\n", vd.sample_seconds_last);
	prom_family(c, "vigil_daemon_scrape_duration_seconds", "gauge", "Time to render the previous /metrics answer.");
	vd_buf_printf(b, "vigil_daemon_scrape_duration_seconds %.9f\n", vd.scrape_seconds_last);
	prom_family(c, "vigil_daemon_checkpoint_writes_total", "counter", "Checkpoint files written.");
	vd_buf_printf(b, "vigil_daemon_checkpoint_writes_total %" PRIu64 "\n", vd.ckpt_writes);
	prom_family(c, "vigil_daemon_checkpoint_errors_total", "counter", "Checkpoint writes that failed.");
	vd_buf_printf(b, "vigil_daemon_checkpoint_errors_total %" PRIu64 "\n", vd.ckpt_errors);
	prom_family(c, "vigil_daemon_profiles_written_total", "counter", "Job profiles written.");
	vd_buf_printf(b, "vigil_daemon_profiles_written_total %" PRIu64 "\n", vd.profiles_written);
	/* Why numbers may be partial: processes whose segment carries a degradation flag. */
	static const struct { uint32_t bit; const char *name; } flags[] = {
		{ VIGIL_FLAG_FILE_OVERFLOW, "file_table_overflow" }, { VIGIL_FLAG_FD_OVERFLOW, "fd_overflow" },
		{ VIGIL_FLAG_SHARED_SHARD, "shared_shard" }, { VIGIL_FLAG_PATH_TRUNCATED, "path_truncated" },
		{ VIGIL_FLAG_EARLY_CALLS, "early_calls" },
	};
	unsigned cnt[5] = {0};
	uint64_t early = 0;
	for (struct vd_job *j = vd.jobs; j; j = j->next)
		for (struct vd_proc *p = j->procs; p; p = p->next) {
			for (int k = 0; k < 5; k++)
				if (p->flags & flags[k].bit)
					cnt[k]++;
			early += p->early_calls;
		}
	prom_family(c, "vigil_daemon_degraded_processes", "gauge",
	            "Processes of known jobs whose collector recorded a degradation (overflowed tables, dropped calls), by flag.");
	for (int k = 0; k < 5; k++)
		vd_buf_printf(b, "vigil_daemon_degraded_processes{flag=\"%s\"} %u\n", flags[k].name, cnt[k]);
	prom_family(c, "vigil_daemon_early_calls", "gauge", "Calls of known jobs' processes the collector could not count.");
	vd_buf_printf(b, "vigil_daemon_early_calls %" PRIu64 "\n", early);
	unsigned running = 0, ended = 0;
	for (struct vd_job *j = vd.jobs; j; j = j->next)
		j->state == VD_J_ENDED ? ended++ : running++;
	prom_family(c, "vigil_daemon_jobs", "gauge", "Jobs exported, by state.");
	vd_buf_printf(b, "vigil_daemon_jobs{state=\"running\"} %u\nvigil_daemon_jobs{state=\"ended\"} %u\n", running, ended);
	prom_family(c, "vigil_daemon_http_requests_total", "counter", "HTTP and socket requests answered.");
	vd_buf_printf(b, "vigil_daemon_http_requests_total %" PRIu64 "\n", vd.http_requests);
	prom_family(c, "vigil_daemon_start_time_seconds", "gauge", "When this vigild started (Unix time).");
	vd_buf_printf(b, "vigil_daemon_start_time_seconds %.3f\n", vd.started);
	prom_family(c, "vigil_daemon_build_info", "gauge", "Always 1, with vigild's version.");
	vd_buf_printf(b, "vigil_daemon_build_info{version=\"%s\"} 1\n", VIGIL_VERSION);
}

/* Caller holds vd.lock. */
void vd_prom_render(struct vd_buf *b, bool openmetrics, bool anonymous)
{
	struct prom_ctx c = { .b = b, .om = openmetrics, .anon = anonymous };
	static struct vd_tot node[VIGIL_NOPS];
	prom_job_family(&c, "vigil_io_operations_total", "I/O operations of a job, by layer and operation.", PROM_IO, F_CALLS);
	prom_job_family(&c, "vigil_io_errors_total", "I/O operations of a job that failed.", PROM_IO, F_ERRORS);
	prom_job_family(&c, "vigil_io_bytes_total", "Bytes a job's I/O operations transferred.", PROM_IO, F_BYTES);
	prom_job_family(&c, "vigil_io_seconds_total", "Time a job spent inside I/O operations.", PROM_IO, F_SECONDS);
	prom_histograms(&c);
	prom_job_family(&c, "vigil_mpi_calls_total", "MPI calls of a job.", PROM_MPI, F_CALLS);
	prom_job_family(&c, "vigil_mpi_bytes_total", "Bytes of a job's MPI calls (sent, or posted receive size).", PROM_MPI, F_BYTES);
	prom_job_family(&c, "vigil_mpi_seconds_total", "Time a job spent inside MPI calls.", PROM_MPI, F_SECONDS);
	prom_job_family(&c, "vigil_opencl_calls_total", "OpenCL calls of a job (the loader layer), by call.", PROM_OPENCL, F_CALLS);
	prom_job_family(&c, "vigil_opencl_errors_total", "OpenCL calls of a job that failed.", PROM_OPENCL, F_ERRORS);
	prom_job_family(&c, "vigil_opencl_bytes_total", "Bytes of a job's OpenCL calls: transfers, fills, mapped bytes, implicit copies (the call says which).", PROM_OPENCL, F_BYTES);
	prom_job_family(&c, "vigil_opencl_seconds_total", "Host time a job spent blocked in OpenCL calls (waits, blocking transfers, builds).", PROM_OPENCL, F_SECONDS);
	vd_accel_prom(b, openmetrics, anonymous);
	prom_jobs(&c);
	vd_node_totals(node);
	prom_node_family(&c, node, "vigil_node_io_operations_total", "I/O operations on this node since counting began (survives vigild restarts).", PROM_IO, F_CALLS);
	prom_node_family(&c, node, "vigil_node_io_bytes_total", "Bytes of I/O on this node since counting began.", PROM_IO, F_BYTES);
	prom_node_family(&c, node, "vigil_node_io_seconds_total", "Time in I/O operations on this node since counting began.", PROM_IO, F_SECONDS);
	prom_node_family(&c, node, "vigil_node_mpi_calls_total", "MPI calls on this node since counting began.", PROM_MPI, F_CALLS);
	prom_node_family(&c, node, "vigil_node_mpi_bytes_total", "Bytes of MPI calls on this node since counting began.", PROM_MPI, F_BYTES);
	prom_node_family(&c, node, "vigil_node_mpi_seconds_total", "Time in MPI calls on this node since counting began.", PROM_MPI, F_SECONDS);
	prom_node_family(&c, node, "vigil_node_opencl_calls_total", "OpenCL calls on this node since counting began.", PROM_OPENCL, F_CALLS);
	prom_node_family(&c, node, "vigil_node_opencl_bytes_total", "Bytes of OpenCL transfers on this node since counting began (by call).", PROM_OPENCL, F_BYTES);
	prom_node_family(&c, node, "vigil_node_opencl_seconds_total", "Host time blocked in OpenCL calls on this node since counting began.", PROM_OPENCL, F_SECONDS);
	vd_insights_prom(b, openmetrics, anonymous);
	prom_health(&c);
	if (openmetrics)
		vd_buf_add(b, "# EOF\n", 6);
}
