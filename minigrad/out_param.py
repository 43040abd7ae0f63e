"""torch's `out=` argument: the result written into a tensor the caller owns.

`with_out(fn, name, rule)` gives fn a keyword-only `out`. With out=None the call is fn's own.
With a tensor (or a tuple of them, for ops that return several), as torch does:
  - no autograd: with grad mode on, an input or out that requires grad is an error;
  - the result is computed as without out (in its own dtype: torch sometimes computes in a
    wider out's dtype, so values agree to the narrower dtype's rounding), then checked
    against out's dtype by `rule`:
      "cast"   it must cast to out's dtype without going down a category (float -> int,
               int -> bool): torch's TensorIterator ops (add, sin, eq, mean, ...);
      "float"  as cast, into a floating out only (torch has no integer kernel: nansum,
               normal);
      "exact"  out's dtype must be the result's (mm, gather, max.dim, abs, ...);
      "dtype"  the op's own `dtype=` defaults to out's (sum/prod/cumsum reduce in it);
      "create" a creation function: dtype and device default to out's;
      "any"    any dtype: the result is cast to it (bernoulli draws 0/1 into any out);
      "list_exact", "list_copy"  ops that return a list of tensors (unbind_copy,
               split_copy): out is a list of as many; exact dtypes and resized, or each
               piece copied into its out as copy_ does (any dtype, broadcast); None returned;
  - out of another shape is resized, contiguous (with torch's warning when it held elements,
    but for creation functions and a few others, as in torch); out of the right shape keeps
    its strides; an input that partly overlaps out is an error;
  - out is written in place (its version bumps, its views see it) and returned.
"""
from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np

from . import grad_mode, storage
from .backend import array_module
from .dtypes import can_cast
from .ops.arith import torch_name
from .ops.checks import need_dtype

RULES = ("cast", "exact", "dtype", "create", "float", "any", "list_exact", "list_copy")
_QUIET = ("addbmm", "narrow_copy", "bernoulli", "multinomial")   # resized without the warning
_KERNELS = {"nansum": "nansum_cpu", "nanmean": "nansum_cpu", "normal": "normal_kernel_cpu"}
_JOINS = ("cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack",
          "column_stack", "row_stack")
_RESIZED = ("An output with one or more elements was resized since it had shape {}, which "
            "does not match the required output shape {}. This behavior is deprecated, and "
            "in a future PyTorch release outputs will not be resized unless they have zero "
            "elements. You can explicitly reuse an out tensor t by resizing it, inplace, to "
            "zero elements with t.resize_(0).")


def with_out(fn, name, rule):
    """fn with torch's keyword-only out= (see the module docstring). `rule` is one of RULES,
    or a function of the call's (args, kwargs) giving one, or None where that form of the
    op has no out= in torch."""
    assert callable(rule) or rule in RULES, rule

    @functools.wraps(fn)
    def call(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        how = rule(args, kwargs) if callable(rule) else rule
        if how is None:
            raise TypeError(f"{name}(): this form of {name} takes no 'out' argument (as in "
                            "torch)")
        return _into(fn, name, how, args, kwargs, out)

    sig = inspect.signature(fn)
    if "out" not in sig.parameters:
        params = list(sig.parameters.values())
        at = next((k for k, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
        params.insert(at, inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY,
                                            default=None))
        call.__signature__ = sig.replace(parameters=params)
    return call


def _tensors(obj):
    """The tensors in an argument (a tensor, or a list/tuple of them)."""
    if hasattr(obj, "grad_fn"):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return [t for t in obj if hasattr(t, "grad_fn")]
    return []


def _outs(name, out, n):
    """out as a list of n tensors, or torch's TypeError."""
    if n is None:
        if not hasattr(out, "grad_fn"):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not "
                            f"{type(out).__name__}")
        return [out]
    if not isinstance(out, (tuple, list)) or not all(hasattr(t, "grad_fn") for t in out):
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not "
                        f"{type(out).__name__}")
    if len(out) != n:
        raise TypeError(f"{name}(): argument 'out' must be a tuple of {n} Tensors, got "
                        f"{len(out)}")
    return list(out)


def _into(fn, name, rule, args, kwargs, out):
    inputs = [t for a in (*args, *kwargs.values()) for t in _tensors(a)]
    if grad_mode.is_grad_enabled() and any(t.requires_grad for t in inputs + _tensors(out)):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if rule in ("dtype", "create") and hasattr(out, "grad_fn"):
        kwargs = _dtype_from_out(name, rule, kwargs, out)
    with grad_mode.no_grad():
        result = fn(*args, **kwargs)
    if rule.startswith("list"):
        return _into_list(name, rule, list(result), out, inputs)
    many = isinstance(result, tuple)
    outs = _outs(name, out, len(result) if many else None)
    results = list(result) if many else [result]
    for o, r in zip(outs, results):
        _check(name, rule, o, r, inputs)
    for o, r in zip(outs, results):
        _write(o, r, warn=rule != "create" and name not in _QUIET)
    if not many:
        return out
    return type(result)(outs) if hasattr(type(result), "_fields") else tuple(outs)


def _into_list(name, rule, results, out, inputs):
    outs = _outs(name, out, len(out) if isinstance(out, (list, tuple)) else 0)
    if len(outs) != len(results):
        raise RuntimeError(f"{name}(): expected an out= argument of size {len(results)}, got "
                           f"size {len(outs)}")
    for o, r in zip(outs, results):
        if rule == "list_exact":
            _check(name, "exact", o, r, inputs)
        elif not _broadcasts_to(tuple(r.shape), tuple(o.shape)):
            raise RuntimeError(f"{name}(): a piece of shape {list(r.shape)} does not "
                               f"broadcast to its out of shape {list(o.shape)}")
    with grad_mode.no_grad():
        for o, r in zip(outs, results):
            if rule == "list_exact":
                _write(o, r, warn=True)
            else:
                o.copy_(r)
    return None


def _broadcasts_to(src, dst):
    try:
        return np.broadcast_shapes(src, dst) == dst
    except ValueError:
        return False


def _dtype_from_out(name, rule, kwargs, out):
    """The op's dtype= from out's, as torch infers it; a different explicit one is an error."""
    kwargs = dict(kwargs)
    given = kwargs.get("dtype")
    if given is None:
        kwargs["dtype"] = out.dtype
    elif rule == "create" and (given := need_dtype(name, given)) != out.dtype:
        raise RuntimeError(f"{name}(): dtype {torch_name(given)} does not match dtype of out "
                           f"parameter ({torch_name(out.dtype)})")
    if rule == "create" and kwargs.get("device") is None:
        kwargs["device"] = out.device
    return kwargs


def _check(name, rule, o, r, inputs):
    if o.device != r.device:
        raise RuntimeError(f"{name}(): Expected out tensor to have device {r.device}, but got "
                           f"{o.device} instead")
    if rule == "float" and o.dtype.kind != "f":
        raise NotImplementedError(f"{name}(): \"{_KERNELS[name]}\" not implemented for "
                                  f"'{torch_name(o.dtype)}'")
    if rule in ("cast", "float"):
        if not can_cast(r.dtype, o.dtype):
            if name in _JOINS:
                raise TypeError(f"{name}(): input types can't be cast to the desired output "
                                f"type {torch_name(o.dtype)}")
            raise RuntimeError(f"{name}(): result type {torch_name(r.dtype)} can't be cast to "
                               f"the desired output type {torch_name(o.dtype)}")
    elif rule != "any" and o.dtype != r.dtype:
        raise RuntimeError(f"{name}(): Expected out tensor to have dtype "
                           f"{torch_name(r.dtype)}, but got {torch_name(o.dtype)} instead")
    for t in inputs:
        if t is not o and _partly_overlap(t, o):
            raise RuntimeError(f"{name}(): unsupported operation: some elements of the input "
                               "tensor and the written-to tensor refer to a single memory "
                               "location. Please clone() the tensor before performing the "
                               "operation.")


def _partly_overlap(a, b):
    """Tensors whose memory is shared, but not as the same elements in the same layout."""
    xp = array_module(a.data)
    if a.numel() == 0 or b.numel() == 0 or not xp.may_share_memory(a.data, b.data):
        return False            # (the bounds test first: the exact one can be slow)
    if (a.shape, a.stride(), a.data_ptr()) == (b.shape, b.stride(), b.data_ptr()):
        return False
    return bool(xp.shares_memory(a.data, b.data))


def _write(o, r, warn):
    if tuple(o.shape) != tuple(r.shape):
        if warn and o.numel() != 0:
            warnings.warn(_RESIZED.format(list(o.shape), list(r.shape)), UserWarning,
                          stacklevel=4)
        o.resize_(r.shape)
    # no autograd here (refused above): the values go straight into out's memory, which its
    # views and base share, and its storage's version counter moves as for any write
    array_module(o.data).copyto(o.data, r.data, casting="unsafe")
    storage.bump(o.data)
