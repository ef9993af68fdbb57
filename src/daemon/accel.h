/*
 * accel.h - vigild's view of a segment's accelerator region (OpenCL:
 * segment.h struct vigil_accel and the kernel table): per process the
 * region's numbers as last read, per job their sum, and the window the live
 * accelerator rules judge (docs/DAEMON.md "Accelerators").
 *
 * The region holds running totals, not per-op deltas: each read replaces the
 * process's snapshot, folded field by field as the larger of old and new so
 * what vigild exports never goes backwards whatever the owner writes.
 */
#ifndef VIGIL_DAEMON_ACCEL_H
#define VIGIL_DAEMON_ACCEL_H

#include <stdbool.h>
#include <stdint.h>
#include "daemon/daemon.h"
#include "format/profile.h"

struct vd_akind {
	uint64_t commands, bytes, small, timed, dev_ns; /* bytes: work items for kernels */
};

struct vd_akern {
	uint64_t launches, work_items, timed, dev_ns, errors;
	char name[VIGIL_KERNEL_NAME + 1]; /* always terminated; "" = free record */
};

/* One process's accelerator region, sanitised (at most VIGIL_KERNELS kernel records kept). */
struct vd_asnap {
	uint64_t changes;
	uint32_t layer, profiling;
	uint64_t dropped;
	struct vd_akind kind[VIGIL_NXFER];
	uint32_t nkern;
	struct vd_akern kern[VIGIL_KERNELS];
};

/*
 * Pure (fuzzed): kernel records to read, of a table with `cap` records
 * (at most VIGIL_KERNELS): 0 ("<other kernels>") to the region's
 * kernels_used.  `region` holds sizeof(struct vigil_accel) bytes, `ktab` nk
 * records of ksize bytes.
 */
uint32_t vd_accel_nkern(uint32_t kernels_used, uint32_t cap);
void vd_accel_parse(const unsigned char *region, const unsigned char *ktab, uint32_t nk, uint32_t ksize,
                    struct vd_asnap *out);

/* The sampler: geometry from a validated header, reads (no lock), the fold (lock held). */
void vd_accel_geometry(struct vd_proc *p, const struct vigil_seg_header *validated);
int vd_accel_read(struct vd_proc *p, bool force); /* 0, or -1 on a failed read */
void vd_accel_preread(struct vd_proc *p); /* queue the read vd_accel_read starts with (batch.c) */
bool vd_accel_pending(const struct vd_proc *p);
/* After a restart: a restored ended process's region, from a validated whole copy (no lock needed yet). */
void vd_accel_restore(struct vd_proc *p, const struct vigil_seg_view *v);
void vd_accel_fold(struct vd_proc *p);
/* The process ended (lock held): fold what was read, free the reader's state, keep acc_shown. */
void vd_accel_ended(struct vd_proc *p);
void vd_accel_free(struct vd_proc *p);

/*
 * A job's sum over its processes (lock held), as the profile's model: with
 * `kernels`, kernel records merged by name (malloc'd: vigil_accel_free).
 * Returns the processes where the OpenCL layer ran (0: no OpenCL).
 */
uint32_t vd_accel_job(const struct vd_job *j, struct vigil_accelstat *out, bool kernels);
/* The job profile: a process whose segment is gone adds what vigild read of its region (no queues). */
void vd_accel_profile_add(const struct vd_proc *p, struct vigil_accelstat *a);
/* Host seconds a job spent blocked in OpenCL waits (its op totals; builds excluded). */
double vd_accel_wait_seconds(const struct vd_job *j);

/*
 * The live window (insights.c): records the job's sum at each step and
 * returns in *win what the window [t0, now] added; NULL when the job has
 * no OpenCL with device timing (the rule is then not evaluated).
 */
const struct vigil_accelstat *vd_accel_window(struct vd_job *j, double t0, double now,
                                              struct vigil_accelstat *win);
void vd_accel_job_free(struct vd_job *j);

/* The history point's OpenCL figures: device seconds per second over dt, live OpenCL processes. */
void vd_accel_history(struct vd_job *j, struct vd_hpoint *h, double dt);

/* /metrics families of every job (lock held). */
void vd_accel_prom(struct vd_buf *b, bool om, bool anonymous);

#endif
