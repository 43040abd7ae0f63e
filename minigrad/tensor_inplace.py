"""Tensor's in-place methods: the out-of-place op, then a write into the tensor's own memory.

ops/inplace.py does the work (version counters, leaf checks, history rebased as in torch);
Python's augmented assignments (x += y) are in place here, as in torch.
"""
from __future__ import annotations

from . import backend
from .ops import inplace


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
        return inplace.arith(self, "multiply", other, "mul_", lambda t: t * other)

    def div_(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return inplace.arith(self, "true_divide", other, "div_", lambda t: t / other)
        return inplace.update(self, lambda t: t.div(other, rounding_mode=rounding_mode), "div_",
                              other)

    def true_divide_(self, other): return self.div_(other)
    def floor_divide_(self, o): return inplace.update(self, lambda t: t // o, "floor_divide_", o)
    def remainder_(self, o): return inplace.update(self, lambda t: t % o, "remainder_", o)
    def fmod_(self, o): return inplace.update(self, lambda t: t.fmod(o), "fmod_", o)
    def pow_(self, o): return inplace.update(self, lambda t: t ** o, "pow_", o)
    def bitwise_and_(self, o): return inplace.update(self, lambda t: t & o, "bitwise_and_", o)
    def bitwise_or_(self, o): return inplace.update(self, lambda t: t | o, "bitwise_or_", o)
    def bitwise_xor_(self, o): return inplace.update(self, lambda t: t ^ o, "bitwise_xor_", o)
    def bitwise_not_(self): return inplace.update(self, lambda t: ~t, "bitwise_not_")

    def bitwise_left_shift_(self, o):
        return inplace.update(self, lambda t: t << o, "bitwise_left_shift_", o)

    def bitwise_right_shift_(self, o):
        return inplace.update(self, lambda t: t >> o, "bitwise_right_shift_", o)

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

    def uniform_(self, a=0.0, b=1.0):
        r = backend.rng(backend.array_module(self.data))
        return inplace.fill(self, r.uniform(a, b, self.shape), "uniform_")

    def normal_(self, mean=0.0, std=1.0):
        r = backend.rng(backend.array_module(self.data))
        return inplace.fill(self, r.normal(mean, std, self.shape), "normal_")

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

    # ---- issue 15: sorting, selection and indexing ----
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
