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

#endif
