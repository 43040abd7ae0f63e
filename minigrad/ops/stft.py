"""The short-time Fourier transform in torch's real form (return_complex=False): frames of
the (centre-padded) signal times the window, then a real DFT as a matrix product, so
autograd gives the gradients (and second derivatives) for the input and the window:
    X[..., f, t, 0] =  sum_n w[n] x[t hop + n] cos(2 pi f n / n_fft)
    X[..., f, t, 1] = -sum_n w[n] x[t hop + n] sin(2 pi f n / n_fft)
(times 1 / sqrt(n_fft) when normalized). minigrad has no complex dtype, so
return_complex=True and istft (which takes complex input) raise.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autocast_state import autocast_op
from .checks import (need_bool, need_int, need_optional_int, need_optional_tensor,
                     need_tensor, type_name)

_RECT = ("A window was not provided. A rectangular window will be applied,which is known to "
         "cause spectral leakage. Other windows such as torch.hann_window or "
         "torch.hamming_window are recommended to reduce spectral leakage.To suppress this "
         "warning and use a rectangular window, explicitly set `window=torch.ones(n_fft, "
         "device=<device>)`.")
_DEPRECATED = ("stft with return_complex=False is deprecated. In a future pytorch release, "
               "stft will return complex tensors for all inputs, and return_complex=False will "
               "raise an error.")


def _optional_bool(fn, v, name):
    if v is not None:
        need_bool(fn, v, name)


def _dft_matrices(xp, n_fft, n_freq, dt):
    """cos and -sin of 2 pi f n / n_fft, shape (n_fft, n_freq); f n reduced mod n_fft first
    so the angle stays exact for long transforms."""
    fn = (np.arange(n_fft)[:, None] * np.arange(n_freq)[None, :]) % n_fft
    ang = 2 * np.pi * fn / n_fft
    return xp.asarray(np.cos(ang).astype(dt)), xp.asarray((-np.sin(ang)).astype(dt))


@autocast_op("stft")
def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None):
    """The STFT of a 1-D (L,) or 2-D (B, L) signal as real and imaginary parts, shape
    (B?, n_fft // 2 + 1 (onesided) or n_fft, frames, 2). Matches torch.stft with
    return_complex=False (deprecated in torch, with its warning)."""
    from .. import backend
    from ..tensor import Tensor
    from .pad import pad
    from .shape import stack
    fn = "stft"
    need_tensor(fn, input, "input", 1)
    n_fft = need_int(fn, n_fft, "n_fft", 2)
    hop_length = need_optional_int(fn, hop_length, "hop_length", 3)
    win_length = need_optional_int(fn, win_length, "win_length", 4)
    need_optional_tensor(fn, window, "window", 5)
    center = bool(center)       # torch.functional.stft only tests its truth
    if not isinstance(pad_mode, str):
        raise TypeError(f"stft(): argument 'pad_mode' (position 7) must be str, not "
                        f"{type_name(pad_mode)}")
    need_bool(fn, normalized, "normalized", 8)
    _optional_bool(fn, onesided, "onesided")
    _optional_bool(fn, return_complex, "return_complex")
    _optional_bool(fn, align_to_window, "align_to_window")
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if return_complex is None:
        raise RuntimeError("stft requires the return_complex parameter be given for real "
                           "inputs, and will further require that return_complex=True in a "
                           "future PyTorch release.")
    if return_complex:
        raise NotImplementedError("stft: return_complex=True returns a complex tensor and "
                                  "minigrad has no complex dtype; use return_complex=False "
                                  "(real and imaginary parts in a last dim of size 2)")
    if input.dtype.kind != "f":
        raise RuntimeError(f"stft: expected a tensor of floating point or complex values, got "
                           f"{input.dtype}")
    if input.ndim >= 4 and center and pad_mode != "constant":     # torch's F.pad refuses
        raise NotImplementedError(f"stft: expected a 1D or 2D tensor, got a {input.ndim}D "
                                  f"tensor (padding mode '{pad_mode}' is not supported for "
                                  f"it)")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, got a {input.ndim}D tensor")
    if window is None:
        warnings.warn(_RECT, UserWarning, stacklevel=2)
    warnings.warn(_DEPRECATED, UserWarning, stacklevel=2)
    x = input if input.ndim == 2 else input.unsqueeze(0)
    if center:                  # torch.functional.stft: pad n_fft // 2 on both sides
        p = n_fft // 2
        try:
            x = pad(x.unsqueeze(0), [p, p], pad_mode).squeeze(0)
        except NotImplementedError:
            raise NotImplementedError(f"stft: unrecognised padding mode {pad_mode}") from None
        except RuntimeError as e:
            raise RuntimeError(f"stft: center padding of {n_fft // 2} with mode "
                               f"'{pad_mode}' does not fit the input of shape "
                               f"{list(input.shape)}: {e}") from None
    length = x.shape[1]
    if x.shape[0] == 0:         # torch's FFT backends fail on an empty batch
        raise RuntimeError(f"stft: an empty batch (input of shape {list(input.shape)}) is not "
                           "supported (torch's FFT fails on it too)")
    hop = n_fft >> 2 if hop_length is None else hop_length
    wl = n_fft if win_length is None else win_length
    where = f"stft(input of shape {list(input.shape)}, n_fft={n_fft})"
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(f"{where}: expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"{where}: expected hop_length > 0, but got hop_length={hop}")
    if wl <= 0 or wl > n_fft:
        raise RuntimeError(f"{where}: expected 0 < win_length <= n_fft, but got "
                           f"win_length={wl}")
    if window is not None and (window.ndim != 1 or window.shape[0] != wl):
        raise RuntimeError(f"{where}: expected a 1D window tensor of size equal to "
                           f"win_length={wl}, but got window with size {list(window.shape)}")
    if window is not None and window.device != input.device:
        raise RuntimeError(f"stft: input is on {input.device} but window is on "
                           f"{window.device}")
    left = (n_fft - wl) // 2
    if wl < n_fft:              # the window sits in the middle of n_fft zeros
        w = window if window is not None else Tensor._make(
            backend.array_module(input.data).ones(wl, dtype=input.dtype))
        window = pad(w, [left, n_fft - wl - left])
        if align_to_window:     # frames start where their window starts: ATen pads
            x = pad(x, [left, left])    # `left` zeros on both sides, and counts the frames
            frames = 1 + (length - wl) // hop   # as if n_fft - win_length were even
            if (x.shape[1] - n_fft) // hop + 1 < frames:
                raise RuntimeError(f"{where}: align_to_window with an odd n_fft - win_length "
                                   f"({n_fft - wl}): the last of {frames} frames runs past "
                                   "the padded input (torch fails here too)")
    frames = x.unfold(-1, n_fft, hop)                           # (B, T, n_fft)
    if window is not None:
        frames = frames * window
    real = frames.dtype
    if real == np.float16:
        raise RuntimeError("stft: float16 is not supported (torch's CPU FFT refuses Half)")
    onesided = True if onesided is None else onesided
    n_freq = n_fft // 2 + 1 if onesided else n_fft
    c, s = _dft_matrices(backend.array_module(input.data), n_fft, n_freq, real)
    re = frames.matmul(Tensor._make(c))                         # (B, T, F)
    im = frames.matmul(Tensor._make(s))
    if normalized:
        re, im = re * (1 / np.sqrt(n_fft)), im * (1 / np.sqrt(n_fft))
    out = stack([re, im], -1).transpose(1, 2)                   # (B, F, T, 2)
    return out if input.ndim == 2 else out.squeeze(0)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """Not available: torch.istft takes the complex output of stft(return_complex=True),
    and minigrad has no complex dtype; raises RuntimeError as torch does for real input."""
    need_tensor("istft", input, "input", 1)
    raise RuntimeError("istft requires a complex-valued input tensor matching the output from "
                       "stft with return_complex=True; minigrad has no complex dtype, so "
                       "istft is not available")
