"""nn.utils.parametrizations.orthogonal against torch 2.13: every orthogonal_map, with and
without trivialization, square / tall / wide / batched weights. After copying torch's
state (the random completion of a non-square base differs), the weight, its gradient with
respect to the original for a random upstream gradient, assignment through right_inverse,
the state_dict keys and the errors match."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.nn.utils.parametrizations import orthogonal

torch = pytest.importorskip("torch")
RNG = np.random.default_rng()
MAPS = ["matrix_exp", "cayley", "householder"]


def _pair(shape):
    w = RNG.standard_normal(shape)
    t = torch.nn.Module()
    t.register_parameter("weight", torch.nn.Parameter(torch.tensor(w)))
    m = mg.nn.Module()
    m.register_parameter("weight", mg.nn.Parameter(mg.tensor(w)))
    return t, m


def _close(a, b, tol=1e-10):
    a, b = a.detach().numpy(), b.detach().numpy()
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _copy(t, m):
    m.load_state_dict({k: v.detach().clone().numpy() for k, v in t.state_dict().items()})


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 4), (2, 5, 3), (1, 1)])
@pytest.mark.parametrize("omap", MAPS + [None])
@pytest.mark.parametrize("triv", [True, False])
def test_orthogonal_matches_torch(shape, omap, triv):
    t, m = _pair(shape)
    torch.nn.utils.parametrizations.orthogonal(t, orthogonal_map=omap, use_trivialization=triv)
    assert orthogonal(m, orthogonal_map=omap, use_trivialization=triv) is m
    assert list(m.state_dict()) == list(t.state_dict())
    assert type(m).__name__ == type(t).__name__
    if shape[-1] == shape[-2] or not triv:
        _close(m.weight, t.weight)          # deterministic from the weight alone
    _copy(t, m)
    _close(m.weight, t.weight)
    w = m.weight.detach().numpy()           # orthogonal columns (or rows, when wide)
    g = w.swapaxes(-1, -2) @ w if shape[-2] >= shape[-1] else w @ w.swapaxes(-1, -2)
    np.testing.assert_allclose(g, np.broadcast_to(np.eye(g.shape[-1]), g.shape), atol=1e-12)
    # move the original off its start, then compare the weight and its gradient
    x = RNG.standard_normal(shape) * 0.3
    with torch.no_grad():
        t.parametrizations.weight.original.add_(torch.tensor(x))
    _copy(t, m)
    _close(m.weight, t.weight)
    up = RNG.standard_normal(shape)
    (t.weight * torch.tensor(up)).sum().backward()
    (m.weight * mg.tensor(up)).sum().backward()
    _close(m.parametrizations.weight.original.grad, t.parametrizations.weight.original.grad,
           1e-9)


@pytest.mark.parametrize("omap", MAPS)
@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
def test_orthogonal_assign(omap, shape):
    t, m = _pair(shape)
    torch.nn.utils.parametrizations.orthogonal(t, orthogonal_map=omap)
    orthogonal(m, orthogonal_map=omap)
    _copy(t, m)
    q = np.linalg.qr(RNG.standard_normal((max(shape), min(shape))))[0]
    q = q if shape[0] >= shape[1] else q.T
    with torch.no_grad():
        t.weight = torch.tensor(q)
    with mg.no_grad():
        m.weight = mg.tensor(q)
    if shape[0] != shape[1]:
        _copy(t, m)                          # the base's random completion
    _close(m.weight, t.weight)
    _close(m.weight, mg.tensor(q))
    if omap == "householder":                # without trivialization: solved from its QR
        t, m = _pair(shape)
        torch.nn.utils.parametrizations.orthogonal(t, orthogonal_map=omap,
                                                   use_trivialization=False)
        orthogonal(m, orthogonal_map=omap, use_trivialization=False)
        with torch.no_grad():
            t.weight = torch.tensor(q)
        with mg.no_grad():
            m.weight = mg.tensor(q)
        _close(m.parametrizations.weight.original, t.parametrizations.weight.original)
        _close(m.weight, t.weight)


def test_orthogonal_errors():
    _, m = _pair((3,))
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a "
                                         "tensor of 1 dimensions"):
        orthogonal(m)
    _, m = _pair((3, 3))
    with pytest.raises(ValueError, match='orthogonal_map has to be one of "matrix_exp", '
                                         '"cayley", "householder". Got: qr'):
        orthogonal(m, orthogonal_map="qr")
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'bias'"):
        orthogonal(m, "bias")
    orthogonal(m, orthogonal_map="cayley", use_trivialization=False)
    with pytest.raises(NotImplementedError, match="not possible to assign to the matrix "
                                                  "exponential or the Cayley"):
        m.weight = mg.eye(3, dtype=mg.float64)
    _, m = _pair((3, 3))
    orthogonal(m)
    with pytest.raises(ValueError, match=r"Expected a matrix or batch of matrices of shape "
                                         r"\(3, 3\)"):
        m.weight = mg.eye(4, dtype=mg.float64)
