"""minigrad.func.vmap against torch.func.vmap on more ops (rules, function-level batching and
the loop fallback), and the ops that refuse: a clear error, never numbers."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.func import vmap
from vmap_check import F, check_vmap

r = np.random.default_rng(67)


def rn(*s):
    return r.standard_normal(s)


def ints(hi, *s):
    return r.integers(0, hi, s)


POS_WEIGHT = r.random(4)      # a constant: torch differentiates pos_weight only under vmap
CASES = {
    "einsum": (lambda L, a, b: L.einsum("ij,jk->ik", a, b), [rn(3, 2, 4), rn(4, 5)], (0, None)),
    "einsum_both": (lambda L, a, b: L.einsum("ij,ij->i", a, b), [rn(3, 2, 4), rn(3, 2, 4)], 0),
    "embedding": (lambda L, i, w: F(L).embedding(i, w), [ints(6, 3, 4), rn(6, 5)], (0, None)),
    "embedding_pad": (lambda L, i, w: F(L).embedding(i, w, padding_idx=2),
                      [ints(6, 3, 4), rn(6, 5)], (0, None)),
    "embedding_weights": (lambda L, i, w: F(L).embedding(i, w), [ints(6, 4), rn(3, 6, 5)],
                          (None, 0)),
    "avg_pool2d": (lambda L, x: F(L).avg_pool2d(x, 2), [rn(3, 2, 4, 4)], 0),
    "avg_pool2d_nchw": (lambda L, x: F(L).avg_pool2d(x, 3, 1, 1, count_include_pad=False),
                        [rn(3, 2, 2, 5, 5)], 0),
    "batch_norm": (lambda L, x: F(L).batch_norm(x, None, None, training=True),
                   [rn(3, 4, 2, 5)], 0),
    "group_norm": (lambda L, x: F(L).group_norm(x, 2), [rn(3, 2, 4, 5)], 0),
    "vector_norm": (lambda L, x: L.norm(x, dim=-1) + L.norm(x), [rn(3, 4, 5)], 0),
    "normalize": (lambda L, x: F(L).normalize(x, dim=-1), [rn(3, 4, 5)], 0),
    "pad": (lambda L, x: F(L).pad(x, (1, 2, 0, 1), value=0.5), [rn(3, 4, 5)], 0),
    "pad_reflect": (lambda L, x: F(L).pad(x, (1, 2), mode="reflect"), [rn(3, 4, 5)], 0),
    "one_hot": (lambda L, i: F(L).one_hot(i, 5).double(), [ints(5, 3, 4)], 0),
    "interpolate": (lambda L, x: F(L).interpolate(x, scale_factor=2, mode="bilinear"),
                    [rn(3, 2, 2, 4, 4)], 0),
    "tril_triu": (lambda L, x: L.tril(x) + L.triu(x, 1) * 2, [rn(3, 4, 5)], 0),
    "diagonal": (lambda L, x: L.diagonal(x, 1) + L.diagonal(x, -1, 1, 0).sum(), [rn(3, 4, 5)],
                 0),
    "repeat": (lambda L, x: x.repeat(2, 1, 3), [rn(3, 4, 5)], 0),
    "tile": (lambda L, x: L.tile(x, (2,)), [rn(3, 4, 5)], 0),
    "roll": (lambda L, x: L.roll(x, 1, 0) + L.roll(x, (2, -1), (1, 0)), [rn(3, 4, 5)], 0),
    "roll_flat": (lambda L, x: L.roll(x, 3), [rn(3, 4, 5)], 0),
    "prod": (lambda L, x: L.prod(x, 1) + L.prod(x), [rn(3, 4, 5)], 0),
    "std_mean": (lambda L, x: L.std_mean(x, 1)[0], [rn(3, 4, 5)], 0),
    "outer": (lambda L, a, b: L.outer(a, b), [rn(3, 4), rn(5)], (0, None)),
    "addmm": (lambda L, c, a, b: L.addmm(c, a, b), [rn(2, 5), rn(3, 2, 4), rn(4, 5)],
              (None, 0, None)),
    "baddbmm": (lambda L, c, a, b: L.baddbmm(c, a, b),
                [rn(2, 2, 5), rn(3, 2, 2, 4), rn(2, 4, 5)], (None, 0, None)),
    "kl_div": (lambda L, a, b: F(L).kl_div(a, b, reduction="batchmean"),
               [rn(3, 4, 5), np.abs(rn(3, 4, 5))], 0),
    "bce_logits": (lambda L, a, b: F(L).binary_cross_entropy_with_logits(
        a, b, pos_weight=L.tensor(POS_WEIGHT)), [rn(3, 4), r.random((3, 4))], (0, 0)),
    "bce": (lambda L, a, b: F(L).binary_cross_entropy(L.sigmoid(a), b),
            [rn(3, 4), r.random(4)], (0, None)),
    "bce_weight": (lambda L, a, b, w: F(L).binary_cross_entropy(L.sigmoid(a), b, w,
                                                                reduction="sum"),
                   [rn(3, 4), r.random((3, 4)), r.random((3, 4))], 0),
    "unfold": (lambda L, x: F(L).unfold(x, 2), [rn(3, 2, 2, 4, 4)], 0),
    "masked_fill": (lambda L, x, m: x.masked_fill(m, 0.5) + x.masked_fill(x > 0, -1.0),
                    [rn(3, 4, 5), rn(4, 5) > 0], (0, None)),
    "argmax_all": (lambda L, x: x.argmax().double() + x.max(), [rn(3, 4, 2)], 0),
    "view_expand_as": (lambda L, x, y: x.view_as(y).expand_as(y.expand(3, 8)),
                       [rn(3, 4, 2), rn(8)], (0, None)),
    "gelu_tanh": (lambda L, x: F(L).gelu(x, approximate="tanh"), [rn(3, 4)], 0),
    "mha_like": (lambda L, x, w: (F(L).softmax((x @ w) @ (x @ w).transpose(-1, -2) / 2.0, -1)
                                  @ x).sum(-1), [rn(3, 4, 6), rn(6, 6)], (0, None)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_more_ops(name):
    fn, arrays, in_dims = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # the loop fallback's notes
        check_vmap(fn, arrays, in_dims)


REFUSED = {
    "topk": lambda x: mg.topk(x, 2).values,
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_ops_without_rule_or_loop_raise(name):
    with pytest.raises(RuntimeError, match="hidden batch dim"):
        vmap(REFUSED[name])(mg.randn(3, 4, 5))


def test_one_hot_needs_num_classes():
    with pytest.raises(RuntimeError, match="num_classes"):
        vmap(lambda i: F(mg).one_hot(i))(mg.tensor(ints(5, 3, 4)))


def test_embedding_scale_grad_by_freq_counts_per_sample():
    # each sample counts its own ids, as a loop over samples does; (torch.func.vmap counts
    # over the whole batch here, which differs from torch's own loop: we follow the loop)
    import torch
    ids, w0, g = ints(3, 3, 4), rn(6, 5), rn(3, 4, 5)
    mw, tw = mg.tensor(w0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    out = vmap(lambda i: F(mg).embedding(i, mw, scale_grad_by_freq=True))(mg.tensor(ids))
    (out * mg.tensor(g)).sum().backward()
    ref = torch.stack([F(torch).embedding(i, tw, scale_grad_by_freq=True)
                       for i in torch.tensor(ids)])
    (ref * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy())
    np.testing.assert_allclose(mw.grad.numpy(), tw.grad.numpy(), atol=1e-12)
