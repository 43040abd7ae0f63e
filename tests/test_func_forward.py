"""minigrad.func's forward-mode transforms (jvp, jacfwd, hessian, linearize) against torch.func
in float64, their compositions with the reverse-mode ones, and torch's errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.func as tf

import minigrad as mg
import minigrad.func as mf
from func_check import (assert_tree_close, elementwise, matmul_tanh, pair, softmax_vec,
                        to_torch)


def two_args(L):
    """f(x, w) of two tensors with ops that all have forward rules: broadcasting, indexing."""
    return lambda x, w: ((x * w[0]).sin() * L.exp(w[1:].sum(0)), (x * x).sum(0))


def test_jvp_elementwise_and_two_args():
    (x, tx), (v, tv) = pair(3, 4), pair(3, 4)
    (w, tw), (u, tu) = pair(2, 4), pair(2, 4)
    assert_tree_close(mf.jvp(elementwise(mg), (x,), (v,)),
                      tf.jvp(elementwise(torch), (tx,), (tv,)))
    got = mf.jvp(two_args(mg), (x, w), (v, u))
    assert_tree_close(got, tf.jvp(two_args(torch), (tx, tw), (tv, tu)))
    assert not got[1][0].requires_grad


def test_jvp_matmul_softmax():
    (x, tx), (v, tv) = pair(3, 4), pair(3, 4)
    (w, tw), (u, tu) = pair(4, 2), pair(4, 2)
    assert_tree_close(mf.jvp(softmax_vec(mg), (x,), (v,)),
                      tf.jvp(softmax_vec(torch), (tx,), (tv,)))
    assert_tree_close(mf.jvp(matmul_tanh(mg), (x, w), (v, u)),
                      tf.jvp(matmul_tanh(torch), (tx, tw), (tv, tu)))


def test_jvp_cross_entropy_and_attention():
    (x, tx), (v, tv) = pair(6, 5), pair(6, 5)
    t = np.random.default_rng().integers(0, 5, 6)
    got = mf.jvp(lambda z: mg.nn.functional.cross_entropy(z, mg.tensor(t)), (x,), (v,))
    want = tf.jvp(lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(t)), (tx,), (tv,))
    assert_tree_close(got, want)
    q, k, val = (pair(2, 4, 3) for _ in range(3))
    tq, tk, tval = (pair(2, 4, 3) for _ in range(3))
    prim = (q[0], k[0], val[0])
    tans = (tq[0], tk[0], tval[0])
    got = mf.jvp(mg.nn.functional.scaled_dot_product_attention, prim, tans)
    want = tf.jvp(torch.nn.functional.scaled_dot_product_attention, to_torch(prim),
                  to_torch(tans))
    assert_tree_close(got, want)


def test_jvp_pytrees_aux_strict_and_independent_outputs():
    (a, ta), (b, tb), (va, tva), (vb, tvb) = pair(3), pair(3), pair(3), pair(3)

    def f(L):
        return lambda p: ({"s": L.sin(p["a"]) * p["b"], "c": L.ones(2)}, p["a"].sum())
    got = mf.jvp(f(mg), ({"a": a, "b": b},), ({"a": va, "b": vb},), has_aux=True)
    want = tf.jvp(f(torch), ({"a": ta, "b": tb},), ({"a": tva, "b": tvb},), has_aux=True)
    assert_tree_close(got, want)
    with pytest.raises(RuntimeError, match="independent"):
        mf.jvp(lambda x: mg.ones(3), (a,), (va,), strict=True)
    assert_tree_close(mf.jvp(lambda x: x * 2, (a,), (va,), strict=True),
                      tf.jvp(lambda x: x * 2, (ta,), (tva,), strict=True))


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0)])
def test_jacfwd_matches_torch_and_jacrev(argnums):
    (x, tx), (w, tw) = pair(3, 4), pair(2, 4)
    got = mf.jacfwd(two_args(mg), argnums=argnums)(x, w)
    assert_tree_close(got, tf.jacfwd(two_args(torch), argnums=argnums)(tx, tw))
    assert_tree_close(got, to_torch(mf.jacrev(two_args(mg), argnums=argnums)(x, w)))


def test_jacfwd_softmax_of_matmul():
    (x, tx), (w, tw) = pair(3, 4), pair(4, 2)

    def f(L):
        return lambda x, w: L.softmax(x @ w, -1)
    got = mf.jacfwd(f(mg), argnums=(0, 1))(x, w)
    assert_tree_close(got, tf.jacfwd(f(torch), argnums=(0, 1))(tx, tw))


def test_jacfwd_has_aux_and_dict_input():
    (a, ta), (b, tb) = pair(3), pair(2)

    def f(L):
        return lambda p: (L.tanh(p["a"]).sum() * p["b"], p["a"].sum() / 3)
    got = mf.jacfwd(f(mg), has_aux=True)({"a": a, "b": b})
    assert_tree_close(got, tf.jacfwd(f(torch), has_aux=True)({"a": ta, "b": tb}))


def test_jacfwd_randomness():
    x, tx = pair(4)
    with pytest.raises(RuntimeError, match="randomness"):
        tf.jacfwd(lambda x: x * torch.rand(4))(tx)
    with pytest.raises(RuntimeError, match="randomness"):
        mf.jacfwd(lambda x: x * mg.rand(4, dtype=mg.float64))(x)
    for bad in ("foo", None):
        with pytest.raises(RuntimeError):
            tf.jacfwd(lambda x: x, randomness=bad)(tx)
        with pytest.raises(RuntimeError, match="randomness"):
            mf.jacfwd(lambda x: x, randomness=bad)(x)
    # 'same': every column sees the same draw, so J is diag(r) for the one r drawn
    drawn = []

    def f(x):
        r = mg.rand(4, dtype=mg.float64)
        drawn.append(r.data.copy())
        return x * r
    jac = mf.jacfwd(f, randomness="same")(x)
    assert all(np.array_equal(d, drawn[0]) for d in drawn)
    np.testing.assert_allclose(jac.data, np.diag(drawn[0]))
    drawn.clear()
    mf.jacfwd(f, randomness="different")(x)
    assert not np.array_equal(drawn[0], drawn[1])
    # 'same' draws as one call of f does: the generator ends where f alone leaves it
    mg.manual_seed(5)
    mf.jacfwd(f, randomness="same")(x)
    after_jacfwd = mg.rand(3).data
    mg.manual_seed(5)
    f(x)
    np.testing.assert_array_equal(after_jacfwd, mg.rand(3).data)


def logistic(L, X, y):
    """The mean logistic loss of a linear model, with ops that have forward rules."""
    return lambda w: L.log(1 + L.exp(-(X * w).sum(1) * y)).sum() / X.shape[0]


def test_hessian_of_functions_and_a_loss():
    x, tx = pair(5)
    assert_tree_close(mf.hessian(elementwise(mg))(x), tf.hessian(elementwise(torch))(tx))
    (X, tX), (w, tw) = pair(8, 5), pair(5)
    sign = np.sign(np.random.default_rng().standard_normal(8))
    H = mf.hessian(logistic(mg, X, mg.tensor(sign)))(w)
    assert_tree_close(H, tf.hessian(logistic(torch, tX, torch.tensor(sign)))(tw))
    assert not H.requires_grad
    (a, ta), (b, tb) = pair(3), pair(2)
    got = mf.hessian(lambda a, b: (a.sin().sum() * b.exp()).sum(), argnums=(0, 1))(a, b)
    want = tf.hessian(lambda a, b: (a.sin().sum() * b.exp()).sum(), argnums=(0, 1))(ta, tb)
    assert_tree_close(got, want)


def test_hessian_of_cross_entropy():
    (X, tX), (w, tw) = pair(8, 5), pair(5)
    t = np.random.default_rng().integers(0, 3, 8)

    def loss(L, X, t):
        return lambda w: L.nn.functional.cross_entropy(
            (X * w).reshape(8, 5)[:, :3] * w[:3], t)
    H = mf.hessian(loss(mg, X, mg.tensor(t)))(w)
    assert_tree_close(H, tf.hessian(loss(torch, tX, torch.tensor(t)))(tw))


def test_compositions():
    (x, tx), (v, tv) = pair(4), pair(4)
    f = elementwise
    # Hessian-vector product: forward over reverse
    assert_tree_close(mf.jvp(mf.grad(f(mg)), (x,), (v,)),
                      tf.jvp(tf.grad(f(torch)), (tx,), (tv,)))
    # reverse over forward
    got = mf.grad(lambda x: mf.jvp(f(mg), (x,), (v,))[1])(x)
    assert_tree_close(got, tf.grad(lambda x: tf.jvp(f(torch), (x,), (tv,))[1])(tx))
    def g(L):
        return lambda x: L.sin(x) * L.exp(x[:2].sum(0))
    assert_tree_close(mf.jacrev(mf.jacfwd(g(mg)))(x), tf.jacrev(tf.jacfwd(g(torch)))(tx))
    x.requires_grad_()
    tx.requires_grad_()                     # hessian inside ordinary autograd: third derivative
    mf.hessian(f(mg))(x).sum().backward()
    tf.hessian(f(torch))(tx).sum().backward()
    assert_tree_close(x.grad, tx.grad)


def test_nested_forward_levels():
    """Forward over forward: jacfwd(jacfwd(f)), jvp inside jvp, and three levels deep."""
    (x, tx), (v, tv), (u, tu) = pair(4), pair(4), pair(4)

    def g(L):
        return lambda x: (L.sin(x) * L.exp(x[:2].sum(0))).softmax(0) * x.tanh()
    assert_tree_close(mf.jacfwd(mf.jacfwd(g(mg)))(x.detach()),
                      tf.jacfwd(tf.jacfwd(g(torch)))(tx.detach()))
    def inner(L, T):
        return lambda y: T.jvp(g(L), (y,), (v if L is mg else tv,))[1]
    assert_tree_close(mf.jvp(inner(mg, mf), (x.detach(),), (u,)),
                      tf.jvp(inner(torch, tf), (tx.detach(),), (tu,)))

    def h(L):
        return lambda y: (y * y.exp()).sum() ** 2
    assert_tree_close(mf.jacfwd(mf.jacfwd(mf.jacfwd(h(mg))))(x.detach()),
                      tf.jacfwd(tf.jacfwd(tf.jacfwd(h(torch))))(tx.detach()))
    assert_tree_close(mf.jacfwd(mf.hessian(h(mg)))(x.detach()),
                      tf.jacfwd(tf.hessian(h(torch)))(tx.detach()))
    # a norm: torch's forward over forward is wrong there (16 off); its reverse over reverse
    # and minigrad's forward over forward agree
    def ln(L):
        return lambda y: (L.nn.functional.layer_norm(y.reshape(2, 2), (2,)) ** 3).sum()
    assert_tree_close(mf.jacfwd(mf.jacfwd(ln(mg)))(x.detach()),
                      tf.jacrev(tf.jacrev(ln(torch)))(tx.detach()))


def test_linearize():
    (x, tx), (w, tw) = pair(3, 4), pair(2, 4)
    out, fn = mf.linearize(two_args(mg), x, w)
    tout, tfn = tf.linearize(two_args(torch), tx, tw)
    assert_tree_close(out, tout)
    for _ in range(2):
        (v, tv), (u, tu) = pair(3, 4), pair(2, 4)
        assert_tree_close(fn(v, u), tfn(tv, tu))
    for call in (lambda f, v: f(v[:2], v[:1]), lambda f, v: f(v),
                 lambda f, v: f(v.float(), v[:2])):
        with pytest.raises(RuntimeError):
            call(tfn, tv)
        with pytest.raises(RuntimeError):
            call(fn, v)


def test_jvp_errors_match_torch():
    x, tx = pair(3)
    calls = [
        lambda F, x: F.jvp(lambda x: x, [x], [x]),
        lambda F, x: F.jvp(lambda x: x, (x,), (x, x)),
        lambda F, x: F.jvp(lambda x: x, (x,), [x]),
        lambda F, x: F.jvp(lambda x: x, (x,), (x[:2],)),
        lambda F, x: F.jvp(lambda x: x, (3.0,), (1.0,)),
        lambda F, x: F.jvp(lambda: x, (), ()),
        lambda F, x: F.jvp(lambda x: x, (x,), (x,), has_aux=True),
        lambda F, x: F.jvp(lambda x: None, (x,), (x,)),
        lambda F, x: F.jvp(lambda x: (x, 1), (x,), (x,)),
    ]
    for call in calls:
        with pytest.raises(Exception) as want:
            call(tf, tx)
        with pytest.raises(want.type):
            call(mf, x)
    with pytest.raises(ValueError):
        mf.jvp(lambda x: x, (mg.arange(3),), (mg.arange(3),))


def test_transforms_ignore_an_outer_no_grad():
    x, tx = pair(4)
    with mg.no_grad():
        H = mf.hessian(elementwise(mg))(x)
        J = mf.jacfwd(lambda x: x.sin() * x)(x)
    with torch.no_grad():
        want = (tf.hessian(elementwise(torch))(tx), tf.jacfwd(lambda x: x.sin() * x)(tx))
    assert_tree_close((H, J), want)
    assert not H.requires_grad and not J.requires_grad


def test_jacfwd_of_an_mlp_through_functional_call():
    nets = []
    for L in (mg, torch):
        L.manual_seed(0)
        nets.append(L.nn.Sequential(L.nn.Linear(3, 5), L.nn.Tanh(), L.nn.Linear(5, 2)).double())
    net, tnet = nets
    net.load_state_dict(tnet.state_dict())
    params = {k: v.detach() for k, v in net.named_parameters()}
    tparams = {k: v.detach() for k, v in tnet.named_parameters()}
    x, tx = pair(4, 3)
    got = mf.jacfwd(lambda p: mf.functional_call(net, p, (x,)))(params)
    want = tf.jacfwd(lambda p: tf.functional_call(tnet, p, (tx,)))(tparams)
    assert_tree_close(got, want)


def test_one_tensor_passed_twice_or_also_closed_over():
    """Each differentiated argument is its own variable, even when the same tensor is passed
    twice or f also closes over it (torch.func wraps each argument separately)."""
    x, tx = pair(3)

    def f(L, c):
        return lambda a, b: a * L.sin(b) * c
    for name in ("jacrev", "jacfwd"):
        got = getattr(mf, name)(f(mg, x), argnums=(0, 1))(x, x)
        want = getattr(tf, name)(f(torch, tx), argnums=(0, 1))(tx, tx)
        assert_tree_close(got, want)
    got = mf.grad(lambda p: (p["a"] * p["b"].sin() * x).sum())({"a": x, "b": x})
    want = tf.grad(lambda p: (p["a"] * p["b"].sin() * tx).sum())({"a": tx, "b": tx})
    assert_tree_close(got, want)
