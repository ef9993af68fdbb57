/*
 * mpi_file.c - MPI_File -> vigil file id, so MPI-IO calls count per file.
 *
 * A fixed open-addressing table keyed by the handle's value: inserted at
 * MPI_File_open, read on every MPI-IO call (no lock: relaxed atomics, a
 * slot's key is published last), removed at MPI_File_close.  When full,
 * further files count only in the totals.  The view recorded at
 * MPI_File_set_view turns the explicit offsets of the _at calls into byte
 * offsets when it is contiguous (filetype == etype); otherwise unknown.
 */
#include <string.h>
#include "mpi/mpi_internal.h"

#define VM_FILE_SLOTS 256 /* power of two */
#define VM_TOMB ((uintptr_t)1)
#define VM_BUSY ((uintptr_t)2) /* claimed, being filled */

struct vm_file_slot {
	uintptr_t key;     /* handle value, 0 free, VM_TOMB removed */
	int id;
	int64_t disp;      /* view displacement in bytes */
	int64_t esize;     /* etype size in bytes; 0 when offsets cannot be converted */
};

static struct vm_file_slot vm_files[VM_FILE_SLOTS];

static uintptr_t vm_fkey(MPI_File fh)
{
	uintptr_t k = 0;
	memcpy(&k, &fh, sizeof(fh) < sizeof(k) ? sizeof(fh) : sizeof(k));
	return k > VM_BUSY ? k : k + 3; /* never 0, the tombstone or busy */
}

static unsigned vm_fhash(uintptr_t k)
{
	return (unsigned)((k * 0x9E3779B97F4A7C15ull) >> 56) & (VM_FILE_SLOTS - 1);
}

static struct vm_file_slot *vm_find(MPI_File fh)
{
	uintptr_t k = vm_fkey(fh);
	unsigned h = vm_fhash(k);
	for (unsigned i = 0; i < VM_FILE_SLOTS; i++) {
		struct vm_file_slot *s = &vm_files[(h + i) & (VM_FILE_SLOTS - 1)];
		uintptr_t sk = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
		if (sk == k)
			return s;
		if (sk == 0)
			return NULL;
	}
	return NULL;
}

void vm_file_add(MPI_File fh, int id)
{
	uintptr_t k = vm_fkey(fh);
	unsigned h = vm_fhash(k);
	vm_file_del(fh); /* a reused handle value replaces its old entry */
	for (unsigned i = 0; i < VM_FILE_SLOTS; i++) {
		struct vm_file_slot *s = &vm_files[(h + i) & (VM_FILE_SLOTS - 1)];
		uintptr_t sk = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
		if (sk != 0 && sk != VM_TOMB)
			continue;
		/* Claim with a CAS (two threads may open at once), then fill, then publish. */
		if (!__atomic_compare_exchange_n(&s->key, &sk, VM_BUSY, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		s->id = id;
		s->disp = 0;
		s->esize = 1; /* the default view: etype MPI_BYTE, displacement 0 */
		__atomic_store_n(&s->key, k, __ATOMIC_RELEASE);
		return;
	}
}

void vm_file_del(MPI_File fh)
{
	struct vm_file_slot *s = vm_find(fh);
	if (s)
		__atomic_store_n(&s->key, VM_TOMB, __ATOMIC_RELEASE);
}

void vm_file_view(MPI_File fh, MPI_Offset disp, MPI_Datatype etype, MPI_Datatype ftype)
{
	struct vm_file_slot *s = vm_find(fh);
	if (!s)
		return;
	MPI_Count es = 0;
	if (etype != ftype || vm_pmpi.type_size_x(etype, &es) != MPI_SUCCESS || es <= 0)
		es = 0;
	s->disp = disp;
	__atomic_store_n(&s->esize, (int64_t)es, __ATOMIC_RELAXED);
}

int vm_file_id(MPI_File fh, int64_t off, int64_t *byte_off)
{
	struct vm_file_slot *s = vm_find(fh);
	*byte_off = -1;
	if (!s)
		return -1;
	int64_t es = __atomic_load_n(&s->esize, __ATOMIC_RELAXED);
	if (off >= 0 && es > 0)
		*byte_off = s->disp + off * es;
	return s->id;
}
