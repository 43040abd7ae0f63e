"""vjp, jacrev, jvp, jacfwd, hessian and linearize inside vmap (per-sample Jacobians and
products) against torch.func in float64: in_dims/out_dims, pytrees, argnums, has_aux, nested
vmap, a Module's parameters through functional_call, a function closing over a batched
tensor, vmap over a vjp_fn, and an outer grad through it all."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.func as tf

import minigrad as mg
import minigrad.func as mf
from func_check import assert_tree_close

r = np.random.default_rng()


def rn(*shape):
    return r.standard_normal(shape)


def run(build, arrays, in_dims=0, out_dims=0, **kw):
    """vmap(build(L, F), in_dims, out_dims) on the same numbers in minigrad (L=mg, F=mg.func)
    and torch (L=torch, F=torch.func); the minigrad result is checked against torch's."""
    args_m = [mg.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
    args_t = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in arrays]
    got = mf.vmap(build(mg, mf), in_dims, out_dims, **kw)(*args_m)
    want = tf.vmap(build(torch, tf), in_dims, out_dims, **kw)(*args_t)
    assert_tree_close(got, want)
    return got


def f_vec(L):                      # R^3 -> R^2 x 3, every output depends on every input
    return lambda x: L.stack([L.sin(x) * x.sum(), L.tanh(x * x[0])])


def f_scalar(L):
    return lambda x: (L.exp(x * 0.3) * L.sin(x)).sum() + (x[0] * x[1]) ** 2


# ---- the Jacobians per sample -------------------------------------------------------------
@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("batch", [1, 5])
def test_per_sample_jacobian(name, batch):
    x = rn(batch, 3)
    got = run(lambda L, F: getattr(F, name)(f_vec(L)), [x])
    assert tuple(got.shape) == (batch, 2, 3, 3)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_per_sample_jacobian_in_dims_out_dims(name):
    x = rn(3, 4)                    # the batch at dim 1
    run(lambda L, F: getattr(F, name)(f_vec(L)), [x], in_dims=1, out_dims=2)
    run(lambda L, F: getattr(F, name)(f_vec(L)), [x], in_dims=1, out_dims=-1)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_jacobian_argnums_pytrees_and_aux(name):
    a, b, w = rn(4, 3), rn(4, 2), rn(3, 2)

    def build(L, F):
        def f(p, w):
            y = L.tanh(p["a"] @ w) * p["b"]
            return {"y": y, "s": (y * p["a"][:2]).sum()}, {"aux": y.sum() * 2}
        return F.__dict__[name](f, argnums=(0, 1), has_aux=True)
    jac, aux = run(lambda L, F: (lambda a, b, w: build(L, F)({"a": a, "b": b}, w)),
                   [a, b, w], in_dims=(0, 0, None))
    assert tuple(jac["y"][0]["a"].shape) == (4, 2, 3)
    assert tuple(jac["s"][1].shape) == (4, 3, 2)
    assert tuple(aux["aux"].shape) == (4,)


@pytest.mark.parametrize("batch", [1, 4])
def test_per_sample_hessian(batch):
    x = rn(batch, 3)
    got = run(lambda L, F: F.hessian(f_scalar(L)), [x])
    assert tuple(got.shape) == (batch, 3, 3)
    # argnums tuple, a parameter shared by every sample
    w = rn(3)
    run(lambda L, F: F.hessian(lambda x, w: (L.sin(x * w) * w).sum(), argnums=(0, 1)),
        [x, w], in_dims=(0, None))


@pytest.mark.parametrize("name", ["jacrev", "jacfwd", "hessian"])
def test_nested_vmap(name):
    x = rn(2, 3, 3)
    f = f_scalar if name == "hessian" else f_vec
    got = run(lambda L, F: F.vmap(getattr(F, name)(f(L))), [x])
    assert got.shape[:2] == (2, 3)
    # the inner vmap maps dim 1, a parameter is shared by the inner vmap only
    w = rn(2, 3)
    run(lambda L, F: F.vmap(getattr(F, name)(lambda x, w: f(L)(x * w)), in_dims=(1, None)),
        [x, w], in_dims=(0, 0))


# ---- vjp / jvp / linearize called inside the vmapped function -----------------------------
def test_vjp_inside_vmap():
    x, c, c1 = rn(5, 3), rn(5, 2, 3), rn(2, 3)

    def build(L, F):
        def fn(x, c):
            out, vjp_fn = F.vjp(f_vec(L), x)
            return out, vjp_fn(c)[0], vjp_fn(c * 2)
        return fn
    run(build, [x, c])
    run(build, [x, c1], in_dims=(0, None))              # one cotangent for every sample

    def with_aux(L, F):
        def fn(x, w):
            out, vjp_fn, aux = F.vjp(lambda x, w: (f_vec(L)(x * w), (x * w).sum()), x, w,
                                     has_aux=True)
            return vjp_fn(L.ones_like(out)), aux
        return fn
    run(with_aux, [x, rn(3)], in_dims=(0, None))


def test_jvp_inside_vmap():
    x, t, t1 = rn(5, 3), rn(5, 3), rn(3)

    def build(L, F):
        return lambda x, t: F.jvp(f_vec(L), (x,), (t,))
    run(build, [x, t])
    run(build, [x, t1], in_dims=(0, None))              # one tangent for every sample
    run(build, [x[0], t], in_dims=(None, 0))            # one primal, many tangents

    def with_aux(L, F):
        return lambda x, t: F.jvp(lambda x: (L.sin(x) * 2, {"a": x.sum()}), (x,), (t,),
                                  has_aux=True)
    run(with_aux, [x, t])


def test_linearize_inside_vmap():
    # torch.func.linearize does not run inside vmap (no batching rule for _make_dual): the
    # expected values are torch's linearize on each sample
    x, t = rn(4, 3), rn(4, 3)
    got = mf.vmap(lambda x, t: mf.linearize(f_vec(mg), x)[1](t))(mg.tensor(x), mg.tensor(t))
    want = torch.stack([tf.linearize(f_vec(torch), torch.tensor(x[i]))[1](torch.tensor(t[i]))
                        for i in range(4)])
    assert_tree_close(got, want)
    # linearize outside, its jvp_fn vmapped over tangents (torch supports this one)
    _, jm = mf.linearize(f_vec(mg), mg.tensor(x[0]))
    _, jt = tf.linearize(f_vec(torch), torch.tensor(x[0]))
    assert_tree_close(mf.vmap(jm)(mg.tensor(t)), tf.vmap(jt)(torch.tensor(t)))


def test_vmap_over_vjp_fn():
    # torch's recipe for a Jacobian: vjp once, vmap vjp_fn over the basis (or any cotangents)
    x, cs = rn(3), rn(6, 2, 3)
    _, fm = mf.vjp(f_vec(mg), mg.tensor(x))
    _, ft = tf.vjp(f_vec(torch), torch.tensor(x))
    assert_tree_close(mf.vmap(fm)(mg.tensor(cs)), tf.vmap(ft)(torch.tensor(cs)))
    c2 = rn(2, 2, 4, 3)                                  # two vmaps, the inner one on dim 1
    assert_tree_close(mf.vmap(mf.vmap(fm, in_dims=1))(mg.tensor(c2)),
                      tf.vmap(tf.vmap(ft, in_dims=1))(torch.tensor(c2)))
    # vjp inside one vmap, its vjp_fn inside a second, inner one: per (sample, cotangent)
    xs, cs = rn(4, 3), rn(4, 5, 2, 3)
    run(lambda L, F: (lambda x, c: F.vmap(F.vjp(f_vec(L), x)[1])(c)[0]), [xs, cs])


# ---- parameters and data: in_dims=(None, 0) ------------------------------------------------
class MLP:
    """The same 2-layer MLP in both libraries, torch's initial weights copied to minigrad."""

    def __init__(self):
        self.t = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(),
                                     torch.nn.Linear(5, 2)).double()
        self.m = mg.nn.Sequential(mg.nn.Linear(3, 5), mg.nn.Tanh(), mg.nn.Linear(5, 2))
        self.params = {k: v.detach().numpy().copy() for k, v in self.t.named_parameters()}

    def build(self, how):
        def b(L, F):
            module = self.m if L is mg else self.t
            return F.__dict__[how](lambda p, x: F.functional_call(module, p, (x,)))
        return b


@pytest.mark.parametrize("how", ["jacrev", "jacfwd"])
def test_per_sample_jacobians_of_an_mlp_wrt_parameters(how):
    mlp, x = MLP(), rn(6, 3)
    pm = {k: mg.tensor(v) for k, v in mlp.params.items()}
    pt = {k: torch.tensor(v) for k, v in mlp.params.items()}
    got = mf.vmap(mlp.build(how)(mg, mf), in_dims=(None, 0))(pm, mg.tensor(x))
    want = tf.vmap(mlp.build(how)(torch, tf), in_dims=(None, 0))(pt, torch.tensor(x))
    assert_tree_close(got, want)
    assert tuple(got["0.weight"].shape) == (6, 2, 5, 3)


# ---- a transform whose inputs are not batched, its function closing over one that is -------
@pytest.mark.parametrize("name", ["jacrev", "jacfwd", "hessian", "vjp", "jvp", "linearize",
                                  "grad"])
def test_function_closing_over_a_batched_tensor(name):
    w0, xs, v = rn(3), rn(4, 3), rn(3)

    def build(L, F):
        w, vt = L.tensor(w0), L.tensor(v)

        def fn(x):
            def f(w):
                return L.sin(w * x) * w.sum()
            if name == "hessian":
                return F.hessian(lambda w: f(w).sum())(w)
            if name == "vjp":
                return F.vjp(f, w)[1](vt)[0]
            if name == "jvp":
                return F.jvp(f, (w,), (vt,))
            if name == "linearize":
                return F.linearize(f, w)[1](vt)
            if name == "grad":
                return F.grad(lambda w: f(w).sum())(w)
            return getattr(F, name)(f)(w)
        return fn
    if name == "linearize":         # torch's does not run inside vmap: its per-sample loop
        got = mf.vmap(build(mg, mf))(mg.tensor(xs))
        want = torch.stack([build(torch, tf)(torch.tensor(x)) for x in xs])
        assert_tree_close(got, want)
    else:
        run(build, [xs])


# ---- composition with reverse mode outside -------------------------------------------------
@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_outer_grad_through_per_sample_jacobians(name):
    w, xs = rn(3), rn(4, 3)

    def build(L, F):
        inner = F.vmap(getattr(F, name)(lambda w, x: L.sin(w * x) * w.sum()), in_dims=(None, 0))
        return lambda w, x: (inner(w, x) ** 2).sum()
    got = mf.grad(build(mg, mf))(mg.tensor(w), mg.tensor(xs))
    want = tf.grad(build(torch, tf))(torch.tensor(w), torch.tensor(xs))
    assert_tree_close(got, want)
    # and .backward() from outside vmap, into a leaf that requires grad
    wm = mg.tensor(w, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    build(mg, mf)(wm, mg.tensor(xs)).backward()
    build(torch, tf)(wt, torch.tensor(xs)).backward()
    assert_tree_close(wm.grad, wt.grad)


def test_per_sample_jacobian_of_the_gradient_and_chunks():
    xs = rn(5, 3)
    run(lambda L, F: F.jacrev(F.grad(f_scalar(L))), [xs])            # = hessian
    run(lambda L, F: F.jacfwd(F.jacrev(f_vec(L))), [xs])             # second derivatives
    run(lambda L, F: F.jacrev(f_vec(L)), [xs], chunk_size=2)


# ---- errors --------------------------------------------------------------------------------
def test_errors_are_torchs():
    xs = mg.tensor(rn(4, 3))
    with pytest.raises(RuntimeError, match=r"size \[3\] while the given forward gradient is "
                                           r"of size \[2\]"):
        mf.vmap(lambda x: mf.jvp(mg.sin, (x,), (mg.ones(2, dtype=mg.float64),)))(xs)
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of \(2,\) and "
                                           r"output\[0\] has a shape of \(3,\)"):
        mf.vmap(lambda x: mf.vjp(mg.sin, x)[1](mg.ones(2, dtype=mg.float64)))(xs)
    with pytest.raises(RuntimeError, match="pytree structure of cotangents"):
        mf.vmap(lambda x: mf.vjp(mg.sin, x)[1]((x, x)))(xs)
    with pytest.raises(RuntimeError, match="Expected f to be a function that has non-empty"):
        mf.vmap(lambda x: mf.jacrev(lambda x: [])(x))(xs)
    kept = []
    mf.vmap(lambda x: kept.append(mf.vjp(mg.sin, x)[1]) or x)(xs)
    with pytest.raises(RuntimeError, match="vjp_fn made inside vmap was called after"):
        kept[0](mg.ones(3, dtype=mg.float64))


def test_unbatched_result_with_out_dims_none_is_refused_not_wrong():
    # torch returns the Jacobian at a shared input unbatched; minigrad lays every transform
    # out per sample, so its result is batched and out_dims=None refuses it clearly
    x = torch.ones(3)
    want = tf.vmap(lambda s: tf.jacrev(f_vec(torch))(x), out_dims=None)(torch.ones(4))
    assert tuple(want.shape) == (2, 3, 3)
    with pytest.raises(ValueError, match="can not return a BatchedTensor when out_dim is None"):
        mf.vmap(lambda s: mf.jacrev(f_vec(mg))(mg.ones(3, dtype=mg.float64)),
                out_dims=None)(mg.ones(4))


# ---- ops whose batched path is special, and compositions ------------------------------------
@pytest.mark.parametrize("name", ["jacrev", "jacfwd", "hessian"])
@pytest.mark.parametrize("op", ["cross_entropy", "where_max_relu", "index", "loop_fallback"])
def test_ops_with_special_batching(name, op):
    # batching_fns (comparisons, where, max, cross_entropy, tensor indexing) and the loop
    # fallback of an op without a batching rule (logcumsumexp): tangents and gradients flow
    x, y = rn(4, 5), r.integers(0, 5, 4)

    def build(L, F):
        fn = torch.nn.functional if L is torch else mg.nn.functional
        f = {"cross_entropy": lambda x, y: fn.cross_entropy(x[None] * x[0], y[None]),
             "where_max_relu": lambda x, y: L.where(x > 0, x * x, L.relu(-x) * 3).sum()
             * x.max() + x.max(0).values,
             "index": lambda x, y: (x[y] * x).sum() * x,
             "loop_fallback": lambda x, y: L.logcumsumexp(x * x, 0)}[op]
        if name == "hessian":
            return lambda x, y: F.hessian(lambda x: f(x, y).sum())(x)
        how = name
        if L is torch and op == "loop_fallback":
            how = "jacrev"      # torch's forward rule for logcumsumexp is off by ~1e-9
        return lambda x, y: getattr(F, how)(lambda x: f(x, y))(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # the loop fallback's warning
        run(build, [x, y])


@pytest.mark.parametrize("outer, inner", [("jacrev", "jacrev"), ("jacfwd", "jacfwd"),
                                          ("jacrev", "jacfwd"), ("jacfwd", "jacrev")])
def test_transforms_of_transforms_inside_and_around_vmap(outer, inner):
    x, w = rn(4, 3), rn(3)

    def f(L):
        return lambda x: L.sin(x) * (x * x).sum()
    run(lambda L, F: getattr(F, outer)(getattr(F, inner)(f(L))), [x])
    # an outer Jacobian of per-sample Jacobians, w shared by the samples
    got = getattr(mf, outer)(lambda w: mf.vmap(getattr(mf, inner)(
        lambda w, x: mg.sin(w * x) * w.sum()), in_dims=(None, 0))(w, mg.tensor(x)))(
        mg.tensor(w))
    want = getattr(tf, outer)(lambda w: tf.vmap(getattr(tf, inner)(
        lambda w, x: torch.sin(w * x) * w.sum()), in_dims=(None, 0))(w, torch.tensor(x)))(
        torch.tensor(w))
    assert_tree_close(got, want)


def test_per_sample_hessian_of_an_mlp_loss_wrt_parameters():
    mlp, x, y = MLP(), rn(3, 3), rn(3, 2)
    pm = {k: mg.tensor(v) for k, v in mlp.params.items() if k.startswith("2.")}
    pt = {k: torch.tensor(v) for k, v in mlp.params.items() if k.startswith("2.")}

    def build(L, F):
        module = mlp.m if L is mg else mlp.t
        first = {k: (mg.tensor if L is mg else torch.tensor)(v) for k, v in mlp.params.items()
                 if k.startswith("0.")}

        def loss(p, x, y):
            return ((F.functional_call(module, {**first, **p}, (x,)) - y) ** 2).sum()
        return F.hessian(loss)
    got = mf.vmap(build(mg, mf), in_dims=(None, 0, 0))(pm, mg.tensor(x), mg.tensor(y))
    want = tf.vmap(build(torch, tf), in_dims=(None, 0, 0))(pt, torch.tensor(x), torch.tensor(y))
    assert_tree_close(got, want)
    assert tuple(got["2.weight"]["2.bias"].shape) == (3, 2, 5, 2)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
def test_empty_batch(name):
    got = run(lambda L, F: getattr(F, name)(lambda x: L.sin(x) * x), [rn(0, 3)])
    assert tuple(got.shape) == (0, 3, 3)


@pytest.mark.parametrize("case", ["make_dual", "unpack_dual"])
def test_dual_api_on_batched_tensors_is_refused_as_in_torch(case):
    # torch has no batching rule for _make_dual / _unpack_dual; ours must not answer either
    # (unpack_dual used to return no tangent, silently)
    import torch.autograd.forward_ad as tfw
    x = np.random.default_rng(0).standard_normal((4, 3))

    def attempt(lib, fw, vmap):
        t = lib.tensor(x)
        if case == "make_dual":
            with fw.dual_level():
                return vmap(lambda r: fw.unpack_dual(fw.make_dual(r, r).sin()).tangent)(t)
        with fw.dual_level():
            d = fw.make_dual(t, lib.ones_like(t))
            return vmap(lambda r: fw.unpack_dual(r.sin()).tangent)(d)

    with pytest.raises(RuntimeError):
        attempt(torch, tfw, torch.func.vmap)
    with pytest.raises(RuntimeError, match=f"{case}\\(\\): not supported on a tensor inside vmap"):
        attempt(mg, mg.autograd.forward_ad, mg.func.vmap)


def test_vmap_of_a_vjp_fn_runs_one_batched_backward(monkeypatch):
    # torch's way of building a Jacobian: vjp once, then vmap(vjp_fn) over the basis; the
    # rows come from one backward of the batch, not a loop over the cotangents
    rng = np.random.default_rng(4)
    x, W = rng.standard_normal(5), rng.standard_normal((6, 5))
    basis = np.eye(6)

    def f(L, t):
        return (L.tensor(W) @ t).tanh().softmax(-1)
    _, theirs_fn = tf.vjp(lambda t: f(torch, t), torch.tensor(x))
    want = tf.vmap(theirs_fn)(torch.tensor(basis))[0]
    import minigrad.func.batching as batching
    monkeypatch.setattr(batching, "loop", lambda *a, **k: pytest.fail("looped over samples"))
    _, ours_fn = mf.vjp(lambda t: f(mg, t), mg.tensor(x))
    got = mf.vmap(ours_fn)(mg.tensor(basis))[0]
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-14)
    assert not got.requires_grad
