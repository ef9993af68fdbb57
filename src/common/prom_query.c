/*
 * prom_query.c - fixed per-job PromQL queries against Prometheus's HTTP API
 * (GET /api/v1/query), for `vigil top --prometheus` and vigild's cluster view.
 * The only user-given parts of a query are a job id and a user name, escaped
 * as PromQL strings; an answer is bounded and parsed as untrusted JSON.
 */
#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "common/prom_query.h"
#include "vigil/ops.h"

#define PQ_MAX_ANSWER (8u << 20)

struct pq_url { char host[256], port[8], path[512]; };

static int pq_fail(char *err, size_t n, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return rc;
}

static int pq_parse_url(const char *url, struct pq_url *u)
{
	if (strncmp(url, "http://", 7))
		return -EINVAL;
	const char *h = url + 7, *e = h + strcspn(h, ":/");
	if (e == h || (size_t)(e - h) >= sizeof u->host)
		return -EINVAL;
	memcpy(u->host, h, (size_t)(e - h));
	u->host[e - h] = 0;
	snprintf(u->port, sizeof u->port, "80");
	if (*e == ':') {
		size_t pl = strcspn(e + 1, "/");
		if (pl == 0 || pl >= sizeof u->port || strspn(e + 1, "0123456789") != pl)
			return -EINVAL;
		memcpy(u->port, e + 1, pl);
		u->port[pl] = 0;
		e += 1 + pl;
	}
	if (strlen(e) >= sizeof u->path - 16 || strpbrk(e, " \r\n?#"))
		return -EINVAL;
	snprintf(u->path, sizeof u->path, "%s", *e ? e : "");
	size_t l = strlen(u->path);
	if (l && u->path[l - 1] == '/')
		u->path[l - 1] = 0;
	return 0;
}

/* GET u->path + /api/v1/query?query=Q; returns the parsed answer's `data.result` (new reference). */
static json_t *pq_get(const struct pq_url *u, const char *q, int timeout_ms, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char *req = NULL, *buf = NULL;
	size_t len = 0, cap = 0, ql = strlen(q);
	json_t *root = NULL, *res = NULL;
	int fd = -1;

	if (getaddrinfo(u->host, u->port, &hints, &ai) != 0 || !ai) {
		pq_fail(err, errlen, 0, "cannot resolve Prometheus host '%s'", u->host);
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0 ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		pq_fail(err, errlen, 0, "Prometheus at %s:%s is not reachable (%s)", u->host, u->port, strerror(errno));
		goto out;
	}
	req = malloc(ql * 3 + 1024);
	if (!req)
		goto out;
	size_t k = (size_t)sprintf(req, "GET %s/api/v1/query?query=", u->path);
	for (const unsigned char *s = (const unsigned char *)q; *s; s++)
		k += (size_t)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		              *s == '_' || *s == '.' || *s == '-'
		              ? sprintf(req + k, "%c", *s) : sprintf(req + k, "%%%02X", *s));
	k += (size_t)sprintf(req + k, " HTTP/1.0\r\nHost: %s\r\nAccept: application/json\r\n\r\n", u->host);
	for (size_t off = 0; off < k;) {
		ssize_t w = send(fd, req + off, k - off, MSG_NOSIGNAL);
		if (w <= 0) {
			pq_fail(err, errlen, 0, "Prometheus at %s:%s: request failed (%s)", u->host, u->port, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	for (;;) {
		if (len + 65536 + 1 > cap) {
			if (cap >= PQ_MAX_ANSWER) {
				pq_fail(err, errlen, 0, "Prometheus's answer is larger than %u bytes", PQ_MAX_ANSWER);
				goto out;
			}
			char *nb = realloc(buf, cap = cap ? cap * 2 : 131072);
			if (!nb)
				goto out;
			buf = nb;
		}
		ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
		if (r < 0) {
			pq_fail(err, errlen, 0, "Prometheus at %s:%s did not answer in time", u->host, u->port);
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (!buf)
		goto out;
	buf[len] = 0;
	char *body = strstr(buf, "\r\n\r\n");
	int status = 0;
	if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1 || !body) {
		pq_fail(err, errlen, 0, "Prometheus at %s:%s: not an HTTP answer", u->host, u->port);
		goto out;
	}
	body += 4;
	root = json_loadb(body, len - (size_t)(body - buf), 0, NULL);
	json_t *r = json_object_get(json_object_get(root, "data"), "result");
	if (status != 200 || !json_is_array(r)) {
		json_t *e = json_object_get(root, "error");
		pq_fail(err, errlen, 0, "Prometheus answered HTTP %d%s%s", status, json_is_string(e) ? ": " : "",
		        json_is_string(e) ? json_string_value(e) : "");
		goto out;
	}
	res = json_incref(r);
out:
	if (ai)
		freeaddrinfo(ai);
	if (fd >= 0)
		close(fd);
	free(req);
	free(buf);
	json_decref(root);
	return res;
}

/* `s` as the inside of a PromQL double-quoted string. */
static void pq_escape(char *out, size_t n, const char *s)
{
	size_t k = 0;
	for (; *s && k + 3 < n; s++) {
		if (*s == '"' || *s == '\\')
			out[k++] = '\\';
		if (*s == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
		} else
			out[k++] = *s;
	}
	out[k] = 0;
}

/* `name1|name2|...` of the POSIX layer's ops of a direction or class. */
static void pq_ops(char *out, size_t n, int dir, int cls)
{
	size_t k = 0;
	out[0] = 0;
	for (unsigned op = 0; op < VIGIL_NOPS; op++) {
		const struct vigil_op_info *oi = &vigil_op_table[op];
		if (oi->layer != VIGIL_LAYER_POSIX || (dir >= 0 && oi->dir != dir) || (cls >= 0 && oi->cls != cls))
			continue;
		int w = snprintf(out + k, n - k, "%s%s", k ? "|" : "", oi->name);
		if (w < 0 || (size_t)w >= n - k)
			break;
		k += (size_t)w;
	}
}

static struct vigil_prom_job *pq_row(struct vigil_prom_job **rows, size_t *n, json_t *metric)
{
	const char *id = json_string_value(json_object_get(metric, "jobid"));
	const char *user = json_string_value(json_object_get(metric, "user"));
	if (!user)
		user = ""; /* summed over users: one job id, user labels that differ by node */
	if (!id || strlen(id) >= sizeof (*rows)->jobid || strlen(user) >= sizeof (*rows)->user)
		return NULL;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*rows)[i].jobid, id) && !strcmp((*rows)[i].user, user))
			return &(*rows)[i];
	struct vigil_prom_job *nr = realloc(*rows, (*n + 1) * sizeof **rows);
	if (!nr)
		return NULL;
	*rows = nr;
	struct vigil_prom_job *r = &nr[(*n)++];
	memset(r, 0, sizeof *r);
	snprintf(r->jobid, sizeof r->jobid, "%s", id);
	snprintf(r->user, sizeof r->user, "%s", user);
	return r;
}

static int pq_cmp(const void *a, const void *b)
{
	const struct vigil_prom_job *x = a, *y = b;
	int c = strcmp(x->jobid, y->jobid);
	return c ? c : strcmp(x->user, y->user);
}

int vigil_prom_jobs(const char *url, const char *jobid, const char *user, int timeout_ms,
                    struct vigil_prom_job **out, char *err, size_t errlen)
{
	struct pq_url u;
	char sel[400] = "", eid[140], eus[140], rd[2048], wr[2048], meta[2048];
	*out = NULL;
	if (pq_parse_url(url, &u) < 0)
		return pq_fail(err, errlen, -EINVAL, "'%s' is not a Prometheus URL (http://HOST[:PORT][/PATH])", url);
	if (jobid) {
		pq_escape(eid, sizeof eid, jobid);
		pq_escape(eus, sizeof eus, user ? user : "");
		snprintf(sel, sizeof sel, "jobid=\"%s\"%s%s%s", eid, user ? ",user=\"" : "", user ? eus : "", user ? "\"" : "");
	}
	pq_ops(rd, sizeof rd, VIGIL_DIR_READ, -1);
	pq_ops(wr, sizeof wr, VIGIL_DIR_WRITE, -1);
	pq_ops(meta, sizeof meta, -1, VIGIL_CLASS_META);
	/* the fixed queries, one per field: "sum by (jobid, user) (EXPR)" with EXPR over the selector */
	static const struct { const char *expr; size_t off; } q[] = {
		{ "count(vigil_job_running{%s})", offsetof(struct vigil_prom_job, nodes) },
		{ "sum(vigil_job_running{%s})", offsetof(struct vigil_prom_job, running) },
		{ "sum(vigil_job_processes{state=\"running\",%s})", offsetof(struct vigil_prom_job, procs) },
		{ "sum(vigil_io_bytes_total{layer=\"posix\",op=~\"%s\",%s})", offsetof(struct vigil_prom_job, bytes_read) },
		{ "sum(vigil_io_bytes_total{layer=\"posix\",op=~\"%s\",%s})", offsetof(struct vigil_prom_job, bytes_written) },
		{ "sum(vigil_io_operations_total{layer=\"posix\",%s})", offsetof(struct vigil_prom_job, io_operations) },
		{ "sum(rate(vigil_io_bytes_total{layer=\"posix\",op=~\"%s\",%s}[1m]))", offsetof(struct vigil_prom_job, read_bps) },
		{ "sum(rate(vigil_io_bytes_total{layer=\"posix\",op=~\"%s\",%s}[1m]))", offsetof(struct vigil_prom_job, write_bps) },
		{ "sum(rate(vigil_io_operations_total{layer=\"posix\",%s}[1m]))", offsetof(struct vigil_prom_job, ops_ps) },
		{ "sum(rate(vigil_io_operations_total{layer=\"posix\",op=~\"%s\",%s}[1m]))", offsetof(struct vigil_prom_job, meta_ps) },
		{ "sum(rate(vigil_mpi_seconds_total{%s}[1m]))", offsetof(struct vigil_prom_job, mpi_share) },
	};
	const char *ops_of[] = { NULL, NULL, NULL, rd, wr, NULL, rd, wr, NULL, meta, NULL };
	struct vigil_prom_job *rows = NULL;
	size_t n = 0;
	char expr[8192], query[8400];
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		/* "sum(" / "count(" -> "sum by (jobid, user) (" */
		if (ops_of[i])
			snprintf(expr, sizeof expr, q[i].expr, ops_of[i], sel);
		else
			snprintf(expr, sizeof expr, q[i].expr, sel);
		char *paren = strchr(expr, '(');
		*paren = 0;
		snprintf(query, sizeof query, "%s by (%s) (%s", expr, jobid && !user ? "jobid" : "jobid, user", paren + 1);
		/* an empty selector leaves ",}" or "{}": both are valid PromQL */
		json_t *res = pq_get(&u, query, timeout_ms, err, errlen);
		if (!res) {
			free(rows);
			return -EIO;
		}
		for (size_t k = 0; k < json_array_size(res); k++) {
			json_t *e = json_array_get(res, k);
			struct vigil_prom_job *r = pq_row(&rows, &n, json_object_get(e, "metric"));
			const char *v = json_string_value(json_array_get(json_object_get(e, "value"), 1));
			if (r && v)
				*(double *)((char *)r + q[i].off) = strtod(v, NULL);
		}
		json_decref(res);
	}
	for (size_t i = 0; i < n; i++)
		rows[i].mpi_share = rows[i].procs > 0 ? rows[i].mpi_share / rows[i].procs : 0;
	if (n)
		qsort(rows, n, sizeof *rows, pq_cmp);
	*out = rows;
	return (int)n;
}
