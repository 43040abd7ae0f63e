"""The random generator's state: save it, restore it (torch.get_rng_state / set_rng_state).

minigrad draws every random number on the CPU from one numpy.random.Generator (PCG64; see
backend.rng). Its whole state is four integers: the 128-bit state and increment, and a
buffered 32-bit half-draw. get_rng_state() packs them into a uint8 Tensor (torch returns a
uint8 Tensor too, of its own Mersenne-Twister state: the bytes differ, the use is the same),
and set_rng_state() puts them back, so the draws that follow repeat exactly.

Activation checkpointing uses `fork` to re-run a function with the same dropout masks. On
CUDA, CuPy's generator has no readable state: `fork` draws a seed from it once and runs the
function (and later its recomputation) on a fresh generator with that seed, so the masks
repeat but differ from an un-checkpointed run with the same manual_seed.
"""
from __future__ import annotations

import contextlib

import numpy as np

from . import backend

_FIELDS = (("state", 16), ("inc", 16), ("has_uint32", 4), ("uinteger", 4))
_SIZE = sum(n for _, n in _FIELDS)


def get_rng_state():
    """The CPU generator's state as a uint8 Tensor of 40 bytes (torch.get_rng_state)."""
    return pack(backend._cpu_rng.bit_generator.state)


def set_rng_state(new_state) -> None:
    """Restore a state from get_rng_state(): the draws that follow repeat (torch.set_rng_state)."""
    set_cpu_state(unpack(new_state, "set_rng_state()"))


def pack(state):
    """NumPy's PCG64 state dict as a uint8 Tensor of 40 bytes."""
    from .tensor import Tensor      # lazy: tensor.py is built on the ops, which use backend
    values = (state["state"]["state"], state["state"]["inc"], state["has_uint32"],
              state["uinteger"])
    raw = b"".join(int(v).to_bytes(n, "little") for v, (_, n) in zip(values, _FIELDS))
    return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy())


def unpack(new_state, who):
    """The state dict `pack` made `new_state` from, checked."""
    from .tensor import Tensor
    if not isinstance(new_state, Tensor):
        raise TypeError(f"{who}: expected a uint8 Tensor (from get_rng_state()), got "
                        f"{type(new_state).__name__}")
    if new_state.dtype != np.uint8:
        raise TypeError(f"{who}: RNG state must be a uint8 Tensor, got {new_state.dtype}")
    if new_state.data.size != _SIZE:
        raise RuntimeError(f"{who}: expected a state of {_SIZE} bytes, got "
                           f"{new_state.data.size}")
    raw = backend.to_device(new_state.data, backend.CPU).tobytes()
    values, at = [], 0
    for _, n in _FIELDS:
        values.append(int.from_bytes(raw[at:at + n], "little"))
        at += n
    return {"bit_generator": "PCG64", "state": {"state": values[0], "inc": values[1]},
            "has_uint32": values[2], "uinteger": values[3]}


def cpu_state():
    """The CPU generator's state as NumPy's dict (what checkpointing keeps)."""
    return backend._cpu_rng.bit_generator.state


def set_cpu_state(state) -> None:
    backend._cpu_rng.bit_generator.state = state


def cuda_seed():
    """A seed for `fork` on CUDA, drawn from CuPy's generator (None when CuPy is not in use)."""
    cp = backend._cupy
    if not cp:
        return None
    return int(cp.random.randint(0, 2**31 - 1))


@contextlib.contextmanager
def cuda_seeded(seed):
    """Run the block on a CuPy generator seeded with `seed` (from cuda_seed(); None: as is),
    then put the global one back."""
    cp = backend._cupy if seed is not None else None
    prev = cp.random.get_random_state() if cp else None
    if prev is not None:
        cp.random.set_random_state(cp.random.RandomState(seed))
    try:
        yield
    finally:
        if prev is not None:
            cp.random.set_random_state(prev)


@contextlib.contextmanager
def fork(cpu, cuda=None):
    """Run the block from CPU state `cpu` (and on CUDA from `cuda`, a cuda_seed()); the
    generators are as before afterwards (torch.random.fork_rng with set_rng_state)."""
    before = cpu_state()
    set_cpu_state(cpu)
    try:
        with cuda_seeded(cuda):
            yield
    finally:
        set_cpu_state(before)
