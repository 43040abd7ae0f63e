"""Helpers for the scripts run under mpiexec by tests/test_dist_mpi.py: each check prints
`OK <name> rank <r>`; a failed assertion ends the whole job non-zero (init_process_group's
excepthook aborts MPI), so the test sees which checks passed and the first error."""
from __future__ import annotations

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))

import minigrad as mg  # noqa: E402
import minigrad.distributed as dist  # noqa: E402


def ok(name):
    print(f"OK {name} rank {dist.get_rank()}", flush=True)


def close(a, b, tol=1e-10, what=""):
    a = np.asarray(a.data if isinstance(a, mg.Tensor) else a, dtype=np.float64)
    b = np.asarray(b.data if isinstance(b, mg.Tensor) else b, dtype=np.float64)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} != {b.shape}"
    err = float(np.max(np.abs(a - b), initial=0.0))
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)))
    assert err <= tol * scale, f"{what}: max abs difference {err:.3e} > {tol:g} (x{scale:.3g})"
    return err


def max_err(err):
    """The largest of `err` over all ranks."""
    buf = np.array([err])
    dist.all_reduce(buf, op=dist.ReduceOp.MAX)
    return float(buf[0])
