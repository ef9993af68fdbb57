/*
 * store.c - profile file names and the site store's day directories
 * (store.h).  One implementation for vigil run, the MPI reduction and
 * vigild, so that `vigil report JOBID` finds what any of them wrote.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "format/store.h"

void vigil_store_escape(char *dst, size_t n, const char *s)
{
	size_t k = 0;
	if (!n)
		return;
	for (; s && *s && k + 4 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		     c == '_' || c == '-') && !(c == '.' && k == 0))
			dst[k++] = (char)c;
		else
			k += (size_t)snprintf(dst + k, n - k, "%%%02X", c);
	}
	dst[k] = '\0';
}

int vigil_store_name(char *out, size_t n, const char *job, const char *step, const char *host, int attempt)
{
	char j[3 * 128 + 1], s[3 * 64 + 1], h[3 * 64 + 1], a[16] = "";
	vigil_store_escape(j, sizeof(j), job);
	vigil_store_escape(s, sizeof(s), step);
	vigil_store_escape(h, sizeof(h), host);
	if (attempt > 0)
		snprintf(a, sizeof(a), ".%d", attempt);
	int l = snprintf(out, n, "vigil-%s%s%s%s%s%s.json", j, s[0] ? "." : "", s, h[0] ? "-" : "", h, a);
	return l < 0 || (size_t)l >= n ? -ENAMETOOLONG : 0;
}

/* mkdir with the parent's permission bits (umask does not apply: chmod after). */
static int store_level(const char *path, mode_t mode)
{
	if (mkdir(path, 0700) == 0)
		return chmod(path, mode) == 0 ? 0 : -errno;
	return errno == EEXIST ? 0 : -errno;
}

int vigil_store_day_dir(char *out, size_t n, const char *root, double when)
{
	struct stat st;
	struct tm tm;
	time_t t = (time_t)when;
	if (!root || !*root || stat(root, &st) != 0)
		return root && *root ? -errno : -EINVAL;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	mode_t mode = st.st_mode & 07777;
	int part[3] = { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday };
	size_t l = (size_t)snprintf(out, n, "%s", root);
	while (l > 1 && out[l - 1] == '/')
		out[--l] = '\0';
	for (int i = 0; i < 3; i++) {
		int w = snprintf(out + l, n - l, "/%d", part[i]);
		if (w < 0 || (size_t)w >= n - l)
			return -ENAMETOOLONG;
		l += (size_t)w;
		int rc = store_level(out, mode);
		if (rc)
			return rc;
	}
	return 0;
}
