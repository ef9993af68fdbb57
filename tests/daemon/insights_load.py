# A job for the live insights tests: tiny 16-byte writes to a regular file
# for TINY seconds (1,000 writes, then a 2 ms pause), then 2 MiB writes for BIG
# seconds.  Prints "switch" on stdout when it turns to large writes.
import os
import sys
import time

path, tiny, big = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
t0 = time.time()
while time.time() - t0 < tiny:
    for _ in range(1000):
        os.write(fd, b"0123456789abcdef")
    time.sleep(0.002)
print("switch", flush=True)
block = b"x" * (2 << 20)
t1 = time.time()
while time.time() - t1 < big:
    os.pwrite(fd, block, 0)
    time.sleep(0.005)
