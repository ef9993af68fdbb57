/*
 * log.c - vigild's log lines on stderr (journald adds the time): a level, a
 * component tag, and rate limiting for complaints a hostile or broken
 * segment could otherwise repeat ten times a second.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "daemon/daemon.h"

int vd_log_level = VD_LOG_INFO;
static const char *const log_names[] = { "error", "warning", "info", "debug" };
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_v(int level, const char *comp, const char *fmt, va_list ap)
{
	char line[1024];
	vsnprintf(line, sizeof line, fmt, ap);
	/* Never let a segment's bytes reach the terminal or journal raw. */
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	fprintf(stderr, "vigild[%s] %s: %s\n", comp, log_names[level], line);
}

void vd_log_at(int level, const char *comp, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_v(level, comp, fmt, ap);
	va_end(ap);
}

#define LOG_KEYS 64
static struct { const char *key; double last; unsigned long suppressed; } log_rl[LOG_KEYS];

void vd_log_limited(int level, const char *comp, const char *key, const char *fmt, ...)
{
	double now = vd_mono();
	unsigned long swallowed = 0;
	int i;

	if (level > vd_log_level)
		return;
	pthread_mutex_lock(&log_lock);
	for (i = 0; i < LOG_KEYS && log_rl[i].key && log_rl[i].key != key; i++)
		;
	if (i == LOG_KEYS)
		i = LOG_KEYS - 1; /* table full: share the last slot */
	if (log_rl[i].key == key && now - log_rl[i].last < 10.0) {
		log_rl[i].suppressed++;
		pthread_mutex_unlock(&log_lock);
		return;
	}
	log_rl[i].key = key;
	log_rl[i].last = now;
	swallowed = log_rl[i].suppressed;
	log_rl[i].suppressed = 0;
	pthread_mutex_unlock(&log_lock);

	va_list ap;
	va_start(ap, fmt);
	log_v(level, comp, fmt, ap);
	va_end(ap);
	if (swallowed)
		vd_log_at(level, comp, "(%lu similar messages suppressed in the last 10 s)", swallowed);
}
