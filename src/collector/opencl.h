/*
 * opencl.h - internals of the OpenCL layer (opencl.c, opencl_dev.c), hidden.
 *
 * The layer sits between the ICD loader and the drivers: `ocl_next` is the
 * dispatch table below us (what clInitLayer was given), so the collector's
 * own OpenCL calls (queries, event releases, the harvest) go straight down
 * and are never counted.
 */
#ifndef VIGIL_OPENCL_H
#define VIGIL_OPENCL_H

#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_0_APIS
#define CL_USE_DEPRECATED_OPENCL_1_1_APIS
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#define CL_USE_DEPRECATED_OPENCL_2_0_APIS
#include <CL/cl_icd.h>
#include "collector/col.h"

extern cl_icd_dispatch ocl_next COL_HIDDEN; /* the next layer's (or the loader's) entries */

/* Queue flags kept with the program's own properties (ocl_queue_info). */
#define OCL_Q_FORCED   (1u << 0) /* we turned CL_QUEUE_PROFILING_ENABLE on */
#define OCL_Q_APPENDED (1u << 1) /* ... by appending CL_QUEUE_PROPERTIES to the program's list */
#define OCL_Q_PROFILED (1u << 2) /* profiling is on for it (the program's or ours) */

struct ocl_queue_info {
	uint32_t flags;          /* OCL_Q_* */
	uint32_t rec;            /* queue record in the segment (0: "<other queues>") */
	cl_command_queue_properties props; /* what the program asked for */
};

/* A command the wrapper is about to enqueue: whether and how it is timed. */
struct ocl_cmd {
	cl_event local;          /* the collector's own event when the program passed none */
	cl_event *ev;            /* what to pass down: the program's, &local, or NULL (untimed) */
	uint32_t rec;            /* queue record */
	int kernel;              /* kernel record, -1 none */
};

/* opencl_dev.c */
COL_HIDDEN extern int ocl_profiling;  /* VIGIL_OPENCL_PROFILING != 0 */
COL_HIDDEN void ocl_dev_init(void);
COL_HIDDEN void ocl_dev_atfork_child(void);
COL_HIDDEN extern int ocl_tables_used;     /* the layer ran in this process or an ancestor: its tables may hold objects */
COL_HIDDEN void ocl_layer_ran(void);     /* the loader initialised the layer: mark the segment */
COL_HIDDEN void ocl_queue_created(cl_command_queue q, cl_command_queue_properties props, uint32_t flags);
COL_HIDDEN int ocl_queue_lookup(cl_command_queue q, struct ocl_queue_info *out);
COL_HIDDEN void ocl_queue_released(cl_command_queue q);
COL_HIDDEN void ocl_cmd_begin(struct ocl_cmd *c, cl_command_queue q, cl_event *ev);
COL_HIDDEN void ocl_cmd_end(struct ocl_cmd *c, cl_int r, int kind, uint64_t bytes);
COL_HIDDEN void ocl_harvest(void);
COL_HIDDEN void ocl_accel_add(int kind, uint64_t bytes);
COL_HIDDEN void ocl_kernel_named(cl_kernel k, const char *name);
COL_HIDDEN void ocl_kernel_clone(cl_kernel src, cl_kernel dst);
COL_HIDDEN int ocl_kernel_record(cl_kernel k);
COL_HIDDEN void ocl_kernel_launch(int rec, uint64_t work_items, int failed);
COL_HIDDEN void ocl_image_created(cl_mem m, uint64_t elem_size);
COL_HIDDEN uint64_t ocl_image_elem(cl_mem m);
COL_HIDDEN void ocl_map_put(const void *ptr, uint64_t bytes);
COL_HIDDEN uint64_t ocl_map_take(const void *ptr);
COL_HIDDEN void ocl_svm_alloc(const void *ptr, uint64_t size);
COL_HIDDEN void ocl_svm_free(const void *ptr);
COL_HIDDEN int ocl_svm_direction(const void *dst, const void *src); /* VIGIL_XFER_H2D, D2H or D2D */

#endif
