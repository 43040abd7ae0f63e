"""Sorting, selection and indexing ops of issue 15 against torch: msort, unique, searchsorted,
bucketize, nonzero, masked_select, take, take_along_dim, index_select, index_add, index_copy,
index_fill, index_put, scatter_reduce, masked_scatter, their in-place forms, and gather and
scatter on every dtype torch accepts."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

NO_GRAD = {"requires_grad": None}


def _mg(a, device):
    return mg.tensor(a, device=device)


def _same(m, t):
    """minigrad's result equals torch's: shape, dtype and values (NaN where NaN)."""
    ms = m if isinstance(m, (tuple, list)) else (m,)
    ts = t if isinstance(t, (tuple, list)) else (t,)
    assert len(ms) == len(ts)
    for a, b in zip(ms, ts):
        assert a.shape == tuple(b.shape)
        assert str(a.dtype) == str(b.dtype).replace("torch.", "")
        np.testing.assert_allclose(a.cpu().detach().numpy(), b.detach().numpy(), rtol=1e-12,
                                   atol=0, equal_nan=True)


def _raises(fn_mg, fn_torch, kind, match=None):
    """Both raise `kind`; minigrad's error is of the builtin class torch's is."""
    with pytest.raises(kind) as t_err:
        fn_torch()
    builtin = next(k for k in t_err.type.__mro__ if k.__module__ == "builtins")
    with pytest.raises(builtin, match=match):
        fn_mg()


# ---- msort, unique ----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (0,), (5,), (4, 3), (3, 0, 2)])
def test_msort(shape, rng, device):
    x = rng.standard_normal(shape)
    check_op(lambda t: t.msort() * 2, lambda t: t.msort() * 2, [x], device=device, double=True)
    if x.ndim:                      # a non-contiguous view
        check_op(lambda t: mg.msort(t.transpose(0, -1)[::2]),
                 lambda t: torch.msort(t.transpose(0, -1)[::2]), [x], device=device)


UNIQUE_INPUTS = {
    "float-nan": np.array([3.0, np.nan, 1.0, np.nan, 3.0, 2.0, 1.0]),
    "int-2d": np.array([[4, 1, 4], [0, 1, 7]]),
    "bool": np.array([True, False, True]),
    "0-d": np.array(2.5), "empty": np.zeros((0, 3)),
}


@pytest.mark.parametrize("name", list(UNIQUE_INPUTS))
@pytest.mark.parametrize("inverse,counts", [(False, False), (True, False), (False, True),
                                            (True, True)])
def test_unique(name, inverse, counts, device):
    a = UNIQUE_INPUTS[name]
    for sorted_ in (True, False):
        kw = {"sorted": sorted_, "return_inverse": inverse, "return_counts": counts}
        _same(mg.unique(_mg(a, device), **kw), torch.unique(torch.tensor(a), **kw))
        _same(_mg(a, device).unique(**kw), torch.tensor(a).unique(**kw))


@pytest.mark.parametrize("a,dim", [(np.array([[1, 2], [1, 2], [0, 5], [1, 2]]), 0),
                                   (np.array([[1, 2, 1], [3, 0, 3]]), 1),
                                   (np.array([[1, 2, 1], [3, 0, 3]]), -1),
                                   (np.array([[[1.0], [2.0]], [[1.0], [2.0]]]), 0),
                                   (np.zeros((0, 3)), 0),
                                   (np.array([True, False, True]), 0)])
def test_unique_dim(a, dim, device):
    kw = {"return_inverse": True, "return_counts": True, "dim": dim}
    _same(mg.unique(_mg(a, device), **kw), torch.unique(torch.tensor(a), **kw))
    _same(mg.unique(_mg(a, device), dim=dim), torch.unique(torch.tensor(a), dim=dim))


def test_unique_no_grad_and_errors(rng):
    x = mg.tensor(rng.standard_normal(5), requires_grad=True)
    u = mg.unique(x, return_inverse=True)       # as torch: values in the graph, no derivative
    assert u[0].requires_grad and not u[1].requires_grad
    with pytest.raises(NotImplementedError, match="derivative for 'unique'"):
        u[0].sum().backward()
    _raises(lambda: mg.unique(mg.zeros(2, 0), dim=0), lambda: torch.unique(torch.zeros(2, 0),
                                                                           dim=0),
            RuntimeError, "0 sized dimensions")
    _raises(lambda: mg.unique(mg.tensor(3.0), dim=0),
            lambda: torch.unique(torch.tensor(3.0), dim=0), IndexError, "no dimensions")
    _raises(lambda: mg.unique(mg.zeros(2), dim=1), lambda: torch.unique(torch.zeros(2), dim=1),
            IndexError, "unique")


# ---- searchsorted, bucketize ------------------------------------------------------------
@pytest.mark.parametrize("seq_shape,val_shape", [((6,), (4,)), ((6,), (2, 3)), ((6,), ()),
                                                 ((2, 5), (2, 3)), ((3, 2, 4), (3, 2, 1)),
                                                 ((0,), (3,)), ((6,), (0,)), ((2, 0), (2, 3))])
def test_searchsorted(seq_shape, val_shape, rng, device):
    seq = np.sort(rng.integers(0, 6, seq_shape), axis=-1).astype(float)
    seq = seq if not seq.size else seq + (rng.random(seq.shape) < 0.3) * 0.0
    vals = rng.integers(-1, 7, val_shape).astype(float) + (rng.random(val_shape) < 0.5) * 0.5
    for kw in [{}, {"right": True}, {"side": "right"}, {"side": "left"},
               {"out_int32": True, "right": True}]:
        _same(mg.searchsorted(_mg(seq, device), _mg(vals, device), **kw),
              torch.searchsorted(torch.tensor(seq), torch.tensor(vals), **kw))
    if len(seq_shape) == 1:
        for kw in [{}, {"right": True}, {"out_int32": True}]:
            _same(mg.bucketize(_mg(vals, device), _mg(seq, device), **kw),
                  torch.bucketize(torch.tensor(vals), torch.tensor(seq), **kw))


def test_searchsorted_sorter_scalars_and_dtypes(rng, device):
    raw = rng.standard_normal((3, 5))
    sorter = np.argsort(raw, axis=-1)
    vals = rng.standard_normal((3, 4))
    for right in (False, True):
        _same(mg.searchsorted(_mg(raw, device), _mg(vals, device), sorter=_mg(sorter, device),
                              right=right),
              torch.searchsorted(torch.tensor(raw), torch.tensor(vals),
                                 sorter=torch.tensor(sorter), right=right))
    seq = np.array([1, 2, 2, 5])
    for v in (2, 2.5, -3):
        _same(mg.searchsorted(_mg(seq, device), v), torch.searchsorted(torch.tensor(seq), v))
        _same(mg.bucketize(v, _mg(seq, device), right=True),
              torch.bucketize(v, torch.tensor(seq), right=True))
    fv = np.array([[1.5, 2.0, 7.0]])          # int boundaries, float values: promoted
    _same(mg.searchsorted(_mg(seq, device), _mg(fv, device)),
          torch.searchsorted(torch.tensor(seq), torch.tensor(fv)))
    _same(mg.bucketize(_mg(fv, device).float(), _mg(seq, device).double()),
          torch.bucketize(torch.tensor(fv).float(), torch.tensor(seq).double()))
    x = mg.tensor(vals, requires_grad=True)
    assert not mg.searchsorted(mg.tensor(np.sort(raw, -1)), x).requires_grad


def test_searchsorted_nan_and_unsorted(rng, device):
    # NaN (in the sequence or the values) and unsorted rows: torch's binary search, step by step
    seq = np.array([[-1.0, -0.0, 0.0, 2.0, np.nan], [1.0, np.nan, 0.0, 3.0, -2.0]])
    vals = np.array([[np.nan, 0.0, -0.0, 3.0, -np.inf, np.inf]] * 2)
    for right in (False, True):
        _same(mg.searchsorted(_mg(seq, device), _mg(vals, device), right=right),
              torch.searchsorted(torch.tensor(seq), torch.tensor(vals), right=right))
        _same(mg.bucketize(_mg(vals, device), _mg(seq[0], device), right=right),
              torch.bucketize(torch.tensor(vals), torch.tensor(seq[0]), right=right))
    a = rng.standard_normal((3, 7))
    _same(mg.searchsorted(_mg(a, device), _mg(a[:, :4], device)),
          torch.searchsorted(torch.tensor(a), torch.tensor(a[:, :4])))


def test_searchsorted_errors():
    s, ts = mg.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    _raises(lambda: mg.searchsorted(s, mg.tensor([1.0]), right=True, side="left"),
            lambda: torch.searchsorted(ts, torch.tensor([1.0]), right=True, side="left"),
            RuntimeError, "opposites")
    _raises(lambda: mg.searchsorted(mg.ones(2, 2), mg.ones(3, 1)),
            lambda: torch.searchsorted(torch.ones(2, 2), torch.ones(3, 1)), RuntimeError,
            "boundaries tensor should be 1 dimension")
    _raises(lambda: mg.searchsorted(mg.ones(2, 2), 1.0),
            lambda: torch.searchsorted(torch.ones(2, 2), 1.0), RuntimeError, "scalar")
    _raises(lambda: mg.bucketize(mg.ones(3), mg.ones(2, 2)),
            lambda: torch.bucketize(torch.ones(3), torch.ones(2, 2)), RuntimeError,
            "1 dimension")
    with pytest.raises(TypeError, match="searchsorted"):
        mg.searchsorted([1.0, 2.0], mg.ones(2))
    _raises(lambda: mg.searchsorted(s > 0, s > 0), lambda: torch.searchsorted(ts > 0, ts > 0),
            NotImplementedError, "Bool")


# ---- nonzero, masked_select -------------------------------------------------------------
@pytest.mark.parametrize("a", [np.array(2.0), np.array(0.0), np.zeros((0, 3)),
                               np.array([[0, 3, 0], [1, 0, 2]]), np.array([True, False, True]),
                               np.array([[0.0, -1.5], [np.nan, 0.0]]).T])
def test_nonzero(a, device):
    _same(mg.nonzero(_mg(a, device)), torch.nonzero(torch.tensor(a)))
    _same(_mg(a, device).nonzero(as_tuple=True), torch.tensor(a).nonzero(as_tuple=True))
    _same(mg.nonzero(_mg(a, device), as_tuple=True), torch.nonzero(torch.tensor(a),
                                                                   as_tuple=True))


@pytest.mark.parametrize("xs,ms", [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((), (3,)),
                                   ((3, 1), (1, 5)), ((0, 4), (4,)), ((), ())])
def test_masked_select(xs, ms, rng, device):
    x = rng.standard_normal(xs)
    m = rng.random(ms) < 0.5
    mm, tm = _mg(m, device), torch.tensor(m)
    check_op(lambda t: t.masked_select(mm) ** 2, lambda t: t.masked_select(tm) ** 2, [x],
             device=device, double=True)
    check_op(lambda t: mg.masked_select(t, mm), lambda t: torch.masked_select(t, tm),
             [x.T if x.ndim == 2 and ms == xs[::-1] else x], device=device)


def test_masked_select_errors():
    _raises(lambda: mg.masked_select(mg.ones(3), mg.tensor([1, 0, 1])),
            lambda: torch.masked_select(torch.ones(3), torch.tensor([1, 0, 1])), RuntimeError,
            "BoolTensor")
    _raises(lambda: mg.masked_select(mg.ones(3), mg.ones(2) > 0),
            lambda: torch.masked_select(torch.ones(3), torch.ones(2) > 0), RuntimeError,
            "masked_select")


# ---- take, take_along_dim, index_select -------------------------------------------------
@pytest.mark.parametrize("xs,idx", [((3, 4), [[-1, 3], [0, 11]]), ((5,), 2), ((), [0, 0, -1]),
                                    ((2, 3), np.zeros((0, 2), int)), ((0,), np.zeros(0, int))])
def test_take(xs, idx, rng, device):
    x = rng.standard_normal(xs)
    k = np.asarray(idx)
    mk, tk = _mg(k, device), torch.tensor(k)
    check_op(lambda t: t.take(mk) ** 2, lambda t: t.take(tk) ** 2, [x], device=device,
             double=True)
    check_op(lambda t: mg.take(t, mk), lambda t: torch.take(t, tk), [x], device=device)


def test_take_errors():
    _raises(lambda: mg.take(mg.ones(3), mg.tensor([3])),
            lambda: torch.take(torch.ones(3), torch.tensor([3])), IndexError, "out of range")
    _raises(lambda: mg.take(mg.ones(3), mg.tensor([0]).int()),
            lambda: torch.take(torch.ones(3), torch.tensor([0]).int()), RuntimeError, "int64")


@pytest.mark.parametrize("xs,ks,dim", [((3, 4), (3, 2), 1), ((3, 4), (1, 4), 0),
                                       ((3, 1), (3, 5), 1), ((1, 4), (3, 2), 1),
                                       ((2, 3, 4), (2, 1, 4), -2), ((3, 4), (5,), None),
                                       ((), (), None), ((3, 4), (3, 0), 1)])
def test_take_along_dim(xs, ks, dim, rng, device):
    x = rng.standard_normal(xs)
    n = (x.size if dim is None else (xs[dim] if xs else 1)) or 1
    k = rng.integers(0, n, ks)
    mk, tk = _mg(k, device), torch.tensor(k)
    check_op(lambda t: t.take_along_dim(mk, dim) ** 2, lambda t: t.take_along_dim(tk, dim) ** 2,
             [x], device=device, double=True)
    check_op(lambda t: mg.take_along_dim(t, mk, dim=dim),
             lambda t: torch.take_along_dim(t, tk, dim=dim), [x], device=device)


def test_take_along_dim_errors():
    x, tx = mg.ones(3, 4), torch.ones(3, 4)
    _raises(lambda: mg.take_along_dim(mg.tensor(1.0), mg.tensor(0), 0),
            lambda: torch.take_along_dim(torch.tensor(1.0), torch.tensor(0), 0), IndexError,
            "no dimensions")
    _raises(lambda: mg.take_along_dim(x, mg.tensor([0]), 0),
            lambda: torch.take_along_dim(tx, torch.tensor([0]), 0), RuntimeError,
            "same number of dimensions")
    _raises(lambda: mg.take_along_dim(x, mg.zeros(2, 4).long(), 1),
            lambda: torch.take_along_dim(tx, torch.zeros(2, 4).long(), 1), RuntimeError, "")
    with pytest.raises(RuntimeError, match="out of bounds"):   # torch reads out of bounds
        mg.take_along_dim(x, mg.tensor([[4]]), 1)


@pytest.mark.parametrize("xs,dim,idx", [((3, 4), 1, [3, 0, 3]), ((3, 4), 0, [2]),
                                        ((3, 4), -1, np.zeros(0, int)), ((), 0, [0]), ((), 0, 0),
                                        ((2, 3, 4), 2, [1, 1, 0, 3, 2]), ((0, 4), 1, [1, 1])])
def test_index_select(xs, dim, idx, rng, device):
    x = rng.standard_normal(xs)
    k = np.asarray(idx)
    for cast in (lambda a: a, lambda a: a.int()):
        mk, tk = cast(_mg(k, device)), cast(torch.tensor(k))
        check_op(lambda t: t.index_select(dim, mk) ** 2, lambda t: t.index_select(dim, tk) ** 2,
                 [x], device=device, double=True)
    check_op(lambda t: mg.index_select(t, dim, mk), lambda t: torch.index_select(t, dim, tk),
             [x.astype(np.int64) if x.size else x], device=device)


def test_index_select_errors():
    x, tx = mg.ones(3), torch.ones(3)
    _raises(lambda: mg.index_select(x, 0, mg.tensor([3])),
            lambda: torch.index_select(tx, 0, torch.tensor([3])), IndexError, "out of range")
    _raises(lambda: mg.index_select(x, 0, mg.tensor([-1])),
            lambda: torch.index_select(tx, 0, torch.tensor([-1])), IndexError, "out of range")
    for bad in (-1, 4):
        _raises(lambda: mg.ones(3, 4).index_select(1, mg.tensor([bad])),
                lambda: torch.ones(3, 4).index_select(1, torch.tensor([bad])), RuntimeError,
                "out of")
    _raises(lambda: mg.index_select(x, 0, mg.tensor([[0]])),
            lambda: torch.index_select(tx, 0, torch.tensor([[0]])), IndexError, "vector")
    _raises(lambda: mg.index_select(x, 0, mg.tensor([0.0])),
            lambda: torch.index_select(tx, 0, torch.tensor([0.0])), RuntimeError, "int")
    _raises(lambda: mg.index_select(x, 1, mg.tensor([0])),
            lambda: torch.index_select(tx, 1, torch.tensor([0])), IndexError, "dim")


# ---- index_add, index_copy, index_fill --------------------------------------------------
@pytest.mark.parametrize("xs,dim,idx", [((3, 4), 1, [3, 0, 3]), ((3, 4), 0, [2, 2]),
                                        ((3, 4), -1, np.zeros(0, int)), ((), 0, [0]),
                                        ((2, 3, 4), 1, [1, 0]), ((0, 4), 1, [1, 1])])
def test_index_add_copy(xs, dim, idx, rng, device):
    x = rng.standard_normal(xs)
    k = np.asarray(idx)
    sshape = list(xs) or [1]
    sshape[dim] = k.size
    src = rng.standard_normal(sshape if xs else ())
    mk, tk = _mg(k, device), torch.tensor(k)
    for alpha in (1, -2.5):
        check_op(lambda t, s: t.index_add(dim, mk, s, alpha=alpha) ** 2,
                 lambda t, s: t.index_add(dim, tk, s, alpha=alpha) ** 2, [x, src],
                 device=device, double=True)
    check_op(lambda t, s: mg.index_add(t, dim, mk.int(), s),
             lambda t, s: torch.index_add(t, dim, tk.int(), s), [x, src], device=device)
    ints = [(x * 5).astype(np.int64), (src * 5).astype(np.int64)]
    check_op(lambda t, s: t.index_add(dim, mk, s, alpha=2),
             lambda t, s: t.index_add(dim, tk, s, alpha=2), ints, device=device)
    if len(set(k.tolist())) == k.size:      # repeated indices: torch leaves the winner open
        check_op(lambda t, s: t.index_copy(dim, mk, s) ** 2,
                 lambda t, s: t.index_copy(dim, tk, s) ** 2, [x, src], device=device,
                 double=True)
        check_op(lambda t, s: mg.index_copy(t, dim, mk, s),
                 lambda t, s: torch.index_copy(t, dim, tk, s), ints, device=device)


@pytest.mark.parametrize("xs,dim,idx", [((3, 4), 1, [3, 0, 3]), ((3, 4), 0, [-1]),
                                        ((3, 4), -1, np.zeros(0, int)), ((), 0, [0]),
                                        ((2, 3, 4), 2, 1)])
def test_index_fill(xs, dim, idx, rng, device):
    x = rng.standard_normal(xs)
    k = np.asarray(idx)
    mk, tk = _mg(k, device), torch.tensor(k)
    check_op(lambda t: t.index_fill(dim, mk, -1.5) ** 2,
             lambda t: t.index_fill(dim, tk, -1.5) ** 2, [x], device=device, double=True)
    mk, tk = mk % max(x.ndim and xs[dim], 1), tk % max(x.ndim and xs[dim], 1)
    # (torch's backward to a tensor value fails on negative indices: they are wrapped here)
    check_op(lambda t, v: mg.index_fill(t, dim, mk, v) ** 2,
             lambda t, v: torch.index_fill(t, dim, tk, v) ** 2, [x, rng.standard_normal(())],
             device=device, double=True)
    check_op(lambda t: t.index_fill(dim, mk, 7.9), lambda t: t.index_fill(dim, tk, 7.9),
             [(x * 5).astype(np.int64)], device=device)
    check_op(lambda t: t.index_fill(dim, mk, True), lambda t: t.index_fill(dim, tk, True),
             [x > 0], device=device)


def test_index_add_copy_fill_errors():
    x, tx = mg.ones(2, 3), torch.ones(2, 3)
    k, tk = mg.tensor([0, 0]), torch.tensor([0, 0])
    for name in ("index_add", "index_copy"):
        _raises(lambda: getattr(x.double(), name)(1, k, mg.ones(2, 2).float()),
                lambda: getattr(tx.double(), name)(1, tk, torch.ones(2, 2).float()), RuntimeError,
                "dtype|scalar type")
        _raises(lambda: getattr(x, name)(1, k, mg.ones(2, 3)),
                lambda: getattr(tx, name)(1, tk, torch.ones(2, 3)),
                RuntimeError if name == "index_add" else IndexError, name)
        _raises(lambda: getattr(x, name)(1, mg.tensor([0, 3]), mg.ones(2, 2)),
                lambda: getattr(tx, name)(1, torch.tensor([0, 3]), torch.ones(2, 2)),
                RuntimeError if name == "index_add" else IndexError, "out of bounds")
    _raises(lambda: x.index_copy(1, k.int(), mg.ones(2, 2)),
            lambda: tx.index_copy(1, tk.int(), torch.ones(2, 2)), RuntimeError, "int64")
    _raises(lambda: x.index_fill(1, k, mg.ones(1)), lambda: tx.index_fill(1, tk, torch.ones(1)),
            RuntimeError, "0-dimensional")
    with pytest.raises(TypeError, match="index_add"):
        mg.index_add(x, 1, k, 1.0)


# ---- index_put, masked_scatter ----------------------------------------------------------
PUT_KEYS = {
    "rows-repeat": ((3, 4), lambda g: (g(np.array([1, 0, 1])),), (4,)),
    "pairs": ((3, 4), lambda g: (g(np.array([0, 2, 0])), g(np.array([1, 3, 1]))), (3,)),
    "bool-mask": ((3, 4), lambda g: (g(np.array([True, False, True])),), ()),
    "scalar-value": ((3, 4), lambda g: (g(np.array([2, 2])), g(np.array([0, 0]))), ()),
    "empty": ((3, 4), lambda g: (g(np.zeros(0, np.int64)),), (4,)),
}


@pytest.mark.parametrize("name", list(PUT_KEYS))
def test_index_put(name, rng, device):
    xs, key, vs = PUT_KEYS[name]
    x, v = rng.standard_normal(xs), rng.standard_normal(vs)
    mkey, tkey = key(lambda a: _mg(a, device)), key(torch.tensor)
    check_op(lambda t, u: t.index_put(mkey, u, accumulate=True) ** 2,
             lambda t, u: t.index_put(tkey, u, accumulate=True) ** 2, [x, v], device=device,
             double=True)
    check_op(lambda t, u: mg.index_put(t, list(mkey), u, True),
             lambda t, u: torch.index_put(t, list(tkey), u, True), [x, v], device=device)
    if name not in ("rows-repeat", "pairs", "scalar-value"):  # repeats: the winner is open
        check_op(lambda t, u: t.index_put(mkey, u) ** 2, lambda t, u: t.index_put(tkey, u) ** 2,
                 [x, v], device=device, double=True)
    ints = [(x * 5).astype(np.int64), (v * 5).astype(np.int64)]
    check_op(lambda t, u: t.index_put(mkey, u, accumulate=True),
             lambda t, u: t.index_put(tkey, u, accumulate=True), ints, device=device)


def test_index_put_errors():
    x, tx = mg.ones(2, 3), torch.ones(2, 3)
    _raises(lambda: x.index_put((mg.tensor([0]),), mg.tensor(1)),
            lambda: tx.index_put((torch.tensor([0]),), torch.tensor(1)), RuntimeError,
            "dtypes match")
    _raises(lambda: x.index_put((mg.tensor([5]),), mg.tensor(1.0)),
            lambda: tx.index_put((torch.tensor([5]),), torch.tensor(1.0)), IndexError,
            "out of bounds")
    _raises(lambda: x.index_put((mg.tensor([0.0]),), mg.tensor(1.0)),
            lambda: tx.index_put((torch.tensor([0.0]),), torch.tensor(1.0)), IndexError,
            "long, int, byte or bool")
    _raises(lambda: x.index_put((mg.tensor([0]),), 1.0),
            lambda: tx.index_put((torch.tensor([0]),), 1.0), TypeError, "values")
    _raises(lambda: mg.tensor(1.0).index_put((mg.tensor(True),), mg.tensor(2.0)),
            lambda: torch.tensor(1.0).index_put((torch.tensor(True),), torch.tensor(2.0)),
            IndexError, "too many indices")
    _raises(lambda: x.index_put((mg.tensor([0, 1]),), mg.ones(2)),
            lambda: tx.index_put((torch.tensor([0, 1]),), torch.ones(2)), RuntimeError,
            "shape mismatch")


@pytest.mark.parametrize("xs,ms,n", [((3, 4), (3, 4), 12), ((3, 4), (4,), 20), ((), (3,), 5),
                                     ((3, 1), (1, 4), 12), ((0, 4), (4,), 3), ((2, 3), (2, 3), 0)])
def test_masked_scatter(xs, ms, n, rng, device):
    x, src = rng.standard_normal(xs), rng.standard_normal(n)
    m = rng.random(ms) < 0.5
    if n == 0:
        m[...] = False
    mm, tm = _mg(m, device), torch.tensor(m)
    check_op(lambda t, s: t.masked_scatter(mm, s) ** 2, lambda t, s: t.masked_scatter(tm, s) ** 2,
             [x, src], device=device, double=True)
    check_op(lambda t, s: mg.masked_scatter(t, mm, s.reshape(-1, 1) if n else s),
             lambda t, s: torch.masked_scatter(t, tm, s.reshape(-1, 1) if n else s),
             [(x * 5).astype(np.int64), (src * 5).astype(np.int64)], device=device)


def test_masked_scatter_errors():
    x, tx = mg.ones(3), torch.ones(3)
    m, tm = mg.tensor([True, False, True]), torch.tensor([True, False, True])
    _raises(lambda: x.masked_scatter(m, mg.ones(1)), lambda: tx.masked_scatter(tm, torch.ones(1)),
            RuntimeError, "Number of elements of source")
    _raises(lambda: x.masked_scatter(m, mg.ones(3).long()),
            lambda: tx.masked_scatter(tm, torch.ones(3).long()), RuntimeError, "same dtypes")
    _raises(lambda: x.masked_scatter(mg.ones(3), mg.ones(3)),
            lambda: tx.masked_scatter(torch.ones(3), torch.ones(3)), RuntimeError, "boolean")


# ---- scatter_reduce ---------------------------------------------------------------------
REDUCES = ["sum", "prod", "mean", "amax", "amin"]


@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("xs,ks,ss,dim", [((4, 3), (6, 3), (6, 3), 0), ((3, 5), (3, 4), (3, 6), 1),
                                          ((), (), (), 0), ((5,), (0,), (0,), 0),
                                          ((2, 3, 4), (2, 3, 2), (2, 3, 2), -1)])
def test_scatter_reduce(reduce, include_self, xs, ks, ss, dim, rng, device):
    x, src = rng.standard_normal(xs), rng.standard_normal(ss)
    k = rng.integers(0, (xs[dim] if xs else 1), ks)
    mk, tk = _mg(k, device), torch.tensor(k)
    kw = {"include_self": include_self}
    # src larger than index: torch has no src gradient, and none at all for prod/amax/amin
    grads = None if ss == ks else [reduce in ("sum", "mean"), False]
    check_op(lambda t, s: t.scatter_reduce(dim, mk, s, reduce, **kw) ** 2,
             lambda t, s: t.scatter_reduce(dim, tk, s, reduce, **kw) ** 2, [x, src],
             device=device, double=reduce != "prod", requires_grad=grads)
    ints = [(x * 5).astype(np.int64), (src * 5).astype(np.int64)]
    check_op(lambda t, s: mg.scatter_reduce(t, dim, mk, s, reduce, **kw),
             lambda t, s: torch.scatter_reduce(t, dim, tk, s, reduce, **kw), ints,
             device=device)
    if reduce != "mean":
        check_op(lambda t, s: t.scatter_reduce(dim, mk, s, reduce, **kw),
                 lambda t, s: t.scatter_reduce(dim, tk, s, reduce, **kw),
                 [x > 0, src > 0], device=device)


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_ties_and_zeros(reduce, include_self, device):
    # ties (amax/amin share the gradient) and zeros (prod: one zero, two zeros) per target
    x = np.array([1.0, 0.0, 2.0, 3.0, 5.0])
    src = np.array([2.0, 0.0, 1.0, 0.0, 0.0, 2.0, 3.0, 7.0])
    k = np.array([0, 0, 1, 2, 2, 2, 3, 3])
    mk, tk = _mg(k, device), torch.tensor(k)
    kw = {"include_self": include_self}
    check_op(lambda t, s: t.scatter_reduce(0, mk, s, reduce, **kw) ** 2,
             lambda t, s: t.scatter_reduce(0, tk, s, reduce, **kw) ** 2, [x, src],
             device=device, double=reduce != "prod")


def test_scatter_reduce_prod_two_zeros_no_double_backward(device):
    x = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    src = mg.tensor([0.0, 0.0, 5.0], device=device, requires_grad=True)
    out = x.scatter_reduce(0, mg.tensor([0, 0, 1], device=device), src, "prod")
    gx, gs = mg.grad(out.sum(), [x, src], create_graph=True)
    np.testing.assert_allclose(gs.detach().cpu().numpy(), [0.0, 0.0, 2.0])
    with pytest.raises(RuntimeError, match="Double backward is unsupported"):
        mg.grad(gs.sum(), [x, src])


def test_scatter_reduce_prod_double_backward(rng, device):
    x, src = rng.uniform(0.5, 2, (4, 3)), rng.uniform(0.5, 2, (5, 3))
    k = rng.integers(0, 4, (5, 3))
    mk, tk = _mg(k, device), torch.tensor(k)
    check_op(lambda t, s: t.scatter_reduce(0, mk, s, "prod") ** 2,
             lambda t, s: t.scatter_reduce(0, tk, s, "prod") ** 2, [x, src], device=device,
             double=True)


def test_scatter_reduce_errors():
    x, tx = mg.ones(3), torch.ones(3)
    k, tk = mg.tensor([0, 2]), torch.tensor([0, 2])
    _raises(lambda: x.scatter_reduce(0, k, mg.ones(2), "median"),
            lambda: tx.scatter_reduce(0, tk, torch.ones(2), "median"), RuntimeError, "reduce")
    _raises(lambda: x.scatter_reduce(0, k, mg.ones(2).long(), "sum"),
            lambda: tx.scatter_reduce(0, tk, torch.ones(2).long(), "sum"), RuntimeError, "dtype")
    _raises(lambda: x.scatter_reduce(0, mg.tensor([3]), mg.ones(2), "sum"),
            lambda: tx.scatter_reduce(0, torch.tensor([3]), torch.ones(2), "sum"), RuntimeError,
            "out of bounds")
    _raises(lambda: (x > 0).scatter_reduce(0, k, mg.ones(2) > 0, "mean"),
            lambda: (tx > 0).scatter_reduce(0, tk, torch.ones(2) > 0, "mean"),
            NotImplementedError, "Bool")


# ---- in place ---------------------------------------------------------------------------
INPLACE = {
    "index_add_": lambda L, t, s, k, m: t.index_add_(1, k, s[:, :2], alpha=2),
    "index_copy_": lambda L, t, s, k, m: t.index_copy_(1, k, s[:, :2]),
    "index_fill_": lambda L, t, s, k, m: t.index_fill_(1, k, s[0, 0]),
    "index_put_": lambda L, t, s, k, m: t.index_put_((k,), s[0, 0], accumulate=True),
    "mg.index_put_": lambda L, t, s, k, m: L.index_put_(t, (k,), s[0]),
    "scatter_reduce_": lambda L, t, s, k, m: t.scatter_reduce_(0, k.expand(2, 2), s[:2, :2],
                                                               "amax", include_self=False),
    "masked_scatter_": lambda L, t, s, k, m: t.masked_scatter_(m, s),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace(name, rng, device):
    x, src = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    k, m = np.array([2, 0]), rng.random((3, 4)) < 0.5
    if name == "index_put_":
        k = np.array([1, 1, 0])
    op = INPLACE[name]

    def run(L, t, s, kk, mm):
        y = t * 1                   # a non-leaf: the write is recorded
        out = op(L, y, s, kk, mm)
        assert out is y
        return y ** 2

    check_op(lambda t, s: run(mg, t, s, _mg(k, device), _mg(m, device)),
             lambda t, s: run(torch, t, s, torch.tensor(k), torch.tensor(m)), [x, src],
             device=device, double=True)
    with pytest.raises(RuntimeError, match="leaf"):      # torch's rule for leaves
        op(mg, mg.tensor(x, requires_grad=True), mg.tensor(src), mg.tensor(k), mg.tensor(m))
    view = mg.tensor(x).t()                             # a view: the base sees the write
    tview = torch.tensor(x).t()
    op(mg, view, mg.tensor(src).t(), mg.tensor(k), mg.tensor(m.T))
    op(torch, tview, torch.tensor(src).t(), torch.tensor(k), torch.tensor(m.T))
    _same(view, tview)


# ---- gather and scatter on every dtype ----------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
def test_gather_scatter_dtypes(dtype, rng, device):
    x = (rng.standard_normal((3, 4)) * 5).astype(dtype)
    src = (rng.standard_normal((3, 4)) * 5).astype(dtype)
    k = rng.integers(0, 4, (3, 2))
    mk, tk = _mg(k, device), torch.tensor(k)
    fns = [lambda L, t, s, kk: L.gather(t, 1, kk), lambda L, t, s, kk: t.scatter(1, kk, s),
           lambda L, t, s, kk: L.scatter_add(t, 1, kk, s) if dtype != "bool" else t.gather(1, kk),
           lambda L, t, s, kk: t.scatter(1, kk, value=1)]
    for fn in fns:
        check_op(lambda t, s: fn(mg, t, s, mk), lambda t, s: fn(torch, t, s, tk), [x, src],
                 device=device, requires_grad=[False, False])
        check_op(lambda t, s: fn(mg, t, s, mk.int()), lambda t, s: fn(torch, t, s, tk.int()),
                 [x, src], device=device, requires_grad=[False, False])


def test_scatter_dtype_errors():
    x, tx = mg.ones(2, 2), torch.ones(2, 2)
    k, tk = mg.tensor([[0]]), torch.tensor([[0]])
    for name in ("scatter", "scatter_add"):
        _raises(lambda: getattr(mg, name)(x, 1, k, mg.ones(1, 1).long()),
                lambda: getattr(torch, name)(tx, 1, tk, torch.ones(1, 1).long()), RuntimeError,
                "dtype")
        _raises(lambda: getattr(mg, name)(x, 1, k.float(), mg.ones(1, 1)),
                lambda: getattr(torch, name)(tx, 1, tk.float(), torch.ones(1, 1)), RuntimeError,
                "int64")


def test_keyword_arguments_as_torch(rng):
    x, s = rng.standard_normal((3, 4)), rng.standard_normal((2, 4))
    k, m = np.array([2, 0]), x > 0
    calls = [
        lambda L, t, u, kk, mm: t.index_select(dim=0, index=kk),
        lambda L, t, u, kk, mm: L.index_select(input=t, dim=0, index=kk),
        lambda L, t, u, kk, mm: t.index_add(dim=0, index=kk, source=u, alpha=2),
        lambda L, t, u, kk, mm: t.index_copy(dim=0, index=kk, source=u),
        lambda L, t, u, kk, mm: t.index_fill(dim=0, index=kk, value=1.5),
        lambda L, t, u, kk, mm: L.index_put(input=t, indices=(kk,), values=u[0], accumulate=True),
        lambda L, t, u, kk, mm: t.scatter_reduce(dim=0, index=kk.expand(4, 2).t(), src=u,
                                                 reduce="amin", include_self=False),
        lambda L, t, u, kk, mm: t.masked_scatter(mask=mm, source=t),
        lambda L, t, u, kk, mm: L.masked_select(input=t, mask=mm),
        lambda L, t, u, kk, mm: L.take(input=t, index=kk),
        lambda L, t, u, kk, mm: L.take_along_dim(input=t, indices=kk[None], dim=1),
        lambda L, t, u, kk, mm: L.msort(input=t),
        lambda L, t, u, kk, mm: L.unique(input=kk, sorted=True, return_inverse=True,
                                         return_counts=True, dim=None),
        lambda L, t, u, kk, mm: L.nonzero(input=t > 0, as_tuple=False),
        lambda L, t, u, kk, mm: L.searchsorted(sorted_sequence=t[:2].sort().values, input=u,
                                               out_int32=True, right=False, side="right"),
        lambda L, t, u, kk, mm: L.bucketize(input=u, boundaries=t[0].sort().values, right=True),
    ]
    for call in calls:
        _same(call(mg, mg.tensor(x), mg.tensor(s), mg.tensor(k), mg.tensor(m)),
              call(torch, torch.tensor(x), torch.tensor(s), torch.tensor(k), torch.tensor(m)))
