"""Conv2d and the 2-D pooling modules (torch.nn's arguments, parameter shapes and init)."""
from __future__ import annotations

from ..ops.conv import conv2d
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from .conv_nd import _Conv
from .module import Module


class Conv2d(_Conv):
    """2-D convolution layer (matches torch.nn.Conv2d): weight (out, in/groups, kh, kw) with
    kaiming_uniform(a=sqrt(5)) init, bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)); arguments,
    padding modes and repr from the shared base in nn/conv_nd.py."""

    _nd = 2

    def forward(self, input):
        return self._conv_forward(input, conv2d)


class _MaxPoolNd(Module):
    """Max pooling with torch's module arguments; _fn is the functional form (MaxPool2d here,
    MaxPool1d/3d in nn/pooling.py)."""
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding,
                              self.dilation, ceil_mode=self.ceil_mode,
                              return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
                f", dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """Max pooling (matches torch.nn.MaxPool2d; stride defaults to kernel_size)."""
    _fn = staticmethod(max_pool2d)


class _AvgPoolNd(Module):
    """Average pooling with torch's module arguments; _fn is the functional form (AvgPool2d,
    AvgPool3d in nn/pooling.py)."""
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding,
                              self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """Average pooling (matches torch.nn.AvgPool2d)."""
    _fn = staticmethod(avg_pool2d)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (matches torch.nn.AdaptiveAvgPool2d)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
