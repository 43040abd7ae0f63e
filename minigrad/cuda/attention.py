"""Launchers for the fused flash-style attention kernels (float32).

Two kernel sets compute the same thing: v2 (`attn_fwd_tc`, `attn_bwd_tc` in
kernels/attention_tc.cu), whose matrix products run on tensor cores in 3xTF32 (float32-grade
accuracy), and v1 (`attn_fwd`, `attn_bwd`, and `attn_bwd_delta` which both use, in
kernels/attention_simt.cu), the plain-FMA teaching versions. Dispatch:

    if TENSOR_CORES:  v2 with (WQ, IT) = FWD_CFG[D] / BWD_CFG[D]: the inner loop runs over
                      tiles of IT rows (64, or 32 to fit 2 blocks per SM at D = 128), and WQ
                      warps share each 16-row strip (1: 128 threads per block; 2: 256, each
                      warp taking half of every inner tile)
    else:             v1 (the CPU emulator tests drive both)

The tile width D is the smallest of HEAD_DIMS that holds the head dim d (the kernels zero-pad
to D in shared memory); ops/attention.py sends anything else (d > 128, dropout, other dtypes)
to the reference path before we get here. BIAS / DBIAS template flags say whether an additive
bias is read and whether its gradient dS is written. Grid: (ceil(L/64), BH) for the forward,
with the Q tiles of one head adjacent so that its K/V stay in L2; more than 65535
(batch * head) slices are launched in chunks (grid.y limit). Each (path, D) pair is its own
compile group, so a run compiles only the head sizes it uses.

The bias is never copied: for a bias broadcastable to (..., L, S), `bias_offsets` gives each
(batch * head) slice's element offset from the view's first element, plus the row and column
strides (0 where broadcast).
"""
from __future__ import annotations

import numpy as np

from . import loader
from .loader import cdiv

HEAD_DIMS = (32, 64, 128)
TILE = 64                  # query rows and key rows per tile (BR = BC in the kernels)
THREADS = 256              # v1 and attn_bwd_delta
MAX_GRID_Y = 65535
TENSOR_CORES = True        # v2 (3xTF32 tensor cores); False: v1 (SIMT)
FWD_CFG = {32: (1, 64), 64: (1, 64), 128: (1, 32)}     # v2 (WQ, IT) by D
BWD_CFG = {32: (1, 64), 64: (1, 64), 128: (1, 32)}


def head_tile(d: int):
    """The kernels' tile width D for head dim d, or None when d is too large."""
    return next((D for D in HEAD_DIMS if d <= D), None)


def fwd_smem(D: int, tc: bool = False) -> int:
    if tc:
        return 4 * (TILE + 2 * FWD_CFG[D][1]) * (D + 4)        # Qs, Ks, Vs
    return 4 * (2 * TILE * (D + 1) + TILE * D + TILE * (TILE + 1))


def bwd_smem(D: int, tc: bool = False) -> int:
    if tc:                                                     # 2 outer, 2 inner tiles, stats
        return 4 * ((2 * TILE + 2 * BWD_CFG[D][1]) * (D + 4) + 2 * TILE)
    return 4 * (4 * TILE * (D + 1) + TILE * (TILE + 1) + 2 * TILE)


def fwd_threads(D: int, tc: bool) -> int:
    return 128 * FWD_CFG[D][0] if tc else THREADS


def bwd_threads(D: int, tc: bool) -> int:
    return 128 * BWD_CFG[D][0] if tc else THREADS


def _flag(b):
    return "true" if b else "false"


def fwd_name(D, bias, tc=False):
    if tc:
        return "attn_fwd_tc<{},{},{},{}>".format(D, *FWD_CFG[D], _flag(bias))
    return f"attn_fwd<{D},{_flag(bias)}>"


def bwd_name(D, bias, dbias, tc=False):
    if tc:
        return "attn_bwd_tc<{},{},{},{},{}>".format(D, *BWD_CFG[D], _flag(bias), _flag(dbias))
    return f"attn_bwd<{D},{_flag(bias)},{_flag(dbias)}>"


DELTA_GROUP = ("attn_bwd_delta",)


def stem(name: str) -> str:
    """The source file (kernels/<stem>.cu) that defines kernel `name`."""
    return "attention_tc" if name.startswith(("attn_fwd_tc<", "attn_bwd_tc<")) else "attention_simt"


def names(tc: bool, D: int) -> tuple:
    """The compile group of one path and tile width: every instantiation its launches use."""
    return (fwd_name(D, False, tc), fwd_name(D, True, tc), bwd_name(D, False, False, tc),
            bwd_name(D, True, False, tc), bwd_name(D, True, True, tc))


def groups() -> list:
    """Every compile group the launchers can ask for (with the current CFG tables); each
    lies in one source file, stem(group[0])."""
    return [DELTA_GROUP] + [names(tc, D) for tc in (True, False) for D in HEAD_DIMS]


def _kernel(name, group, smem=0):
    k = loader.get_kernel(stem(name), name, group=group)
    loader.allow_dynamic_smem(k, smem)
    return k


def bias_offsets(shape, strides, lead, L, S):
    """(offsets (prod(lead),) int64, row stride, col stride) in elements for a bias of `shape`
    and element `strides`, broadcast to lead + (L, S)."""
    full = tuple(lead) + (L, S)
    pad = len(full) - len(shape)
    st = [0] * pad + [0 if n == 1 else s for n, s in zip(shape, strides)]
    off = np.zeros(tuple(lead), np.int64)
    for ax, n in enumerate(lead):
        view = [1] * len(lead)
        view[ax] = n
        off = off + (np.arange(n, dtype=np.int64) * st[ax]).reshape(view)
    return off.reshape(-1), st[-2], st[-1]


def _bias_args(cp, bias, lead, L, S):
    if bias is None:
        return cp.empty(1, np.float32), cp.zeros(1, np.int64), 0, 0
    strides = [s // bias.itemsize for s in bias.strides]
    off, si, sj = bias_offsets(bias.shape, strides, lead, L, S)
    return bias, cp.asarray(off), si, sj


def _chunks(bh):
    for c0 in range(0, bh, MAX_GRID_Y):
        yield c0, min(bh, c0 + MAX_GRID_Y)


def flash_forward(q, k, v, bias, causal: bool, scale: float):
    """(O, LSE) for CuPy float32 q (..., L, d), k, v (..., S, d); bias None or float32
    broadcastable to (..., L, S)."""
    cp = loader._cupy()
    lead, (L, d), S = q.shape[:-2], q.shape[-2:], k.shape[-2]
    bh = int(np.prod(lead, dtype=np.int64))
    D, tc = head_tile(d), TENSOR_CORES
    q3, k3, v3 = (cp.ascontiguousarray(a).reshape(bh, -1, d) for a in (q, k, v))
    o = cp.empty((bh, L, d), np.float32)
    lse = cp.empty((bh, L), np.float32)
    b, off, si, sj = _bias_args(cp, bias, lead, L, S)
    smem = fwd_smem(D, tc)
    kern = _kernel(fwd_name(D, bias is not None, tc), names(tc, D), smem)
    for c0, c1 in _chunks(bh):
        kern((cdiv(L, TILE), c1 - c0), (fwd_threads(D, tc),),
             (q3[c0:c1], k3[c0:c1], v3[c0:c1], b, off[c0:c1] if bias is not None else off,
              np.int64(si), np.int64(sj), o[c0:c1], lse[c0:c1], np.int32(L), np.int32(S),
              np.int32(d), np.float32(scale), np.int32(bool(causal))), shared_mem=smem)
    return o.reshape(*lead, L, d), lse.reshape(*lead, L)


def flash_backward(q, k, v, bias, o, lse, do, causal: bool, scale: float, need_bias: bool):
    """(dQ, dK, dV, dS or None) from the forward's O and LSE and the upstream dO; dS is the
    full (..., L, S) score gradient, written only when need_bias."""
    cp = loader._cupy()
    lead, (L, d), S = q.shape[:-2], q.shape[-2:], k.shape[-2]
    bh = int(np.prod(lead, dtype=np.int64))
    D, tc = head_tile(d), TENSOR_CORES
    q3, k3, v3, o3, do3 = (cp.ascontiguousarray(a).reshape(bh, -1, d) for a in (q, k, v, o, do))
    lse2 = cp.ascontiguousarray(lse).reshape(bh, L)
    # 1. Delta = rowsum(dO * O)
    delta = cp.empty((bh, L), np.float32)
    rows = bh * L
    _kernel("attn_bwd_delta", DELTA_GROUP)((cdiv(rows, THREADS // 32),), (THREADS,),
                              (o3, do3, delta, np.int64(rows), np.int32(d)))
    # 2. dK, dV per key tile, then dQ per query tile (one launch)
    dq, dk, dv = (cp.empty_like(a) for a in (q3, k3, v3))
    db = cp.zeros((bh, L, S), np.float32) if need_bias else cp.empty(1, np.float32)
    b, off, si, sj = _bias_args(cp, bias, lead, L, S)
    smem = bwd_smem(D, tc)
    kern = _kernel(bwd_name(D, bias is not None, need_bias, tc), names(tc, D), smem)
    for c0, c1 in _chunks(bh):
        kern((max(cdiv(L, TILE), cdiv(S, TILE)), c1 - c0), (bwd_threads(D, tc),),
             (q3[c0:c1], k3[c0:c1], v3[c0:c1], b, off[c0:c1] if bias is not None else off,
              np.int64(si), np.int64(sj), do3[c0:c1], lse2[c0:c1], delta[c0:c1], dq[c0:c1],
              dk[c0:c1], dv[c0:c1], db[c0:c1] if need_bias else db, np.int32(L), np.int32(S),
              np.int32(d), np.float32(scale), np.int32(bool(causal))), shared_mem=smem)
    shape_q, shape_k = (*lead, L, d), (*lead, S, d)
    return (dq.reshape(shape_q), dk.reshape(shape_k), dv.reshape(shape_k),
            db.reshape(*lead, L, S) if need_bias else None)
