"""In-place view ops (t_, transpose_, swapdims_, swapaxes_, squeeze_, unsqueeze_, as_strided_,
resize_, resize_as_) and as_strided against torch 2.13: values, shapes, strides, storage
offsets, aliasing (writes go through), version counters, _base, gradients (double backward
too) through the rebound views, and the errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def rand(shape, dtype="float64", seed=0):
    r = np.random.default_rng(seed)
    a = r.standard_normal(shape) * 3
    return np.asarray(a > 0 if dtype == "bool" else a).astype(dtype)


def close(m, t):
    """Values, shape and dtype (gradients: their strides are not compared)."""
    assert tuple(m.shape) == tuple(t.shape)
    assert str(m.dtype) == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=1e-12, atol=1e-14)


def pair(a, requires_grad=False):
    return (mg.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def same(m, t):
    """Values, shape, dtype and the strides of the dims that have more than one element (of
    a non-empty tensor: an empty one's strides mean nothing)."""
    assert tuple(m.shape) == tuple(t.shape)
    assert str(m.dtype) == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(m.detach().numpy().astype(float),
                               t.detach().numpy().astype(float), rtol=1e-12, atol=0)
    ms, ts = m.stride(), t.stride()
    assert m.numel() == 0 or [s for s, n in zip(ms, m.shape) if n > 1] == \
        [s for s, n in zip(ts, t.shape) if n > 1], (ms, ts)


VIEW_OPS = [("t_", (), (3, 4)), ("t_", (), (5,)), ("t_", (), ()), ("t_", (), (0, 3)),
            ("transpose_", (0, 2), (2, 3, 4)), ("transpose_", (-1, 0), (3, 4)),
            ("swapdims_", (1, 0), (3, 4)), ("swapaxes_", (2, -2), (2, 3, 4)),
            ("squeeze_", (), (1, 3, 1, 2)), ("squeeze_", (0,), (1, 3, 1)),
            ("squeeze_", (1,), (1, 3, 1)), ("squeeze_", ((0, 2),), (1, 3, 1)),
            ("squeeze_", (), ()), ("squeeze_", (), (0, 1)), ("unsqueeze_", (0,), (3, 4)),
            ("unsqueeze_", (-1,), (3, 4)), ("unsqueeze_", (1,), (3, 4)),
            ("unsqueeze_", (0,), ()), ("unsqueeze_", (2,), (0, 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,args,shape", VIEW_OPS)
def test_view_op_in_place_values_strides_versions(name, args, shape, dtype):
    a = rand(shape, dtype)
    m, t = pair(a)
    vm, vt = m._version, t._version
    rm, rt = getattr(m, name)(*args), getattr(t, name)(*args)
    assert rm is m and rt is t
    same(m, t)
    assert m._version - vm == t._version - vt == 1
    assert m._base is None and t._base is None


@pytest.mark.parametrize("name,args,shape", [v for v in VIEW_OPS if 0 not in v[2]])
def test_view_op_on_a_view_writes_through_to_the_base(name, args, shape):
    """The rebound tensor is still a view of the same base: writes reach it, as torch's."""
    a = rand((2,) + shape)
    bm, bt = pair(a)
    m, t = bm[1], bt[1]
    getattr(m, name)(*args), getattr(t, name)(*args)
    assert m._base is bm and t._base is bt
    same(m, t)
    m.mul_(-2), t.mul_(-2)
    same(bm, bt)
    assert m._version == t._version and bm._version == bt._version


def test_non_contiguous_input():
    a = rand((4, 6))
    m, t = pair(a)
    m, t = m[:, ::2], t[:, ::2]
    m.t_(), t.t_()
    same(m, t)
    assert m.storage_offset() == t.storage_offset()
    m.unsqueeze_(1), t.unsqueeze_(1)
    same(m, t)
    m.squeeze_(), t.squeeze_()
    same(m, t)


@pytest.mark.parametrize("name,args,shape", [v for v in VIEW_OPS if 0 not in v[2]])
def test_grad_flows_through_the_rebound_non_leaf(name, args, shape):
    a, w = rand(shape), rand(shape, seed=1)
    xm, xt = pair(a, True)
    ym, yt = xm * xm, xt * xt
    getattr(ym, name)(*args), getattr(yt, name)(*args)
    assert type(ym.grad_fn).__name__ != "MulBackward" and ym.grad_fn is not None
    g = rand(tuple(yt.shape), seed=2)
    (gm,) = mg.grad(ym, xm, mg.tensor(g), create_graph=True)
    (gt,) = torch.autograd.grad(yt, xt, torch.tensor(g), create_graph=True)
    close(gm, gt)
    (ggm,) = mg.grad(gm, xm, mg.tensor(w))
    (ggt,) = torch.autograd.grad(gt, xt, torch.tensor(w))
    close(ggm, ggt)


def test_t_on_a_view_of_a_non_leaf_then_written_in_place():
    """torch: the view keeps its base; a later in-place write rebases the base's history."""
    a = rand((2, 3))
    xm, xt = pair(a, True)
    bm, bt = xm * 1, xt * 1
    vm, vt = bm[:, 1:], bt[:, 1:]
    vm.t_(), vt.t_()
    assert vm._base is bm and vt._base is bt
    w = rand((2, 2), seed=3)
    (vm * mg.tensor(w)).sum().backward(retain_graph=True)
    (vt * torch.tensor(w)).sum().backward(retain_graph=True)
    close(xm.grad, xt.grad)
    xm.grad = xt.grad = None
    vm.mul_(mg.tensor(w)), vt.mul_(torch.tensor(w))
    c = rand((2, 3), seed=4)
    (bm * mg.tensor(c)).sum().backward()
    (bt * torch.tensor(c)).sum().backward()
    close(xm.grad, xt.grad)


@pytest.mark.parametrize("name,args", [("t_", ()), ("transpose_", (0, 1)),
                                       ("squeeze_", ()), ("unsqueeze_", (0,)),
                                       ("swapdims_", (0, 1)),
                                       ("as_strided_", ((2,), (1,)))])
def test_leaf_requiring_grad_is_refused_in_grad_mode(name, args):
    a = rand((2, 3))
    xm, xt = pair(a, True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(xt, name)(*args)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(xm, name)(*args)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        getattr(xt[0:1], name)(*args)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        getattr(xm[0:1], name)(*args)
    with torch.no_grad():                          # allowed without grad mode
        getattr(xt, name)(*args)
    with mg.no_grad():
        getattr(xm, name)(*args)
    same(xm, xt)
    assert xm.requires_grad and xm.is_leaf and xm._version == xt._version


def test_no_grad_keeps_the_old_history():
    xm, xt = pair(rand((2, 3)), True)
    ym, yt = xm * 2, xt * 2
    fm, ft = ym.grad_fn, yt.grad_fn
    with mg.no_grad():
        ym.t_()
    with torch.no_grad():
        yt.t_()
    assert ym.grad_fn is fm and yt.grad_fn is ft
    same(ym, yt)


@pytest.mark.parametrize("name,args", [("t_", ()), ("unsqueeze_", (0,)),
                                       ("as_strided_", ((2,), (1,)))])
def test_saved_tensor_refuses_backward_after_the_version_bump(name, args):
    xm, xt = pair(rand((2, 3)), True)
    ym, yt = xm * 1, xt * 1
    zm, zt = ym.sin(), yt.sin()
    getattr(ym, name)(*args), getattr(yt, name)(*args)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        zt.sum().backward()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        zm.sum().backward()
    em, et = xm.exp(), xt.exp()                  # exp saves its result: itself, rebound
    getattr(em, name)(*args), getattr(et, name)(*args)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        et.sum().backward()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        em.sum().backward()


@pytest.mark.parametrize("call,kind,text", [
    (lambda x: x.t_(), RuntimeError, "t_() expects a tensor with <= 2 dimensions"),
    (lambda x: x.transpose_(0, 3), IndexError, "out of range"),
    (lambda x: x.swapaxes_(-4, 0), IndexError, "out of range"),
    (lambda x: x.squeeze_(3), IndexError, "out of range"),
    (lambda x: x.squeeze_((0, 0)), RuntimeError, "appears more than once"),
    (lambda x: x.unsqueeze_(4), IndexError, "out of range"),
    (lambda x: x.unsqueeze_(1.0), TypeError, ""),
])
def test_view_op_errors(call, kind, text):
    m, t = pair(rand((2, 3, 4)))
    with pytest.raises(kind):
        call(t)
    with pytest.raises(kind, match=text.replace("(", r"\(").replace(")", r"\)")):
        call(m)
    assert m.shape == (2, 3, 4)


# ---- as_strided -------------------------------------------------------------------------------
STRIDED = [((3, 4), (2, 2), (1, 2), None), ((3, 4), (3, 3), (2, 1), 1),
           ((3, 4), (4, 3), (1, 4), 0), ((3, 4), (2, 3), (0, 1), 5),
           ((3, 4), (), (), 11), ((3, 4), (0, 3), (1, 1), 12), ((), (1,), (1,), 0),
           ((), (), (), None), ((0, 3), (0,), (1,), 0), ((12,), (5, 3), (2, 1), None)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,size,stride,offset", STRIDED)
def test_as_strided_values_strides_and_aliasing(shape, size, stride, offset, dtype):
    m, t = pair(rand(shape, dtype))
    rm, rt = m.as_strided(size, stride, offset), t.as_strided(size, stride, offset)
    same(rm, rt)
    assert rm.storage_offset() == rt.storage_offset()
    assert rm._base is m and rt._base is t
    fm, ft = mg.as_strided(m, size, stride, offset), torch.as_strided(t, size, stride, offset)
    same(fm, ft)
    if rm.numel() and dtype != "bool" and 0 not in stride:      # (writable: no overlap)
        with mg.no_grad():
            rm.fill_(7)
        with torch.no_grad():
            rt.fill_(7)
        same(m, t)
        assert m._version == t._version


@pytest.mark.parametrize("shape,size,stride,offset", STRIDED[:5] + STRIDED[-1:])
def test_as_strided_gradient_with_overlap_and_double_backward(shape, size, stride, offset):
    xm, xt = pair(rand(shape), True)
    g = rand(size, seed=1)
    ym, yt = (xm * 1).as_strided(size, stride, offset), (xt * 1).as_strided(size, stride, offset)
    same(ym, yt)
    (gm,) = mg.grad((ym * ym).sum(), xm, create_graph=True)
    (gt,) = torch.autograd.grad((yt * yt).sum(), xt, create_graph=True)
    close(gm, gt)
    w = rand(shape, seed=2)
    (ggm,) = mg.grad(gm, xm, mg.tensor(w))
    (ggt,) = torch.autograd.grad(gt, xt, torch.tensor(w))
    close(ggm, ggt)
    ym2, yt2 = xm.as_strided(size, stride, offset), xt.as_strided(size, stride, offset)
    (gm,) = mg.grad(ym2, xm, mg.tensor(g))
    (gt,) = torch.autograd.grad(yt2, xt, torch.tensor(g))
    close(gm, gt)
    assert gradcheck(lambda x: x.as_strided(size, stride, offset), [xm.detach()
                                                                    .requires_grad_()])
    assert gradgradcheck(lambda x: (x * x).as_strided(size, stride, offset),
                         [xm.detach().requires_grad_()])


def test_as_strided_of_a_view_uses_the_absolute_storage_offset():
    xm, xt = pair(rand((4, 5)), True)
    vm, vt = (xm * 2)[1:, ::2], (xt * 2)[1:, ::2]
    for args in [((2, 2), (3, 1)), ((2, 2), (3, 1), 0), ((3,), (5,), 7)]:
        rm, rt = vm.as_strided(*args), vt.as_strided(*args)
        same(rm, rt)
        assert rm.storage_offset() == rt.storage_offset()
        g = rand(rt.shape, seed=5)
        (gm,) = mg.grad(rm, xm, mg.tensor(g), retain_graph=True)
        (gt,) = torch.autograd.grad(rt, xt, torch.tensor(g), retain_graph=True)
        close(gm, gt)


def test_as_strided_of_a_self_overlapping_input():
    """torch divides by how many input elements share a memory position."""
    xm, xt = pair(rand((3,)), True)
    em, et = (xm * 1).expand(2, 3), (xt * 1).expand(2, 3)
    rm, rt = em.as_strided((2,), (1,), 1), et.as_strided((2,), (1,), 1)
    same(rm, rt)
    g = rand((2,), seed=3)
    (gm,) = mg.grad(rm, xm, mg.tensor(g))
    (gt,) = torch.autograd.grad(rt, xt, torch.tensor(g))
    close(gm, gt)


def test_as_strided_in_place_then_written_rebases_the_base():
    xm, xt = pair(rand((3, 4)), True)
    bm, bt = xm * 1, xt * 1
    vm, vt = bm[1:], bt[1:]
    vm.as_strided_((2, 2), (1, 4), 5), vt.as_strided_((2, 2), (1, 4), 5)
    same(vm, vt)
    assert vm.storage_offset() == vt.storage_offset() and vm._base is bm and vt._base is bt
    w = rand((2, 2), seed=1)
    vm.mul_(mg.tensor(w)), vt.mul_(torch.tensor(w))
    same(bm, bt)
    c = rand((3, 4), seed=2)
    (gm,) = mg.grad((bm * mg.tensor(c)).sum(), xm)
    (gt,) = torch.autograd.grad((bt * torch.tensor(c)).sum(), xt)
    close(gm, gt)


def test_as_strided_in_place_on_a_non_leaf_carries_the_gradient():
    xm, xt = pair(rand((3, 4)), True)
    ym, yt = xm * 3 + 1, xt * 3 + 1
    ym.as_strided_((3, 3), (1, 1), 1), yt.as_strided_((3, 3), (1, 1), 1)
    same(ym, yt)
    assert ym._base is None and yt._base is None
    g = rand((3, 3), seed=4)
    (gm,) = mg.grad(ym, xm, mg.tensor(g))
    (gt,) = torch.autograd.grad(yt, xt, torch.tensor(g))
    close(gm, gt)


@pytest.mark.parametrize("args,kind,text", [
    (((2, 2), (-1, 1)), RuntimeError, "Negative strides"),
    (((3, 3), (4, 4)), RuntimeError, "out of bounds for storage"),
    (((2, 2), (1, 1), 11), RuntimeError, "out of bounds for storage"),
    (((2,), (1,), -1), RuntimeError, "invalid storage offset"),
    (((2, 2, 1), (1, 1)), RuntimeError, "mismatch in length of strides and shape"),
    (((2, -1), (1, 1)), RuntimeError, "negative dimension"),
    ((2.0, (1,)), TypeError, "size"),
    (((2,), (1,), 1.5), TypeError, "storage_offset"),
])
def test_as_strided_errors(args, kind, text):
    m, t = pair(rand((3, 4)))
    for f in (lambda x: x.as_strided(*args), lambda x: x.as_strided_(*args)):
        with pytest.raises(kind):
            f(t)
        with pytest.raises(kind, match=text):
            f(m)
    assert m.shape == (3, 4) and m.stride() == (4, 1)


# ---- resize_ ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,new", [((6,), (2, 3)), ((2, 3), (4,)), ((2, 3), (2, 3)),
                                       ((2, 3), (0,)), ((), (1, 1)), ((0,), (0, 4)),
                                       ((2, 3), (3, 4)), ((0, 3), (2,)), ((3,), ())])
def test_resize_values_strides_versions(shape, new, dtype):
    m, t = pair(rand(shape, dtype))
    vm, vt = m._version, t._version
    assert m.resize_(*new) is m and t.resize_(new) is t
    assert tuple(m.shape) == tuple(t.shape) and m.stride() == t.stride()
    kept = min(int(np.prod(shape)), int(np.prod(new)))    # torch leaves the rest uninitialized
    same(m.reshape(-1)[:kept], t.reshape(-1)[:kept])
    assert m._version - vm == t._version - vt


def test_resize_of_a_view_shrinks_over_the_same_storage():
    bm, bt = pair(rand((4, 5)))
    vm, vt = bm[1:, 1:], bt[1:, 1:]
    vm.resize_(2, 3), vt.resize_(2, 3)
    same(vm, vt)
    assert vm.storage_offset() == vt.storage_offset() == 6
    vm.fill_(3.0), vt.fill_(3.0)
    same(bm, bt)
    m2, t2 = pair(rand((2, 3)))
    vm.resize_as_(m2), vt.resize_as_(t2)
    same(vm, vt)


def test_resize_errors():
    xm, xt = pair(rand((2, 3)), True)
    for x in (xt, xm):
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            x.resize_(6)
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            (x * 1).resize_(3, 2)
    m, t = pair(rand((2, 3)))
    with pytest.raises(RuntimeError):
        t.resize_(2, -1)
    with pytest.raises(RuntimeError, match="resize_: Trying to create tensor with negative"):
        m.resize_(2, -1)
    for x in (t, m):
        with pytest.raises(TypeError):
            x.resize_(2.0)
    bm = mg.tensor(rand((2, 3)))
    with pytest.raises(RuntimeError, match="resize_: growing the storage of a tensor that "
                                           "shares memory"):
        bm[0].resize_(10)        # minigrad cannot grow a storage other tensors hold


@pytest.mark.parametrize("name", ["resize", "resize_as"])
def test_deprecated_out_of_place_resize(name):
    xm, xt = pair(rand((2, 6)), True)
    arg = (3, 4) if name == "resize" else None
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        rt = xt.resize(3, 4) if arg else xt.resize_as(torch.zeros(3, 4))
    with pytest.warns(UserWarning, match=f"non-inplace {name} is deprecated"):
        rm = xm.resize(3, 4) if arg else xm.resize_as(mg.zeros(3, 4))
    assert any(f"non-inplace {name} is deprecated" in str(w.message) for w in wt)
    same(rm, rt)
    g = rand((3, 4), seed=1)
    (gm,) = mg.grad(rm, xm, mg.tensor(g))
    (gt,) = torch.autograd.grad(rt, xt, torch.tensor(g))
    close(gm, gt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="autograd's resize can only change the shape"):
            xt.resize(5) if arg else xt.resize_as(torch.zeros(5))
        with pytest.raises(RuntimeError, match="autograd's resize can only change the shape"):
            xm.resize(5) if arg else xm.resize_as(mg.zeros(5))


def test_forward_mode_tangent_follows_the_rebound_view():
    import minigrad.forward_ad as fwm
    import torch.autograd.forward_ad as fwt
    a, d = rand((2, 3)), rand((2, 3), seed=1)
    out = []
    for lib, fw in ((mg, fwm), (torch, fwt)):
        with fw.dual_level():
            x = fw.make_dual(lib.tensor(a), lib.tensor(d))
            y = x * 2
            y.t_()
            y.unsqueeze_(0)
            z = y.as_strided((2, 2), (1, 2), 1)
            out.append(fw.unpack_dual(z).tangent.numpy().copy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12)
