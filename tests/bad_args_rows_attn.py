"""Rows of the bad-argument sweep: issue 15's attention and transformers.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 15: attn -------------------------------------------------------------------------
_MHA = ("multi_head_attention_forward", "linear", "scaled_dot_product_attention")
_ENC = ("TransformerEncoder", "TransformerEncoderLayer", "MultiheadAttention")
_DEC = ("TransformerDecoder", "TransformerDecoderLayer", "MultiheadAttention")
ALIASES.update({
    # a module's errors in forward come from the functional form or the layer that meets them
    "MultiheadAttention": _MHA, "multi_head_attention_forward": _MHA[1:],
    "TransformerEncoderLayer": ("MultiheadAttention",) + _MHA,
    "TransformerEncoder": _ENC + _MHA,
    "TransformerDecoderLayer": ("MultiheadAttention",) + _MHA,
    "TransformerDecoder": _DEC + _MHA,
    "Transformer": _ENC + _DEC + _MHA,
})
SQ, SK, SV = Arr(3, 2, 4), Arr(5, 2, 4, seed=1), Arr(5, 2, 4, seed=2)     # (L|S, N, E)
row("F.multi_head_attention_forward", SQ, SK, SV, 4, 2, Arr(12, 4, seed=3), Arr(12, seed=4),
    Arr(1, 1, 4, seed=5), Arr(1, 1, 4, seed=6), True, 0.0, Arr(4, 4, seed=7), Arr(4, seed=8),
    training=False, key_padding_mask=Arr(2, 5, kind="b"), need_weights=True,
    attn_mask=Arr(3, 5, seed=9), use_separate_proj_weight=False, average_attn_weights=True,
    is_causal=False, random={"dropout_p"})
row("F.multi_head_attention_forward", SQ, Arr(5, 2, 3, seed=1), SV, 4, 2, None,
    Arr(12, seed=4), None, None, False, 0.0, Arr(4, 4, seed=7), None, training=False,
    need_weights=False, attn_mask=Arr(3, 6, kind="b", seed=2), use_separate_proj_weight=True,
    q_proj_weight=Arr(4, 4, seed=10), k_proj_weight=Arr(4, 3, seed=11),
    v_proj_weight=Arr(4, 4, seed=12), static_k=Arr(4, 6, 2, seed=13),
    static_v=Arr(4, 6, 2, seed=14), average_attn_weights=False, is_causal=True,
    random={"dropout_p"})
module("MultiheadAttention", (4, 2, 0.0, False, True, True, 3, 5, True), inputs=(
    Arr(2, 3, 4), Arr(2, 5, 3, seed=1), Arr(2, 5, 5, seed=2)), train=False,
    forward_kwargs={"key_padding_mask": Arr(2, 5, kind="b"), "need_weights": False,
                    "attn_mask": Arr(3, 5, seed=3), "average_attn_weights": True})
TGT, MEM = Arr(2, 3, 4), Arr(2, 5, 4, seed=1)                              # batch first
module("TransformerDecoderLayer", (4, 2, 8, 0.0, "relu", 1e-5, True, False, True),
       inputs=(TGT, MEM), train=False,
       forward_kwargs={"tgt_mask": Arr(3, 3, seed=2), "memory_mask": Arr(3, 5, kind="b"),
                       "tgt_key_padding_mask": Arr(2, 3, seed=3),
                       "memory_key_padding_mask": Arr(2, 5, kind="b", seed=4),
                       "tgt_is_causal": False, "memory_is_causal": False})
DLAYER = Expr(lambda L: L.nn.TransformerDecoderLayer(4, 2, 8, 0.0, batch_first=True))
# (2**63 layers: both hang; 100 float32 layers: rounding grows past the sweep's tolerance on
# some random weights)
module("TransformerDecoder", (DLAYER, 2), inputs=(TGT, MEM), kinds={"decoder_layer": "object"},
       train=False, avoid={"num_layers": ("2**63", "100")})
module("Transformer", (4, 2, 1, 1, 8, 0.0, "relu", None, None, 1e-5, True, False, True),
       inputs=(TGT, MEM), train=False, avoid={"num_encoder_layers": ("2**63", "100"),
                                              "num_decoder_layers": ("2**63", "100")},
       forward_kwargs={"tgt_mask": Arr(5, 5, kind="b")})
