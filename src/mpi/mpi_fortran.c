/* mpi_fortran.c - Fortran bindings (filled below). */
#include "mpi/mpi_internal.h"
