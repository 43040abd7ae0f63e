"""Matrix products, einsum, matrix structure and creation (issue 15) against torch in float64:
values, dtypes, gradients for a random upstream gradient and second derivatives, on every
device; integer inputs, 0-d, empty and non-contiguous inputs; torch's errors."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import check_op

import minigrad as mg

torch = pytest.importorskip("torch")


def _r(rng, *shape):
    return rng.standard_normal(shape)


# ---- products ------------------------------------------------------------------------------
PRODUCTS = [
    ("mm", [(2, 3), (3, 4)]), ("bmm", [(2, 3, 4), (2, 4, 5)]), ("mv", [(3, 4), (4,)]),
    ("dot", [(5,), (5,)]), ("vdot", [(5,), (5,)]), ("outer", [(3,), (4,)]),
    ("kron", [(2, 3), (3, 2)]), ("kron", [(2,), (2, 3, 2)]), ("tensordot", [(2, 3, 4), (3, 4, 2)]),
]


@pytest.mark.parametrize("name,shapes", PRODUCTS, ids=[f"{n}{s}" for n, s in PRODUCTS])
def test_products_match_torch(device, rng, name, shapes):
    arrays = [_r(rng, *s) for s in shapes]
    check_op(getattr(mg, name), getattr(torch, name), arrays, device=device, double=True)


@pytest.mark.parametrize("name", ["mm", "bmm", "mv", "dot", "outer", "kron"])
def test_products_as_methods(rng, name):
    shapes = dict(PRODUCTS)[name]
    check_op(lambda a, b: getattr(a, name)(b), lambda a, b: getattr(a, name)(b),
             [_r(rng, *s) for s in shapes], double=True)


ADD = [("addmm", [(4,), (2, 3), (3, 4)]), ("addmm", [(2, 1), (2, 3), (3, 4)]),
       ("addbmm", [(2, 4), (5, 2, 3), (5, 3, 4)]), ("baddbmm", [(5, 1, 4), (5, 2, 3), (5, 3, 4)]),
       ("addmv", [(), (2, 3), (3,)])]


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, -2.0), (0, 3)])
@pytest.mark.parametrize("name,shapes", ADD, ids=[f"{n}{s}" for n, s in ADD])
def test_add_products(device, rng, name, shapes, beta, alpha):
    arrays = [_r(rng, *s) for s in shapes]
    check_op(lambda *x: getattr(mg, name)(*x, beta=beta, alpha=alpha),
             lambda *x: getattr(torch, name)(*x, beta=beta, alpha=alpha), arrays,
             device=device, double=True)
    check_op(lambda x, *y: getattr(x, name)(*y, beta=beta, alpha=alpha),
             lambda x, *y: getattr(x, name)(*y, beta=beta, alpha=alpha), arrays)


def test_add_products_beta_zero_ignores_nan(rng):
    nan = np.full(4, np.nan)
    out = check_op(lambda x, a, b: mg.addmm(x, a, b, beta=0),
                   lambda x, a, b: torch.addmm(x, a, b, beta=0),
                   [nan, _r(rng, 2, 3), _r(rng, 3, 4)])[0]
    assert np.isfinite(out.detach().numpy()).all()


@pytest.mark.parametrize("name", ["addmm_", "addbmm_", "baddbmm_", "addmv_"])
def test_add_products_in_place(rng, name):
    shapes = {n: s for n, s in ADD if n != "addmv"}
    shapes["addmv"] = [(2,), (2, 3), (3,)]
    shapes = [s if i else s[:0] + (2, 4) if name == "addmm_" else s
              for i, s in enumerate(shapes[name[:-1]])]
    if name == "baddbmm_":
        shapes[0] = (5, 2, 4)

    def run(lib):
        def f(x, a, b):
            y = x * 1
            getattr(y, name)(a, b, beta=0.5, alpha=2)
            return y
        return f
    check_op(run(mg), run(torch), [_r(rng, *s) for s in shapes], double=True)


def test_integer_products():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    b = np.arange(12, dtype=np.int32).reshape(3, 4) - 5
    for name, args in [("mm", (a, b)), ("dot", (a[0], b[:, 0])), ("mv", (a, b[:, 1])),
                       ("outer", (a[0], b[0])), ("kron", (a, b)), ("tensordot", (a, b, 1))]:
        check_op(getattr(mg, name), getattr(torch, name), list(args))
    check_op(lambda x, y, z: mg.addmm(x, y, z, beta=2, alpha=3),
             lambda x, y, z: torch.addmm(x, y, z, beta=2, alpha=3), [b[0], a, b])
    assert mg.outer(mg.tensor(a[0]), mg.tensor([1.5])).dtype == mg.float32     # promoted


@pytest.mark.parametrize("name,args,kind,match", [
    ("mm", [(2, 3), (4, 2)], RuntimeError, "cannot be multiplied"),
    ("mm", [(3,), (3, 2)], RuntimeError, "must be a matrix"),
    ("bmm", [(2, 3, 4), (3, 4, 5)], RuntimeError, "expected mat2"),
    ("mv", [(2, 3), (4,)], RuntimeError, "size mismatch"),
    ("dot", [(3,), (4,)], RuntimeError, "inconsistent"),
    ("dot", [(2, 3), (2, 3)], RuntimeError, "vector"),
    ("outer", [(2, 3), (3,)], RuntimeError, "vector"),
    ("tensordot", [(2, 3), (3, 2)], RuntimeError, "contracted dimensions"),
])
def test_product_errors(rng, name, args, kind, match):
    xs = [mg.tensor(_r(rng, *s)) for s in args]
    with pytest.raises(kind, match=match):
        getattr(mg, name)(*xs)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(*[torch.tensor(x.numpy()) for x in xs])


def test_product_dtype_errors():
    f, i = mg.ones(2, 2, dtype=mg.float64), mg.ones(2, 2, dtype=mg.int64)
    for fn in (mg.mm, mg.bmm):
        with pytest.raises(RuntimeError, match="same dtype"):
            fn(f[None] if fn is mg.bmm else f, i[None] if fn is mg.bmm else i)
    with pytest.raises(RuntimeError, match="same dtype"):
        mg.dot(f[0], i[0])
    with pytest.raises(RuntimeError, match="integer"):
        mg.addmm(i, i, i, beta=0.5)
    with pytest.raises(TypeError, match="'mat2' must be Tensor"):
        mg.mm(f, np.ones((2, 2)))
    with pytest.raises(RuntimeError, match="unbroadcast"):          # torch's quirk: see addmv
        mg.addmv(mg.ones(1), mg.ones(2, 0), mg.ones(0))


def test_tensordot_dims_forms(rng):
    a, b = _r(rng, 2, 3, 4), _r(rng, 4, 3, 5)
    for dims in [([1, 2], [1, 0]), ([2], [0]), 1 and ([-1], [0]), 0]:
        bb = b if dims != 0 else _r(rng, 2)
        check_op(lambda x, y: mg.tensordot(x, y, dims=dims),
                 lambda x, y: torch.tensordot(x, y, dims=dims), [a, bb], double=True)


# ---- einsum --------------------------------------------------------------------------------
EINSUM = [("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(0, 3), (3, 4)]), ("ii->i", [(3, 3)]),
          ("ii", [(4, 4)]), ("iij->ji", [(3, 3, 2)]), ("iji->j", [(3, 2, 3)]),
          ("ij->", [(2, 3)]), ("ij->j", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
          ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
          ("...ij,jk", [(2, 5, 2, 3), (3, 4)]), ("b i d, b j d -> b i j", [(2, 3, 4), (2, 5, 4)]),
          ("i,i,i->", [(4,), (4,), (4,)]), ("ij,ij->i", [(1, 3), (4, 3)]),
          ("ijk->kji", [(2, 3, 4)]), ("...", [()]), ("ab,cd->", [(2, 3), (4, 5)]),
          ("ii,ij->j", [(3, 3), (3, 2)])]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum(device, rng, eq, shapes):
    arrays = [_r(rng, *s) for s in shapes]
    check_op(lambda *x: mg.einsum(eq, *x), lambda *x: torch.einsum(eq, *x), arrays,
             device=device, double=True)


def test_einsum_list_non_contiguous_and_ints(rng):
    a, b = _r(rng, 4, 3).T, _r(rng, 4, 6)[:, ::2]
    check_op(lambda x, y: mg.einsum("ij,jk->ik", [x, y]),
             lambda x, y: torch.einsum("ij,jk->ik", [x, y]), [a, b], double=True)
    k = np.arange(6).reshape(2, 3)
    check_op(lambda x: mg.einsum("ij->ji", x), lambda x: torch.einsum("ij->ji", x), [k])


@pytest.mark.parametrize("eq,shapes,match", [
    ("ij,jk->ik", [(2, 3), (4, 5)], "subscript j has size"),
    ("ij->ik", [(2, 3)], "does not appear"),
    ("ij", [(2, 3, 4)], "number of subscripts"),
    ("ij,jk", [(2, 3)], "fewer operands"),
    ("i1", [(2, 3)], "invalid subscript"),
    ("ii", [(2, 3)], "size"),
    ("ij->ii", [(2, 3)], "more than once"),
])
def test_einsum_errors(rng, eq, shapes, match):
    xs = [mg.tensor(_r(rng, *s)) for s in shapes]
    with pytest.raises(RuntimeError, match=match):
        mg.einsum(eq, *xs)
    with pytest.raises(RuntimeError):
        torch.einsum(eq, *[torch.tensor(x.numpy()) for x in xs])


def test_einsum_sublist_form(rng):
    a, b = _r(rng, 2, 3), _r(rng, 3, 4)
    check_op(lambda x, y: mg.einsum(x, [0, 1], y, [1, 2], [0, 2]),
             lambda x, y: torch.einsum(x, [0, 1], y, [1, 2], [0, 2]), [a, b], double=True)
    check_op(lambda x: mg.einsum(x, [Ellipsis, 1]), lambda x: torch.einsum(x, [Ellipsis, 1]),
             [_r(rng, 2, 5, 3)])


def test_meshgrid_default_indexing_warns():
    with pytest.warns(UserWarning, match="indexing"):
        g = mg.meshgrid(mg.ones(2), mg.ones(3))
    assert g[0].shape == (2, 3)


def test_einsum_result_is_not_a_view():
    for eq, shape in [("ij->ji", (2, 3)), ("ii->i", (3, 3)), ("ij", (2, 3))]:
        a = mg.zeros(*shape)
        out = mg.einsum(eq, a)
        out += 1
        assert a.sum().item() == 0, eq


def test_einsum_dtype_error():
    with pytest.raises(RuntimeError, match="same dtype"):
        mg.einsum("i,i->", mg.ones(3, dtype=mg.float64), mg.ones(3, dtype=mg.int64))


# ---- matrix structure ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["tril", "triu"])
@pytest.mark.parametrize("k", [0, 1, -2, 5])
def test_tril_triu(device, rng, name, k):
    for shape in [(3, 4), (2, 4, 3), (0, 3)]:
        check_op(lambda x: getattr(mg, name)(x, k), lambda x: getattr(torch, name)(x, k),
                 [_r(rng, *shape)], device=device, double=True)
    check_op(lambda x: getattr(x, name)(diagonal=k), lambda x: getattr(x, name)(diagonal=k),
             [np.arange(12).reshape(3, 4)])


def test_tril_triu_in_place_and_errors(rng):
    for name in ["tril_", "triu_"]:
        x = _r(rng, 3, 3)
        mx, tx = mg.tensor(x), torch.tensor(x)
        assert getattr(mx, name)(1) is mx
        getattr(tx, name)(1)
        np.testing.assert_array_equal(mx.numpy(), tx.numpy())
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        mg.tril(mg.ones(3))


@pytest.mark.parametrize("args", [(0, 0, 1), (1, 0, 1), (-1, 1, 0), (2, 2, 0), (0, -1, -3),
                                  (9, 0, 1)])
def test_diagonal(device, rng, args):
    check_op(lambda x: mg.diagonal(x, *args), lambda x: torch.diagonal(x, *args),
             [_r(rng, 3, 4, 5)], device=device, double=True)
    check_op(lambda x: x.diagonal(*args), lambda x: x.diagonal(*args),
             [_r(rng, 3, 5, 4).transpose(1, 0, 2)])


@pytest.mark.parametrize("args", [(0, -2, -1), (1, 0, 2), (-2, 2, 0), (0, 1, 0)])
def test_diag_embed(device, rng, args):
    for shape in [(3,), (2, 4), (0,), ()]:
        x = _r(rng, *shape)
        if not all(-len(shape) - 1 <= d <= len(shape) for d in args[1:]):
            with pytest.raises(IndexError, match="out of range"):
                mg.diag_embed(mg.tensor(x), *args)
            with pytest.raises(IndexError):
                torch.diag_embed(torch.tensor(x), *args)
            continue
        check_op(lambda x: mg.diag_embed(x, *args), lambda x: torch.diag_embed(x, *args),
                 [x], device=device, double=True)


@pytest.mark.parametrize("k", [0, 2, -1])
def test_diag_and_trace(device, rng, k):
    for shape in [(4,), (3, 5), (0,), (0, 3)]:
        check_op(lambda x: mg.diag(x, k), lambda x: torch.diag(x, k), [_r(rng, *shape)],
                 device=device, double=True)
    check_op(mg.trace, torch.trace, [_r(rng, 3, 5)], device=device, double=True)
    check_op(lambda x: x.trace(), lambda x: x.trace(), [np.arange(9, dtype=np.int32).reshape(3, 3)])


def test_structure_errors():
    with pytest.raises(RuntimeError, match="1D or 2D"):
        mg.diag(mg.ones(2, 2, 2))
    with pytest.raises(RuntimeError, match="cannot be identical"):
        mg.diagonal(mg.ones(2, 2), 0, 1, 1)
    with pytest.raises(IndexError, match="out of range"):
        mg.diagonal(mg.ones(2, 2), 0, 0, 2)
    with pytest.raises(RuntimeError, match="expected a matrix"):
        mg.trace(mg.ones(3))
    with pytest.raises(TypeError, match="'diagonal' must be int"):
        mg.tril(mg.ones(2, 2), 1.5)


def test_block_diag(device, rng):
    arrays = [_r(rng, 2, 3), _r(rng, 3), _r(rng), _r(rng, 0, 2), _r(rng, 3, 2).T]
    check_op(lambda *x: mg.block_diag(*x), lambda *x: torch.block_diag(*x), arrays,
             device=device, double=True)
    check_op(lambda a, b: mg.block_diag(a, b), lambda a, b: torch.block_diag(a, b),
             [np.arange(4, dtype=np.int32).reshape(2, 2), _r(rng, 2)])
    assert mg.block_diag().shape == (1, 0)
    with pytest.raises(RuntimeError, match="2 or fewer"):
        mg.block_diag(mg.ones(2, 2, 2))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_and_cartesian_prod(device, rng, indexing):
    for shapes in [[(2,), (3,)], [(2,), (0,), (4,)], [(), (3,)], [(3,)], [(2,), (3,), (4,)]]:
        arrays = [_r(rng, *s) for s in shapes]
        check_op(lambda *x: mg.meshgrid(*x, indexing=indexing),
                 lambda *x: torch.meshgrid(*x, indexing=indexing), arrays, device=device,
                 double=True)
        if all(len(s) == 1 for s in shapes):
            check_op(lambda *x: mg.cartesian_prod(*x), lambda *x: torch.cartesian_prod(*x),
                     arrays, device=device, double=True)
    with pytest.raises(RuntimeError, match="indexing"):
        mg.meshgrid(mg.ones(2), indexing="ji")
    with pytest.raises(RuntimeError, match="same dtype"):
        mg.meshgrid(mg.ones(2), mg.ones(2, dtype=mg.int64))
    with pytest.raises(RuntimeError, match="0D or 1D"):
        mg.meshgrid(mg.ones(2, 2))


# ---- creation ------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(0, 1, 5), (-3.5, 2, 8), (2, -2, 1), (0, 1, 0), (1, 1e6, 7),
                                  (0.1, 0.7, 101)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_linspace_logspace(args, dtype):
    mt, tt = getattr(mg, dtype), getattr(torch, dtype)
    a, b = mg.linspace(*args, dtype=mt), torch.linspace(*args, dtype=tt)
    assert a.dtype == mt and a.shape == tuple(b.shape)
    # torch's CPU kernel adds the step in SIMD chunks (start + i * step from each chunk's
    # start): the last bit depends on the vector width, so a few ulps are allowed
    tol = {"float32": 3e-7, "float64": 1e-15, "int64": 0}[dtype]
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=tol, atol=tol)
    if abs(args[1]) < 100:
        a, b = mg.logspace(*args, base=2.0, dtype=mt), torch.logspace(*args, base=2.0, dtype=tt)
        assert a.dtype == mt and a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6 if dtype == "float32" else
                                   1e-12)


def test_creation_errors_and_defaults():
    assert mg.linspace(0, 1, 3).dtype == mg.float32
    assert mg.logspace(0, 1, 3, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="non-negative"):
        mg.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="steps"):
        mg.linspace(0, 1, 2.5)
    with pytest.raises(RuntimeError, match="greater or equal to 0"):
        mg.eye(-1)
    assert mg.eye(2, 3, dtype=mg.int64).dtype == mg.int64
    assert mg.full((2,), True).dtype == mg.bool and mg.full((2,), 3).dtype == mg.int64


def test_randint_like_and_new():
    x = mg.ones(2, 3, dtype=mg.int32)
    r = mg.randint_like(x, 2, 5)
    assert r.dtype == mg.int32 and r.shape == (2, 3)
    assert ((r.numpy() >= 2) & (r.numpy() < 5)).all()
    assert mg.randint_like(mg.ones(4), 3).dtype == mg.float32
    with pytest.raises(RuntimeError, match="from"):
        mg.randint_like(x, 5, 5)
    f = mg.ones(2, dtype=mg.float64)
    for name in ["new_zeros", "new_ones", "new_empty"]:
        t = getattr(f, name)(2, 3)
        assert t.dtype == mg.float64 and t.shape == (2, 3) and not t.requires_grad
        assert getattr(f, name)((0,), dtype=mg.int32).dtype == mg.int32
        assert getattr(f, name)((), requires_grad=True).requires_grad
    assert f.new_full((2,), 7).dtype == mg.float64
    assert x.new_full((2,), 1.5).tolist() == torch.ones(1, dtype=torch.int32).new_full(
        (2,), 1.5).tolist()
    assert x.new_tensor([1.5, 2.5]).dtype == mg.int32
    assert f.new_tensor([1, 2]).dtype == mg.float64
    with pytest.raises(RuntimeError, match="floating point"):
        x.new_zeros(2, requires_grad=True)
    for name in ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"]:
        t = getattr(mg, name)(f, dtype=mg.float32, requires_grad=True)
        assert t.dtype == mg.float32 and t.requires_grad and t.shape == (2,)
    assert mg.full_like(x, 2.7).dtype == mg.int32 and mg.full_like(x, 2.7).tolist() == [[2] * 3] * 2


def test_diagonal_is_a_view_and_diag_a_copy(rng):
    """torch's diagonal is a view (writes reach the input, autograd follows them); diag of a
    matrix is a copy."""
    a = _r(rng, 3, 4)
    for offset in [1, -1]:
        def f(lib):
            def run(x):
                y = x * 2
                y.diagonal(offset).mul_(3)
                d = y.diag(offset)
                d += 1
                return y, d
            return run
        check_op(f(mg), f(torch), [a], double=True)
