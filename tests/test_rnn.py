"""nn.RNN, nn.LSTM and nn.GRU against torch in float64 with torch's weights: outputs, final
states, and gradients wrt the input, h_0/c_0 and every parameter for a random upstream
gradient, over layers, directions, batch_first, bias, proj_size, relu, unbatched inputs,
given/absent initial states and packed sequences (unsorted lengths); second derivatives,
float32, an empty batch, dropout, state_dict both ways, init, repr and all_weights.
Cells: tests/test_rnn_cells.py; bad arguments: tests/test_rnn_errors.py."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn.utils.rnn import pack_padded_sequence as mg_pack
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")
from torch.nn.utils.rnn import pack_padded_sequence as t_pack  # noqa: E402

IN, HID = 4, 5


def make(kind, dtype="float64", **kw):
    """(minigrad module, torch module) with torch's weights copied into minigrad's."""
    t = getattr(torch.nn, kind)(IN, HID, dtype=getattr(torch, dtype), **kw)
    m = getattr(mg.nn, kind)(IN, HID, dtype=getattr(mg, dtype), **kw)
    m.load_state_dict(t.state_dict())
    return m, t


def states_of(kind, out):
    """The tensors of a forward's result as a flat list: output, h_n (, c_n)."""
    o, h = out
    o = o.data if hasattr(o, "batch_sizes") else o
    return [o, *h] if kind == "LSTM" else [o, h]


def compare(kind, kw, x_shape, h0=True, lengths=None, rng=None, tol=(1e-9, 1e-11)):
    """Forward and backward through both with the same numbers; every value and gradient."""
    rng = rng or np.random.default_rng()
    m, t = make(kind, **kw)
    D = 2 if kw.get("bidirectional") else 1
    L = kw.get("num_layers", 1)
    batched = len(x_shape) == 3
    N = (x_shape[0] if kw.get("batch_first") else x_shape[1]) if batched else None
    lead = (L * D,) + ((N,) if batched else ())
    real = kw.get("proj_size") or HID
    arrays = [rng.standard_normal(x_shape)]
    if h0:
        arrays.append(rng.standard_normal(lead + (real,)))
        if kind == "LSTM":
            arrays.append(rng.standard_normal(lead + (HID,)))
    mx = [mg.tensor(a, requires_grad=True) for a in arrays]
    tx = [torch.tensor(a, requires_grad=True) for a in arrays]

    def run(lib_pack, mod, xs):
        inp = xs[0]
        if lengths is not None:
            inp = lib_pack(inp, lengths, batch_first=kw.get("batch_first", False),
                           enforce_sorted=False)
        hx = None if not h0 else (tuple(xs[1:]) if kind == "LSTM" else xs[1])
        return mod(inp, hx)
    mout, tout = run(mg_pack, m, mx), run(t_pack, t, tx)
    if lengths is not None:
        assert np.array_equal(mout[0].batch_sizes.numpy(), tout[0].batch_sizes.numpy())
    ms, ts = states_of(kind, mout), states_of(kind, tout)
    for a, b in zip(ms, ts):
        assert tuple(a.shape) == tuple(b.shape)
        assert_close(a, b, *tol, "forward: ")
    ws = [rng.standard_normal(tuple(b.shape)) for b in ts]
    names = [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_parameters()] == names
    wrt_m = mx + [p for _, p in m.named_parameters()]
    wrt_t = tx + [p for _, p in t.named_parameters()]
    gm = mg.grad(ms, wrt_m, [mg.tensor(w) for w in ws])
    gt = torch.autograd.grad(ts, wrt_t, [torch.tensor(w) for w in ws])
    for what, a, b in zip(["input", "h0", "c0"][:len(mx)] + names, gm, gt):
        assert_close(a, b, *tol, f"grad of {what}: ")
    return m, t


KINDS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {}),
         ("LSTM", {"proj_size": 3})]
OPTIONS = [dict(num_layers=nl, bidirectional=bi, batch_first=bf, bias=b)
           for nl, bi, bf, b in itertools.product((1, 2), (False, True), (False, True),
                                                  (True, False))]


@pytest.mark.parametrize("kind,base", KINDS)
@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in
                                                                 o.items()))
def test_padded_against_torch(kind, base, opts):
    shape = (3, 6, IN) if opts["batch_first"] else (6, 3, IN)
    compare(kind, {**base, **opts}, shape, h0=opts["bias"])     # with and without h0


@pytest.mark.parametrize("kind,base", KINDS)
@pytest.mark.parametrize("opts", [dict(num_layers=2, bidirectional=True),
                                  dict(batch_first=True), dict(bias=False, bidirectional=True)])
@pytest.mark.parametrize("h0", [True, False])
def test_unbatched_against_torch(kind, base, opts, h0):
    compare(kind, {**base, **opts}, (6, IN), h0=h0)


@pytest.mark.parametrize("kind,base", KINDS)
@pytest.mark.parametrize("opts", [dict(), dict(num_layers=2, bidirectional=True),
                                  dict(batch_first=True, bidirectional=True)])
@pytest.mark.parametrize("h0", [True, False])
def test_packed_unsorted_lengths_against_torch(kind, base, opts, h0):
    # lengths unsorted (enforce_sorted=False), with ties, one of full length and one of 1
    lengths = [3, 7, 1, 3, 5]
    shape = (5, 7, IN) if opts.get("batch_first") else (7, 5, IN)
    compare(kind, {**base, **opts}, shape, h0=h0, lengths=lengths)


def test_packed_sorted_and_single_sequence():
    compare("LSTM", dict(bidirectional=True), (4, 3, IN), lengths=[4, 2, 2])
    compare("GRU", dict(num_layers=2), (4, 1, IN), lengths=[4])


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_packed_output_pads_like_torch(kind):
    from minigrad.nn.utils.rnn import pad_packed_sequence as mg_pad
    from torch.nn.utils.rnn import pad_packed_sequence as t_pad
    m, t = make(kind, bidirectional=True)
    x = np.random.default_rng().standard_normal((6, 4, IN))
    mo, _ = m(mg_pack(mg.tensor(x), [2, 6, 3, 1], enforce_sorted=False))
    to, _ = t(t_pack(torch.tensor(x), [2, 6, 3, 1], enforce_sorted=False))
    assert np.array_equal(mo.sorted_indices.numpy(), to.sorted_indices.numpy())
    assert np.array_equal(mo.unsorted_indices.numpy(), to.unsorted_indices.numpy())
    (mp, ml), (tp, tl) = mg_pad(mo), t_pad(to)
    assert_close(mp, tp, 1e-9, 1e-11)
    assert np.array_equal(ml.numpy(), tl.numpy())


@pytest.mark.parametrize("kind,kw", [("RNN", {}), ("GRU", dict(bidirectional=True)),
                                     ("LSTM", dict(num_layers=2, proj_size=2))])
def test_second_derivatives_against_torch(kind, kw):
    rng = np.random.default_rng()
    m, t = make(kind, **kw)
    x = rng.standard_normal((3, 2, IN))
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mo, to = m(mx)[0], t(tx)[0]
    w = rng.standard_normal(tuple(to.shape))
    mp, tp = list(m.parameters()), list(t.parameters())
    gm = mg.grad([mo], [mx] + mp, [mg.tensor(w)], create_graph=True)
    gt = torch.autograd.grad([to], [tx] + tp, [torch.tensor(w)], create_graph=True)
    vs = [rng.standard_normal(tuple(g.shape)) for g in gt]
    sm = sum((g * mg.tensor(v)).sum() for g, v in zip(gm, vs))
    st = sum((g * torch.tensor(v)).sum() for g, v in zip(gt, vs))
    hm = mg.grad([sm], [mx] + mp, allow_unused=True)
    ht = torch.autograd.grad([st], [tx] + tp, allow_unused=True)
    for a, b in zip(hm, ht):
        if b is None:
            assert a is None or not np.any(a.numpy())
        else:
            assert_close(a, b, 1e-8, 1e-10, "second derivative: ")


@pytest.mark.parametrize("kind,kw", [("RNN", {}), ("GRU", dict(bidirectional=True)),
                                     ("LSTM", dict(num_layers=2, proj_size=3))])
def test_float32_to_float32_rounding(kind, kw):
    rng = np.random.default_rng()
    m, t = make(kind, dtype="float32", **kw)
    x = rng.standard_normal((8, 3, IN)).astype(np.float32)
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ms, ts = states_of(kind, m(mx)), states_of(kind, t(tx))
    for a, b in zip(ms, ts):
        assert a.dtype == mg.float32
        assert_close(a, b, 1e-5, 1e-6, "float32 forward: ")
    ws = [rng.standard_normal(tuple(b.shape)).astype(np.float32) for b in ts]
    gm = mg.grad(ms, [mx] + list(m.parameters()), [mg.tensor(w) for w in ws])
    gt = torch.autograd.grad(ts, [tx] + list(t.parameters()), [torch.tensor(w) for w in ws])
    for a, b in zip(gm, gt):
        assert a.dtype == mg.float32
        assert_close(a, b, 1e-4, 1e-5, "float32 grad: ")


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_empty_batch_as_torch(kind):
    m, t = make(kind, num_layers=2, bidirectional=True)
    for shape, bf in (((5, 0, IN), False), ((0, 5, IN), True)):
        m.batch_first = t.batch_first = bf
        ms = states_of(kind, m(mg.zeros(*shape, dtype=mg.float64)))
        ts = states_of(kind, t(torch.zeros(*shape, dtype=torch.float64)))
        assert [tuple(a.shape) for a in ms] == [tuple(b.shape) for b in ts]
        # a sequence of length 0: torch refuses it
        empty = (0, 2, IN) if not bf else (2, 0, IN)
        with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0"):
            t(torch.zeros(*empty, dtype=torch.float64))
        with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0"):
            m(mg.zeros(*empty, dtype=mg.float64))


# ---- dropout ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_dropout_eval_mode_matches_torch(kind):
    m, t = make(kind, num_layers=3, dropout=0.5, bidirectional=True)
    m.eval(), t.eval()
    x = np.random.default_rng().standard_normal((5, 2, IN))
    for a, b in zip(states_of(kind, m(mg.tensor(x))), states_of(kind, t(torch.tensor(x)))):
        assert_close(a, b, 1e-9, 1e-11)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_dropout_one_zeroes_the_input_of_later_layers(kind):
    """With p=1 every layer after the first sees zeros, in both frameworks (training mode)."""
    m, t = make(kind, num_layers=2, dropout=1.0)
    x = np.random.default_rng().standard_normal((5, 2, IN))
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ms, ts = states_of(kind, m(mx)), states_of(kind, t(tx))
    for a, b in zip(ms, ts):
        assert_close(a, b, 1e-9, 1e-11)
    # the output does not depend on the input at all (only the first layer's states do)
    g = mg.grad([ms[0].sum()], [mx])[0]
    assert not np.any(g.numpy())
    # and equals a single second layer run on zeros
    one = getattr(mg.nn, kind)(HID, HID, dtype=mg.float64)
    one.load_state_dict({k.replace("l1", "l0"): v for k, v in m.state_dict().items()
                         if "l1" in k})
    assert_close(one(mg.zeros(5, 2, HID, dtype=mg.float64))[0], ms[0], 1e-12, 1e-14)


def test_dropout_training_is_random_and_seeded():
    m, _ = make("LSTM", num_layers=2, dropout=0.5)
    x = mg.tensor(np.random.default_rng().standard_normal((5, 3, IN)))
    mg.manual_seed(7)
    a = m(x)[0]
    mg.manual_seed(7)
    b = m(x)[0]
    c = m(x)[0]
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(b.detach().numpy(), c.detach().numpy())
    m.eval()
    assert not np.allclose(m(x)[0].detach().numpy(), a.detach().numpy())
    # the first layer's final state never sees dropout
    h_eval = m(x)[1][0][0]
    m.train()
    assert_close(m(x)[1][0][0], h_eval, 0, 0)


def test_dropout_warning_and_range():
    for lib in (torch, mg):
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater "
                                             "than 1, but got dropout=0.5 and num_layers=1"):
            lib.nn.LSTM(3, 4, dropout=0.5)
        for bad in (1.5, -0.1, True, "0.5", float("nan")):
            with pytest.raises(ValueError, match=r"dropout should be a number in range \[0, 1\]"):
                lib.nn.GRU(3, 4, num_layers=2, dropout=bad)


# ---- the module's surface -----------------------------------------------------------------
CONFIGS = [("RNN", {}), ("RNN", dict(nonlinearity="relu", num_layers=3, bias=False)),
           ("GRU", dict(batch_first=True, dropout=0.25, num_layers=2)),
           ("LSTM", dict(bidirectional=True, proj_size=2, num_layers=2)),
           ("LSTM", dict(num_layers=3, bias=False, batch_first=True, dropout=0.5,
                         bidirectional=True, proj_size=1))]


@pytest.mark.parametrize("kind,kw", CONFIGS)
def test_parameters_repr_and_all_weights_as_torch(kind, kw):
    m, t = make(kind, **kw)
    assert repr(m) == repr(t)
    assert [(n, tuple(p.shape)) for n, p in m.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in t.named_parameters()]
    assert [[tuple(p.shape) for p in ws] for ws in m.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in t.all_weights]
    assert m._flat_weights_names == t._flat_weights_names
    assert all(a is b for a, b in zip(m._flat_weights, m.parameters()))
    assert m.flatten_parameters() is None
    for attr in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                 "dropout", "bidirectional", "proj_size"):
        assert getattr(m, attr) == getattr(t, attr), attr


@pytest.mark.parametrize("kind,kw", CONFIGS)
def test_state_dict_round_trip_with_torch(kind, kw):
    m, t = make(kind, **kw)
    m.eval(), t.eval()
    mg.nn.init.uniform_(next(iter(m.parameters())), -1, 1)     # ours now differs from t
    t2 = getattr(torch.nn, kind)(IN, HID, dtype=torch.float64, **kw).eval()
    t2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})
    x = np.random.default_rng().standard_normal((3, 4, IN))
    for a, b in zip(states_of(kind, m(mg.tensor(x))), states_of(kind, t2(torch.tensor(x)))):
        assert_close(a, b, 1e-9, 1e-11)
    assert list(m.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_init_is_uniform_in_torchs_bounds(kind):
    m = getattr(mg.nn, kind)(10, 16, num_layers=2, bidirectional=True)
    bound = 1 / np.sqrt(16)
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert values.dtype == np.float32
    assert np.all(np.abs(values) <= bound) and np.abs(values).max() > 0.95 * bound
    assert abs(values.mean()) < 0.1 * bound         # a symmetric distribution
    assert abs(values.std() - bound / np.sqrt(3)) < 0.1 * bound


def test_assigning_a_weight_is_used_by_forward():
    m, t = make("GRU")
    new = np.random.default_rng().standard_normal((3 * HID, HID))
    m.weight_hh_l0 = mg.nn.Parameter(mg.tensor(new))
    t.weight_hh_l0 = torch.nn.Parameter(torch.tensor(new))
    x = np.random.default_rng().standard_normal((3, 2, IN))
    assert_close(m(mg.tensor(x))[0], t(torch.tensor(x))[0], 1e-9, 1e-11)
    assert m.all_weights[0][1] is m.weight_hh_l0


def test_module_to_dtype_keeps_working():
    m, t = make("LSTM", dtype="float32", bidirectional=True)
    m.double(), t.double()
    x = np.random.default_rng().standard_normal((3, 2, IN))
    for a, b in zip(states_of("LSTM", m(mg.tensor(x))), states_of("LSTM", t(torch.tensor(x)))):
        assert a.dtype == mg.float64
        assert_close(a, b, 1e-9, 1e-11)


def test_docs_example_runs():
    """docs/rnn.md: its python block runs (and asserts torch's numbers)."""
    import contextlib
    import io
    import pathlib
    import re
    text = (pathlib.Path(__file__).resolve().parent.parent / "docs" / "rnn.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
    assert blocks
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, "docs/rnn.md", "exec"), {"__name__": "rnn_docs"})
    assert out.getvalue().startswith("LSTM(4, 8, proj_size=3, num_layers=2, bidirectional=True)")


def test_float16_runs_in_float16():
    m, t = make("GRU", dtype="float16")
    x = np.random.default_rng().standard_normal((4, 2, IN)).astype(np.float16)
    mo, mh = m(mg.tensor(x))
    to, th = t(torch.tensor(x))
    assert mo.dtype == mg.float16 and mh.dtype == mg.float16
    assert_close(mo, to.float(), 2e-2, 2e-2)
