"""The hand-off from an op's reference math to a faster implementation of the same math.

An op's forward computes with its NumPy/CuPy reference, written once for `xp`, unless a
faster implementation applies. The op says so in one line:

    y = fastpath.run(cpu_softmax.softmax, cuda_softmax.softmax, _softmax, x, dim)

`run` calls the CPU fast path for NumPy arrays (minigrad/cpu/), the CUDA launcher for CuPy
arrays while minigrad.cuda.use_kernels(True) is in effect (minigrad/cuda/, kernels/*.cu), and
the reference `_softmax(x, dim)` when there is none (None in its place) or when the fast path
returns None ("no fast path for this case"). All three take the same arguments and return
the same result; the tests check every fast path against the reference and torch.
"""
from __future__ import annotations

import numpy as np

from . import backend


def run(cpu, cuda, reference, *args):
    """reference(*args), computed by `cpu` or `cuda` (same arguments) when one applies;
    the device is the first argument's."""
    if type(args[0]) is np.ndarray:
        fast = cpu
    else:
        fast = cuda if backend.kernels_enabled else None
    if fast is not None:
        out = fast(*args)
        if out is not None:
            return out
    return reference(*args)
