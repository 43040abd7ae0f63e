"""TransformerEncoderLayer and TransformerEncoder with torch.nn's parameter names and forward.

    post-norm (norm_first=False):  x = norm1(x + sa(x));        x = norm2(x + ff(x))
    pre-norm  (norm_first=True):   x = x + sa(norm1(x));        x = x + ff(norm2(x))
    sa(x) = dropout1(self_attn(x, x, x, need_weights=False)),  ff(x) = dropout2(linear2(
            dropout(activation(linear1(x)))))

torch's inference fast paths (eval mode under no_grad) are not modelled: with a
src_key_padding_mask they return 0 at padded positions, where this (and torch's training
path) returns the ordinary result. The decoder and nn.Transformer are in transformer_decoder.py.
"""
from __future__ import annotations

import copy
import math

from .. import creation
from ..ops.activation import gelu, relu
from ..ops.checks import need_float, need_int, need_optional_tensor, need_tensor
from ..ops.matrix import triu
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .mha_forward import canonical_mask
from .module import Module
from .norm import LayerNorm


def generate_square_subsequent_mask(sz, device=None, dtype=None):
    """(sz, sz) float mask: 0 on and below the diagonal, -inf above (torch's causal mask)."""
    return triu(creation.full((sz, sz), -math.inf, dtype=dtype, device=device), diagonal=1)


def seq_len(src, batch_first):
    """The sequence length of src: dim 0 of a 2-D (unbatched) input, else dim 1 or 0."""
    return src.shape[0] if src.ndim == 2 else src.shape[1 if batch_first else 0]


def detect_is_causal_mask(mask, is_causal=None, size=None):
    """torch's _detect_is_causal_mask: is_causal if given, else whether mask is exactly the
    causal mask of that size."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.shape[-2]
        causal = generate_square_subsequent_mask(sz, device=mask.device, dtype=mask.dtype)
        make_causal = tuple(mask.shape) == tuple(causal.shape) and bool((mask == causal).all())
    return make_causal


def layer_sizes(name, d_model, nhead, dim_feedforward, layer_norm_eps):
    """An encoder or decoder layer's sizes, checked (torch's positions for the messages)."""
    d_model, nhead = need_int(name, d_model, "d_model", 1), need_int(name, nhead, "nhead", 2)
    dim_feedforward = need_int(name, dim_feedforward, "dim_feedforward", 3)
    layer_norm_eps = need_float(name, layer_norm_eps, "layer_norm_eps", 6)
    if d_model <= 0 or nhead <= 0 or dim_feedforward < 0:
        raise ValueError(f"{name}: d_model and nhead must be positive and dim_feedforward "
                         f"non-negative, got {d_model}, {nhead} and {dim_feedforward}")
    return d_model, nhead, dim_feedforward, layer_norm_eps


def _activation(activation):
    if activation == "relu":
        return relu
    if activation == "gelu":
        return gelu
    if isinstance(activation, str):
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")  # noqa: TRY004
    return activation


class TransformerEncoderLayer(Module):
    """One encoder block: self-attention and a feed-forward net, each with a residual and
    LayerNorm (matches torch.nn.TransformerEncoderLayer, including norm_first and
    batch_first). activation is 'relu', 'gelu' or a callable (a Module is registered)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        d_model, nhead, dim_feedforward, layer_norm_eps = layer_sizes(
            "TransformerEncoderLayer", d_model, nhead, dim_feedforward, layer_norm_eps)
        kw = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)
        act = self.activation
        self.activation_relu_or_gelu = 1 if act is relu or type(act).__name__ == "ReLU" else \
            2 if act is gelu or type(act).__name__ == "GELU" else 0

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """src (S, N, E), or (N, S, E) with batch_first, or unbatched (S, E)."""
        fn = "TransformerEncoderLayer"
        need_tensor(fn, src, "src", 1)
        need_optional_tensor(fn, src_mask, "src_mask", 2)
        need_optional_tensor(fn, src_key_padding_mask, "src_key_padding_mask", 3)
        src_key_padding_mask = canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                              src.dtype, fn)
        src_mask = canonical_mask(src_mask, "src_mask", src.dtype, fn)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerEncoder(Module):
    """num_layers deep copies of encoder_layer, then an optional norm (matches
    torch.nn.TransformerEncoder). enable_nested_tensor and mask_check are kept as attributes
    and have no effect, since the nested-tensor fast path is not modelled. With is_causal=None
    a mask equal to the causal mask sets is_causal, as torch."""

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True):
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(f"TransformerEncoder: encoder_layer must be a Module, not "
                            f"{type(encoder_layer).__name__}")
        num_layers = need_int("TransformerEncoder", num_layers, "num_layers", 2)
        if num_layers < 1:              # (torch fails on an empty stack too)
            raise ValueError(f"TransformerEncoder: num_layers must be at least 1, got "
                             f"{num_layers}")
        self.layers = ModuleList([copy.deepcopy(encoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        fn = "TransformerEncoder"
        need_tensor(fn, src, "src", 1)
        need_optional_tensor(fn, mask, "mask", 2)
        need_optional_tensor(fn, src_key_padding_mask, "src_key_padding_mask", 3)
        src_key_padding_mask = canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                              src.dtype, fn)
        mask = canonical_mask(mask, "mask", src.dtype, fn)
        batch_first = getattr(getattr(self.layers[0], "self_attn", None), "batch_first", False)
        is_causal = detect_is_causal_mask(mask, is_causal, seq_len(src, batch_first))
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                        is_causal=is_causal)
        if self.norm is not None:
            out = self.norm(out)
        return out
