/*
 * bench_opencl.c - what the OpenCL layer adds (not a test).
 * usage: bench_opencl OP N      OP: enqueue (non-blocking 4-byte writes, clFinish every 256),
 *                                   setarg (clSetKernelArg: a counting-only call),
 *                                   kernel (empty 1-work-item kernel launches, clFinish every 256)
 * Prints the loop's wall time per call in ns (the kernel-launch ratio comes from it).
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	const char *op = argv[1];
	long n = atol(argv[2]);
	cl_platform_id pl;
	cl_device_id dev;
	cl_int e;
	if (clGetPlatformIDs(1, &pl, NULL) || clGetDeviceIDs(pl, CL_DEVICE_TYPE_ALL, 1, &dev, NULL))
		return 3;
	cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &e);
	cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &e);
	const char *src = "__kernel void nop(__global int *a) { }";
	cl_program prog = clCreateProgramWithSource(ctx, 1, &src, NULL, &e);
	if (clBuildProgram(prog, 1, &dev, "", NULL, NULL))
		return 4;
	cl_kernel k = clCreateKernel(prog, "nop", &e);
	cl_mem b = clCreateBuffer(ctx, CL_MEM_READ_WRITE, 4096, NULL, &e);
	clSetKernelArg(k, 0, sizeof(b), &b);
	int v = 1;
	size_t one = 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		if (!strcmp(op, "enqueue"))
			clEnqueueWriteBuffer(q, b, CL_FALSE, 0, sizeof(v), &v, 0, NULL, NULL);
		else if (!strcmp(op, "setarg"))
			clSetKernelArg(k, 0, sizeof(b), &b);
		else
			clEnqueueNDRangeKernel(q, k, 1, NULL, &one, NULL, 0, NULL, NULL);
		if ((i & 255) == 255 && strcmp(op, "setarg"))
			clFinish(q);
	}
	clFinish(q);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)n);
	clReleaseMemObject(b);
	clReleaseKernel(k);
	clReleaseProgram(prog);
	clReleaseCommandQueue(q);
	clReleaseContext(ctx);
	return 0;
}
