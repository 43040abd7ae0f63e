"""The view-copy functions (t_copy, slice_copy, ...), the scatter forms (diagonal_scatter,
select_scatter, slice_scatter, as_strided_scatter), split_with_sizes, the unsafe splits and
empty_strided against torch 2.13: values, dtypes, strides, memory (copies share none, views
and unsafe pieces do), gradients for both inputs, double backward, and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
LAYOUTS = ["c", "t", "s"]


def rand(shape, dtype="float64", seed=0, layout="c"):
    """A random array; layout t: a transposed view, s: every other column of a wider one."""
    r = np.random.default_rng(seed)
    full = list(shape)
    if layout == "t":
        full = full[:-2] + full[-2:][::-1]
    elif layout == "s":
        full[-1] *= 2
    a = r.standard_normal(full) * 3
    a = np.asarray(a > 0 if dtype == "bool" else a).astype(dtype)
    if layout == "t":
        a = a.swapaxes(-1, -2)
    elif layout == "s":
        a = a[..., ::2]
    return a


def pair(a, requires_grad=False):
    """minigrad over `a` itself (its layout kept), torch over a copy."""
    m = mg.Tensor._make(a)
    if requires_grad:
        m.requires_grad_()
    return m, torch.tensor(a.copy(), requires_grad=requires_grad)


def close(m, t):
    assert tuple(m.shape) == tuple(t.shape)
    assert str(m.dtype) == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(m.detach().numpy().astype(float),
                               t.detach().numpy().astype(float), rtol=1e-12, atol=1e-14)


def outs(r):
    return list(r) if isinstance(r, (tuple, list)) else [r]


COPIES = [("alias_copy", (), (3, 4)), ("detach_copy", (), (3, 4)), ("t_copy", (), (3, 4)),
          ("t_copy", (), (5,)), ("t_copy", (), ()), ("transpose_copy", (0, 2), (2, 3, 4)),
          ("permute_copy", ((2, 0, 1),), (2, 3, 4)), ("diagonal_copy", (), (3, 4)),
          ("diagonal_copy", (1, 0, 2), (2, 3, 4)), ("select_copy", (1, -1), (3, 4)),
          ("select_copy", (0, 0), (3,)), ("slice_copy", (), (3, 4)),
          ("slice_copy", (1, 1, None, 2), (3, 4)), ("slice_copy", (0, -2, 100), (3, 4)),
          ("slice_copy", (1, 3, 1), (3, 4)), ("narrow_copy", (1, 1, 2), (3, 4)),
          ("narrow_copy", (0, -1, 1), (3, 4)), ("unfold_copy", (1, 2, 1), (3, 4)),
          ("unfold_copy", (0, 1, 1), ()), ("unsqueeze_copy", (1,), (3, 4)),
          ("unsqueeze_copy", (0,), ()), ("squeeze_copy", (), (1, 3, 1)),
          ("squeeze_copy", ((0, 2),), (1, 3, 1)), ("squeeze_copy", (0,), (3, 4)),
          ("expand_copy", ((2, 3, 4),), (3, 4)), ("expand_copy", ((-1, 4),), (3, 1)),
          ("view_copy", ((4, 3),), (3, 4)), ("view_copy", ((-1,),), (3, 4)),
          ("as_strided_copy", ((2, 2), (1, 2), 1), (3, 4)),
          ("split_copy", (2, 1), (3, 4)), ("split_with_sizes_copy", ([1, 2],), (3, 4)),
          ("unbind_copy", (1,), (3, 4)), ("view_copy", ((0, 2),), (0, 4)),
          ("t_copy", (), (0, 3)), ("diagonal_copy", (), (0, 3))]


def _needs_contiguous(name):
    """as_strided_copy reads memory: torch's input is contiguous, so minigrad's must be."""
    return name == "as_strided_copy"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name,args,shape", COPIES)
def test_copy_values_layout_and_no_shared_memory(name, args, shape, layout, dtype):
    if layout != "c" and (len(shape) < 2 or _needs_contiguous(name)):
        pytest.skip("layout needs 2 dims / a contiguous input")
    m, t = pair(rand(shape, dtype, layout=layout))
    rm, rt = getattr(mg, name)(m, *args), getattr(torch, name)(t, *args)
    assert isinstance(rm, tuple) == isinstance(rt, tuple)
    for a, b in zip(outs(rm), outs(rt), strict=True):
        close(a, b)
        assert a.is_contiguous() and b.is_contiguous()
        assert a._base is None and b._base is None
        if a.numel():
            assert not np.shares_memory(a.numpy(), m.numpy())
    before = m.numpy().copy()
    for a in outs(rm):
        a.data[...] = 1                       # writing the copies leaves the input alone
    np.testing.assert_array_equal(m.numpy(), before)


@pytest.mark.parametrize("layout", ["c", "t"])
@pytest.mark.parametrize("name,args,shape", [c for c in COPIES if c[0] != "detach_copy"])
def test_copy_gradients_and_double_backward(name, args, shape, layout):
    if layout != "c" and (len(shape) < 2 or _needs_contiguous(name)):
        pytest.skip("layout needs 2 dims / a contiguous input")
    xm, xt = pair(rand(shape, layout=layout), True)
    rm = outs(getattr(mg, name)(xm * xm, *args))
    tname = name
    if name == "narrow_copy" and args[1] < 0:
        tname = "narrow"        # torch 2.13's narrow_copy gives zeros for a negative start
    rt = outs(getattr(torch, tname)(xt * xt, *args))
    ws = [rand(tuple(b.shape), seed=k + 1) for k, b in enumerate(rt)]
    (gt,) = torch.autograd.grad(rt, xt, [torch.tensor(w) for w in ws], create_graph=True)
    (gm,) = mg.grad(rm, xm, [mg.tensor(w) for w in ws], create_graph=True)
    close(gm, gt)
    if not gt.requires_grad:                      # (an empty result: torch stops here)
        return
    v = rand(shape, seed=9)
    (ggt,) = torch.autograd.grad(gt, xt, torch.tensor(v))
    (ggm,) = mg.grad(gm, xm, mg.tensor(v))
    close(ggm, ggt)


def test_narrow_copy_negative_start_gradient_is_right_where_torchs_is_not():
    xm, xt = pair(rand((3, 4)), True)
    with pytest.raises(Exception, match="Jacobian mismatch"):
        torch.autograd.gradcheck(lambda x: torch.narrow_copy(x, 0, -1, 1), (xt,))
    assert gradcheck(lambda x: mg.narrow_copy(x, 0, -1, 1), [xm])
    (gm,) = mg.grad(mg.narrow_copy(xm, 0, -1, 1).sum(), xm)
    np.testing.assert_array_equal(gm.numpy(), [[0] * 4, [0] * 4, [1] * 4])


def test_detach_copy_requires_grad_but_has_no_derivative():
    """torch 2.13: the result says it requires grad, and backward raises."""
    xm, xt = pair(rand((2, 3)), True)
    rm, rt = mg.detach_copy(xm), torch.detach_copy(xt)
    assert rm.requires_grad == rt.requires_grad is True
    with pytest.raises(RuntimeError, match="derivative for aten::detach_copy is not impl"):
        rt.sum().backward()
    with pytest.raises(RuntimeError, match="derivative for aten::detach_copy is not impl"):
        rm.sum().backward()
    m, t = pair(rand((2, 3)))
    assert mg.detach_copy(m).requires_grad == torch.detach_copy(t).requires_grad is False


@pytest.mark.parametrize("src,dst", [("float64", "int64"), ("float32", "int32"),
                                     ("int64", "float64"), ("int32", "float32"),
                                     ("float32", "float32"), ("int16", "float16"),
                                     ("int8", "uint8"), ("uint8", "bool")])
def test_view_copy_to_a_dtype_reads_the_bits(src, dst):
    m, t = pair(rand((3, 4), src))
    rm, rt = mg.view_copy(m, getattr(mg, dst)), torch.view_copy(t, getattr(torch, dst))
    assert rm.shape == tuple(rt.shape) and str(rm.dtype) == dst
    np.testing.assert_array_equal(rm.numpy(), rt.numpy())
    assert not rm.requires_grad


@pytest.mark.parametrize("a,dst,text", [
    (rand((3, 3), "float32"), "float64", "size\\(-1\\) must be divisible by 2"),
    (rand((), "float32"), "int16", "dim\\(\\) cannot be 0"),
    (rand((3, 4), "float32", layout="t"), "int16", "stride\\(-1\\) must be 1"),
])
def test_view_copy_dtype_errors(a, dst, text):
    m, t = pair(a)
    with pytest.raises(RuntimeError):
        torch.view_copy(t if "stride" not in text else t.t().contiguous().t(),
                        getattr(torch, dst))
    with pytest.raises(RuntimeError, match="view_copy: self." + text):
        mg.view_copy(m, getattr(mg, dst))


@pytest.mark.parametrize("call,kind,text", [
    (lambda L, x: L.t_copy(x.reshape(2, 3, 2)), RuntimeError, "t_copy: t\\(\\) expects"),
    (lambda L, x: L.select_copy(x, 0, 7), IndexError, "select_copy: "),
    (lambda L, x: L.slice_copy(x, 0, 0, 2, 0), RuntimeError, "slice_copy: slice step must be"),
    (lambda L, x: L.slice_copy(x.sum(), 0), IndexError, "slice_copy: slice\\(\\) cannot"),
    (lambda L, x: L.diagonal_copy(x, 0, 1, 1), RuntimeError, "diagonal_copy: "),
    (lambda L, x: L.expand_copy(x, (2, 3)), RuntimeError, "expand_copy: "),
    (lambda L, x: L.view_copy(x, (5,)), RuntimeError, "view_copy: "),
    (lambda L, x: L.split_with_sizes_copy(x, [1, 1]), RuntimeError, "split_with_sizes_copy"),
    (lambda L, x: L.narrow_copy(x, 0, 3, 2), RuntimeError, "narrow_copy: "),
    (lambda L, x: L.squeeze_copy(x, None), TypeError, "squeeze_copy\\(\\): argument 'dim'"),
    (lambda L, x: L.unsqueeze_copy(x, 3), IndexError, "unsqueeze_copy: "),
    (lambda L, x: L.unfold_copy(x, 0, 5, 1), RuntimeError, "unfold_copy: "),
    (lambda L, x: L.as_strided_copy(x, (4, 4), (4, 1)), RuntimeError, "as_strided_copy: "),
    (lambda L, x: L.unbind_copy(x, 2), IndexError, "unbind_copy: "),
])
def test_copy_errors_name_the_function(call, kind, text):
    m, t = pair(rand((3, 4)))
    with pytest.raises(kind):
        call(torch, t)
    with pytest.raises(kind, match=text):
        call(mg, m)


# ---- the scatter forms ------------------------------------------------------------------------
SCATTERS = [("diagonal_scatter", (4, 3), (3,), ()), ("diagonal_scatter", (3, 4), (2,), (2,)),
            ("diagonal_scatter", (2, 3, 4), (2, 3), (0, 1, 2)),
            ("diagonal_scatter", (3, 3), (2,), (-1,)), ("diagonal_scatter", (0, 4), (0,), ()),
            ("select_scatter", (4, 3), (3,), (0, 1)), ("select_scatter", (4, 3), (4,), (1, -1)),
            ("select_scatter", (4,), (), (0, 2)), ("select_scatter", (2, 0), (0,), (0, 1)),
            ("slice_scatter", (4, 3), (2, 3), (0, 1, 3)),
            ("slice_scatter", (4, 3), (4, 2), (1, None, None, 2)),
            ("slice_scatter", (5,), (2,), (0, -2)), ("slice_scatter", (0, 5), (0, 5), ()),
            ("slice_scatter", (4, 6), (4, 2), (1, 1, 100, 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name,shape,sshape,args", SCATTERS)
def test_scatter_values(name, shape, sshape, args, layout, dtype):
    if layout != "c" and len(shape) < 2:
        pytest.skip("layout needs 2 dims")
    m, t = pair(rand(shape, dtype, layout=layout))
    sm, st = pair(rand(sshape, dtype, seed=1))
    before = m.numpy().copy()
    for rm, rt in [(getattr(mg, name)(m, sm, *args), getattr(torch, name)(t, st, *args)),
                   (getattr(m, name)(sm, *args), getattr(t, name)(st, *args))]:
        close(rm, rt)
        assert rm._base is None and not np.shares_memory(rm.numpy(), m.numpy())
    np.testing.assert_array_equal(m.numpy(), before)      # the input is not written


@pytest.mark.parametrize("name,shape,sshape,args", SCATTERS)
def test_scatter_gradients_for_both_inputs_and_double_backward(name, shape, sshape, args):
    xm, xt = pair(rand(shape), True)
    sm, st = pair(rand(sshape, seed=1), True)
    rm = getattr(mg, name)(xm * xm, sm * sm, *args)
    rt = getattr(torch, name)(xt * xt, st * st, *args)
    close(rm, rt)
    w = rand(shape, seed=2)
    gt = torch.autograd.grad(rt, (xt, st), torch.tensor(w), create_graph=True)
    gm = mg.grad(rm, (xm, sm), mg.tensor(w), create_graph=True)
    for a, b in zip(gm, gt):
        close(a, b)
    if not rt.numel():
        return
    v = [rand(shape, seed=3), rand(sshape, seed=4)]
    ggt = torch.autograd.grad(gt, (xt, st), [torch.tensor(a) for a in v])
    ggm = mg.grad(gm, (xm, sm), [mg.tensor(a) for a in v])
    for a, b in zip(ggm, ggt):
        close(a, b)
    f = getattr(mg, name)
    assert gradcheck(lambda x, s: f(x, s, *args), [xm.detach().requires_grad_(),
                                                    sm.detach().requires_grad_()])


def test_scatter_casts_src_to_the_input_dtype():
    m, t = pair(rand((4, 3), "float32"))
    sm, st = pair(rand((3,), "int64", seed=1))
    close(mg.select_scatter(m, sm, 0, 1), torch.select_scatter(t, st, 0, 1))
    sm, st = pair(rand((3,), "float64", seed=1), True)
    rm, rt = mg.select_scatter(m, sm, 0, 1), torch.select_scatter(t, st, 0, 1)
    close(rm, rt)
    w = rand((4, 3), "float32", seed=2)
    close(mg.grad(rm, sm, mg.tensor(w))[0], torch.autograd.grad(rt, st, torch.tensor(w))[0])


@pytest.mark.parametrize("call,kind,text", [
    (lambda L, x, s: L.slice_scatter(x, s, 0, 0, 3), RuntimeError,
     "expected src to have a size equal to the slice of self"),
    (lambda L, x, s: L.select_scatter(x, s[0, :2], 0, 0), RuntimeError,
     "expected src to have a size equal to the slice of self"),
    (lambda L, x, s: L.diagonal_scatter(x, s[0, :2]), RuntimeError,
     "expected src to have a size equal to the slice of self"),
    (lambda L, x, s: L.select_scatter(x, s[0], 0, 4), IndexError, "select_scatter: index 4"),
    (lambda L, x, s: L.select_scatter(x.sum(), s.sum(), 0, 0), IndexError,
     "select_scatter: select\\(\\) cannot"),
    (lambda L, x, s: L.slice_scatter(x, s, 0, 0, 4, -1), RuntimeError,
     "slice_scatter: slice step must be positive"),
    (lambda L, x, s: L.diagonal_scatter(x[0], s[0]), IndexError, "diagonal_scatter: "),
    (lambda L, x, s: L.diagonal_scatter(x, s[0], 0, 0, 0), RuntimeError, "diagonal_scatter: "),
    (lambda L, x, s: L.diagonal_scatter(x, s[0], 0, 0, 5), IndexError, "diagonal_scatter: "),
    (lambda L, x, s: L.slice_scatter(x, s.numpy(), 0), TypeError, "slice_scatter"),
    (lambda L, x, s: L.select_scatter(x.long(), s[0].requires_grad_(), 0, 0), RuntimeError,
     "Autograd not support dtype: Long"),
])
def test_scatter_errors(call, kind, text):
    m, t = pair(rand((4, 3)))
    sm, st = pair(rand((2, 3), seed=1))
    with pytest.raises(kind, match=text if "_scatter:" not in text else None):
        call(torch, t, st)
    with pytest.raises(kind, match=text):
        call(mg, m, sm)


# ---- as_strided_scatter ------------------------------------------------------------------------
STRIDED_SCATTERS = [((4, 3), (2, 3), ((2, 3), (4, 1), 1)), ((4, 3), (3, 2), ((3, 2), (1, 3))),
                    ((), (), ((), (), 0)), ((0, 5), (0,), ((0,), (1,), 0)),
                    ((3, 4), (2, 2), ((2, 2), (1, 4), 3))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,sshape,args", STRIDED_SCATTERS)
def test_as_strided_scatter_values(shape, sshape, args, dtype):
    m, t = pair(rand(shape, dtype))
    sm, st = pair(rand(sshape, dtype, seed=1))
    close(mg.as_strided_scatter(m, sm, *args), torch.as_strided_scatter(t, st, *args))
    close(m.as_strided_scatter(sm, *args), t.as_strided_scatter(st, *args))


def test_as_strided_scatter_of_a_non_contiguous_input_uses_a_clone_like_torch():
    """torch clones the input keeping its dim order and offsets from the clone's start."""
    for shape, view in (((6, 4), lambda b: b.t()), ((4, 12), lambda b: b[:, ::2]),
                        ((6, 8), lambda b: b.t()[:, ::2])):
        a = rand(shape)
        m, t = view(mg.tensor(a)), view(torch.tensor(a))
        assert m.stride() == t.stride()
        sm, st = pair(rand((3, 2), seed=1))
        close(mg.as_strided_scatter(m, sm, (3, 2), (1, 5), 2),
              torch.as_strided_scatter(t, st, (3, 2), (1, 5), 2))


@pytest.mark.parametrize("shape,sshape,args", STRIDED_SCATTERS[:2] + STRIDED_SCATTERS[4:])
def test_as_strided_scatter_gradients(shape, sshape, args):
    """src's gradient as torch's; input's is g outside the view (torch 2.13 gives g inside it,
    which its own gradcheck rejects: checked here too)."""
    xm, xt = pair(rand(shape), True)
    sm, st = pair(rand(sshape, seed=1), True)
    rm, rt = mg.as_strided_scatter(xm, sm, *args), torch.as_strided_scatter(xt, st, *args)
    w = rand(shape, seed=2)
    gt = torch.autograd.grad(rt, (xt, st), torch.tensor(w))
    gm = mg.grad(rm, (xm, sm), mg.tensor(w))
    close(gm[1], gt[1])
    mask = torch.ones(shape, dtype=torch.float64).as_strided_scatter(
        torch.zeros(sshape, dtype=torch.float64), *args).numpy()
    np.testing.assert_allclose(gm[0].numpy(), w * mask)
    np.testing.assert_allclose(gt[0].numpy(), w * (1 - mask))     # torch's known bug
    with pytest.raises(Exception, match="Jacobian mismatch"):
        torch.autograd.gradcheck(lambda x: torch.as_strided_scatter(x, st.detach(), *args),
                                 (xt,))
    assert gradcheck(lambda x, s: mg.as_strided_scatter(x, s, *args),
                     [xm.detach().requires_grad_(), sm.detach().requires_grad_()])
    assert gradgradcheck(lambda x, s: mg.as_strided_scatter(x * x, s * s, *args),
                         [xm.detach().requires_grad_(), sm.detach().requires_grad_()])


def test_as_strided_scatter_errors():
    m, t = pair(rand((4, 3)))
    sm, st = pair(rand((2, 3), seed=1))
    for L, x, s in ((torch, t, st), (mg, m, sm)):
        with pytest.raises(RuntimeError, match="expected src to have a size equal"):
            L.as_strided_scatter(x, s, (3, 2), (1, 3))
        with pytest.raises(RuntimeError, match="out of bounds for storage"):
            L.as_strided_scatter(x, s, (2, 3), (10, 1))
        with pytest.raises(RuntimeError, match="mismatch in length of strides and shape"):
            L.as_strided_scatter(x, s, (2, 3), (1,))
    xm, xt = pair(rand((3, 4)), True)
    with pytest.raises(RuntimeError, match="only supported for contiguous inputs"):
        torch.as_strided_scatter(xt.t(), st, (2, 3), (3, 1))
    with pytest.raises(RuntimeError, match="only supported for contiguous inputs"):
        mg.as_strided_scatter(xm.t(), sm, (2, 3), (3, 1))


# ---- split_with_sizes and the unsafe splits ----------------------------------------------------
SPLITS = [("split_with_sizes", ([1, 3], 1)), ("split_with_sizes", ([2, 0, 1],)),
          ("unsafe_split", (2,)), ("unsafe_split", (3, -1)),
          ("unsafe_split_with_sizes", ([1, 2],)), ("unsafe_chunk", (2,)),
          ("unsafe_chunk", (3, 1))]


@pytest.mark.parametrize("layout", ["c", "t"])
@pytest.mark.parametrize("name,args", SPLITS)
def test_splits_share_memory_and_track_views_as_torch(name, args, layout):
    xm, xt = pair(rand((3, 4), layout=layout), True)
    bm, bt = xm * 1, xt * 1
    for rm, rt in [(getattr(mg, name)(bm, *args), getattr(torch, name)(bt, *args)),
                   (getattr(bm, name)(*args), getattr(bt, name)(*args))]:
        assert type(rm) is type(rt) is tuple and len(rm) == len(rt)
        for a, b in zip(rm, rt):
            close(a, b)
            tracked = b._base is bt
            assert (a._base is bm) == tracked == (not name.startswith("unsafe"))
            if a.numel():
                assert np.shares_memory(a.data, bm.data)
    ws = [rand(tuple(b.shape), seed=k) for k, b in enumerate(rt)]
    gt = torch.autograd.grad(rt, xt, [torch.tensor(w) for w in ws])
    gm = mg.grad(list(rm), xm, [mg.tensor(w) for w in ws])
    close(gm[0], gt[0])


def test_split_with_sizes_pieces_write_through_to_the_input():
    m, t = pair(rand((3, 4)))
    pm, pt = m.split_with_sizes([1, 3], 1), t.split_with_sizes([1, 3], 1)
    pm[1].mul_(3), pt[1].mul_(3)
    close(m, t)
    assert m._version == t._version == 1


@pytest.mark.parametrize("call,kind,text", [
    (lambda L, x: L.split_with_sizes(x, [1, 1]), RuntimeError, "split_with_sizes expects"),
    (lambda L, x: L.split_with_sizes(x, [4, -1]), RuntimeError, "non-negative"),
    (lambda L, x: L.unsafe_split(x, -1), RuntimeError, "split expects split_size be non"),
    (lambda L, x: L.unsafe_chunk(x, 0), RuntimeError, "chunk expects `chunks` to be greater"),
    (lambda L, x: L.unsafe_split_with_sizes(x, 2), TypeError, "unsafe_split_with_sizes\\(\\): "
     "argument 'split_sizes' \\(position 2\\) must be tuple of ints, not int"),
    (lambda L, x: L.split_with_sizes_copy(x, 2), TypeError, "split_with_sizes_copy\\(\\): "),
    (lambda L, x: x.split_with_sizes(2), TypeError, "split_with_sizes\\(\\): argument"),
    (lambda L, x: x.split_with_sizes([1, 2], 5), IndexError, "out of range"),
])
def test_split_errors(call, kind, text):
    m, t = pair(rand((3, 4)))
    with pytest.raises(kind):
        call(torch, t)
    with pytest.raises(kind, match=text):
        call(mg, m)


# ---- empty_strided ---------------------------------------------------------------------------
@pytest.mark.parametrize("size,stride", [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((), ()),
                                         ((0, 4), (4, 1)), ((2, 2), (0, 1)), ((3,), (5,))])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "bool"])
def test_empty_strided(size, stride, dtype):
    rm = mg.empty_strided(size, stride, dtype=getattr(mg, dtype))
    rt = torch.empty_strided(size, stride, dtype=getattr(torch, dtype))
    assert rm.shape == tuple(rt.shape) and rm.stride() == rt.stride()
    assert str(rm.dtype) == dtype and rm.storage_offset() == 0 and not rm.requires_grad
    t = mg.ones(2, dtype=mg.float16)
    nm = t.new_empty_strided(size, stride)
    nt = torch.ones(2, dtype=torch.float16).new_empty_strided(size, stride)
    assert nm.shape == tuple(nt.shape) and nm.stride() == nt.stride() and nm.dtype == np.float16
    g = mg.empty_strided(size, stride, requires_grad=True)
    assert g.requires_grad and g.dtype == mg.get_default_dtype()


def test_empty_strided_errors():
    for L, name in ((torch, ""), (mg, "empty_strided: ")):
        with pytest.raises(RuntimeError, match=f"{name}dimensionality of sizes \\(2\\) must "
                                               "match dimensionality of strides \\(1\\)"):
            L.empty_strided((2, 3), (1,))
        with pytest.raises(RuntimeError):
            L.empty_strided((2, -3), (1, 1))
        with pytest.raises(TypeError):
            L.empty_strided((2, 3), (1, 2), dtype="float")
    with pytest.raises(RuntimeError, match="new_empty_strided: Trying to create tensor with "
                                           "negative dimension"):
        mg.ones(2).new_empty_strided((2, -3), (1, 1))
