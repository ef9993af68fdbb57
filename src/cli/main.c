/*
 * main.c - the `vigil` command: one table of subcommands, one file each.
 */
#include <stdio.h>
#include <string.h>
#include "common/help.h"
#include "cli/cli.h"

static const struct vigil_cmd commands[] = {
	{ "run",       cmd_run,       "run a command under the collector and write its job profile" },
	{ "report",    cmd_report,    "summarise a profile (a file or a job id) in the terminal or as HTML" },
	{ "diff",      cmd_diff,      "compare two profiles (files or job ids); --fail-on rules for CI" },
	{ "merge",     cmd_merge,     "merge the per-node profiles of one job into one profile" },
	{ "top",       cmd_top,       "live view of the jobs on this node (needs vigild)" },
	{ "job-end",   cmd_job_end,   "tell vigild a job has ended (for a batch system's epilog)" },
	{ "prometheus-targets", cmd_prometheus_targets, "write Prometheus's targets file: each node's vigild" },
	{ "dashboard", cmd_dashboard, "print the URL of your dashboard, with your access token" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: vigil COMMAND [ARGS...]\n\n"
	        "vigil watches the I/O and MPI of HPC jobs at a cost nobody notices.\n\n"
	        "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	if (out == stdout)
		vigil_help("\nRun 'vigil COMMAND --help' for a command's options. Manual pages: vigil(1),\n"
		           "vigil-COMMAND(1), vigild(8). Documentation: docs/ (README.md first).\n");
	else
		fprintf(out, "\nRun 'vigil --help' for the documentation.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vigil: '%s' is not a vigil command; run 'vigil --help' for the list.\n", argv[1]);
	return 2;
}
