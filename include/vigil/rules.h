/*
 * rules.h - the one list of insight rules (docs/INSIGHTS.md).
 *
 * A rule names one I/O, MPI or accelerator anti-pattern.  Its id is interface: profiles,
 * the API, Prometheus labels and insights.conf name rules by it.  Each line
 * of VIGIL_RULES gives the enum suffix, the id, the category, the default
 * severity, the title, the quantity the rule measures (what `value` in a
 * finding is) and the fix text.  The fix text is a template: {name} is
 * replaced by the measured quantity the evaluator supplies under that name
 * (src/format/insights_io.c, insights_mpi.c), so every finding says what was measured.
 *
 * Each rule's parameters are lines of VIGIL_RULE_PARAMS: the rule, the
 * parameter's name (insights.conf: RULE.NAME = VALUE), its default, and what
 * it means.  The first parameter of a rule is the threshold its `value` is
 * compared with.  Adding a rule = one line here, its parameters, its judge in
 * insights_io.c or insights_mpi.c and its section in docs/INSIGHTS.md.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

enum vigil_severity {
	VIGIL_SEV_OK,        /* 0: Prometheus vigil_insight_level of a rule that holds */
	VIGIL_SEV_INFO,      /* 1 */
	VIGIL_SEV_WARNING,   /* 2 */
	VIGIL_SEV_CRITICAL,  /* 3 */
	VIGIL_NSEVERITIES
};

enum vigil_rule_category {
	VIGIL_RCAT_IO,
	VIGIL_RCAT_METADATA,
	VIGIL_RCAT_PARALLEL,
	VIGIL_RCAT_MPI,
	VIGIL_RCAT_ACCELERATOR,
	VIGIL_NRCATS
};

/* X(ID, "id", CATEGORY, SEVERITY, "title", "measures", "fix template") */
#define VIGIL_RULES(X) \
	X(SMALL_WRITES, "small_writes", IO, WARNING, "Small writes", \
	  "share of POSIX writes to regular files smaller than small_bytes", \
	  "{pct} of your {total} writes to regular files are under {small} (median size {median}). " \
	  "Buffer them into requests of {small} or more (collect records in memory, setvbuf with a large " \
	  "buffer, or MPI_File_write_all so aggregators issue large requests).") \
	X(SMALL_READS, "small_reads", IO, WARNING, "Small reads", \
	  "share of POSIX reads from regular files smaller than small_bytes", \
	  "{pct} of your {total} reads from regular files are under {small} (median size {median}). " \
	  "Read whole blocks of {small} or more and parse from memory (or use MPI_File_read_all).") \
	X(RANDOM_ACCESS, "random_access", IO, WARNING, "Random access", \
	  "share of non-sequential requests on regular files", \
	  "{pct} of your {total} {dir} on regular files are not sequential. Sort requests by offset, " \
	  "read a contiguous superset and select in memory, or use an MPI-IO file view with collective calls.") \
	X(METADATA_HEAVY, "metadata_heavy", METADATA, WARNING, "Metadata dominates I/O time", \
	  "share of I/O time in metadata operations (seeks excluded)", \
	  "Metadata operations ({top}) take {pct} of the I/O time, which is {io_pct} of the process time. " \
	  "Open files once and keep the descriptors, cache stat results, and avoid existence polling.") \
	X(METADATA_STORM, "metadata_storm", METADATA, CRITICAL, "Metadata storm", \
	  "metadata operations per second on one node", \
	  "The job made {rate} metadata operations per second for {secs} ({count} in all), which slows " \
	  "the file system for every user. Stage small files to node-local storage or /dev/shm, pack " \
	  "them into one container file (HDF5, tar, SquashFS), and open files once.") \
	X(MANY_SMALL_FILES, "many_small_files", METADATA, WARNING, "Many small files", \
	  "bytes moved per file open", \
	  "The job opened about {count} files and moved only {avg} per open on average; metadata takes {meta_pct} " \
	  "of the process time. Aggregate them into " \
	  "fewer, larger files (HDF5/NetCDF containers, one file per node) or use node-local storage.") \
	X(REDUNDANT_READS, "redundant_reads", IO, WARNING, "Redundant reads", \
	  "bytes read from a file divided by its size seen", \
	  "{file} was read {times} over ({read} read of {size}). Read it once and keep it in memory " \
	  "(or read it on one rank and MPI_Bcast it).") \
	X(SYNC_HEAVY, "sync_heavy", IO, WARNING, "Frequent syncs", \
	  "share of I/O time in fsync, fdatasync, MPI_File_sync, sync_file_range, syncfs and msync", \
	  "{count} syncs for {writes} writes take {pct} of the I/O time. Sync once per checkpoint or " \
	  "at close instead of after every few writes.") \
	X(STDIO_HEAVY, "stdio_heavy", IO, WARNING, "Bulk data through stdio", \
	  "share of regular-file bytes moved by stdio", \
	  "{pct} of the bytes ({bytes}) go through stdio (fwrite, fprintf, ...). Use large fwrite blocks " \
	  "with setvbuf, or POSIX/MPI-IO/HDF5 for bulk data.") \
	X(MISALIGNED_IO, "misaligned_io", IO, WARNING, "Misaligned requests", \
	  "share of file requests that start off the file's block size (st_blksize)", \
	  "{pct} of your {total} requests start at an offset that is not a multiple of the file's block " \
	  "size (st_blksize). Align offsets and sizes to it (on Lustre the stripe size), e.g. with " \
	  "H5Pset_alignment or padded records.") \
	X(IO_ERRORS, "io_errors", IO, WARNING, "Failing I/O calls", \
	  "share of data and sync calls that failed", \
	  "{count} of {total} data and sync calls failed ({pct}, most in {op}). Check quota and free " \
	  "space (df, lfs quota), paths and permissions: failing writes may mean lost output.") \
	X(IO_DOMINANT, "io_dominant", IO, INFO, "I/O dominates the run time", \
	  "share of process time spent in I/O", \
	  "I/O takes {pct} of the process time ({secs}). See the other findings for the cause; " \
	  "consider asynchronous or less frequent output, or node-local staging.") \
	X(SINGLE_RANK_IO, "single_rank_io", PARALLEL, WARNING, "One rank does the I/O", \
	  "share of the job's I/O bytes moved by one rank", \
	  "Rank {rank} moves {pct} of the {bytes} of I/O and spends {rank_pct} of its time in I/O while " \
	  "the others wait. Use parallel I/O (MPI-IO collective calls, parallel HDF5) or one writer per node.") \
	X(IO_IMBALANCE, "io_imbalance", PARALLEL, WARNING, "I/O imbalance across ranks", \
	  "(max - min) / max of the I/O bytes of the ranks doing I/O; or, on a file shared by ranks, " \
	  "(slowest - fastest) rank's time on it / its time", \
	  "{imbalance}. Balance the data and the requests per rank so no rank waits for the slowest{hint}.") \
	X(NO_COLLECTIVE_MPIIO, "no_collective_mpiio", PARALLEL, WARNING, "No collective MPI-IO", \
	  "independent MPI-IO data calls (with no collective ones)", \
	  "{count} independent MPI-IO data calls and no collective ones. Use MPI_File_write_all / " \
	  "MPI_File_read_all (or the _at_all forms) so ROMIO aggregates requests; set cb_nodes to " \
	  "one aggregator per node.") \
	X(MPI_LOAD_IMBALANCE, "mpi_load_imbalance", MPI, WARNING, "MPI load imbalance", \
	  "POP load balance: mean over ranks of time outside MPI divided by its maximum", \
	  "Load balance is {lb}: rank {max_rank} computes {max_useful} outside MPI while the mean is " \
	  "{mean_useful}, and MPI takes {mpi_pct} of the ranks' time. Rebalance the work distribution.") \
	X(MPI_WAIT_DOMINANT, "mpi_wait_dominant", MPI, WARNING, "Ranks wait in a collective", \
	  "share of the ranks' time in one collective", \
	  "{op} takes {pct} of the ranks' time and its time per rank ranges {min} to {max}: ranks wait " \
	  "for a late one, rank {late_rank} (the least time in {op}). Balance the work before the call " \
	  "or overlap it with a non-blocking collective.") \
	X(SMALL_MESSAGES, "small_messages", MPI, INFO, "Many small messages", \
	  "share of point-to-point sends under small_bytes", \
	  "{pct} of {count} sends are under {small} at {rate} sends per second per rank. Pack messages " \
	  "(one per neighbour per step, derived datatypes) or use neighbourhood collectives.") \
	X(TRANSFER_BOUND, "transfer_bound", ACCELERATOR, WARNING, "Host-device transfers dominate the device", \
	  "share of process time the device spends in transfers (OpenCL device time of copies)", \
	  "Transfers keep the device busy {xfer} ({pct} of the process time), at least as long as the kernels " \
	  "({kernels}). Keep data on the device between kernels, transfer once and reuse buffers, overlap " \
	  "transfers with kernels on a second queue, or use pinned (CL_MEM_ALLOC_HOST_PTR) buffers.") \
	X(SMALL_TRANSFERS, "small_transfers", ACCELERATOR, WARNING, "Many small host-device transfers", \
	  "share of host-device transfers under small_bytes", \
	  "{pct} of your {total} host-device transfers are under {small}. Batch them into one buffer and one " \
	  "transfer per step, or map the buffer once (clEnqueueMapBuffer) and write in place.") \
	X(HOST_WAITS, "host_waits", ACCELERATOR, WARNING, "The host waits for the device", \
	  "share of process time blocked in OpenCL waits (clFinish, clWaitForEvents, blocking transfers)", \
	  "The host is blocked in OpenCL waits for {secs} ({pct} of the process time). Overlap host work " \
	  "with the device: non-blocking transfers, events instead of clFinish, and fewer synchronisation points.")

/* P(RULE_ID, NAME, default, "meaning"); the first of each rule is its threshold. */
#define VIGIL_RULE_PARAMS(P) \
	P(SMALL_WRITES, min_ratio, 0.10, "fires when small writes are more than this share of the writes") \
	P(SMALL_WRITES, small_bytes, 1048576, "a request is small below this many bytes") \
	P(SMALL_WRITES, min_count, 1000, "and more than this many small writes") \
	P(SMALL_WRITES, min_time_share, 0.05, "and write time at least this share of the process time") \
	P(SMALL_READS, min_ratio, 0.10, "fires when small reads are more than this share of the reads") \
	P(SMALL_READS, small_bytes, 1048576, "a request is small below this many bytes") \
	P(SMALL_READS, min_count, 1000, "and more than this many small reads") \
	P(SMALL_READS, min_time_share, 0.05, "and read time at least this share of the process time") \
	P(RANDOM_ACCESS, min_ratio, 0.20, "fires when non-sequential requests are more than this share") \
	P(RANDOM_ACCESS, min_count, 1000, "and more than this many of them") \
	P(RANDOM_ACCESS, min_time_share, 0.05, "and data time at least this share of the process time") \
	P(METADATA_HEAVY, min_ratio, 0.50, "fires when metadata takes at least this share of I/O time") \
	P(METADATA_HEAVY, min_io_share, 0.05, "and I/O at least this share of the process time") \
	P(METADATA_HEAVY, min_seconds, 0.1, "and metadata at least this many seconds in all") \
	P(METADATA_STORM, min_rate, 5000, "fires above this many metadata operations per second per node") \
	P(MANY_SMALL_FILES, max_bytes_per_open, 65536, "fires below this many bytes moved per open") \
	P(MANY_SMALL_FILES, min_files, 1000, "and at least this many distinct files opened") \
	P(MANY_SMALL_FILES, min_meta_share, 0.05, "and metadata at least this share of the process time") \
	P(REDUNDANT_READS, min_times, 2, "fires when a file is read more than this many times over") \
	P(REDUNDANT_READS, min_reread_bytes, 67108864, "and at least this many bytes re-read") \
	P(SYNC_HEAVY, min_ratio, 0.10, "fires when syncs take at least this share of I/O time") \
	P(SYNC_HEAVY, min_syncs_per_write, 0.10, "and there are more syncs than this per write") \
	P(SYNC_HEAVY, min_syncs, 10, "and at least this many syncs") \
	P(STDIO_HEAVY, min_ratio, 0.10, "fires when stdio moves more than this share of the bytes") \
	P(STDIO_HEAVY, min_bytes, 67108864, "and at least this many bytes") \
	P(MISALIGNED_IO, min_ratio, 0.10, "fires when misaligned requests are more than this share") \
	P(MISALIGNED_IO, min_count, 1000, "and more than this many of them") \
	P(IO_ERRORS, min_ratio, 0.01, "fires when more than this share of data and sync calls fail") \
	P(IO_ERRORS, min_count, 100, "and at least this many failed") \
	P(IO_DOMINANT, min_ratio, 0.25, "fires when I/O takes at least this share of the process time") \
	P(SINGLE_RANK_IO, min_ratio, 0.90, "fires when one rank moves at least this share of the bytes") \
	P(SINGLE_RANK_IO, min_ranks, 4, "in a job of at least this many ranks") \
	P(SINGLE_RANK_IO, min_bytes, 67108864, "with at least this many bytes moved") \
	P(SINGLE_RANK_IO, min_rank_io_share, 0.10, "and that rank's I/O at least this share of its time") \
	P(IO_IMBALANCE, min_ratio, 0.30, "fires when (max - min) / max of the ranks' bytes exceeds this") \
	P(IO_IMBALANCE, min_ranks, 4, "in a job of at least this many ranks") \
	P(IO_IMBALANCE, min_bytes, 67108864, "with at least this many bytes moved") \
	P(IO_IMBALANCE, min_time_ratio, 0.15, "or, on a file shared by ranks, when (slowest - fastest) rank time on it / its time exceeds this") \
	P(NO_COLLECTIVE_MPIIO, min_count, 1000, "fires above this many independent calls with no collective one") \
	P(MPI_LOAD_IMBALANCE, max_lb, 0.80, "fires when the load balance is below this") \
	P(MPI_LOAD_IMBALANCE, min_mpi_share, 0.10, "and MPI takes at least this share of the ranks' time") \
	P(MPI_WAIT_DOMINANT, min_ratio, 0.25, "fires when one collective takes at least this share of the ranks' time") \
	P(MPI_WAIT_DOMINANT, min_spread, 0.50, "and (max - min) / mean of its time per rank is at least this") \
	P(SMALL_MESSAGES, min_ratio, 0.80, "fires when more than this share of the sends are small") \
	P(SMALL_MESSAGES, small_bytes, 1024, "a message is small below this many bytes") \
	P(SMALL_MESSAGES, min_rate, 10000, "and there are more than this many sends per second per rank") \
	P(TRANSFER_BOUND, min_time_share, 0.10, "fires when transfer device time is at least this share of the process time") \
	P(SMALL_TRANSFERS, min_ratio, 0.50, "fires when more than this share of the host-device transfers are small") \
	P(SMALL_TRANSFERS, small_bytes, 65536, "a transfer is small below this many bytes") \
	P(SMALL_TRANSFERS, min_count, 1000, "and there are more than this many small transfers") \
	P(HOST_WAITS, min_ratio, 0.50, "fires when OpenCL waits take at least this share of the process time")

enum vigil_rule {
#define VIGIL_X_RULE_ENUM(id, name, cat, sev, title, measures, fix) VIGIL_RULE_##id,
	VIGIL_RULES(VIGIL_X_RULE_ENUM)
#undef VIGIL_X_RULE_ENUM
	VIGIL_NRULES
};

enum vigil_rule_param {
#define VIGIL_X_PARAM_ENUM(rule, name, def, help) VIGIL_RP_##rule##_##name,
	VIGIL_RULE_PARAMS(VIGIL_X_PARAM_ENUM)
#undef VIGIL_X_PARAM_ENUM
	VIGIL_NRULE_PARAMS
};

struct vigil_rule_info {
	const char *id;          /* "small_writes": the interface */
	unsigned char category;  /* enum vigil_rule_category */
	unsigned char severity;  /* default enum vigil_severity */
	const char *title;
	const char *measures;    /* what a finding's value is */
	const char *fix;         /* template: {name} = a measured quantity */
};

struct vigil_rule_param_info {
	int rule;                /* enum vigil_rule */
	const char *name;        /* "min_ratio" */
	double def;
	const char *help;
};

/* Defined in src/format/rules.c. */
extern const struct vigil_rule_info vigil_rule_table[VIGIL_NRULES];
extern const struct vigil_rule_param_info vigil_rule_params[VIGIL_NRULE_PARAMS];
extern const char *const vigil_severity_names[VIGIL_NSEVERITIES]; /* "ok","info","warning","critical" */
extern const char *const vigil_rule_category_names[VIGIL_NRCATS]; /* "io","metadata",... */

#endif
