/*
 * test_layout.c - pins the segment ABI (include/vigil/segment.h, docs/SEGMENT.md).
 *
 * The segment is the only contract between collectors and readers built at
 * different times; a field that moves silently breaks every older reader.
 * Sizes are checked at compile time, every field offset at run time against
 * the table below.  Changing the layout means a new VIGIL_SEG_VERSION and a
 * deliberate edit of this table.  Version 2 appended struct vigil_file_ext to
 * file records and struct vigil_shard_ext after a shard's op counters.
 */
#include <stddef.h>
#include "vigil/segment.h"
#include "check.h"

_Static_assert(sizeof(struct vigil_seg_header) == 264, "header size");
_Static_assert(sizeof(struct vigil_seg_clock) == 56, "clock size");
_Static_assert(sizeof(struct vigil_seg_identity) == 1800, "identity size");
_Static_assert(offsetof(struct vigil_seg_identity, exec_target) == 1544, "v2 appends exec_target");
_Static_assert(sizeof(struct vigil_op_counters) == 288, "op counters size");
_Static_assert(sizeof(struct vigil_tl_bin) == 32, "timeline bin size");
_Static_assert(sizeof(struct vigil_shard) == 10304, "shard header size");
_Static_assert(offsetof(struct vigil_shard, ops) == sizeof(struct vigil_shard), "ops follow the shard header");
_Static_assert(sizeof(struct vigil_file_counters) == 96, "file counters size");
_Static_assert(sizeof(struct vigil_file_ext) == 32, "file ext size (v2)");
_Static_assert(sizeof(struct vigil_shard_ext) == 64, "shard ext size (v2)");
_Static_assert(sizeof(struct vigil_file) == 672, "file record size (v2)");
_Static_assert(VIGIL_FILE_V1_SIZE == 576, "a version 1 record ends where ext begins");
_Static_assert(VIGIL_V1_HEADER_SIZE == 232, "a version-1 header ends where version 2 adds fields");
_Static_assert(sizeof(struct vigil_accel_kind) == 64, "accelerator kind size");
_Static_assert(sizeof(struct vigil_queue_rec) == 32, "queue record size");
_Static_assert(sizeof(struct vigil_accel) == 1536, "accelerator region size");
_Static_assert(sizeof(struct vigil_kernel) == 112, "kernel record size");
_Static_assert(VIGIL_IDENT_OFFSET + sizeof(struct vigil_seg_identity) <= VIGIL_HEADER_AREA, "identity in header area");
_Static_assert(sizeof(struct vigil_seg_header) <= VIGIL_IDENT_OFFSET, "header before identity");
_Static_assert(VIGIL_SHARD_SIZE % 64 == 0, "shards are cache-line multiples");
_Static_assert(VIGIL_SHARDS_OFFSET % 4096 == 0 && VIGIL_SEGMENT_SIZE % 4096 == 0, "page aligned");

struct field { const char *type, *name; size_t got, want; };

static const struct field fields[] = {
	{ "vigil_seg_clock", "source", offsetof(struct vigil_seg_clock, source), 0 },
	{ "vigil_seg_clock", "reserved", offsetof(struct vigil_seg_clock, reserved), 4 },
	{ "vigil_seg_clock", "start_ticks", offsetof(struct vigil_seg_clock, start_ticks), 8 },
	{ "vigil_seg_clock", "start_mono_ns", offsetof(struct vigil_seg_clock, start_mono_ns), 16 },
	{ "vigil_seg_clock", "start_real_ns", offsetof(struct vigil_seg_clock, start_real_ns), 24 },
	{ "vigil_seg_clock", "end_ticks", offsetof(struct vigil_seg_clock, end_ticks), 32 },
	{ "vigil_seg_clock", "end_mono_ns", offsetof(struct vigil_seg_clock, end_mono_ns), 40 },
	{ "vigil_seg_clock", "end_real_ns", offsetof(struct vigil_seg_clock, end_real_ns), 48 },
	{ "vigil_seg_identity", "pid", offsetof(struct vigil_seg_identity, pid), 0 },
	{ "vigil_seg_identity", "ppid", offsetof(struct vigil_seg_identity, ppid), 4 },
	{ "vigil_seg_identity", "uid", offsetof(struct vigil_seg_identity, uid), 8 },
	{ "vigil_seg_identity", "gid", offsetof(struct vigil_seg_identity, gid), 12 },
	{ "vigil_seg_identity", "proc_start", offsetof(struct vigil_seg_identity, proc_start), 16 },
	{ "vigil_seg_identity", "rank", offsetof(struct vigil_seg_identity, rank), 24 },
	{ "vigil_seg_identity", "nranks", offsetof(struct vigil_seg_identity, nranks), 28 },
	{ "vigil_seg_identity", "exit_status", offsetof(struct vigil_seg_identity, exit_status), 32 },
	{ "vigil_seg_identity", "term_signal", offsetof(struct vigil_seg_identity, term_signal), 36 },
	{ "vigil_seg_identity", "exec_count", offsetof(struct vigil_seg_identity, exec_count), 40 },
	{ "vigil_seg_identity", "env_rank", offsetof(struct vigil_seg_identity, env_rank), 44 },
	{ "vigil_seg_identity", "job_id", offsetof(struct vigil_seg_identity, job_id), 48 },
	{ "vigil_seg_identity", "step", offsetof(struct vigil_seg_identity, step), 112 },
	{ "vigil_seg_identity", "run_id", offsetof(struct vigil_seg_identity, run_id), 144 },
	{ "vigil_seg_identity", "host", offsetof(struct vigil_seg_identity, host), 184 },
	{ "vigil_seg_identity", "exe", offsetof(struct vigil_seg_identity, exe), 248 },
	{ "vigil_seg_identity", "cmdline", offsetof(struct vigil_seg_identity, cmdline), 504 },
	{ "vigil_seg_identity", "mpi_impl", offsetof(struct vigil_seg_identity, mpi_impl), 1528 },
	{ "vigil_op_counters", "calls", offsetof(struct vigil_op_counters, calls), 0 },
	{ "vigil_op_counters", "errors", offsetof(struct vigil_op_counters, errors), 8 },
	{ "vigil_op_counters", "bytes", offsetof(struct vigil_op_counters, bytes), 16 },
	{ "vigil_op_counters", "ticks", offsetof(struct vigil_op_counters, ticks), 24 },
	{ "vigil_op_counters", "hist", offsetof(struct vigil_op_counters, hist), 32 },
	{ "vigil_tl_bin", "ops", offsetof(struct vigil_tl_bin, ops), 0 },
	{ "vigil_tl_bin", "bytes_read", offsetof(struct vigil_tl_bin, bytes_read), 8 },
	{ "vigil_tl_bin", "bytes_written", offsetof(struct vigil_tl_bin, bytes_written), 16 },
	{ "vigil_tl_bin", "ticks", offsetof(struct vigil_tl_bin, ticks), 24 },
	{ "vigil_shard", "changes", offsetof(struct vigil_shard, changes), 0 },
	{ "vigil_shard", "state", offsetof(struct vigil_shard, state), 8 },
	{ "vigil_shard", "tid", offsetof(struct vigil_shard, tid), 12 },
	{ "vigil_shard", "tl_shift", offsetof(struct vigil_shard, tl_shift), 16 },
	{ "vigil_shard", "reserved0", offsetof(struct vigil_shard, reserved0), 20 },
	{ "vigil_shard", "reserved", offsetof(struct vigil_shard, reserved), 24 },
	{ "vigil_shard", "timeline", offsetof(struct vigil_shard, timeline), 64 },
	{ "vigil_shard", "ops", offsetof(struct vigil_shard, ops), 10304 },
	{ "vigil_file_counters", "reads", offsetof(struct vigil_file_counters, reads), 0 },
	{ "vigil_file_counters", "writes", offsetof(struct vigil_file_counters, writes), 8 },
	{ "vigil_file_counters", "bytes_read", offsetof(struct vigil_file_counters, bytes_read), 16 },
	{ "vigil_file_counters", "bytes_written", offsetof(struct vigil_file_counters, bytes_written), 24 },
	{ "vigil_file_counters", "meta_ops", offsetof(struct vigil_file_counters, meta_ops), 32 },
	{ "vigil_file_counters", "ticks", offsetof(struct vigil_file_counters, ticks), 40 },
	{ "vigil_file_counters", "seq_reads", offsetof(struct vigil_file_counters, seq_reads), 48 },
	{ "vigil_file_counters", "seq_writes", offsetof(struct vigil_file_counters, seq_writes), 56 },
	{ "vigil_file_counters", "consec_reads", offsetof(struct vigil_file_counters, consec_reads), 64 },
	{ "vigil_file_counters", "consec_writes", offsetof(struct vigil_file_counters, consec_writes), 72 },
	{ "vigil_file_counters", "max_offset", offsetof(struct vigil_file_counters, max_offset), 80 },
	{ "vigil_file_counters", "reserved", offsetof(struct vigil_file_counters, reserved), 88 },
	{ "vigil_file", "hash", offsetof(struct vigil_file, hash), 0 },
	{ "vigil_file", "kind", offsetof(struct vigil_file, kind), 8 },
	{ "vigil_file", "path_len", offsetof(struct vigil_file, path_len), 12 },
	{ "vigil_file", "first_ticks", offsetof(struct vigil_file, first_ticks), 16 },
	{ "vigil_file", "last_ticks", offsetof(struct vigil_file, last_ticks), 24 },
	{ "vigil_file", "path", offsetof(struct vigil_file, path), 32 },
	{ "vigil_file", "layer", offsetof(struct vigil_file, layer), 288 },
	{ "vigil_file", "ext", offsetof(struct vigil_file, ext), 576 },
	{ "vigil_file_ext", "unpositioned_reads", offsetof(struct vigil_file_ext, unpositioned_reads), 0 },
	{ "vigil_file_ext", "unpositioned_writes", offsetof(struct vigil_file_ext, unpositioned_writes), 8 },
	{ "vigil_file_ext", "misaligned", offsetof(struct vigil_file_ext, misaligned), 16 },
	{ "vigil_file_ext", "generation", offsetof(struct vigil_file_ext, generation), 24 },
	{ "vigil_shard_ext", "positioned_reads", offsetof(struct vigil_shard_ext, positioned_reads), 0 },
	{ "vigil_shard_ext", "positioned_writes", offsetof(struct vigil_shard_ext, positioned_writes), 8 },
	{ "vigil_shard_ext", "nonseq_reads", offsetof(struct vigil_shard_ext, nonseq_reads), 16 },
	{ "vigil_shard_ext", "nonseq_writes", offsetof(struct vigil_shard_ext, nonseq_writes), 24 },
	{ "vigil_shard_ext", "misaligned", offsetof(struct vigil_shard_ext, misaligned), 32 },
	{ "vigil_shard_ext", "again_errors", offsetof(struct vigil_shard_ext, again_errors), 40 },
	{ "vigil_shard_ext", "reserved", offsetof(struct vigil_shard_ext, reserved), 48 },
	{ "vigil_seg_header", "magic", offsetof(struct vigil_seg_header, magic), 0 },
	{ "vigil_seg_header", "version", offsetof(struct vigil_seg_header, version), 8 },
	{ "vigil_seg_header", "header_size", offsetof(struct vigil_seg_header, header_size), 12 },
	{ "vigil_seg_header", "segment_size", offsetof(struct vigil_seg_header, segment_size), 16 },
	{ "vigil_seg_header", "n_ops", offsetof(struct vigil_seg_header, n_ops), 24 },
	{ "vigil_seg_header", "n_layers", offsetof(struct vigil_seg_header, n_layers), 28 },
	{ "vigil_seg_header", "n_hist", offsetof(struct vigil_seg_header, n_hist), 32 },
	{ "vigil_seg_header", "n_tl_bins", offsetof(struct vigil_seg_header, n_tl_bins), 36 },
	{ "vigil_seg_header", "n_shards", offsetof(struct vigil_seg_header, n_shards), 40 },
	{ "vigil_seg_header", "shard_size", offsetof(struct vigil_seg_header, shard_size), 44 },
	{ "vigil_seg_header", "shards_offset", offsetof(struct vigil_seg_header, shards_offset), 48 },
	{ "vigil_seg_header", "n_files", offsetof(struct vigil_seg_header, n_files), 56 },
	{ "vigil_seg_header", "file_size", offsetof(struct vigil_seg_header, file_size), 60 },
	{ "vigil_seg_header", "files_offset", offsetof(struct vigil_seg_header, files_offset), 64 },
	{ "vigil_seg_header", "ident_offset", offsetof(struct vigil_seg_header, ident_offset), 72 },
	{ "vigil_seg_header", "ident_size", offsetof(struct vigil_seg_header, ident_size), 80 },
	{ "vigil_seg_header", "n_flayers", offsetof(struct vigil_seg_header, n_flayers), 84 },
	{ "vigil_seg_header", "clock", offsetof(struct vigil_seg_header, clock), 88 },
	{ "vigil_seg_header", "state", offsetof(struct vigil_seg_header, state), 144 },
	{ "vigil_seg_header", "flags", offsetof(struct vigil_seg_header, flags), 148 },
	{ "vigil_seg_header", "files_used", offsetof(struct vigil_seg_header, files_used), 152 },
	{ "vigil_seg_header", "shards_used", offsetof(struct vigil_seg_header, shards_used), 156 },
	{ "vigil_seg_header", "header_changes", offsetof(struct vigil_seg_header, header_changes), 160 },
	{ "vigil_seg_header", "early_calls", offsetof(struct vigil_seg_header, early_calls), 168 },
	{ "vigil_seg_header", "reader_mark", offsetof(struct vigil_seg_header, reader_mark), 176 },
	{ "vigil_seg_header", "reserved", offsetof(struct vigil_seg_header, reserved), 184 },
	{ "vigil_seg_header", "files_seq (reserved[VIGIL_SEG_FILES_SEQ_SLOT])",
	  offsetof(struct vigil_seg_header, reserved) + 8 * VIGIL_SEG_FILES_SEQ_SLOT, 192 },
	{ "vigil_file", "generation (ext[0])", offsetof(struct vigil_file, ext[0].generation), 600 },
	{ "vigil_seg_header", "accel_offset", offsetof(struct vigil_seg_header, accel_offset), 232 },
	{ "vigil_seg_header", "accel_size", offsetof(struct vigil_seg_header, accel_size), 240 },
	{ "vigil_seg_header", "n_kernels", offsetof(struct vigil_seg_header, n_kernels), 244 },
	{ "vigil_seg_header", "kernels_offset", offsetof(struct vigil_seg_header, kernels_offset), 248 },
	{ "vigil_seg_header", "kernel_size", offsetof(struct vigil_seg_header, kernel_size), 256 },
	{ "vigil_accel", "dropped", offsetof(struct vigil_accel, dropped), 24 },
	{ "vigil_accel", "kind", offsetof(struct vigil_accel, kind), 64 },
	{ "vigil_accel", "queue", offsetof(struct vigil_accel, queue), 512 },
	{ "vigil_kernel", "name", offsetof(struct vigil_kernel, name), 48 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].got != fields[i].want) {
			fprintf(stderr, "struct %s.%s at offset %zu, expected %zu\n", fields[i].type,
			        fields[i].name, fields[i].got, fields[i].want);
			check_failures++;
		}
	/* Constants the format depends on. */
	CHECK_STR(VIGIL_SEG_MAGIC, "VIGILSEG");
	CHECK_U64(VIGIL_SEG_VERSION, 2);
	CHECK_U64(VIGIL_SEG_VERSION_MIN, 1);
	CHECK_U64(VIGIL_SEG_VERSION_V1, 1);
	CHECK_U64(VIGIL_HIST_BUCKETS, 32);
	CHECK_U64(VIGIL_TL_BINS, 64);
	CHECK_U64(VIGIL_NLAYERS, 5);
	CHECK_U64(VIGIL_LAYER_OPENCL, 4);
	CHECK_U64(VIGIL_NXFER, 7);
	CHECK_U64(VIGIL_KERNELS, 128);
	CHECK_U64(VIGIL_QUEUES, 32);
	CHECK_U64(VIGIL_NFLAYERS, 3);
	CHECK_U64(VIGIL_IDENT_OFFSET, 1024);
	CHECK_U64(VIGIL_FILES_OFFSET, 4096);
	CHECK_U64(VIGIL_SHARDS_OFFSET, 348160); /* 4096 + 512 * 672, page aligned */
	CHECK_U64(VIGIL_SHARD_SIZE, (10304 + VIGIL_NOPS * 288 + 64 + 63) / 64 * 64);
	CHECK_U64(vigil_shard_ext_offset(VIGIL_NOPS), 10304 + VIGIL_NOPS * 288); /* v2: after the writer's ops */
	/* This build's geometry, exactly (docs/SEGMENT.md): 194 ops since the OpenCL layer (clEnqueueReadBuffer..clReleaseMemObject). */
	CHECK_U64(VIGIL_NOPS, 194);
	CHECK_U64(VIGIL_SHARD_SIZE, 66240);   /* 10304 + 194 * 288 + 64 = 66240 */
	CHECK_U64(VIGIL_ACCEL_OFFSET, 1409024); /* 348160 + 16 * 66240, rounded up to 4096 */
	CHECK_U64(VIGIL_KERNELS_OFFSET, 1410560); /* + 1536 */
	CHECK_U64(VIGIL_SEGMENT_SIZE, 1425408); /* + 128 * 112, rounded up to 4096 */
	/* The append-only operation list: existing positions never move. */
	CHECK_U64(VIGIL_OP_OPEN, 0);
	CHECK_U64(VIGIL_OP_WRITE, 3);
	CHECK_U64(VIGIL_OP_MMAP, 22);
	CHECK_U64(VIGIL_OP_FOPEN, 23);
	CHECK_U64(VIGIL_OP_REWIND, 38);
	CHECK_U64(VIGIL_OP_MPI_INIT, 39);
	CHECK_U64(VIGIL_OP_MPI_FILE_OPEN, 106);
	CHECK_U64(VIGIL_OP_MPI_FILE_SEEK, 134);
	CHECK_U64(VIGIL_OP_COPY_FILE_RANGE, 135);
	CHECK_U64(VIGIL_OP_SENDFILE, 136);
	CHECK_U64(VIGIL_OP_SPLICE, 137);
	CHECK_U64(VIGIL_OP_TEE, 138);
	CHECK_U64(VIGIL_OP_BUFFER_REFILL, 139);
	CHECK_U64(VIGIL_OP_UTIME, 152);
	CHECK_U64(VIGIL_OP_CL_READ_BUFFER, 156);
	CHECK_U64(VIGIL_OP_CL_RELEASE_MEM, 193);
	/* Histogram buckets: 0 -> 0, [2^(i-1), 2^i) -> i, >= 2^30 -> 31. */
	CHECK_U64(vigil_hist_bucket(0), 0);
	CHECK_U64(vigil_hist_bucket(1), 1);
	CHECK_U64(vigil_hist_bucket(8), 4);
	CHECK_U64(vigil_hist_bucket(4095), 12);
	CHECK_U64(vigil_hist_bucket(4096), 13);
	CHECK_U64(vigil_hist_bucket(1ull << 30), 31);
	CHECK_U64(vigil_hist_bucket(~0ull), 31);
	CHECK_DONE();
}
