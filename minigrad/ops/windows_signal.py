"""torch's top-level window functions: hann_window, hamming_window, blackman_window,
bartlett_window, kaiser_window (leaf tensors, not differentiable functions of anything).

Each follows ATen's formula in the requested dtype, with n = window_length (+1 if periodic,
then the last value dropped):
    hamming[k] = alpha - beta cos(2 pi k / (n - 1))       (hann: alpha = beta = 1/2)
    blackman[k] = 0.42 - 0.5 cos(2 pi k / (n - 1)) + 0.08 cos(4 pi k / (n - 1))
    bartlett[k] = 2k / (n - 1) on the first half, 2 - 2k / (n - 1) after
    kaiser[k] = I0(beta sqrt(1 - ((k - a) / a)^2)) / I0(beta),  a = (n - 1) / 2
"""
from __future__ import annotations

import numpy as np

from .checks import need_bool, need_dtype, need_float, need_int


def _setup(fn, window_length, periodic, dtype, device, requires_grad):
    """Checks as ATen's window_function_checks (dtype first, then the length)."""
    from ..creation import _xp_for
    from .. import backend
    n = need_int(fn, window_length, "window_length", 1)
    need_bool(fn, periodic, "periodic", 2)
    need_bool(fn, requires_grad, "requires_grad")
    dt = np.dtype(need_dtype(fn, dtype) if dtype is not None else backend.get_default_dtype())
    if dt.kind != "f":
        raise RuntimeError(f"{fn} expects floating point dtypes, got: {dt}")
    if n < 0:
        raise RuntimeError(f"{fn} requires non-negative window_length, got window_length={n}")
    xp, _ = _xp_for(device)
    return xp, n, dt


def _finish(xp, n, dt, periodic, requires_grad, formula):
    from ..creation import _finish as finish
    if n <= 1:                              # ATen: length 0 is empty, length 1 is [1]
        return finish(xp.ones(n, dtype=dt), requires_grad)
    m = n + 1 if periodic else n
    w = formula(xp.arange(m, dtype=dt), m)
    return finish(xp.ascontiguousarray(w[:n]).astype(dt, copy=False), requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, pin_memory=False, requires_grad=False):
    """The generalized Hamming window alpha - beta cos(2 pi k / (n - 1)), shape
    (window_length,); periodic drops the last point of a window one longer.
    Matches torch.hamming_window."""
    xp, n, dt = _setup("hamming_window", window_length, periodic, dtype, device,
                       requires_grad)
    a = dt.type(need_float("hamming_window", alpha, "alpha", 3))
    b = dt.type(need_float("hamming_window", beta, "beta", 4))
    return _finish(xp, n, dt, periodic, requires_grad,
                   lambda k, m: a - b * xp.cos(k * dt.type(2 * np.pi / (m - 1))))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):
    """The Hann window 1/2 - 1/2 cos(2 pi k / (n - 1)), shape (window_length,).
    Matches torch.hann_window."""
    xp, n, dt = _setup("hann_window", window_length, periodic, dtype, device, requires_grad)
    h = dt.type(0.5)
    return _finish(xp, n, dt, periodic, requires_grad,
                   lambda k, m: h - h * xp.cos(k * dt.type(2 * np.pi / (m - 1))))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """The Blackman window 0.42 - 0.5 cos(2 pi k/(n-1)) + 0.08 cos(4 pi k/(n-1)).
    Matches torch.blackman_window."""
    xp, n, dt = _setup("blackman_window", window_length, periodic, dtype, device,
                       requires_grad)

    def formula(k, m):
        w = k * dt.type(np.pi / (m - 1))
        c = [dt.type(v) for v in (0.08, 0.5, 0.42)]
        return xp.cos(w * dt.type(4)) * c[0] - xp.cos(w * dt.type(2)) * c[1] + c[2]
    return _finish(xp, n, dt, periodic, requires_grad, formula)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):
    """The triangular (Bartlett) window 1 - |2k/(n-1) - 1|, shape (window_length,).
    Matches torch.bartlett_window."""
    xp, n, dt = _setup("bartlett_window", window_length, periodic, dtype, device,
                       requires_grad)

    def formula(k, m):
        w = k * dt.type(2.0 / (m - 1))
        half = ((m - 1) >> 1) + 1          # ATen: the second half is 2 - w
        w[half:] = dt.type(2) - w[half:]
        return w
    return _finish(xp, n, dt, periodic, requires_grad, formula)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, pin_memory=False, requires_grad=False):
    """The Kaiser window I0(beta sqrt(1 - ((k - a)/a)^2)) / I0(beta), a = (n - 1)/2.
    Matches torch.kaiser_window (computed in float64, then rounded to dtype)."""
    xp, n, dt = _setup("kaiser_window", window_length, periodic, dtype, device,
                       requires_grad)
    beta = need_float("kaiser_window", beta, "beta", 3)

    def formula(k, m):
        a = (m - 1) / 2.0
        r = xp.sqrt(xp.abs(1 - ((k.astype(np.float64) - a) / a) ** 2))
        return xp.i0(beta * r) / xp.i0(xp.asarray(beta))
    return _finish(xp, n, dt, periodic, requires_grad, formula)
