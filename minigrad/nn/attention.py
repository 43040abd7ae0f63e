"""MultiheadAttention (torch's layouts and forward) and Swin's WindowAttention.

Mask conventions follow each torch API: here a bool attn_mask or key_padding_mask is True =
masked out (the opposite of F.scaled_dot_product_attention's bool mask), a float one is added.
"""
from __future__ import annotations

import math

import numpy as np

from .. import creation
from ..autograd import wrap
from ..backend import array_module
from ..ops.attention import scaled_dot_product_attention
from ..ops.checks import need_float, need_int, need_optional_tensor, need_tensor
from ..ops.dropout import dropout
from ..ops.softmax import softmax
from . import init
from .linear import Linear, linear
from .module import Module
from .parameter import Parameter


class ArgumentAssertion(ValueError, AssertionError):
    """A bad argument to MultiheadAttention. torch asserts these (AssertionError); this is also
    a ValueError, minigrad's class for a bad argument, so either except clause catches it."""


def _float_mask(mask, dtype, name):
    """torch's _canonical_mask: a bool mask (True = masked) becomes 0 / -inf; float is kept."""
    if mask is None:
        return None
    if mask.dtype.kind == "b":
        xp = array_module(mask.data)
        return wrap(xp.where(mask.data, -np.inf, 0.0).astype(dtype))
    if mask.dtype.kind != "f":
        raise ArgumentAssertion(f"only bool and floating types of {name} are supported, got "
                                 f"{mask.dtype}")
    return mask


class MultiheadAttention(Module):
    """Multi-head attention with torch.nn.MultiheadAttention's parameters and forward.

    Parameters: in_proj_weight (3E, E) and in_proj_bias (3E,) when kdim == vdim == E, else
    q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim); out_proj (Linear).
    forward returns (output, weights): weights (N, L, S) averaged over heads, or (N, H, L, S),
    or None with need_weights=False. A query row that attends nothing gives NaN with
    need_weights=True and 0 without (torch's two code paths; torch's eval-mode fast path,
    which gives NaN there, is not modelled). add_bias_kv / add_zero_attn are not supported.
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        embed_dim = need_int("MultiheadAttention", embed_dim, "embed_dim", 1)
        num_heads = need_int("MultiheadAttention", num_heads, "num_heads", 2)
        dropout = need_float("MultiheadAttention", dropout, "dropout", 3)
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than "
                             f"0, got embed_dim={embed_dim} and num_heads={num_heads}")
        if embed_dim % num_heads:
            raise ArgumentAssertion(f"MultiheadAttention: embed_dim ({embed_dim}) must be "
                                    f"divisible by num_heads ({num_heads})")
        if add_bias_kv or add_zero_attn:
            raise NotImplementedError("MultiheadAttention: add_bias_kv and add_zero_attn are not "
                                      "supported")
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
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, **kw)
        self.bias_k = self.bias_v = None
        self.add_zero_attn = False
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

    def _project(self, query, key, value):
        E = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w[:E], w[E:2 * E], w[2 * E:]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)

    def _check(self, query, key, value, key_padding_mask, attn_mask):
        for pos, (name, t) in enumerate((("query", query), ("key", key), ("value", value)), 1):
            need_tensor("MultiheadAttention", t, name, pos)
        need_optional_tensor("MultiheadAttention", key_padding_mask, "key_padding_mask")
        need_optional_tensor("MultiheadAttention", attn_mask, "attn_mask")
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise ArgumentAssertion(f"MultiheadAttention: query, key and value must all be 2-D "
                                     f"(unbatched) or 3-D (batched), got shapes {query.shape}, "
                                     f"{key.shape} and {value.shape}")
        for name, t, n in (("query", query, self.embed_dim), ("key", key, self.kdim),
                           ("value", value, self.vdim)):
            if t.shape[-1] != n:
                raise ArgumentAssertion(f"MultiheadAttention: {name} last dim must be {n}, got "
                                         f"shape {t.shape}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ArgumentAssertion(f"MultiheadAttention: key shape {key.shape} does not match "
                                     f"value shape {value.shape}")
        N = (query.shape[0] if self.batch_first else query.shape[1]) if batched else 1
        if batched and key.shape[0 if self.batch_first else 1] != N:
            raise ValueError(f"MultiheadAttention: query and key must have the same batch size "
                             f"(batch_first={self.batch_first}), got shapes {query.shape} and "
                             f"{key.shape}")
        S = key.shape[-2] if not batched else (key.shape[1] if self.batch_first else key.shape[0])
        L = query.shape[1 if self.batch_first else 0] if batched else query.shape[0]
        if key_padding_mask is not None:
            want = (N, S) if batched else (S,)
            if tuple(key_padding_mask.shape) != want:
                raise ArgumentAssertion(f"MultiheadAttention: expected key_padding_mask of shape "
                                         f"{want}, got {key_padding_mask.shape}")
        if attn_mask is not None and tuple(attn_mask.shape) not in ((L, S),
                                                                    (N * self.num_heads, L, S)):
            raise RuntimeError(f"MultiheadAttention: attn_mask should have shape {(L, S)} or "
                               f"{(N * self.num_heads, L, S)}, got {tuple(attn_mask.shape)}")
        return batched, N, L, S

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        """(attn_output, attn_weights) as torch.nn.MultiheadAttention.forward.

        is_causal is only a hint, as in torch: attn_mask must be given and is what is used.
        """
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: need attn_mask if specifying the is_causal "
                               "hint")
        batched, N, L, S = self._check(query, key, value, key_padding_mask, attn_mask)
        if batched and self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        H, hd, E = self.num_heads, self.head_dim, self.embed_dim
        q, k, v = self._project(query, key, value)                # (L|S, N, E)
        q, k, v = (t.reshape(t.shape[0], N * H, hd).transpose(0, 1) for t in (q, k, v))
        mask = _float_mask(attn_mask, q.dtype, "attn_mask")
        if mask is not None and mask.ndim == 2:
            mask = mask.unsqueeze(0)
        kpm = _float_mask(key_padding_mask, q.dtype, "key_padding_mask")
        if kpm is not None:
            kpm = kpm.reshape(N, 1, 1, S).expand(N, H, 1, S).reshape(N * H, 1, S)
            mask = kpm if mask is None else mask + kpm
        p = self.dropout if self.training else 0.0
        if need_weights:
            scores = (q * math.sqrt(1.0 / hd)) @ k.transpose(-2, -1)
            if mask is not None:
                scores = scores + mask
            w = softmax(scores, -1)
            if p > 0:
                w = dropout(w, p)
            out = w @ v                                            # (N*H, L, hd)
            w = w.reshape(N, H, L, S)
            if average_attn_weights:
                w = w.mean(1)
        else:
            w = None
            if mask is not None:
                mask = mask.unsqueeze(0) if mask.shape[0] == 1 else mask.reshape(N, H, -1, S)
            out = scaled_dot_product_attention(q.reshape(N, H, L, hd), k.reshape(N, H, S, hd),
                                               v.reshape(N, H, S, hd), mask, p)
            out = out.reshape(N * H, L, hd)
        out = out.transpose(0, 1).reshape(L, N, E)
        out = self.out_proj(out)
        if batched and self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out = out.squeeze(1)
            w = None if w is None else w.squeeze(0)
        return out, w

    def extra_repr(self):
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


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
