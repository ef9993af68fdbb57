# the same requests, each rank to its own file: no file is shared, bytes are balanced: no io_imbalance
[.files[] | select(.path | test("/own\\.[0-3]$")) | .bytes_written] == [16777216, 16777216, 16777216, 16777216]
[.files[] | select(.path | test("/own\\.[0-3]$")) | .ranks] == [1, 1, 1, 1]
([.insights[] | select(.rule == "io_imbalance" or .rule == "single_rank_io")] | length) == 0
