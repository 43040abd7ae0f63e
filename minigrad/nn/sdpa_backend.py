"""torch.nn.attention's SDPBackend and sdpa_kernel: choose scaled_dot_product_attention's
backends. minigrad has one implementation (the math one, with its CUDA kernel where
minigrad/cuda says so), used whatever is chosen: the flags are set and read back as torch's
(minigrad.backends.cuda.*_sdp_enabled), and the values are the math backend's."""
from __future__ import annotations

import contextlib
import enum

from ..backends import cuda as _cuda


class SDPBackend(enum.IntEnum):
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


_FLAG = {SDPBackend.MATH: "math", SDPBackend.FLASH_ATTENTION: "flash",
         SDPBackend.EFFICIENT_ATTENTION: "mem_efficient", SDPBackend.CUDNN_ATTENTION: "cudnn"}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """Only `backends` (an SDPBackend or a list of them) enabled inside the block."""
    chosen = [backends] if isinstance(backends, SDPBackend) else backends
    if not isinstance(chosen, (list, tuple)) or \
            not all(isinstance(b, SDPBackend) for b in chosen):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of "
                             f"SDPBackend instances, got {type(backends).__name__}")
    before = dict(_cuda._sdp)
    _cuda._sdp.update({flag: b in chosen for b, flag in _FLAG.items()})
    try:
        yield
    finally:
        _cuda._sdp.clear()
        _cuda._sdp.update(before)
