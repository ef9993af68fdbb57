/*
 * prog_noocl.c - a program without OpenCL: dlopens two other libraries (a bare
 * name and a path), then prints OPENCL_LAYERS and whether libOpenCL is mapped.
 * Under vigil it must print exactly what it prints without.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	void *a = dlopen("libz.so.1", RTLD_NOW);
	void *b = dlopen("/lib/x86_64-linux-gnu/libm.so.6", RTLD_NOW);
	char line[4096];
	int mapped = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		mapped |= strstr(line, "libOpenCL") != NULL;
	if (f)
		fclose(f);
	const char *l = getenv("OPENCL_LAYERS");
	printf("dlopen %d %d, OPENCL_LAYERS=%s, libOpenCL mapped: %d\n", a != NULL, b != NULL, l ? l : "(unset)", mapped);
	return 0;
}
