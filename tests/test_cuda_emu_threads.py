"""The CUDA emulator's worker threads (tests/cuda_emu/emu.h: one per CUDA thread of a block) are
reused across launches and joined by harness.release_threads(), which tests/conftest.py calls
after each module: a session that ran the kernel tests does not keep ~1,000 idle threads."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import devices
from cuda_emu import harness
from kernel_check import dev, emu_kernel

NAME = "reduce_v1_divergent<float>"     # one block sums its blockDim floats into partial[0]


def os_threads() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    pytest.skip("no /proc/self/status")


def launch(k, n):
    x, part = dev(np.arange(n, dtype=np.float32)), dev(np.zeros(1, np.float32))
    k((1,), (n,), (x, part, np.int64(n)), shared_mem=4 * n)
    return float(part[0])


@devices("emu")
def test_workers_are_reused_then_joined(device):
    k = emu_kernel("reduce", NAME)
    harness.release_threads()
    idle = os_threads()
    n = 512
    assert launch(k, n) == n * (n - 1) / 2
    grown = os_threads()
    assert grown >= idle + n                    # kept for the next launch
    assert launch(k, n) == n * (n - 1) / 2 and launch(k, 64) == 64 * 63 / 2
    assert os_threads() == grown                # reused, none started
    assert harness.release_threads() >= n
    assert os_threads() <= idle
    assert launch(k, 256) == 256 * 255 / 2      # started again on demand
    assert os_threads() >= idle + 256
    harness.release_threads()
    assert harness.release_threads() == 0       # nothing left to join
    assert os_threads() <= idle


@devices("emu")
def test_a_failed_launch_leaves_the_workers_joinable(device):
    """A kernel the emulator stops (shared memory overflow) still returns its workers."""
    k = emu_kernel("reduce", NAME)
    x, part = dev(np.ones(128, np.float32)), dev(np.zeros(1, np.float32))
    with pytest.raises(harness.EmuError, match="dynamic shared"):
        k((1,), (128,), (x, part, np.int64(128)), shared_mem=64)
    idle = os_threads()
    assert harness.release_threads() >= 128
    assert os_threads() <= idle - 128
