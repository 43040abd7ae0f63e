"""minigrad.linalg's decompositions against torch in float64: cholesky(_ex), qr, svd,
svdvals, eigh, eigvalsh (values, gradients for a random upstream gradient, second
derivatives), batched and empty inputs, float32, and errors.

Singular vectors and eigenvectors are unique up to sign, and the sign LAPACK picks depends on
the build (NumPy's and torch's agree for many inputs, not all: wide SVDs and batched eighs
differ), so their gradients are compared on gauge-invariant losses, as torch's own docs
advise: U S V^T, U V^T (the polar factor), V diag(f(L)) V^T, |U|, U * U."""
import numpy as np
import pytest

import minigrad as mg
from conftest import check_op

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(1)


def rand(*shape):
    return RNG.standard_normal(shape)


def spd(*shape):
    a = rand(*shape)
    return a @ a.swapaxes(-1, -2) + shape[-1] * np.eye(shape[-1])


def pair(fn):
    return (lambda *xs: fn(mg, *xs)), (lambda *xs: fn(torch, *xs))


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (1, 1), (0, 0), (2, 0, 0)])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(shape, upper):
    a = spd(*shape) if shape[-1] else rand(*shape)
    check_op(*pair(lambda L, x: L.linalg.cholesky(x, upper=upper)), [a], double=True)
    check_op(*pair(lambda L, x: tuple(L.linalg.cholesky_ex(x, upper=upper))), [a])


def test_cholesky_reads_one_triangle_and_errors():
    a = spd(4, 4)
    junk = a.copy()
    junk[0, 3] = 100.0                          # only the lower triangle is read
    check_op(*pair(lambda L, x: L.linalg.cholesky(x)), [junk], double=True)
    bad = np.stack([np.eye(3), -np.eye(3)])
    for fn in (lambda L, x: L.linalg.cholesky(x), lambda L, x: L.linalg.cholesky(x[1]),
               lambda L, x: L.cholesky(x[1])):
        with pytest.raises(torch.linalg.LinAlgError) as te:
            fn(torch, torch.tensor(bad))
        with pytest.raises(mg.linalg.LinAlgError) as me:
            fn(mg, mg.tensor(bad))
        assert str(me.value) == str(te.value)
    m, t = mg.linalg.cholesky_ex(mg.tensor(bad)), torch.linalg.cholesky_ex(torch.tensor(bad))
    assert m.info.tolist() == t.info.tolist() and m.info.dtype == mg.int32
    np.testing.assert_allclose(m.L.numpy(), t.L.numpy())


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 4, 3), (2, 3, 4), (0, 3), (3, 0)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(shape, mode):
    a = rand(*shape)
    grad = mode == "reduced" or (mode == "complete" and shape[-2] <= shape[-1])
    check_op(*pair(lambda L, x: tuple(L.linalg.qr(x, mode=mode))), [a], double=grad,
             requires_grad=[grad])


def test_qr_backward_errors():
    x = mg.tensor(rand(4, 3), requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        mg.linalg.qr(x, mode="r").R.sum().backward()
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        mg.linalg.qr(x, mode="complete").Q.sum().backward()


def _svd_gauge(L, x, full):
    u, s, vh = L.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    u, vh = u[..., :k], vh[..., :k, :]
    return (u * s.unsqueeze(-2)) @ vh, u @ vh, s, u.abs(), vh * vh


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 4, 3), (2, 3, 4)])
@pytest.mark.parametrize("full", [False, True])
def test_svd(shape, full):
    check_op(*pair(lambda L, x: _svd_gauge(L, x, full)), [rand(*shape)], double=True)
    check_op(*pair(lambda L, x: L.linalg.svdvals(x)), [rand(*shape)], double=True)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0), (2, 0, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_empty(shape, full):
    check_op(*pair(lambda L, x: tuple(L.linalg.svd(x, full_matrices=full))), [rand(*shape)])
    check_op(*pair(lambda L, x: L.linalg.svdvals(x)), [rand(*shape)])


def test_svd_repeated_singular_values():
    """svdvals' gradient is finite with repeated singular values (U V^T), the full formula
    is not (0/0), in both frameworks."""
    a = np.eye(3)
    check_op(*pair(lambda L, x: L.linalg.svdvals(x)), [a], double=True)
    check_op(*pair(lambda L, x: L.linalg.svd(x)[1]), [a])
    for lib in (mg, torch):
        x = lib.tensor(a, requires_grad=True)
        u, s, vh = lib.linalg.svd(x)
        g = lib.autograd.grad((u @ vh).sum(), x)[0] if lib is torch else mg.grad(
            (u @ vh).sum(), [x])[0]
        assert not np.isfinite(g.detach().numpy()).all()


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (1, 1), (0, 0)])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(shape, uplo):
    a = rand(*shape)
    def f(L, x):
        w, v = L.linalg.eigh(x, UPLO=uplo)
        return w, (v * w.unsqueeze(-2).exp()) @ v.mT, v * v
    check_op(*pair(f), [a], double=True)
    check_op(*pair(lambda L, x: L.linalg.eigvalsh(x, UPLO=uplo)), [a], double=True)


def test_eigh_repeated_eigenvalues():
    a = np.eye(3)
    check_op(*pair(lambda L, x: L.linalg.eigvalsh(x)), [a], double=True)
    check_op(*pair(lambda L, x: L.linalg.eigh(x)[0]), [a])


def test_float32():
    a = spd(3, 4, 4).astype(np.float32)
    for fn in (lambda L, x: L.linalg.cholesky(x), lambda L, x: L.linalg.qr(x)[1].abs(),
               lambda L, x: L.linalg.svdvals(x), lambda L, x: L.linalg.eigvalsh(x)):
        m, t = fn(mg, mg.tensor(a)), fn(torch, torch.tensor(a))
        assert m.dtype == mg.float32
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=3e-5, atol=3e-5)


@pytest.mark.parametrize("fn", [
    lambda L, x: L.linalg.cholesky(x), lambda L, x: L.linalg.qr(x),
    lambda L, x: L.linalg.svd(x), lambda L, x: L.linalg.svdvals(x),
    lambda L, x: L.linalg.eigh(x), lambda L, x: L.linalg.eigvalsh(x),
    lambda L, x: L.cholesky(x)])
@pytest.mark.parametrize("dt", ["int64", "bool", "float16", "int32"])
def test_dtype_errors(fn, dt):
    a = np.eye(3).astype(dt)
    with pytest.raises(Exception) as te:
        fn(torch, torch.tensor(a))
    with pytest.raises(Exception) as me:
        fn(mg, mg.tensor(a))
    assert type(me.value).__name__ == type(te.value).__name__
    assert str(me.value) == str(te.value)


def test_argument_errors():
    for fn in (lambda L: L.linalg.eigh(L.eye(3), UPLO="X"), lambda L: L.linalg.qr(L.eye(3), "x"),
               lambda L: L.linalg.cholesky(L.ones(2, 3)), lambda L: L.linalg.svd(L.ones(3))):
        with pytest.raises(RuntimeError) as te:
            fn(torch)
        with pytest.raises(RuntimeError) as me:
            fn(mg)
        assert str(me.value) == str(te.value)
    for name in ("eig", "eigvals"):
        with pytest.raises(NotImplementedError, match="use minigrad.linalg.eigh"):
            getattr(mg.linalg, name)(mg.eye(3))


@pytest.mark.parametrize("f", [
    lambda L, a: L.linalg.cholesky(a @ a.mT + 3 * L.eye(3, dtype=a.dtype)),
    lambda L, a: (lambda q, r: q @ r.abs())(*L.linalg.qr(a)),
    lambda L, a: (lambda u, s, vh: ((u * s.unsqueeze(-2)) @ vh, s))(*L.linalg.svd(
        a, full_matrices=False)),
    lambda L, a: (lambda w, v: (w, (v * w.unsqueeze(-2)) @ v.mT))(*L.linalg.eigh(a)),
    lambda L, a: L.linalg.pinv(a), lambda L, a: L.linalg.matrix_exp(a),
    lambda L, a: L.linalg.lu(a)[2],
    lambda L, a: L.linalg.cholesky(a, upper=True) if a.shape[-1] == 0 else L.linalg.cholesky(
        a @ a.mT + 3 * L.eye(3, dtype=a.dtype), upper=True)])
def test_forward_mode(f):
    """Tangents as given (not symmetrized): torch's cholesky and eigh jvps use dA as it is."""
    import jvp_check
    jvp_check.check(f, rand(2, 3, 3), rtol=1e-8, atol=1e-10)


def test_cholesky_inverse_forward_mode_refused():
    """torch 2.13's forward-mode tangent of cholesky_inverse disagrees with finite
    differences (a torch bug): minigrad raises instead of returning other numbers."""
    s = spd(3, 3)
    low = torch.tensor(np.linalg.cholesky(s))
    t = torch.tensor(np.tril(rand(3, 3)))
    fw = torch.autograd.forward_ad
    with fw.dual_level():
        jt = fw.unpack_dual(torch.cholesky_inverse(fw.make_dual(low, t))).tangent
    h = 1e-6
    fd = (torch.cholesky_inverse(low + h * t) - torch.cholesky_inverse(low - h * t)) / (2 * h)
    assert (jt - fd).abs().max() > 1e-4
    from minigrad import forward_ad as mfw
    with mfw.dual_level():
        x = mfw.make_dual(mg.tensor(low.numpy()), mg.tensor(t.numpy()))
        with pytest.raises(NotImplementedError, match="cholesky_inverse"):
            mg.cholesky_inverse(x)
