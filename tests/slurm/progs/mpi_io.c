/*
 * mpi_io DIR: rank r writes (r + 1) blocks of 4096 bytes to DIR/rank.<r> with
 * pwrite(), then the ranks sum what they wrote; rank 0 prints
 * "size=<N> bytes=<sum> nodes=<distinct hosts>".  No I/O after MPI_Finalize.
 * pwrite, not write: MPI's own plumbing writes to sockets, pipes and eventfds
 * (1-4 KB per rank, varying), so only pwrite holds the program's bytes alone.
 */
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char block[4096];
	char path[4096], host[MPI_MAX_PROCESSOR_NAME] = "", all[64][MPI_MAX_PROCESSOR_NAME];
	int rank, size, len;
	long mine = 0, sum = 0;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	const char *node = getenv("SLURMD_NODENAME");
	if (node)
		snprintf(host, sizeof host, "%s", node);
	else
		MPI_Get_processor_name(host, &len);
	snprintf(path, sizeof path, "%s/rank.%d", argc > 1 ? argv[1] : ".", rank);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	memset(block, 'm', sizeof block);
	for (int i = 0; fd >= 0 && i <= rank; i++)
		if (pwrite(fd, block, sizeof block, (off_t)i * (off_t)sizeof block) == (ssize_t)sizeof block)
			mine += (long)sizeof block;
	if (fd >= 0)
		close(fd);
	MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
	if (size <= 64) {
		MPI_Gather(host, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, MPI_COMM_WORLD);
		if (rank == 0) {
			int nodes = 0;
			for (int i = 0; i < size; i++) {
				int seen = 0;
				for (int k = 0; k < i; k++)
					seen |= !strcmp(all[i], all[k]);
				nodes += !seen;
			}
			printf("size=%d bytes=%ld nodes=%d\n", size, sum, nodes);
			fflush(stdout);
		}
	}
	MPI_Finalize();
	return 0;
}
