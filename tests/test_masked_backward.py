"""Backwards that select rather than multiply: where torch's gradient is 0 by a mask (relu6,
hardtanh, threshold, hard/softshrink, hardsigmoid, hardswish, maximum/minimum, masked_fill,
clamp), an inf or NaN arriving from above must not turn into NaN there; and the gradients at
the kinks are torch's (hardswish at -3 and 3)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as tF

import minigrad as mg
import minigrad.nn.functional as mF


def _F(L):
    return tF if L is torch else mF


CASES = {
    "clamp": lambda L, x: x.clamp(min=0),
    "clamp tensor": lambda L, x: x.clamp(min=L.zeros(5, dtype=x.dtype)),
    "relu": lambda L, x: x.relu(),
    "hardtanh": lambda L, x: _F(L).hardtanh(x - 2),
    "relu6": lambda L, x: _F(L).relu6(x),
    "threshold": lambda L, x: _F(L).threshold(x, 0.5, 0.0),
    "maximum": lambda L, x: L.maximum(x, L.zeros(5, dtype=x.dtype)),
    "minimum": lambda L, x: -L.minimum(-x, L.zeros(5, dtype=x.dtype)),
    "where": lambda L, x: L.where(x > 0, x, L.zeros(5, dtype=x.dtype)),
    "masked_fill": lambda L, x: x.masked_fill(x < 0, 0.0),
    "hardshrink": lambda L, x: _F(L).hardshrink(x, 0.5),
    "softshrink": lambda L, x: _F(L).softshrink(x, 0.5),
    "hardsigmoid": lambda L, x: _F(L).hardsigmoid(x - 4),
    "hardswish": lambda L, x: _F(L).hardswish(x - 4),
    "leaky_relu 0": lambda L, x: _F(L).leaky_relu(x, 0.0),     # torch multiplies: NaN there
    "elu": lambda L, x: _F(L).elu(x),
}


def _grad(L, f, values, upstream):
    x = L.tensor(values, dtype=L.float64, requires_grad=True)
    y = f(L, x)
    y.backward(L.tensor(upstream, dtype=L.float64))
    return np.array(x.grad.tolist())


@pytest.mark.parametrize("name", list(CASES))
def test_nan_and_inf_from_above_stay_where_torch_selects(name):
    values = [-1.0, -0.25, 0.0, 2.0, 1.0]
    upstream = [np.nan, np.inf, np.nan, 1.5, -np.inf]
    want = _grad(torch, CASES[name], values, upstream)
    got = _grad(mg, CASES[name], values, upstream)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.nan_to_num(got), np.nan_to_num(want))


@pytest.mark.parametrize("fn", ["hardswish", "hardsigmoid", "hardtanh", "relu6", "threshold"])
def test_gradients_at_the_kinks_are_torchs(fn):
    points = [-3.0, 3.0, -1.0, 1.0, 0.0, 6.0, 0.5, -3.5, 3.5]
    extra = {"threshold": (0.5, 0.0)}.get(fn, ())
    got = _grad(mg, lambda L, x: getattr(_F(L), fn)(x, *extra), points, np.ones(9))
    want = _grad(torch, lambda L, x: getattr(_F(L), fn)(x, *extra), points, np.ones(9))
    np.testing.assert_allclose(got, want, rtol=1e-15)
