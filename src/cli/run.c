/*
 * run.c - `vigil run [OPTIONS] [--] CMD [ARGS...]`: run a command and all its
 * descendants under the collector, then write the job's profile.
 *
 * This is the embedded, daemon-free path through vigil, so it does the whole
 * job itself:
 *   1. preload libvigil.so (and, later, the MPI collectors) into CMD, tag every
 *      process with a fresh VIGIL_RUN_ID and a job id;
 *   2. wait like system(3) (SIGINT/SIGQUIT ignored: the terminal signals CMD),
 *      forward TERM/HUP/USR1/USR2, and stay a child subreaper so orphaned
 *      descendants are reparented to us and their exit statuses are ours;
 *   3. read the segments tagged with our run id as hostile input (no mmap, no
 *      symlinks, owner and size checked), fold them into a profile, remove
 *      them, write the profile atomically and print a summary.
 * Exit status is CMD's (128+N when signal N killed it).  Errors of vigil run
 * itself before CMD starts exit 125 (like env(1)); usage errors exit 2.
 *
 * This file: options, help and the entry point; the steps live in
 * run_spawn.c, run_collect.c and run_write.c (run_internal.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "common/help.h"
#include "cli/cli.h"
#include "cli/run_internal.h"
#include "cli/summary.h"
#include "format/profile.h"
#include "format/store.h"

static void run_usage_hint(void)
{
	fprintf(stderr, "usage: vigil run [--profile FILE | --profile-dir DIR] [--insights FILE] [--quiet] [--mpi IMPL]\n"
	                "                 [--linger SECONDS] [--] CMD [ARGS...]\n"
	                "Run 'vigil run --help' for details.\n");
}

static void run_help(void)
{
	vigil_help(
"NAME\n"
"    vigil run - run a command under the vigil collector and write its job profile\n"
"\n"
"SYNOPSIS\n"
"    vigil run [--profile FILE | --profile-dir DIR] [--insights FILE] [--quiet]\n"
"              [--mpi IMPL] [--linger SECONDS] [--] CMD [ARGS...]\n"
"\n"
"DESCRIPTION\n"
"    Runs CMD with libvigil.so preloaded, so that CMD and every process it starts\n"
"    count their POSIX I/O, stdio and MPI calls into per-process shared-memory\n"
"    segments.  No daemon is needed.  When CMD has exited and every descendant has\n"
"    finished (or the linger time has passed), vigil run reads the segments of the\n"
"    processes it started, removes them, writes one JSON job profile\n"
"    (docs/PROFILE.md) and prints a short summary on standard error.\n"
"\n"
"    vigil run is a child subreaper: descendants whose parent exits are adopted,\n"
"    so daemons started by CMD are followed too.  Like system(3), it ignores\n"
"    SIGINT and SIGQUIT while CMD runs (the terminal delivers them to CMD) and\n"
"    forwards SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 to CMD.  Once CMD has exited,\n"
"    Ctrl-C (SIGINT, SIGQUIT, SIGTERM or SIGHUP) stops waiting for descendants\n"
"    and writes the profile.  Statically linked and\n"
"    setuid programs cannot be observed (the loader ignores LD_PRELOAD); vigil run\n"
"    warns when CMD is one of them.\n"
"\n"
"OPTIONS\n"
"    --profile FILE, -o FILE\n"
"                      Write the profile to FILE.  An existing FILE is never\n"
"                      replaced: vigil run checks before starting CMD that FILE\n"
"                      does not exist and that its directory exists and takes\n"
"                      new files; if not, it says why and exits 125 without\n"
"                      running CMD.\n"
"    --profile-dir DIR\n"
"                      Without --profile, write the profile into the site profile\n"
"                      store DIR: DIR/YEAR/MONTH/DAY/vigil-JOBID.json (the UTC day\n"
"                      the job started; levels are created with DIR's mode), owner-\n"
"                      only (0600); 'vigil report JOBID' finds it there.  Same as\n"
"                      VIGIL_PROFILE_DIR=DIR.  DIR must exist (checked before CMD\n"
"                      starts).  See docs/PROFILE.md.\n"
"                      Default: ./vigil-JOBID.json (./vigil-JOBID.STEP.json with a\n"
"                      batch step); if that exists, ./vigil-JOBID.N.json.\n"
"    --quiet, -q       Do not print the summary.\n"
"    --insights FILE   Judge the job with the rules' settings in FILE\n"
"                      (docs/INSIGHTS.md) instead of /etc/vigil/insights.conf\n"
"                      (or the built-in defaults when that file does not exist).\n"
"    --mpi IMPL        MPI of the programs (openmpi, mpich, none, or auto, the\n"
"                      default).  Each process's MPI is recognised at its first\n"
"                      MPI call; IMPL decides only when it cannot be (e.g. an MPI\n"
"                      loaded with dlopen), and none turns MPI counting off.\n"
"                      Same as VIGIL_MPI=IMPL.\n"
"    --linger SECONDS  After CMD exits, wait at most SECONDS for descendants that\n"
"                      are still running (default 10).  Those still running then\n"
"                      are left running and marked \"running\" in the profile\n"
"                      (flag \"survivors\").\n"
"    --help, -h        Show this help.\n"
"    --                End of options: everything after it is CMD.\n"
"\n"
"ENVIRONMENT\n"
"    VIGIL_DIR       Segment directory (default /dev/shm/vigil-UID/, created 0700).\n"
"                    It must be a real directory owned by you with mode 0700 (the\n"
"                    collector uses no other; vigil run refuses any other mode\n"
"                    and says: chmod 700 DIR).  A relative path is taken from the\n"
"                    current directory (CMD gets the absolute path).\n"
"    VIGIL_PROFILE_DIR  The site profile store (see --profile-dir).\n"
"    VIGIL_JOB_ID    Job id.  Else SLURM_JOB_ID (with SLURM_STEP_ID), PBS_JOBID,\n"
"                    LSB_JOBID or FLUX_JOB_ID; else vigil run generates one and\n"
"                    exports it as VIGIL_JOB_ID.\n"
"    VIGIL_LIB       Path of the collector library (default: ../lib/libvigil.so or\n"
"                    ../lib/vigil/libvigil.so next to the vigil binary).\n"
"    LD_PRELOAD      Kept: the collector is put in front of what is there.\n"
"    VIGIL_DISABLE   1: the collector counts nothing (the profile is empty).\n"
"    VIGIL_DEBUG     1: the collector says on standard error why it does not count.\n"
"    vigil run sets VIGIL_RUN_ID for CMD; it tags the segments it collects.\n"
"\n"
"EXIT STATUS\n"
"    CMD's exit status, or 128+N when CMD was killed by signal N.\n"
"    126  CMD was found but could not be executed.\n"
"    127  CMD was not found.\n"
"    125  vigil run could not start (the --profile FILE cannot be written, or the\n"
"         collector or the segment directory is unusable); CMD was not run.\n"
"    2    Wrong usage (unknown option, no command).\n"
"    A profile that cannot be written is reported on standard error but does not\n"
"    change the exit status.\n"
"\n"
"EXAMPLES\n"
"    vigil run -- ./my_app input.dat\n"
"    vigil run --profile run1.json -- ./my_app\n"
"    vigil run --quiet -- mpirun -np 4 ./app && vigil report vigil-*.json\n"
"    vigil run --linger 0 -- ./start_server.sh\n");
}

/* ---- options ----------------------------------------------------------- */

static int run_parse_linger(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Returns 0, 1 for --help, or -1 after printing a usage error. */
static int run_parse_args(int argc, char **argv, struct run_opts *o)
{
	int i;
	o->profile = NULL;
	o->store = getenv(VIGIL_STORE_ENV);
	if (o->store && !*o->store)
		o->store = NULL;
	o->quiet = 0;
	o->linger = RUN_DEFAULT_LINGER;
	o->insights = NULL;
	o->mpi = NULL;
	o->cmd = NULL;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return 1;
		if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
			o->quiet = 1;
		} else if (!strcmp(a, "--profile") || !strcmp(a, "-o")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				fprintf(stderr, "vigil run: %s needs a file name.\n", a);
				goto usage;
			}
			o->profile = argv[++i];
		} else if (!strncmp(a, "--profile=", 10) && a[10]) {
			o->profile = a + 10;
		} else if (!strcmp(a, "--insights") || !strncmp(a, "--insights=", 11)) {
			o->insights = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
			if (!o->insights || !*o->insights) {
				fprintf(stderr, "vigil run: --insights needs a file name.\n");
				goto usage;
			}
		} else if (!strcmp(a, "--profile-dir") || !strncmp(a, "--profile-dir=", 14)) {
			o->store = a[13] == '=' ? a + 14 : (i + 1 < argc ? argv[++i] : NULL);
			if (!o->store || !*o->store) {
				fprintf(stderr, "vigil run: --profile-dir needs a directory.\n");
				goto usage;
			}
		} else if (!strcmp(a, "--mpi") || !strncmp(a, "--mpi=", 6)) {
			o->mpi = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
			/* the names src/mpi understands (the MPICH ABI family under its members' names) */
			static const char *const known[] = { "auto", "none", "openmpi", "ompi", "open-mpi", "mpich",
				"intel", "impi", "intelmpi", "cray", "mvapich", "mvapich2" };
			size_t k = 0;
			while (o->mpi && k < sizeof(known) / sizeof(known[0]) && strcasecmp(o->mpi, known[k]))
				k++;
			if (!o->mpi || k == sizeof(known) / sizeof(known[0])) {
				fprintf(stderr, "vigil run: --mpi needs an MPI implementation: openmpi, mpich (also intel, cray, "
				        "mvapich), none or auto.\n");
				goto usage;
			}
		} else if (!strcmp(a, "--linger") || !strncmp(a, "--linger=", 9)) {
			const char *v = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v || run_parse_linger(v, &o->linger)) {
				fprintf(stderr, "vigil run: --linger needs a number of seconds (e.g. --linger 5).\n");
				goto usage;
			}
		} else {
			fprintf(stderr, "vigil run: unknown option '%s'.\n", a);
			goto usage;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "vigil run: no command given.\n");
		goto usage;
	}
	o->cmd = argv + i;
	return 0;
usage:
	run_usage_hint();
	return -1;
}


/* ---- entry point -------------------------------------------------------- */

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct run_state st;
	struct vigil_profile p;
	struct vigil_insights_conf conf;
	char lib[PATH_MAX];
	char *preload = NULL;
	int exit_code;

	memset(&st, 0, sizeof(st));
	st.dirfd = -1;
	st.inofd = -1;
	vigil_profile_init(&p);
	int prc = run_parse_args(argc, argv, &o);
	if (prc != 0) {
		if (prc == 1)
			run_help();
		exit_code = prc == 1 ? 0 : RUN_EXIT_USAGE;
		goto out;
	}
	char ierr[512];
	if (vigil_insights_conf_load(&conf, o.insights, ierr, sizeof(ierr))) {
		fprintf(stderr, "vigil run: %s\n", ierr);
		exit_code = RUN_EXIT_USAGE;
		goto out;
	}
	/* MPI ranks judge their job profile with the same file (mpi_reduce.c). */
	if (o.insights)
		setenv("VIGIL_INSIGHTS", o.insights, 1);
	exit_code = RUN_EXIT_FAIL;
	if (run_check_profile(&o) || run_find_collector(lib, sizeof(lib)) || run_open_segdir(&st))
		goto out;
	if (!(preload = run_build_preload(lib)) || setenv("LD_PRELOAD", preload, 1) ||
	    run_setup_ids(&st) || run_setup_mpi(&st, &o)) {
		fprintf(stderr, "vigil run: cannot set up the environment: %s.\n", strerror(errno));
		goto out;
	}
#ifdef RUN_ASAN
	/* The sanitizer runtime is preloaded into programs that were not built for it: no leak reports. */
	const char *ao = getenv("ASAN_OPTIONS");
	if (!ao || !strstr(ao, "detect_leaks")) {
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s%sdetect_leaks=0", ao ? ao : "", ao && *ao ? ":" : "");
		setenv("ASAN_OPTIONS", buf, 1);
	}
#endif
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		fprintf(stderr, "vigil run: warning: cannot become a subreaper (%s); orphaned "
		        "descendants are not followed.\n", strerror(errno));
	run_warn_unobservable(o.cmd[0]);
	run_fold_start(&st, &p);

	int src = run_spawn_wait(&st, &o);
	if (src) {
		exit_code = src;
		goto out;
	}
	exit_code = run_exit_code(st.cmd_status);

	vigil_profile_set_str(&p.generator, "vigil run");
	vigil_profile_set_str(&p.job_id, st.job_id);
	vigil_profile_set_str(&p.step, st.step);
	run_user(&p);
	run_join_command(&p, o.cmd);
	p.start = st.t_start;
	p.end = st.t_end;
	/* The grid is known now: every process lands on it without re-splitting. */
	p.timeline.start = st.t_start;
	p.timeline.bin_seconds = st.t_end > st.t_start ? (st.t_end - st.t_start) / VIGIL_TL_BINS : 1e-6;
	int crc = run_collect(&st, &p);
	if (crc)
		fprintf(stderr, "vigil run: reading the segments failed: %s; the profile is incomplete.\n",
		        strerror(-crc));
	if (p.nprocs > 1)
		qsort(p.procs, p.nprocs, sizeof(*p.procs), run_proc_cmp);
	const char *off = getenv("VIGIL_DISABLE");
	if (p.nprocs == 0 && !st.mpi_reduced && off && *off == '1')
		fprintf(stderr, "vigil run: no process of %s was observed: VIGIL_DISABLE=%s turns the "
		        "collector off.\n", o.cmd[0], off);
	else if (p.nprocs == 0 && !st.mpi_reduced)
		fprintf(stderr, "vigil run: no process of %s was observed (is the collector working? "
		        "VIGIL_DEBUG=1 tells why).\n", o.cmd[0]);

	const char *where = NULL;
	if (run_merge_mpi(&st, &p) == 0) {
		/* Findings last, on the final profile: after the merge with the MPI job profile. */
		if (vigil_insights_judge_profile(&p, &conf))
			fprintf(stderr, "vigil run: out of memory judging the insights; the profile has none.\n");
		run_save(&st, &o, &p, &where);
	}
	if (!o.quiet)
		summary_print(stderr, &p, where);
out:
	run_fold_end(&st);
	run_copy_free(&st);
	if (st.dirfd >= 0)
		close(st.dirfd);
	free(st.reaped);
	free(preload);
	vigil_profile_free(&p);
	return exit_code;
}
