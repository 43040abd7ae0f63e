"""Helpers shared by the distributions (matches torch.distributions.utils): parameter
broadcasting, probs <-> logits, lazily computed parameters, standard draws."""
from __future__ import annotations

import numbers

from .. import creation
from ..grad_mode import enable_grad

euler_constant = 0.57721566490153286060   # Euler-Mascheroni constant

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits",
           "lazy_property", "tril_matrix_to_vec", "vec_to_tril_matrix"]


def _is_tensor(v):
    from ..tensor import Tensor      # (lazy: the package is imported by minigrad/__init__)
    return isinstance(v, Tensor)


def _is_number(v):
    return isinstance(v, numbers.Real) and not _is_tensor(v)


def size_str(shape) -> str:
    """A shape written as torch writes a Size in its messages: torch.Size([2, 3])."""
    return f"torch.Size({list(shape)})"


def broadcast_all(*values):
    """Tensors and Python numbers broadcast to one shape; the numbers become tensors of the
    first tensor's dtype and device (else the default dtype). Matches torch's broadcast_all."""
    import minigrad as mg
    if not all(_is_tensor(v) or _is_number(v) for v in values):
        raise ValueError("Input arguments must all be instances of Number or "
                         "minigrad.Tensor.")
    if not all(_is_tensor(v) for v in values):
        first = next((v for v in values if _is_tensor(v)), None)
        opts = (dict(dtype=first.dtype, device=first.device) if first is not None
                else dict(dtype=mg.get_default_dtype()))
        values = [v if _is_tensor(v) else mg.tensor(float(v), **opts) for v in values]
    return mg.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device):
    return creation.randn(tuple(shape), dtype=dtype, device=device)


def _sum_rightmost(value, dim: int):
    """value summed over its `dim` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary: bool = False):
    """sigmoid(logits) for a binary variable, else softmax over the last dimension."""
    import minigrad as mg
    if is_binary:
        return mg.sigmoid(logits)
    return mg.softmax(logits, dim=-1)


def clamp_probs(probs):
    """probs clamped to [eps, 1 - eps] of their dtype."""
    import minigrad as mg
    eps = mg.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary: bool = False):
    """log(p) - log(1 - p) for a binary variable, else log(p) (p clamped away from 0, 1)."""
    ps = clamp_probs(probs)
    if is_binary:
        return ps.log() - (-ps).log1p()
    return ps.log()


class lazy_property:
    """A parameter computed on first access (with grad enabled) and then cached on the
    instance, as torch's lazy_property (e.g. Bernoulli.logits from probs)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _tril_mask(n, diag, device):
    import minigrad as mg
    arange = mg.arange(n, device=device)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat, diag: int = 0):
    """The lower triangle (below diagonal `diag`) of the last two dims, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag, mat.device)]


def vec_to_tril_matrix(vec, diag: int = 0):
    """The inverse of tril_matrix_to_vec: a D x D matrix, zero above diagonal `diag`."""
    import minigrad as mg
    k = 1 + 2 * diag
    n = (-k + (k ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > mg.finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be "
                         "expressed as the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n, n))
    mat[..., _tril_mask(n, diag, vec.device)] = vec
    return mat
