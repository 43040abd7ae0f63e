"""Bad arguments (issue 14): every public function, given a bad argument, does what torch does
or raises a clear error of its own (tests/bad_args.py has the rule, the sweep and its table).

- test_full_sweep runs every row of the table with every fixed bad value (~13,500 calls, ~5 s).
- test_bad_argument_property draws a row, one argument and a bad value from hypothesis
  strategies (random shapes, dtypes, numbers, containers) and checks the same rule.
- the explicit cases pin the defects the issue lists that other test files do not already
  cover (tests/test_loss.py::BAD_ARGS has conv2d stride=1.5, dropout of None and of int64,
  embedding's 3-D weight and padding_idx, ignore_index=None, a NumPy target, Conv2d padding).
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import bad_args as B  # noqa: E402
import bad_args_calls as C  # noqa: E402

RULE_OK = ("clear", "same")


def _failures(rows):
    return [r for r in rows if r[3] not in RULE_OK + ("known",)]


# ---- the table itself ------------------------------------------------------------------------
def test_every_public_name_has_a_row():
    names = {e.name.removesuffix(".forward") for e in C.ENTRIES}
    missing = C.public_names() - names - set(C.SKIP)
    assert not missing, f"public names without a bad-argument row: {sorted(missing)}"
    assert not set(C.SKIP) - C.public_names(), "SKIP names that no longer exist"


def test_valid_rows_agree_with_torch():
    """The baseline: each row's valid call runs in both frameworks with equal results."""
    assert B.valid_call_problems() == []


# ---- the full sweep --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sweep_rows():
    return B.sweep()


def test_full_sweep(sweep_rows):
    """No unclear error, no silent acceptance, no differing result, no needless refusal."""
    bad = _failures(sweep_rows)
    assert not bad, f"{len(bad)} calls break the rule, e.g.\n" + "\n".join(
        f"[{r[3]}] {r[0]}({r[1]}={r[2]}): {r[4]}" for r in bad[:25])


def test_known_deviations_are_all_still_needed(sweep_rows):
    """Each KNOWN entry still matches a call; delete an entry once its deviation is fixed."""
    used = set()
    for name, arg, label, cat, _ in sweep_rows:
        if cat == "known":
            used |= {k for k in B.KNOWN if re.fullmatch(k[0], name) and re.fullmatch(k[1], arg)
                     and re.fullmatch(k[2], label)}
    assert B.KNOWN_FROM_DRAWS <= set(B.KNOWN), "KNOWN_FROM_DRAWS names a key not in KNOWN"
    stale = set(B.KNOWN) - used - B.KNOWN_FROM_DRAWS
    assert not stale, f"stale KNOWN entries: {sorted(stale)}"


# ---- property-based: random bad values ------------------------------------------------------
FLOATS = st.one_of(st.sampled_from([0.0, -1.0, 0.5, 1.0, 1.5, 2.0, 100.0, math.nan, math.inf,
                                    -math.inf]),
                   st.floats(-10, 10).filter(lambda v: v == 0 or abs(v) >= 0.01))
SMALL_INTS = st.integers(-4, 64)
HUGE_INTS = st.sampled_from([2 ** 63, -2 ** 63 - 1])
JUNK = st.one_of(st.none(), st.text(max_size=3), st.lists(st.integers(-2, 5), max_size=2),
                 st.builds(object))


@st.composite
def arrays(draw, receiver=False):
    """A random tensor (as an Arr) of random shape, kind and dtype."""
    shape = tuple(draw(st.lists(st.integers(0, 4), max_size=4)))
    kind = draw(st.sampled_from("fpib"))
    dtype = {"f": st.sampled_from([None, "float64"]), "p": st.sampled_from([None, "float64"]),
             "i": st.sampled_from([None, "int32"]), "b": st.just(None)}[kind]
    return C.Arr(*shape, kind=kind, high=draw(st.integers(1, 6)), dtype=draw(dtype),
                 seed=draw(st.integers(0, 3)))


def _tensor_values():
    arr = arrays()
    return st.one_of(arr, arr.map(lambda a: a.array()), arr.map(lambda a: a.array().tolist()),
                     FLOATS, SMALL_INTS, st.none())


def strategy(kind, entry, name):
    """Bad values for an argument of this kind (sizes kept small: a size of 10**9 would
    allocate gigabytes in both frameworks before either could object)."""
    huge = st.nothing() if "2**63" in entry.avoid.get(name, ()) else HUGE_INTS
    ints = st.one_of(SMALL_INTS, huge, SMALL_INTS.map(np.int64))
    if kind == "receiver":
        return arrays()
    if kind == "tensor":
        return _tensor_values()
    if kind == "tensors":
        return st.one_of(st.lists(st.one_of(arrays(), st.none(), FLOATS), max_size=3), arrays(),
                         JUNK)
    if kind in ("int", "dim"):
        return st.one_of(ints, FLOATS, JUNK, st.tuples(SMALL_INTS, SMALL_INTS))
    if kind in ("ints", "dims"):
        seq = st.lists(st.one_of(st.integers(-3, 6), st.sampled_from([1.5, 2 ** 63])),
                       max_size=4)
        return st.one_of(seq, seq.map(tuple), ints, FLOATS, JUNK)
    if kind == "float":
        return st.one_of(FLOATS, st.integers(-3, 3), JUNK, FLOATS.map(np.float64))
    if kind == "bool":
        return st.one_of(st.booleans().map(np.bool_), st.integers(-1, 2), JUNK, FLOATS)
    if kind == "str":
        return st.one_of(st.text(max_size=6), st.sampled_from(["none", "mean", "tanh"]), ints,
                         JUNK)
    if kind == "dtype":
        return st.one_of(st.text(max_size=8), FLOATS, ints, st.none())
    if kind == "data":
        leaf = st.one_of(FLOATS, SMALL_INTS, st.booleans(), st.none(), st.text(max_size=2))
        return st.recursive(leaf, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
    if kind == "key":
        idx = st.integers(-6, 6)
        return st.one_of(idx, FLOATS, st.lists(idx, max_size=3), st.none(),
                         st.tuples(idx, idx), st.tuples(idx, idx, idx), arrays(),
                         st.just(Ellipsis), st.builds(slice, idx, idx))
    if kind == "path":
        return st.one_of(st.none(), FLOATS, st.lists(st.text(max_size=2), max_size=2))
    return st.one_of(JUNK, FLOATS, ints)                       # "object"


def _label(v):
    """The label KNOWN's patterns use ('None', 'nan', '-1.0', '[3]', ...)."""
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("-inf" if v < 0 else "inf") if math.isinf(v) \
            else repr(float(v))
    return "None" if v is None else repr(v)


ARGUMENTS = [(e, key, name, e.kinds.get(name) or B.kind_of(name, v))
             for e in C.ENTRIES for key, name, v in e.arguments()
             if name not in e.fixed]
ARGUMENTS = [(e, key, name, "receiver" if key == ("pos", 0) and e.receiver else kind)
             for e, key, name, kind in ARGUMENTS
             if kind is not None and not (key == ("pos", 0) and e.receiver
                                          and not isinstance(e.args[0], C.Arr))]


@st.composite
def bad_calls(draw):
    entry, key, name, kind = draw(st.sampled_from(ARGUMENTS))
    return entry, key, name, draw(strategy(kind, entry, name))


@settings(max_examples=1500, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bad_calls())
def test_bad_argument_property(call):
    entry, key, name, bad = call
    with B._TorchFloat32():
        cat, detail = B.judge(entry, key, name, bad)
    if cat not in RULE_OK and B.known_reason(entry.name, name, _label(bad), cat):
        return
    assert cat in RULE_OK, f"{entry.name}({name}={bad!r}): [{cat}] {detail}"


# ---- the items not covered elsewhere ---------------------------------------------------
def _raises_like_torch(call, err, text):
    with pytest.raises(Exception):              # noqa: B017 - torch's kinds vary
        call(torch, torch.nn.functional)
    with pytest.raises(err, match=text) as info:
        call(mg, F)
    assert "/minigrad/" in info.traceback[-1].path.as_posix()


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"])
@pytest.mark.parametrize("shape", [(1, 1, 0, 0), (1, 1, 0, 4), (2, 0, 0, 3), (1, 0, 0)])
def test_pooling_an_empty_plane_raises_like_torch(pool, shape):
    """Was a ZeroDivisionError: a plane with no pixels is torch's RuntimeError."""
    _raises_like_torch(lambda L, F_: getattr(F_, pool)(L.ones(*shape), 2), RuntimeError, pool)


@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d", "adaptive_avg_pool2d"])
def test_pooling_an_empty_batch_works_like_torch(pool):
    out = getattr(F, pool)(mg.ones(0, 3, 4, 4), 2)
    assert out.shape == getattr(torch.nn.functional, pool)(torch.ones(0, 3, 4, 4), 2).shape


@pytest.mark.parametrize("num_classes", [-1, 0])
def test_one_hot_of_an_empty_tensor_without_classes_raises(num_classes):
    _raises_like_torch(lambda L, F_: F_.one_hot(L.zeros(0, dtype=L.int64), num_classes),
                       RuntimeError, "one_hot")


def test_one_hot_of_an_empty_tensor_with_classes_is_empty():
    assert mg.one_hot(mg.zeros(2, 0, dtype=mg.int64), 3).shape == (2, 0, 3)


@pytest.mark.parametrize("what,call,err,text", [
    ("avg_pool2d stride 1.5", lambda L, F_: F_.avg_pool2d(L.ones(1, 1, 4, 4), 2, stride=1.5),
     TypeError, "stride"),
    ("max_pool2d ceil_mode None", lambda L, F_: F_.max_pool2d(L.ones(1, 1, 4, 4), 2,
                                                              ceil_mode=None),
     TypeError, "ceil_mode"),
    ("sum keepdim=2", lambda L, F_: L.ones(2, 3).sum(1, keepdim=2), TypeError, "keepdim"),
    ("zeros(-1)", lambda L, F_: L.zeros(-1, 3), RuntimeError, "negative dimension"),
    ("view(1.5)", lambda L, F_: L.ones(2, 3).view(1.5, 4), TypeError, "view|reshape"),
    ("gather with a NumPy index", lambda L, F_: L.gather(L.ones(2, 3), 1,
                                                         np.zeros((2, 1), np.int64)),
     TypeError, "index"),
    ("linear with mixed dtypes", lambda L, F_: F_.linear(
        L.ones(2, 3, dtype=L.float32), L.ones(4, 3, dtype=L.float32), L.ones(4, dtype=L.float64)),
     RuntimeError, "linear|dtype"),
    ("exp of a list", lambda L, F_: L.exp([1.0, 2.0]), TypeError, "exp"),
    ("eq with None", lambda L, F_: L.ones(2).eq(None), TypeError, "eq"),
    ("arange to inf", lambda L, F_: L.arange(0, math.inf), RuntimeError, "arange|range"),
    ("layer_norm eps list", lambda L, F_: F_.layer_norm(L.ones(2, 3), (3,), eps=[1e-5]),
     TypeError, "eps"),
    ("Linear(2**63, 2)", lambda L, F_: L.nn.Linear(2 ** 63, 2), RuntimeError,
     "in_features|overflow"),
])
def test_more_bad_arguments_raise_clearly(what, call, err, text):
    _raises_like_torch(call, err, text)


def test_numpy_ints_work_where_torch_takes_them():
    """torch takes NumPy integers for dims, sizes and pairs; so does minigrad."""
    x, tx = mg.ones(2, 3, 4), torch.ones(2, 3, 4)
    assert x.sum(np.int64(1)).shape == tx.sum(np.int64(1)).shape
    assert x.transpose(np.int64(0), np.int32(2)).shape == tx.transpose(np.int64(0), 2).shape
    out = F.conv2d(mg.ones(1, 3, 5, 5), mg.ones(2, 3, 3, 3), stride=np.int64(2), padding=[1])
    ref = torch.nn.functional.conv2d(torch.ones(1, 3, 5, 5), torch.ones(2, 3, 3, 3),
                                     stride=np.int64(2), padding=[1])
    assert out.shape == tuple(ref.shape)
    assert mg.nn.Linear(np.int64(3), 2).weight.shape == (2, 3)
