"""The top-level functions that take torch's `out=`, each with torch's dtype rule for it.

minigrad/__init__.py imports the wrapped functions from here in place of the plain ones (see
out_param.py for what out= does). The rule of a name is what torch's out= overload checks
(tests/test_out_param.py compares every name and out dtype with torch's):
  "cast"   the result must cast to out's dtype (TensorIterator ops);
  "exact"  out's dtype must be the result's;
  "dtype"  the op's dtype= defaults to out's;
  "float"  as cast, into floating outs only;
  "create" a creation function: dtype and device default to out's;
  "any", "list_exact", "list_copy": see out_param.py;
  a function of the call's (args, kwargs) where the rule depends on the overload (None: torch
  has no out= for that form).
"""
from __future__ import annotations

import builtins

import minigrad as _mg

from .out_param import with_out

_CAST = """
acos acosh add addcdiv addcmul addr angle arccos arccosh arcsin arcsinh arctan arctan2 arctanh
asin asinh atan atan2 atanh bitwise_and bitwise_left_shift bitwise_or bitwise_right_shift
bitwise_xor cat cholesky cholesky_inverse cholesky_solve column_stack concat concatenate
copysign cos cosh deg2rad diff digamma div divide dstack eq erf erfc erfinv exp exp2 expm1
floor_divide fmax fmin fmod gcd ge ger greater greater_equal gt hstack hypot i0 igamma igammac
kron lcm le less less_equal lgamma log log10 log1p log2 logaddexp logaddexp2 logical_and
logical_not logical_or logical_xor logit logsumexp lt maximum mean minimum mul multiply mvlgamma
ne nextafter not_equal outer polygamma pow rad2deg reciprocal remainder row_stack
rsqrt sigmoid sin sinc sinh sqrt square stack std sub subtract tan tanh true_divide var vstack
xlogy threshold orgqr geqrf
"""
_EXACT = """
abs absolute addbmm addmm addmv all amax amin aminmax any argmax argmin baddbmm bitwise_not bmm
bucketize ceil chain_matmul clamp_max clamp_min conj_physical cross cummax cummin diag dot fix
float_power floor frac frexp gather heaviside histc histogram index_add index_copy index_select
inner inverse isin isneginf isposinf kthvalue ldexp logcumsumexp lu_solve lu_unpack
masked_select matmul matrix_power mm mode msort mv nan_to_num nanquantile narrow_copy neg
negative nonzero norm nuclear_norm qr quantile renorm round scatter searchsorted sgn sign
signbit sort squeeze_copy svd take take_along_dim tensordot topk triangular_solve tril triu
trunc vdot view_copy
alias_copy as_strided_copy detach_copy diagonal_copy expand_copy frobenius_norm hardshrink
index_reduce log_softmax multinomial native_batch_norm nonzero_static permute_copy scatter_add
scatter_reduce select_copy slice_copy slice_scatter softmax t_copy transpose_copy unfold_copy
unsqueeze_copy ormqr
"""
_DTYPE = "cumsum cumprod"
_FLOAT = "nansum nanmean"
_CREATE = "arange empty eye full linspace logspace ones range zeros rand randn randint randperm"


def _has_dim(args, kwargs):
    return len(args) > 1 or kwargs.get("dim") is not None


def _is_tensor(v):
    return hasattr(v, "grad_fn")


def _reduce_with_dtype(args, kwargs):       # sum(x) and prod(x) take no out=; with dim they do
    return "dtype" if _has_dim(args, kwargs) else None


def _max_min(args, kwargs):                 # max(x) and max(x, y) cast; max(x, dim) is exact
    other = args[1] if len(args) > 1 else kwargs.get("dim", kwargs.get("other"))
    return "exact" if other is not None and not _is_tensor(other) else "cast"


def _clamp(args, kwargs):                   # tensor bounds: TensorIterator's cast; numbers exact
    bounds = list(args[1:3]) + [kwargs.get("min"), kwargs.get("max")]
    return "cast" if builtins.any(_is_tensor(b) for b in bounds) else "exact"


def _lerp(args, kwargs):
    weight = args[2] if len(args) > 2 else kwargs.get("weight")
    return "exact" if _is_tensor(weight) else "cast"


def _where(args, kwargs):                   # where(c, x, y) with two tensors only
    return "exact" if len(args) == 3 and builtins.all(_is_tensor(a) for a in args[1:]) else None


def _normal(args, kwargs):                  # normal(mean, std, size) is a creation function
    return "create" if len(args) > 2 or "size" in kwargs else "float"


def _median(args, kwargs):
    return "exact" if _has_dim(args, kwargs) else None


def _argsort(args, kwargs):                 # only argsort(x, *, stable, dim, descending)
    return "exact" if "stable" in kwargs and len(args) == 1 else None


# (the loop below binds all, any, max, min, sum, range, ... in this module: builtins are
# spelled builtins.X above)
RULES = {**{n: "cast" for n in _CAST.split()}, **{n: "exact" for n in _EXACT.split()},
         **{n: "dtype" for n in _DTYPE.split()}, **{n: "create" for n in _CREATE.split()},
         **{n: "float" for n in _FLOAT.split()},
         "sum": _reduce_with_dtype, "prod": _reduce_with_dtype, "max": _max_min,
         "min": _max_min, "clamp": _clamp, "clip": _clamp, "lerp": _lerp, "where": _where,
         "median": _median, "nanmedian": _median, "argsort": _argsort, "normal": _normal,
         "bernoulli": "any", "unbind_copy": "list_exact", "split_copy": "list_copy",
         "split_with_sizes_copy": "list_exact"}

for _name, _rule in RULES.items():
    globals()[_name] = with_out(getattr(_mg, _name), _name, _rule)

__all__ = sorted(RULES)
