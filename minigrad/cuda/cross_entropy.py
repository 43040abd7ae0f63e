"""Launchers for kernels/cross_entropy.cu: fused class-index cross-entropy on (rows, C) logits.

    forward(logits, targets, weight, ignore_index, label_smoothing, reduction)
        -> (loss, stats, total): the loss as the reduction asks, stats = (m, l) per row
           (logsumexp = m + log l; kept for the backward) and sum_i w_t (mean's divisor) as a
           device scalar: no host sync.
    backward(logits, targets, weight, ignore_index, label_smoothing, reduction, stats, total, g)
        -> dlogits = coef * (softmax - target distribution), in one pass.

Launch shape: one block per row, threads = clamp(next_pow2(C / (4 * VEC)), 32, 1024) so each
thread handles about 4 packs; VEC = 16-byte packs when the logits and C allow it.
`forward_from_plan` / `backward_from_plan` adapt minigrad/ops/loss.py's _Plan (fields valid,
tc, weight, eps, reduction, w_t) so the op hooks stay three lines long.
"""
from __future__ import annotations

import functools
from collections import namedtuple

import numpy as np

from . import loader
from .loader import CTYPES, pow2ceil

Launch = namedtuple("Launch", "name grid block")
MODES = {"none": 0, "mean": 1, "sum": 2}
MAX_GRID = 1 << 20
NULL = np.uint64(0)        # a null device pointer (8 zero bytes; older CuPy mishandles None)


def plan(kind: str, dtype, rows: int, n_classes: int, aligned: bool) -> Launch:
    """The launch of ce_fwd / ce_bwd for `rows` rows of `n_classes` logits."""
    t = CTYPES[str(np.dtype(dtype))]
    vec = 16 // np.dtype(dtype).itemsize
    vec = vec if aligned and n_classes % vec == 0 else 1
    threads = min(1024, max(32, pow2ceil(-(-n_classes // (4 * vec)))))
    return Launch(f"ce_{kind}<{t},{vec}>", min(rows, MAX_GRID), threads)


@functools.cache
def names(dtype) -> tuple:
    t = CTYPES[str(np.dtype(dtype))]
    vec = 16 // np.dtype(dtype).itemsize
    return tuple(f"ce_{k}<{t},{v}>" for k in ("fwd", "bwd") for v in sorted({1, vec})) + (
        f"ce_reduce<{t}>",)


def _kernel(name, dtype):
    return loader.get_kernel("cross_entropy", name, group=names(np.dtype(dtype)))


def _acc(dtype):
    return np.dtype(np.float32) if np.dtype(dtype) == np.float16 else np.dtype(dtype)


def supported(logits, targets, weight=None) -> bool:
    return (loader.ctype(logits.dtype) is not None and logits.ndim == 2 and logits.size > 0
            and logits.shape[1] < 2**31 and targets.shape == (logits.shape[0],)
            and targets.dtype.kind in "iu"
            and (weight is None or (weight.dtype == logits.dtype
                                    and weight.shape == (logits.shape[1],))))


def check_targets(targets, n_classes: int, ignore_index: int):
    """Raise the CPU path's IndexError for a target outside [0, C) (one host sync)."""
    bad = (targets != ignore_index) & ((targets < 0) | (targets >= n_classes))
    if bool(bad.any()):
        value = int(targets[bad].reshape(-1)[0])
        raise IndexError(f"cross_entropy: target {value} is out of bounds for {n_classes} "
                         f"classes (valid: 0..{n_classes - 1}, or ignore_index={ignore_index})")


def _common(logits, targets, weight):
    cp = loader._cupy()
    x = cp.ascontiguousarray(logits)
    t = cp.ascontiguousarray(targets, dtype=np.int64)
    acc = _acc(x.dtype)
    w = None if weight is None else cp.ascontiguousarray(weight)
    wsum = cp.zeros((1,), acc) if w is None else w.sum(dtype=acc).reshape(1)
    return x, t, w, wsum, acc


def forward(logits, targets, weight=None, ignore_index=-100, label_smoothing=0.0,
            reduction="mean", check=True):
    """(loss, stats, total) of F.cross_entropy, class-index targets; None: no kernel."""
    if not supported(logits, targets, weight) or reduction not in MODES:
        return None
    rows, n_classes = logits.shape
    if check:
        check_targets(targets, n_classes, ignore_index)
    x, t, w, wsum, acc = _common(logits, targets, weight)
    loss_rows, wt = loader.empty((rows,), acc), loader.empty((rows,), acc)
    stats = loader.empty((2, rows), acc)
    total = loader.empty((1,), acc)
    ln = plan("fwd", x.dtype, rows, n_classes, x.data.ptr % 16 == 0)
    eps = acc.type(label_smoothing)
    args = (x, t, NULL if w is None else w, wsum, eps, np.int64(ignore_index), np.int64(rows),
            np.int32(n_classes), loss_rows, stats, wt)
    _kernel(ln.name, x.dtype)((ln.grid,), (ln.block,), args)
    out = loader.empty((), x.dtype)
    red = _kernel(f"ce_reduce<{CTYPES[str(x.dtype)]}>", x.dtype)
    red((1,), (1024,), (loss_rows, wt, np.int64(rows), np.int32(MODES[reduction]), out, total))
    if reduction == "none":
        out = loss_rows.astype(x.dtype)
    return out, stats, total


def backward(logits, targets, weight, ignore_index, label_smoothing, reduction, stats, total, g,
             out=None):
    """dlogits for upstream gradient g (0-d for mean/sum, (rows,) for none); None: no kernel."""
    if not supported(logits, targets, weight) or reduction not in MODES:
        return None
    rows, n_classes = logits.shape
    x, t, w, wsum, acc = _common(logits, targets, weight)
    cp = loader._cupy()
    g = cp.ascontiguousarray(g, dtype=x.dtype)
    g_stride = 1 if reduction == "none" else 0
    dx = loader.empty(x.shape, x.dtype) if out is None else out
    aligned = x.data.ptr % 16 == 0 and dx.data.ptr % 16 == 0
    ln = plan("bwd", x.dtype, rows, n_classes, aligned)
    args = (x, t, NULL if w is None else w, wsum, stats, g, np.int64(g_stride),
            total if reduction == "mean" else NULL, acc.type(label_smoothing),
            np.int64(ignore_index), np.int64(rows), np.int32(n_classes), dx)
    _kernel(ln.name, x.dtype)((ln.grid,), (ln.block,), args)
    return dx


# ---- adapters for minigrad/ops/loss.py -------------------------------------------------------
_IGNORED = -1      # targets rebuilt from the plan: ignored rows get -1, never a valid class


def _plan_targets(plan):
    xp = loader._cupy()
    return xp.where(plan.valid, plan.tc, _IGNORED)


def forward_from_plan(x, plan):
    """CrossEntropy.forward_cuda: the loss, with plan.cuda = (targets, stats, total) kept."""
    t = _plan_targets(plan)
    res = forward(x, t, plan.weight, _IGNORED, plan.eps, plan.reduction, check=False)
    if res is None:
        return None
    out, stats, total = res
    plan.cuda = (t, stats, total)
    plan.shift, plan.sumexp = stats[0].astype(x.dtype), stats[1].astype(x.dtype)  # CPU backward
    return out


def backward_from_plan(x, g, plan):
    """CrossEntropyBackward.forward_cuda: (dx, a) with a = (1 - eps) w_t + eps W / C."""
    if getattr(plan, "cuda", None) is None:
        return None
    t, stats, total = plan.cuda
    dx = backward(x, t, plan.weight, _IGNORED, plan.eps, plan.reduction, stats, total, g)
    if dx is None:
        return None
    n_classes, w = x.shape[1], plan.weight
    w_sum = n_classes if w is None else w.sum()
    return dx, (1 - plan.eps) * plan.w_t + plan.eps / n_classes * w_sum
