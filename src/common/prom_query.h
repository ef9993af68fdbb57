/*
 * prom_query.h - the cluster-wide view of jobs from Prometheus (docs/DEPLOY.md):
 * every node's vigild exports its part of a job, Prometheus sums them.  Only
 * fixed per-job queries are sent (no PromQL from users), over plain HTTP.
 */
#ifndef VIGIL_PROM_QUERY_H
#define VIGIL_PROM_QUERY_H

#include <stddef.h>

/* One job over all nodes.  Bytes and operations are the POSIX layer's (layers never add). */
struct vigil_prom_job {
	char jobid[64], user[64];
	double nodes;                /* nodes whose vigild exports the job */
	double running;              /* of them, where it still runs */
	double procs;                /* running processes, all nodes */
	double bytes_read, bytes_written, io_operations;       /* totals */
	double read_bps, write_bps, ops_ps, meta_ps;           /* per second, over the last minute */
	double mpi_share;            /* seconds in MPI per second per running process */
};

/*
 * The jobs Prometheus at `url` (http://HOST[:PORT][/PATH]) knows, all of them,
 * or only (jobid, user) when jobid is non-NULL (user NULL: the job id's
 * series of every user label summed, user "").
 * Returns the number of jobs (*out malloc'd, sorted by jobid) or -errno;
 * on error `err` holds one sentence.  Waits at most timeout_ms per query.
 */
int vigil_prom_jobs(const char *url, const char *jobid, const char *user, int timeout_ms,
                    struct vigil_prom_job **out, char *err, size_t errlen);

#endif
