"""nn.RNNCell, nn.LSTMCell and nn.GRUCell against torch in float64 with torch's weights
(values, gradients wrt input, hx and every parameter, second derivatives), batched and
unbatched, with and without hx; float32; an empty batch; repr and init; forward mode and
vmap of the recurrent layers (torch's vmap has no rule for its fused RNN kernels: compared
with a loop over torch's)."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")
from module_check import check_module  # noqa: E402

IN, HID = 4, 5
CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}),
         ("GRUCell", {}), ("GRUCell", {"bias": False}), ("LSTMCell", {}),
         ("LSTMCell", {"bias": False})]


def make(kind, dtype="float64", **kw):
    t = getattr(torch.nn, kind)(IN, HID, dtype=getattr(torch, dtype), **kw)
    m = getattr(mg.nn, kind)(IN, HID, dtype=getattr(mg, dtype), **kw)
    m.load_state_dict(t.state_dict())
    return m, t


def flat(out):
    return list(out) if isinstance(out, tuple) else [out]


@pytest.mark.parametrize("kind,kw", CELLS)
@pytest.mark.parametrize("batch", [3, None, 0], ids=["batched", "unbatched", "empty"])
@pytest.mark.parametrize("hx", [True, False])
def test_cell_against_torch(kind, kw, batch, hx):
    rng = np.random.default_rng()
    m, t = make(kind, **kw)
    lead = () if batch is None else (batch,)
    arrays = [rng.standard_normal(lead + (IN,))]
    if hx:
        arrays += [rng.standard_normal(lead + (HID,)) for _ in range(2 if kind == "LSTMCell"
                                                                      else 1)]
    mx = [mg.tensor(a, requires_grad=True) for a in arrays]
    tx = [torch.tensor(a, requires_grad=True) for a in arrays]

    def call(mod, xs):
        h = None if not hx else (tuple(xs[1:]) if kind == "LSTMCell" else xs[1])
        return flat(mod(xs[0], h))
    ms, ts = call(m, mx), call(t, tx)
    for a, b in zip(ms, ts):
        assert tuple(a.shape) == tuple(b.shape)
        assert_close(a, b, 1e-10, 1e-12)
    ws = [rng.standard_normal(tuple(b.shape)) for b in ts]
    gm = mg.grad(ms, mx + list(m.parameters()), [mg.tensor(w) for w in ws])
    gt = torch.autograd.grad(ts, tx + list(t.parameters()), [torch.tensor(w) for w in ws])
    for a, b in zip(gm, gt):
        assert_close(a, b, 1e-10, 1e-12)


@pytest.mark.parametrize("kind,kw", CELLS)
def test_cell_module_check(kind, kw):
    """The shared harness (tests/module_check.py): outputs, input and parameter gradients."""
    x = np.random.default_rng().standard_normal((3, IN))
    check_module(getattr(mg.nn, kind)(IN, HID, **kw), getattr(torch.nn, kind)(IN, HID, **kw),
                 [x])


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_layer_module_check(kind):
    x = np.random.default_rng().standard_normal((5, 2, IN))
    check_module(getattr(mg.nn, kind)(IN, HID, num_layers=2, bidirectional=True),
                 getattr(torch.nn, kind)(IN, HID, num_layers=2, bidirectional=True), [x])


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cell_second_derivatives(kind):
    rng = np.random.default_rng()
    m, t = make(kind)
    x, h = rng.standard_normal((2, IN)), rng.standard_normal((2, HID))
    mx, tx = [mg.tensor(a, requires_grad=True) for a in (x, h)], \
        [torch.tensor(a, requires_grad=True) for a in (x, h)]
    mo = flat(m(mx[0], (mx[1], mx[1] * 0.5) if kind == "LSTMCell" else mx[1]))
    to = flat(t(tx[0], (tx[1], tx[1] * 0.5) if kind == "LSTMCell" else tx[1]))
    ws = [rng.standard_normal(tuple(b.shape)) for b in to]
    wrt_m, wrt_t = mx + list(m.parameters()), tx + list(t.parameters())
    gm = mg.grad(mo, wrt_m, [mg.tensor(w) for w in ws], create_graph=True)
    gt = torch.autograd.grad(to, wrt_t, [torch.tensor(w) for w in ws], create_graph=True)
    vs = [rng.standard_normal(tuple(g.shape)) for g in gt]
    hm = mg.grad([sum((g * mg.tensor(v)).sum() for g, v in zip(gm, vs))], wrt_m,
                 allow_unused=True)
    ht = torch.autograd.grad([sum((g * torch.tensor(v)).sum() for g, v in zip(gt, vs))],
                             wrt_t, allow_unused=True)
    for a, b in zip(hm, ht):
        if b is None:
            assert a is None or not np.any(a.numpy())
        else:
            assert_close(a, b, 1e-9, 1e-11)


@pytest.mark.parametrize("kind", ["RNNCell", "GRUCell", "LSTMCell"])
def test_cell_float32(kind):
    m, t = make(kind, dtype="float32")
    x = np.random.default_rng().standard_normal((6, IN)).astype(np.float32)
    for a, b in zip(flat(m(mg.tensor(x))), flat(t(torch.tensor(x)))):
        assert a.dtype == mg.float32
        assert_close(a, b, 1e-6, 1e-6)


@pytest.mark.parametrize("kind,kw", CELLS + [("RNNCell", {"bias": False,
                                                         "nonlinearity": "relu"})])
def test_cell_repr_parameters_and_init(kind, kw):
    m, t = make(kind, **kw)
    assert repr(m) == repr(t)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in t.named_parameters()]
    assert (m.bias_ih is None) == (t.bias_ih is None)
    fresh = getattr(mg.nn, kind)(IN, 64, **kw)
    values = np.concatenate([p.detach().numpy().ravel() for p in fresh.parameters()])
    assert np.all(np.abs(values) <= 1 / 8) and np.abs(values).max() > 0.95 / 8


def test_cell_zero_sizes_as_torch():
    for kind in ("RNNCell", "GRUCell", "LSTMCell"):
        for i, h in ((0, 3), (3, 0)):
            m, t = getattr(mg.nn, kind)(i, h), getattr(torch.nn, kind)(i, h)
            assert [tuple(p.shape) for p in m.parameters()] == \
                [tuple(p.shape) for p in t.parameters()]
            assert repr(m) == repr(t)


# ---- forward mode and vmap -------------------------------------------------------------------
@pytest.mark.parametrize("kind,kw", [("LSTM", dict(bidirectional=True, proj_size=2)),
                                     ("GRU", dict(num_layers=2)), ("RNN", {})])
def test_forward_mode_jvp_against_torch(kind, kw):
    rng = np.random.default_rng()
    t = getattr(torch.nn, kind)(IN, HID, dtype=torch.float64, **kw)
    m = getattr(mg.nn, kind)(IN, HID, dtype=mg.float64, **kw)
    m.load_state_dict(t.state_dict())
    x, v = rng.standard_normal((4, 2, IN)), rng.standard_normal((4, 2, IN))
    _, tt = torch.func.jvp(lambda a: t(a)[0], (torch.tensor(x),), (torch.tensor(v),))
    _, mt = mg.func.jvp(lambda a: m(a)[0], (mg.tensor(x),), (mg.tensor(v),))
    assert_close(mt, tt, 1e-9, 1e-11)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN", "LSTMCell", "GRUCell", "RNNCell"])
def test_vmap_over_unbatched_inputs(kind):
    """mg.func.vmap over unbatched inputs equals torch's module run on each sample (torch's
    own vmap has no batching rule for aten::lstm and friends)."""
    t = getattr(torch.nn, kind)(IN, HID, dtype=torch.float64)
    m = getattr(mg.nn, kind)(IN, HID, dtype=mg.float64)
    m.load_state_dict(t.state_dict())
    shape = (6, 3, IN) if "Cell" not in kind else (6, IN)
    xs = np.random.default_rng().standard_normal(shape)

    def first(out):
        return out[0] if isinstance(out, tuple) else out
    mv = mg.func.vmap(lambda a: first(m(a)))(mg.tensor(xs))
    tv = torch.stack([first(t(torch.tensor(a))) for a in xs])
    assert_close(mv, tv, 1e-10, 1e-12)
