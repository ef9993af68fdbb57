/* help.c - see help.h. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/help.h"

const char *vigil_docdir(void)
{
	static char dir[PATH_MAX + 32];
	if (dir[0])
		return dir;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			char cand[PATH_MAX + 32], real[PATH_MAX];
			snprintf(cand, sizeof cand, "%s/../share/doc/vigil", exe);
			if (realpath(cand, real)) {
				snprintf(dir, sizeof dir, "%s", real);
				return dir;
			}
		}
	}
	snprintf(dir, sizeof dir, "%s", VIGIL_SOURCE_DOCDIR);
	return dir;
}

void vigil_help(const char *fmt, ...)
{
	char buf[16384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	const char *dd = vigil_docdir();
	for (const char *s = buf, *hit; *s; s = hit + 5) {
		hit = strstr(s, "docs/");
		if (!hit) {
			fputs(s, stdout);
			break;
		}
		fwrite(s, 1, (size_t)(hit - s), stdout);
		printf("%s/", dd);
	}
}
