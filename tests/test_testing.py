"""gradcheck and gradgradcheck catch wrong gradients and pass right ones; assert_close."""
import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad.testing import GradcheckError, assert_close, gradcheck, gradgradcheck


class WrongSquare(mg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x * 2.02             # deliberately off by 1%


class WrongSecond(mg.Function):
    """Right first derivative, but its backward is not differentiable correctly."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * mg.tensor(3 * x.detach().numpy() ** 2)   # a constant: second derivative lost


def test_gradcheck_passes_on_ops(rng):
    x = mg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = mg.tensor(rng.standard_normal((4,)), requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).tanh().softmax(1) @ b, [x, y])
    assert gradgradcheck(lambda a: a.log_softmax(0).exp() * a, [x])


def test_gradcheck_names_input_and_element():
    x = mg.tensor(np.linspace(1, 2, 6).reshape(2, 3), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"inputs\[0\] \(shape \(2, 3\)\) differs at index"):
        gradcheck(WrongSquare.apply, [x])


def test_gradgradcheck_catches_lost_second_derivative():
    x = mg.tensor(np.linspace(1, 2, 4), requires_grad=True)
    assert gradcheck(WrongSecond.apply, [x])
    with pytest.raises(GradcheckError):
        gradgradcheck(WrongSecond.apply, [x])


def test_gradcheck_requires_float64():
    with pytest.raises(GradcheckError, match="float64"):
        gradcheck(lambda a: a * 2, [mg.ones(2, requires_grad=True)])


def test_assert_close_accepts_all_array_kinds():
    a = np.array([1.0, np.nan])
    assert_close(mg.tensor(a), torch.tensor(a))
    assert_close(a, mg.tensor(a))
    with pytest.raises(AssertionError, match="1 of 2 elements differ"):
        assert_close(mg.tensor([1.0, 2.0]), np.array([1.0, 2.1]), rtol=1e-3)
    with pytest.raises(AssertionError, match="shape mismatch"):
        assert_close(np.ones(2), np.ones(3))
