/*
 * bench_mpi.c - what vigil's MPI collector costs, 2 ranks.
 *   pingpong:  8-byte MPI_Send/MPI_Recv round trip (rank 0 <-> 1)
 *   allreduce: MPI_Allreduce of one double (8 bytes)
 *   comm_rank: MPI_Comm_rank (the cheapest wrapped call: pure overhead)
 *   io:        IOR-like MPI-IO: each rank writes 1 KiB transfers to its block of one shared file
 * Prints one line of key=value (ns per operation, MiB/s) on rank 0.
 * usage: bench_mpi FILE [ITERS]
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int rank, size, r;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	long n = argc > 2 ? atol(argv[2]) : 100000;
	double v = 1, w = 0;
	char msg[8] = { 0 };

	/* warm-up, then the ping-pong */
	for (int pass = 0; pass < 2; pass++) {
		long iters = pass ? n : n / 10;
		MPI_Barrier(MPI_COMM_WORLD);
		double t0 = MPI_Wtime();
		for (long i = 0; i < iters; i++) {
			if (rank == 0) {
				MPI_Send(msg, 8, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
				MPI_Recv(msg, 8, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			} else if (rank == 1) {
				MPI_Recv(msg, 8, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
				MPI_Send(msg, 8, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
			}
		}
		double pp = (MPI_Wtime() - t0) / iters * 1e9;
		if (pass && rank == 0)
			printf("pingpong_ns=%.1f ", pp);
	}
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = MPI_Wtime();
	for (long i = 0; i < n; i++)
		MPI_Allreduce(&v, &w, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	double ar = (MPI_Wtime() - t0) / n * 1e9;
	MPI_Barrier(MPI_COMM_WORLD);
	t0 = MPI_Wtime();
	for (long i = 0; i < n * 10; i++)
		MPI_Comm_rank(MPI_COMM_WORLD, &r);
	double cr = (MPI_Wtime() - t0) / (n * 10) * 1e9;

	/* IOR-like: 1 KiB transfers, each rank its own contiguous block of a shared file */
	long xfers = n / 5;
	char *buf = malloc(1024);
	memset(buf, 'a' + rank, 1024);
	MPI_File fh;
	MPI_File_open(MPI_COMM_WORLD, argv[1], MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
	MPI_Offset base = (MPI_Offset)rank * xfers * 1024;
	MPI_Barrier(MPI_COMM_WORLD);
	t0 = MPI_Wtime();
	for (long i = 0; i < xfers; i++)
		MPI_File_write_at(fh, base + i * 1024, buf, 1024, MPI_BYTE, MPI_STATUS_IGNORE);
	MPI_Barrier(MPI_COMM_WORLD);
	double io = MPI_Wtime() - t0;
	MPI_File_close(&fh);
	free(buf);
	if (rank == 0) {
		printf("allreduce_ns=%.1f comm_rank_ns=%.2f io_mibps=%.1f\n", ar, cr,
		       (double)xfers * 1024 * size / io / (1024 * 1024));
		MPI_File_delete(argv[1], MPI_INFO_NULL);
	}
	MPI_Finalize();
	return 0;
}
