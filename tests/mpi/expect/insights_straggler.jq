# 4 ranks pwrite 16 MiB each to one shared file, rank 2 in 65,536 requests of 256 B, the others in one
[.files[] | select(.path | endswith("/shared.dat")) | select(.layer == "posix")] | length == 1
.files[] | select(.path | endswith("/shared.dat")) | .writes == 65539 and .bytes_written == 67108864 and .ranks == 4
.files[] | select(.path | endswith("/shared.dat")) | .slowest_rank == 2 and .fastest_rank != 2 and .slowest_rank_seconds > .fastest_rank_seconds
[.processes[] | select(.rank == 2) | .totals.posix.pwrite.calls] == [65536]
# bytes are balanced (16 MiB each): the straggler on the shared file is the finding
([.insights[] | select(.rule == "io_imbalance")] | length) == 1
(.insights[] | select(.rule == "io_imbalance") | .threshold) == 0.15
(.files[] | select(.path | endswith("/shared.dat"))) as $f | .insights[] | select(.rule == "io_imbalance") | (.value - ($f.slowest_rank_seconds - $f.fastest_rank_seconds) / $f.seconds | fabs) < 1e-9
(.files[] | select(.path | endswith("/shared.dat"))) as $f | .insights[] | select(.rule == "io_imbalance") | .evidence | startswith("\($f.path), shared by 4 ranks: rank 2 spent ")
.insights[] | select(.rule == "io_imbalance") | .fix | startswith("One rank is slow on a shared file: rank 2 ")
