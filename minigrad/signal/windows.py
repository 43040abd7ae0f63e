"""minigrad.signal.windows: torch.signal.windows (bartlett, blackman, cosine, exponential,
gaussian, general_cosine, general_hamming, hamming, hann, kaiser, nuttall).

Written as torch's Python module writes them: a linspace k (a leaf when requires_grad) and
differentiable ops on it, so values, dtypes and the autograd graph are torch's:
    general_cosine[k] = sum_i (-1)^i a_i cos(i 2 pi k / (M - 1))   (M instead of M - 1 when
    sym=False; hann, hamming, blackman and nuttall are its instances)
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .. import backend
from ..ops.checks import need_dtype, need_float, need_int

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _checks(fn, M, dtype, layout):
    """torch's _window_function_checks: length, layout, then float32/float64 only."""
    M = need_int(fn, M, "M", 1)
    if M < 0:
        raise ValueError(f"{fn} requires non-negative window length, got M={M}")
    if layout is not None and str(layout) not in ("strided", "torch.strided"):
        raise ValueError(f"{fn} is implemented for strided tensors only, got: {layout}")
    dt = np.dtype(need_dtype(fn, dtype) if dtype is not None else backend.get_default_dtype())
    if dt not in (np.float32, np.float64):
        raise ValueError(f"{fn} expects float32 or float64 dtypes, got: {dt}")
    return M, dt


def _trivial(M, dt, device, requires_grad):
    """Length 0 is empty; length 1 (for most windows) is [1]; a leaf like torch's."""
    from ..creation import empty, ones
    return (empty if M == 0 else ones)((M,), dtype=dt, device=device,
                                       requires_grad=requires_grad)


def _k(start, end, M, dt, device, requires_grad):
    from ..creation import linspace
    return linspace(start, end, M, dtype=dt, device=device, requires_grad=requires_grad)


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None,
                requires_grad=False):
    """exp(-|k - center| / tau); center defaults to the middle. Matches
    torch.signal.windows.exponential."""
    M, dt = _checks("exponential", M, dtype, layout)
    tau = need_float("exponential", tau, "tau")
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if M == 0:
        return _trivial(M, dt, device, requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    center = need_float("exponential", center, "center")
    c = 1 / tau
    k = _k(-center * c, (-center + (M - 1)) * c, M, dt, device, requires_grad)
    return (-k.abs()).exp()


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """sin(pi (k + 1/2) / M) (M + 1 when sym=False). Matches torch.signal.windows.cosine."""
    M, dt = _checks("cosine", M, dtype, layout)
    if M == 0:
        return _trivial(M, dt, device, requires_grad)
    c = math.pi / (M + 1 if not sym and M > 1 else M)
    return _k(0.5 * c, (0.5 + (M - 1)) * c, M, dt, device, requires_grad).sin()


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None,
             requires_grad=False):
    """exp(-(k - (M - 1)/2)^2 / (2 std^2)). Matches torch.signal.windows.gaussian."""
    M, dt = _checks("gaussian", M, dtype, layout)
    std = need_float("gaussian", std, "std")
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    if M == 0:
        return _trivial(M, dt, device, requires_grad)
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    c = 1 / (std * math.sqrt(2))
    k = _k(start * c, (start + (M - 1)) * c, M, dt, device, requires_grad)
    return (-(k ** 2)).exp()


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None,
           requires_grad=False):
    """I0(beta sqrt(1 - (2k/(M-1) - 1)^2)) / I0(beta). Matches torch.signal.windows.kaiser."""
    from ..creation import tensor
    from ..ops.compare import minimum
    from ..ops.special_bessel import i0
    M, dt = _checks("kaiser", M, dtype, layout)
    beta = need_float("kaiser", beta, "beta")
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    if M <= 1:
        return _trivial(M, dt, device, requires_grad)
    b = tensor(beta, dtype=dt, device=device)
    start = -b
    end = minimum(b, start + (M - 1) * (2.0 * b / (M if not sym else M - 1)))
    k = _k(start.item(), end.item(), M, dt, device, requires_grad)
    return i0((b * b - k ** 2).sqrt()) / i0(b)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """1 - |2k/(M-1) - 1| (M instead of M - 1 when sym=False). Matches
    torch.signal.windows.bartlett."""
    M, dt = _checks("bartlett", M, dtype, layout)
    if M <= 1:
        return _trivial(M, dt, device, requires_grad)
    c = 2 / (M if not sym else M - 1)
    return 1 - _k(-1, -1 + (M - 1) * c, M, dt, device, requires_grad).abs()


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None,
                   requires_grad=False):
    """sum_i (-1)^i a_i cos(2 pi i k / (M - 1)). Matches torch.signal.windows.general_cosine."""
    from ..creation import arange, tensor
    M, dt = _checks("general_cosine", M, dtype, layout)
    if M <= 1:
        return _trivial(M, dt, device, requires_grad)
    if not isinstance(a, Iterable) or isinstance(a, str):
        raise TypeError("Coefficients must be a list/tuple")
    a = list(a)
    if not a:
        raise ValueError("Coefficients cannot be empty")
    coef = [(-1) ** i * need_float("general_cosine", w, "a") for i, w in enumerate(a)]
    c = 2 * math.pi / (M if not sym else M - 1)
    k = _k(0, (M - 1) * c, M, dt, device, requires_grad)
    a_i = tensor(coef, dtype=dt, device=device, requires_grad=requires_grad)
    i = arange(len(coef), dtype=dt, device=device, requires_grad=requires_grad)
    return (a_i.unsqueeze(-1) * (i.unsqueeze(-1) * k).cos()).sum(0)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """alpha - (1 - alpha) cos(2 pi k / (M - 1)). Matches
    torch.signal.windows.general_hamming."""
    alpha = need_float("general_hamming", alpha, "alpha")
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """general_hamming with alpha 0.54. Matches torch.signal.windows.hamming."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """general_hamming with alpha 0.5. Matches torch.signal.windows.hann."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """general_cosine with a = (0.42, 0.5, 0.08). Matches torch.signal.windows.blackman."""
    _checks("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """general_cosine with Nuttall's 4 coefficients. Matches torch.signal.windows.nuttall."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
