"""Predicates and logical ops: isnan, isinf, isfinite, isposinf, isneginf, logical_and/or/
xor/not, isclose, allclose and equal (torch's names and rules).

All give bool tensors (allclose and equal a Python bool) and none is differentiable. Integer
and bool tensors are never nan or infinite; logical ops take any dtype (nonzero is True).
"""
from __future__ import annotations

import numpy as np

from ..autograd import unwrap, wrap
from ..backend import array_module, get_default_dtype
from .arith import _binary, torch_name
from .checks import need_bool
from .compare import need_tensor


def _check_devices(fn, input, other):
    if input.device != other.device:
        raise RuntimeError(f"{fn}: expected all tensors on the same device, got "
                           f"{input.device} and {other.device}")


# ---- floating-point class tests -------------------------------------------------------------
def _classify(fn, input, test, other_kinds):
    """test(xp, x) on float tensors; for bool/int ones every element is `other_kinds`."""
    need_tensor(fn, input, "input", 1)
    if input._batched:                                      # inside vmap
        from ..func import batching_fns
        return batching_fns.broadcasting(lambda x: _classify(fn, x, test, other_kinds), input)
    x = unwrap(input)
    xp = array_module(x)
    if x.dtype.kind == "f":
        return wrap(test(xp, x))
    return wrap(xp.full(x.shape, other_kinds, dtype=bool))


def isnan(input):
    """True where input is NaN (torch.isnan)."""
    return _classify("isnan", input, lambda xp, x: xp.isnan(x), False)


def isinf(input):
    """True where input is +inf or -inf (torch.isinf)."""
    return _classify("isinf", input, lambda xp, x: xp.isinf(x), False)


def isfinite(input):
    """True where input is neither NaN nor infinite (torch.isfinite)."""
    return _classify("isfinite", input, lambda xp, x: xp.isfinite(x), True)


def isposinf(input):
    """True where input is +inf (torch.isposinf)."""
    return _classify("isposinf", input, lambda xp, x: xp.isposinf(x), False)


def isneginf(input):
    """True where input is -inf (torch.isneginf)."""
    return _classify("isneginf", input, lambda xp, x: xp.isneginf(x), False)


# ---- logical ops ------------------------------------------------------------------------------
def _logical(fn, name, input, other):
    need_tensor(name, input, "input", 1)
    need_tensor(name, other, "other", 2)
    _check_devices(name, input, other)
    if input._batched or other._batched:                    # inside vmap
        from ..func import batching_fns
        return batching_fns.broadcasting(lambda a, b: _logical(fn, name, a, b), input, other)
    a, b = unwrap(input), unwrap(other)
    return wrap(_binary(getattr(array_module(a), fn), a, b, name))


def logical_and(input, other):
    """input and other elementwise, nonzero as True; a bool tensor (torch.logical_and)."""
    return _logical("logical_and", "logical_and", input, other)


def logical_or(input, other):
    """input or other elementwise (torch.logical_or)."""
    return _logical("logical_or", "logical_or", input, other)


def logical_xor(input, other):
    """Exactly one of input and other nonzero (torch.logical_xor)."""
    return _logical("logical_xor", "logical_xor", input, other)


def logical_not(input):
    """input == 0 as a bool tensor (torch.logical_not)."""
    need_tensor("logical_not", input, "input", 1)
    if input._batched:                                      # inside vmap
        from ..func import batching_fns
        return batching_fns.broadcasting(logical_not, input)
    x = unwrap(input)
    return wrap(array_module(x).logical_not(x))


# ---- closeness and equality -------------------------------------------------------------------
def _tolerance(fn, name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument '{name}' must be float, not {type(v).__name__}")
    if not v >= 0:                         # (NaN too, as torch)
        raise RuntimeError(f"{fn}: {name} must be greater than or equal to zero, but got {v}")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| (or equal, or both NaN with equal_nan), as a
    bool tensor; both tensors of one dtype, broadcast (torch.isclose)."""
    need_tensor("isclose", input, "input", 1)
    need_tensor("isclose", other, "other", 2)
    _tolerance("isclose", "rtol", rtol)
    _tolerance("isclose", "atol", atol)
    need_bool("isclose", equal_nan, "equal_nan")
    _check_devices("isclose", input, other)
    if input.dtype != other.dtype:
        raise RuntimeError(f"isclose: {torch_name(input.dtype)} did not match "
                           f"{torch_name(other.dtype)}")
    if input._batched or other._batched:                    # inside vmap
        from ..func import batching_fns
        return batching_fns.broadcasting(
            lambda a, b: isclose(a, b, rtol, atol, equal_nan), input, other)
    a, b = unwrap(input), unwrap(other)
    xp = array_module(a)
    close = _binary(lambda x, y: x == y, a, b, "isclose")
    if a.dtype.kind == "f" and equal_nan:
        close |= xp.isnan(a) & xp.isnan(b)
    if rtol == 0 and atol == 0:
        return wrap(close)
    if a.dtype.kind != "f":                 # torch compares integers in the default float
        a, b = a.astype(get_default_dtype()), b.astype(get_default_dtype())
    dt = a.dtype.type
    with np.errstate(invalid="ignore", over="ignore"):
        if dt is np.float16:                # as torch's kernels: rtol * b in float32, rounded
            scaled = (np.float32(rtol) * b.astype(np.float32)).astype(dt)
        else:
            scaled = dt(rtol) * b
        allowed = dt(atol) + xp.abs(scaled)
        actual = xp.abs(a - b)
        close |= xp.isfinite(actual) & (actual <= allowed)
    return wrap(close)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether isclose(input, other, ...) holds everywhere (torch.allclose): a Python bool."""
    need_tensor("allclose", input, "input", 1)
    need_tensor("allclose", other, "other", 2)
    return bool(isclose(input, other, rtol, atol, equal_nan).data.all())


def equal(input, other) -> bool:
    """True when both tensors have the same shape and the same values (torch.equal; NaN is
    never equal; the dtypes may differ)."""
    need_tensor("equal", input, "input", 1)
    need_tensor("equal", other, "other", 2)
    a, b = unwrap(input), unwrap(other)
    _check_devices("equal", input, other)
    if a.shape != b.shape:
        return False
    return bool((a == b).all())
