"""Norms and distances: linalg.vector_norm, linalg.matrix_norm, linalg.norm, norm, dist
(cdist is in cdist.py), with torch's arguments, dtype rules and errors.

VectorNorm is the one fused op (its gradient needs torch's care at a zero norm); matrix
norms are compositions of it, amax/amin and the singular values (SVD). The SVD's gradient
is first order only: differentiating it again raises, rather than silently dropping the
terms from the derivative of the singular vectors.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from ..autograd import Op, wrap
from ..backend import array_module
from .arith import torch_name
from .checks import need_bool, need_number
from .compare import need_tensor, where
from .reduce import _dims, _drop_dims, _expand_back, amax, amin
from .shape import normalize_dim

INF = math.inf


def _sign(x):
    """sign(x) as a constant (its derivative is 0 wherever it exists)."""
    return wrap(array_module(x.data).sign(x.data))


class VectorNorm(Op):
    """sum(|x|^ord)^(1/ord) over dims; ord inf/-inf: max/min |x|; ord 0: count nonzero."""

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        xp = array_module(x)
        a = xp.abs(x)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if ord == INF:
                out = a.max(axis=dims, keepdims=True)
            elif ord == -INF:
                out = a.min(axis=dims, keepdims=True)
            elif ord == 0:
                out = (x != 0).sum(axis=dims, keepdims=True).astype(x.dtype)
            elif ord == 1:
                out = a.sum(axis=dims, keepdims=True)
            elif ord == 2:
                out = xp.sqrt((a * a).sum(axis=dims, keepdims=True))
            else:
                out = ((a ** ord).sum(axis=dims, keepdims=True)) ** (1.0 / ord)
        out = _drop_dims(xp.asarray(out, dtype=x.dtype), dims, keepdim)
        ctx.args = x.shape, dims, keepdim
        ctx.ord = ord
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors              # torch's linalg_vector_norm_backward
        p = ctx.ord
        g = _expand_back(g, *ctx.args)
        norm = _expand_back(out, *ctx.args)
        if p == 0:
            return g * 0, None, None, None
        if p == 1:                              # d|x| = sign(x) dx
            return _sign(x) * g, None, None, None
        zero = norm == 0
        if p in (INF, -INF):                    # ties at the max |x| share the gradient
            xa = x.data
            xp = array_module(xa)
            hit = (xp.abs(xa) == norm.data) | xp.isnan(xa)
            mask = wrap(hit.astype(xa.dtype))
            count = mask.sum(ctx.args[1], keepdim=True)
            return _sign(x) * (g / count) * mask, None, None, None
        if p == 2:                              # dn = x / n dx, 0 where n = 0
            return x * where(zero, 0.0, g / where(zero, 1.0, norm)), None, None, None
        # dn = sign(x) |x|^(p-1) / n^(p-1) dx
        if p < 2:
            x0 = x == 0
            scaled = _sign(x) * where(x0, 1.0, x.abs()) ** (p - 1)
            if p < 1:
                scaled = where(x0, 0.0, scaled)
        else:
            scaled = x * x.abs() ** (p - 2)
        scale = where(zero, 0.0, g / where(zero, 1.0, norm) ** (p - 1))
        return scaled * scale, None, None, None

    @staticmethod
    def jvp(ctx, tx, *_):                   # dn = sum over dims of (dn/dx) dx, dn/dx the
        out = ctx.outputs[0]                # backward above for an upstream gradient of ones
        ones = wrap(array_module(out.data).ones_like(out.data))
        dims, keepdim = ctx.args[1], ctx.args[2]
        prod = VectorNorm.backward(ctx, ones)[0] * tx
        return prod.sum(dims, keepdim=keepdim) if dims else prod


def _ord_text(ord):
    return "inf" if ord == INF else "-inf" if ord == -INF else f"{ord:g}"


def _float_dtype(x, dtype, op):
    """The input after torch's dtype checks of linalg norms (and dtype= casting)."""
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                           f"Got {torch_name(x.dtype)}")
    if dtype is None:
        return x
    from ..backend import to_dtype
    dt = to_dtype(dtype)
    if dt.kind not in "fc":
        raise RuntimeError(f"{op}: dtype should be floating point or complex, but got "
                           f"{torch_name(dt)}")
    if dt.itemsize < x.dtype.itemsize:
        raise RuntimeError(f"{op}: the dtype of the input ({torch_name(x.dtype)}) should be "
                           f"convertible without narrowing to the specified dtype "
                           f"({torch_name(dt)})")
    return x.to(dt)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ord-norm of x over dim (an int, a tuple, or None/(): all), treating those dims as
    one vector; ord any number, inf or -inf (torch.linalg.vector_norm)."""
    need_tensor("linalg.vector_norm", x, "x", 1)
    if not isinstance(ord, numbers.Number):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {type(ord).__name__}")
    x = _float_dtype(x, dtype, "linalg.vector_norm")
    if isinstance(dim, (tuple, list)) and len(set(dim)) != len(dim):
        raise RuntimeError(f"dim {dim[0]} appears multiple times in the list of dims")
    dims = _dims(x, dim, "linalg.vector_norm")
    if ord < 0 or ord == INF:                   # max/min-like: no identity for nothing
        if dim is None or dim == () or dim == []:
            if x.numel() == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} "
                                   "norm on an empty tensor because the operation does not "
                                   "have an identity")
        else:
            for d in dims:
                if x.shape[d] == 0:
                    raise RuntimeError(f"linalg.vector_norm cannot compute the "
                                       f"{_ord_text(ord)} norm on the dimension {d}because "
                                       "this dimension is empty and the operation does not "
                                       "have an identity")
    return VectorNorm.apply(x, float(ord), dims, keepdim)


# ---- matrix norms ------------------------------------------------------------------------
class SvdVals(Op):
    """Singular values over the last two dims, descending: dA = U diag(dS) V^H."""

    @staticmethod
    def forward(ctx, a):
        xp = array_module(a)
        if a.shape[-1] == 0 or a.shape[-2] == 0:
            ctx.uv = None
            return xp.zeros(a.shape[:-2] + (0,), a.dtype)
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        ctx.uv = u, vh
        ctx.save_for_backward(a)
        return s

    @staticmethod
    def backward(ctx, g):
        if ctx.uv is None:
            return None
        a, = ctx.saved_tensors                  # an input of the backward node only so that
        return SvdValsBackward.apply(g, a, *ctx.uv)     # differentiating it again raises

    @staticmethod
    def jvp(ctx, ta):                       # ds_k = u_k^T dA v_k (first order, as backward)
        if ctx.uv is None:
            out = ctx.outputs[0]
            return wrap(array_module(out.data).zeros_like(out.data))
        u, vh = (wrap(m) for m in ctx.uv)
        return ((u.transpose(-1, -2) @ ta) * vh).sum(-1)


class SvdValsBackward(Op):
    @staticmethod
    def forward(ctx, g, a, u, vh):
        return (u * g[..., None, :]) @ vh

    @staticmethod
    def backward(ctx, gg):
        raise RuntimeError("matrix_norm: double backward of the singular values (ord 'nuc', 2 "
                           "or -2) is not supported in minigrad")

    @staticmethod
    def jvp(ctx, tg, ta, *_):               # linear in g: d out = U diag(dg) V^H; through A:
        if ta is not None:                  # second order, refused as backward does
            SvdValsBackward.backward(ctx, None)
        return SvdValsBackward.apply(tg, *ctx.inputs[1:])


def _matrix_dims(A, dim, op):
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        got = " ".join(map(str, dim)) if isinstance(dim, (tuple, list)) else str(dim)
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {got}")
    d0, d1 = (normalize_dim(d, A.ndim, op) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def _last_two(A, d0, d1):
    """A with dims d0, d1 moved to the end (in that order)."""
    rest = [i for i in range(A.ndim) if i not in (d0, d1)]
    return A.permute(*rest, d0, d1)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm over the two dims `dim`: ord 'fro', 'nuc', inf, -inf, 1, -1, 2, -2
    (torch.linalg.matrix_norm)."""
    need_tensor("linalg.matrix_norm", A, "A", 1)
    op = "linalg.matrix_norm"
    d0, d1 = _matrix_dims(A, dim, op)
    if ord not in ("fro", "nuc", INF, -INF, 1, -1, 2, -2) or isinstance(ord, bool):
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    A = _float_dtype(A, dtype, op)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if A.numel() == 0 and (ord == "nuc" or ord > 0):    # torch: 0 for an empty matrix
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = SvdVals.apply(_last_two(A, d0, d1))
        out = s.sum(-1) if ord == "nuc" else (amax if ord == 2 else amin)(s, -1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = out.unsqueeze(d)
        return out
    # 1: max column sum; inf: max row sum (the 1-norm of the transpose)
    first, second = (d1, d0) if abs(ord) == INF else (d0, d1)
    if not keepdim and first < second:
        second -= 1
    sums = vector_norm(A, 1, first, keepdim)
    return (amax if ord > 0 else amin)(sums, second, keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: a vector norm (dim an int, or 1-D input with ord) or a matrix norm
    (dim a 2-tuple, a string ord, or 2-D input with ord); ord None: the 2-norm of all."""
    need_tensor("linalg.norm", A, "A", 1)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dims)}")
        if len(dims) == 2 or isinstance(ord, str):
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if isinstance(ord, str) or A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if A.ndim != 1:
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    return vector_norm(A, ord, None, keepdim, dtype=dtype)


def tensor_norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """torch.norm / Tensor.norm: p 'fro' (the 2-norm over dim, all by default), 'nuc', or a
    number (a vector norm over dim, whatever its length)."""
    need_tensor("norm", input, "input", 1)
    need_bool("norm", keepdim, "keepdim")
    if not isinstance(p, str) and p is not None:
        need_number("norm", p, "p", 2)
    if dim is not None and not isinstance(dim, (numbers.Integral, list, tuple)):
        raise TypeError(f"norm(): argument 'dim' must be an int or a tuple of ints, not "
                        f"{type(dim).__name__}")
    dims = None if dim is None else ([dim] if isinstance(dim, numbers.Integral) else list(dim))
    if isinstance(p, str):
        if p == "fro" and (dims is None or len(dims) <= 2):
            return vector_norm(input, 2, dims, keepdim, dtype=dtype)
        return matrix_norm(input, p, list(range(input.ndim)) if dims is None else dims,
                           keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype=dtype)


# ---- distances ---------------------------------------------------------------------------
def dist(input, other, p=2):
    """The p-norm of input - other (broadcast), as torch.dist."""
    need_tensor("dist", input, "input", 1)
    need_tensor("dist", other, "other", 2)
    need_number("dist", p, "p", 3)
    try:
        diff = input - other
    except RuntimeError:
        raise RuntimeError(f"dist: the shapes of input {tuple(input.shape)} and other "
                           f"{tuple(other.shape)} do not broadcast") from None
    if diff.dtype.kind not in "fc":
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {torch_name(diff.dtype)} instead.")
    return vector_norm(diff, p)


__all__ = ["dist", "matrix_norm", "norm", "tensor_norm", "vector_norm"]
