/*
 * mpi_load.c - the web test's MPI workload: 2 ranks for about SECONDS
 * seconds (default 3).  Each 50 ms round: rank 0 sleeps 20 ms before an
 * MPI_Barrier (so rank 1 waits in it), both MPI_Allreduce, rank 0 sends
 * 64 KiB to rank 1; rank 1 also writes 4 KiB and 1 MiB with pwrite to
 * FILE, so the request-size histogram has two buckets and rank 1 does
 * all the I/O (the slowest in I/O time).
 */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv)
{
	int rank, size, fd = -1;
	double seconds = argc > 2 ? atof(argv[2]) : 3, t0;
	long off = 0;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (rank == 1 && argc > 1)
		fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	memset(buf, 'v', sizeof buf);
	t0 = MPI_Wtime();
	for (int go = 1; go;) {
		double x = rank, y;
		if (rank == 0)
			nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
		MPI_Barrier(MPI_COMM_WORLD);
		MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
		if (size > 1 && rank == 0)
			MPI_Send(buf, 65536, MPI_BYTE, 1, 7, MPI_COMM_WORLD);
		else if (size > 1 && rank == 1)
			MPI_Recv(buf, 65536, MPI_BYTE, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		if (fd >= 0) {
			off += pwrite(fd, buf, 4096, off);
			off += pwrite(fd, buf, sizeof buf, off);
			if (off > (64L << 20))
				off = 0;
		}
		nanosleep(&(struct timespec){ 0, 30 * 1000 * 1000 }, NULL);
		/* rank 0 decides when to stop, so every rank makes the same calls */
		go = MPI_Wtime() - t0 < seconds;
		MPI_Bcast(&go, 1, MPI_INT, 0, MPI_COMM_WORLD);
	}
	if (fd >= 0)
		close(fd);
	MPI_Finalize();
	return 0;
}
