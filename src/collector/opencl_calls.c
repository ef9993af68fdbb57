/*
 * opencl_calls.c - the layer's wrappers: one per OpenCL entry point counted.
 *
 * Every wrapper calls the next layer with the program's own arguments and
 * returns exactly what it returned.  Counting-only calls read no clock (their
 * timeline bin is the thread's current one); enqueues read it once (for the
 * timeline) and a second time only when they block; waits and builds are
 * timed.  Bytes: rect regions multiply out (region[0] in bytes), images
 * multiply by the element size cached at creation.  Directions: host->device
 * counts as written, device->host as read (the ops' fixed direction), and
 * the accelerator region gets every kind (enum vigil_xfer).
 */
#include <stdlib.h>
#include <string.h>
#include "collector/opencl.h"

#define PROF CL_QUEUE_PROFILING_ENABLE

/* Count one call into the op counters (fd -1: no file). */
static void ocl_count(int op, uint64_t bytes, int failed, uint64_t t0, uint64_t t1)
{
	col_io(op, -1, 0, bytes, bytes, failed, COL_OFF_NONE, t0, t1);
}

static uint64_t ocl_region(const size_t *r)
{
	return r ? (uint64_t)r[0] * r[1] * r[2] : 0;
}

/* End of an enqueue: counters, accelerator region, the timed event; a blocking one harvests. */
static cl_int ocl_done(struct ocl_cmd *c, cl_int r, int op, int kind, uint64_t bytes, int blocking, uint64_t t0)
{
	uint64_t t1 = blocking ? col_now() : t0;
	ocl_count(op, bytes, r != CL_SUCCESS, t0, t1);
	if (r == CL_SUCCESS)
		ocl_accel_add(kind, bytes);
	ocl_cmd_end(c, r, kind, bytes);
	if (blocking)
		ocl_harvest();
	return r;
}

/*
 * The common head of an enqueue wrapper: `r` = the real call with the
 * event to use (ours when the program passed none and the queue is timed).
 * Not counting: the plain call, returned at once.
 */
#define OCL_ENQ(name, q, evp, ...) \
	struct ocl_cmd c; \
	int on_ = col_on(); \
	if (on_) \
		ocl_cmd_begin(&c, q, evp); \
	else \
		c.ev = evp; \
	uint64_t t0 = on_ ? col_now() : 0; \
	cl_int r = ocl_next.name(__VA_ARGS__, c.ev); \
	if (!on_) \
		return r

/* ---- transfers ---------------------------------------------------------- */

static cl_int CL_API_CALL w_clEnqueueReadBuffer(cl_command_queue q, cl_mem m, cl_bool blk, size_t off, size_t n,
                                                void *p, cl_uint nw, const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueReadBuffer, q, ev, q, m, blk, off, n, p, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_READ_BUFFER, VIGIL_XFER_D2H, n, blk, t0);
}

static cl_int CL_API_CALL w_clEnqueueWriteBuffer(cl_command_queue q, cl_mem m, cl_bool blk, size_t off, size_t n,
                                                 const void *p, cl_uint nw, const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueWriteBuffer, q, ev, q, m, blk, off, n, p, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_WRITE_BUFFER, VIGIL_XFER_H2D, n, blk, t0);
}

static cl_int CL_API_CALL w_clEnqueueReadBufferRect(cl_command_queue q, cl_mem m, cl_bool blk, const size_t *bo,
                                                    const size_t *ho, const size_t *rg, size_t brp, size_t bsp,
                                                    size_t hrp, size_t hsp, void *p, cl_uint nw,
                                                    const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueReadBufferRect, q, ev, q, m, blk, bo, ho, rg, brp, bsp, hrp, hsp, p, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_READ_BUFFER_RECT, VIGIL_XFER_D2H, ocl_region(rg), blk, t0);
}

static cl_int CL_API_CALL w_clEnqueueWriteBufferRect(cl_command_queue q, cl_mem m, cl_bool blk, const size_t *bo,
                                                     const size_t *ho, const size_t *rg, size_t brp, size_t bsp,
                                                     size_t hrp, size_t hsp, const void *p, cl_uint nw,
                                                     const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueWriteBufferRect, q, ev, q, m, blk, bo, ho, rg, brp, bsp, hrp, hsp, p, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_WRITE_BUFFER_RECT, VIGIL_XFER_H2D, ocl_region(rg), blk, t0);
}

static cl_int CL_API_CALL w_clEnqueueReadImage(cl_command_queue q, cl_mem img, cl_bool blk, const size_t *org,
                                               const size_t *rg, size_t rp, size_t sp, void *p, cl_uint nw,
                                               const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueReadImage, q, ev, q, img, blk, org, rg, rp, sp, p, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_READ_IMAGE, VIGIL_XFER_D2H, ocl_region(rg) * ocl_image_elem(img), blk, t0);
}

static cl_int CL_API_CALL w_clEnqueueWriteImage(cl_command_queue q, cl_mem img, cl_bool blk, const size_t *org,
                                                const size_t *rg, size_t rp, size_t sp, const void *p, cl_uint nw,
                                                const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueWriteImage, q, ev, q, img, blk, org, rg, rp, sp, p, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_WRITE_IMAGE, VIGIL_XFER_H2D, ocl_region(rg) * ocl_image_elem(img), blk, t0);
}

static cl_int CL_API_CALL w_clEnqueueCopyBuffer(cl_command_queue q, cl_mem s, cl_mem d, size_t so, size_t dof,
                                                size_t n, cl_uint nw, const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueCopyBuffer, q, ev, q, s, d, so, dof, n, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_COPY_BUFFER, VIGIL_XFER_D2D, n, 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueCopyBufferRect(cl_command_queue q, cl_mem s, cl_mem d, const size_t *so,
                                                    const size_t *dof, const size_t *rg, size_t srp, size_t ssp,
                                                    size_t drp, size_t dsp, cl_uint nw, const cl_event *wl,
                                                    cl_event *ev)
{
	OCL_ENQ(clEnqueueCopyBufferRect, q, ev, q, s, d, so, dof, rg, srp, ssp, drp, dsp, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_COPY_BUFFER_RECT, VIGIL_XFER_D2D, ocl_region(rg), 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueCopyImage(cl_command_queue q, cl_mem s, cl_mem d, const size_t *so,
                                               const size_t *dof, const size_t *rg, cl_uint nw,
                                               const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueCopyImage, q, ev, q, s, d, so, dof, rg, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_COPY_IMAGE, VIGIL_XFER_D2D, ocl_region(rg) * ocl_image_elem(s), 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueCopyImageToBuffer(cl_command_queue q, cl_mem s, cl_mem d, const size_t *so,
                                                       const size_t *rg, size_t dof, cl_uint nw,
                                                       const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueCopyImageToBuffer, q, ev, q, s, d, so, rg, dof, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_COPY_IMAGE_TO_BUFFER, VIGIL_XFER_D2D,
	                ocl_region(rg) * ocl_image_elem(s), 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueCopyBufferToImage(cl_command_queue q, cl_mem s, cl_mem d, size_t so,
                                                       const size_t *dof, const size_t *rg, cl_uint nw,
                                                       const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueCopyBufferToImage, q, ev, q, s, d, so, dof, rg, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_COPY_BUFFER_TO_IMAGE, VIGIL_XFER_D2D,
	                ocl_region(rg) * ocl_image_elem(d), 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueFillBuffer(cl_command_queue q, cl_mem m, const void *pat, size_t ps,
                                                size_t off, size_t n, cl_uint nw, const cl_event *wl,
                                                cl_event *ev)
{
	OCL_ENQ(clEnqueueFillBuffer, q, ev, q, m, pat, ps, off, n, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_FILL_BUFFER, VIGIL_XFER_FILL, n, 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueFillImage(cl_command_queue q, cl_mem img, const void *color,
                                               const size_t *org, const size_t *rg, cl_uint nw,
                                               const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueFillImage, q, ev, q, img, color, org, rg, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_FILL_IMAGE, VIGIL_XFER_FILL, ocl_region(rg) * ocl_image_elem(img), 0, t0);
}

/* Map calls return the pointer and report errors through errcode_ret. */
#define OCL_MAP(name, q, evp, errp, ...) \
	struct ocl_cmd c; \
	int on_ = col_on(); \
	if (!on_) \
		return ocl_next.name(__VA_ARGS__, evp, errp); \
	ocl_cmd_begin(&c, q, evp); \
	cl_int e_ = CL_SUCCESS; \
	uint64_t t0 = col_now(); \
	void *p = ocl_next.name(__VA_ARGS__, c.ev, &e_); \
	if (errp) \
		*errp = e_

static void *CL_API_CALL w_clEnqueueMapBuffer(cl_command_queue q, cl_mem m, cl_bool blk, cl_map_flags fl,
                                              size_t off, size_t n, cl_uint nw, const cl_event *wl,
                                              cl_event *ev, cl_int *err)
{
	OCL_MAP(clEnqueueMapBuffer, q, ev, err, q, m, blk, fl, off, n, nw, wl);
	if (p && e_ == CL_SUCCESS)
		ocl_map_put(p, n);
	ocl_done(&c, p ? e_ : (e_ ? e_ : CL_INVALID_VALUE), VIGIL_OP_CL_MAP_BUFFER, VIGIL_XFER_MAP, n, blk, t0);
	return p;
}

static void *CL_API_CALL w_clEnqueueMapImage(cl_command_queue q, cl_mem img, cl_bool blk, cl_map_flags fl,
                                             const size_t *org, const size_t *rg, size_t *rp, size_t *sp,
                                             cl_uint nw, const cl_event *wl, cl_event *ev, cl_int *err)
{
	OCL_MAP(clEnqueueMapImage, q, ev, err, q, img, blk, fl, org, rg, rp, sp, nw, wl);
	uint64_t n = ocl_region(rg) * ocl_image_elem(img);
	if (p && e_ == CL_SUCCESS)
		ocl_map_put(p, n);
	ocl_done(&c, p ? e_ : (e_ ? e_ : CL_INVALID_VALUE), VIGIL_OP_CL_MAP_IMAGE, VIGIL_XFER_MAP, n, blk, t0);
	return p;
}

static cl_int CL_API_CALL w_clEnqueueUnmapMemObject(cl_command_queue q, cl_mem m, void *ptr, cl_uint nw,
                                                    const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueUnmapMemObject, q, ev, q, m, ptr, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_UNMAP, VIGIL_XFER_MAP, r == CL_SUCCESS ? ocl_map_take(ptr) : 0, 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueMigrateMemObjects(cl_command_queue q, cl_uint n, const cl_mem *mems,
                                                       cl_mem_migration_flags fl, cl_uint nw,
                                                       const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueMigrateMemObjects, q, ev, q, n, mems, fl, nw, wl);
	uint64_t bytes = 0;
	for (cl_uint i = 0; mems && i < n && !(fl & CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED); i++) {
		size_t sz = 0;
		if (ocl_next.clGetMemObjectInfo(mems[i], CL_MEM_SIZE, sizeof(sz), &sz, NULL) == CL_SUCCESS)
			bytes += sz;
	}
	int kind = fl & CL_MIGRATE_MEM_OBJECT_CONTENT_UNDEFINED ? VIGIL_XFER_OTHER
	         : fl & CL_MIGRATE_MEM_OBJECT_HOST ? VIGIL_XFER_D2H : VIGIL_XFER_H2D;
	return ocl_done(&c, r, VIGIL_OP_CL_MIGRATE, kind, bytes, 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueSVMMemcpy(cl_command_queue q, cl_bool blk, void *dst, const void *src,
                                               size_t n, cl_uint nw, const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueSVMMemcpy, q, ev, q, blk, dst, src, n, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_SVM_MEMCPY, ocl_svm_direction(dst, src), n, blk, t0);
}

/* Not counted: what they allocate gives SVM copies their direction. */
static void *CL_API_CALL w_clSVMAlloc(cl_context ctx, cl_svm_mem_flags fl, size_t n, cl_uint align)
{
	void *p = ocl_next.clSVMAlloc(ctx, fl, n, align);
	ocl_svm_alloc(p, n);
	return p;
}

static void CL_API_CALL w_clSVMFree(cl_context ctx, void *p)
{
	ocl_svm_free(p);
	ocl_next.clSVMFree(ctx, p);
}

/* The pointers leave the table when their free is enqueued: later copies cannot reach them. */
static cl_int CL_API_CALL w_clEnqueueSVMFree(cl_command_queue q, cl_uint n, void *ptrs[],
                                             void(CL_CALLBACK *fn)(cl_command_queue, cl_uint, void *[], void *),
                                             void *ud, cl_uint nw, const cl_event *wl, cl_event *ev)
{
	for (cl_uint i = 0; ptrs && i < n; i++)
		ocl_svm_free(ptrs[i]);
	return ocl_next.clEnqueueSVMFree(q, n, ptrs, fn, ud, nw, wl, ev);
}

static cl_int CL_API_CALL w_clEnqueueSVMMemFill(cl_command_queue q, void *ptr, const void *pat, size_t ps,
                                                size_t n, cl_uint nw, const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueSVMMemFill, q, ev, q, ptr, pat, ps, n, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_SVM_MEMFILL, VIGIL_XFER_FILL, n, 0, t0);
}

static cl_int CL_API_CALL w_clEnqueueSVMMap(cl_command_queue q, cl_bool blk, cl_map_flags fl, void *ptr,
                                            size_t n, cl_uint nw, const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueSVMMap, q, ev, q, blk, fl, ptr, n, nw, wl);
	if (r == CL_SUCCESS)
		ocl_map_put(ptr, n);
	return ocl_done(&c, r, VIGIL_OP_CL_SVM_MAP, VIGIL_XFER_MAP, n, blk, t0);
}

static cl_int CL_API_CALL w_clEnqueueSVMUnmap(cl_command_queue q, void *ptr, cl_uint nw, const cl_event *wl,
                                              cl_event *ev)
{
	OCL_ENQ(clEnqueueSVMUnmap, q, ev, q, ptr, nw, wl);
	return ocl_done(&c, r, VIGIL_OP_CL_SVM_UNMAP, VIGIL_XFER_MAP, r == CL_SUCCESS ? ocl_map_take(ptr) : 0, 0, t0);
}

/* ---- kernels ------------------------------------------------------------ */

static cl_int CL_API_CALL w_clEnqueueNDRangeKernel(cl_command_queue q, cl_kernel k, cl_uint dim, const size_t *go,
                                                   const size_t *gs, const size_t *ls, cl_uint nw,
                                                   const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueNDRangeKernel, q, ev, q, k, dim, go, gs, ls, nw, wl);
	uint64_t wi = gs && dim ? 1 : 0;
	for (cl_uint i = 0; gs && i < dim && i < 3; i++)
		wi *= gs[i];
	c.kernel = ocl_kernel_record(k);
	ocl_kernel_launch(c.kernel, wi, r != CL_SUCCESS);
	ocl_count(VIGIL_OP_CL_NDRANGE_KERNEL, 0, r != CL_SUCCESS, t0, t0);
	if (r == CL_SUCCESS)
		ocl_accel_add(VIGIL_XFER_KERNEL, wi);
	ocl_cmd_end(&c, r, VIGIL_XFER_KERNEL, wi);
	return r;
}

static cl_int CL_API_CALL w_clEnqueueTask(cl_command_queue q, cl_kernel k, cl_uint nw, const cl_event *wl,
                                          cl_event *ev)
{
	OCL_ENQ(clEnqueueTask, q, ev, q, k, nw, wl);
	c.kernel = ocl_kernel_record(k);
	ocl_kernel_launch(c.kernel, 1, r != CL_SUCCESS);
	ocl_count(VIGIL_OP_CL_TASK, 0, r != CL_SUCCESS, t0, t0);
	if (r == CL_SUCCESS)
		ocl_accel_add(VIGIL_XFER_KERNEL, 1);
	ocl_cmd_end(&c, r, VIGIL_XFER_KERNEL, 1);
	return r;
}

static cl_int CL_API_CALL w_clEnqueueNativeKernel(cl_command_queue q, void(CL_CALLBACK *fn)(void *), void *args,
                                                  size_t cb, cl_uint nm, const cl_mem *mems, const void **locs,
                                                  cl_uint nw, const cl_event *wl, cl_event *ev)
{
	OCL_ENQ(clEnqueueNativeKernel, q, ev, q, fn, args, cb, nm, mems, locs, nw, wl);
	ocl_count(VIGIL_OP_CL_NATIVE_KERNEL, 0, r != CL_SUCCESS, t0, t0);
	if (r == CL_SUCCESS)
		ocl_accel_add(VIGIL_XFER_KERNEL, 1);
	ocl_cmd_end(&c, r, VIGIL_XFER_KERNEL, 1);
	return r;
}

static cl_kernel CL_API_CALL w_clCreateKernel(cl_program prog, const char *name, cl_int *err)
{
	cl_kernel k = ocl_next.clCreateKernel(prog, name, err);
	if (col_on()) {
		ocl_count(VIGIL_OP_CL_CREATE_KERNEL, 0, k == NULL, 0, 0);
		if (k && name)
			ocl_kernel_named(k, name);
	}
	return k;
}

static void ocl_kernel_name_of(cl_kernel k)
{
	char name[VIGIL_KERNEL_NAME];
	size_t len = 0;
	/* a longer name does not fit: it is asked in full once, then cut */
	if (ocl_next.clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, 0, NULL, &len) != CL_SUCCESS || len == 0)
		return;
	if (len <= sizeof(name)) {
		if (ocl_next.clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, sizeof(name), name, NULL) == CL_SUCCESS)
			ocl_kernel_named(k, name);
		return;
	}
	char *big = malloc(len);
	if (big && ocl_next.clGetKernelInfo(k, CL_KERNEL_FUNCTION_NAME, len, big, NULL) == CL_SUCCESS) {
		big[len - 1] = 0;
		ocl_kernel_named(k, big);
	}
	free(big);
}

static cl_int CL_API_CALL w_clCreateKernelsInProgram(cl_program prog, cl_uint n, cl_kernel *ks, cl_uint *nret)
{
	cl_uint got = 0;
	cl_int r = ocl_next.clCreateKernelsInProgram(prog, n, ks, &got);
	if (nret)
		*nret = got;
	if (col_on()) {
		ocl_count(VIGIL_OP_CL_CREATE_KERNEL, 0, r != CL_SUCCESS, 0, 0);
		for (cl_uint i = 0; r == CL_SUCCESS && ks && i < got && i < n; i++)
			ocl_kernel_name_of(ks[i]);
	}
	return r;
}

static cl_kernel CL_API_CALL w_clCloneKernel(cl_kernel src, cl_int *err)
{
	cl_kernel k = ocl_next.clCloneKernel(src, err);
	if (col_on()) {
		ocl_count(VIGIL_OP_CL_CREATE_KERNEL, 0, k == NULL, 0, 0);
		if (k)
			ocl_kernel_clone(src, k);
	}
	return k;
}

static cl_int CL_API_CALL w_clSetKernelArg(cl_kernel k, cl_uint i, size_t sz, const void *v)
{
	cl_int r = ocl_next.clSetKernelArg(k, i, sz, v);
	if (col_on())
		ocl_count(VIGIL_OP_CL_SET_KERNEL_ARG, 0, r != CL_SUCCESS, 0, 0);
	return r;
}

static cl_int CL_API_CALL w_clSetKernelArgSVMPointer(cl_kernel k, cl_uint i, const void *v)
{
	cl_int r = ocl_next.clSetKernelArgSVMPointer(k, i, v);
	if (col_on())
		ocl_count(VIGIL_OP_CL_SET_KERNEL_ARG, 0, r != CL_SUCCESS, 0, 0);
	return r;
}

/* ---- waits, flushes, markers --------------------------------------------- */

static cl_int CL_API_CALL w_clFinish(cl_command_queue q)
{
	if (!col_on())
		return ocl_next.clFinish(q);
	uint64_t t0 = col_now();
	cl_int r = ocl_next.clFinish(q);
	uint64_t t1 = col_now();
	ocl_count(VIGIL_OP_CL_FINISH, 0, r != CL_SUCCESS, t0, t1);
	ocl_harvest();
	return r;
}

static cl_int CL_API_CALL w_clWaitForEvents(cl_uint n, const cl_event *list)
{
	if (!col_on())
		return ocl_next.clWaitForEvents(n, list);
	uint64_t t0 = col_now();
	cl_int r = ocl_next.clWaitForEvents(n, list);
	uint64_t t1 = col_now();
	ocl_count(VIGIL_OP_CL_WAIT_FOR_EVENTS, 0, r != CL_SUCCESS, t0, t1);
	ocl_harvest();
	return r;
}

static cl_int CL_API_CALL w_clFlush(cl_command_queue q)
{
	cl_int r = ocl_next.clFlush(q);
	if (col_on())
		ocl_count(VIGIL_OP_CL_FLUSH, 0, r != CL_SUCCESS, 0, 0);
	return r;
}

#define OCL_COUNT_ONLY(op, kind, call) \
	cl_int r = call; \
	if (col_on()) { \
		ocl_count(op, 0, r != CL_SUCCESS, 0, 0); \
		if (r == CL_SUCCESS) \
			ocl_accel_add(kind, 0); \
	} \
	return r

static cl_int CL_API_CALL w_clEnqueueMarkerWithWaitList(cl_command_queue q, cl_uint nw, const cl_event *wl,
                                                        cl_event *ev)
{
	OCL_COUNT_ONLY(VIGIL_OP_CL_MARKER_BARRIER, VIGIL_XFER_OTHER, ocl_next.clEnqueueMarkerWithWaitList(q, nw, wl, ev));
}

static cl_int CL_API_CALL w_clEnqueueBarrierWithWaitList(cl_command_queue q, cl_uint nw, const cl_event *wl,
                                                         cl_event *ev)
{
	OCL_COUNT_ONLY(VIGIL_OP_CL_MARKER_BARRIER, VIGIL_XFER_OTHER, ocl_next.clEnqueueBarrierWithWaitList(q, nw, wl, ev));
}

static cl_int CL_API_CALL w_clEnqueueMarker(cl_command_queue q, cl_event *ev)
{
	OCL_COUNT_ONLY(VIGIL_OP_CL_MARKER_BARRIER, VIGIL_XFER_OTHER, ocl_next.clEnqueueMarker(q, ev));
}

static cl_int CL_API_CALL w_clEnqueueBarrier(cl_command_queue q)
{
	OCL_COUNT_ONLY(VIGIL_OP_CL_MARKER_BARRIER, VIGIL_XFER_OTHER, ocl_next.clEnqueueBarrier(q));
}

static cl_int CL_API_CALL w_clEnqueueWaitForEvents(cl_command_queue q, cl_uint n, const cl_event *list)
{
	OCL_COUNT_ONLY(VIGIL_OP_CL_MARKER_BARRIER, VIGIL_XFER_OTHER, ocl_next.clEnqueueWaitForEvents(q, n, list));
}

/* ---- programs: builds are timed ------------------------------------------ */

static cl_int CL_API_CALL w_clBuildProgram(cl_program p, cl_uint nd, const cl_device_id *devs, const char *opt,
                                           void(CL_CALLBACK *fn)(cl_program, void *), void *ud)
{
	if (!col_on())
		return ocl_next.clBuildProgram(p, nd, devs, opt, fn, ud);
	uint64_t t0 = col_now();
	cl_int r = ocl_next.clBuildProgram(p, nd, devs, opt, fn, ud);
	ocl_count(VIGIL_OP_CL_BUILD_PROGRAM, 0, r != CL_SUCCESS, t0, col_now());
	return r;
}

static cl_int CL_API_CALL w_clCompileProgram(cl_program p, cl_uint nd, const cl_device_id *devs, const char *opt,
                                             cl_uint nh, const cl_program *hdrs, const char **names,
                                             void(CL_CALLBACK *fn)(cl_program, void *), void *ud)
{
	if (!col_on())
		return ocl_next.clCompileProgram(p, nd, devs, opt, nh, hdrs, names, fn, ud);
	uint64_t t0 = col_now();
	cl_int r = ocl_next.clCompileProgram(p, nd, devs, opt, nh, hdrs, names, fn, ud);
	ocl_count(VIGIL_OP_CL_COMPILE_PROGRAM, 0, r != CL_SUCCESS, t0, col_now());
	return r;
}

static cl_program CL_API_CALL w_clLinkProgram(cl_context ctx, cl_uint nd, const cl_device_id *devs, const char *opt,
                                              cl_uint np, const cl_program *progs,
                                              void(CL_CALLBACK *fn)(cl_program, void *), void *ud, cl_int *err)
{
	if (!col_on())
		return ocl_next.clLinkProgram(ctx, nd, devs, opt, np, progs, fn, ud, err);
	uint64_t t0 = col_now();
	cl_program r = ocl_next.clLinkProgram(ctx, nd, devs, opt, np, progs, fn, ud, err);
	ocl_count(VIGIL_OP_CL_LINK_PROGRAM, 0, r == NULL, t0, col_now());
	return r;
}

#define OCL_CREATE_PROGRAM(call) \
	cl_program r = call; \
	if (col_on()) \
		ocl_count(VIGIL_OP_CL_CREATE_PROGRAM, 0, r == NULL, 0, 0); \
	return r

static cl_program CL_API_CALL w_clCreateProgramWithSource(cl_context ctx, cl_uint n, const char **s,
                                                          const size_t *l, cl_int *err)
{
	OCL_CREATE_PROGRAM(ocl_next.clCreateProgramWithSource(ctx, n, s, l, err));
}

static cl_program CL_API_CALL w_clCreateProgramWithBinary(cl_context ctx, cl_uint n, const cl_device_id *d,
                                                          const size_t *l, const unsigned char **b,
                                                          cl_int *st, cl_int *err)
{
	OCL_CREATE_PROGRAM(ocl_next.clCreateProgramWithBinary(ctx, n, d, l, b, st, err));
}

static cl_program CL_API_CALL w_clCreateProgramWithIL(cl_context ctx, const void *il, size_t l, cl_int *err)
{
	OCL_CREATE_PROGRAM(ocl_next.clCreateProgramWithIL(ctx, il, l, err));
}

/* ---- memory objects: the implicit copy of CL_MEM_COPY_HOST_PTR ------------ */

static cl_mem ocl_buffer_done(cl_mem m, cl_mem_flags fl, size_t n)
{
	if (!col_on())
		return m;
	uint64_t copied = m && (fl & CL_MEM_COPY_HOST_PTR) ? n : 0;
	ocl_count(VIGIL_OP_CL_CREATE_BUFFER, copied, m == NULL, 0, 0);
	if (copied)
		ocl_accel_add(VIGIL_XFER_H2D, copied);
	return m;
}

static cl_mem CL_API_CALL w_clCreateBuffer(cl_context ctx, cl_mem_flags fl, size_t n, void *host, cl_int *err)
{
	return ocl_buffer_done(ocl_next.clCreateBuffer(ctx, fl, n, host, err), fl, n);
}

static cl_mem CL_API_CALL w_clCreateBufferWithProperties(cl_context ctx, const cl_mem_properties *pr,
                                                         cl_mem_flags fl, size_t n, void *host, cl_int *err)
{
	return ocl_buffer_done(ocl_next.clCreateBufferWithProperties(ctx, pr, fl, n, host, err), fl, n);
}

static cl_mem CL_API_CALL w_clCreateSubBuffer(cl_mem b, cl_mem_flags fl, cl_buffer_create_type t, const void *info,
                                              cl_int *err)
{
	return ocl_buffer_done(ocl_next.clCreateSubBuffer(b, fl, t, info, err), 0, 0);
}

/* Pixels of an image as described at creation (1D arrays: w x n, 2D arrays: w x h x n). */
static uint64_t ocl_image_pixels(const cl_image_desc *d)
{
	if (!d)
		return 0;
	switch (d->image_type) {
	case CL_MEM_OBJECT_IMAGE1D_ARRAY: return (uint64_t)d->image_width * d->image_array_size;
	case CL_MEM_OBJECT_IMAGE2D: return (uint64_t)d->image_width * d->image_height;
	case CL_MEM_OBJECT_IMAGE2D_ARRAY: return (uint64_t)d->image_width * d->image_height * d->image_array_size;
	case CL_MEM_OBJECT_IMAGE3D: return (uint64_t)d->image_width * d->image_height * d->image_depth;
	default: return d->image_width;
	}
}

static cl_mem ocl_image_done(cl_mem m, cl_mem_flags fl, uint64_t pixels)
{
	if (!col_on())
		return m;
	size_t es = 0;
	if (m && ocl_next.clGetImageInfo(m, CL_IMAGE_ELEMENT_SIZE, sizeof(es), &es, NULL) == CL_SUCCESS)
		ocl_image_created(m, es);
	uint64_t copied = m && (fl & CL_MEM_COPY_HOST_PTR) ? pixels * es : 0;
	ocl_count(VIGIL_OP_CL_CREATE_IMAGE, copied, m == NULL, 0, 0);
	if (copied)
		ocl_accel_add(VIGIL_XFER_H2D, copied);
	return m;
}

static cl_mem CL_API_CALL w_clCreateImage(cl_context ctx, cl_mem_flags fl, const cl_image_format *f,
                                          const cl_image_desc *d, void *host, cl_int *err)
{
	return ocl_image_done(ocl_next.clCreateImage(ctx, fl, f, d, host, err), fl, ocl_image_pixels(d));
}

static cl_mem CL_API_CALL w_clCreateImageWithProperties(cl_context ctx, const cl_mem_properties *pr,
                                                        cl_mem_flags fl, const cl_image_format *f,
                                                        const cl_image_desc *d, void *host, cl_int *err)
{
	return ocl_image_done(ocl_next.clCreateImageWithProperties(ctx, pr, fl, f, d, host, err), fl,
	                      ocl_image_pixels(d));
}

static cl_mem CL_API_CALL w_clCreateImage2D(cl_context ctx, cl_mem_flags fl, const cl_image_format *f, size_t w,
                                            size_t h, size_t rp, void *host, cl_int *err)
{
	return ocl_image_done(ocl_next.clCreateImage2D(ctx, fl, f, w, h, rp, host, err), fl, (uint64_t)w * h);
}

static cl_mem CL_API_CALL w_clCreateImage3D(cl_context ctx, cl_mem_flags fl, const cl_image_format *f, size_t w,
                                            size_t h, size_t dp, size_t rp, size_t sp, void *host, cl_int *err)
{
	return ocl_image_done(ocl_next.clCreateImage3D(ctx, fl, f, w, h, dp, rp, sp, host, err), fl,
	                      (uint64_t)w * h * dp);
}

static cl_int CL_API_CALL w_clReleaseMemObject(cl_mem m)
{
	cl_int r = ocl_next.clReleaseMemObject(m);
	if (col_on())
		ocl_count(VIGIL_OP_CL_RELEASE_MEM, 0, r != CL_SUCCESS, 0, 0);
	return r;
}

/* ---- queues: profiling forced on, the program's own view kept -------------- */

static int ocl_force(void)
{
	return ocl_profiling && col_on();
}

static cl_command_queue CL_API_CALL w_clCreateCommandQueue(cl_context ctx, cl_device_id dev,
                                                           cl_command_queue_properties props, cl_int *err)
{
	uint32_t flags = props & PROF ? OCL_Q_PROFILED : 0;
	int on = col_on();
	if (!flags && ocl_force())
		flags = OCL_Q_FORCED | OCL_Q_PROFILED;
	cl_int e = CL_SUCCESS;
	cl_command_queue q = ocl_next.clCreateCommandQueue(ctx, dev, flags & OCL_Q_FORCED ? props | PROF : props, &e);
	if (!q && (flags & OCL_Q_FORCED)) { /* a device that cannot profile: the program's own request */
		flags = 0;
		q = ocl_next.clCreateCommandQueue(ctx, dev, props, &e);
	}
	if (err)
		*err = e;
	if (on) {
		ocl_count(VIGIL_OP_CL_CREATE_QUEUE, 0, q == NULL, 0, 0);
		if (q)
			ocl_queue_created(q, props, flags);
	}
	return q;
}

#define OCL_MAX_PROPS 64

static cl_command_queue CL_API_CALL w_clCreateCommandQueueWithProperties(cl_context ctx, cl_device_id dev,
                                                                         const cl_queue_properties *props,
                                                                         cl_int *err)
{
	int on = col_on();
	cl_queue_properties mine[OCL_MAX_PROPS + 3];
	cl_command_queue_properties asked = 0;
	size_t n = 0, at = (size_t)-1;
	for (; props && props[n] && n < OCL_MAX_PROPS; n += 2) {
		if (props[n] == CL_QUEUE_PROPERTIES) {
			asked = (cl_command_queue_properties)props[n + 1];
			at = n;
		}
	}
	uint32_t flags = asked & PROF ? OCL_Q_PROFILED : 0;
	const cl_queue_properties *use = props;
	if (!flags && ocl_force() && !(props && props[n])) {
		if (n)
			memcpy(mine, props, n * sizeof(*mine));
		if (at == (size_t)-1) {
			mine[n] = CL_QUEUE_PROPERTIES;
			mine[n + 1] = PROF;
			n += 2;
			flags = OCL_Q_APPENDED;
		} else {
			mine[at + 1] |= PROF;
		}
		mine[n] = 0;
		use = mine;
		flags |= OCL_Q_FORCED | OCL_Q_PROFILED;
	}
	cl_int e = CL_SUCCESS;
	cl_command_queue q = ocl_next.clCreateCommandQueueWithProperties(ctx, dev, use, &e);
	if (!q && (flags & OCL_Q_FORCED)) {
		flags = 0;
		q = ocl_next.clCreateCommandQueueWithProperties(ctx, dev, props, &e);
	}
	if (err)
		*err = e;
	if (on) {
		ocl_count(VIGIL_OP_CL_CREATE_QUEUE, 0, q == NULL, 0, 0);
		if (q)
			ocl_queue_created(q, asked, flags);
	}
	return q;
}

/* What the program asked for, never what we added. */
static cl_int CL_API_CALL w_clGetCommandQueueInfo(cl_command_queue q, cl_command_queue_info name, size_t size,
                                                  void *value, size_t *size_ret)
{
	struct ocl_queue_info qi;
	if ((name != CL_QUEUE_PROPERTIES && name != CL_QUEUE_PROPERTIES_ARRAY) || !ocl_queue_lookup(q, &qi) ||
	    !(qi.flags & OCL_Q_FORCED))
		return ocl_next.clGetCommandQueueInfo(q, name, size, value, size_ret);
	if (name == CL_QUEUE_PROPERTIES) {
		cl_int r = ocl_next.clGetCommandQueueInfo(q, name, size, value, size_ret);
		if (r == CL_SUCCESS && value && size >= sizeof(cl_command_queue_properties))
			*(cl_command_queue_properties *)value &= ~(cl_command_queue_properties)PROF;
		return r;
	}
	/* the properties array: ours has the pair we appended, or the bit we set */
	cl_queue_properties arr[OCL_MAX_PROPS + 3];
	size_t got = 0;
	cl_int r = ocl_next.clGetCommandQueueInfo(q, name, sizeof(arr), arr, &got);
	if (r != CL_SUCCESS)
		return ocl_next.clGetCommandQueueInfo(q, name, size, value, size_ret);
	size_t n = got / sizeof(arr[0]);
	for (size_t i = 0; i + 1 < n && arr[i]; i += 2) {
		if (arr[i] != CL_QUEUE_PROPERTIES)
			continue;
		if (qi.flags & OCL_Q_APPENDED) {
			memmove(&arr[i], &arr[i + 2], (n - i - 2) * sizeof(arr[0]));
			n -= 2;
		} else {
			arr[i + 1] &= ~(cl_queue_properties)PROF;
		}
		break;
	}
	size_t bytes = n * sizeof(arr[0]);
	if (value) {
		if (size < bytes)
			return CL_INVALID_VALUE;
		memcpy(value, arr, bytes);
	}
	if (size_ret)
		*size_ret = bytes;
	return CL_SUCCESS;
}

/* The program's own query behaves as without vigil: no profiling info where it asked for none. */
static cl_int CL_API_CALL w_clGetEventProfilingInfo(cl_event ev, cl_profiling_info name, size_t size, void *value,
                                                    size_t *size_ret)
{
	cl_command_queue q = NULL;
	struct ocl_queue_info qi;
	if (ev && ocl_next.clGetEventInfo(ev, CL_EVENT_COMMAND_QUEUE, sizeof(q), &q, NULL) == CL_SUCCESS && q &&
	    ocl_queue_lookup(q, &qi) && (qi.flags & OCL_Q_FORCED))
		return CL_PROFILING_INFO_NOT_AVAILABLE;
	return ocl_next.clGetEventProfilingInfo(ev, name, size, value, size_ret);
}

static cl_int CL_API_CALL w_clReleaseCommandQueue(cl_command_queue q)
{
	cl_uint refs = 0;
	ocl_harvest();
	if (ocl_next.clGetCommandQueueInfo(q, CL_QUEUE_REFERENCE_COUNT, sizeof(refs), &refs, NULL) != CL_SUCCESS)
		refs = 0;
	cl_int r = ocl_next.clReleaseCommandQueue(q);
	if (r == CL_SUCCESS && refs == 1)
		ocl_queue_released(q);
	return r;
}

static cl_int CL_API_CALL w_clReleaseContext(cl_context ctx)
{
	ocl_harvest();
	return ocl_next.clReleaseContext(ctx);
}

/* ---- the table ------------------------------------------------------------ */

void ocl_wrap_table(cl_icd_dispatch *d)
{
#define W(name) \
	if (d->name) \
		d->name = w_##name
	W(clEnqueueReadBuffer); W(clEnqueueWriteBuffer); W(clEnqueueReadBufferRect); W(clEnqueueWriteBufferRect);
	W(clEnqueueReadImage); W(clEnqueueWriteImage); W(clEnqueueCopyBuffer); W(clEnqueueCopyBufferRect);
	W(clEnqueueCopyImage); W(clEnqueueCopyImageToBuffer); W(clEnqueueCopyBufferToImage);
	W(clEnqueueFillBuffer); W(clEnqueueFillImage); W(clEnqueueMapBuffer); W(clEnqueueMapImage);
	W(clEnqueueUnmapMemObject); W(clEnqueueMigrateMemObjects); W(clEnqueueSVMMemcpy);
	W(clEnqueueSVMMemFill); W(clEnqueueSVMMap); W(clEnqueueSVMUnmap); W(clSVMAlloc); W(clSVMFree);
	W(clEnqueueSVMFree);
	W(clEnqueueNDRangeKernel); W(clEnqueueTask); W(clEnqueueNativeKernel);
	W(clCreateKernel); W(clCreateKernelsInProgram); W(clCloneKernel);
	W(clSetKernelArg); W(clSetKernelArgSVMPointer);
	W(clFinish); W(clWaitForEvents); W(clFlush);
	W(clEnqueueMarkerWithWaitList); W(clEnqueueBarrierWithWaitList); W(clEnqueueMarker);
	W(clEnqueueBarrier); W(clEnqueueWaitForEvents);
	W(clBuildProgram); W(clCompileProgram); W(clLinkProgram);
	W(clCreateProgramWithSource); W(clCreateProgramWithBinary); W(clCreateProgramWithIL);
	W(clCreateBuffer); W(clCreateBufferWithProperties); W(clCreateSubBuffer);
	W(clCreateImage); W(clCreateImageWithProperties); W(clCreateImage2D); W(clCreateImage3D);
	W(clReleaseMemObject);
	W(clCreateCommandQueue); W(clCreateCommandQueueWithProperties); W(clGetCommandQueueInfo);
	W(clGetEventProfilingInfo); W(clReleaseCommandQueue); W(clReleaseContext);
#undef W
}
