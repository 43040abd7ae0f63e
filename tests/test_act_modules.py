"""Issue 15's activation modules (constructor defaults, attributes, parameters, repr,
load_state_dict and gradients vs torch), the in-place forms (inplace=True, F.x_, mg.x_) with
torch's autograd behaviour, and rrelu's random slopes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F

# (constructor args, kwargs); each module is built from both namespaces alike
MODULES = [
    ("ELU", (), {}), ("ELU", (0.5, True), {}), ("SELU", (), {}), ("SELU", (True,), {}),
    ("CELU", (), {}), ("CELU", (), {"alpha": 2.0}), ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2, True), {}), ("RReLU", (), {}), ("RReLU", (0.1, 0.3, True), {}),
    ("ReLU6", (), {}), ("ReLU6", (True,), {}), ("Hardtanh", (), {}),
    ("Hardtanh", (-2.0, 0.5), {"inplace": True}), ("Hardswish", (), {}),
    ("Hardswish", (True,), {}), ("Hardsigmoid", (), {}), ("Hardsigmoid", (True,), {}),
    ("Mish", (), {}), ("Mish", (True,), {}), ("Softsign", (), {}), ("Softmin", (), {"dim": 1}),
    ("Softmin", (), {}), ("Softmax2d", (), {}), ("Tanhshrink", (), {}),
    ("Threshold", (0.1, 20.0), {}), ("Threshold", (-0.5, 2.0, True), {}),
    ("Hardshrink", (), {}), ("Hardshrink", (1.0,), {}), ("Softshrink", (), {}),
    ("Softshrink", (), {"lambd": 0.3}), ("GLU", (), {}), ("GLU", (1,), {}), ("PReLU", (), {}),
    ("PReLU", (3, 0.1), {}), ("LogSigmoid", (), {}), ("Softplus", (), {}),
    ("Softplus", (2.0, 1.0), {}),
]
IDS = [f"{n}{a}{k or ''}" for n, a, k in MODULES]


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=IDS)
def test_module_construction_as_torch(name, args, kwargs):
    m, t = getattr(mg.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(m) == repr(t)
    public = {k: v for k, v in vars(t).items() if not k.startswith("_") and k != "training"}
    for k, v in public.items():
        assert getattr(m, k) == v, k
    ours = {k: tuple(v.shape) for k, v in m.state_dict().items()}
    assert ours == {k: tuple(v.shape) for k, v in t.state_dict().items()}
    for (k, p), (_, tp) in zip(m.named_parameters(), t.named_parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), tp.detach().float().numpy(), err_msg=k)
        assert p.dtype == mg.float32            # (torch's default is float64 in these tests)


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=IDS)
def test_module_outputs_and_gradients_as_torch(rng, name, args, kwargs):
    m, t = getattr(mg.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    m.eval()
    t.eval()                                    # RReLU: the deterministic mean slope
    if name == "PReLU":                         # a trained-looking weight, loaded from torch
        with torch.no_grad():
            t.weight.uniform_(-1, 1)
    x = rng.standard_normal((2, 4, 3, 2) if name == "GLU" else (2, 3, 4, 4)) * 3
    if getattr(t, "inplace", False):            # an in-place module needs a non-leaf input
        check_op(lambda a: m(a * 1.0), lambda a: t(a * 1.0), [x])
    else:
        check_module(m, t, [x])


def test_prelu_parameters_and_state_dict(rng):
    m, t = mg.nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert m.weight.shape == (3,) and m.weight.requires_grad
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.full(3, 0.1, np.float32))
    with torch.no_grad():
        t.weight.copy_(torch.tensor([0.5, -0.2, 2.0]))
    check_module(m, t, [rng.standard_normal((4, 3, 5))])
    np.testing.assert_allclose(m.weight.detach().numpy(), [0.5, -0.2, 2.0])
    assert mg.nn.PReLU(dtype=mg.float64).weight.dtype == mg.float64
    m, t = mg.nn.PReLU([2]), torch.nn.PReLU([2])      # torch hands a list on to torch.empty
    assert repr(m) == repr(t) and m.weight.shape == tuple(t.weight.shape)
    for bad, kind in [(-1, RuntimeError), (2.0, TypeError)]:
        with pytest.raises(kind):
            torch.nn.PReLU(bad)
        with pytest.raises(kind):
            mg.nn.PReLU(bad)


def test_softmax2d_and_softmin_modules(rng):
    for shape in [(3, 4, 5), (2, 3, 4, 5), (0, 3, 2, 2)]:
        check_module(mg.nn.Softmax2d(), torch.nn.Softmax2d(), [rng.standard_normal(shape)])
    for shape in [(3, 4), (2, 3, 4, 5, 1)]:
        with pytest.raises(ValueError, match="3D or 4D"):
            torch.nn.Softmax2d()(torch.randn(shape))
        with pytest.raises(ValueError, match="3D or 4D"):
            mg.nn.Softmax2d()(mg.randn(*shape))
    with pytest.warns(UserWarning, match="softmin"):
        out = mg.nn.Softmin()(mg.tensor(rng.standard_normal((2, 3))))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out.numpy().sum(1), 1.0)


def test_hardtanh_module_bounds():
    with pytest.raises(ValueError, match="max_val"):
        mg.nn.Hardtanh(1.0, 0.5)
    with pytest.warns(FutureWarning, match="min_value"):
        m = mg.nn.Hardtanh(min_value=-3.0, max_value=2.0)
    with pytest.warns(FutureWarning, match="min_value"):
        t = torch.nn.Hardtanh(min_value=-3.0, max_value=2.0)
    assert (m.min_val, m.max_val) == (t.min_val, t.max_val) and repr(m) == repr(t)


# ---- in-place forms ----------------------------------------------------------------------------
INPLACE = [
    ("elu", lambda L, x: L.elu(x, 0.7, inplace=True)), ("elu_", lambda L, x: L.elu_(x, 1.5)),
    ("selu", lambda L, x: L.selu(x, True)), ("selu_", lambda L, x: L.selu_(x)),
    ("celu", lambda L, x: L.celu(x, 0.5, True)), ("celu_", lambda L, x: L.celu_(x, 2.0)),
    ("leaky_relu", lambda L, x: L.leaky_relu(x, 0.2, True)),
    ("leaky_relu_", lambda L, x: L.leaky_relu_(x, 0.05)),
    ("rrelu", lambda L, x: L.rrelu(x, 0.1, 0.3, False, True)),
    ("rrelu_", lambda L, x: L.rrelu_(x, 0.1, 0.3)),
    ("relu6", lambda L, x: L.relu6(x, True)),
    ("hardtanh", lambda L, x: L.hardtanh(x, -0.5, 0.5, True)),
    ("hardtanh_", lambda L, x: L.hardtanh_(x, -2.0, 1.0)),
    ("hardswish", lambda L, x: L.hardswish(x, True)),
    ("hardsigmoid", lambda L, x: L.hardsigmoid(x, True)),
    ("mish", lambda L, x: L.mish(x, True)), ("silu", lambda L, x: L.silu(x, True)),
    ("threshold", lambda L, x: L.threshold(x, 0.2, -1.0, True)),
    ("threshold_", lambda L, x: L.threshold_(x, 0.2, -1.0)), ("relu_", lambda L, x: L.relu_(x)),
]
TOP = [("mg.selu_", lambda L, x: L.selu_(x)), ("mg.celu_", lambda L, x: L.celu_(x, 0.5)),
       ("mg.relu_", lambda L, x: L.relu_(x)),
       ("mg.threshold_", lambda L, x: L.threshold_(x, 0.1, 3.0)),
       ("mg.rrelu_", lambda L, x: L.rrelu_(x, 0.2, 0.4))]


def _ns(lib, top):
    return lib if top else lib.nn.functional


@pytest.mark.parametrize("name,call", INPLACE + TOP, ids=[n for n, _ in INPLACE + TOP])
def test_inplace_writes_into_the_input_and_differentiates_as_torch(rng, name, call):
    top = name.startswith("mg.")
    a = rng.standard_normal((3, 4)) * 2
    a[0, :3] = [0.0, 1.0, -1.0]
    # no graph: the same object comes back, holding torch's values
    x, tx = mg.tensor(a), torch.tensor(a)
    out, ref = call(_ns(mg, top), x), call(_ns(torch, top), tx)
    assert out is x and ref is tx
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-12)
    # on a non-leaf: torch's gradients and second derivatives
    check_op(lambda t: call(_ns(mg, top), t * 1.0), lambda t: call(_ns(torch, top), t * 1.0),
             [a], double=name not in ("hardsigmoid",))
    # on a view of a non-leaf: the base sees the write
    check_op(lambda t: _written_base(call, _ns(mg, top), t),
             lambda t: _written_base(call, _ns(torch, top), t), [a])
    # a leaf that requires grad: torch's RuntimeError
    for lib in (mg, torch):
        with pytest.raises(RuntimeError, match="leaf"):
            call(_ns(lib, top), lib.tensor(a, requires_grad=True))


def _written_base(call, ns, t):
    base = t * 1.0
    call(ns, base[:, 1:3])
    return base


@pytest.mark.parametrize("call", [lambda L, x: L.elu_(x, -0.5),
                                  lambda L, x: L.celu(x, -1.0, inplace=True),
                                  lambda L, x: L.leaky_relu_(x, -0.1)],
                         ids=["elu_", "celu", "leaky_relu_"])
def test_inplace_negative_slope_backward_raises_as_torch(call):
    for lib in (mg, torch):
        x = lib.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        y = x * 1.0
        call(lib.nn.functional, y)
        with pytest.raises(RuntimeError, match="negative slope"):
            y.sum().backward()


def test_inplace_on_integers_as_torch():
    for call in [lambda L, x: L.hardtanh_(x, -1.5, 2.5), lambda L, x: L.relu6(x, True),
                 lambda L, x: L.threshold_(x, 0.5, 9.0), lambda L, x: L.relu_(x)]:
        x, tx = mg.tensor([-3, 0, 1, 7]), torch.tensor([-3, 0, 1, 7])
        call(F, x)
        call(TF, tx)
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
    for lib, x in [(F, mg.tensor([1, 2])), (TF, torch.tensor([1, 2]))]:
        with pytest.raises(NotImplementedError):
            lib.leaky_relu(x, inplace=True)


# ---- rrelu's random slopes ----------------------------------------------------------------------
def test_rrelu_training_draws_uniform_slopes_and_differentiates_through_them():
    lower, upper = 0.1, 0.4
    a = -np.abs(np.random.default_rng(0).standard_normal(40000)) - 0.01
    a[:10] = np.arange(1, 11)
    x = mg.tensor(a, requires_grad=True)
    y = F.rrelu(x, lower, upper, training=True)
    slopes = y.detach().numpy()[10:] / a[10:]
    assert slopes.min() >= lower and slopes.max() < upper
    np.testing.assert_array_equal(y.detach().numpy()[:10], a[:10])    # x > 0 untouched
    # uniform on [lower, upper): mean, spread and quartiles
    assert abs(slopes.mean() - (lower + upper) / 2) < 3e-3
    assert abs(slopes.std() - (upper - lower) / np.sqrt(12)) < 3e-3
    np.testing.assert_allclose(np.quantile(slopes, [0.25, 0.5, 0.75]),
                               lower + (upper - lower) * np.array([0.25, 0.5, 0.75]), atol=5e-3)
    assert len(np.unique(slopes)) > 39000                   # one draw per element
    g = np.random.default_rng(1).standard_normal(a.shape)
    y.backward(mg.tensor(g))
    np.testing.assert_allclose(x.grad.numpy()[10:], g[10:] * slopes, rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy()[:10], g[:10])
    # the same computation in torch, with torch's slopes, gives the same kind of gradient
    tx = torch.tensor(a, requires_grad=True)
    ty = TF.rrelu(tx, lower, upper, training=True)
    ty.backward(torch.tensor(g))
    t_slopes = ty.detach().numpy()[10:] / a[10:]
    np.testing.assert_allclose(tx.grad.numpy()[10:], g[10:] * t_slopes, rtol=1e-12)
    assert t_slopes.min() >= lower and t_slopes.max() < upper


def test_rrelu_training_at_zero_and_seeded():
    x = mg.zeros(1000, dtype=mg.float64, requires_grad=True)
    y = F.rrelu(x, 0.2, 0.3, training=True)
    y.sum().backward()
    assert (x.grad.numpy() >= 0.2).all() and (x.grad.numpy() < 0.3).all()     # x <= 0 draws
    mg.manual_seed(7)
    a = F.rrelu(-mg.ones(50), training=True)
    mg.manual_seed(7)
    b = F.rrelu(-mg.ones(50), training=True)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.dtype == mg.float32


def test_rrelu_module_train_and_eval(rng):
    m = mg.nn.RReLU(0.1, 0.3)
    x = mg.tensor(-np.abs(rng.standard_normal(2000)) - 0.01)
    slopes = (m(x) / x).numpy()
    assert len(np.unique(slopes)) > 1000 and slopes.min() >= 0.1 and slopes.max() < 0.3
    m.eval()
    np.testing.assert_allclose((m(x) / x).numpy(), 0.2)
    for lib in (mg, torch):                                  # in place while training
        z = lib.tensor([-1.0, -2.0, 3.0])
        out = lib.nn.RReLU(0.5, 0.5, inplace=True)(z)
        assert out is z
        np.testing.assert_allclose(z.numpy(), [-0.5, -1.0, 3.0])


@pytest.mark.parametrize("call,saves_result", [
    (lambda L, y: L.elu_(y), True), (lambda L, y: L.selu_(y), True),
    (lambda L, y: L.celu_(y, 0.5), True), (lambda L, y: L.leaky_relu_(y, 0.2), True),
    (lambda L, y: L.rrelu_(y, 0.1, 0.3), True), (lambda L, y: L.rrelu_(y, 0.1, 0.3, True), True),
    (lambda L, y: L.relu_(y), True), (lambda L, y: L.hardtanh_(y, -0.5, 0.5), False),
    (lambda L, y: L.threshold_(y, 0.5, 3.0), False), (lambda L, y: L.relu6(y, True), False),
    (lambda L, y: L.hardswish(y, True), False), (lambda L, y: L.hardsigmoid(y, True), False),
    (lambda L, y: L.mish(y, True), False), (lambda L, y: L.silu(y, True), False)],
    ids=["elu_", "selu_", "celu_", "leaky_relu_", "rrelu_", "rrelu_train", "relu_", "hardtanh_",
         "threshold_", "relu6", "hardswish", "hardsigmoid", "mish", "silu"])
def test_writing_the_result_again_before_backward_as_torch(call, saves_result):
    # torch's in-place elu_/leaky_relu_/rrelu_/relu_ save their result: a second write into it
    # makes backward fail; the others keep what they need and differentiate as usual
    for lib in (mg, torch):
        x = lib.tensor([-1.0, 0.2, 2.0, 0.0], requires_grad=True)
        y = x * 1.0
        call(lib.nn.functional, y)
        y.mul_(2.0)
        if saves_result:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                y.sum().backward()
        else:
            y.sum().backward()
            assert x.grad is not None
