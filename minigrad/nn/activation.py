"""Activation modules: Softmax, LogSoftmax, ReLU, GELU, SiLU, Tanh, Sigmoid (torch.nn names)."""
from __future__ import annotations

from ..ops import activation as A
from ..ops.softmax import log_softmax, softmax
from .module import Module


class Softmax(Module):
    """softmax along `dim` (torch.nn.Softmax); dim=None takes torch's legacy implicit dim."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return softmax(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log_softmax along `dim` (torch.nn.LogSoftmax)."""

    def forward(self, input):
        return log_softmax(input, self.dim)


class ReLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return A.relu(input, self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class SiLU(ReLU):
    def forward(self, input):
        return A.silu(input, self.inplace)


class GELU(Module):
    """gelu with approximate='none' (erf) or 'tanh' (torch.nn.GELU)."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return A.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Tanh(Module):
    def forward(self, input):
        return A.tanh(input)


class Sigmoid(Module):
    def forward(self, input):
        return A.sigmoid(input)
