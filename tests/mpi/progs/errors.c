/* errors.c - MPI_ERRORS_RETURN: a failing call returns its error code unchanged and is counted as an error. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int rank, v = 0;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	int rc = MPI_Send(&v, 1, MPI_INT, 999, 0, MPI_COMM_WORLD); /* invalid rank */
	int cls = -1;
	MPI_Error_class(rc, &cls);
	MPI_Finalize();
	if (rank == 0)
		printf("errors rc_nonzero=%d class_rank=%d\n", rc != MPI_SUCCESS, cls == MPI_ERR_RANK);
	return 0;
}
