"""Shape ops of issue 15 against torch: split family, narrow, repeat/tile/repeat_interleave,
roll/flip/rot90, movedim/swapaxes, broadcast_*, atleast_*, unflatten, the *stack functions.

Each row is fn(L, x) with L = minigrad or torch: values, dtypes, gradients for a random
upstream gradient and second derivatives (of the squared result, so the backward's backward
runs) in float64, on contiguous and transposed inputs; then integer/bool inputs, views that
alias the input, copies that do not, and torch's errors.
"""
from __future__ import annotations

import numpy as np
import pytest
from conftest import check_op

import minigrad as mg

torch = pytest.importorskip("torch")


def _ri(L, x, reps, dim=None, **kw):
    return L.repeat_interleave(x, L.tensor(reps), dim, **kw)


# (id, fn(L, x), input shapes)
ROWS = [
    ("split-int", lambda L, x: L.split(x, 2), [(5, 3), (0, 3), (1,)]),
    ("split-sizes", lambda L, x: L.split(x, [1, 0, 2], dim=-1), [(4, 3), (2, 0, 3)]),
    ("Tensor.split", lambda L, x: x.split(2, 1), [(3, 5)]),
    ("chunk", lambda L, x: L.chunk(x, 3, 1), [(2, 7), (2, 0), (4, 2, 3)]),
    ("Tensor.chunk", lambda L, x: x.chunk(4), [(6, 2), (0,)]),
    ("unbind", lambda L, x: L.unbind(x, -1), [(3, 4), (2, 0), (3,)]),
    ("Tensor.unbind", lambda L, x: x.unbind(), [(3, 2), (0, 2)]),
    ("tensor_split-int", lambda L, x: L.tensor_split(x, 3, dim=1), [(2, 7), (2, 2), (3, 0)]),
    ("tensor_split-idx", lambda L, x: L.tensor_split(x, [1, 4, 2, -1]), [(5, 2), (3,)]),
    ("tensor_split-tensor", lambda L, x: L.tensor_split(x, L.tensor([1, 3])), [(4, 2)]),
    ("tensor_split-0d", lambda L, x: x.tensor_split(L.tensor(2), 1), [(3, 5)]),
    ("tensor_split-kw", lambda L, x: L.tensor_split(x, sections=2, dim=1)
     + x.tensor_split(indices=[1]), [(3, 5)]),
    ("hsplit-varargs", lambda L, x: x.hsplit(1, 2) + L.vsplit(x, sections=1), [(3, 4)]),
    ("hsplit", lambda L, x: L.hsplit(x, 2), [(3, 4), (6,), (2, 0)]),
    ("hsplit-idx", lambda L, x: x.hsplit([1, 3]), [(3, 4)]),
    ("vsplit", lambda L, x: L.vsplit(x, [1]), [(3, 4), (0, 2)]),
    ("dsplit", lambda L, x: L.dsplit(x, 2), [(2, 3, 4)]),
    ("narrow", lambda L, x: L.narrow(x, 0, 1, 2), [(4, 3), (3,)]),
    ("narrow-neg", lambda L, x: x.narrow(-1, -2, 2), [(3, 4), (2, 0, 2)]),
    ("narrow-0d-start", lambda L, x: L.narrow(x, 1, L.tensor(1), 0), [(3, 4)]),
    ("repeat", lambda L, x: x.repeat(2, 1, 3), [(4, 3), (0, 3), (3,), ()]),
    ("repeat-tuple", lambda L, x: x.repeat((2, 0)), [(2, 3), ()]),
    ("repeat-ones", lambda L, x: x.repeat(1, 1), [(2, 3)]),
    ("tile", lambda L, x: L.tile(x, (2,)), [(4, 3), (), (0, 2)]),
    ("Tensor.tile", lambda L, x: x.tile(2, 1, 2), [(2, 3), (3,)]),
    ("repeat_interleave-int", lambda L, x: L.repeat_interleave(x, 2), [(3, 2), (), (0,)]),
    ("repeat_interleave-dim", lambda L, x: x.repeat_interleave(3, dim=-1), [(2, 3), (2, 0)]),
    ("repeat_interleave-tensor", lambda L, x: _ri(L, x, [1, 0, 3], 1), [(2, 3)]),
    ("repeat_interleave-one", lambda L, x: _ri(L, x, [2], 0, output_size=6), [(3, 2)]),
    ("repeat_interleave-0d", lambda L, x: _ri(L, x, 2, 0), [(3, 2)]),
    ("repeat_interleave-flat", lambda L, x: _ri(L, x, [1, 2, 0, 1, 2, 0]), [(2, 3)]),
    ("roll-flat", lambda L, x: L.roll(x, 2), [(3, 4), (), (0,)]),
    ("roll", lambda L, x: L.roll(x, (1, -3), (0, 1)), [(3, 4), (0, 2)]),
    ("roll-same-dim", lambda L, x: x.roll((1, 2), (1, 1)), [(2, 5)]),
    ("flip", lambda L, x: L.flip(x, (0, -1)), [(3, 4), (2, 0, 3)]),
    ("flip-0d", lambda L, x: L.flip(x, (0,)), [(), (3,)]),
    ("Tensor.flip", lambda L, x: x.flip(1), [(2, 3)]),
    ("Tensor.flip-list", lambda L, x: x.flip([]), [(2, 3), ()]),
    ("fliplr", lambda L, x: L.fliplr(x), [(3, 4), (2, 3, 2)]),
    ("flipud", lambda L, x: x.flipud(), [(3, 4), (4,), (0, 2)]),
    ("rot90", lambda L, x: L.rot90(x), [(3, 4), (2, 3, 4), (0, 3)]),
    ("rot90-k", lambda L, x: [L.rot90(x, k, (1, 0)) for k in (-1, 0, 2, 3, 5)], [(3, 4)]),
    ("rot90-dims", lambda L, x: x.rot90(1, [-1, 0]), [(2, 3, 4)]),
    ("movedim", lambda L, x: L.movedim(x, 0, -1), [(2, 3, 4), (3,), ()]),
    ("movedim-tuple", lambda L, x: L.movedim(x, (0, 1), (2, 0)), [(2, 3, 4), (2, 0, 1)]),
    ("moveaxis", lambda L, x: x.moveaxis((-1,), (0,)), [(2, 3, 4)]),
    ("swapaxes", lambda L, x: L.swapaxes(x, 0, -1), [(2, 3, 4), (3,), ()]),
    ("swapdims", lambda L, x: x.swapdims(1, 0), [(2, 3)]),
    ("broadcast_to", lambda L, x: L.broadcast_to(x, (2, -1, 3)), [(4, 3), (1, 3), (0, 1)]),
    ("broadcast_to-0d", lambda L, x: x.broadcast_to((2, 0)), [(), (1,)]),
    ("broadcast_tensors",
     lambda L, x: L.broadcast_tensors(x, x[:1] * 2, L.zeros(2, 1, 1, dtype=x.dtype)),
     [(4, 3), (1, 1)]),
    ("broadcast_tensors-one", lambda L, x: L.broadcast_tensors(x), [(4, 3), ()]),
    ("atleast_1d", lambda L, x: L.atleast_1d(x), [(), (3,), (2, 3)]),
    ("atleast_2d", lambda L, x: L.atleast_2d(x), [(), (3,), (0,), (2, 3)]),
    ("atleast_3d", lambda L, x: L.atleast_3d(x), [(), (3,), (2, 3), (2, 3, 4), (0,)]),
    ("atleast-many", lambda L, x: L.atleast_2d(x, x[0]), [(3, 2)]),
    ("atleast-list", lambda L, x: L.atleast_3d([x, x.sum()]), [(3, 2)]),
    ("unflatten", lambda L, x: L.unflatten(x, 1, (2, -1)), [(3, 6), (3, 4, 2)]),
    ("Tensor.unflatten", lambda L, x: x.unflatten(-1, [1, 3, 1]), [(2, 3), (3,)]),
    ("unflatten-empty", lambda L, x: L.unflatten(x, 0, (0, 2)), [(0, 3)]),
    ("hstack", lambda L, x: L.hstack([x, x * 2]), [(3, 2), (3,), (), (0,)]),
    ("vstack", lambda L, x: L.vstack((x, x)), [(3, 2), (3,), ()]),
    ("dstack", lambda L, x: L.dstack([x, x]), [(3, 2), (3,), (), (2, 2, 2)]),
    ("column_stack", lambda L, x: L.column_stack([x, x.sum(-1, keepdim=True)]),
     [(3, 2), (3, 1)]),
    ("column_stack-1d", lambda L, x: L.column_stack([x, x[..., None] * 2]), [(3,)]),
    ("column_stack-0d", lambda L, x: L.column_stack([x, x]), [()]),
]


def _params():
    out = []
    for name, fn, shapes in ROWS:
        for s in shapes:
            out.append(pytest.param(fn, s, False, id=f"{name}-{s}"))
            if len(s) >= 2:                 # a transposed (non-contiguous) input as well
                out.append(pytest.param(fn, s, True, id=f"{name}-{s}-t"))
    return out


def _squared(fn, L, transposed):
    def run(x):
        if transposed:
            x = x.transpose(0, -1)
        out = fn(L, x)
        return [o * o for o in out] if isinstance(out, (tuple, list)) else out * out
    return run


@pytest.mark.parametrize("fn,shape,transposed", _params())
def test_matches_torch(fn, shape, transposed, device):
    rng = np.random.default_rng()
    shape = shape[::-1] if transposed else shape
    x = rng.standard_normal(shape)
    check_op(_squared(fn, mg, transposed), _squared(fn, torch, transposed), [x], device=device,
             double=True)


# integer and bool inputs: values and dtypes (no gradients)
DTYPE_ROWS = [r for r in ROWS if r[0] not in ("column_stack", "unflatten-empty")]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float32])
@pytest.mark.parametrize("name,fn,shapes", DTYPE_ROWS, ids=[r[0] for r in DTYPE_ROWS])
def test_dtypes(name, fn, shapes, dtype):
    a = np.random.default_rng().integers(0, 3, shapes[0]).astype(dtype)
    check_op(lambda x: fn(mg, x), lambda x: fn(torch, x), [a], requires_grad=[False])


@pytest.mark.parametrize("op", ["hstack", "vstack", "dstack", "column_stack"])
def test_stack_promotes_like_torch(op):
    a, b = np.ones((3, 2), np.float32), np.arange(6).reshape(3, 2)
    c = np.zeros((3, 2), bool)
    check_op(lambda *xs: getattr(mg, op)(xs), lambda *xs: getattr(torch, op)(xs), [a, b, c],
             requires_grad=[True, False, False])


# ---- views and copies ---------------------------------------------------------------------
VIEWS = {
    "split": lambda L, x: L.split(x, 2)[1],
    "chunk": lambda L, x: L.chunk(x, 2, 1)[0],
    "unbind": lambda L, x: L.unbind(x, 1)[2],
    "tensor_split": lambda L, x: L.tensor_split(x, [1])[1],
    "hsplit": lambda L, x: L.hsplit(x, 3)[1],
    "narrow": lambda L, x: L.narrow(x, 1, 1, 2),
    "movedim": lambda L, x: L.movedim(x, 0, 1),
    "swapaxes": lambda L, x: L.swapaxes(x, 0, 1),
    "unflatten": lambda L, x: L.unflatten(x, 0, (2, 2)),
    "atleast_3d": lambda L, x: L.atleast_3d(x),
    "broadcast_to": lambda L, x: L.broadcast_to(x, (1, 4, 3)),
    "broadcast_tensors": lambda L, x: L.broadcast_tensors(x, L.zeros(3))[0],
}
COPIES = {
    "repeat": lambda L, x: x.repeat(1, 1),
    "tile": lambda L, x: L.tile(x, (1,)),
    "repeat_interleave": lambda L, x: L.repeat_interleave(x, 1, 0),
    "roll": lambda L, x: L.roll(x, 0),
    "flip": lambda L, x: L.flip(x, (0,)),
    "flip-none": lambda L, x: L.flip(x, ()),
    "rot90": lambda L, x: L.rot90(x, 4),
    "hstack": lambda L, x: L.hstack([x]),
}


@pytest.mark.parametrize("name", list(VIEWS) + list(COPIES))
def test_view_or_copy_like_torch(name):
    """A write into the result reaches the input exactly when torch's does."""
    fn = VIEWS.get(name) or COPIES[name]
    seen = []
    for L in (mg, torch):
        x = L.zeros(4, 3)
        y = fn(L, x)
        y.add_(1.0)
        seen.append(float(x.sum()))
        if L is mg:             # (torch's repeat_interleave has a _base: a temporary's)
            assert (y._base is not None) == (name in VIEWS)
    assert seen[0] == seen[1] and (seen[0] != 0) == (name in VIEWS)


def test_view_write_rebases_gradient():
    """In-place write through a narrow()ed view: the gradient flows as in torch. A split
    piece refuses the write, as torch's does (tests/test_multi_views.py has the rules)."""
    grads = []
    for L in (mg, torch):
        w = L.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
        x = w * 1.0
        with pytest.raises(RuntimeError, match="returns multiple views"):
            L.split(x, 1)[1].mul_(3.0)
        x.narrow(0, 1, 1).mul_(3.0)
        (x * x).sum().backward()
        grads.append(w.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])


def test_broadcast_to_is_a_view():
    x = mg.zeros(1, 3)
    assert mg.broadcast_to(x, (4, 3))._base is x
    assert all(t._base is not None for t in mg.broadcast_tensors(x, mg.zeros(2, 1)))


def test_unflatten_module():
    for L in (mg, torch):
        m = L.nn.Unflatten(1, (2, 3))
        assert m(L.zeros(4, 6)).shape == (4, 2, 3)
    assert "unflattened_size=(2, 3)" in repr(mg.nn.Unflatten(1, (2, 3)))


def test_repeat_interleave_of_counts():
    for dt in (np.int64, np.int32):
        check_op(lambda r: mg.repeat_interleave(r), lambda r: torch.repeat_interleave(r),
                 [np.array([2, 0, 3], dt)])
    check_op(lambda r: mg.repeat_interleave(r, output_size=1),
             lambda r: torch.repeat_interleave(r, output_size=1), [np.array([0, 1])])


# ---- errors: the same kind as torch's, raised by minigrad (never from inside NumPy) ---------
ERRORS = [
    lambda L, x: L.split(x.sum(), 1), lambda L, x: L.split(x, 0), lambda L, x: L.split(x, -1),
    lambda L, x: L.split(x, [2, 2]), lambda L, x: L.split(x, [6, -1]),
    lambda L, x: L.split(x, 2, 2), lambda L, x: L.chunk(x, 0), lambda L, x: L.chunk(x.sum(), 1),
    lambda L, x: L.unbind(x.sum()), lambda L, x: L.unbind(x, 2),
    lambda L, x: L.tensor_split(x, 0), lambda L, x: L.tensor_split(x.sum(), 2),
    lambda L, x: L.tensor_split(x, L.tensor([1.0])),
    lambda L, x: L.tensor_split(x, L.tensor([[1]])),
    lambda L, x: L.hsplit(x, 2), lambda L, x: L.hsplit(x, 0), lambda L, x: L.hsplit(x.sum(), 1),
    lambda L, x: L.vsplit(x[0], 1), lambda L, x: L.dsplit(x, 1),
    lambda L, x: L.narrow(x.sum(), 0, 0, 1), lambda L, x: L.narrow(x, 0, 6, 0),
    lambda L, x: L.narrow(x, 0, -6, 0), lambda L, x: L.narrow(x, 0, 3, 3),
    lambda L, x: L.narrow(x, 0, 1, -1), lambda L, x: L.narrow(x, 2, 0, 1),
    lambda L, x: L.narrow(x, 0, L.tensor(1.0), 1),
    lambda L, x: x.repeat(2), lambda L, x: x.repeat(-1, 1), lambda L, x: x.repeat(),
    lambda L, x: L.tile(x, (-1,)),
    lambda L, x: L.repeat_interleave(x, -1), lambda L, x: L.repeat_interleave(x, 2, 2),
    lambda L, x: L.repeat_interleave(x, L.tensor([1, 2]), 1),
    lambda L, x: L.repeat_interleave(x, L.tensor([1, -1, 0]), 1),
    lambda L, x: L.repeat_interleave(x, 2, 0, output_size=9),
    lambda L, x: L.repeat_interleave(x, L.tensor([1, 2, 0]), 1, output_size=2),
    lambda L, x: L.repeat_interleave(L.tensor([[1, 2]])),
    lambda L, x: L.repeat_interleave(x.sum(), 2, 0),
    lambda L, x: L.roll(x, (1, 2), 0), lambda L, x: L.roll(x, 1, (0, 1)),
    lambda L, x: L.roll(x, (1, 2)), lambda L, x: L.roll(x, 1, 2), lambda L, x: L.roll(x, (), ()),
    lambda L, x: L.roll(x.sum(), 1, 0),
    lambda L, x: L.flip(x, (0, 0)), lambda L, x: L.flip(x, 0), lambda L, x: L.flip(x, (2,)),
    lambda L, x: L.fliplr(x[0]), lambda L, x: L.flipud(x.sum()),
    lambda L, x: L.rot90(x[0]), lambda L, x: L.rot90(x, 1, [0]),
    lambda L, x: L.rot90(x, 1, [0, 0]), lambda L, x: L.rot90(x, 1, [0, 2]),
    lambda L, x: L.rot90(x, 1, (0, -2)),
    lambda L, x: L.movedim(x, (0, 1), (1,)), lambda L, x: L.movedim(x, (0, 0), (1, 0)),
    lambda L, x: L.movedim(x, (0, 1), (1, 1)), lambda L, x: L.movedim(x, 2, 0),
    lambda L, x: L.swapaxes(x, 0, 2),
    lambda L, x: L.broadcast_to(x, (-1, 2, 3)), lambda L, x: L.broadcast_to(x, (5, 4)),
    lambda L, x: L.broadcast_to(x, (3,)),
    lambda L, x: L.broadcast_tensors(x, L.zeros(4)), lambda L, x: L.broadcast_tensors([x]),
    lambda L, x: L.unflatten(x, 1, (2, 2)), lambda L, x: L.unflatten(x, 1, ()),
    lambda L, x: L.unflatten(x.sum(), 0, (1,)), lambda L, x: L.unflatten(x, 1, (-1, -1)),
    lambda L, x: L.hstack([]), lambda L, x: L.hstack(x), lambda L, x: L.hstack([x, x[0]]),
    lambda L, x: L.vstack([x, L.zeros(2)]), lambda L, x: L.dstack([x, L.zeros(5, 2)]),
    lambda L, x: L.column_stack([x, L.zeros(4)]),
    lambda L, x: x.flip(), lambda L, x: x.tile(), lambda L, x: L.tile(x, 2),
    lambda L, x: L.split(x, True), lambda L, x: L.split(x, 2.0), lambda L, x: x.chunk(2.0),
    lambda L, x: L.broadcast_to(x, 3), lambda L, x: L.atleast_1d(1.0),
    lambda L, x: x.unflatten(1, 3), lambda L, x: L.roll(x, 1.5), lambda L, x: L.rot90(x, 1.0),
    lambda L, x: L.repeat_interleave(x, L.tensor([True, False]), 1),
    lambda L, x: L.repeat_interleave(L.tensor([1.0, 2.0])), lambda L, x: x.repeat_interleave(),
    lambda L, x: L.tensor_split(x, L.tensor([1], dtype=L.int32)),
    lambda L, x: L.broadcast_to(x[:1], (4, 3)).add_(1), lambda L, x: L.vstack([x, 1.0]),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_like_torch(k):
    import traceback
    errs = []
    for L in (torch, mg):
        with pytest.raises(Exception) as info:
            ERRORS[k](L, L.zeros(5, 3))
        errs.append(info.value)
    kind = next(c for c in type(errs[0]).__mro__ if c.__module__ == "builtins")
    assert isinstance(errs[1], kind), (errs[0], errs[1])
    last = traceback.extract_tb(errs[1].__traceback__)[-1].filename
    assert "/numpy/" not in last, errs[1]


@pytest.mark.parametrize("split", [lambda L, x: L.unbind(x, 1), lambda L, x: L.chunk(x, 3),
                                   lambda L, x: L.tensor_split(x, [-1, 9]),
                                   lambda L, x: L.tensor_split(x, [3, 1])])
def test_some_pieces_unused(split):
    """Gradients (and second derivatives) when only some pieces reach the loss."""
    def run(L):
        def fn(x):
            pieces = split(L, x)
            return (pieces[0] ** 3).sum() + (pieces[-1] * 2).sum()
        return fn
    check_op(run(mg), run(torch), [np.random.default_rng().standard_normal((5, 4))],
             double=True)


def test_write_into_base_after_split():
    """Using a piece in grad mode after its input was written in place is refused, as in
    torch (a multi-view op's pieces are never re-derived from their base)."""
    for L in (mg, torch):
        x = L.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True) * 1.0
        a, b, c = L.split(x, 1)
        x.mul_(2.0)
        with pytest.raises(RuntimeError, match="Output 1 of Split is a view and its base or "
                                               "another view of its base has been modified"):
            b * b


def test_unbind_backward_is_one_node():
    """unbind of n rows: one backward node whose gradient is a single stack (not n
    full-size scatters)."""
    x = mg.randn(2000, 3, requires_grad=True)
    rows = x.unbind()
    assert len({id(r.grad_fn) for r in rows}) == 1
    sum(r[0] for r in rows[:5]).backward()
    assert x.grad.shape == (2000, 3) and float(x.grad.sum()) == 5.0
