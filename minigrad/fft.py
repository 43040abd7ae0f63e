"""minigrad.fft: the real-valued helpers of torch.fft (fftfreq, rfftfreq, fftshift,
ifftshift). The transforms themselves (fft, rfft, ...) return complex tensors, which minigrad
does not have: they raise NotImplementedError saying so.
    fftfreq(n, d)[k] = k / (n d) for k < ceil(n/2), (k - n) / (n d) after
    fftshift(x) = roll(x, n // 2) along each dim;  ifftshift: roll by (n + 1) // 2
"""
from __future__ import annotations

import numpy as np

from .ops.checks import need_bool, need_dtype, need_float, need_int, need_tensor

__all__ = ["fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _freqs(fn, n, d, dtype, device, requires_grad, half):
    from . import backend
    from .creation import _finish, _xp_for
    n = need_int(f"fft_{fn}", n, "n", 1)
    d = need_float(f"fft_{fn}", d, "d", 2)
    need_bool(f"fft_{fn}", requires_grad, "requires_grad")
    dt = np.dtype(need_dtype(fn, dtype) if dtype is not None else backend.get_default_dtype())
    if dt.kind != "f":
        raise RuntimeError(f"{fn} requires a floating point or complex dtype")
    if n < 0:
        raise RuntimeError(f"{fn}: Trying to create tensor with negative dimension {n}: [{n}]")
    xp, _ = _xp_for(device)
    k = xp.arange(n // 2 + 1 if half else n, dtype=dt)
    if not half:                            # ATen: the upper half counts up from -(n // 2)
        k[(n + 1) // 2:] = xp.arange(-(n // 2), 0, dtype=dt)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.float64(1.0) / (np.float64(n) * np.float64(d))   # a C double, as ATen's
        return _finish((k * dt.type(scale)).astype(dt, copy=False), requires_grad)


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an n-point FFT with spacing d, shape (n,).
    Matches torch.fft.fftfreq."""
    return _freqs("fftfreq", n, d, dtype, device, requires_grad, half=False)


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False):
    """The non-negative sample frequencies of an n-point real FFT, shape (n // 2 + 1,).
    Matches torch.fft.rfftfreq."""
    return _freqs("rfftfreq", n, d, dtype, device, requires_grad, half=True)


def _shift(fn, input, dim, inverse):
    from .ops.shape import normalize_dim
    from .ops.tile import roll
    need_tensor(f"fft_{fn}", input, "input", 1)
    if dim is None:
        dims = tuple(range(input.ndim))
    elif isinstance(dim, (list, tuple)):
        dims = tuple(normalize_dim(need_int(f"fft_{fn}", d, "dim"), input.ndim, fn)
                     for d in dim)
    else:
        dims = (normalize_dim(need_int(f"fft_{fn}", dim, "dim", 2), input.ndim, fn),)
    if not dims:
        raise RuntimeError(f"{fn}: `shifts` required (the input is 0-d)")
    shifts = [(input.shape[d] + 1) // 2 if inverse else input.shape[d] // 2 for d in dims]
    return roll(input, shifts, dims)


def fftshift(input, dim=None):
    """input rolled by n // 2 along each dim in `dim` (all dims by default), putting the zero
    frequency in the middle. Matches torch.fft.fftshift."""
    return _shift("fftshift", input, dim, inverse=False)


def ifftshift(input, dim=None):
    """The inverse of fftshift: input rolled by (n + 1) // 2 along each dim.
    Matches torch.fft.ifftshift."""
    return _shift("ifftshift", input, dim, inverse=True)


def _complex(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"torch.fft.{name} returns a complex tensor; minigrad has no "
                                  "complex dtype (mg.fft has only fftfreq, rfftfreq, fftshift "
                                  "and ifftshift)")
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Not available: torch.fft.{name} needs complex tensors (raises " \
                "NotImplementedError)."
    return f


fft, ifft, fft2, ifft2, fftn, ifftn = (_complex(n) for n in
                                       ("fft", "ifft", "fft2", "ifft2", "fftn", "ifftn"))
rfft, irfft, rfft2, irfft2, rfftn, irfftn = (_complex(n) for n in
                                             ("rfft", "irfft", "rfft2", "irfft2", "rfftn",
                                              "irfftn"))
hfft, ihfft, hfft2, ihfft2, hfftn, ihfftn = (_complex(n) for n in
                                             ("hfft", "ihfft", "hfft2", "ihfft2", "hfftn",
                                              "ihfftn"))
