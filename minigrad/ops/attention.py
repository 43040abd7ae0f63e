"""scaled_dot_product_attention: the reference composition and the fused flash-attention Op.

    S = Q K^T * scale + bias      (bias: a float attn_mask; a bool mask or is_causal puts -inf)
    P = softmax(S, -1)            (a row whose scores are all -inf gives P = 0, as torch's SDPA)
    O = dropout(P) V

The reference path is a plain composition of ops (its gradient follows from its parts; a float
mask gets a gradient, so a relative position bias is learnable). On CUDA float32 inputs with the
kernels enabled, FlashAttention runs kernels/attention_tc.cu instead (kernels/attention_simt.cu
with the tensor cores off): it never stores the L x S matrix, keeps the per-row logsumexp (LSE)
for the backward, and FlashAttentionBackward recomputes P tile by tile. _flash_forward and
_flash_backward are the NumPy/CuPy reference the kernels are tested against.
"""
from __future__ import annotations

import math

import numpy as np

from ..autocast_state import autocast_op
from .. import backend, fastpath
from ..autograd import Op, is_grad_enabled, wrap
from ..backend import array_module
from ..cuda import attention as cuda_attention
from .checks import need_bool, need_float, need_optional_float, need_optional_tensor
from .compare import where
from .shape import sum_to
from .softmax import softmax

_NEG_INF = float("-inf")
MAX_FUSED_HEAD_DIM = 128    # the kernels' largest tile width (kernels/attention_*.cu, D = 128)


# ---- checks ---------------------------------------------------------------------------------
def _lead(t):
    return tuple(t.shape[:-2])


def _check_inputs(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa):
    from ..tensor import Tensor
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention: {name} must be a Tensor, got "
                            f"{type(t).__name__}")
        if t.ndim < 2 or t.dtype.kind != "f":
            raise RuntimeError(f"scaled_dot_product_attention: {name} must be a floating point "
                               f"tensor with at least 2 dims, got shape {tuple(t.shape)} {t.dtype}")
    if not query.dtype == key.dtype == value.dtype:
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value must have the "
                           f"same dtype, got {query.dtype}, {key.dtype} and {value.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query's last dim {query.shape[-1]} "
                           f"!= key's last dim {key.shape[-1]} (shapes {tuple(query.shape)}, "
                           f"{tuple(key.shape)})")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key and value must have the same "
                           f"sequence length, got shapes {tuple(key.shape)} and "
                           f"{tuple(value.shape)}")
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"scaled_dot_product_attention: dropout_p has to be between 0 and 1, "
                           f"got {dropout_p}")
    if enable_gqa and min(query.ndim, key.ndim, value.ndim) >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        # (0 key/value heads: torch crashes or returns zeros; minigrad refuses)
        if hk == 0 or hv == 0 or hq % hk or hq % hv:
            raise RuntimeError(f"scaled_dot_product_attention: with enable_gqa the number of "
                               f"key/value heads ({hk}, {hv}) must divide the number of query "
                               f"heads ({hq})")
    if attn_mask is not None:
        if is_causal:
            raise RuntimeError("scaled_dot_product_attention: explicit attn_mask should not be "
                               "set when is_causal=True")
        kind = attn_mask.dtype.kind
        if kind not in "bf":
            raise RuntimeError(f"scaled_dot_product_attention: attn_mask must be bool or float, "
                               f"got {attn_mask.dtype}")


def _repeat_heads(t, groups):
    """Head h of the result is head h // groups of t (torch's repeat_interleave on dim -3)."""
    if groups == 1:
        return t
    *lead, h, s, e = t.shape
    return t.unsqueeze(-3).expand(*lead, h, groups, s, e).reshape(*lead, h * groups, s, e)


def _broadcast_lead(query, key, value, attn_mask):
    """The broadcast leading (batch, head) dims of the inputs and the mask."""
    L, S = query.shape[-2], key.shape[-2]
    try:
        lead = np.broadcast_shapes(_lead(query), _lead(key), _lead(value))
        if attn_mask is not None:
            full = np.broadcast_shapes(attn_mask.shape, lead + (L, S))
            if full != lead + (L, S):     # torch: the mask may not grow the output
                raise ValueError
    except ValueError:
        raise RuntimeError(
            f"scaled_dot_product_attention: shapes do not broadcast: query "
            f"{tuple(query.shape)}, key {tuple(key.shape)}, value {tuple(value.shape)}"
            + ("" if attn_mask is None else f", attn_mask {tuple(attn_mask.shape)} (scores are "
               f"(..., {L}, {S}))")) from None
    return lead


# ---- the reference composition --------------------------------------------------------------
def _causal_keep(xp, L, S):
    return xp.tril(xp.ones((L, S), dtype=bool))      # top-left aligned: key j <= query i


def _scores(q, k, bias, causal, scale):
    s = (q @ k.transpose(-2, -1)) * scale
    if bias is not None:
        s = s + bias
    if causal:
        s = where(wrap(_causal_keep(array_module(s.data), s.shape[-2], s.shape[-1])), s, _NEG_INF)
    return s


def _safe_softmax(s):
    """softmax over the last dim; rows that are entirely -inf give 0 (torch's _safe_softmax)."""
    xp = array_module(s.data)
    dead = xp.all(s.data == _NEG_INF, axis=-1, keepdims=True)
    if not bool(dead.any()):
        return softmax(s, -1)
    dead = wrap(dead)
    return where(dead, 0.0, softmax(where(dead, 0.0, s), -1))


def _dropout_keep(xp, shape, p, dtype):
    """Bernoulli(1 - p) keep mask scaled by 1 / (1 - p), drawn from minigrad's generator."""
    if p >= 1.0:
        return xp.zeros(shape, dtype)
    keep = backend.rng(xp).random(shape) >= p
    return keep.astype(dtype) / (1.0 - p)


def _reference(query, key, value, bias, dropout_p, is_causal, scale):
    p = _safe_softmax(_scores(query, key, bias, is_causal, scale))
    if dropout_p > 0:
        p = p * wrap(_dropout_keep(array_module(p.data), p.shape, dropout_p, p.dtype))
    return p @ value


# ---- the fused path: one Op for the forward kernel, one for the backward kernel --------------
def _sum_to_array(xp, a, shape):
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and a.shape[i + lead] != 1)
    return (a.sum(axis=axes, keepdims=True) if axes else a).reshape(shape)


def _raw_scores(xp, q, k, bias, causal, scale):
    s = xp.matmul(q, xp.swapaxes(k, -1, -2)) * scale
    if bias is not None:
        s = s + bias
    if causal:
        s = xp.where(_causal_keep(xp, s.shape[-2], s.shape[-1]), s, _NEG_INF)
    return s


def _flash_forward(q, k, v, bias, causal, scale):
    """(O, LSE) of FlashAttention: the NumPy/CuPy reference of attn_fwd (attention_simt.cu)
    and attn_fwd_tc (attention_tc.cu)."""
    xp = array_module(q)
    s = _raw_scores(xp, q, k, bias, causal, scale)
    m = s.max(axis=-1, keepdims=True)
    dead = m == _NEG_INF
    m = xp.where(dead, 0, m)
    e = xp.exp(s - m)
    rowsum = e.sum(axis=-1, keepdims=True)
    o = xp.matmul(e, v) / xp.where(dead, 1, rowsum)
    lse = xp.where(dead, np.inf, m + xp.log(xp.where(dead, 1, rowsum)))[..., 0]
    return o, lse


def _flash_backward(q, k, v, bias, o, lse, do, causal, scale, need_bias):
    """dQ, dK, dV (and dBias) from the saved O and LSE: the reference of attn_bwd."""
    xp = array_module(q)
    delta = (do * o).sum(axis=-1, keepdims=True)
    p = xp.exp(_raw_scores(xp, q, k, bias, causal, scale) - lse[..., None])
    dv = xp.matmul(xp.swapaxes(p, -1, -2), do)
    ds = p * (xp.matmul(do, xp.swapaxes(v, -1, -2)) - delta)
    dq = xp.matmul(ds, k) * scale
    dk = xp.matmul(xp.swapaxes(ds, -1, -2), q) * scale
    return dq, dk, dv, ds


class FlashAttention(Op):
    """O = softmax(Q K^T scale + bias) V and LSE = logsumexp of each score row.

    q (..., L, D), k (..., S, D), v (..., S, D) with equal leading dims; bias None or a float
    tensor broadcastable to (..., L, S). A row with no finite score gets O = 0 and LSE = +inf
    (so exp(S - LSE) = 0 in the backward). On CUDA attn_fwd_tc runs (attention_tc.cu).
    """

    @staticmethod
    def forward(ctx, q, k, v, bias, causal, scale):
        ctx.causal, ctx.scale = causal, scale
        o, lse = fastpath.run(None, cuda_attention.flash_forward, _flash_forward, q, k, v, bias,
                              causal, scale)
        ctx.save_for_backward(q, k, v, bias, o, lse)
        ctx.mark_non_differentiable(lse)
        return o, lse

    @staticmethod
    def backward(ctx, go, glse):
        q, k, v, bias, o, lse = ctx.saved_tensors   # uses q, k, v, bias, o, lse; glse is 0
        need_bias = bias is not None and ctx.needs_input_grad[3]
        if is_grad_enabled():
            # create_graph: the same formulas as ops, so higher derivatives work
            return _composed_grads(q, k, v, bias, go, ctx.causal, ctx.scale, need_bias)
        grads = FlashAttentionBackward.apply(q, k, v, bias, o, lse, go, ctx.causal, ctx.scale,
                                             need_bias)
        return (*grads[:3], grads[3] if need_bias else None, None, None)

    @staticmethod
    def jvp(ctx, tq, tk, tv, tbias, *_):    # dO = dP V + P dV,  dP = P (dS - rowsum(dS P)),
        q, k, v, bias, _o, _lse = ctx.saved_tensors     # dS = (dQ K^T + Q dK^T) scale + dbias
        p = _safe_softmax(_scores(q, k, bias, ctx.causal, ctx.scale))
        dp = _probs_tangent(p, q, k, tq, tk, tbias, ctx.scale)
        do = None if dp is None else dp @ v
        if tv is not None:
            do = p @ tv if do is None else do + p @ tv
        return do, None                     # LSE: no tangent (non-differentiable, as saved)


def _composed_grads(q, k, v, bias, go, causal, scale, need_bias):
    # dV = P^T dO;  dP = dO V^T;  dS = P (dP - rowsum(dP P));  dQ = dS K s;  dK = dS^T Q s
    p = _safe_softmax(_scores(q, k, bias, causal, scale))
    dv = p.transpose(-2, -1) @ go
    dp = go @ v.transpose(-2, -1)
    ds = p * (dp - (dp * p).sum(-1, keepdim=True))
    dq = (ds @ k) * scale
    dk = (ds.transpose(-2, -1) @ q) * scale
    return dq, dk, dv, sum_to(ds, bias.shape) if need_bias else None, None, None


def _sum(*terms):
    """The sum of the terms that are not None (None if all are)."""
    total = None
    for t in terms:
        if t is not None:
            total = t if total is None else total + t
    return total


def _probs_tangent(p, q, k, tq, tk, tbias, scale):
    """The tangent of P = softmax(S): P (dS - rowsum(dS P)), dS = (dQ K^T + Q dK^T) s + dbias
    (None when none of q, k, bias has a tangent). Masked scores have P = 0: no term there."""
    ds = _sum(None if tq is None else (tq @ k.transpose(-2, -1)) * scale,
              None if tk is None else (q @ tk.transpose(-2, -1)) * scale, tbias)
    return None if ds is None else p * (ds - (ds * p).sum(-1, keepdim=True))


class FlashAttentionBackward(Op):
    """dQ, dK, dV (and dBias) of FlashAttention from the saved O and LSE.

    Delta = rowsum(dO * O) first (attn_bwd_delta), then P = exp(S - LSE) is recomputed per tile
    (attn_bwd). Used only when the backward itself is not recorded (no create_graph), so its own
    backward is never needed: FlashAttention.backward uses _composed_grads in that case.
    """

    @staticmethod
    def forward(ctx, q, k, v, bias, o, lse, do, causal, scale, need_bias):
        dq, dk, dv, ds = fastpath.run(None, cuda_attention.flash_backward, _flash_backward,
                                      q, k, v, bias, o, lse, do, causal, scale, need_bias)
        if need_bias:
            return dq, dk, dv, _sum_to_array(array_module(ds), ds, bias.shape)
        return dq, dk, dv

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("FlashAttentionBackward is only run without create_graph; "
                           "double backward goes through the composed gradient formulas")

    @staticmethod
    def jvp(ctx, tq, tk, tv, tbias, _to, _tlse, tdo, *_):
        # the tangents of _composed_grads' outputs (forward-over-reverse), with R = rowsum(dP P):
        #   d(dV) = dP~^T dO + P^T d(dO);   d(dP) = d(dO) V^T + dO dV^T
        #   d(dS) = P~ (dP - R) + P (d(dP) - rowsum(d(dP) P + dP P~))
        #   d(dQ) = (d(dS) K + dS dK) s;    d(dK) = (d(dS)^T Q + dS^T dQ) s
        q, k, v, bias, o, lse, go = ctx.inputs[:7]
        causal, scale, need_bias = ctx.inputs[7:]
        p = _safe_softmax(_scores(q, k, bias, causal, scale))
        pt = _probs_tangent(p, q, k, tq, tk, tbias, scale)
        dp = go @ v.transpose(-2, -1)
        r = (dp * p).sum(-1, keepdim=True)
        ds = p * (dp - r)
        dv_t = _sum(None if pt is None else pt.transpose(-2, -1) @ go,
                    None if tdo is None else p.transpose(-2, -1) @ tdo)
        dp_t = _sum(None if tdo is None else tdo @ v.transpose(-2, -1),
                    None if tv is None else go @ tv.transpose(-2, -1))
        r_t = _sum(None if dp_t is None else dp_t * p, None if pt is None else dp * pt)
        ds_t = _sum(None if pt is None else pt * (dp - r), None if dp_t is None else p * dp_t,
                    None if r_t is None else -(p * r_t.sum(-1, keepdim=True)))
        dq_t = _sum(None if ds_t is None else ds_t @ k, None if tk is None else ds @ tk)
        dk_t = _sum(None if ds_t is None else ds_t.transpose(-2, -1) @ q,
                    None if tq is None else ds.transpose(-2, -1) @ tq)
        outs = (None if dq_t is None else dq_t * scale, None if dk_t is None else dk_t * scale,
                dv_t)
        if need_bias:
            outs += (None if ds_t is None else sum_to(ds_t, bias.shape),)
        return outs


def fused_unsupported(query, key, value, attn_mask, dropout_p):
    """Why the fused kernel cannot take these inputs (after GQA expansion), or None if it can.

    The kernel covers float32, head dims up to 128 with value's equal to query's, any L and S,
    is_causal, scale, and a bool or float attn_mask broadcastable to (..., L, S). Dropout and
    other dtypes take the reference path.
    """
    if query.dtype != np.float32:
        return f"dtype {query.dtype} (the kernel is float32)"
    if dropout_p > 0:
        return "dropout_p > 0"
    if value.shape[-1] != query.shape[-1]:
        return "value's head dim differs from query's"
    if query.shape[-1] > MAX_FUSED_HEAD_DIM:
        return f"head dim {query.shape[-1]} > {MAX_FUSED_HEAD_DIM}"
    if 0 in query.shape or 0 in key.shape:
        return "an empty input"
    if attn_mask is not None and attn_mask.dtype != np.float32 and attn_mask.dtype.kind == "f":
        return f"attn_mask dtype {attn_mask.dtype}"
    return None


def _use_fused(query, key, value, attn_mask, dropout_p):
    return (backend.kernels_enabled and query.is_cuda
            and fused_unsupported(query, key, value, attn_mask, dropout_p) is None)


def _as_bias(mask, dtype):
    """A bool mask (True = attend) as an additive constant: 0 where kept, -inf elsewhere."""
    if mask is None or mask.dtype.kind != "b":
        return mask
    return wrap(array_module(mask.data).where(mask.data, 0.0, _NEG_INF).astype(dtype))


def _fused(query, key, value, attn_mask, is_causal, scale, lead):
    query, key, value = (t if _lead(t) == lead else t.expand(*lead, *t.shape[-2:])
                         for t in (query, key, value))
    out, _ = FlashAttention.apply(query, key, value, _as_bias(attn_mask, query.dtype),
                                  is_causal, scale)
    return out


@autocast_op("scaled_dot_product_attention")
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q K^T * scale + mask) V over (..., L, E), (..., S, E), (..., S, Ev) inputs.

    A bool attn_mask is True = attend; a float one is added to the scores; both broadcast over
    the leading dims. is_causal masks key j > query i (top-left aligned when L != S). scale
    defaults to 1/sqrt(E). dropout_p drops attention weights whenever it is non-zero.
    enable_gqa repeats key/value heads (dim -3) to query's count. A fully masked row gives
    zeros. Matches torch.nn.functional.scaled_dot_product_attention. On CUDA float32 without
    dropout the fused kernel runs (see fused_unsupported for what falls back).
    """
    fn = "scaled_dot_product_attention"
    need_optional_tensor(fn, attn_mask, "attn_mask")
    dropout_p = need_float(fn, dropout_p, "dropout_p")
    need_bool(fn, is_causal, "is_causal")
    scale = need_optional_float(fn, scale, "scale")
    need_bool(fn, enable_gqa, "enable_gqa")
    _check_inputs(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    if attn_mask is not None and attn_mask.dtype.kind == "f" and attn_mask.dtype != query.dtype:
        raise RuntimeError(f"{fn}: Expected attn_mask dtype to be bool or to match query dtype, "
                           f"but got attn_mask.dtype: {attn_mask.dtype} and query.dtype: "
                           f"{query.dtype} instead.")
    if query._batched or key._batched or value._batched or getattr(attn_mask, "_batched", False):
        from ..func import batching_fns        # inside vmap
        return batching_fns.sdpa(query, key, value, attn_mask, dropout_p, is_causal, scale,
                                 enable_gqa)
    if enable_gqa and min(query.ndim, key.ndim, value.ndim) >= 3:
        key = _repeat_heads(key, query.shape[-3] // key.shape[-3])
        value = _repeat_heads(value, query.shape[-3] // value.shape[-3])
    lead = _broadcast_lead(query, key, value, attn_mask)
    if lead != _lead(query) and (0 in query.shape[-2:] or 0 in key.shape or 0 in value.shape):
        # torch's CPU kernel returns query's leading shape here, unbroadcast; its math path
        # broadcasts: minigrad refuses rather than pick one
        raise RuntimeError(f"{fn}: with an empty query, key or value the leading dims must be "
                           f"query's {_lead(query)} (they broadcast to {lead}): torch's result "
                           f"shape depends on its backend here")
    if scale is None:           # E = 0: every score is an empty sum (0), any scale will do
        scale = 1.0 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0
    scale = float(scale)
    if _use_fused(query, key, value, attn_mask, dropout_p):
        return _fused(query, key, value, attn_mask, is_causal, scale, lead)
    return _reference(query, key, value, _as_bias(attn_mask, query.dtype), dropout_p, is_causal,
                      scale)
