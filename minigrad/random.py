"""minigrad.random: torch.random's names (the generator functions live in generator.py and
rng_state.py; this module gives them torch's import path) and fork_rng."""
from __future__ import annotations

import contextlib

from .generator import default_generator, initial_seed, manual_seed, seed
from .rng_state import get_rng_state, set_rng_state

__all__ = ["default_generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed",
           "seed", "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Run the block, then put the CPU generator back as it was before (torch.random.fork_rng).
    minigrad cannot save and restore CuPy's generator: with a GPU present, pass devices=[]."""
    if not enabled:
        yield
        return
    if devices is None or list(devices):
        from . import cuda
        if cuda.is_available():
            raise NotImplementedError(
                f"{_caller}: minigrad cannot restore CuPy's generator state; pass "
                f"{_devices_kw}=[] to fork the CPU generator only")
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
