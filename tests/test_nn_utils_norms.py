"""nn.utils.weight_norm / spectral_norm (the hook-based forms) against torch 2.13: parameter
and buffer names, state_dict keys, forward values and gradients after copying torch's
parameters and buffers (u and v too: the random draws differ), training vs eval power
iteration, removal, and the errors."""
import warnings

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")
tnn = torch.nn

RNG = np.random.default_rng()


def _pair(kind, dtype=torch.float64):
    """The same layer in both frameworks, float64, minigrad holding torch's parameters."""
    if kind == "linear":
        t, m = tnn.Linear(5, 4), mg.nn.Linear(5, 4)
        x = RNG.standard_normal((3, 5))
    elif kind == "conv":
        t, m = tnn.Conv2d(3, 4, 3), mg.nn.Conv2d(3, 4, 3)
        x = RNG.standard_normal((2, 3, 6, 6))
    else:
        t, m = tnn.ConvTranspose2d(3, 4, 3), mg.nn.ConvTranspose2d(3, 4, 3)
        x = RNG.standard_normal((2, 3, 5, 5))
    t = t.to(dtype)
    m = m.to(mg.float64)
    m.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    return t, m, x


def _copy_state(t, m):
    m.load_state_dict({k: v.detach().clone().numpy() for k, v in t.state_dict().items()})


def _close(a, b, tol=1e-10):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _fwd_bwd(t, m, x):
    yt = t(torch.tensor(x))
    ym = m(mg.tensor(x))
    _close(ym, yt)
    g = RNG.standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(g))
    ym.backward(mg.tensor(g))
    for (nt, pt), (nm, pm) in zip(t.named_parameters(), m.named_parameters()):
        assert nt == nm
        _close(pm.grad, pt.grad)


@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
@pytest.mark.parametrize("dim", [0, 1, -1, None])
def test_weight_norm_matches_torch(kind, dim):
    t, m, x = _pair(kind)
    with pytest.warns(FutureWarning, match="weight_norm` is deprecated"):
        tnn.utils.weight_norm(t, dim=dim)
    with pytest.warns(FutureWarning, match="weight_norm` is deprecated"):
        assert mg.nn.utils.weight_norm(m, dim=dim) is m
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    _close(m.weight_g, t.weight_g)
    _close(m.weight_v, t.weight_v)
    _close(m.weight, t.weight)
    # new values for g and v: the hook recomputes the weight before the forward
    with torch.no_grad():
        t.weight_g.mul_(torch.tensor(RNG.uniform(0.5, 2, tuple(t.weight_g.shape))))
    _copy_state(t, m)
    _fwd_bwd(t, m, x)
    mg.nn.utils.remove_weight_norm(m)
    tnn.utils.remove_weight_norm(t)
    assert list(m.state_dict()) == list(t.state_dict())
    assert isinstance(m.weight, mg.nn.Parameter) and m.weight.grad_fn is None
    _close(m.weight, t.weight)
    assert not m._forward_pre_hooks


def test_weight_norm_errors():
    m = mg.nn.Linear(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mg.nn.utils.weight_norm(m)
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
            mg.nn.utils.weight_norm(m)
        with pytest.raises(IndexError, match="Dimension out of range"):
            mg.nn.utils.weight_norm(mg.nn.Linear(3, 4), dim=2)
        with pytest.raises(KeyError):
            mg.nn.utils.weight_norm(mg.nn.BatchNorm1d(3), name="running_mean")
        with pytest.raises(AttributeError, match="no attribute 'foo'"):
            mg.nn.utils.weight_norm(mg.nn.Linear(3, 4), name="foo")
    with pytest.raises(ValueError, match="weight_norm of 'bias' not found in"):
        mg.nn.utils.remove_weight_norm(m, "bias")


@pytest.mark.parametrize("kind", ["linear", "conv", "convT"])
@pytest.mark.parametrize("n_iter", [1, 3])
def test_spectral_norm_matches_torch(kind, n_iter):
    t, m, x = _pair(kind)
    tnn.utils.spectral_norm(t, n_power_iterations=n_iter)
    assert mg.nn.utils.spectral_norm(m, n_power_iterations=n_iter) is m
    assert list(m.state_dict()) == list(t.state_dict()) == \
        ["bias", "weight_orig", "weight_u", "weight_v"]
    assert [n for n, _ in m.named_buffers()] == ["weight_u", "weight_v"]
    for n in ("weight_u", "weight_v"):
        assert tuple(getattr(m, n).shape) == tuple(getattr(t, n).shape)
        np.testing.assert_allclose(np.linalg.norm(getattr(m, n).numpy()), 1.0)
    _copy_state(t, m)           # the same starting u, v
    for _ in range(2):          # training: u and v move at each forward
        _fwd_bwd(t, m, x)
        _close(m.weight_u, t.weight_u)
        _close(m.weight_v, t.weight_v)
        _close(m.weight, t.weight)
    t.eval(), m.eval()
    u0 = m.weight_u.numpy().copy()
    t.zero_grad(), m.zero_grad()
    _fwd_bwd(t, m, x)
    np.testing.assert_array_equal(m.weight_u.numpy(), u0)     # eval: no power iteration
    mg.nn.utils.remove_spectral_norm(m)
    tnn.utils.remove_spectral_norm(t)
    assert list(m.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    _close(m.weight, t.weight)
    assert not m._forward_pre_hooks


def test_spectral_norm_double_backward():
    t, m, x = _pair("linear")
    tnn.utils.spectral_norm(t)
    mg.nn.utils.spectral_norm(m)
    _copy_state(t, m)
    t.eval(), m.eval()
    gt, = torch.autograd.grad(t(torch.tensor(x)).pow(2).sum(), t.weight_orig,
                              create_graph=True)
    gm, = mg.grad(m(mg.tensor(x)).pow(2).sum(), m.weight_orig, create_graph=True)
    _close(gm, gt)
    ht, = torch.autograd.grad(gt.pow(2).sum(), t.weight_orig)
    hm, = mg.grad(gm.pow(2).sum(), m.weight_orig)
    _close(hm, ht, 1e-8)


def test_spectral_norm_state_dict_round_trip_and_old_version():
    t, m, _ = _pair("linear")
    tnn.utils.spectral_norm(t)
    mg.nn.utils.spectral_norm(m)
    # a torch checkpoint loads (its metadata says version 1)
    m.load_state_dict(t.state_dict())
    _close(m.weight_v, t.weight_v)
    # an old (version None) checkpoint: `weight` and no `weight_v`; v is solved on load
    sd = {k: v.detach().clone() for k, v in t.state_dict().items()}
    old = dict(sd)
    old["weight"] = t.weight.detach().clone()
    del old["weight_v"]
    tt = tnn.utils.spectral_norm(tnn.Linear(5, 4).double())
    sd_meta = type(t.state_dict())(old)
    sd_meta._metadata = {"": {"version": 1}}          # no spectral_norm version: None
    tt.load_state_dict(sd_meta)
    m2 = mg.nn.utils.spectral_norm(mg.nn.Linear(5, 4).to(mg.float64))
    m2.load_state_dict({k: v.numpy() for k, v in old.items()})
    _close(m2.weight_v, tt.weight_v, 1e-8)


def test_spectral_norm_errors_and_dim():
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        mg.nn.utils.spectral_norm(mg.nn.Linear(3, 4), n_power_iterations=0)
    m = mg.nn.utils.spectral_norm(mg.nn.Linear(3, 4))
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        mg.nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match="spectral_norm of 'bias' not found"):
        mg.nn.utils.remove_spectral_norm(m, "bias")
    with pytest.raises(ValueError, match="cannot be applied as parameter `bias` is None"):
        mg.nn.utils.spectral_norm(mg.nn.Linear(3, 4, bias=False), "bias")
    # ConvTranspose: dim 1 (u has in_channels... the output-channel dim 1)
    c = mg.nn.utils.spectral_norm(mg.nn.ConvTranspose2d(3, 5, 2))
    tc = tnn.utils.spectral_norm(tnn.ConvTranspose2d(3, 5, 2))
    assert tuple(c.weight_u.shape) == tuple(tc.weight_u.shape)
    assert tuple(c.weight_v.shape) == tuple(tc.weight_v.shape)


def test_old_weight_norm_checkpoint_loads_into_parametrization():
    t, m, x = _pair("conv")
    with pytest.warns(FutureWarning):
        tnn.utils.weight_norm(t)
    sd = t.state_dict()
    mg.nn.utils.parametrizations.weight_norm(m)
    m.load_state_dict({k: v.numpy() for k, v in sd.items()})
    assert sorted(m.state_dict()) == ["bias", "parametrizations.weight.original0",
                                      "parametrizations.weight.original1"]
    _close(m(mg.tensor(x)), t(torch.tensor(x)))


@pytest.mark.parametrize("dim", [-1, 2])
def test_spectral_norm_bad_dim(dim):
    with pytest.raises(RuntimeError, match="permute"):
        tnn.utils.spectral_norm(tnn.Linear(3, 4), dim=dim)
    with pytest.raises(RuntimeError, match="spectral_norm: permute"):
        mg.nn.utils.spectral_norm(mg.nn.Linear(3, 4), dim=dim)
