"""Bad arguments to the recurrent layers and cells: torch's error types and messages (where
torch's message is clear, word for word), and minigrad's own clear errors where torch's are
not (an AttributeError, a oneDNN message, a hang). The bad-argument sweep rows are in
tests/bad_args_rows_rnn.py."""
from __future__ import annotations

import re

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")


def outcome(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 (the class and message are compared)
        return e
    return None


def same_error(fn):
    """fn(lib) raises the same builtin class with the same message in both frameworks."""
    te, me = outcome(fn, torch), outcome(fn, mg)
    assert te is not None, "torch accepts the call"
    assert me is not None, f"torch raises {te!r}; minigrad accepts the call"
    kind = next(k for k in type(te).__mro__ if k.__module__ == "builtins")
    assert isinstance(me, kind), f"torch {te!r}, minigrad {me!r}"
    assert str(me) == str(te)


def Z(lib, *shape, dtype=None):
    """Zeros in lib's default dtype (the modules' too: tests/conftest.py sets torch's to
    float64), or in the dtype named."""
    return lib.zeros(*shape, dtype=None if dtype is None else getattr(lib, dtype))


CTOR = [
    lambda L: L.nn.LSTM(1.5, 4), lambda L: L.nn.LSTM(None, 4), lambda L: L.nn.GRU(-1, 4),
    lambda L: L.nn.RNN(0, 4), lambda L: L.nn.RNN(3, 0), lambda L: L.nn.LSTM("2", 4),
    lambda L: L.nn.LSTM(np.int64(3), 4), lambda L: L.nn.GRU(3, 4.0),
    lambda L: L.nn.LSTM(3, 4, num_layers=0), lambda L: L.nn.RNN(3, 4, num_layers=-2),
    lambda L: L.nn.LSTM(3, 4, bias=None), lambda L: L.nn.LSTM(3, 4, bias=1),
    lambda L: L.nn.GRU(3, 4, batch_first=1), lambda L: L.nn.LSTM(3, 4, proj_size=4),
    lambda L: L.nn.LSTM(3, 4, proj_size=-1), lambda L: L.nn.RNN(3, 4, nonlinearity="gelu"),
    lambda L: L.nn.RNN(3, 4, nonlinearity=None), lambda L: L.nn.RNN(3, 4, proj_size=0),
    lambda L: L.nn.GRU(3, 4, proj_size=2), lambda L: L.nn.LSTM(3, 4, dropout=1.5),
    lambda L: L.nn.LSTM(3, 4, num_layers=2, dropout=True),
    lambda L: L.nn.RNNBase("BOGUS", 3, 4),
]


@pytest.mark.parametrize("k", range(len(CTOR)))
def test_constructor_errors_as_torch(k):
    same_error(CTOR[k])


def test_constructor_errors_where_torch_is_unclear():
    # torch: TypeError from '<=' / range() / empty(); minigrad names the argument
    for bad in (1.5, None, "2"):
        with pytest.raises(TypeError, match="LSTM: num_layers should be of type int"):
            mg.nn.LSTM(3, 4, num_layers=bad)
    for bad in (1.5, None, "2", True):
        with pytest.raises(TypeError, match="LSTM: proj_size should be of type int"):
            mg.nn.LSTM(3, 4, proj_size=bad)
    with pytest.raises(TypeError, match="GRU: dropout should be a number"):
        mg.nn.GRU(3, 4, dropout=None)
    with pytest.raises(TypeError, match="input_size=9223372036854775808 overflows int64"):
        mg.nn.LSTM(2**63, 4)
    with pytest.raises(RuntimeError, match="floating point"):
        mg.nn.LSTM(3, 4, dtype=mg.int64)


def test_values_torch_accepts_at_construction():
    """torch stores these as given (and refuses bidirectional/num_layers of the wrong type
    only at forward): minigrad does the same."""
    for kw in ({"bidirectional": None}, {"bidirectional": "yes"}, {"num_layers": True},
               {"num_layers": np.int64(2)}, {"proj_size": np.int64(2)},
               {"dropout": np.float64(0.25), "num_layers": 2}):
        assert repr(mg.nn.LSTM(3, 4, **kw)) == repr(torch.nn.LSTM(3, 4, **kw))
    x = np.zeros((2, 1, 3), np.float32)
    for kw in ({"bidirectional": None}, {"bidirectional": "yes"}, {"num_layers": True}):
        with pytest.raises(TypeError):
            torch.nn.LSTM(3, 4, dtype=torch.float32, **kw)(torch.tensor(x))
        with pytest.raises(TypeError, match="LSTM: (bidirectional|num_layers) must be"):
            mg.nn.LSTM(3, 4, **kw)(mg.tensor(x))
    m = mg.nn.LSTM(3, 4, num_layers=np.int64(2))
    t = torch.nn.LSTM(3, 4, num_layers=np.int64(2), dtype=torch.float32)
    assert m(mg.tensor(x))[0].shape == tuple(t(torch.tensor(x))[0].shape)


FORWARD = [
    lambda L: L.nn.LSTM(3, 4)(Z(L, 5, 2, 2)),
    lambda L: L.nn.RNN(5, 20)(Z(L, 4, 3, 3)),
    lambda L: L.nn.LSTM(3, 4)(Z(L, 5, 2, 3, 1)),
    lambda L: L.nn.RNN(3, 4)(Z(L, 5, 2, 3, 1)),
    lambda L: L.nn.GRU(3, 4)(Z(L, 3)),
    lambda L: L.nn.RNN(10, 20)(Z(L, 5, 3, 10), Z(L, 1, 2, 20)),
    lambda L: L.nn.LSTM(3, 4)(Z(L, 5, 2, 3), (Z(L, 1, 3, 4), Z(L, 1, 2, 4))),
    lambda L: L.nn.LSTM(3, 4)(Z(L, 5, 2, 3), (Z(L, 1, 2, 4), Z(L, 1, 2, 5))),
    lambda L: L.nn.LSTM(3, 6, proj_size=2)(Z(L, 5, 2, 3), (Z(L, 1, 2, 6), Z(L, 1, 2, 6))),
    lambda L: L.nn.LSTM(3, 4)(Z(L, 5, 3), (Z(L, 1, 2, 4), Z(L, 1, 2, 4))),
    lambda L: L.nn.LSTM(3, 4)(Z(L, 5, 2, 3), (Z(L, 2, 4), Z(L, 2, 4))),
    lambda L: L.nn.GRU(3, 4)(Z(L, 5, 2, 3), Z(L, 2, 4)),
    lambda L: L.nn.GRU(3, 4)(Z(L, 5, 3), Z(L, 1, 2, 4)),
    lambda L: L.nn.RNN(3, 4)(Z(L, 5, 3), Z(L, 2, 4)),
    lambda L: L.nn.GRU(3, 4, num_layers=2, bidirectional=True)(Z(L, 5, 2, 3), Z(L, 2, 2, 4)),
    lambda L: L.nn.LSTM(3, 4)(Z(L, 0, 2, 3)),
    lambda L: L.nn.GRU(3, 4, batch_first=True)(Z(L, 2, 0, 3)),
    lambda L: L.nn.RNN(3, 4)(Z(L, 0, 3)),
]


@pytest.mark.parametrize("k", range(len(FORWARD)))
def test_forward_errors_as_torch(k):
    same_error(FORWARD[k])


def test_packed_input_errors_as_torch():
    def packed(L, width, h=None):
        mod = __import__(f"{L.__name__}.nn.utils.rnn", fromlist=["pack_padded_sequence"])
        p = mod.pack_padded_sequence(Z(L, 4, 3, width), [4, 2, 1])
        return L.nn.GRU(3, 4)(p, h)
    same_error(lambda L: packed(L, 2))
    same_error(lambda L: packed(L, 3, Z(L, 1, 2, 4)))


def test_dtype_errors():
    msg = ("RNN input dtype (float64) does not match weight dtype (float32). Convert input: "
           "input.to(float32), or convert model: model.to(float64)")
    with pytest.raises(ValueError, match=re.escape(msg)):
        mg.nn.LSTM(3, 4)(Z(mg, 5, 2, 3, dtype="float64"))
    for lib in (torch, mg):                     # torch's words, with torch's dtype names
        with pytest.raises(ValueError, match="RNN input dtype .*int64.* does not match weight"):
            lib.nn.GRU(3, 4)(Z(lib, 5, 2, 3, dtype="int64"))
    # torch: a oneDNN or matmul message; minigrad names the state
    with pytest.raises(RuntimeError, match=r"LSTM: hx\[1\] dtype \(float64\) does not match"):
        mg.nn.LSTM(3, 4)(Z(mg, 5, 2, 3), (Z(mg, 1, 2, 4), Z(mg, 1, 2, 4, dtype="float64")))
    with pytest.raises(RuntimeError, match=r"GRU: hx dtype \(float64\) does not match"):
        mg.nn.GRU(3, 4)(Z(mg, 5, 2, 3), Z(mg, 1, 2, 4, dtype="float64"))


def test_forward_argument_types():
    """torch raises AttributeError ('list' object has no attribute 'dim'); minigrad a
    TypeError naming the argument."""
    with pytest.raises(TypeError, match="GRU.forward\\(\\): argument 'input' must be Tensor"):
        mg.nn.GRU(3, 4)([[1.0, 2.0, 3.0]])
    with pytest.raises(TypeError, match="RNN.forward\\(\\): argument 'hx' must be Tensor"):
        mg.nn.RNN(3, 4)(Z(mg, 5, 3), 1.5)
    with pytest.raises(TypeError, match="LSTM.forward\\(\\): argument 'hx' must be a tuple"):
        mg.nn.LSTM(3, 4)(Z(mg, 5, 1, 3), Z(mg, 1, 1, 4))
    with pytest.raises(TypeError, match=r"LSTM.forward\(\): hx\[1\] must be Tensor"):
        mg.nn.LSTM(3, 4)(Z(mg, 5, 1, 3), (Z(mg, 1, 1, 4), None))
    for n in (1, 3):
        with pytest.raises(RuntimeError, match="lstm expects two hidden states"):
            mg.nn.LSTM(3, 4)(Z(mg, 5, 1, 3), (Z(mg, 1, 1, 4),) * n)


CELL = [
    lambda L: L.nn.RNNCell(3, -1), lambda L: L.nn.LSTMCell(-4, 3),
    lambda L: L.nn.RNNCell(3, 4, nonlinearity="bogus")(Z(L, 2, 3)),
    lambda L: L.nn.RNNCell(3, 4)(Z(L, 2, 2)),
    lambda L: L.nn.RNNCell(3, 4)(Z(L, 2, 3), Z(L, 3, 4)),
    lambda L: L.nn.GRUCell(3, 4)(Z(L, 2, 3), Z(L, 2, 5)),
    lambda L: L.nn.GRUCell(3, 4)(Z(L, 3), Z(L, 2, 4)),
    lambda L: L.nn.RNNCell(3, 4)(Z(L, 2, 3), Z(L, 4)),
    lambda L: L.nn.RNNCell(3, 4)(Z(L, 2, 3, 1)),
    lambda L: L.nn.GRUCell(3, 4)(Z(L, 2, 3), Z(L, 2, 3, 1)),
    lambda L: L.nn.LSTMCell(3, 4)(Z(L, 2, 3, 1)),
    lambda L: L.nn.LSTMCell(3, 4)(Z(L, 2, 3), (Z(L, 2, 4), Z(L, 2, 4, 1))),
    lambda L: L.nn.LSTMCell(3, 4)(Z(L, 2, 3), (Z(L, 2, 4), Z(L, 2, 5))),
    lambda L: L.nn.LSTMCell(3, 4)(Z(L, 2, 3), (Z(L, 2, 4), Z(L, 3, 4))),
    lambda L: L.nn.LSTMCell(3, 4)(Z(L, 3), (Z(L, 2, 4), Z(L, 2, 4))),
]


@pytest.mark.parametrize("k", range(len(CELL)))
def test_cell_errors_as_torch(k):
    te, me = outcome(CELL[k], torch), outcome(CELL[k], mg)
    assert te is not None and me is not None, (te, me)
    kind = next(k for k in type(te).__mro__ if k.__module__ == "builtins")
    assert isinstance(me, kind), (te, me)
    if not str(te).startswith("Trying to create tensor"):
        assert str(me) == str(te) or str(me).endswith(str(te)), (te, me)
    else:
        assert "negative dimension" in str(me) and type(me) is RuntimeError


def test_cell_errors_where_torch_is_unclear():
    with pytest.raises(TypeError, match="RNNCell: input_size must be int, not float"):
        mg.nn.RNNCell(1.5, 4)
    with pytest.raises(TypeError, match="LSTMCell: hidden_size must be int, not NoneType"):
        mg.nn.LSTMCell(3, None)
    with pytest.raises(TypeError, match="GRUCell: hidden_size=9223372036854775808 overflows"):
        mg.nn.GRUCell(3, 2**63)
    for n in (1, 3):
        with pytest.raises(RuntimeError, match="lstm_cell expects two hidden states"):
            mg.nn.LSTMCell(3, 4)(Z(mg, 2, 3), (Z(mg, 2, 4),) * n)
    with pytest.raises(TypeError, match="LSTMCell.forward\\(\\): argument 'hx' must be a tuple"):
        mg.nn.LSTMCell(3, 4)(Z(mg, 2, 3), Z(mg, 2, 4))
    with pytest.raises(RuntimeError, match="RNNCell: input dtype \\(float64\\) does not match"):
        mg.nn.RNNCell(3, 4)(Z(mg, 2, 3, dtype="float64"))
    with pytest.raises(RuntimeError, match="GRUCell: hidden0 dtype \\(int64\\) does not match"):
        mg.nn.GRUCell(3, 4)(Z(mg, 2, 3), Z(mg, 2, 4, dtype="int64"))
    with pytest.raises(IndexError, match="RNNCell: hidden0 of shape \\(2,\\) has no"):
        mg.nn.RNNCell(3, 4)(Z(mg, 2, 3), Z(mg, 2))
    with pytest.raises(TypeError, match="GRUCell.forward\\(\\): argument 'input' must be"):
        mg.nn.GRUCell(3, 4)(None)
