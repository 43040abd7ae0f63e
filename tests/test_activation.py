"""Activations vs torch: gelu (erf, tanh), silu, logsigmoid, softplus(beta, threshold), relu,
sigmoid, tanh; values, gradients, second derivatives, extreme inputs, modules."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F

SMOOTH = [
    ("gelu", lambda a: F.gelu(a), lambda a: TF.gelu(a)),
    ("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"),
     lambda a: TF.gelu(a, approximate="tanh")),
    ("silu", F.silu, TF.silu),
    ("logsigmoid", F.logsigmoid, TF.logsigmoid),
    ("softplus", F.softplus, TF.softplus),
    ("softplus_beta", lambda a: F.softplus(a, beta=2.5, threshold=3.0),
     lambda a: TF.softplus(a, beta=2.5, threshold=3.0)),
    ("softplus_neg_beta", lambda a: F.softplus(a, beta=-0.7),
     lambda a: TF.softplus(a, beta=-0.7)),
    ("sigmoid", F.sigmoid, torch.sigmoid),
    ("tanh", F.tanh, torch.tanh),
]


@pytest.mark.parametrize("name,mg_fn,torch_fn", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_smooth_activations(device, rng, name, mg_fn, torch_fn):
    x = rng.standard_normal((4, 33)) * 4
    check_op(mg_fn, torch_fn, [x], device=device, double=True)


def test_relu(device, rng):
    check_op(F.relu, TF.relu, [rng.standard_normal((3, 7))], device=device)


@pytest.mark.parametrize("name,mg_fn,torch_fn", SMOOTH, ids=[s[0] for s in SMOOTH])
def test_extreme_float32_inputs(rng, name, mg_fn, torch_fn):
    x = np.array([-1e4, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1e4], np.float32)
    mx = mg.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    out, ref = mg_fn(mx), torch_fn(tx)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=2e-6, atol=1e-7)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), rtol=2e-6, atol=1e-7)


def test_errors():
    with pytest.raises(ValueError, match="approximate.*'fast'"):
        F.gelu(mg.randn(3), approximate="fast")
    with pytest.raises(ValueError, match="approximate"):
        mg.nn.GELU("fast")
    with pytest.raises(TypeError, match="floating point.*int64"):
        F.silu(mg.tensor([1, 2]))
    with pytest.raises(ValueError, match="beta"):
        F.softplus(mg.randn(3), beta=0)


@pytest.mark.parametrize("mod,ref", [
    (mg.nn.ReLU(), torch.nn.ReLU()), (mg.nn.GELU(), torch.nn.GELU()),
    (mg.nn.GELU("tanh"), torch.nn.GELU("tanh")), (mg.nn.SiLU(), torch.nn.SiLU()),
    (mg.nn.Tanh(), torch.nn.Tanh()), (mg.nn.Sigmoid(), torch.nn.Sigmoid())],
    ids=["relu", "gelu", "gelu_tanh", "silu", "tanh", "sigmoid"])
def test_modules(rng, mod, ref):
    check_op(lambda a: mod(a), lambda a: ref(a), [rng.standard_normal((2, 5))])
    assert repr(mod) == repr(ref)


def test_relu_and_where_backward_select_so_an_inf_gradient_gives_zero():
    """torch's relu and where backward select the gradient (not multiply by a 0/1 mask):
    an inf or nan upstream gradient at a masked position gives 0, not nan."""
    import torch
    g = np.array([np.inf, 1.0, np.nan, -np.inf])
    x = np.array([-1.0, 2.0, -3.0, 0.0])
    for fn in (lambda L, t: L.relu(t), lambda L, t: L.where(t > 0, t, L.zeros_like(t))):
        m = mg.tensor(x, requires_grad=True)
        fn(mg, m).backward(mg.tensor(g))
        t = torch.tensor(x, requires_grad=True)
        fn(torch, t).backward(torch.tensor(g))
        np.testing.assert_array_equal(m.grad.numpy(), t.grad.numpy())
