/*
 * instance.c - one vigild per state directory, segment directory and socket.
 *
 * A second vigild on the same state must not start: it would write the same
 * checkpoints, and before this file it replaced the first one's socket and
 * removed it on exit, leaving the first running but unreachable.  Each
 * resource has an owner test that survives a SIGKILL (no stale "pid file"
 * belief): a flock on <state-dir>/vigild.pid and on <segdir>/vigild.lock
 * (both hold the owner's pid, for the message only), and for the socket a
 * connect() probe: a socket file nobody answers on is stale and replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "daemon/daemon.h"

/* The pid a lock file names (0 when unreadable). */
long vd_lock_owner(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	long pid = strtol(buf, NULL, 10);
	return pid > 0 ? pid : 0;
}

/* Lock taken: name ourselves in it. */
void vd_lock_claim(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) { /* the lock alone decides */ }
}

int vd_instance_lock_state(const char *state_dir)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/vigild.pid", state_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "vigild: cannot open %s: %s.\n", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "vigild: another vigild (pid %ld) is running with state directory %s; "
		        "stop it or give this one another --state-dir.\n", vd_lock_owner(fd), state_dir);
		close(fd);
		return -EBUSY;
	}
	vd_lock_claim(fd); /* kept open (and locked) until we exit */
	return 0;
}

int vd_instance_probe_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return 0; /* the listener reports it */
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int rc = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		struct ucred cr = { 0 };
		socklen_t len = sizeof cr;
		getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len);
		fprintf(stderr, "vigild: another vigild (pid %ld) is serving the socket %s; "
		        "stop it or give this one another --socket.\n", (long)cr.pid, path);
		rc = -EADDRINUSE;
	}
	close(fd);
	return rc;
}
