/*
 * run_write.c - writing for `vigil run`: the profile's job fields, the
 * profile file (written atomically), and taking over the MPI ranks' job
 * profile.  Split from run.c (see run_internal.h).
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include "cli/run_internal.h"
#include "format/profile.h"
#include "common/profile_read.h"

/* ---- the profile file --------------------------------------------------- */

/* Job ids come from the environment: anything outside [A-Za-z0-9._-] becomes %XX. */
static void run_escape_name(char *out, size_t len, const char *s)
{
	size_t k = 0;
	for (; *s && k + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-')
			out[k++] = (char)c;
		else
			k += (size_t)snprintf(out + k, len - k, "%%%02X", c);
	}
	out[k] = '\0';
}

/* Writes the profile; on success *where is its path (static buffer). */
int run_save(const struct run_state *st, const struct run_opts *o,
             const struct vigil_profile *p, const char **where)
{
	static char path[PATH_MAX];
	*where = NULL;
	if (o->profile) {
		int rc = vigil_profile_save(p, o->profile, 0644, 0);
		if (rc == -EEXIST)
			fprintf(stderr, "vigil run: %s already exists; vigil never replaces a profile, "
			        "so this run's profile was not written.\n", o->profile);
		else if (rc)
			fprintf(stderr, "vigil run: cannot write the profile %s: %s.\n", o->profile, strerror(-rc));
		else
			*where = o->profile;
		return rc;
	}
	char job[3 * 64 + 1], step[3 * 32 + 2] = "", first[PATH_MAX] = "";
	run_escape_name(job, sizeof(job), st->job_id);
	if (st->step[0]) {
		step[0] = '.';
		run_escape_name(step + 1, sizeof(step) - 1, st->step);
	}
	int rc = 0;
	for (int n = 0; n < 1000; n++) {
		if (n == 0)
			snprintf(path, sizeof(path), "vigil-%s%s.json", job, step);
		else
			snprintf(path, sizeof(path), "vigil-%s%s.%d.json", job, step, n);
		rc = vigil_profile_save(p, path, 0644, 0);
		if (rc != -EEXIST)
			break;
		if (n == 0)
			snprintf(first, sizeof(first), "%s", path);
	}
	if (rc) {
		fprintf(stderr, "vigil run: cannot write the profile %s: %s.\n", path, strerror(-rc));
		return rc;
	}
	if (first[0] && strcmp(first, path))
		fprintf(stderr, "vigil run: %s already exists; profile written to %s instead.\n", first, path);
	*where = path;
	return 0;
}

void run_user(struct vigil_profile *p)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	p->uid = (uint32_t)geteuid();
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &res) == 0 && res)
		vigil_profile_set_str(&p->user, pw.pw_name);
	else {
		char num[16];
		snprintf(num, sizeof(num), "%u", (unsigned)p->uid);
		vigil_profile_set_str(&p->user, num);
	}
}

void run_join_command(struct vigil_profile *p, char **cmd)
{
	size_t len = 1;
	for (char **a = cmd; *a; a++)
		len += strlen(*a) + 1;
	char *s = malloc(len);
	if (!s)
		return;
	s[0] = '\0';
	for (char **a = cmd; *a; a++) {
		if (a != cmd)
			strcat(s, " ");
		strcat(s, *a);
	}
	free(p->command);
	p->command = s;
}

/* ---- MPI jobs (docs/MPI-COUNTING.md) -------------------------------------- */

/*
 * When our ranks wrote a job profile (rank 0 ran under this vigil run), it
 * becomes ours with our own non-rank processes (mpirun, daemons) merged in.
 * When ranks were reduced but the profile is elsewhere (this vigil run
 * wrapped another rank: `mpirun vigil run -- app`), we write nothing.
 * Returns 0 when *p is to be saved.
 */
int run_merge_mpi(struct run_state *st, struct vigil_profile *p)
{
	struct vigil_profile q;
	char err[256];
	if (access(st->mpi_profile, F_OK) != 0)
		return st->mpi_reduced ? 1 : 0;
	vigil_profile_init(&q);
	int rc = vigil_profile_load(st->mpi_profile, &q, err, sizeof(err));
	unlink(st->mpi_profile);
	if (rc) {
		fprintf(stderr, "vigil run: cannot read the MPI job profile: %s.\n", err);
		vigil_profile_free(&q);
		return 0;
	}
	if (p->nprocs)
		rc = vigil_profile_merge(&q, p);
	if (rc == 0) {
		vigil_profile_set_str(&q.command, p->command);
		vigil_profile_free(p);
		*p = q;
		return 0;
	}
	vigil_profile_free(&q);
	return 0;
}

