/*
 * store.h - where profiles go: their file names, and the site profile store.
 *
 * A site profile store (docs/PROFILE.md, "Finding and keeping profiles") is
 * a directory tree ROOT/YEAR/MONTH/DAY/ (Darshan's layout: 2026/12/1, the
 * UTC day the job started), shared by every writer of profiles: `vigil run`,
 * the MPI reduction at MPI_Finalize, and vigild.  Files in it are owner-only
 * (0600).  Plain C with libc only (linked into the MPI collectors).
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stddef.h>

/* Environment variable naming the store's root (vigil run, the MPI reduction, vigil report/diff/merge). */
#define VIGIL_STORE_ENV "VIGIL_PROFILE_DIR"

/*
 * A job id, step or host as a part of a file name: anything outside
 * [A-Za-z0-9._-] becomes %XX, and so does a leading '.' (never a hidden or
 * ".." name).  Always NUL-terminated; cut (never mid-escape) when `n` is short.
 */
void vigil_store_escape(char *dst, size_t n, const char *s);

/*
 * "vigil-JOBID[.STEP][-HOST][.N].json": the name every writer gives a
 * profile (HOST: a node profile of vigild; N > 0: the Nth name tried when
 * the first exists).  Returns 0, or -ENAMETOOLONG.
 */
int vigil_store_name(char *out, size_t n, const char *job, const char *step, const char *host, int attempt);

/*
 * The day directory ROOT/YEAR/MONTH/DAY of Unix time `when` (UTC) into
 * `out`, creating the levels that are missing; a new level gets its
 * parent's permission bits (a site's 1777 root makes 1777 levels, like
 * Darshan's log tree; a private 0700 root stays private).  Returns 0 or
 * -errno (ROOT itself must exist: -ENOENT).
 */
int vigil_store_day_dir(char *out, size_t n, const char *root, double when);

#endif
