"""conv1d/conv3d, conv_transpose1d/2d/3d (F.* and mg.*) against torch in float64: values,
gradients and second derivatives for every option, 0-batch/unbatched/non-contiguous inputs,
dtypes and torch's errors. The modules are in tests/test_conv_modules.py."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

CONV_CASES = [  # nd, x shape, out channels, kernel, stride, padding, dilation, groups
    (1, (2, 4, 9), 6, 3, 2, 1, 2, 2),
    (1, (2, 3, 8), 4, 4, 1, "same", 1, 1),            # even kernel: torch's asymmetric same
    (1, (2, 3, 9), 4, 2, 1, "same", 3, 1),
    (1, (1, 2, 70), 4, 3, 1, 2, 1, 2),                # the sample-major column layout
    (1, (3, 6), 2, 3, 3, "valid", 1, 1),              # unbatched
    (1, (2, 2, 5), 3, 1, 2, 3, 1, 1),                 # padding beyond the kernel's reach
    (3, (2, 4, 5, 6, 5), 6, (3, 2, 3), (1, 2, 1), (1, 0, 2), (2, 1, 1), 2),
    (3, (1, 2, 4, 4, 4), 3, 2, 1, "same", 1, 1),
    (3, (1, 2, 6, 5, 5), 2, 3, 2, 1, 1, 1),           # 3-d sample-major (P >= 64)
    (3, (2, 4, 4, 3), 2, 2, 1, 0, 1, 1),              # unbatched
]


def _k(nd, k):
    return (k,) * nd if isinstance(k, int) else tuple(k)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_nd_matches_torch(rng, case):
    nd, shape, o, k, s, p, d, g = case
    cin = shape[-nd - 1]
    x, w, b = (rng.standard_normal(shape), rng.standard_normal((o, cin // g) + _k(nd, k)),
               rng.standard_normal(o))
    fn, tfn = getattr(F, f"conv{nd}d"), getattr(TF, f"conv{nd}d")
    check_op(lambda x, w, b: fn(x, w, b, s, p, d, g), lambda x, w, b: tfn(x, w, b, s, p, d, g),
             [x, w, b], double=True)
    check_op(lambda x, w: fn(x, w, None, s, p, d, g),
             lambda x, w: tfn(x, w, None, s, p, d, g), [x, w])


CT_CASES = [  # nd, x shape, out channels, kernel, stride, padding, output_padding, groups, dil
    (1, (2, 4, 5), 6, 3, 2, 1, 1, 2, 1),
    (1, (1, 2, 4), 3, 3, 2, 0, 2, 1, 3),              # output_padding >= stride (< dilation)
    (1, (1, 2, 40), 3, 3, 2, 0, 2, 1, 3),             # the same with the conv column layout
    (1, (2, 5), 3, 4, 1, 2, 0, 1, 1),                 # unbatched
    (2, (2, 2, 4, 5), 3, (3, 2), (1, 2), (0, 1), (0, 1), 1, (2, 1)),
    (2, (1, 2, 9, 9), 3, 3, 2, 3, 0, 1, 1),
    (2, (1, 4, 3, 3), 2, 5, 3, 1, 2, 2, 1),
    (3, (1, 2, 3, 3, 3), 2, 3, 2, 0, 1, 1, 1),
    (3, (1, 2, 5, 5, 5), 2, 2, 1, 1, 0, 1, 1),
    (3, (2, 3, 2, 2), 4, (1, 2, 3), (2, 1, 1), 0, (1, 0, 0), 1, 1),   # unbatched
]


@pytest.mark.parametrize("case", CT_CASES)
def test_conv_transpose_matches_torch(rng, case):
    nd, shape, o, k, s, p, op, g, d = case
    cin = shape[-nd - 1]
    x, w, b = (rng.standard_normal(shape), rng.standard_normal((cin, o // g) + _k(nd, k)),
               rng.standard_normal(o))
    fn, tfn = getattr(F, f"conv_transpose{nd}d"), getattr(TF, f"conv_transpose{nd}d")
    check_op(lambda x, w, b: fn(x, w, b, s, p, op, g, d),
             lambda x, w, b: tfn(x, w, b, s, p, op, g, d), [x, w, b], double=True)
    check_op(lambda x, w: fn(x, w, stride=s, padding=p, output_padding=op, groups=g,
                             dilation=d),
             lambda x, w: tfn(x, w, stride=s, padding=p, output_padding=op, groups=g,
                              dilation=d), [x, w])


@pytest.mark.parametrize("name", ["conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                  "conv_transpose2d", "conv_transpose3d"])
def test_top_level_names_are_the_functional_ones(rng, name):
    nd = int(name[-2])
    x = rng.standard_normal((2, 2) + (4,) * nd)
    w = rng.standard_normal((2, 2) + (2,) * nd)
    assert getattr(mg, name) is getattr(F, name)
    check_op(lambda x, w: getattr(mg, name)(x, w, None, 1, 1),
             lambda x, w: getattr(torch, name)(x, w, None, 1, 1), [x, w])


@pytest.mark.parametrize("name", ["conv1d", "conv3d", "conv_transpose1d", "conv_transpose3d"])
def test_empty_batch_and_non_contiguous(rng, name):
    nd = int(name[-2])
    fn, tfn = getattr(F, name), getattr(TF, name)
    w = rng.standard_normal((3, 3) + (2,) * nd)
    check_op(fn, tfn, [rng.standard_normal((0, 3) + (4,) * nd), w])
    x = rng.standard_normal((2, 3) + (4,) * (nd - 1) + (6,))[..., ::2]     # stride-2 view
    w_t = rng.standard_normal((3, 6) + (2,) * nd)[:, ::2]               # stride-2 view
    check_op(fn, tfn, [x, w_t], double=True)


@pytest.mark.parametrize("name", ["conv1d", "conv3d", "conv_transpose1d", "conv_transpose2d"])
def test_float32_and_int64(rng, name):
    nd = int(name[-2])
    x = rng.standard_normal((2, 3) + (5,) * nd).astype(np.float32)
    w = rng.standard_normal((3, 3) + (2,) * nd).astype(np.float32)
    out = getattr(F, name)(mg.tensor(x), mg.tensor(w), padding=1)
    ref = getattr(TF, name)(torch.tensor(x), torch.tensor(w), padding=1)
    assert out.dtype == mg.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)
    xi, wi = rng.integers(-3, 4, x.shape), rng.integers(-3, 4, w.shape)
    out = getattr(F, name)(mg.tensor(xi), mg.tensor(wi), stride=2)       # torch takes ints
    ref = getattr(TF, name)(torch.tensor(xi), torch.tensor(wi), stride=2)
    assert out.dtype == mg.int64
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def _raises_like_torch(fn, tfn, *args, **kwargs):
    """Both raise, minigrad the same builtin exception class as torch."""
    with pytest.raises(Exception) as t_err:
        tfn(*[torch.tensor(a) for a in args], **kwargs)
    kind = next(k for k in type(t_err.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind):
        fn(*[mg.tensor(a) for a in args], **kwargs)


ERRORS = [  # (name, x shape, w shape, kwargs): torch raises
    ("conv1d", (1, 2, 5), (3, 2, 3), {"padding": "same", "stride": 2}),
    ("conv3d", (1, 2, 4, 4, 4), (3, 2, 2, 2, 2), {"padding": "same", "stride": (1, 1, 2)}),
    ("conv1d", (1, 2, 5), (3, 2, 3), {"padding": "full"}),
    ("conv1d", (1, 2, 5, 5), (3, 2, 3), {}),                  # 4-D input
    ("conv1d", (1, 2, 5), (3, 2, 3, 3), {}),                  # 4-D weight
    ("conv3d", (2, 5, 5), (3, 2, 3, 3, 3), {}),
    ("conv1d", (1, 3, 5), (3, 2, 3), {}),                     # channel mismatch
    ("conv1d", (1, 4, 5), (3, 2, 3), {"groups": 2}),          # out channels not divisible
    ("conv1d", (1, 2, 2), (3, 2, 3), {}),                     # kernel larger than input
    ("conv1d", (1, 2, 0), (3, 2, 1), {}),                     # empty spatial dim
    ("conv1d", (1, 2, 5), (3, 2, 3), {"stride": 0}),
    ("conv1d", (1, 2, 5), (3, 2, 3), {"dilation": 0}),
    ("conv1d", (1, 2, 5), (3, 2, 3), {"padding": -1}),
    ("conv1d", (1, 2, 5), (3, 2, 3), {"stride": 1.5}),
    ("conv_transpose1d", (1, 2, 4), (2, 3, 3), {"padding": "same"}),
    ("conv_transpose1d", (1, 2, 4), (2, 3, 3), {"stride": 2, "output_padding": 2}),
    ("conv_transpose1d", (1, 2, 4), (2, 3, 3), {"output_padding": -1}),
    ("conv_transpose1d", (1, 2, 4), (2, 3, 3), {"padding": -1}),
    ("conv_transpose1d", (1, 2, 1), (2, 3, 1), {"padding": 2}),     # output size < 1
    ("conv_transpose1d", (1, 3, 4), (4, 3, 3), {}),                 # channel mismatch
    ("conv_transpose1d", (1, 3, 4), (3, 3, 3), {"groups": 2}),
    ("conv_transpose2d", (1, 2, 0, 4), (2, 3, 3, 3), {}),           # empty spatial dim
    ("conv_transpose3d", (1, 2, 4, 4), (2, 3, 3, 3, 3), {}),        # wrong rank
]


@pytest.mark.parametrize("name,xs,ws,kwargs", ERRORS)
def test_errors_as_torch(rng, name, xs, ws, kwargs):
    _raises_like_torch(getattr(F, name), getattr(TF, name), rng.standard_normal(xs),
                       rng.standard_normal(ws), **kwargs)


def test_error_details():
    x, w = mg.zeros(1, 2, 5), mg.zeros(3, 2, 3)
    with pytest.raises(RuntimeError, match="conv1d.*strided"):
        F.conv1d(x, w, padding="same", stride=2)
    with pytest.raises(NotImplementedError, match="conv1d.*bool"):
        F.conv1d(x > 0, w > 0)
    with pytest.raises(RuntimeError, match="conv1d.*bias"):
        F.conv1d(x, w, mg.zeros(4))
    with pytest.raises(RuntimeError, match="input type"):
        F.conv3d(mg.zeros(1, 2, 3, 3, 3), mg.zeros(3, 2, 2, 2, 2, dtype=mg.float64))
    with pytest.raises(TypeError, match="conv_transpose2d.*padding"):
        F.conv_transpose2d(mg.zeros(1, 2, 3, 3), mg.zeros(2, 3, 2, 2), padding="same")
    with pytest.raises(RuntimeError, match="conv_transpose1d.*output padding must be smaller"):
        F.conv_transpose1d(x, mg.zeros(2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="conv_transpose1d.*bias"):
        F.conv_transpose1d(x, mg.zeros(2, 3, 3), mg.zeros(2))
    with pytest.raises(TypeError, match="conv_transpose1d.*input.*Tensor"):
        F.conv_transpose1d(np.zeros((1, 2, 5)), mg.zeros(2, 3, 3))


def test_conv2d_speed_path_unchanged(rng):
    """conv2d still goes through the shared triad (one Conv node, whose backward has the
    input- and weight-gradient nodes), in both column layouts."""
    for hw in (5, 12):                       # Ho*Wo < 64: batch-last; >= 64: sample-major
        x = mg.tensor(rng.standard_normal((2, 3, hw, hw)), requires_grad=True)
        w = mg.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
        y = F.conv2d(x, w, padding=1)
        assert type(y.grad_fn).__name__ == "Conv"
        gx, gw = mg.grad(y.sum(), [x, w], create_graph=True)
        assert {type(gx.grad_fn).__name__, type(gw.grad_fn).__name__} == {
            "ConvInputGrad", "ConvWeightGrad"}


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_zero_input_channels_raise_where_torch_returns_zero_out_channels(nd):
    x = np.zeros((2, 0) + (5,) * nd)
    w = np.zeros((3, 0) + (2,) * nd)
    out = getattr(torch.nn.functional, f"conv{nd}d")(torch.tensor(x), torch.tensor(w))
    assert out.shape[1] == 0                      # torch: 0 channels out, whatever C_out
    with pytest.raises(RuntimeError, match="0 channels"):
        getattr(F, f"conv{nd}d")(mg.tensor(x), mg.tensor(w))
