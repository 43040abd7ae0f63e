"""torch's top-level forms of the linalg ops (torch.cholesky, qr, svd, cross, chain_matmul,
ger, inner, matrix_power, matrix_exp): thin wrappers over minigrad.linalg with torch's older
signatures, defaults and deprecation warnings. Gradients come from the wrapped ops.

torch.svd returns V (not V^T); with compute_uv=False U and V are zero matrices (m x m, n x n)
and S keeps its gradient (torch computes it from svdvals).
"""
from __future__ import annotations

import warnings

import numpy as np

from ..autocast_state import autocast_op, inner_policy
from .checks import need_bool, need_int, need_tensor
from .linalg_common import need_float


@autocast_op("cholesky")
def torch_cholesky(input, upper=False, *, out=None):
    """torch.cholesky (deprecated): linalg.cholesky(input, upper=upper)."""
    need_tensor("cholesky", input, "input")
    need_bool("cholesky", upper, "upper")
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be "
                  "removed in a future PyTorch release.\nL = torch.cholesky(A)\nshould be "
                  "replaced with\nL = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, "
                  "upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\nThis "
                  "transform will produce equivalent results for all valid (symmetric positive "
                  "definite) inputs.", UserWarning, stacklevel=2)
    need_float("cholesky", input, half="cholesky_cpu", ints="cholesky_cpu")
    from .linalg_common import LinAlgError
    from .linalg_decomp import cholesky
    try:
        return cholesky(input, upper=upper)
    except LinAlgError as e:
        raise LinAlgError(str(e).replace("linalg.cholesky: ", "cholesky: ", 1)) from None


@autocast_op("qr")
def torch_qr(input, some=True, *, out=None):
    """torch.qr (deprecated): linalg.qr(input, 'reduced' if some else 'complete')."""
    need_tensor("qr", input, "input")
    need_bool("qr", some, "some")
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a "
                  "future PyTorch release.\nThe boolean parameter 'some' has been replaced with "
                  "a string parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced "
                  "with\nQ, R = torch.linalg.qr(A, 'reduced' if some else 'complete')",
                  UserWarning, stacklevel=2)
    from ..return_types import qr as named
    from .linalg_decomp import qr
    return named(tuple(qr(input, "reduced" if some else "complete")))


@autocast_op("svd")
def torch_svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: (U, S, V) with input = U diag(S) V^T (V, not V^T); some=False gives the full
    U and V; compute_uv=False gives zero U (m x m) and V (n x n)."""
    need_tensor("svd", input, "input")
    need_bool("svd", some, "some")
    need_bool("svd", compute_uv, "compute_uv")
    from ..return_types import svd as named
    from .linalg_decomp import _check_svd, svd, svdvals
    _check_svd("svd", input)
    if not compute_uv:
        from ..creation import zeros
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        return named((zeros(*batch, m, m, dtype=input.dtype), svdvals(input),
                      zeros(*batch, n, n, dtype=input.dtype)))
    u, s, vh = svd(input, full_matrices=not some)
    return named((u, s, vh.mT))


def torch_cross(input, other, dim=None, *, out=None):
    """torch.cross: linalg.cross, except that dim=None takes the first dim of size 3 (with
    torch's deprecation warning)."""
    from .linalg_more import cross
    need_tensor("cross", input, "input", 1)
    need_tensor("cross", other, "other", 2)
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=2)
        try:
            shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
        except ValueError:
            shape = tuple(input.shape)
        dims = [d for d, s in enumerate(shape) if s == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        dim = dims[0]
    return cross(input, other, dim=need_int("cross", dim, "dim"))


@autocast_op("chain_matmul")
def chain_matmul(*matrices, out=None):
    """torch.chain_matmul (deprecated): linalg.multi_dot of 2-D matrices."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    for k, m in enumerate(matrices):
        need_tensor("chain_matmul", m, "matrices")
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return matrices[0].clone()
    from .linalg_more import multi_dot
    return multi_dot(list(matrices))


def _c_type(dt):
    """The C++ type name torch's multi_dot message uses."""
    return {"f4": "float", "f8": "double", "f2": "c10::Half", "i8": "long int", "i4": "int",
            "i2": "short int", "i1": "signed char", "u1": "unsigned char",
            "b1": "bool"}.get(dt.str[1:], str(dt))


def ger(input, vec2):
    """torch.ger: torch.outer."""
    need_tensor("ger", input, "input", 1)
    need_tensor("ger", vec2, "vec2", 2)
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    from .products import outer
    return outer(input, vec2)


@autocast_op("inner", inner_policy)
def inner(input, other, *, out=None):
    """Sum of products over the last dims: shape input.shape[:-1] + other.shape[:-1]; a 0-d
    operand multiplies (torch.inner)."""
    need_tensor("inner", input, "input", 1)
    need_tensor("inner", other, "other", 2)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    if input.dtype != other.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if input.dtype.kind == "b":
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")
    from .products import tensordot
    return tensordot(input, other, ([input.ndim - 1], [other.ndim - 1]))


def torch_matrix_power(input, n):
    """torch.matrix_power: linalg.matrix_power."""
    from .linalg_more import matrix_power
    return matrix_power(input, n)


def torch_matrix_exp(input):
    """torch.matrix_exp: linalg.matrix_exp."""
    from .linalg_more import matrix_exp
    return matrix_exp(input)


__all__ = ["chain_matmul", "ger", "inner", "torch_cholesky", "torch_cross",
           "torch_matrix_exp", "torch_matrix_power", "torch_qr", "torch_svd"]
