/* fuzz_request.c - what vigild does with request text: routing, bearer tokens, label escaping. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), id[64], tok[64];
	int action;
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	vd_api_route(s, id, sizeof id, &action);
	vd_bearer_token(s, tok, sizeof tok);
	struct vd_buf b = {0};
	vd_prom_label_escape(&b, s);
	/* escaped output never holds a raw newline or an unescaped quote */
	for (size_t i = 0; b.p && i < b.len; i++) {
		if (b.p[i] == '\n')
			abort();
		if (b.p[i] == '\\')
			i++;
		else if (b.p[i] == '"')
			abort();
	}
	vd_buf_free(&b);
	free(s);
	return 0;
}
