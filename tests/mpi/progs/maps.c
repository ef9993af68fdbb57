/*
 * maps.c [DIR] - each rank prints the vigil libraries mapped into it (from /proc/self/maps), one
 * per line.  With DIR it first changes directory there, before its first MPI call.
 */
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && chdir(argv[1]) != 0) {
		perror(argv[1]);
		return 1;
	}
	MPI_Init(&argc, &argv);
	int rank = 0;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], last[4096] = "";
	while (f && fgets(line, sizeof line, f)) {
		char *lib = strstr(line, "/libvigil");
		if (lib && strcmp(lib, last)) {
			printf("rank %d%s", rank, lib);
			snprintf(last, sizeof last, "%s", lib);
		}
	}
	if (f)
		fclose(f);
	fflush(stdout);
	MPI_Finalize();
	return 0;
}
