# p2p.c with 4 ranks: even ranks send, odd ranks receive (tests/mpi/progs/p2p.c)
.schema == "vigil-profile/1"
.mpi.ranks == 4 and .job.ranks == 4
([.processes[] | select(.rank >= 0)] | length) == 4
.totals.mpi.MPI_Init.calls == 4 and .totals.mpi.MPI_Finalize.calls == 4
.totals.mpi.MPI_Comm_rank.calls == 4 and .totals.mpi.MPI_Comm_size.calls == 4
.totals.mpi.MPI_Send.calls == 2 and .totals.mpi.MPI_Send.bytes == 800
.totals.mpi.MPI_Recv.calls == 4 and .totals.mpi.MPI_Recv.bytes == 802
.totals.mpi.MPI_Isend.calls == 4 and .totals.mpi.MPI_Isend.bytes == 320
.totals.mpi.MPI_Irecv.calls == 4 and .totals.mpi.MPI_Irecv.bytes == 320
.totals.mpi.MPI_Waitall.calls == 4 and .totals.mpi.MPI_Waitall.bytes == 0
.totals.mpi.MPI_Sendrecv.calls == 4 and .totals.mpi.MPI_Sendrecv.bytes == 48
.totals.mpi.MPI_Ssend.calls == 2 and .totals.mpi.MPI_Ssend.bytes == 2
.totals.mpi.MPI_Probe.calls == 2
.totals.mpi.MPI_Send.size_histogram[9] == 2 and .totals.mpi.MPI_Ssend.size_histogram[1] == 2
([.totals.mpi[].errors] | add) == 0
([.processes[] | select(.rank == 1)][0].totals.mpi.MPI_Recv | .calls == 2 and .bytes == 401)
([.processes[] | select(.rank == 2)][0].totals.mpi.MPI_Send | .calls == 1 and .bytes == 400)
.mpi.per_rank.mpi.MPI_Recv.bytes | .max == 401 and .min == 0 and .mean == 200.5
([.processes[] | select(.rank >= 0) | .totals.mpi.MPI_Send.bytes // 0] | sort) == [0, 0, 400, 400]
.mpi.time_share | has("MPI_Send") and has("MPI_Recv")
