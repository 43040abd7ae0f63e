"""CPU fast path of the chunked linear_cross_entropy: the loss summed over rows and its
gradients, block by block, with the math written out and BLAS doing the products.

For a block of rows r (class-index targets t, class weights w (ones without), smoothing e):

    z      = x_r W^T + b                                    (rows, C), one reused buffer
    lse_i  = log sum_c exp(z_ic)
    loss_i = keep_i [ (1 - e) w_t (lse_i - z_it) + (e / C) sum_c w_c (lse_i - z_ic) ]
    dz_ic  = keep_i [ ((1 - e) w_t + (e / C) sum_c w_c) p_ic - (1 - e) w_t [c = t]
                      - (e / C) w_c ]                        p = softmax(z), keep: t != ignore
    dx_r   = dz W,   dW^T += x_r^T dz  (gemm with beta = 1 into dW's memory: no (C, d)
             temporary),   db += sum dz

which is what the reference (ops/linear_cross_entropy_chunked.py: cross_entropy's own
backward on each block) computes, without its per-block allocations. Returns None (the
reference runs) for what it does not cover: probability targets, K-dimensional weights,
dtypes other than float32/float64, an empty weight.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import blas


def forward_backward(x, probs, W, b, plan, need):
    """(sum of the row losses, [dx, dW, db] of that sum (None where not in need)) or None."""
    if probs is not None or W.ndim != 2 or x.dtype not in (np.float32, np.float64) \
            or 0 in W.shape:                # (BLAS wrappers refuse empty operands)
        return None
    C = W.shape[0]
    dtype = x.dtype
    gemm = blas.get_blas_funcs("gemm", (x,))
    t_all = plan.target.data
    w = None if plan.weight is None else plan.weight.data.astype(dtype, copy=False)
    e = plan.label_smoothing
    sum_w = float(C if w is None else w.sum())
    dx = np.empty_like(x) if need[0] else None
    dW = np.zeros(W.shape, dtype) if need[1] else None
    dWt = None if dW is None else dW.T          # (d, C), Fortran order: BLAS writes it in place
    db = np.zeros(C, dtype) if b is not None and need[2] else None
    chunk = max(sl.stop - sl.start for sl in plan.blocks)
    z = np.empty((chunk, C), dtype)
    total = 0.0
    for sl in plan.blocks:
        xr, t = x[sl], t_all[sl]
        zb = z[:xr.shape[0]]
        np.matmul(xr, W.T, out=zb)
        if b is not None:
            zb += b
        keep = t != plan.ignore_index
        rows = np.arange(len(t))
        tc = np.where(keep, t, 0)
        z_t = zb[rows, tc]
        wt = (np.ones(len(t), dtype) if w is None else w[tc]) * keep
        z_w = (zb.sum(1) if w is None else zb @ w) if e else None
        m = zb.max(1, keepdims=True)
        np.subtract(zb, m, out=zb)
        np.exp(zb, out=zb)
        s = zb.sum(1)
        lse = np.log(s) + m[:, 0]
        loss = (1 - e) * wt * (lse - z_t)
        if e:
            loss += keep * (e / C) * (lse * sum_w - z_w)
        total += float(loss.sum())
        if dx is None and dW is None and db is None:
            continue
        coef = ((1 - e) * wt + keep * (e / C) * sum_w) / s      # p = exps / s
        zb *= coef[:, None]
        zb[rows, tc] -= (1 - e) * wt
        if e:
            zb -= (keep * (e / C))[:, None] * (1.0 if w is None else w)
        if dx is not None:
            np.matmul(zb, W, out=dx[sl])
        if dW is not None:                               # dW^T += x_r^T zb, in place
            # (every operand handed over in Fortran order: xr.T, zb.T, dW.T; no copies)
            out = gemm(1.0, xr.T, zb.T, beta=1.0, c=dWt, trans_b=True, overwrite_c=True)
            assert out is dWt or np.shares_memory(out, dW), "gemm did not write in place"
        if db is not None:
            db += zb.sum(0)
    return total, [dx, dW, db]
