"""torch.autocast and its state functions. CPU autocast with dtype=float16 works as torch's
(the op lists and the casting are in minigrad/autocast_state.py). torch's default CPU dtype,
bfloat16, does not exist in NumPy, and CUDA autocast is not implemented: both raise
rather than run in another precision than torch would. The weight-cast cache is not kept
(cache_enabled is accepted): values are the same, each call casts again."""
from __future__ import annotations

import functools
import warnings

import numpy as np

from .. import autocast_state as _ac
from ..backend import Device
from ..ops.checks import need_dtype

_NO_BF16 = ("autocast: torch's default CPU autocast dtype is bfloat16, which minigrad (NumPy) "
            "does not have; pass dtype=minigrad.float16")


def _check_device(device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    try:
        Device(device_type)
    except ValueError:
        raise RuntimeError(f"Invalid device string: '{device_type}'") from None


class autocast:                         # noqa: N801  (torch's name)
    """torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None), as a context
    manager or decorator. On "cpu" with dtype=float16, listed ops cast their inputs as
    torch's do; enabled=False turns autocast off inside (on any device)."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None):
        _check_device(device_type)
        if not isinstance(enabled, bool):
            raise TypeError(f"autocast: enabled must be a bool, got {enabled!r}")
        self.device, self.fast_dtype, self._enabled = device_type, dtype, enabled
        self._cache_enabled = cache_enabled
        self._saved = []                # a stack: the same object may be entered again
        if not enabled:
            return
        if Device(device_type).type != "cpu":
            raise NotImplementedError(
                f"autocast: minigrad autocasts on CPU only; device_type={device_type!r} is not "
                "implemented (cast the model and inputs yourself, model.half(), x.half(), or "
                "pass enabled=False)")
        if dtype is None:
            raise NotImplementedError(_NO_BF16)
        dt = need_dtype("autocast", dtype)
        if dt != np.float16:
            warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling "
                          "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                          "torch.float16 currently.", UserWarning, stacklevel=2)
            self._enabled = False
        self.fast_dtype = dt

    def __enter__(self):
        s = _ac.state
        self._saved.append((s.enabled, s.dtype, s.cache_enabled, s.inside))
        s.nesting += 1
        if self._cache_enabled is not None:
            s.cache_enabled = bool(self._cache_enabled)
        if Device(self.device).type != "cpu":
            return self                 # (enabled=False on CUDA: nothing to turn off)
        s.inside = 0                    # (inside a listed op's or a backward's suspension)
        if self._enabled:
            s.dtype = self.fast_dtype
        _ac.set_enabled(self._enabled)
        return self

    def __exit__(self, *exc):
        s = _ac.state
        enabled, s.dtype, s.cache_enabled, s.inside = self._saved.pop()
        _ac.set_enabled(enabled)
        s.nesting -= 1
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return run


def is_autocast_available(device_type: str) -> bool:
    """Whether minigrad can autocast on this device type: CPU only
    (torch.amp.is_autocast_available)."""
    _check_device(device_type)
    return Device(device_type).type == "cpu"


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on in this thread for device_type (None: CUDA, as torch's)."""
    if device_type is None:
        return False
    _check_device(device_type)
    return Device(device_type).type == "cpu" and _ac.state.enabled


def get_autocast_dtype(device_type: str):
    """The dtype autocast casts to on device_type (torch.get_autocast_dtype)."""
    _check_device(device_type)
    if Device(device_type).type != "cpu":
        return np.dtype(np.float16)
    if _ac.state.dtype is None:
        raise NotImplementedError(_NO_BF16)
    return _ac.state.dtype


def set_autocast_enabled(device_type, enabled=None) -> None:
    """torch.set_autocast_enabled(device_type, enabled) (or (enabled), for CUDA)."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    _check_device(device_type)
    if Device(device_type).type == "cpu":
        if enabled and _ac.state.dtype is None:
            raise NotImplementedError(_NO_BF16.replace("pass dtype=minigrad.float16",
                                                       "call set_autocast_dtype('cpu', "
                                                       "minigrad.float16) first"))
        _ac.set_enabled(enabled)
    elif enabled:
        raise NotImplementedError("set_autocast_enabled: minigrad autocasts on CPU only")


def set_autocast_dtype(device_type: str, dtype) -> None:
    """torch.set_autocast_dtype: float16 only on CPU (minigrad has no bfloat16)."""
    _check_device(device_type)
    dt = need_dtype("set_autocast_dtype", dtype)
    if Device(device_type).type == "cpu":
        if dt != np.float16:
            raise NotImplementedError("set_autocast_dtype: minigrad's CPU autocast supports "
                                      f"float16 only, got {dt}")
        _ac.state.dtype = dt


def is_autocast_cache_enabled() -> bool:
    return _ac.state.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    _ac.state.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Nothing to clear: minigrad keeps no cache of cast weights."""


def _deprecated(old, new):
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled() -> bool:
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def _cast(value, device_type, dtype):
    """value with its eligible tensors (floating, not float64, on device_type) cast."""
    if hasattr(value, "grad_fn"):
        ok = value.dtype.kind == "f" and value.dtype != np.float64 and \
            value.device.type == Device(device_type).type
        return value.to(dtype) if ok else value
    if isinstance(value, dict):
        return {k: _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(v, device_type, dtype) for v in value)
    return value


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """torch.amp.custom_fwd, for a custom Function's forward: with cast_inputs, under autocast
    the floating inputs are cast to it and the forward runs with autocast off; without, the
    forward runs in the current autocast state, which custom_bwd's backward then reuses."""
    _check_device(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        on = is_autocast_enabled(device_type)
        ctx._dtype = _ac.state.dtype if Device(device_type).type == "cpu" else np.float16
        ctx._fwd_used_autocast = on and cast_inputs is None
        if cast_inputs is None or not on:
            return fwd(*args, **kwargs)
        with autocast(device_type, enabled=False):
            return fwd(*_cast(args, device_type, cast_inputs),
                       **_cast(kwargs, device_type, cast_inputs))
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """torch.amp.custom_bwd: the backward runs in the autocast state its forward ran in."""
    _check_device(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        used = getattr(ctx, "_fwd_used_autocast", False)
        with autocast(device_type, enabled=used, dtype=getattr(ctx, "_dtype", None)):
            return bwd(*args, **kwargs)
    return decorate_bwd
