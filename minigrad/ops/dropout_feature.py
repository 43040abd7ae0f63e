"""Channel-wise dropout (dropout1d/2d/3d, feature_alpha_dropout) and alpha dropout.

One Bernoulli(1 - p) draw m per element (alpha_dropout) or per (sample, channel) pair (the
feature variants: m has shape (N, C, 1, ...)), from minigrad.backend.rng like dropout's:

    dropout{1,2,3}d:  y = x * m / (1 - p)
    alpha variants:   y = x * (a m) + b,   a = 1 / sqrt((alpha^2 p + 1)(1 - p)),
                      b = (m - 1) alpha a + alpha a p,   alpha = 1.7580993408473766
                      (a dropped unit becomes SELU's negative saturation, and the affine map
                      keeps zero mean and unit variance), as ATen's _dropout_impl

p = 0, training=False and empty inputs return the input; p = 1 multiplies by zero. The
gradient is the same mask times the scale (dropout.MaskMul).
"""
from __future__ import annotations

import math
import warnings

from ..backend import array_module
from .arith import torch_name
from .checks import need_bool, need_tensor
from .dropout import MaskMul, _check_p, _uniform
from .inplace import update

_ALPHA = 1.7580993408473766


def _feature_shape(shape, batched):
    """The noise shape: (N, C, 1, ...) or, unbatched (torch unsqueezes dim 0), (C, 1, ...)."""
    if not batched and shape:
        return shape[:1] + (1,) * (len(shape) - 1)
    if len(shape) < 2 - (not batched):
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return shape[:2] + (1,) * (len(shape) - 2)


def _apply(fn, input, p, training, inplace, noise_shape, alpha):
    """The shared body: checks, draw, y = x * scale (+ b) (in place when asked)."""
    if not training or p == 0 or input.numel() == 0:
        return input
    if input.dtype.kind != "f":
        raise RuntimeError(f"{fn}: result type Float can't be cast to the desired output type "
                           f"{torch_name(input.dtype)} (input of dtype {input.dtype})")
    if p == 1:              # torch multiplies by a 0-d zero (no rank check, no draw)
        scale, shift = array_module(input.data).zeros((), input.dtype), None
    else:
        shape = noise_shape(tuple(input.shape))
        m = (_uniform(input, shape) < 1 - p).astype(input.dtype)
        if alpha:
            a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
            shift = (m - 1) * (_ALPHA * a) + _ALPHA * a * p
            scale = m * a
        else:
            scale, shift = m / (1 - p), None

    def compute(t):
        y = MaskMul.apply(t, scale)
        return y if shift is None else y + shift.astype(input.dtype)
    if inplace:
        return update(input, compute, fn)
    return compute(input)


def _args(fn, input, p, training):
    need_tensor(fn, input, "input", 1)
    _check_p(p, "dropout probability", fn)
    need_bool(fn, training, "training", 3)      # (inplace: any truthy value, as torch)
    return float(p)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) input with probability p, scaling the rest by
    1 / (1 - p); matches torch.nn.functional.dropout1d."""
    p = _args("dropout1d", input, p, training)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           "input. Note that dropout1d exists to provide channel-wise dropout "
                           "on inputs with 1 spatial dimension, a channel dimension, and an "
                           "optional batch dimension (i.e. 2D or 3D inputs).")
    batched = input.ndim == 3
    return _apply("dropout1d", input, p, training, inplace,
                  lambda s: _feature_shape(s, batched), False)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input (a 3-D input is read as (N, C, L), as torch
    does, with its warning); matches torch.nn.functional.dropout2d."""
    p = _args("dropout2d", input, p, training)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change in "
                      "a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _apply("dropout2d", input, p, training, inplace,
                  lambda s: _feature_shape(s, True), False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input; matches
    torch.nn.functional.dropout3d (other ranks warn, as torch's)."""
    p = _args("dropout3d", input, p, training)
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 4D or 5D inputs).", stacklevel=2)
    batched = input.ndim == 5
    return _apply("dropout3d", input, p, training, inplace,
                  lambda s: _feature_shape(s, batched), False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped units take SELU's negative saturation and an affine
    map keeps mean and variance; matches torch.nn.functional.alpha_dropout."""
    p = _args("alpha_dropout", input, p, training)
    return _apply("alpha_dropout", input, p, training, inplace, lambda s: s, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout over whole channels of (N, C, *) input; matches
    torch.nn.functional.feature_alpha_dropout."""
    p = _args("feature_alpha_dropout", input, p, training)
    return _apply("feature_alpha_dropout", input, p, training, inplace,
                  lambda s: _feature_shape(s, True), True)
