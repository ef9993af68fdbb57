/*
 * shimstub.c - a stand-in "MPI" library for shimrace.c: two MPI names as plain functions, so the
 * shim's trampolines and lazy resolver are tested without an MPI (the shim then goes to the next
 * definition: these).  MPI_Sendrecv has 12 arguments: six of them on the stack.
 */
int MPI_Comm_rank(void *comm, int *rank)
{
	*rank = (int)(long)comm;
	return 0;
}

int MPI_Sendrecv(const void *sbuf, int scount, void *stype, int dest, int stag, void *rbuf,
                 int rcount, void *rtype, int src, int rtag, void *comm, void *status)
{
	return (sbuf == rbuf) + 2 * (stype == rtype) + 4 * (comm == status) + scount + 10 * dest +
	       100 * stag + 1000 * rcount + 10000 * src + 100000 * rtag;
}
