/*
 * fuzz_insights_conf.c - the insights.conf parser (src/format/rules.c) on
 * arbitrary bytes: it must never crash or read out of bounds, accept or
 * reject with one sentence naming the line; an accepted configuration (any
 * thresholds at all: 0, 1e308) then judges a small job without trouble.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "format/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_insights_conf c;
	char err[512] = "";
	vigil_insights_conf_default(&c);
	int rc = vigil_insights_conf_parse(&c, (const char *)data, size, "fuzz.conf", err, sizeof(err));
	if (rc && (rc != -EINVAL || strncmp(err, "fuzz.conf line ", 15)))
		abort(); /* a rejection without its sentence */
	if (rc)
		return 0;
	struct vigil_profile p;
	vigil_profile_init(&p);
	p.start = 1;
	p.end = 100;
	struct vigil_procstat *ps = calloc(2, sizeof(*ps));
	struct vigil_filestat *fs = calloc(1, sizeof(*fs));
	if (!ps || !fs)
		abort();
	p.procs = ps;
	p.nprocs = p.procs_cap = 2;
	p.files = fs;
	p.nfiles = p.files_cap = 1;
	for (int r = 0; r < 2; r++) {
		ps[r].rank = r;
		ps[r].start = 1;
		ps[r].end = 100;
		ps[r].host = strdup("h");
		ps[r].exe = strdup("x");
		ps[r].command = strdup("x");
		ps[r].ops[VIGIL_OP_WRITE] = (struct vigil_opstat){ .calls = 5000, .bytes = 5000, .seconds = 10 };
		ps[r].ops[VIGIL_OP_WRITE].hist[1] = 5000;
		ps[r].ops[VIGIL_OP_MPI_BARRIER] = (struct vigil_opstat){ .calls = 9, .seconds = r ? 50 : 1 };
		vigil_opstat_add(&p.ops[VIGIL_OP_WRITE], &ps[r].ops[VIGIL_OP_WRITE]);
		vigil_opstat_add(&p.ops[VIGIL_OP_MPI_BARRIER], &ps[r].ops[VIGIL_OP_MPI_BARRIER]);
	}
	fs->path = strdup("/d/f");
	fs->kind = VIGIL_FILE_REGULAR;
	fs->writes = 10000;
	fs->bytes_written = 10000;
	fs->seconds = 20;
	fs->processes = 2;
	if (vigil_insights_judge_profile(&p, &c))
		abort();
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		vigil_insights_write_json(null, &p.insights);
		fclose(null);
	}
	vigil_profile_free(&p);
	return 0;
}
