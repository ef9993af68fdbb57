# rank 2 sleeps before each barrier: the others wait in MPI_Barrier; the late rank is rank 2
([.insights[] | select(.rule == "mpi_wait_dominant")] | length) == 1
(.insights[] | select(.rule == "mpi_wait_dominant") | .evidence | startswith("MPI_Barrier: ") and contains("rank 2 spent the least in it"))
(.insights[] | select(.rule == "mpi_wait_dominant") | .fix | contains("rank 2 (the least time in MPI_Barrier)"))
([.insights[] | select(.rule == "mpi_load_imbalance")] | length) == 1
(.insights[] | select(.rule == "mpi_load_imbalance") | .evidence | contains("rank 2 spends"))
