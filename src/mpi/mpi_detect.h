/*
 * mpi_detect.h - which MPI runs in this process, decided the same way by the
 * MPI collectors (mpi_wrap.c) and by the dispatching shim (shim.c).  Needs no
 * mpi.h: the shim is built once for all implementations.
 */
#ifndef VIGIL_MPI_DETECT_H
#define VIGIL_MPI_DETECT_H

/* "openmpi", "mpich" (the MPICH ABI family) or "none" (docs/MPI-COUNTING.md, steps 1-4). */
const char *vigil_mpi_detect(void);

/* Sonames an implementation family ("openmpi", "mpich"; NULL: all) may be loaded as; NULL-terminated. */
const char *const *vigil_mpi_sonames(const char *family);

/* NAME from a library of that family already loaded privately (dlopen'ed MPI, e.g. mpi4py); NULL if none. */
void *vigil_mpi_private_sym(const char *family, const char *name);

#endif
