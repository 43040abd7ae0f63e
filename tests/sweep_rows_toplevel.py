"""Sweep rows: fractional max pooling (with fixed _random_samples: values and gradients; without:
shapes and dtypes) and torch's top-level functional forms (mg.dropout, mg.batch_norm,
mg.kl_div, mg.convolution, mg.grid_sampler, the RNN cells, ...) over empty batches,
unbatched and non-contiguous inputs against torch.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *


def _samples(n, c, nd, seed=0):
    return np.random.default_rng(seed).random((n, c, nd))


def _frac(nd, fn_name, *a, **kw):
    """F.<fn_name>(x, *a, **kw) with samples fixed per input shape (both libraries)."""
    def call(L, Fn):
        def run(x):
            n, c = (1, x.shape[0]) if x.ndim == nd + 1 else x.shape[:2]
            s = L.tensor(_samples(max(n, 1), c, nd))
            return getattr(Fn, fn_name)(x, *a, _random_samples=s, **kw)
        return run
    return call(mg, F), call(torch, tF)


_F2 = [(f(0, 3, 6, 5),), (f(2, 3, 6, 5),), (f(2, 3, 5, 6, layout="t"),),
       (f(2, 2, 6, 8, layout="s"),), (f(3, 6, 5),), (f(2, 3, 6, 5, layout="n"),)]
_F3 = [(f(0, 2, 4, 4, 5),), (f(1, 2, 4, 5, 4, layout="t"),), (f(2, 4, 5, 4),),
       (f(1, 2, 4, 4, 6, layout="s"),)]
for _nd, _rows in ((2, _F2), (3, _F3)):
    _n = f"fractional_max_pool{_nd}d"
    case(f"F.{_n}", *_frac(_nd, _n, 2, 3), _rows)
    case(f"F.{_n}", *_frac(_nd, _n, (2,) * _nd, output_ratio=(0.5,) * _nd,
                           return_indices=True), _rows, tag="ratio,indices")
    case(f"F.{_n}_with_indices", *_frac(_nd, f"{_n}_with_indices", 1, 2), _rows)
    case(f"F.{_n}", lambda x, n=_n: getattr(F, n)(x, 2, 2),
         lambda x, n=_n: getattr(tF, n)(x, 2, 2), _rows, values=False, grad=False,
         tag="drawn")
module_case("FractionalMaxPool2d", lambda nn: nn.FractionalMaxPool2d(2, output_ratio=0.5),
            _F2, values=False, grad=False)
module_case("FractionalMaxPool3d", lambda nn: nn.FractionalMaxPool3d(2, output_size=2),
            _F3, values=False, grad=False)

# ---- top-level forms ----------------------------------------------------------------------
def top(name, fn, rows, **opts):
    """mg.name against torch.name: fn(L, *xs) with L the library."""
    case(f"mg.{name}", lambda *xs: fn(mg, *xs), lambda *xs: fn(torch, *xs), rows, **opts)


_NCL = [(f(0, 3, 7),), (f(2, 3, 7),), (f(2, 7, 3, layout="t"),), (f(2, 3, 7, layout="s"),),
        (f(3, 7),)]
for _n in ("dropout", "alpha_dropout", "feature_dropout", "feature_alpha_dropout"):
    top(_n, lambda L, x, n=_n: getattr(L, n)(x, 0.0, True), floats((2, 3, 4)), tag="p=0")
    top(_n, lambda L, x, n=_n: getattr(L, n)(x, 0.4, False), floats((2, 3, 4)), tag="eval")
    top(_n, lambda L, x, n=_n: getattr(L, n)(x, 0.4, True), _NCL, values=False, tag="train")
    top(_n + "_", lambda L, x, n=_n: getattr(L, n + "_")(x.detach().clone(), 1.0, True),
        _NCL, grad=False)
top("native_dropout", lambda L, x: L.native_dropout(x, 0.4, False), floats((2, 3)), tag="eval")
top("native_dropout", lambda L, x: L.native_dropout(x, 0.4, True), _NCL, values=False)

_NORM = [(f(0, 3, 4),), (f(2, 3, 4),), (f(2, 4, 3, layout="t"),), (f(2, 3, 4, layout="s"),),
         (f(4, 3),)]
top("batch_norm", lambda L, x: L.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
    _NORM[1:])
top("instance_norm", lambda L, x: L.instance_norm(x, None, None, None, None, True, 0.1, 1e-5,
                                                  False), _NORM[1:4])
top("layer_norm", lambda L, x: L.layer_norm(x, x.shape[-1:]), _NORM + [(f(5),)])
top("group_norm", lambda L, x: L.group_norm(x, 3), _NORM[:4])
top("rms_norm", lambda L, x: L.rms_norm(x, x.shape[-1:]), _NORM + [(f(5),)])
top("native_batch_norm", lambda L, x: L.native_batch_norm(x, None, None, None, None, True, 0.1,
                                                          1e-5)[0], _NORM[1:])
top("native_layer_norm", lambda L, x: L.native_layer_norm(x, x.shape[-1:], None, None, 1e-5),
    _NORM, grad=False)
top("native_layer_norm", lambda L, x: L.native_layer_norm(x, x.shape[-1:], None, None,
                                                          1e-5)[0], _NORM, tag="out")
top("native_group_norm", lambda L, x: L.native_group_norm(
    x, None, None, x.shape[0], x.shape[1], x[0, 0].numel(), 3, 1e-5), _NORM[:4])
top("embedding", lambda L, w, i: L.embedding(w, i, 1), [(f(4, 3), i(2, 5, high=4)),
                                                        (f(4, 3, layout="t"), i(0, high=4)),
                                                        (f(4, 3), i(high=4))])
_PAIR = [(f(*s), p(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), p(4, 3))]
for _r in (0, 1, 2):
    top("kl_div", lambda L, x, t, r=_r: L.kl_div(x, t, r), _PAIR, tag=str(_r))
    top("binary_cross_entropy_with_logits",
        lambda L, x, t, r=_r: L.binary_cross_entropy_with_logits(x, t, None, None, r), _PAIR,
        tag=str(_r))
    top("poisson_nll_loss", lambda L, x, t, r=_r: L.poisson_nll_loss(x, t, True, False, 1e-8,
                                                                     r), _PAIR, tag=str(_r))
    top("hinge_embedding_loss", lambda L, x, t, r=_r: L.hinge_embedding_loss(
        x, (t > 0.5).double() * 2 - 1, 1.0, r), _PAIR, tag=str(_r))
    top("margin_ranking_loss", lambda L, a, b, r=_r: L.margin_ranking_loss(
        a, b, (b > 0).double() * 2 - 1, 0.1, r), [(f(5), f(5)), (f(0), f(0))], tag=str(_r))
    top("triplet_margin_loss", lambda L, a, b, c, r=_r: L.triplet_margin_loss(
        a, b, c, 1.0, 2.0, 1e-6, False, r), [(f(3, 4), f(3, 4), f(3, 4, layout="t")),
                                             (f(0, 4), f(0, 4), f(0, 4))], tag=str(_r))
    top("cosine_embedding_loss", lambda L, a, b, r=_r: L.cosine_embedding_loss(
        a, b, (a[:, 0] > 0).double() * 2 - 1, 0.0, r), [(f(3, 4), f(3, 4, layout="t"))],
        tag=str(_r))
top("ctc_loss", lambda L, lp: L.ctc_loss(lp.log_softmax(2), L.tensor([[1, 2], [2, 2]]), [5, 5],
                                         [2, 2], 0, 1, False), [(f(5, 2, 4),)])
top("ctc_loss", lambda L, lp: L.ctc_loss(lp.log_softmax(1), L.tensor([1, 2]), L.tensor([5]),
                                         L.tensor([2]), 0, 0, True), [(f(5, 4),)],
    tag="unbatched")
top("constant_pad_nd", lambda L, x: L.constant_pad_nd(x, [1, 0], 2.0),
    floats()[1:] + [(i(3, 4),), (b(2, 3),)])
top("constant_pad_nd", lambda L, x: L.constant_pad_nd(x, [-1, 1, 1, 0]), [(f(3, 4),),
                                                                         (f(3, 4, layout="t"),)],
    tag="crop")
_P1 = [(f(0, 3, 6),), (f(2, 3, 6, layout="n"),), (f(2, 4, 6, layout="t"),), (f(3, 6),)]
_P2 = [(f(0, 3, 4, 4),), (f(2, 3, 4, 6, layout="t"),), (f(3, 4, 4),)]
_P3 = [(f(0, 2, 4, 4, 4),), (f(1, 2, 4, 4, 6, layout="t"),), (f(2, 4, 4, 4),)]
top("avg_pool1d", lambda L, x: L.avg_pool1d(x, 2), _P1)
top("max_pool1d", lambda L, x: L.max_pool1d(x, 2, (), 1), _P1)
top("max_pool1d_with_indices", lambda L, x: L.max_pool1d_with_indices(x, 3, 2), _P1)
top("max_pool2d", lambda L, x: L.max_pool2d(x, 2), _P2)
top("max_pool3d", lambda L, x: L.max_pool3d(x, 2, 1), _P3)
top("adaptive_avg_pool1d", lambda L, x: L.adaptive_avg_pool1d(x, 3), _P1[1:])
top("adaptive_max_pool1d", lambda L, x: L.adaptive_max_pool1d(x, 3), _P1)
top("convolution", lambda L, x, w: L.convolution(x, w, None, [1], [1], [1], False, [0], 1),
    [(f(2, 3, 5), f(4, 3, 2)), (f(0, 3, 5), f(4, 3, 2)), (f(2, 3, 5, layout="t"),
                                                         f(4, 3, 2, layout="s"))])
top("convolution", lambda L, x, w: L.convolution(x, w, None, [2, 1], [0, 1], [1, 1], True,
                                                 [1, 0], 1), [(f(2, 3, 4, 5), f(3, 2, 2, 2))],
    tag="transposed")
for _mod in (mg, F):
    _who = "mg" if _mod is mg else "F"
    _tmod = torch if _mod is mg else tF
    case(f"{_who}.conv_tbc", lambda x, w, b, m=_mod: m.conv_tbc(x, w, b, 1),
         lambda x, w, b, m=_tmod: m.conv_tbc(x, w, b, 1),
         [(f(5, 2, 3), f(3, 3, 4), f(4)), (f(5, 0, 3), f(2, 3, 4), f(4)),
          (f(5, 3, 2, layout="t"), f(2, 3, 4), f(4)), (f(2, 2, 3), f(5, 3, 4), f(4))])
    case(f"{_who}.native_channel_shuffle", lambda x, m=_mod: m.native_channel_shuffle(x, 2),
         lambda x, m=_tmod: m.native_channel_shuffle(x, 2),
         [(f(2, 4, 3),), (f(0, 4, 3),), (f(2, 4, 3, 5, layout="t"),)], grad=False)
_G4 = [(f(2, 3, 4, 5), f(2, 3, 2, 2)), (f(0, 3, 4, 5), f(0, 3, 2, 2)),
       (f(1, 2, 5, 4, layout="t"), f(1, 2, 3, 2))]
_G5 = [(f(1, 2, 3, 4, 3), f(1, 2, 2, 3, 3)), (f(0, 2, 3, 4, 3), f(0, 2, 2, 3, 3))]
top("grid_sampler", lambda L, x, g: L.grid_sampler(x, g.tanh(), 0, 1, False), _G4 + _G5)
top("grid_sampler_2d", lambda L, x, g: L.grid_sampler_2d(x, g.tanh(), 1, 2, True), _G4)
top("grid_sampler_3d", lambda L, x, g: L.grid_sampler_3d(x, g.tanh(), 0, 0, False), _G5)
top("affine_grid_generator", lambda L, t: L.affine_grid_generator(t, [t.shape[0], 3, 4, 5],
                                                                  False),
    [(f(2, 2, 3),), (f(0, 2, 3),), (f(2, 2, 3, layout="t"),)])
top("frobenius_norm", lambda L, x: L.frobenius_norm(x, [0]), floats()[1:])
top("nuclear_norm", lambda L, x: L.nuclear_norm(x), [(f(3, 4),), (f(2, 3, 4, layout="t"),),
                                                     (f(0, 3, 2),)], grad=False)
top("norm_except_dim", lambda L, x: L.norm_except_dim(x, 2, 0), floats()[1:])
top("norm_except_dim", lambda L, x: L.norm_except_dim(x, 2, -1), floats(), tag="all")
_CELL = [(f(3, 4), f(3, 5)), (f(0, 4), f(0, 5)), (f(4, 3, layout="t"), f(3, 5, layout="s"))]
for _n, _g in (("rnn_tanh_cell", 1), ("rnn_relu_cell", 1), ("gru_cell", 3)):
    top(_n, lambda L, x, h, n=_n, g=_g: getattr(L, n)(
        x, h, L.tensor(np.linspace(-1, 1, g * 20).reshape(g * 5, 4)),
        L.tensor(np.linspace(1, -1, g * 25).reshape(g * 5, 5))), _CELL)
top("lstm_cell", lambda L, x, h: L.lstm_cell(
    x, (h, h * 2), L.tensor(np.linspace(-1, 1, 80).reshape(20, 4)),
    L.tensor(np.linspace(1, -1, 100).reshape(20, 5)))[1], _CELL)
