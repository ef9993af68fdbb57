/*
 * dlmod.c - an MPI program the way mpi4py is one: this module is linked to
 * libmpi, and dlmain.c (linked to no MPI) dlopens it privately (RTLD_LOCAL)
 * and calls dlmod_run().  Ranks 0 and 1 exchange one message of 100 ints.
 */
#include <stddef.h>
#include <mpi.h>

int dlmod_run(void)
{
	int rank = 0, size = 0, buf[100] = { 0 };
	if (MPI_Init(NULL, NULL) != MPI_SUCCESS)
		return 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (rank == 0 && size > 1)
		MPI_Send(buf, 100, MPI_INT, 1, 7, MPI_COMM_WORLD);
	else if (rank == 1)
		MPI_Recv(buf, 100, MPI_INT, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	return MPI_Finalize() != MPI_SUCCESS;
}
