/*
 * vigild_client.h - what the CLI needs to know about vigild: whether one runs
 * for a segment directory (vigil run's remove-or-mark decision), where its
 * UNIX socket is, and a tiny HTTP/1.0 client over that socket.
 */
#ifndef VIGIL_VIGILD_CLIENT_H
#define VIGIL_VIGILD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/segment.h" /* VIGIL_DAEMON_LOCK, _REFRESH, _STALE: the segment directory's convention */
/* Name of the per-user token file vigild writes into each user's segment directory. */
#define VIGIL_DAEMON_TOKEN "vigild.token"
#define VIGIL_DAEMON_SOCKET_DEFAULT "/run/vigil/vigild.sock"

/*
 * 1 when a vigild is in charge of `segdir`: it holds the lock on
 * segdir/vigild.lock, or released it less than VIGIL_DAEMON_STALE seconds
 * ago (killed or restarting: it will come back for the segments); 0 when not.  With a daemon running, `vigil run` marks the
 * segments it collected (header.reader_mark) and leaves removal to vigild.
 */
int vigil_daemon_running(const char *segdir);
/* Same, for a segment directory already open as `dirfd`. */
int vigil_daemon_running_at(int dirfd);

/*
 * Hand a collected segment over: with vigild running, set header.reader_mark
 * (vigild removes it once its final counts are checkpointed); without, remove
 * it.  Returns 1 marked, 0 removed, -errno.
 */
int vigil_daemon_release_segment(int dirfd, const char *name, uint64_t mark);

/* The socket path: $VIGIL_SOCKET, else VIGIL_DAEMON_SOCKET_DEFAULT. */
const char *vigil_daemon_socket_path(void);

/* The caller's segment directory: $VIGIL_DIR, else /dev/shm/vigil-<uid>; written into buf. */
const char *vigil_daemon_user_segdir(char *buf, size_t n);

/*
 * One HTTP/1.0 request over the UNIX socket `sock`.  On success returns 0,
 * *status the HTTP status and *body a malloc'd NUL-terminated body (caller
 * frees).  Returns -errno when the daemon cannot be reached.  Times out after
 * `timeout_ms`.
 */
int vigil_daemon_request(const char *sock, const char *method, const char *path,
                         int timeout_ms, int *status, char **body, size_t *len);

#endif
