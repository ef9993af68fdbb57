/* io.c - MPI-IO on one shared file (argv[1]): independent, collective, nonblocking, view, metadata. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	int rank, size;
	char buf[1024];
	MPI_File fh;
	MPI_Request r;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	memset(buf, 'a' + rank, sizeof(buf));
	MPI_File_open(MPI_COMM_WORLD, argv[1], MPI_MODE_CREATE | MPI_MODE_RDWR, MPI_INFO_NULL, &fh);
	MPI_File_preallocate(fh, 16384);
	MPI_File_write_at(fh, (MPI_Offset)rank * 1024, buf, 1024, MPI_BYTE, MPI_STATUS_IGNORE);          /* 1024 */
	MPI_File_write_at_all(fh, 4096 + (MPI_Offset)rank * 1024, buf, 256, MPI_INT, MPI_STATUS_IGNORE); /* 1024 */
	MPI_File_iwrite_at(fh, 8192 + (MPI_Offset)rank * 512, buf, 512, MPI_CHAR, &r);                    /* 512 */
	MPI_Wait(&r, MPI_STATUS_IGNORE);
	MPI_File_sync(fh);
	MPI_File_read_at(fh, (MPI_Offset)((rank + 1) % size) * 1024, buf, 1024, MPI_BYTE, MPI_STATUS_IGNORE); /* 1024 */
	MPI_File_read_at_all(fh, 4096 + (MPI_Offset)rank * 1024, buf, 128, MPI_INT, MPI_STATUS_IGNORE);      /* 512 */
	MPI_File_set_view(fh, (MPI_Offset)rank * 1024, MPI_BYTE, MPI_BYTE, "native", MPI_INFO_NULL);
	MPI_File_seek(fh, 0, MPI_SEEK_SET);
	MPI_File_read(fh, buf, 100, MPI_BYTE, MPI_STATUS_IGNORE);                                           /* 100 */
	MPI_File_read_all(fh, buf, 100, MPI_BYTE, MPI_STATUS_IGNORE);                                       /* 100 */
	MPI_File_write(fh, buf, 10, MPI_BYTE, MPI_STATUS_IGNORE);                                           /* 10 */
	MPI_File_write_all(fh, buf, 10, MPI_BYTE, MPI_STATUS_IGNORE);                                       /* 10 */
	MPI_File_set_size(fh, 16384);
	MPI_File_close(&fh);
	MPI_Finalize();
	if (rank == 0)
		printf("io ok %d\n", size);
	return 0;
}
