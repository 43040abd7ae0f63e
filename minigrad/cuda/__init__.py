"""CUDA support: availability, the hand-written-kernel switch, kernel loading and launching.

The kernels live in kernels/*.cu. `loader` compiles them with cupy.RawModule (cached per
source, name set and device); `softmax`, `reduce`, `cross_entropy`, `linear_cross_entropy`
and `attention` hold the launchers and their dispatch tables, handed the arrays by the ops
(minigrad/fastpath.py); `check` compiles every instantiation with nvcc on a machine without
a GPU. use_kernels(False) sends every op to plain CuPy code.
"""
from __future__ import annotations

from .. import backend
from .runtime import (current_device, empty_cache, get_device_capability,  # noqa: F401
                      get_device_name, get_device_properties, init, is_bf16_supported,
                      is_initialized, manual_seed, manual_seed_all, mem_get_info,
                      memory_allocated, memory_reserved, seed, seed_all, set_device)


def is_available() -> bool:
    """True when CuPy imports and sees at least one GPU; never raises."""
    return backend.cuda_available()


def device_count() -> int:
    cp = backend.cupy_module()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


class use_kernels:
    """Turn minigrad's hand-written CUDA kernels on or off (off: plain CuPy array code).

    Call it (`use_kernels(False)`) or use it as a context manager (`with use_kernels(False):`).
    """

    def __init__(self, enabled: bool = True):
        self.prev = backend.kernels_enabled
        backend.kernels_enabled = bool(enabled)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        backend.kernels_enabled = self.prev


def kernels_enabled() -> bool:
    return backend.kernels_enabled


def synchronize():
    cp = backend.cupy_module()
    if cp is not None:
        cp.cuda.runtime.deviceSynchronize()
