"""TransformerDecoderLayer, TransformerDecoder and Transformer with torch.nn's parameter names.

    post-norm (norm_first=False):  x = norm1(x + sa(x));  x = norm2(x + mha(x, mem));
                                   x = norm3(x + ff(x))
    pre-norm  (norm_first=True):   x = x + sa(norm1(x));  x = x + mha(norm2(x), mem);
                                   x = x + ff(norm3(x))
    sa(x) = dropout1(self_attn(x, x, x)),  mha(x, mem) = dropout2(multihead_attn(x, mem, mem)),
    ff(x) = dropout3(linear2(dropout(activation(linear1(x)))))

nn.Transformer is an encoder stack and a decoder stack, each with a final LayerNorm.
"""
from __future__ import annotations

import copy

from ..ops.activation import relu
from ..ops.checks import need_int, need_optional_tensor, need_tensor
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .init import xavier_uniform_
from .linear import Linear
from .module import Module
from .norm import LayerNorm
from .transformer import (TransformerEncoder, TransformerEncoderLayer, _activation,
                          detect_is_causal_mask, generate_square_subsequent_mask, layer_sizes,
                          seq_len)


class TransformerDecoderLayer(Module):
    """One decoder block: self-attention, attention over the encoder's memory and a
    feed-forward net, each with a residual and LayerNorm (matches
    torch.nn.TransformerDecoderLayer, including norm_first, batch_first and bias). activation
    is 'relu', 'gelu' or a callable (a Module is registered)."""

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        d_model, nhead, dim_feedforward, layer_norm_eps = layer_sizes(
            "TransformerDecoderLayer", d_model, nhead, dim_feedforward, layer_norm_eps)
        kw = {"device": device, "dtype": dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, bias=bias, **kw)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, bias=bias, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        """tgt (T, N, E) and memory (S, N, E), (N, T, E) and (N, S, E) with batch_first, or
        unbatched (T, E) and (S, E). Masks as MultiheadAttention's."""
        fn = "TransformerDecoderLayer"
        need_tensor(fn, tgt, "tgt", 1)
        need_tensor(fn, memory, "memory", 2)
        for name, m in (("tgt_mask", tgt_mask), ("memory_mask", memory_mask),
                        ("tgt_key_padding_mask", tgt_key_padding_mask),
                        ("memory_key_padding_mask", memory_key_padding_mask)):
            need_optional_tensor(fn, m, name)
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                    memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                               memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           is_causal=is_causal, need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)


class TransformerDecoder(Module):
    """num_layers deep copies of decoder_layer, then an optional norm (matches
    torch.nn.TransformerDecoder). With tgt_is_causal=None a tgt_mask equal to the causal mask
    sets tgt_is_causal, as torch."""

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        if not isinstance(decoder_layer, Module):
            raise TypeError(f"TransformerDecoder: decoder_layer must be a Module, not "
                            f"{type(decoder_layer).__name__}")
        num_layers = need_int("TransformerDecoder", num_layers, "num_layers", 2)
        if num_layers < 1:              # (torch fails in forward on an empty stack)
            raise ValueError(f"TransformerDecoder: num_layers must be at least 1, got "
                             f"{num_layers}")
        self.layers = ModuleList([copy.deepcopy(decoder_layer) for _ in range(num_layers)])
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        fn = "TransformerDecoder"
        need_tensor(fn, tgt, "tgt", 1)
        need_tensor(fn, memory, "memory", 2)
        need_optional_tensor(fn, tgt_mask, "tgt_mask", 3)
        batch_first = getattr(getattr(self.layers[0], "self_attn", None), "batch_first", False)
        tgt_is_causal = detect_is_causal_mask(tgt_mask, tgt_is_causal,
                                              seq_len(tgt, batch_first))
        out = tgt
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask,
                        memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            out = self.norm(out)
        return out


class Transformer(Module):
    """An encoder-decoder transformer (matches torch.nn.Transformer): encoder and decoder
    stacks of num_encoder_layers / num_decoder_layers layers, each followed by a LayerNorm, or
    custom_encoder / custom_decoder. Every parameter with more than one dim is re-drawn with
    xavier_uniform_, as torch does."""

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation=relu, custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, device=None, dtype=None):
        super().__init__()
        layer_args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                      batch_first, norm_first, bias)
        kw = {"device": device, "dtype": dtype}
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(*layer_args, **kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(*layer_args, **kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **kw)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        """src (S, N, E) and tgt (T, N, E) (batch first with batch_first; unbatched 2-D);
        returns the decoder's output, shaped as tgt."""
        need_tensor("Transformer", src, "src", 1)
        need_tensor("Transformer", tgt, "tgt", 2)
        batched = src.ndim == 3
        b = 0 if self.batch_first else 1
        if batched and (tgt.ndim <= b or src.shape[b] != tgt.shape[b]):
            raise RuntimeError("Transformer: the batch number of src and tgt must be equal")
        if src.ndim == 0 or tgt.ndim == 0 or src.shape[-1] != self.d_model \
                or tgt.shape[-1] != self.d_model:
            raise RuntimeError("Transformer: the feature number of src and tgt must be equal "
                               "to d_model")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """(sz, sz) float mask: 0 on and below the diagonal, -inf above."""
        sz = need_int("generate_square_subsequent_mask", sz, "sz", 1)
        return generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.ndim > 1:
                xavier_uniform_(p)
