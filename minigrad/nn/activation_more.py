"""More activation modules (torch.nn names, arguments, defaults and reprs): ELU, SELU, CELU,
LeakyReLU, RReLU, ReLU6, Hardtanh, Hardswish, Hardsigmoid, Mish, Softsign, Softmin, Softmax2d,
Tanhshrink, Threshold, Hardshrink, Softshrink, GLU, PReLU, LogSigmoid, Softplus."""
from __future__ import annotations

import warnings

from .. import creation
from ..ops import activation as A
from ..ops import activation_more as M
from ..ops import activation_pointwise as P
from ..ops.checks import need_float, need_int, need_ints, need_tensor
from ..ops.softmax import softmax
from . import init
from .module import Module
from .parameter import Parameter


def _inplace(inplace):
    return "inplace=True" if inplace else ""


class ELU(Module):
    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return P.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    def forward(self, input):
        return P.celu(input, self.alpha, self.inplace)


class SELU(Module):
    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return P.selu(input, self.inplace)

    def extra_repr(self):
        return _inplace(self.inplace)


class Mish(SELU):
    def forward(self, input):
        return M.mish(input, self.inplace)


class Hardswish(SELU):
    def forward(self, input):
        return P.hardswish(input, self.inplace)

    def extra_repr(self):
        return ""                               # torch's repr leaves inplace out


class Hardsigmoid(Hardswish):
    def forward(self, input):
        return P.hardsigmoid(input, self.inplace)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return P.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + (
            ", inplace=True" if self.inplace else "")


class RReLU(Module):
    """Random slopes U[lower, upper) in training mode, their mean in eval mode."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return P.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else "")


class Hardtanh(Module):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:               # torch's deprecated spellings
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        if max_val <= min_val:
            raise ValueError(f"{type(self).__name__}: max_val must be greater than min_val, got "
                             f"min_val={min_val}, max_val={max_val}")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return P.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def forward(self, input):
        return P.relu6(input, self.inplace)

    def extra_repr(self):
        return _inplace(self.inplace)


class Threshold(Module):
    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return P.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + (
            ", inplace=True" if self.inplace else "")


class Hardshrink(Module):
    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return P.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    def forward(self, input):
        return P.softshrink(input, self.lambd)


class Softsign(Module):
    def forward(self, input):
        return M.softsign(input)


class Tanhshrink(Module):
    def forward(self, input):
        return M.tanhshrink(input)


class LogSigmoid(Module):
    def forward(self, input):
        return A.logsigmoid(input)


class Softmin(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return M.softmin(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax2d(Module):
    """softmax over the channels (dim -3) of a (C, H, W) or (N, C, H, W) input."""

    def forward(self, input):
        need_tensor("Softmax2d", input, "input", 1)
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D "
                             "instead")
        return softmax(input, -3)


class GLU(Module):
    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return M.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softplus(Module):
    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return A.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """prelu with a learnable slope: one (num_parameters=1) or one per channel, all `init`."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        if isinstance(num_parameters, (list, tuple)):   # torch passes it on to torch.empty
            shape = need_ints("PReLU", num_parameters, "num_parameters", 1)
        else:
            shape = (need_int("PReLU", num_parameters, "num_parameters", 1),)
        if any(n < 0 for n in shape):
            raise RuntimeError(f"PReLU: Trying to create tensor with negative dimension "
                               f"{min(shape)}: {list(shape)}")
        self.num_parameters = num_parameters
        self.init = need_float("PReLU", init, "init", 2)
        self.weight = Parameter(creation.empty(*shape, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return M.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"
