"""F.multi_head_attention_forward: torch's functional multi-head attention, step by step.

    q, k, v = in-projections of query (L, N, E), key (S, N, kdim), value (S, N, vdim)
    [k; bias_k], [v; bias_v]            (add_bias_kv: one learned key/value appended)
    k, v = static_k, static_v           (given per-head keys/values replace the projections)
    [k; 0], [v; 0]                      (add_zero_attn: one zero key/value appended)
    mask = attn_mask + key_padding_mask (bool masks: True = masked, as -inf)
    out = out_proj(softmax(q k^T / sqrt(hd) + mask) v)   per head, heads concatenated

need_weights=True computes the weights explicitly (a row that attends nothing gives NaN, as
torch); need_weights=False goes through F.scaled_dot_product_attention (such a row gives 0).
A plain composition of differentiable ops: gradients and double backward come from the parts.
The control flow follows torch's, so the same arguments fail (AssertionError where torch
asserts) or pass.
"""
from __future__ import annotations

import math

import numpy as np

from .. import creation
from ..autograd import wrap
from ..backend import array_module
from ..ops.attention import scaled_dot_product_attention
from ..ops.checks import need_int, need_optional_tensor, need_tensor
from ..ops.dropout import dropout
from ..ops.products import baddbmm, bmm
from ..ops.shape import cat
from ..ops.softmax import softmax
from .linear import linear

FN = "multi_head_attention_forward"


class ArgumentAssertion(ValueError, AssertionError):
    """A bad argument to multi-head attention. torch asserts these (AssertionError); this is
    also a ValueError, minigrad's class for a bad argument, so either except clause catches it."""


def canonical_mask(mask, name, target_dtype, fn=FN):
    """torch's _canonical_mask: a bool mask (True = masked) becomes 0 / -inf in target_dtype;
    a float mask is kept; any other dtype is refused."""
    if mask is None:
        return None
    if mask.dtype.kind == "b":
        xp = array_module(mask.data)
        return wrap(xp.where(mask.data, -np.inf, 0.0).astype(target_dtype))
    if mask.dtype.kind != "f":
        raise ArgumentAssertion(f"{fn}: only bool and floating types of {name} are supported, "
                                f"got {mask.dtype}")
    return mask


def _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's _mha_shape_check: whether the input is batched (3-D) or not (2-D)."""
    if query.ndim not in (2, 3):
        raise ArgumentAssertion(f"{FN}: query should be unbatched 2D or batched 3D tensor but "
                                f"received {query.ndim}-D query tensor")
    batched = query.ndim == 3
    what = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise ArgumentAssertion(f"{FN}: for {what} query, expected key and value to be "
                                f"{query.ndim}-D but found {key.ndim}-D and {value.ndim}-D "
                                f"tensors respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise ArgumentAssertion(f"{FN}: for {what} query, expected key_padding_mask to be None "
                                f"or {query.ndim - 1}-D but found {key_padding_mask.ndim}-D")
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise ArgumentAssertion(f"{FN}: for {what} query, expected attn_mask to be None, "
                                    f"2-D or 3-D but found {attn_mask.ndim}-D")
        want = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.ndim == 3 and tuple(attn_mask.shape) != want:
            raise ArgumentAssertion(f"{FN}: expected attn_mask shape to be {want} but got "
                                    f"{tuple(attn_mask.shape)}")
    return batched


def _in_projection_packed(q, k, v, w, b, E):
    if tuple(w.shape) != (3 * E, E):
        raise RuntimeError(f"{FN}: in_proj_weight must have shape {(3 * E, E)} (query, key and "
                           f"value weights stacked), got {tuple(w.shape)}")
    if b is not None and tuple(b.shape) != (3 * E,):
        raise RuntimeError(f"{FN}: in_proj_bias must have shape {(3 * E,)}, got "
                           f"{tuple(b.shape)}")
    if k is v and q is k:                   # self-attention: one GEMM (as torch)
        p = linear(q, w, b)
        return p[..., :E], p[..., E:2 * E], p[..., 2 * E:]
    bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
    if k is v:                              # encoder-decoder attention: k and v in one GEMM
        kv = linear(k, w[E:], None if b is None else b[E:])
        return linear(q, w[:E], bq), kv[..., :E], kv[..., E:]
    return linear(q, w[:E], bq), linear(k, w[E:2 * E], bk), linear(v, w[2 * E:], bv)


def _in_projection(q, k, v, wq, wk, wv, b, E):
    if b is not None and tuple(b.shape) != (3 * E,):
        raise RuntimeError(f"{FN}: in_proj_bias must have shape {(3 * E,)}, got "
                           f"{tuple(b.shape)}")
    Ek, Ev = k.shape[-1], v.shape[-1]
    for name, w, want in (("q_proj_weight", wq, (E, E)), ("k_proj_weight", wk, (E, Ek)),
                          ("v_proj_weight", wv, (E, Ev))):
        if tuple(w.shape) != want:
            raise ArgumentAssertion(f"{FN}: expecting {name} of shape {want}, but got "
                                    f"{tuple(w.shape)}")
    bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
    return linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)


def _pad_last(t):
    """t with one zero column appended on the last dim (torch's pad(mask, (0, 1)))."""
    return cat([t, creation.zeros(*t.shape[:-1], 1, dtype=t.dtype, device=t.device)], -1)


def _append_bias(k, bias, name, bsz, dtype):
    """k (S, N, E) with bias (1, 1, E) appended as one more key (torch's cat + repeat)."""
    if bias.ndim > 3 or bias.repeat(1, bsz, 1).shape[1:] != k.shape[1:]:
        raise RuntimeError(f"{FN}: {name} must have shape (1, 1, {k.shape[-1]}), got "
                           f"{tuple(bias.shape)}")
    out = cat([k, bias.repeat(1, bsz, 1)])
    if out.dtype != dtype:
        raise RuntimeError(f"{FN}: {name} of dtype {bias.dtype} makes the keys/values "
                           f"{out.dtype}, query is {dtype}")
    return out


def _check_static(name, t, bsz, num_heads, head_dim):
    if t.ndim != 3 or t.shape[0] != bsz * num_heads or t.shape[2] != head_dim:
        raise ArgumentAssertion(f"{FN}: expecting {name} of shape ({bsz * num_heads}, S, "
                                f"{head_dim}) (batch * num_heads, S, head_dim), but got "
                                f"{tuple(t.shape)}")


def _same_batch(query, key, bsz):
    if key.shape[1] != bsz:
        raise RuntimeError(f"{FN}: query and key must have the same batch size (dim 1, "
                           f"sequence first), got shapes {tuple(query.shape)} and "
                           f"{tuple(key.shape)}")


def _check_tensors(query, key, value, tensors):
    for pos, (name, t) in enumerate((("query", query), ("key", key), ("value", value)), 1):
        need_tensor(FN, t, name, pos)
    for name, t in tensors.items():
        need_optional_tensor(FN, t, name)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """(attn_output, attn_weights) of multi-head attention over sequence-first inputs.

    query (L, N, E) or unbatched (L, E); key (S, N, kdim), value (S, N, vdim). Returns the
    output (L, N, E_out) and the weights (N, L, S) averaged over heads, (N, H, L, S), or None
    (need_weights=False). Matches torch.nn.functional.multi_head_attention_forward.
    """
    _check_tensors(query, key, value, {
        "in_proj_weight": in_proj_weight, "in_proj_bias": in_proj_bias, "bias_k": bias_k,
        "bias_v": bias_v, "key_padding_mask": key_padding_mask, "attn_mask": attn_mask,
        "q_proj_weight": q_proj_weight, "k_proj_weight": k_proj_weight,
        "v_proj_weight": v_proj_weight, "static_k": static_k, "static_v": static_v})
    need_tensor(FN, out_proj_weight, "out_proj_weight")
    need_optional_tensor(FN, out_proj_bias, "out_proj_bias")
    num_heads = need_int(FN, num_heads, "num_heads", 5)
    if num_heads <= 0:
        raise ValueError(f"{FN}: num_heads must be positive, got {num_heads}")
    batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError(f"{FN}: need attn_mask if specifying the is_causal hint. You may use "
                           f"Transformer.generate_square_subsequent_mask to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None            # the hint is trusted: SDPA applies the causal mask itself
    else:
        attn_mask = canonical_mask(attn_mask, "attn_mask", query.dtype)
        if key_padding_mask is not None:
            is_causal = False       # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise ArgumentAssertion(f"{FN}: was expecting embedding dimension (query last dim) of "
                                f"{embed_dim_to_check!r} (embed_dim_to_check), but got "
                                f"{embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise ArgumentAssertion(f"{FN}: embed_dim {embed_dim} not divisible by num_heads "
                                f"{num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise ArgumentAssertion(f"{FN}: key's sequence and batch dims "
                                    f"{tuple(key.shape[:2])} do not match value's "
                                    f"{tuple(value.shape[:2])}")
        for name, w in (("q_proj_weight", q_proj_weight), ("k_proj_weight", k_proj_weight),
                        ("v_proj_weight", v_proj_weight)):
            if w is None:
                raise ArgumentAssertion(f"{FN}: use_separate_proj_weight is True but {name} "
                                        f"is None")
        _same_batch(query, key, bsz)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight,
                                 v_proj_weight, in_proj_bias, embed_dim)
    else:
        if key.shape != value.shape:
            raise ArgumentAssertion(f"{FN}: key shape {tuple(key.shape)} does not match value "
                                    f"shape {tuple(value.shape)}")
        if in_proj_weight is None:
            raise ArgumentAssertion(f"{FN}: use_separate_proj_weight is False but "
                                    f"in_proj_weight is None")
        _same_batch(query, key, bsz)
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias,
                                        embed_dim)
    if attn_mask is not None:       # as (1 or N*H, L, S)
        want = (tgt_len, src_len) if attn_mask.ndim == 2 else \
            (bsz * num_heads, tgt_len, src_len)
        if tuple(attn_mask.shape) != want:
            raise RuntimeError(f"{FN}: the shape of the {attn_mask.ndim}D attn_mask is "
                               f"{tuple(attn_mask.shape)}, but should be {want}.")
        if attn_mask.ndim == 2:
            attn_mask = attn_mask.unsqueeze(0)
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise ArgumentAssertion(f"{FN}: bias_k/bias_v cannot be added to static_k/static_v")
        k = _append_bias(k, bias_k, "bias_k", bsz, q.dtype)
        v = _append_bias(v, bias_v, "bias_v", bsz, q.dtype)
        attn_mask = None if attn_mask is None else _pad_last(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise ArgumentAssertion(f"{FN}: bias_k and bias_v must be given together, got "
                                f"bias_k={'None' if bias_k is None else 'a tensor'} and "
                                f"bias_v={'None' if bias_v is None else 'a tensor'}")
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)     # (N*H, L, hd)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        _check_static("static_k", static_k, bsz, num_heads, head_dim)
        k = static_k
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        _check_static("static_v", static_v, bsz, num_heads, head_dim)
        v = static_v
    if add_zero_attn:
        z = (bsz * num_heads, 1, head_dim)
        k = cat([k, creation.zeros(*z, dtype=k.dtype, device=k.device)], 1)
        v = cat([v, creation.zeros(*z, dtype=v.dtype, device=v.device)], 1)
        attn_mask = None if attn_mask is None else _pad_last(attn_mask)
        key_padding_mask = None if key_padding_mask is None else _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if v.shape[1] != src_len:
        raise RuntimeError(f"{FN}: keys and values must be as many, got {src_len} keys and "
                           f"{v.shape[1]} values (after bias_k/bias_v and static_k/static_v)")
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise ArgumentAssertion(f"{FN}: expected key_padding_mask of shape "
                                    f"{(bsz, src_len)} (batch, source length), got "
                                    f"{tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(
            bsz, num_heads, 1, src_len).reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if attn_mask is not None and (attn_mask.dtype != q.dtype or attn_mask.shape[-1] != src_len):
        raise RuntimeError(f"{FN}: attn_mask (with key_padding_mask) of dtype {attn_mask.dtype} "
                           f"and shape {tuple(attn_mask.shape)} does not match query's dtype "
                           f"{q.dtype} and the {src_len} keys")
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        kt = k.transpose(-2, -1)
        w = bmm(q_scaled, kt) if attn_mask is None else baddbmm(attn_mask, q_scaled, kt)
        w = softmax(w, -1)
        if dropout_p > 0.0:
            w = dropout(w, p=dropout_p)
        out = bmm(w, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.reshape(tgt_len, bsz, out.shape[1])
        w = w.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(1)
        if not batched:
            out, w = out.squeeze(1), w.squeeze(0)
        return out, w
    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 else \
            attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.reshape(tgt_len, bsz, out.shape[1])
    return (out if batched else out.squeeze(1)), None
