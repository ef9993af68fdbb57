# A job for the live insights tests: tiny 16-byte writes to a regular file
# for TINY seconds (or until the file SWITCH exists, checked every 100 writes),
# then 2 MiB writes for BIG seconds.  usage: insights_load.py PATH TINY BIG [SWITCH]  The file is opened
# O_DSYNC, so each write waits for the disk (~1 ms): the writes' share of the
# process time stays far above small_writes' min_time_share even on a machine
# whose CPUs are busy with other work.  Prints "tiny T" on stdout when it starts
# the tiny writes (T: Unix time of the first) and "switch T" when it turns to
# large writes.
import os
import sys
import time

path, tiny, big = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
switch = sys.argv[4] if len(sys.argv) > 4 else None
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_DSYNC, 0o600)
t0 = time.time()
print("tiny %.6f" % t0, flush=True)
n = 0
while time.time() - t0 < tiny and not (switch and n % 100 == 0 and os.path.exists(switch)):
    os.write(fd, b"0123456789abcdef")
    n += 1
print("switch %.6f" % time.time(), flush=True)
block = b"x" * (2 << 20)
t1 = time.time()
while time.time() - t1 < big:
    os.pwrite(fd, block, 0)
    time.sleep(0.005)
