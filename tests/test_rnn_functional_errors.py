"""The errors of mg.rnn_tanh, mg.rnn_relu, mg.lstm and mg.gru: the exception type and a message
that names the function and the bad argument. Where torch raises cleanly the type is compared
with torch's; the cases where torch's kernels read out of bounds or crash (bad batch_sizes)
run on minigrad only."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

T, N, IN, H = 3, 2, 4, 5


def make(lib, fn="gru", layers=1, dirs=1, bias=True, proj=0, dtype="float64"):
    rng = np.random.default_rng(0)
    g, r = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}[fn] * H, proj or H
    d = getattr(lib, dtype)
    ps = []
    for layer in range(layers):
        for _ in range(dirs):
            ps += [rng.standard_normal((g, IN if layer == 0 else r * dirs)),
                   rng.standard_normal((g, r))]
            ps += [rng.standard_normal(g), rng.standard_normal(g)] if bias else []
            ps += [rng.standard_normal((proj, H))] if proj else []
    x = lib.tensor(rng.standard_normal((T, N, IN)), dtype=d)
    h = lib.tensor(rng.standard_normal((layers * dirs, N, r)), dtype=d)
    c = lib.tensor(rng.standard_normal((layers * dirs, N, H)), dtype=d)
    return x, ([h, c] if fn == "lstm" else h), [lib.tensor(p, dtype=d) for p in ps]


def std(x, h, ps, **kw):
    a = dict(has_biases=True, num_layers=1, dropout=0.0, train=False, bidirectional=False,
             batch_first=False)
    a.update(kw)
    return (x, h, ps, *a.values())


# (label, fn, build(lib) -> args, exception type, message fragment, compare type with torch)
def _x(lib, **kw):
    return make(lib, **kw)


CASES = [
    ("too few params", "gru", lambda L: std(*_x(L)[:2], _x(L)[2][:3]), RuntimeError,
     "incorrect number of RNN parameters", True),
    ("params without biases", "gru", lambda L: std(*_x(L)[:2], _x(L, bias=False)[2]),
     RuntimeError, "incorrect number of RNN parameters", True),
    ("two layers of params", "rnn_tanh", lambda L: std(*_x(L, fn="rnn_tanh")[:2],
                                                      _x(L, fn="rnn_tanh", layers=2)[2]),
     RuntimeError, "incorrect number of RNN parameters", True),
    ("bidirectional, one direction", "gru", lambda L: std(*_x(L), bidirectional=True),
     RuntimeError, "incorrect number of RNN parameters", True),
    ("lstm params with a projection", "lstm", lambda L: std(*_x(L, fn="lstm")[:2],
                                                           _x(L, fn="lstm", proj=2)[2]),
     RuntimeError, "incorrect number of RNN parameters", True),
    ("lstm one state", "lstm", lambda L: std(_x(L, fn="lstm")[0], _x(L, fn="lstm")[1][:1],
                                             _x(L, fn="lstm")[2]),
     RuntimeError, "two hidden states", True),
    ("lstm hx a Tensor", "lstm", lambda L: std(_x(L, fn="lstm")[0], _x(L, fn="lstm")[1][0],
                                               _x(L, fn="lstm")[2]), TypeError, "hx", True),
    ("hx None", "gru", lambda L: std(_x(L)[0], None, _x(L)[2]), TypeError, "hx", True),
    ("params a Tensor", "gru", lambda L: std(_x(L)[0], _x(L)[1], _x(L)[2][0]), TypeError,
     "params", True),
    ("a param None", "gru", lambda L: std(*_x(L)[:2], _x(L)[2][:3] + [None]), TypeError,
     "params", True),
    ("has_biases int", "gru", lambda L: std(*_x(L), has_biases=1), TypeError, "has_biases",
     True),
    ("num_layers float", "gru", lambda L: std(*_x(L), num_layers=1.0), TypeError,
     "num_layers", True),
    ("dropout str", "gru", lambda L: std(*_x(L), dropout="0"), TypeError, "dropout", True),
    ("train int", "gru", lambda L: std(*_x(L), train=1), TypeError, "train", True),
    ("batch_first None", "gru", lambda L: std(*_x(L), batch_first=None), TypeError,
     "batch_first", True),
    ("eight arguments", "gru", lambda L: std(*_x(L))[:8], TypeError, "invalid combination",
     True),
    ("dropout 1.5 between layers", "gru",
     lambda L: std(*_x(L, layers=2), num_layers=2, dropout=1.5, train=True), RuntimeError,
     "dropout probability has to be between 0 and 1", True),
    ("hidden size", "gru", lambda L: std(_x(L)[0], _x(L)[1][..., :3], _x(L)[2]),
     RuntimeError, "has shape", True),
    ("hidden batch", "rnn_relu", lambda L: std(_x(L, fn="rnn_relu")[0],
                                               _x(L, fn="rnn_relu")[1][:, :1],
                                               _x(L, fn="rnn_relu")[2]),
     RuntimeError, "Expected hidden size", True),
    ("lstm cell batch", "lstm", lambda L: std(_x(L, fn="lstm")[0],
                                              [_x(L, fn="lstm")[1][0],
                                               _x(L, fn="lstm")[1][1][:, :1]],
                                              _x(L, fn="lstm")[2]),
     RuntimeError, "Expected hidden[1] size", False),   # torch broadcasts c_0
    ("input size", "gru", lambda L: std(_x(L)[0][..., :3], *_x(L)[1:]), RuntimeError,
     "input.size(-1) must be equal to input_size", True),
    ("bias shape", "gru", lambda L: std(*_x(L)[:2], _x(L)[2][:2] + [_x(L)[2][2][:-1],
                                                                   _x(L)[2][3]]),
     RuntimeError, "bias_ih_l0", True),
    ("3-D weight", "gru", lambda L: std(*_x(L)[:2], [_x(L)[2][0][..., None]] + _x(L)[2][1:]),
     RuntimeError, "weight_ih_l0", True),
    ("hx dtype", "gru", lambda L: std(_x(L)[0], _x(L)[1].float(), _x(L)[2]), RuntimeError,
     "dtype", True),
    ("input dtype", "gru", lambda L: std(_x(L)[0].float(), *_x(L)[1:]), RuntimeError, "dtype",
     True),
    ("int input", "rnn_tanh", lambda L: std(*[[t.long() for t in v] if isinstance(v, list)
                                               else v.long() for v in _x(L, fn="rnn_tanh")]),
     RuntimeError, "floating point", True),
    ("empty sequence", "gru", lambda L: std(_x(L)[0][:0], *_x(L)[1:]), RuntimeError,
     "Expected sequence length to be larger than 0", True),
    ("2-D input", "gru", lambda L: std(_x(L)[0][0], *_x(L)[1:]), RuntimeError,
     "input must have 3 dimensions", False),
    ("2-D hx", "gru", lambda L: std(_x(L)[0], _x(L)[1][0], _x(L)[2]), RuntimeError,
     "must have 3 dimensions", True),
    ("num_layers 0", "gru", lambda L: std(_x(L)[0], _x(L)[1][:0], [], num_layers=0),
     RuntimeError, "num_layers", True),
]


@pytest.mark.parametrize("label,fn,build,kind,frag,torch_too", CASES,
                         ids=[c[0] for c in CASES])
def test_errors(label, fn, build, kind, frag, torch_too):
    with pytest.raises(kind) as e:
        getattr(mg, fn)(*build(mg))
    assert frag in str(e.value) and fn in str(e.value)
    if torch_too:
        with pytest.raises(kind):
            getattr(torch, fn)(*build(torch))


def packed(lib, sizes, dtype="int64", rows=None):
    x, h, ps = make(lib)
    data = lib.tensor(np.ones((sum(sizes) if rows is None else rows, IN)))
    return data, lib.tensor(np.array(sizes, dtype=dtype)), h, ps, True, 1, 0.0, False, False


@pytest.mark.parametrize("args,frag", [
    (([2, 2, 1], "int32"), "expected scalar type Long"),
    (([2.0, 2, 1], "float64", 5), "expected scalar type Long"),
    (([],), "Expected sequence length to be larger than 0"),
    (([2, 2, 1, 0],), "positive and non-increasing"),   # torch crashes
    (([1, 2, 2],), "positive and non-increasing"),      # torch returns 6 rows for 5
    (([2, 2, 1], "int64", 6), "sum to 5"),
    (([3, 1, 1],), "Expected hidden size"),             # torch: a broadcast error
])
def test_packed_errors(args, frag):
    with pytest.raises(RuntimeError, match=frag) as e:
        mg.gru(*packed(mg, *args))
    assert "gru" in str(e.value)
    x, h, ps = make(mg)
    with pytest.raises(RuntimeError, match="must be 1-D"):
        mg.gru(x[0], mg.tensor([[2]]), h, ps, True, 1, 0.0, False, False)
    with pytest.raises(RuntimeError, match="packed input must have 2 dimensions"):
        mg.gru(x[:1], mg.tensor([2]), h, ps, True, 1, 0.0, False, False)
