"""nn.utils.parametrize and nn.utils.parametrizations (weight_norm, spectral_norm) against
torch: state_dict names, loading a torch checkpoint, outputs, gradients, power iteration."""
import numpy as np
import pytest
import torch
from conftest import check_op
from module_check import check_module

import minigrad as mg
from minigrad import nn
from minigrad.nn.utils import parametrizations as P
from minigrad.nn.utils import parametrize

tP, tparametrize = torch.nn.utils.parametrizations, torch.nn.utils.parametrize


def _shapes(module):
    return [(k, tuple(v.shape)) for k, v in module.state_dict().items()]


@pytest.mark.parametrize("make,shape,dim", [
    (lambda L: L.nn.Linear(3, 4), (2, 3), 0), (lambda L: L.nn.Linear(3, 4), (2, 3), 1),
    (lambda L: L.nn.Linear(3, 4), (2, 3), None), (lambda L: L.nn.Linear(3, 4), (2, 3), -1),
    (lambda L: L.nn.Conv2d(2, 3, 2), (2, 2, 4, 4), 0),
    (lambda L: L.nn.Conv2d(2, 3, 2), (2, 2, 4, 4), 2),
    (lambda L: L.nn.Conv2d(2, 3, 2), (2, 2, 4, 4), -2)])
def test_weight_norm_matches_torch(rng, make, shape, dim):
    m, t = P.weight_norm(make(mg), dim=dim), tP.weight_norm(make(torch), dim=dim)
    assert repr(m) == repr(t)
    assert type(m).__name__ == type(t).__name__ == f"Parametrized{type(make(mg)).__name__}"
    assert parametrize.type_before_parametrizations(m) is type(make(mg))
    assert _shapes(m) == _shapes(t)
    with torch.no_grad():           # g away from ||v|| so that the reparametrization shows
        t.parametrizations.weight.original0.mul_(1.5)
    check_module(m, t, [rng.standard_normal(shape)])
    np.testing.assert_allclose(m.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-12)


def test_weight_norm_double_backward_and_init(rng):
    # Second derivatives: torch's fused _weight_norm (dim 0 or the last dim) gets the one
    # w.r.t. v wrong (torch.autograd.gradgradcheck fails on it in torch 2.13); minigrad's are
    # those of torch's own composite formula v * (g / norm_except_dim(v)), which it uses for
    # the other dims, and pass a numerical gradgradcheck.
    g, v = rng.uniform(0.5, 2, (4, 1)), rng.standard_normal((4, 3))
    check_op(lambda g, v: P._WeightNorm(0)(g, v) ** 2,
             lambda g, v: tP._WeightNorm(0)(g, v) ** 2, [g, v])
    check_op(lambda g, v: P._WeightNorm(0)(g, v) ** 2,
             lambda g, v: (v * (g / torch.norm_except_dim(v, 2, 0))) ** 2, [g, v], double=True)
    g3, v3 = rng.uniform(0.5, 2, (1, 3, 1)), rng.standard_normal((2, 3, 2))
    check_op(lambda g, v: P._WeightNorm(1)(g, v) ** 2,
             lambda g, v: tP._WeightNorm(1)(g, v) ** 2, [g3, v3], double=True)
    assert mg.testing.gradgradcheck(lambda g, v: P._WeightNorm(0)(g, v),
                                    (mg.tensor(g, requires_grad=True),
                                     mg.tensor(v, requires_grad=True)))
    # registering leaves the weight's value unchanged: g = ||w|| row-wise, v = w
    m = nn.Linear(3, 4).double()
    w = m.weight.detach().numpy().copy()
    P.weight_norm(m)
    np.testing.assert_allclose(m.weight.detach().numpy(), w, rtol=1e-12)
    np.testing.assert_allclose(m.parametrizations.weight.original0.detach().numpy()[:, 0],
                               np.linalg.norm(w, axis=1), rtol=1e-12)
    assert isinstance(m.parametrizations.weight.original0, nn.Parameter)
    assert [n for n, _ in m.named_parameters()] == \
        ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]


def test_spectral_norm_matches_torch(rng):
    for make, shape in [(lambda L: L.nn.Linear(5, 4), (3, 5)),
                        (lambda L: L.nn.Conv2d(2, 3, 2), (2, 2, 3, 3))]:
        m, t = P.spectral_norm(make(mg)), tP.spectral_norm(make(torch))
        assert repr(m) == repr(t) and _shapes(m) == _shapes(t)
        load = True
        for _ in range(3):                   # one power-iteration step per training forward
            check_module(m, t, [rng.standard_normal(shape)], load=load)
            m.zero_grad(), t.zero_grad()
            load = False
        m.eval(), t.eval()                   # eval: u and v as they are
        check_module(m, t, [rng.standard_normal(shape)], load=False)
    # after registration sigma is close to the largest singular value (15 iterations), for a
    # weight whose top singular values are apart (power iteration converges as (s2/s1)^k)
    lin = nn.Linear(6, 4).double()
    q1, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    q2, _ = np.linalg.qr(rng.standard_normal((6, 4)))
    with mg.no_grad():
        lin.weight.copy_(mg.tensor(q1 @ np.diag([3.0, 1.0, 0.5, 0.2]) @ q2.T))
    m = P.spectral_norm(lin, n_power_iterations=3)
    w = m.parametrizations.weight.original.detach().numpy()
    m.eval()
    np.testing.assert_allclose(np.linalg.norm(m.weight.detach().numpy(), 2), 1.0, rtol=1e-3)
    np.testing.assert_allclose(m.weight.detach().numpy() * np.linalg.norm(w, 2), w, rtol=1e-3)


def test_spectral_norm_options_and_errors(rng):
    m, t = P.spectral_norm(nn.Linear(4, 3), dim=1, eps=1e-6), tP.spectral_norm(
        torch.nn.Linear(4, 3), dim=1, eps=1e-6)
    assert _shapes(m) == _shapes(t) == [("bias", (3,)), ("parametrizations.weight.original",
                                                        (3, 4)),
                                        ("parametrizations.weight.0._u", (4,)),
                                        ("parametrizations.weight.0._v", (3,))]
    check_module(m, t, [rng.standard_normal((2, 4))])
    # a 1-D tensor is just normalised
    m, t = P.spectral_norm(nn.Linear(4, 3), "bias"), tP.spectral_norm(torch.nn.Linear(4, 3),
                                                                       "bias")
    check_module(m, t, [rng.standard_normal((2, 4))])
    for kw, exc in [({"n_power_iterations": 0}, ValueError), ({"dim": 2}, IndexError),
                    ({"name": "nope"}, ValueError)]:
        with pytest.raises(exc):
            tP.spectral_norm(torch.nn.Linear(4, 3), **kw)
        with pytest.raises(exc):
            P.spectral_norm(nn.Linear(4, 3), **kw)


class _Symmetric:
    """X -> triu(X) + triu(X, 1)^T, with right_inverse the upper triangle (lib: mg or torch)."""

    @staticmethod
    def make(lib):
        class Symmetric(lib.nn.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).transpose(0, 1)

            def right_inverse(self, a):
                return a.triu()
        return Symmetric()


class _Scale:
    @staticmethod
    def make(lib):
        class Scale(lib.nn.Module):
            def forward(self, x):
                return x * 2.0
        return Scale()


def test_register_parametrization_custom(rng):
    m, t = nn.Linear(3, 3), torch.nn.Linear(3, 3)
    parametrize.register_parametrization(m, "weight", _Symmetric.make(mg))
    tparametrize.register_parametrization(t, "weight", _Symmetric.make(torch))
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert _shapes(m) == _shapes(t) == [("bias", (3,)), ("parametrizations.weight.original",
                                                        (3, 3))]
    check_module(m, t, [rng.standard_normal((2, 3))])
    w = m.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    # assignment goes through right_inverse into original
    a = rng.standard_normal((3, 3))
    m.weight = mg.tensor(a + a.T)
    np.testing.assert_allclose(m.weight.detach().numpy(), a + a.T)
    np.testing.assert_allclose(m.parametrizations.weight.original.detach().numpy(),
                               np.triu(a + a.T))
    # a second parametrization chains after the first
    parametrize.register_parametrization(m, "weight", _Scale.make(mg))
    tparametrize.register_parametrization(t, "weight", _Scale.make(torch))
    assert repr(m) == repr(t).replace("__main__.", "")
    check_module(m, t, [rng.standard_normal((2, 3))])
    with parametrize.cached():
        assert m.weight is m.weight
    assert m.weight is not m.weight
    # removing: the parametrized value stays (or the original, if asked)
    orig = m.parametrizations.weight.original
    expect = m.weight.detach().numpy()
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and not parametrize.is_parametrized(m)
    assert m.weight is orig and isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.detach().numpy(), expect)
    assert list(m.state_dict()) == ["bias", "weight"]
    parametrize.register_parametrization(m, "weight", _Scale.make(mg))
    parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    np.testing.assert_allclose(m.weight.detach().numpy(), expect)


def test_parametrize_errors():
    class Shrink(nn.Module):
        def forward(self, x):
            return x[:1]
    with pytest.raises(ValueError, match="shape"):
        parametrize.register_parametrization(nn.Linear(3, 3), "weight", Shrink())
    m = parametrize.register_parametrization(nn.Linear(3, 3), "weight", Shrink(), unsafe=True)
    assert m.weight.shape == (1, 3)
    with pytest.raises(ValueError, match="does not have a parameter"):
        parametrize.register_parametrization(nn.Linear(3, 3), "nope", Shrink())
    with pytest.raises(ValueError, match="does not have a parametrization"):
        parametrize.remove_parametrizations(nn.Linear(3, 3), "weight")
    m = P.weight_norm(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="sequence of tensors"):
        parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    w = m.weight.detach().numpy()
    parametrize.remove_parametrizations(m, "weight")
    assert list(m.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(m.weight.detach().numpy(), w, rtol=1e-6)
    assert m.weight.requires_grad and type(m) is nn.Linear
