/*
 * mpi_detect.c - which MPI runs here (docs/MPI-COUNTING.md, "Two libraries,
 * chosen per process").  Compiled into each MPI collector and into the shim
 * with hidden visibility, so each library decides on its own, identically.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "mpi/mpi_detect.h"

/* Sonames of the libraries a family may be loaded as (dlopen'ed MPI, e.g. mpi4py). */
#define VD_OMPI_LIBS "libmpi.so.40", "libmpi.so"
#define VD_MPICH_LIBS "libmpich.so.12", "libmpi.so.12", "libmpi_cray.so.12", "libmpich.so"

const char *const *vigil_mpi_sonames(const char *family)
{
	static const char *const ompi[] = { VD_OMPI_LIBS, NULL };
	static const char *const mpich[] = { VD_MPICH_LIBS, NULL };
	static const char *const all[] = { VD_OMPI_LIBS, VD_MPICH_LIBS, NULL };
	if (!family)
		return all;
	return strcmp(family, "openmpi") ? mpich : ompi;
}

void *vigil_mpi_private_sym(const char *family, const char *name)
{
	void *p = NULL;
	for (const char *const *so = vigil_mpi_sonames(family); !p && *so; so++) {
		void *h = dlopen(*so, RTLD_LAZY | RTLD_NOLOAD);
		if (h) {
			p = dlsym(h, name);
			dlclose(h);
		}
	}
	return p;
}

/* A VIGIL_MPI / --mpi value as a family name: "openmpi", "mpich" (the MPICH ABI family), "none", or NULL. */
static const char *vd_family(const char *f)
{
	static const char *const mpich[] = { "mpich", "intel", "impi", "intelmpi", "cray", "mvapich", "mvapich2" };
	if (!f || !*f || !strcasecmp(f, "auto"))
		return NULL;
	if (!strcasecmp(f, "openmpi") || !strcasecmp(f, "ompi") || !strcasecmp(f, "open-mpi"))
		return "openmpi";
	for (size_t i = 0; i < sizeof(mpich) / sizeof(mpich[0]); i++)
		if (!strcasecmp(f, mpich[i]))
			return "mpich";
	return "none";
}

static int vd_loaded(const char *soname, const char *sym)
{
	void *h = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);
	int yes = h && dlsym(h, sym);
	if (h)
		dlclose(h);
	return yes;
}

/*
 * What the process shows wins (an implementation-specific symbol in the
 * global scope, else a known libmpi already loaded privately); VIGIL_MPI
 * decides only when neither is found (MPI dlopen'ed in an unusual way) and
 * can always turn counting off ("none").  So a wrong VIGIL_MPI never makes a
 * wrapper built for one MPI call into another.
 */
const char *vigil_mpi_detect(void)
{
	const char *forced = vd_family(getenv("VIGIL_MPI"));
	if (forced && !strcmp(forced, "none"))
		return "none";
	if (dlsym(RTLD_DEFAULT, "ompi_mpi_comm_world"))
		return "openmpi";
	if (dlsym(RTLD_DEFAULT, "MPIR_Err_create_code") || dlsym(RTLD_DEFAULT, "MPIR_Process"))
		return "mpich";
	if (vd_loaded("libmpi.so.40", "ompi_mpi_comm_world"))
		return "openmpi";
	if (vd_loaded("libmpich.so.12", "MPIR_Err_create_code") || vd_loaded("libmpi.so.12", "MPIR_Err_create_code"))
		return "mpich";
	return forced ? forced : "none";
}
