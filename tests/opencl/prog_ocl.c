/*
 * prog_ocl.c - an OpenCL program with exactly known work, for the opencl tests.
 *
 * usage: prog_ocl [linked|dl] [plain|profile] [main|fork|threads|svm|transfers SECONDS]
 *   linked/dl  call OpenCL through the linked loader, or dlopen("libOpenCL.so.1") + dlsym
 *   profile    create the queues with CL_QUEUE_PROFILING_ENABLE and print the sum of
 *              END - START of its own kernel events ("own_kernel_ns N")
 *   plain      no profiling asked: prints what its own clGetEventProfilingInfo returned
 *   fork       fork before any OpenCL call; the child does the work
 *   threads    two threads, one queue each, each doing the work once
 *   svm        SVM copies in each direction: two clSVMAlloc'd buffers of 4096 bytes; host->SVM
 *              4096, SVM->host 1024 (at an offset), SVM->SVM 2048, host->host 512 (no SVM
 *              pointer: direction unknown, counted device->device), then clSVMFree
 *   transfers  transfer-bound for SECONDS: blocking 16 MiB writes and reads around one
 *              1024-item kernel, repeated (prints "transfers N" when done)
 * Prints its results (checksums): the output must not change under vigil.
 *
 * Work per run of `work()` (bytes as vigil must count them):
 *   clCreateBuffer COPY_HOST_PTR 4096 (host->device 4096), clCreateBuffer 8192
 *   clEnqueueWriteBuffer 8192 blocking          host->device 8192
 *   clEnqueueReadBuffer 1000 non-blocking       device->host 1000
 *   clEnqueueReadBufferRect {64,16,1}           device->host 1024
 *   clEnqueueWriteBufferRect {32,8,1}           host->device 256
 *   clEnqueueCopyBuffer 2048                    device->device 2048
 *   clEnqueueFillBuffer 4096                    fill 4096
 *   clEnqueueMapBuffer 512 + Unmap              map 512 + 512
 *   image RGBA/FLOAT 64x32 (16 B/pixel): WriteImage {64,32,1} 32768, ReadImage {16,8,1} 2048
 *   image RGBA/UNORM_INT8 32x16 (4 B/pixel) COPY_HOST_PTR (host->device 2048), ReadImage {32,16,1} 2048
 *   kernel "vadd" x3, global 1024; kernel "scale" x2, global {16,16}
 */
#define CL_TARGET_OPENCL_VERSION 200
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FNS(X) X(clGetPlatformIDs) X(clGetDeviceIDs) X(clCreateContext) X(clCreateCommandQueue) \
	X(clCreateBuffer) X(clCreateImage) X(clEnqueueWriteBuffer) X(clEnqueueReadBuffer) \
	X(clEnqueueReadBufferRect) X(clEnqueueWriteBufferRect) X(clEnqueueCopyBuffer) X(clEnqueueFillBuffer) \
	X(clEnqueueMapBuffer) X(clEnqueueUnmapMemObject) X(clEnqueueWriteImage) X(clEnqueueReadImage) \
	X(clCreateProgramWithSource) X(clBuildProgram) X(clCreateKernel) X(clSetKernelArg) \
	X(clEnqueueNDRangeKernel) X(clFinish) X(clGetEventProfilingInfo) X(clReleaseEvent) \
	X(clReleaseMemObject) X(clReleaseKernel) X(clReleaseProgram) X(clReleaseCommandQueue) \
	X(clReleaseContext) X(clGetCommandQueueInfo) X(clWaitForEvents) X(clSVMAlloc) X(clSVMFree) \
	X(clEnqueueSVMMemcpy)
#define DECL(f) static __typeof__(&f) p_##f;
FNS(DECL)

static int profile;
static cl_context ctx;
static cl_device_id dev;
static cl_program prog;

#define CHECK(x) do { cl_int e_ = (x); if (e_ != CL_SUCCESS) { fprintf(stderr, "%s: %d\n", #x, e_); exit(2); } } while (0)

static const char *src =
	"__kernel void vadd(__global float *a, __global const float *b) { size_t i = get_global_id(0); a[i] += b[i]; }\n"
	"__kernel void scale(__global float *a, float f) { a[get_global_id(1) * 16 + get_global_id(0)] *= f; }\n";

static void load(int dl)
{
	if (dl) {
		void *h = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
		if (!h) { fprintf(stderr, "dlopen: %s\n", dlerror()); exit(2); }
#define SYM(f) p_##f = (__typeof__(p_##f))dlsym(h, #f);
		FNS(SYM)
	} else {
#define LINK(f) p_##f = &f;
		FNS(LINK)
	}
}

static void setup(void)
{
	cl_platform_id pl;
	cl_int e;
	CHECK(p_clGetPlatformIDs(1, &pl, NULL));
	CHECK(p_clGetDeviceIDs(pl, CL_DEVICE_TYPE_ALL, 1, &dev, NULL));
	ctx = p_clCreateContext(NULL, 1, &dev, NULL, NULL, &e);
	CHECK(e);
	prog = p_clCreateProgramWithSource(ctx, 1, &src, NULL, &e);
	CHECK(e);
	CHECK(p_clBuildProgram(prog, 1, &dev, "", NULL, NULL));
}

/* One unit of work on its own queue; returns a checksum of what it read back. */
static double work(int id)
{
	cl_int e;
	cl_command_queue q = p_clCreateCommandQueue(ctx, dev, profile ? CL_QUEUE_PROFILING_ENABLE : 0, &e);
	CHECK(e);
	cl_command_queue_properties qp = 99;
	CHECK(p_clGetCommandQueueInfo(q, CL_QUEUE_PROPERTIES, sizeof(qp), &qp, NULL));
	printf("[%d] queue properties %lu\n", id, (unsigned long)qp);

	float host[2048];
	for (int i = 0; i < 2048; i++)
		host[i] = (float)(i % 97) * 0.5f;
	cl_mem a = p_clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, 4096, host, &e);
	CHECK(e);
	cl_mem b = p_clCreateBuffer(ctx, CL_MEM_READ_WRITE, 8192, NULL, &e);
	CHECK(e);
	CHECK(p_clEnqueueWriteBuffer(q, b, CL_TRUE, 0, 8192, host, 0, NULL, NULL));
	char rd[8192];
	CHECK(p_clEnqueueReadBuffer(q, b, CL_FALSE, 0, 1000, rd, 0, NULL, NULL));
	size_t zero[3] = { 0, 0, 0 }, rg1[3] = { 64, 16, 1 }, rg2[3] = { 32, 8, 1 };
	CHECK(p_clEnqueueReadBufferRect(q, b, CL_TRUE, zero, zero, rg1, 128, 0, 64, 0, rd, 0, NULL, NULL));
	CHECK(p_clEnqueueWriteBufferRect(q, b, CL_TRUE, zero, zero, rg2, 128, 0, 32, 0, host, 0, NULL, NULL));
	CHECK(p_clEnqueueCopyBuffer(q, a, b, 0, 4096, 2048, 0, NULL, NULL));
	int pat = 0;
	CHECK(p_clEnqueueFillBuffer(q, b, &pat, sizeof(pat), 6144, 2048, 0, NULL, NULL));
	CHECK(p_clEnqueueFillBuffer(q, b, &pat, sizeof(pat), 4096, 2048, 0, NULL, NULL));
	void *m = p_clEnqueueMapBuffer(q, b, CL_TRUE, CL_MAP_READ, 0, 512, 0, NULL, NULL, &e);
	CHECK(e);
	double sum = 0;
	for (int i = 0; i < 128; i++)
		sum += ((float *)m)[i];
	CHECK(p_clEnqueueUnmapMemObject(q, b, m, 0, NULL, NULL));

	cl_image_format f1 = { CL_RGBA, CL_FLOAT }, f2 = { CL_RGBA, CL_UNORM_INT8 };
	cl_image_desc d1 = { .image_type = CL_MEM_OBJECT_IMAGE2D, .image_width = 64, .image_height = 32 };
	cl_image_desc d2 = { .image_type = CL_MEM_OBJECT_IMAGE2D, .image_width = 32, .image_height = 16 };
	static float pix[64 * 32 * 4];
	for (int i = 0; i < 64 * 32 * 4; i++)
		pix[i] = (float)(i % 13);
	cl_mem i1 = p_clCreateImage(ctx, CL_MEM_READ_WRITE, &f1, &d1, NULL, &e);
	CHECK(e);
	cl_mem i2 = p_clCreateImage(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, &f2, &d2, pix, &e);
	CHECK(e);
	size_t ir1[3] = { 64, 32, 1 }, ir2[3] = { 16, 8, 1 }, ir3[3] = { 32, 16, 1 };
	CHECK(p_clEnqueueWriteImage(q, i1, CL_TRUE, zero, ir1, 0, 0, pix, 0, NULL, NULL));
	static float back[64 * 32 * 4];
	CHECK(p_clEnqueueReadImage(q, i1, CL_TRUE, zero, ir2, 0, 0, back, 0, NULL, NULL));
	for (int i = 0; i < 16 * 8 * 4; i++)
		sum += back[i];
	static unsigned char back8[32 * 16 * 4];
	CHECK(p_clEnqueueReadImage(q, i2, CL_TRUE, zero, ir3, 0, 0, back8, 0, NULL, NULL));
	for (int i = 0; i < 32 * 16 * 4; i++)
		sum += back8[i];

	cl_kernel kv = p_clCreateKernel(prog, "vadd", &e);
	CHECK(e);
	cl_kernel ks = p_clCreateKernel(prog, "scale", &e);
	CHECK(e);
	CHECK(p_clSetKernelArg(kv, 0, sizeof(cl_mem), &b));
	CHECK(p_clSetKernelArg(kv, 1, sizeof(cl_mem), &b));
	float fac = 1.5f;
	CHECK(p_clSetKernelArg(ks, 0, sizeof(cl_mem), &b));
	CHECK(p_clSetKernelArg(ks, 1, sizeof(float), &fac));
	size_t g1 = 1024, g2[2] = { 16, 16 };
	cl_event evs[5];
	for (int i = 0; i < 3; i++)
		CHECK(p_clEnqueueNDRangeKernel(q, kv, 1, NULL, &g1, NULL, 0, NULL, &evs[i]));
	for (int i = 0; i < 2; i++)
		CHECK(p_clEnqueueNDRangeKernel(q, ks, 2, NULL, g2, NULL, 0, NULL, &evs[3 + i]));
	CHECK(p_clWaitForEvents(5, evs));
	CHECK(p_clFinish(q));
	unsigned long long own = 0;
	for (int i = 0; i < 5; i++) {
		cl_ulong t0 = 0, t1 = 0;
		cl_int r0 = p_clGetEventProfilingInfo(evs[i], CL_PROFILING_COMMAND_START, sizeof(t0), &t0, NULL);
		cl_int r1 = p_clGetEventProfilingInfo(evs[i], CL_PROFILING_COMMAND_END, sizeof(t1), &t1, NULL);
		if (profile) {
			if (r0 || r1) { fprintf(stderr, "own profiling failed: %d %d\n", r0, r1); exit(3); }
			own += t1 - t0;
		} else if (i == 0) {
			printf("[%d] own profiling query: %d %d\n", id, r0, r1);
		}
		CHECK(p_clReleaseEvent(evs[i]));
	}
	if (profile)
		fprintf(stderr, "own_kernel_ns %llu\n", own);
	float out[2048];
	CHECK(p_clEnqueueReadBuffer(q, b, CL_TRUE, 0, 8192, out, 0, NULL, NULL));
	for (int i = 0; i < 2048; i++)
		sum += out[i];
	p_clReleaseKernel(kv);
	p_clReleaseKernel(ks);
	p_clReleaseMemObject(a);
	p_clReleaseMemObject(b);
	p_clReleaseMemObject(i1);
	p_clReleaseMemObject(i2);
	p_clReleaseCommandQueue(q);
	return sum;
}

static void svm(void)
{
	cl_int e;
	cl_command_queue q = p_clCreateCommandQueue(ctx, dev, 0, &e);
	CHECK(e);
	char *a = p_clSVMAlloc(ctx, CL_MEM_READ_WRITE, 4096, 0), *b = p_clSVMAlloc(ctx, CL_MEM_READ_WRITE, 4096, 0);
	if (!a || !b) { fprintf(stderr, "clSVMAlloc failed\n"); exit(2); }
	static char host[4096], back[4096];
	for (int i = 0; i < 4096; i++)
		host[i] = (char)(i % 251);
	CHECK(p_clEnqueueSVMMemcpy(q, CL_TRUE, a, host, 4096, 0, NULL, NULL));
	CHECK(p_clEnqueueSVMMemcpy(q, CL_TRUE, back, a + 1000, 1024, 0, NULL, NULL));
	CHECK(p_clEnqueueSVMMemcpy(q, CL_TRUE, b, a + 2048, 2048, 0, NULL, NULL));
	CHECK(p_clEnqueueSVMMemcpy(q, CL_TRUE, back + 2048, host, 512, 0, NULL, NULL));
	CHECK(p_clFinish(q));
	long sum = 0;
	for (int i = 0; i < 2560; i++)
		sum += back[i] + (i < 2048 ? b[i] : 0);
	printf("svm checksum %ld\n", sum);
	p_clSVMFree(ctx, a);
	p_clSVMFree(ctx, b);
	p_clReleaseCommandQueue(q);
}

/* Transfers dominate the device: 32 MiB moved per 1024-item kernel. */
static void transfers(double seconds)
{
	enum { N = 16 << 20 };
	cl_int e;
	cl_command_queue q = p_clCreateCommandQueue(ctx, dev, 0, &e);
	CHECK(e);
	char *host = calloc(1, N);
	cl_mem b = p_clCreateBuffer(ctx, CL_MEM_READ_WRITE, N, NULL, &e);
	CHECK(e);
	cl_kernel kv = p_clCreateKernel(prog, "vadd", &e);
	CHECK(e);
	CHECK(p_clSetKernelArg(kv, 0, sizeof(cl_mem), &b));
	CHECK(p_clSetKernelArg(kv, 1, sizeof(cl_mem), &b));
	size_t g = 1024;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long n = 0;
	do {
		CHECK(p_clEnqueueWriteBuffer(q, b, CL_TRUE, 0, N, host, 0, NULL, NULL));
		CHECK(p_clEnqueueNDRangeKernel(q, kv, 1, NULL, &g, NULL, 0, NULL, NULL));
		CHECK(p_clEnqueueReadBuffer(q, b, CL_TRUE, 0, N, host, 0, NULL, NULL));
		CHECK(p_clFinish(q));
		n++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) * 1e-9 < seconds);
	printf("transfers %ld\n", n);
	p_clReleaseKernel(kv);
	p_clReleaseMemObject(b);
	p_clReleaseCommandQueue(q);
	free(host);
}

static void *thread_main(void *arg)
{
	double s = work((int)(intptr_t)arg);
	double *r = malloc(sizeof(double));
	*r = s;
	return r;
}

int main(int argc, char **argv)
{
	int dl = argc > 1 && !strcmp(argv[1], "dl");
	profile = argc > 2 && !strcmp(argv[2], "profile");
	const char *mode = argc > 3 ? argv[3] : "main";
	load(dl);
	if (!strcmp(mode, "fork")) {
		pid_t pid = fork();
		if (pid == 0) {
			setup();
			printf("checksum %.3f\n", work(0));
			p_clReleaseProgram(prog);
			p_clReleaseContext(ctx);
			fflush(stdout);
			_exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	setup();
	if (!strcmp(mode, "svm")) {
		svm();
	} else if (!strcmp(mode, "transfers")) {
		transfers(argc > 4 ? atof(argv[4]) : 1);
	} else if (!strcmp(mode, "threads")) {
		pthread_t t[2];
		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)i);
		for (int i = 0; i < 2; i++) {
			void *r;
			pthread_join(t[i], &r);
			printf("checksum %.3f\n", *(double *)r);
			free(r);
		}
	} else {
		printf("checksum %.3f\n", work(0));
	}
	p_clReleaseProgram(prog);
	p_clReleaseContext(ctx);
	return 0;
}
