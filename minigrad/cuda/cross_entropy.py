"""Launchers for kernels/cross_entropy.cu: fused class-index cross-entropy on (rows, C) logits.

    forward(logits, targets, weight, ignore_index, label_smoothing, reduction, check=True)
        -> (loss, stats, total): the loss as the reduction asks, stats = (m, l) per row
           (logsumexp = m + log l; kept for the backward) and sum_i w_t (mean's divisor) as a
           device scalar. check: ce_targets raises the CPU path's IndexError for an
           out-of-range target before forward returns (the one host sync of the call: it
           waits for ce_targets alone, the big kernel is queued behind it by then).
    backward(logits, targets, weight, ignore_index, label_smoothing, reduction, stats, total, g)
        -> dlogits = coef * (softmax - target distribution), in one pass.
    forward(..., with_grad=True)   (mean or sum, when the logits will need a gradient)
        -> (loss, stats, total, dx1): ce_fwd_grad also writes dx1, the gradient for g = 1, in
           the same pass; `finish_grad(dx1, g)` turns it into the gradient for g (one host
           sync to look at g; dx1 as it is when g == 1, else scaled in place). For the
           implicit seed of loss.backward() the op skips even that (backward_seed.is_implicit_one).
           Forward + backward then read the logits once and write the gradient once. It holds
           an extra logits-sized buffer from forward to backward, as torch's saved log-softmax
           does.

Launch shape: one block per row, threads = clamp(next_pow2(C / (4 * VEC)), 32, 1024) so each
thread handles about 4 packs; VEC = 16-byte packs when the logits and C allow it (ce_fwd_grad:
whenever x and dx share their alignment). with_grad picks by row length (`plan_training`):
rows of at most 1024 classes go to ce_warp_fwd_grad (1..32 lanes per row, the row in
registers); rows longer than 64 KB on sm_90+ to ce_cluster_fwd_grad, a cluster of 2, 4 or 8
blocks of 128 threads per row, each with a slice of at most 64 KB in shared memory.
`cross_entropy` / `cross_entropy_backward` take the op's arguments (logits, _Plan of
minigrad/ops/cross_entropy.py) for its one-line hand-off (minigrad/fastpath.py).
"""
from __future__ import annotations

import functools

import numpy as np

from .. import backward_seed
from . import loader
from .loader import CTYPES, Launch, pow2ceil

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
def names(dtype, cluster: bool = True) -> tuple:
    """Every instantiation the launchers can ask for; `cluster` adds the sm_90+ cluster kernel
    (the CPU emulator compiles without it)."""
    t = CTYPES[str(np.dtype(dtype))]
    vec = 16 // np.dtype(dtype).itemsize
    warp = sorted({plan_warp(dtype, 1, c, True).name for c in range(1, WARP_MAX_CLASSES + 1)}
                  | {plan_warp(dtype, 1, c, False).name for c in range(1, WARP_MAX_CLASSES + 1)})
    return tuple(f"ce_{k}<{t},{v}>" for k in ("fwd", "bwd") for v in sorted({1, vec})) + tuple(
        f"ce_fwd_grad<{t},{v},{b}>" for v in sorted({1, vec}) for b in ("false", "true")) + (
        f"ce_reduce<{t}>", f"ce_targets<{t}>") + tuple(warp) + (tuple(
            f"ce_cluster_fwd_grad<{t},{s}>" for s in CLUSTER_SIZES) if cluster else ())


def teaching_names(dtype) -> tuple:
    """The teaching kernel ce_naive_fwd (never dispatched): its instantiation, for the tests and
    the nvcc check."""
    return (f"ce_naive_fwd<{CTYPES[str(np.dtype(dtype))]}>",)


WARP_MAX_CLASSES = 1024         # rows up to this long: ce_warp_fwd_grad (<= 32 values per lane)
WARP_BLOCK = 128


def plan_warp(dtype, rows: int, n_classes: int, aligned: bool) -> Launch:
    """ce_warp_fwd_grad for rows of at most WARP_MAX_CLASSES: GROUP lanes per row (enough for
    one pack each, at most 32), CPT values per lane (a power of two of packs); aligned: x
    and dx 16-byte aligned (then 16-byte packs when C allows)."""
    t = CTYPES[str(np.dtype(dtype))]
    vec = 16 // np.dtype(dtype).itemsize
    vec = vec if aligned and n_classes % vec == 0 else 1
    group = min(32, pow2ceil(-(-n_classes // vec)))
    cpt = vec * pow2ceil(-(-n_classes // (group * vec)))
    grid = min(-(-rows // (WARP_BLOCK // group)), MAX_GRID)
    return Launch(f"ce_warp_fwd_grad<{t},{vec},{cpt},{group}>", grid, WARP_BLOCK)


STAGE_MAX_BYTES = 200 * 1024   # rows up to this size are staged in shared memory (H100: 227 KB)
CLUSTER_SIZES = (2, 4, 8)       # blocks per row of ce_cluster_fwd_grad (8: the portable limit)
CLUSTER_SLICE_BYTES = 64 * 1024  # each block's slice of the row: 3 or more blocks per SM
CLUSTER_BLOCK = 128                # H100, 8192 x 32000: 128 threads 87% of copy, 256 83%, 512 82%


def plan_fwd_grad(dtype, rows: int, n_classes: int, same_alignment: bool, stage=None):
    """(Launch, shared-memory bytes) of ce_fwd_grad. The kernel splits each row into scalars up
    to a 16-byte boundary, then packs, so VEC is the full 16 bytes whenever x and dx share
    their alignment; the row is staged in shared memory when it fits (`stage` forces it)."""
    t = CTYPES[str(np.dtype(dtype))]
    vec = 16 // np.dtype(dtype).itemsize if same_alignment else 1
    threads = min(1024, max(32, pow2ceil(-(-n_classes // (4 * vec)))))
    nbytes = n_classes * np.dtype(dtype).itemsize
    if stage is None:
        stage = nbytes <= STAGE_MAX_BYTES
    name = f"ce_fwd_grad<{t},{vec},{'true' if stage else 'false'}>"
    return Launch(name, min(rows, MAX_GRID), threads), (nbytes if stage else 0)


def plan_cluster(dtype, rows: int, n_classes: int, same_alignment: bool):
    """(Launch, shared-memory bytes) of ce_cluster_fwd_grad, or None. Rows longer than one
    slice (64 KB), 16-byte packs (x and dx share their alignment): the smallest cluster whose
    blocks each hold at most CLUSTER_SLICE_BYTES of the row's packs."""
    itemsize = np.dtype(dtype).itemsize
    vec = 16 // itemsize
    if not same_alignment or n_classes * itemsize <= CLUSTER_SLICE_BYTES:
        return None
    packs = n_classes // vec                      # at most: a misaligned row has one fewer
    for size in CLUSTER_SIZES:
        nbytes = -(-packs // size) * 16
        if nbytes <= CLUSTER_SLICE_BYTES:
            name = f"ce_cluster_fwd_grad<{CTYPES[str(np.dtype(dtype))]},{size}>"
            grid = size * max(1, min(rows, MAX_GRID // size))
            return Launch(name, grid, CLUSTER_BLOCK), nbytes
    return None


def plan_training(dtype, rows: int, n_classes: int, x_mis: int, dx_mis: int, stage=None,
                  cluster=None, warp=None):
    """(Launch, dynamic smem bytes) of the forward that also writes the gradient, by row length
    (x_mis, dx_mis: the two pointers' offsets from a 16-byte boundary):
        C <= WARP_MAX_CLASSES                    ce_warp_fwd_grad, lanes per row
        rows over 64 KB, sm_90+, same alignment  ce_cluster_fwd_grad, a row over 2-8 blocks
        otherwise                                ce_fwd_grad, staged in smem up to 200 KB
    stage / cluster / warp (tests, benchmarks) force a path; any of them set turns the chain
    off (cluster=False with nothing else: ce_fwd_grad)."""
    auto = stage is None and cluster is None and warp is None
    if warp or (auto and n_classes <= WARP_MAX_CLASSES):
        return plan_warp(dtype, rows, n_classes, x_mis == 0 and dx_mis == 0), 0
    if cluster or auto:
        pc = plan_cluster(dtype, rows, n_classes, x_mis == dx_mis)
        if pc is not None and loader.clusters_available():
            return pc
    return plan_fwd_grad(dtype, rows, n_classes, x_mis == dx_mis, stage)


def stem(name: str) -> str:
    """The source file (kernels/<stem>.cu) that defines kernel `name`."""
    return "cross_entropy_cluster" if name.startswith("ce_cluster_") else "cross_entropy"


@functools.cache
def group(dtype, cluster: bool, src: str) -> tuple:
    """The compile group of source file `src`: the names(dtype, cluster) it defines."""
    return tuple(n for n in names(dtype, cluster) if stem(n) == src)


def _kernel(name, dtype):
    """One compile group per dtype and source file (the cluster kernel, in its own file, is
    asked for only where the GPU has clusters)."""
    src = stem(name)
    return loader.get_kernel(src, name, group=group(np.dtype(dtype),
                                                    loader.clusters_available(), src))


def _acc(dtype):
    return np.dtype(np.float32) if np.dtype(dtype) == np.float16 else np.dtype(dtype)


def supported(logits, targets, weight=None) -> bool:
    return (loader.ctype(logits.dtype) is not None and logits.ndim == 2 and logits.size > 0
            and logits.shape[1] < 2**31 and targets.shape == (logits.shape[0],)
            and targets.dtype.kind in "iu"
            and (weight is None or (weight.dtype == logits.dtype
                                    and weight.shape == (logits.shape[1],))))


def launch_targets(targets, n_classes: int, ignore_index: int, weight=None, dtype=np.float32):
    """ce_targets: (total, check). total = sum_i w_t as a (1,) device array of the accumulator
    type (mean's divisor); check() raises the CPU path's IndexError for a target outside
    [0, C) that is not ignore_index. The first bad row is copied to the host behind ce_targets,
    so the caller can queue the big kernel before calling check(): check() then waits for
    ce_targets only, and the GPU never idles while Python launches (the kernels treat a bad
    target as a NaN row, never as an address)."""
    t = loader._cupy().ascontiguousarray(targets, dtype=np.int64)
    total, bad = loader.empty((1,), _acc(dtype)), loader.empty((1,), np.int64)
    k = _kernel(f"ce_targets<{CTYPES[str(np.dtype(dtype))]}>", dtype)
    k((1,), (1024,), (t, NULL if weight is None else weight, np.int64(ignore_index),
                      np.int64(t.shape[0]), np.int32(n_classes), total, bad))
    first = loader.read_back_later(bad)

    def check():
        i = int(first()[0])
        if i < t.shape[0]:
            value = int(t[i])
            raise IndexError(f"cross_entropy: target {value} is out of bounds for {n_classes} "
                             f"classes (valid: 0..{n_classes - 1}, or ignore_index="
                             f"{ignore_index})")
    return total, check


def _common(logits, targets, weight):
    cp = loader._cupy()
    x = cp.ascontiguousarray(logits)
    t = cp.ascontiguousarray(targets, dtype=np.int64)
    acc = _acc(x.dtype)
    w = None if weight is None else cp.ascontiguousarray(weight)
    wsum = NULL if w is None else w.sum(dtype=acc).reshape(1)   # read only with a weight
    return x, t, w, wsum, acc


def forward(logits, targets, weight=None, ignore_index=-100, label_smoothing=0.0,
            reduction="mean", check=True, with_grad=False, stage=None, cluster=None, warp=None):
    """(loss, stats, total) of F.cross_entropy, class-index targets; None: no kernel.
    with_grad (mean or sum only): (loss, stats, total, dx1), see the top. stage / cluster /
    warp force a kernel for the gradient-writing forward (see plan_training; tests)."""
    if not supported(logits, targets, weight) or reduction not in MODES:
        return None
    with_grad = with_grad and reduction != "none"
    rows, n_classes = logits.shape
    x, t, w, wsum, acc = _common(logits, targets, weight)
    div, checked = NULL, None
    if check or (with_grad and reduction == "mean"):
        div, checked = launch_targets(t, n_classes, ignore_index, w, x.dtype)
    loss_rows, wt = loader.empty((rows,), acc), loader.empty((rows,), acc)
    stats = loader.empty((2, rows), acc)
    total = loader.empty((1,), acc)
    eps = acc.type(label_smoothing)
    args = (x, t, NULL if w is None else w, wsum, eps, np.int64(ignore_index), np.int64(rows),
            np.int32(n_classes))
    if with_grad:
        dx1 = loader.empty(x.shape, x.dtype)
        ln, smem = plan_training(x.dtype, rows, n_classes, x.data.ptr % 16, dx1.data.ptr % 16,
                                 stage, cluster, warp)
        k = _kernel(ln.name, x.dtype)
        loader.allow_dynamic_smem(k, smem, carveout="cluster" in ln.name)   # 3-4 slices / SM
        # mean: the divisor sum_i w_t comes from the targets alone (ce_targets), known up front
        k((ln.grid,), (ln.block,), args + (div if reduction == "mean" else NULL, loss_rows,
                                          stats, wt, dx1), shared_mem=smem)
    else:
        ln = plan("fwd", x.dtype, rows, n_classes, x.data.ptr % 16 == 0)
        _kernel(ln.name, x.dtype)((ln.grid,), (ln.block,), args + (loss_rows, stats, wt))
    out = loader.empty((), x.dtype)
    red = _kernel(f"ce_reduce<{CTYPES[str(x.dtype)]}>", x.dtype)
    red((1,), (1024,), (loss_rows, wt, np.int64(rows), np.int32(MODES[reduction]), out, total))
    if checked is not None:
        checked()            # the targets' verdict; the kernels above are already queued
    if reduction == "none":
        out = loss_rows.astype(x.dtype)
    return (out, stats, total, dx1) if with_grad else (out, stats, total)


def finish_grad(dx1, g):
    """The gradient for upstream g (0-d) from dx1, the gradient for g = 1: dx1 itself when
    g == 1 (one host sync to look), else dx1 scaled by g in place."""
    if float(g) != 1.0:
        dx1 *= g.astype(dx1.dtype)
    return dx1


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


# ---- the hand-off from minigrad/ops/cross_entropy.py -----------------------------------------
def cross_entropy(x, plan):
    """CrossEntropy's forward: the loss (targets checked by ce_targets), with plan.cuda =
    (stats, total) kept, and plan.cuda_grad = the gradient for g = 1 when the input needs a
    gradient (plan.grad_expected) and the reduction allows it. Only the launches the kernels
    need: the plan's per-row arrays (valid, w_t, ...) are never built on this path."""
    res = forward(x, plan.t, plan.weight, plan.ignore_index, plan.eps, plan.reduction,
                  check=True, with_grad=plan.grad_expected)
    if res is None:
        return None
    plan.cuda = res[1:3]
    plan.cuda_grad = res[3] if len(res) == 4 else None
    return res[0]


def cross_entropy_backward(x, g, plan):
    """CrossEntropyBackward's forward: dx, or None when the forward did not run here. For g
    the implicit seed of loss.backward() (g == 1 for sure) the forward's dx1 as it is: no sync."""
    if plan.cuda is None:
        return None
    stats, total = plan.cuda
    dx1, plan.cuda_grad = plan.cuda_grad, None      # used once: dx may be accumulated into
    if dx1 is not None:                             # in place
        return dx1 if backward_seed.is_implicit_one(g) else finish_grad(dx1, g)
    return backward(x, plan.t, plan.weight, plan.ignore_index, plan.eps, plan.reduction, stats,
                    total, g)
