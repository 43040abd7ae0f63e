"""Top-level functional forms of Tensor methods torch also exposes as torch.X: fill, detach,
detach_, get_device, is_inference, is_distributed, the in-place i0_/logit_/sinc_/rad2deg_,
plus row_stack (vstack's alias) and typename."""
from __future__ import annotations

import numbers

import numpy as np

from .checks import need_tensor, type_name


def _self(input, fn):
    need_tensor(fn, input, "input", 1)
    return input


def fill(input, value):
    """A tensor of input's shape and dtype filled with value (a number or a 0-d tensor);
    the gradient goes to value (summed), none to input. Matches torch.fill."""
    from .compare import where
    need_tensor("fill", input, "input", 1)
    if hasattr(value, "grad_fn"):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        if value.requires_grad and input.dtype.kind != "f":
            from ..grad_mode import is_grad_enabled
            if is_grad_enabled():
                from .arith import torch_name
                raise RuntimeError(f"fill: autograd does not support the result dtype "
                                   f"{torch_name(input.dtype)} (value requires grad)")
        v = value.to(input.dtype)
    elif isinstance(value, numbers.Number) and not isinstance(value, complex):
        from ..creation import full
        v = full((), value, dtype=input.dtype, device=input.device)
    else:
        raise TypeError(f"fill(): argument 'value' must be Number or Tensor, not "
                        f"{type_name(value)}")
    xp_true = input._make(np.ones((), bool)).to(input.device)
    return where(xp_true, v, input).to(input.dtype)     # d/dinput = 0, d/dvalue = sum(g)


def detach(input): return _self(input, "detach").detach()
def detach_(input): return _self(input, "detach_").detach_()
def get_device(input): return _self(input, "get_device").get_device()
def is_inference(input): return _self(input, "is_inference").is_inference()
def is_distributed(input): return _self(input, "is_distributed").is_distributed()
def i0_(input): return _self(input, "i0_").i0_()
def sinc_(input): return _self(input, "sinc_").sinc_()
def rad2deg_(input): return _self(input, "rad2deg_").rad2deg_()
def logit_(input, eps=None): return _self(input, "logit_").logit_(eps)


def row_stack(tensors):
    """Alias of vstack (torch.row_stack)."""
    from .layout import vstack
    return vstack(tensors)


def typename(obj):
    """A type's name as torch.typename gives it: a tensor's legacy type name
    ('torch.FloatTensor'), else module.qualname ('int' for builtins)."""
    from .checks import _is_tensor
    if _is_tensor(obj):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"
