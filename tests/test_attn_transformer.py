"""nn.TransformerDecoderLayer, TransformerDecoder, Transformer and the encoder's options
against torch (float64, torch's weights loaded into minigrad's modules)."""
import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad.testing import assert_close

RTOL, ATOL = 1e-9, 1e-10


def randn(*shape):
    return np.random.default_rng().standard_normal(shape)


def load(mm, tm):
    """torch's weights (perturbed away from LayerNorm's 1 / 0 init) into minigrad's module."""
    tm.double()
    for p in tm.parameters():
        with torch.no_grad():
            p.add_(0.1 * torch.randn_like(p))
    mm.to(mg.float64)
    mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return mm


def compare(mm, tm, inputs, train=True, **kw):
    """Same outputs and gradients of every input and parameter (float masks get theirs too)."""
    mm.train(train)
    tm.train(train)
    mx = [mg.tensor(a, requires_grad=True) for a in inputs]
    tx = [torch.tensor(a, requires_grad=True) for a in inputs]
    mk = {k: mg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tk = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    mo, to = mm(*mx, **mk), tm(*tx, **tk)
    assert_close(mo, to.detach(), RTOL, ATOL, "output: ")
    w = randn(*to.shape)
    (mo * mg.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    for k, (a, b) in enumerate(zip(mx, tx)):
        assert_close(a.grad, b.grad, RTOL, ATOL, f"grad of input {k}: ")
    tp = dict(tm.named_parameters())
    assert [n for n, _ in mm.named_parameters()] == list(tp)
    for n, p in mm.named_parameters():
        assert_close(p.grad, tp[n].grad, RTOL, ATOL, f"grad of {n}: ")
    return mo


def masks(T, S, N):
    causal = ~np.tril(np.ones((T, T), bool))
    tkpm = np.zeros((N, T), bool)
    tkpm[0, -1] = True
    mkpm = np.zeros((N, S), bool)
    mkpm[-1, 1:3] = True
    return {"tgt_mask": causal, "memory_mask": randn(T, S), "tgt_key_padding_mask": tkpm,
            "memory_key_padding_mask": mkpm}


# ---- TransformerDecoderLayer --------------------------------------------------------------
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "callable", "module"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer(norm_first, activation, batch_first):
    act = {"callable": (lambda x: x.tanh()), "module": None}.get(activation, activation)
    kw = {"dim_feedforward": 12, "dropout": 0.0, "norm_first": norm_first,
          "batch_first": batch_first}
    tact = torch.nn.GELU(approximate="tanh") if activation == "module" else act
    mact = mg.nn.GELU(approximate="tanh") if activation == "module" else act
    tm = torch.nn.TransformerDecoderLayer(8, 2, activation=tact, **kw)
    mm = load(mg.nn.TransformerDecoderLayer(8, 2, activation=mact, **kw), tm)
    T, S, N = 4, 5, 3
    shp = (lambda s: (N, s, 8)) if batch_first else (lambda s: (s, N, 8))
    for train in (True, False):
        compare(mm, tm, [randn(*shp(T)), randn(*shp(S))], train, **masks(T, S, N))


def test_decoder_layer_bias_false_unbatched_causal_hints():
    kw = {"dim_feedforward": 6, "dropout": 0.0, "bias": False, "layer_norm_eps": 1e-3}
    tm = torch.nn.TransformerDecoderLayer(4, 2, **kw)
    mm = load(mg.nn.TransformerDecoderLayer(4, 2, **kw), tm)
    assert mm.norm1.bias is None and mm.linear1.bias is None and mm.self_attn.in_proj_bias is None
    causal = mg.nn.Transformer.generate_square_subsequent_mask(3, dtype=mg.float64).numpy()
    compare(mm, tm, [randn(3, 4), randn(5, 4)], tgt_mask=causal, tgt_is_causal=True,
            memory_mask=~np.tril(np.ones((3, 5), bool), 2), memory_is_causal=True)


def test_decoder_layer_parameters_and_defaults():
    tm = torch.nn.TransformerDecoderLayer(8, 2)
    mm = mg.nn.TransformerDecoderLayer(8, 2)
    assert [(n, tuple(p.shape)) for n, p in mm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert mm.linear1.out_features == 2048 and mm.dropout.p == 0.1 and not mm.norm_first
    assert mm.self_attn.batch_first is False and mm.norm1.eps == 1e-5
    assert mm.activation is mg.nn.functional.relu
    with pytest.raises(RuntimeError, match="relu/gelu"):
        mg.nn.TransformerDecoderLayer(8, 2, activation="tanh")
    with pytest.raises(AssertionError):
        mg.nn.TransformerDecoderLayer(8, 3)


def test_decoder_layer_dropout_only_in_training():
    mm = mg.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.5)
    t, m = mg.randn(3, 2, 8), mg.randn(4, 2, 8)
    assert not np.allclose(mm(t, m).detach().numpy(), mm(t, m).detach().numpy())
    mm.eval()
    np.testing.assert_array_equal(mm(t, m).detach().numpy(), mm(t, m).detach().numpy())


# ---- TransformerDecoder -------------------------------------------------------------------
@pytest.mark.parametrize("with_norm", [False, True])
def test_decoder_stack(with_norm):
    kw = {"dim_feedforward": 12, "dropout": 0.0}
    tl = torch.nn.TransformerDecoderLayer(8, 2, **kw)
    ml = mg.nn.TransformerDecoderLayer(8, 2, **kw)
    tm = torch.nn.TransformerDecoder(tl, 2, norm=torch.nn.LayerNorm(8) if with_norm else None)
    mm = load(mg.nn.TransformerDecoder(ml, 2, norm=mg.nn.LayerNorm(8) if with_norm else None),
              tm)
    assert mm.layers[0] is not mm.layers[1] and mm.num_layers == 2
    T, S, N = 4, 5, 2
    mk = masks(T, S, N)
    # tgt_is_causal=None: a float causal tgt_mask is detected as causal, as torch
    mk["tgt_mask"] = np.triu(np.full((T, T), -np.inf), 1)
    for train in (True, False):
        compare(mm, tm, [randn(T, N, 8), randn(S, N, 8)], train, **mk)
    compare(mm, tm, [randn(T, N, 8), randn(S, N, 8)], tgt_mask=mk["tgt_mask"],
            tgt_is_causal=True)


def test_decoder_errors():
    layer = mg.nn.TransformerDecoderLayer(8, 2)
    with pytest.raises(TypeError):
        mg.nn.TransformerDecoder("layer", 2)
    dec = mg.nn.TransformerDecoder(layer, 1)
    with pytest.raises(RuntimeError, match="is_causal"):    # torch: the hint needs a mask
        dec(mg.randn(3, 2, 8), mg.randn(4, 2, 8), tgt_is_causal=True)
    with pytest.raises(RuntimeError):                       # (torch: from its linear)
        dec(mg.randn(3, 2, 8), mg.randn(4, 2, 7))


# ---- Transformer --------------------------------------------------------------------------
@pytest.mark.parametrize("batch_first,norm_first", [(False, False), (True, True)])
def test_transformer(batch_first, norm_first):
    kw = {"dim_feedforward": 12, "dropout": 0.0, "batch_first": batch_first,
          "norm_first": norm_first, "activation": "gelu"}
    tm = torch.nn.Transformer(8, 2, 2, 1, **kw)
    mm = load(mg.nn.Transformer(8, 2, 2, 1, **kw), tm)
    assert [n for n, _ in mm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    S, T, N = 5, 4, 2
    shp = (lambda s: (N, s, 8)) if batch_first else (lambda s: (s, N, 8))
    skpm = np.zeros((N, S), bool)
    skpm[1, -2:] = True
    mk = masks(T, S, N)
    mk["tgt_mask"] = mg.nn.Transformer.generate_square_subsequent_mask(T).numpy()
    for train in (True, False):
        compare(mm, tm, [randn(*shp(S)), randn(*shp(T))], train, src_mask=randn(S, S),
                src_key_padding_mask=skpm, **mk)
    compare(mm, tm, [randn(S, 8), randn(T, 8)])                     # unbatched


def test_transformer_bias_false_and_custom_parts():
    tm = torch.nn.Transformer(4, 2, 1, 1, 8, dropout=0.0, bias=False)
    mm = load(mg.nn.Transformer(4, 2, 1, 1, 8, dropout=0.0, bias=False), tm)
    compare(mm, tm, [randn(3, 2, 4), randn(2, 2, 4)])
    enc = mg.nn.TransformerEncoder(mg.nn.TransformerEncoderLayer(4, 2, 8, 0.0), 1)
    dec = mg.nn.TransformerDecoder(mg.nn.TransformerDecoderLayer(4, 2, 8, 0.0), 1)
    m2 = mg.nn.Transformer(4, 2, custom_encoder=enc, custom_decoder=dec)
    assert m2.encoder is enc and m2.decoder is dec
    te = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(4, 2, 8, 0.0), 1,
                                     enable_nested_tensor=False)
    td = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(4, 2, 8, 0.0), 1)
    t2 = torch.nn.Transformer(4, 2, custom_encoder=te, custom_decoder=td)
    load(m2, t2)
    compare(m2, t2, [randn(3, 2, 4), randn(2, 2, 4)])


def test_transformer_defaults_init_and_errors():
    mm = mg.nn.Transformer(16, 2, 1, 1, 32)
    tm = torch.nn.Transformer(16, 2, 1, 1, 32)
    assert [(n, tuple(p.shape)) for n, p in mm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert mm.d_model == 16 and mm.nhead == 2 and mm.batch_first is False
    assert mm.encoder.norm is not None and mm.decoder.norm is not None
    for n, p in mm.named_parameters():          # xavier_uniform_ on every matrix, as torch
        if p.ndim > 1:
            bound = np.sqrt(6 / sum(p.shape))
            a = np.abs(p.detach().numpy())
            assert a.max() <= bound and a.max() > 0.7 * bound, n
    m = mg.nn.Transformer(4, 2, 1, 1, 8)
    with pytest.raises(RuntimeError, match="batch number"):
        m(mg.randn(3, 2, 4), mg.randn(3, 3, 4))
    with pytest.raises(RuntimeError, match="feature number"):
        m(mg.randn(3, 2, 4), mg.randn(3, 2, 5))


def test_generate_square_subsequent_mask():
    for sz in (0, 1, 4):
        for dt in ("float32", "float64"):
            mm = mg.nn.Transformer.generate_square_subsequent_mask(sz, dtype=getattr(mg, dt))
            tt = torch.nn.Transformer.generate_square_subsequent_mask(
                sz, dtype=getattr(torch, dt))
            assert str(mm.dtype) == dt and tuple(mm.shape) == (sz, sz)
            np.testing.assert_array_equal(mm.numpy(), tt.numpy())
    # dtype=None: the default dtype (float32 unless changed), as torch
    assert mg.nn.Transformer.generate_square_subsequent_mask(2).dtype == mg.get_default_dtype()


# ---- the encoder's options ----------------------------------------------------------------
@pytest.mark.parametrize("opts", [{"norm_first": True, "bias": False},
                                  {"activation": "callable"}, {"activation": "gelu_module"}])
def test_encoder_layer_options(opts):
    act = opts.get("activation")
    tk, mk = dict(opts), dict(opts)
    if act == "callable":
        tk["activation"] = mk["activation"] = lambda x: x * x.sigmoid()
    elif act == "gelu_module":
        tk["activation"], mk["activation"] = torch.nn.GELU(), mg.nn.GELU()
    tm = torch.nn.TransformerEncoderLayer(8, 2, 12, 0.0, **tk)
    mm = load(mg.nn.TransformerEncoderLayer(8, 2, 12, 0.0, **mk), tm)
    assert mm.activation_relu_or_gelu == tm.activation_relu_or_gelu
    kpm = np.zeros((3, 5), bool)
    kpm[2, 3:] = True
    for train in (True, False):
        compare(mm, tm, [randn(5, 3, 8)], train, src_mask=~np.tril(np.ones((5, 5), bool)),
                src_key_padding_mask=kpm)


def test_encoder_causal_detection_and_mask_check():
    tl = torch.nn.TransformerEncoderLayer(8, 2, 12, 0.0, batch_first=True)
    tm = torch.nn.TransformerEncoder(tl, 2, enable_nested_tensor=False, mask_check=False)
    mm = load(mg.nn.TransformerEncoder(mg.nn.TransformerEncoderLayer(
        8, 2, 12, 0.0, batch_first=True), 2, enable_nested_tensor=False, mask_check=False), tm)
    assert mm.mask_check is False and mm.enable_nested_tensor is False
    causal = ~np.tril(np.ones((4, 4), bool))
    for is_causal in (None, True):
        compare(mm, tm, [randn(2, 4, 8)], mask=causal, is_causal=is_causal)
    with pytest.raises(RuntimeError, match="is_causal"):
        mm(mg.randn(2, 4, 8), is_causal=True)
    # src_is_causal through nn.Transformer
    t2 = torch.nn.Transformer(8, 2, 1, 1, 12, dropout=0.0)
    m2 = load(mg.nn.Transformer(8, 2, 1, 1, 12, dropout=0.0), t2)
    compare(m2, t2, [randn(4, 2, 8), randn(3, 2, 8)], src_mask=causal, src_is_causal=True)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_repr_as_torch():
    for make in (lambda nn: nn.MultiheadAttention(4, 2, add_bias_kv=True, kdim=3),
                 lambda nn: nn.TransformerDecoderLayer(4, 2, 8, norm_first=True),
                 lambda nn: nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 2),
                 lambda nn: nn.Transformer(4, 2, 1, 1, 8, bias=False)):
        assert repr(make(mg.nn)) == repr(make(torch.nn))


def test_float32_modules_stay_float32():
    for make in (lambda nn: nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0),
                 lambda nn: nn.Transformer(4, 2, 1, 1, 8, dropout=0.0)):
        tm, mm = make(torch.nn).float(), make(mg.nn)
        mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
        a, b = randn(3, 2, 4).astype(np.float32), randn(5, 2, 4).astype(np.float32)
        out = mm(mg.tensor(a), mg.tensor(b))
        assert out.dtype == mg.float32
        np.testing.assert_allclose(out.detach().numpy(),
                                   tm(torch.tensor(a), torch.tensor(b)).detach().numpy(),
                                   rtol=1e-4, atol=1e-5)
