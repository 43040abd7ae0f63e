"""Sample calls for the out= tests: name -> [make(rng) -> (args, kwargs)], where args hold
NumPy arrays (made tensors of either library by the test) and plain Python values.
A name's calls cover the overloads that take out= (max(x), max(x, dim), ...)."""
from __future__ import annotations

import numpy as np


def _f(*shape, lo=-2.0, hi=2.0):
    return lambda r: r.uniform(lo, hi, shape)


def _i(*shape, lo=0, hi=5):
    return lambda r: r.integers(lo, hi, shape)


def _b(*shape):
    return lambda r: r.random(shape) < 0.5


def _make(a, r):
    if isinstance(a, list):
        return [_make(v, r) for v in a]
    return a(r) if callable(a) and not isinstance(a, type) else a


def _call(*args, **kwargs):
    """One call: makers (callables of rng) become arrays, other values pass as they are."""
    def make(r):
        return [_make(a, r) for a in args], {k: _make(v, r) for k, v in kwargs.items()}
    return make


def _spd(n):
    def make(r):
        a = r.standard_normal((n, n))
        return a @ a.T + n * np.eye(n)
    return make


def _lu_data(k):
    """LU factors of one fixed matrix: k = 0 the packed factors, 1 the 1-based pivots."""
    import scipy.linalg
    a = np.random.default_rng(5).standard_normal((3, 3))
    lu, piv = scipy.linalg.lu_factor(a)
    return lambda r: (lu, (piv + 1).astype(np.int32))[k]


CALLS = {}
X, Y, P = _f(3, 4), _f(3, 4), _f(3, 4, lo=0.1, hi=0.9)

for _n in ("abs absolute acos arccos asin arcsin asinh arcsinh atan arctan atanh arctanh ceil "
           "cos cosh deg2rad digamma erf erfc erfinv exp exp2 expm1 fix floor frac i0 lgamma "
           "log log10 log1p log2 logit nan_to_num neg negative rad2deg reciprocal round rsqrt "
           "sgn sigmoid sign signbit sin sinc sinh sqrt square tan tanh trunc angle "
           "conj_physical isneginf isposinf logical_not").split():
    CALLS[_n] = [_call(P), _call(_i(3, 4))]
del CALLS["frac"][1]
CALLS["acosh"] = CALLS["arccosh"] = [_call(_f(3, 4, lo=1.1, hi=3.0)), _call(_i(5, lo=1))]
CALLS["bitwise_not"] = [_call(_i(3, 4)), _call(_b(3, 4))]
CALLS["round"] = [_call(P), _call(P, decimals=1)]
CALLS["polygamma"] = [_call(1, P)]
CALLS["mvlgamma"] = [_call(_f(3, 4, lo=1.5, hi=3.0), p=2)]
for _n in ("add sub subtract mul multiply div divide true_divide floor_divide remainder fmod "
           "atan2 arctan2 hypot copysign nextafter logaddexp logaddexp2 maximum minimum fmax "
           "fmin xlogy eq ne not_equal lt less le less_equal gt greater ge greater_equal "
           "logical_and logical_or logical_xor").split():
    CALLS[_n] = [_call(X, Y), _call(_i(3, 4), _i(4, lo=1)), _call(X, 2.5)]
for _n in ("atan2 arctan2 fmax fmin hypot logaddexp logaddexp2 logical_and logical_or "
           "logical_xor maximum minimum nextafter").split():
    del CALLS[_n][2]        # torch takes no number as other here
for _n in "hypot logaddexp logaddexp2 nextafter".split():
    del CALLS[_n][1]        # no integer kernels in torch
CALLS["add"] += [_call(X, Y, alpha=2)]
CALLS["div"] += [_call(X, Y, rounding_mode="floor"), _call(_i(3, 4), _i(4, lo=1),
                                                          rounding_mode="trunc")]
CALLS["pow"] = [_call(P, Y), _call(P, 2), _call(2.0, Y), _call(_i(3, 4), 2)]
CALLS["float_power"] = [_call(P, Y), _call(_i(3, 4), 2)]
CALLS["heaviside"] = [_call(X, Y)]
CALLS["igamma"] = CALLS["igammac"] = [_call(P, P)]
CALLS["ldexp"] = [_call(X, _i(3, 4))]
for _n in ("gcd lcm bitwise_and bitwise_or bitwise_xor bitwise_left_shift "
           "bitwise_right_shift").split():
    CALLS[_n] = [_call(_i(3, 4), _i(3, 4))]
CALLS["addcmul"] = CALLS["addcdiv"] = [_call(X, Y, P), _call(X, Y, P, value=0.5)]
CALLS["lerp"] = [_call(X, Y, 0.3), _call(X, Y, P)]
CALLS["where"] = [_call(_b(3, 4), X, Y)]
CALLS["clamp"] = CALLS["clip"] = [_call(X, -0.5, 0.5), _call(X, min=-1.0), _call(X, Y, P),
                                  _call(_i(3, 4), 1, 3)]
CALLS["clamp_min"] = [_call(X, 0.1)]
CALLS["clamp_max"] = [_call(X, 0.1)]

CALLS["mm"] = [_call(_f(3, 4), _f(4, 2))]
CALLS["bmm"] = [_call(_f(2, 3, 4), _f(2, 4, 2))]
CALLS["mv"] = [_call(_f(3, 4), _f(4))]
CALLS["dot"] = CALLS["vdot"] = CALLS["inner"] = [_call(_f(4), _f(4))]
CALLS["matmul"] = [_call(_f(3, 4), _f(4, 2)), _call(_f(4), _f(4)), _call(_f(2, 3, 4), _f(4))]
CALLS["addmm"] = [_call(_f(3, 2), _f(3, 4), _f(4, 2)), _call(_f(2), _f(3, 4), _f(4, 2),
                                                            beta=0.5, alpha=2)]
CALLS["addmv"] = [_call(_f(3), _f(3, 4), _f(4))]
CALLS["addbmm"] = [_call(_f(3, 2), _f(2, 3, 4), _f(2, 4, 2))]
CALLS["baddbmm"] = [_call(_f(2, 3, 2), _f(2, 3, 4), _f(2, 4, 2))]
CALLS["addr"] = [_call(_f(3, 4), _f(3), _f(4))]
CALLS["outer"] = CALLS["ger"] = [_call(_f(3), _f(4))]
CALLS["kron"] = [_call(_f(2, 3), _f(2, 2))]
CALLS["chain_matmul"] = [_call(_f(3, 4), _f(4, 2), _f(2, 5))]
CALLS["matrix_power"] = [_call(_f(3, 3), 3)]
CALLS["cross"] = [_call(_f(4, 3), _f(4, 3), dim=1)]
CALLS["tensordot"] = [_call(_f(3, 4), _f(4, 2), dims=1)]
CALLS["inverse"] = [_call(_spd(3))]
CALLS["cholesky"] = [_call(_spd(3))]
CALLS["cholesky_inverse"] = [_call(lambda r: np.linalg.cholesky(_spd(3)(r)))]
CALLS["cholesky_solve"] = [_call(_f(3, 2), lambda r: np.linalg.cholesky(_spd(3)(r)))]
CALLS["triangular_solve"] = [_call(_f(3, 2), lambda r: np.triu(_spd(3)(r)))]
CALLS["qr"] = [_call(_f(4, 3))]
CALLS["svd"] = [_call(_f(4, 3))]
CALLS["diag"] = [_call(_f(4)), _call(_f(3, 4), 1)]
CALLS["tril"] = CALLS["triu"] = [_call(X), _call(X, -1)]
CALLS["renorm"] = [_call(X, 2, 0, 1.0)]

for _n in "sum nansum prod mean nanmean amax amin all any logsumexp std var norm".split():
    CALLS[_n] = [_call(X, 1), _call(X, 1, keepdim=True)]
for _n in "nansum mean nanmean all any std var".split():
    CALLS[_n].append(_call(X))
CALLS["all"] += [_call(_b(3, 4), 0)]
CALLS["any"] += [_call(_b(3, 4), 0)]
CALLS["sum"] += [_call(_i(3, 4), 0), _call(X, 0, dtype=np.float32)]
CALLS["prod"] += [_call(_i(3, 4), 0)]
CALLS["norm"] += [_call(X, 1, 1)]
CALLS["nuclear_norm"] = [_call(X)]
CALLS["aminmax"] = [_call(X), _call(X, dim=1)]
for _n in "max min".split():
    CALLS[_n] = [_call(X), _call(X, 1), _call(X, Y)]
for _n in "argmax argmin".split():
    CALLS[_n] = [_call(X), _call(X, 1)]
for _n in "median nanmedian".split():
    CALLS[_n] = [_call(X, 1)]
CALLS["mode"] = [_call(_i(3, 4), 1)]
CALLS["kthvalue"] = [_call(X, 2, 1)]
CALLS["topk"] = [_call(X, 2)]
CALLS["sort"] = [_call(X), _call(X, 0, True)]
CALLS["argsort"] = [_call(X, stable=True, dim=1)]
CALLS["msort"] = [_call(X)]
for _n in "cumsum cumprod logcumsumexp cummax cummin".split():
    CALLS[_n] = [_call(X, 1)]
CALLS["cumsum"] += [_call(_i(3, 4), 0)]
CALLS["quantile"] = CALLS["nanquantile"] = [_call(_f(7), 0.3), _call(X, 0.5, 1)]
CALLS["histc"] = [_call(_f(20), bins=4)]
CALLS["histogram"] = [_call(_f(20), bins=4)]
CALLS["diff"] = [_call(X), _call(X, 2, 0)]

CALLS["gather"] = CALLS["take_along_dim"] = [_call(X, 1, _i(3, 2, hi=4))]
CALLS["take_along_dim"] = [_call(X, _i(3, 2, hi=4), 1)]
CALLS["index_select"] = [_call(X, 1, _i(3, hi=4))]
CALLS["take"] = [_call(X, _i(5, hi=12))]
CALLS["masked_select"] = [_call(X, _b(3, 4))]
CALLS["nonzero"] = [_call(_b(3, 4))]
CALLS["searchsorted"] = [_call(np.array([0.0, 1.0, 2.0, 3.0]), X)]
CALLS["bucketize"] = [_call(X, np.array([0.0, 1.0, 2.0]))]
CALLS["isin"] = [_call(_i(3, 4), _i(3))]
CALLS["scatter"] = [_call(X, 1, _i(3, 2, hi=4), _f(3, 2))]
CALLS["index_add"] = [_call(X, 1, np.array([0, 2]), _f(3, 2))]
CALLS["index_copy"] = [_call(X, 1, np.array([0, 2]), _f(3, 2))]
CALLS["narrow_copy"] = [_call(X, 1, 1, 2)]
CALLS["squeeze_copy"] = [_call(_f(3, 1, 4))]
CALLS["view_copy"] = [_call(X, (4, 3))]
CALLS["frexp"] = [_call(X)]
CALLS["lu_solve"] = [_call(_f(3, 2), _lu_data(0), _lu_data(1))]
CALLS["lu_unpack"] = [_call(_lu_data(0), _lu_data(1))]

for _n in "cat concat concatenate".split():
    CALLS[_n] = [_call([X, Y]), _call([X, Y], 1)]
CALLS["stack"] = [_call([X, Y]), _call([X, Y], 1)]
for _n in "hstack vstack dstack column_stack row_stack".split():
    CALLS[_n] = [_call([X, Y])]

CALLS["zeros"] = CALLS["ones"] = CALLS["empty"] = [_call((2, 3)), _call(2, 3)]
CALLS["full"] = [_call((2, 3), 1.5)]
CALLS["arange"] = [_call(5), _call(1, 4, 0.5)]
CALLS["range"] = [_call(1, 4), _call(0, 2, 0.5)]
CALLS["linspace"] = CALLS["logspace"] = [_call(0, 1, 5)]
CALLS["eye"] = [_call(3), _call(3, 4)]

CALLS["alias_copy"] = CALLS["detach_copy"] = CALLS["t_copy"] = [_call(X)]
CALLS["as_strided_copy"] = [_call(X, (2, 2), (1, 2))]
CALLS["diagonal_copy"] = [_call(X), _call(X, 1)]
CALLS["expand_copy"] = [_call(_f(4), (3, 4))]
CALLS["permute_copy"] = [_call(X, (1, 0))]
CALLS["select_copy"] = [_call(X, 0, 1)]
CALLS["slice_copy"] = [_call(X, 1, 1, 3)]
CALLS["transpose_copy"] = [_call(X, 0, 1)]
CALLS["unfold_copy"] = [_call(X, 1, 2, 1)]
CALLS["unsqueeze_copy"] = [_call(X, 0)]
CALLS["slice_scatter"] = [_call(X, _f(3, 2), 1, 0, 2)]
CALLS["frobenius_norm"] = [_call(X, (0, 1))]
CALLS["hardshrink"] = [_call(X), _call(X, 1.0)]
CALLS["threshold"] = [_call(X, 0.5, 0.0)]
CALLS["softmax"] = CALLS["log_softmax"] = [_call(X, 1)]
CALLS["scatter_add"] = [_call(X, 1, _i(3, 2, hi=4), _f(3, 2))]
CALLS["scatter_reduce"] = [_call(X, 1, _i(3, 2, hi=4), _f(3, 2), "amax")]
CALLS["index_reduce"] = [_call(X, 1, np.array([0, 2]), _f(3, 2), "prod")]
CALLS["nonzero_static"] = [_call(_b(3, 4), size=5)]
CALLS["orgqr"] = [_call(_f(4, 3), _f(2))]
CALLS["native_batch_norm"] = [_call(_f(4, 3), None, None, None, None, True, 0.1, 1e-5)]

# random draws: shapes, dtypes and the out rules are compared, not values
RANDOM = ("rand randn randint randperm normal bernoulli multinomial").split()
CALLS["rand"] = CALLS["randn"] = [_call(2, 3), _call((2, 3))]
CALLS["randint"] = [_call(5, (2, 3)), _call(1, 5, (2, 3))]
CALLS["randperm"] = [_call(5)]
CALLS["normal"] = [_call(X, P), _call(0.0, P), _call(X, 1.0), _call(0.0, 1.0, (2, 3))]
CALLS["bernoulli"] = [_call(P)]
CALLS["multinomial"] = [_call(P, 2)]
CALLS["unbind_copy"] = [_call(X), _call(X, 1)]
CALLS["split_copy"] = [_call(X, 2)]
CALLS["split_with_sizes_copy"] = [_call(X, [1, 2])]

# torch has no out= for these forms: neither has minigrad
NO_OUT = {"trace": [_call(_f(3, 3))], "std_mean": [_call(X, 1)], "var_mean": [_call(X, 1)],
          "sum": [_call(X)], "prod": [_call(X)], "median": [_call(X)],
          "nanmedian": [_call(X)], "argsort": [_call(X, 1)], "where": [_call(_b(3, 4), X, 0.0)],
          "clone": [_call(X)], "flip": [_call(X, [0])], "relu": [_call(X)],
          "linalg.matrix_exp": [_call(_f(3, 3))], "linalg.vander": [_call(_f(4))]}

# ---- torch.linalg ----
A, SPD, B = _f(3, 3), _spd(3), _f(3, 2)
for _n in ("cholesky cholesky_ex inv inv_ex det slogdet eigh eigvalsh lu lu_factor "
           "lu_factor_ex svd svdvals qr pinv cond matrix_rank").split():
    CALLS[f"linalg.{_n}"] = [_call(SPD)]
CALLS["linalg.qr"] += [_call(_f(4, 3), mode="complete")]
CALLS["linalg.svd"] = [_call(_f(4, 3), full_matrices=False)]
CALLS["linalg.pinv"] += [_call(_f(4, 3))]
CALLS["linalg.cond"] += [_call(SPD, "fro")]
for _n in "solve solve_ex".split():
    CALLS[f"linalg.{_n}"] = [_call(SPD, B), _call(SPD, _f(3))]
CALLS["linalg.solve_triangular"] = [_call(lambda r: np.triu(_spd(3)(r)), B, upper=True)]
CALLS["linalg.lu_solve"] = [_call(_lu_data(0), _lu_data(1), B)]
CALLS["linalg.lstsq"] = [_call(_f(4, 3), _f(4, 2))]
CALLS["linalg.cross"] = [_call(_f(4, 3), _f(4, 3))]
CALLS["linalg.matmul"] = [_call(_f(3, 4), _f(4, 2))]
CALLS["linalg.vecdot"] = [_call(X, Y)]
CALLS["linalg.matrix_power"] = [_call(A, 2)]
CALLS["linalg.multi_dot"] = [_call([_f(3, 4), _f(4, 2), _f(2, 5)])]
CALLS["linalg.householder_product"] = [_call(_f(4, 3), _f(2))]
CALLS["linalg.norm"] = [_call(X), _call(X, 2, 1), _call(A, "fro")]
CALLS["linalg.vector_norm"] = [_call(X), _call(X, 3, 1), _call(X, dtype=np.float64)]
CALLS["linalg.matrix_norm"] = [_call(A), _call(A, "nuc"), _call(A, 1)]
CALLS["linalg.tensorinv"] = [_call(lambda r: _spd(4)(r).reshape(4, 2, 2), ind=1)]
CALLS["linalg.tensorsolve"] = [_call(lambda r: _spd(4)(r).reshape(2, 2, 4), _f(2, 2))]

# ---- torch.special ----
for _n in ("airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 digamma entr erf erfc erfcx erfinv "
           "exp2 expit expm1 gammaln i0 i0e i1 i1e log1p log_ndtr logit modified_bessel_i0 "
           "modified_bessel_i1 modified_bessel_k0 modified_bessel_k1 ndtr ndtri psi round "
           "scaled_modified_bessel_k0 scaled_modified_bessel_k1 sinc spherical_bessel_j0").split():
    CALLS[f"special.{_n}"] = [_call(P), _call(_i(3, 4))]
for _n in "gammainc gammaincc zeta".split():
    CALLS[f"special.{_n}"] = [_call(_f(3, 4, lo=1.1, hi=3.0), P)]
for _n in "xlogy xlog1py".split():
    CALLS[f"special.{_n}"] = [_call(X, P), _call(2.0, P)]
for _n in ("chebyshev_polynomial_t chebyshev_polynomial_u chebyshev_polynomial_v "
           "chebyshev_polynomial_w hermite_polynomial_h hermite_polynomial_he "
           "laguerre_polynomial_l legendre_polynomial_p shifted_chebyshev_polynomial_t "
           "shifted_chebyshev_polynomial_u shifted_chebyshev_polynomial_v "
           "shifted_chebyshev_polynomial_w").split():
    CALLS[f"special.{_n}"] = [_call(P, _i(3, 4)), _call(P, 3)]
CALLS["special.polygamma"] = [_call(1, P)]
CALLS["special.multigammaln"] = [_call(_f(3, 4, lo=1.5, hi=3.0), 2)]
CALLS["special.logsumexp"] = [_call(X, 1)]
CALLS["special.round"] = [_call(P), _call(P, decimals=1)]

# ---- gaps: geqrf / ormqr and linalg's LDL^T (factors of fixed matrices, from LAPACK) ----


def _lapack_data(kind, k):
    """Factors of one fixed matrix: kind 'qr' (geqrf's a, tau) or 'ldl' (LD, 1-based pivots)."""
    from scipy.linalg import lapack
    a = np.random.default_rng(6).standard_normal((4, 3) if kind == "qr" else (3, 3))
    if kind == "qr":
        parts = lapack.dgeqrf(a)[:2]
    else:
        lu, piv, _ = lapack.dsytrf(a + a.T, lower=1)
        parts = (np.tril(lu), piv.astype(np.int32))
    return lambda r: parts[k]


def _sym3(r):
    a = r.standard_normal((3, 3))
    return a + a.T


CALLS["geqrf"] = [_call(_f(4, 3))]
CALLS["ormqr"] = [_call(_lapack_data("qr", 0), _lapack_data("qr", 1), _f(4, 2)),
                  _call(_lapack_data("qr", 0), _lapack_data("qr", 1), _f(2, 4), left=False)]
CALLS["linalg.ldl_factor"] = CALLS["linalg.ldl_factor_ex"] = [_call(_sym3)]
CALLS["linalg.ldl_solve"] = [_call(_lapack_data("ldl", 0), _lapack_data("ldl", 1), _f(3, 2))]
