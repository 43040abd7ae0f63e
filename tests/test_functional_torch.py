"""torch's top-level functional forms (mg.dropout, mg.batch_norm, mg.kl_div, mg.convolution,
mg.conv_tbc, mg.grid_sampler, mg.lstm_cell, ...) against torch in float64: values,
gradients and second derivatives with ATen's signatures; the random ones (dropouts) by
shapes, dtypes and their defining relations; errors (type and message fragment)."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F


def R(*shape, seed=0):
    return np.random.default_rng(seed + 7 * len(shape)).standard_normal(shape)


def P(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0.05, 0.95, shape)


# name -> (fn(lib, *tensors), arrays, double)
CASES = {
    "batch_norm": (lambda L, x, w, b: L.batch_norm(x, w, b, None, None, True, 0.1, 1e-5,
                                                   False), [R(4, 3, 5), R(3), R(3, seed=1)], True),
    "batch_norm_eval": (lambda L, x, w: L.batch_norm(
        x, w, None, L.tensor(P(3), dtype=L.float64), L.tensor(P(3, seed=1) + 0.5,
                                                             dtype=L.float64),
        False, 0.1, 1e-5, True), [R(4, 3, 5), R(3)], True),
    "instance_norm": (lambda L, x, w, b: L.instance_norm(x, w, b, None, None, True, 0.1, 1e-5,
                                                         False),
                      [R(2, 3, 6), R(3), R(3, seed=1)], True),
    "layer_norm": (lambda L, x, w, b: L.layer_norm(x, [4, 5], w, b, 1e-3, False),
                   [R(3, 4, 5), R(4, 5), R(4, 5, seed=1)], True),
    "group_norm": (lambda L, x, w: L.group_norm(x, 2, w, None, 1e-5, True),
                   [R(3, 4, 5), R(4)], True),
    "rms_norm": (lambda L, x, w: L.rms_norm(x, [5], w, 1e-6), [R(3, 4, 5), R(5)], True),
    "native_batch_norm": (lambda L, x, w, b: L.native_batch_norm(x, w, b, None, None, True, 0.1,
                                                                 1e-5),
                          [R(4, 3, 5), R(3), R(3, seed=1)], False),
    "native_layer_norm": (lambda L, x, w: L.native_layer_norm(x, [4, 5], w, None, 1e-5),
                          [R(3, 4, 5), R(4, 5)], False),
    "native_group_norm": (lambda L, x, w, b: L.native_group_norm(x, w, b, 3, 4, 5, 2, 1e-5),
                          [R(3, 4, 5), R(4), R(4, seed=1)], False),
    "native_group_norm_2d": (lambda L, x: L.native_group_norm(x, None, None, 3, 4, 1, 2, 1e-5),
                             [R(3, 4)], False),
    "embedding": (lambda L, w: L.embedding(w, L.tensor([[1, 0, 4], [4, 4, 2]]), 4, True),
                  [R(5, 3)], False),
    "embedding_neg_pad": (lambda L, w: L.embedding(w, L.tensor([1, 2, 2, 0]), -3),
                          [R(5, 3)], False),
    "kl_div": (lambda L, x, t: L.kl_div(x, t), [R(3, 4), P(3, 4)], True),
    "kl_div_sum_log": (lambda L, x, t: L.kl_div(x, t, 2, log_target=True),
                       [R(3, 4), R(3, 4, seed=2)], True),
    "kl_div_none": (lambda L, x, t: L.kl_div(x, t, 0), [R(3, 4), P(3, 4)], True),
    "kl_div_other_enum": (lambda L, x, t: L.kl_div(x, t, 5), [R(3, 4), P(3, 4)], False),
    "kl_div_explicit_mean": (lambda L, x, t: L.kl_div(x, t, 1), [R(3, 4), P(3, 4)], False),
    "bce_with_logits_default": (lambda L, x, t: L.binary_cross_entropy_with_logits(x, t),
                                [R(3, 4), P(3, 4)], False),
    "poisson_nll_loss": (lambda L, x, t: L.poisson_nll_loss(x, t, True, True, 1e-8, 1),
                         [R(3, 4), P(3, 4) * 3], True),
    "poisson_nll_loss_raw": (lambda L, x, t: L.poisson_nll_loss(x, t, False, False, 1e-3, 2),
                             [P(3, 4), P(3, 4, seed=1) * 3], True),
    "margin_ranking_loss": (lambda L, a, b: L.margin_ranking_loss(
        a, b, L.tensor([1.0, -1.0, 1.0, -1.0], dtype=L.float64), 0.3, 2),
        [R(4), R(4, seed=1)], True),
    "hinge_embedding_loss": (lambda L, x: L.hinge_embedding_loss(
        x, L.tensor([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]], dtype=L.float64), 0.5), [R(2, 3)],
        True),
    "triplet_margin_loss": (lambda L, a, p, n: L.triplet_margin_loss(a, p, n, 1.0, 2.0, 1e-6,
                                                                     True, 0),
                            [R(3, 4), R(3, 4, seed=1), R(3, 4, seed=2)], True),
    "cosine_embedding_loss": (lambda L, a, b: L.cosine_embedding_loss(
        a, b, L.tensor([1, -1, 1]), 0.2), [R(3, 4), R(3, 4, seed=1)], True),
    "ctc_loss": (lambda L, lp: L.ctc_loss(lp.log_softmax(2), L.tensor([[1, 2, 2], [1, 3, 0]]),
                                          [6, 5], [3, 2], 0, 1, False), [R(6, 2, 4)], False),
    "ctc_loss_sum": (lambda L, lp: L.ctc_loss(lp.log_softmax(2), L.tensor([[1, 2], [3, 3]]),
                                              L.tensor([6, 6]), L.tensor([2, 2]), 0, 2, True),
                     [R(6, 2, 4)], False),
    "bce_with_logits": (lambda L, x, t: L.binary_cross_entropy_with_logits(
        x, t, L.tensor(P(4, seed=3)), L.tensor(P(4, seed=4) * 3), 1), [R(3, 4), P(3, 4)], True),
    "constant_pad_nd": (lambda L, x: L.constant_pad_nd(x, [1, 2, -1, 1], 0.5), [R(3, 4, 5)],
                        True),
    "avg_pool1d": (lambda L, x: L.avg_pool1d(x, [3], [2], [1], True, False), [R(2, 3, 9)],
                   True),
    "avg_pool1d_default": (lambda L, x: L.avg_pool1d(x, 2), [R(2, 3, 9)], True),
    "max_pool1d": (lambda L, x: L.max_pool1d(x, 3, (), 1, 2, True), [R(2, 3, 9)], True),
    "max_pool1d_with_indices": (lambda L, x: L.max_pool1d_with_indices(x, 2)[0],
                                [R(2, 3, 9)], True),
    "max_pool2d": (lambda L, x: L.max_pool2d(x, 2, 1, 1), [R(2, 3, 5, 4)], True),
    "max_pool3d": (lambda L, x: L.max_pool3d(x, 2), [R(1, 2, 4, 5, 4)], True),
    "adaptive_avg_pool1d": (lambda L, x: L.adaptive_avg_pool1d(x, 4), [R(2, 3, 9)], True),
    "adaptive_max_pool1d": (lambda L, x: L.adaptive_max_pool1d(x, [4])[0], [R(2, 3, 9)], True),
    "convolution": (lambda L, x, w, b: L.convolution(x, w, b, [2, 1], [1, 0], [1, 2], False,
                                                     [0, 0], 1),
                    [R(2, 4, 6, 7), R(3, 4, 3, 2), R(3)], True),
    "convolution_1d_groups": (lambda L, x, w: L.convolution(x, w, None, [1], [1], [1], False,
                                                            [0], 2),
                              [R(2, 4, 7), R(6, 2, 3)], True),
    "convolution_transposed": (lambda L, x, w: L.convolution(x, w, None, [2, 2], [1, 0],
                                                             [1, 1], True, [1, 0], 1),
                               [R(2, 3, 4, 5), R(3, 2, 3, 2)], True),
    "convolution_3d": (lambda L, x, w: L.convolution(x, w, None, (1,), (0,), (1,), False, (0,),
                                                     1), [R(1, 2, 3, 4, 3), R(2, 2, 2, 2, 2)],
                       False),
    "conv_tbc": (lambda L, x, w, b: L.conv_tbc(x, w, b, 1), [R(7, 2, 3), R(3, 3, 4), R(4)],
                 True),
    "conv_tbc_crop": (lambda L, x, w, b: L.conv_tbc(x, w, b, -1), [R(7, 2, 3), R(2, 3, 4), R(4)],
                      True),
    "conv_tbc_empty": (lambda L, x, w, b: L.conv_tbc(x, w, b), [R(2, 2, 3), R(3, 3, 4), R(4)],
                       False),
    "grid_sampler": (lambda L, x, g: L.grid_sampler(x, g.tanh(), 0, 1, False),
                     [R(2, 3, 4, 5), R(2, 3, 2, 2)], True),
    "grid_sampler_2d_bicubic": (lambda L, x, g: L.grid_sampler_2d(x, g.tanh(), 2, 2, True),
                                [R(1, 2, 4, 5), R(1, 3, 2, 2)], False),
    "grid_sampler_3d": (lambda L, x, g: L.grid_sampler_3d(x, g.tanh(), 0, 0, True),
                        [R(1, 2, 3, 4, 3), R(1, 2, 3, 2, 3)], False),
    "affine_grid_generator": (lambda L, t: L.affine_grid_generator(t, [2, 3, 4, 5], False),
                              [R(2, 2, 3)], True),
    "frobenius_norm": (lambda L, x: L.frobenius_norm(x, [0, 2], True), [R(3, 4, 5)], True),
    "frobenius_norm_all": (lambda L, x: L.frobenius_norm(x, []), [R(3, 4)], True),
    "nuclear_norm": (lambda L, x: L.nuclear_norm(x), [R(3, 4, 5)], False),
    "nuclear_norm_dim": (lambda L, x: L.nuclear_norm(x, [0, 2], True), [R(3, 4, 5)], False),
    "norm_except_dim_0": (lambda L, x: L.norm_except_dim(x), [R(3, 4, 5)], True),
    "norm_except_dim_1": (lambda L, x: L.norm_except_dim(x, 3, 1), [R(3, 4, 5)], True),
    "norm_except_dim_last": (lambda L, x: L.norm_except_dim(x, 2, 2), [R(3, 4, 5)], True),
    "norm_except_dim_all": (lambda L, x: L.norm_except_dim(x, 2, -1), [R(3, 4, 5)], True),
    "norm_except_dim_neg": (lambda L, x: L.norm_except_dim(x, 1, -2), [R(3, 4, 5)], False),
    "rnn_tanh_cell": (lambda L, x, h, wi, wh, bi, bh: L.rnn_tanh_cell(x, h, wi, wh, bi, bh),
                      [R(3, 4), R(3, 5), R(5, 4), R(5, 5), R(5), R(5, seed=1)], True),
    "rnn_relu_cell": (lambda L, x, h, wi, wh: L.rnn_relu_cell(x, h, wi, wh),
                      [R(3, 4), R(3, 5), R(5, 4), R(5, 5)], True),
    "lstm_cell": (lambda L, x, h, c, wi, wh, bi: L.lstm_cell(x, (h, c), wi, wh, bi),
                  [R(3, 4), R(3, 5), R(3, 5, seed=1), R(20, 4), R(20, 5), R(20)], True),
    "gru_cell": (lambda L, x, h, wi, wh, bi, bh: L.gru_cell(x, h, wi, wh, bi, bh),
                 [R(3, 4), R(3, 5), R(15, 4), R(15, 5), R(15), R(15, seed=1)], True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(name):
    fn, arrays, double = CASES[name]
    with torch.autograd.set_grad_enabled(True):
        check_op(lambda *xs: fn(mg, *xs), lambda *xs: fn(torch, *xs), arrays, double=double)


def test_native_norm_statistics_need_no_grad():
    x, w = R(4, 3, 5), R(3)
    for L in (mg, torch):
        out = L.native_batch_norm(L.tensor(x, requires_grad=True), L.tensor(w), None, None,
                                  None, True, 0.1, 1e-5)
        assert out[0].requires_grad and not out[1].requires_grad and not out[2].requires_grad
    # eval: empty statistics, running stats used
    rm, rv = P(3), P(3, seed=1) + 0.5
    m = mg.native_batch_norm(mg.tensor(x), None, None, mg.tensor(rm), mg.tensor(rv), False,
                             0.1, 1e-5)
    t = torch.native_batch_norm(torch.tensor(x), None, None, torch.tensor(rm),
                                torch.tensor(rv), False, 0.1, 1e-5)
    assert [a.shape for a in m] == [tuple(a.shape) for a in t]
    np.testing.assert_allclose(m[0].numpy(), t[0].numpy(), rtol=1e-12)
    # training updates the running statistics as torch's
    rm_m, rv_m, rm_t, rv_t = mg.tensor(rm), mg.tensor(rv), torch.tensor(rm), torch.tensor(rv)
    mg.native_batch_norm(mg.tensor(x), None, None, rm_m, rv_m, True, 0.3, 1e-5)
    torch.native_batch_norm(torch.tensor(x), None, None, rm_t, rv_t, True, 0.3, 1e-5)
    np.testing.assert_allclose(rv_m.numpy(), rv_t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rm_m.numpy(), rm_t.numpy(), rtol=1e-12)


def test_embedding_padding_row_gets_no_gradient():
    w = R(5, 3)
    idx = [[1, 0, 4], [4, 4, 2]]
    for pad in (4, -1, -3, 7):
        wm, wt = mg.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
        mg.embedding(wm, mg.tensor(idx), pad).sum().backward()
        torch.embedding(wt, torch.tensor(idx), pad).sum().backward()
        np.testing.assert_array_equal(wm.grad.numpy(), wt.grad.numpy())


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", "feature_dropout",
                                  "feature_alpha_dropout"])
def test_dropouts_shapes_and_relations(name):
    x = np.abs(R(4, 3, 5)) + 0.5
    for p in (0.0, 0.3, 1.0):
        for train in (True, False):
            m = getattr(mg, name)(mg.tensor(x), p, train)
            t = getattr(torch, name)(torch.tensor(x), p, train)
            assert m.shape == tuple(t.shape) and m.dtype == mg.float64
            if not train or p == 0:
                np.testing.assert_array_equal(m.numpy(), x)
            elif p == 1:
                np.testing.assert_array_equal(m.numpy(), t.numpy())
    y = getattr(mg, name)(mg.tensor(x), 0.5, True).numpy()
    # kept: y = a x + b, dropped: y = c, with (a, b, c) = (2, 0, 0) or alpha dropout's
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha ** 2 * 0.5 + 1) * 0.5) if "alpha" in name else 2.0
    b = alpha * a * 0.5 if "alpha" in name else 0.0
    c = -alpha * a + b if "alpha" in name else 0.0
    kept = np.isclose(y, a * x + b, rtol=1e-12)
    assert (kept | np.isclose(y, c, rtol=1e-12)).all() and kept.any() and not kept.all()
    if name.startswith("feature"):      # whole (n, c) planes share one draw
        assert (kept == kept[..., :1]).all()
    # in place: the same tensor comes back, changed
    a = mg.tensor(x.copy())
    assert getattr(mg, name + "_")(a, 0.5, True) is a
    assert not np.array_equal(a.numpy(), x)


def test_native_dropout():
    x = R(4, 5)
    for train in (True, None):
        xm = mg.tensor(x, requires_grad=True)
        out, mask = mg.native_dropout(xm, 0.4, train)
        t_out, t_mask = torch.native_dropout(torch.tensor(x, requires_grad=True), 0.4, train)
        assert mask.dtype == mg.bool and t_mask.dtype == torch.bool and out.requires_grad
        np.testing.assert_allclose(out.detach().numpy(), x * mask.numpy() / 0.6, rtol=1e-12)
        out.sum().backward()
        np.testing.assert_allclose(xm.grad.numpy(), mask.numpy() / 0.6, rtol=1e-12)
    out, mask = mg.native_dropout(mg.tensor(x), 0.4, False)
    assert mask.numpy().all() and np.array_equal(out.numpy(), x)
    for p in (0.0, 1.0):
        m, t = mg.native_dropout(mg.tensor(x), p, True), torch.native_dropout(torch.tensor(x),
                                                                              p, True)
        assert np.array_equal(m[0].numpy(), t[0].numpy())
        assert np.array_equal(m[1].numpy(), t[1].numpy())
    m = mg.native_dropout(mg.zeros(0, 3, dtype=mg.float32), 0.5, True)
    t = torch.native_dropout(torch.zeros(0, 3, dtype=torch.float32), 0.5, True)
    assert m[1].dtype == mg.float32 and t[1].dtype == torch.float32


def test_f_aliases_and_channel_shuffle():
    x, w, b = R(7, 2, 3), R(3, 3, 4), R(4)
    check_op(lambda *a: F.conv_tbc(*a, 1), lambda *a: torch.nn.functional.conv_tbc(*a, 1),
             [x, w, b])
    # torch has no derivative for native_channel_shuffle: values only (ours has one)
    for fn, tfn in ((F.native_channel_shuffle, torch.nn.functional.native_channel_shuffle),
                    (mg.native_channel_shuffle, torch.native_channel_shuffle)):
        check_op(lambda a: fn(a, 3), lambda a: tfn(a, 3), [R(2, 6, 2, 3)],
                 requires_grad=[False])


def _raises(call, exc, frag):
    """The same exception type from both libraries, minigrad's message holding frag."""
    with pytest.raises(exc) as e:
        call(mg)
    assert frag in str(e.value), str(e.value)
    with pytest.raises(exc):
        call(torch)


X = R(3, 4)


def _x(L, a=X):
    return L.tensor(a)


ERRORS = [
    (lambda L: L.dropout(_x(L), 1.5, True), RuntimeError, "between 0 and 1"),
    (lambda L: L.dropout(_x(L), -1.0, False), RuntimeError, "between 0 and 1"),
    (lambda L: L.dropout(_x(L), "a", True), TypeError, "'p'"),
    (lambda L: L.dropout(_x(L), 0.5, 1), TypeError, "'train'"),
    (lambda L: L.dropout(_x(L, X.astype(np.int64)), 0.5, True), RuntimeError, "can't be cast"),
    (lambda L: L.feature_dropout(_x(L, X[0]), 0.5, True), RuntimeError, "at least 2 dim"),
    (lambda L: L.feature_alpha_dropout_(_x(L, X[0]), 0.5, True), RuntimeError, "at least 2"),
    (lambda L: L.alpha_dropout(_x(L), 2.0, True), RuntimeError, "between 0 and 1"),
    (lambda L: L.native_dropout(_x(L), 1.5, True), RuntimeError, "bernoulli_ expects p"),
    (lambda L: L.batch_norm(_x(L), None, None, None, None, True, 0.1, 1e-5, 1), TypeError,
     "cudnn_enabled"),
    (lambda L: L.batch_norm(_x(L), None, None, None, None, None, 0.1, 1e-5, True), TypeError,
     "training"),
    (lambda L: L.layer_norm(_x(L), [4], None, None, 1e-5, "a"), TypeError, "cudnn_enable"),
    (lambda L: L.group_norm(_x(L), 2, None, None, 1e-5, None), TypeError, "cudnn_enabled"),
    (lambda L: L.native_group_norm(_x(L), None, None, 2, 4, 1, 2, 1e-5), RuntimeError,
     "N * C * HxW"),
    (lambda L: L.kl_div(_x(L), _x(L), "mean"), TypeError, "reduction"),
    (lambda L: L.kl_div(_x(L), _x(L), True), TypeError, "reduction"),
    (lambda L: L.poisson_nll_loss(_x(L), _x(L), 1, False, 1e-8, 1), TypeError, "log_input"),
    (lambda L: L.embedding(_x(L), L.tensor([0]), 1.5), TypeError, "padding_idx"),
    (lambda L: L.constant_pad_nd(_x(L), [1]), RuntimeError, "even"),
    (lambda L: L.constant_pad_nd(_x(L), 1), TypeError, "pad"),
    (lambda L: L.constant_pad_nd(_x(L), [1] * 6), RuntimeError, "twice the number"),
    (lambda L: L.convolution(_x(L, R(2, 3, 4, 5)), _x(L, R(4, 3, 2, 2)), None, 1, [0], [1],
                             False, [0], 1), TypeError, "stride"),
    (lambda L: L.convolution(_x(L, R(2, 3, 4, 5)), _x(L, R(4, 3, 2, 2)), None, [1, 1, 1], [0],
                             [1], False, [0], 1), RuntimeError, "stride"),
    (lambda L: L.convolution(_x(L, R(2, 3, 4, 5)), _x(L, R(4, 3, 2, 2)), None, [1], [0], [1],
                             0, [0], 1), TypeError, "transposed"),
    (lambda L: L.conv_tbc(_x(L, R(7, 2, 3)), _x(L, R(3, 3, 4)), None), TypeError, "bias"),
    (lambda L: L.conv_tbc(_x(L, R(7, 3)), _x(L, R(3, 3, 4)), _x(L, R(4))), RuntimeError,
     "3 dims"),
    (lambda L: L.conv_tbc(_x(L, R(7, 2, 2)), _x(L, R(3, 3, 4)), _x(L, R(4))), RuntimeError,
     "input channels"),
    (lambda L: L.conv_tbc(_x(L, R(7, 2, 3)), _x(L, R(3, 3, 4)), _x(L, R(3))), RuntimeError,
     "Bias size"),
    (lambda L: L.native_channel_shuffle(_x(L, R(2, 3, 4)), 2), RuntimeError, "divisible"),
    (lambda L: L.grid_sampler(_x(L, R(1, 2, 3, 4)), _x(L, R(1, 2, 2, 2)), 0, 0, None),
     TypeError, "align_corners"),
    (lambda L: L.grid_sampler_2d(_x(L, R(1, 2, 3, 4, 2)), _x(L, R(1, 2, 2, 2, 3)), 0, 0, True),
     RuntimeError, "expected 4D input"),
    (lambda L: L.grid_sampler_3d(_x(L, R(1, 2, 3, 4)), _x(L, R(1, 2, 2, 2)), 0, 0, True),
     RuntimeError, "expected 5D input"),
    (lambda L: L.grid_sampler(_x(L, R(1, 2, 3, 4, 2)), _x(L, R(1, 2, 2, 2, 3)), 2, 0, True),
     RuntimeError, "bicubic"),
    (lambda L: L.affine_grid_generator(_x(L, R(2, 2, 3)), [2, 3, 4], False), RuntimeError,
     "4d (spatial) or 5d"),
    (lambda L: L.frobenius_norm(_x(L, R(2, 3, 4)), [0, 1, 2]), RuntimeError, "at most 2"),
    (lambda L: L.frobenius_norm(_x(L, X.astype(np.int64)), [0]), RuntimeError, "floating"),
    (lambda L: L.nuclear_norm(_x(L, R(2, 3, 4)), [0]), RuntimeError, "2-tuple"),
    (lambda L: L.norm_except_dim(_x(L), 2, 5), IndexError, "out of range"),
    (lambda L: L.norm_except_dim(_x(L, R()), 2, 0), IndexError, "no dimensions"),
    (lambda L: L.rnn_tanh_cell(_x(L), _x(L, R(3, 5)), _x(L, R(5, 3)), _x(L, R(5, 5))),
     RuntimeError, "inconsistent input_size"),
    (lambda L: L.rnn_tanh_cell(_x(L), _x(L, R(2, 5)), _x(L, R(5, 4)), _x(L, R(5, 5))),
     RuntimeError, "batch size"),
    (lambda L: L.rnn_relu_cell(_x(L), _x(L, R(3, 4)), _x(L, R(5, 4)), _x(L, R(5, 5))),
     RuntimeError, "inconsistent hidden_size"),
    (lambda L: L.gru_cell(_x(L), _x(L, R(3, 5)), _x(L, R(20, 4)), _x(L, R(20, 5))),
     RuntimeError, "3 * hidden_size"),
    (lambda L: L.rnn_tanh_cell(_x(L, X[0]), _x(L, R(5)), _x(L, R(5, 4)), _x(L, R(5, 5))),
     IndexError, "out of range"),
    (lambda L: L.rnn_tanh_cell(_x(L), None, _x(L, R(5, 4)), _x(L, R(5, 5))), TypeError, "hx"),
    (lambda L: L.rnn_tanh_cell(_x(L), _x(L, R(3, 5).astype(np.float32)), _x(L, R(5, 4)),
                               _x(L, R(5, 5))), RuntimeError, "dtype"),
    (lambda L: L.lstm_cell(_x(L), [_x(L, R(3, 5))], _x(L, R(20, 4)), _x(L, R(20, 5))),
     RuntimeError, "two hidden states"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k):
    call, exc, frag = ERRORS[k]
    _raises(call, exc, frag)


def test_minigrad_refuses_what_torch_leaves_undefined():
    x, g = mg.tensor(R(1, 2, 3, 4)), mg.tensor(R(1, 2, 2, 2))
    with pytest.raises(RuntimeError, match="interpolation_mode must be"):
        mg.grid_sampler(x, g, 3, 0, False)
    with pytest.raises(RuntimeError, match="evaluation mode"):      # torch crashes here
        mg.native_batch_norm(mg.tensor(R(2, 3)), None, None, None, None, False, 0.1, 1e-5)
