"""Writes by index (issue 15) against torch: index_add, index_copy, index_fill, index_put,
scatter_reduce, masked_scatter, their in-place forms, and gather and scatter on every dtype
torch accepts."""
import numpy as np
import pytest
import torch
from conftest import check_op
from select_check import _mg, _raises, _same

import minigrad as mg


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
