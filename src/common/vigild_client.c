/*
 * vigild_client.c - the CLI's side of vigild: daemon presence, socket, requests.
 * Kept free of daemon internals so `vigil` links nothing of the daemon.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "common/vigild_client.h"
#include "vigil/segment.h"

int vigil_daemon_running(const char *segdir)
{
	int dfd = open(segdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	int r = vigil_daemon_running_at(dfd);
	close(dfd);
	return r;
}

int vigil_daemon_release_segment(int dirfd, const char *name, uint64_t mark)
{
	if (!vigil_daemon_running_at(dirfd))
		return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
	int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!mark)
		mark = 1;
	ssize_t w = pwrite(fd, &mark, sizeof mark, (off_t)offsetof(struct vigil_seg_header, reader_mark));
	int rc = w == (ssize_t)sizeof mark ? 1 : -EIO;
	close(fd);
	return rc;
}

int vigil_daemon_running_at(int dirfd)
{
	int fd, running = 0;

	fd = openat(dirfd, VIGIL_DAEMON_LOCK, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* A shared lock fails only while vigild holds its exclusive one. */
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		running = errno == EWOULDBLOCK;
	else {
		/*
		 * Not held: vigild is down.  It refreshes the file's mtime every
		 * VIGIL_DAEMON_REFRESH seconds while it runs, so a recent mtime means
		 * it was killed or is restarting (systemd Restart=always) and will
		 * pick the segments up: leave them to it rather than lose its counts.
		 */
		struct stat st;
		if (fstat(fd, &st) == 0 && time(NULL) - st.st_mtime < VIGIL_DAEMON_STALE)
			running = 1;
		flock(fd, LOCK_UN);
	}
	close(fd);
	return running;
}

const char *vigil_daemon_socket_path(void)
{
	const char *s = getenv("VIGIL_SOCKET");
	return s && *s ? s : VIGIL_DAEMON_SOCKET_DEFAULT;
}

const char *vigil_daemon_user_segdir(char *buf, size_t n)
{
	const char *d = getenv("VIGIL_DIR");
	if (d && *d)
		snprintf(buf, n, "%s", d);
	else
		snprintf(buf, n, "/dev/shm/vigil-%u", (unsigned)getuid());
	return buf;
}

static long client_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Wait for `ev` on fd until the deadline; 0 ready, -ETIMEDOUT. */
static int client_wait(int fd, short ev, long deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	for (;;) {
		long left = deadline - client_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int vigil_daemon_request(const char *sock, const char *method, const char *path,
                         int timeout_ms, int *status, char **body, size_t *len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[2048], *buf = NULL;
	size_t used = 0, cap = 0;
	long deadline = client_now_ms() + timeout_ms;
	int fd = -1, rc, n;

	*body = NULL;
	if (strlen(sock) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, sock);
	n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
	             method, path);
	if (n >= (int)sizeof req)
		return -E2BIG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		rc = -errno;
		goto out;
	}
	for (int off = 0; off < n;) {
		if ((rc = client_wait(fd, POLLOUT, deadline)) < 0)
			goto out;
		ssize_t w = send(fd, req + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0) {
			rc = -errno;
			goto out;
		}
		off += (int)w;
	}
	for (;;) {
		if (used + 4096 + 1 > cap) {
			size_t nc = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, nc);
			if (!nb) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap = nc;
		}
		if ((rc = client_wait(fd, POLLIN, deadline)) < 0)
			goto out;
		ssize_t r = read(fd, buf + used, cap - used - 1);
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		used += (size_t)r;
	}
	buf[used] = 0;
	char *sep = strstr(buf, "\r\n\r\n");
	if (!sep || sscanf(buf, "HTTP/%*d.%*d %d", status) != 1) {
		rc = -EPROTO;
		goto out;
	}
	sep += 4;
	*len = used - (size_t)(sep - buf);
	memmove(buf, sep, *len + 1);
	*body = buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}
