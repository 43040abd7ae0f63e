"""Dropout and DropPath modules: active in train(), identity in eval()."""
from __future__ import annotations

from ..ops.dropout import _check_p, drop_path, dropout
from .module import Module


class Dropout(Module):
    """Zero elements with probability p while training, scale the rest by 1/(1-p)
    (torch.nn.Dropout)."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        _check_p(p, "dropout probability", "Dropout")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class DropPath(Module):
    """Stochastic depth per sample (timm.layers.DropPath)."""

    def __init__(self, drop_prob=0.0, scale_by_keep=True):
        super().__init__()
        _check_p(drop_prob, "drop_prob", "DropPath")
        self.drop_prob, self.scale_by_keep = drop_prob, scale_by_keep

    def forward(self, x):
        return drop_path(x, self.drop_prob, self.training, self.scale_by_keep)

    def extra_repr(self):
        return f"drop_prob={round(self.drop_prob, 3):0.3f}"
