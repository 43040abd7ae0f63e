"""Channel-wise and alpha dropout modules: active in train(), identity in eval()."""
from __future__ import annotations

from ..ops.dropout import _check_p
from ..ops.dropout_feature import (alpha_dropout, dropout1d, dropout2d, dropout3d,
                                   feature_alpha_dropout)
from .module import Module


class _DropoutNd(Module):
    _fn = None

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        _check_p(p, "dropout probability", type(self).__name__)
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return type(self)._fn(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) input (torch.nn.Dropout1d)."""
    _fn = staticmethod(dropout1d)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) input (torch.nn.Dropout2d)."""
    _fn = staticmethod(dropout2d)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input (torch.nn.Dropout3d)."""
    _fn = staticmethod(dropout3d)


class AlphaDropout(_DropoutNd):
    """Alpha dropout for SELU networks (torch.nn.AlphaDropout)."""
    _fn = staticmethod(alpha_dropout)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels (torch.nn.FeatureAlphaDropout)."""
    _fn = staticmethod(feature_alpha_dropout)
