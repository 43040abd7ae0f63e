"""torch.autocast's names. minigrad has no automatic mixed precision: every op runs in its
inputs' dtypes. autocast(enabled=False) is accepted (a no-op, as in torch); enabling it
raises, since silently computing in float32 where torch computes in float16 would differ.
custom_fwd/custom_bwd only act under autocast, so here they run the function unchanged."""
from __future__ import annotations

import functools

from ..backend import Device


def _check_device(device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    try:
        Device(device_type)
    except ValueError:
        raise RuntimeError(f"Invalid device string: '{device_type}'") from None


class autocast:                         # noqa: N801  (torch's name)
    """torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None), as a
    context manager or decorator: only enabled=False is supported (it does nothing)."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None):
        _check_device(device_type)
        if not isinstance(enabled, bool):
            raise TypeError(f"autocast: enabled must be a bool, got {enabled!r}")
        if enabled:
            raise NotImplementedError(
                "autocast: minigrad has no automatic mixed precision (each op runs in its "
                "inputs' dtypes); cast the model and inputs yourself (model.half(), "
                "x.half()), or pass enabled=False")
        self.device, self.fast_dtype, self._enabled = device_type, dtype, enabled

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return run


def is_autocast_available(device_type: str) -> bool:
    """False: minigrad has no autocast on any device (torch.amp.is_autocast_available)."""
    _check_device(device_type)
    return False


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """False: autocast is never on in minigrad (torch.is_autocast_enabled)."""
    if device_type is not None:
        _check_device(device_type)
    return False


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """torch.amp.custom_fwd: casts a custom Function's inputs under autocast only, so here
    the forward runs unchanged."""
    _check_device(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)
    return fwd


def custom_bwd(bwd=None, *, device_type: str):
    """torch.amp.custom_bwd: runs the backward in the forward's autocast state (never on)."""
    _check_device(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
