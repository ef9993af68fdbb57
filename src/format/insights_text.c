/* insights_text.c - numbers, sizes and the fix template of findings (insights.c). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "format/insights_int.h"

/* Evidence and fix texts are cut to their buffers on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* ---- text: numbers, sizes and the fix template ----------------------------- */

char *ins_var(struct ins_vars *v, const char *name)
{
	if (v->n >= INS_VARS)
		return v->val[INS_VARS - 1]; /* never reached: judges set few */
	v->name[v->n] = name;
	v->val[v->n][0] = '\0';
	return v->val[v->n++];
}

/* 1234567 -> "1,234,567" */
const char *ins_count(char *buf, size_t len, double x)
{
	char raw[32];
	int l = snprintf(raw, sizeof(raw), "%.0f", x > 0 && isfinite(x) ? x : 0.0);
	size_t k = 0;
	for (int i = 0; i < l && k + 2 < len; i++) {
		if (i && (l - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = raw[i];
	}
	buf[k] = '\0';
	return buf;
}

const char *ins_bytes(char *buf, size_t len, double b)
{
	static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int i = 0;
	if (!(b > 0) || !isfinite(b))
		b = 0;
	while (b >= 1024 && i < 5) {
		b /= 1024;
		i++;
	}
	if (i == 0 || b >= 100 || b == floor(b))
		snprintf(buf, len, "%.0f %s", b, u[i]);
	else
		snprintf(buf, len, "%.1f %s", b, u[i]);
	return buf;
}

const char *ins_pct(char *buf, size_t len, double r)
{
	double p = isfinite(r) ? r * 100 : 0;
	/* 99.9 % is not 100 %: one decimal near the ends of the scale */
	int dec = p != floor(p) && (p < 10 || (p > 99 && p < 100));
	snprintf(buf, len, dec ? "%.1f %%" : "%.0f %%", dec && p > 99 ? floor(p * 10) / 10 : p);
	return buf;
}

const char *ins_secs(char *buf, size_t len, double s)
{
	if (!(s > 0) || !isfinite(s))
		s = 0;
	if (s < 1)
		snprintf(buf, len, "%.0f ms", s * 1e3);
	else if (s < 100)
		snprintf(buf, len, "%.1f s", s);
	else
		snprintf(buf, len, "%.0f s", s);
	return buf;
}

/* Histogram bucket b as a range: "0 B", "16–31 B", "1–2 KiB" ([1 KiB, 2 KiB)). */
const char *ins_bucket(char *buf, size_t len, int b)
{
	if (b <= 0) {
		snprintf(buf, len, "0 B");
		return buf;
	}
	if (b >= VIGIL_HIST_BUCKETS - 1) {
		snprintf(buf, len, ">= 1 GiB");
		return buf;
	}
	double lo = ldexp(1, b - 1), hi = ldexp(1, b);
	if (hi <= 1024) {
		snprintf(buf, len, "%.0f–%.0f B", lo, hi - 1);
		return buf;
	}
	static const char *u[] = { "B", "KiB", "MiB", "GiB" };
	int i = 0;
	while (lo >= 1024 && i < 3) {
		lo /= 1024;
		hi /= 1024;
		i++;
	}
	snprintf(buf, len, "%.0f–%.0f %s", lo, hi, u[i]);
	return buf;
}

/* Replace {name} in the rule's template by the judge's values; unknown names stay. */
void ins_expand(char *out, size_t len, const char *tpl, const struct ins_vars *v)
{
	size_t k = 0;
	for (const char *s = tpl; *s && k + 1 < len;) {
		if (*s == '{') {
			const char *e = strchr(s, '}');
			int hit = -1;
			for (int i = 0; e && i < v->n; i++)
				if (strlen(v->name[i]) == (size_t)(e - s - 1) && !strncmp(v->name[i], s + 1, (size_t)(e - s - 1)))
					hit = i;
			if (hit >= 0) {
				int w = snprintf(out + k, len - k, "%s", v->val[hit]);
				k += w < 0 ? 0 : (size_t)w;
				if (k >= len)
					k = len - 1;
				s = e + 1;
				continue;
			}
		}
		out[k++] = *s++;
	}
	out[k] = '\0';
}

