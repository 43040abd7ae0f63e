"""minigrad.func's reverse-mode transforms (grad, grad_and_value, vjp, jacrev) against torch.func
in float64: values, argnums, has_aux, pytrees, compositions and torch's errors."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.func as tf

import minigrad as mg
import minigrad.func as mf
from func_check import (assert_tree_close, cross_entropy, elementwise, matmul_tanh, pair,
                        softmax_vec, to_torch)


@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_grad_elementwise(shape):
    x, tx = pair(*shape)
    g = mf.grad(elementwise(mg))(x)
    assert_tree_close(g, tf.grad(elementwise(torch))(tx))
    assert not g.requires_grad and g.grad_fn is None     # a plain tensor, as torch's


@pytest.mark.parametrize("argnums", [0, 1, -1, (0, 1), (1, 0)])
def test_grad_argnums_matmul(argnums):
    (x, tx), (w, tw) = pair(4, 3), pair(3, 2)
    got = mf.grad(matmul_tanh(mg), argnums=argnums)(x, w)
    assert_tree_close(got, tf.grad(matmul_tanh(torch), argnums=argnums)(tx, tw))


def test_grad_and_value_with_aux():
    (x, tx), (w, tw) = pair(4, 3), pair(3, 2)

    def f(L):
        def fn(x, w):
            y = L.tanh(x @ w)
            return y.sum(), {"y": y, "norm": (y * y).sum()}
        return fn
    got = mf.grad_and_value(f(mg), argnums=(0, 1), has_aux=True)(x, w)
    want = tf.grad_and_value(f(torch), argnums=(0, 1), has_aux=True)(tx, tw)
    assert_tree_close(got, want)
    g, aux = mf.grad(f(mg), has_aux=True)(x, w)
    assert_tree_close((g, aux), tf.grad(f(torch), has_aux=True)(tx, tw))
    assert not aux["y"].requires_grad


def test_grad_cross_entropy():
    logits, tl = pair(6, 5)
    target = np.random.default_rng().integers(0, 5, 6)
    got = mf.grad(cross_entropy(mg))(logits, mg.tensor(target))
    assert_tree_close(got, tf.grad(cross_entropy(torch))(tl, torch.tensor(target)))


def test_grad_pytree_input_and_kwargs():
    (a, ta), (b, tb), (c, tc) = pair(3), pair(3), pair(2)

    def f(L):
        def fn(p, scale=1.0):
            return (L.sin(p["a"]) * p["b"]).sum() * scale + (p["c"][0] ** 2).sum()
        return fn
    got = mf.grad(f(mg))({"a": a, "b": b, "c": [c]}, scale=2.0)
    assert_tree_close(got, tf.grad(f(torch))({"a": ta, "b": tb, "c": [tc]}, scale=2.0))


def test_grad_unused_input_and_constant_output():
    (x, tx), (y, ty) = pair(3), pair(3)
    got = mf.grad(lambda x, y: (x * 2).sum(), argnums=(0, 1))(x, y)
    assert_tree_close(got, tf.grad(lambda x, y: (x * 2).sum(), argnums=(0, 1))(tx, ty))
    got = mf.grad(lambda x: mg.tensor(1.0, dtype=mg.float64))(x)
    assert_tree_close(got, tf.grad(lambda x: torch.tensor(1.0))(tx))


def test_grad_of_grad_and_closure():
    x, tx = pair(4)
    f = elementwise
    got = mf.grad(lambda x: mf.grad(f(mg))(x).sin().sum())(x)
    assert_tree_close(got, tf.grad(lambda x: tf.grad(f(torch))(x).sin().sum())(tx))
    # the inner function closes over the outer variable: d/dx [d/dy (x*y^2)]_{y=x} = 2x
    got = mf.grad(lambda x: mf.grad(lambda y: (x * y * y).sum())(x).sum())(x)
    want = tf.grad(lambda x: tf.grad(lambda y: (x * y * y).sum())(x).sum())(tx)
    assert_tree_close(got, want)


def test_grad_composes_with_regular_autograd():
    (x, tx), (w, tw) = pair(3), pair(3)
    w.requires_grad_()
    tw.requires_grad_()
    g = mf.grad(lambda x: (x * x * w).sum())(x)
    tg = tf.grad(lambda x: (x * x * tw).sum())(tx)
    assert g.requires_grad and tg.requires_grad
    (g * g).sum().backward()
    (tg * tg).sum().backward()
    assert_tree_close(w.grad, tw.grad)
    with mg.no_grad():                       # grad ignores an outer no_grad, as torch's
        g2 = mf.grad(lambda x: (x * x * w).sum())(x)
    assert_tree_close(g2, tg)
    assert not g2.requires_grad


def test_vjp_values_pytrees_and_reuse():
    (x, tx), (y, ty) = pair(3, 2), pair(2)
    P = namedtuple("P", ["a", "b"])

    def f(L):
        return lambda p, y: {"s": L.softmax(p.a @ y, -1), "t": (p.b * y, L.exp(y))}
    out, fn = mf.vjp(f(mg), P(x, y), y)
    tout, tfn = tf.vjp(f(torch), P(tx, ty), ty)
    assert_tree_close(out, tout)
    for _ in range(2):                      # vjp_fn may be called again
        ct = {"s": pair(3)[0], "t": (pair(2)[0], pair(2)[0])}
        assert_tree_close(fn(ct), tfn(to_torch(ct)))
    out, fn, aux = mf.vjp(lambda x: (x.sin(), x.cos()), x, has_aux=True)
    tout, tfn, taux = tf.vjp(lambda x: (x.sin(), x.cos()), tx, has_aux=True)
    ct = pair(3, 2)
    assert_tree_close((out, aux, fn(ct[0])), (tout, taux, tfn(ct[1])))


def test_vjp_of_softmax_and_inside_grad():
    x, tx = pair(4, 5)
    ct, tct = pair(4, 5)
    out, fn = mf.vjp(softmax_vec(mg), x)
    tout, tfn = tf.vjp(softmax_vec(torch), tx)
    assert_tree_close((out, fn(ct)), (tout, tfn(tct)))

    def outer(L, func):
        def h(x):
            _, fn = func.vjp(softmax_vec(L), x)
            return (fn(x * x)[0] ** 2).sum()
        return h
    assert_tree_close(mf.grad(outer(mg, mf))(x), tf.grad(outer(torch, tf))(tx))


@pytest.mark.parametrize("argnums", [0, (0, 1)])
def test_jacrev(argnums):
    (x, tx), (w, tw) = pair(3, 4), pair(4, 2)

    def f(L):
        return lambda x, w: (L.softmax(x @ w, -1), (x * x).sum(0))
    got = mf.jacrev(f(mg), argnums=argnums)(x, w)
    assert_tree_close(got, tf.jacrev(f(torch), argnums=argnums)(tx, tw))


def test_jacrev_has_aux_chunk_size_and_dict_input():
    (a, ta), (b, tb) = pair(3), pair(2)

    def f(L):
        return lambda p: (L.tanh(p["a"]).sum() * p["b"], p["a"].mean())
    got = mf.jacrev(f(mg), has_aux=True, chunk_size=2)({"a": a, "b": b})
    assert_tree_close(got, tf.jacrev(f(torch), has_aux=True, chunk_size=2)({"a": ta, "b": tb}))


def test_jacrev_of_jacrev_and_hessian_of_a_loss():
    x, tx = pair(4)
    got = mf.jacrev(mf.jacrev(elementwise(mg)))(x)
    assert_tree_close(got, tf.jacrev(tf.jacrev(elementwise(torch)))(tx))
    (X, tX), (w, tw) = pair(6, 4), pair(4)
    target = np.random.default_rng().integers(0, 2, 6).astype(np.float64)

    def loss(L, X, y):
        F = L.nn.functional
        return lambda w: F.binary_cross_entropy_with_logits(X @ w, y)
    got = mf.jacrev(mf.grad(loss(mg, X, mg.tensor(target))))(w)
    assert_tree_close(got, tf.hessian(loss(torch, tX, torch.tensor(target)))(tw))


def test_grad_errors_match_torch():
    x, tx = pair(3)
    cases = [
        (lambda g: g.grad(lambda x: x * 2), (x,)),                      # not a scalar
        (lambda g: g.grad(lambda x: (x * 2).sum().reshape(1)), (x,)),   # 1 element, 1 dim
        (lambda g: g.grad(lambda x: x.sum(), argnums=1), (x,)),
        (lambda g: g.grad(lambda x: x.sum(), argnums=1.0), (x,)),
        (lambda g: g.grad(lambda x: x.sum(), argnums=[0]), (x,)),
        (lambda g: g.grad(lambda x: x.sum(), argnums=()), (x,)),
        (lambda g: g.grad(lambda x: x.sum(), argnums=(0, 0)), (x,)),
        (lambda g: g.grad(lambda x: x.sum()), (3.0,)),
        (lambda g: g.grad(lambda x: 3.0), (x,)),
        (lambda g: g.grad(lambda x: x.sum(), has_aux=True), (x,)),
        (lambda g: g.grad(lambda x: (x.sum(), 1, 2), has_aux=True), (x,)),
        (lambda g: g.grad(lambda x: (x.sum(), 3), has_aux=True), (x,)),
        (lambda g: g.vjp, None),
    ]
    for make, args in cases[:-1]:
        targs = tuple(tx if a is x else a for a in args)
        with pytest.raises(Exception) as want:
            make(tf)(*targs)
        with pytest.raises(want.type):
            make(mf)(*args)
    with pytest.raises(RuntimeError):
        tf.grad(lambda x: x.sum())(torch.arange(3))
    with pytest.raises(RuntimeError, match="floating point"):
        mf.grad(lambda x: x.sum())(mg.arange(3))


def test_vjp_and_jacrev_errors_match_torch():
    x, tx = pair(3)
    calls = [
        lambda F, x: F.vjp(lambda x: x, x, has_aux=True),
        lambda F, x: F.vjp(lambda x: x.long(), x),
        lambda F, x: F.vjp(lambda x: None, x),
        lambda F, x: F.vjp(lambda x: [x, 1], x),
        lambda F, x: F.vjp(lambda x: (x, x * 2), x)[1](x),                 # structure
        lambda F, x: F.vjp(lambda x: (x, x * 2), x)[1]((x, x[:2])),        # shape
        lambda F, x: F.vjp(lambda x: x * 2, x)[1](None),
        lambda F, x: F.jacrev(lambda x: x, chunk_size=0),
        lambda F, x: F.jacrev(lambda x: x, argnums=2)(x),
    ]
    for call in calls:
        with pytest.raises(Exception) as want:
            call(tf, tx)
        with pytest.raises(want.type):
            call(mf, x)


def test_grad_leaves_inputs_alone():
    x, _ = pair(3)
    w, _ = pair(3)
    w.requires_grad_()
    mf.grad(lambda x: (x * w).sum())(x)
    assert x.grad is None and not x.requires_grad and w.grad is None


def test_argnums_bool_is_an_int_as_in_torch():
    (x, tx), (y, ty) = pair(3), pair(3)
    got = mf.grad(lambda a, b: (a * b.sin()).sum(), argnums=True)(x, y)
    assert_tree_close(got, tf.grad(lambda a, b: (a * b.sin()).sum(), argnums=True)(tx, ty))


def test_vjp_fn_retain_graph_and_create_graph():
    x, tx = pair(3)
    c, tc = pair(3)
    _, fn = mf.vjp(lambda x: x.sin() * x, x)
    _, tfn = tf.vjp(lambda x: x.sin() * x, tx)
    assert_tree_close(fn(c, create_graph=True), tfn(tc, create_graph=True))
    assert_tree_close(fn(c, retain_graph=False), tfn(tc, retain_graph=False))
    with pytest.raises(RuntimeError):
        tfn(tc)
    with pytest.raises(RuntimeError, match="second time"):
        fn(c)


@pytest.mark.parametrize("chunk_size", [None, 1, 3, 100])
def test_jacrev_chunk_size_gives_the_same_jacobian_as_torch(chunk_size):
    rng = np.random.default_rng(5)
    W, x = rng.standard_normal((7, 4)), rng.standard_normal(4)
    want = tf.jacrev(lambda t: (torch.tensor(W) @ t).sin(), chunk_size=chunk_size)(
        torch.tensor(x))
    got = mf.jacrev(lambda t: (mg.tensor(W) @ t).sin(), chunk_size=chunk_size)(mg.tensor(x))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-14)
    assert not got.requires_grad
