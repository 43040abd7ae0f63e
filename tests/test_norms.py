"""Norms and distances against torch: linalg.vector_norm, linalg.matrix_norm, linalg.norm,
norm, dist, cdist (values, dtypes, gradients, second derivatives, zeros, empty, errors)."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

INF = float("inf")
ORDS = [2, 1, 0, 3, 0.5, -1, -2.5, INF, -INF]


def _vn(lib, **kw):
    return lambda t: lib.linalg.vector_norm(t, **kw)


@pytest.mark.parametrize("ord", ORDS)
@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, True), ((0, 2), False), (-1, False)])
def test_vector_norm(ord, dim, keepdim, rng, device):
    x = rng.standard_normal((3, 4, 2))
    kw = dict(ord=ord, dim=dim, keepdim=keepdim)
    check_op(_vn(mg, **kw), _vn(torch, **kw), [x], device=device, double=True)


@pytest.mark.parametrize("ord", ORDS)
def test_vector_norm_with_zeros(ord):
    x = np.array([[0.0, 0.0, 0.0], [0.0, 1.5, -2.0], [3.0, -3.0, 1.0]])
    # torch's gradient at a zero norm is 0 (not nan), and at x = 0 for ord < 1 too
    check_op(_vn(mg, ord=ord, dim=1), _vn(torch, ord=ord, dim=1), [x])
    if ord not in (0.5, -1, -2.5):              # torch's second derivative is inf/nan there
        check_op(_vn(mg, ord=ord, dim=1), _vn(torch, ord=ord, dim=1), [x[1:]], double=True)


@pytest.mark.parametrize("shape,dim", [((), None), ((), 0), ((0,), None), ((3, 0), 0),
                                       ((3, 0), 1), ((2, 0, 3), (0, 2))])
@pytest.mark.parametrize("ord", [2, 1, 0, 3, -1, INF])
def test_vector_norm_0d_and_empty(shape, dim, ord, rng):
    x = rng.standard_normal(shape)
    m, t = _run(lambda lib, a: lib.linalg.vector_norm(a, ord, dim), x)
    if isinstance(t, Exception):
        assert type(m) is type(t), (m, t)
        assert "linalg.vector_norm" in str(m)
    else:
        check_op(_vn(mg, ord=ord, dim=dim), _vn(torch, ord=ord, dim=dim), [x])


def _run(f, *arrays):
    out = []
    for lib in (mg, torch):
        try:
            out.append(f(lib, *[lib.tensor(a) for a in arrays]))
        except Exception as e:     # noqa: BLE001 (compared by the caller)
            out.append(e)
    return out


def test_vector_norm_non_contiguous_and_dtypes(rng):
    x = rng.standard_normal((5, 4))
    check_op(lambda t: mg.linalg.vector_norm(t.t()[::2], 3, 1),
             lambda t: torch.linalg.vector_norm(t.t()[::2], 3, 1), [x])
    x32 = x.astype(np.float32)
    out = check_op(_vn(mg, dtype=mg.float64), _vn(torch, dtype=torch.float64), [x32],
                   rtol=1e-6, atol=1e-7)[0]
    assert out.dtype == mg.float64
    assert mg.linalg.vector_norm(mg.tensor(x32)).dtype == mg.float32


def test_vector_norm_errors():
    x = mg.ones(2, 3)
    cases = [
        (lambda: mg.linalg.vector_norm(mg.tensor([1, 2])), RuntimeError, "floating point"),
        (lambda: mg.linalg.vector_norm(x, dtype=mg.int64), RuntimeError, "dtype should be"),
        (lambda: mg.linalg.vector_norm(x, dtype=mg.float16), RuntimeError, "narrowing"),
        (lambda: mg.linalg.vector_norm(x, "fro"), TypeError, "ord"),
        (lambda: mg.linalg.vector_norm(mg.zeros(0), INF), RuntimeError, "inf norm on an empty"),
        (lambda: mg.linalg.vector_norm(mg.zeros(3, 0), -1, 1), RuntimeError, "dimension 1"),
        (lambda: mg.linalg.vector_norm(x, 2, (0, 0)), RuntimeError, "multiple times"),
        (lambda: mg.linalg.vector_norm(x, 2, 2), IndexError, "vector_norm"),
    ]
    for f, kind, msg in cases:
        with pytest.raises(kind, match=msg):
            f()


# ---- matrix norms --------------------------------------------------------------------------
MATRIX_ORDS = ["fro", "nuc", 1, -1, 2, -2, INF, -INF]


@pytest.mark.parametrize("ord", MATRIX_ORDS)
@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((0, 2), True), ((2, 0), False)])
def test_matrix_norm(ord, dim, keepdim, rng):
    x = rng.standard_normal((3, 2, 4))
    kw = dict(ord=ord, dim=dim, keepdim=keepdim)
    svd = ord in ("nuc", 2, -2)
    check_op(lambda t: mg.linalg.matrix_norm(t, **kw),
             lambda t: torch.linalg.matrix_norm(t, **kw), [x], double=not svd)


def test_svd_norms_double_backward_raises(rng):
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    for ord in ("nuc", 2, -2):
        y = mg.linalg.matrix_norm(x, ord) + (x * x).sum()
        g, = mg.grad(y, [x], create_graph=True)
        with pytest.raises(RuntimeError, match="double backward"):
            mg.grad(g.sum(), [x])


@pytest.mark.parametrize("ord", MATRIX_ORDS)
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 0)])
def test_matrix_norm_empty(ord, shape):
    x = np.zeros(shape)
    m, t = _run(lambda lib, a: lib.linalg.matrix_norm(a, ord), x)
    if isinstance(t, Exception):
        assert type(m) is type(t), (m, t)
    else:
        check_op(lambda a: mg.linalg.matrix_norm(a, ord),
                 lambda a: torch.linalg.matrix_norm(a, ord), [x])


def test_matrix_norm_errors():
    cases = [(lambda: mg.linalg.matrix_norm(mg.ones(3)), "at least 2 dimensions"),
             (lambda: mg.linalg.matrix_norm(mg.ones(2, 2), 3), "Order 3 not supported"),
             (lambda: mg.linalg.matrix_norm(mg.ones(2, 2), "abc"), "Order abc"),
             (lambda: mg.linalg.matrix_norm(mg.ones(2, 2, 2), dim=(0, 1, 2)), "2-tuple"),
             (lambda: mg.linalg.matrix_norm(mg.ones(2, 2), dim=(0, -2)), "different"),
             (lambda: mg.linalg.matrix_norm(mg.tensor([[1, 2]])), "floating point")]
    for f, msg in cases:
        with pytest.raises(RuntimeError, match=msg):
            f()


# ---- linalg.norm and norm ------------------------------------------------------------------
@pytest.mark.parametrize("shape,kw", [
    ((3, 4, 2), {}), ((3, 4, 2), {"keepdim": True}), ((5,), {"ord": 3}), ((5,), {"ord": -INF}),
    ((3, 4), {"ord": "nuc"}), ((3, 4), {"ord": 1}), ((3, 4), {"ord": INF}),
    ((3, 4, 2), {"dim": 1, "ord": 0.5}), ((3, 4, 2), {"dim": (2, 0), "ord": -1}),
    ((3, 4, 2), {"dim": (0, 1), "ord": "fro"}), ((3, 4, 2), {"dim": (1,)})])
def test_linalg_norm(shape, kw, rng):
    x = rng.standard_normal(shape)
    check_op(lambda t: mg.linalg.norm(t, **kw), lambda t: torch.linalg.norm(t, **kw), [x],
             double=kw.get("ord") != "nuc")


@pytest.mark.parametrize("shape,kw", [
    ((3, 4, 2), {}), ((3, 4, 2), {"p": "fro", "dim": 1}), ((3, 4, 2), {"p": 3, "dim": (0, 2)}),
    ((3, 4), {"p": "nuc"}), ((3, 4, 2), {"p": "nuc", "dim": (0, 2), "keepdim": True}),
    ((3, 4), {"p": INF}), ((3, 4), {"p": 1, "dim": 0, "keepdim": True}), ((), {}),
    ((0, 3), {"p": 2, "dim": 1}), ((3, 4, 2), {"p": 3, "dim": (0, 1, 2)})])
def test_torch_norm_and_method(shape, kw, rng):
    x = rng.standard_normal(shape)
    double = kw.get("p") != "nuc"
    check_op(lambda t: mg.norm(t, **kw), lambda t: torch.norm(t, **kw), [x], double=double)
    check_op(lambda t: t.norm(**kw), lambda t: t.norm(**kw), [x])


@pytest.mark.parametrize("f", [
    lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), 2),
    lambda lib: lib.linalg.norm(lib.ones(2), "fro"),
    lambda lib: lib.linalg.norm(lib.ones(2, 3), dim=(0, 1, 2)),
    lambda lib: lib.norm(lib.ones(2, 2, 2), "nuc"),
    lambda lib: lib.norm(lib.ones(2), "nuc"),
    lambda lib: lib.norm(lib.tensor([1, 2])),
    lambda lib: lib.norm(lib.ones(2, 2, 2), "fro", (0, 1, 2)),
])
def test_norm_errors_as_torch(f):
    with pytest.raises(Exception) as t:
        f(torch)
    with pytest.raises(type(t.value)):
        f(mg)


# ---- dist, cdist ---------------------------------------------------------------------------
@pytest.mark.parametrize("p", [2, 1, 0, 3, INF, 0.5])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ())])
def test_dist(p, shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    grad = None if p else [False, False]        # torch's dist(p=0) backward returns None
    check_op(lambda x, y: mg.dist(x, y, p), lambda x, y: torch.dist(x, y, p), [a, b],
             double=p not in (0, 0.5), requires_grad=grad)
    check_op(lambda x, y: x.dist(y, p=p), lambda x, y: x.dist(y, p=p), [a, b],
             requires_grad=grad)


def test_dist_errors():
    for lib in (torch, mg):
        with pytest.raises(RuntimeError, match="floating point"):
            lib.dist(lib.tensor([1, 2]), lib.tensor([1, 3]))
        with pytest.raises(TypeError, match="other"):
            lib.dist(lib.ones(2), 2.0)


@pytest.mark.parametrize("p", [2.0, 1.0, 0.0, 3.0, INF, 0.5])
@pytest.mark.parametrize("shapes", [((4, 3), (5, 3)), ((2, 4, 3), (5, 3)), ((2, 1, 4, 3),
                                                                            (3, 5, 3))])
def test_cdist(p, shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    check_op(lambda x, y: mg.cdist(x, y, p), lambda x, y: torch.cdist(x, y, p), [a, b])


def test_cdist_equal_rows_zero_gradient_and_empty(rng):
    a = rng.standard_normal((3, 2))
    b = np.concatenate([a[:2], rng.standard_normal((2, 2))])
    check_op(lambda x, y: mg.cdist(x, y), lambda x, y: torch.cdist(x, y), [a, b])
    for sa, sb in [((0, 3), (4, 3)), ((3, 0), (4, 0)), ((2, 3), (0, 3))]:
        check_op(lambda x, y: mg.cdist(x, y), lambda x, y: torch.cdist(x, y),
                 [rng.standard_normal(sa), rng.standard_normal(sb)])
    x32 = rng.standard_normal((4, 3)).astype(np.float32)
    check_op(lambda x, y: mg.cdist(x, y), lambda x, y: torch.cdist(x, y), [x32, x32[:2]],
             rtol=1e-5, atol=1e-6)


def test_cdist_errors():
    two = (mg.ones(3, 2), mg.ones(4, 2))
    cases = [(lambda: mg.cdist(mg.ones(2), mg.ones(4, 2)), RuntimeError, "at least 2D"),
             (lambda: mg.cdist(mg.ones(3, 2), mg.ones(4, 3)), RuntimeError, "same number"),
             (lambda: mg.cdist(*two, p=-1), RuntimeError, "non-negative"),
             (lambda: mg.cdist(*two, compute_mode="x"), ValueError, "compute_mode"),
             (lambda: mg.cdist(mg.tensor([[1, 2]]), mg.tensor([[1, 2]])), RuntimeError,
              "floating-point")]
    for f, kind, msg in cases:
        with pytest.raises(kind, match=msg):
            f()
    out = mg.cdist(*two, compute_mode="use_mm_for_euclid_dist")
    assert out.shape == (3, 4)
    for f in (lambda lib: lib.cdist(lib.ones(2, 3, 2), lib.ones(3, 4, 2)),
              lambda lib: lib.cdist(lib.ones(3, 2, dtype=lib.float64), lib.ones(4, 2,
                                                                           dtype=lib.float32))):
        with pytest.raises(RuntimeError):
            f(torch)
        with pytest.raises(RuntimeError, match="cdist"):
            f(mg)


@pytest.mark.parametrize("p", [2.0, INF, 1.0])
def test_cdist_ties_and_double_backward_as_torch(p, rng):
    # inf: every coordinate at the max gets the full gradient (torch's cdist, unlike amax)
    a = np.array([[0.0, 0.0], [1.0, 2.0]])
    b = np.array([[1.0, 1.0], [3.0, -1.0], [1.0, 2.0]])
    check_op(lambda x, y: mg.cdist(x, y, p), lambda x, y: torch.cdist(x, y, p), [a, b])
    for lib in (torch, mg):
        x = lib.tensor(rng.standard_normal((3, 2)), requires_grad=True)
        g, = lib.autograd.grad(lib.cdist(x, x * 2, p).sum(), [x], create_graph=True) \
            if lib is torch else mg.grad(mg.cdist(x, x * 2, p).sum(), [x], create_graph=True)
        with pytest.raises(RuntimeError, match="_cdist_backward"):
            if lib is torch:
                torch.autograd.grad(g.sum(), [x])
            else:
                mg.grad(g.sum(), [x])


def test_cdist_large_blocks(rng):
    # more rows than one block of differences holds: the blocks tile the output
    a, b = rng.standard_normal((300, 8)), rng.standard_normal((2000, 8))
    check_op(lambda x, y: mg.cdist(x, y, 3.0), lambda x, y: torch.cdist(x, y, 3.0), [a, b])


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
                                  "prod", "all", "any", "count_nonzero", "nansum", "nanmean",
                                  "norm", "linalg.vector_norm", "linalg.matrix_norm",
                                  "linalg.norm"])
def test_non_tensor_input_is_a_type_error(name):
    fn = mg.linalg if name.startswith("linalg.") else mg
    args = (0,) if name.startswith("cum") or name == "logcumsumexp" else ()
    with pytest.raises(TypeError, match="must be Tensor"):
        getattr(fn, name.split(".")[-1])([[1.0, 2.0]], *args)
    with pytest.raises(TypeError, match="x2"):
        mg.cdist(mg.ones(2, 2), [[1.0, 2.0]])


@pytest.mark.parametrize("f", [
    lambda L, t: L.dist(t, t * 0, INF), lambda L, t: L.linalg.vector_norm(t, INF, 1),
    lambda L, t: L.linalg.vector_norm(t, -INF), lambda L, t: L.linalg.matrix_norm(t, INF),
    lambda L, t: L.linalg.matrix_norm(t, -1), lambda L, t: L.norm(t, INF)])
def test_norm_ties_share_the_gradient_as_torch(f):
    x = np.array([[1.0, -3.0, 3.0], [2.0, 2.0, 0.5], [3.0, 1.0, -1.0]])
    check_op(lambda t: f(mg, t), lambda t: f(torch, t), [x])
