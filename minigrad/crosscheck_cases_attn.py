"""Crosscheck cases for issue 15's attention work: F.multi_head_attention_forward (packed and
separate projections, bias_k/bias_v, add_zero_attn, masks, both code paths). Same table
format and helpers as crosscheck_cases.py, which appends CASES_attn to its CASES."""
from __future__ import annotations

from .crosscheck_cases import K, R, op


def _mha(need_weights, **kw):
    """F.multi_head_attention_forward with 2 heads on sequence-first (L, N, 4) inputs."""
    def f(L, q, k, v, w, b, bk, bv, ow, ob, mask):
        out = L.F.multi_head_attention_forward(
            q, k, v, 4, 2, w, b, bk, bv, True, 0.0, ow, ob, training=False, attn_mask=mask,
            need_weights=need_weights, average_attn_weights=False, **kw)
        return out if need_weights else out[0]
    return f


def _mha_separate(L, q, k, v, wq, wk, wv, b, ow, ob, kpm):
    out, _ = L.F.multi_head_attention_forward(
        q, k, v, 4, 2, None, b, None, None, False, 0.0, ow, ob, training=False,
        key_padding_mask=kpm, need_weights=False, use_separate_proj_weight=True,
        q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv)
    return out


_PACKED = (R(3, 2, 4), R(5, 2, 4), R(5, 2, 4), R(12, 4), R(12), R(1, 1, 4), R(1, 1, 4),
           R(4, 4), R(4), R(3, 5))
CASES_attn = [
    op("multi_head_attention_forward", "packed, bias_kv, zero_attn, float mask, weights",
       _mha(True), *_PACKED, needs="multi_head_attention_forward"),
    # torch's need_weights=False path runs its CPU flash SDPA: no second derivative there
    op("multi_head_attention_forward", "packed, bias_kv, zero_attn, float mask, sdpa path",
       _mha(False), *_PACKED, needs="multi_head_attention_forward", double=False),
    op("multi_head_attention_forward", "kdim=3, vdim=5, bool key_padding_mask",
       _mha_separate, R(3, 2, 4), R(5, 2, 3), R(5, 2, 5), R(4, 4), R(4, 3), R(4, 5), R(12),
       R(4, 4), R(4), K(2, 5), needs="multi_head_attention_forward", double=False),
]
