/*
 * merge.c - `vigil merge [-o OUT] PROFILE|JOBID...`: one profile of a job
 * from the profiles of its nodes.
 *
 * vigild writes one profile per node and job; a job that ran on several
 * nodes without the MPI reduction (or whose reduction failed) is whole only
 * when they are merged.  The fold is the one every profile goes through
 * (vigil_profile_merge: totals, files by path and layer, processes,
 * timeline).  Inputs that would be counted twice are refused: two jobs, the
 * same file twice, two profiles of one node, an MPI reduction (it already
 * covers every rank).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "cli/report_util.h"
#include "common/help.h"
#include "common/profile_read.h"
#include "common/store_find.h"
#include "format/store.h"

static const char merge_usage[] =
"usage: vigil merge [-o OUT] [--profile-dir DIR] PROFILE|JOBID...\n"
"\n"
"Merge the per-node profiles of one job (vigild writes one per node) into one\n"
"profile of the whole job: totals, files, processes and timeline, folded as\n"
"every profile is (docs/PROFILE.md).  An argument that is a file is read; any\n"
"other is a job id whose node profiles are taken from the profile store.\n"
"\n"
"Refused (one sentence, exit 2): profiles of different jobs, the same file\n"
"twice, two profiles of one node, and an MPI-reduced profile (it already\n"
"covers every rank: use it as it is).\n"
"\n"
"Options:\n"
"  -o, --output OUT       write the merged profile to OUT ('-' for standard\n"
"                         output); never replaces a file.  Default: into the\n"
"                         profile store when there is one (where 'vigil report\n"
"                         JOBID' then finds it before the node profiles), else\n"
"                         ./vigil-JOBID.json (or .N.json if taken).\n"
"  -d, --profile-dir DIR  the site profile store (default $VIGIL_PROFILE_DIR).\n"
"  -h, --help             show this help.\n"
"\n"
"Exit status: 0 merged, 1 the output cannot be written, 2 bad usage or input.\n"
"\n"
"Examples:\n"
"  vigil merge -o job.json node1/vigil-42-node1.json node2/vigil-42-node2.json\n"
"  VIGIL_PROFILE_DIR=/scratch/vigil vigil merge 42 && vigil report 42\n";

/* Fold `q` (named `name`) into `p`, refusing what would count twice. */
static int merge_one(struct vigil_profile *p, const struct vigil_profile *q, const char *name, int first,
                     char (*hosts)[256], size_t *nhosts)
{
	char a[512], b[512], c[512];
	rep_term(a, sizeof(a), name);
	if (!strncmp(q->generator, "vigil-mpi", 9)) {
		fprintf(stderr, "vigil merge: %s is the MPI reduction of the whole job: it already covers every rank "
		        "(merging it would count them twice); use it as it is.\n", a);
		return -1;
	}
	if (!first && (strcmp(p->job_id, q->job_id) || strcmp(p->step, q->step))) {
		fprintf(stderr, "vigil merge: %s is job %s, the others job %s: only profiles of one job are merged.\n", a,
		        rep_term(b, sizeof(b), q->job_id), rep_term(c, sizeof(c), p->job_id));
		return -1;
	}
	for (size_t i = 0; !strncmp(q->generator, "vigild", 6) && i < q->nhosts; i++) {
		for (size_t k = 0; k < *nhosts; k++)
			if (!strcmp(hosts[k], q->hosts[i])) {
				fprintf(stderr, "vigil merge: two profiles of node %s (%s is the second): a node is "
				        "counted once.\n", rep_term(b, sizeof(b), q->hosts[i]), a);
				return -1;
			}
		if (*nhosts < 4096)
			snprintf(hosts[(*nhosts)++], 256, "%s", q->hosts[i]);
	}
	if (vigil_profile_merge(p, q)) {
		fprintf(stderr, "vigil merge: out of memory.\n");
		return -1;
	}
	return 0;
}

/* Where the merged profile goes (static buffer); NULL after one sentence. */
static const char *merge_output(const struct vigil_profile *p, const char *out, const char *store, unsigned *mode)
{
	static char path[PATH_MAX];
	char dir[PATH_MAX] = ".", name[1024];
	*mode = 0644;
	if (out)
		return out;
	if (store) {
		int rc = vigil_store_day_dir(dir, sizeof(dir), store, p->start);
		if (rc) {
			fprintf(stderr, "vigil merge: cannot write into the profile store %s: %s.\n", store, strerror(-rc));
			return NULL;
		}
		*mode = 0600;
	}
	for (int n = 0; n < 1000; n++) {
		struct stat st;
		if (vigil_store_name(name, sizeof(name), p->job_id, p->step, NULL, n) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
			break;
		if (lstat(path, &st) != 0)
			return path;
	}
	fprintf(stderr, "vigil merge: no free name for the merged profile in %s.\n", dir);
	return NULL;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "profile-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *flag = NULL;
	int c, rc = 2, n = 0;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'd': flag = optarg; break;
		case 'h': vigil_help("%s", merge_usage); return 0;
		default:
			fprintf(stderr, "vigil merge: unknown or incomplete option '%s'; see 'vigil merge --help'.\n",
			        argv[optind - 1]);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "vigil merge: no profile or job id given; see 'vigil merge --help'.\n");
		return 2;
	}
	const char *store = rep_store(flag);
	struct vigil_profile p;
	char (*hosts)[256] = calloc(4096, 256), err[1024], clean[1024];
	struct stat seen[256];
	size_t nhosts = 0, nseen = 0;
	vigil_profile_init(&p);
	if (!hosts)
		goto out;
	for (int i = optind; i < argc; i++) {
		const char *arg = argv[i];
		struct stat st;
		struct vigil_store_hits h = { 0 };
		int isfile = stat(arg, &st) == 0, e = errno;
		if (!isfile && !store) {
			rep_term(clean, sizeof(clean), arg);
			fprintf(stderr, "vigil merge: cannot read %s: %s.\n", clean, strerror(e));
			goto out;
		}
		if (!isfile && (vigil_store_find(store, arg, &h) || !h.nnode)) {
			vigil_store_hits_free(&h);
			fprintf(stderr, "vigil merge: %s is neither a file nor a job with node profiles in the profile "
			        "store %s.\n", rep_term(clean, sizeof(clean), arg), rep_term(err, sizeof(err), store));
			goto out;
		}
		for (size_t k = 0; k < (isfile ? 1 : h.nnode); k++) {
			const char *path = isfile ? arg : h.node[k];
			struct vigil_profile q;
			if (stat(path, &st) == 0) {
				for (size_t s = 0; s < nseen; s++)
					if (seen[s].st_dev == st.st_dev && seen[s].st_ino == st.st_ino) {
						fprintf(stderr, "vigil merge: %s is given twice.\n", rep_term(clean, sizeof(clean), path));
						vigil_store_hits_free(&h);
						goto out;
					}
				if (nseen < sizeof(seen) / sizeof(seen[0]))
					seen[nseen++] = st;
			}
			if (vigil_profile_load(path, &q, err, sizeof(err))) {
				fprintf(stderr, "vigil merge: %s\n", rep_term(clean, sizeof(clean), err));
				vigil_profile_free(&q);
				vigil_store_hits_free(&h);
				goto out;
			}
			int bad = merge_one(&p, &q, path, n++ == 0, hosts, &nhosts);
			vigil_profile_free(&q);
			if (bad) {
				vigil_store_hits_free(&h);
				goto out;
			}
		}
		vigil_store_hits_free(&h);
	}
	vigil_profile_set_str(&p.generator, "vigil merge");
	unsigned mode;
	const char *dest = merge_output(&p, out, store, &mode);
	rc = 1;
	if (!dest)
		goto out;
	if (!strcmp(dest, "-")) {
		errno = 0;
		vigil_profile_write_json(&p, stdout);
		rc = rep_finish_output("merge", stdout, "to standard output") ? 1 : 0;
		goto out;
	}
	int src = vigil_profile_save(&p, dest, mode, VIGIL_SAVE_DURABLE);
	rep_term(clean, sizeof(clean), dest);
	if (src == -EEXIST)
		fprintf(stderr, "vigil merge: %s already exists and vigil never replaces a profile; name another "
		        "file with -o.\n", clean);
	else if (src)
		fprintf(stderr, "vigil merge: cannot write %s: %s.\n", clean, strerror(-src));
	else {
		fprintf(stderr, "vigil merge: %d profile%s of job %s merged into %s.\n", n, n == 1 ? "" : "s",
		        rep_term(err, sizeof(err), p.job_id), clean);
		rc = 0;
	}
out:
	free(hosts);
	vigil_profile_free(&p);
	return rc;
}
