"""Tensor's memory layout and metadata with torch's names: stride, is_contiguous,
storage_offset, element_size, itemsize, nbytes, nelement, ndimension, get_device, is_cpu,
type, byte/char/short, retains_grad, detach_, sum_to_size, where, unfold, fill_diagonal_,
and the in-place aliases multiply_/divide_/subtract_.

Strides and offsets are counted in elements, as torch's, from the array under the tensor.
minigrad's ops lay their results out as NumPy does, which is torch's layout for fresh and
elementwise results (both keep an input's order); a view made by an op torch copies
(flip: NumPy gives negative strides) can differ, so compare layouts with care.
"""
from __future__ import annotations

import numpy as np

from . import backend
from .ops import checks, compare, shape, windows
from .ops import memory_format as mf

# torch's legacy type names (x.type()): dtype name -> 'torch.<Name>Tensor'
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool"}
_TYPE_DTYPES = {name: dt for dt, name in _TYPE_NAMES.items()}


class LayoutMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    def stride(self, dim=None):
        st = mf.strides_of(self.data)
        if dim is None:
            return st
        return st[shape.normalize_dim(dim, self.ndim, "stride")] if st else 1

    def is_contiguous(self, memory_format=mf.contiguous_format):
        """Whether the elements lie densely in memory_format's order (torch's rule: dims of
        size 1 are ignored)."""
        return mf.is_contiguous(self.data, mf.check("is_contiguous", memory_format))

    def storage_offset(self):
        """Elements between the start of the memory this tensor shares and its first one."""
        a = self.data
        root = a
        while getattr(root, "base", None) is not None and hasattr(root.base, "strides"):
            root = root.base
        return (_address(a) - _address(root)) // a.itemsize

    def element_size(self):
        return self.data.itemsize

    @property
    def itemsize(self):
        return self.data.itemsize

    @property
    def nbytes(self):
        return int(self.data.size) * self.data.itemsize

    def nelement(self):
        return int(self.data.size)

    def ndimension(self):
        return self.ndim

    def get_device(self):
        """-1 on the CPU, the GPU's index on CUDA (torch.Tensor.get_device)."""
        return -1 if self.device.type == "cpu" else self.device.index or 0

    @property
    def is_cpu(self):
        return self.device.type == "cpu"

    def type(self, dtype=None, non_blocking=False):
        """Without dtype: torch's type name ('torch.FloatTensor', 'torch.cuda.LongTensor');
        with one (a dtype or such a name): the tensor cast to it."""
        if dtype is None:
            where = "torch.cuda." if self.device.type == "cuda" else "torch."
            return f"{where}{_TYPE_NAMES[self.dtype.name]}Tensor"
        from .legacy_types import tensortype    # lazy: it builds tensors
        if isinstance(dtype, tensortype):       # x.type(mg.FloatTensor)
            return self.to(dtype=dtype.dtype)
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            name = dtype.rsplit(".", 1)[-1][:-len("Tensor")]
            if name not in _TYPE_DTYPES:
                raise ValueError(f"type(): invalid type: {dtype!r}")
            out = self.to(dtype=np.dtype(_TYPE_DTYPES[name]))
            return out.to("cuda") if ".cuda." in dtype else out
        return self.to(dtype=checks.need_dtype("type", dtype))

    def byte(self):
        return self.to(backend.uint8)

    def char(self):
        return self.to(backend.int8)

    def short(self):
        return self.to(backend.int16)

    @property
    def retains_grad(self):
        """True for a non-leaf tensor that called retain_grad()."""
        fn = self.grad_fn
        if fn is None or fn._retained is None:
            return False
        ref = fn._retained.get(self._output_nr)
        return ref is not None and ref() is self

    def detach_(self):
        """Cut this tensor from its graph, in place (torch.Tensor.detach_)."""
        view = self._view
        if view is not None and view.base is not None and view.base.requires_grad:
            raise RuntimeError("detach_: Can't detach views in-place. Use detach() instead.")
        self.grad_fn, self._output_nr, self.requires_grad = None, 0, False
        return self

    def sum_to_size(self, *size):
        """Summed over broadcast dims down to `size` (torch.Tensor.sum_to_size)."""
        if not size:
            raise TypeError("sum_to_size() missing 1 required positional argument: 'size'")
        size = shape._sizes(size, None, "size", "sum_to_size")
        try:
            ok = np.broadcast_shapes(size, self.shape) == self.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(f"sum_to_size: size {list(size)} is not expandable to size "
                               f"{list(self.shape)}")
        return shape.sum_to(self, size)

    def where(self, condition, other):
        """self where condition, else other (torch.Tensor.where)."""
        return compare.where(condition, self, other)

    def unfold(self, dimension, size, step):
        return windows.unfold(self, dimension, size, step)

    def fill_diagonal_(self, fill_value, wrap=False):
        """The main diagonal (all dims equal beyond 2-D) set to fill_value; with wrap, a tall
        matrix's diagonal starts again below every N rows (torch.Tensor.fill_diagonal_)."""
        if not (hasattr(fill_value, "grad_fn") and fill_value.ndim == 0):
            checks.need_number("fill_diagonal_", fill_value, "fill_value", 1)
        checks.need_bool("fill_diagonal_", wrap, "wrap", 2)
        if self.ndim < 2:
            raise RuntimeError("fill_diagonal_: dimensions must larger than 1")
        if self.ndim > 2 and len(set(self.shape)) != 1:
            raise RuntimeError(f"fill_diagonal_: all dimensions of input must be of equal "
                               f"length, got shape {tuple(self.shape)}")
        mask = np.zeros(self.shape, bool)
        np.fill_diagonal(mask, True, wrap=wrap)
        mask = self._make(backend.to_device(mask, self.device))
        return self.masked_fill_(mask, fill_value)

    def multiply_(self, other):
        return self.mul_(other)

    def divide_(self, other, *, rounding_mode=None):
        return self.div_(other, rounding_mode=rounding_mode)

    def subtract_(self, other, *, alpha=1):
        return self.sub_(other, alpha=alpha)


def _address(a):
    return a.__array_interface__["data"][0] if isinstance(a, np.ndarray) else a.data.ptr
