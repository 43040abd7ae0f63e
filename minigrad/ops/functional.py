"""Function forms of Tensor methods (mg.exp(x), mg.pow(x, 2), ...) as torch has them."""
from __future__ import annotations

from .arith import clamp
from .shape import cat


def exp(x): return x.exp()
def log(x): return x.log()
def sqrt(x): return x.sqrt()
def abs(x): return x.abs()
def tanh(x): return x.tanh()
def sigmoid(x): return x.sigmoid()
def relu(x): return x.relu()
def sin(x): return x.sin()
def cos(x): return x.cos()
def pow(x, exponent): return x ** exponent
def clip(x, min=None, max=None): return clamp(x, min, max)
def concat(tensors, dim=0): return cat(tensors, dim)
def concatenate(tensors, dim=0): return cat(tensors, dim)
def numel(x): return x.numel()


def is_tensor(obj):
    from ..tensor import Tensor  # lazy: tensor.py imports the ops package
    return isinstance(obj, Tensor)
