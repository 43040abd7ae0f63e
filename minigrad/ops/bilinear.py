"""bilinear (torch.nn.functional.bilinear, torch.bilinear): y = x1^T A x2 + b per output.

    y[..., o] = sum_ij x1[..., i] A[o, i, j] x2[..., j] + b[o]

x1 (*, in1), x2 (*, in2) with the same leading dims, A (out, in1, in2), b (out,). One einsum
over the flattened leading dims; the gradients are einsums too (einsum's own backward):

    dx1 = einsum(g, A, x2)      dA = einsum(g, x1, x2)      dx2 = einsum(g, x1, A)
"""
from __future__ import annotations

import math

import numpy as np

from ..autocast_state import autocast_op
from .checks import need_optional_tensor, need_tensor
from .einsum import einsum

# c10's names of the scalar types in bilinear's dtype message
_C10 = {"b1": "bool", "u1": "unsigned char", "i1": "signed char", "i2": "short int",
        "i4": "int", "i8": "long int", "f2": "c10::Half", "f4": "float", "f8": "double"}


def _c10(dt):
    dt = np.dtype(dt)
    return _C10.get("b1" if dt.kind == "b" else f"{dt.kind}{dt.itemsize}", str(dt))


def _size(t, dim):
    """t.size(dim) with torch's IndexError for a dim out of range."""
    if t.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if not -t.ndim <= dim < t.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-t.ndim}, "
                         f"{t.ndim - 1}], but got {dim})")
    return t.shape[dim]


def _check(input1, input2, weight, bias):
    ts = [("input1", input1), ("input2", input2), ("weight", weight)]
    if bias is not None:
        ts.append(("bias", bias))
    if any(t.dtype != input1.dtype for _, t in ts):
        raise RuntimeError("All tensors must have the same dtype, got " +
                           ", ".join(f"{n}: {_c10(t.dtype)}" for n, t in ts))
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and "
                           f"{input2.ndim}")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {input1.shape[i]} and {input2.shape[i]}")
    if _size(input1, -1) != _size(weight, 1):
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    if _size(input2, -1) != _size(weight, 2):
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    if bias is not None and _size(bias, 0) != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0]} but expected {weight.shape[0]}")
    if weight.ndim != 3:
        raise RuntimeError("number of dimensions must match")
    if input1.dtype == np.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    for t in (input1, input2):
        if t.numel() == 0 and t.shape[-1] == 0:
            raise RuntimeError("cannot reshape tensor of 0 elements into shape [-1, 0] "
                               "because the unspecified dimension size -1 can be any value "
                               "and is ambiguous")
    if bias is not None:
        out = tuple(input1.shape[:-1]) + (weight.shape[0],)
        try:
            np.broadcast_shapes(out, tuple(bias.shape))
        except ValueError:
            raise RuntimeError(f"bilinear(): bias of shape {tuple(bias.shape)} does not "
                               f"broadcast to the output's shape {out}") from None


@autocast_op("bilinear")
def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b over the last dims of input1 (*, in1) and input2 (*, in2), with
    weight A (out, in1, in2) and bias (out,); matches torch.nn.functional.bilinear."""
    need_tensor("bilinear", input1, "input1", 1)
    need_tensor("bilinear", input2, "input2", 2)
    need_tensor("bilinear", weight, "weight", 3)
    need_optional_tensor("bilinear", bias, "bias", 4)
    _check(input1, input2, weight, bias)
    lead = tuple(input1.shape[:-1])
    rows = math.prod(lead)
    x1 = input1.reshape(rows, input1.shape[-1])
    x2 = input2.reshape(rows, input2.shape[-1])
    out = einsum("bi,oij,bj->bo", x1, weight, x2).reshape(lead + (weight.shape[0],))
    return out if bias is None else out + bias
