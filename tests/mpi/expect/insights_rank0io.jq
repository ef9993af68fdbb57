# rank 0 alone writes 256 MiB: single_rank_io names it; io_imbalance (the same cause) is not repeated
([.insights[] | select(.rule == "single_rank_io")] | length) == 1
(.insights[] | select(.rule == "single_rank_io") | .evidence | startswith("rank 0 of 4 moved "))
(.insights[] | select(.rule == "single_rank_io") | .fix | startswith("Rank 0 moves "))
([.insights[] | select(.rule == "io_imbalance")] | length) == 0
.insights_config.rules.single_rank_io.min_ranks == 4
