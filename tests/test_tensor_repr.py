"""repr/str of tensors against torch 2.13, character for character: random shapes, dtypes and
magnitudes, nan/inf, negative zero, summarized big tensors, every print option, suffixes
(dtype, size, device, requires_grad, grad_fn, tangent) and Parameter."""
import os
import re

import numpy as np
import pytest
import torch

import minigrad as mg

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


@pytest.fixture(autouse=True)
def same_defaults():
    """Both libraries at float32 default dtype and default print options; restored after."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    mg.set_default_dtype(mg.float32)
    yield
    torch.set_default_dtype(old)
    mg.set_default_dtype(mg.float32)
    torch.set_printoptions(profile="default")
    mg.set_printoptions(profile="default")


def both(array):
    return mg.tensor(array), torch.from_numpy(np.array(array))


def assert_same(array, **opts):
    m, t = both(array)
    with mg._tensor_str.printoptions(**opts), torch._tensor_str.printoptions(**opts):
        got, want = repr(m), repr(t)
        assert str(m) == got
    assert got == want, f"\n{got}\n!=\n{want}\n(dtype {array.dtype}, shape {array.shape})"


def draw(rng, shape, dtype):
    """Values of every kind: tiny, huge, mixed scales, integral floats, -0., nan, inf."""
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype[0] in "iu":
        info = np.iinfo(dtype)
        hi = min(info.max, 10 ** int(rng.integers(1, 19)))
        lo = max(info.min, -hi)
        return rng.integers(lo, hi, shape, dtype=dtype, endpoint=True)
    kind = rng.integers(6)
    scale = 10.0 ** rng.integers(-12, 13)
    if kind == 0:
        a = rng.standard_normal(shape) * scale
    elif kind == 1:       # integral values
        a = np.round(rng.standard_normal(shape) * 10 ** rng.integers(0, 6))
    elif kind == 2:       # mixed magnitudes
        a = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 9, shape)
    elif kind == 3:       # a narrow range, fixed point
        a = rng.uniform(-3, 3, shape)
    else:
        a = rng.standard_normal(shape) * scale
    a = a.astype(dtype)
    if a.size and rng.random() < 0.5:           # specials at random places
        flat = a.reshape(-1)
        for v in rng.choice([np.nan, np.inf, -np.inf, -0.0, 0.0], rng.integers(1, 4)):
            flat[rng.integers(flat.size)] = v
    return a


def random_shape(rng, big=False):
    nd = int(rng.integers(0, 5))
    top = 12 if big else 5
    return tuple(int(s) for s in rng.integers(0 if rng.random() < 0.1 else 1, top, nd))


SEED = int.from_bytes(os.urandom(4), "little")


@pytest.mark.parametrize("dtype", DTYPES)
def test_random_tensors_print_as_torch(dtype):
    rng = np.random.default_rng([SEED, DTYPES.index(dtype)])
    for _ in range(150):
        a = draw(rng, random_shape(rng), dtype)
        assert_same(a)


@pytest.mark.parametrize("dtype", DTYPES)
def test_print_options_as_torch(dtype):
    rng = np.random.default_rng([SEED, 100 + DTYPES.index(dtype)])
    for _ in range(60):
        opts = {"precision": int(rng.integers(0, 9)), "threshold": int(rng.integers(0, 300)),
                "edgeitems": int(rng.integers(0, 5)), "linewidth": int(rng.integers(-5, 140)),
                "sci_mode": [None, True, False][rng.integers(3)]}
        if rng.random() < 0.3:
            opts = {"profile": ["default", "short", "full"][rng.integers(3)]}
        assert_same(draw(rng, random_shape(rng, big=True), dtype), **opts)


@pytest.mark.parametrize("case", ["big 2-d", "big 1-d", "big 3-d", "wide row", "tall column"])
def test_summarized_big_tensors(case):
    rng = np.random.default_rng(SEED)
    shape = {"big 2-d": (40, 50), "big 1-d": (5000,), "big 3-d": (11, 12, 13),
             "wide row": (1, 1500), "tall column": (1500, 1)}[case]
    for dtype in ("float32", "int64", "float64", "bool"):
        assert_same(draw(rng, shape, dtype))
    assert_same(np.arange(2000.0).reshape(40, 50))


SPECIAL = {
    "zeros": np.zeros(4), "neg zero": np.array([0.0, -0.0]), "only nan": np.array([np.nan]),
    "nan inf": np.array([np.nan, np.inf, -np.inf, 1.0]), "integral": np.array([1.0, -20.0]),
    "integral huge": np.array([1e9, 3.0]), "tiny": np.array([1e-5, 2e-5]),
    "ratio 1000": np.array([1.0, 1000.0]), "ratio 1001": np.array([1.0, 1001.0]),
    "1e8": np.array([1e8, 1.5e8]), "0-d": np.array(-0.5), "0-d nan": np.array(np.nan),
    "0-d int": np.array(7), "0-d bool": np.array(True), "empty": np.zeros(0),
    "empty 2-d": np.zeros((0, 3)), "empty int": np.zeros((2, 0, 1), dtype=np.int64),
    "empty bool": np.zeros(0, dtype=bool), "f16 max": np.array([65504.0, 1.0], np.float16),
    "negative ints": np.array([[-1, 200], [3, -4000]], np.int32),
}


@pytest.mark.parametrize("name", list(SPECIAL))
def test_special_values(name):
    assert_same(SPECIAL[name].astype(SPECIAL[name].dtype))
    assert_same(SPECIAL[name].astype(np.float32))


def test_non_contiguous_views():
    a = np.random.default_rng(SEED).standard_normal((4, 5, 6))
    for view in (lambda x: x.transpose(0, 2), lambda x: x[::2, 1:, ::3], lambda x: x[:, 2]):
        got = repr(view(mg.tensor(a)))
        assert got == repr(view(torch.tensor(a))).replace("grad_fn", "")


def test_default_dtype_changes_the_suffix():
    mg.set_default_dtype(mg.float64)
    torch.set_default_dtype(torch.float64)
    for a in (np.ones(2, np.float32), np.ones(2), np.zeros(0), np.zeros(0, np.float32),
              np.arange(3)):
        assert_same(a)


def mg_name_in_torch_format(t, name):
    """torch's own text for t with grad_fn=<name> as its suffix (the names differ)."""
    body = "tensor(" + torch._tensor_str._tensor_str(t.detach(), len("tensor("))
    return torch._tensor_str._add_suffixes(body, [f"grad_fn=<{name}>"], len("tensor("), False)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (20,), (9, 9)])
def test_requires_grad_and_grad_fn(shape):
    a = np.random.default_rng(SEED).standard_normal(shape).astype(np.float32)
    m, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    assert repr(m) == repr(t)
    y, ty = m * 2, t * 2
    name = y.grad_fn.name()
    assert re.fullmatch(r"\w+Backward\w*", name)        # minigrad's node, printed as is
    assert repr(y) == mg_name_in_torch_format(ty, name)
    assert f"grad_fn=<{name}>" in repr(y) and "requires_grad" not in repr(y)
    with mg.no_grad():
        assert repr(m * 2) == repr((t * 2).detach())


def test_parameter():
    a = np.random.default_rng(SEED).standard_normal((3, 4)).astype(np.float32)
    assert repr(mg.nn.Parameter(mg.tensor(a))) == repr(torch.nn.Parameter(torch.tensor(a)))
    p = mg.nn.Parameter(mg.tensor(a), requires_grad=False)
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor(a), requires_grad=False))


def test_forward_ad_tangent():
    a, b = np.arange(3.0), np.ones(3)
    with mg.autograd.forward_ad.dual_level(), torch.autograd.forward_ad.dual_level():
        m = mg.autograd.forward_ad.make_dual(mg.tensor(a), mg.tensor(b))
        t = torch.autograd.forward_ad.make_dual(torch.tensor(a), torch.tensor(b))
        assert repr(m) == repr(t)


def test_format_and_str():
    m, t = both(np.array([[1.5, 2.0]]))
    assert f"{m}" == f"{t}" and str(m) == str(t)
    assert f"{mg.tensor(2.5):.3f}" == f"{torch.tensor(2.5):.3f}"


def test_set_printoptions_as_torch():
    m0, t0 = mg._tensor_str.get_printoptions(), torch._tensor_str.get_printoptions()
    assert m0 == t0
    for kw in ({"precision": 2}, {"profile": "short"}, {"profile": "full", "edgeitems": 1},
               {"sci_mode": True}, {"threshold": 5, "linewidth": 40}):
        mg.set_printoptions(**kw)
        torch.set_printoptions(**kw)
        assert mg._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    # every call without sci_mode resets it to None, as in torch
    mg.set_printoptions(precision=3)
    torch.set_printoptions(precision=3)
    assert mg._tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_restores():
    before = mg._tensor_str.get_printoptions()
    with pytest.raises(KeyError):
        with mg._tensor_str.printoptions(precision=1):
            assert repr(mg.tensor([1.25])) == "tensor([1.2])"
            raise KeyError
    assert mg._tensor_str.get_printoptions() == before


@pytest.mark.parametrize("kw, exc, fragment", [
    ({"precision": -1}, ValueError, "'precision' must be >= 0"),
    ({"precision": 1.5}, TypeError, "'precision' must be int"),
    ({"edgeitems": "3"}, TypeError, "'edgeitems' must be int"),
    ({"linewidth": 1.0}, TypeError, "'linewidth' must be int"),
    ({"threshold": "x"}, TypeError, "'threshold' must be a number"),
    ({"profile": "long"}, ValueError, "profile must be one of"),
    ({"sci_mode": 1}, TypeError, "'sci_mode' must be bool"),
])
def test_set_printoptions_errors(kw, exc, fragment):
    before = mg._tensor_str.get_printoptions()
    with pytest.raises(exc, match=re.escape(fragment)) as info:
        mg.set_printoptions(**kw)
    assert "set_printoptions" in str(info.value)
    assert mg._tensor_str.get_printoptions() == before
    with pytest.raises(TypeError, match="unexpected keyword"):
        mg.set_printoptions(foo=1)
