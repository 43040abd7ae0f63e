"""F.bilinear, torch.bilinear and nn.Bilinear against torch: values, gradients and second
derivatives for every operand, leading batch dims (none, one, several, empty), integer
dtypes, torch's shape/dtype errors, and the module's parameters, init, repr and state_dict."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F

tF = torch.nn.functional


@pytest.mark.parametrize("s1,s2,w,b", [((5, 3), (5, 4), (6, 3, 4), (6,)),
                                       ((3,), (4,), (2, 3, 4), (2,)),
                                       ((2, 7, 3), (2, 7, 4), (6, 3, 4), None),
                                       ((2, 1, 3, 2), (2, 1, 3, 5), (4, 2, 5), (4,)),
                                       ((0, 3), (0, 4), (6, 3, 4), (6,)),
                                       ((5, 3), (5, 4), (0, 3, 4), (0,)),
                                       ((5, 1), (5, 1), (1, 1, 1), (1,))])
def test_values_gradients_and_double_backward(s1, s2, w, b, rng):
    arrays = [rng.standard_normal(s) for s in (s1, s2, w)] + \
        ([] if b is None else [rng.standard_normal(b)])
    check_op(F.bilinear, tF.bilinear, arrays, double=True)
    check_op(mg.bilinear, torch.bilinear, arrays)


def test_float32_and_integer_dtypes(rng):
    arrays = [rng.standard_normal(s) for s in ((4, 3), (4, 2), (5, 3, 2), (5,))]
    check_op(F.bilinear, tF.bilinear, [a.astype(np.float32) for a in arrays], rtol=1e-5,
             atol=1e-5)
    for dt in ("int8", "uint8", "int16", "int32", "int64"):
        ints = [rng.integers(0, 4, a.shape).astype(dt) for a in arrays]
        y = F.bilinear(*[mg.tensor(a) for a in ints])
        ty = tF.bilinear(*[torch.tensor(a) for a in ints])
        assert y.dtype == getattr(mg, dt) and str(ty.dtype) == f"torch.{dt}"
        np.testing.assert_array_equal(y.numpy(), ty.numpy())


def test_non_contiguous_inputs(rng):
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 10))
    w = rng.standard_normal((2, 4, 3))
    y = F.bilinear(mg.tensor(a).T, mg.tensor(b)[:, ::2].T, mg.tensor(w).transpose(1, 2))
    ty = tF.bilinear(torch.tensor(a).T, torch.tensor(b)[:, ::2].T,
                     torch.tensor(w).transpose(1, 2))
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-12)


def _err(call):
    try:
        call()
    except Exception as e:      # noqa: BLE001  (the type is what is compared)
        return type(e), str(e)
    return None


def _z(lib, shape, dtype="float64"):
    return None if shape is None else lib.zeros(tuple(shape), dtype=getattr(lib, dtype))


@pytest.mark.parametrize("shapes,dtypes", [
    (((5, 3), (4, 4), (6, 3, 4), (6,)), None),
    (((1, 5, 3), (5, 4), (6, 3, 4), (6,)), None),
    (((5, 2), (5, 4), (6, 3, 4), (6,)), None),
    (((5, 3), (5, 2), (6, 3, 4), (6,)), None),
    (((5, 3), (5, 4), (3, 4), None), None),
    (((5, 3), (5, 4), (6, 3, 4, 1), None), None),
    (((5, 3), (5, 4), (6, 3, 4), (2,)), None),
    (((5, 3), (5, 4), (6, 3, 4), (1, 6)), None),
    (((5, 3), (5, 4), (6, 3, 4), ()), None),
    (((), (), (6, 1, 1), None), None),
    (((2, 3, 0), (2, 3, 4), (6, 0, 4), None), None),
    (((5, 3), (5, 4), (6, 3, 4), (6,)), ("float32", "float64", "float64", "float64")),
    (((5, 3), (5, 4), (6, 3, 4), (6,)), ("float64", "float64", "float64", "float32")),
    (((5, 3), (5, 4), (6, 3, 4), None), ("int32", "float16", "float64", None)),
    (((5, 3), (5, 4), (6, 3, 4), (6,)), ("bool",) * 4),
])
def test_errors_match_torch(shapes, dtypes):
    dtypes = dtypes or ("float64",) * 4

    def run(lib, f):
        args = [_z(lib, s, d) for s, d in zip(shapes, dtypes)]
        return _err(lambda: f(*args))
    theirs = run(torch, tF.bilinear)
    assert theirs is not None and run(mg, F.bilinear) == theirs


def test_non_tensor_arguments():
    x = mg.zeros(2, 3)
    with pytest.raises(TypeError, match="bilinear\\(\\): argument 'input1' \\(position 1\\) "
                                        "must be Tensor, not numpy.ndarray"):
        F.bilinear(np.zeros((2, 3)), mg.zeros(2, 4), mg.zeros(5, 3, 4))
    with pytest.raises(TypeError, match="argument 'bias' \\(position 4\\) must be Tensor, "
                                        "not float"):
        F.bilinear(x, mg.zeros(2, 4), mg.zeros(5, 3, 4), 1.0)


def test_module_loads_torch_state_dict_and_matches(rng):
    for bias in (True, False):
        t = torch.nn.Bilinear(3, 4, 5, bias=bias)
        m = mg.nn.Bilinear(3, 4, 5, bias=bias)
        assert list(m.state_dict()) == list(t.state_dict())
        assert repr(m) == repr(t) and m.extra_repr() == t.extra_repr()
        check_module(m, t, [rng.standard_normal((2, 6, 3)), rng.standard_normal((2, 6, 4))])


def test_module_init_dtype_and_errors():
    m = mg.nn.Bilinear(16, 3, 400, dtype=mg.float64)
    assert m.weight.shape == (400, 16, 3) and m.bias.shape == (400,)
    assert m.weight.dtype == mg.float64 and m.weight.requires_grad
    bound = 1 / math.sqrt(16)
    for p in (m.weight, m.bias):
        a = p.detach().numpy()
        assert a.min() >= -bound and a.max() <= bound
        assert abs(a.std() - bound / math.sqrt(3)) < 0.1 * bound      # U(-b, b): std b/sqrt 3
    for args in [(0, 2, 3), (3, -1, 2), (-1, 3, 2), (3, 2, -1)]:
        theirs = _err(lambda: torch.nn.Bilinear(*args))
        assert theirs is not None and _err(lambda: mg.nn.Bilinear(*args)) == theirs
    assert mg.nn.Bilinear(3, 0, 2).weight.shape == (2, 3, 0)
