"""Errors of the nn.utils functions name the function: the tensor ops they run raise under
their own names (mul, cat, linalg.vector_norm), so their errors get the caller's prefix."""
from __future__ import annotations

import numbers
from contextlib import contextmanager

import numpy as np

from ...ops.checks import need_tensor, type_name

_PLAIN = (RuntimeError, TypeError, ValueError, IndexError)


@contextmanager
def naming(fn: str):
    """Within the block, a RuntimeError/TypeError/ValueError/IndexError is raised again with
    `fn: ` in front of its message (same class)."""
    try:
        yield
    except _PLAIN as e:
        if type(e) not in _PLAIN or str(e).startswith(fn):
            raise
        raise type(e)(f"{fn}: {e}") from None


def need_tensors(fn: str, items, name: str) -> list:
    """items as a list whose elements must all be Tensors (TypeError naming fn otherwise)."""
    items = list(items)
    for i, t in enumerate(items):
        if not _is_tensor(t):
            raise TypeError(f"{fn}(): expected every element of '{name}' to be a Tensor, but "
                            f"element {i} is {type_name(t)}")
    return items


def need_stat(fn: str, x, name: str, array_ok: bool) -> None:
    """A BatchNorm statistic: a Tensor or a number (they broadcast), or a NumPy array where
    torch's arithmetic takes one (on the right of a tensor: array_ok)."""
    if _is_tensor(x) or (isinstance(x, numbers.Number) and not isinstance(x, complex)) or \
            (array_ok and isinstance(x, np.ndarray)):
        return
    raise TypeError(f"{fn}(): argument '{name}' must be Tensor or a number, not "
                    f"{type_name(x)}")


def _is_tensor(x):
    from ...tensor import Tensor
    return isinstance(x, Tensor)


__all__ = ["naming", "need_stat", "need_tensor", "need_tensors"]
