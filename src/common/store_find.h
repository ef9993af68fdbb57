/*
 * store_find.h - find a job's profiles in the site profile store by job id
 * (format/store.h for the layout; docs/PROFILE.md).
 */
#ifndef VIGIL_STORE_FIND_H
#define VIGIL_STORE_FIND_H

#include <stddef.h>
#include "format/profile.h"

struct vigil_store_hits {
	char **whole; size_t nwhole;  /* profiles of the whole job: the MPI reduction's, vigil run's, vigil merge's */
	char **node; size_t nnode;    /* vigild's profiles, one per node */
};

/*
 * Every profile of job `id` (its job id, or "JOBID.STEP") readable by us
 * under `root`: in ROOT/YEAR/MONTH/DAY/ and in ROOT itself (vigild's flat
 * layout).  Candidates are picked by name (vigil-ESCAPED-ID...) and kept when
 * their content says the same job; paths sorted.  Returns 0 or -ENOMEM; a
 * missing or unreadable ROOT gives no hits.
 */
int vigil_store_find(const char *root, const char *id, struct vigil_store_hits *h);
void vigil_store_hits_free(struct vigil_store_hits *h);

/*
 * The job's profile from the store: the latest-ending whole-job profile if
 * there is one (it wins), else the merge of its node profiles (vigil
 * merge's fold).  Returns 0; -ENOENT when the store has none; else -errno
 * with one sentence in err.
 */
int vigil_store_load(const char *root, const char *id, struct vigil_profile *p, char *err, size_t errlen);

#endif
