/* cli.h - subcommands of `vigil`; each takes argv starting at its own name. */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

struct vigil_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

int cmd_run(int argc, char **argv);       /* cli/run.c */
int cmd_report(int argc, char **argv);    /* cli/report.c */
int cmd_diff(int argc, char **argv);      /* cli/diff.c */
int cmd_merge(int argc, char **argv);     /* cli/merge.c */
int cmd_top(int argc, char **argv);       /* cli/top.c */
int cmd_job_end(int argc, char **argv);   /* cli/job_end.c */
int cmd_dashboard(int argc, char **argv); /* cli/dashboard.c */
int cmd_prometheus_targets(int argc, char **argv); /* cli/prom_targets.c */

#endif
