"""Fractional max pooling modules (torch.nn's names, constructor checks and attributes; no
parameters, an optional `_random_samples` buffer). Each forward calls its functional form
(ops/pool_fractional.py), which checks the input as torch's does."""
from __future__ import annotations

from ..ops.pool_fractional import fractional_max_pool2d, fractional_max_pool3d
from .module import Module


def _ntuple(v, n):
    """torch's _pair/_triple: a sequence as a tuple, anything else repeated n times."""
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


class _FractionalMaxPoolNd(Module):
    _nd = 0

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _ntuple(kernel_size, self._nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, self._nd) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, self._nd) if output_ratio is not None \
            else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a "
                             "pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None:
            try:
                ok = all(0 < r < 1 for r in self.output_ratio[:self._nd])
            except TypeError:
                raise TypeError(f"{name}: output_ratio must be a float or a tuple of floats, "
                                f"got {output_ratio!r}") from None
            if not ok:
                raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        fn = fractional_max_pool2d if self._nd == 2 else fractional_max_pool3d
        return fn(input, self.kernel_size, self.output_size, self.output_ratio,
                  self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-D fractional max pooling (matches torch.nn.FractionalMaxPool2d): kernel_size and
    output_size or output_ratio in (0, 1); fresh windows each call unless _random_samples
    (N, C, 2) is given."""
    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling (matches torch.nn.FractionalMaxPool3d; kernel_size must be
    positive)."""
    _nd = 3

    def __init__(self, kernel_size, output_size=None, output_ratio=None,
                 return_indices: bool = False, _random_samples=None):
        ks = kernel_size if isinstance(kernel_size, (list, tuple)) else (kernel_size,)
        if any(isinstance(k, (int, float)) and k <= 0 for k in ks):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        super().__init__(kernel_size, output_size, output_ratio, return_indices,
                         _random_samples)
