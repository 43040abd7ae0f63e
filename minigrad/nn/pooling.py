"""Pooling modules for 1-D and 3-D, unpooling, adaptive max/average and LP pooling (torch.nn's
names, constructor arguments, attributes and extra_repr; the 2-D max/avg/adaptive-avg
modules live in conv.py). No parameters: each forward calls its functional form, which
checks the arguments as torch's does."""
from __future__ import annotations

from ..ops import pool_adaptive as pa
from ..ops.pool import avg_pool1d, avg_pool3d, max_pool1d, max_pool3d
from .conv import _AvgPoolNd, _MaxPoolNd
from .module import Module


def _ntuple(v, n):
    """torch's _single/_pair/_triple: a sequence as a tuple, anything else repeated n times."""
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling (matches torch.nn.MaxPool1d; stride defaults to kernel_size)."""
    _fn = staticmethod(max_pool1d)


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling (matches torch.nn.MaxPool3d; stride defaults to kernel_size)."""
    _fn = staticmethod(max_pool3d)


class AvgPool1d(Module):
    """1-D average pooling (matches torch.nn.AvgPool1d, which stores 1-tuples)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True):
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1)
        self.stride = _ntuple(stride if stride is not None else kernel_size, 1)
        self.padding = _ntuple(padding, 1)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        return avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool3d(_AvgPoolNd):
    """3-D average pooling (matches torch.nn.AvgPool3d)."""
    _fn = staticmethod(avg_pool3d)


class _MaxUnpoolNd(Module):
    _nd = 0

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, self._nd)
        self.stride = _ntuple(stride if stride is not None else kernel_size, self._nd)
        self.padding = _ntuple(padding, self._nd)

    def forward(self, input, indices, output_size=None):
        fn = (pa.max_unpool1d, pa.max_unpool2d, pa.max_unpool3d)[self._nd - 1]
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of MaxPool1d (matches torch.nn.MaxUnpool1d)."""
    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of MaxPool2d (matches torch.nn.MaxUnpool2d)."""
    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of MaxPool3d (matches torch.nn.MaxUnpool3d)."""
    _nd = 3


class _AdaptiveMaxPoolNd(Module):
    _fn = None

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return type(self)._fn(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max over adaptive bins (matches torch.nn.AdaptiveMaxPool1d)."""
    _fn = pa.adaptive_max_pool1d


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max over adaptive bins (matches torch.nn.AdaptiveMaxPool2d)."""
    _fn = pa.adaptive_max_pool2d


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max over adaptive bins (matches torch.nn.AdaptiveMaxPool3d)."""
    _fn = pa.adaptive_max_pool3d


class _AdaptiveAvgPoolNd(Module):
    _fn = None

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return type(self)._fn(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average over adaptive bins (matches torch.nn.AdaptiveAvgPool1d)."""
    _fn = pa.adaptive_avg_pool1d


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average over adaptive bins (matches torch.nn.AdaptiveAvgPool3d)."""
    _fn = pa.adaptive_avg_pool3d


class _LPPoolNd(Module):
    _fn = None

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def forward(self, input):
        return type(self)._fn(input, float(self.norm_type), self.kernel_size, self.stride,
                              self.ceil_mode)

    def extra_repr(self):
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """Power-average pooling (matches torch.nn.LPPool1d)."""
    _fn = pa.lp_pool1d


class LPPool2d(_LPPoolNd):
    """Power-average pooling (matches torch.nn.LPPool2d)."""
    _fn = pa.lp_pool2d


class LPPool3d(_LPPoolNd):
    """Power-average pooling (matches torch.nn.LPPool3d)."""
    _fn = pa.lp_pool3d
