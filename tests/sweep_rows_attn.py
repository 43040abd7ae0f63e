"""Sweep rows: issue 15 attention and transformers (F.multi_head_attention_forward,
MultiheadAttention's options, TransformerDecoderLayer, TransformerDecoder, Transformer).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *


# ---- issue 15: attn ----
def _mha(lib, **kw):
    """lib's multi_head_attention_forward on (q, k, v, in_proj_weight, in_proj_bias,
    out_proj_weight, out_proj_bias), 2 heads, both outputs."""
    fn = (torch.nn.functional if lib is torch else F).multi_head_attention_forward

    def call(q, k, v, w, b, ow, ob):
        return fn(q, k, v, q.shape[-1] if q.ndim else 0, 2, w, b, None, None,
                  kw.get("add_zero_attn", False), 0.0, ow, ob, training=False,
                  need_weights=kw.get("need_weights", True))
    return call


_W = (f(12, 4), f(12), f(4, 4), f(4))
for _nw in (True, False):
    case("F.multi_head_attention_forward", _mha(mg, need_weights=_nw),
         _mha(torch, need_weights=_nw),
         [(f(3, 2, 4), f(5, 2, 4), f(5, 2, 4)) + _W,                 # (L, N, E)
          (f(3, 2, 4, layout="t"), f(5, 2, 4, layout="n"), f(5, 2, 4, layout="s")) + _W,
          (f(3, 4), f(5, 4), f(5, 4)) + _W,                          # unbatched
          (f(0, 2, 4), f(5, 2, 4), f(5, 2, 4)) + _W,                 # L = 0
          (f(3, 0, 4), f(5, 0, 4), f(5, 0, 4)) + _W,                 # N = 0
          (f(), f(), f()) + _W,                                      # 0-d: torch asserts
          (f(0), f(0), f(0)) + _W],
         tag=f"need_weights={_nw}")
case("F.multi_head_attention_forward", _mha(mg, add_zero_attn=True),
     _mha(torch, add_zero_attn=True),
     [(f(3, 2, 4), f(0, 2, 4), f(0, 2, 4)) + _W,                     # S = 0 but a zero key
      (f(3, 2, 4, layout="t"), f(5, 2, 4), f(5, 2, 4)) + _W], tag="add_zero_attn")

_QKV = [(f(3, 2, 4), f(5, 2, 3), f(5, 2, 5)), (f(0, 2, 4), f(5, 2, 3), f(5, 2, 5)),
        (f(3, 2, 4, layout="t"), f(5, 2, 3, layout="s"), f(5, 2, 5, layout="n")),
        (f(3, 4), f(5, 3), f(5, 5))]
for _tr in (True, False):
    module_case("MultiheadAttention", lambda nn: nn.MultiheadAttention(
        4, 2, add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=5), _QKV, train=_tr,
        tag="bias_kv,zero_attn,kdim,vdim")
module_case("MultiheadAttention", lambda nn: nn.MultiheadAttention(4, 2, bias=False,
                                                                   add_bias_kv=True),
            [(f(3, 2, 4), f(5, 2, 4), f(5, 2, 4)), (f(3, 4), f(0, 4), f(0, 4))],
            tag="no bias,bias_kv")


def _decoder_layer(nn, **kw):
    return nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0, **kw)


_TM = [(f(3, 2, 4), f(5, 2, 4)), (f(0, 2, 4), f(5, 2, 4)), (f(3, 0, 4), f(5, 0, 4)),
       (f(3, 2, 4, layout="t"), f(5, 2, 4, layout="s")), (f(3, 4), f(5, 4)), (f(), f())]
for _tr in (True, False):
    module_case("TransformerDecoderLayer", _decoder_layer, _TM, train=_tr)
    module_case("TransformerDecoderLayer", lambda nn: _decoder_layer(
        nn, norm_first=True, bias=False, activation="gelu", batch_first=True),
        [(f(2, 3, 4), f(2, 5, 4)), (f(2, 0, 4), f(2, 5, 4))], train=_tr,
        tag="norm_first,no bias,gelu")
    module_case("TransformerDecoder", lambda nn: nn.TransformerDecoder(
        _decoder_layer(nn), 2, norm=nn.LayerNorm(4)), _TM[:5], train=_tr)
    module_case("Transformer", lambda nn: nn.Transformer(
        4, 2, 1, 2, 8, dropout=0.0), _TM[:5], train=_tr)
module_case("Transformer", lambda nn: nn.Transformer(4, 2, 1, 1, 8, dropout=0.0,
                                                     batch_first=True, norm_first=True),
            [(f(2, 3, 4), f(2, 5, 4)), (f(2, 3, 4), f(3, 5, 4)), (f(2, 3, 4), f(2, 5, 3))],
            tag="batch_first,norm_first")
