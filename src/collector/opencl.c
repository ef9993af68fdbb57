/*
 * opencl.c - how the collector gets between an OpenCL program and its
 * drivers: as a layer of the ICD loader (cl_loader_layers), injected by the
 * preloaded collector itself.
 *
 * Why a layer (docs/COLLECTOR.md, "OpenCL"): exported cl* wrappers miss
 * programs that dlopen() the loader and look functions up by handle, and
 * dlsym(RTLD_NEXT) fails where the loader came in RTLD_LOCAL (PyOpenCL).
 * The loader's layer chain sees every call however the program found it.
 *
 * The loader reads OPENCL_LAYERS once, when it initialises (the program's
 * first OpenCL call), so the collector appends its own path there - after
 * the user's own layers, never replacing them - but only in processes where
 * libOpenCL is mapped: at start (an RTLD_NOLOAD probe) or when a dlopen()
 * brings it in (the dlopen wrapper below).  Programs without OpenCL keep
 * their environment and never map libOpenCL.
 *
 * The dlopen wrapper must not change whose dlopen it is: glibc searches the
 * caller's DT_RUNPATH for a bare name.  On x86_64 a bare name therefore goes
 * to the real dlopen by a jump (the caller's return address stays on the
 * stack), after a probe for an earlier load; a path with a '/' is searched
 * the same from anywhere, so that call returns here and probes afterwards.
 */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <CL/cl_layer.h>
#include "collector/opencl.h"

cl_icd_dispatch ocl_next;
static cl_icd_dispatch ocl_disp;
static int ocl_layers_set;     /* OPENCL_LAYERS names us in this process */
static char ocl_self[4096];    /* our own path, as the loader must dlopen it */
static void *(*ocl_real_dlopen)(const char *, int);

COL_HIDDEN void ocl_wrap_table(cl_icd_dispatch *d); /* opencl_calls.c */

/* Is `path` one of the ':'-separated entries of `list`? */
static int ocl_listed(const char *list, const char *path)
{
	size_t n = strlen(path);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !memcmp(p, path, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* Our own path, as the loader must dlopen it (found when first needed). */
static void ocl_find_self(void)
{
	Dl_info di;
	if (!ocl_self[0] && dladdr((void *)ocl_find_self, &di) && di.dli_fname && di.dli_fname[0] == '/' &&
	    strlen(di.dli_fname) < sizeof(ocl_self))
		strcpy(ocl_self, di.dli_fname);
}

static void ocl_set_layers(void)
{
	if (__atomic_load_n(&ocl_layers_set, __ATOMIC_ACQUIRE))
		return;
	ocl_find_self();
	if (!ocl_self[0])
		return;
	const char *cur = getenv("OPENCL_LAYERS");
	if (!ocl_listed(cur, ocl_self)) {
		size_t cl = cur ? strlen(cur) : 0, sl = strlen(ocl_self);
		char *v = malloc(cl + sl + 2);
		if (!v)
			return;
		if (cl) {
			memcpy(v, cur, cl);
			v[cl++] = ':';
		}
		memcpy(v + cl, ocl_self, sl + 1);
		setenv("OPENCL_LAYERS", v, 1);
		free(v);
		col_debug("OpenCL: layer appended to OPENCL_LAYERS: ", ocl_self);
	}
	__atomic_store_n(&ocl_layers_set, 1, __ATOMIC_RELEASE);
}

/* dl_iterate_phdr callback: is this object libOpenCL (libOpenCL.so, libOpenCL.so.1, ...)? */
static int ocl_is_loader(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	const char *name = info->dlpi_name, *base = name ? strrchr(name, '/') : NULL;
	base = base ? base + 1 : name;
	return base && !strncmp(base, "libOpenCL.so", 12);
}

/*
 * libOpenCL mapped already?  A look at the loaded objects: a dlopen with
 * RTLD_NOLOAD searched the library path for it (ld.so.cache, an open of the
 * file) and allocated its error string, ~40 us at every process start.
 */
static void ocl_probe(void)
{
	if (__atomic_load_n(&ocl_layers_set, __ATOMIC_ACQUIRE) || !col.enabled)
		return;
	col_tls.busy++;
	int saved = errno;
	if (dl_iterate_phdr(ocl_is_loader, NULL))
		ocl_set_layers();
	errno = saved;
	col_tls.busy--;
}

static void ocl_atfork_child(void)
{
	ocl_dev_atfork_child();
}

void col_ocl_init(void)
{
	ocl_dev_init();
	pthread_atfork(NULL, NULL, ocl_atfork_child);
	ocl_probe();
}

/* ---- the dlopen wrapper ---------------------------------------------------- */

/* A path with '/': load, then look whether libOpenCL came with it. */
static void *ocl_dlopen_then_probe(const char *file, int mode)
{
	void *h = ocl_real_dlopen(file, mode);
	int saved = errno;
	ocl_probe();
	errno = saved;
	return h;
}

/* Before any dlopen: which function completes it (called with the program's arguments). */
COL_HIDDEN void *ocl_dlopen_route(const char *file, int mode);
void *ocl_dlopen_route(const char *file, int mode)
{
	(void)mode;
	if (!ocl_real_dlopen)
		ocl_real_dlopen = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	if (!file || strchr(file, '/'))
		return (void *)ocl_dlopen_then_probe;
	/* a bare name: the real dlopen must see the caller's return address */
	if (strstr(file, "libOpenCL") && col.enabled)
		ocl_set_layers(); /* read only when the loader initialises, after this load */
	else
		ocl_probe();
	return (void *)ocl_real_dlopen;
}

#if defined(__x86_64__)
/* dlopen(file, mode): route, then jump with the caller's frame untouched. */
__asm__(
	".globl dlopen\n"
	".type dlopen, @function\n"
	"dlopen:\n"
	"	.cfi_startproc\n"
	"	endbr64\n"
	"	push %rdi\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	push %rsi\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	sub $8, %rsp\n"
	"	.cfi_adjust_cfa_offset 8\n"
	"	call ocl_dlopen_route\n"
	"	add $8, %rsp\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	pop %rsi\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	pop %rdi\n"
	"	.cfi_adjust_cfa_offset -8\n"
	"	jmp *%rax\n"
	"	.cfi_endproc\n"
	".size dlopen, .-dlopen\n");
#else
VIGIL_EXPORT void *dlopen(const char *file, int mode)
{
	void *(*fn)(const char *, int) = (void *(*)(const char *, int))ocl_dlopen_route(file, mode);
	return fn(file, mode);
}
#endif

/* ---- the layer's entry points (cl_layer.h) ------------------------------ */

VIGIL_EXPORT cl_int CL_API_CALL clGetLayerInfo(cl_layer_info name, size_t size, void *value, size_t *size_ret)
{
	static const char layer_name[] = "vigil";
	cl_layer_api_version ver = CL_LAYER_API_VERSION_100;
	const void *src;
	size_t n;
	switch (name) {
	case CL_LAYER_API_VERSION:
		src = &ver;
		n = sizeof(ver);
		break;
	case CL_LAYER_NAME:
		src = layer_name;
		n = sizeof(layer_name);
		break;
	default:
		return CL_INVALID_VALUE;
	}
	if (value) {
		if (size < n)
			return CL_INVALID_VALUE;
		memcpy(value, src, n);
	}
	if (size_ret)
		*size_ret = n;
	return CL_SUCCESS;
}

VIGIL_EXPORT cl_int CL_API_CALL clInitLayer(cl_uint num_entries, const cl_icd_dispatch *target,
                                            cl_uint *num_entries_ret, const cl_icd_dispatch **layer_ret)
{
	if (!target || !num_entries_ret || !layer_ret)
		return CL_INVALID_VALUE;
	size_t ours = sizeof(cl_icd_dispatch) / sizeof(void *);
	size_t n = num_entries < ours ? num_entries : ours;
	/* entries past what the loader knows stay NULL: never call what the target lacks */
	__atomic_store_n(&ocl_tables_used, 1, __ATOMIC_RELAXED);
	memset(&ocl_next, 0, sizeof(ocl_next));
	memcpy(&ocl_next, target, n * sizeof(void *));
	ocl_disp = ocl_next;
	ocl_wrap_table(&ocl_disp);
	*num_entries_ret = (cl_uint)n;
	*layer_ret = &ocl_disp;
	if (col.enabled)
		ocl_layer_ran();
	col_debug("OpenCL: layer initialised", NULL);
	return CL_SUCCESS;
}

/* Newer Khronos loaders (2026.05) call only this one (no properties are defined yet). */
typedef intptr_t ocl_layer_properties;
VIGIL_EXPORT cl_int CL_API_CALL clInitLayerWithProperties(cl_uint num_entries, const cl_icd_dispatch *target,
                                                          cl_uint *num_entries_ret,
                                                          const cl_icd_dispatch **layer_ret,
                                                          const ocl_layer_properties *props)
{
	(void)props;
	return clInitLayer(num_entries, target, num_entries_ret, layer_ret);
}
