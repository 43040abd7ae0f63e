"""minigrad.func.vmap against torch.func.vmap: losses, conv2d, layer_norm, attention, the
loop fallback, nested vmap (values and gradients, float64)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minigrad as mg
from minigrad.func import batching, vmap
from vmap_check import F, check_vmap

r = np.random.default_rng(29)


def rn(*shape):
    return r.standard_normal(shape)


def labels(*shape, classes=5):
    return r.integers(0, classes, shape)


# ---- losses -------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.2}, {"ignore_index": 1},
                                {"weight": "w"}, {"weight": "w", "ignore_index": 2,
                                                  "label_smoothing": 0.1}], ids=str)
@pytest.mark.parametrize("case", ["single", "rows", "spatial"])
def test_cross_entropy(reduction, kw, case):
    x, y = {"single": (rn(4, 5), labels(4)), "rows": (rn(4, 6, 5), labels(4, 6)),
            "spatial": (rn(4, 3, 5, 2), labels(4, 3, 2))}[case]
    w = r.random(5) + 0.5

    def fn(L, x, y):
        k = dict(kw)
        if "weight" in k:
            k["weight"] = L.tensor(w)
        return F(L).cross_entropy(x, y, reduction=reduction, **k)
    if reduction == "mean" and "weight" in kw and "ignore_index" in kw:
        # torch.func.vmap refuses this combination (masked_select); compare with a loop
        check_against_loop(fn, [x, y])
    else:
        check_vmap(fn, [x, y])


def check_against_loop(fn, arrays):
    from vmap_check import as_pair
    pairs = [as_pair(a, True) for a in arrays]
    mo = vmap(lambda *a: fn(mg, *a))(*[p[0] for p in pairs])
    to = torch.stack([fn(torch, *[p[1][i] for p in pairs]) for i in range(len(arrays[0]))])
    np.testing.assert_allclose(mo.detach().numpy(), to.detach().numpy(), atol=1e-10)
    mo.sum().backward()
    to.sum().backward()
    np.testing.assert_allclose(pairs[0][0].grad.numpy(), pairs[0][1].grad.numpy(), atol=1e-10)


def test_cross_entropy_in_dims_and_probs():
    check_vmap(lambda L, x, y: F(L).cross_entropy(x, y), [rn(6, 5), labels(4, 6)], (None, 0))
    check_vmap(lambda L, x, y: F(L).cross_entropy(x, y), [rn(6, 4, 5), labels(4, 6)], (1, 0))
    probs = np.abs(rn(4, 6, 5))
    probs /= probs.sum(-1, keepdims=True)
    for red in ("mean", "sum", "none"):
        check_vmap(lambda L, x, p: F(L).cross_entropy(x, p, reduction=red, label_smoothing=0.1),
                   [rn(4, 6, 5), probs])
    check_vmap(lambda L, x, p: F(L).cross_entropy(x, p), [rn(4, 5), probs[:, 0]])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"ignore_index": 0}, {"weight": "w"}], ids=str)
def test_nll_loss(reduction, kw):
    w = r.random(5) + 0.5

    def fn(L, x, y):
        k = dict(kw)
        if "weight" in k:
            k["weight"] = L.tensor(w)
        return F(L).nll_loss(F(L).log_softmax(x, -1), y, reduction=reduction, **k)
    check_vmap(fn, [rn(4, 6, 5), labels(4, 6)])
    check_vmap(fn, [rn(4, 5), labels(4)])


def test_regression_losses():
    for red in ("mean", "sum", "none"):
        check_vmap(lambda L, a, b: F(L).mse_loss(a, b, reduction=red), [rn(3, 4, 2), rn(3, 4, 2)])
        check_vmap(lambda L, a, b: F(L).l1_loss(a, b, reduction=red), [rn(3, 4), rn(4)],
                   (0, None))
        check_vmap(lambda L, a, b: F(L).smooth_l1_loss(a, b, reduction=red, beta=0.5),
                   [rn(3, 4), rn(3, 4)])
        check_vmap(lambda L, a, b: F(L).huber_loss(a, b, reduction=red), [rn(3, 4), rn(3, 4)])


# ---- conv2d, layer_norm, attention --------------------------------------------------------
@pytest.mark.parametrize("in_dims", [(0, None, None), (0, 0, 0), (None, 0, 0), (0, 0, None)])
@pytest.mark.parametrize("opts", [{}, {"stride": 2, "padding": 1}, {"groups": 2},
                                  {"padding": "same", "dilation": 2}], ids=str)
def test_conv2d(in_dims, opts):
    B = 3
    x, w, b = rn(2, 4, 7, 6), rn(6, 4 // opts.get("groups", 1), 3, 3), rn(6)
    arrays = [np.stack([a] * B) + rn(B, *a.shape) if d == 0 else a
              for a, d in zip((x, w, b), in_dims)]
    check_vmap(lambda L, x, w, b: F(L).conv2d(x, w, b, **opts), arrays, in_dims, atol=1e-9)


def test_conv2d_unbatched_sample():
    # each sample is one (C, H, W) image, as in per-sample gradients
    check_vmap(lambda L, x, w: F(L).conv2d(x, w, padding=1), [rn(5, 2, 6, 6), rn(3, 2, 3, 3)],
               (0, None), atol=1e-9)
    check_vmap(lambda L, x, w: F(L).max_pool2d(F(L).conv2d(x, w), 2), [rn(3, 2, 6, 6),
                                                                        rn(3, 3, 2, 3, 3)])


def test_layer_norm():
    check_vmap(lambda L, x, w, b: F(L).layer_norm(x, (5,), w, b), [rn(3, 4, 5), rn(5), rn(5)],
               (0, None, None))
    check_vmap(lambda L, x: F(L).layer_norm(x, (4, 5)), [rn(3, 4, 5)])
    check_vmap(lambda L, x, w, b: F(L).layer_norm(x, (5,), w, b), [rn(3, 4, 5), rn(5), rn(5)],
               (1, None, None), -1)
    with warnings.catch_warnings():     # a per-sample weight takes the loop
        warnings.simplefilter("ignore")
        check_vmap(lambda L, x, w: F(L).layer_norm(x, (5,), w), [rn(3, 4, 5), rn(3, 5)])


@pytest.mark.parametrize("in_dims", [(0, 0, 0), (0, None, None), (None, 0, 0)])
@pytest.mark.parametrize("opts", [{}, {"is_causal": True}, {"mask": True}, {"scale": 0.3}],
                         ids=str)
def test_sdpa(in_dims, opts):
    B = 3
    shapes = [(2, 4, 6), (2, 5, 6), (2, 5, 3)]
    if opts.get("is_causal"):
        shapes[1], shapes[2] = (2, 4, 6), (2, 4, 3)
    arrays = [rn(B, *s) if d == 0 else rn(*s) for s, d in zip(shapes, in_dims)]
    mask = r.random((4, shapes[1][1])) > 0.3
    mask[:, 0] = True
    k = {k: v for k, v in opts.items() if k != "mask"}

    def fn(L, q, kk, v):
        m = L.tensor(mask) if "mask" in opts else None
        return F(L).scaled_dot_product_attention(q, kk, v, attn_mask=m, **k)
    check_vmap(fn, arrays, in_dims)


def test_small_mlp_through_vmap():
    # parameters outside vmap get their gradient through the vmapped call
    w1, b1, w2 = rn(8, 4), rn(8), rn(3, 8)

    def fn(L, x, y, w1, b1, w2):
        h = F(L).relu(F(L).linear(x, w1, b1))
        return F(L).cross_entropy(F(L).linear(h, w2), y)
    check_vmap(fn, [rn(6, 4), labels(6, classes=3), w1, b1, w2], (0, 0, None, None, None))


# ---- the loop fallback ---------------------------------------------------------------------
def test_fallback_values_and_single_warning():
    batching._warned.discard(mg.ops.scan.LogCumSumExp)
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        check_vmap(lambda L, x: L.logcumsumexp(x, 1) * 2, [rn(3, 4, 5)])
        check_vmap(lambda L, x: L.logcumsumexp(x, 0), [rn(3, 4, 5)], 1)
    msgs = [str(w.message) for w in got if "LogCumSumExp" in str(w.message)]
    assert len(msgs) == 1 and "loop" in msgs[0]


def test_fallback_with_unbatched_and_tuple_outputs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_vmap(lambda L, x, i: L.gather(x, 1, i), [rn(3, 4, 5), labels(4, 2)],
                   (0, None), grad=True)
        check_vmap(lambda L, x: L.cumprod(x, 1), [rn(3, 4, 5)])
        check_vmap(lambda L, x: L.aminmax(x, dim=1).min, [rn(3, 4, 5)])
        check_vmap(lambda L, x: L.median(x) + L.nanmedian(x * 2), [rn(3, 4, 5)])


def test_wrapper_reading_raw_array_raises():
    # a wrapper that reads the raw array has neither rule nor loop: a clear error, no numbers
    x = mg.randn(3, 4, 5)
    with pytest.raises(RuntimeError, match="hidden batch dim"):
        vmap(lambda a: mg.topk(a, 2).values)(x)


# ---- nested vmap ---------------------------------------------------------------------------
def _nested(L, f, inner, outer):
    vm = torch.func.vmap if L is torch else vmap
    return vm(vm(f, inner), outer)


@pytest.mark.parametrize("inner,outer,shapes", [
    (0, 0, ((2, 3, 4), (2, 3, 4))),
    ((0, None), (None, 0), ((3, 4), (2, 4))),
    ((1, 0), (0, 1), ((2, 4, 3), (3, 2, 4))),
    ((None, 0), (0, None), ((2, 4, 5), (3, 5))),
])
def test_nested(inner, outer, shapes):
    def f(a, b):
        return (a.sin() * b).sum(-1) + (a @ b.T if a.ndim == 2 else a @ b).sum()

    def fn(L, a, b):
        return _nested(L, lambda x, y: (x.tanh() * y + y.exp().sum()).softmax(-1), inner,
                       outer)(a, b)
    check_vmap_free(fn, [rn(*s) for s in shapes])


def check_vmap_free(fn, arrays):
    """fn(L, *tensors) compared without an outer vmap of the helper's own."""
    from vmap_check import as_pair
    pairs = [as_pair(a, True) for a in arrays]
    mo = fn(mg, *[p[0] for p in pairs])
    to = fn(torch, *[p[1] for p in pairs])
    np.testing.assert_allclose(mo.detach().numpy(), to.detach().numpy(), atol=1e-10)
    g = r.standard_normal(tuple(to.shape))
    (mo * mg.tensor(g)).sum().backward()
    (to * torch.tensor(g)).sum().backward()
    for m, t in pairs:
        if t.requires_grad:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), atol=1e-10)


def test_nested_matmul_conv_ce():
    def fn(L, x, w, y):
        def per(xi, yi):
            h = F(L).conv2d(xi.unsqueeze(0), w).flatten(1)
            return F(L).cross_entropy(h[:, :5], yi.reshape(1))
        vm = torch.func.vmap if L is torch else vmap
        return vm(vm(per))(x, y)
    check_vmap_free(fn, [rn(2, 3, 2, 5, 5), rn(4, 2, 3, 3), labels(2, 3)])
