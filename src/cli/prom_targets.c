/*
 * prom_targets.c - `vigil prometheus-targets`: the file Prometheus's file-based
 * service discovery reads (packaging/prometheus/prometheus.yml), one target
 * per node's vigild, labelled node=NAME.  Nodes come from the command line or
 * from Slurm (`scontrol show nodes -o`).  The file is written beside its name
 * and renamed into place: Prometheus never reads half of it.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "common/help.h"

#define PT_DEFAULT_PORT 9787

static void pt_usage(void)
{
	vigil_help("usage: vigil prometheus-targets [-o FILE] [--port N] [[NODE=]HOST[:PORT]...]\n\n"
	        "Write a Prometheus file_sd targets file (JSON) naming each node's vigild, labelled node=NAME.\n"
	        "Without HOST arguments the nodes come from `scontrol show nodes -o` (address NodeAddr,\n"
	        "name NodeName). --port: vigild's port where none is given (default %d). -o FILE: written\n"
	        "atomically (default: standard output). Rerun it from cron or after a node change.\n"
	        "Setup for N nodes: docs/DEPLOY.md.\n",
	        PT_DEFAULT_PORT);
}

/* Add one target {"targets": ["host:port"], "labels": {"node": name}}. */
static int pt_add(json_t *list, const char *node, const char *host, long port)
{
	char t[512];
	if (!*host || strlen(host) > 255 || strpbrk(host, " /\"")) {
		fprintf(stderr, "vigil prometheus-targets: '%s' is not a host name or address.\n", host);
		return -1;
	}
	snprintf(t, sizeof t, "%s:%ld", host, port);
	json_t *o = json_pack("{s:[s]}", "targets", t);
	if (node && *node)
		json_object_set_new(o, "labels", json_pack("{s:s}", "node", node));
	json_array_append_new(list, o);
	return 0;
}

/* "[NODE=]HOST[:PORT]" */
static int pt_arg(json_t *list, const char *arg, long port)
{
	char buf[512], *node = NULL, *host = buf, *p;
	snprintf(buf, sizeof buf, "%s", arg);
	if ((p = strchr(buf, '='))) {
		*p = 0;
		node = buf;
		host = p + 1;
	}
	if ((p = strrchr(host, ':')) && !strchr(p, ']')) {
		char *end;
		*p = 0;
		port = strtol(p + 1, &end, 10);
		if (*end || port < 1 || port > 65535) {
			fprintf(stderr, "vigil prometheus-targets: bad port in '%s'.\n", arg);
			return -1;
		}
	}
	return pt_add(list, node, host, port);
}

/* The value of KEY=VALUE in one `scontrol show nodes -o` line, into out. */
static int pt_field(const char *line, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	for (const char *s = line; (s = strstr(s, key)); s += kl) {
		if ((s == line || s[-1] == ' ') && s[kl] == '=') {
			size_t n = strcspn(s + kl + 1, " \n");
			if (n == 0 || n >= cap)
				return -1;
			memcpy(out, s + kl + 1, n);
			out[n] = 0;
			return 0;
		}
	}
	return -1;
}

static int pt_from_slurm(json_t *list, long port)
{
	char line[8192], name[256], addr[256];
	FILE *p = popen("scontrol show nodes -o 2>/dev/null", "r");
	int rc = 0, n = 0;
	if (!p) {
		fprintf(stderr, "vigil prometheus-targets: cannot run scontrol (%s).\n", strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof line, p)) {
		if (pt_field(line, "NodeName", name, sizeof name) < 0)
			continue;
		if (pt_field(line, "NodeAddr", addr, sizeof addr) < 0 &&
		    pt_field(line, "NodeHostName", addr, sizeof addr) < 0)
			snprintf(addr, sizeof addr, "%s", name);
		rc = pt_add(list, name, addr, port);
		n++;
	}
	if (pclose(p) != 0 || (rc == 0 && n == 0)) {
		fprintf(stderr, "vigil prometheus-targets: `scontrol show nodes` listed no node (is SLURM_CONF right?).\n");
		return -1;
	}
	return rc;
}

static int pt_write(const char *path, const char *text)
{
	char tmp[4096];
	if (!path) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : -1;
	}
	if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
		return -1;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	int bad = fputs(text, f) < 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int cmd_prometheus_targets(int argc, char **argv)
{
	const char *out = NULL;
	long port = PT_DEFAULT_PORT;
	int i = 1, rc = 0;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			pt_usage();
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			char *end;
			port = strtol(argv[++i], &end, 10);
			if (*end || port < 1 || port > 65535) {
				fprintf(stderr, "vigil prometheus-targets: --port wants 1-65535, not '%s'.\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "vigil prometheus-targets: unknown option '%s' (see --help).\n", argv[i]);
			return 2;
		}
	}
	json_t *list = json_array();
	if (i == argc)
		rc = pt_from_slurm(list, port);
	for (; rc == 0 && i < argc; i++)
		rc = pt_arg(list, argv[i], port);
	if (rc == 0) {
		char *text = json_dumps(list, JSON_INDENT(2));
		size_t l = text ? strlen(text) : 0;
		char *nl = text ? realloc(text, l + 2) : NULL;
		if (nl) {
			memcpy(nl + l, "\n", 2);
			text = nl;
		}
		if (!text || pt_write(out, text) < 0) {
			fprintf(stderr, "vigil prometheus-targets: cannot write %s (%s).\n", out ? out : "the output",
			        strerror(errno));
			rc = -1;
		}
		free(text);
	}
	json_decref(list);
	return rc == 0 ? 0 : 1;
}
