"""Elementwise unary math vs torch (issue 15): log1p expm1 log2 log10 exp2 rsqrt reciprocal
square sign sgn erf erfc erfinv floor ceil round(decimals=) trunc frac sinh cosh asinh acosh
atanh asin acos atan tan, as mg.X, Tensor.X and Tensor.X_: values, dtypes for every input
dtype, gradients and second derivatives, edge values (nan, inf, +-0, domain ends), errors."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg


def _normal(rng, shape): return rng.standard_normal(shape) * 2
def _pos(rng, shape): return rng.uniform(0.1, 4.0, shape)
def _unit(rng, shape): return rng.uniform(-0.95, 0.95, shape)
def _above1(rng, shape): return rng.uniform(1.05, 5.0, shape)
def _gt_m1(rng, shape): return rng.uniform(-0.9, 4.0, shape)
def _nonzero(rng, shape): return rng.uniform(0.2, 3.0, shape) * rng.choice([-1, 1], shape)
def _tan(rng, shape): return rng.uniform(-1.4, 1.4, shape)


# name -> the domain its random inputs come from
SMOOTH = {"log1p": _gt_m1, "expm1": _normal, "log2": _pos, "log10": _pos, "exp2": _normal,
          "rsqrt": _pos, "reciprocal": _nonzero, "square": _normal, "erf": _normal,
          "erfc": _normal, "erfinv": _unit, "sinh": _normal, "cosh": _normal, "asinh": _normal,
          "acosh": _above1, "atanh": _unit, "asin": _unit, "acos": _unit, "atan": _normal,
          "tan": _tan, "frac": _normal}
STEP = ["sign", "sgn", "floor", "ceil", "round", "trunc"]
ALL = list(SMOOTH) + STEP


@pytest.mark.parametrize("name", list(SMOOTH))
def test_smooth_values_grads_double(device, rng, name):
    x = SMOOTH[name](rng, (3, 7))
    check_op(getattr(mg, name), getattr(torch, name), [x], device=device, double=True)
    # method form on a non-contiguous view
    check_op(lambda a: getattr(a.t(), name)(), lambda a: getattr(a.t(), name)(), [x],
             device=device)
    # float32 in, float32 out and gradients, to float32's rounding
    check_op(getattr(mg, name), getattr(torch, name), [x.astype(np.float32)], device=device,
             rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", STEP)
def test_step_functions_have_zero_gradient(device, rng, name):
    x = rng.standard_normal((4, 5)) * 3
    x[0, :3] = [0.5, 1.5, -2.5]                    # ties round half to even
    check_op(getattr(mg, name), getattr(torch, name), [x], device=device, double=True)
    mx = mg.tensor(x, requires_grad=True)
    g, = mg.grad(getattr(mg, name)(mx).sum(), [mx], create_graph=True)
    assert np.all(g.numpy() == 0) and not g.requires_grad     # torch: a constant zero


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
@pytest.mark.parametrize("name", ALL)
def test_zero_d_and_empty(rng, name, shape):
    x = SMOOTH.get(name, _normal)(rng, shape)
    check_op(getattr(mg, name), getattr(torch, name), [np.asarray(x)])


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _same(mg_fn, torch_fn, a):
    """Same dtype and values (to the result dtype's rounding) as torch, or the same kind of
    error."""
    try:
        ref = torch_fn(torch.tensor(a))
    except Exception as e:  # noqa: BLE001
        kind = next(k for k in type(e).__mro__ if k.__module__ == "builtins")
        with pytest.raises(kind):
            mg_fn(mg.tensor(a))
        return
    out = mg_fn(mg.tensor(a))
    assert str(out.dtype) == str(ref.dtype).replace("torch.", "")
    rtol = {torch.float16: 2e-3, torch.float32: 2e-6}.get(ref.dtype, 1e-7)
    np.testing.assert_allclose(out.numpy().astype(np.float64), ref.numpy().astype(np.float64),
                               rtol=rtol, atol=0, equal_nan=True)


@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("name", ALL)
def test_dtypes(name, default):
    """Every input dtype torch takes, with the result dtype torch gives (integers go to the
    default float dtype, except for the ops that keep them); torch's error for the rest."""
    old_t, old_m = torch.get_default_dtype(), mg.get_default_dtype()
    torch.set_default_dtype(getattr(torch, default))
    mg.set_default_dtype(getattr(mg, default))
    try:
        for dt in DTYPES:
            a = np.array([[0, 1, 2], [3, 1, 0]]).astype(dt)
            if dt.startswith("int"):
                a[1] = [-3, -1, -2]
            if dt.startswith("float"):
                a = (a * 0.37 - 0.3).astype(dt)
            _same(getattr(mg, name), getattr(torch, name), a)
            _same(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), a)
            _same(lambda t: getattr(t.clone(), name + "_")(),
                  lambda t: getattr(t.clone(), name + "_")(), a)
    finally:
        torch.set_default_dtype(old_t)
        mg.set_default_dtype(old_m)


EDGES = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5,
                  2.0, 1e-300, -1e-300, 1e300, 0.999999, -1.000001, 30.0, -30.0, 800.0])


@pytest.mark.parametrize("name", ALL)
def test_edge_values_and_their_gradients(name):
    mx = mg.tensor(EDGES, requires_grad=True)
    tx = torch.tensor(EDGES, requires_grad=True)
    out, ref = getattr(mg, name)(mx), getattr(torch, name)(tx)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-7, atol=0,
                               equal_nan=True)
    o, r = out.detach().numpy(), ref.detach().numpy()
    assert np.array_equal(np.signbit(o) | np.isnan(o), np.signbit(r) | np.isnan(r))   # +-0
    w = np.linspace(-1.0, 2.0, EDGES.size)
    gm, = mg.grad(out, [mx], mg.tensor(w))
    gt, = torch.autograd.grad(ref, [tx], torch.tensor(w))
    np.testing.assert_allclose(gm.numpy(), gt.numpy(force=True), rtol=1e-7, atol=0,
                               equal_nan=True)     # force: sgn's is a ZeroTensor


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_round_decimals(rng, dtype):
    x = (rng.standard_normal(200) * 10.0 ** rng.integers(-3, 4, 200)).astype(dtype)
    x[:6] = [0.125, 0.375, 2.5, 15.0, 25.0, -35.0]
    for d in [-3, -2, -1, 0, 1, 2, 3, 5]:
        out = mg.round(mg.tensor(x), decimals=d)
        ref = torch.round(torch.tensor(x), decimals=d)
        assert str(out.dtype) == str(ref.dtype).replace("torch.", "")
        np.testing.assert_array_equal(out.numpy(), ref.numpy(), err_msg=f"decimals={d}")
        np.testing.assert_array_equal(mg.tensor(x).round(decimals=d).numpy(), ref.numpy())
        np.testing.assert_array_equal(mg.tensor(x).round_(decimals=d).numpy(), ref.numpy())
    check_op(lambda a: mg.round(a, decimals=2), lambda a: torch.round(a, decimals=2),
             [x.astype(np.float64)], double=True)


def test_round_errors():
    with pytest.raises(TypeError, match="decimals"):
        mg.round(mg.randn(3), decimals=1.5)
    with pytest.raises(TypeError, match="decimals"):
        mg.round(mg.randn(3), decimals=None)
    with pytest.raises(TypeError, match="decimals"):
        mg.round(mg.randn(3), decimals=True)
    x = np.array([1.234, -5.678])
    for d in [np.int64(1), mg.tensor(1)]:           # torch takes these too
        np.testing.assert_array_equal(mg.round(mg.tensor(x), decimals=d).numpy(),
                                      torch.round(torch.tensor(x), decimals=1).numpy())
    with pytest.raises(TypeError):
        mg.round(mg.randn(3), 2)                   # decimals is keyword-only, as torch's
    with pytest.raises(NotImplementedError, match="Long"):
        mg.round(mg.tensor([1, 2]), decimals=1)
    with pytest.raises(NotImplementedError, match="Bool"):
        mg.tensor([True]).round()


@pytest.mark.parametrize("name", ALL)
def test_non_tensor_input_is_a_type_error(name):
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'input'.*float"):
        getattr(mg, name)(1.5)


# torch 2.x has no derivative for these in place ("not implemented"); minigrad has one, checked
# against torch's out-of-place op written back into the view
NO_TORCH_INPLACE_GRAD = {"asinh", "acosh", "atanh"}


@pytest.mark.parametrize("name", ALL)
def test_inplace_on_a_non_leaf_and_errors(rng, name):
    x = SMOOTH.get(name, _normal)(rng, (3, 4))

    def run(t):
        y = t * 1.0
        getattr(y[1:], name + "_")()               # in place through a view
        return y

    def torch_run(t):
        if name not in NO_TORCH_INPLACE_GRAD:
            return run(t)
        y = t * 1.0
        y[1:].copy_(getattr(y[1:].clone(), name)())
        return y

    check_op(run, torch_run, [x])
    leaf = mg.tensor(x, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(leaf, name + "_")()


def test_aliasing_and_version_counter(rng):
    x = mg.tensor(rng.uniform(0.1, 1.0, (2, 3)))
    v = x[0]
    x.log1p_()
    np.testing.assert_allclose(v.numpy(), x.numpy()[0])
    a = mg.tensor(rng.uniform(0.1, 1.0, 3), requires_grad=True)
    y = a.reciprocal()              # saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
