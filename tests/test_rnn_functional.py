"""mg.rnn_tanh, mg.rnn_relu, mg.lstm and mg.gru (torch's full-sequence ATen forms, padded and
packed overloads) against torch in float64 on fresh random weights: outputs, final states and
gradients wrt input, hx and every parameter for one or more layers, both directions,
batch_first, no biases and LSTM projections; second derivatives; float32 and float16; empty
batches and non-contiguous inputs; dropout that is deterministic (p = 0, p = 1, one layer);
keyword calls; agreement with nn.LSTM/GRU; and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import assert_close, gradcheck

torch = pytest.importorskip("torch")

GATES = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}
T, N, IN, H = 4, 3, 5, 4


def params(rng, fn, layers=1, dirs=1, bias=True, proj=0, inp=IN, hid=H):
    g, r, out = GATES[fn] * hid, proj or hid, []
    for layer in range(layers):
        for _ in range(dirs):
            out += [rng.standard_normal((g, inp if layer == 0 else r * dirs)) / 2,
                    rng.standard_normal((g, r)) / 2]
            if bias:
                out += [rng.standard_normal(g) / 2, rng.standard_normal(g) / 2]
            if proj:
                out += [rng.standard_normal((proj, hid)) / 2]
    return out


def states(rng, fn, layers, dirs, batch, proj=0):
    h = [rng.standard_normal((layers * dirs, batch, proj or H))]
    return h + [rng.standard_normal((layers * dirs, batch, H))] if fn == "lstm" else h


def run(lib, fn, arrays, n_states, *rest, dtype="float64", batch_sizes=None):
    """lib.<fn> on tensors made from arrays = [input, *states, *params]."""
    ts = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=dtype != "float16")
          for a in arrays]
    hx = ts[1:1 + n_states]
    hx = list(hx) if fn == "lstm" else hx[0]
    head = (ts[0],) if batch_sizes is None else (ts[0], lib.tensor(batch_sizes))
    return ts, getattr(lib, fn)(*head, hx, ts[1 + n_states:], *rest)


def compare(fn, arrays, n_states, rest, batch_sizes=None, rtol=1e-10, atol=1e-12):
    rng = np.random.default_rng()
    mx, mo = run(mg, fn, arrays, n_states, *rest, batch_sizes=batch_sizes)
    tx, to = run(torch, fn, arrays, n_states, *rest, batch_sizes=batch_sizes)
    assert len(mo) == len(to)
    for a, b in zip(mo, to):
        assert tuple(a.shape) == tuple(b.shape) and a.dtype == mg.float64
        assert_close(a, b.detach(), rtol, atol)
    ws = [rng.standard_normal(tuple(b.shape)) for b in to]
    gm = mg.grad(list(mo), mx, [mg.tensor(w) for w in ws], allow_unused=True)
    gt = torch.autograd.grad(list(to), tx, [torch.tensor(w) for w in ws], allow_unused=True)
    for a, b in zip(gm, gt):
        if b is None:
            assert a is None or not np.any(a.numpy())
        else:
            assert_close(a, b, rtol, atol)


CONFIGS = [(1, 1, True, False, 0), (2, 2, True, True, 0), (3, 1, False, False, 0),
           (2, 2, False, True, 0), (1, 2, True, False, 2), (2, 1, True, True, 3)]


@pytest.mark.parametrize("fn", list(GATES))
@pytest.mark.parametrize("layers,dirs,bias,batch_first,proj", CONFIGS)
def test_padded_against_torch(fn, layers, dirs, bias, batch_first, proj):
    if proj and fn != "lstm":
        pytest.skip("projections are an LSTM feature")
    rng = np.random.default_rng()
    x = rng.standard_normal((N, T, IN) if batch_first else (T, N, IN))
    hs = states(rng, fn, layers, dirs, N, proj)
    compare(fn, [x, *hs, *params(rng, fn, layers, dirs, bias, proj)], len(hs),
            (bias, layers, 0.0, False, dirs == 2, batch_first))


@pytest.mark.parametrize("fn", list(GATES))
@pytest.mark.parametrize("layers,dirs,bias,proj", [(1, 1, True, 0), (2, 2, True, 0),
                                                   (2, 2, False, 2)])
def test_packed_against_torch(fn, layers, dirs, bias, proj):
    if proj and fn != "lstm":
        pytest.skip("projections are an LSTM feature")
    rng = np.random.default_rng()
    sizes = [4, 3, 3, 1, 1]
    hs = states(rng, fn, layers, dirs, sizes[0], proj)
    compare(fn, [rng.standard_normal((sum(sizes), IN)), *hs,
                 *params(rng, fn, layers, dirs, bias, proj)], len(hs),
            (bias, layers, 0.0, False, dirs == 2), batch_sizes=sizes)


@pytest.mark.parametrize("fn", list(GATES))
def test_packed_matches_padded_when_lengths_are_equal(fn):
    # every sequence has length T: the packed data is the padded input reshaped
    rng = np.random.default_rng()
    x, hs, ps = rng.standard_normal((T, N, IN)), states(rng, fn, 2, 2, N), params(rng, fn, 2, 2)
    _, pad = run(mg, fn, [x, *hs, *ps], len(hs), True, 2, 0.0, False, True, False)
    _, pk = run(mg, fn, [x.reshape(T * N, IN), *hs, *ps], len(hs), True, 2, 0.0, False, True,
                batch_sizes=[N] * T)
    assert_close(pk[0], pad[0].reshape(T * N, -1), 1e-12, 1e-12)
    for a, b in zip(pk[1:], pad[1:]):
        assert_close(a, b, 1e-12, 1e-12)


@pytest.mark.parametrize("fn", ["gru", "lstm", "rnn_tanh"])
def test_second_derivatives_against_torch(fn):
    rng = np.random.default_rng()
    hs = states(rng, fn, 2, 2, 2)
    arrays = [rng.standard_normal((3, 2, IN)), *hs, *params(rng, fn, 2, 2)]
    grads = []
    for lib in (mg, torch):
        ts, out = run(lib, fn, arrays, len(hs), True, 2, 0.0, False, True, False)
        loss = sum((o * o.tanh()).sum() for o in out)
        g = (mg.grad if lib is mg else torch.autograd.grad)(loss, ts[:2], create_graph=True)
        gg = (mg.grad if lib is mg else torch.autograd.grad)((g[0] ** 2).sum() + g[1].sum(),
                                                              ts)
        grads.append(list(gg))
    for a, b in zip(*grads):
        assert_close(a, b, 1e-9, 1e-11)


def test_gradcheck_lstm_projection():
    rng = np.random.default_rng()
    ps = [mg.tensor(p, requires_grad=True) for p in params(rng, "lstm", 1, 2, True, 2, 3, 3)]
    x, h, c = (mg.tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((2, 2, 3), (2, 2, 2), (2, 2, 3)))

    def f(x, h, c, *ps):
        return mg.lstm(x, (h, c), ps, True, 1, 0.0, False, True, False)
    assert gradcheck(f, (x, h, c, *ps))


@pytest.mark.parametrize("dtype,tol", [("float32", 1e-5), ("float16", 1e-2)])
@pytest.mark.parametrize("fn", list(GATES))
def test_lower_precision(fn, dtype, tol):
    rng = np.random.default_rng()
    hs = states(rng, fn, 2, 2, N)
    arrays = [rng.standard_normal((T, N, IN)), *hs, *params(rng, fn, 2, 2)]
    _, mo = run(mg, fn, arrays, len(hs), True, 2, 0.0, False, True, False, dtype=dtype)
    _, to = run(torch, fn, arrays, len(hs), True, 2, 0.0, False, True, False, dtype=dtype)
    for a, b in zip(mo, to):
        assert a.dtype == getattr(mg, dtype)
        assert_close(a.float(), b.detach().float(), tol, tol)


@pytest.mark.parametrize("fn", list(GATES))
def test_empty_batch_and_noncontiguous(fn):
    rng = np.random.default_rng()
    hs = states(rng, fn, 2, 1, 0)
    compare(fn, [rng.standard_normal((T, 0, IN)), *hs, *params(rng, fn, 2)], len(hs),
            (True, 2, 0.0, False, False, False))
    # every input, state and weight a transposed view
    hs = states(rng, fn, 2, 1, N)
    arrays = [rng.standard_normal((T, N, IN)), *hs, *params(rng, fn, 2)]
    outs = []
    for lib in (mg, torch):
        ts = [lib.tensor(np.ascontiguousarray(np.swapaxes(a, 0, -1))).transpose(0, -1)
              for a in arrays]
        assert not ts[0].is_contiguous()
        hx = ts[1:1 + len(hs)]
        outs.append(getattr(lib, fn)(ts[0], list(hx) if fn == "lstm" else hx[0],
                                     ts[1 + len(hs):], True, 2, 0.0, False, False, False))
    for a, b in zip(*outs):
        assert_close(a, b, 1e-10, 1e-12)


@pytest.mark.parametrize("fn", list(GATES))
def test_deterministic_dropout(fn):
    # p = 1 between layers zeroes the second layer's input; one layer never drops
    rng = np.random.default_rng()
    for layers, p in ((2, 1.0), (1, 0.7), (2, 0.0)):
        hs = states(rng, fn, layers, 2, N)
        arrays = [rng.standard_normal((T, N, IN)), *hs, *params(rng, fn, layers, 2)]
        _, mo = run(mg, fn, arrays, len(hs), True, layers, p, True, True, False)
        _, to = run(torch, fn, arrays, len(hs), True, layers, p, True, True, False)
        for a, b in zip(mo, to):
            assert_close(a, b.detach(), 1e-10, 1e-12)


def test_keywords_and_agreement_with_nn_modules():
    rng = np.random.default_rng()
    x = mg.tensor(rng.standard_normal((N, T, IN)))
    m = mg.nn.LSTM(IN, H, 2, batch_first=True, bidirectional=True, proj_size=2).double()
    h0, c0 = mg.tensor(rng.standard_normal((4, N, 2))), mg.tensor(rng.standard_normal((4, N, H)))
    out, (h, c) = m(x, (h0, c0))
    res = mg.lstm(input=x, hx=(h0, c0), params=m._flat_weights, has_biases=True, num_layers=2,
                  dropout=0.0, train=False, bidirectional=True, batch_first=True)
    for a, b in zip(res, (out, h, c)):
        assert_close(a, b, 1e-13, 1e-13)
    g = mg.nn.GRU(IN, H).double()
    packed = mg.nn.utils.rnn.pack_sequence([x[0], x[1, :2]])
    h0 = mg.tensor(rng.standard_normal((1, 2, H)))
    out, h = g(packed, h0)
    res = mg.gru(data=packed.data, batch_sizes=packed.batch_sizes, hx=h0,
                 params=list(g.parameters()), has_biases=True, num_layers=1, dropout=0.0,
                 train=False, bidirectional=False)
    assert_close(res[0], out.data, 1e-13, 1e-13)
    assert_close(res[1], h, 1e-13, 1e-13)
