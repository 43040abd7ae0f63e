"""In-place random fills with torch's names, arguments and checks: random_, geometric_,
cauchy_, log_normal_ (uniform_, normal_, bernoulli_ and exponential_ are in tensor_inplace.py
and sampling.py). Every draw comes from backend.rng(xp, generator):

    random_(from, to)     k uniform on the integers [from, to - 1]; without `to`, up to the
                          largest integer the dtype holds (floats: 2^digits, exactly
                          representable; integers: their maximum; bool: 1)
    geometric_(p)         k in {1, 2, ...}, P(k) = (1 - p)^(k - 1) p (trials to the first
                          success)
    cauchy_(m, s)         m + s tan(pi (u - 1/2)), u ~ U(0, 1)
    log_normal_(m, s)     exp(m + s z), z ~ N(0, 1)
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend
from ..backend import array_module
from ..generator import check_generator
from .arith import torch_name
from .checks import need_float, need_int

# the names torch's range errors give the dtypes ("from is out of bounds for unsigned char")
_C_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "signed char",
            "uint8": "unsigned char", "int16": "short", "int32": "int", "int64": "long",
            "bool": "bool"}


def _draw(self, generator):
    return backend.rng(array_module(self.data), generator)


def _fill(self, values, who):
    from .inplace import fill        # lazy: inplace imports the tensor-level ops
    return fill(self, array_module(self.data).asarray(values).astype(self.dtype), who)


def _dtype_range(dt):
    """The integers dtype dt can hold: ([lo, hi] of its values, [lo, hi] it holds exactly)."""
    if dt.kind == "b":
        return (0, 1), (0, 1)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return (int(info.min), int(info.max)), (int(info.min), int(info.max))
    info = np.finfo(dt)
    exact = 2 ** (info.nmant + 1)
    return (-int(info.max), int(info.max)), (-exact, exact)


def random_(self, *args, to=None, generator=None):
    """self filled with integers drawn uniformly (torch's random_(), random_(to),
    random_(from, to), random_(from, None))."""
    check_generator("random_", generator)
    if len(args) > 2:
        raise TypeError(f"random_() takes at most 2 positional arguments ({len(args)} given)")
    if len(args) == 1 and to is None:
        low, high = 0, need_int("random_", args[0], "to", 1)
    else:
        low = need_int("random_", args[0], "from", 1) if args else 0
        high = args[1] if len(args) == 2 else to
        high = None if high is None else need_int("random_", high, "to", 2)
    dt = self.dtype
    (lo, hi), (exact_lo, exact_hi) = _dtype_range(dt)
    name = _C_NAMES.get(dt.name, torch_name(dt))
    if high is None:
        top = exact_hi if dt.kind == "f" else hi
        if not lo <= low <= top:
            raise RuntimeError(f"random_: from is out of bounds for {name}")
    else:
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        top = high - 1
        if not lo <= low <= hi:
            raise RuntimeError(f"random_: from is out of bounds for {name}")
        if not lo <= top <= hi:
            raise RuntimeError(f"random_: to - 1 is out of bounds for {name}")
        if dt.kind == "f" and not (exact_lo <= low and top <= exact_hi):
            warnings.warn(f"random_: to - 1 is out of bounds [{exact_lo}, {exact_hi}]: {name} "
                          "holds the integers exactly only within this range", stacklevel=3)
    if backend.vmap_decides_draws():
        from .sampling import vmapped_fill
        return vmapped_fill(self, lambda t: _fill_ints(t, low, top, generator), "random_")
    return _fill_ints(self, low, top, generator)


def _fill_ints(t, low, top, generator):
    """t filled with integers drawn uniformly from [low, top] (both ends included)."""
    r = _draw(t, generator)
    if array_module(t.data) is np:
        k = r.integers(low, top, t.shape, dtype=np.int64, endpoint=True)
    else:                                   # (CuPy's generator: high excluded)
        k = r.randint(low, top + 1, size=t.shape, dtype=np.int64)
    return _fill(t, k, "random_")


def geometric_(self, p, *, generator=None):
    """self filled with the number of Bernoulli(p) trials up to the first success."""
    check_generator("geometric_", generator)
    p = need_float("geometric_", p, "p", 1)
    if not 0.0 < p < 1.0:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    if self.dtype.kind == "b":
        raise NotImplementedError("\"geometric_cpu\" not implemented for 'Bool'")
    if backend.vmap_decides_draws():
        from .sampling import vmapped_fill
        return vmapped_fill(self, lambda t: geometric_(t, p, generator=generator), "geometric_")
    return _fill(self, _draw(self, generator).geometric(p, self.shape),
                 "geometric_")


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """self filled with Cauchy(median, sigma) draws."""
    check_generator("cauchy_", generator)
    median = need_float("cauchy_", median, "median", 1)
    sigma = need_float("cauchy_", sigma, "sigma", 2)
    if self.dtype.kind != "f":
        raise RuntimeError(f"Cauchy distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{torch_name(self.dtype)}")
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    if backend.vmap_decides_draws():
        from .sampling import vmapped_fill
        return vmapped_fill(self, lambda t: cauchy_(t, median, sigma, generator=generator),
                            "cauchy_")
    with np.errstate(over="ignore", invalid="ignore"):     # sigma = inf gives inf, as torch
        draws = median + sigma * _draw(self, generator).standard_cauchy(self.shape)
    return _fill(self, draws, "cauchy_")


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """self filled with exp(N(mean, std^2)) draws."""
    check_generator("log_normal_", generator)
    mean = need_float("log_normal_", mean, "mean", 1)
    std = need_float("log_normal_", std, "std", 2)
    if self.dtype.kind != "f":
        raise NotImplementedError(f"\"log_normal_cpu\" not implemented for "
                                  f"'{torch_name(self.dtype)}'")
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    if backend.vmap_decides_draws():
        from .sampling import vmapped_fill
        return vmapped_fill(self, lambda t: log_normal_(t, mean, std, generator=generator),
                            "log_normal_")
    with np.errstate(over="ignore"):
        draws = array_module(self.data).exp(_draw(self, generator).normal(mean, std,
                                                                          self.shape))
    return _fill(self, draws, "log_normal_")
