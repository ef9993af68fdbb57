# every rank writes 64 MiB to its own file: balanced, nothing parallel to say
([.insights[] | select(.rule == "single_rank_io" or .rule == "io_imbalance")] | length) == 0
