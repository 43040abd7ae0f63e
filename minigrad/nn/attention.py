"""MultiheadAttention (torch's layouts and forward) and Swin's WindowAttention.

Mask conventions follow each torch API: here a bool attn_mask or key_padding_mask is True =
masked out (the opposite of F.scaled_dot_product_attention's bool mask), a float one is added.
"""
from __future__ import annotations

import numpy as np

from .. import creation
from ..ops.attention import scaled_dot_product_attention
from ..ops.checks import (need_float, need_int, need_optional_int, need_optional_tensor,
                          need_tensor)
from ..ops.dropout import dropout
from . import init
from .sdpa_backend import SDPBackend, sdpa_kernel  # noqa: F401  (torch.nn.attention's names)
from .linear import Linear
from .mha_forward import ArgumentAssertion, canonical_mask, multi_head_attention_forward
from .module import Module
from .parameter import Parameter


class NonDynamicallyQuantizableLinear(Linear):
    """MultiheadAttention's out_proj: a Linear under torch's class name (as in its repr)."""


class MultiheadAttention(Module):
    """Multi-head attention with torch.nn.MultiheadAttention's parameters and forward.

    Parameters: in_proj_weight (3E, E) and in_proj_bias (3E,) when kdim == vdim == E, else
    q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim); out_proj (Linear);
    bias_k, bias_v (1, 1, E) with add_bias_kv. forward returns (output, weights): weights
    (N, L, S) averaged over heads, or (N, H, L, S), or None with need_weights=False; it runs
    F.multi_head_attention_forward (nn/mha_forward.py). A query row that attends nothing gives
    NaN with need_weights=True and 0 without (torch's two code paths; torch's eval-mode fast
    path is not modelled).
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        embed_dim = need_int("MultiheadAttention", embed_dim, "embed_dim", 1)
        num_heads = need_int("MultiheadAttention", num_heads, "num_heads", 2)
        dropout = need_float("MultiheadAttention", dropout, "dropout", 3)
        kdim = need_optional_int("MultiheadAttention", kdim, "kdim", 7)
        vdim = need_optional_int("MultiheadAttention", vdim, "vdim", 8)
        for name, d in (("kdim", kdim), ("vdim", vdim)):
            if d is not None and d < 0:
                raise RuntimeError(f"MultiheadAttention: {name} must be non-negative, got {d}")
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than "
                             f"0, got embed_dim={embed_dim} and num_heads={num_heads}")
        if embed_dim % num_heads:
            raise ArgumentAssertion(f"MultiheadAttention: embed_dim ({embed_dim}) must be "
                                    f"divisible by num_heads ({num_heads})")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        self.batch_first = batch_first
        kw = {"dtype": dtype, "device": device}
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(creation.empty(embed_dim, embed_dim, **kw))
            self.k_proj_weight = Parameter(creation.empty(embed_dim, self.kdim, **kw))
            self.v_proj_weight = Parameter(creation.empty(embed_dim, self.vdim, **kw))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(creation.empty(3 * embed_dim, embed_dim, **kw))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:
            self.bias_k = Parameter(creation.empty(1, 1, embed_dim, **kw))
            self.bias_v = Parameter(creation.empty(1, 1, embed_dim, **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        """(attn_output, attn_weights) as torch.nn.MultiheadAttention.forward.

        is_causal is only a hint, as in torch: attn_mask must be given; with need_weights=False
        and no key_padding_mask the causal mask is applied instead of attn_mask.
        """
        fn = "MultiheadAttention"
        for pos, (name, t) in enumerate((("query", query), ("key", key), ("value", value)), 1):
            need_tensor(fn, t, name, pos)
        need_optional_tensor(fn, key_padding_mask, "key_padding_mask")
        need_optional_tensor(fn, attn_mask, "attn_mask")
        batched = query.ndim == 3
        key_padding_mask = canonical_mask(key_padding_mask, "key_padding_mask", query.dtype, fn)
        attn_mask = canonical_mask(attn_mask, "attn_mask", query.dtype, fn)
        if self.batch_first and batched:
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = (x.transpose(1, 0) for x in (query, key))
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        separate = not self._qkv_same_embed_dim
        out, w = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, training=self.training,
            key_padding_mask=key_padding_mask, need_weights=need_weights, attn_mask=attn_mask,
            use_separate_proj_weight=separate, q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, w

    def merge_masks(self, attn_mask, key_padding_mask, query):
        """(merged mask, mask type) as torch's MultiheadAttention.merge_masks: type 1 for a
        key_padding_mask alone, 2 when an attn_mask is given (expanded to (N, H, L, L))."""
        mask_type, merged = None, None
        if key_padding_mask is not None:
            mask_type, merged = 1, key_padding_mask
        if attn_mask is not None:
            n, seq, _ = query.shape
            mask_type = 2
            if attn_mask.ndim == 3:
                merged = attn_mask.reshape(n, -1, seq, seq)
            else:
                merged = attn_mask.reshape(1, 1, seq, seq).expand(n, self.num_heads, seq, seq)
            if key_padding_mask is not None:
                merged = merged + key_padding_mask.reshape(n, 1, 1, seq).expand(
                    n, self.num_heads, 1, seq)
        return merged, mask_type


def relative_position_index(window_size):
    """Swin's (Wh*Ww, Wh*Ww) int64 index into the (2Wh-1)(2Ww-1) relative position table."""
    wh, ww = window_size
    coords = np.stack(np.meshgrid(np.arange(wh), np.arange(ww), indexing="ij")).reshape(2, -1)
    rel = (coords[:, :, None] - coords[:, None, :]).transpose(1, 2, 0)
    rel[:, :, 0] += wh - 1
    rel[:, :, 1] += ww - 1
    rel[:, :, 0] *= 2 * ww - 1
    return rel.sum(-1).astype(np.int64)


class WindowAttention(Module):
    """Swin Transformer's window attention with a learnable relative position bias.

    x (num_windows*B, N, C) with N = Wh*Ww; mask None or (num_windows, N, N) added to the
    scores (0 / -100 in Swin's shifted windows). Parameters and buffers as the reference
    implementation: qkv, proj, relative_position_bias_table ((2Wh-1)(2Ww-1), heads) indexed by
    the relative_position_index buffer. The scores go through F.scaled_dot_product_attention
    with the bias as a float mask, so the table gets its gradient (repeated indices add up).
    """

    def __init__(self, dim, window_size, num_heads, qkv_bias=True, qk_scale=None,
                 attn_drop=0.0, proj_drop=0.0):
        super().__init__()
        if dim % num_heads:
            raise ValueError(f"WindowAttention: dim ({dim}) must be divisible by num_heads "
                             f"({num_heads})")
        self.dim, self.num_heads = dim, num_heads
        self.window_size = tuple(window_size)
        self.scale = qk_scale or (dim // num_heads) ** -0.5
        wh, ww = self.window_size
        self.relative_position_bias_table = Parameter(
            creation.zeros((2 * wh - 1) * (2 * ww - 1), num_heads))
        self.register_buffer("relative_position_index",
                             creation.tensor(relative_position_index(self.window_size)))
        self.qkv = Linear(dim, dim * 3, bias=qkv_bias)
        self.attn_drop = attn_drop
        self.proj = Linear(dim, dim)
        self.proj_drop = proj_drop
        init.trunc_normal_(self.relative_position_bias_table, std=0.02)

    def relative_position_bias(self):
        """(heads, N, N): table[index.view(-1)].view(N, N, -1).permute(2, 0, 1)."""
        n = self.window_size[0] * self.window_size[1]
        idx = self.relative_position_index.reshape(-1)
        return self.relative_position_bias_table[idx].reshape(n, n, -1).permute(2, 0, 1)

    def forward(self, x, mask=None):
        B_, N, C = x.shape
        H = self.num_heads
        qkv = self.qkv(x).reshape(B_, N, 3, H, C // H).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                           # (B_, H, N, hd)
        bias = self.relative_position_bias()                      # (H, N, N)
        if mask is not None:
            nw = mask.shape[0]
            if B_ % nw:
                raise RuntimeError(f"WindowAttention: batch {B_} is not a multiple of the "
                                   f"mask's {nw} windows")
            # (B_/nW, nW, H, N, N) scores: the bias broadcasts, the mask is per window
            q, k, v = (t.reshape(B_ // nw, nw, H, N, C // H) for t in (q, k, v))
            bias = bias + mask.unsqueeze(1)
        p = self.attn_drop if self.training else 0.0
        out = scaled_dot_product_attention(q, k, v, bias, p, scale=self.scale)
        out = out.reshape(B_, H, N, C // H).transpose(1, 2).reshape(B_, N, C)
        out = self.proj(out)
        return dropout(out, self.proj_drop, self.training)
