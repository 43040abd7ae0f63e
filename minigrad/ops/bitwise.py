"""Bitwise and shift ops on bool and integer tensors: & | ^ ~ << >> (torch's bitwise_*).

Operands are promoted as in every binary op; a floating result raises NotImplementedError
as torch's kernels do. Nothing here is differentiable (the results are never floating).
"""
from __future__ import annotations

import numpy as np

from ..autograd import unwrap, wrap
from ..backend import array_module
from .arith import _binary, _operand, promote, torch_name
from .checks import need_operand, need_tensor


def _bitwise(fn, kernel, a, b, op, bool_ok=True):
    if not _operand(b) or not _operand(a):
        return NotImplemented
    a, b, dt = promote(unwrap(a), unwrap(b))
    if dt.kind == "f" or (dt.kind == "b" and not bool_ok):
        raise NotImplementedError(f'{op}: "{kernel}" not implemented for \'{torch_name(dt)}\'')
    xp = array_module(b if isinstance(a, np.generic) else a)
    return wrap(_binary(getattr(xp, fn), a, b, op))


def bitwise_and(input, other):
    _operands("bitwise_and", input, other)
    return _bitwise("bitwise_and", "bitwise_and_cpu", input, other, "bitwise_and")


def bitwise_or(input, other):
    _operands("bitwise_or", input, other)
    return _bitwise("bitwise_or", "bitwise_or_cpu", input, other, "bitwise_or")


def bitwise_xor(input, other):
    _operands("bitwise_xor", input, other)
    return _bitwise("bitwise_xor", "bitwise_xor_cpu", input, other, "bitwise_xor")


def bitwise_left_shift(input, other):
    _operands("bitwise_left_shift", input, other)
    return _bitwise("left_shift", "lshift_cpu", input, other, "bitwise_left_shift", False)


def bitwise_right_shift(input, other):
    _operands("bitwise_right_shift", input, other)
    return _bitwise("right_shift", "rshift_cpu", input, other, "bitwise_right_shift", False)


def _operands(fn, input, other):
    need_operand(fn, input, "input", 1)
    need_operand(fn, other, "other", 2)


def bitwise_not(input):
    """~input on a bool or integer tensor (torch.bitwise_not)."""
    need_tensor("bitwise_not", input, "input", 1)
    if input.dtype.kind == "f":
        raise NotImplementedError(f'bitwise_not: "bitwise_not_cpu" not implemented for '
                                  f"'{torch_name(input.dtype)}'")
    return invert(input)


def invert(input):
    """The ~ operator: torch's TypeError for a float tensor."""
    x = unwrap(input)
    if x.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors, got {x.dtype}")
    return wrap(array_module(x).invert(x))
