"""Convolution modules of any rank: the shared base (torch's _ConvNd: arguments, parameter
shapes, kaiming-uniform init, padding modes, repr), Conv1d and Conv3d (Conv2d lives in
nn/conv.py on the same base), and ConvTranspose1d/2d/3d with forward(input, output_size)."""
from __future__ import annotations

from .. import creation
from ..ops.checks import need_int
from ..ops.conv import conv1d, conv3d
from ..ops.conv_args import conv_padding, ntuple
from ..ops.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d
from ..ops.pad import pad
from . import init
from .module import Module
from .parameter import Parameter


class _ConvNd(Module):
    """What Conv1d/2d/3d and ConvTranspose1d/2d/3d share (torch.nn.modules.conv._ConvNd)."""

    _nd = 2
    _transposed = False

    def _setup(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
               groups, bias, padding_mode, output_padding, device, dtype):
        name, nd = type(self).__name__, self._nd
        in_channels = need_int(name, in_channels, "in_channels", 1)
        out_channels = need_int(name, out_channels, "out_channels", 2)
        groups = need_int(name, groups, "groups")
        if in_channels < 0 or out_channels < 0:
            raise ValueError(f"{name}: in_channels and out_channels must be non-negative, got "
                             f"{in_channels} and {out_channels}")
        if groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups!r}")
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by groups "
                             f"({groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by "
                             f"groups ({groups})")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"{name}: padding_mode must be one of 'zeros', 'reflect', "
                             f"'replicate', 'circular', got {padding_mode!r}")
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'{name}: only "zeros" padding mode is supported, got '
                             f"{padding_mode!r}")
        if self._transposed and isinstance(padding, str):
            raise ValueError(f"{name}: padding must be an int or a tuple of ints (a transposed "
                             f"convolution has no 'same'/'valid'), got {padding!r}")
        if isinstance(kernel_size, (list, tuple)) and len(kernel_size) != nd:
            raise ValueError(f"{name}: kernel_size must be an int or a tuple of {nd} ints, got "
                             f"{kernel_size!r}")

        def ints(v, arg):       # torch's _ntuple: a sequence is kept (1 element or nd)
            n = len(v) if isinstance(v, (list, tuple)) and len(v) == 1 else nd
            return ntuple(v, n, arg, name)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = ntuple(kernel_size, nd, "kernel_size", name)
        if min(self.kernel_size) <= 0:
            raise ValueError(f"{name}: kernel_size must be positive, got {kernel_size!r}")
        self.stride = ints(stride, "stride")
        self.padding = padding if isinstance(padding, str) else ints(padding, "padding")
        self.dilation = ints(dilation, "dilation")
        self.transposed = self._transposed
        self.output_padding = ints(output_padding, "output_padding")
        self.groups, self.padding_mode = groups, padding_mode
        # validates 'same' with strides early, as torch does in the constructor; pads are
        # (lo, hi) per dim, first dim first; F.pad wants them last dim first
        pads = conv_padding(padding, self.kernel_size, ntuple(self.stride, nd, "stride", name),
                            ntuple(self.dilation, nd, "dilation", name), name, module=True)
        if not isinstance(padding, str):        # as torch: from padding as stored
            pads = tuple(p for p in self.padding for _ in "lh")
        self._reversed_padding_repeated_twice = [p for i in reversed(range(len(pads) // 2))
                                                 for p in pads[2 * i:2 * i + 2]]
        shape = (in_channels, out_channels // groups) if self._transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(creation.empty(*shape, *self.kernel_size, dtype=dtype,
                                               device=device))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def _conv_forward(self, input, conv):
        if self.padding_mode == "zeros":
            return conv(input, self.weight, self.bias, self.stride, self.padding,
                        self.dilation, self.groups)
        return conv(pad(input, self._reversed_padding_repeated_twice, self.padding_mode),
                    self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if isinstance(self.padding, str) or self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 dilation=1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device=None, dtype=None):
        super().__init__()
        self._setup(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                    bias, padding_mode, 0, device, dtype)


class Conv1d(_Conv):
    """1-D convolution layer (matches torch.nn.Conv1d): weight (out, in/groups, k) with
    kaiming_uniform(a=sqrt(5)) init, bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""

    _nd = 1

    def forward(self, input):
        return self._conv_forward(input, conv1d)


class Conv3d(_Conv):
    """3-D convolution layer (matches torch.nn.Conv3d): weight (out, in/groups, kd, kh, kw),
    init as Conv1d."""

    _nd = 3

    def forward(self, input):
        return self._conv_forward(input, conv3d)


class _ConvTransposeNd(_ConvNd):
    _transposed = True
    _fn = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, groups: int = 1, bias: bool = True, dilation=1,
                 padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__()
        self._setup(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                    bias, padding_mode, output_padding, device, dtype)

    def _output_padding(self, input, output_size):
        """torch's rule: output_size (the spatial sizes, or with batch and channel dims too)
        picks the output_padding in [0, stride) that gives it."""
        if output_size is None:
            return self.output_padding
        name, nd = type(self).__name__, self._nd
        sizes = [need_int(name, s, "output_size") for s in output_size]
        if len(sizes) == nd + 2:
            sizes = sizes[2:]
        if len(sizes) != nd:
            raise ValueError(f"{name}: for {input.ndim}D input, output_size must have {nd} or "
                             f"{nd + 2} elements (got {len(sizes)})")
        spatial = input.shape[input.ndim - nd:]
        lo = [(n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in
              zip(spatial, self.stride, self.padding, self.dilation, self.kernel_size)]
        hi = [m + s - 1 for m, s in zip(lo, self.stride)]
        if any(not a <= n <= b for n, a, b in zip(sizes, lo, hi)):
            raise ValueError(f"{name}: requested an output size of {tuple(sizes)}, but valid "
                             f"sizes range from {tuple(lo)} to {tuple(hi)} (for an input of "
                             f"{tuple(spatial)})")
        return tuple(n - m for n, m in zip(sizes, lo))

    def forward(self, input, output_size=None):
        out_pad = self._output_padding(input, output_size)
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding,
                              out_pad, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution layer (matches torch.nn.ConvTranspose1d): weight
    (in, out/groups, k), init as Conv1d (fan_in from the weight's dim 1)."""

    _nd, _fn = 1, staticmethod(conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution layer (matches torch.nn.ConvTranspose2d)."""

    _nd, _fn = 2, staticmethod(conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution layer (matches torch.nn.ConvTranspose3d)."""

    _nd, _fn = 3, staticmethod(conv_transpose3d)
