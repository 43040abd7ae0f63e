"""mg.lobpcg against torch.lobpcg (the same starting X: the same iterates, eigenvectors up to
sign) and against scipy (eigh, the generalized problem): methods ortho and basic, largest and
smallest, k = 1..3, B, iK, batches, float32, an iteration limit (unconverged iterates agree
too), the tracker; the gradient of the eigenvalues and of sign-invariant functions of the
eigenvectors, and second derivatives, against torch; the errors."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg

import minigrad as mg
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")

M = 18


def sym(rng, m=M, spread=1.5):
    """A symmetric matrix with well separated eigenvalues (1..10)**spread."""
    q = np.linalg.qr(rng.standard_normal((m, m)))[0]
    return q @ np.diag(rng.permutation(np.linspace(1, 10, m) ** spread)) @ q.T


def both(A, X, dtype="float64", **kw):
    tl = {k: torch.tensor(v, dtype=getattr(torch, dtype)) if isinstance(v, np.ndarray) else v
          for k, v in kw.items()}
    ml = {k: mg.tensor(v, dtype=getattr(mg, dtype)) if isinstance(v, np.ndarray) else v
          for k, v in kw.items()}
    t = torch.lobpcg(torch.tensor(A, dtype=getattr(torch, dtype)),
                     X=None if X is None else torch.tensor(X, dtype=getattr(torch, dtype)), **tl)
    m = mg.lobpcg(mg.tensor(A, dtype=getattr(mg, dtype)),
                  X=None if X is None else mg.tensor(X, dtype=getattr(mg, dtype)), **ml)
    return m, t


def same_pairs(m, t, tol):
    (em, vm), (et, vt) = m, t
    assert tuple(em.shape) == tuple(et.shape) and tuple(vm.shape) == tuple(vt.shape)
    assert em.dtype == getattr(mg, str(et.dtype).removeprefix("torch."))
    assert_close(em, et, tol, tol)
    # eigenvectors up to the sign of each column
    a, b = vm.detach().numpy(), vt.detach().numpy()
    sign = np.sign((a * b).sum(-2, keepdims=True))
    np.testing.assert_allclose(a * sign, b, rtol=tol * 100, atol=tol * 100)


@pytest.mark.parametrize("method", ["ortho", "basic"])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_against_torch_and_scipy(method, largest, k):
    rng = np.random.default_rng()
    A = sym(rng)
    m, t = both(A, rng.standard_normal((M, k)), k=k, largest=largest, method=method)
    same_pairs(m, t, 1e-8)
    ref = scipy.linalg.eigh(A, eigvals_only=True)
    ref = ref[::-1][:k] if largest else ref[:k]
    assert_close(m[0], ref, 1e-6, 1e-6)
    # A V = V diag(E)
    assert_close(mg.tensor(A) @ m[1], m[1] * m[0], 1e-5, 1e-5)


def test_generalized_preconditioned_batched_float32():
    rng = np.random.default_rng()
    A = sym(rng)
    Bm = sym(rng, spread=0.5)                    # positive definite
    X = rng.standard_normal((M, 2))
    m, t = both(A, X, k=2, B=Bm)
    same_pairs(m, t, 1e-8)
    assert_close(m[0], scipy.linalg.eigh(A, Bm, eigvals_only=True)[::-1][:2], 1e-6, 1e-6)
    ik = np.linalg.inv(A + 3 * np.eye(M))
    same_pairs(*both(A, X, k=2, iK=ik, largest=False), 1e-8)
    As = np.stack([sym(rng), sym(rng)])
    same_pairs(*both(As, rng.standard_normal((2, M, 2)), k=2), 1e-8)
    same_pairs(*both(A, X, dtype="float32", k=2), 2e-3)
    # n > k search vectors, from a random start (minigrad's generator, not torch's)
    e, v = mg.lobpcg(mg.tensor(A), k=1, n=3)
    assert tuple(v.shape) == (M, 1)
    assert_close(e, scipy.linalg.eigh(A, eigvals_only=True)[-1:], 1e-6, 1e-6)


@pytest.mark.parametrize("method", ["ortho", "basic"])
def test_iteration_limit_and_tracker(method):
    rng = np.random.default_rng()
    A, X = sym(rng, spread=1.0), rng.standard_normal((M, 2))
    # two steps: far from converged, and still torch's iterates
    same_pairs(*both(A, X, k=2, niter=2, method=method), 1e-9)
    seen = {mg: [], torch: []}

    def tracker(lib):
        def call(w):
            assert isinstance(w.X, lib.Tensor) and isinstance(w.tvars["rerr"], lib.Tensor)
            seen[lib].append((w.ivars["istep"], w.ivars["converged_count"],
                              w.E.numpy().copy()))
            if w.ivars["istep"] == 4:
                w.bvars["force_stop"] = True
        return call
    mg.lobpcg(mg.tensor(A), k=2, X=mg.tensor(X), method=method, tracker=tracker(mg))
    torch.lobpcg(torch.tensor(A), k=2, X=torch.tensor(X), method=method,
                 tracker=tracker(torch))
    assert len(seen[mg]) == len(seen[torch]) == 4
    for a, b in zip(seen[mg], seen[torch]):
        assert a[:2] == b[:2]
        assert_close(a[2], b[2], 1e-9, 1e-9)


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_gradients_against_torch(largest, k):
    rng = np.random.default_rng()
    A, X = sym(rng, m=12), rng.standard_normal((12, k))
    w, c = rng.standard_normal(k), rng.standard_normal((12, 1))
    grads = []
    for lib in (mg, torch):
        a = lib.tensor(A, requires_grad=True)
        # converged well past the default tol (~1.5e-8): the second derivatives of the
        # eigenvectors amplify what is left, and at the default both stop at slightly
        # different iterates (7 of 40 random matrices differed by ~1e-6)
        e, v = lib.lobpcg(a, k=k, X=lib.tensor(X), largest=largest, tol=1e-12, niter=1000)
        loss = (e * lib.tensor(w)).sum() + (v ** 2 * lib.tensor(c)).sum()    # sign-invariant
        g = (mg.grad if lib is mg else torch.autograd.grad)(loss, a, create_graph=True)[0]
        gg = (mg.grad if lib is mg else torch.autograd.grad)((g * lib.tensor(A)).sum(), a)[0]
        grads.append((g.detach().numpy(), gg.numpy()))
    (g1, gg1), (g2, gg2) = grads
    assert np.allclose(g1, g1.T)                   # symmetric, as torch's
    np.testing.assert_allclose(g1, g2, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gg1, gg2, rtol=1e-5, atol=1e-7)


def test_backward_with_B_raises_as_torch():
    rng = np.random.default_rng()
    A = sym(rng)
    for lib in (mg, torch):
        a = lib.tensor(A, requires_grad=True)
        e, _ = lib.lobpcg(a, k=1, B=lib.tensor(np.eye(M) * 2), X=lib.tensor(np.ones((M, 1))))
        with pytest.raises(ValueError, match="does not support backward with B != I"):
            e.sum().backward()


A0 = np.diag(np.arange(1.0, 13.0))


@pytest.mark.parametrize("call,kind,frag", [
    (lambda L: L.lobpcg(L.tensor(A0[:5])), AssertionError, "A must be square"),
    (lambda L: L.lobpcg(L.tensor(A0), k=5), ValueError, "LOBPCG algorithm is not applicable"),
    (lambda L: L.lobpcg(L.tensor(A0), k=2, X=L.tensor(np.ones((5, 2)))), AssertionError,
     "X shape mismatch"),
    (lambda L: L.lobpcg(L.tensor(A0), B=L.tensor(np.eye(11))), AssertionError,
     "A and B must have same shape"),
    (lambda L: L.lobpcg(L.tensor(A0).long()), RuntimeError, ""),
    (lambda L: L.lobpcg(L.tensor(A0[0])), IndexError, ""),
])
def test_errors_as_torch(call, kind, frag):
    with pytest.raises(kind, match=frag) as e:
        call(mg)
    assert "lobpcg" in str(e.value) or "LOBPCG" in str(e.value)
    with pytest.raises(kind, match=frag):
        call(torch)


@pytest.mark.parametrize("kw,kind", [({"k": "2"}, TypeError), ({"niter": "1"}, TypeError),
                                     ({"tol": "x"}, TypeError), ({"tracker": 3}, TypeError),
                                     ({"ortho_iparams": [1]}, TypeError),
                                     ({"X": np.ones((12, 1))}, TypeError)])
def test_argument_types(kw, kind):
    with pytest.raises(kind, match="lobpcg"):
        mg.lobpcg(mg.tensor(A0), **kw)
    with pytest.raises(RuntimeError, match="lobpcg: expected a float32 or float64 A"):
        mg.lobpcg(mg.tensor(A0).half())
    with pytest.raises(ValueError, match="lobpcg: A is empty"):
        mg.lobpcg(mg.zeros(0, 0), k=0)
