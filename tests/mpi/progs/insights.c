/*
 * insights.c - MPI patterns the insight rules name (docs/INSIGHTS.md), 4 ranks, and their near misses:
 *   rank0io  rank 0 alone writes 256 MiB (1 MiB writes, fsync) to its file; the others wait
 *   allio    every rank writes 64 MiB the same way to its own file        (near miss)
 *   late     rank 2 sleeps 0.3 s before each of 6 barriers: the others wait for it there
 *   nolate   the same 6 barriers, nobody sleeps                           (near miss)
 *   indep    every rank makes 300 independent MPI_File_write_at of 100 B to one shared file
 *   coll     the same with MPI_File_write_at_all                          (near miss)
 *   straggler every rank pwrites its 16 MiB of one shared file, rank 2 in 65,536 requests of 256 B,
 *            the others in one: rank 2 is the straggler on the shared file
 *   ownfiles the same requests, each rank to its own file                 (near miss: not shared)
 * usage: insights MODE (files are created in the current directory)
 */
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_file(int rank, size_t mib)
{
	char name[64];
	snprintf(name, sizeof(name), "out.%d", rank);
	char *buf = calloc(1, 1 << 20);
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !buf)
		MPI_Abort(MPI_COMM_WORLD, 1);
	for (size_t i = 0; i < mib; i++)
		if (write(fd, buf, 1 << 20) != 1 << 20)
			MPI_Abort(MPI_COMM_WORLD, 1);
	fsync(fd);
	close(fd);
	free(buf);
}

int main(int argc, char **argv)
{
	int rank;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "rank0io")) {
		if (rank == 0)
			write_file(rank, 256);
	} else if (!strcmp(mode, "allio")) {
		write_file(rank, 64);
	} else if (!strcmp(mode, "late") || !strcmp(mode, "nolate")) {
		for (int i = 0; i < 6; i++) {
			if (rank == 2 && !strcmp(mode, "late"))
				usleep(300000);
			MPI_Barrier(MPI_COMM_WORLD);
		}
	} else if (!strcmp(mode, "indep") || !strcmp(mode, "coll")) {
		MPI_File fh;
		char rec[100];
		memset(rec, 'a' + rank, sizeof(rec));
		MPI_File_open(MPI_COMM_WORLD, "shared.dat", MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
		for (int i = 0; i < 300; i++) {
			MPI_Offset off = ((MPI_Offset)i * 4 + rank) * (MPI_Offset)sizeof(rec);
			if (!strcmp(mode, "indep"))
				MPI_File_write_at(fh, off, rec, sizeof(rec), MPI_CHAR, MPI_STATUS_IGNORE);
			else
				MPI_File_write_at_all(fh, off, rec, sizeof(rec), MPI_CHAR, MPI_STATUS_IGNORE);
		}
		MPI_File_close(&fh);
	} else if (!strcmp(mode, "straggler") || !strcmp(mode, "ownfiles")) {
		char name[64];
		int shared = !strcmp(mode, "straggler");
		snprintf(name, sizeof(name), shared ? "shared.dat" : "own.%d", rank);
		size_t part = 16u << 20, req = rank == 2 ? 256 : part;
		char *buf = calloc(1, part);
		int fd = open(name, O_WRONLY | O_CREAT, 0644);
		if (fd < 0 || !buf)
			MPI_Abort(MPI_COMM_WORLD, 1);
		off_t base = shared ? (off_t)rank * (off_t)part : 0;
		for (size_t done = 0; done < part; done += req)
			if (pwrite(fd, buf + done, req, base + (off_t)done) != (ssize_t)req)
				MPI_Abort(MPI_COMM_WORLD, 1);
		close(fd);
		free(buf);
	} else {
		if (rank == 0)
			fprintf(stderr, "insights: unknown mode '%s'\n", mode);
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Finalize();
	return 0;
}
