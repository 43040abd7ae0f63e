"""Memory formats against torch: is_contiguous/contiguous/clone/to/*_like/empty with
contiguous_format, channels_last, channels_last_3d and preserve_format give torch's strides
(in elements), values, gradients and errors; Module.to(memory_format=) converts 4-D and 5-D
parameters, buffers and gradients only."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

FORMATS = ["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"]


def pair(shape, view=None, dtype="float64", seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    x, t = mg.tensor(a), torch.tensor(a).clone(memory_format=torch.contiguous_format)
    if view is not None:
        x, t = view(x), view(t)
    return x, t


VIEWS = {                               # (shape, view) inputs: dense, permuted, sliced, ...
    "4d": ((2, 3, 4, 5), None),
    "4d_cl": ((2, 4, 5, 3), lambda t: t.permute(0, 3, 1, 2)),
    "4d_sliced": ((2, 3, 8, 5), lambda t: t[:, :, ::2]),
    "4d_perm_sliced": ((2, 3, 4, 5), lambda t: t.permute(0, 2, 3, 1)[:, ::2]),
    "4d_ones": ((2, 1, 1, 1), None),
    "4d_n1h1": ((3, 1, 4, 1), None),
    "4d_empty": ((0, 3, 4, 5), None),
    "4d_empty_c": ((2, 0, 4, 5), None),
    "4d_size1_t": ((4, 1, 3, 2), lambda t: t.transpose(0, 2)),
    "5d": ((2, 3, 2, 4, 5), None),
    "5d_cl": ((2, 2, 4, 5, 3), lambda t: t.permute(0, 4, 1, 2, 3)),
    "2d_t": ((3, 4), lambda t: t.t()),
    "3d_expand": ((3, 1, 4), lambda t: t.expand(3, 5, 4)),
    "0d": ((), None),
    "1d_step": ((9,), lambda t: t[::3]),
}


def outcome(fn):
    try:
        r = fn()
    except Exception as e:              # noqa: BLE001  (compared with torch's)
        return type(e), str(e)
    if isinstance(r, (bool, tuple)):
        return r
    return tuple(r.shape), r.stride(), r.dtype.__str__().split(".")[-1]


def same_outcome(ours, ref):
    o, r = outcome(ours), outcome(ref)
    if isinstance(r, tuple) and len(r) == 2 and isinstance(r[0], type):
        assert isinstance(o, tuple) and o[0] is r[0] and r[1] in o[1], (o, r)
    else:
        assert o == r, (o, r)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_layout_queries_and_copies_match_torch(view, fmt):
    shape, v = VIEWS[view]
    x, t = pair(shape, v)
    m, tf = getattr(mg, fmt), getattr(torch, fmt)
    same_outcome(lambda: x.is_contiguous(memory_format=m),
                 lambda: t.is_contiguous(memory_format=tf))
    same_outcome(lambda: x.contiguous(memory_format=m), lambda: t.contiguous(memory_format=tf))
    same_outcome(lambda: x.clone(memory_format=m), lambda: t.clone(memory_format=tf))
    same_outcome(lambda: x.to(memory_format=m), lambda: t.to(memory_format=tf))
    same_outcome(lambda: x.to(mg.float32, memory_format=m),
                 lambda: t.to(torch.float32, memory_format=tf))
    for name in ("empty_like", "zeros_like", "ones_like", "rand_like", "randn_like"):
        same_outcome(lambda: getattr(mg, name)(x, memory_format=m),
                     lambda: getattr(torch, name)(t, memory_format=tf))
    same_outcome(lambda: mg.full_like(x, 2.5, memory_format=m),
                 lambda: torch.full_like(t, 2.5, memory_format=tf))
    same_outcome(lambda: mg.randint_like(x, 3, 7, memory_format=m),
                 lambda: torch.randint_like(t, 3, 7, memory_format=tf))
    same_outcome(lambda: mg.empty(*x.shape, dtype=mg.float32, memory_format=m),
                 lambda: torch.empty(*t.shape, dtype=torch.float32, memory_format=tf))


@pytest.mark.parametrize("view", list(VIEWS))
def test_default_layouts_match_torch(view):
    shape, v = VIEWS[view]
    x, t = pair(shape, v)
    same_outcome(lambda: x.clone(), lambda: t.clone())
    same_outcome(lambda: x.contiguous(), lambda: t.contiguous())
    same_outcome(lambda: x.is_contiguous(), lambda: t.is_contiguous())
    same_outcome(lambda: mg.empty_like(x), lambda: torch.empty_like(t))
    same_outcome(lambda: x.to(mg.float32), lambda: t.to(torch.float32))
    same_outcome(lambda: x.to(mg.float64, copy=True), lambda: t.to(torch.float64, copy=True))
    same_outcome(lambda: x.to("cpu", mg.float64, False, True),
                 lambda: t.to("cpu", torch.float64, False, True))
    xi, ti = pair(shape, v, dtype="int64")
    same_outcome(lambda: xi.clone(), lambda: ti.clone())


@pytest.mark.parametrize("fmt", ["channels_last", "contiguous_format", "preserve_format"])
def test_values_and_gradients_through_relayout(fmt):
    x, t = pair((2, 3, 4, 5), lambda a: a[:, :, :, ::-1] if False else a.permute(0, 2, 3, 1),
                seed=3)
    x = x.detach().requires_grad_(True)
    t = t.detach().requires_grad_(True)
    g = np.random.default_rng(4).standard_normal((2, 4, 5, 3))
    outs = []
    for fn in (lambda a, f: a.clone(memory_format=f), lambda a, f: a.to(memory_format=f)):
        if fmt == "channels_last":          # (a permuted tensor is 4-D: allowed)
            pass
        y = fn(x, getattr(mg, fmt))
        ty = fn(t, getattr(torch, fmt))
        np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
        outs.append((y, ty))
    for y, ty in outs:
        (y * mg.tensor(g)).sum().backward()
        (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    y = mg.randn(2, 4, 5, 3).permute(0, 3, 1, 2).requires_grad_(True)
    ty = torch.randn(2, 4, 5, 3).permute(0, 3, 1, 2).requires_grad_(True)
    assert y.contiguous(memory_format=mg.channels_last) is y    # already channels_last
    assert ty.contiguous(memory_format=torch.channels_last) is ty
    h = x.detach().requires_grad_(True)
    out = h.contiguous(memory_format=mg.channels_last)
    gx, = mg.autograd.grad((out * out).sum(), h, create_graph=True)
    gg, = mg.autograd.grad(gx.sum(), h)     # second derivative of sum(x^2): 2
    np.testing.assert_allclose(gg.numpy(), 2.0)


def test_to_keeps_self_unless_a_copy_is_needed():
    x = mg.randn(2, 3, 4, 5)
    t = torch.randn(2, 3, 4, 5)
    assert (x.to(memory_format=mg.contiguous_format) is x) == \
        (t.to(memory_format=torch.contiguous_format) is t) is True
    assert (x.to(copy=True) is x) == (t.to(copy=True) is t) is False
    assert (x.to(memory_format=None) is x) == (t.to(memory_format=None) is t) is True
    y = x.to(memory_format=mg.channels_last)
    assert y.to(memory_format=mg.channels_last) is y


@pytest.mark.parametrize("call", [
    lambda lib, x: x.contiguous(memory_format=3),
    lambda lib, x: x.clone(memory_format="channels_last"),
    lambda lib, x: x.is_contiguous(memory_format=None),
    lambda lib, x: lib.empty_like(x, memory_format=lib.float32),
    lambda lib, x: lib.empty(2, 3, memory_format=lib.channels_last),
    lambda lib, x: lib.empty(2, 3, memory_format=lib.preserve_format),
    lambda lib, x: x[0].to(memory_format=lib.channels_last),
    lambda lib, x: x.contiguous(memory_format=lib.channels_last_3d),
])
def test_errors_match_torch(call):
    x, t = pair((2, 3, 4, 5))
    with pytest.raises(Exception) as ref:
        call(torch, t)
    with pytest.raises(ref.type) as ours:
        call(mg, x)
    if ref.type is RuntimeError:
        assert str(ref.value) in str(ours.value)
    else:
        assert "memory_format" in str(ours.value)


def test_module_to_memory_format_matches_torch():
    m, tm = mg.nn.Conv2d(2, 3, 2), torch.nn.Conv2d(2, 3, 2)
    bn, tbn = mg.nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    lin, tlin = mg.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    m.weight.grad, tm.weight.grad = mg.zeros_like(m.weight), torch.zeros_like(tm.weight)
    for a, b in ((m, tm), (bn, tbn), (lin, tlin)):
        assert a.to(memory_format=mg.channels_last) is a
        b.to(memory_format=torch.channels_last)
        for (n, p), (tn, tp) in zip(a.state_dict().items(), b.state_dict().items()):
            assert n == tn and p.stride() == tp.stride(), (n, p.stride(), tp.stride())
    assert m.weight.grad.stride() == tm.weight.grad.stride() == (8, 1, 4, 2)
    x, t = pair((2, 5, 5, 2), lambda a: a.permute(0, 3, 1, 2), dtype="float32")
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})
    np.testing.assert_allclose(m(x).detach().numpy(), tm(t.double()).detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    for mod in ((mg.nn.Conv3d(2, 3, 2), torch.nn.Conv3d(2, 3, 2), "channels_last"),
                (mg.nn.Conv2d(2, 3, 2), torch.nn.Conv2d(2, 3, 2), "channels_last_3d")):
        with pytest.raises(RuntimeError) as r:
            mod[1].to(memory_format=getattr(torch, mod[2]))
        with pytest.raises(RuntimeError, match=str(r.value)):
            mod[0].to(memory_format=getattr(mg, mod[2]))
    c3, tc3 = mg.nn.Conv3d(2, 3, 2), torch.nn.Conv3d(2, 3, 2)
    c3.to(memory_format=mg.channels_last_3d)
    tc3.to(memory_format=torch.channels_last_3d)
    assert c3.weight.stride() == tc3.weight.stride()


def test_formats_are_singletons():
    for name in FORMATS:
        f = getattr(mg, name)
        assert repr(f) == repr(getattr(torch, name)) and pickle.loads(pickle.dumps(f)) is f
        assert isinstance(f, mg.memory_format)


def test_convert_conv_weight_memory_format_matches_torch():
    def build(nn):
        return nn.Sequential(nn.Conv2d(2, 3, 3), nn.Sequential(nn.ConvTranspose2d(3, 2, 2)),
                             nn.Conv3d(2, 2, 2), nn.ConvTranspose3d(2, 1, 2), nn.Linear(3, 3))
    for fn, fmt in (("convert_conv2d_weight_memory_format", "channels_last"),
                    ("convert_conv3d_weight_memory_format", "channels_last_3d"),
                    ("convert_conv2d_weight_memory_format", "contiguous_format")):
        m, t = build(mg.nn), build(torch.nn)
        assert getattr(mg.nn.utils, fn)(m, getattr(mg, fmt)) is m
        getattr(torch.nn.utils, fn)(t, getattr(torch, fmt))
        for (n, p), (tn, tp) in zip(m.named_parameters(), t.named_parameters()):
            assert n == tn and p.stride() == tp.stride(), (fn, n, p.stride(), tp.stride())
            assert isinstance(p, mg.nn.Parameter)
    for fn, fmt in (("convert_conv2d_weight_memory_format", "channels_last_3d"),
                    ("convert_conv3d_weight_memory_format", "channels_last")):
        with pytest.raises(RuntimeError) as r:
            getattr(torch.nn.utils, fn)(build(torch.nn), getattr(torch, fmt))
        with pytest.raises(RuntimeError, match=str(r.value)):
            getattr(mg.nn.utils, fn)(build(mg.nn), getattr(mg, fmt))
