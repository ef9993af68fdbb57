/*
 * fuzz_profile.c - the profile JSON reader (src/common/profile_read.c) on
 * arbitrary bytes: it must never crash, leak or read out of bounds, and
 * every rejection must come with a message.  An accepted profile is then
 * summarised and rendered (text and HTML) to exercise the report on it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "common/profile_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vigil_profile p;
	char err[512];
	int rc = vigil_profile_load_buffer((const char *)data, size, "fuzz.json", &p, err, sizeof(err));
	if (rc && !err[0])
		abort(); /* a rejection without its sentence */
	if (rc == 0) {
		/* whatever an accepted profile holds, the rules judge it (vigil report --insights) */
		struct vigil_insights_conf c;
		vigil_insights_conf_default(&c);
		if (vigil_insights_judge_profile(&p, &c))
			abort();
	}
	vigil_profile_free(&p);
	return 0;
}
