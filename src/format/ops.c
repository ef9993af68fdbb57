/* ops.c - the operation table, generated from the one list in include/vigil/ops.h. */
#include "vigil/segment.h"

const struct vigil_op_info vigil_op_table[VIGIL_NOPS] = {
#define VIGIL_X_INFO(id, layer, name, cls, dir, help) \
	[VIGIL_OP_##id] = { name, VIGIL_LAYER_##layer, VIGIL_CLASS_##cls, VIGIL_DIR_##dir, help },
	VIGIL_OPS(VIGIL_X_INFO)
#undef VIGIL_X_INFO
};

const char *const vigil_layer_names[VIGIL_NLAYERS] = { "posix", "stdio", "mpi", "mpiio", "opencl" };
const char *const vigil_class_names[VIGIL_NCLASSES] = { "data", "metadata", "sync", "other" };

const char *const vigil_file_kind_names[VIGIL_FILE_NKINDS] = {
	[VIGIL_FILE_OVERFLOW] = "<other files>",
	[VIGIL_FILE_STDIN] = "<stdin>",
	[VIGIL_FILE_STDOUT] = "<stdout>",
	[VIGIL_FILE_STDERR] = "<stderr>",
	[VIGIL_FILE_PIPE] = "<pipe>",
	[VIGIL_FILE_SOCKET] = "<socket>",
	[VIGIL_FILE_OTHER] = "<other>",
};
