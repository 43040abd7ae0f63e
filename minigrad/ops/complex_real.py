"""The complex-number functions on real tensors (minigrad has no complex dtypes), as torch
computes them for real inputs: real, conj, conj_physical, resolve_conj/neg are the tensor
itself (or a copy), imag raises, isreal is all True, angle is 0 or pi (NaN kept), adjoint is
the transpose of the last two dims.
"""
from __future__ import annotations

from ..autograd import Op
from ..backend import array_module, get_default_dtype
from ..forward_ad import elementwise
from .checks import need_tensor
from .shape import grad_zeros, transpose

_COMPLEX_ONLY = "{} is not implemented for tensors with non-complex dtypes."


class Angle(Op):
    """angle(x) for real x: pi where x < 0, else 0 (NaN stays NaN); d angle = 0 (torch)."""

    @staticmethod
    def forward(ctx, x):
        xp = array_module(x)
        dt = x.dtype if x.dtype.kind == "f" else get_default_dtype()
        xf = x.astype(dt)
        return xp.where(xf < 0, xp.asarray(xp.pi, dt), xp.where(xp.isnan(xf), xf, 0)).astype(dt)

    @staticmethod
    def backward(ctx, g):
        return grad_zeros(g)        # torch's angle_backward for real input: zeros

    jvp = elementwise           # d angle = 0 (diagonal J: J v = J^T v)


def angle(input):
    """The argument of each element: 0 for x >= 0, pi for x < 0, NaN for NaN; integer and
    bool inputs give the default float dtype. Matches torch.angle on real tensors."""
    need_tensor("angle", input, "input", 1)
    return Angle.apply(input)


def real(input):
    """The real part: the tensor itself for a real tensor (matches torch.real)."""
    need_tensor("real", input, "input", 1)
    return input


def imag(input):
    """torch.imag: refused for real tensors (torch raises the same)."""
    need_tensor("imag", input, "input", 1)
    raise RuntimeError(_COMPLEX_ONLY.format("imag"))


def isreal(input):
    """Whether each element is real: all True for a real tensor (matches torch.isreal)."""
    need_tensor("isreal", input, "input", 1)
    xp = array_module(input.data)
    return type(input)._make(xp.ones(input.shape, dtype=bool))


def conj(input):
    """The complex conjugate: the tensor itself for a real tensor (matches torch.conj)."""
    need_tensor("conj", input, "input", 1)
    return input


def resolve_conj(input):
    """Materializes a lazy conjugation: the tensor itself here (matches torch.resolve_conj)."""
    need_tensor("resolve_conj", input, "input", 1)
    return input


def resolve_neg(input):
    """Materializes a lazy negation: the tensor itself here (matches torch.resolve_neg)."""
    need_tensor("resolve_neg", input, "input", 1)
    return input


def conj_physical(input):
    """The conjugate in new memory: for a real tensor a copy (matches torch.conj_physical;
    differentiable, gradient g as torch's)."""
    need_tensor("conj_physical", input, "input", 1)
    return input.clone()


def conj_physical_(input):
    """In-place conjugation: a no-op on a real tensor, returning it (torch.conj_physical_)."""
    need_tensor("conj_physical_", input, "input", 1)
    return input


def is_conj(input):
    """Whether the conjugate bit is set: never, for real tensors (torch.is_conj)."""
    need_tensor("is_conj", input, "input", 1)
    return False


def is_neg(input):
    """Whether the negative bit is set: never here (torch.is_neg)."""
    need_tensor("is_neg", input, "input", 1)
    return False


def adjoint(input):
    """The conjugate transpose of the last two dims, a view (matches torch.adjoint); a 0-d
    tensor is returned as a view of itself, as torch does."""
    need_tensor("adjoint", input, "input", 1)
    if input.ndim == 0:
        return input.view(())
    if input.ndim == 1:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor.")
    return transpose(input, -2, -1)
