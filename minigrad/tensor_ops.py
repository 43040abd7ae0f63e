"""Tensor's operators and op methods: each calls the op in minigrad/ops/ (torch's names)."""
from __future__ import annotations

from . import autocast_state, backend
from .ops import memory_format as mf
from .ops import (arith, bitwise, checks, compare, division, functional, index, linalg, reduce,
                  sampling, shape, softmax, sort, unary)


class OpMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    # ---- operators --------------------------------------------------------------------
    def __add__(self, o): return arith.Add.apply(self, o)
    def __radd__(self, o): return arith.Add.apply(o, self)
    def __sub__(self, o): return arith.Sub.apply(self, o)
    def __rsub__(self, o): return arith.Sub.apply(o, self)
    def __mul__(self, o): return arith.Mul.apply(self, o)
    def __rmul__(self, o): return arith.Mul.apply(o, self)
    def __truediv__(self, o): return arith.Div.apply(self, o)
    def __rtruediv__(self, o):  # torch: number / tensor is reciprocal(tensor) * number
        return self.reciprocal() * o
    def __pow__(self, o): return arith.Pow.apply(self, o)
    def __rpow__(self, o): return arith.Pow.apply(o, self)
    def __matmul__(self, o):
        if autocast_state.active:               # (torch autocasts @ as matmul)
            return linalg.matmul(self, o)
        return linalg.Matmul.apply(self, o)

    def __rmatmul__(self, o):
        if autocast_state.active:
            return linalg.matmul(o, self)
        return linalg.Matmul.apply(o, self)
    def __neg__(self): return unary.Neg.apply(self)
    def __pos__(self): return self
    def __abs__(self): return unary.Abs.apply(self)
    def __eq__(self, o): return compare.compare(lambda a, b: a == b, self, o, "eq")
    def __ne__(self, o): return compare.compare(lambda a, b: a != b, self, o, "ne")
    def __lt__(self, o): return compare.compare(lambda a, b: a < b, self, o, "lt")
    def __le__(self, o): return compare.compare(lambda a, b: a <= b, self, o, "le")
    def __gt__(self, o): return compare.compare(lambda a, b: a > b, self, o, "gt")
    def __ge__(self, o): return compare.compare(lambda a, b: a >= b, self, o, "ge")
    def __floordiv__(self, o): return division.floor_divide(self, o)
    def __rfloordiv__(self, o): return division.floor_divide(o, self)
    def __mod__(self, o): return division.remainder(self, o)
    def __rmod__(self, o): return division.remainder(o, self)
    def __invert__(self): return bitwise.invert(self)
    def __and__(self, o): return bitwise.bitwise_and(self, o)
    def __rand__(self, o): return bitwise.bitwise_and(o, self)
    def __or__(self, o): return bitwise.bitwise_or(self, o)
    def __ror__(self, o): return bitwise.bitwise_or(o, self)
    def __xor__(self, o): return bitwise.bitwise_xor(self, o)
    def __rxor__(self, o): return bitwise.bitwise_xor(o, self)
    def __lshift__(self, o): return bitwise.bitwise_left_shift(self, o)
    def __rlshift__(self, o): return bitwise.bitwise_left_shift(o, self)
    def __rshift__(self, o): return bitwise.bitwise_right_shift(self, o)
    def __rrshift__(self, o): return bitwise.bitwise_right_shift(o, self)

    def __getitem__(self, key):
        return index.GetItem.apply(self, index.convert_key(key, backend.array_module(self.data)))

    # ---- math methods -----------------------------------------------------------------
    def add(self, other, *, alpha=1): return functional.add(self, other, alpha=alpha)
    def sub(self, other, *, alpha=1): return functional.sub(self, other, alpha=alpha)
    subtract = sub
    def mul(self, other): return functional.mul(self, other)
    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return division.div(self, other, rounding_mode=rounding_mode)
    divide = div
    def true_divide(self, other): return division.div(self, other)
    def floor_divide(self, other): return division.floor_divide(self, other)
    def remainder(self, other): return division.remainder(self, other)
    def fmod(self, other): return division.fmod(self, other)
    def bitwise_and(self, other): return bitwise.bitwise_and(self, other)
    def bitwise_or(self, other): return bitwise.bitwise_or(self, other)
    def bitwise_xor(self, other): return bitwise.bitwise_xor(self, other)
    def bitwise_not(self): return bitwise.bitwise_not(self)
    def bitwise_left_shift(self, other): return bitwise.bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other): return bitwise.bitwise_right_shift(self, other)
    def pow(self, exponent): return functional.pow(self, exponent)
    def matmul(self, other): return linalg.matmul(self, other)
    def neg(self): return -self
    def negative(self): return -self
    def absolute(self): return self.abs()
    def ravel(self): return self.reshape(-1)
    def exp(self): return unary.Exp.apply(self)
    def log(self): return unary.Log.apply(self)
    def sqrt(self): return unary.Sqrt.apply(self)
    def abs(self): return unary.Abs.apply(self)
    def tanh(self): return unary.Tanh.apply(self)
    def sigmoid(self): return unary.Sigmoid.apply(self)
    def relu(self): return unary.Relu.apply(self)
    def sin(self): return unary.Sin.apply(self)
    def cos(self): return unary.Cos.apply(self)
    def clamp(self, min=None, max=None): return compare.clamp(self, min, max)
    clip = clamp
    def maximum(self, o): return compare.maximum(self, o)
    def minimum(self, o): return compare.minimum(self, o)
    def masked_fill(self, mask, value): return index.masked_fill(self, mask, value)
    def eq(self, other): return compare.named_compare(self, other, "eq")
    def ne(self, other): return compare.named_compare(self, other, "ne")
    def lt(self, other): return compare.named_compare(self, other, "lt")
    def le(self, other): return compare.named_compare(self, other, "le")
    def gt(self, other): return compare.named_compare(self, other, "gt")
    def ge(self, other): return compare.named_compare(self, other, "ge")

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return reduce.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return reduce.mean(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return reduce.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return reduce.std(self, dim, unbiased, keepdim, correction=correction)

    def amax(self, dim=(), keepdim=False): return reduce.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return reduce.amin(self, dim, keepdim)

    def aminmax(self, *, dim=None, keepdim=False):
        return reduce.aminmax(self, dim=dim, keepdim=keepdim)

    def max(self, dim=None, keepdim=False, *, other=None):
        return reduce.max(self, dim, keepdim, other=other)

    def min(self, dim=None, keepdim=False, *, other=None):
        return reduce.min(self, dim, keepdim, other=other)

    def argmax(self, dim=None, keepdim=False): return reduce.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return reduce.argmin(self, dim, keepdim)
    def logsumexp(self, dim, keepdim=False): return reduce.logsumexp(self, dim, keepdim)

    def sort(self, dim=-1, descending=False, *, stable=False):
        return sort.sort(self, dim, descending, stable=stable)

    def argsort(self, dim=-1, descending=False, *, stable=False):
        return sort.argsort(self, dim, descending, stable=stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return sort.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k, dim=-1, keepdim=False): return sort.kthvalue(self, k, dim, keepdim)
    def median(self, dim=None, keepdim=False): return sort.median(self, dim, keepdim)
    def nanmedian(self, dim=None, keepdim=False): return sort.nanmedian(self, dim, keepdim)
    def mode(self, dim=-1, keepdim=False): return sort.mode(self, dim, keepdim)
    def bernoulli(self, p=None, *, generator=None):
        return sampling.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return sampling.multinomial(self, num_samples, replacement, generator=generator)

    def softmax(self, dim, dtype=None):
        return softmax.softmax(self, checks.need_int("softmax", dim, "dim", 1), dtype)

    def log_softmax(self, dim, dtype=None):
        return softmax.log_softmax(self, checks.need_int("log_softmax", dim, "dim", 1), dtype)

    # ---- shape methods ----------------------------------------------------------------
    def reshape(self, *sizes, **kw): return shape_reshape(self, *sizes, **kw)
    def view(self, *sizes, **kw): return shape_reshape(self, *sizes, **kw)
    def view_as(self, other): return shape_reshape(self, _shape_of(other, "view_as"))
    def reshape_as(self, other): return shape_reshape(self, _shape_of(other, "reshape_as"))
    def permute(self, *dims, **kw): return shape.permute(self, *dims, **kw)
    def transpose(self, dim0, dim1): return shape.transpose(self, dim0, dim1)
    def t(self): return shape.t(self)
    def unsqueeze(self, dim): return shape.unsqueeze(self, dim)
    def squeeze(self, dim=None): return shape.squeeze(self, dim)
    def expand(self, *sizes): return shape.expand(self, *sizes)
    def expand_as(self, other): return shape.expand(self, _shape_of(other, "expand_as"))
    def flatten(self, start_dim=0, end_dim=-1): return shape.flatten(self, start_dim, end_dim)
    def contiguous(self, memory_format=mf.contiguous_format):
        """self if already laid out in memory_format, else a copy that is (torch's)."""
        if memory_format is mf.contiguous_format:
            return shape.Contiguous.apply(self)
        fmt = mf.check("contiguous", memory_format)
        if mf.is_contiguous(self.data, fmt):
            return self
        if fmt is mf.preserve_format:
            raise RuntimeError("preserve memory format is unsupported by the contiguous "
                               "operator")
        mf.check_rank(fmt, self.ndim)
        return mf.relayout(self, fmt)

    def select(self, dim, index):
        d = shape.normalize_dim(dim, self.ndim, "select")
        i = checks.need_int("select", index, "index", 2)
        n = self.shape[d] if self.ndim else 1
        if not -n <= i < n:
            raise IndexError(f"select(): index {i} out of range for tensor of size "
                             f"{list(self.shape)} at dimension {d}")
        return self[(slice(None),) * d + (i,)]

    def gather(self, dim, index_): return index.gather(self, dim, index_)

    def scatter(self, dim, index_, src=None, value=None):
        return index.scatter(self, dim, index_, src, value)

    def scatter_add(self, dim, index_, src): return index.scatter_add(self, dim, index_, src)

    # ---- issue 15: act ----
    def hardshrink(self, lambd=0.5):
        from .ops.activation_pointwise import hardshrink  # lazy: ops import tensor methods
        return hardshrink(self, lambd)

    def prelu(self, weight):
        from .ops.activation_more import prelu  # lazy: ops import tensor methods
        return prelu(self, weight)


def _shape_of(other, op):
    checks.need_tensor(op, other, "other", 1)
    return other.shape


def shape_reshape(x, *new_shape, **kw):
    """reshape/view with torch's -1 inference and errors (ops/shape.py's reshape)."""
    return shape.reshape(x, *new_shape, **kw)
