"""minigrad.distributed on several processes: scripts in tests/mpi_scripts run under
`mpiexec -n N` as subprocesses with a hard timeout (skipped without mpi4py and mpiexec:
`pip install -e ".[distributed]"`).

Run as root, Open MPI refuses to start without --allow-run-as-root (or the two
OMPI_ALLOW_RUN_AS_ROOT* variables below) and more processes than cores without
--oversubscribe; MPICH (the PyPI `mpich` wheel) needs neither. The variables are set for both.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

import pytest

import minigrad as mg

pytest.importorskip("mpi4py")
SCRIPTS = os.path.join(os.path.dirname(__file__), "mpi_scripts")
MPIEXEC = next((p for p in (os.path.join(os.path.dirname(sys.executable), "mpiexec"),
                            shutil.which("mpiexec")) if p and os.path.exists(p)), None)
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="mpiexec not found")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", PRTE_MCA_rmaps_default_mapping_policy=
           ":oversubscribe", PYTHONUNBUFFERED="1", OMP_NUM_THREADS="1",
           OPENBLAS_NUM_THREADS="1")   # ranks share the cores: one BLAS thread each


def mpirun(n, script, *args, timeout=300):
    start = time.monotonic()
    proc = subprocess.run([MPIEXEC, "-n", str(n), sys.executable,
                           os.path.join(SCRIPTS, script), *args], capture_output=True,
                          text=True, timeout=timeout, env=ENV, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start


def passed(out):
    """{check name: set of ranks that printed OK for it}."""
    found = {}
    for name, rank in re.findall(r"OK (\w+) rank (\d+)", out):
        found.setdefault(name, set()).add(int(rank))
    return found


@pytest.fixture(scope="module", params=[2, 3])
def training(request):
    return request.param, mpirun(request.param, "check_training.py")


@pytest.fixture(scope="module", params=[2, 3])
def collectives(request):
    return request.param, mpirun(request.param, "check_collectives.py")


@pytest.mark.parametrize("name", ["all_reduce", "broadcast", "all_gather",
                                  "reduce_scatter_tensor", "gather_scatter_reduce",
                                  "send_recv", "barrier"])
def test_collective_against_numpy(collectives, name):
    n, (rc, out, _) = collectives
    assert passed(out).get(name) == set(range(n)), out[-3000:]
    assert rc == 0, out[-3000:]


@pytest.mark.parametrize("name", ["ddp_mlp", "ddp_mlp_small_buckets", "ddp_mlp_bucket_view",
                                  "ddp_mlp_bucket_view_zeroed", "ddp_digits_cnn"])
def test_ddp_two_ranks_equal_one_process(training, name):
    # 20 steps (5 for the bucket variants), 1/n of the batch per rank, 1e-10 in float64
    n, (rc, out, _) = training
    assert passed(out).get(name) == set(range(n)), out[-3000:]
    worst = re.findall(rf"{name}: largest difference from one process (\d\.\d+e[-+]\d+)", out)
    assert worst and all(float(w) <= 1e-10 for w in worst), worst


@pytest.mark.parametrize("name", ["no_sync", "find_unused_parameters",
                                  "bucket_view_zeroed_identity", "overlap",
                                  "views_handed_over", "held_grad_copied",
                                  "unused_parameter_error", "second_backward_error",
                                  "broadcast_buffers",
                                  "sync_batchnorm"])
def test_training_feature(training, name):
    n, (rc, out, _) = training
    assert passed(out).get(name) == set(range(n)), out[-3000:]
    assert rc == 0, out[-3000:]


def test_a_rank_that_raises_ends_the_job():
    # rank 0 waits in a collective with the default 30-minute timeout: if the raise did not
    # end the job, subprocess.run's 300 s limit fails the test (no wall-clock assertion: a
    # loaded CI machine can take a minute to start two Python processes)
    rc, out, _ = mpirun(2, "check_failures.py", "raise", timeout=300)
    assert rc != 0
    assert "boom from rank 1" in out and "[rank 1]" in out
    assert "should not get here" not in out


def test_a_collective_past_its_timeout_raises():
    # rank 1 sleeps 1000 s: only the abort after rank 0's 1 s timeout ends the job within
    # subprocess.run's 300 s limit
    rc, out, _ = mpirun(2, "check_failures.py", "timeout", timeout=300)
    assert rc != 0
    assert "TIMEOUT raised" in out and "DistBackendError" in out


def test_digits_example_distributed(tmp_path):
    pytest.importorskip("sklearn")
    proc = subprocess.run([MPIEXEC, "-n", "2", sys.executable,
                           os.path.join(SCRIPTS, "..", "..", "examples", "digits_cnn.py"),
                           "--distributed", "--epochs", "1", "--limit", "96", "--quiet",
                           "--batch-size", "32", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300,
                          env=dict(ENV, MPLBACKEND="Agg"), stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert "x 2 processes" in lines[0]
    assert lines[-1].startswith("test accuracy: ") and len(lines) == 4, lines   # rank 0 only
    ckpt = mg.load(tmp_path / "digits_cnn.npz")
    assert not any(k.startswith("module.") for k in ckpt["model"])
