/* top.c - placeholder until its owner lands it; replaced, not kept. */
#include <stdio.h>
#include "cli/cli.h"
int cmd_top(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "vigil: this command is not available yet.\n");
	return 2;
}
