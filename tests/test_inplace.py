"""In-place ops against torch: aliasing, version counters, rebased histories, views, errors."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")


def pair(a, requires_grad=False):
    """The same float64 array as a minigrad and a torch tensor."""
    return (mg.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def both_raise(f_mg, f_torch, kind=RuntimeError, match=None):
    with pytest.raises(kind) as e_t:
        f_torch()
    with pytest.raises(kind, match=match) as e_m:
        f_mg()
    return str(e_m.value), str(e_t.value)


# ---- compound assignment writes into the tensor's own memory -----------------------------
AUGMENTED = [
    ("+=", "float64", lambda a, b: a.__iadd__(b)),
    ("-=", "float64", lambda a, b: a.__isub__(b)),
    ("*=", "float64", lambda a, b: a.__imul__(b)),
    ("/=", "float64", lambda a, b: a.__itruediv__(b)),
    ("**=", "float64", lambda a, b: a.__ipow__(b)),
    ("//=", "float64", lambda a, b: a.__ifloordiv__(b)),
    ("%=", "float64", lambda a, b: a.__imod__(b)),
    ("//= int", "int64", lambda a, b: a.__ifloordiv__(b)),
    ("%= int", "int64", lambda a, b: a.__imod__(b)),
    ("&=", "int64", lambda a, b: a.__iand__(b)),
    ("|=", "int64", lambda a, b: a.__ior__(b)),
    ("^=", "int64", lambda a, b: a.__ixor__(b)),
    ("<<=", "int64", lambda a, b: a.__ilshift__(b)),
    (">>=", "int64", lambda a, b: a.__irshift__(b)),
    ("&= bool", "bool", lambda a, b: a.__iand__(b)),
]


@pytest.mark.parametrize("name,dtype,op", AUGMENTED, ids=[a[0] for a in AUGMENTED])
@pytest.mark.parametrize("other_kind", ["tensor", "scalar"])
def test_augmented_assignment_is_in_place(rng, name, dtype, op, other_kind):
    if dtype == "bool":
        a, b = rng.random((3, 4)) > 0.5, rng.random((3, 4)) > 0.5
    elif dtype == "int64":
        a, b = rng.integers(1, 50, (3, 4)), rng.integers(1, 4, (3, 4))
    else:
        a, b = rng.random((3, 4)) + 0.5, rng.random((3, 4)) + 0.5
    if other_kind == "scalar":
        b = b[0, 0].item()
    x, tx = mg.tensor(a), torch.tensor(a)
    alias, talias = x[1:], tx[1:]
    other = mg.tensor(b) if other_kind == "tensor" else b
    tother = torch.tensor(b) if other_kind == "tensor" else b
    y, ty = op(x, other), op(tx, tother)
    assert y is x and ty is tx
    assert x.dtype == mg.tensor(ty.numpy()).dtype
    np.testing.assert_allclose(x.numpy(), ty.numpy(), rtol=1e-14)     # pow: 1 ulp apart
    np.testing.assert_allclose(alias.numpy(), talias.numpy(), rtol=1e-14)
    assert x._version == tx._version == 1


def test_manual_sgd_loop_trains_as_torch(rng):
    X, Y = rng.standard_normal((32, 3)), rng.standard_normal((32, 1))
    w0, b0 = rng.standard_normal((3, 1)), np.zeros(1)
    (w, tw), (b, tb) = pair(w0, True), pair(b0, True)
    xs, ys = (mg.tensor(X), torch.tensor(X)), (mg.tensor(Y), torch.tensor(Y))
    for _ in range(20):
        for lib, (p, q), xv, yv in ((mg, (w, b), xs[0], ys[0]), (torch, (tw, tb), xs[1], ys[1])):
            loss = ((xv @ p + q - yv) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                p -= 0.1 * p.grad
                q -= 0.1 * q.grad
            p.grad = None
            q.grad = None
    assert_close(w, tw, 1e-12, 1e-12)
    assert_close(b, tb, 1e-12, 1e-12)
    assert not np.allclose(w.detach().numpy(), w0)      # it trained


# ---- version counters and the saved-tensor check ------------------------------------------
def test_modified_saved_output_raises_torchs_error(rng):
    a, ta = pair(rng.standard_normal(3), True)
    b, tb = a.exp(), ta.exp()
    c, tc = b * b, tb * tb
    with mg.no_grad():
        b.mul_(0)
    with torch.no_grad():
        tb.mul_(0)
    msg, tmsg = both_raise(lambda: c.sum().backward(), lambda: tc.sum().backward(),
                           match="modified by an inplace operation")
    assert "output 0 of ExpBackward" in msg
    assert "is at version 1; expected version 0 instead" in msg
    assert "is at version 1; expected version 0 instead" in tmsg


def test_write_through_a_view_or_detach_bumps_the_shared_version(rng):
    a, ta = pair(rng.standard_normal((4, 3)), True)
    b, tb = a * 2, ta * 2
    c, tc = b.sum(0) * b[0], tb.sum(0) * tb[0]
    for x, tx in ((b.detach(), tb.detach()), (b[1:, :2], tb[1:, :2]), (b.t(), tb.t())):
        with mg.no_grad():
            x.zero_()
        with torch.no_grad():
            tx.zero_()
        assert b._version == tb._version and x._version == tx._version
    both_raise(lambda: c.sum().backward(), lambda: tc.sum().backward(),
               match="modified by an inplace operation")


def test_write_after_save_is_fine_when_saved_later(rng):
    a = mg.tensor(rng.standard_normal(3), requires_grad=True)
    b = a * 2
    with mg.no_grad():
        b.detach().zero_()
    c = b * b
    c.sum().backward()
    assert np.all(a.grad.numpy() == 0)


# ---- non-leaf in-place ops are recorded: gradients as torch's --------------------------------
INPLACE = [
    ("add_", lambda x, o: x.add_(o)),
    ("add_ alpha", lambda x, o: x.add_(o, alpha=-0.5)),
    ("sub_", lambda x, o: x.sub_(o)),
    ("mul_", lambda x, o: x.mul_(o)),
    ("div_", lambda x, o: x.div_(o)),
    ("pow_", lambda x, o: x.abs_().pow_(o)),
    ("+= -=", lambda x, o: x.__iadd__(o).__isub__(o * o)),
    ("clamp_ tensors", lambda x, o: x.clamp_(o - 1, o)),
    ("masked_fill_", lambda x, o: x.masked_fill_(o > 0.5, 2.0)),
    ("copy_", lambda x, o: x.copy_(o)),
    ("fill_ 0-d", lambda x, o: x.fill_(o.sum())),
    ("zero_", lambda x, o: x.zero_().add_(o)),
    ("setitem", lambda x, o: x.__setitem__((slice(None), 1), o[:, 0])),
    ("setitem index", lambda x, o: x.__setitem__(([0, 2],), o[:2])),
]
UNARY = ["exp_", "log_", "sqrt_", "abs_", "tanh_", "sigmoid_", "relu_", "sin_", "cos_", "neg_"]


def _check_inplace_grad(rng, fn, double=False):
    a0, o0 = rng.random((3, 4)) + 0.5, rng.random((3, 4)) + 0.5
    (a, ta), (o, to) = pair(a0, True), pair(o0, True)
    x, tx = a * 1.5, ta * 1.5
    kept, tkept = x + 1, tx + 1         # made before the write: keeps the old history
    r, tr = fn(x, o), fn(tx, to)
    if r is not None:
        assert r is x and tr is tx
    assert_close(x, tx, 1e-12, 1e-12)
    w = rng.standard_normal((3, 4))
    loss = (x * mg.tensor(w)).sum() + (kept * kept).sum()
    tloss = (tx * torch.tensor(w)).sum() + (tkept * tkept).sum()
    g = mg.grad(loss, [a, o], create_graph=double, allow_unused=True)
    tg = torch.autograd.grad(tloss, [ta, to], create_graph=double, allow_unused=True)
    for u, v in zip(g, tg):
        if v is None:
            assert u is None or np.all(u.numpy() == 0)
        else:
            assert_close(u, v, 1e-10, 1e-12)
    if double:
        s = sum((u * u).sum() for u in g if u is not None)
        ts = sum((v * v).sum() for v in tg if v is not None)
        gg = mg.grad(s, [a, o], allow_unused=True)
        tgg = torch.autograd.grad(ts, [ta, to], allow_unused=True)
        for u, v in zip(gg, tgg):
            if v is not None:
                assert_close(u, v, 1e-10, 1e-12)


@pytest.mark.parametrize("name,fn", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_on_non_leaf_is_recorded(rng, name, fn):
    _check_inplace_grad(rng, fn, double=name in ("mul_", "div_", "setitem", "copy_"))


@pytest.mark.parametrize("name", UNARY)
def test_unary_inplace_on_non_leaf(rng, name):
    _check_inplace_grad(rng, lambda x, o: getattr(x, name)(), double=True)


VIEW_WRITES = [
    ("column mul_", lambda x, o: x[:, 1].mul_(o[:, 0])),
    ("row setitem", lambda x, o: x[1].__setitem__(slice(None), o[0])),
    ("transposed slice add_", lambda x, o: x.t()[1:, :2].add_(o[:3, :2])),
    ("reshape view exp_", lambda x, o: x.reshape(12)[3:7].exp_()),
    ("setitem via view", lambda x, o: x[:2].__setitem__((0, 1), o[1, 1])),
    ("two writes", lambda x, o: (x[:, 0].mul_(o[:, 0]), x[0].add_(o[0]))[0]),
]


@pytest.mark.parametrize("name,fn", VIEW_WRITES, ids=[n for n, _ in VIEW_WRITES])
def test_inplace_through_a_view_gives_torchs_gradients(rng, name, fn):
    def whole(x, o):
        fn(x, o)
    _check_inplace_grad(rng, whole, double=True)


def test_a_view_taken_before_the_write_sees_the_new_history(rng):
    a, ta = pair(rng.standard_normal((3, 4)), True)
    b, tb = a * 2, ta * 2
    col, tcol = b[:, 0], tb[:, 0]
    row, trow = b[0], tb[0]                   # overlaps the column at [0, 0]
    col.mul_(3)
    tcol.mul_(3)
    (row * row).sum().backward()
    (trow * trow).sum().backward()
    assert_close(a.grad, ta.grad, 1e-12, 1e-12)


def test_leaf_and_view_of_leaf_raise_like_torch(rng):
    x, tx = pair(rng.standard_normal(3), True)
    both_raise(lambda: x.add_(1), lambda: tx.add_(1), match="leaf Variable")
    both_raise(lambda: x.__setitem__(0, 1.0), lambda: tx.__setitem__(0, 1.0), match="leaf")
    both_raise(lambda: x[1:].mul_(2), lambda: tx[1:].mul_(2), match="view of a leaf")
    with mg.no_grad():                        # allowed under no_grad, as in torch
        x.mul_(2)[0] = 5.0
    with torch.no_grad():
        tx.mul_(2)[0] = 5.0
    assert_close(x, tx, 0, 0)


def test_leaf_without_grad_gets_history_from_the_written_value(rng):
    w, tw = pair(rng.standard_normal(3), True)
    x, tx = mg.zeros(3, 4, dtype=mg.float64), torch.zeros(3, 4, dtype=torch.float64)
    x[:, 0] = w
    tx[:, 0] = tw
    x[:, 1:3].copy_(w.unsqueeze(1) * 2)
    tx[:, 1:3].copy_(tw.unsqueeze(1) * 2)
    assert x.requires_grad and not x.is_leaf and tx.requires_grad
    (x * x).sum().backward()
    (tx * tx).sum().backward()
    assert_close(w.grad, tw.grad, 1e-12, 1e-12)


def test_nodes_built_before_the_write_keep_their_edges(rng):
    a, ta = pair(rng.standard_normal(3), True)
    b, tb = a * 2, ta * 2
    c, tc = b + 1, tb + 1
    b.mul_(3)
    tb.mul_(3)
    (c.sum() + b.sum()).backward()
    (tc.sum() + tb.sum()).backward()
    assert_close(a.grad, ta.grad, 0, 0)


# ---- errors ---------------------------------------------------------------------------------
def test_result_type_must_fit_the_tensor():
    i, ti = mg.tensor([1, 2]), torch.tensor([1, 2])
    msg, _ = both_raise(lambda: i.add_(0.5), lambda: ti.add_(0.5), match="can't be cast")
    assert "Long" in msg
    both_raise(lambda: i.exp_(), lambda: ti.exp_(), match="can't be cast")
    f, tf = mg.ones(2), torch.ones(2, dtype=torch.float32)
    f += mg.tensor([0.25, 0.5], dtype=mg.float64)        # float64 -> float32 is allowed
    tf += torch.tensor([0.25, 0.5], dtype=torch.float64)
    assert f.dtype == mg.float32 and np.array_equal(f.numpy(), tf.numpy())


def test_shape_and_overlap_errors():
    x, tx = mg.ones(3), torch.ones(3)
    both_raise(lambda: x.add_(mg.ones(2, 3)), lambda: tx.add_(torch.ones(2, 3)),
               match="doesn't match the broadcast shape")
    e, te = mg.ones(3).expand(2, 3), torch.ones(3).expand(2, 3)
    both_raise(lambda: e.add_(1), lambda: te.add_(1), match="single memory location")
    with pytest.raises(TypeError, match="copy_"):
        x.copy_([1.0, 2.0, 3.0])


def test_version_counts_match_torch():
    x, tx = mg.zeros(4), torch.zeros(4)
    v, tv = x[1:3], tx[1:3]
    for f in (lambda t: t.add_(1), lambda t: t.__setitem__(0, 2.0), lambda t: t.zero_(),
              lambda t: t.__imul__(2), lambda t: t.copy_(t * 0 + 1)):
        f(x)
        f(tx)
        f(v)
        f(tv)
        assert (x._version, v._version) == (tx._version, tv._version)
    np.testing.assert_array_equal(x.numpy(), tx.numpy())


def test_the_output_of_an_inplace_op_is_the_tensor_itself(rng):
    """exp_ saves its result, which is x: a later write into x is caught, as in torch."""
    a, ta = pair(rng.standard_normal(3), True)
    x, tx = a * 2, ta * 2
    x.exp_()
    tx.exp_()
    x.add_(1)
    tx.add_(1)
    both_raise(lambda: x.sum().backward(), lambda: tx.sum().backward(),
               match="output 0 of ExpBackward")


def test_a_view_made_under_no_grad_refuses_a_recorded_write():
    w, tw = pair(np.ones(2), True)
    x, tx = mg.zeros(3, dtype=mg.float64), torch.zeros(3, dtype=torch.float64)
    with mg.no_grad():
        v = x[:2]
    with torch.no_grad():
        tv = tx[:2]
    both_raise(lambda: v.copy_(w), lambda: tv.copy_(tw), match="created in no_grad mode")
    v.add_(1)                   # nothing to record: allowed, as in torch
    tv.add_(1)
    assert_close(x, tx, 0, 0)


@pytest.mark.parametrize("name", ["relu", "silu"])
def test_functional_inplace_activations_write_into_the_input(rng, name):
    def run(lib, F):
        a = lib.tensor(rng_state.standard_normal((3, 4)), requires_grad=True)
        x = a * 2
        y = getattr(F, name)(x, inplace=True)
        (y * y).sum().backward()
        return x, y, a.grad

    rng_state = np.random.default_rng(7)
    x, y, g = run(mg, mg.nn.functional)
    rng_state = np.random.default_rng(7)
    tx, ty, tg = run(torch, torch.nn.functional)
    assert y is x and ty is tx
    assert_close(x, tx, 1e-12, 1e-12)
    assert_close(g, tg, 1e-12, 1e-12)


def test_inplace_modules_and_dropout(rng):
    a = mg.tensor(rng.standard_normal((50, 40)) + 3.0, requires_grad=True)
    x = a * 1.0
    before = x.detach().numpy().copy()
    y = mg.nn.Dropout(0.25, inplace=True)(x)
    assert y is x
    kept = y.detach().numpy() != 0
    assert 0.6 < kept.mean() < 0.9
    np.testing.assert_allclose(y.detach().numpy()[kept], before[kept] / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), kept / 0.75, rtol=1e-6)
    z = mg.tensor([-1.0, 2.0])
    assert mg.nn.ReLU(inplace=True)(z) is z and z.tolist() == [0.0, 2.0]


def test_fmod_and_matmul_assignment_as_torch(rng):
    a = rng.standard_normal((3, 3)) * 5
    x, tx = mg.tensor(a), torch.tensor(a)
    assert x.fmod_(2.5) is x
    tx.fmod_(2.5)
    assert_close(x, tx, 0, 0)
    y, ty = x, tx
    y @= mg.tensor(a)            # torch has no in-place matmul: @= makes a new tensor
    ty @= torch.tensor(a)
    assert y is not x and ty is not tx
    assert_close(y, ty, 1e-12, 1e-12)


def test_writes_through_views_leave_no_reference_cycle():
    import gc
    import weakref
    gc.disable()
    try:
        a = mg.randn(3, 4, requires_grad=True)
        b = a * 2
        b[:, 0].mul_(3)
        b.t()[1] = mg.ones(3)
        node = weakref.ref(b.grad_fn)
        assert type(node()).__name__ == "CopySlices"
        del b
        assert node() is None           # freed by reference counting alone
    finally:
        gc.enable()
