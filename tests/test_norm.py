"""BatchNorm1d/2d (train then eval, running statistics) and LayerNorm against torch."""
import numpy as np
import pytest
import torch
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


@pytest.mark.parametrize("cls,shape,kwargs", [
    ("BatchNorm2d", (4, 3, 5, 5), {}),
    ("BatchNorm1d", (6, 3), {"momentum": None}),
    ("BatchNorm1d", (4, 3, 7), {"affine": False}),
    ("BatchNorm2d", (4, 3, 2, 2), {"track_running_stats": False}),
    ("BatchNorm1d", (5, 3), {"bias": False, "momentum": 0.3, "eps": 1e-3}),
])
def test_batchnorm_train_then_eval_matches_torch(rng, cls, shape, kwargs):
    m, t = getattr(nn, cls)(3, **kwargs), getattr(torch.nn, cls)(3, **kwargs)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    if t.weight is not None:
        with torch.no_grad():
            t.weight.uniform_(0.5, 1.5)
    if t.bias is not None:
        with torch.no_grad():
            t.bias.uniform_()
    load = True
    for _ in range(3):                       # running stats accumulate over steps
        check_module(m, t, [rng.standard_normal(shape) * 2 + 1], load=load)
        m.zero_grad(), t.zero_grad()
        load = False
    if t.num_batches_tracked is not None:
        assert m.num_batches_tracked.item() == t.num_batches_tracked.item() == 3
    m.eval(), t.eval()
    check_module(m, t, [rng.standard_normal(shape)], load=False)


def test_batchnorm_double_backward(rng):
    x, w, b = rng.standard_normal((5, 3, 2)), rng.standard_normal(3), rng.standard_normal(3)
    check_op(lambda x, w, b: F.batch_norm(x, None, None, w, b, True),
             lambda x, w, b: torch.nn.functional.batch_norm(x, None, None, w, b, True),
             [x, w, b])
    check_op(lambda x, w: F.batch_norm(x, None, None, w, None, True) ** 2,
             lambda x, w: torch.nn.functional.batch_norm(x, None, None, w, None, True) ** 2,
             [x, w], double=True)


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(mg.zeros(1, 3))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        nn.BatchNorm2d(3)(mg.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="2D or 3D"):
        nn.BatchNorm1d(3)(mg.zeros(2, 3, 4, 4))
    with pytest.raises(RuntimeError, match="running_mean"):
        F.batch_norm(mg.zeros(2, 3), mg.zeros(4), mg.ones(4), training=True)
    m = nn.BatchNorm1d(3)
    m.eval()
    assert m(mg.zeros(1, 3)).shape == (1, 3)       # eval needs no batch statistics


@pytest.mark.parametrize("shape,normalized", [((2, 3, 4), 4), ((2, 3, 4), (3, 4)), ((5, 1), 1)])
def test_layernorm_matches_torch(rng, shape, normalized):
    m, t = nn.LayerNorm(normalized), torch.nn.LayerNorm(normalized)
    assert repr(m) == repr(t)
    with torch.no_grad():
        t.weight.uniform_(), t.bias.uniform_()
    check_module(m, t, [rng.standard_normal(shape) * 3])


def test_layer_norm_double_backward(rng):
    x, w, b = rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal(5)
    check_op(lambda x, w: F.layer_norm(x, (5,), w, None) ** 2,
             lambda x, w: torch.nn.functional.layer_norm(x, (5,), w, None) ** 2, [x, w],
             double=True)
    check_op(lambda x, w, b: F.layer_norm(x, (5,), w, b, 1e-3),
             lambda x, w, b: torch.nn.functional.layer_norm(x, (5,), w, b, 1e-3), [x, w, b])


def test_layernorm_options_and_errors():
    m = nn.LayerNorm(4, elementwise_affine=False)
    t = torch.nn.LayerNorm(4, elementwise_affine=False)
    assert repr(m) == repr(t) and list(m.state_dict()) == []
    assert list(nn.LayerNorm(4, bias=False).state_dict()) == ["weight"]
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\]"):
        nn.LayerNorm(4)(mg.zeros(2, 3))
    x = np.random.default_rng(0).standard_normal((2, 4)) * 1e3 + 1e4
    np.testing.assert_allclose(m(mg.tensor(x)).numpy(), t(torch.tensor(x)).numpy(), atol=1e-6)
