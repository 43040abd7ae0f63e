"""CUDA fast path of the chunked linear_cross_entropy: the loss summed over rows and its
gradients, block by block, under the CPU path's contract and math (minigrad/cpu/
linear_cross_entropy.py's docstring). Per block of rows r (plan.blocks, torch's chunk rule):

    z       = x_r W^T                cuBLAS gemm into ONE reused (block_rows, C) buffer
    loss_r  lce_fwd_grad             one kernel (kernels/linear_cross_entropy.cu): the bias
    dz      (over z, in place)       added on load, online log-sum-exp, each row's loss into
                                     loss[r], the gradient of the summed loss written over z
    dx_r    = dz W                   gemm into dx's rows
    dW     += dz^T x_r               gemm with beta = 1, in dW's memory
    db     += 1^T dz                 gemm of a ones row, beta = 1, in db's memory
    total   = sum_i loss_i           once, at the end: reduce.cu's fixed-order full sum

Memory: the (block_rows, C) buffer, dx, dW, db and (N,) row losses; nothing per block.
Precision: full float32 products. torch's default for float32 CUDA matmuls is no TF32
(torch.backends.cuda.matmul.allow_tf32 is False), and cupy.cublas.gemm calls cublasSgemm on
CuPy's handle in cuBLAS's default math mode, which does not use TF32 (CUPY_TF32=1 switches
cupy.matmul's compute type, not this call).
Determinism: no atomics (per-row losses summed in a fixed order; db by gemm, not an atomic
column sum); cuBLAS gemm gives the same bits run to run on one GPU model and toolkit.
Returns None (the reference runs) for probability targets, K-dimensional weights, dtypes
other than float32/float64, and empty shapes. The total is a 0-d device array (no host sync).
"""
from __future__ import annotations

import functools

import numpy as np

from . import loader
from . import reduce as cuda_reduce
from .loader import CTYPES, Launch, cdiv, pow2ceil

STEM = "linear_cross_entropy"      # kernels/linear_cross_entropy.cu
MAX_GRID = 1 << 20
MAX_BLOCK = 512            # __launch_bounds__(512): up to 128 registers, no spills (ptxas)
NULL = np.uint64(0)        # a null device pointer


def launch(dtype, rows: int, n_classes: int) -> Launch:
    """lce_fwd_grad for blocks of `rows` rows: one block per row, about 4 packs per thread
    (16-byte packs; RowSplit takes care of rows that do not start on a 16-byte boundary)."""
    vec = 16 // np.dtype(dtype).itemsize
    threads = min(MAX_BLOCK, max(32, pow2ceil(cdiv(n_classes, 4 * vec))))
    return Launch(f"lce_fwd_grad<{CTYPES[str(np.dtype(dtype))]},{vec}>", min(rows, MAX_GRID),
                  threads)


@functools.cache
def names(dtype) -> tuple:
    """Every instantiation the launcher can ask for (one per dtype)."""
    return (launch(dtype, 1, 1).name,)


def teaching_names(dtype) -> tuple:
    """The teaching kernel lce_naive_fwd_grad (never dispatched), for the tests and nvcc."""
    return (f"lce_naive_fwd_grad<{CTYPES[str(np.dtype(dtype))]}>",)


def _kernel(name, dtype):
    return loader.get_kernel(STEM, name, group=names(np.dtype(dtype)))


def forward_backward(x, probs, W, b, plan, need):
    """(sum of the row losses as a 0-d array, [dx, dW, db] of that sum (None where not in
    need)) or None; arguments as minigrad/cpu/linear_cross_entropy.forward_backward."""
    if (probs is not None or W.ndim != 2 or str(x.dtype) not in ("float32", "float64")
            or 0 in W.shape or x.shape[0] == 0 or W.shape[0] >= 2**31):
        return None
    cp, blas = loader._cupy(), loader.cublas()
    dtype = x.dtype
    x, W = cp.ascontiguousarray(x), cp.ascontiguousarray(W)
    b = None if b is None else cp.ascontiguousarray(b)
    t_all = cp.ascontiguousarray(plan.target.data, dtype=np.int64)
    w = None if plan.weight is None else cp.ascontiguousarray(plan.weight.data, dtype=dtype)
    wsum = NULL if w is None else cuda_reduce.reduce(w, (0,), "sum")     # sum_c w_c, (1,)
    n, C = x.shape[0], W.shape[0]
    chunk = max(sl.stop - sl.start for sl in plan.blocks)
    z = loader.empty((chunk, C), dtype)         # the one (block_rows, C) buffer: z, then dz
    loss = loader.empty((n,), dtype)
    dx = loader.empty(x.shape, dtype) if need[0] else None
    dW = cp.zeros(W.shape, dtype) if need[1] else None
    db = cp.zeros((1, C), dtype) if b is not None and need[2] else None
    ones = cp.ones((1, chunk), dtype) if db is not None else None
    grad = dx is not None or dW is not None or db is not None
    ln = launch(dtype, chunk, C)
    k = _kernel(ln.name, dtype)
    scalars = (dtype.type(plan.label_smoothing), np.int64(plan.ignore_index))
    for sl in plan.blocks:
        xr = x[sl]
        rows = xr.shape[0]
        zr = z[:rows]
        blas.gemm("N", "T", xr, W, out=zr)                      # z = x_r W^T
        k((min(rows, MAX_GRID),), (ln.block,),
          (zr, NULL if b is None else b, t_all[sl], NULL if w is None else w, wsum, *scalars,
           np.int64(rows), np.int32(C), np.int32(grad), loss[sl]))
        if dx is not None:
            blas.gemm("N", "N", zr, W, out=dx[sl])              # dx_r = dz W
        if dW is not None:
            blas.gemm("T", "N", zr, xr, out=dW, beta=1.0)       # dW += dz^T x_r
        if db is not None:
            blas.gemm("N", "N", ones[:, :rows], zr, out=db, beta=1.0)   # db += 1^T dz
    total = cuda_reduce.reduce(loss, (0,), "sum").reshape(())
    return total, [dx, dW, None if db is None else db.reshape(C)]
