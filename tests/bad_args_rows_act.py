"""Rows of the bad-argument sweep: issue 15's activations (F, mg., Tensor. names, in-place
forms and modules).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


# ---- issue 15: act ----
X4C = Arr(3, 4, seed=7)
W4 = Arr(4, kind="p", seed=2)
row("F.elu", X, 1.0, False)
row("F.elu_", X, 1.0)
row("F.selu", X, False)
row("F.selu_", X)
row("F.celu", X, 1.0, False)
row("F.celu_", X, 1.0)
row("F.leaky_relu", X, 0.01, False)
row("F.leaky_relu_", X, 0.01)
row("F.rrelu", X, 0.125, 1 / 3, False, False, random={"training"})
row("F.rrelu_", X, 0.125, 1 / 3, False, random={"training"})
row("F.relu6", X, False)
row("F.hardtanh", X, -1.0, 1.0, False)
row("F.hardtanh_", X, -1.0, 1.0)
for _n in ["hardswish", "hardsigmoid", "mish"]:
    row(f"F.{_n}", X, False)
for _n in ["softsign", "tanhshrink"]:
    row(f"F.{_n}", X)
row("F.softmin", X, 1, dtype=Dt("float64"))
row("F.threshold", X, 0.1, 2.0, False)
row("F.threshold_", X, 0.1, 2.0)
row("F.hardshrink", X, 0.5)
row("F.softshrink", X, 0.5)
row("F.glu", X, -1)
row("F.prelu", X4C, W4)
row("F.relu_", X)
row("mg.selu", X)
row("mg.selu_", X)
row("mg.celu", X, 1.0)
row("mg.celu_", X, 1.0)
row("mg.threshold", X, 0.1, 2.0)
row("mg.threshold_", X, 0.1, 2.0)
row("mg.rrelu", X, 0.125, 1 / 3, False, random={"training"})
row("mg.rrelu_", X, 0.125, 1 / 3, False, random={"training"})
row("mg.relu_", X)
both("hardshrink", X, 0.5)
both("prelu", X4C, W4)

ALIASES.update({"ELU": ("elu",), "SELU": ("selu",), "CELU": ("celu",),
                "LeakyReLU": ("leaky_relu",), "RReLU": ("rrelu",), "ReLU6": ("relu6",),
                "Hardtanh": ("hardtanh",), "Hardswish": ("hardswish",),
                "Hardsigmoid": ("hardsigmoid",), "Mish": ("mish",), "Softsign": ("softsign",),
                "Softmin": ("softmin",), "Softmax2d": ("softmax",),
                "Tanhshrink": ("tanhshrink",), "Threshold": ("threshold",),
                "Hardshrink": ("hardshrink",), "Softshrink": ("softshrink",), "GLU": ("glu",),
                "PReLU": ("prelu",), "LogSigmoid": ("logsigmoid",), "Softplus": ("softplus",)})
module("ELU", (1.0, False))
module("CELU", (1.0, False))
module("SELU", (False,))
module("LeakyReLU", (0.01, False))
module("RReLU", (0.125, 1 / 3, False), train=False)
module("ReLU6", (False,))
module("Hardtanh", (-1.0, 1.0, False))
for _n in ["Hardswish", "Hardsigmoid", "Mish"]:
    module(_n, (False,))
for _n in ["Softsign", "Tanhshrink", "LogSigmoid"]:
    module(_n)
module("Softmin", (1,))
module("Softmax2d", inputs=(Arr(2, 3, 4),))
module("Threshold", (0.1, 2.0, False))
module("Hardshrink", (0.5,))
module("Softshrink", (0.5,))
module("GLU", (-1,))
module("PReLU", (4, 0.25), inputs=(X4C,))
module("Softplus", (1.0, 20.0))
