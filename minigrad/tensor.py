"""Tensor: one NumPy or CuPy array plus what autograd needs (grad, requires_grad, grad_fn).

No op math lives here: the op methods (tensor_ops.py: operators and the core ops;
tensor_math.py; tensor_shape.py) and in-place methods (tensor_inplace.py) call functions in
minigrad/ops/; this file holds the attributes, conversions and autograd.
Unlike torch, `.data` is the raw NumPy/CuPy array, not a Tensor.
"""
from __future__ import annotations

import numpy as np

from . import autograd, backend, grad_mode, hooks, storage, tensor_str
from .ops import checks, shape
from .ops import memory_format as mf
from .tensor_inplace import InplaceMethods
from .tensor_extra import ExtraMethods
from .tensor_layout import LayoutMethods
from .tensor_legacy import LegacyMethods
from .tensor_math import MathMethods
from .tensor_meta import MetaMethods, mark_inference
from .tensor_misc import MiscMethods
from .tensor_ops import OpMethods
from .tensor_shape import ShapeMethods
from .tensor_signal import SignalMethods
from .tensor_views import ViewMethods
from .size import Size

_new = tuple.__new__            # Size from an array's shape, skipping Size()'s checks


class Tensor(OpMethods, MathMethods, ShapeMethods, InplaceMethods, LayoutMethods,
             MiscMethods, SignalMethods, ExtraMethods, MetaMethods, ViewMethods,
             LegacyMethods, backend.MovesWithTo):
    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_output_nr", "_view",
                 "__weakref__")
    __array_ufunc__ = None          # numpy scalars/arrays defer to our reflected operators
    _batched = False                # True for minigrad.func's BatchedTensor (inside vmap)

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        """torch.Tensor's legacy constructor: Tensor(data) (default float dtype), Tensor(*sizes)
        (zeros here; torch leaves them uninitialized), Tensor() (empty), Tensor(tensor) (an
        alias of its data)."""
        from .creation import tensor, zeros  # lazy: creation.py imports this module
        if len(args) == 1 and isinstance(args[0], Size):    # Tensor(x.shape): sizes, as torch
            t = zeros(tuple(args[0]), dtype=dtype, device=device)
        elif len(args) == 1 and isinstance(args[0], Tensor) and dtype is None and device is None:
            t = Tensor._make(args[0].data)
        elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            t = zeros(*(args or (0,)), dtype=dtype, device=device)
        elif len(args) == 1 and (isinstance(args[0], (list, tuple, np.ndarray))
                                 or backend.is_cuda_array(args[0])):
            t = tensor(args[0], dtype=dtype or backend.get_default_dtype(), device=device)
        else:
            got = type(args[0]).__name__ if len(args) == 1 else f"{len(args)} arguments"
            raise TypeError(f"Tensor(): data must be a sequence or sizes must be ints (got {got})")
        self.data, self.grad, self.grad_fn, self._output_nr = t.data, None, None, 0
        self.requires_grad, self._view = False, None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, array, grad_fn=None, output_nr=0):
        """Wrap an array without copying (the fast path every op uses)."""
        t = object.__new__(cls)
        if not isinstance(array, np.ndarray) and not backend.is_cuda_array(array):
            array = np.asarray(array)
        t.data, t.grad, t.grad_fn, t._output_nr = array, None, grad_fn, output_nr
        t.requires_grad, t._view = grad_fn is not None, None
        if grad_mode.inference_active and grad_mode._state.inference:
            mark_inference(t)                   # an inference tensor (Tensor.is_inference)
        return t

    # ---- attributes -------------------------------------------------------------------
    @property
    def shape(self):
        return _new(Size, self.data.shape)      # torch.Size, built without re-checking

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self):
        return backend.device_of(self.data)

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def _version(self):
        """How many in-place writes this tensor's memory has seen (shared with its views)."""
        return storage.version(self.data)

    @property
    def _base(self):
        """The tensor this one is a view of (torch's ._base), or None."""
        return None if self._view is None else self._view.base

    @property
    def is_cuda(self):
        return backend.is_cuda_array(self.data)

    @property
    def T(self):
        return shape.permute(self, *reversed(range(self.ndim)))

    @property
    def mT(self):
        if self.ndim == 0:          # torch: the identity (a view), deprecated there
            return shape.permute(self)
        if self.ndim == 1:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               "Got 1-D tensor.")
        return shape.transpose(self, -2, -1)

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[shape.normalize_dim(dim, self.ndim,
                                                                             "size")]

    def dim(self):
        return self.ndim

    def numel(self):
        return int(self.data.size)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return tensor_str.tensor_repr(self)       # torch's format: minigrad/tensor_str.py

    def __format__(self, spec):
        """A 0-d tensor formats as its Python number (f"{loss:.4f}"); others only with ""."""
        if self.ndim == 0:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError("Boolean value of Tensor with "
                               f"{'no values' if self.data.size == 0 else 'more than one value'}"
                               " is ambiguous")
        return bool(self.data.reshape(()))

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self)))

    def __contains__(self, element):
        """`element in t`: whether any entry equals element (a number or a tensor), as torch."""
        if not isinstance(element, (Tensor, int, float, complex, np.number, np.bool_)):
            msg = ("Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                   f"{type(element)}.")
            raise RuntimeError(msg)  # noqa: TRY004  (torch raises RuntimeError here)
        return bool((self == element).data.any())

    def _scalar(self):
        if self.data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self):
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __complex__(self):
        return complex(self._scalar())

    def __index__(self):
        if self.dtype.kind not in "biu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    __array_priority__ = 1000       # NumPy scalars on the left of an operator defer to us

    def __array__(self, dtype=None, copy=None):
        """np.asarray(t) / np.array(t): the numbers on the host (torch raises for CUDA)."""
        if self.is_cuda:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        array = self.numpy()
        if dtype is not None and np.dtype(dtype) != array.dtype:
            if copy is False:
                raise ValueError(f"__array__: converting {array.dtype} to {np.dtype(dtype)} "
                                 "needs a copy, but copy=False was passed")
            return array.astype(dtype)
        return array.copy() if copy else array

    # ---- conversions ------------------------------------------------------------------
    def numpy(self, *, force=False):
        """The data as a host NumPy array, sharing memory on CPU (a copy from the GPU).
        As torch, refuses a tensor that requires grad unless force=True."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self.data.get() if self.is_cuda else self.data

    def item(self):
        if self.data.size != 1:
            raise RuntimeError(f"a Tensor with {self.data.size} elements cannot be converted "
                               "to Scalar")
        return self.numpy(force=True).reshape(()).item()

    def tolist(self):
        return self.numpy(force=True).tolist()

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export the data through DLPack without a copy (torch.from_dlpack(x) works)."""
        from .interop import export_dlpack  # lazy: interop is glue, not needed by the core
        return export_dlpack(self, stream, max_version, dl_device, copy)

    def __dlpack_device__(self):
        return self.data.__dlpack_device__()

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False,
           memory_format=None):
        """to(device), to(dtype), to(device, dtype), to(tensor): differentiable moves and
        casts; a copy also when copy=True or to lay the result out in memory_format."""
        args, non_blocking, copy = _to_flags(args, non_blocking, copy)
        device, dtype = self._to_args(args, device, dtype)
        fmt = mf.check("to", memory_format, allow_none=True)
        if fmt is not mf.preserve_format:
            mf.check_rank(fmt, self.ndim)
        out = self
        if dtype is not None:
            dtype = checks.need_dtype("to", dtype)
        if device is not None:
            try:
                dev = backend.Device(device)
            except ValueError as e:
                raise ValueError(f"to(): {e}") from None
            if dev != self.device:
                from .ops.convert import ToDevice
                out = ToDevice.apply(out, dev)
        if dtype is not None:
            dt = backend.to_dtype(dtype)
            if dt != out.dtype:
                from .ops.convert import Cast
                out = Cast.apply(out, dt)
        if fmt is not mf.preserve_format:   # (self: only where its layout suggests fmt)
            if out is self and not copy and mf.suggest(self.data) is fmt:
                return self
            if out is self or mf.strides_of(out.data) != mf.format_strides(out.shape, fmt):
                out = mf.relayout(out, fmt)
            return out
        return out.clone() if copy and out is self else out

    def long(self):
        return self.to(backend.int64)

    def int(self):
        return self.to(backend.int32)

    def bool(self):
        return self.to(backend.bool_)

    def type_as(self, other):
        checks.need_tensor("type_as", other, "other", 1)
        return self.to(other.dtype)

    def detach(self):
        return Tensor._make(self.data)

    def clone(self, *, memory_format=mf.preserve_format):
        """A differentiable copy; preserve_format keeps the layout (made dense), as torch."""
        fmt = mf.check("clone", memory_format)
        if self._batched:                   # (inside vmap: the per-sample layout is hidden)
            return self + 0 if self.dtype.kind == "f" else self.detach() + 0
        mf.check_rank(fmt, self.ndim)
        return mf.relayout(self, fmt)

    def requires_grad_(self, requires_grad=True):
        checks.need_bool("requires_grad_", requires_grad, "requires_grad", 1)
        if requires_grad and self.dtype.kind != "f":
            raise RuntimeError(f"requires_grad_: only tensors of floating point dtype can "
                               f"require gradients, got {self.dtype}")
        if not self.is_leaf and not requires_grad:
            raise RuntimeError("requires_grad_: cannot turn off requires_grad of a non-leaf "
                               "tensor; use detach()")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self):
        """Keep .grad on this non-leaf tensor after backward (a no-op on leaves)."""
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("retain_grad: cannot retain grad on a tensor that does not "
                                   "require grad")
            return
        import weakref
        if self.grad_fn._retained is None:
            self.grad_fn._retained = {}
        self.grad_fn._retained[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook):
        """hook(grad) -> None or a new gradient, called when this tensor's gradient is complete
        (minigrad/hooks.py); returns a handle whose remove() unregisters it."""
        return hooks.register_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) after backward() has accumulated this leaf's .grad."""
        return hooks.register_post_accumulate_grad_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's .grad (torch.Tensor.backward)."""
        checks.need_optional_tensor("backward", gradient, "gradient", 1)
        for name, flag in (("retain_graph", retain_graph), ("create_graph", create_graph)):
            if (flag is not None or name == "create_graph") and not (
                    type(flag) in (bool, int) and 0 <= flag < 256):
                # (torch takes a small int too; retain_graph=None means create_graph)
                raise TypeError(f"backward(): argument '{name}' must be bool, not "
                                f"{type(flag).__name__}")
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)


def _to_flags(args, non_blocking, copy):
    """Tensor.to's trailing positional bools: to(dtype, non_blocking, copy) and
    to(device, dtype, non_blocking, copy)."""
    args = list(args)
    flags = []
    while args and isinstance(args[-1], bool):
        flags.insert(0, args.pop())
    if len(flags) > 2:
        raise TypeError(f"to(): too many positional bool arguments {tuple(flags)}")
    if flags:
        non_blocking = flags[0]
    if len(flags) == 2:
        copy = flags[1]
    return args, non_blocking, copy
