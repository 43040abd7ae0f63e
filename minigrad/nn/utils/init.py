"""torch.nn.utils.init: skip_init, a module built without running its initializers."""
from __future__ import annotations

import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Instantiate module_cls(*args, **kwargs) whose parameters and buffers are left
    uninitialized (matches torch.nn.utils.skip_init: the class must take a `device` argument,
    and the global random generator does not advance; the values are unspecified)."""
    from ... import rng_state
    from ..module import Module
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    kwargs["device"] = final_device
    # torch builds on the meta device (no draws); the nearest: build, then rewind the RNG
    state = rng_state.get_rng_state()
    try:
        module = module_cls(*args, **kwargs)
    finally:
        rng_state.set_rng_state(state)
    return module
