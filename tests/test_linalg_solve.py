"""minigrad.linalg's solvers and determinants against torch in float64: inv, inv_ex, solve,
solve_ex, solve_triangular, det, slogdet, logdet (values, gradients for a random upstream
gradient, second derivatives, forward mode), batched and empty inputs, float32, singular
inputs (LinAlgError with torch's message, *_ex's info) and dtype errors."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from conftest import check_op

torch = pytest.importorskip("torch")
import jvp_check  # noqa: E402

RNG = np.random.default_rng(0)


def rand(*shape):
    return RNG.standard_normal(shape)


def pair(fn):
    """fn(L, *xs) run with L = minigrad and with L = torch."""
    return (lambda *xs: fn(mg, *xs)), (lambda *xs: fn(torch, *xs))


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (2, 1, 5, 5), (1, 1), (0, 0), (3, 0, 0)])
@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "inv_ex"])
def test_square_ops(name, shape):
    def f(L, a):
        out = getattr(L.linalg, name)(a)
        return tuple(out) if isinstance(out, tuple) else out
    check_op(*pair(f), [rand(*shape)], double=True)


@pytest.mark.parametrize("name", ["det", "logdet", "inverse", "slogdet"])
def test_torch_level_and_methods(name):
    a = rand(2, 4, 4)
    a[0] = a[0] @ a[0].T + np.eye(4)            # a positive determinant: logdet is finite
    for f in (lambda L, x: getattr(L, name)(x), lambda L, x: getattr(x, name)()):
        check_op(*pair(lambda L, x, f=f: tuple(f(L, x)) if name == "slogdet" else f(L, x)),
                 [a], double=True)


@pytest.mark.parametrize("a_shape,b_shape", [((4, 4), (4, 2)), ((4, 4), (4,)), ((2, 3, 3), (2, 3)),
                                             ((2, 3, 3), (3, 1)), ((3, 3), (2, 3, 2)),
                                             ((2, 1, 3, 3), (4, 3, 2)), ((0, 0), (0, 2)),
                                             ((2, 3, 3), (3,))])
@pytest.mark.parametrize("left", [True, False])
def test_solve(a_shape, b_shape, left):
    if not left and len(b_shape) > 1:
        b_shape = b_shape[:-2] + (b_shape[-1], b_shape[-2])
    def f(L, a, b):
        return L.linalg.solve(a, b, left=left)
    a, b = rand(*a_shape), rand(*b_shape)
    t_err = None
    try:
        torch.linalg.solve(torch.tensor(a), torch.tensor(b), left=left)
    except RuntimeError as e:
        t_err = e
    if t_err is not None:
        with pytest.raises(RuntimeError, match="Incompatible shapes"):
            mg.linalg.solve(mg.tensor(a), mg.tensor(b), left=left)
        return
    check_op(*pair(f), [a, b], double=True)
    check_op(*pair(lambda L, a, b: tuple(L.linalg.solve_ex(a, b, left=left))), [a, b])


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(upper, left, unit):
    a = rand(2, 4, 4) + 4 * np.eye(4)
    b = rand(2, 4, 3) if left else rand(2, 3, 4)
    check_op(*pair(lambda L, a, b: L.linalg.solve_triangular(a, b, upper=upper, left=left,
                                                             unitriangular=unit)),
             [a, b], double=True)
    check_op(*pair(lambda L, a, b: L.linalg.solve_triangular(a, b, upper=upper, left=left)),
             [a[0], rand(1, 3, 4, 3)[..., :4, :3] if left else rand(3, 3, 4)])


def test_float32_rounding():
    a = (rand(3, 4, 4) + 3 * np.eye(4)).astype(np.float32)
    b = rand(3, 4, 2).astype(np.float32)
    for fn in (lambda L, a, b: L.linalg.inv(a), lambda L, a, b: L.linalg.det(a),
               lambda L, a, b: L.linalg.solve(a, b), lambda L, a, b: L.linalg.slogdet(a)[1],
               lambda L, a, b: L.linalg.solve_triangular(a, b, upper=True)):
        m, t = fn(mg, mg.tensor(a), mg.tensor(b)), fn(torch, torch.tensor(a), torch.tensor(b))
        assert m.dtype == mg.float32
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=2e-5, atol=2e-6)


def test_singular_errors_and_info():
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    batch = np.stack([np.eye(2), s])
    for a in (s, batch):
        for fn in (lambda L, x: L.linalg.inv(x), lambda L, x: L.linalg.solve(x, x),
                   lambda L, x: L.inverse(x)):
            with pytest.raises(torch.linalg.LinAlgError) as te:
                fn(torch, torch.tensor(a))
            with pytest.raises(mg.linalg.LinAlgError) as me:
                fn(mg, mg.tensor(a))
            assert str(me.value) == str(te.value)
            assert isinstance(me.value, RuntimeError)
    for name in ("inv_ex", "solve_ex"):
        args = (lambda L, x: (x,)) if name == "inv_ex" else (lambda L, x: (x, x))
        m = getattr(mg.linalg, name)(*args(mg, mg.tensor(batch)))
        t = getattr(torch.linalg, name)(*args(torch, torch.tensor(batch)))
        assert m.info.dtype == mg.int32 and m.info.tolist() == t.info.tolist()
        np.testing.assert_allclose(m[0].numpy()[0], t[0].numpy()[0])
        # LAPACK's getrs on a zero pivot: inf or nan depending on the LAPACK build's rounding
        assert not np.isfinite(m[0].numpy()[1]).all() and not np.isfinite(t[0].numpy()[1]).all()
        with pytest.raises(mg.linalg.LinAlgError):
            getattr(mg.linalg, name)(*args(mg, mg.tensor(batch)), check_errors=True)


def test_singular_det_slogdet_values_and_grads():
    """det's gradient at an exactly singular matrix: zero without create_graph (torch's LU
    path, where the LU has an exactly zero pivot) and the cofactors with it (torch's SVD path);
    slogdet gives (0, -inf) and a non-finite gradient. (Whether a pivot comes out exactly zero
    depends on the LAPACK build's rounding: the 3x3 matrix has one in NumPy's LAPACK, not in
    torch's, so only its create_graph path is compared.)"""
    for a, paths in ((np.array([[1.0, 2.0], [2.0, 4.0]]), (False, True)),
                     (np.zeros((3, 3)), (False, True)),
                     (np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]]), (True,))):
        for create in paths:
            xm, xt = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
            gm, = mg.grad(mg.linalg.det(xm), [xm], create_graph=create)
            gt, = torch.autograd.grad(torch.linalg.det(xt), [xt], create_graph=create)
            np.testing.assert_allclose(gm.detach().numpy(), gt.detach().numpy(), atol=1e-12)
            if not create and a.any():
                assert not gm.numpy().any()           # torch's quirk: not the cofactors
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    ms, ts = mg.linalg.slogdet(mg.tensor(s)), torch.linalg.slogdet(torch.tensor(s))
    assert ms.sign.item() == ts.sign.item() == 0 and ms.logabsdet.item() == -np.inf
    xm = mg.tensor(s, requires_grad=True)
    gm, = mg.grad(mg.logdet(xm), [xm])
    assert not np.isfinite(gm.numpy()).any()


def test_det_mixed_batch_double_backward():
    """A batch with singular and regular matrices: the create_graph path splits them."""
    a = np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), rand(2, 2), np.zeros((2, 2))])
    check_op(*pair(lambda L, x: L.linalg.det(x)), [a], double=True)


def test_logdet_negative_is_nan():
    a = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert np.isnan(mg.logdet(mg.tensor(a)).item()) and np.isnan(torch.logdet(
        torch.tensor(a)).item())


@pytest.mark.parametrize("fn,half_error", [
    (lambda L, x: L.linalg.inv(x), RuntimeError),
    (lambda L, x: L.linalg.det(x), NotImplementedError),
    (lambda L, x: L.linalg.slogdet(x), RuntimeError),
    (lambda L, x: L.linalg.solve(x, x), NotImplementedError),
    (lambda L, x: L.linalg.solve_triangular(x, x, upper=True), NotImplementedError),
    (lambda L, x: L.logdet(x), RuntimeError)])
def test_dtype_errors(fn, half_error):
    for dt, kind in (("int64", None), ("bool", None), ("int32", None), ("float16", half_error)):
        a = np.eye(3).astype(dt)
        with pytest.raises(Exception) as te:
            fn(torch, torch.tensor(a))
        with pytest.raises(Exception) as me:
            fn(mg, mg.tensor(a))
        assert type(te.value).__name__ in (type(me.value).__name__, "_LinAlgError")
        assert str(me.value) == str(te.value)


def test_shape_errors():
    for fn in (lambda L: L.linalg.inv(L.ones(2, 3)), lambda L: L.linalg.det(L.ones(3)),
               lambda L: L.linalg.solve(L.eye(2), L.ones(3)),
               lambda L: L.linalg.solve(L.eye(3), L.ones(3), left=False)):
        with pytest.raises(RuntimeError) as te:
            fn(torch)
        with pytest.raises(RuntimeError) as me:
            fn(mg)
        assert str(me.value) == str(te.value)
    with pytest.raises(RuntimeError, match="same dtype"):
        mg.linalg.solve(mg.eye(2), mg.ones(2, dtype=mg.float64))
    with pytest.raises(TypeError, match="upper"):
        mg.linalg.solve_triangular(mg.eye(2), mg.eye(2))


@pytest.mark.parametrize("f", [
    lambda L, a: L.linalg.inv(a), lambda L, a: L.linalg.det(a),
    lambda L, a: L.linalg.slogdet(a)[1], lambda L, a, b: L.linalg.solve(a, b),
    lambda L, a, b: L.linalg.solve_triangular(a, b, upper=False)])
def test_forward_mode(f):
    a, b = rand(2, 3, 3) + 2 * np.eye(3), rand(2, 3, 2)
    xs = [a, b][:f.__code__.co_argcount - 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        jvp_check.check(f, *xs, rtol=1e-9, atol=1e-11)
