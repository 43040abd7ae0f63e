"""Padding modules (torch.nn's ZeroPad, ConstantPad, ReflectionPad, ReplicationPad and
CircularPad in 1-, 2- and 3-d): each stores `padding` as a tuple of 2*d ints (an int is
repeated) in F.pad's order and calls F.pad in forward."""
from __future__ import annotations

from ..ops.pad import pad
from .module import Module


class _PadNd(Module):
    _nd = 1
    _mode = "constant"

    def __init__(self, padding):
        super().__init__()
        # torch's _ntuple: a sequence is kept as given (F.pad checks it), an int repeated
        self.padding = tuple(padding) if isinstance(padding, (list, tuple)) or (
            hasattr(padding, "__iter__") and not isinstance(padding, str)) \
            else (padding,) * (2 * self._nd)

    def forward(self, input):
        return pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value              # kept as given (F.pad checks it), as torch

    def forward(self, input):
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with a constant (matches torch.nn.ConstantPad1d)."""
    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with a constant (matches torch.nn.ConstantPad2d)."""
    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with a constant (matches torch.nn.ConstantPad3d)."""
    _nd = 3


class _Zero:
    """ZeroPad{d}d is ConstantPad{d}d with value 0.0 (a subclass, as in torch)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_Zero, ConstantPad1d):
    """Pad the last dim with zeros (matches torch.nn.ZeroPad1d)."""


class ZeroPad2d(_Zero, ConstantPad2d):
    """Pad the last 2 dims with zeros (matches torch.nn.ZeroPad2d)."""


class ZeroPad3d(_Zero, ConstantPad3d):
    """Pad the last 3 dims with zeros (matches torch.nn.ZeroPad3d)."""


class ReflectionPad1d(_PadNd):
    """Reflect the last dim at its edges (matches torch.nn.ReflectionPad1d)."""
    _nd, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Reflect the last 2 dims at their edges (matches torch.nn.ReflectionPad2d)."""
    _nd, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Reflect the last 3 dims at their edges (matches torch.nn.ReflectionPad3d)."""
    _nd, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Repeat the edge values of the last dim (matches torch.nn.ReplicationPad1d)."""
    _nd, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Repeat the edge values of the last 2 dims (matches torch.nn.ReplicationPad2d)."""
    _nd, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Repeat the edge values of the last 3 dims (matches torch.nn.ReplicationPad3d)."""
    _nd, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """Wrap the last dim around (matches torch.nn.CircularPad1d)."""
    _nd, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Wrap the last 2 dims around (matches torch.nn.CircularPad2d)."""
    _nd, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    """Wrap the last 3 dims around (matches torch.nn.CircularPad3d)."""
    _nd, _mode = 3, "circular"
