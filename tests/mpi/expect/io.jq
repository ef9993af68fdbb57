# io.c with 4 ranks on one shared file
.totals.mpiio.MPI_File_open.calls == 4 and .totals.mpiio.MPI_File_close.calls == 4
.totals.mpiio.MPI_File_write_at.bytes == 4096
.totals.mpiio.MPI_File_write_at_all.bytes == 4096
.totals.mpiio.MPI_File_iwrite_at.bytes == 2048
.totals.mpiio.MPI_File_read_at.bytes == 4096
.totals.mpiio.MPI_File_read_at_all.bytes == 2048
.totals.mpiio.MPI_File_read.bytes == 400 and .totals.mpiio.MPI_File_read_all.bytes == 400
.totals.mpiio.MPI_File_write.bytes == 40 and .totals.mpiio.MPI_File_write_all.bytes == 40
.totals.mpiio.MPI_File_set_view.calls == 4 and .totals.mpiio.MPI_File_seek.calls == 4
.totals.mpiio.MPI_File_sync.calls == 4 and .totals.mpiio.MPI_File_set_size.calls == 4
.totals.mpiio.MPI_File_preallocate.calls == 4
# the shared file: one mpiio record, merged over all ranks
([.files[] | select(.layer == "mpiio")] | length) == 1
([.files[] | select(.layer == "mpiio")][0] | (.path | endswith("/shared.dat")) and .ranks == 4 and .rank_min == 0 and .rank_max == 3 and .processes == 4)
([.files[] | select(.layer == "mpiio")][0] | .bytes_written == 10320 and .bytes_read == 6944 and .writes == 20 and .reads == 16)
# the POSIX calls MPI made for it are a separate layer, never added in
([.files[] | select(.layer == "posix" and (.path | endswith("/shared.dat")))] | length) == 1
(.totals.posix | has("MPI_File_write_at")) | not
