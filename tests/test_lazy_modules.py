"""Lazy modules against torch: repr and state_dict keys before and after the first call, the
class swap (cls_to_become), shapes/dtypes of the inferred parameters, loading torch's
materialised state_dict into an uninitialized module and then the same outputs and
gradients, the UninitializedParameter/UninitializedBuffer protocol and its errors."""
import copy
import re

import numpy as np
import pytest
import torch
from module_check import check_module

import minigrad as mg
from minigrad import nn
from minigrad.nn.lazy import LazyModuleMixin

pytestmark = pytest.mark.filterwarnings("ignore:Lazy modules", "ignore:Initializing zero")

# (class name, constructor args, kwargs, input shape)
LAYERS = [
    ("LazyLinear", (4,), {}, (3, 5)),
    ("LazyLinear", (4,), {"bias": False}, (2, 3, 6)),
    ("LazyLinear", (3,), {}, (7,)),
    ("LazyConv1d", (4, 3), {}, (2, 3, 8)),
    ("LazyConv1d", (4, 3), {"groups": 2, "bias": False, "padding": 1}, (4, 7)),
    ("LazyConv2d", (6, 3), {"stride": 2, "padding_mode": "reflect", "padding": 1},
     (2, 3, 6, 5)),
    ("LazyConv3d", (2, 2), {"dilation": 2}, (1, 2, 5, 5, 5)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2, "output_padding": 1}, (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3), {"groups": 2}, (2, 4, 4, 3)),
    ("LazyConvTranspose3d", (2, 2), {"bias": False}, (3, 3, 3, 3)),
    ("LazyBatchNorm1d", (), {}, (5, 3)),
    ("LazyBatchNorm1d", (), {"affine": False, "momentum": None}, (4, 3, 6)),
    ("LazyBatchNorm2d", (), {"bias": False}, (3, 2, 4, 4)),
    ("LazyBatchNorm3d", (), {"track_running_stats": False}, (2, 3, 2, 3, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 6)),
    ("LazyInstanceNorm2d", (), {"affine": False}, (2, 3, 4, 5)),
    ("LazyInstanceNorm3d", (), {"track_running_stats": False}, (2, 2, 3, 3, 3)),
]
IDS = [f"{n}-{k}-{s}" for n, _, k, s in LAYERS]


def _pair(name, args, kwargs):
    return getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


def _sd_summary(sd):
    return [(k, repr(v) if "Uninitialized" in type(v).__name__ else tuple(v.shape))
            for k, v in sd.items()]


@pytest.mark.parametrize("name,args,kwargs,shape", LAYERS, ids=IDS)
def test_lazy_loaded_from_torch_matches(rng, name, args, kwargs, shape):
    m, t = _pair(name, args, kwargs)
    assert repr(m) == repr(t)
    assert _sd_summary(m.state_dict()) == _sd_summary(t.state_dict())
    assert m.has_uninitialized_params() == t.has_uninitialized_params()
    m, t = m.double(), t.double()
    x = rng.standard_normal(shape)
    t(torch.tensor(x))                              # torch infers and draws its parameters
    m.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    assert type(m) is getattr(nn, name)             # loading keeps the lazy class ...
    assert not m.has_uninitialized_params()
    tl = getattr(torch.nn, name)(*args, **kwargs).double()      # torch loaded the same way
    tl.load_state_dict(t.state_dict())
    try:
        tl(torch.tensor(x))
    except ValueError as e:     # affine InstanceNorm: num_features stays 0 (a torch quirk)
        with pytest.raises(ValueError, match=re.escape(str(e))):
            m(mg.tensor(x))
        return
    check_module(m, t, [x])                         # ... and the first call swaps it
    assert type(m).__name__ == type(t).__name__ == name[4:]
    assert repr(m) == repr(tl)          # conv/norm keep in_channels/num_features 0, as torch
    assert _sd_summary(m.state_dict()) == _sd_summary(t.state_dict())
    check_module(m, t, [rng.standard_normal(shape)])


@pytest.mark.parametrize("name,args,kwargs,shape", LAYERS, ids=IDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lazy_infers_like_torch(rng, name, args, kwargs, shape, dtype):
    m = getattr(nn, name)(*args, **kwargs, dtype=getattr(mg, dtype))
    t = getattr(torch.nn, name)(*args, **kwargs, dtype=getattr(torch, dtype))
    x = rng.standard_normal(shape).astype(dtype)
    out, tout = m(mg.tensor(x)), t(torch.tensor(x))
    assert type(m).__name__ == type(t).__name__ and repr(m) == repr(t)
    assert tuple(out.shape) == tuple(tout.shape) and str(out.dtype) == dtype
    for (k, v), (tk, tv) in zip(m.state_dict().items(), t.state_dict().items()):
        assert k == tk and tuple(v.shape) == tuple(tv.shape)
        assert str(v.dtype) == str(tv.dtype).replace("torch.", "")
        if k.endswith("weight") and "Norm" not in name:      # kaiming_uniform(a=sqrt(5))
            fan_in = np.prod(v.shape[1:])
            assert np.abs(v.numpy()).max() <= 1 / np.sqrt(fan_in) + 1e-7
        if "Norm" in name and not k.endswith("tracked"):
            np.testing.assert_allclose(v.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6)
    assert not any(nn.parameter.is_lazy(v) for v in m.state_dict().values())
    assert not hasattr(m, "has_uninitialized_params") and not hasattr(t, "_initialize_hook")


def test_lazy_to_dtype_before_init_and_deepcopy():
    m, t = nn.LazyLinear(3).double(), torch.nn.LazyLinear(3).double()
    assert m.weight.dtype == mg.float64 and t.weight.dtype == torch.float64
    c = copy.deepcopy(m)
    assert nn.parameter.is_lazy(c.weight) and c.weight is not m.weight
    m(mg.ones(2, 4, dtype=mg.float64))
    assert m.weight.dtype == mg.float64 and tuple(m.weight.shape) == (3, 4)
    assert c.has_uninitialized_params() and type(c) is nn.LazyLinear
    assert type(m.weight) is nn.Parameter and m.weight.requires_grad


def test_lazy_parameters_are_registered_and_typed():
    m, t = nn.LazyBatchNorm1d(), torch.nn.LazyBatchNorm1d()
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert isinstance(m.weight, nn.UninitializedParameter) and isinstance(m.weight, nn.Parameter)
    assert isinstance(m.running_mean, nn.UninitializedBuffer)
    assert isinstance(m.running_mean, nn.Buffer) == isinstance(t.running_mean, torch.nn.Buffer)
    m(mg.randn(4, 3))
    t(torch.randn(4, 3))
    assert isinstance(m.running_mean, nn.Buffer) == isinstance(t.running_mean, torch.nn.Buffer)
    assert type(m.weight) is nn.Parameter and m.weight.requires_grad


def test_uninitialized_errors_match_torch():
    for lib in (mg, torch):
        p = lib.nn.UninitializedParameter()
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
            p.shape
        with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
            p + 1
        with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
            lib.nn.functional.linear(lib.ones(2, 3), p)
        with pytest.raises(RuntimeError, match="Can't share memory on an uninitialized"):
            p.share_memory_()
        assert repr(p) == "<UninitializedParameter>"
        assert repr(lib.nn.UninitializedBuffer()) == "<UninitializedBuffer>"
        assert p.requires_grad and not lib.nn.UninitializedBuffer().requires_grad
        b = lib.nn.UninitializedBuffer(dtype=lib.float64)
        b.materialize((2, 3))
        assert tuple(b.shape) == (2, 3) and b.dtype == lib.float64
        p.materialize(4, dtype=lib.float64)
        assert type(p) is lib.nn.Parameter and tuple(p.shape) == (4,) and p.requires_grad


def test_load_state_dict_lazy_cases():
    for lib in (mg, torch):
        lazy, lazy2 = lib.nn.LazyLinear(3), lib.nn.LazyLinear(3)
        lazy.load_state_dict(lazy2.state_dict())          # uninitialized into uninitialized
        assert lazy.has_uninitialized_params()
        full = lib.nn.Linear(2, 3)
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
            full.load_state_dict(lazy2.state_dict())
        lazy.load_state_dict(full.state_dict())
        assert not lazy.has_uninitialized_params() and tuple(lazy.weight.shape) == (3, 2)
        part = lib.nn.LazyLinear(3)
        res = part.load_state_dict({"weight": full.state_dict()["weight"]}, strict=False)
        assert list(res.missing_keys) == ["bias"] and part.has_uninitialized_params()
        with pytest.raises(AttributeError, match="materialize" if lib is torch else
                           "LazyLinear: self.weight must be an UninitializedParameter"):
            part(lib.ones(1, 2))


class _MgNoInit(LazyModuleMixin, nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.UninitializedParameter()


class _TorchNoInit(torch.nn.modules.lazy.LazyModuleMixin, torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.UninitializedParameter()


class _MgCustom(LazyModuleMixin, nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.UninitializedParameter()

    def initialize_parameters(self, x, scale=1.0):
        self.w.materialize(x.shape[-1:])
        with mg.no_grad():
            self.w.fill_(scale)

    def forward(self, x, scale=1.0):
        return x * self.w


def test_lazy_mixin_protocol():
    for cls in (_MgNoInit, _TorchNoInit):
        with pytest.raises(NotImplementedError, match="initialize_parameters is not "
                                                      "implemented for _"):
            cls()(mg.ones(2) if cls is _MgNoInit else torch.ones(2))
    m = _MgCustom()
    order = []
    m.register_forward_pre_hook(lambda mod, args: order.append(mod.has_uninitialized_params()))
    out = m(mg.ones(2, 3), scale=2.0)          # keyword arguments reach initialize_parameters
    np.testing.assert_array_equal(out.detach().numpy(), np.full((2, 3), 2.0))
    assert order == [False] and type(m) is _MgCustom         # no cls_to_become: class kept
    m(mg.ones(2, 3), scale=5.0)                               # initialised once only
    np.testing.assert_array_equal(m.w.detach().numpy(), [2.0, 2.0, 2.0])


@pytest.mark.parametrize("name,args,shape,match", [
    ("LazyConv1d", (4, 3), (2, 3, 4, 5), "Expected 2D \\(unbatched\\) or 3D \\(batched\\) "
                                         "input to LazyConv1d"),
    ("LazyConv2d", (4, 3), (5, 5), "Expected 3D \\(unbatched\\) or 4D"),
    ("LazyConvTranspose3d", (4, 3), (2, 2), "Expected 4D \\(unbatched\\) or 5D"),
])
def test_lazy_conv_input_errors(name, args, shape, match):
    for lib in (mg, torch):
        with pytest.raises(RuntimeError, match=match):
            getattr(lib.nn, name)(*args)(lib.ones(*shape))


def test_lazy_conv_groups_error_and_norm_dims():
    for lib in (mg, torch):
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            lib.nn.LazyConv2d(4, 3, groups=2)(lib.ones(1, 3, 5, 5))
        with pytest.raises(ValueError, match="expected 4D input \\(got 3D input\\)"):
            lib.nn.LazyBatchNorm2d()(lib.ones(2, 3, 4))


def test_import_paths_match_torch():
    from minigrad.nn.modules.lazy import LazyModuleMixin as Mixin
    from minigrad.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy
    assert Mixin is LazyModuleMixin and isinstance(nn.LazyConv2d(2, 3), Mixin)
    assert UninitializedParameter is nn.UninitializedParameter
    assert UninitializedBuffer is nn.UninitializedBuffer
    assert is_lazy(nn.LazyLinear(2).weight) == torch.nn.parameter.is_lazy(
        torch.nn.LazyLinear(2).weight)
    assert not is_lazy(nn.Linear(2, 2).weight)
