"""The orthogonal polynomials of torch.special, P_n(x) for a tensor or number x and n:
chebyshev_polynomial_t/u/v/w, shifted_chebyshev_polynomial_t/u/v/w, hermite_polynomial_h/he,
laguerre_polynomial_l, legendre_polynomial_p.

torch marks them non_differentiable in both arguments (the output never requires grad) and
has no float16 kernel. Its algorithm (ATen/native/Math.h), run here vectorized in the result
dtype: n is truncated to an integer (a non-finite or out-of-range n counts as negative), a
negative n gives 0; then the special points (x = +-1 for Chebyshev/Legendre, x = 0, 1 for the
shifted ones, x = 0 for Laguerre), the trigonometric closed forms of the Chebyshev polynomials
for large n inside (-1, 1), and otherwise the three-term recurrence

    T, U, V, W:  P_{m+1} = 2x P_m - P_{m-1}         (P_1 = x, 2x, 2x - 1, 2x + 1)
    H:   P_{m+1} = 2x P_m - 2m P_{m-1}              He:  P_{m+1} = x P_m - m P_{m-1}
    L:   P_{m+1} = ((2m + 1 - x) P_m - m P_{m-1}) / (m + 1)
    P:   P_{m+1} = ((2m + 1) x P_m - m P_{m-1}) / (m + 1)

(shifted: x replaced by 2x - 1), each element stopping at its own n (or at a nan). Hermite's
n above 512 (float64) or 128 (float32) is nan, as torch's.
"""
from __future__ import annotations

import numpy as np

from ..backend import array_module
from .special_base import NonDifferentiable, binary_in, finish, overload_check


def _as_int(xp, n):
    """torch's static_cast<int64_t>(n): truncation; nan, inf and out-of-range give a negative
    value (x86's 'integer indefinite')."""
    ok = xp.isfinite(n) & (xp.abs(n) < 2.0 ** 62)
    return xp.where(ok, xp.trunc(xp.where(ok, n, 0)), -1).astype(np.int64)


def _fms(a, q, c):
    """a * q - c as torch's compiled loop computes it: one fused multiply-add (the product
    a * q is not rounded). Exact for float32 (emulated in float64, product exact there);
    float64 rounds the product (1 ulp); where the rounded product overflows but the fused
    result need not, it is computed at half scale (as the fused operation, finite there)."""
    if a.dtype == np.float32:
        return (a.astype(np.float64) * q - c).astype(np.float32)
    xp = array_module(q)
    with np.errstate(over="ignore", invalid="ignore"):
        r = a * q - c
        over = xp.isinf(r) & xp.isfinite(q) & xp.isfinite(c)
        if over.any():
            r = xp.where(over, (a * (q * 0.5) - c * 0.5) * 2.0, r)
    return r


def _libm(fn, a):
    """fn(a) correctly rounded (as glibc's float functions are, unlike NumPy's float32 SIMD
    loops, which differ in the last bits)."""
    return fn(a.astype(np.float64)).astype(a.dtype) if a.dtype == np.float32 else fn(a)


def _recurrence(xp, x, n, q0, q1, step):
    """P_n from P_0 = q0, P_1 = q1 and P_{m+1} = fms(a, P_m, c) / d, where (a, c, d) =
    step(m, x, P_{m-1}) (elements with n >= 2; the others take q0 or q1)."""
    out = xp.where(n == 0, q0, q1)
    idx = xp.flatnonzero(n >= 2)
    xs, ns, p, q = x[idx], n[idx], q0[idx], q1[idx]
    m = 1
    while idx.size:
        a, c, d = step(m, xs, p)
        r = _fms(a, q, c)
        p, q = q, (r if d is None else r / x.dtype.type(d))
        done = (ns - 1 <= m) | xp.isnan(q)
        out[idx[done]] = q[done]
        keep = ~done
        idx, xs, ns, p, q = idx[keep], xs[keep], ns[keep], p[keep], q[keep]
        m += 1
    return out


def _cheb(xp, x, n, q1, closed, ends, limit):
    """A Chebyshev kind: q1 = P_1, closed(t = acos(x)) for n > limit inside (-1, 1), ends
    (a function of x, n giving the values at |x| == 1)."""
    T = x.dtype.type
    out = _recurrence(xp, x, n, xp.ones_like(x), q1, lambda m, x, p: (x + x, p, None))
    inside = (n > limit) & (xp.abs(x) < 1)
    t = _libm(xp.arccos, xp.where(inside, x, T(0)))
    out = xp.where(inside, closed(t, n.astype(x.dtype), x), out)
    return xp.where(xp.abs(x) == 1, ends(x, n), out)


def _odd(n):
    return n % 2 == 1


def cheb_t(xp, x, n):
    return _cheb(xp, x, n, x, lambda t, nf, x: _libm(xp.cos, nf * t),
                 lambda x, n: xp.where((x > 0) | ~_odd(n), 1, -1), 6)


def cheb_u(xp, x, n):
    def closed(t, nf, x):
        s = _libm(xp.sin, t)
        a = (nf + 1) * t
        return xp.where(s != 0, _libm(xp.sin, a) / s, (nf + 1) * _libm(xp.cos, a) / x)
    return _cheb(xp, x, n, x + x, closed,
                 lambda x, n: xp.where((x > 0) | ~_odd(n), n + 1, -(n + 1)), 8)


def _v_closed(xp, t, nf, n2):
    c = _libm(xp.sin, t / 2)
    return xp.where(c != 1, _libm(xp.cos, (nf + 0.5) * t) / _libm(xp.cos, t / 2), n2)


def cheb_v(xp, x, n):
    n2 = xp.where(_odd(n), -(n + n + 1), n + n + 1)
    return _cheb(xp, x, n, x + x - 1, lambda t, nf, x: _v_closed(xp, t, nf, n2),
                 lambda x, n: xp.where(x > 0, 1, n2), 8)


def _w_closed(xp, t, nf, at_one):
    half = t / 2
    return xp.where(_libm(xp.cos, half) != 1,
                    _libm(xp.sin, (nf + 0.5) * t) / _libm(xp.sin, half), at_one)


def cheb_w(xp, x, n):
    def at_one(x, n):
        return xp.where(x > 0, n + n + 1, xp.where(_odd(n), -1, 1))
    return _cheb(xp, x, n, x + x + 1, lambda t, nf, x: _w_closed(xp, t, nf, at_one(x, n)),
                 at_one, 8)


def _shifted(xp, x, n, q1, closed, at1, at0, limit):
    """The shifted Chebyshev kinds: y = 2x - 1 in the recurrence and the closed form; the
    special points are x == 1 (at1) and x == 0 (at0)."""
    T = x.dtype.type
    y = x + x - T(1)
    out = _recurrence(xp, x, n, xp.ones_like(x), q1(y),
                      lambda m, x, p: (x + x - T(1) + (x + x - T(1)), p, None))
    inside = (n > limit) & (xp.abs(y) < 1)
    t = _libm(xp.arccos, xp.where(inside, y, T(0)))
    out = xp.where(inside, closed(t, n.astype(x.dtype), y), out)
    out = xp.where(x == 0, at0, out)
    return xp.where(x == 1, at1, out)


def shifted_t(xp, x, n):
    return _shifted(xp, x, n, lambda y: y, lambda t, nf, y: _libm(xp.cos, nf * t), 1,
                    xp.where(_odd(n), -1, 1), 6)


def shifted_u(xp, x, n):
    def closed(t, nf, y):
        s = _libm(xp.sin, t)
        a = (nf + 1) * t
        return xp.where(s != 0, _libm(xp.sin, a) / s, (nf + 1) * _libm(xp.cos, a) / y)
    return _shifted(xp, x, n, lambda y: y + y, closed, n + 1,
                    xp.where(_odd(n), -(n + 1), n + 1), 6)


def shifted_v(xp, x, n):
    n2 = xp.where(_odd(n), -(n + n + 1), n + n + 1)
    return _shifted(xp, x, n, lambda y: y + y - 1, lambda t, nf, y: _v_closed(xp, t, nf, n2),
                    1, n2, 6)


def shifted_w(xp, x, n):
    pm1 = xp.where(_odd(n), -1, 1)
    return _shifted(xp, x, n, lambda y: y + y + 1, lambda t, nf, y: _w_closed(xp, t, nf, pm1),
                    n + n + 1, pm1, 4)


def _hermite(xp, x, n, q1, step):
    limit = 512 if x.dtype == np.float64 else 128
    out = _recurrence(xp, x, n, xp.ones_like(x), q1, step)
    return xp.where(n > limit, np.nan, out)


def hermite_h(xp, x, n):
    return _hermite(xp, x, n, x + x, lambda m, x, p: (x + x, (2 * m) * p, None))


def hermite_he(xp, x, n):
    return _hermite(xp, x, n, x, lambda m, x, p: (x, m * p, None))


def laguerre_l(xp, x, n):
    T = x.dtype.type
    out = _recurrence(xp, x, n, xp.ones_like(x), T(1) - x,
                      lambda m, x, p: ((m + m) + (T(1) - x), m * p, m + 1))
    return xp.where(x == 0, 1, out)


def legendre_p(xp, x, n):
    out = _recurrence(xp, x, n, xp.ones_like(x), x,
                      lambda m, x, p: ((m + m + 1) * x, m * p, m + 1))
    return xp.where(xp.abs(x) == 1, xp.where((x > 0) | ~_odd(n), 1, -1), out)


def _polynomial(fn, kernel, x, n):
    a, b, dt, shape = binary_in(x, n, kernel, half=False)
    xp = array_module(a)
    a = xp.ascontiguousarray(xp.broadcast_to(a, shape)).reshape(-1)
    k = _as_int(xp, xp.broadcast_to(b, shape).reshape(-1))
    out = fn(xp, a, k)
    return finish(xp, xp.where(k < 0, 0, out), dt).reshape(shape)


class Polynomial(NonDifferentiable):
    """One of the polynomials: kernel (torch's name) and fn(xp, x, int64 n), set by each
    subclass below."""

    @classmethod
    def math(cls, x, n):
        return _polynomial(cls.fn, cls.kernel, x, n)


class ChebyshevT(Polynomial):
    kernel, fn = "chebyshev_polynomial_t", cheb_t


class ChebyshevU(Polynomial):
    kernel, fn = "chebyshev_polynomial_u", cheb_u


class ChebyshevV(Polynomial):
    kernel, fn = "chebyshev_polynomial_v", cheb_v


class ChebyshevW(Polynomial):
    kernel, fn = "chebyshev_polynomial_w", cheb_w


class ShiftedChebyshevT(Polynomial):
    kernel, fn = "shifted_chebyshev_polynomial_t", shifted_t


class ShiftedChebyshevU(Polynomial):
    kernel, fn = "shifted_chebyshev_polynomial_u", shifted_u


class ShiftedChebyshevV(Polynomial):
    kernel, fn = "shifted_chebyshev_polynomial_v", shifted_v


class ShiftedChebyshevW(Polynomial):
    kernel, fn = "shifted_chebyshev_polynomial_w", shifted_w


class HermiteH(Polynomial):
    kernel, fn = "hermite_polynomial_h", hermite_h


class HermiteHe(Polynomial):
    kernel, fn = "hermite_polynomial_he", hermite_he


class LaguerreL(Polynomial):
    kernel, fn = "laguerre_polynomial_l", laguerre_l


class LegendreP(Polynomial):
    kernel, fn = "legendre_polynomial_p", legendre_p


def _apply(cls, x, n):
    """torch's overloads: (Tensor, Tensor), (Number, Tensor), (Tensor, Number)."""
    overload_check(f"special_{cls.kernel}", ("x", "n"), x, n)
    return cls.apply(x, n)


# ---- the public functions (torch.special.X(x, n)) ----
def chebyshev_polynomial_t(x, n):
    """The Chebyshev polynomial of the first kind T_n(x) (torch.special)."""
    return _apply(ChebyshevT, x, n)


def chebyshev_polynomial_u(x, n):
    """The Chebyshev polynomial of the second kind U_n(x) (torch.special)."""
    return _apply(ChebyshevU, x, n)


def chebyshev_polynomial_v(x, n):
    """The Chebyshev polynomial of the third kind V_n(x) (torch.special)."""
    return _apply(ChebyshevV, x, n)


def chebyshev_polynomial_w(x, n):
    """The Chebyshev polynomial of the fourth kind W_n(x) (torch.special)."""
    return _apply(ChebyshevW, x, n)


def shifted_chebyshev_polynomial_t(x, n):
    """T_n(2x - 1) (torch.special.shifted_chebyshev_polynomial_t)."""
    return _apply(ShiftedChebyshevT, x, n)


def shifted_chebyshev_polynomial_u(x, n):
    """U_n(2x - 1) (torch.special.shifted_chebyshev_polynomial_u)."""
    return _apply(ShiftedChebyshevU, x, n)


def shifted_chebyshev_polynomial_v(x, n):
    """V_n(2x - 1) (torch.special.shifted_chebyshev_polynomial_v)."""
    return _apply(ShiftedChebyshevV, x, n)


def shifted_chebyshev_polynomial_w(x, n):
    """W_n(2x - 1) (torch.special.shifted_chebyshev_polynomial_w)."""
    return _apply(ShiftedChebyshevW, x, n)


def hermite_polynomial_h(x, n):
    """The physicists' Hermite polynomial H_n(x) (torch.special)."""
    return _apply(HermiteH, x, n)


def hermite_polynomial_he(x, n):
    """The probabilists' Hermite polynomial He_n(x) (torch.special)."""
    return _apply(HermiteHe, x, n)


def laguerre_polynomial_l(x, n):
    """The Laguerre polynomial L_n(x) (torch.special)."""
    return _apply(LaguerreL, x, n)


def legendre_polynomial_p(x, n):
    """The Legendre polynomial P_n(x) (torch.special)."""
    return _apply(LegendreP, x, n)
