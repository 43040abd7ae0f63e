"""Tensor's in-place view ops (t_, transpose_, squeeze_, unsqueeze_, as_strided_, resize_,
...), as_strided, the scatter forms and the unsafe splits, as methods (mixed into Tensor in
tensor.py); each calls ops/view_inplace.py, ops/strided.py, ops/view_scatter.py or
ops/view_copy.py (torch's names)."""
from __future__ import annotations

from .ops import strided, view_copy, view_inplace, view_scatter


def _sizes(args, op):
    """x.f(2, 3) or x.f((2, 3)) -> the sizes as given."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return args[0]
    return args


class ViewMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    # ---- in-place view ops ----
    def t_(self): return view_inplace.t_(self)
    def transpose_(self, dim0, dim1): return view_inplace.transpose_(self, dim0, dim1)

    def swapdims_(self, dim0, dim1):
        return view_inplace.transpose_(self, dim0, dim1, "swapdims_")

    def swapaxes_(self, axis0, axis1):
        return view_inplace.transpose_(self, axis0, axis1, "swapaxes_")

    def squeeze_(self, dim=view_copy.ALL_DIMS): return view_inplace.squeeze_(self, dim)
    def unsqueeze_(self, dim): return view_inplace.unsqueeze_(self, dim)

    def as_strided_(self, size, stride, storage_offset=None):
        return view_inplace.as_strided_(self, size, stride, storage_offset)

    def resize_(self, *sizes, memory_format=None):
        return view_inplace.resize_(self, _sizes(sizes, "resize_"))

    def resize_as_(self, the_template, *, memory_format=None):
        return view_inplace.resize_as_(self, the_template)

    def resize(self, *sizes): return view_inplace.resize(self, _sizes(sizes, "resize"))
    def resize_as(self, the_template): return view_inplace.resize_as(self, the_template)

    # ---- strided views and the scatter forms ----
    def as_strided(self, size, stride, storage_offset=None):
        return strided.as_strided(self, size, stride, storage_offset)

    def as_strided_scatter(self, src, size, stride, storage_offset=None):
        return strided.as_strided_scatter(self, src, size, stride, storage_offset)

    def new_empty_strided(self, size, stride, *, dtype=None, device=None,
                          requires_grad=False):
        return strided.new_strided("new_empty_strided", size, stride,
                                   self.dtype if dtype is None else dtype,
                                   self.device if device is None else device, requires_grad)

    def diagonal_scatter(self, src, offset=0, dim1=0, dim2=1):
        return view_scatter.diagonal_scatter(self, src, offset, dim1, dim2)

    def select_scatter(self, src, dim, index):
        return view_scatter.select_scatter(self, src, dim, index)

    def slice_scatter(self, src, dim=0, start=None, end=None, step=1):
        return view_scatter.slice_scatter(self, src, dim, start, end, step)

    # ---- copies and the unsafe splits ----
    def narrow_copy(self, dim, start, length):
        return view_copy.narrow_copy(self, dim, start, length)

    def split_with_sizes(self, split_sizes, dim=0):
        return view_copy.split_with_sizes(self, split_sizes, dim)

    def unsafe_chunk(self, chunks, dim=0): return view_copy.unsafe_chunk(self, chunks, dim)

    def unsafe_split(self, split_size, dim=0):
        return view_copy.unsafe_split(self, split_size, dim)

    def unsafe_split_with_sizes(self, split_sizes, dim=0):
        return view_copy.unsafe_split_with_sizes(self, split_sizes, dim)
