"""The NCCL backend (minigrad/distributed/nccl_backend.py, unmodified) on the CPU emulator of
CuPy and its NCCL binding (tests/cuda_emu/fake_cupy.py, fake_nccl.py): every collective on
emulated "cuda" tensors against NumPy, every dtype, DDP against one process, what NCCL
refuses; alone (world size 1, no launcher) and under `mpiexec -n 2` and `-n 3`, one emulated
GPU per rank. tests/mpi_scripts/check_nccl_emu.py holds the checks; tests/test_dist_nccl.py
runs the backend on a real GPU.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py")
HERE = os.path.dirname(__file__)
SCRIPT = os.path.join(HERE, "mpi_scripts", "check_nccl_emu.py")
MPIEXEC = next((p for p in (os.path.join(os.path.dirname(sys.executable), "mpiexec"),
                            shutil.which("mpiexec")) if p and os.path.exists(p)), None)
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1",
           OPENBLAS_NUM_THREADS="1", FAKE_NCCL_TIMEOUT_S="30")
CHECKS = ["all_reduce", "dtypes", "broadcast", "all_gather", "reduce_scatter_tensor",
          "gather_scatter_reduce", "barrier", "emulator_refuses", "ddp_mlp",
          "ddp_mlp_small_buckets", "ddp_mlp_bucket_view", "ddp_mlp_bucket_view_zeroed",
          "ddp_mlp_find_unused"]


def run(n, script=SCRIPT, *args, timeout=300):
    launcher = [] if n == 1 else [MPIEXEC, "-n", str(n)]
    proc = subprocess.run([*launcher, sys.executable, script, *args], capture_output=True,
                          text=True, timeout=timeout, env=ENV, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module", params=[1, 2, 3])
def emulated(request):
    n = request.param
    if n > 1 and MPIEXEC is None:
        pytest.skip("mpiexec not found")
    return n, run(n)


@pytest.mark.parametrize("name", CHECKS + ["send_recv", "async_pending"])
def test_nccl_backend_on_the_emulator(emulated, name):
    n, (rc, out) = emulated
    if name in ("send_recv", "async_pending") and n == 1:
        pytest.skip("needs two ranks")
    found = {int(r) for c, r in re.findall(r"OK (\w+) rank (\d+)", out) if c == name}
    assert found == set(range(n)), out[-3000:]
    if name.startswith("ddp"):
        worst = re.findall(rf"{name}: largest difference from one process (\d\.\d+e[-+]\d+)", out)
        assert worst and all(float(w) <= 1e-10 for w in worst), worst


def test_the_whole_run_ends_cleanly(emulated):
    n, (rc, out) = emulated
    assert rc == 0, out[-3000:]
    assert sorted(int(r) for r in re.findall(r"DONE rank (\d+)", out)) == list(range(n))


FAILURES = os.path.join(HERE, "mpi_scripts", "check_nccl_emu_failures.py")


@pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
@pytest.mark.parametrize("mode, says", [
    ("timeout", "TIMEOUT raised after "),       # a rank never joins: the Work times out
    ("ring", "RING timed out after "),          # ungrouped sends first on both ranks: a hang
    ("mismatch", "ranks called mismatched collectives")])
def test_nccl_failures_end_the_job(mode, says, tmp_path):
    # the hung rank sleeps 1000 s: a job the abort did not end fails on run's 300 s limit
    rc, out = run(2, FAILURES, mode, str(tmp_path), timeout=300)
    assert rc != 0 and says in out, out[-3000:]
    assert "should not get here" not in out
    if mode != "mismatch":
        waited = float(re.search(says + r"(\d+\.\d) s", out).group(1))
        assert waited >= 0.95, out[-3000:]      # the 1 s timeout was waited for, not skipped
        # the excepthook aborted NCCL's communicator, then MPI: the spy leaves a file (a
        # printed line may be lost when MPI kills the job)
        aborted = sorted(p.name for p in tmp_path.iterdir())
        assert aborted, out[-3000:]
