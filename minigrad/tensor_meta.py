"""Tensor's metadata and storage queries with torch's names: data_ptr, output_nr, layout,
the is_* flags (sparse, quantized, meta, ... are always False: minigrad's tensors are dense
and strided), is_inference, share_memory_/is_shared, pin_memory/is_pinned, and the casts to
dtypes minigrad lacks (bfloat16, cfloat, cdouble, chalf), which raise a TypeError.
"""
from __future__ import annotations

import mmap
import weakref

import numpy as np

# tensors created under inference_mode (torch's inference tensors): id -> weak reference
# (a WeakSet would compare tensors with ==, which is elementwise here)
_inference = {}


def mark_inference(t):
    """Called by Tensor._make under inference_mode."""
    key = id(t)
    _inference[key] = weakref.ref(t, lambda _, k=key: _inference.pop(k, None))


class layout:
    """torch.layout: the type of mg.strided, minigrad's only layout (not constructible)."""
    __slots__ = ("name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.layout' instances")

    def __repr__(self):
        return f"torch.{self.name}"


strided = object.__new__(layout)
strided.name = "strided"


def _no_dtype(name, torch_name):
    def cast(self, memory_format=None):
        raise TypeError(f"{name}(): minigrad has no {torch_name} dtype (its dtypes: bool, "
                        "uint8, int8, int16, int32, int64, float16, float32, float64)")
    cast.__name__ = name
    cast.__doc__ = f"torch.Tensor.{name}: refused, minigrad has no {torch_name} dtype."
    return cast


def _root(a):
    while getattr(a, "base", None) is not None:
        a = a.base
    return a


class MetaMethods:
    """Mixed into Tensor (tensor.py)."""
    __slots__ = ()

    def data_ptr(self):
        """The address of the first element (0 for an empty tensor, as torch)."""
        if self.data.size == 0:
            return 0
        a = self.data
        return a.__array_interface__["data"][0] if isinstance(a, np.ndarray) else a.data.ptr

    def const_data_ptr(self): return self.data_ptr()

    @property
    def output_nr(self):
        """Which output of its grad_fn this tensor is (0 for leaves)."""
        return self._output_nr

    @property
    def layout(self): return strided
    @property
    def is_sparse(self): return False
    @property
    def is_sparse_csr(self): return False
    @property
    def is_quantized(self): return False
    @property
    def is_meta(self): return False
    @property
    def is_mkldnn(self): return False
    @property
    def is_nested(self): return False

    def is_distributed(self): return False

    def is_inference(self):
        """Whether this tensor was made under inference_mode (torch.Tensor.is_inference)."""
        ref = _inference.get(id(self))
        return ref is not None and ref() is self

    def share_memory_(self):
        """Moves the data into shared memory (an anonymous shared mapping, which processes
        forked afterwards share); a no-op on CUDA and for tensors already there. Views made
        before the move keep the old memory (torch's views follow the storage)."""
        if self.is_cuda or self.is_shared():
            return self
        buf = mmap.mmap(-1, max(self.data.nbytes, 1))
        shared = np.frombuffer(buf, dtype=self.data.dtype, count=self.data.size)
        shared = shared.reshape(self.data.shape)
        shared[...] = self.data
        self.data = shared
        return self

    def is_shared(self):
        """Whether the data lives in shared memory (after share_memory_; CUDA tensors: True,
        as torch's)."""
        return self.is_cuda or isinstance(_root(self.data), mmap.mmap) or isinstance(
            getattr(_root(self.data), "obj", None), mmap.mmap)

    def pin_memory(self, device=None):
        """Page-locked host memory: minigrad cannot pin; torch raises too with no GPU."""
        from . import cuda
        if not cuda.is_available():
            raise RuntimeError("Cannot access accelerator device when none is available.")
        raise NotImplementedError("pin_memory(): minigrad does not allocate page-locked host "
                                  "memory")

    def is_pinned(self, device=None):
        return False

    bfloat16 = _no_dtype("bfloat16", "bfloat16")
    cfloat = _no_dtype("cfloat", "complex64 (cfloat)")
    cdouble = _no_dtype("cdouble", "complex128 (cdouble)")
    chalf = _no_dtype("chalf", "complex32 (chalf)")

