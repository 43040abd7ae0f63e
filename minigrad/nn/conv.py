"""Conv2d and the 2-D pooling modules (torch.nn's arguments, parameter shapes and init)."""
from __future__ import annotations

from .. import creation
from ..autograd import wrap
from ..backend import array_module
from ..ops.checks import need_int
from ..ops.conv import conv2d, conv_padding, pair
from ..ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d
from . import init
from .module import Module
from .parameter import Parameter

_NP_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _mode_pad(x, pads, mode):
    """Reflect/replicate/circular padding as a gather through an index map, so that the
    gradient of each padded copy flows back to its source pixel."""
    xp = array_module(x.data)
    h, w = x.shape[-2:]
    t, b, left, right = pads
    if mode == "reflect" and (max(t, b) >= h or max(left, right) >= w):
        raise RuntimeError(f"Conv2d: padding_mode='reflect' needs padding below the input size: "
                           f"padding (top, bottom, left, right) {pads} for an input of {h}x{w}")
    if mode == "circular" and (max(t, b) > h or max(left, right) > w):
        raise RuntimeError(f"Conv2d: padding_mode='circular': padding {pads} would wrap around "
                           f"an input of {h}x{w} more than once")
    idx = xp.pad(xp.arange(h * w).reshape(h, w), ((t, b), (left, right)),
                 mode=_NP_PAD_MODE[mode])
    flat = x.reshape(x.shape[:-2] + (h * w,))
    return flat[(slice(None),) * (x.ndim - 2) + (wrap(idx),)]


class Conv2d(Module):
    """2-D convolution layer (matches torch.nn.Conv2d): weight (out, in/groups, kh, kw) with
    kaiming_uniform(a=sqrt(5)) init, bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__()
        in_channels = need_int("Conv2d", in_channels, "in_channels", 1)
        out_channels = need_int("Conv2d", out_channels, "out_channels", 2)
        groups = need_int("Conv2d", groups, "groups", 7)
        if in_channels < 0 or out_channels < 0:
            raise ValueError(f"Conv2d: in_channels and out_channels must be non-negative, got "
                             f"{in_channels} and {out_channels}")
        if groups <= 0:
            raise ValueError(f"Conv2d: groups must be a positive integer, got {groups!r}")
        if in_channels % groups:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) must be divisible by groups "
                             f"({groups})")
        if out_channels % groups:
            raise ValueError(f"Conv2d: out_channels ({out_channels}) must be divisible by "
                             f"groups ({groups})")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"Conv2d: padding_mode must be one of 'zeros', 'reflect', "
                             f"'replicate', 'circular', got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        if isinstance(kernel_size, (list, tuple)) and len(kernel_size) != 2:
            raise ValueError(f"Conv2d: kernel_size must be an int or a pair of ints, got "
                             f"{kernel_size!r}")
        self.kernel_size = pair(kernel_size, "kernel_size", "Conv2d")
        if min(self.kernel_size) <= 0:
            raise ValueError(f"Conv2d: kernel_size must be positive, got {kernel_size!r}")
        self.stride = pair(stride, "stride", "Conv2d")
        self.dilation = pair(dilation, "dilation", "Conv2d")
        self.padding = padding if isinstance(padding, str) else pair(padding, "padding",
                                                                      "Conv2d")
        self.padding_mode = padding_mode
        # validates 'same' with strides early, as torch does in the constructor
        self._pads = conv_padding(padding, self.kernel_size, self.stride, self.dilation,
                                  "Conv2d")
        self.weight = Parameter(creation.empty(out_channels, in_channels // groups,
                                               *self.kernel_size, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input):
        if self.padding_mode == "zeros":
            return conv2d(input, self.weight, self.bias, self.stride, self.padding,
                          self.dilation, self.groups)
        return conv2d(_mode_pad(input, self._pads, self.padding_mode), self.weight, self.bias,
                      self.stride, 0, self.dilation, self.groups)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class MaxPool2d(Module):
    """Max pooling (matches torch.nn.MaxPool2d; stride defaults to kernel_size)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1,
                 return_indices: bool = False, ceil_mode: bool = False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
                f", dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """Average pooling (matches torch.nn.AvgPool2d)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (matches torch.nn.AdaptiveAvgPool2d)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
