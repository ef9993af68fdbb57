/* summary.h - the short human summary `vigil run` prints when its command ends. */
#ifndef VIGIL_CLI_SUMMARY_H
#define VIGIL_CLI_SUMMARY_H

#include <stdio.h>
#include "format/profile.h"

/*
 * Print volume and time per layer and operation, request sizes and the top
 * files of `p`, then where the profile went (`profile_path`, NULL when it
 * could not be written).  Aligned columns, human units.
 */
void summary_print(FILE *out, const struct vigil_profile *p, const char *profile_path);

/* "1.5 KiB", "12.0 MiB"; "812 B" below 1 KiB.  Returns buf. */
const char *summary_bytes(char *buf, size_t len, double bytes);
/* "850 us", "12.3 ms", "4.20 s", "3m05s".  Returns buf. */
const char *summary_seconds(char *buf, size_t len, double s);

#endif
