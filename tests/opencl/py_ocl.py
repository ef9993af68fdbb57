# py_ocl.py - PyOpenCL (libOpenCL loaded RTLD_LOCAL by an extension module) with known work:
# one buffer created with COPY_HOST_PTR (4096 bytes), one blocking write of 8192, one blocking
# read of 8192, the kernel "twice" launched 4 times over 2048 work items.
import numpy as np
import pyopencl as cl

ctx = cl.Context(dev_type=cl.device_type.ALL)
q = cl.CommandQueue(ctx)
print("queue properties", q.properties)
host = np.arange(2048, dtype=np.float32)
a = cl.Buffer(ctx, cl.mem_flags.READ_WRITE | cl.mem_flags.COPY_HOST_PTR, hostbuf=host[:1024])
b = cl.Buffer(ctx, cl.mem_flags.READ_WRITE, 8192)
cl.enqueue_copy(q, b, host, is_blocking=True)
prg = cl.Program(ctx, "__kernel void twice(__global float *x) { x[get_global_id(0)] *= 2; }").build()
k = prg.twice
for _ in range(4):
    k(q, (2048,), None, b)
out = np.empty_like(host)
cl.enqueue_copy(q, out, b, is_blocking=True)
q.finish()
print("sum", float(out.sum()), float(a.size))
