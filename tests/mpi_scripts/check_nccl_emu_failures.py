"""Failure modes of the NCCL backend on the emulator, under mpiexec -n 2 (see
check_failures.py for the MPI backend's):

    timeout   rank 1 never joins: rank 0's all_reduce raises DistBackendError after 1 s (its
              event never completes), and the excepthook aborts the NCCL communicator, then
              the job
    ring      every rank sends before it receives, ungrouped: NCCL's send blocks the stream
              until the peer's recv, so this hangs on GPUs; the send's Work times out
    mismatch  rank 0 calls all_reduce, rank 1 broadcast: on a GPU a hang or garbage; the
              emulator names both
"""
from __future__ import annotations

import datetime
import os
import sys
import time

import numpy as np
from common import dist, mg

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from cuda_emu import fake_cupy, fake_nccl  # noqa: E402

cp = fake_cupy.install(n_devices=2, nccl=fake_nccl)
mg.cuda.use_kernels(False)
mode = sys.argv[1]
dist.init_process_group("nccl", timeout=datetime.timedelta(seconds=1))
rank = dist.get_rank()
comm = dist.GroupMember.WORLD.impl.comm
abort = comm.abort


def spy_abort():
    print(f"NCCL abort called on rank {rank}", flush=True)
    if len(sys.argv) > 2:       # a file, written before MPI tears the job down (the printed
        with open(os.path.join(sys.argv[2], f"abort{rank}"), "w"):   # line may be lost)
            pass
    abort()


comm.abort = spy_abort
t = mg.ones(3).to(f"cuda:{rank}")
if mode == "timeout":
    if rank == 1:
        time.sleep(1000)
    start = time.monotonic()
    try:
        dist.all_reduce(t)
    except dist.DistBackendError as e:
        print(f"TIMEOUT raised after {time.monotonic() - start:.1f} s: {e}", flush=True)
        raise               # uncaught: the excepthook aborts the job (rank 1 too)
elif mode == "ring":
    start = time.monotonic()
    try:
        dist.send(t, dst=1 - rank)
    except dist.DistBackendError as e:
        print(f"RING timed out after {time.monotonic() - start:.1f} s: {e}", flush=True)
        raise
elif mode == "mismatch":
    try:
        if rank == 0:
            dist.all_reduce(t)
        else:
            dist.broadcast(t, src=0)
    except fake_nccl.NcclError as e:
        print(f"MISMATCH on rank {rank}: {e}", flush=True)
        raise
print(f"rank {rank} should not get here {np.zeros(1)}", flush=True)
