/*
 * shimundef.c - MPI names with no definition when the shim resolves.  "late": the first call
 * (MPI_Comm_size, from shimlate.c) fills the slots while MPI_Comm_rank has no definition; then
 * the stand-in MPI (ARGV[2]) is dlopen'ed and MPI_Comm_rank must reach it (prints "ok").
 * "undef": MPI_Init is defined nowhere: the call must return an MPI error (16, the exit
 * status), not jump to address 0.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int MPI_Comm_size(void *comm, int *size);
int MPI_Comm_rank(void *comm, int *rank) __attribute__((weak));
int MPI_Init(int *argc, char ***argv) __attribute__((weak));

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "late")) {
		int n = 0, r = -1;
		if (MPI_Comm_size(NULL, &n) != 0 || n != 7) {
			printf("MPI_Comm_size: size %d, want 7\n", n);
			return 1;
		}
		if (!dlopen(argv[2], RTLD_NOW | RTLD_GLOBAL)) {
			printf("dlopen: %s\n", dlerror());
			return 1;
		}
		if (MPI_Comm_rank((void *)42, &r) != 0 || r != 42) {
			printf("MPI_Comm_rank: rank %d, want 42\n", r);
			return 1;
		}
		printf("ok\n");
		return 0;
	}
	return MPI_Init(&argc, &argv);
}
