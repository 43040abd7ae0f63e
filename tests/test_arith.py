"""Elementwise ops against torch in float64: values, gradients, second derivatives."""
import numpy as np
import pytest
import torch

import minigrad as mg
from conftest import check_op

SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 5), (3, 1)), ((), (2, 3)), ((5,), ())]


@pytest.mark.parametrize("sa,sb", SHAPES)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "maximum", "minimum"])
def test_binary_broadcast(name, sa, sb, rng, device):
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    if name == "div":
        b = np.abs(b) + 0.5
    fns = {"add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
           "div": lambda x, y: x / y}
    mg_fn = fns.get(name, lambda x, y: getattr(mg, name)(x, y))
    t_fn = fns.get(name, lambda x, y: getattr(torch, name)(x, y))
    check_op(mg_fn, t_fn, [a, b], device=device, double=True)


def test_pow_both_sides(rng, device):
    a, b = np.abs(rng.standard_normal((3, 4))) + 0.5, rng.standard_normal((4,))
    check_op(lambda x, y: x ** y, lambda x, y: x ** y, [a, b], device=device, double=True)
    check_op(lambda x: x ** 3, lambda x: x ** 3, [rng.standard_normal(5)], device=device,
             double=True)
    check_op(lambda x: 2.0 ** x, lambda x: 2.0 ** x, [rng.standard_normal(5)], device=device,
             double=True)
    check_op(lambda x: x ** 0, lambda x: x ** 0, [rng.standard_normal(5)], device=device)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "sin",
                                  "cos", "neg"])
def test_unary(name, rng, device):
    x = rng.standard_normal((4, 7))
    if name in ("log", "sqrt"):
        x = np.abs(x) + 0.1
    check_op(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), [x], device=device,
             double=name not in ("relu", "abs"))


def test_sigmoid_extreme_values_are_finite():
    x = mg.tensor([-1e4, -100.0, 0.0, 100.0, 1e4], requires_grad=True)
    y = x.sigmoid()
    y.sum().backward()
    assert np.all(np.isfinite(y.detach().numpy())) and np.all(np.isfinite(x.grad.detach().numpy()))
    expected = torch.sigmoid(torch.tensor(x.detach().numpy())).numpy()
    np.testing.assert_allclose(y.detach().numpy(), expected)


@pytest.mark.parametrize("lo,hi", [(-0.5, 0.5), (None, 0.2), (-0.1, None)])
def test_clamp(lo, hi, rng, device):
    x = rng.standard_normal((5, 6))
    x[0, 0], x[0, 1] = 0.5, -0.1        # boundaries: torch passes the gradient there
    check_op(lambda t: t.clamp(lo, hi), lambda t: t.clamp(lo, hi), [x], device=device)


def test_where_and_ties(rng, device):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4,))
    cond = rng.standard_normal((3, 4)) > 0
    check_op(lambda x, y: mg.where(mg.tensor(cond, device=device), x, y),
             lambda x, y: torch.where(torch.tensor(cond), x, y), [a, b], device=device)
    tie = np.array([1.0, 2.0, 3.0])
    check_op(mg.maximum, torch.maximum, [tie, tie.copy()], device=device)


def test_comparisons_are_bool_without_grad():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for r in (x > 2, x >= 2, x < 2, x <= 2, x == 2, x != 2):
        assert r.dtype == mg.bool and not r.requires_grad and r.grad_fn is None
    assert (x > 1.5).tolist() == [False, True, True]


def test_int_division_gives_float32():
    a = mg.tensor([1, 2, 3])
    assert (a / 2).dtype == mg.float32 and (a / a).dtype == mg.float32
    assert (mg.tensor([1.0]) * 2.5).dtype == mg.float32


def test_broadcast_error_names_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"add: shapes \(3,\) and \(4,\)"):
        mg.ones(3) + mg.ones(4)
    with pytest.raises(RuntimeError, match="mul"):
        mg.ones(2, 3) * mg.ones(3, 2)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int64"])
def test_tensor_with_python_number_bitwise_as_torch(dtype):
    """torch multiplies and divides a float16 tensor by a number in float32 (the number is not
    rounded to float16 first) and computes number / tensor as reciprocal(tensor) * number: the
    results must be the same bits, not just close."""
    x = (np.random.default_rng().standard_normal(4000) * 5).astype(dtype)
    x[x == 0] = 1
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)     # int64 / number: both libraries' default float
    try:
        for f in (lambda t: t * 1e-3, lambda t: 1e-3 * t, lambda t: t / 3.3, lambda t: 3.3 / t,
                  lambda t: 7 / t, lambda t: t + 0.1, lambda t: 0.1 - t, lambda t: t - 0.7,
                  lambda t: t * 3, lambda t: t / 7):
            got, want = f(mg.tensor(x)).numpy(), f(torch.tensor(x)).numpy()
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
    finally:
        torch.set_default_dtype(default)
