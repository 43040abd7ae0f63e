"""Tensor's in-place methods: the out-of-place op, then a write into the tensor's own memory.

ops/inplace.py does the work (version counters, leaf checks, history rebased as in torch);
Python's augmented assignments (x += y) are in place here, as in torch.
"""
from __future__ import annotations

from . import backend
from .ops import inplace, sampling, sampling_fills


def _call(name):
    return lambda t: getattr(t, name)()


class InplaceMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    def add_(self, other, *, alpha=1):
        return inplace.arith(self, "add", other, "add_",
                             lambda t: t.add(other, alpha=alpha), alpha)

    def sub_(self, other, *, alpha=1):
        return inplace.arith(self, "subtract", other, "sub_",
                             lambda t: t.sub(other, alpha=alpha), alpha)

    def mul_(self, other):
        return inplace.arith(self, "multiply", other, "mul_", lambda t: t.mul(other))

    def div_(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return inplace.arith(self, "true_divide", other, "div_", lambda t: t.div(other))
        return inplace.update(self, lambda t: t.div(other, rounding_mode=rounding_mode), "div_",
                              other)

    def true_divide_(self, other): return self.div_(other)
    # (the named methods, not the operators: a bad `o` gets the method's error, as in torch)
    def floor_divide_(self, o):
        return inplace.update(self, lambda t: t.floor_divide(o), "floor_divide_", o)

    def remainder_(self, o): return inplace.update(self, lambda t: t.remainder(o), "remainder_", o)
    def fmod_(self, o): return inplace.update(self, lambda t: t.fmod(o), "fmod_", o)

    def pow_(self, exponent):
        return inplace.update(self, lambda t: t.pow(exponent), "pow_", exponent)

    def bitwise_and_(self, o):
        return inplace.update(self, lambda t: t.bitwise_and(o), "bitwise_and_", o)

    def bitwise_or_(self, o):
        return inplace.update(self, lambda t: t.bitwise_or(o), "bitwise_or_", o)

    def bitwise_xor_(self, o):
        return inplace.update(self, lambda t: t.bitwise_xor(o), "bitwise_xor_", o)

    def bitwise_not_(self): return inplace.update(self, _call("bitwise_not"), "bitwise_not_")

    def bitwise_left_shift_(self, o):
        return inplace.update(self, lambda t: t.bitwise_left_shift(o), "bitwise_left_shift_", o)

    def bitwise_right_shift_(self, o):
        return inplace.update(self, lambda t: t.bitwise_right_shift(o), "bitwise_right_shift_",
                              o)

    def neg_(self): return inplace.update(self, lambda t: -t, "neg_")
    def exp_(self): return inplace.update(self, _call("exp"), "exp_")
    def log_(self): return inplace.update(self, _call("log"), "log_")
    def sqrt_(self): return inplace.update(self, _call("sqrt"), "sqrt_")
    def abs_(self): return inplace.update(self, _call("abs"), "abs_")
    def tanh_(self): return inplace.update(self, _call("tanh"), "tanh_")
    def sigmoid_(self): return inplace.update(self, _call("sigmoid"), "sigmoid_")
    def relu_(self): return inplace.update(self, _call("relu"), "relu_")
    def sin_(self): return inplace.update(self, _call("sin"), "sin_")
    def cos_(self): return inplace.update(self, _call("cos"), "cos_")

    def clamp_(self, min=None, max=None):
        return inplace.update(self, lambda t: t.clamp(min, max), "clamp_", min, max)

    clip_ = clamp_
    def clamp_min_(self, min): return self.clamp_(min=min)
    def clamp_max_(self, max): return self.clamp_(max=max)

    def masked_fill_(self, mask, value):
        return inplace.update(self, lambda t: t.masked_fill(mask, value), "masked_fill_", value,
                              check_cast=False)

    def scatter_(self, dim, index_, src=None, value=None):
        return inplace.update(self, lambda t: t.scatter(dim, index_, src, value), "scatter_",
                              src, check_cast=False)

    def scatter_add_(self, dim, index_, src):
        return inplace.update(self, lambda t: t.scatter_add(dim, index_, src), "scatter_add_",
                              src, check_cast=False)

    def zero_(self): return inplace.fill(self, 0, "zero_")
    def fill_(self, value): return inplace.fill(self, value)
    def copy_(self, src, non_blocking=False): return inplace.copy(self, src)

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        sampling.check_generator("uniform_", generator)
        a, b = inplace.uniform_bounds(self, a, b)
        if backend.vmap_decides_draws():
            return sampling.vmapped_fill(self, lambda t: t.uniform_(a, b, generator=generator),
                                         "uniform_")
        r = backend.rng(backend.array_module(self.data), generator)
        return inplace.fill(self, r.uniform(a, b, self.shape), "uniform_")

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        sampling.check_generator("normal_", generator)
        mean, std = inplace.normal_args(self, mean, std)
        if backend.vmap_decides_draws():
            return sampling.vmapped_fill(
                self, lambda t: t.normal_(mean, std, generator=generator), "normal_")
        r = backend.rng(backend.array_module(self.data), generator)
        return inplace.fill(self, r.normal(mean, std, self.shape), "normal_")

    def bernoulli_(self, p=0.5, *, generator=None):
        if backend.vmap_decides_draws():
            return sampling.vmapped_fill(self, lambda t: t.bernoulli_(p, generator=generator),
                                         "bernoulli_")
        return sampling.bernoulli_(self, p, generator=generator)

    def exponential_(self, lambd=1.0, *, generator=None):
        if backend.vmap_decides_draws():
            return sampling.vmapped_fill(
                self, lambda t: t.exponential_(lambd, generator=generator), "exponential_")
        return sampling.exponential_(self, lambd, generator=generator)

    def random_(self, *args, to=None, generator=None):
        return sampling_fills.random_(self, *args, to=to, generator=generator)

    def geometric_(self, p, *, generator=None):
        return sampling_fills.geometric_(self, p, generator=generator)

    def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
        return sampling_fills.cauchy_(self, median, sigma, generator=generator)

    def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
        return sampling_fills.log_normal_(self, mean, std, generator=generator)

    def __setitem__(self, key, value):
        inplace.setitem(self, key, value)

    # Python's augmented assignments are in place, as torch's (an alias sees the change)
    def __iadd__(self, o): return self.add_(o)
    def __isub__(self, o): return self.sub_(o)
    def __imul__(self, o): return self.mul_(o)
    def __itruediv__(self, o): return self.div_(o)
    def __ifloordiv__(self, o): return self.floor_divide_(o)
    def __imod__(self, o): return self.remainder_(o)
    def __ipow__(self, o): return self.pow_(o)
    def __iand__(self, o): return self.bitwise_and_(o)
    def __ior__(self, o): return self.bitwise_or_(o)
    def __ixor__(self, o): return self.bitwise_xor_(o)
    def __ilshift__(self, o): return self.bitwise_left_shift_(o)
    def __irshift__(self, o): return self.bitwise_right_shift_(o)

    # ---- elementwise unary math ----
    def log1p_(self): return inplace.update(self, _call("log1p"), "log1p_")
    def expm1_(self): return inplace.update(self, _call("expm1"), "expm1_")
    def log2_(self): return inplace.update(self, _call("log2"), "log2_")
    def log10_(self): return inplace.update(self, _call("log10"), "log10_")
    def exp2_(self): return inplace.update(self, _call("exp2"), "exp2_")
    def rsqrt_(self): return inplace.update(self, _call("rsqrt"), "rsqrt_")
    def reciprocal_(self): return inplace.update(self, _call("reciprocal"), "reciprocal_")
    def square_(self): return inplace.update(self, _call("square"), "square_")
    def erf_(self): return inplace.update(self, _call("erf"), "erf_")
    def erfc_(self): return inplace.update(self, _call("erfc"), "erfc_")
    def erfinv_(self): return inplace.update(self, _call("erfinv"), "erfinv_")
    def tan_(self): return inplace.update(self, _call("tan"), "tan_")
    def asin_(self): return inplace.update(self, _call("asin"), "asin_")
    def acos_(self): return inplace.update(self, _call("acos"), "acos_")
    def atan_(self): return inplace.update(self, _call("atan"), "atan_")
    def sinh_(self): return inplace.update(self, _call("sinh"), "sinh_")
    def cosh_(self): return inplace.update(self, _call("cosh"), "cosh_")
    def asinh_(self): return inplace.update(self, _call("asinh"), "asinh_")
    def acosh_(self): return inplace.update(self, _call("acosh"), "acosh_")
    def atanh_(self): return inplace.update(self, _call("atanh"), "atanh_")
    def sign_(self): return inplace.update(self, _call("sign"), "sign_")
    def sgn_(self): return inplace.update(self, _call("sgn"), "sgn_")
    def floor_(self): return inplace.update(self, _call("floor"), "floor_")
    def ceil_(self): return inplace.update(self, _call("ceil"), "ceil_")
    def trunc_(self): return inplace.update(self, _call("trunc"), "trunc_")
    def frac_(self): return inplace.update(self, _call("frac"), "frac_")

    def round_(self, *, decimals=0):
        return inplace.update(self, lambda t: t.round(decimals=decimals), "round_")

    # ---- matrix products, matrix structure ----
    def tril_(self, diagonal=0):
        return inplace.update(self, lambda t: t.tril(diagonal), "tril_")

    def triu_(self, diagonal=0):
        return inplace.update(self, lambda t: t.triu(diagonal), "triu_")

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return inplace.update(self, lambda t: t.addmm(mat1, mat2, beta=beta, alpha=alpha),
                              "addmm_", mat1, mat2)

    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return inplace.update(self, lambda t: t.addbmm(batch1, batch2, beta=beta, alpha=alpha),
                              "addbmm_", batch1, batch2)

    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return inplace.update(self, lambda t: t.baddbmm(batch1, batch2, beta=beta,
                                                        alpha=alpha), "baddbmm_", batch1, batch2)

    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return inplace.update(self, lambda t: t.addmv(mat, vec, beta=beta, alpha=alpha),
                              "addmv_", mat, vec)
    # ---- elementwise binary/ternary math and predicates ----
    def lerp_(self, end, weight):
        return inplace.update(self, lambda t: t.lerp(end, weight), "lerp_", end, weight)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return inplace.update(self, lambda t: t.addcmul(tensor1, tensor2, value=value),
                              "addcmul_", tensor1, tensor2)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return inplace.update(self, lambda t: t.addcdiv(tensor1, tensor2, value=value),
                              "addcdiv_", tensor1, tensor2)

    def xlogy_(self, o): return inplace.update(self, lambda t: t.xlogy(o), "xlogy_", o)
    def hypot_(self, o): return inplace.update(self, lambda t: t.hypot(o), "hypot_", o)
    def atan2_(self, o): return inplace.update(self, lambda t: t.atan2(o), "atan2_", o)
    arctan2_ = atan2_

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return inplace.update(self, lambda t: t.nan_to_num(nan, posinf, neginf), "nan_to_num_")

    def logical_and_(self, o):
        return inplace.update(self, lambda t: t.logical_and(o), "logical_and_", o)

    def logical_or_(self, o):
        return inplace.update(self, lambda t: t.logical_or(o), "logical_or_", o)

    def logical_xor_(self, o):
        return inplace.update(self, lambda t: t.logical_xor(o), "logical_xor_", o)

    def logical_not_(self): return inplace.update(self, lambda t: t.logical_not(), "logical_not_")

    # ---- special functions ----
    def lgamma_(self): return inplace.update(self, _call("lgamma"), "lgamma_")
    def digamma_(self): return inplace.update(self, _call("digamma"), "digamma_")
    def polygamma_(self, n): return inplace.update(self, lambda t: t.polygamma(n), "polygamma_")
    def mvlgamma_(self, p): return inplace.update(self, lambda t: t.mvlgamma(p), "mvlgamma_")
    def i0_(self): return inplace.update(self, _call("i0"), "i0_")
    def sinc_(self): return inplace.update(self, _call("sinc"), "sinc_")
    def logit_(self, eps=None): return inplace.update(self, lambda t: t.logit(eps), "logit_")
    def igamma_(self, o): return inplace.update(self, lambda t: t.igamma(o), "igamma_", o)
    def igammac_(self, o): return inplace.update(self, lambda t: t.igammac(o), "igammac_", o)

    # ---- reductions and scans ----
    def cumsum_(self, dim, *, dtype=None):
        return inplace.update(self, lambda t: t.cumsum(dim, dtype=dtype), "cumsum_",
                              check_cast=dtype is None)   # (bool -> int64 does not fit)

    def cumprod_(self, dim, *, dtype=None):
        return inplace.update(self, lambda t: t.cumprod(dim, dtype=dtype), "cumprod_",
                              check_cast=dtype is None)

    # ---- sorting, selection and indexing ----
    def index_add_(self, dim, index, source, *, alpha=1):
        return inplace.update(self, lambda t: t.index_add(dim, index, source, alpha=alpha),
                              "index_add_", source, check_cast=False)

    def index_copy_(self, dim, index, source):
        return inplace.update(self, lambda t: t.index_copy(dim, index, source), "index_copy_",
                              source, check_cast=False)

    def index_fill_(self, dim, index, value):
        return inplace.update(self, lambda t: t.index_fill(dim, index, value), "index_fill_",
                              value, check_cast=False)

    def index_put_(self, indices, values, accumulate=False):
        return inplace.update(self, lambda t: t.index_put(indices, values, accumulate),
                              "index_put_", values, check_cast=False)

    def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
        return inplace.update(self, lambda t: t.scatter_reduce(dim, index, src, reduce,
                                                               include_self=include_self),
                              "scatter_reduce_", src, check_cast=False)

    def masked_scatter_(self, mask, source):
        return inplace.update(self, lambda t: t.masked_scatter(mask, source), "masked_scatter_",
                              source, check_cast=False)
