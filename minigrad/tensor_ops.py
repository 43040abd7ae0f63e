"""Tensor's operators and op methods: each calls the op in minigrad/ops/ (torch's names)."""
from __future__ import annotations

from . import backend
from .ops import (arith, bitwise, checks, compare, division, functional, index, linalg, reduce,
                  shape, softmax, sort, unary)


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
    def __rtruediv__(self, o): return arith.Div.apply(o, self)
    def __pow__(self, o): return arith.Pow.apply(self, o)
    def __rpow__(self, o): return arith.Pow.apply(o, self)
    def __matmul__(self, o): return linalg.Matmul.apply(self, o)
    def __rmatmul__(self, o): return linalg.Matmul.apply(o, self)
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
    def contiguous(self): return shape.Contiguous.apply(self)

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

    # ---- issue 15: elementwise unary math ----
    def log1p(self): return unary_math.log1p(self)
    def expm1(self): return unary_math.expm1(self)
    def log2(self): return unary_math.log2(self)
    def log10(self): return unary_math.log10(self)
    def exp2(self): return unary_math.exp2(self)
    def rsqrt(self): return unary_math.rsqrt(self)
    def reciprocal(self): return unary_math.reciprocal(self)
    def square(self): return unary_math.square(self)
    def erf(self): return unary_math.erf(self)
    def erfc(self): return unary_math.erfc(self)
    def erfinv(self): return unary_math.erfinv(self)
    def tan(self): return trig.tan(self)
    def asin(self): return trig.asin(self)
    def acos(self): return trig.acos(self)
    def atan(self): return trig.atan(self)
    def sinh(self): return trig.sinh(self)
    def cosh(self): return trig.cosh(self)
    def asinh(self): return trig.asinh(self)
    def acosh(self): return trig.acosh(self)
    def atanh(self): return trig.atanh(self)
    def sign(self): return rounding.sign(self)
    def sgn(self): return rounding.sgn(self)
    def floor(self): return rounding.floor(self)
    def ceil(self): return rounding.ceil(self)
    def trunc(self): return rounding.trunc(self)
    def frac(self): return rounding.frac(self)
    def round(self, *, decimals=0): return rounding.round(self, decimals=decimals)
    # ---- issue 15: matrix products, matrix structure, new_* ----
    def mm(self, mat2): return _products.mm(self, mat2)
    def bmm(self, mat2): return _products.bmm(self, mat2)
    def mv(self, vec): return _products.mv(self, vec)
    def dot(self, tensor): return _products.dot(self, tensor)
    def vdot(self, other): return _products.vdot(self, other)
    def outer(self, vec2): return _products.outer(self, vec2)
    def kron(self, other): return _products.kron(self, other)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return _products.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _products.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return _products.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return _products.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def tril(self, diagonal=0): return _matrix.tril(self, diagonal)
    def triu(self, diagonal=0): return _matrix.triu(self, diagonal)
    def diag(self, diagonal=0): return _matrix.diag(self, diagonal)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _matrix.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        return _matrix.diag_embed(self, offset, dim1, dim2)

    def trace(self): return _matrix.trace(self)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from . import creation  # lazy: creation.py imports tensor.py
        return creation.new_filled(creation.zeros, self, size, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from . import creation  # lazy: creation.py imports tensor.py
        return creation.new_filled(creation.ones, self, size, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        from . import creation  # lazy: creation.py imports tensor.py
        return creation.new_filled(creation.empty, self, size, dtype, device, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from . import creation  # lazy: creation.py imports tensor.py
        return creation.new_full(self, size, fill_value, dtype, device, requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from . import creation  # lazy: creation.py imports tensor.py
        return creation.new_tensor(self, data, dtype, device, requires_grad)
    # ---- issue 15: elementwise binary/ternary math and predicates ----
    # (ops/binary_math.py, ternary.py and predicates.py, imported on call: this block stays in
    # one place in the file)
    def lerp(self, end, weight):
        from .ops.ternary import lerp
        return lerp(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1):
        from .ops.ternary import addcmul
        return addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        from .ops.ternary import addcdiv
        return addcdiv(self, tensor1, tensor2, value=value)

    def xlogy(self, other):
        from .ops.binary_math import xlogy
        return xlogy(self, other)

    def logaddexp(self, other):
        from .ops.binary_math import logaddexp
        return logaddexp(self, other)

    def logaddexp2(self, other):
        from .ops.binary_math import logaddexp2
        return logaddexp2(self, other)

    def hypot(self, other):
        from .ops.binary_math import hypot
        return hypot(self, other)

    def atan2(self, other):
        from .ops.binary_math import atan2
        return atan2(self, other)

    arctan2 = atan2

    def clamp_min(self, min):
        from .ops.binary_math import clamp_min
        return clamp_min(self, min)

    def clamp_max(self, max):
        from .ops.binary_math import clamp_max
        return clamp_max(self, max)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        from .ops.binary_math import nan_to_num
        return nan_to_num(self, nan, posinf, neginf)

    def isnan(self):
        from .ops.predicates import isnan
        return isnan(self)

    def isinf(self):
        from .ops.predicates import isinf
        return isinf(self)

    def isfinite(self):
        from .ops.predicates import isfinite
        return isfinite(self)

    def isposinf(self):
        from .ops.predicates import isposinf
        return isposinf(self)

    def isneginf(self):
        from .ops.predicates import isneginf
        return isneginf(self)

    def logical_and(self, other):
        from .ops.predicates import logical_and
        return logical_and(self, other)

    def logical_or(self, other):
        from .ops.predicates import logical_or
        return logical_or(self, other)

    def logical_xor(self, other):
        from .ops.predicates import logical_xor
        return logical_xor(self, other)

    def logical_not(self):
        from .ops.predicates import logical_not
        return logical_not(self)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from .ops.predicates import isclose
        return isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from .ops.predicates import allclose
        return allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other):
        from .ops.predicates import equal
        return equal(self, other)
    # ---- issue 15: reductions and scans ----
    def prod(self, dim=None, keepdim=False, *, dtype=None):
        return prod_ops.prod(self, dim, keepdim, dtype=dtype)

    def cumsum(self, dim, *, dtype=None): return scan.cumsum(self, dim, dtype=dtype)
    def cumprod(self, dim, *, dtype=None): return scan.cumprod(self, dim, dtype=dtype)
    def cummax(self, dim): return scan.cummax(self, dim)
    def cummin(self, dim): return scan.cummin(self, dim)
    def logcumsumexp(self, dim): return scan.logcumsumexp(self, dim)
    def all(self, dim=None, keepdim=False): return reduce_logical.all(self, dim, keepdim)
    def any(self, dim=None, keepdim=False): return reduce_logical.any(self, dim, keepdim)
    def count_nonzero(self, dim=None): return reduce_logical.count_nonzero(self, dim)

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        return reduce_logical.nansum(self, dim, keepdim, dtype=dtype)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        return reduce_logical.nanmean(self, dim, keepdim, dtype=dtype)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return norms.tensor_norm(self, p, dim, keepdim, dtype)

    def dist(self, other, p=2): return norms.dist(self, other, p)

    # ---- issue 15: sorting, selection and indexing ----
    def msort(self): return select.msort(self)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return select.unique(self, sorted, return_inverse, return_counts, dim)

    def nonzero(self, *, as_tuple=False): return select.nonzero(self, as_tuple=as_tuple)
    def masked_select(self, mask): return select.masked_select(self, mask)
    def take(self, index): return select.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return select.take_along_dim(self, indices, dim)

    def index_select(self, dim, index): return select.index_select(self, dim, index)

    def index_add(self, dim, index, source, *, alpha=1):
        return index_more.index_add(self, dim, index, source, alpha=alpha)

    def index_copy(self, dim, index, source):
        return index_more.index_copy(self, dim, index, source)

    def index_fill(self, dim, index, value):
        return index_more.index_fill(self, dim, index, value)

    def index_put(self, indices, values, accumulate=False):
        return index_more.index_put(self, indices, values, accumulate)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return index_more.scatter_reduce(self, dim, index, src, reduce,
                                         include_self=include_self)

    def masked_scatter(self, mask, source): return index_more.masked_scatter(self, mask, source)
    # ---- issue 15: shape ops ----
    def split(self, split_size, dim=0): return split_ops.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return split_ops.chunk(self, chunks, dim)
    def unbind(self, dim=0): return split_ops.unbind(self, dim)

    def tensor_split(self, indices_or_sections=None, dim=0, *, sections=None, indices=None):
        return split_ops.tensor_split(self, indices_or_sections, dim, sections=sections,
                                      indices=indices)

    def hsplit(self, *ios, sections=None, indices=None):
        return split_ops.hsplit(self, _one_or_list(ios), sections=sections, indices=indices)

    def vsplit(self, *ios, sections=None, indices=None):
        return split_ops.vsplit(self, _one_or_list(ios), sections=sections, indices=indices)

    def dsplit(self, *ios, sections=None, indices=None):
        return split_ops.dsplit(self, _one_or_list(ios), sections=sections, indices=indices)

    def narrow(self, dim, start, length): return split_ops.narrow(self, dim, start, length)
    def repeat(self, *repeats): return tile_ops.repeat(self, *repeats)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        if repeats is None:
            raise TypeError("repeat_interleave(): missing argument 'repeats'")
        return tile_ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, *dims):
        if not dims:
            raise TypeError('tile() missing 1 required positional arguments: "dims"')
        return tile_ops.tile(self, _one_or_list(dims, list_of_one=True))

    def roll(self, shifts, dims=None): return tile_ops.roll(self, shifts, dims)

    def flip(self, *dims):
        if not dims:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        return tile_ops.flip(self, _one_or_list(dims, list_of_one=True))

    def fliplr(self): return tile_ops.fliplr(self)
    def flipud(self): return tile_ops.flipud(self)
    def rot90(self, k=1, dims=(0, 1)): return tile_ops.rot90(self, k, dims)
    def movedim(self, source, destination): return layout.movedim(self, source, destination)
    def moveaxis(self, source, destination): return layout.movedim(self, source, destination)
    def swapaxes(self, axis0, axis1): return layout.swapaxes(self, axis0, axis1)
    def swapdims(self, dim0, dim1): return layout.swapaxes(self, dim0, dim1)
    def broadcast_to(self, size): return layout.broadcast_to(self, size)
    def unflatten(self, dim, sizes): return layout.unflatten(self, dim, sizes)


def _shape_of(other, op):
    checks.need_tensor(op, other, "other", 1)
    return other.shape


def shape_reshape(x, *new_shape, **kw):
    """reshape/view with torch's -1 inference and errors (ops/shape.py's reshape)."""
    return shape.reshape(x, *new_shape, **kw)


# ---- issue 15: elementwise unary math ----
from .ops import rounding, trig, unary_math  # noqa: E402  (the methods above use them)


# ---- issue 15: matrix products, matrix structure, new_* ----
from .ops import matrix as _matrix, products as _products  # noqa: E402

# ---- issue 15: reductions and scans ----
from .ops import norms, reduce_logical, scan  # noqa: E402
from .ops import prod as prod_ops  # noqa: E402
# ---- issue 15: sorting, selection and indexing ----
from .ops import index_more, select  # noqa: E402  (the methods above call them)
# ---- issue 15: shape ops ----
def _one_or_list(args, list_of_one=False):
    """Varargs of a method: x.f(a) -> a (or [a] with list_of_one); x.f(a, b) -> [a, b];
    x.f() -> None."""
    if len(args) == 1 and (not list_of_one or isinstance(args[0], (list, tuple))):
        return args[0]
    return list(args) if args else None


from .ops import layout, split as split_ops, tile as tile_ops  # noqa: E402
