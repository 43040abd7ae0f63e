"""Tensor's methods for elementwise math, matrix products and structure, reductions and scans
(mixed into Tensor in tensor.py); each calls the op in minigrad/ops/ (torch's names)."""
from __future__ import annotations

from .ops import matrix as _matrix
from .ops import norms, reduce_logical, rounding, scan, trig, unary_math
from .ops import prod as prod_ops
from .ops import products as _products
from .ops import linalg_det as _linalg_det, linalg_lu as _linalg_lu  # noqa: E401
from .ops import linalg_more as _linalg_more, linalg_solve as _linalg_solve
from .ops import linalg_torch as _linalg_torch


class MathMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    # ---- elementwise unary math ----
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
    # ---- matrix products, matrix structure, new_* ----
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
    # ---- elementwise binary/ternary math and predicates ----
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
    # ---- special functions (ops/special_*.py, imported on call: one block) ----
    def lgamma(self):
        from .ops.special_gamma import lgamma
        return lgamma(self)

    def digamma(self):
        from .ops.special_gamma import digamma
        return digamma(self)

    def polygamma(self, n):
        from .ops.special_gamma import polygamma
        return polygamma(n, self)

    def mvlgamma(self, p):
        from .ops.special_gamma import mvlgamma
        return mvlgamma(self, p)

    def igamma(self, other):
        from .ops.special_gamma import igamma
        return igamma(self, other)

    def igammac(self, other):
        from .ops.special_gamma import igammac
        return igammac(self, other)

    def i0(self):
        from .ops.special_bessel import i0
        return i0(self)

    def logit(self, eps=None):
        from .ops.special_misc import logit
        return logit(self, eps)

    def sinc(self):
        from .ops.special_misc import sinc
        return sinc(self)
    # ---- reductions and scans ----
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

    # ---- linalg (ops/linalg_*.py) ----
    def det(self): return _linalg_det.det(self)
    def logdet(self): return _linalg_det.logdet(self)
    def slogdet(self): return _linalg_det.torch_slogdet(self)
    def inverse(self): return _linalg_solve.inverse(self)
    def cholesky(self, upper=False): return _linalg_torch.torch_cholesky(self, upper)
    def qr(self, some=True): return _linalg_torch.torch_qr(self, some)

    def svd(self, some=True, compute_uv=True):
        return _linalg_torch.torch_svd(self, some, compute_uv)

    def pinverse(self, rcond=1e-15): return _linalg_more.pinverse(self, rcond)
    def matrix_power(self, n): return _linalg_more.matrix_power(self, n)
    def matrix_exp(self): return _linalg_more.matrix_exp(self)
    def cross(self, other, dim=None): return _linalg_torch.torch_cross(self, other, dim)
    def ger(self, vec2): return _linalg_torch.ger(self, vec2)
    def inner(self, other): return _linalg_torch.inner(self, other)

    def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
        return _linalg_lu.triangular_solve(self, A, upper, transpose, unitriangular)

    def cholesky_solve(self, input2, upper=False):
        return _linalg_lu.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper=False): return _linalg_lu.cholesky_inverse(self, upper)

    def lu_solve(self, LU_data, LU_pivots):
        return _linalg_lu.torch_lu_solve(self, LU_data, LU_pivots)
