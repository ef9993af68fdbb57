/*
 * store_find.c - a job's profiles in the site profile store, by job id.
 *
 * The store is walked, not indexed: ROOT/YEAR/MONTH/DAY/ names only (no
 * stat), newest structure unknown, so every day is listed; a file is opened
 * only when its name starts with vigil-<the escaped id> and a '.' or '-'.
 * Its content decides: the job id (or "id.step") must be the one asked for,
 * and the generator says whether it covers the whole job or one node.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/profile_read.h"
#include "common/store_find.h"
#include "format/store.h"

static int sf_numeric(const char *s)
{
	if (!*s || strlen(s) > 4)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int sf_push(char ***list, size_t *n, const char *path)
{
	char **l = realloc(*list, (*n + 1) * sizeof(**list));
	if (!l)
		return -ENOMEM;
	*list = l;
	if (!(l[*n] = strdup(path)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int sf_same_job(const struct vigil_profile *p, const char *id)
{
	size_t l = strlen(p->job_id);
	if (!strcmp(p->job_id, id))
		return 1;
	return p->step[0] && !strncmp(id, p->job_id, l) && id[l] == '.' && !strcmp(id + l + 1, p->step);
}

/* Look at the files of one directory. */
static int sf_dir(const char *dir, const char *id, const char *prefix, struct vigil_store_hits *h)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t pl = strlen(prefix);
	int rc = 0;
	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		char path[4096], err[256];
		struct vigil_profile p;
		if (strncmp(e->d_name, prefix, pl) || (e->d_name[pl] != '.' && e->d_name[pl] != '-') ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		if (vigil_profile_load(path, &p, err, sizeof(err)) == 0 && sf_same_job(&p, id))
			rc = !strncmp(p.generator, "vigild", 6) ? sf_push(&h->node, &h->nnode, path)
			                                        : sf_push(&h->whole, &h->nwhole, path);
		vigil_profile_free(&p);
	}
	closedir(d);
	return rc;
}

/* The numeric entries of `dir` (years, months, days). */
static int sf_walk(const char *dir, int depth, const char *id, const char *prefix, struct vigil_store_hits *h)
{
	if (depth == 3)
		return sf_dir(dir, id, prefix, h);
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;
	if (!d)
		return 0;
	while (rc == 0 && (e = readdir(d))) {
		char sub[4096];
		if (sf_numeric(e->d_name) && (size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) < sizeof(sub))
			rc = sf_walk(sub, depth + 1, id, prefix, h);
	}
	closedir(d);
	return rc;
}

static int sf_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vigil_store_find(const char *root, const char *id, struct vigil_store_hits *h)
{
	char prefix[1040], job[1024];
	memset(h, 0, sizeof(*h));
	/* names start "vigil-ID" (store.h); "JOB.STEP" matches vigil-JOB.STEP.json as well */
	vigil_store_escape(job, sizeof(job), id);
	snprintf(prefix, sizeof(prefix), "vigil-%s", job);
	int rc = sf_walk(root, 0, id, prefix, h);
	if (rc == 0)
		rc = sf_dir(root, id, prefix, h);
	if (h->nwhole > 1)
		qsort(h->whole, h->nwhole, sizeof(char *), sf_cmp);
	if (h->nnode > 1)
		qsort(h->node, h->nnode, sizeof(char *), sf_cmp);
	return rc;
}

void vigil_store_hits_free(struct vigil_store_hits *h)
{
	for (size_t i = 0; i < h->nwhole; i++)
		free(h->whole[i]);
	for (size_t i = 0; i < h->nnode; i++)
		free(h->node[i]);
	free(h->whole);
	free(h->node);
	memset(h, 0, sizeof(*h));
}

int vigil_store_load(const char *root, const char *id, struct vigil_profile *p, char *err, size_t errlen)
{
	struct vigil_store_hits h;
	if (errlen)
		err[0] = '\0';
	int rc = vigil_store_find(root, id, &h);
	vigil_profile_init(p);
	if (rc == 0 && !h.nwhole && !h.nnode)
		rc = -ENOENT;
	if (rc == 0 && h.nwhole) {
		/* the whole job's profile wins; of several (a job run twice), the one that ended last */
		double best = -1;
		for (size_t i = 0; rc == 0 && i < h.nwhole; i++) {
			struct vigil_profile q;
			rc = vigil_profile_load(h.whole[i], &q, err, errlen);
			if (rc == 0 && q.end > best) {
				best = q.end;
				vigil_profile_free(p);
				*p = q;
			} else
				vigil_profile_free(&q);
		}
	} else if (rc == 0) {
		for (size_t i = 0; rc == 0 && i < h.nnode; i++) {
			struct vigil_profile q;
			rc = vigil_profile_load(h.node[i], &q, err, errlen);
			if (rc == 0 && (rc = vigil_profile_merge(p, &q)))
				snprintf(err, errlen, "out of memory merging %s", h.node[i]);
			vigil_profile_free(&q);
		}
	}
	if (rc == -ENOMEM && err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	vigil_store_hits_free(&h);
	return rc;
}
