"""torch's top-level functional forms (torch.dropout, torch.batch_norm, torch.kl_div, ...):
ATen's signatures, which differ from torch.nn.functional's (required positional flags,
`train` for `training`, weight before running statistics, `reduction` as the int enum
0 none / 1 mean / 2 sum). Each checks its arguments under its own name and hands off to
the F.* function that holds the math. Pooling, convolution, sampling, norms and the RNN
cells are in functional_torch_more.py.
"""
from __future__ import annotations

import contextlib

from . import backend, creation
from .autograd import no_grad
from .ops import dropout_feature as _df
from .ops import loss_bce, loss_distance, loss_margin, loss_pointwise, loss_regression
from .ops.checks import (need_bool, need_float, need_int, need_ints, need_optional_tensor,
                         need_tensor)
from .ops.compare import minimum
from .ops.ctc import ctc_loss as _ctc_loss
from .ops.dropout import MaskMul, _uniform
from .ops.dropout import dropout as _dropout
from .ops.loss import reduce_loss
from .ops.norm_group import group_norm as _group_norm
from .ops.norm_group import instance_norm as _instance_norm
from .ops.norm_rms import rms_norm as _rms_norm
from .nn.embedding import embedding as _emb
from .nn.norm import batch_norm as _bn
from .nn.norm import layer_norm as _ln


def reduction_name(fn, reduction, pos):
    """ATen's Reduction enum: 1 mean, 2 sum, and anything else no reduction (as its
    apply_loss_reduction, which tests only for Mean and Sum). torch's Python binding reads
    the schema's default (reduction=Mean) as 0: an omitted reduction reduces nothing, so
    the defaults below are 0."""
    r = need_int(fn, reduction, "reduction", pos)
    return {1: "mean", 2: "sum"}.get(r, "none")


# ---- dropout ------------------------------------------------------------------------------
def _dropout_args(fn, input, p, train):
    need_tensor(fn, input, "input", 1)
    p = need_float(fn, p, "p", 2)
    need_bool(fn, train, "train", 3)
    if not 0 <= p <= 1:
        raise RuntimeError(f"{fn}: dropout probability has to be between 0 and 1, but got {p}")
    return p


def dropout(input, p: float, train: bool):
    """torch.dropout(input, p, train): F.dropout with required p and train (matches
    torch.dropout; returns input itself when not training)."""
    return _dropout(input, _dropout_args("dropout", input, p, train), train)


def dropout_(input, p: float, train: bool):
    """In-place torch.dropout_ (matches torch.dropout_): zeroes input's elements with
    probability p and scales the rest by 1 / (1 - p)."""
    return _dropout(input, _dropout_args("dropout_", input, p, train), train, inplace=True)


def _full(shape):
    return shape


def _feature(fn):
    """Noise shape (N, C, 1, ...) of ATen's feature dropouts (at least 2 dims)."""
    def shape(s):
        if len(s) < 2:
            raise RuntimeError(f"{fn}: Feature dropout requires at least 2 dimensions in the "
                               "input")
        return s[:2] + (1,) * (len(s) - 2)
    return shape


def alpha_dropout(input, p: float, train: bool):
    """torch.alpha_dropout(input, p, train) (matches torch.alpha_dropout; SELU's mean and
    variance kept)."""
    p = _dropout_args("alpha_dropout", input, p, train)
    return _df._apply("alpha_dropout", input, p, train, False, _full, True)


def alpha_dropout_(input, p: float, train: bool):
    """In-place torch.alpha_dropout_ (matches torch.alpha_dropout_)."""
    p = _dropout_args("alpha_dropout_", input, p, train)
    return _df._apply("alpha_dropout_", input, p, train, True, _full, True)


def feature_dropout(input, p: float, train: bool):
    """torch.feature_dropout(input, p, train): zero whole (n, c) planes of an (N, C, *)
    input (matches torch.feature_dropout; no unbatched form)."""
    p = _dropout_args("feature_dropout", input, p, train)
    return _df._apply("feature_dropout", input, p, train, False, _feature("feature_dropout"),
                      False)


def feature_dropout_(input, p: float, train: bool):
    """In-place torch.feature_dropout_ (matches torch.feature_dropout_)."""
    p = _dropout_args("feature_dropout_", input, p, train)
    return _df._apply("feature_dropout_", input, p, train, True, _feature("feature_dropout_"),
                      False)


def feature_alpha_dropout(input, p: float, train: bool):
    """torch.feature_alpha_dropout(input, p, train): alpha dropout of whole (n, c) planes
    (matches torch.feature_alpha_dropout)."""
    p = _dropout_args("feature_alpha_dropout", input, p, train)
    return _df._apply("feature_alpha_dropout", input, p, train, False,
                      _feature("feature_alpha_dropout"), True)


def feature_alpha_dropout_(input, p: float, train: bool):
    """In-place torch.feature_alpha_dropout_ (matches torch.feature_alpha_dropout_)."""
    p = _dropout_args("feature_alpha_dropout_", input, p, train)
    return _df._apply("feature_alpha_dropout_", input, p, train, True,
                      _feature("feature_alpha_dropout_"), True)


def native_dropout(input, p: float, train):
    """(output, bool keep-mask) (matches torch.native_dropout): output = input * mask /
    (1 - p) (0 when p = 1) while training (train None counts as True), else a copy and an
    all-True mask."""
    fn = "native_dropout"
    need_tensor(fn, input, "input", 1)
    p = need_float(fn, p, "p", 2)
    if train is not None:
        need_bool(fn, train, "train", 3)
    if input.numel() == 0:          # torch: the input and an empty tensor of its dtype
        return input, creation.empty_like(input)
    if train is False:
        return input.clone(), creation.ones_like(input, dtype=backend.bool_)
    if not 0 <= 1 - p <= 1:
        raise RuntimeError(f"{fn}: bernoulli_ expects p to be in [0, 1], but got p={1 - p}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{fn}: result type Float can't be cast to the desired output "
                           f"type of the input ({input.dtype})")
    keep = _uniform(input, tuple(input.shape)) < 1 - p
    scale = 0.0 if p == 1 else 1 / (1 - p)
    out = MaskMul.apply(input, (keep * scale).astype(input.dtype))
    return out, creation.tensor(keep, device=input.device)


# ---- normalization ------------------------------------------------------------------------
def _norm_args(fn, input, weight, bias, running_mean, running_var, flags):
    need_tensor(fn, input, "input", 1)
    for pos, (name, t) in enumerate((("weight", weight), ("bias", bias),
                                     ("running_mean", running_mean),
                                     ("running_var", running_var)), 2):
        need_optional_tensor(fn, t, name, pos)
    for pos, name, v in flags:
        (need_bool if name in ("training", "use_input_stats", "cudnn_enabled")
         else need_float)(fn, v, name, pos)


def batch_norm(input, weight, bias, running_mean, running_var, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool):
    """torch.batch_norm: F.batch_norm with ATen's argument order, all required (matches
    torch.batch_norm; cudnn_enabled is checked and ignored)."""
    _norm_args("batch_norm", input, weight, bias, running_mean, running_var,
               ((6, "training", training), (7, "momentum", momentum), (8, "eps", eps),
                (9, "cudnn_enabled", cudnn_enabled)))
    return _bn(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats: bool,
                  momentum: float, eps: float, cudnn_enabled: bool):
    """torch.instance_norm: F.instance_norm with ATen's argument order (matches
    torch.instance_norm)."""
    _norm_args("instance_norm", input, weight, bias, running_mean, running_var,
               ((6, "use_input_stats", use_input_stats), (7, "momentum", momentum),
                (8, "eps", eps), (9, "cudnn_enabled", cudnn_enabled)))
    return _instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                          momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enable: bool = True):
    """torch.layer_norm (matches torch.layer_norm; cudnn_enable is checked and ignored)."""
    need_bool("layer_norm", cudnn_enable, "cudnn_enable", 6)
    return _ln(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enabled: bool = True):
    """torch.group_norm (matches torch.group_norm; cudnn_enabled is checked and ignored)."""
    need_bool("group_norm", cudnn_enabled, "cudnn_enabled", 6)
    return _group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """torch.rms_norm: x / sqrt(mean(x^2 over the last dims) + eps) * weight (matches
    torch.rms_norm; eps None is the dtype's machine epsilon)."""
    return _rms_norm(input, normalized_shape, weight, eps)


def _stats(x, dims, eps, grad=False):
    """(mean, 1 / sqrt(biased var + eps)) over dims, keepdim; without history unless `grad`
    (torch's batch and layer norm statistics are not differentiable outputs, group norm's
    are)."""
    with no_grad() if not grad else contextlib.nullcontext():
        mean = x.mean(dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dims, keepdim=True)
        return mean, (var + eps).rsqrt()



def native_batch_norm(input, weight, bias, running_mean, running_var, training: bool,
                      momentum: float, eps: float):
    """(output, save_mean, save_invstd) of torch.native_batch_norm: the batch's per-channel
    mean and 1 / sqrt(biased var + eps) while training, empty (0,) tensors in eval."""
    fn = "native_batch_norm"
    _norm_args(fn, input, weight, bias, running_mean, running_var,
               ((6, "training", training), (7, "momentum", momentum), (8, "eps", eps)))
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"{fn}: running_mean and running_var must be defined in evaluation "
                           "mode")     # (torch crashes here)
    out = batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                     False)
    if not training:
        empty = creation.empty(0, dtype=input.dtype, device=input.device)
        return out, empty, empty.clone()
    dims = (0,) + tuple(range(2, input.ndim))
    mean, invstd = _stats(input, dims, float(eps))
    return out, mean.reshape(-1), invstd.reshape(-1)


def native_layer_norm(input, normalized_shape, weight, bias, eps: float):
    """(output, mean, rstd) of torch.native_layer_norm: mean and 1 / sqrt(biased var + eps)
    over the normalized dims, shaped input.shape[:-k] + (1,) * k."""
    fn = "native_layer_norm"
    need_tensor(fn, input, "input", 1)
    need_optional_tensor(fn, weight, "weight", 3)
    need_optional_tensor(fn, bias, "bias", 4)
    eps = need_float(fn, eps, "eps", 5)
    out = layer_norm(input, normalized_shape, weight, bias, eps)
    k = len(need_ints(fn, normalized_shape, "normalized_shape", 2))
    return (out,) + _stats(input, tuple(range(input.ndim - k, input.ndim)), eps)


def native_group_norm(input, weight, bias, N: int, C: int, HxW: int, group: int, eps: float):
    """(output, mean, rstd) of torch.native_group_norm on input viewed as (N, C, HxW):
    mean and 1 / sqrt(biased var + eps) per (sample, group), shaped (N, group)."""
    fn = "native_group_norm"
    need_tensor(fn, input, "input", 1)
    need_optional_tensor(fn, weight, "weight", 2)
    need_optional_tensor(fn, bias, "bias", 3)
    n, c, hw = (need_int(fn, v, name, pos) for pos, name, v in
                ((4, "N", N), (5, "C", C), (6, "HxW", HxW)))
    group = need_int(fn, group, "group", 7)
    eps = need_float(fn, eps, "eps", 8)
    if input.numel() != n * c * hw or input.ndim < 2 or input.shape[1] != c:
        raise RuntimeError(f"{fn}: Expected X.numel() == N * C * HxW and input.size(1) == C, "
                           f"got input of shape {tuple(input.shape)} with N={n}, C={c}, "
                           f"HxW={hw}")
    out = _group_norm(input, group, weight, bias, eps)
    if n * group == 0:
        z = creation.zeros(n, group, dtype=input.dtype, device=input.device)
        return out, z, z.clone()
    mean, rstd = _stats(input.reshape(n, group, -1), (2,), eps, grad=True)
    return out, mean.reshape(n, group), rstd.reshape(n, group)


# ---- embedding ----------------------------------------------------------------------------
def embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False):
    """torch.embedding(weight, indices, ...): rows of weight (matches torch.embedding;
    ATen's padding_idx: a row whose gradient is skipped, none when negative)."""
    fn = "embedding"
    need_tensor(fn, weight, "weight", 1)
    need_tensor(fn, indices, "indices", 2)
    pad = need_int(fn, padding_idx, "padding_idx", 3)
    need_bool(fn, scale_grad_by_freq, "scale_grad_by_freq", 4)
    need_bool(fn, sparse, "sparse", 5)
    n = weight.shape[0] if weight.ndim else 0
    return _emb(indices, weight, pad if 0 <= pad < n else None, None, 2.0,
                scale_grad_by_freq, sparse)


# ---- losses (reduction: the int enum) -----------------------------------------------------
def kl_div(input, target, reduction: int = 0, *, log_target: bool = False):
    """torch.kl_div (matches torch.kl_div; reduction 1 is the elementwise mean, omitted it is
    none)."""
    return loss_pointwise.kl_div(input, target, reduction=reduction_name("kl_div", reduction, 3),
                                 log_target=log_target)


def poisson_nll_loss(input, target, log_input: bool, full: bool, eps: float, reduction: int):
    """torch.poisson_nll_loss, every argument required (matches torch.poisson_nll_loss)."""
    fn = "poisson_nll_loss"
    need_bool(fn, log_input, "log_input", 3)
    need_bool(fn, full, "full", 4)
    eps = need_float(fn, eps, "eps", 5)
    return loss_regression.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                            reduction=reduction_name(fn, reduction, 6))


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, reduction: int = 0):
    """torch.margin_ranking_loss (matches torch.margin_ranking_loss)."""
    r = reduction_name("margin_ranking_loss", reduction, 5)
    return loss_margin.margin_ranking_loss(input1, input2, target, margin, reduction=r)


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction: int = 0):
    """torch.hinge_embedding_loss (matches torch.hinge_embedding_loss)."""
    r = reduction_name("hinge_embedding_loss", reduction, 4)
    return loss_margin.hinge_embedding_loss(input, target, margin, reduction=r)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2.0,
                        eps: float = 1e-6, swap: bool = False, reduction: int = 0):
    """max(margin + d(a, p) - d(a, n), 0) (matches torch.triplet_margin_loss, which, unlike
    F.triplet_margin_loss, takes any margin)."""
    fn = "triplet_margin_loss"
    for pos, (name, t) in enumerate((("anchor", anchor), ("positive", positive),
                                     ("negative", negative)), 1):
        need_tensor(fn, t, name, pos)
    margin = need_float(fn, margin, "margin", 4)
    p = need_float(fn, p, "p", 5)
    eps = need_float(fn, eps, "eps", 6)
    need_bool(fn, swap, "swap", 7)
    r = reduction_name(fn, reduction, 8)
    loss_distance._same_ndim(anchor, positive, negative, fn)
    with loss_margin.op_errors(fn):
        d_pos = loss_distance.pairwise_distance(anchor, positive, p, eps)
        d_neg = loss_distance.pairwise_distance(anchor, negative, p, eps)
        if swap:
            d_neg = minimum(d_neg, loss_distance.pairwise_distance(positive, negative, p, eps))
        return reduce_loss((margin + d_pos - d_neg).clamp_min(0), r)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction: int = 0):
    """torch.cosine_embedding_loss (matches torch.cosine_embedding_loss)."""
    r = reduction_name("cosine_embedding_loss", reduction, 5)
    return loss_margin.cosine_embedding_loss(input1, input2, target, margin, reduction=r)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: int = 0, zero_infinity: bool = False):
    """torch.ctc_loss (matches torch.ctc_loss; lengths as int lists or tensors)."""
    r = reduction_name("ctc_loss", reduction, 6)
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, r,
                     zero_infinity)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction: int = 0):
    """torch.binary_cross_entropy_with_logits: pos_weight before reduction, which is the int
    enum (matches torch.binary_cross_entropy_with_logits)."""
    r = reduction_name("binary_cross_entropy_with_logits", reduction, 5)
    return loss_bce.binary_cross_entropy_with_logits(input, target, weight, reduction=r,
                                                     pos_weight=pos_weight)
