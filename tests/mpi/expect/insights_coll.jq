# the same writes made collectively
.totals.mpiio.MPI_File_write_at_all.calls == 1200
([.insights[] | select(.rule == "no_collective_mpiio")] | length) == 0
