"""Function forms of Tensor methods (mg.exp(x), mg.pow(x, 2), ...) as torch has them."""
from __future__ import annotations

from ..autograd import unwrap
from ..dtypes import result_type
from .arith import Add, Sub, _is_bool, _no_bool_sub
from .compare import clamp
from .division import div, floor_divide, fmod, remainder  # noqa: F401  (mg.div, ...)
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


def _times_alpha(input, other, alpha):
    """other * alpha computed in the result dtype, with torch's checks on alpha."""
    dt = result_type(input, other)
    if isinstance(alpha, float) and dt.kind in "biu":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if isinstance(alpha, bool) and dt.kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.kind == "b":                      # torch casts alpha to the result dtype
        alpha = bool(alpha)
    if is_tensor(other):
        return (other if other.dtype == dt else other.to(dt)) * alpha
    return bool(other) and alpha if dt.kind == "b" else other * alpha


def add(input, other, *, alpha=1):
    """input + alpha * other, promoted as torch (torch.add)."""
    if type(alpha) is not int or alpha != 1:
        other = _times_alpha(input, other, alpha)
    return Add.apply(input, other)


def sub(input, other, *, alpha=1):
    """input - alpha * other (torch.sub); bool operands raise as torch's do."""
    if type(alpha) is not int or alpha != 1:
        a, b = unwrap(input), unwrap(other)
        if _is_bool(a) or _is_bool(b):
            _no_bool_sub(a, b)
        other = _times_alpha(input, other, alpha)
    return Sub.apply(input, other)


def mul(input, other): return input * other
def true_divide(input, other): return div(input, other)
subtract = sub
multiply = mul
divide = div
