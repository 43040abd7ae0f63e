"""Margin and embedding losses, as torch computes them (compositions of differentiable ops,
so gradients and double backward follow): margin_ranking_loss, hinge_embedding_loss,
soft_margin_loss, multilabel_soft_margin_loss, cosine_embedding_loss.

    margin_ranking:   max(0, -y (x1 - x2) + margin)
    hinge_embedding:  x where y != -1, plus max(0, margin - x) where y != 1
    soft_margin:      log(1 + exp(-y x))
    multilabel_soft:  -mean_c(y log sigmoid(x) + (1 - y) log sigmoid(-x))   (times weight)
    cosine_embedding: 1 - cos(x1, x2) where y == 1, max(0, cos - margin) where y == -1,
                      cos = <x1, x2> / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))
multi_margin_loss and multilabel_margin_loss are in loss_multiclass.py.
"""
from __future__ import annotations

import contextlib
import warnings

import numpy as np

from ..autocast_state import autocast_op
from ..autograd import Op
from .activation import logsigmoid
from .arith import torch_name
from .checks import need_float, need_operand, need_tensor, not_differentiable
from .compare import where
from .loss import get_reduction, reduce_loss

_EPSILON = 1e-12            # torch's cosine_embedding_loss constant


def enum_reduction(reduction, op, size_average=None, reduce=None, elementwise=True):
    """The reduction as torch's _Reduction.get_enum reads it: the legacy size_average/reduce
    flags override it (with a warning); 'elementwise_mean' is a deprecated 'mean' for the
    losses that go through get_enum (elementwise=True)."""
    extra = ("elementwise_mean",) if elementwise else ()
    reduction = get_reduction(reduction, op, size_average, reduce, extra=extra)
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", UserWarning, stacklevel=3)
        reduction = "mean"
    return reduction


@contextlib.contextmanager
def op_errors(op):
    """Errors of the ops a loss is built from (shapes that do not broadcast, a bool operand)
    name the loss: 'margin_ranking_loss: sub: shapes (3, 5) and (3, 4) are not ...'."""
    try:
        yield
    except (RuntimeError, ValueError, IndexError) as e:
        if str(e).startswith(op):
            raise
        try:
            named = type(e)(f"{op}: {e}")
        except Exception:                   # noqa: BLE001 (a class with other arguments)
            raise e from None
        raise named from None


def as_operand(x):
    """A NumPy array operand as a tensor (torch's arithmetic takes one)."""
    if isinstance(x, np.ndarray):
        from ..creation import tensor  # lazy: creation imports the ops package
        return tensor(x)
    return x


class NoBackward(Op):
    """The identity whose backward raises `message` (torch's forward takes a case its
    backward then refuses)."""

    @staticmethod
    def forward(ctx, x, message):
        ctx.message = message
        return x.copy()                     # (a new array: the output is no view of x)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(ctx.message)

    @staticmethod
    def jvp(ctx, tx, _):                    # torch's forward derivative refuses it as well
        raise RuntimeError(ctx.message)


def _tensors(op, **named):
    for k, (name, t) in enumerate(named.items()):
        need_tensor(op, t, name, k + 1)


@autocast_op("margin_ranking_loss")
def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean"):
    """max(0, -target * (input1 - input2) + margin), broadcast; target is 1 or -1.
    Matches torch.nn.functional.margin_ranking_loss."""
    op = "margin_ranking_loss"
    reduction = enum_reduction(reduction, op, size_average, reduce)
    _tensors(op, input1=input1, input2=input2, target=target)
    margin = need_float(op, margin, "margin", 4)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"{op}: All input tensors should have same dimension but got sizes: "
                           f"input1: {tuple(input1.shape)}, input2: {tuple(input2.shape)}, "
                           f"target: {tuple(target.shape)}")
    if target.dtype.kind == "b":
        raise RuntimeError(f"{op}: Negation, the `-` operator, on a bool tensor (target) is "
                           "not supported")
    with op_errors(op):
        return reduce_loss((-target * (input1 - input2) + margin).clamp_min(0), reduction)


@autocast_op("hinge_embedding_loss")
def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """input where target != -1, plus max(0, margin - input) where target != 1 (broadcast).
    Matches torch.nn.functional.hinge_embedding_loss."""
    op = "hinge_embedding_loss"
    reduction = enum_reduction(reduction, op, size_average, reduce)
    _tensors(op, input=input, target=target)
    margin = need_float(op, margin, "margin", 3)
    kind = input.dtype.kind
    if kind == "b":
        raise RuntimeError(f"{op}: Subtraction, the `-` operator, with two bool tensors is not "
                           "supported (a bool input)")
    if kind in "iu":                    # torch fills a tensor of input's dtype with margin
        if not np.isfinite(margin):
            raise RuntimeError(f"{op}: margin {margin} cannot be converted to "
                               f"{torch_name(input.dtype)} without overflow (integer input)")
        margin = int(margin)
    with op_errors(op):
        margin_clamp = (margin - input).clamp_min(0)
        out = where(target != 1, margin_clamp, 0) + where(target != -1, input, 0)
        return reduce_loss(out, reduction)


@autocast_op("soft_margin_loss")
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """log(1 + exp(-target * input)) in input's dtype; target broadcasts to input's shape and
    gets no gradient (torch refuses one). Matches torch.nn.functional.soft_margin_loss."""
    op = "soft_margin_loss"
    reduction = enum_reduction(reduction, op, size_average, reduce)
    _tensors(op, input=input, target=target)
    not_differentiable(target, "target", op)
    if input.dtype.kind != "f":
        what = "Negation, the `-` operator, on a bool tensor is not supported" \
            if input.dtype.kind == "b" else "result type Float can't be cast to the desired " \
                                            f"output type {torch_name(input.dtype)}"
        raise RuntimeError(f"{op}: {what} (the loss has the input's dtype, which must be "
                           "floating point)")
    try:
        ok = np.broadcast_shapes(tuple(input.shape), tuple(target.shape)) == tuple(input.shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"{op}: target of shape {tuple(target.shape)} does not broadcast "
                           f"to the input's shape {tuple(input.shape)}")
    u = -input * target
    if u.dtype != input.dtype:
        u = u.to(input.dtype)
    if target.dtype == np.bool_:            # torch's backward negates the target
        u = NoBackward.apply(u, f"{op}: Negation, the `-` operator, on a bool tensor is not "
                                "supported (the backward of a bool target)")
    return reduce_loss(u.exp().log1p(), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    """Binary cross-entropy of sigmoid(input) per class (times weight), averaged over the
    last (class) dim. Matches torch.nn.functional.multilabel_soft_margin_loss."""
    op = "multilabel_soft_margin_loss"
    reduction = get_reduction(reduction, op, size_average, reduce)
    need_tensor(op, input, "input", 1)
    weight = as_operand(weight)             # (torch takes loss * ndarray, not ndarray * x)
    need_operand(op, target, "target", 2)
    if weight is not None:
        need_operand(op, weight, "weight", 3)
    if input.dtype.kind != "f":
        raise NotImplementedError(f'{op}: "log_sigmoid_cpu" not implemented for '
                                  f"'{torch_name(input.dtype)}' (input must be floating point)")
    if getattr(target, "dtype", None) == np.bool_:
        raise RuntimeError(f"{op}: Subtraction, the `-` operator, with a bool tensor (target) "
                           "is not supported")
    with op_errors(op):
        loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
        if weight is not None:
            loss = loss * weight
    if input.ndim == 0:
        raise IndexError(f"{op}: Dimension specified as -1 but tensor has no dimensions (input "
                         "needs a class dim)")
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    return reduce_loss(loss, reduction)


@autocast_op("cosine_embedding_loss")
def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean"):
    """1 - cos(x1, x2) where target == 1, max(0, cos - margin) where target == -1, for rows
    (N, D) with target (N,) or vectors (D,) with a 0-d target. Matches
    torch.nn.functional.cosine_embedding_loss."""
    op = "cosine_embedding_loss"
    reduction = enum_reduction(reduction, op, size_average, reduce)
    _tensors(op, input1=input1, input2=input2, target=target)
    margin = need_float(op, margin, "margin", 4)
    td = target.ndim
    if td > 1:
        raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != td + 1 or input2.ndim != td + 1:
        raise RuntimeError(f"{op}: {td}D target tensor expects {td + 1}D input tensors, but "
                           f"found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    with op_errors(op):
        prod_sum = (input1 * input2).sum(td)
        mag1 = (input1 * input1).sum(td) + _EPSILON
        mag2 = (input2 * input2).sum(td) + _EPSILON
        cos = prod_sum / (mag1 * mag2).sqrt()
        pos = 1 - cos
        neg = (cos - margin).clamp_min(0)
        out = where(target == 1, pos, 0) + where(target == -1, neg, 0)
        return reduce_loss(out, reduction)
