/*
 * profile_read.c - parse a profile JSON file into struct vigil_profile.
 *
 * Every value is checked before it is stored: counters are non-negative
 * integers, times finite non-negative numbers, ranks >= -1, arrays have the
 * documented length.  The first problem found stops the load with one
 * sentence: "<file> is not a vigil profile (...)" when the file is not ours
 * at all, "<file> is a corrupt vigil profile: <field> ..." when it claims
 * our schema but breaks it.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "common/profile_read.h"
#include "vigil/ops.h"

/* Field names in messages are cut to fit their buffers on purpose. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define PR_MAX_EXACT 9007199254740992.0 /* 2^53: integers exact in a double */
#define PR_MAX_FILE ((size_t)1 << 31)      /* largest profile read */

struct pr_ctx {
	const char *name;
	char *err;
	size_t errlen;
};

static int pr_fail(struct pr_ctx *c, const char *fmt, ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "%s is a corrupt vigil profile: %s.", c->name, what);
	return -EINVAL;
}

int vigil_layer_lookup(const char *name)
{
	for (int l = 0; l < VIGIL_NLAYERS; l++)
		if (!strcmp(name, vigil_layer_names[l]))
			return l;
	return -1;
}

int vigil_op_lookup(int layer, const char *name)
{
	for (int i = 0; i < VIGIL_NOPS; i++)
		if (vigil_op_table[i].layer == layer && !strcmp(vigil_op_table[i].name, name))
			return i;
	return -1;
}

/* ---- typed getters: `where` names the field in messages ---- */

/* v is missing or not of the type `what` ("a number", "an object", ...). */
static int pr_type_fail(struct pr_ctx *c, json_t *v, const char *where, const char *what)
{
	return pr_fail(c, "%s is %s%s", where, v ? "not " : "missing: expected ", what);
}

/* Any JSON number as a double. */
static int pr_num(struct pr_ctx *c, json_t *v, const char *where, double *d)
{
	if (json_is_integer(v))
		*d = (double)json_integer_value(v);
	else if (json_is_real(v))
		*d = json_real_value(v);
	else
		return pr_type_fail(c, v, where, "a number");
	return 0;
}

static int pr_u64(struct pr_ctx *c, json_t *v, const char *where, uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return pr_fail(c, "%s is negative (%lld)", where, (long long)i);
		*out = (uint64_t)i;
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (!(d >= 0 && d <= PR_MAX_EXACT && d == floor(d)))
			return pr_fail(c, "%s is not a non-negative integer", where);
		*out = (uint64_t)d;
		return 0;
	}
	return pr_type_fail(c, v, where, "a number");
}

static int pr_i64_range(struct pr_ctx *c, json_t *v, const char *where, long long lo, long long hi,
                        long long *out)
{
	double d = 0;
	int rc;
	if ((rc = pr_num(c, v, where, &d)))
		return rc;
	if (!(d == floor(d) && d >= (double)lo && d <= (double)hi))
		return pr_fail(c, "%s is out of range (expected an integer from %lld to %lld)", where, lo, hi);
	*out = (long long)d;
	return 0;
}

static int pr_double(struct pr_ctx *c, json_t *v, const char *where, double *out)
{
	double d = 0;
	int rc;
	if ((rc = pr_num(c, v, where, &d)))
		return rc;
	if (!isfinite(d) || d < 0)
		return pr_fail(c, "%s is not a finite non-negative number", where);
	*out = d;
	return 0;
}

static int pr_str(struct pr_ctx *c, json_t *v, const char *where, char **field)
{
	if (!json_is_string(v))
		return pr_type_fail(c, v, where, "a string");
	char *s = strdup(json_string_value(v));
	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

static int pr_obj(struct pr_ctx *c, json_t *v, const char *where)
{
	if (!json_is_object(v))
		return pr_type_fail(c, v, where, "an object");
	return 0;
}

static int pr_arr(struct pr_ctx *c, json_t *v, const char *where)
{
	if (!json_is_array(v))
		return pr_type_fail(c, v, where, "an array");
	return 0;
}

/* ---- members: `where` names the object, "<where>.<key>" the member in messages ---- */

#define PR_NAME_MAX 352 /* an object name (at most 299 bytes, see pr_totals), a dot and a key */

static int pr_member_u64(struct pr_ctx *c, json_t *o, const char *where, const char *key, uint64_t *out)
{
	char w[PR_NAME_MAX];
	snprintf(w, sizeof(w), "%s.%s", where, key);
	return pr_u64(c, json_object_get(o, key), w, out);
}

static int pr_member_int(struct pr_ctx *c, json_t *o, const char *where, const char *key, long long lo,
                         long long hi, long long *out)
{
	char w[PR_NAME_MAX];
	snprintf(w, sizeof(w), "%s.%s", where, key);
	return pr_i64_range(c, json_object_get(o, key), w, lo, hi, out);
}

static int pr_member_double(struct pr_ctx *c, json_t *o, const char *where, const char *key, double *out)
{
	char w[PR_NAME_MAX];
	snprintf(w, sizeof(w), "%s.%s", where, key);
	return pr_double(c, json_object_get(o, key), w, out);
}

static int pr_member_str(struct pr_ctx *c, json_t *o, const char *where, const char *key, char **field)
{
	char w[PR_NAME_MAX];
	snprintf(w, sizeof(w), "%s.%s", where, key);
	return pr_str(c, json_object_get(o, key), w, field);
}

/* A zeroed array of n elements in *arr (left as it is when n is 0). */
static int pr_alloc(void **arr, size_t n, size_t size)
{
	if (!n)
		return 0;
	void *a = calloc(n, size);
	if (!a)
		return -ENOMEM;
	*arr = a;
	return 0;
}

/* ---- sections ---- */

static int pr_opstat(struct pr_ctx *c, json_t *o, const char *where, int op, struct vigil_opstat *s)
{
	char w[PR_NAME_MAX];
	int rc;
	if ((rc = pr_obj(c, o, where)) ||
	    (rc = pr_member_u64(c, o, where, "calls", &s->calls)) ||
	    (rc = pr_member_u64(c, o, where, "errors", &s->errors)) ||
	    (rc = pr_member_u64(c, o, where, "bytes", &s->bytes)) ||
	    (rc = pr_member_double(c, o, where, "seconds", &s->seconds)))
		return rc;
	if (s->errors > s->calls)
		return pr_fail(c, "%s.errors (%llu) exceeds its calls (%llu)", where,
		               (unsigned long long)s->errors, (unsigned long long)s->calls);
	json_t *cls = json_object_get(o, "class");
	if (cls) {
		if (!json_is_string(cls))
			return pr_fail(c, "%s.class is not a string", where);
		if (strcmp(json_string_value(cls), vigil_class_names[vigil_op_table[op].cls]))
			return pr_fail(c, "%s.class is \"%s\" but %s is of class %s", where,
			               json_string_value(cls), vigil_op_table[op].name,
			               vigil_class_names[vigil_op_table[op].cls]);
	}
	json_t *h = json_object_get(o, "size_histogram");
	snprintf(w, sizeof(w), "%s.size_histogram", where);
	if ((rc = pr_arr(c, h, w)))
		return rc;
	if (json_array_size(h) != VIGIL_HIST_BUCKETS)
		return pr_fail(c, "%s has %zu elements instead of %d", w, json_array_size(h), VIGIL_HIST_BUCKETS);
	for (size_t i = 0; i < VIGIL_HIST_BUCKETS; i++) {
		char wi[PR_NAME_MAX + 24];
		snprintf(wi, sizeof(wi), "%s[%zu]", w, i);
		if ((rc = pr_u64(c, json_array_get(h, i), wi, &s->hist[i])))
			return rc;
	}
	return 0;
}

/* totals.<layer>.<op> into ops[VIGIL_NOPS]; unknown layers and ops are skipped. */
static int pr_totals(struct pr_ctx *c, json_t *t, const char *where, struct vigil_opstat *ops)
{
	int rc;
	if ((rc = pr_obj(c, t, where)))
		return rc;
	const char *lname, *oname;
	json_t *lv, *ov;
	json_object_foreach(t, lname, lv) {
		int layer = vigil_layer_lookup(lname);
		char w[256];
		snprintf(w, sizeof(w), "%s.%.64s", where, lname);
		if ((rc = pr_obj(c, lv, w)))
			return rc;
		if (layer < 0)
			continue;
		json_object_foreach(lv, oname, ov) {
			int op = vigil_op_lookup(layer, oname);
			char wo[300];
			snprintf(wo, sizeof(wo), "%s.%.64s", w, oname);
			if (op < 0) {
				if ((rc = pr_obj(c, ov, wo)))
					return rc;
				continue;
			}
			if ((rc = pr_opstat(c, ov, wo, op, &ops[op])))
				return rc;
		}
	}
	return 0;
}

static int pr_job(struct pr_ctx *c, json_t *j, struct vigil_profile *p)
{
	int rc;
	if ((rc = pr_obj(c, j, "job")))
		return rc;
	long long uid;
	if ((rc = pr_member_str(c, j, "job", "id", &p->job_id)) ||
	    (rc = pr_member_str(c, j, "job", "step", &p->step)) ||
	    (rc = pr_member_str(c, j, "job", "user", &p->user)) ||
	    (rc = pr_member_str(c, j, "job", "command", &p->command)) ||
	    (rc = pr_member_int(c, j, "job", "uid", 0, UINT32_MAX, &uid)))
		return rc;
	p->uid = (uint32_t)uid;
	if ((rc = pr_member_double(c, j, "job", "start", &p->start)) ||
	    (rc = pr_member_double(c, j, "job", "end", &p->end)))
		return rc;
	if (p->end != 0 && p->end < p->start)
		return pr_fail(c, "job.end is before job.start");
	json_t *hosts = json_object_get(j, "hosts");
	if ((rc = pr_arr(c, hosts, "job.hosts")))
		return rc;
	size_t n = json_array_size(hosts);
	if ((rc = pr_alloc((void **)&p->hosts, n, sizeof(*p->hosts))))
		return rc;
	for (size_t i = 0; i < n; i++) {
		char w[64];
		snprintf(w, sizeof(w), "job.hosts[%zu]", i);
		if ((rc = pr_str(c, json_array_get(hosts, i), w, &p->hosts[i])))
			return rc;
		p->nhosts = i + 1;
	}
	/* derived from the rest: only checked */
	long long np, nr;
	double dur;
	if ((rc = pr_member_int(c, j, "job", "processes", 0, INT32_MAX, &np)) ||
	    (rc = pr_member_int(c, j, "job", "ranks", 0, INT32_MAX, &nr)) ||
	    (rc = pr_member_double(c, j, "job", "duration_seconds", &dur)))
		return rc;
	return 0;
}

static int pr_file_kind(const char *path)
{
	for (int k = 0; k < VIGIL_FILE_NKINDS; k++) {
		const char *name = vigil_file_kind_name(k);
		if (name && !strcmp(path, name))
			return k;
	}
	return path[0] == '/' ? VIGIL_FILE_REGULAR : -1;
}

/* `file_counters`: the segment v2 counters every file record has (absent: none). */
static int pr_file_counters(struct pr_ctx *c, json_t *a, struct vigil_profile *p)
{
	int rc;
	p->insight_have = 0;
	if (!a)
		return 0;
	if ((rc = pr_arr(c, a, "file_counters")))
		return rc;
	int unpos = 0, mis = 0;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_string(v))
			return pr_fail(c, "file_counters[%zu] is not a string", i);
		unpos |= !strcmp(json_string_value(v), "unpositioned");
		mis |= !strcmp(json_string_value(v), "misaligned");
	}
	if (unpos && mis)
		p->insight_have = VIGIL_HAVE_APPENDS | VIGIL_HAVE_MISALIGNED;
	return 0;
}

static int pr_files(struct pr_ctx *c, json_t *a, struct vigil_profile *p)
{
	int rc;
	if ((rc = pr_arr(c, a, "files")))
		return rc;
	size_t n = json_array_size(a);
	if ((rc = pr_alloc((void **)&p->files, n, sizeof(*p->files))))
		return rc;
	p->files_cap = n;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		struct vigil_filestat *f = &p->files[i];
		char w[64];
		snprintf(w, sizeof(w), "files[%zu]", i);
		if ((rc = pr_obj(c, o, w)))
			return rc;
		p->nfiles = i + 1; /* owned from here: freed with the profile */
		if ((rc = pr_member_str(c, o, w, "path", &f->path)))
			return rc;
		f->kind = pr_file_kind(f->path);
		if (f->kind < 0)
			return pr_fail(c, "%s.path is neither an absolute path nor a pseudo file name", w);
		json_t *l = json_object_get(o, "layer");
		int layer = json_is_string(l) ? vigil_layer_lookup(json_string_value(l)) : -1;
		int fl = layer >= 0 ? vigil_file_layer_of(layer) : -1;
		if (fl < 0)
			return pr_fail(c, "%s.layer is not posix, stdio or mpiio", w);
		f->layer = fl;
		static const struct { const char *key; size_t off; } u64s[] = {
			{ "bytes_read", offsetof(struct vigil_filestat, bytes_read) },
			{ "bytes_written", offsetof(struct vigil_filestat, bytes_written) },
			{ "reads", offsetof(struct vigil_filestat, reads) },
			{ "writes", offsetof(struct vigil_filestat, writes) },
			{ "metadata_ops", offsetof(struct vigil_filestat, meta_ops) },
			{ "seq_reads", offsetof(struct vigil_filestat, seq_reads) },
			{ "seq_writes", offsetof(struct vigil_filestat, seq_writes) },
			{ "consec_reads", offsetof(struct vigil_filestat, consec_reads) },
			{ "consec_writes", offsetof(struct vigil_filestat, consec_writes) },
			{ "max_offset", offsetof(struct vigil_filestat, max_offset) },
		};
		for (size_t k = 0; k < sizeof(u64s) / sizeof(u64s[0]); k++)
			if ((rc = pr_member_u64(c, o, w, u64s[k].key, (uint64_t *)((char *)f + u64s[k].off))))
				return rc;
		static const struct { const char *key; size_t off; } dbls[] = {
			{ "seconds", offsetof(struct vigil_filestat, seconds) },
			{ "first_access", offsetof(struct vigil_filestat, first_access) },
			{ "last_access", offsetof(struct vigil_filestat, last_access) },
		};
		for (size_t k = 0; k < sizeof(dbls) / sizeof(dbls[0]); k++)
			if ((rc = pr_member_double(c, o, w, dbls[k].key, (double *)((char *)f + dbls[k].off))))
				return rc;
		long long procs, nranks, rmin, rmax;
		if ((rc = pr_member_int(c, o, w, "processes", 0, UINT32_MAX, &procs)) ||
		    (rc = pr_member_int(c, o, w, "ranks", 0, INT32_MAX, &nranks)) ||
		    (rc = pr_member_int(c, o, w, "rank_min", -1, INT32_MAX, &rmin)) ||
		    (rc = pr_member_int(c, o, w, "rank_max", -1, INT32_MAX, &rmax)))
			return rc;
		if (p->insight_have & VIGIL_HAVE_MISALIGNED) {
			static const struct { const char *key; size_t off; } v2[] = {
				{ "unpositioned_reads", offsetof(struct vigil_filestat, unpositioned_reads) },
				{ "unpositioned_writes", offsetof(struct vigil_filestat, unpositioned_writes) },
				{ "misaligned", offsetof(struct vigil_filestat, misaligned) },
			};
			for (size_t k = 0; k < sizeof(v2) / sizeof(v2[0]); k++)
				if ((rc = pr_member_u64(c, o, w, v2[k].key, (uint64_t *)((char *)f + v2[k].off))))
					return rc;
		}
		f->processes = (uint32_t)procs;
		f->nranks = (uint32_t)nranks;
		f->rank_min = (int32_t)rmin;
		f->rank_max = (int32_t)rmax;
		if (f->rank_max < f->rank_min)
			return pr_fail(c, "%s.rank_max is below its rank_min", w);
		/* the ranks with the least and the most time on it: absent in older profiles and without ranks */
		f->fastest_rank = f->slowest_rank = -1;
		if (json_object_get(o, "slowest_rank")) {
			long long fr, sr;
			if ((rc = pr_member_int(c, o, w, "fastest_rank", 0, INT32_MAX, &fr)) ||
			    (rc = pr_member_int(c, o, w, "slowest_rank", 0, INT32_MAX, &sr)) ||
			    (rc = pr_member_double(c, o, w, "fastest_rank_seconds", &f->fastest_rank_seconds)) ||
			    (rc = pr_member_double(c, o, w, "slowest_rank_seconds", &f->slowest_rank_seconds)))
				return rc;
			f->fastest_rank = (int32_t)fr;
			f->slowest_rank = (int32_t)sr;
		}
	}
	return 0;
}

static int pr_timeline(struct pr_ctx *c, json_t *t, struct vigil_profile *p)
{
	int rc;
	if ((rc = pr_obj(c, t, "timeline")))
		return rc;
	struct vigil_timeline *tl = &p->timeline;
	long long bins;
	if ((rc = pr_member_double(c, t, "timeline", "start", &tl->start)) ||
	    (rc = pr_member_double(c, t, "timeline", "bin_seconds", &tl->bin_seconds)) ||
	    (rc = pr_member_int(c, t, "timeline", "bins", 0, VIGIL_TL_BINS, &bins)))
		return rc;
	json_t *layers = json_object_get(t, "layers");
	if ((rc = pr_obj(c, layers, "timeline.layers")))
		return rc;
	const char *lname;
	json_t *lv;
	json_object_foreach(layers, lname, lv) {
		char w[128];
		snprintf(w, sizeof(w), "timeline.layers.%.64s", lname);
		if ((rc = pr_obj(c, lv, w)))
			return rc;
		int layer = vigil_layer_lookup(lname);
		if (layer < 0)
			continue;
		static const struct { const char *key; size_t off; } cols[] = {
			{ "ops", offsetof(struct vigil_tlstat, ops) },
			{ "bytes_read", offsetof(struct vigil_tlstat, bytes_read) },
			{ "bytes_written", offsetof(struct vigil_tlstat, bytes_written) },
			{ "seconds", offsetof(struct vigil_tlstat, seconds) },
		};
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			char wk[160];
			json_t *a = json_object_get(lv, cols[k].key);
			snprintf(wk, sizeof(wk), "%s.%s", w, cols[k].key);
			if ((rc = pr_arr(c, a, wk)))
				return rc;
			if (json_array_size(a) != (size_t)bins)
				return pr_fail(c, "%s has %zu elements but timeline.bins is %lld", wk,
				               json_array_size(a), bins);
			for (long long i = 0; i < bins; i++) {
				char wi[192];
				snprintf(wi, sizeof(wi), "%s[%lld]", wk, i);
				if ((rc = pr_double(c, json_array_get(a, (size_t)i), wi,
				                    (double *)((char *)&tl->bin[i][layer] + cols[k].off))))
					return rc;
			}
		}
	}
	return 0;
}

static int pr_processes(struct pr_ctx *c, json_t *a, struct vigil_profile *p)
{
	int rc;
	if ((rc = pr_arr(c, a, "processes")))
		return rc;
	size_t n = json_array_size(a);
	if ((rc = pr_alloc((void **)&p->procs, n, sizeof(*p->procs))))
		return rc;
	p->procs_cap = n;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(a, i);
		struct vigil_procstat *s = &p->procs[i];
		char w[64], wk[128];
		long long pid, ppid, rank, status, sig;
		snprintf(w, sizeof(w), "processes[%zu]", i);
		if ((rc = pr_obj(c, o, w)))
			return rc;
		p->nprocs = i + 1;
		s->uid = p->uid;
		if ((rc = pr_member_int(c, o, w, "pid", 0, INT32_MAX, &pid)) ||
		    (rc = pr_member_int(c, o, w, "ppid", 0, INT32_MAX, &ppid)) ||
		    (rc = pr_member_int(c, o, w, "rank", -1, INT32_MAX, &rank)) ||
		    (rc = pr_member_str(c, o, w, "host", &s->host)) ||
		    (rc = pr_member_str(c, o, w, "exe", &s->exe)) ||
		    (rc = pr_member_str(c, o, w, "command", &s->command)) ||
		    (rc = json_object_get(o, "step") ? pr_member_str(c, o, w, "step", &s->step) : 0) ||
		    (rc = pr_member_double(c, o, w, "start", &s->start)) ||
		    (rc = pr_member_double(c, o, w, "end", &s->end)))
			return rc;
		s->pid = (int32_t)pid;
		s->ppid = (int32_t)ppid;
		s->rank = (int32_t)rank;
		/* nranks: MPI_COMM_WORLD size (0: never called MPI_Init); older profiles' ranks were MPI's */
		long long nr = rank >= 0 ? 1 : 0;
		if (json_object_get(o, "nranks") && (rc = pr_member_int(c, o, w, "nranks", 0, INT32_MAX, &nr)))
			return rc;
		s->nranks = (int32_t)nr;
		json_t *st = json_object_get(o, "state");
		const char *sv = json_is_string(st) ? json_string_value(st) : "";
		if (!strcmp(sv, "exited"))
			s->state = VIGIL_PROC_EXITED;
		else if (!strcmp(sv, "killed"))
			s->state = VIGIL_PROC_KILLED;
		else if (!strcmp(sv, "running"))
			s->state = VIGIL_PROC_RUNNING;
		else if (!strcmp(sv, "unmonitored"))
			s->state = VIGIL_PROC_UNMONITORED;
		else
			return pr_fail(c, "%s.state is not exited, killed, running or unmonitored", w);
		if ((rc = pr_member_int(c, o, w, "exit_status", -1, INT32_MAX, &status)) ||
		    (rc = pr_member_int(c, o, w, "signal", 0, 255, &sig)))
			return rc;
		s->exit_status = (int32_t)status;
		s->term_signal = (int32_t)sig;
		snprintf(wk, sizeof(wk), "%s.totals", w);
		if ((rc = pr_totals(c, json_object_get(o, "totals"), wk, s->ops)))
			return rc;
	}
	return 0;
}

static int pr_flags(struct pr_ctx *c, json_t *a, struct vigil_profile *p)
{
	int rc;
	if ((rc = pr_arr(c, a, "flags")))
		return rc;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_string(v))
			return pr_fail(c, "flags[%zu] is not a string", i);
		const char *s = json_string_value(v);
		if (!strcmp(s, "survivors")) {
			uint32_t running = 0;
			for (size_t k = 0; k < p->nprocs; k++)
				running += p->procs[k].state == VIGIL_PROC_RUNNING;
			p->survivors = running ? running : 1;
			continue;
		}
		for (size_t k = 0; k < VIGIL_NPROFILE_FLAGS; k++)
			if (!strcmp(s, vigil_profile_flags[k].name))
				p->flags |= vigil_profile_flags[k].bit;
		/* unknown flags: a later minor version; ignored */
	}
	return 0;
}

/* The optional `mpi` section is derived data (from processes): only its shape is checked. */
static int pr_mpi(struct pr_ctx *c, json_t *m)
{
	int rc;
	if (!m)
		return 0;
	if ((rc = pr_obj(c, m, "mpi")))
		return rc;
	long long v;
	if ((rc = pr_member_int(c, m, "mpi", "ranks", 0, INT32_MAX, &v)))
		return rc;
	json_t *ts = json_object_get(m, "time_share");
	if (ts) {
		const char *k;
		json_t *x;
		if ((rc = pr_obj(c, ts, "mpi.time_share")))
			return rc;
		json_object_foreach(ts, k, x) {
			double d;
			char w[128];
			snprintf(w, sizeof(w), "mpi.time_share.%.64s", k);
			if ((rc = pr_double(c, x, w, &d)))
				return rc;
		}
	}
	return 0;
}

/* A JSON string copied into a fixed buffer (cut at a UTF-8 boundary). */
static int pr_text(struct pr_ctx *c, json_t *v, const char *where, char *buf, size_t len)
{
	if (!json_is_string(v))
		return pr_type_fail(c, v, where, "a string");
	const char *s = json_string_value(v);
	size_t l = strlen(s);
	if (l >= len) {
		l = len - 1;
		while (l && ((unsigned char)s[l] & 0xc0) == 0x80)
			l--;
	}
	memcpy(buf, s, l);
	buf[l] = '\0';
	return 0;
}

static int pr_severity(struct pr_ctx *c, json_t *v, const char *where, int *out)
{
	int sev = json_is_string(v) ? vigil_severity_lookup(json_string_value(v)) : -1;
	if (sev <= VIGIL_SEV_OK)
		return pr_fail(c, "%s is not info, warning or critical", where);
	*out = sev;
	return 0;
}

/* `insights_config`: the thresholds the stored findings were judged with (unknown rules: later versions). */
static int pr_insights_conf(struct pr_ctx *c, json_t *o, struct vigil_insights_conf *cf)
{
	int rc;
	char w[160];
	vigil_insights_conf_default(cf);
	if ((rc = pr_obj(c, o, "insights_config")) ||
	    (rc = pr_text(c, json_object_get(o, "source"), "insights_config.source", cf->source, sizeof(cf->source))) ||
	    (rc = pr_member_double(c, o, "insights_config", "window", &cf->window)) ||
	    (rc = pr_member_double(c, o, "insights_config", "for", &cf->for_seconds)) ||
	    (rc = pr_member_double(c, o, "insights_config", "keep_firing_for", &cf->keep_firing_for)))
		return rc;
	json_t *rules = json_object_get(o, "rules"), *ro;
	const char *k;
	if ((rc = pr_obj(c, rules, "insights_config.rules")))
		return rc;
	json_object_foreach(rules, k, ro) {
		int r = vigil_rule_lookup(k);
		if (r < 0)
			continue;
		snprintf(w, sizeof(w), "insights_config.rules.%s", k);
		if ((rc = pr_obj(c, ro, w)))
			return rc;
		json_t *en = json_object_get(ro, "enabled");
		if (!json_is_boolean(en))
			return pr_fail(c, "%s.enabled is not true or false", w);
		cf->enabled[r] = json_is_true(en);
		int sev = 0;
		snprintf(w, sizeof(w), "insights_config.rules.%s.severity", k);
		if ((rc = pr_severity(c, json_object_get(ro, "severity"), w, &sev)))
			return rc;
		cf->severity[r] = (unsigned char)sev;
		for (int i = 0; i < VIGIL_NRULE_PARAMS; i++) {
			if (vigil_rule_params[i].rule != r || !json_object_get(ro, vigil_rule_params[i].name))
				continue;
			snprintf(w, sizeof(w), "insights_config.rules.%s.%s", k, vigil_rule_params[i].name);
			if ((rc = pr_double(c, json_object_get(ro, vigil_rule_params[i].name), w, &cf->param[i])))
				return rc;
		}
	}
	return 0;
}

/* `insights`, `insights_not_evaluated`, `insights_config`: absent in profiles written before insights. */
static int pr_insights(struct pr_ctx *c, json_t *root, struct vigil_insights *in)
{
	json_t *a = json_object_get(root, "insights");
	int rc;
	memset(in, 0, sizeof(*in));
	if (!a)
		return 0;
	if ((rc = pr_arr(c, a, "insights")) ||
	    (rc = pr_insights_conf(c, json_object_get(root, "insights_config"), &in->conf)))
		return rc;
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i);
		char w[64];
		snprintf(w, sizeof(w), "insights[%zu]", i);
		if ((rc = pr_obj(c, o, w)))
			return rc;
		json_t *rule = json_object_get(o, "rule");
		if (!json_is_string(rule))
			return pr_type_fail(c, rule, "insights[].rule", "a string");
		int r = vigil_rule_lookup(json_string_value(rule));
		if (r < 0)
			continue; /* a rule of a later vigil */
		struct vigil_finding *f = &in->f[r];
		f->state = VIGIL_FINDING_FIRED;
		if ((rc = pr_severity(c, json_object_get(o, "severity"), "insights[].severity", &f->severity)) ||
		    (rc = pr_num(c, json_object_get(o, "value"), "insights[].value", &f->value)) ||
		    (rc = pr_num(c, json_object_get(o, "threshold"), "insights[].threshold", &f->threshold)) ||
		    (rc = pr_member_double(c, o, w, "first_fired", &f->first_fired)) ||
		    (rc = pr_member_double(c, o, w, "last_fired", &f->last_fired)) ||
		    (rc = pr_member_double(c, o, w, "active_seconds", &f->active_seconds)) ||
		    (rc = pr_text(c, json_object_get(o, "evidence"), "insights[].evidence", f->evidence,
		                  sizeof(f->evidence))) ||
		    (rc = pr_text(c, json_object_get(o, "fix"), "insights[].fix", f->fix, sizeof(f->fix))))
			return rc;
	}
	json_t *ne = json_object_get(root, "insights_not_evaluated");
	if (ne) {
		if ((rc = pr_arr(c, ne, "insights_not_evaluated")))
			return rc;
		for (size_t i = 0; i < json_array_size(ne); i++) {
			json_t *v = json_array_get(ne, i);
			if (!json_is_string(v))
				return pr_fail(c, "insights_not_evaluated[%zu] is not a string", i);
			int r = vigil_rule_lookup(json_string_value(v));
			if (r >= 0 && in->f[r].state == VIGIL_FINDING_NONE)
				in->f[r].state = VIGIL_FINDING_NOT_EVALUATED;
		}
	}
	in->judged = 1;
	return 0;
}

/* The optional `accelerator` section (OpenCL): docs/PROFILE.md. */
static int pr_accel(struct pr_ctx *c, json_t *a, struct vigil_profile *p)
{
	struct vigil_accelstat *x = &p->accel;
	long long v;
	int rc;
	if (!a)
		return 0;
	if ((rc = pr_obj(c, a, "accelerator")) ||
	    (rc = pr_member_int(c, a, "accelerator", "processes", 0, UINT32_MAX, &v)))
		return rc;
	x->processes = (uint32_t)v;
	if ((rc = pr_member_int(c, a, "accelerator", "profiling", 0, UINT32_MAX, &v)))
		return rc;
	x->profiling = (uint32_t)v;
	if ((rc = pr_member_u64(c, a, "accelerator", "dropped", &x->dropped)))
		return rc;
	json_t *t = json_object_get(a, "transfers");
	if ((rc = pr_obj(c, t, "accelerator.transfers")))
		return rc;
	for (int k = 0; k < VIGIL_NXFER; k++) {
		char w[96];
		snprintf(w, sizeof(w), "accelerator.transfers.%s", vigil_xfer_names[k]);
		json_t *o = json_object_get(t, vigil_xfer_names[k]);
		struct vigil_xferstat *s = &x->kind[k];
		if ((rc = pr_obj(c, o, w)) ||
		    (rc = pr_member_u64(c, o, w, "commands", &s->commands)) ||
		    (rc = pr_member_u64(c, o, w, k == VIGIL_XFER_KERNEL ? "work_items" : "bytes", &s->bytes)) ||
		    (rc = pr_member_u64(c, o, w, "small", &s->small)) ||
		    (rc = pr_member_u64(c, o, w, "timed", &s->timed)) ||
		    (rc = pr_member_double(c, o, w, "device_seconds", &s->device_seconds)))
			return rc;
	}
	json_t *ks = json_object_get(a, "kernels");
	if ((rc = pr_arr(c, ks, "accelerator.kernels")))
		return rc;
	for (size_t i = 0; i < json_array_size(ks); i++) {
		json_t *o = json_array_get(ks, i);
		char w[64];
		snprintf(w, sizeof(w), "accelerator.kernels[%zu]", i);
		struct vigil_kernstat k = { 0 };
		if ((rc = pr_obj(c, o, w)) || (rc = pr_member_str(c, o, w, "name", &k.name)) ||
		    (rc = pr_member_u64(c, o, w, "launches", &k.launches)) ||
		    (rc = pr_member_u64(c, o, w, "work_items", &k.work_items)) ||
		    (rc = pr_member_u64(c, o, w, "timed", &k.timed)) ||
		    (rc = pr_member_u64(c, o, w, "errors", &k.errors)) ||
		    (rc = pr_member_double(c, o, w, "device_seconds", &k.device_seconds)) ||
		    (rc = vigil_accel_add_kernel(x, &k))) {
			free(k.name);
			return rc;
		}
		free(k.name);
	}
	json_t *qs = json_object_get(a, "queues");
	if ((rc = pr_arr(c, qs, "accelerator.queues")))
		return rc;
	if ((rc = pr_alloc((void **)&x->queues, json_array_size(qs), sizeof(*x->queues))))
		return rc;
	x->queues_cap = json_array_size(qs);
	for (size_t i = 0; i < json_array_size(qs); i++) {
		json_t *o = json_array_get(qs, i);
		char w[64];
		snprintf(w, sizeof(w), "accelerator.queues[%zu]", i);
		struct vigil_queuestat *q = &x->queues[x->nqueues++];
		if ((rc = pr_obj(c, o, w)) || (rc = pr_member_int(c, o, w, "pid", INT32_MIN, INT32_MAX, &v)))
			return rc;
		q->pid = (int32_t)v;
		if ((rc = pr_member_u64(c, o, w, "id", &q->id)) ||
		    (rc = pr_member_u64(c, o, w, "commands", &q->commands)) ||
		    (rc = pr_member_double(c, o, w, "busy_seconds", &q->busy_seconds)) ||
		    (rc = pr_member_double(c, o, w, "device_seconds", &q->device_seconds)))
			return rc;
	}
	return 0;
}

int vigil_profile_load_buffer(const char *buf, size_t len, const char *name,
                              struct vigil_profile *p, char *err, size_t errlen)
{
	struct pr_ctx c = { name, err, errlen };
	json_error_t je;
	int rc;

	vigil_profile_init(p);
	if (err && errlen)
		err[0] = 0;
	size_t blank = 0;
	while (blank < len && (buf[blank] == ' ' || buf[blank] == '\n' || buf[blank] == '\r' || buf[blank] == '\t'))
		blank++;
	if (blank == len) {
		if (err && errlen)
			snprintf(err, errlen, "%s is not a vigil profile (the file is empty).", name);
		return -EINVAL;
	}
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (err && errlen && json_error_code(&je) == json_error_premature_end_of_input)
			snprintf(err, errlen, "%s is not a vigil profile (not valid JSON: it ends early, at line %d, "
			         "column %d: truncated?).", name, je.line, je.column);
		else if (err && errlen)
			snprintf(err, errlen, "%s is not a vigil profile (not valid JSON: %s at line %d, column %d).",
			         name, je.text, je.line, je.column);
		return -EINVAL;
	}
	json_t *schema = json_is_object(root) ? json_object_get(root, "schema") : NULL;
	if (!json_is_object(root) || !schema || !json_is_string(schema)) {
		if (err && errlen)
			snprintf(err, errlen, "%s is not a vigil profile (%s).", name,
			         !json_is_object(root) ? "not a JSON object"
			         : !schema ? "schema is missing" : "schema is not a string");
		rc = -EINVAL;
		goto out;
	}
	if (strcmp(json_string_value(schema), VIGIL_PROFILE_SCHEMA)) {
		const char *sv = json_string_value(schema);
		if (err && errlen && !strncmp(sv, "vigil-profile/", 14))
			snprintf(err, errlen, "%s is a vigil profile of another version (schema \"%.64s\"; this vigil "
			         "reads \"%s\"): use the vigil that wrote it.", name, sv, VIGIL_PROFILE_SCHEMA);
		else if (err && errlen)
			snprintf(err, errlen, "%s is not a vigil profile (schema is \"%.64s\", expected \"%s\").",
			         name, sv, VIGIL_PROFILE_SCHEMA);
		rc = -EINVAL;
		goto out;
	}
	json_t *gen = json_object_get(root, "generator");
	if ((rc = pr_str(&c, gen, "generator", &p->generator)) ||
	    (rc = pr_job(&c, json_object_get(root, "job"), p)) ||
	    (rc = pr_totals(&c, json_object_get(root, "totals"), "totals", p->ops)) ||
	    (rc = pr_file_counters(&c, json_object_get(root, "file_counters"), p)) ||
	    (rc = pr_files(&c, json_object_get(root, "files"), p)) ||
	    (rc = pr_timeline(&c, json_object_get(root, "timeline"), p)) ||
	    (rc = pr_processes(&c, json_object_get(root, "processes"), p)) ||
	    (rc = pr_flags(&c, json_object_get(root, "flags"), p)) ||
	    (rc = pr_mpi(&c, json_object_get(root, "mpi"))) ||
	    (rc = pr_insights(&c, root, &p->insights)) ||
	    (rc = pr_accel(&c, json_object_get(root, "accelerator"), p)))
		goto out;
	json_t *again = json_object_get(root, "again_errors"); /* absent before it was kept: 0 */
	if (again && (rc = pr_u64(&c, again, "again_errors", &p->again_errors)))
		goto out;
	if (json_is_object(json_object_get(root, "classes")) == 0 && json_object_get(root, "classes")) {
		rc = pr_fail(&c, "classes is not an object");
		goto out;
	}
	if (p->flags & VIGIL_FLAG_EARLY_CALLS)
		p->early_calls = p->early_calls ? p->early_calls : 1;
	rc = 0;
out:
	if (rc == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s could not be loaded: out of memory.", name);
	json_decref(root);
	return rc;
}

int vigil_profile_load(const char *path, struct vigil_profile *p, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		vigil_profile_init(p);
		if (err && errlen)
			snprintf(err, errlen, "cannot read %s: %s.", path, strerror(e));
		return -e;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;
	struct stat sb;
	if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size > PR_MAX_FILE) {
		/* say so at once, without reading gigabytes first */
		fclose(f);
		vigil_profile_init(p);
		if (err && errlen)
			snprintf(err, errlen, "cannot read %s: file too large (%.1f GiB; a profile is at most 2 GiB).",
			         path, (double)sb.st_size / (1024.0 * 1024 * 1024));
		return -EFBIG;
	}
	errno = 0;
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = ncap > PR_MAX_FILE ? NULL : realloc(buf, ncap);
			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f))
				rc = errno ? -errno : -EIO;
			break;
		}
	}
	fclose(f);
	if (rc) {
		free(buf);
		vigil_profile_init(p);
		if (err && errlen)
			snprintf(err, errlen, "cannot read %s: %s.", path,
			         rc == -ENOMEM ? "file too large" : strerror(-rc));
		return rc;
	}
	rc = vigil_profile_load_buffer(buf, len, path, p, err, errlen);
	free(buf);
	return rc;
}

