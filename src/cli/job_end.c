/*
 * job_end.c - `vigil job-end ID`: tell vigild a job has ended (batch epilog),
 * so its profile is written now instead of after --job-linger.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/help.h"
#include "cli/cli.h"
#include "common/vigild_client.h"

int cmd_job_end(int argc, char **argv)
{
	char path[512], enc[256];
	const char *user = NULL;
	int status = 0;
	char *body = NULL;
	size_t len = 0;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		vigil_help("usage: vigil job-end [--user NAME] JOBID\n\n"
		       "Tell vigild (over its socket, $VIGIL_SOCKET or %s) that job JOBID has ended:\n"
		       "it writes the job's profile now. Only the job's owner or root may end a job.\n"
		       "Meant for a batch system's epilog (docs/DEPLOY.md).\n", VIGIL_DAEMON_SOCKET_DEFAULT);
		return 0;
	}
	int i = 1;
	if (argc >= 4 && !strcmp(argv[1], "--user")) {
		user = argv[2];
		i = 3;
	}
	if (argc == i + 1 && argv[i][0] == '-') {
		fprintf(stderr, "vigil job-end: unknown option '%s' (see vigil job-end --help).\n", argv[i]);
		return 2;
	}
	if (argc != i + 1 || !argv[i][0] || strlen(argv[i]) >= 64) {
		fprintf(stderr, "vigil job-end: give one job id (see vigil job-end --help).\n");
		return 2;
	}
	/* percent-encode the id for the URL path */
	size_t k = 0;
	for (const unsigned char *s = (const unsigned char *)argv[i]; *s && k + 4 < sizeof enc; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '.' || *s == '_' || *s == '-')
			enc[k++] = (char)*s;
		else
			k += (size_t)snprintf(enc + k, sizeof enc - k, "%%%02X", *s);
	}
	enc[k] = 0;
	snprintf(path, sizeof path, "/api/v1/jobs/%s/end%s%s", enc, user ? "?user=" : "", user ? user : "");
	int rc = vigil_daemon_request(vigil_daemon_socket_path(), "POST", path, 5000, &status, &body, &len);
	if (rc < 0) {
		fprintf(stderr, "vigil job-end: vigild is not reachable at %s (is it running?).\n",
		        vigil_daemon_socket_path());
		return 1;
	}
	free(body);
	if (status == 404) {
		fprintf(stderr, "vigil job-end: vigild knows no job '%s' on this node.\n", argv[i]);
		return 1;
	}
	if (status == 403) {
		fprintf(stderr, "vigil job-end: only the owner of job '%s' or root may end it.\n", argv[i]);
		return 1;
	}
	if (status != 200) {
		fprintf(stderr, "vigil job-end: vigild answered HTTP %d.\n", status);
		return 1;
	}
	return 0;
}
