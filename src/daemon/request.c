/*
 * request.c - the pure parts of answering a request: routing an (already
 * URL-decoded) path and reading a bearer token.  No state, no I/O: fuzzed by
 * tests/fuzz/fuzz_request.c.
 */
#include <errno.h>
#include <string.h>
#include "daemon/daemon.h"

int vd_bearer_token(const char *authz, char *out, size_t outn)
{
	static const char pfx[] = "Bearer ";
	if (!authz || strncasecmp(authz, pfx, sizeof pfx - 1))
		return -EINVAL;
	authz += sizeof pfx - 1;
	while (*authz == ' ')
		authz++;
	size_t n = strcspn(authz, " \t\r\n");
	if (n == 0 || n >= outn)
		return -EINVAL;
	memcpy(out, authz, n);
	out[n] = 0;
	return 0;
}

int vd_api_route(const char *path, char *jobid, size_t n, int *action)
{
	static const char jobs[] = "/api/v1/jobs";
	*action = VD_ROUTE_NONE;
	jobid[0] = 0;
	if (!strcmp(path, "/api/v1/health")) {
		*action = VD_ROUTE_HEALTH;
		return 0;
	}
	if (strncmp(path, jobs, sizeof jobs - 1))
		return -ENOENT;
	path += sizeof jobs - 1;
	if (!*path || !strcmp(path, "/")) {
		*action = VD_ROUTE_JOBS;
		return 0;
	}
	if (*path != '/')
		return -ENOENT;
	path++;
	size_t len = strlen(path);
	int act = VD_ROUTE_JOB;
	if (len > 4 && !strcmp(path + len - 4, "/end")) {
		len -= 4;
		act = VD_ROUTE_JOB_END;
	} else if (len > 8 && !strcmp(path + len - 8, "/cluster")) {
		len -= 8;
		act = VD_ROUTE_JOB_CLUSTER;
	} else if (len > 9 && !strcmp(path + len - 9, "/insights")) {
		len -= 9;
		act = VD_ROUTE_JOB_INSIGHTS;
	}
	if (len == 0 || len >= n || len >= 64)
		return -ENOENT;
	memcpy(jobid, path, len);
	jobid[len] = 0;
	*action = act;
	return 0;
}
