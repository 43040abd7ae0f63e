"""empty_permuted: an uninitialized dense tensor whose dims lie in memory in a given order."""
from __future__ import annotations

from .checks import need_ints
from .strided import new_strided


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """A tensor of shape `size` (uninitialized: zeros here) whose strides put dim
    physical_layout[0] outermost and physical_layout[-1] innermost, so that
    t.stride(physical_layout[i]) == contiguous_strides(permuted size)[i].
    Matches torch.empty_permuted."""
    from ..tensor_meta import strided
    for pos, (name, v) in enumerate((("size", size), ("physical_layout", physical_layout))):
        if not isinstance(v, (tuple, list)):
            raise TypeError(f"empty_permuted(): argument '{name}' (position {pos + 1}) must be "
                            f"tuple of ints, not {type(v).__name__}")
    size = need_ints("empty_permuted", size, "size", 1)
    perm = need_ints("empty_permuted", physical_layout, "physical_layout", 2)
    if layout is not None and layout is not strided:
        raise RuntimeError(f"empty_permuted: minigrad supports only layout=torch.strided, got "
                           f"{layout!r}")
    if len(size) != len(perm):
        raise RuntimeError("Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(size)} is not equal to "
                           f"len(physical_layout) = {len(perm)}")
    seen = set()
    for i, d in enumerate(perm):
        if not 0 <= d < len(size):
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and "
                               f"{len(size) - 1}, but got {d} at index {i}).  NB: negative "
                               "dims not currently supported; file an issue if you want it.")
        if d in seen:
            raise RuntimeError("Duplicate dim not allowed")
        seen.add(d)
    phys = [size[d] for d in perm]
    if any(n < 0 for n in phys):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(phys)}: "
                           f"{phys}")
    stride, step = [0] * len(size), 1
    for d in reversed(perm):                # innermost first; a 0 or 1 size steps by 1
        stride[d] = step
        step *= max(size[d], 1)
    return new_strided("empty_permuted", size, stride, dtype, device, requires_grad)
