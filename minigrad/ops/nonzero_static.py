"""nonzero_static: nonzero with a fixed number of rows (truncated or padded with fill_value)."""
from __future__ import annotations

from ..autograd import wrap
from ..backend import array_module
from .checks import need_int
from .select import _need_tensor, nonzero


def nonzero_static(input, *, size, fill_value=-1):
    """The (size, ndim) int64 indices of input's nonzero elements in row-major order: the
    first `size` of them, padded with rows of fill_value when there are fewer. Matches
    torch.nonzero_static."""
    _need_tensor(input, "nonzero_static", "input")
    size = need_int("nonzero_static", size, "size")
    fill_value = need_int("nonzero_static", fill_value, "fill_value")
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    found = nonzero(input).data[:size]
    xp = array_module(found)
    pad = xp.full((size - found.shape[0], input.ndim), fill_value, dtype="int64")
    return wrap(xp.concatenate([found, pad], axis=0))
