"""nn.Conv1d/Conv3d, nn.ConvTranspose1d/2d/3d (and Conv2d on the shared base) against torch:
constructor defaults, parameter names/shapes/init ranges, repr, torch's weights loaded then
the same outputs and gradients, padding modes, ConvTranspose's output_size, errors."""
import math

import numpy as np
import pytest
import torch
from module_check import check_module

import minigrad as mg
from minigrad import nn

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

CONV_KW = [
    {}, {"stride": 2, "padding": 1, "groups": 2, "bias": False},
    {"padding": "same", "dilation": 2}, {"padding": "valid"},
    {"padding": 1, "padding_mode": "reflect"}, {"padding": 2, "padding_mode": "circular"},
    {"padding": "same", "padding_mode": "replicate"}, {"padding": 1, "padding_mode": "zeros"},
]


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("kwargs", CONV_KW)
def test_conv_module_matches_torch(rng, nd, kwargs):
    name = f"Conv{nd}d"
    m, t = getattr(nn, name)(4, 6, 3, **kwargs), getattr(torch.nn, name)(4, 6, 3, **kwargs)
    assert repr(m) == repr(t)
    assert [(k, tuple(v.shape)) for k, v in m.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    assert m._reversed_padding_repeated_twice == list(t._reversed_padding_repeated_twice)
    check_module(m, t, [rng.standard_normal((2, 4) + (5,) * nd)])
    check_module(m, t, [rng.standard_normal((4,) + (5,) * nd)])          # unbatched


CT_KW = [
    {}, {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "bias": False},
    {"stride": 3, "dilation": 2, "output_padding": 1}, {"padding": 2, "dilation": 2},
]


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("kwargs", CT_KW)
def test_conv_transpose_module_matches_torch(rng, nd, kwargs):
    name = f"ConvTranspose{nd}d"
    m, t = getattr(nn, name)(4, 6, 3, **kwargs), getattr(torch.nn, name)(4, 6, 3, **kwargs)
    assert repr(m) == repr(t)
    assert tuple(m.weight.shape) == tuple(t.weight.shape) == (4, 6 // m.groups) + (3,) * nd
    check_module(m, t, [rng.standard_normal((2, 4) + (4,) * nd)])


@pytest.mark.parametrize("size", [(9, 9), (10, 10), (1, 3, 10, 9), (9, 10)])
def test_conv_transpose_output_size(rng, size):
    m, t = nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    m, t = m.to(mg.float64), t.double()
    m.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    x = rng.standard_normal((1, 2, 4, 4))
    out, ref = m(mg.tensor(x), output_size=size), t(torch.tensor(x), output_size=size)
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    for bad in [(11, 11), (8, 9), (10,)]:
        with pytest.raises(ValueError):
            t(torch.tensor(x), output_size=bad)
        with pytest.raises(ValueError, match="ConvTranspose2d"):
            m(mg.tensor(x), output_size=bad)


@pytest.mark.parametrize("name,args,fan_in", [
    ("Conv1d", (6, 8, 5), 6 * 5), ("Conv3d", (4, 8, (3, 2, 2), 1, 0, 1, 2), 2 * 12),
    ("ConvTranspose1d", (6, 8, 5), 8 * 5), ("ConvTranspose3d", (4, 8, 2, 1, 0, 0, 2), 4 * 8),
    ("Conv2d", (3, 6, 3), 27)])
def test_defaults_and_init_ranges(name, args, fan_in):
    m, t = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding",
                 "dilation", "transposed", "output_padding", "groups", "padding_mode"):
        assert getattr(m, attr) == getattr(t, attr), attr
    assert m.weight.dtype == mg.float32 and list(dict(m.named_parameters())) == ["weight",
                                                                                 "bias"]
    # kaiming_uniform(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as the bias
    bound = 1 / math.sqrt(fan_in)
    for p in (m.weight, m.bias):
        a = p.detach().numpy()
        assert np.abs(a).max() <= bound and np.abs(a).max() > 0.5 * bound
    m64 = getattr(nn, name)(*args, bias=False, dtype=mg.float64)
    assert m64.weight.dtype == mg.float64 and m64.bias is None


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Conv1d(2, 4, 3, padding="same", stride=2),
    lambda lib: lib.nn.Conv3d(2, 4, 3, padding="full"),
    lambda lib: lib.nn.Conv1d(3, 4, 3, groups=2),
    lambda lib: lib.nn.Conv1d(4, 3, 3, groups=2),
    lambda lib: lib.nn.Conv1d(4, 4, 3, padding_mode="mirror"),
    lambda lib: lib.nn.ConvTranspose1d(2, 4, 3, padding_mode="reflect"),
    lambda lib: lib.nn.ConvTranspose3d(2, 4, 3, groups=0),
])
def test_constructor_errors_as_torch(make):
    with pytest.raises(ValueError):
        make(torch)
    with pytest.raises(ValueError):
        make(mg)


def test_forward_errors_as_torch(rng):
    x = rng.standard_normal((1, 2, 3))
    for make in [lambda lib: lib.nn.Conv1d(2, 4, 3, padding=3, padding_mode="reflect"),
                 lambda lib: lib.nn.Conv1d(2, 4, 3, padding=4, padding_mode="circular"),
                 lambda lib: lib.nn.Conv1d(3, 4, 3), lambda lib: lib.nn.Conv3d(2, 4, 1)]:
        with pytest.raises(RuntimeError):
            make(torch).float()(torch.tensor(x, dtype=torch.float32))
        with pytest.raises(RuntimeError):
            make(mg)(mg.tensor(x, dtype=mg.float32))


def test_train_eval_does_not_change_the_output(rng):
    m = nn.Conv1d(2, 3, 3)
    x = mg.tensor(rng.standard_normal((2, 2, 5)).astype(np.float32))
    a = m(x).detach().numpy()
    np.testing.assert_array_equal(m.eval()(x).detach().numpy(), a)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_same_padding_with_even_kernel_and_padding_mode(rng, mode):
    kw = {"padding": "same", "padding_mode": mode, "dilation": (1, 3)}
    m, t = nn.Conv2d(2, 3, (4, 2), **kw), torch.nn.Conv2d(2, 3, (4, 2), **kw)
    assert m._reversed_padding_repeated_twice == list(t._reversed_padding_repeated_twice)
    check_module(m, t, [rng.standard_normal((2, 2, 6, 7))])
