"""nn.utils.rnn (pad_sequence, packed sequences), nn.ParameterList and nn.ParameterDict
against torch (issue 15, sequences)."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
from conftest import check_op

import minigrad as mg
from minigrad.nn.utils import rnn
from minigrad.nn.utils.rnn import pad_sequence

torch = pytest.importorskip("torch")
from torch.nn.utils import rnn as t_rnn  # noqa: E402
from torch.nn.utils.rnn import pad_sequence as t_pad_sequence  # noqa: E402


# ---- pad_sequence -------------------------------------------------------------------------
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(rng, batch_first, side):
    seqs = [rng.standard_normal((n, 2, 3)) for n in (3, 1, 0, 4)]
    seqs[0] = rng.standard_normal((3, 3, 2)).transpose(0, 2, 1)     # non-contiguous
    out = check_op(lambda *xs: pad_sequence(list(xs), batch_first, -2.5, side),
                   lambda *xs: t_pad_sequence(list(xs), batch_first, -2.5, side), seqs,
                   double=True)
    assert out[0].shape == (4, 4, 2, 3)          # 4 sequences, the longest of length 4
    check_op(lambda a: pad_sequence([a], batch_first, padding_side=side),
             lambda a: t_pad_sequence([a], batch_first, padding_side=side), [seqs[2]])


def test_pad_sequence_defaults_dtypes_and_tensor_input(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(2)
    check_op(lambda x, y: pad_sequence((x, y)), lambda x, y: t_pad_sequence((x, y)), [a, b])
    # the result takes the first sequence's dtype; padding_value is cast to it
    for x, y, pv in [(a.astype(np.float32), b, 0.0), (np.arange(3), b, 1.5),
                     (np.arange(3), np.arange(2), -7.9), (a, np.arange(2), 2.0)]:
        mine = pad_sequence([mg.tensor(x), mg.tensor(y)], True, pv)
        theirs = t_pad_sequence([torch.tensor(x), torch.tensor(y)], True, pv)
        assert str(mine.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    # a (B, L, *) tensor is a batch of sequences
    x = rng.standard_normal((2, 3, 4))
    check_op(lambda t: pad_sequence(t, True), lambda t: t_pad_sequence(t, True), [x])


BAD_PAD = [
    (lambda lib: [], {}),
    (lambda lib: [lib.tensor(1.0)], {}),
    (lambda lib: [lib.zeros(2, 3), lib.zeros(1, 4)], {}),
    (lambda lib: [lib.zeros(2), None], {}),
    (lambda lib: lib.zeros(3), {}),
    (lambda lib: [lib.zeros(2)], {"batch_first": 1}),
    (lambda lib: [lib.zeros(2)], {"padding_value": None}),
    (lambda lib: [lib.zeros(2)], {"padding_value": "a"}),
    (lambda lib: [lib.zeros(2)], {"padding_side": "middle"}),
    (lambda lib: [lib.zeros(2)], {"padding_side": None}),
]


@pytest.mark.parametrize("make,kw", BAD_PAD)
def test_pad_sequence_errors_as_torch(make, kw):
    with pytest.raises(Exception) as te:
        t_pad_sequence(make(torch), **kw)
    kind = next(k for k in type(te.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind):
        pad_sequence(make(mg), **kw)


# ---- ParameterList ------------------------------------------------------------------------
def _names(m):
    return [(n, tuple(p.shape)) for n, p in m.named_parameters()]


def test_parameter_list_registration_and_methods(rng):
    arrays = [rng.standard_normal((2, 3)), rng.standard_normal(3), rng.standard_normal((1,))]
    m = mg.nn.ParameterList([mg.nn.Parameter(mg.tensor(arrays[0])), mg.tensor(arrays[1])])
    t = torch.nn.ParameterList([torch.nn.Parameter(torch.tensor(arrays[0])),
                                torch.tensor(arrays[1])])
    assert _names(m) == _names(t) == [("0", (2, 3)), ("1", (3,))]
    assert all(isinstance(p, mg.nn.Parameter) and p.requires_grad for p in m)
    plain = mg.tensor(arrays[2])
    m.append(plain)
    t.append(torch.tensor(arrays[2]))
    assert isinstance(m[2], mg.nn.Parameter) and np.shares_memory(m[2].data, plain.data)
    m += [mg.zeros(4, dtype=mg.float64)]
    t += [torch.zeros(4)]
    m.extend([mg.ones(1, dtype=mg.float64)])
    t.extend([torch.ones(1)])
    assert len(m) == len(t) == 5 and _names(m) == _names(t)
    assert list(m.state_dict()) == list(t.state_dict()) == ["0", "1", "2", "3", "4"]
    assert m[-1] is m[4] and [tuple(p.shape) for p in m[1:4:2]] == [(3,), (4,)]
    assert isinstance(m[1:], mg.nn.ParameterList)
    m[0] = mg.full((2, 3), 7.0, dtype=mg.float64)
    assert isinstance(m[0], mg.nn.Parameter) and float(m[0].sum().item()) == 42.0
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    for p, q in zip(m, t):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
    with pytest.raises(IndexError):
        m[5]
    with pytest.raises(TypeError):
        m["a"]
    with pytest.raises(TypeError):
        m.extend(mg.zeros(3))           # a Tensor is not unpacked, as torch's
    with pytest.raises(RuntimeError):
        m(1)
    with pytest.raises(RuntimeError):
        mg.nn.ParameterList([mg.tensor([1, 2])])     # integer tensors cannot require grad


def test_parameter_list_objects_repr_and_nesting():
    m = mg.nn.ParameterList([mg.nn.Parameter(mg.zeros(2, 3)), mg.zeros(3), "s", None])
    t = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2, 3, dtype=torch.float32)),
                                torch.zeros(3, dtype=torch.float32), "s", None])
    assert _names(m) == _names(t)                      # objects are kept, not registered
    assert m[2] == t[2] == "s" and m[3] is None
    assert repr(m) == repr(t).replace("torch.", "")
    assert repr(mg.nn.ParameterList()) == repr(torch.nn.ParameterList()) == "ParameterList()"

    class Net(mg.nn.Module):
        def __init__(self):
            super().__init__()
            self.ps = mg.nn.ParameterList([mg.zeros(2), mg.ones(3)])
            self.lin = mg.nn.Linear(2, 2)
    assert [n for n, _ in Net().named_parameters()] == ["ps.0", "ps.1", "lin.weight",
                                                        "lin.bias"]
    assert list(Net().state_dict()) == ["ps.0", "ps.1", "lin.weight", "lin.bias"]


# ---- ParameterDict ------------------------------------------------------------------------
def test_parameter_dict_registration_and_methods(rng):
    a, b = rng.standard_normal(2), rng.standard_normal((1, 2))
    m = mg.nn.ParameterDict({"b": mg.tensor(a), "a": mg.nn.Parameter(mg.tensor(b))})
    t = torch.nn.ParameterDict({"b": torch.tensor(a), "a": torch.nn.Parameter(torch.tensor(b))})
    assert list(m.keys()) == list(t.keys()) == ["a", "b"]     # a plain dict: sorted, as torch
    assert _names(m) == _names(t) and isinstance(m["b"], mg.nn.Parameter)
    od = OrderedDict([("z", mg.zeros(1)), ("y", mg.zeros(2))])
    m.update(od)
    t.update(OrderedDict([("z", torch.zeros(1)), ("y", torch.zeros(2))]))
    m.update([("x", mg.ones(3))])
    t.update([("x", torch.ones(3))])
    assert list(m) == list(t) == ["a", "b", "z", "y", "x"] and len(m) == 5
    assert list(m.state_dict()) == list(t.state_dict())
    assert "z" in m and "q" not in m and m.get("q", 3) == 3
    assert tuple(m.pop("z").shape) == (1,) and "z" not in m and "z" not in dict(
        m.named_parameters())
    k, v = m.popitem()
    assert k == "x" and tuple(v.shape) == (3,)
    assert m.setdefault("w", mg.ones(2)) is m["w"] and isinstance(m["w"], mg.nn.Parameter)
    assert list(reversed(m)) == ["w", "y", "b", "a"]
    c = m.copy()
    assert list(c) == list(m) and c["a"] is m["a"]
    u = m | mg.nn.ParameterDict({"n": mg.zeros(1)})
    assert list(u) == ["a", "b", "y", "w", "n"] and "n" not in m
    f = m.fromkeys(["p", "q"], mg.zeros(2))
    assert list(f) == ["p", "q"]
    del m["y"]
    m.clear()
    assert len(m) == 0 and not list(m.parameters())


def test_parameter_dict_load_repr_errors(rng):
    t = torch.nn.ParameterDict({"w": torch.randn(2, 3), "v": torch.randn(4)})
    m = mg.nn.ParameterDict({"w": mg.zeros(2, 3, dtype=mg.float64),
                             "v": mg.zeros(4, dtype=mg.float64)})
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    for k in t:
        np.testing.assert_array_equal(m[k].detach().numpy(), t[k].detach().numpy())
    assert repr(mg.nn.ParameterDict()) == "ParameterDict()"
    text = repr(mg.nn.ParameterDict({"w": mg.zeros(2, 3), "s": "obj"}))
    assert text == ("ParameterDict(\n    (s): Object of type: str\n    (w): Parameter "
                    "containing: [float32 of size 2x3]\n)")
    with pytest.raises(TypeError):
        m[1]
    with pytest.raises(TypeError):
        m[1] = mg.zeros(1)
    with pytest.raises(KeyError):
        mg.nn.ParameterDict({"a.b": mg.zeros(1)})
    with pytest.raises(TypeError):
        mg.nn.ParameterDict(5)
    with pytest.raises(ValueError):
        mg.nn.ParameterDict([("a",)])
    with pytest.raises(AttributeError):       # torch's getattr error for a missing key
        m["missing"]
    with pytest.raises(RuntimeError):
        m(1)


# ---- packed sequences ---------------------------------------------------------------------
def _packed(p):
    return tuple(v for v in p if v is not None)


@pytest.mark.parametrize("lengths,enforce_sorted", [([5, 3, 3, 1], True), ([2, 3, 2, 5], False),
                                                    ([1, 4, 2, 5], False)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_packed(rng, lengths, enforce_sorted, batch_first):
    x = rng.standard_normal((4, 5, 2)) if batch_first else rng.standard_normal((5, 4, 2))
    out = check_op(
        lambda a: _packed(rnn.pack_padded_sequence(a, lengths, batch_first, enforce_sorted)),
        lambda a: _packed(t_rnn.pack_padded_sequence(a, lengths, batch_first, enforce_sorted)),
        [x], double=True)
    assert out[1].dtype == mg.int64
    for total in (None, 7):
        check_op(lambda a, t=total: rnn.pad_packed_sequence(rnn.pack_padded_sequence(
            a, mg.tensor(lengths), batch_first, enforce_sorted), batch_first, -1.5, t),
            lambda a, t=total: t_rnn.pad_packed_sequence(t_rnn.pack_padded_sequence(
                a, torch.tensor(lengths), batch_first, enforce_sorted), batch_first, -1.5, t),
            [x], double=True)


def test_pack_fewer_lengths_than_batch_unsorted(rng):
    # torch packs only the first len(lengths) sequences when enforce_sorted=False
    x = rng.standard_normal((5, 4, 2))
    check_op(lambda a: _packed(rnn.pack_padded_sequence(a, [2, 5, 3], False, False)),
             lambda a: _packed(t_rnn.pack_padded_sequence(a, [2, 5, 3], False, False)), [x])


def test_pack_sequence(rng):
    seqs = [rng.standard_normal((n, 3)) for n in (2, 4, 1)]
    check_op(lambda *s: _packed(rnn.pack_sequence(list(s), False)),
             lambda *s: _packed(t_rnn.pack_sequence(list(s), False)), seqs)
    p = rnn.pack_sequence([mg.ones(3, 2), mg.ones(1, 2)])
    assert p._fields == t_rnn.PackedSequence._fields and p.sorted_indices is None
    with pytest.raises(RuntimeError):
        rnn.pack_sequence([mg.ones(1), mg.ones(3)])                # not sorted
    with pytest.raises(RuntimeError):
        rnn.pack_sequence([mg.ones(2), mg.zeros(0)], False)        # torch: empty tensors
    with pytest.raises(TypeError, match="PackedSequence"):         # torch: AttributeError
        rnn.pad_packed_sequence(mg.zeros(5, 4))


def test_unpad_and_unpack_sequence(rng):
    x = rng.standard_normal((4, 3, 2))
    for lengths, bf in [([2, 4, 1], False), ([2.5, 4, 0], False), ([1, 2, 7, 3], True)]:
        # (batch_first=False: (T=4, B=3); True: (B=4, T=3))
        mine = rnn.unpad_sequence(mg.tensor(x), mg.tensor(lengths), bf)
        theirs = t_rnn.unpad_sequence(torch.tensor(x), torch.tensor(lengths), bf)
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    check_op(lambda *s: tuple(rnn.unpack_sequence(rnn.pack_sequence(list(s), False))),
             lambda *s: tuple(t_rnn.unpack_sequence(t_rnn.pack_sequence(list(s), False))),
             [rng.standard_normal((n, 2)) for n in (2, 5, 1)], double=True)
    with pytest.raises(ValueError):
        rnn.unpad_sequence(mg.tensor(x), mg.tensor([1, 2]))


BAD_PACK = [
    lambda lib, r: r.pack_padded_sequence(lib.zeros(5, 4), [2, 3, 2, 3]),
    lambda lib, r: r.pack_padded_sequence(lib.zeros(5, 4), [3, 3, 2, 0]),
    lambda lib, r: r.pack_padded_sequence(lib.zeros(5, 4), [3, 3, 2]),
    lambda lib, r: r.pack_padded_sequence(lib.zeros(5, 4), None),
    lambda lib, r: r.pack_padded_sequence(lib.zeros(5), [1]),
    lambda lib, r: r.pack_padded_sequence(lib.zeros(5, 4), [3, 3, 2, 1], batch_first=1),
    lambda lib, r: r.pad_packed_sequence(r.pack_padded_sequence(lib.zeros(5, 4), [3, 3, 2, 1]),
                                         total_length=2),
    lambda lib, r: r.pack_sequence([]),
]


@pytest.mark.parametrize("call", BAD_PACK)
def test_packing_errors_as_torch(call):
    with pytest.raises(Exception) as te:
        call(torch, t_rnn)
    kind = next(k for k in type(te.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind):
        call(mg, rnn)
