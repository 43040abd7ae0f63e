"""minigrad.func.vmap's interface against torch.func.vmap: in_dims/out_dims pytrees,
chunk_size, randomness, autograd inside and through vmap, and torch's errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import minigrad as mg
import minigrad.nn.functional as mF
from minigrad.func import vmap
from vmap_check import check_vmap

r = np.random.default_rng(41)


def rn(*shape):
    return r.standard_normal(shape)


# ---- pytrees, kwargs, chunks --------------------------------------------------------------
def test_nested_in_dims_and_outputs():
    def fn(L, pair, d, s):
        a, b = pair
        return {"x": a * d["w"] + s, "y": (b.sum(0), a.T)}
    arrays = [rn(3, 4), rn(2, 3), rn(4), rn(3)]

    def wrap(L, a, b, w, s):
        return fn(L, (a, b), {"w": w}, s)
    check_vmap(wrap, arrays, (0, 1, None, 0))
    # the same through real nested containers, with torch's pytree rules on both sides
    m = vmap(lambda p, d, s: fn(mg, p, d, s), in_dims=((0, 1), {"w": None}, 0),
             out_dims={"x": 1, "y": (0, -1)})
    t = torch.func.vmap(lambda p, d, s: fn(torch, p, d, s), in_dims=((0, 1), {"w": None}, 0),
                        out_dims={"x": 1, "y": (0, -1)})
    mo = m((mg.tensor(arrays[0]), mg.tensor(arrays[1])), {"w": mg.tensor(arrays[2])},
           mg.tensor(arrays[3]))
    to = t((torch.tensor(arrays[0]), torch.tensor(arrays[1])), {"w": torch.tensor(arrays[2])},
           torch.tensor(arrays[3]))
    for a, b in [(mo["x"], to["x"]), (mo["y"][0], to["y"][0]), (mo["y"][1], to["y"][1])]:
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)


def test_kwargs_are_not_mapped_and_non_tensor_outputs():
    x = mg.tensor(rn(3, 4))
    out = vmap(lambda a, scale=1.0: a * scale)(x, scale=mg.tensor(rn(4)))
    assert out.shape == (3, 4)
    out, k = vmap(lambda a: (a.sum(), 7), out_dims=(0, None))(x)
    assert k == 7 and out.shape == (3,)
    unbatched = vmap(lambda a: mg.ones(2))(x)           # expanded to the batch, as torch
    assert unbatched.shape == (3, 2) and float(unbatched.sum()) == 6
    same, = vmap(lambda a: (mg.ones(2) * 2,), out_dims=(None,))(x)
    assert same.shape == (2,)


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 10])
def test_chunk_size(chunk_size):
    check_vmap(lambda L, x, y: ((x * y).sum(-1), x.T), [rn(5, 3, 4), rn(4)], (0, None),
               (0, -1), chunk_size=chunk_size)


# ---- randomness ---------------------------------------------------------------------------
def test_randomness_error():
    x = mg.tensor(rn(4, 50))
    for fn in (lambda a: mF.dropout(a, 0.5), lambda a: a + mg.randn(50),
               lambda a: a * mg.rand_like(a)):
        with pytest.raises(RuntimeError, match="randomness error mode"):
            vmap(fn)(x)
        with pytest.raises(RuntimeError, match="randomness error mode"):
            torch.func.vmap(lambda a: torch.nn.functional.dropout(a, 0.5))(torch.randn(4, 50))
    assert mF.dropout(x, 0.5).shape == (4, 50)          # vmap left no state behind
    assert vmap(lambda a: mF.dropout(a, 0.5, training=False))(x).shape == (4, 50)


@pytest.mark.parametrize("batched", [True, False])
def test_dropout_same_and_different(batched):
    p = 0.4
    x = mg.tensor(np.abs(rn(4, 300)) + 1)
    in_dims = 0 if batched else None
    f = (lambda a, _: mF.dropout(a, p)) if True else None
    outs = {}
    for mode in ("same", "different"):
        outs[mode] = vmap(f, in_dims=(in_dims, 0), randomness=mode)(x if batched else x[0],
                                                                     mg.zeros(4))
    for mode, out in outs.items():
        base = x.numpy() if batched else np.broadcast_to(x[0].numpy(), (4, 300))
        kept = out.numpy() != 0
        np.testing.assert_allclose(out.numpy()[kept], base[kept] / (1 - p))
        assert 0.45 < kept.mean() < 0.75
    zeros_same = outs["same"].numpy() == 0
    assert (zeros_same == zeros_same[:1]).all()              # one mask for every sample
    zeros_diff = outs["different"].numpy() == 0
    assert not (zeros_diff == zeros_diff[:1]).all()          # a mask per sample


def test_randomness_same_creation_and_different_draws():
    x = mg.tensor(rn(3, 5))
    out = vmap(lambda a: a * 0 + mg.randn(5, dtype=mg.float64), randomness="same")(x)
    np.testing.assert_array_equal(out.numpy(), np.broadcast_to(out.numpy()[:1], (3, 5)))
    out = vmap(lambda a: a * 0 + mg.randn(5, dtype=mg.float64), randomness="different")(x)
    assert not np.array_equal(out.numpy()[0], out.numpy()[1])
    # a random op without a per-sample draw refuses 'different' rather than drawing once
    with pytest.raises(RuntimeError, match="different"):
        vmap(lambda a: a + mg.nn.init.uniform_(mg.empty(5)), randomness="different")(x)


def test_randomness_same_with_chunks():
    x = mg.tensor(rn(6, 100))
    out = vmap(lambda a: mF.dropout(a * 0 + 1, 0.5), randomness="same", chunk_size=2)(x)
    assert (out.numpy() == out.numpy()[:1]).all()


def test_nested_randomness():
    x = mg.ones(3, 4, 200, dtype=mg.float64)
    inner = vmap(lambda a: mF.dropout(a, 0.5), randomness="same")
    out = vmap(inner, randomness="different")(x).numpy()
    assert (out == out[:, :1]).all()                 # same across the inner batch
    assert not (out == out[:1]).all()                # different across the outer one


# ---- autograd -----------------------------------------------------------------------------
def test_autograd_inside_vmap_matches_torch():
    xs = rn(3, 4)

    def fn(L, x):
        v = L.ones(4, dtype=L.float64, requires_grad=True)
        return L.autograd.grad((v * 2).sum(), v)[0] * x     # an unbatched graph: fine
    check_vmap(fn, [xs], grad=False)
    for L in (mg, torch):                                    # a batched output: refused
        w = L.tensor(rn(4), requires_grad=True)
        with pytest.raises(RuntimeError):
            (vmap if L is mg else torch.func.vmap)(
                lambda x: L.autograd.grad((w * x).sum(), w)[0])(L.tensor(xs))


def test_autograd_calls_on_batched_tensors_raise():
    x = mg.tensor(rn(3, 4), requires_grad=True)
    seen = {}

    def look(a):
        seen["rg"], seen["leaf"] = a.requires_grad, a.is_leaf
        return a.sin()
    out = vmap(look)(x)
    assert seen == {"rg": False, "leaf": True} and out.requires_grad
    for fn, msg in [(lambda a: a.detach().requires_grad_(), "requires_grad_"),
                    (lambda a: a.sum().backward(), "backward"),
                    (lambda a: a.sum().item(), "item"),
                    (lambda a: a.tolist(), "tolist"),
                    (lambda a: 1 if a.sum() > 0 else 0, "__bool__")]:
        with pytest.raises(RuntimeError, match=msg):
            vmap(fn)(x)


def test_user_function_needs_generate_vmap_rule():
    class Double(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2
    with pytest.raises(RuntimeError, match="generate_vmap_rule"):
        vmap(Double.apply)(mg.ones(3, 2))

    class Auto(Double):
        generate_vmap_rule = True
    x = mg.tensor(rn(3, 2), requires_grad=True)
    out = vmap(Auto.apply)(x)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), 2 * x.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), np.full((3, 2), 2.0))


# ---- errors -------------------------------------------------------------------------------
ERRORS = [
    ("sizes", lambda V, L: V(lambda a, b: a + b)(L.ones(3, 4), L.ones(2, 4)), ValueError),
    ("in_dim_range", lambda V, L: V(lambda a: a, in_dims=2)(L.ones(3, 4)), ValueError),
    ("in_dim_neg_range", lambda V, L: V(lambda a: a, in_dims=-3)(L.ones(3, 4)), ValueError),
    ("in_dims_structure", lambda V, L: V(lambda a: a, in_dims=(0, 0))(L.ones(3)), ValueError),
    ("in_dims_type", lambda V, L: V(lambda a: a, in_dims=[0])(L.ones(3)), ValueError),
    ("in_dims_none", lambda V, L: V(lambda a: a, in_dims=None)(L.ones(3)), ValueError),
    ("in_dims_float", lambda V, L: V(lambda a: a, in_dims=(0.5,))(L.ones(3)), ValueError),
    ("all_none", lambda V, L: V(lambda a: a, in_dims=(None,))(L.ones(3)), ValueError),
    ("non_tensor", lambda V, L: V(lambda a: a)(3), ValueError),
    ("scalar_tensor", lambda V, L: V(lambda a: a)(L.tensor(1.0)), ValueError),
    ("no_inputs", lambda V, L: V(lambda: 1)(), ValueError),
    ("randomness", lambda V, L: V(lambda a: a, randomness="foo")(L.ones(3)), RuntimeError),
    ("chunk_size", lambda V, L: V(lambda a: a, chunk_size=0)(L.ones(3)), ValueError),
    ("returns_int", lambda V, L: V(lambda a: 3)(L.ones(3)), ValueError),
    ("out_dim_range", lambda V, L: V(lambda a: a, out_dims=3)(L.ones(3, 4)), IndexError),
    ("out_dims_structure", lambda V, L: V(lambda a: a, out_dims=(0, 0))(L.ones(3)),
     ValueError),
    ("out_none_batched", lambda V, L: V(lambda a: a, out_dims=None)(L.ones(3)), ValueError),
    ("item", lambda V, L: V(lambda a: a.item())(L.ones(3)), RuntimeError),
    ("nested_sizes", lambda V, L: V(V(lambda a, b: a * b), in_dims=(0, None))(
        L.ones(2, 3), L.ones(4)), ValueError),
]


@pytest.mark.parametrize("name,call,exc", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, call, exc):
    with pytest.raises(exc):
        call(torch.func.vmap, torch)
    with pytest.raises(exc):
        call(vmap, mg)


def test_error_messages_name_the_problem():
    with pytest.raises(ValueError, match=r"got sizes \[3, 2\]"):
        vmap(lambda a, b: a + b)(mg.ones(3, 4), mg.ones(2, 4))
    with pytest.raises(ValueError, match="-2 <= in_dim < 2"):
        vmap(lambda a: a, in_dims=2)(mg.ones(3, 4))
    with pytest.raises(ValueError, match="must only return Tensors"):
        vmap(lambda a: 3)(mg.ones(3))
    leaked = []
    vmap(lambda a: leaked.append(a) or a)(mg.ones(3))
    with pytest.raises(RuntimeError, match="escape"):
        leaked[0] + 1


# ---- in-place writes ----------------------------------------------------------------------
def _inplace_fn(L, x, y):
    h = x * 1
    h += y
    h.mul_(2)
    h[0] = 3.0
    h[1:, 1] = x[1:, 0] * 5
    e = h.clone()
    e.exp_()
    z = h.clone()
    z.zero_()
    z.copy_(x.sin())
    return h + z + e


@pytest.mark.parametrize("in_dims", [(0, None), (0, 0), (1, 0)])
def test_inplace_ops_on_batched_tensors(in_dims):
    shapes = {(0, None): ((3, 4, 5), (5,)), (0, 0): ((3, 4, 5), (3, 5)),
              (1, 0): ((4, 3, 5), (3, 5))}[in_dims]
    check_vmap(_inplace_fn, [rn(*s) for s in shapes], in_dims)


def test_inplace_into_unbatched_tensor_raises():
    for V, L in ((vmap, mg), (torch.func.vmap, torch)):
        w = L.zeros(4, dtype=L.float64)
        with pytest.raises(RuntimeError):
            V(lambda x: w.add_(x))(L.ones(3, 4, dtype=L.float64))


def test_user_function_with_vmap_staticmethod():
    class Scale(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(w)
            return x * w

        @staticmethod
        def backward(ctx, g):
            w, = ctx.saved_tensors
            return g * w, None

        @staticmethod
        def vmap(info, in_dims, x, w):      # torch's protocol: physical values, in_dims
            assert info.batch_size == 3 and in_dims == (0, None)
            return Scale.apply(x, w), 0
    xs, ws = rn(3, 4), rn(4)
    x = mg.tensor(xs, requires_grad=True)
    out = vmap(Scale.apply, in_dims=(1, None))(x.T, mg.tensor(ws))
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), xs * ws)
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(ws, (3, 4)))


def test_indexing_unbatched_tensor_with_batched_index_raises():
    table = mg.randn(6, 3)
    with pytest.raises(RuntimeError, match="embedding"):
        vmap(lambda i: table[i])(mg.tensor([[1, 2], [0, 5]]))
