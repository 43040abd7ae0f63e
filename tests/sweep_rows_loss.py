"""Sweep rows: issue 15's losses (huber, gaussian/poisson NLL, margin and embedding losses,
multi-class hinge losses) and the distances (cosine_similarity, pairwise_distance), with
their modules.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers and shared row lists come in by star import)
from sweep_table import *


# ---- issue 15: loss ----
# Not here: integer inputs whose loss gets the default float dtype (this harness runs torch
# with float64 as default, minigrad with float32; tests/test_loss_*.py check them), and a
# bool target of soft_margin_loss (torch's forward takes it, its backward then fails; so does
# minigrad's: tests/test_loss_margin.py).
def _pm(t):
    """An int64 tensor of 0/1 (spec i(high=2)) as -1/+1 labels."""
    return t * 2 - 1


def _F(name, **kw):
    return (lambda *xs: getattr(F, name)(*xs, **kw),
            lambda *xs: getattr(tF, name)(*xs, **kw))


def _tag(kw):
    return ",".join(f"{k}={v}" for k, v in kw.items())


PAIRS = [(f(*s), f(*s)) for s in EMPTY] + [(f(4, 3, layout="t"), f(4, 3, layout="s")),
                                           (f(2, 5, layout="n"), f(5)), (f(3, 1), f(3, 4))]
for _red in ["mean", "sum", "none"]:
    for _kw in [{"reduction": _red}, {"reduction": _red, "delta": 0.5}]:
        case("F.huber_loss", *_F("huber_loss", **_kw), PAIRS, tag=_tag(_kw))
    case("F.huber_loss", lambda x, y, w, r=_red: F.huber_loss(x, y, r, 0.7, w),
         lambda x, y, w, r=_red: tF.huber_loss(x, y, r, 0.7, w),
         [(f(), f(), f()), (f(0, 5), f(0, 5), f(0, 5)),
          (f(4, 3, layout="t"), f(4, 3), f(4, 3, layout="s"))], tag=f"weight,{_red}")
    for _kw in [{"reduction": _red}, {"reduction": _red, "full": True, "eps": 0.1}]:
        case("F.gaussian_nll_loss", *_F("gaussian_nll_loss", **_kw),
             [(f(*s), f(*s), p(*s)) for s in EMPTY] +
             [(f(4, 3, layout="t"), f(4, 3, layout="s"), p(4, 3, layout="n")),
              (f(4, 3), f(4, 3), p(4)), (f(4, 3), f(4, 3), p(1, 3)), (f(2, 3), f(3), p(2, 1)),
              (f(4, 3), f(4, 3), p(4, 2)), (f(4, 3), f(4, 3), f(4, 3)), (f(3), f(3), p())],
             tag=_tag(_kw))
    case("F.gaussian_nll_loss", lambda x, y, r=_red: F.gaussian_nll_loss(x, y, 0.5, reduction=r),
         lambda x, y, r=_red: tF.gaussian_nll_loss(x, y, 0.5, reduction=r),
         [(f(), f()), (f(0, 3), f(0, 3)), (f(4, 3, layout="t"), f(4, 3))], tag=f"var=0.5,{_red}")
    for _kw in [{"reduction": _red}, {"reduction": _red, "log_input": False, "full": True}]:
        case("F.poisson_nll_loss", *_F("poisson_nll_loss", **_kw),
             [(p(*s), p(*s)) for s in EMPTY] +
             [(p(4, 3, layout="t"), p(4, 3, layout="s")), (p(3), i(2, 3, high=5)),
              (p(2, 3), b(2, 3))], tag=_tag(_kw))
    _kw = {"reduction": _red, "margin": 0.3}
    case("F.margin_ranking_loss",
         lambda x, y, t, kw=_kw: F.margin_ranking_loss(x, y, _pm(t), **kw),
         lambda x, y, t, kw=_kw: tF.margin_ranking_loss(x, y, _pm(t), **kw),
         [(f(), f(), i(high=2)), (f(0), f(0), i(0, high=2)), (f(3, 0, 2), f(3, 0, 2), i(3, 0, 2)),
          (f(4, 3, layout="t"), f(4, 3, layout="s"), i(4, 3, high=2, layout="t")),
          (f(3, 4), f(1, 4), i(3, 1, high=2)), (f(3), f(4), i(3, high=2)), (f(3), f(3, 1), i(3))],
         tag=_tag(_kw))
    case("F.margin_ranking_loss", *_F("margin_ranking_loss", **_kw),
         [(f(3), f(3), f(3)), (f(3), f(3), b(3))], tag=_tag(_kw))
    _kw = {"reduction": _red, "margin": 0.5}
    case("F.hinge_embedding_loss", lambda x, t, kw=_kw: F.hinge_embedding_loss(x, _pm(t), **kw),
         lambda x, t, kw=_kw: tF.hinge_embedding_loss(x, _pm(t), **kw),
         [(f(), i(high=2)), (f(0), i(0, high=2)), (f(3, 0, 2), i(3, 0, 2, high=2)),
          (f(4, 3, layout="t"), i(4, 3, high=2, layout="s")), (f(3), i(2, 3, high=2)),
          (f(3), i(2, high=2)), (i(2, 3), i(2, 3, high=2)), (b(2, 3), i(2, 3, high=2))],
         tag=_tag(_kw))
    case("F.hinge_embedding_loss", *_F("hinge_embedding_loss", **_kw),
         [(f(2, 3), f(2, 3)), (f(2, 3), b(2, 3)), (f(4), i(4, high=3))], tag=_tag(_kw))
    _kw = {"reduction": _red}
    case("F.soft_margin_loss", lambda x, t, kw=_kw: F.soft_margin_loss(x, _pm(t), **kw),
         lambda x, t, kw=_kw: tF.soft_margin_loss(x, _pm(t), **kw),
         [(f(), i(high=2)), (f(0), i(0, high=2)), (f(3, 0, 2), i(3, 0, 2, high=2)),
          (f(4, 3, layout="t"), i(4, 3, high=2, layout="s")), (f(2, 3), i(3, high=2)),
          (f(3), i(2, 3, high=2)), (i(2, 3), i(2, 3, high=2)), (b(2, 3), i(2, 3))],
         tag=_tag(_kw))
    case("F.soft_margin_loss", *_F("soft_margin_loss", **_kw),
         [(f(2, 3), f(2, 3, grad=False)), (f(2, 3), f(2, 3))],
         tag=_tag(_kw))
    case("F.multilabel_soft_margin_loss", *_F("multilabel_soft_margin_loss", **_kw),
         [(f(0, 4), p(0, 4)), (f(3, 0), p(3, 0)), (f(4), p(4)), (f(), p()),
          (f(4, 3, layout="t"), p(4, 3, layout="s")), (f(2, 3, 4), p(2, 3, 4)),
          (f(3, 4), i(3, 4, high=2)), (f(3, 4), b(3, 4)), (i(3, 4), p(3, 4)), (f(4), p(3, 4))],
         tag=_tag(_kw))
    case("F.multilabel_soft_margin_loss",
         lambda x, t, w, r=_red: F.multilabel_soft_margin_loss(x, t, w, reduction=r),
         lambda x, t, w, r=_red: tF.multilabel_soft_margin_loss(x, t, w, reduction=r),
         [(f(3, 4), p(3, 4), p(4)), (f(0, 4), p(0, 4), p(4)),
          (f(4, 3, layout="t"), p(4, 3), p(4, 1)), (f(3, 4), p(3, 4), p(5))], tag=f"weight,{_red}")
    _kw = {"reduction": _red, "margin": 0.2}
    case("F.cosine_embedding_loss",
         lambda x, y, t, kw=_kw: F.cosine_embedding_loss(x, y, _pm(t), **kw),
         lambda x, y, t, kw=_kw: tF.cosine_embedding_loss(x, y, _pm(t), **kw),
         [(f(3, 4), f(3, 4), i(3, high=2)), (f(0, 4), f(0, 4), i(0)), (f(3, 0), f(3, 0), i(3)),
          (f(4), f(4), i(high=2)), (f(4, 3, layout="t"), f(4, 3, layout="s"), i(4, high=2)),
          (f(3, 4), f(1, 4), i(1, high=2)), (f(3, 4), f(3, 4), i(high=2)),
          (f(2, 3, 4), f(2, 3, 4), i(2, 3)), (f(3, 4), f(3, 5), i(3)), (i(3, 4), f(3, 4), i(3)),
          (f(3, 4), f(3, 4), i(2, high=2))], tag=_tag(_kw))
    case("F.cosine_embedding_loss", *_F("cosine_embedding_loss", **_kw),
         [(f(3, 4), f(3, 4), f(3)), (f(3, 4), f(3, 4), b(3))], tag=_tag(_kw))
    for _kw in [{"reduction": _red}, {"reduction": _red, "margin": 0.5, "p": 1.5, "eps": 0.1,
                                      "swap": True}, {"reduction": _red, "p": float("inf")}]:
        case("F.triplet_margin_loss", *_F("triplet_margin_loss", **_kw),
             [(f(*s), f(*s), f(*s)) for s in EMPTY[:3]] +
             [(f(4, 3, layout="t"), f(4, 3, layout="s"), f(4, 3, layout="n")),
              (f(3, 4), f(1, 4), f(3, 4)), (f(2, 3, 4), f(2, 3, 4), f(2, 3, 4)),
              (f(3, 4), f(4), f(3, 4)), (b(3, 4), b(3, 4), b(3, 4))], tag=_tag(_kw))
    for _kw in [{"reduction": _red}, {"reduction": _red, "margin": 0.5, "swap": True}]:
        case("F.triplet_margin_with_distance_loss",
             *_F("triplet_margin_with_distance_loss", **_kw),
             [(f(), f(), f()), (f(0, 4), f(0, 4), f(0, 4)),
              (f(4, 3, layout="t"), f(4, 3, layout="s"), f(4, 3, layout="n")),
              (f(3, 4), f(4), f(3, 4))], tag=_tag(_kw))
    case("F.triplet_margin_with_distance_loss",
         lambda a, b_, c, r=_red: F.triplet_margin_with_distance_loss(
             a, b_, c, distance_function=lambda u, v: 1 - F.cosine_similarity(u, v),
             swap=True, reduction=r),
         lambda a, b_, c, r=_red: tF.triplet_margin_with_distance_loss(
             a, b_, c, distance_function=lambda u, v: 1 - tF.cosine_similarity(u, v),
             swap=True, reduction=r), [(f(3, 4), f(3, 4), f(3, 4))], tag=f"cosine,{_red}")
    _T = [(f(3, 4), i(3, 4, high=4)), (f(4), i(4, high=4)), (f(), i(high=1)),
          (f(0, 4), i(0, 4)), (f(4, 3, layout="t"), i(4, 3, layout="s")), (f(3, 4), i(3, high=4)),
          (f(3, 0), i(3, 0)), (f(2, 3, 4), i(2, 3, 4)), (f(3, 4), f(3, 4)), (i(3, 4), i(3, 4)),
          (f(3, 4), i(3, 4, high=6))]
    # a reduction over an empty batch: torch's multi-class hinge kernels return uninitialized
    # memory (0, 6.9e-310 or -0.3 from run to run; minigrad: 0 for sum, nan for mean); those
    # rows run with reduction='none' only
    _MM = [(f(3, 4), i(3, high=4)), (f(4), i(high=4)), (f(), i(high=1)), (f(4), i(1, high=4)),
           (f(4, 3, layout="t"), i(4, layout="s")), (f(3, 4), i(3, 1)), (f(3, 4), i(2)),
           (f(3, 0), i(3)), (f(2, 3, 4), i(2, 3)), (f(3, 4), f(3)), (i(3, 4), i(3)),
           (f(3, 4), i(3, high=6)), (f(1, 4), i(high=4))]
    if _red == "none":
        _T.append((f(0, 4), i(0, 4)))
        _MM.append((f(0, 4), i(0)))
    for _kw in [{"reduction": _red}, {"reduction": _red, "p": 2, "margin": 0.5}]:
        case("F.multi_margin_loss", *_F("multi_margin_loss", **_kw), _MM, tag=_tag(_kw))
    case("F.multilabel_margin_loss",
         lambda x, t, r=_red: F.multilabel_margin_loss(x, t - 1, reduction=r),
         lambda x, t, r=_red: tF.multilabel_margin_loss(x, t - 1, reduction=r),
         [r for r in _T if r[0].shape[:1] != (0,) or _red == "none"], tag=_red)
case("F.multi_margin_loss", lambda x, t, w: F.multi_margin_loss(x, t, weight=w, margin=0.5),
     lambda x, t, w: tF.multi_margin_loss(x, t, weight=w, margin=0.5),
     [(f(3, 4), i(3, high=4), f(4, grad=False)), (f(3, 4), i(3, high=4), f(4)),
      (f(3, 4), i(3, high=4), f(3, grad=False)), (f(3, 4), i(3, high=4), f(1, 4, grad=False))])

for _n in ["cosine_similarity", "pairwise_distance"]:
    for _kw in [{}, {"eps": 0.5}]:
        case(f"F.{_n}", *_F(_n, **_kw), [(f(3, 4), f(3, 4)), (f(4, 3, layout="t"), f(4, 3)),
                                         (f(3, 1, 4), f(5, 4)), (f(3, 4), f(4))], tag=_tag(_kw))
        case(f"mg.{_n}", lambda *xs, n=_n, kw=_kw: getattr(mg, n)(*xs, **kw),
             lambda *xs, n=_n, kw=_kw: getattr(torch, n)(*xs, **kw),
             [(f(3, 4), f(3, 4)), (f(2, 5, layout="n"), f(2, 5)), (f(0, 4), f(0, 4)),
              (f(3, 0), f(3, 0))], tag=_tag(_kw))
for _kw in [{"dim": 0}, {"dim": -1}]:
    case("F.cosine_similarity", *_F("cosine_similarity", **_kw),
         [(f(), f()), (f(0, 4), f(0, 4)), (f(3, 0), f(3, 0)), (f(3, 4), f(2, 4)), (f(3), f(3)),
          (i(3), f(3)), (i(3), i(3)), (b(3), f(3)), (f(3), f(3, 1))], tag=_tag(_kw))
case("F.cosine_similarity", *_F("cosine_similarity", dim=1, eps=0.0),
     [(f(3, 4), f(3, 4)), (f(3), f(3))], tag="dim=1,eps=0")
for _kw in [{"p": 1.0}, {"p": 0.5, "keepdim": True}, {"p": float("inf")}, {"p": 0.0},
            {"p": -1.0, "keepdim": True}, {"p": 3.0, "eps": 0.0}]:
    case("F.pairwise_distance", *_F("pairwise_distance", **_kw),
         [(f(), f()), (f(0, 4), f(0, 4)), (f(3, 4), f(4)), (f(4), f(3, 4)), (f(), f(3)),
          (f(2, 5, layout="n"), f(2, 5, layout="s")), (b(3), b(3)),
          (f(3, 4), f(2, 4))], tag=_tag(_kw))
case("F.pairwise_distance", *_F("pairwise_distance"), [(f(3, 0), f(3, 0))])


def _w(nn, n=4):
    return (torch if nn is torch.nn else mg).ones(n).double() * 0.5


for _name, _make, _specs in [
        ("HuberLoss", lambda nn: nn.HuberLoss(delta=0.5), PAIRS[:5]),
        ("HuberLoss", lambda nn: nn.HuberLoss("sum", 2.0), PAIRS[4:]),
        ("SoftMarginLoss", lambda nn: nn.SoftMarginLoss(), [(f(3, 4), f(3, 4, grad=False))]),
        ("MultiLabelSoftMarginLoss", lambda nn: nn.MultiLabelSoftMarginLoss(weight=_w(nn)),
         [(f(3, 4), p(3, 4)), (f(0, 4), p(0, 4)), (f(4, 4, layout="t"), p(4, 4))]),
        ("MultiLabelSoftMarginLoss", lambda nn: nn.MultiLabelSoftMarginLoss(reduction="none"),
         [(f(3, 4), p(3, 4)), (f(4), p(4))]),
        ("MultiLabelMarginLoss", lambda nn: nn.MultiLabelMarginLoss(reduction="sum"),
         [(f(3, 4), i(3, 4, high=4)), (f(4, 3, layout="t"), i(4, 3))]),   # (empty: above)
        ("MultiMarginLoss", lambda nn: nn.MultiMarginLoss(p=2, margin=0.5, weight=_w(nn)),
         [(f(3, 4), i(3, high=4)), (f(4), i(high=4)), (f(4, 4, layout="t"), i(4, high=4))]),
        ("MultiMarginLoss", lambda nn: nn.MultiMarginLoss(reduction="none"),
         [(f(3, 4), i(3, high=4)), (f(), i(high=1))]),
        ("GaussianNLLLoss", lambda nn: nn.GaussianNLLLoss(full=True, eps=0.1),
         [(f(3, 4), f(3, 4), p(3, 4)), (f(3, 4), f(3, 4), p(3)), (f(0, 4), f(0, 4), p(0, 1))]),
        ("PoissonNLLLoss", lambda nn: nn.PoissonNLLLoss(log_input=False, full=True),
         [(p(3, 4), p(3, 4)), (p(0, 4), p(0, 4)), (p(4, 3, layout="t"), p(4, 3))]),
        ("PoissonNLLLoss", lambda nn: nn.PoissonNLLLoss(), [(f(3, 4), p(3, 4)), (f(), p())]),
        ("MarginRankingLoss", lambda nn: nn.MarginRankingLoss(0.5, reduction="sum"),
         [(f(4), f(4), f(4)), (f(0), f(0), f(0)), (f(4, 3, layout="t"), f(4, 3), f(4, 3))]),
        ("HingeEmbeddingLoss", lambda nn: nn.HingeEmbeddingLoss(2.0),
         [(f(3, 4), f(3, 4)), (f(), f()), (f(0, 2), f(0, 2))]),
        ("CosineEmbeddingLoss", lambda nn: nn.CosineEmbeddingLoss(0.3, reduction="none"),
         [(f(3, 4), f(3, 4), f(3)), (f(4), f(4), f()), (f(0, 4), f(0, 4), f(0))]),
        ("TripletMarginLoss", lambda nn: nn.TripletMarginLoss(0.5, 3.0, swap=True),
         [(f(3, 4), f(3, 4), f(3, 4)), (f(0, 4), f(0, 4), f(0, 4)), (f(), f(), f())]),
        ("TripletMarginWithDistanceLoss",
         lambda nn: nn.TripletMarginWithDistanceLoss(margin=2.0, reduction="sum"),
         [(f(3, 4), f(3, 4), f(3, 4)), (f(0, 4), f(0, 4), f(0, 4)), (f(4), f(4), f(4))]),
        ("TripletMarginWithDistanceLoss",
         lambda nn: nn.TripletMarginWithDistanceLoss(distance_function=nn.CosineSimilarity()),
         [(f(3, 4), f(3, 4), f(3, 4))]),
        ("CosineSimilarity", lambda nn: nn.CosineSimilarity(dim=0, eps=0.1),
         [(f(3, 4), f(3, 4)), (f(), f()), (f(0, 4), f(1, 4)), (f(3, 4, layout="t"), f(4))]),
        ("PairwiseDistance", lambda nn: nn.PairwiseDistance(1.0, keepdim=True),
         [(f(3, 4), f(3, 4)), (f(), f()), (f(0, 4), f(0, 4)), (f(3, 4, layout="s"), f(4))]),
]:
    module_case(_name, _make, _specs)
