# 4 ranks x 300 independent MPI_File_write_at, no collective call
.totals.mpiio.MPI_File_write_at.calls == 1200
(.insights[] | select(.rule == "no_collective_mpiio") | .value) == 1200
(.insights[] | select(.rule == "no_collective_mpiio") | .evidence) == "1,200 independent MPI-IO data calls, 0 collective"
