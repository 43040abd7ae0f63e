"""The gamma family: lgamma, digamma, polygamma, mvlgamma and the regularized incomplete gamma
functions igamma/igammac (torch.X and torch.special.gammaln/psi/multigammaln/gammainc/...).

Each backward is torch's formula (derivatives.yaml) written with differentiable ops, so double
backward works; forward mode uses the same formulas (torch's auto_element_wise):

    lgamma'  = digamma                 digamma' = polygamma(1, .)
    polygamma(n, .)' = polygamma(n + 1, .)
    mvlgamma(x, p) = sum_{j<p} lgamma(x - j/2) + p (p - 1)/4 log(pi)   (composed: its gradient
                                        is sum_j digamma(x - j/2), torch's mvlgamma_backward)
    d igamma(a, x)/dx  =  exp((a - 1) log x - x - lgamma(a))  = -d igammac(a, x)/dx
    d igamma(a, x)/da: torch has none ("the derivative for 'igamma: input' is not
    implemented."); neither has its forward mode: both raise here too.

polygamma(1, .) is torch's own trigamma series (reflection below 1/2), polygamma(n >= 2, x) is
(-1)^(n+1) n! zeta(n + 1, x) with torch's Hurwitz zeta conventions (zeta(s, inf) is nan),
so edge values agree with torch's rather than scipy's.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Op
from ..backend import array_module
from ..forward_ad import elementwise
from .arith import _grad, _shape
from .checks import need_int, need_tensor
from .special_base import (binary_in, check_input, finish, quiet, scipy_fn, unary_in,
                           unary_scipy)


def _lgamma(x):
    with quiet():
        y = unary_scipy(x, "gammaln", "lgamma", "lgamma")
    return array_module(y).where(array_module(x).isneginf(x), np.inf, y)  # torch: lgamma(-inf)=inf


def _trigamma(xp, x):
    """torch's trigamma (ATen/native/Math.h), vectorized: reflection below 1/2, six steps of
    the recurrence, then the asymptotic series."""
    low = x < 0.5
    s = xp.sin(np.pi * x)
    result = xp.where(low, -(np.pi * np.pi) / (s * s), 0).astype(x.dtype)
    x = xp.where(low, 1 - x, x)
    for _ in range(6):
        result = result + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    result = result + (1 + 1 / (2 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / x
    return xp.where(low, -result, result).astype(x.dtype, copy=False)


def hurwitz_zeta(xp, s, q, name):
    """zeta(s, q) with torch's conventions (its Cephes zeta): s == 1 -> inf, s < 1 -> nan,
    q a non-positive integer -> inf, q <= 0 with s not an integer -> nan, q == inf -> nan."""
    z = scipy_fn(q if hasattr(q, "dtype") else s, "zeta", name)
    y = xp.asarray(z(s, q))
    y = xp.where(q == np.inf, np.nan, y)
    y = xp.where((q <= 0) & (q == xp.floor(q)), np.inf, y)
    y = xp.where((q <= 0) & (s != xp.floor(s)), np.nan, y)
    y = xp.where(s < 1, np.nan, y)
    return xp.where(s == 1, np.inf, y)


def _polygamma(x, n):
    a, dt = unary_in(x, "polygamma")
    xp = array_module(x)
    with quiet():
        if n == 0:
            y = scipy_fn(x, "psi", "polygamma")(a)
        elif n == 1:
            y = _trigamma(xp, a)
        else:       # torch: zeta in double (its acc type) for float, the factor in the dtype
            fact = (1 if n % 2 else -1) * math.exp(math.lgamma(n + 1.0))
            s = np.float64(n + 1)
            y = fact * hurwitz_zeta(xp, s, a.astype("float64"), "polygamma").astype(a.dtype)
    return finish(xp, y, dt)


class Lgamma(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _lgamma(x)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d lgamma(x) = digamma(x) dx
        return g * Digamma.apply(x)

    jvp = elementwise           # d lgamma = digamma(x) dx (diagonal J: J v = J^T v)


class Digamma(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _polygamma(x, 0)             # digamma(0) = -inf, digamma(-0.0) = inf (torch)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d digamma(x) = polygamma(1, x) dx
        return g * Polygamma.apply(x, 1)

    jvp = elementwise           # d digamma = polygamma(1, x) dx (diagonal J: J v = J^T v)


class Polygamma(Op):
    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return _polygamma(x, n)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors              # d polygamma(n, x) = polygamma(n + 1, x) dx
        return g * Polygamma.apply(x, ctx.n + 1), None

    jvp = elementwise           # d polygamma(n, .) = polygamma(n + 1, x) dx (diagonal J)


class _IncompleteGamma(Op):
    """igamma(a, x) (lower, sign +1) and igammac(a, x) (upper, sign -1)."""

    @classmethod
    def forward(cls, ctx, a, x):
        ctx.shapes = _shape(a), _shape(x)
        ctx.save_for_backward(a, x)
        aa, xx, dt, _ = binary_in(a, x, cls.name, ints=False)
        xp = array_module(aa)
        with quiet():
            y = xp.asarray(scipy_fn(aa, cls.scipy, cls.name)(aa, xx))
            lo = 1.0 if cls.sign > 0 else 0.0      # the value at x = inf
            # torch's calc_igamma / calc_igammac edge cases, in its order (last rule wins here)
            y = xp.where(xp.isinf(xx), lo, y)
            y = xp.where(xp.isinf(aa), xp.where(xp.isinf(xx), np.nan, 1 - lo), y)
            y = xp.where(xx == 0, 1 - lo, y)
            y = xp.where(aa == 0, xp.where(xx > 0, lo, np.nan), y)
            y = xp.where((xx < 0) | (aa < 0), np.nan, y)
        return finish(xp, y, dt)

    @classmethod
    def backward(cls, ctx, g):
        a, x = ctx.saved_tensors            # dx = +-g exp((a - 1) log x - x - lgamma(a))
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{cls.name}: input' is not "
                                      "implemented.")
        gx = None
        if ctx.needs_input_grad[1]:
            d = ((a - 1) * x.log() - x - Lgamma.apply(a)).exp()
            gx = _grad(g * d if cls.sign > 0 else -g * d, ctx.shapes[1])
        return None, gx


class Igamma(_IncompleteGamma):
    name, scipy, sign = "igamma", "gammainc", 1


class Igammac(_IncompleteGamma):
    name, scipy, sign = "igammac", "gammaincc", -1


# ---- the public functions (torch.X, torch.special.Y; Tensor.X and Tensor.X_ call these) ----
def lgamma(input):
    """log|Gamma(input)| (torch.lgamma, torch.special.gammaln)."""
    return Lgamma.apply(check_input("lgamma", input))


def digamma(input):
    """d/dx lgamma(x) (torch.digamma, torch.special.psi); -inf at 0, nan at negative
    integers."""
    return Digamma.apply(check_input("digamma", input))


def polygamma(n, input):
    """The n-th derivative of digamma, n >= 0 an int (torch.polygamma)."""
    if isinstance(n, (bool, np.bool_)) or isinstance(n, float):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    n = need_int("polygamma", n, "n", 1)
    check_input("polygamma", input)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(input, n)


def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension p >= 1 (torch.mvlgamma,
    torch.special.multigammaln). As torch 2.x, no domain check: x <= (p - 1)/2 gives what
    the sum of lgamma gives (inf at the poles)."""
    if isinstance(p, (bool, np.bool_)) or isinstance(p, float):
        raise TypeError(f"mvlgamma(): argument 'p' (position 2) must be int, not "
                        f"{type(p).__name__}")
    p = need_int("mvlgamma", p, "p", 2)
    check_input("mvlgamma", input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if input.dtype.kind == "b":
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    out = None
    for j in range(p - 1, -1, -1):          # args x - (p-1)/2, ..., x - 1/2, x (torch's order)
        term = Lgamma.apply(input - j / 2 if j else input)
        out = term if out is None else out + term
    return out + p * (p - 1) * math.log(math.pi) / 4


def _two(fn, input, other):
    check_input(fn, input)
    need_tensor(fn, other, "other", 2)


def igamma(input, other):
    """The regularized lower incomplete gamma function P(input, other) (torch.igamma,
    torch.special.gammainc); floating results only, as torch's."""
    _two("igamma", input, other)
    return Igamma.apply(input, other)


def igammac(input, other):
    """The regularized upper incomplete gamma function Q(input, other) = 1 - P (torch.igammac,
    torch.special.gammaincc)."""
    _two("igammac", input, other)
    return Igammac.apply(input, other)
