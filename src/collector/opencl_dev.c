/*
 * opencl_dev.c - the OpenCL layer's bookkeeping: handle tables (queues,
 * kernels, images, maps), kernel records, and device timing.
 *
 * Device timing: queues the program creates get CL_QUEUE_PROFILING_ENABLE
 * (opencl.c); each timed command leaves an event in a bounded ring of
 * pending events (the program's own, retained by us, or one of ours when it
 * passed none).  The ring is harvested at synchronisation points the
 * program reaches anyway (clFinish, clWaitForEvents, blocking commands,
 * queue release) and when half full: completed events give END - START,
 * added per kind, per kernel and per queue (busy time = union of the
 * harvested intervals, merged per queue), then our reference is released.
 * Never from event callbacks: drivers call those on their own threads,
 * holding locks (calling OpenCL there deadlocks some).  A full ring drops
 * the command's timing (counted in accel.dropped), never blocks.
 *
 * Handle tables are open-addressed, lock-free for readers: a slot is
 * claimed with a CAS (key 0 -> OCL_BUSY), its value written, then the key
 * published with release order.  A handle the driver frees and reuses gets
 * its entry overwritten when it is created again.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "collector/opencl.h"

int ocl_profiling = 1;

#define OCL_BUSY ((uintptr_t)1)
#define OCL_DEAD ((uintptr_t)2)

struct ocl_slot {
	uintptr_t key;
	uint64_t val;
	cl_command_queue_properties props; /* queue table only */
};

#define OCL_NQUEUES  256
#define OCL_NKERNELS 4096
#define OCL_NIMAGES  4096
#define OCL_NMAPS    1024
static struct ocl_slot ocl_queues[OCL_NQUEUES], ocl_kernels[OCL_NKERNELS];
static struct ocl_slot ocl_images[OCL_NIMAGES], ocl_maps[OCL_NMAPS];
int ocl_tables_used;

static unsigned ocl_hash(uintptr_t k, unsigned n)
{
	uint64_t h = (uint64_t)k * 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> 40) & (n - 1);
}

static struct ocl_slot *ocl_find(struct ocl_slot *t, unsigned n, uintptr_t key)
{
	unsigned i = ocl_hash(key, n);
	for (unsigned probe = 0; probe < n; probe++, i = (i + 1) & (n - 1)) {
		uintptr_t k = __atomic_load_n(&t[i].key, __ATOMIC_ACQUIRE);
		if (k == key)
			return &t[i];
		if (k == 0)
			return NULL;
	}
	return NULL;
}

/* Insert or overwrite; returns the slot or NULL when the table is full. */
static struct ocl_slot *ocl_put(struct ocl_slot *t, unsigned n, uintptr_t key, uint64_t val,
                                cl_command_queue_properties props)
{
	struct ocl_slot *s = ocl_find(t, n, key);
	if (s) {
		s->props = props;
		__atomic_store_n(&s->val, val, __ATOMIC_RELEASE);
		return s;
	}
	unsigned i = ocl_hash(key, n);
	for (unsigned probe = 0; probe < n; probe++, i = (i + 1) & (n - 1)) {
		uintptr_t k = __atomic_load_n(&t[i].key, __ATOMIC_ACQUIRE);
		if ((k == 0 || k == OCL_DEAD) &&
		    __atomic_compare_exchange_n(&t[i].key, &k, OCL_BUSY, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			t[i].val = val;
			t[i].props = props;
			__atomic_store_n(&t[i].key, key, __ATOMIC_RELEASE);
			return &t[i];
		}
	}
	return NULL;
}

/* Remove and return the value (0 when absent). */
static uint64_t ocl_take(struct ocl_slot *t, unsigned n, uintptr_t key)
{
	struct ocl_slot *s = ocl_find(t, n, key);
	if (!s)
		return 0;
	uint64_t v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
	uintptr_t k = key;
	if (!__atomic_compare_exchange_n(&s->key, &k, OCL_DEAD, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return 0; /* another thread took it first */
	return v;
}

#define OCL_ADD(var, v) __atomic_fetch_add(&(var), (v), __ATOMIC_RELAXED)

/*
 * The segment's accelerator region, marked as used by the layer.  Also in a
 * child forked after OpenCL started (its loader never initialises again):
 * its first counted call allocates and marks the region of its own segment.
 */
static struct vigil_accel *ocl_accel(void)
{
	struct vigil_accel *a = col.accel;
	if (COL_LIKELY(a != NULL))
		return a;
	if ((a = col_accel_get()) && !a->layer) {
		a->profiling = (uint32_t)ocl_profiling;
		__atomic_store_n(&a->layer, 1, __ATOMIC_RELEASE);
	}
	return a;
}

static void ocl_changed(struct vigil_accel *a)
{
	__atomic_fetch_add(&a->changes, 1, __ATOMIC_RELEASE);
}

void ocl_layer_ran(void)
{
	struct vigil_accel *a = ocl_accel();
	if (a)
		ocl_changed(a);
}

/* ---- queues ------------------------------------------------------------ */

static uint32_t ocl_queue_seq;

void ocl_queue_created(cl_command_queue q, cl_command_queue_properties props, uint32_t flags)
{
	struct vigil_accel *a = ocl_accel();
	uint32_t rec = 0;
	if (a) {
		uint32_t i = __atomic_fetch_add(&a->queues_used, 1, __ATOMIC_RELAXED) + 1;
		if (i < VIGIL_QUEUES) {
			rec = i;
			a->queue[rec].id = __atomic_add_fetch(&ocl_queue_seq, 1, __ATOMIC_RELAXED);
		} else if (a->queue[0].id == 0) {
			a->queue[0].id = UINT64_MAX; /* "<other queues>" */
		}
		ocl_changed(a);
	}
	ocl_put(ocl_queues, OCL_NQUEUES, (uintptr_t)q, (uint64_t)rec << 32 | flags, props);
}

int ocl_queue_lookup(cl_command_queue q, struct ocl_queue_info *out)
{
	struct ocl_slot *s = ocl_find(ocl_queues, OCL_NQUEUES, (uintptr_t)q);
	if (!s)
		return 0;
	uint64_t v = __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
	out->flags = (uint32_t)v;
	out->rec = (uint32_t)(v >> 32);
	out->props = s->props;
	return 1;
}

void ocl_queue_released(cl_command_queue q)
{
	ocl_take(ocl_queues, OCL_NQUEUES, (uintptr_t)q);
}

/* ---- kernels, images, maps --------------------------------------------- */

static pthread_mutex_t ocl_kernel_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t ocl_fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h < 2 ? h + 2 : h; /* 0 free, 1 "<other kernels>" */
}

static struct vigil_kernel *ocl_kernel_at(uint32_t i)
{
	return (struct vigil_kernel *)((char *)col.hdr + VIGIL_KERNELS_OFFSET) + i;
}

/* The segment record of a kernel name (0: the table is full); creation time only. */
static uint32_t ocl_kernel_claim(const char *name)
{
	struct vigil_accel *a = ocl_accel();
	if (!a)
		return 0;
	char stored[VIGIL_KERNEL_NAME];
	size_t n = 0;
	for (; name[n] && n + 1 < sizeof(stored); n++)
		stored[n] = name[n];
	memset(stored + n, 0, sizeof(stored) - n);
	uint64_t h = ocl_fnv(stored);
	uint32_t rec = 0;
	pthread_mutex_lock(&ocl_kernel_lock);
	uint32_t used = a->kernels_used;
	for (uint32_t i = 1; i <= used && i < VIGIL_KERNELS; i++) {
		struct vigil_kernel *k = ocl_kernel_at(i);
		if (k->hash == h && !memcmp(k->name, stored, sizeof(stored))) {
			rec = i;
			break;
		}
	}
	if (!rec && used + 1 < VIGIL_KERNELS) {
		rec = used + 1;
		struct vigil_kernel *k = ocl_kernel_at(rec);
		memcpy(k->name, stored, sizeof(stored));
		__atomic_store_n(&k->hash, h, __ATOMIC_RELEASE);
		__atomic_store_n(&a->kernels_used, rec, __ATOMIC_RELEASE);
		ocl_changed(a);
	} else if (!rec) {
		__atomic_store_n(&a->kernels_used, VIGIL_KERNELS, __ATOMIC_RELEASE); /* overflow seen */
	}
	pthread_mutex_unlock(&ocl_kernel_lock);
	return rec;
}

void ocl_kernel_named(cl_kernel k, const char *name)
{
	ocl_put(ocl_kernels, OCL_NKERNELS, (uintptr_t)k, ocl_kernel_claim(name), 0);
}

void ocl_kernel_clone(cl_kernel src, cl_kernel dst)
{
	ocl_put(ocl_kernels, OCL_NKERNELS, (uintptr_t)dst, (uint64_t)ocl_kernel_record(src), 0);
}

int ocl_kernel_record(cl_kernel k)
{
	struct ocl_slot *s = ocl_find(ocl_kernels, OCL_NKERNELS, (uintptr_t)k);
	return s ? (int)__atomic_load_n(&s->val, __ATOMIC_ACQUIRE) : 0;
}

void ocl_kernel_launch(int rec, uint64_t work_items, int failed)
{
	struct vigil_accel *a = ocl_accel();
	if (!a || rec < 0 || rec >= VIGIL_KERNELS)
		return;
	struct vigil_kernel *k = ocl_kernel_at((uint32_t)rec);
	OCL_ADD(k->launches, 1);
	if (failed)
		OCL_ADD(k->errors, 1);
	else
		OCL_ADD(k->work_items, work_items);
	ocl_changed(a);
}

void ocl_image_created(cl_mem m, uint64_t elem_size)
{
	ocl_put(ocl_images, OCL_NIMAGES, (uintptr_t)m, elem_size, 0);
}

/* Element size of an image: cached at creation, else asked once. */
uint64_t ocl_image_elem(cl_mem m)
{
	struct ocl_slot *s = ocl_find(ocl_images, OCL_NIMAGES, (uintptr_t)m);
	if (s)
		return __atomic_load_n(&s->val, __ATOMIC_ACQUIRE);
	size_t es = 0;
	if (!m || ocl_next.clGetImageInfo(m, CL_IMAGE_ELEMENT_SIZE, sizeof(es), &es, NULL) != CL_SUCCESS)
		return 0;
	ocl_image_created(m, es);
	return es;
}

void ocl_map_put(const void *ptr, uint64_t bytes)
{
	if (ptr)
		ocl_put(ocl_maps, OCL_NMAPS, (uintptr_t)ptr, bytes, 0);
}

uint64_t ocl_map_take(const void *ptr)
{
	return ptr ? ocl_take(ocl_maps, OCL_NMAPS, (uintptr_t)ptr) : 0;
}

/*
 * SVM allocations (clSVMAlloc): base and size, so an SVM copy gets its
 * direction - host memory to an SVM allocation is host->device, the reverse
 * device->host, between two allocations device->device.  A slot is claimed
 * with a CAS (base 0 -> OCL_BUSY), its size written, then the base published;
 * lookups scan the slots claimed so far (programs hold few SVM allocations).
 * Copies between pointers no allocation covers (fine-grained system SVM,
 * a full table) keep the device->device of old.
 */
#define OCL_NSVM 1024
static struct { uintptr_t base; uint64_t size; } ocl_svm[OCL_NSVM];
static unsigned ocl_svm_hi; /* slots [0, hi) have been claimed */

void ocl_svm_alloc(const void *ptr, uint64_t size)
{
	if (!ptr || !size)
		return;
	for (unsigned i = 0; i < OCL_NSVM; i++) {
		uintptr_t k = 0;
		if (__atomic_load_n(&ocl_svm[i].base, __ATOMIC_RELAXED) != 0 ||
		    !__atomic_compare_exchange_n(&ocl_svm[i].base, &k, OCL_BUSY, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&ocl_svm[i].size, size, __ATOMIC_RELAXED);
		__atomic_store_n(&ocl_svm[i].base, (uintptr_t)ptr, __ATOMIC_RELEASE);
		unsigned hi = __atomic_load_n(&ocl_svm_hi, __ATOMIC_RELAXED);
		while (hi < i + 1 && !__atomic_compare_exchange_n(&ocl_svm_hi, &hi, i + 1, 0, __ATOMIC_RELEASE,
		                                                  __ATOMIC_RELAXED))
			;
		return;
	}
}

void ocl_svm_free(const void *ptr)
{
	unsigned hi = __atomic_load_n(&ocl_svm_hi, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; ptr && i < hi; i++)
		if (__atomic_load_n(&ocl_svm[i].base, __ATOMIC_ACQUIRE) == (uintptr_t)ptr) {
			__atomic_store_n(&ocl_svm[i].size, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&ocl_svm[i].base, 0, __ATOMIC_RELEASE);
			return;
		}
}

static int ocl_svm_has(const void *ptr)
{
	uintptr_t x = (uintptr_t)ptr;
	unsigned hi = __atomic_load_n(&ocl_svm_hi, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < hi; i++) {
		uintptr_t b = __atomic_load_n(&ocl_svm[i].base, __ATOMIC_ACQUIRE);
		if (b > OCL_DEAD && x >= b && x - b < __atomic_load_n(&ocl_svm[i].size, __ATOMIC_RELAXED))
			return 1;
	}
	return 0;
}

int ocl_svm_direction(const void *dst, const void *src)
{
	int d = ocl_svm_has(dst), s = ocl_svm_has(src);
	return d && !s ? VIGIL_XFER_H2D : s && !d ? VIGIL_XFER_D2H : VIGIL_XFER_D2D;
}

/* ---- transfers and kernels: the accelerator region ---------------------- */

void ocl_accel_add(int kind, uint64_t bytes)
{
	struct vigil_accel *a = ocl_accel();
	if (COL_UNLIKELY(!a))
		return;
	struct vigil_accel_kind *k = &a->kind[kind];
	OCL_ADD(k->commands, 1);
	OCL_ADD(k->bytes, bytes);
	if (kind <= VIGIL_XFER_MAP && bytes < 65536)
		OCL_ADD(k->small, 1);
	ocl_changed(a);
}

/* ---- pending events and the harvest ------------------------------------ */

#define OCL_NPEND 1024          /* pending timed commands; harvested at half */
enum { PEND_FREE, PEND_FILLING, PEND_READY, PEND_TAKEN };

struct ocl_pend {
	uint32_t state;
	uint16_t kind;          /* enum vigil_xfer */
	uint16_t rec;           /* queue record */
	int32_t kernel;         /* kernel record, -1 none */
	cl_event ev;            /* our reference */
};
static struct ocl_pend ocl_pend[OCL_NPEND];
static uint32_t ocl_pend_head, ocl_pend_count;
static pthread_mutex_t ocl_harvest_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t ocl_busy_until[VIGIL_QUEUES]; /* per queue record: end of the merged intervals */

void ocl_dev_init(void)
{
	const char *e = getenv("VIGIL_OPENCL_PROFILING");
	ocl_profiling = !(e && e[0] == '0' && e[1] == 0);
}

void ocl_dev_atfork_child(void)
{
	/* tables and locks the layer never used are as they started: clearing them would fault in
	   ~250 KiB of pages in every fork child (a shell forking a command) */
	if (!__atomic_load_n(&ocl_tables_used, __ATOMIC_RELAXED))
		return;
	pthread_mutex_init(&ocl_kernel_lock, NULL);
	pthread_mutex_init(&ocl_harvest_lock, NULL);
	/* the parent's OpenCL objects mean nothing here: forget them, never release them */
	memset(ocl_pend, 0, sizeof(ocl_pend));
	ocl_pend_head = ocl_pend_count = 0;
	memset(ocl_queues, 0, sizeof(ocl_queues));
	memset(ocl_kernels, 0, sizeof(ocl_kernels));
	memset(ocl_images, 0, sizeof(ocl_images));
	memset(ocl_maps, 0, sizeof(ocl_maps));
	memset(ocl_busy_until, 0, sizeof(ocl_busy_until));
	ocl_queue_seq = 0;
}

void ocl_cmd_begin(struct ocl_cmd *c, cl_command_queue q, cl_event *ev)
{
	struct ocl_queue_info qi;
	c->local = NULL;
	c->ev = ev;
	c->rec = 0;
	c->kernel = -1;
	if (!ocl_profiling || !ocl_queue_lookup(q, &qi) || !(qi.flags & OCL_Q_PROFILED))
		return;
	c->rec = qi.rec | 0x80000000u; /* timed */
	if (!ev)
		c->ev = &c->local;
}

static void ocl_drop(struct vigil_accel *a, cl_event e, int ours)
{
	if (a) {
		OCL_ADD(a->dropped, 1);
		ocl_changed(a);
	}
	if (ours)
		ocl_next.clReleaseEvent(e);
}

void ocl_cmd_end(struct ocl_cmd *c, cl_int r, int kind, uint64_t bytes)
{
	(void)bytes;
	if (!(c->rec & 0x80000000u) || r != CL_SUCCESS || !c->ev || !*c->ev)
		return;
	cl_event e = *c->ev;
	/* hold our own reference: the program may release its event at once */
	if (c->ev != &c->local && ocl_next.clRetainEvent(e) != CL_SUCCESS)
		return;
	struct vigil_accel *a = col.accel;
	uint32_t tries = 0;
	for (;;) {
		uint32_t i = __atomic_fetch_add(&ocl_pend_head, 1, __ATOMIC_RELAXED) % OCL_NPEND;
		uint32_t st = PEND_FREE;
		if (__atomic_compare_exchange_n(&ocl_pend[i].state, &st, PEND_FILLING, 0,
		                                __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			ocl_pend[i].kind = (uint16_t)kind;
			ocl_pend[i].rec = (uint16_t)(c->rec & 0xffff);
			ocl_pend[i].kernel = c->kernel;
			ocl_pend[i].ev = e;
			__atomic_store_n(&ocl_pend[i].state, PEND_READY, __ATOMIC_RELEASE);
			break;
		}
		if (++tries == 2) {
			ocl_harvest();
		} else if (tries > 4) {
			ocl_drop(a, e, 1);
			return;
		}
	}
	if (__atomic_add_fetch(&ocl_pend_count, 1, __ATOMIC_RELAXED) >= OCL_NPEND / 2)
		ocl_harvest();
}

struct ocl_iv {
	uint64_t start, end;
	uint32_t rec;
};

static int ocl_iv_cmp(const void *x, const void *y)
{
	const struct ocl_iv *a = x, *b = y;
	if (a->rec != b->rec)
		return a->rec < b->rec ? -1 : 1;
	return a->start < b->start ? -1 : a->start > b->start;
}

/*
 * Account every completed pending command.  Called at the program's own
 * synchronisation points; a second thread arriving while one harvests
 * returns at once (the first one takes its events too).
 */
void ocl_harvest(void)
{
	struct vigil_accel *a = col.accel;
	if (!a || !ocl_profiling || __atomic_load_n(&ocl_pend_count, __ATOMIC_RELAXED) == 0)
		return;
	if (pthread_mutex_trylock(&ocl_harvest_lock) != 0)
		return;
	int saved = errno;
	static struct ocl_iv iv[OCL_NPEND]; /* under the lock */
	size_t niv = 0;
	for (uint32_t i = 0; i < OCL_NPEND; i++) {
		struct ocl_pend *p = &ocl_pend[i];
		uint32_t st = PEND_READY;
		if (!__atomic_compare_exchange_n(&p->state, &st, PEND_TAKEN, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		cl_int status = CL_QUEUED;
		if (ocl_next.clGetEventInfo(p->ev, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status),
		                            &status, NULL) != CL_SUCCESS)
			status = -1;
		if (status > CL_COMPLETE) {
			__atomic_store_n(&p->state, PEND_READY, __ATOMIC_RELEASE);
			continue;
		}
		cl_ulong t0 = 0, t1 = 0;
		int ok = status == CL_COMPLETE &&
		         ocl_next.clGetEventProfilingInfo(p->ev, CL_PROFILING_COMMAND_START, sizeof(t0), &t0, NULL) == CL_SUCCESS &&
		         ocl_next.clGetEventProfilingInfo(p->ev, CL_PROFILING_COMMAND_END, sizeof(t1), &t1, NULL) == CL_SUCCESS &&
		         t1 >= t0;
		if (ok) {
			uint64_t d = t1 - t0;
			OCL_ADD(a->kind[p->kind].timed, 1);
			OCL_ADD(a->kind[p->kind].dev_ns, d);
			if (p->kernel >= 0 && p->kernel < VIGIL_KERNELS) {
				struct vigil_kernel *k = ocl_kernel_at((uint32_t)p->kernel);
				OCL_ADD(k->timed, 1);
				OCL_ADD(k->dev_ns, d);
			}
			iv[niv++] = (struct ocl_iv){ t0, t1, p->rec < VIGIL_QUEUES ? p->rec : 0 };
		} else {
			OCL_ADD(a->dropped, 1);
		}
		ocl_next.clReleaseEvent(p->ev);
		p->ev = NULL;
		__atomic_sub_fetch(&ocl_pend_count, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&p->state, PEND_FREE, __ATOMIC_RELEASE);
	}
	/* busy time: the union of each queue's intervals (they overlap on out-of-order queues) */
	qsort(iv, niv, sizeof(iv[0]), ocl_iv_cmp);
	for (size_t i = 0; i < niv; i++) {
		struct vigil_queue_rec *q = &a->queue[iv[i].rec];
		uint64_t *until = &ocl_busy_until[iv[i].rec];
		uint64_t s = iv[i].start > *until ? iv[i].start : *until;
		OCL_ADD(q->commands, 1);
		OCL_ADD(q->dev_ns, iv[i].end - iv[i].start);
		if (iv[i].end > s) {
			OCL_ADD(q->busy_ns, iv[i].end - s);
			*until = iv[i].end;
		}
	}
	if (niv)
		ocl_changed(a);
	pthread_mutex_unlock(&ocl_harvest_lock);
	errno = saved;
}
