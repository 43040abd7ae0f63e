"""Tensor methods for signal processing and the legacy LU: stft, istft, lu (the math is in
ops/stft.py and linalg_lowrank.py)."""
from __future__ import annotations


class SignalMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    def stft(self, n_fft, hop_length=None, win_length=None, window=None, center=True,
             pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
             align_to_window=None):
        """The STFT in torch's real form (return_complex=False); matches
        torch.Tensor.stft."""
        from .ops.stft import stft
        return stft(self, n_fft, hop_length, win_length, window, center, pad_mode,
                    normalized, onesided, return_complex, align_to_window)

    def istft(self, n_fft, hop_length=None, win_length=None, window=None, center=True,
              normalized=False, onesided=None, length=None, return_complex=False):
        """Raises: torch.Tensor.istft takes complex input, which minigrad lacks."""
        from .ops.stft import istft
        return istft(self, n_fft, hop_length, win_length, window, center, normalized,
                     onesided, length, return_complex)

    def lu(self, pivot=True, get_infos=False):
        """The legacy (LU, pivots[, infos]) of this matrix (torch.Tensor.lu)."""
        from .linalg_lowrank import lu
        return lu(self, pivot, get_infos)
