"""Rows of the bad-argument sweep: elementwise binary special math and aliases, torch's
top-level in-place forms, array utilities (ops/binary_special.py, elementwise_aliases.py,
array_utils.py, array_build.py, integrate.py).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, Arr, X, Y, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

ALIASES.update({"greater": ("gt",), "greater_equal": ("ge",), "less": ("lt",),
                "less_equal": ("le",), "not_equal": ("ne",), "fix": ("trunc",),
                "negative": ("neg",), "arccos": ("acos",), "arcsin": ("asin",),
                "arctan": ("atan",), "arccosh": ("acosh",), "arcsinh": ("asinh",),
                "arctanh": ("atanh",), "trapz": ("trapezoid",), "argwhere": ("nonzero",),
                "clip": ("clamp",), "float_power": ("pow",), "ldexp": ("pow", "mul"),
                "deg2rad": ("mul",), "rad2deg": ("mul",), "combinations": ("index",),
                "diagflat": ("diag",), "renorm": ("vector_norm",)})

KI = Arr(3, 4, kind="i", high=9, seed=2)
V1 = Arr(4, seed=3)
IV4 = Arr(6, kind="i", high=4, seed=4)
W6 = Arr(6, seed=5)
for _n in ["copysign", "fmax", "fmin", "nextafter", "ldexp", "float_power"]:
    both(_n, X, Y)
row("mg.float_power", 2.0, Y)
both("heaviside", X, Y)
for _n in ["gcd", "lcm"]:
    both(_n, K, KI)
    row(f"Tensor.{_n}_", K, KI)
    row(f"mg.{_n}_", K, KI)
for _n in ["frexp", "signbit", "deg2rad", "rad2deg", "positive", "fix", "arccos", "arcsin",
           "arctan", "arcsinh"]:
    both(_n, X)
both("arctanh", P)
both("arccosh", Arr(3, 4, fill=2.0))
for _n in ["greater", "greater_equal", "less", "less_equal", "not_equal"]:
    both(_n, X, Y)
for _n in ["deg2rad_", "rad2deg_", "fix_", "negative_", "arccos_", "arcsin_", "arctan_",
           "arcsinh_", "arctanh_"]:
    row(f"Tensor.{_n}", P)
row("Tensor.arccosh_", Arr(3, 4, fill=2.0))
for _n in ["copysign_", "heaviside_", "nextafter_", "ldexp_"]:
    row(f"Tensor.{_n}", X, Y)
row("Tensor.float_power_", X.like(dtype="float64"), Y)
row("Tensor.renorm_", X, 2, 0, 1.0)
for _n in ["abs_", "asinh_", "atan_", "ceil_", "cos_", "cosh_", "erf_", "erfc_", "exp_",
           "exp2_", "expm1_", "floor_", "frac_", "neg_", "sigmoid_", "sin_", "sinh_", "square_",
           "tan_", "tanh_", "trunc_", "zero_", "fix_", "negative_", "deg2rad_", "arcsinh_",
           "arctan_"]:
    row(f"mg.{_n}", X)
for _n in ["acos_", "asin_", "atanh_", "log_", "log10_", "log1p_", "log2_", "reciprocal_",
           "rsqrt_", "sqrt_", "arccos_", "arcsin_", "arctanh_"]:
    row(f"mg.{_n}", P)
for _n in ["acosh_", "arccosh_"]:
    row(f"mg.{_n}", Arr(3, 4, fill=2.0))
row("mg.fill_", X, 2.5)
row("mg.xlogy_", P, 3.0)
row("mg.ldexp_", X, Y)
row("mg.clamp_", X, -0.5, 0.5)
row("mg.clip_", X, -0.5, 0.5)
row("mg.clamp_min_", X, 0.1)
row("mg.clamp_max_", X, 0.1)
row("mg.round_", X, decimals=1)
row("mg.nan_to_num_", X, 0.0, 1.0, -1.0)
row("mg.addmv_", Arr(3), X, V1, beta=1, alpha=2)

# ---- array utilities ----
both("argwhere", X)
both("bincount", IV4, W6, 5)
both("histc", X, 10, -1.0, 1.0)
both("unique_consecutive", K, True, True, 1)
row("mg.isin", K, KI, assume_unique=False, invert=False)
row("mg.unravel_index", K, (3, 4))
both("diagflat", V1, 1)
both("renorm", X, 2, 0, 1.0)
row("mg.combinations", V1, 2, False)
row("mg.vander", V1, 3, False)
both("diff", X, 1, 1, Arr(3, 1, seed=7), Arr(3, 2, seed=8))
for _n in ["trapezoid", "trapz", "cumulative_trapezoid"]:
    row(f"mg.{_n}", X, V1, dim=1)
    row(f"mg.{_n}", X, dx=0.5, dim=0)
for _n in ["is_floating_point", "is_complex", "is_signed"]:
    both(_n, X)
both("is_nonzero", Arr(1))
both("is_same_size", X, Y)
for _n in ["tril_indices", "triu_indices"]:
    row(f"mg.{_n}", 3, 4, 1, dtype=Dt("int64"))
row("mg.scalar_tensor", 1.5, dtype=Dt("float64"))
row("mg.broadcast_shapes", (2, 1), (3,))
row("mg.range", 0, 3, 0.5, dtype=Dt("float64"))

# ---- statistics ----
AW = Arr(4, kind="p", seed=9)
FW = Arr(4, kind="i", high=3, fixed=[1, 2, 0, 1])
both("cov", X, correction=1, fweights=FW, aweights=AW)
both("corrcoef", X)
for _n in ["quantile", "nanquantile"]:
    both(_n, X, 0.3, 1, False, interpolation="linear")
    row(f"mg.{_n}", X, Arr(2, kind="p", seed=10), 0, True, interpolation="midpoint")
row("mg.pdist", X, 2.0)
row("F.pdist", X, 1.0)
