"""CPU fast paths (NumPy) for softmax, log_softmax and per-row logsumexp over the last dim.

Same math as the references in ops/softmax.py and ops/cross_entropy.py, arranged for speed on
a C-contiguous (rows, C) float32/float64 array. Each entry point (softmax, log_softmax,
row_logsumexp, scaled_exp_rows) returns None when the input is not such an array: the op
then runs its reference (minigrad/fastpath.py).
- rows go in blocks of about BLOCK_BYTES, so the 3-4 passes over a block stay in cache;
- every pass writes in place (out=): no full-size temporaries;
- each thread takes one contiguous run of blocks (NumPy releases the GIL inside ufuncs);
- row sums use einsum, much faster than add.reduce on short rows;
- softmax first tries shift 0: exp(x) straight from the input, one pass fewer. softmax is
  shift invariant, and when every row sum of exp(x) is finite and >= 1 the result equals the
  shifted one to rounding (no exp overflowed, and an exp that underflowed belongs to an
  output below float range in the exact result too). Otherwise (huge logits, rows of -inf,
  NaN) the block is redone subtracting its row max, exactly as the reference does.
- log_softmax and logsumexp (cross-entropy) always subtract the row max, as torch does. In
  log space shift 0 loses accuracy twice: x - log(sum(exp(x))) subtracts two numbers near the
  row max, and the sum's rounding error is relative to its largest term, where the shifted
  sum holds that term as an exact 1 (float32 rows around +70 erred by 4e-6 where torch errs
  by 1e-6, small cross-entropy losses by 5e-5 relative). The row max is the slow pass for
  short rows (NumPy reduces a 128-wide row at about twice exp's cost per element).
np.exp2(x * log2(e)) would be about 1.5x faster than np.exp in float32, but rounding x * log2(e)
costs relative accuracy growing with |x| (4e-6 at |x| = 80); we keep np.exp (2e-7).
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BLOCK_BYTES = 1 << 20     # input bytes per block: 1 MiB measured best (call overhead vs cache)
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_MIN_PARALLEL = 1 << 18              # elements; smaller arrays run on the calling thread
_pool = None
_local = threading.local()              # per-thread scratch buffers


def usable(x, dim):
    """True when the fast path applies: host float32/float64, C-contiguous, dim is last."""
    return (isinstance(x, np.ndarray) and x.dtype in FLOATS and dim == x.ndim - 1
            and x.ndim >= 1 and x.size > 0 and x.flags.c_contiguous)


def _forget_pool():
    global _pool
    _pool = None                      # a forked child has none of the parent's threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


_N_THREADS = min(os.cpu_count() or 1, 8)


def _workers():
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(1, _N_THREADS - 1),
                                   thread_name_prefix="minigrad-rows")
    return _pool


def _for_blocks(fn, n_rows, n_cols, itemsize):
    """Call fn(r0, r1) on every row block. A large array is cut into one contiguous run of
    blocks per thread (a task per block would cost more in hand-offs than it saves); the
    calling thread takes the first run."""
    rows = max(1, BLOCK_BYTES // (n_cols * itemsize))
    n_blocks = -(-n_rows // rows)
    n_runs = 1 if n_rows * n_cols < _MIN_PARALLEL else min(_N_THREADS, n_blocks)

    def run(k):
        for b in range(k * n_blocks // n_runs, (k + 1) * n_blocks // n_runs):
            fn(b * rows, min((b + 1) * rows, n_rows))

    others = [_workers().submit(run, k) for k in range(1, n_runs)]
    run(0)
    for f in others:
        f.result()


def _exp_rows(xb, out, try_zero_shift=False):
    """out = exp(xb - shift) per row, shift the row max, or 0 when try_zero_shift and that is
    exact (see the top); returns (shift or None, row sums of shape (rows, 1))."""
    if try_zero_shift:
        with np.errstate(over="ignore", invalid="ignore"):  # inf/NaN sums send us to the shift
            np.exp(xb, out=out)
            s = _row_sums(out)
        if s.min() >= 1 and s.max() < np.inf:                  # NaN fails both
            return None, s
    shift = xb.max(axis=1, keepdims=True)
    with np.errstate(invalid="ignore"):          # a row of -inf gives NaN, as in torch
        np.subtract(xb, shift, out=out)
    np.exp(out, out=out)
    return shift, _row_sums(out)


def _scratch(shape, dtype):
    """A per-thread buffer reused across blocks and calls: a fresh 1 MiB array per block
    would pay its page faults every time."""
    size = shape[0] * shape[1] * np.dtype(dtype).itemsize
    buf = getattr(_local, "buf", None)
    if buf is None or buf.size < size:
        buf = _local.buf = np.empty(size, np.uint8)
    return buf[:size].view(dtype).reshape(shape)


def _row_sums(yb):
    # einsum's SIMD reduction: faster than add.reduce on short rows, and unlike a BLAS
    # matrix-vector product it scales across threads (OpenBLAS calls contend)
    return np.einsum("ij->i", yb).reshape(-1, 1)


def softmax(x, dim):
    """softmax(x, dim) when dim is the last of a C-contiguous float array, else None."""
    return softmax_rows(x) if usable(x, dim) else None


def log_softmax(x, dim):
    """log_softmax(x, dim) when dim is the last of a C-contiguous float array, else None."""
    return log_softmax_rows(x) if usable(x, dim) else None


def softmax_rows(x):
    """softmax over the last dim of a C-contiguous array."""
    x2 = x.reshape(-1, x.shape[-1])
    y = np.empty_like(x2)

    def block(r0, r1):
        yb = y[r0:r1]
        _, s = _exp_rows(x2[r0:r1], yb, try_zero_shift=True)
        np.divide(1, s, out=s)
        yb *= s

    _for_blocks(block, *x2.shape, x.itemsize)
    return y.reshape(x.shape)


def log_softmax_rows(x):
    """log_softmax over the last dim: y = x - shift - log(sum(exp(x - shift)))."""
    x2 = x.reshape(-1, x.shape[-1])
    y = np.empty_like(x2)

    def block(r0, r1):
        xb, yb = x2[r0:r1], y[r0:r1]
        shift, s = _exp_rows(xb, yb)             # yb is scratch for the exps here
        log_s = np.log(s)
        with np.errstate(invalid="ignore"):      # (x - shift) - log_s: exact when x ~ shift
            np.subtract(xb, shift, out=yb)
        yb -= log_s

    _for_blocks(block, *x2.shape, x.itemsize)
    return y.reshape(x.shape)


def row_logsumexp(x2, keep_exps=False):
    """(shift, sumexp, exps) with logsumexp = shift + log(sumexp), each (rows,), for a
    (rows, C) array, shift the row max; None when x2 is not a C-contiguous float array.
    exps = exp(x - shift) when keep_exps (cross-entropy keeps it for its backward), else None
    and the exponentials go to a per-thread scratch block: nothing of size rows x C."""
    if not usable(x2, 1):
        return None
    n, c = x2.shape
    exps = np.empty_like(x2) if keep_exps else None
    shift = np.empty(n, x2.dtype)
    sumexp = np.empty(n, x2.dtype)

    def block(r0, r1):
        out = _scratch((r1 - r0, c), x2.dtype) if exps is None else exps[r0:r1]
        sh, s = _exp_rows(x2[r0:r1], out)
        sumexp[r0:r1] = s[:, 0]
        shift[r0:r1] = sh[:, 0]

    _for_blocks(block, n, c, x2.itemsize)
    return shift, sumexp, exps


def scaled_exp_rows(x2, shift, scale, exps=None):
    """exp(x - shift[:, None]) * scale[:, None] for a (rows, C) array (cross-entropy's
    gradient is this minus a sparse correction); given `exps` (those exponentials, kept by
    the forward), it is scaled in place and returned. None for other arrays."""
    if not usable(x2, 1):
        return None
    out = np.empty_like(x2) if exps is None else exps

    def block(r0, r1):
        ob = out[r0:r1]
        if exps is None:
            np.subtract(x2[r0:r1], shift[r0:r1, None], out=ob)
            np.exp(ob, out=ob)
        ob *= scale[r0:r1, None]

    _for_blocks(block, *x2.shape, x2.itemsize)
    return out
