"""torch's top-level functional forms, continued: padding, pooling, convolution
(torch.convolution, torch.conv_tbc), channel shuffle, grid sampling, the deprecated norms
(frobenius_norm, nuclear_norm, norm_except_dim) and the single-step RNN cells. ATen's
signatures and checks; the math is the F.* / linalg function each hands off to.
"""
from __future__ import annotations

import math

from .autocast_state import autocast_op
from . import linalg
from .ops import conv, conv_transpose, pool, pool_adaptive
from .ops.affine_grid import affine_grid
from .ops.array_utils import broadcast_shapes
from .ops.checks import (need_bool, need_int, need_ints, need_number, need_optional_tensor,
                         need_tensor)
from .ops.grid_sample import grid_sample
from .ops.norms import tensor_norm
from .ops.pad import pad as _pad
from .ops.pixel_shuffle import channel_shuffle
from .nn.rnn_math import gru_step, input_gates, lstm_step, rnn_step


def constant_pad_nd(input, pad, value=0):
    """Pad (or, with negative amounts, crop) the last len(pad) // 2 dims with `value`
    (matches torch.constant_pad_nd; pad is (left, right) pairs from the last dim)."""
    fn = "constant_pad_nd"
    need_tensor(fn, input, "input", 1)
    if not isinstance(pad, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'pad' (position 2) must be tuple of ints, not "
                        f"{type(pad).__name__}")
    pad = need_ints(fn, pad, "pad", 2)
    need_number(fn, value, "value", 3)
    if len(pad) % 2:
        raise RuntimeError(f"{fn}: Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) > 2 * input.ndim:
        raise RuntimeError(f"{fn}: Length of pad should be no more than twice the number of "
                           f"dimensions of the input. Pad length is {len(pad)} while the input "
                           f"has {input.ndim} dimensions.")
    return _pad(input, pad, "constant", value)


# ---- pooling (stride=() means kernel_size, as F's stride=None) ----------------------------
def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True):
    """torch.avg_pool1d (matches torch.avg_pool1d)."""
    return pool.avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False):
    """torch.max_pool1d (matches torch.max_pool1d; no return_indices)."""
    return pool.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode: bool = False):
    """(values, int64 indices) (matches torch.max_pool1d_with_indices)."""
    return pool.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False):
    """torch.max_pool2d (matches torch.max_pool2d; no return_indices)."""
    return pool.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False):
    """torch.max_pool3d (matches torch.max_pool3d; no return_indices)."""
    return pool.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


def adaptive_avg_pool1d(input, output_size):
    """torch.adaptive_avg_pool1d (matches torch.adaptive_avg_pool1d)."""
    return pool_adaptive.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """(values, int64 indices) (matches torch.adaptive_max_pool1d, which always returns
    both)."""
    return pool_adaptive.adaptive_max_pool1d(input, output_size, True)


# ---- convolution --------------------------------------------------------------------------
def _int_list(fn, v, name, pos, nd):
    """A SymInt[] argument: a sequence (not a bare int) of 1 or nd ints."""
    if not isinstance(v, (list, tuple)):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of ints, "
                        f"not {type(v).__name__}")
    v = need_ints(fn, v, name, pos)
    if len(v) not in (1, nd):
        raise RuntimeError(f"{fn}: expected {name} to be a single integer value or a list of "
                           f"{nd} values to match the convolution dimensions, but got "
                           f"{name}={list(v)}")
    return v * (nd // len(v))


@autocast_op("convolution")
def convolution(input, weight, bias, stride, padding, dilation, transposed: bool,
                output_padding, groups: int):
    """N-d convolution or transposed convolution picked by weight's rank (3, 4 or 5)
    (matches torch.convolution; output_padding is used only when transposed)."""
    fn = "convolution"
    need_tensor(fn, input, "input", 1)
    need_tensor(fn, weight, "weight", 2)
    need_bool(fn, transposed, "transposed", 7)
    groups = need_int(fn, groups, "groups", 9)
    if weight.ndim < 3 or weight.ndim > 5:
        raise RuntimeError(f"{fn}: weight should have 3, 4 or 5 dimensions, got shape "
                           f"{tuple(weight.shape)}")
    nd = weight.ndim - 2
    s, p, d, op = (_int_list(fn, v, name, pos, nd) for v, name, pos in
                   ((stride, "stride", 4), (padding, "padding", 5), (dilation, "dilation", 6),
                    (output_padding, "output_padding", 8)))
    if transposed:
        return getattr(conv_transpose, f"conv_transpose{nd}d")(input, weight, bias, s, p, op,
                                                               groups, d)
    return getattr(conv, f"conv{nd}d")(input, weight, bias, s, p, d, groups)


@autocast_op("conv_tbc")
def conv_tbc(input, weight, bias, pad: int = 0):
    """Time-batch-channel 1-D convolution: input (T, B, C_in), weight (K, C_in, C_out), bias
    (C_out,); out[t] = bias + sum_k x[t + k - pad] @ weight[k] (matches torch.conv_tbc;
    a negative pad crops)."""
    fn = "conv_tbc"
    for pos, (name, t) in enumerate((("input", input), ("weight", weight), ("bias", bias)), 1):
        need_tensor(fn, t, name, pos)
    pad = need_int(fn, pad, "pad", 4)
    if input.ndim != 3:
        raise RuntimeError(f"{fn}: Input must have 3 dims: time, batch, in_channel")
    if weight.ndim != 3:
        raise RuntimeError(f"{fn}: Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.ndim != 1:
        raise RuntimeError(f"{fn}: Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError(f"{fn}: Input dim 2 (input channels) is not == dim 1 in the weight "
                           "tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError(f"{fn}: Bias size must equal dim 2 in the weight tensor (output "
                           "channels).")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"{fn}: expected input and weight to have the same dtype, got "
                           f"{input.dtype} and {weight.dtype}")
    if input.dtype.kind == "b":
        raise RuntimeError(f"{fn}: \"addmm_impl_cpu_\" not implemented for 'Bool'")
    bias = bias.to(input.dtype)     # torch copies bias into an output of input's dtype
    k = weight.shape[0]
    x = _pad(input, (0, 0, 0, 0, pad, pad), "constant", 0)
    length = max(x.shape[0] - k + 1, 0)
    out = bias.expand(length, input.shape[1], weight.shape[2])
    for j in range(k if length else 0):
        out = out + x[j:j + length] @ weight[j]
    return out


def native_channel_shuffle(input, groups: int):
    """torch.native_channel_shuffle (matches it and F.native_channel_shuffle)."""
    return channel_shuffle(input, groups)


# ---- grid sampling (modes as ATen's enums) ------------------------------------------------
_INTERP = ("bilinear", "nearest", "bicubic")
_PADDING = ("zeros", "border", "reflection")


def _grid(fn, input, grid, interpolation_mode, padding_mode, align_corners, rank=None):
    need_tensor(fn, input, "input", 1)
    need_tensor(fn, grid, "grid", 2)
    i = need_int(fn, interpolation_mode, "interpolation_mode", 3)
    p = need_int(fn, padding_mode, "padding_mode", 4)
    need_bool(fn, align_corners, "align_corners", 5)
    if not (0 <= i < 3 and 0 <= p < 3):       # torch reads other values as undefined modes
        raise RuntimeError(f"{fn}: interpolation_mode must be 0 (bilinear), 1 (nearest) or 2 "
                           f"(bicubic) and padding_mode 0 (zeros), 1 (border) or 2 "
                           f"(reflection), got {i} and {p}")
    if rank is not None and (input.ndim != rank or grid.ndim != rank):
        raise RuntimeError(f"{fn}: expected {rank}D input and grid with same number of "
                           f"dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if i == 2 and input.ndim == 5:
        raise RuntimeError(f"{fn}: bicubic interpolation only supports 4D input")
    return grid_sample(input, grid, _INTERP[i], _PADDING[p], align_corners)


def grid_sampler(input, grid, interpolation_mode: int, padding_mode: int,
                 align_corners: bool):
    """F.grid_sample with ATen's int modes: interpolation 0 bilinear, 1 nearest,
    2 bicubic; padding 0 zeros, 1 border, 2 reflection (matches torch.grid_sampler)."""
    return _grid("grid_sampler", input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_2d(input, grid, interpolation_mode: int, padding_mode: int,
                    align_corners: bool):
    """torch.grid_sampler for 4-D input and grid only (matches torch.grid_sampler_2d)."""
    return _grid("grid_sampler_2d", input, grid, interpolation_mode, padding_mode,
                 align_corners, 4)


def grid_sampler_3d(input, grid, interpolation_mode: int, padding_mode: int,
                    align_corners: bool):
    """torch.grid_sampler for 5-D input and grid only (matches torch.grid_sampler_3d)."""
    return _grid("grid_sampler_3d", input, grid, interpolation_mode, padding_mode,
                 align_corners, 5)


def affine_grid_generator(theta, size, align_corners: bool):
    """F.affine_grid with a required align_corners (matches torch.affine_grid_generator)."""
    need_tensor("affine_grid_generator", theta, "theta", 1)
    size = need_ints("affine_grid_generator", size, "size", 2)
    need_bool("affine_grid_generator", align_corners, "align_corners", 3)
    if len(size) not in (4, 5):
        raise RuntimeError("affine_grid_generator: AffineGridGenerator needs 4d (spatial) or "
                           f"5d (volumetric) inputs, got size {list(size)}")
    nd = len(size) - 2
    if tuple(theta.shape) != (size[0], nd, nd + 1):
        raise RuntimeError(f"affine_grid_generator: expected theta of shape "
                           f"{(size[0], nd, nd + 1)} for size {list(size)}, got "
                           f"{tuple(theta.shape)}")
    if min(size) == 0:      # torch returns the empty grid (F.affine_grid refuses it)
        zero = (theta[:, :1, :1] * 0).reshape((size[0],) + (1,) * (nd + 1))
        return zero.expand(size[:1] + size[2:] + (nd,))
    return affine_grid(theta, list(size), align_corners)


# ---- deprecated norms ---------------------------------------------------------------------
def _float(fn, input):
    need_tensor(fn, input, "input", 1)
    if input.dtype.kind != "f":
        raise RuntimeError(f"{fn}: input dtype should be either floating point or complex. "
                           f"Got {input.dtype} instead.")


def frobenius_norm(input, dim, keepdim: bool = False):
    """sqrt(sum(x^2)) over dim (at most 2 dims; [] means all) (matches
    torch.frobenius_norm = linalg.vector_norm(x, 2, dim, keepdim))."""
    _float("frobenius_norm", input)
    dim = need_ints("frobenius_norm", dim, "dim", 2)
    need_bool("frobenius_norm", keepdim, "keepdim", 3)
    if len(dim) > 2:
        raise RuntimeError(f"frobenius_norm: Expected at most 2 dimensions, but got {len(dim)} "
                           "dimensions instead.")
    return linalg.vector_norm(input, 2, dim or None, keepdim)


def nuclear_norm(input, dim=None, keepdim: bool = False):
    """Sum of singular values over the two dims `dim` (default the last two) (matches both
    torch.nuclear_norm(input, keepdim=False) and torch.nuclear_norm(input, dim, keepdim))."""
    if isinstance(dim, bool):               # the (input, keepdim) overload, positionally
        dim, keepdim = None, dim
    _float("nuclear_norm", input)
    need_bool("nuclear_norm", keepdim, "keepdim", 3)
    if dim is None:
        return linalg.matrix_norm(input, "nuc", (-2, -1), keepdim)
    dim = need_ints("nuclear_norm", dim, "dim", 2)
    if len(dim) != 2:
        raise RuntimeError(f"nuclear_norm: dim must be a 2-tuple. Got {list(dim)}")
    return linalg.matrix_norm(input, "nuc", dim, keepdim)


def norm_except_dim(v, pow: int = 2, dim: int = 0):
    """The pow-norm over every dim but `dim`, keeping v's rank (dim -1: over everything, a
    0-d result) (matches torch.norm_except_dim, weight_norm's helper)."""
    _float("norm_except_dim", v)
    pow = need_int("norm_except_dim", pow, "pow", 2)
    dim = need_int("norm_except_dim", dim, "dim", 3)
    if dim == -1:
        return tensor_norm(v, pow)
    if v.ndim == 0:
        raise IndexError(f"norm_except_dim: Dimension specified as {dim} but tensor has no "
                         "dimensions")
    if not -v.ndim <= dim < v.ndim:
        raise IndexError(f"norm_except_dim: Dimension out of range (expected to be in range "
                         f"of [{-v.ndim}, {v.ndim - 1}], but got {dim})")
    kept = v.shape[0] if dim % v.ndim == 0 else v.shape[-1]
    if kept == 0 and dim % v.ndim in (0, v.ndim - 1):
        # torch views v as (size, -1): ambiguous for an empty kept dim
        raise RuntimeError(f"norm_except_dim: cannot reshape tensor of 0 elements into shape "
                           f"[0, -1] (v of shape {tuple(v.shape)}, dim {dim})")
    if dim % v.ndim == 0:
        rest = math.prod(v.shape[1:])
        return tensor_norm(v.reshape(v.shape[0], rest), pow, 1).reshape(
            (v.shape[0],) + (1,) * (v.ndim - 1))
    if dim == v.ndim - 1:
        rest = math.prod(v.shape[:-1])
        return tensor_norm(v.reshape(rest, v.shape[-1]), pow, 0).reshape(
            (1,) * (v.ndim - 1) + (v.shape[-1],))
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


# ---- RNN cells: one step, 2-D input (N, input_size) and hidden (N, hidden_size) -----------
def _cell(fn, input, hx, w_ih, w_hh, b_ih, b_hh, gates):
    """ATen's checks (input size, gate rows, batch and hidden size, one dtype)."""
    need_tensor(fn, input, "input", 1)
    for h in hx:
        need_tensor(fn, h, "hx", 2)
    need_tensor(fn, w_ih, "w_ih", 3)
    need_tensor(fn, w_hh, "w_hh", 4)
    need_optional_tensor(fn, b_ih, "b_ih", 5)
    need_optional_tensor(fn, b_hh, "b_hh", 6)
    if w_ih.ndim != 2 or w_hh.ndim != 2:
        raise RuntimeError(f"{fn}: w_ih and w_hh must be 2-D, got shapes "
                           f"{tuple(w_ih.shape)} and {tuple(w_hh.shape)}")
    if input.ndim < 2:
        raise IndexError(f"{fn}: Dimension out of range (expected to be in range of "
                         f"[-{max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got 1): "
                         f"input must be (batch, input_size)")
    if input.ndim != 2:
        raise RuntimeError(f"{fn}: input must be 2-D (batch, input_size), got shape "
                           f"{tuple(input.shape)}")
    if input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f"{fn}: input has inconsistent input_size: got {input.shape[1]} "
                           f"expected {w_ih.shape[1]}")
    hidden = w_hh.shape[1]
    if w_ih.shape[0] != gates * hidden or w_hh.shape[0] != gates * hidden:
        raise RuntimeError(f"{fn}: weight_ih first dim must be {gates} * hidden_size = "
                           f"{gates * hidden}, but got {w_ih.shape[0]} (weight_hh "
                           f"{w_hh.shape[0]})")
    for k, h in enumerate(hx):
        if h.ndim < 2:
            raise IndexError(f"{fn}: hidden{k} of shape {tuple(h.shape)} must be "
                             "(batch, hidden_size)")
        if input.shape[0] != h.shape[0]:
            raise RuntimeError(f"{fn}: Input batch size {input.shape[0]} doesn't match "
                               f"hidden{k} batch size {h.shape[0]}")
        if h.shape[1] != hidden:
            raise RuntimeError(f"{fn}: hidden{k} has inconsistent hidden_size: got "
                               f"{h.shape[1]}, expected {hidden}")
        if h.ndim != 2:
            raise RuntimeError(f"{fn}: hidden{k} must be 2-D (batch, hidden_size), got shape "
                               f"{tuple(h.shape)}")
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        try:
            ok = b is None or broadcast_shapes(tuple(b.shape), (input.shape[0], gates * hidden)
                                               ) == (input.shape[0], gates * hidden)
        except (RuntimeError, ValueError):
            ok = False
        if not ok:
            raise RuntimeError(f"{fn}: {name} of shape {tuple(b.shape)} does not broadcast to "
                               f"the gates' shape {(input.shape[0], gates * hidden)}")
    # (an LSTM's cell state meets only elementwise ops: torch promotes its dtype)
    for name, t in (("hx", hx[0]), ("w_ih", w_ih), ("w_hh", w_hh), ("b_ih", b_ih),
                    ("b_hh", b_hh)):
        if t is not None and t.dtype != input.dtype:
            raise RuntimeError(f"{fn}: expected {name} to have the input's dtype "
                               f"{input.dtype}, but got {t.dtype}")
    return input_gates(input, w_ih, b_ih)


@autocast_op("rnn_tanh_cell")
def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (matches torch.rnn_tanh_cell)."""
    gi = _cell("rnn_tanh_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh, 1)
    return rnn_step(gi, hx, w_hh.T, b_hh, "tanh")


@autocast_op("rnn_relu_cell")
def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh) (matches torch.rnn_relu_cell)."""
    gi = _cell("rnn_relu_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh, 1)
    return rnn_step(gi, hx, w_hh.T, b_hh, "relu")


@autocast_op("lstm_cell")
def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """(h', c') of one LSTM step, hx = (h, c), gates i, f, g, o (matches torch.lstm_cell)."""
    if not isinstance(hx, (list, tuple)):
        raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, "
                        f"not {type(hx).__name__}")
    if len(hx) != 2:
        raise RuntimeError("lstm_cell: lstm_cell expects two hidden states")
    gi = _cell("lstm_cell", input, tuple(hx), w_ih, w_hh, b_ih, b_hh, 4)
    return lstm_step(gi, hx[0], hx[1], w_hh.T, b_hh)


@autocast_op("gru_cell")
def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' of one GRU step, gates r, z, n (matches torch.gru_cell)."""
    gi = _cell("gru_cell", input, (hx,), w_ih, w_hh, b_ih, b_hh, 3)
    return gru_step(gi, hx, w_hh.T, b_hh)

