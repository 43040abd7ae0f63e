"""Tensor's methods for selection, indexing and shape ops (mixed into Tensor in tensor.py);
each calls the op in minigrad/ops/ (torch's names)."""
from __future__ import annotations

from .ops import index_more, layout, select
from .ops import split as split_ops
from .ops import tile as tile_ops


def _one_or_list(args, list_of_one=False):
    """Varargs of a method: x.f(a) -> a (or [a] with list_of_one); x.f(a, b) -> [a, b];
    x.f() -> None."""
    if len(args) == 1 and (not list_of_one or isinstance(args[0], (list, tuple))):
        return args[0]
    return list(args) if args else None


class ShapeMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    # ---- sorting, selection and indexing ----
    def msort(self): return select.msort(self)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return select.unique(self, sorted, return_inverse, return_counts, dim)

    def nonzero(self, *, as_tuple=False): return select.nonzero(self, as_tuple=as_tuple)
    def masked_select(self, mask): return select.masked_select(self, mask)
    def take(self, index): return select.take(self, index)

    def take_along_dim(self, indices, dim=None):
        return select.take_along_dim(self, indices, dim)

    def index_select(self, dim, index): return select.index_select(self, dim, index)

    def index_add(self, dim, index, source, *, alpha=1):
        return index_more.index_add(self, dim, index, source, alpha=alpha)

    def index_copy(self, dim, index, source):
        return index_more.index_copy(self, dim, index, source)

    def index_fill(self, dim, index, value):
        return index_more.index_fill(self, dim, index, value)

    def index_put(self, indices, values, accumulate=False):
        return index_more.index_put(self, indices, values, accumulate)

    def scatter_reduce(self, dim, index, src, reduce, *, include_self=True):
        return index_more.scatter_reduce(self, dim, index, src, reduce,
                                         include_self=include_self)

    def masked_scatter(self, mask, source): return index_more.masked_scatter(self, mask, source)
    # ---- shape ops ----
    def split(self, split_size, dim=0): return split_ops.split(self, split_size, dim)
    def chunk(self, chunks, dim=0): return split_ops.chunk(self, chunks, dim)
    def unbind(self, dim=0): return split_ops.unbind(self, dim)

    def tensor_split(self, indices_or_sections=None, dim=0, *, sections=None, indices=None):
        return split_ops.tensor_split(self, indices_or_sections, dim, sections=sections,
                                      indices=indices)

    def hsplit(self, *ios, sections=None, indices=None):
        return split_ops.hsplit(self, _one_or_list(ios), sections=sections, indices=indices)

    def vsplit(self, *ios, sections=None, indices=None):
        return split_ops.vsplit(self, _one_or_list(ios), sections=sections, indices=indices)

    def dsplit(self, *ios, sections=None, indices=None):
        return split_ops.dsplit(self, _one_or_list(ios), sections=sections, indices=indices)

    def narrow(self, dim, start, length): return split_ops.narrow(self, dim, start, length)
    def repeat(self, *repeats): return tile_ops.repeat(self, *repeats)

    def repeat_interleave(self, repeats=None, dim=None, *, output_size=None):
        if repeats is None:
            raise TypeError("repeat_interleave(): missing argument 'repeats'")
        return tile_ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, *dims):
        if not dims:
            raise TypeError('tile() missing 1 required positional arguments: "dims"')
        return tile_ops.tile(self, _one_or_list(dims, list_of_one=True))

    def roll(self, shifts, dims=None): return tile_ops.roll(self, shifts, dims)

    def flip(self, *dims):
        if not dims:
            raise TypeError('flip() missing 1 required positional arguments: "dims"')
        return tile_ops.flip(self, _one_or_list(dims, list_of_one=True))

    def fliplr(self): return tile_ops.fliplr(self)
    def flipud(self): return tile_ops.flipud(self)
    def rot90(self, k=1, dims=(0, 1)): return tile_ops.rot90(self, k, dims)
    def movedim(self, source, destination): return layout.movedim(self, source, destination)
    def moveaxis(self, source, destination): return layout.movedim(self, source, destination)
    def swapaxes(self, axis0, axis1): return layout.swapaxes(self, axis0, axis1)
    def swapdims(self, dim0, dim1): return layout.swapaxes(self, dim0, dim1)
    def broadcast_to(self, size): return layout.broadcast_to(self, size)
    def unflatten(self, dim, sizes): return layout.unflatten(self, dim, sizes)
