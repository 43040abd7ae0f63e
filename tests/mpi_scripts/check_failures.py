"""Failure modes under mpiexec -n 2: `raise` (rank 1 raises while rank 0 waits in a
collective with the default 30-minute timeout: the job must end at once, non-zero) and
`timeout` (rank 1 never joins; rank 0's all_reduce must raise DistBackendError after 1 s)."""
from __future__ import annotations

import datetime
import sys
import time

from common import dist, mg

mode = sys.argv[1]
if mode == "raise":
    dist.init_process_group("mpi")
    if dist.get_rank() == 1:
        raise ValueError("boom from rank 1")
    dist.all_reduce(mg.ones(3))
    print("rank 0 should not get here", flush=True)
elif mode == "timeout":
    dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=1))
    if dist.get_rank() == 1:
        time.sleep(1000)
    start = time.monotonic()
    try:
        dist.all_reduce(mg.ones(3))
    except dist.DistBackendError as e:
        assert isinstance(e, RuntimeError)
        print(f"TIMEOUT raised after {time.monotonic() - start:.1f} s: {e}", flush=True)
        raise               # uncaught: the excepthook aborts the job (rank 1 too)
