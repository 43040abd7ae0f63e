"""nn.TransformerEncoderLayer / TransformerEncoder against torch (float64, torch's weights)."""
import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad.testing import assert_close

RTOL, ATOL = 1e-9, 1e-10


def randn(*shape):
    return np.random.default_rng().standard_normal(shape)


def load(mm, tm):
    for p in tm.parameters():                 # perturb LayerNorm and biases away from 1 / 0
        with torch.no_grad():
            p.add_(0.1 * torch.randn_like(p))
    mm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    return mm


def compare(tm, mm, x, **kw):
    tm.train()      # torch's eval fast path is not modelled; dropout=0 makes train deterministic
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mo = mm(mx, **{k: mg.tensor(v) for k, v in kw.items()})
    to = tm(tx, **{k: torch.tensor(v) for k, v in kw.items()})
    assert_close(mo, to.detach(), RTOL, ATOL, "output: ")
    w = randn(*to.shape)
    (mo * mg.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    assert_close(mx.grad, tx.grad, RTOL, ATOL, "grad of src: ")
    tparams = dict(tm.named_parameters())
    names = [n for n, _ in mm.named_parameters()]
    assert names == list(tparams)
    for name, p in mm.named_parameters():
        assert_close(p.grad, tparams[name].grad, RTOL, ATOL, f"grad of {name}: ")


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer(norm_first, activation):
    kw = {"dim_feedforward": 16, "dropout": 0.0, "activation": activation,
          "norm_first": norm_first, "batch_first": True}
    tm = torch.nn.TransformerEncoderLayer(8, 2, **kw)
    mm = load(mg.nn.TransformerEncoderLayer(8, 2, dtype=mg.float64, **kw), tm)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    compare(tm, mm, randn(3, 5, 8), src_key_padding_mask=kpm)


def test_encoder_layer_seq_first_with_causal_mask():
    kw = {"dim_feedforward": 12, "dropout": 0.0, "layer_norm_eps": 1e-6}
    tm = torch.nn.TransformerEncoderLayer(8, 4, **kw)
    mm = load(mg.nn.TransformerEncoderLayer(8, 4, dtype=mg.float64, **kw), tm)
    mask = ~np.tril(np.ones((5, 5), bool))
    compare(tm, mm, randn(5, 2, 8), src_mask=mask)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_stack_with_final_norm(norm_first):
    kw = {"dim_feedforward": 16, "dropout": 0.0, "norm_first": norm_first}
    tl = torch.nn.TransformerEncoderLayer(8, 2, **kw)
    tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8),
                                     enable_nested_tensor=False)
    ml = mg.nn.TransformerEncoderLayer(8, 2, dtype=mg.float64, **kw)
    mm = load(mg.nn.TransformerEncoder(ml, 2, norm=mg.nn.LayerNorm(8, dtype=mg.float64)), tm)
    mask = randn(4, 4)
    compare(tm, mm, randn(4, 3, 8), mask=mask)


def test_layers_are_independent_copies():
    layer = mg.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    enc = mg.nn.TransformerEncoder(layer, 3)
    ws = [m.linear1.weight for m in enc.layers]
    assert len({id(w) for w in ws}) == 3 and all(w is not layer.linear1.weight for w in ws)


def test_dropout_active_only_in_train():
    m = mg.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.5)
    x = mg.randn(4, 2, 8)
    m.eval()
    np.testing.assert_array_equal(m(x).detach().numpy(), m(x).detach().numpy())
    m.train()
    assert not np.allclose(m(x).detach().numpy(), m(x).detach().numpy())


def test_bad_activation():
    with pytest.raises(RuntimeError, match="relu/gelu"):
        mg.nn.TransformerEncoderLayer(8, 2, activation="tanh")
