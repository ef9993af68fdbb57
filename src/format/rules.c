/*
 * rules.c - the rule tables generated from include/vigil/rules.h, and the
 * insights.conf parser (docs/INSIGHTS.md).  libc only: vigil, vigild and the
 * MPI collector all read the same file the same way.
 *
 * The format is one setting per line, `#` starts a comment:
 *     RULE.enabled = true|false
 *     RULE.severity = info|warning|critical
 *     RULE.PARAM = NUMBER
 *     window | for | keep_firing_for = SECONDS
 * A bad line is one sentence naming the file and the line.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "format/insights.h"

const struct vigil_rule_info vigil_rule_table[VIGIL_NRULES] = {
#define VIGIL_X_RULE_INFO(id, name, cat, sev, title, measures, fix) \
	[VIGIL_RULE_##id] = { name, VIGIL_RCAT_##cat, VIGIL_SEV_##sev, title, measures, fix },
	VIGIL_RULES(VIGIL_X_RULE_INFO)
#undef VIGIL_X_RULE_INFO
};

const struct vigil_rule_param_info vigil_rule_params[VIGIL_NRULE_PARAMS] = {
#define VIGIL_X_PARAM_INFO(rule, name, def, help) \
	[VIGIL_RP_##rule##_##name] = { VIGIL_RULE_##rule, #name, def, help },
	VIGIL_RULE_PARAMS(VIGIL_X_PARAM_INFO)
#undef VIGIL_X_PARAM_INFO
};

const char *const vigil_severity_names[VIGIL_NSEVERITIES] = { "ok", "info", "warning", "critical" };
const char *const vigil_rule_category_names[VIGIL_NRCATS] = {
	"io", "metadata", "parallel", "mpi", "accelerator"
};

int vigil_rule_lookup(const char *id)
{
	for (int r = 0; r < VIGIL_NRULES; r++)
		if (!strcmp(vigil_rule_table[r].id, id))
			return r;
	return -1;
}

int vigil_severity_lookup(const char *name)
{
	for (int s = 0; s < VIGIL_NSEVERITIES; s++)
		if (!strcmp(vigil_severity_names[s], name))
			return s;
	return -1;
}

void vigil_insights_conf_default(struct vigil_insights_conf *c)
{
	memset(c, 0, sizeof(*c));
	for (int r = 0; r < VIGIL_NRULES; r++) {
		c->enabled[r] = 1;
		c->severity[r] = vigil_rule_table[r].severity;
	}
	for (int i = 0; i < VIGIL_NRULE_PARAMS; i++)
		c->param[i] = vigil_rule_params[i].def;
	c->window = 60;
	c->for_seconds = 30;
	c->keep_firing_for = 120;
	strcpy(c->source, "defaults");
}

static int conf_fail(char *err, size_t errlen, const char *name, int line, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err && errlen)
		snprintf(err, errlen, "%s line %d: %s.", name, line, what);
	return -EINVAL;
}

/* A finite number, the whole token; *ok 0 otherwise. */
static double conf_number(const char *s, int *ok)
{
	char *end = NULL;
	errno = 0;
	double d = strtod(s, &end);
	*ok = end != s && *end == '\0' && errno == 0 && isfinite(d);
	return d;
}

static char *conf_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t l = strlen(s);
	while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\r'))
		s[--l] = '\0';
	return s;
}

/* One "key = value" line (comment and blanks already removed). */
static int conf_line(struct vigil_insights_conf *c, char *key, char *val, const char *name, int ln,
                     char *err, size_t errlen)
{
	int ok;
	double d;
	static const struct { const char *key; size_t off; } timing[] = {
		{ "window", offsetof(struct vigil_insights_conf, window) },
		{ "for", offsetof(struct vigil_insights_conf, for_seconds) },
		{ "keep_firing_for", offsetof(struct vigil_insights_conf, keep_firing_for) },
	};
	for (size_t i = 0; i < sizeof(timing) / sizeof(timing[0]); i++) {
		if (strcmp(key, timing[i].key))
			continue;
		d = conf_number(val, &ok);
		if (!ok || d < 0 || d > 86400)
			return conf_fail(err, errlen, name, ln, "%s must be a number of seconds from 0 to 86400, not '%.40s'",
			                 key, val);
		*(double *)((char *)c + timing[i].off) = d;
		return 0;
	}
	char *dot = strchr(key, '.');
	if (!dot)
		return conf_fail(err, errlen, name, ln, "unknown setting '%.60s' (expected RULE.SETTING, window, for "
		                 "or keep_firing_for)", key);
	*dot = '\0';
	const char *what = dot + 1;
	int r = vigil_rule_lookup(key);
	if (r < 0)
		return conf_fail(err, errlen, name, ln, "unknown rule '%.60s'", key);
	if (!strcmp(what, "enabled")) {
		if (!strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1"))
			c->enabled[r] = 1;
		else if (!strcmp(val, "false") || !strcmp(val, "no") || !strcmp(val, "0"))
			c->enabled[r] = 0;
		else
			return conf_fail(err, errlen, name, ln, "%s.enabled must be true or false, not '%.40s'", key, val);
		return 0;
	}
	if (!strcmp(what, "severity")) {
		int s = vigil_severity_lookup(val);
		if (s <= VIGIL_SEV_OK)
			return conf_fail(err, errlen, name, ln, "%s.severity must be info, warning or critical, not '%.40s'",
			                 key, val);
		c->severity[r] = (unsigned char)s;
		return 0;
	}
	for (int i = 0; i < VIGIL_NRULE_PARAMS; i++) {
		if (vigil_rule_params[i].rule != r || strcmp(vigil_rule_params[i].name, what))
			continue;
		d = conf_number(val, &ok);
		if (!ok || d < 0)
			return conf_fail(err, errlen, name, ln, "%s.%s must be a non-negative number, not '%.40s'", key,
			                 what, val);
		c->param[i] = d;
		return 0;
	}
	return conf_fail(err, errlen, name, ln, "rule %s has no setting '%.60s' (see docs/INSIGHTS.md)", key, what);
}

int vigil_insights_conf_parse(struct vigil_insights_conf *c, const char *text, size_t len,
                              const char *name, char *err, size_t errlen)
{
	char buf[512];
	size_t i = 0;
	int ln = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		ln++;
		if (j - i >= sizeof(buf))
			return conf_fail(err, errlen, name, ln, "line longer than %zu bytes", sizeof(buf) - 1);
		if (memchr(text + i, '\0', j - i))
			return conf_fail(err, errlen, name, ln, "a NUL byte");
		memcpy(buf, text + i, j - i);
		buf[j - i] = '\0';
		i = j + 1;
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *line = conf_trim(buf);
		if (!*line)
			continue;
		char *eq = strchr(line, '=');
		if (!eq)
			return conf_fail(err, errlen, name, ln, "expected 'SETTING = VALUE', not '%.60s'", line);
		*eq = '\0';
		char *key = conf_trim(line), *val = conf_trim(eq + 1);
		if (!*key || !*val)
			return conf_fail(err, errlen, name, ln, "expected 'SETTING = VALUE'");
		int rc = conf_line(c, key, val, name, ln, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

int vigil_insights_conf_load(struct vigil_insights_conf *c, const char *path, char *err, size_t errlen)
{
	const char *p = path ? path : VIGIL_INSIGHTS_CONF_DEFAULT;
	vigil_insights_conf_default(c);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (!path && e == ENOENT)
			return 0;
		if (err && errlen)
			snprintf(err, errlen, "cannot read the insights configuration %s: %s.", p, strerror(e));
		return -e;
	}
	size_t cap = 65536, len = 0;
	char *text = malloc(cap);
	int rc = text ? 0 : -ENOMEM;
	while (rc == 0) {
		ssize_t n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap)
			rc = -EFBIG;
	}
	close(fd);
	if (rc == 0)
		rc = vigil_insights_conf_parse(c, text, len, p, err, errlen);
	else if (err && errlen)
		snprintf(err, errlen, "cannot read the insights configuration %s: %s.", p,
		         rc == -EFBIG ? "larger than 64 KiB" : strerror(-rc));
	free(text);
	if (rc == 0)
		snprintf(c->source, sizeof(c->source), "%s", p);
	return rc;
}
