"""F.pad in every mode and the padding modules against torch (float64): values, gradients,
second derivatives, negative padding (cropping), 0-d/empty/non-contiguous inputs, dtypes,
torch's rank limits and errors; module repr and attributes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

CONSTANT = [  # x shape, pad, value
    ((2, 3, 4), (1, 2), None), ((2, 3, 4), (1, -2, 0, 3), 1.5),
    ((2, 3, 4), (1, 1, 1, 1, 1, 1), -2.0), ((2, 3, 4), (-1, -3), None),
    ((3,), (2, 1), 2.0), ((), (), None), ((0, 5), (1, 1), 3.0), ((3, 0, 2), (0, 0, 2, 1), None),
    ((2, 3), (-1, -2, 0, -2), None), ((1, 2, 2, 2, 2, 2), (1,) * 12, 0.5),
]


@pytest.mark.parametrize("shape,p,value", CONSTANT)
def test_constant_pad_matches_torch(rng, shape, p, value):
    check_op(lambda x: F.pad(x, p, value=value), lambda x: TF.pad(x, p, value=value),
             [rng.standard_normal(shape)], double=True)


MODES = [  # x shape, pad
    ((2, 3, 4), (1, 2)), ((3, 4), (3, 0)), ((2, 3, 4), (1, 2, 2, 1)),
    ((1, 2, 3, 4), (0, 3, 2, 1)), ((2, 3, 3, 4), (1, 1, 2, 0, 1, 2)),
    ((1, 2, 3, 3, 4), (2, 1, 0, 1, 2, 2)), ((0, 3, 4), (1, 2)),
    ((2, 3, 4), (-1, 2)), ((2, 3, 4), (2, -1, -1, 1)), ((2, 4, 4), (3, -3)),
]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,p", MODES)
def test_mode_pad_matches_torch(rng, mode, shape, p):
    for i in range(len(p) // 2):            # torch reads uninitialised memory there
        lo, hi, n = p[2 * i], p[2 * i + 1], shape[-1 - i]
        if mode == "circular" and min(lo, hi) < 0 and max(lo, hi) > n + min(lo, 0) + min(hi, 0):
            pytest.skip("circular padding wrapping past a crop: torch's result is undefined")
    check_op(lambda x: F.pad(x, p, mode), lambda x: TF.pad(x, p, mode),
             [rng.standard_normal(shape)], double=True)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_non_contiguous_and_float32(rng, mode):
    x = rng.standard_normal((2, 6, 5)).transpose(0, 2, 1)[:, ::2]       # (2, 3, 6) view
    check_op(lambda x: F.pad(x, (2, 1, 1, 2), mode), lambda x: TF.pad(x, (2, 1, 1, 2), mode),
             [x])
    x32 = x.astype(np.float32)
    out = F.pad(mg.tensor(x32), (2, 1), mode)
    assert out.dtype == mg.float32
    np.testing.assert_array_equal(out.numpy(), TF.pad(torch.tensor(x32), (2, 1), mode).numpy())


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("mode,value", [("constant", 2.7), ("constant", -1.5),
                                        ("reflect", None), ("replicate", None),
                                        ("circular", None)])
def test_integer_and_bool_inputs(rng, dtype, mode, value):
    a = rng.integers(0, 3, (2, 3, 4)).astype(dtype)
    if dtype == np.uint8 and value == -1.5:
        value = 7.9
    try:
        ref = TF.pad(torch.tensor(a), (1, 2), mode, value)
    except Exception as e:                          # noqa: BLE001 (compared below)
        kind = next(k for k in type(e).__mro__ if k.__module__ == "builtins")
        with pytest.raises(kind):
            F.pad(mg.tensor(a), (1, 2), mode, value)
        return
    out = F.pad(mg.tensor(a), (1, 2), mode, value)
    assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


ERRORS = [  # x shape, pad, mode, value, dtype: torch raises
    ((2, 3), (1,), "constant", None, "f"),                   # odd length
    ((2, 3), (1,) * 6, "constant", None, "f"),               # longer than 2 * ndim
    ((2, 3), (-2, -2), "constant", None, "f"),               # negative size
    ((3,), (1, 1), "reflect", None, "f"),                    # rank limits
    ((3, 4), (1, 1, 1, 1), "replicate", None, "f"),
    ((2, 3, 4, 5), (1, 1), "circular", None, "f"),
    ((2, 2, 2, 2, 2, 2), (1,) * 6, "reflect", None, "f"),
    ((2, 3, 3), (3, 0), "reflect", None, "f"),               # reflect pad >= size
    ((2, 3, 3), (4, 0), "circular", None, "f"),              # wraps more than once
    ((2, 3, 4), (-5, 1), "replicate", None, "f"),            # output size 0
    ((2, 3, 0), (1, 1), "replicate", None, "f"),             # empty padded dim
    ((2, 0, 3), (1, 1), "reflect", None, "f"),
    ((2, 3, 4), (1, 1), "reflect", 1.0, "f"),                # value in a non-constant mode
    ((2, 3, 4), (1, 1), "bogus", None, "f"),
    ((2, 3, 4), (1.5, 1), "constant", None, "f"),
    ((2, 3, 4), (1, 1), "reflect", None, "b"),               # bool: not implemented
    ((2, 3), (1, 1), "constant", float("nan"), "i"),         # nan into int64
]


@pytest.mark.parametrize("shape,p,mode,value,kind", ERRORS)
def test_errors_as_torch(rng, shape, p, mode, value, kind):
    a = {"f": rng.standard_normal(shape), "b": rng.random(shape) < 0.5,
         "i": rng.integers(0, 3, shape)}[kind]
    with pytest.raises(Exception) as t_err:
        TF.pad(torch.tensor(a), p, mode, value)
    builtin = next(k for k in type(t_err.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(builtin, match="pad"):
        F.pad(mg.tensor(a), p, mode, value)


def test_pad_argument_errors():
    x = mg.zeros(2, 3)
    with pytest.raises(TypeError, match="pad.*'pad'.*tuple of ints"):
        F.pad(x, 1)
    with pytest.raises(TypeError, match="pad.*'mode'.*str"):
        F.pad(x, (1, 1), None)
    with pytest.raises(TypeError, match="pad.*'input'.*Tensor"):
        F.pad(np.zeros((2, 3)), (1, 1))
    with pytest.raises(RuntimeError, match="circular.*crop"):      # torch: undefined values
        F.pad(mg.zeros(1, 4), (4, -3), "circular")


PAD_MODULES = ["ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "CircularPad"]


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("kind", PAD_MODULES)
@pytest.mark.parametrize("padding", [1, "tuple"])
def test_padding_modules_match_torch(rng, nd, kind, padding):
    if padding == "tuple":
        padding = (2, 1, 0, 1, 1, 2)[:2 * nd]
    args = (padding, 2.5) if kind == "ConstantPad" else (padding,)
    m, t = getattr(nn, f"{kind}{nd}d")(*args), getattr(torch.nn, f"{kind}{nd}d")(*args)
    assert repr(m) == repr(t) and m.padding == t.padding
    check_module(m, t, [rng.standard_normal((2, 3) + (4,) * nd)])
    check_module(m, t, [rng.standard_normal((3,) + (4,) * nd)])          # unbatched


def test_constant_pad_module_keeps_value_and_zero_pad_is_constant():
    assert nn.ConstantPad1d(1, 3).value == torch.nn.ConstantPad1d(1, 3).value == 3
    assert repr(nn.ConstantPad2d((1, 0, 2, 1), -1.0)) == repr(torch.nn.ConstantPad2d(
        (1, 0, 2, 1), -1.0))
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d) is isinstance(torch.nn.ZeroPad2d(1),
                                                                       torch.nn.ConstantPad2d)
    assert nn.ZeroPad3d(1).value == 0.0
    with pytest.raises(RuntimeError):
        torch.nn.ReflectionPad1d(3)(torch.zeros(1, 2, 3))
    with pytest.raises(RuntimeError, match="reflect"):
        nn.ReflectionPad1d(3)(mg.zeros(1, 2, 3))
