"""conv2d (im2col), the pooling functions and their modules against torch (float64)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

CONV_CASES = [  # (N, C, H, W), O, kernel, stride, padding, dilation, groups
    ((2, 3, 7, 6), 4, 3, 1, 1, 1, 1),
    ((2, 4, 9, 8), 6, 3, 2, 2, 2, 2),
    ((1, 2, 5, 5), 4, 2, 1, "same", 1, 2),
    ((2, 6, 8, 8), 6, 3, 1, 0, 1, 6),                # depthwise
    ((1, 2, 7, 7), 2, (3, 2), (2, 1), (1, 0), (1, 2), 1),
    ((3, 1, 1, 1), 2, 1, 1, 0, 1, 1),
    ((2, 3, 6, 5), 3, 3, 1, "valid", 1, 1),
    ((2, 2, 5, 6), 3, 1, 2, 1, 1, 1),               # padding beyond the kernel's reach
    ((1, 2, 10, 9), 4, 3, 3, (2, 0), (1, 2), 2),    # stride 3: rows left over at the end
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv2d_matches_torch(rng, device, case):
    shape, o, k, s, p, d, g = case
    k2 = (k, k) if isinstance(k, int) else k
    x = rng.standard_normal(shape)
    w = rng.standard_normal((o, shape[1] // g) + k2)
    b = rng.standard_normal(o)
    check_op(lambda x, w, b: F.conv2d(x, w, b, s, p, d, g),
             lambda x, w, b: TF.conv2d(x, w, b, s, p, d, g), [x, w, b], device=device)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CONV_CASES[:5] + CONV_CASES[-2:])
def test_conv2d_double_backward(rng, case):
    shape, o, k, s, p, d, g = case
    k2 = (k, k) if isinstance(k, int) else k
    x, w = rng.standard_normal(shape), rng.standard_normal((o, shape[1] // g) + k2)
    check_op(lambda x, w: F.conv2d(x, w, None, s, p, d, g),
             lambda x, w: TF.conv2d(x, w, None, s, p, d, g), [x, w], double=True)


def test_conv2d_unbatched(rng):
    check_op(lambda x, w: F.conv2d(x, w, padding=1), lambda x, w: TF.conv2d(x, w, padding=1),
             [rng.standard_normal((2, 5, 5)), rng.standard_normal((3, 2, 3, 3))])


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("kwargs", [
    {"padding": "same"}, {"stride": 2, "padding": 1, "groups": 2, "bias": False},
    {"padding": (1, 2), "padding_mode": "reflect"},
    {"padding": 1, "padding_mode": "circular", "dilation": 2},
    {"padding": "same", "padding_mode": "replicate"}])
def test_conv2d_module_matches_torch(rng, kwargs):
    m, t = nn.Conv2d(4, 6, 3, **kwargs), torch.nn.Conv2d(4, 6, 3, **kwargs)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())
    check_module(m, t, [rng.standard_normal((2, 4, 9, 8))])


def test_conv2d_default_init_bounds():
    m = nn.Conv2d(8, 16, 3)
    bound = 1 / np.sqrt(8 * 9)
    assert np.abs(m.weight.detach().numpy()).max() <= bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound


def test_conv2d_errors():
    x = mg.zeros(1, 3, 5, 5)
    with pytest.raises(RuntimeError, match="expected input.*to have 4 channels, but got 3"):
        F.conv2d(x, mg.zeros(2, 4, 3, 3))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        F.conv2d(x, mg.zeros(2, 3, 7, 7))
    with pytest.raises(RuntimeError, match="3D .* or 4D"):
        F.conv2d(mg.zeros(5, 5), mg.zeros(2, 3, 3, 3))
    with pytest.raises(RuntimeError, match="non-positive stride"):
        F.conv2d(x, mg.zeros(2, 3, 3, 3), stride=0)
    with pytest.raises(RuntimeError, match="input type"):
        F.conv2d(x, mg.zeros(2, 3, 3, 3, dtype=mg.float64))
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 3, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")


POOL_CASES = [((2, 3, 8, 8), {"kernel_size": 2}),
              ((2, 3, 7, 9), {"kernel_size": 3, "stride": 2, "padding": 1}),
              ((1, 2, 7, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
              ((1, 2, 9, 8), {"kernel_size": (3, 2), "stride": (1, 2), "padding": (1, 0),
                              "dilation": (2, 1)}),
              ((2, 5, 5), {"kernel_size": 2, "ceil_mode": True})]


@pytest.mark.parametrize("shape,kw", POOL_CASES)
def test_max_pool2d_matches_torch(rng, device, shape, kw):
    x = rng.standard_normal(shape)
    check_op(lambda x: F.max_pool2d(x, **kw), lambda x: TF.max_pool2d(x, **kw), [x],
             device=device)
    _, idx = F.max_pool2d(mg.tensor(x), return_indices=True, **kw)
    _, tidx = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    assert idx.dtype == mg.int64 and np.array_equal(idx.numpy(), tidx.numpy())


@pytest.mark.parametrize("shape,kw", POOL_CASES[:3])
def test_max_pool2d_double_backward(rng, shape, kw):
    check_op(lambda x: F.max_pool2d(x, **kw) ** 2, lambda x: TF.max_pool2d(x, **kw) ** 2,
             [rng.standard_normal(shape)], double=True)


def test_max_pool2d_ties_and_overlap_go_to_first_maximum():
    x = np.ones((1, 1, 4, 4))
    check_op(lambda x: F.max_pool2d(x, 2, 1), lambda x: TF.max_pool2d(x, 2, 1), [x])


@pytest.mark.parametrize("shape,kw", [c for c in POOL_CASES if "dilation" not in c[1]])
@pytest.mark.parametrize("include_pad", [True, False])
def test_avg_pool2d_matches_torch(rng, shape, kw, include_pad):
    x = rng.standard_normal(shape)
    check_op(lambda x: F.avg_pool2d(x, count_include_pad=include_pad, **kw) ** 2,
             lambda x: TF.avg_pool2d(x, count_include_pad=include_pad, **kw) ** 2, [x],
             double=True)
    check_op(lambda x: F.avg_pool2d(x, divisor_override=3, **kw),
             lambda x: TF.avg_pool2d(x, divisor_override=3, **kw), [x])


@pytest.mark.parametrize("size", [1, (3, 2), (None, 4), 5, (7, 9)])
def test_adaptive_avg_pool2d_matches_torch(rng, size):
    x = rng.standard_normal((2, 3, 7, 9))
    check_op(lambda x: F.adaptive_avg_pool2d(x, size) ** 2,
             lambda x: TF.adaptive_avg_pool2d(x, size) ** 2, [x], double=True)


def test_pool_modules_repr_and_values(rng):
    x = rng.standard_normal((2, 3, 8, 8))
    for m, t in [(nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
                 (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)),
                 (nn.AdaptiveAvgPool2d((2, None)), torch.nn.AdaptiveAvgPool2d((2, None)))]:
        assert repr(m) == repr(t)
        check_module(m, t, [x])


def test_pool_errors():
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.max_pool2d(mg.zeros(1, 1, 5, 5), 3, padding=2)
    with pytest.raises(IndexError, match="3D or 4D"):      # torch: IndexError here
        F.avg_pool2d(mg.zeros(5, 5), 2)
    with pytest.raises(RuntimeError, match="too small"):
        F.max_pool2d(mg.zeros(1, 1, 2, 2), 3)
