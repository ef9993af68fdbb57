# the same barriers without a late rank
([.insights[] | select(.rule == "mpi_wait_dominant" or .rule == "mpi_load_imbalance")] | length) == 0
