/* fuzz_ckpt.c - vigild's checkpoint reader (vd_ckpt_parse) on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "daemon/daemon.h"
#include "vigil/rules.h"

static int fz_job(void *ctx, const struct vd_job *j) { (void)ctx; return j->id[sizeof j->id - 1] ? -1 : 0; }
static int fz_jtot(void *ctx, unsigned op, const struct vd_tot *t) { (void)ctx; (void)t; return op < VIGIL_NOPS ? 0 : -1; }
static int fz_proc(void *ctx, const struct vd_proc *p, const char *dir) { (void)ctx; (void)p; return strlen(dir) < 512 ? 0 : -1; }
static int fz_ptot(void *ctx, unsigned op, const struct vd_raw *r) { (void)ctx; (void)r; return op < VIGIL_NOPS ? 0 : -1; }
static int fz_ntot(void *ctx, unsigned op, const struct vd_tot *t) { (void)ctx; (void)t; return op < VIGIL_NOPS ? 0 : -1; }
static int fz_ins(void *ctx, int rule, const struct vd_ins_rule *r) { (void)ctx; (void)r; return rule >= 0 && rule < VIGIL_NRULES ? 0 : -1; }
static int fz_node(void *ctx, const uint64_t *ids, unsigned n, uint64_t next) { (void)ctx; (void)next; return n <= 256 && (n == 0 || ids) ? 0 : -1; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vd_ckpt_cb cb = { NULL, fz_job, fz_jtot, fz_proc, fz_ptot, fz_ntot, fz_node, fz_ins };
	/* a private copy: the parser must not depend on the caller's alignment */
	unsigned char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	vd_ckpt_parse(buf, size, &cb);
	/* again with a valid trailer, so mutations reach the record parser */
	if (size >= 40) {
		uint32_t end[2] = { 7, 8 }, ver;
		memcpy(&ver, buf + 8, 4);
		uint64_t h = vd_ckpt_sum(buf, size - 16, ver);
		memcpy(buf + size - 16, end, 8);
		memcpy(buf + size - 8, &h, 8);
		vd_ckpt_parse(buf, size, &cb);
	}
	free(buf);
	return 0;
}
