"""Function forms of Tensor methods (mg.exp(x), mg.pow(x, 2), ...) as torch has them."""
from __future__ import annotations

import numbers

from ..dtypes import result_type
from .arith import Add, Sub, _is_bool, _no_bool_sub
from . import shape as _shape, softmax as _softmax
from .checks import need_int, need_number, need_operand, need_tensor
from .compare import clamp
from .division import div, floor_divide, fmod, remainder  # noqa: F401  (mg.div, ...)
from .shape import cat


def _input(fn, x):
    need_tensor(fn, x, "input", 1)
    return x


def exp(input): return _input("exp", input).exp()
def log(input): return _input("log", input).log()
def sqrt(input): return _input("sqrt", input).sqrt()
def abs(input): return _input("abs", input).abs()
def tanh(input): return _input("tanh", input).tanh()
def sigmoid(input): return _input("sigmoid", input).sigmoid()
def relu(input): return _input("relu", input).relu()
def sin(input): return _input("sin", input).sin()
def cos(input): return _input("cos", input).cos()
def numel(input): return _input("numel", input).numel()
def neg(input): return -_input("neg", input)
def negative(input): return -_input("negative", input)
def absolute(input): return _input("absolute", input).abs()
def clone(input): return _input("clone", input).clone()
def t(input): return _input("t", input).t()
def ravel(input): return _input("ravel", input).reshape(-1)
def select(input, dim, index): return _input("select", input).select(dim, index)
def eq(input, other): return _input("eq", input).eq(other)
def ne(input, other): return _input("ne", input).ne(other)
def lt(input, other): return _input("lt", input).lt(other)
def le(input, other): return _input("le", input).le(other)
def gt(input, other): return _input("gt", input).gt(other)
def ge(input, other): return _input("ge", input).ge(other)
def clip(input, min=None, max=None): return clamp(input, min, max)
def concat(tensors, dim=0): return cat(tensors, dim)
def concatenate(tensors, dim=0): return cat(tensors, dim)


def reshape(input, shape):
    """torch.reshape: the shape is one sequence (the method also takes the sizes one by one)."""
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"reshape(): argument 'shape' (position 2) must be tuple of ints, not "
                        f"{type(shape).__name__}")
    return _shape.reshape(input, shape)


def permute(input, dims):
    """torch.permute: the dims are one sequence (the method also takes them one by one)."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"permute(): argument 'dims' (position 2) must be tuple of ints, not "
                        f"{type(dims).__name__}")
    return _shape.permute(input, dims)


def softmax(input, dim, dtype=None):
    """torch.softmax: as F.softmax, but dim is required (F's implicit dim is deprecated)."""
    return _softmax.softmax(input, need_int("softmax", dim, "dim", 2), dtype)


def log_softmax(input, dim, dtype=None):
    """torch.log_softmax: as F.log_softmax, but dim is required."""
    return _softmax.log_softmax(input, need_int("log_softmax", dim, "dim", 2), dtype)


def pow(input, exponent):
    """input ** exponent (torch.pow): a tensor to a tensor or number power, or a number to a
    tensor power."""
    if is_tensor(input):
        need_operand("pow", exponent, "exponent", 2)
    elif isinstance(input, numbers.Number):
        need_tensor("pow", exponent, "exponent", 2)
    else:
        need_tensor("pow", input, "input", 1)
    return input ** exponent


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
    _operands("add", input, other, alpha)
    if type(alpha) is not int or alpha != 1:
        other = _times_alpha(input, other, alpha)
    return Add.apply(input, other)


def sub(input, other, *, alpha=1):
    """input - alpha * other (torch.sub); bool operands raise as torch's do."""
    _operands("sub", input, other, alpha)
    if type(alpha) is not int or alpha != 1:
        if _is_bool(input) or _is_bool(other):     # (a tensor's dtype: no raw array read)
            _no_bool_sub(input, other)
        other = _times_alpha(input, other, alpha)
    return Sub.apply(input, other)


def torch_result_type(tensor, other):
    """mg.result_type: the dtype torch gives an op on two operands, each a tensor or a number
    (torch.result_type); dtypes.result_type is the internal form on any operands."""
    need_operand("result_type", tensor, "tensor", 1)
    need_operand("result_type", other, "other", 2)
    return result_type(tensor, other)


def _operands(fn, input, other, alpha=1):
    need_operand(fn, input, "input", 1)
    need_operand(fn, other, "other", 2)
    need_number(fn, alpha, "alpha")


def mul(input, other):
    _operands("mul", input, other)
    return input * other


def true_divide(input, other): return div(input, other)
subtract = sub
multiply = mul
divide = div
