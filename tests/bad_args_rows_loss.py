"""Rows of the bad-argument sweep: issue 15's losses and distances.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 15: loss ----
ALIASES.update({"HuberLoss": ("huber_loss",), "GaussianNLLLoss": ("gaussian_nll_loss",),
                "PoissonNLLLoss": ("poisson_nll_loss",),
                "MarginRankingLoss": ("margin_ranking_loss",),
                "HingeEmbeddingLoss": ("hinge_embedding_loss",),
                "CosineEmbeddingLoss": ("cosine_embedding_loss",),
                "TripletMarginLoss": ("triplet_margin_loss", "pairwise_distance"),
                "TripletMarginWithDistanceLoss": ("triplet_margin_with_distance_loss",
                                                  "pairwise_distance"),
                "SoftMarginLoss": ("soft_margin_loss",),
                "MultiLabelSoftMarginLoss": ("multilabel_soft_margin_loss",),
                "MultiLabelMarginLoss": ("multilabel_margin_loss",),
                "MultiMarginLoss": ("multi_margin_loss",),
                "CosineSimilarity": ("cosine_similarity",),
                "PairwiseDistance": ("pairwise_distance",),
                "triplet_margin_loss": ("pairwise_distance",),
                "triplet_margin_with_distance_loss": ("pairwise_distance",)})
PM = Arr(3, 4, kind="i", fixed=[[1, -1, 1, 1], [-1, -1, 1, -1], [1, 1, -1, 1]])
PM3 = Arr(3, kind="i", fixed=[1, -1, 1])
VAR = Arr(3, 4, kind="p", seed=5)
MLT = Arr(3, 4, kind="i", fixed=[[3, 0, -1, 1], [0, 1, 2, 3], [-1, 2, 1, 0]])
Z = Arr(3, 4, seed=2)

row("F.huber_loss", X, Y, "mean", 1.0, Arr(3, 4, kind="p", seed=3))
row("F.huber_loss", X, Y, reduction="sum", delta=0.5)
row("F.gaussian_nll_loss", X, Y, VAR, full=False, eps=1e-6, reduction="mean")
row("F.gaussian_nll_loss", X, Y, 0.5, full=True, eps=1e-6, reduction="sum")
row("F.poisson_nll_loss", X, P, True, False, None, 1e-8, None, "mean")
row("F.poisson_nll_loss", P, Q, log_input=False, full=True, eps=1e-8, reduction="none")
row("F.margin_ranking_loss", X, Y, PM, 0.5, reduction="mean")
row("F.hinge_embedding_loss", X, PM, 1.0, reduction="mean")
row("F.cosine_embedding_loss", X, Y, PM3, 0.2, reduction="mean")
row("F.triplet_margin_loss", X, Y, Z, 1.0, 2.0, 1e-6, False, reduction="mean")
row("F.triplet_margin_with_distance_loss", X, Y, Z, margin=1.0, swap=False,
    reduction="mean")
row("F.soft_margin_loss", X, PM, reduction="mean")
row("F.multilabel_soft_margin_loss", X, P, C4, reduction="mean")
row("F.multilabel_margin_loss", X, MLT, reduction="mean")
row("F.multi_margin_loss", X, T, 1, 1.0, C4, reduction="mean")
row("F.multi_margin_loss", X, T, p=2, margin=0.5, reduction="sum")
for _scope in ["F", "mg"]:
    row(f"{_scope}.cosine_similarity", X, Y, 1, 1e-8)
    row(f"{_scope}.pairwise_distance", X, Y, 2.0, 1e-6, False)

module("HuberLoss", ("mean", 1.0), inputs=(X, Y))
module("GaussianNLLLoss", (), {"full": False, "eps": 1e-6, "reduction": "mean"},
       inputs=(X, Y, VAR))
module("PoissonNLLLoss", (True, False), {"eps": 1e-8, "reduction": "mean"}, inputs=(X, P))
module("MarginRankingLoss", (0.5,), {"reduction": "mean"}, inputs=(X, Y, PM))
module("HingeEmbeddingLoss", (1.0,), {"reduction": "mean"}, inputs=(X, PM))
module("CosineEmbeddingLoss", (0.2,), {"reduction": "mean"}, inputs=(X, Y, PM3))
module("TripletMarginLoss", (1.0, 2.0, 1e-6, False), {"reduction": "mean"}, inputs=(X, Y, Z))
module("TripletMarginWithDistanceLoss", (), {"margin": 1.0, "swap": False,
                                             "reduction": "mean"}, inputs=(X, Y, Z))
module("SoftMarginLoss", (), {"reduction": "mean"}, inputs=(X, PM))
module("MultiLabelSoftMarginLoss", (C4,), {"reduction": "mean"}, inputs=(X, P),
       kinds={"weight": "tensor"})
module("MultiLabelMarginLoss", (), {"reduction": "mean"}, inputs=(X, MLT))
module("MultiMarginLoss", (1, 1.0, C4), {"reduction": "mean"}, inputs=(X, T),
       kinds={"weight": "tensor"})
module("CosineSimilarity", (1, 1e-8), inputs=(X, Y))
module("PairwiseDistance", (2.0, 1e-6, False), inputs=(X, Y))
