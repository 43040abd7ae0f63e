"""svd_lowrank, pca_lowrank, the legacy lu / Tensor.lu and matrix_rank against torch. The
low-rank methods draw random sketches, so on exactly low-rank inputs the singular values,
the reconstruction and the orthonormality are compared, not the vectors; gradients of
quantities that do not depend on the sketch are compared with torch's."""
import warnings

import numpy as np
import pytest
import torch

import minigrad as mg


def _lowrank(shape, rank, seed):
    rng = np.random.default_rng(seed)
    *batch, m, n = shape
    return rng.standard_normal((*batch, m, rank)) @ rng.standard_normal((*batch, rank, n))


SHAPES = [((8, 5), 3, 4), ((5, 9), 2, 3), ((2, 7, 6), 3, 5), ((6, 6), 6, 6), ((10, 4), 1, 2)]


@pytest.mark.parametrize("shape,rank,q", SHAPES)
@pytest.mark.parametrize("niter", [0, 2])
def test_svd_lowrank(shape, rank, q, niter):
    a = _lowrank(shape, rank, q)
    mg.manual_seed(0)
    U, S, V = mg.svd_lowrank(mg.tensor(a), q=q, niter=niter)
    Ut, St, Vt = torch.svd_lowrank(torch.tensor(a), q=q, niter=niter)
    for m, t in ((U, Ut), (S, St), (V, Vt)):
        assert m.shape == tuple(t.shape) and m.dtype == mg.float64
    np.testing.assert_allclose(S.numpy(), St.numpy(), atol=1e-9)
    rec = (U.numpy() * S.numpy()[..., None, :]) @ np.swapaxes(V.numpy(), -1, -2)
    np.testing.assert_allclose(rec, a, atol=1e-9)
    eye = np.eye(q)
    np.testing.assert_allclose(np.swapaxes(V.numpy(), -1, -2) @ V.numpy(),
                               np.broadcast_to(eye, S.shape + (q,)), atol=1e-9)


def test_svd_lowrank_with_mean_and_float32():
    a = _lowrank((9, 6), 2, 0)
    mean = np.random.default_rng(1).standard_normal((1, 6))
    U, S, V = mg.svd_lowrank(mg.tensor(a + mean), q=4, M=mg.tensor(mean))
    _, St, _ = torch.svd_lowrank(torch.tensor(a + mean), q=4, M=torch.tensor(mean))
    np.testing.assert_allclose(S.numpy(), St.numpy(), atol=1e-9)
    U, S, V = mg.svd_lowrank(mg.tensor(a.astype("float32")), q=3)
    _, St, _ = torch.svd_lowrank(torch.tensor(a.astype("float32")), q=3)
    assert S.dtype == mg.float32
    np.testing.assert_allclose(S.numpy(), St.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("center", [True, False])
def test_pca_lowrank(center):
    a = _lowrank((12, 5), 2, 7) + 3.0          # an offset: centring removes one direction
    U, S, V = mg.pca_lowrank(mg.tensor(a), q=4, center=center)
    Ut, St, Vt = torch.pca_lowrank(torch.tensor(a), q=4, center=center)
    assert U.shape == tuple(Ut.shape) and V.shape == tuple(Vt.shape)
    np.testing.assert_allclose(S.numpy(), St.numpy(), atol=1e-8)
    U, S, V = mg.pca_lowrank(mg.tensor(a))         # q = min(6, m, n)
    assert S.shape == tuple(torch.pca_lowrank(torch.tensor(a))[1].shape)


def test_lowrank_gradient_of_singular_values():
    """The top singular values of an exactly low-rank matrix do not depend on the sketch:
    their gradient is torch's."""
    a = _lowrank((7, 5), 2, 3)
    g = np.array([0.7, -1.3])
    x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (mg.svd_lowrank(x, q=2)[1] * mg.tensor(g)).sum().backward()
    (torch.svd_lowrank(t, q=2)[1] * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-8)
    x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    mg.pca_lowrank(x, q=2)[1].sum().backward()
    torch.pca_lowrank(t, q=2)[1].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-8)


def test_lowrank_errors():
    x = mg.randn(5, 4)
    for call, kind, frag in (
            (lambda L, x: L.pca_lowrank(x, q=5), ValueError, "q\\(=5\\) must be"),
            (lambda L, x: L.pca_lowrank(x, q=-1), ValueError, "q\\(=-1\\)"),
            (lambda L, x: L.pca_lowrank(x, niter=-1), ValueError, "niter\\(=-1\\)")):
        with pytest.raises(kind, match=frag):
            call(mg, x)
        with pytest.raises(kind):
            call(torch, torch.randn(5, 4))
    with pytest.raises(TypeError, match="svd_lowrank.*'A'"):
        mg.svd_lowrank(np.ones((3, 3)))
    with pytest.raises(TypeError, match="svd_lowrank.*'q'"):
        mg.svd_lowrank(x, q=2.5)
    with pytest.raises(ValueError, match="svd_lowrank.*2 dimensions"):
        mg.svd_lowrank(mg.randn(4))
    with pytest.raises(ValueError):
        torch.svd_lowrank(torch.randn(4))


# ---- the legacy lu -------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 4, 4), (0, 3, 3), (1, 1)])
def test_lu_as_torch(shape):
    a = np.random.default_rng(len(shape)).standard_normal(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for get_infos in (False, True):
            x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
            m, tt = mg.lu(x, get_infos=get_infos), torch.lu(t, get_infos=get_infos)
            mm = x.lu(get_infos=get_infos)
            assert len(m) == len(tt) == len(mm) == (3 if get_infos else 2)
            for a1, a2, a3 in zip(m, tt, mm):
                assert a1.shape == tuple(a2.shape) and str(a1.dtype) == str(a2.dtype)[6:]
                np.testing.assert_allclose(a1.detach().numpy(), a2.detach().numpy(),
                                           atol=1e-12)
                np.testing.assert_array_equal(a1.detach().numpy(), a3.detach().numpy())
            if get_infos:
                assert m.info is m[2] and m.LU is m[0] and m.pivots is m[1]
            g = np.random.default_rng(1).standard_normal(a.shape)
            m[0].backward(mg.tensor(g))
            tt[0].backward(torch.tensor(g))
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), atol=1e-10)


def test_lu_singular_warning_and_errors():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        LU, piv, info = mg.lu(mg.zeros(3, 3), get_infos=True)
    assert any("torch.lu is deprecated" in str(r.message) for r in w)
    assert int(info.item()) == int(torch.lu(torch.zeros(3, 3), get_infos=True)[2].item())
    with pytest.warns(UserWarning):
        mg.zeros(3, 3).lu()
    for call, kind, frag in ((lambda L: L.lu(L.ones(3)), RuntimeError, "2 or more dimensions"),
                             (lambda L: L.lu(L.ones(3, 3), pivot=False), RuntimeError,
                              "without pivoting"),
                             (lambda L: L.lu(L.ones(3, 3, dtype=L.int64)), RuntimeError, ""),
                             (lambda L: L.lu(L.ones(3, 3), pivot=1), TypeError, "pivot")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(kind, match=frag):
                call(mg)
            with pytest.raises(kind):
                call(torch)


def test_matrix_rank_removed_as_in_torch():
    with pytest.raises(RuntimeError, match="linalg.matrix_rank"):
        mg.matrix_rank(mg.eye(3))
    with pytest.raises(RuntimeError, match="linalg.matrix_rank"):
        torch.matrix_rank(torch.eye(3))
