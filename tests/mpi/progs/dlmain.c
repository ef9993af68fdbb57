/* dlmain.c MODULE - loads an MPI module privately and runs it (see dlmod.c). */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *h = argc > 1 ? dlopen(argv[1], RTLD_NOW | RTLD_LOCAL) : NULL;
	int (*run)(void) = h ? (int (*)(void))dlsym(h, "dlmod_run") : NULL;
	if (!run) {
		fprintf(stderr, "dlmain: %s\n", dlerror());
		return 2;
	}
	return run();
}
