/*
 * http.c - libmicrohttpd front: the TCP listener (Prometheus, browsers) and
 * the UNIX socket (the CLI, identified by SO_PEERCRED).
 *
 * Both run in MHD's own epoll threads with a connection limit and a timeout,
 * so slow or malicious clients cannot stall the sampler; the state lock is
 * held only while an answer is rendered into memory, and the sampler holds it
 * only to fold what it already read (sample.c), so an answer waits at most
 * for one fold.  Browsers prove who they
 * are with a per-user token that vigild writes into that user's segment
 * directory (mode 0600, owned by the user): `vigil dashboard` reads it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "common/vigild_client.h"
#include "daemon/daemon.h"
#ifdef VIGIL_HAVE_WEB
#include "assets.h"
#endif

static struct MHD_Daemon *http_tcp, *http_unix;
static char http_url[256];
static int http_marker;

static int http_listen_tcp(const char *spec)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr *sa;
	socklen_t salen;
	char *end;
	long port;
	int fd, one = 1;

	if (!colon || (size_t)(colon - spec) >= sizeof host)
		return -EINVAL;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = 0;
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -EINVAL;
	if (host[0] == '[') {
		size_t n = strlen(host);
		if (n < 2 || host[n - 1] != ']')
			return -EINVAL;
		host[n - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &s6.sin6_addr) != 1)
			return -EINVAL;
		s6.sin6_port = htons((uint16_t)port);
		sa = (struct sockaddr *)&s6;
		salen = sizeof s6;
	} else {
		if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &s4.sin_addr) != 1)
			return -EINVAL;
		s4.sin_port = htons((uint16_t)port);
		sa = (struct sockaddr *)&s4;
		salen = sizeof s4;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, sa, salen) < 0 || listen(fd, 1024) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	const char *shown = host[0] && strcmp(host, "0.0.0.0") && strcmp(host, "[::]") ? host : vd.hostname;
	snprintf(http_url, sizeof http_url, "%s://%.200s:%ld/", vd_web.cert ? "https" : "http", shown, port); /* a display URL */
	return fd;
}

static ino_t http_unix_ino; /* our socket file: the only one we remove */

static int http_listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	/* Replace a stale socket (nobody answers: instance.c), never anything else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (vd_instance_probe_socket(path) < 0)
			return -EADDRINUSE;
		unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(path, 0666) < 0 || listen(fd, 256) < 0 ||
	    lstat(path, &st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	http_unix_ino = st.st_ino;
	return fd;
}

/* ---- tokens ------------------------------------------------------------- */

/*
 * A token for every directory that has none.  Called by the sampler thread
 * (the only one that changes vd.dirs) without vd.lock: the file is written
 * first, the token published under the lock.
 */
int vd_tokens_refresh(void)
{
	for (int i = 0; i < vd.ndirs; i++) {
		struct vd_dir *d = &vd.dirs[i];
		unsigned char rnd[16];
		char tmp[] = ".vigild.token.tmp", text[512], token[33];
		if (d->token[0])
			continue;
		if (getrandom(rnd, sizeof rnd, 0) != sizeof rnd)
			return -EIO;
		for (int k = 0; k < 16; k++)
			snprintf(token + 2 * k, 3, "%02x", rnd[k]);
		int n = snprintf(text, sizeof text, "%s\n%s?token=%s\n", token, http_url, token);
		unlinkat(d->fd, tmp, 0);
		int fd = openat(d->fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, text, (size_t)n) != n || fchown(fd, d->uid, (gid_t)-1) < 0 ||
		    fchmod(fd, 0600) < 0 || renameat(d->fd, tmp, d->fd, VIGIL_DAEMON_TOKEN) < 0) {
			if (geteuid() == 0 || d->uid == geteuid())
				vd_log(VD_LOG_WARN, "http", "cannot write the token file in %s: %s", d->path, strerror(errno));
			unlinkat(d->fd, tmp, 0);
		}
		if (fd >= 0)
			close(fd);
		pthread_mutex_lock(&vd.lock);
		memcpy(d->token, token, sizeof d->token);
		pthread_mutex_unlock(&vd.lock);
	}
	return 0;
}

/* Caller holds vd.lock (vd.dirs grows and tokens appear under it). */
long vd_token_uid(const char *token)
{
	size_t n = strlen(token);
	if (n != 32)
		return VD_VIEWER_ANON;
	for (int i = 0; i < vd.ndirs; i++) {
		/* constant-time compare: tokens are secrets */
		unsigned char diff = 0;
		for (size_t k = 0; k < 32; k++)
			diff |= (unsigned char)(vd.dirs[i].token[k] ^ token[k]);
		if (!diff && vd.dirs[i].token[0])
			return (long)vd.dirs[i].uid;
	}
	return VD_VIEWER_ANON;
}

/* ---- requests ----------------------------------------------------------- */

static enum MHD_Result http_send(struct MHD_Connection *c, int status, const char *ctype, struct vd_buf *b)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(b->len, b->p, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		vd_buf_free(b);
		return MHD_NO;
	}
	b->p = NULL;
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static long http_viewer(struct MHD_Connection *c, bool unix_sock)
{
	if (unix_sock) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct ucred cr;
		socklen_t len = sizeof cr;
		if (ci && getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0)
			return (long)cr.uid;
		return VD_VIEWER_ANON;
	}
	char tok[64];
	const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	if (!q && a && vd_bearer_token(a, tok, sizeof tok) == 0)
		q = tok;
	if (!q)
		return VD_VIEWER_ANON;
	pthread_mutex_lock(&vd.lock);
	long uid = vd_token_uid(q);
	pthread_mutex_unlock(&vd.lock);
	return uid;
}

/*
 * --web.config.file on the TCP listener: the client certificate its
 * client_auth_type asks for, then basic auth when users are configured.
 * Returns 0 (let in), else the HTTP status to refuse with.
 */
static int http_gate(struct MHD_Connection *c)
{
	if (vd_web.cert && vd_web.client_auth >= VD_CLIENT_REQUIRE_ANY) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		gnutls_session_t s = ci ? (gnutls_session_t)ci->tls_session : NULL;
		unsigned n = 0, status = 1;
		if (s)
			gnutls_certificate_get_peers(s, &n);
		bool given = n > 0;
		bool verified = given && gnutls_certificate_verify_peers2(s, &status) == 0 && status == 0;
		if ((vd_web.client_auth != VD_CLIENT_VERIFY_IF_GIVEN && !given) ||
		    (vd_web.client_auth != VD_CLIENT_REQUIRE_ANY && given && !verified))
			return 403;
	}
	if (vd_web.nusers) {
		char *pass = NULL;
		char *user = MHD_basic_auth_get_username_password(c, &pass);
		bool ok = vd_webcfg_check(user, pass);
		if (pass)
			explicit_bzero(pass, strlen(pass));
		MHD_free(user);
		MHD_free(pass);
		if (!ok)
			return 401;
	}
	return 0;
}

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                    const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	bool unix_sock = cls != NULL;
	struct vd_buf b = {0};
	const char *ctype = "text/plain; version=0.0.4; charset=utf-8";
	int status = 200;

	/* First call only marks the connection (see MACHINE-NOTES: keeps keep-alive). */
	if (!*con_cls) {
		*con_cls = &http_marker;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* bodies are not used: discard */
		return MHD_YES;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST")) {
		vd_buf_add(&b, "method not allowed\n", 19);
		return http_send(c, 405, "text/plain", &b);
	}
	__atomic_add_fetch(&vd.http_requests, 1, __ATOMIC_RELAXED);
	int refuse = unix_sock ? 0 : http_gate(c);
	if (refuse == 401) {
		vd_buf_add(&b, "authentication required\n", 24);
		struct MHD_Response *r = MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
		enum MHD_Result ret = MHD_queue_basic_auth_fail_response(c, "vigild", r);
		MHD_destroy_response(r);
		return ret;
	}
	if (refuse) {
		vd_buf_add(&b, "client certificate required\n", 28);
		return http_send(c, refuse, "text/plain; charset=utf-8", &b);
	}
	/* anonymous: neither a socket peer nor a basic-auth user (--user-label applies) */
	bool anonymous = !unix_sock && !vd_web.nusers;
	if (!strcmp(url, "/metrics")) {
		const char *acc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
		bool om = acc && strstr(acc, "application/openmetrics-text");
		double t0 = vd_mono();
		pthread_mutex_lock(&vd.lock);
		vd_prom_render(&b, om, anonymous);
		vd.scrapes++;
		vd.scrape_seconds_last = vd_mono() - t0;
		vd.scrape_seconds_total += vd.scrape_seconds_last;
		pthread_mutex_unlock(&vd.lock);
		if (om)
			ctype = "application/openmetrics-text; version=1.0.0; charset=utf-8";
	} else if (!strncmp(url, "/api/", 5)) {
		long viewer = http_viewer(c, unix_sock);
		if (viewer == VD_VIEWER_ANON && !anonymous)
			viewer = VD_VIEWER_SCRAPER;
		const char *user = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "user");
		pthread_mutex_lock(&vd.lock);
		status = vd_api(method, url, user, viewer, &b, &ctype);
		pthread_mutex_unlock(&vd.lock);
	} else {
#ifdef VIGIL_HAVE_WEB
		const struct vigil_asset *as = vigil_web_find(url);
		if (!as && !strcmp(url, "/"))
			as = vigil_web_find("/index.html");
		if (as) {
			struct MHD_Response *r = MHD_create_response_from_buffer(as->len, (void *)as->data, MHD_RESPMEM_PERSISTENT);
			MHD_add_response_header(r, "Content-Type", as->content_type);
			MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
			enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
			MHD_destroy_response(r);
			return ret;
		}
#endif
		if (!strcmp(url, "/")) {
			vd_buf_printf(&b, "vigild %s\n\n/metrics          Prometheus metrics\n/api/v1/health    daemon health (JSON)\n"
			              "/api/v1/jobs      jobs on this node (JSON)\n/api/v1/jobs/ID   one job (JSON)\n\n"
			              "Run `vigil dashboard` for your personal URL.\n", VIGIL_VERSION);
			ctype = "text/plain; charset=utf-8";
		} else {
			status = 404;
			vd_buf_add(&b, "not found\n", 10);
			ctype = "text/plain; charset=utf-8";
		}
	}
	if (b.oom) {
		vd_buf_free(&b);
		status = 503;
		vd_buf_add(&b, "out of memory\n", 14);
	}
	if (!b.p)
		vd_buf_add(&b, "", 0);
	return http_send(c, status, ctype, &b);
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = 0;
	vd_log_limited(VD_LOG_DEBUG, "http", "mhd", "%s", line);
}

static struct MHD_Daemon *http_start_on(int fd, void *cls)
{
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	/* TLS (GnuTLS) on the TCP listener only: the socket is local and peer-checked. */
	struct MHD_OptionItem tls[4] = { { MHD_OPTION_END, 0, NULL } };
	int n = 0;
	if (!cls && vd_web.cert) {
		flags |= MHD_USE_TLS;
		tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, vd_web.cert };
		tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, vd_web.key };
		if (vd_web.ca && vd_web.client_auth != VD_CLIENT_NONE) /* makes MHD ask for a client certificate */
			tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, vd_web.ca };
		tls[n] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	}
	return MHD_start_daemon(flags, 0, NULL, NULL, http_handler, cls,
	                        MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL, /* first: MHD wants it so */
	                        MHD_OPTION_ARRAY, tls,
	                        MHD_OPTION_LISTEN_SOCKET, fd,
	                        MHD_OPTION_THREAD_POOL_SIZE, 2u,
	                        MHD_OPTION_CONNECTION_LIMIT, vd.cfg.max_connections,
	                        MHD_OPTION_CONNECTION_TIMEOUT, 10u,
	                        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	                        MHD_OPTION_END);
}

int vd_http_start(void)
{
	int fd = http_listen_tcp(vd.cfg.listen);
	if (fd == -EINVAL) {
		fprintf(stderr, "vigild: --listen wants ADDR:PORT (e.g. 127.0.0.1:9787), not '%s'.\n", vd.cfg.listen);
		return fd;
	}
	if (fd < 0) {
		fprintf(stderr, "vigild: cannot listen on %s: %s.\n", vd.cfg.listen, strerror(-fd));
		return fd;
	}
	http_tcp = http_start_on(fd, NULL);
	if (!http_tcp) {
		fprintf(stderr, "vigild: cannot start the HTTP server on %s.\n", vd.cfg.listen);
		close(fd);
		return -EIO;
	}
	vd_log(VD_LOG_INFO, "http", "listening on %s", http_url);
	if (vd.cfg.socket_path) {
		int ufd = http_listen_unix(vd.cfg.socket_path);
		if (ufd < 0) {
			if (ufd != -EADDRINUSE) /* else instance.c named the running vigild */
				fprintf(stderr, "vigild: cannot create socket %s: %s.\n", vd.cfg.socket_path, strerror(-ufd));
			return ufd;
		}
		http_unix = http_start_on(ufd, &http_marker);
		if (!http_unix) {
			fprintf(stderr, "vigild: cannot serve the socket %s.\n", vd.cfg.socket_path);
			return -EIO;
		}
		vd_log(VD_LOG_INFO, "http", "socket %s", vd.cfg.socket_path);
	}
	return 0;
}

void vd_http_stop(void)
{
	if (http_tcp)
		MHD_stop_daemon(http_tcp);
	if (http_unix) {
		MHD_stop_daemon(http_unix);
		struct stat st;
		if (lstat(vd.cfg.socket_path, &st) == 0 && st.st_ino == http_unix_ino)
			unlink(vd.cfg.socket_path);
	}
	http_tcp = http_unix = NULL;
}
