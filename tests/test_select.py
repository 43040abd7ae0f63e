"""Sorting and selection ops of issue 15 against torch: msort, unique, searchsorted, bucketize,
nonzero, masked_select, take, take_along_dim, index_select (the writes by index are in
tests/test_index_write.py)."""
import numpy as np
import pytest
import torch
from conftest import check_op
from select_check import _mg, _raises, _same

import minigrad as mg


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
