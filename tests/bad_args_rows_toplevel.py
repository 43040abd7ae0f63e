"""Rows of the bad-argument sweep: fractional max pooling (F.fractional_max_pool2d/3d,
nn.FractionalMaxPool2d/3d) and torch's top-level functional forms (mg.dropout,
mg.batch_norm, mg.kl_div, mg.convolution, mg.grid_sampler, the RNN cells, ...).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

# ---- fractional max pooling ----
_F2, _S2 = Arr(2, 3, 7, 6), Arr(2, 3, 2, kind="p")
_F3, _S3 = Arr(1, 2, 5, 6, 5), Arr(1, 2, 3, kind="p")
for _nd, _x, _s in ((2, _F2, _S2), (3, _F3, _S3)):
    _n = f"fractional_max_pool{_nd}d"
    # without _random_samples the windows are drawn: shapes and dtypes only
    row(f"F.{_n}", _x, 2, 3, None, False, _s, random=("_random_samples",))
    row(f"F.{_n}_with_indices", _x, 2, 3, None, False, _s, aka=(_n,),
        random=("_random_samples",))
    module(f"FractionalMaxPool{_nd}d", (2, 3, None, False, _s), inputs=(_x,),
           random=("_random_samples",))
    ALIASES[f"FractionalMaxPool{_nd}d"] = (_n,)

# ---- top-level forms: dropout ----
X3 = Arr(2, 3, 4)
for _n in ("dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout"):
    row(f"mg.{_n}", X3, 0.0, True, random=("p",))
    row(f"mg.{_n}_", Arr(2, 3, 4, seed=5), 0.0, True, random=("p",), aka=(_n,))
row("mg.native_dropout", X3, 0.0, False, random=("p", "train"))

# ---- normalization ----
_W3, _B3 = Arr(3, seed=1), Arr(3, seed=2)
_RM, _RV = Arr(3, kind="p", seed=3), Arr(3, kind="p", seed=4)
row("mg.batch_norm", X3, _W3, _B3, _RM, _RV, False, 0.1, 1e-5, True)
row("mg.instance_norm", X3, _W3, _B3, None, None, True, 0.1, 1e-5, True)
row("mg.layer_norm", X3, [4], Arr(4, seed=1), None, 1e-5, True)
row("mg.group_norm", Arr(2, 4, 3), 2, Arr(4, seed=1), None, 1e-5, True)
row("mg.rms_norm", X3, [4], Arr(4, seed=1), 1e-6)
# (torch crashes on eval without running statistics: those stay fixed; tests/
# test_functional_torch.py checks minigrad's error)
row("mg.native_batch_norm", X3, _W3, _B3, _RM, _RV, False, 0.1, 1e-5, aka=("batch_norm",),
    fixed=("running_mean", "running_var"))
row("mg.native_layer_norm", X3, [4], Arr(4, seed=1), None, 1e-5, aka=("layer_norm",))
row("mg.native_group_norm", Arr(2, 4, 3), None, None, 2, 4, 3, 2, 1e-5, aka=("group_norm",))
row("mg.embedding", Arr(5, 3), Arr(2, 4, kind="i", high=5), -1, False, False)

# ---- losses (reduction as the int enum) ----
row("mg.kl_div", X, P, 1, log_target=False)
row("mg.poisson_nll_loss", X, P, True, False, 1e-8, 1)
_T = Arr(3, 4, kind="i", fixed=[[1, -1, 1, 1], [-1, -1, 1, -1], [1, 1, -1, 1]])
row("mg.hinge_embedding_loss", X, _T, 1.0, 1)
row("mg.margin_ranking_loss", Arr(4), Arr(4, seed=1), Arr(4, kind="i", fixed=[1, -1, 1, -1]),
    0.1, 1)
row("mg.triplet_margin_loss", X, Y, Arr(3, 4, seed=2), 1.0, 2.0, 1e-6, False, 1)
row("mg.cosine_embedding_loss", X, Y, Arr(3, kind="i", fixed=[1, -1, 1]), 0.0, 1)
row("mg.binary_cross_entropy_with_logits", X, P, None, None, 1)
_LP = Expr(lambda L, a: a.log_softmax(2), Arr(5, 2, 4))
row("mg.ctc_loss", _LP, Arr(2, 2, kind="i", fixed=[[1, 2], [3, 3]]), [5, 5], [2, 2], 0, 1,
    False)

# ---- padding, pooling, convolution, sampling ----
row("mg.constant_pad_nd", X, [1, 2], 0.5, aka=("pad",))
_P1 = Arr(2, 3, 7)
row("mg.avg_pool1d", _P1, 2, 2, 0, False, True)
row("mg.max_pool1d", _P1, 2, 2, 0, 1, False)
row("mg.max_pool1d_with_indices", _P1, 2, 2, 0, 1, False, aka=("max_pool1d",))
row("mg.max_pool2d", Arr(2, 3, 4, 5), 2, 2, 0, 1, False)
row("mg.max_pool3d", Arr(1, 2, 4, 5, 4), 2, 2, 0, 1, False)
row("mg.adaptive_avg_pool1d", _P1, 3)
row("mg.adaptive_max_pool1d", _P1, 3)
_X4, _W4 = Arr(2, 3, 5, 4), Arr(4, 3, 2, 2, seed=1)
row("mg.convolution", _X4, _W4, Arr(4, seed=2), [1, 1], [0, 0], [1, 1], False, [0, 0], 1,
    aka=("conv2d",))
for _who in ("mg", "F"):
    row(f"{_who}.conv_tbc", Arr(5, 2, 3), Arr(2, 3, 4, seed=1), Arr(4, seed=2), 1)
    row(f"{_who}.native_channel_shuffle", Arr(2, 4, 3), 2, aka=("channel_shuffle",))
_G = Expr(lambda L, g: g.tanh(), Arr(2, 3, 2, 2, seed=1))
for _n in ("grid_sampler", "grid_sampler_2d"):
    row(f"mg.{_n}", _X4, _G, 0, 0, False, aka=("grid_sample",))
row("mg.grid_sampler_3d", Arr(1, 2, 3, 4, 3), Expr(lambda L, g: g.tanh(),
                                                    Arr(1, 2, 3, 2, 3, seed=1)),
    0, 0, False, aka=("grid_sample",))
row("mg.affine_grid_generator", Arr(2, 2, 3), [2, 3, 4, 5], False, aka=("affine_grid",))

# ---- norms and RNN cells ----
row("mg.frobenius_norm", X3, [0, 1], False, aka=("vector_norm",))
row("mg.nuclear_norm", X3, [0, 2], False, aka=("matrix_norm",))
row("mg.norm_except_dim", X3, 2, 0, aka=("norm",))
_H = Arr(3, 5, seed=1)
for _n, _g in (("rnn_tanh_cell", 1), ("rnn_relu_cell", 1), ("gru_cell", 3)):
    row(f"mg.{_n}", X, _H, Arr(5 * _g, 4, seed=2), Arr(5 * _g, 5, seed=3),
        Arr(5 * _g, seed=4), None)
row("mg.lstm_cell", X, [_H, Arr(3, 5, seed=5)], Arr(20, 4, seed=2), Arr(20, 5, seed=3),
    Arr(20, seed=4), None)
