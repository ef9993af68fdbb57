/* coll.c - collectives (blocking, nonblocking, v/w variants, MPI_IN_PLACE) with known byte counts; 4 ranks, root 0. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int rank, size, i;
	int ib[64] = { 0 }, ob[64] = { 0 }, cnt[4], dsp[4], c2[4], d2[4], c1[4], d1[4];
	double x[4] = { 0 }, y[4];
	MPI_Datatype types[4];
	MPI_Request r;
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	for (i = 0; i < 4; i++) {
		cnt[i] = i + 1;
		dsp[i] = i * 4;
		c2[i] = 2;
		d2[i] = 2 * i;
		c1[i] = 1;
		d1[i] = i;
		types[i] = MPI_INT;
	}
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Bcast(ib, 16, MPI_INT, 0, MPI_COMM_WORLD);                                /* 64 */
	MPI_Reduce(x, y, 4, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);                  /* 32 */
	MPI_Allreduce(x, y, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);                  /* 8 */
	MPI_Allreduce(MPI_IN_PLACE, x, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);       /* 16 */
	MPI_Gather(ib, 2, MPI_INT, ob, 2, MPI_INT, 0, MPI_COMM_WORLD);               /* 8 */
	if (rank == 0)                                                                 /* root in place: 4; rank r: 4(r+1) */
		MPI_Gatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, ob, cnt, dsp, MPI_INT, 0, MPI_COMM_WORLD);
	else
		MPI_Gatherv(ib, rank + 1, MPI_INT, NULL, NULL, NULL, MPI_DATATYPE_NULL, 0, MPI_COMM_WORLD);
	MPI_Scatter(ib, 1, MPI_INT, ob, 1, MPI_INT, 0, MPI_COMM_WORLD);               /* root 16, others 4 */
	MPI_Scatterv(ib, cnt, dsp, MPI_INT, ob, rank + 1, MPI_INT, 0, MPI_COMM_WORLD); /* root 40, others 4(r+1) */
	MPI_Allgather(ib, 1, MPI_INT, ob, 1, MPI_INT, MPI_COMM_WORLD);                /* 4 */
	MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, ob, cnt, dsp, MPI_INT, MPI_COMM_WORLD); /* 4(r+1) */
	MPI_Alltoall(ib, 1, MPI_INT, ob, 1, MPI_INT, MPI_COMM_WORLD);                 /* 16 */
	MPI_Alltoallv(ib, c2, d2, MPI_INT, ob, c2, d2, MPI_INT, MPI_COMM_WORLD);      /* 32 */
	for (i = 0; i < 4; i++)
		d1[i] = i * (int)sizeof(int);
	MPI_Alltoallw(ib, c1, d1, types, ob, c1, d1, types, MPI_COMM_WORLD);         /* 16 */
	MPI_Reduce_scatter_block(ib, ob, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);        /* 16 */
	MPI_Reduce_scatter(ib, ob, c1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);             /* 16 */
	MPI_Scan(ib, ob, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);                        /* 4 */
	MPI_Exscan(ib, ob, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);                      /* 4 */
	MPI_Ibcast(ib, 2, MPI_INT, 0, MPI_COMM_WORLD, &r);                            /* 8 */
	MPI_Wait(&r, MPI_STATUS_IGNORE);
	MPI_Iallreduce(ib, ob, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &r);              /* 4 */
	MPI_Wait(&r, MPI_STATUS_IGNORE);
	MPI_Ibarrier(MPI_COMM_WORLD, &r);
	MPI_Wait(&r, MPI_STATUS_IGNORE);
	MPI_Finalize();
	if (rank == 0)
		printf("coll ok %d\n", size);
	return 0;
}
