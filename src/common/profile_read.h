/*
 * profile_read.h - read a job profile (docs/PROFILE.md) back into the
 * in-memory model of src/format/profile.h.
 *
 * Profiles are user files: anything may be in them.  The reader checks the
 * schema, the type and the range of every field it takes, and reports the
 * first problem as one sentence naming the file and the field.  Unknown keys
 * are accepted (later minor additions); so are operations and layers this
 * build does not know (they are skipped).
 */
#ifndef VIGIL_PROFILE_READ_H
#define VIGIL_PROFILE_READ_H

#include <stddef.h>
#include "format/profile.h"

/* "segment_failed" and "rejected_segments" load as VIGIL_PFLAG_* (profile.h); "survivors" sets survivors (>= 1). */

/*
 * Load `path` into `p` (initialised here; free with vigil_profile_free, also
 * after a failure).  Returns 0, or a negative errno with one sentence in
 * `err` (e.g. "x.json is not a vigil profile (schema is missing)"):
 * -ENOENT/-EACCES/... the file cannot be read, -EINVAL corrupt or foreign.
 */
int vigil_profile_load(const char *path, struct vigil_profile *p, char *err, size_t errlen);

/* The same from a buffer; `name` stands for the file in messages. */
int vigil_profile_load_buffer(const char *buf, size_t len, const char *name,
                              struct vigil_profile *p, char *err, size_t errlen);

/* Operation index of a canonical name within a layer, or -1. */
int vigil_op_lookup(int layer, const char *name);

/* Layer index of "posix", "stdio", "mpi", "mpiio", or -1. */
int vigil_layer_lookup(const char *name);

#endif
