/*
 * spank_vigil.c - the Slurm SPANK plugin: vigil in every job step, and the
 * job's end told to the node's vigild (docs/DEPLOY.md).
 *
 * plugstack.conf (one line; every argument optional):
 *   optional PREFIX/lib/vigil/spank_vigil.so default=on|off batch=off|on
 *            lib=PATH[:PATH...] dir=SEGDIR socket=PATH
 * `%n` in lib, dir and socket is the node's name (SLURMD_NODENAME): several
 * slurmd "nodes" on one host share /dev/shm and /run.
 *
 * srun/sbatch/salloc get `--vigil[=on|off]`.  An sbatch/salloc choice reaches
 * every step through the environment Slurm forwards
 * (SLURM_SPANK__SLURM_SPANK_OPTION_vigil_vigil).
 *
 * Where each callback runs (research/slurm.md): task_init in the task just
 * before exec, as the user: LD_PRELOAD is appended there (never replaced) or,
 * when off, stripped of vigil's collectors (a batch shell's environment would
 * otherwise carry them into an opted-out step).  job_epilog runs as root once
 * per node at job end: one request to vigild with a short timeout; its result
 * never fails the job.  slurm_spank_init is not called in job_script context,
 * so every callback parses the arguments.
 *
 * The batch script itself is not monitored unless batch=on: its shell, srun
 * and the MPI launchers would add their own I/O to the job's totals, which
 * then equal the sum of the job's steps.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <slurm/spank.h>
#include "common/vigild_client.h"

SPANK_PLUGIN(vigil, 1);

#define SV_BATCH_STEP 0xfffffffbu   /* SLURM_BATCH_SCRIPT */
#define SV_FIRST_SPECIAL 0xfffffff0u /* extern, batch, interactive, pending steps */
#define SV_END_TIMEOUT_MS 2000      /* job end: never delays the epilog longer */
#define SV_PATH 4096

/*
 * The collectors looked for beside the plugin's own directory (PREFIX/lib):
 * libvigil.so, then for MPI the shim libvigil-mpi.so (both MPI collectors
 * where the shim is not ported; CMake's VIGIL_MPI_PRELOAD).
 */
static const char sv_collectors[] = "libvigil.so:" VIGIL_MPI_PRELOAD;

static struct {
	int opt;                /* --vigil: -1 not given, 0 off, 1 on */
	int default_on, batch_on;
	char lib[SV_PATH], dir[SV_PATH], sock[SV_PATH];
	char bad[256];          /* first argument not understood, for the one log line */
} sv = { .opt = -1, .default_on = 1 };

static int sv_option(int val, const char *arg, int remote)
{
	(void)val;
	(void)remote;
	if (!arg || !*arg || !strcmp(arg, "on"))
		sv.opt = 1;
	else if (!strcmp(arg, "off"))
		sv.opt = 0;
	else {
		slurm_error("vigil: --vigil takes on or off, not '%s'", arg);
		return -1;
	}
	return 0;
}

static struct spank_option sv_spank_option = {
	"vigil", "[on|off]",
	"vigil I/O and MPI monitoring for this job or step: on or off (site default set in plugstack.conf)",
	2, 0, sv_option,
};

/* Default lib: the collectors of the plugin's own install prefix (PREFIX/lib/vigil/..). */
static void sv_default_lib(void)
{
	Dl_info di;
	char dir[SV_PATH - 64];
	sv.lib[0] = 0;
	if (!dladdr((void *)sv_default_lib, &di) || !di.dli_fname)
		return;
	snprintf(dir, sizeof dir, "%s", di.dli_fname);
	for (int up = 0; up < 2; up++) {
		char *s = strrchr(dir, '/');
		if (!s)
			return;
		*s = 0;
	}
	for (const char *c = sv_collectors; *c; ) {
		char p[SV_PATH];
		int n = (int)strcspn(c, ":");
		snprintf(p, sizeof p, "%s/%.*s", dir, n, c);
		/* the POSIX collector always; an MPI one only when MPI was found at build time */
		if (c == sv_collectors || access(p, R_OK) == 0) {
			size_t l = strlen(sv.lib);
			snprintf(sv.lib + l, sizeof sv.lib - l, "%s%s", l ? ":" : "", p);
		}
		c += n + (c[n] == ':');
	}
}

static int sv_onoff(const char *v, int *out)
{
	if (!strcmp(v, "on"))
		*out = 1;
	else if (!strcmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static void sv_args(int ac, char **av)
{
	sv_default_lib();
	sv.default_on = 1;
	sv.batch_on = 0;
	sv.dir[0] = sv.sock[0] = sv.bad[0] = 0;
	for (int i = 0; i < ac; i++) {
		const char *a = av[i];
		int bad = 0;
		if (!strncmp(a, "default=", 8))
			bad = sv_onoff(a + 8, &sv.default_on);
		else if (!strncmp(a, "batch=", 6))
			bad = sv_onoff(a + 6, &sv.batch_on);
		else if (!strncmp(a, "lib=", 4) && a[4])
			snprintf(sv.lib, sizeof sv.lib, "%s", a + 4);
		else if (!strncmp(a, "dir=", 4) && a[4] == '/')
			snprintf(sv.dir, sizeof sv.dir, "%s", a + 4);
		else if (!strncmp(a, "socket=", 7) && a[7] == '/')
			snprintf(sv.sock, sizeof sv.sock, "%s", a + 7);
		else
			bad = 1;
		if (bad && !sv.bad[0])
			snprintf(sv.bad, sizeof sv.bad, "%s", a);
	}
}

/* `in` with every %n replaced by the node's name (%% is a %). */
static void sv_expand(char *out, size_t cap, const char *in, const char *node)
{
	size_t k = 0;
	for (; *in && k + 1 < cap; in++) {
		if (in[0] == '%' && (in[1] == 'n' || in[1] == '%')) {
			const char *r = in[1] == 'n' ? node : "%";
			size_t rl = strlen(r);
			if (k + rl >= cap)
				break;
			memcpy(out + k, r, rl);
			k += rl;
			in++;
		} else
			out[k++] = *in;
	}
	out[k] = 0;
}

static void sv_node(spank_t sp, char *node, size_t cap)
{
	const char *e;
	if (sp && spank_getenv(sp, "SLURMD_NODENAME", node, (int)cap) == ESPANK_SUCCESS && node[0])
		return;
	e = getenv("SLURMD_NODENAME");
	if (e && *e) {
		snprintf(node, cap, "%s", e);
		return;
	}
	if (gethostname(node, cap) != 0)
		snprintf(node, cap, "localhost");
	node[cap - 1] = 0;
}

/* A vigil collector, whatever its directory: what --vigil=off removes. */
static int sv_is_collector(const char *path, size_t len)
{
	const char *b = path;
	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			b = path + i + 1;
	size_t bl = len - (size_t)(b - path);
	return (bl == 11 && !memcmp(b, "libvigil.so", 11)) ||
	       (bl == 15 && !memcmp(b, "libvigil-mpi.so", 15)) ||
	       (bl > 13 && !memcmp(b, "libvigil-mpi-", 13));
}

/*
 * LD_PRELOAD without vigil's collectors, then with `add` (a colon list of
 * readable files) appended when non-NULL: the user's own entries keep their
 * order and come first.  Entries are separated by ':' or ' ' (ld.so takes both).
 */
static void sv_preload(char *out, size_t cap, const char *cur, const char *add)
{
	size_t k = 0;
	out[0] = 0;
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass ? add : cur;
		while (s && *s) {
			size_t n = strcspn(s, pass ? ":" : ": ");
			int keep = n > 0 && (pass ? n < SV_PATH : !sv_is_collector(s, n));
			if (keep && pass) {
				char p[SV_PATH];
				memcpy(p, s, n);
				p[n] = 0;
				keep = access(p, R_OK) == 0;
			}
			if (keep && k + n + 2 < cap) {
				if (k)
					out[k++] = ':';
				memcpy(out + k, s, n);
				k += n;
				out[k] = 0;
			}
			s += n;
			while (*s == ':' || *s == ' ')
				s++;
		}
	}
}

static int sv_wanted(spank_t sp)
{
	uint32_t step = 0;
	if (!(sv.opt >= 0 ? sv.opt : sv.default_on))
		return 0;
	if (spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS)
		return 1;
	if (step == SV_BATCH_STEP)
		return sv.batch_on;
	return step < SV_FIRST_SPECIAL;
}

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_context_t c = spank_context();
	sv_args(ac, av);
	if (c == S_CTX_LOCAL || c == S_CTX_REMOTE || c == S_CTX_ALLOCATOR)
		if (spank_option_register(sp, &sv_spank_option) != ESPANK_SUCCESS)
			slurm_error("vigil: cannot register the --vigil option");
	if (c == S_CTX_SLURMD && sv.bad[0])
		slurm_error("vigil: plugstack.conf argument '%s' not understood (ignored; see docs/DEPLOY.md)", sv.bad);
	return ESPANK_SUCCESS;
}

/* In slurmstepd, once per step: the lines an operator needs, in slurmd's log. */
int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
	char node[256], first[SV_PATH];
	sv_args(ac, av);
	if (sv.bad[0])
		slurm_error("vigil: plugstack.conf argument '%s' not understood (ignored; see docs/DEPLOY.md)", sv.bad);
	if (!sv_wanted(sp))
		return ESPANK_SUCCESS;
	sv_node(sp, node, sizeof node);
	sv_expand(first, sizeof first, sv.lib, node);
	first[strcspn(first, ":")] = 0;
	if (!first[0] || access(first, R_OK) != 0)
		slurm_error("vigil: collector %s not found: this step runs unmonitored", first[0] ? first : "(none)");
	return ESPANK_SUCCESS;
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	char cur[SV_PATH] = "", val[2 * SV_PATH], node[256], libs[SV_PATH], p[SV_PATH];
	sv_args(ac, av);
	int on = sv_wanted(sp);
	spank_err_t grc = spank_getenv(sp, "LD_PRELOAD", cur, sizeof cur);
	if (grc != ESPANK_SUCCESS && grc != ESPANK_ENV_NOEXIST) {
		/* longer than we hold (or unreadable): never rewrite the user's own */
		slurm_error("vigil: LD_PRELOAD of the task is too long to edit: this task runs %s",
		            on ? "unmonitored" : "as it is");
		return ESPANK_SUCCESS;
	}
	if (grc != ESPANK_SUCCESS)
		cur[0] = 0;
	sv_node(sp, node, sizeof node);
	sv_expand(libs, sizeof libs, sv.lib, node);
	sv_preload(val, sizeof val, cur, on ? libs : NULL);
	if (val[0])
		spank_setenv(sp, "LD_PRELOAD", val, 1);
	else
		spank_unsetenv(sp, "LD_PRELOAD");
	if (!on)
		return ESPANK_SUCCESS;
	/* the job id and step come from SLURM_JOB_ID/SLURM_STEP_ID, not an inherited VIGIL_JOB_ID */
	spank_unsetenv(sp, "VIGIL_JOB_ID");
	if (sv.dir[0]) {
		sv_expand(p, sizeof p, sv.dir, node);
		spank_setenv(sp, "VIGIL_DIR", p, 1);
	}
	if (sv.sock[0]) {
		sv_expand(p, sizeof p, sv.sock, node);
		spank_setenv(sp, "VIGIL_SOCKET", p, 1);
	}
	return ESPANK_SUCCESS;
}

/*
 * Job end on this node (root): POST /api/v1/jobs/ID/end?user=NAME to vigild.
 * 404 is normal (no monitored process of the job ran here); an absent or slow
 * vigild costs at most SV_END_TIMEOUT_MS and one log line, and vigild ends the
 * job by itself after its --job-linger.
 */
int slurm_spank_job_epilog(spank_t sp, int ac, char **av)
{
	uint32_t job = 0;
	uid_t uid = (uid_t)-1;
	char node[256], sock[SV_PATH], path[512], user[64] = "";
	int status = 0;
	char *body = NULL;
	size_t len = 0;

	sv_args(ac, av);
	if (spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS)
		return ESPANK_SUCCESS;
	if (spank_get_item(sp, S_JOB_UID, &uid) == ESPANK_SUCCESS) {
		struct passwd pw, *r = NULL;
		char buf[4096];
		if (getpwuid_r(uid, &pw, buf, sizeof buf, &r) == 0 && r)
			snprintf(user, sizeof user, "%s", r->pw_name);
	}
	sv_node(NULL, node, sizeof node);
	sv_expand(sock, sizeof sock, sv.sock[0] ? sv.sock : VIGIL_DAEMON_SOCKET_DEFAULT, node);
	snprintf(path, sizeof path, "/api/v1/jobs/%u/end%s%s", job, user[0] ? "?user=" : "", user);
	int rc = vigil_daemon_request(sock, "POST", path, SV_END_TIMEOUT_MS, &status, &body, &len);
	free(body);
	if (rc < 0)
		slurm_error("vigil: job %u ended but vigild is not reachable at %s (%s); it ends the job after its --job-linger",
		            job, sock, strerror(-rc));
	else if (status != 200 && status != 404)
		slurm_error("vigil: job %u ended; vigild at %s answered HTTP %d", job, sock, status);
	return ESPANK_SUCCESS;
}
