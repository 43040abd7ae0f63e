"""Argument checks for the public functions: torch's TypeError for an argument of the wrong
kind, naming the function, the argument and what was passed ("sum(): argument 'keepdim' must be
bool, not int"). Each public function calls the ones it needs in its first lines, so a bad
argument fails at the call instead of deep inside NumPy.

torch's rules, which these follow: a bool argument takes only a Python bool; an int argument
takes an int or a NumPy integer (never a bool or a float); a float argument takes any real
number (a bool too); a tensor argument takes only a Tensor.
"""
from __future__ import annotations

import numbers
import operator

import numpy as np

from ..size import Size

_TUPLES = (tuple, Size)     # shapes as given: a plain tuple, or a tensor's .shape


def type_name(x) -> str:
    """How torch names the type of a bad argument ('NoneType', 'list', 'numpy.ndarray')."""
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}." \
                                                          f"{t.__name__}"


def _where(fn, name, pos):
    at = f" (position {pos})" if pos is not None else ""
    return f"{fn}(): argument '{name}'{at}"


_Tensor = None


def _is_tensor(x):
    global _Tensor
    if _Tensor is None:
        from ..tensor import Tensor  # lazy: tensor.py imports the ops package
        _Tensor = Tensor
    return isinstance(x, _Tensor)


def need_tensor(fn, x, name, pos=None):
    """x must be a Tensor (not None, a list, a NumPy array or a number)."""
    if type(x) is _Tensor:                          # the common case first
        return
    if not _is_tensor(x):
        raise TypeError(f"{_where(fn, name, pos)} must be Tensor, not {type_name(x)}")


def need_optional_tensor(fn, x, name, pos=None):
    if x is not None:
        need_tensor(fn, x, name, pos)


def need_operand(fn, x, name, pos=None):
    """The operand of a named binary op (x.add(other)): a Tensor or a number."""
    if type(x) is float:                # the common cases first: checks run on every call
        return
    if not (_is_tensor(x) or isinstance(x, numbers.Number)):
        raise TypeError(f"{_where(fn, name, pos)} must be Tensor or Number, not "
                        f"{type_name(x)}")
    _fits(fn, x, name, pos)


def need_bool(fn, v, name, pos=None):
    if type(v) is not bool:
        raise TypeError(f"{_where(fn, name, pos)} must be bool, not {type_name(v)}")


def need_int(fn, v, name, pos=None) -> int:
    """An int argument as a Python int (NumPy integers and 1-element int tensors pass)."""
    if type(v) is int and -2**63 <= v < 2**63:      # the common case first
        return v
    if not isinstance(v, bool) and isinstance(v, (numbers.Integral, np.integer)):
        v = operator.index(v)
        if not -2**63 <= v < 2**63:
            raise RuntimeError(f"{_where(fn, name, pos)}: value {v} is out of range for int64 "
                               "(overflow when unpacking long)")
        return v
    if _is_tensor(v) and v.dtype.kind in "iu" and v.numel() == 1:
        return int(v.item())
    raise TypeError(f"{_where(fn, name, pos)} must be int, not {type_name(v)}")


def need_optional_int(fn, v, name, pos=None):
    return None if v is None else need_int(fn, v, name, pos)


def need_float(fn, v, name, pos=None) -> float:
    """A float argument as a Python float (any real number, or a 1-element tensor)."""
    if type(v) is float:
        return v
    if isinstance(v, (numbers.Real, np.bool_)):
        return float(v)
    if _is_tensor(v) and v.numel() == 1 and v.dtype.kind in "biuf":
        return float(v.item())
    raise TypeError(f"{_where(fn, name, pos)} must be float, not {type_name(v)}")


def need_optional_float(fn, v, name, pos=None):
    return None if v is None else need_float(fn, v, name, pos)


def need_number(fn, v, name, pos=None):
    """A scalar argument (a fill value, a clamp bound): any number, returned unchanged."""
    if type(v) is float:
        return v
    if not isinstance(v, numbers.Number):
        raise TypeError(f"{_where(fn, name, pos)} must be Number, not {type_name(v)}")
    _fits(fn, v, name, pos)
    return v


def _fits(fn, v, name, pos):
    """torch unpacks a Python int as int64 (or uint64): anything larger overflows."""
    if isinstance(v, int) and not -2**63 <= v < 2**64:
        raise RuntimeError(f"{_where(fn, name, pos)}: value {v} cannot be converted to int64 "
                           "without overflow")


def need_ints(fn, v, name, pos=None) -> tuple:
    """A size/shape argument: an int or a sequence of ints, as a tuple of Python ints."""
    if type(v) in _TUPLES and all(type(a) is int and -2**63 <= a < 2**63 for a in v):
        return v                                    # the common case first
    if isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool):
        return (need_int(fn, v, name, pos),)
    if isinstance(v, (tuple, list)):
        try:
            return tuple(need_int(fn, a, name, pos) for a in v)
        except TypeError:
            bad = next(a for a in v if isinstance(a, bool) or not isinstance(
                a, (numbers.Integral, np.integer)))
            raise TypeError(f"{_where(fn, name, pos)} must be tuple of ints, but found element "
                            f"of type {type_name(bad)}") from None
    raise TypeError(f"{_where(fn, name, pos)} must be tuple of ints, not {type_name(v)}")


def need_str(fn, v, name, pos=None):
    if not isinstance(v, str):
        raise TypeError(f"{_where(fn, name, pos)} must be str, not {type_name(v)}")
    return v


def need_choice(fn, v, name, choices):
    """A string option (reduction='mean'): one of `choices`, else torch's ValueError."""
    need_str(fn, v, name)
    if v not in choices:
        raise ValueError(f"{fn}(): {name} must be one of {', '.join(map(repr, choices))}, "
                         f"got {v!r}")
    return v


_DTYPE_NAMES = {"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                "float64"}


def need_dtype(fn, v, name="dtype"):
    """A dtype argument (mg.float32, a NumPy dtype or type, Python float/int/bool, a torch
    dtype) as a NumPy dtype. A dtype's full name ("float16") is accepted too, a minigrad
    extension; other strings are refused, as torch refuses them."""
    from ..backend import to_dtype
    if isinstance(v, str) and v.removeprefix("torch.") in _DTYPE_NAMES:
        return np.dtype(v.removeprefix("torch."))
    if isinstance(v, (np.dtype, type)) or type(v).__module__.split(".")[0] == "torch":
        try:
            dt = to_dtype(v)
        except TypeError:
            dt = None
        if dt is not None and dt.kind in "biufc":
            return dt
    raise TypeError(f"{_where(fn, name, None)} must be torch.dtype, not {type_name(v)}")


def reduce_args(fn, input, keepdim=False, dtype=None):
    """The common arguments of a reduction: a Tensor input, a bool keepdim, a dtype (returned
    as a NumPy dtype, or None)."""
    need_tensor(fn, input, "input", 1)
    need_bool(fn, keepdim, "keepdim")
    return None if dtype is None else need_dtype(fn, dtype)


def same_dtype(fn, input, **others):
    """torch's mixed-dtype error: each given tensor in `others` must have input's dtype (a
    float16 input may take float32 parameters, as on torch's CPU)."""
    for name, t in others.items():
        if t is not None and t.dtype != input.dtype and not (
                input.dtype == np.float16 and t.dtype == np.float32):
            raise RuntimeError(f"{fn}: expected {name} to have the input's dtype "
                               f"{input.dtype}, but got {t.dtype} (mixed dtypes)")


def not_differentiable(t, name, op):
    """torch's error for a tensor argument its autograd formula does not cover (a loss's class
    weight): under grad mode it may not require grad. `op` is torch's kernel name."""
    if t is not None and getattr(t, "requires_grad", False):
        from ..grad_mode import is_grad_enabled   # lazy: checks.py is imported very early
        if is_grad_enabled():
            raise RuntimeError(f"The function '{op}' is not differentiable with respect to "
                               f"argument '{name}'. This input cannot have requires_grad True.")


def need_not_bool(dt, op, kernel):
    """dt, where torch has a kernel for it: it has no bool one for the ranges (arange,
    linspace, ...) or the running sums and products."""
    if np.dtype(dt).kind == "b":
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for 'Bool'")
    return dt
