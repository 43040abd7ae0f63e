"""Tensor: one NumPy or CuPy array plus what autograd needs (grad, requires_grad, grad_fn).

No op math lives here: every method below calls a function in minigrad/ops/.
Unlike torch, `.data` is the raw NumPy/CuPy array, not a Tensor.
"""
from __future__ import annotations

import numpy as np

from . import autograd, backend, storage
from .ops import (arith, bitwise, compare, division, functional, index, inplace, linalg, reduce,
                  shape, softmax, sort, unary)


class Tensor(backend.MovesWithTo):
    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_output_nr", "_view",
                 "__weakref__")
    __array_ufunc__ = None          # numpy scalars/arrays defer to our reflected operators

    def __init__(self, *args, dtype=None, device=None, requires_grad=False):
        """torch.Tensor's legacy constructor: Tensor(data) (default float dtype), Tensor(*sizes)
        (zeros here; torch leaves them uninitialized), Tensor() (empty), Tensor(tensor) (an
        alias of its data)."""
        from .creation import tensor, zeros  # lazy: creation.py imports this module
        if len(args) == 1 and isinstance(args[0], Tensor) and dtype is None and device is None:
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
        return t

    # ---- attributes -------------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

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
        return None if self._view is None else self._view.base    # None for no_grad views

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
        return self.shape if dim is None else self.shape[shape.normalize_dim(dim, self.ndim)]

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
        body = np.array2string(self.numpy(force=True), separator=", ", prefix="tensor(")
        extras = []
        if self.is_cuda:
            extras.append(f"device='{self.device}'")
        if self.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

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

    def to(self, *args, dtype=None, device=None):
        """to(device), to(dtype), to(device, dtype): differentiable moves and casts."""
        device, dtype = self._to_args(args, device, dtype)
        out = self
        if device is not None:
            dev = backend.Device(device)
            if dev != self.device:
                from .ops.convert import ToDevice
                out = ToDevice.apply(out, dev)
        if dtype is not None:
            dt = backend.to_dtype(dtype)
            if dt != out.dtype:
                from .ops.convert import Cast
                out = Cast.apply(out, dt)
        return out

    def long(self):
        return self.to(backend.int64)

    def int(self):
        return self.to(backend.int32)

    def bool(self):
        return self.to(backend.bool_)

    def type_as(self, other):
        return self.to(other.dtype)

    def detach(self):
        return Tensor._make(self.data)

    def clone(self):
        return self + 0 if self.dtype.kind == "f" else Tensor._make(self.data.copy())

    def requires_grad_(self, requires_grad=True):
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

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's .grad (torch.Tensor.backward)."""
        autograd.backward(self, gradient, retain_graph, create_graph, inputs)

    # ---- in-place ops: the out-of-place op, then a write into our own memory -----------------
    # (ops/inplace.py: version counters, leaf checks, history rebased as in torch)
    def add_(self, other, *, alpha=1):
        return inplace.arith(self, "add", other, "add_",
                             lambda t: t.add(other, alpha=alpha), alpha)

    def sub_(self, other, *, alpha=1):
        return inplace.arith(self, "subtract", other, "sub_",
                             lambda t: t.sub(other, alpha=alpha), alpha)

    def mul_(self, other):
        return inplace.arith(self, "multiply", other, "mul_", lambda t: t * other)

    def div_(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return inplace.arith(self, "true_divide", other, "div_", lambda t: t / other)
        return inplace.update(self, lambda t: t.div(other, rounding_mode=rounding_mode), "div_",
                              other)

    def true_divide_(self, other): return self.div_(other)
    def floor_divide_(self, o): return inplace.update(self, lambda t: t // o, "floor_divide_", o)
    def remainder_(self, o): return inplace.update(self, lambda t: t % o, "remainder_", o)
    def fmod_(self, o): return inplace.update(self, lambda t: t.fmod(o), "fmod_", o)
    def pow_(self, o): return inplace.update(self, lambda t: t ** o, "pow_", o)
    def bitwise_and_(self, o): return inplace.update(self, lambda t: t & o, "bitwise_and_", o)
    def bitwise_or_(self, o): return inplace.update(self, lambda t: t | o, "bitwise_or_", o)
    def bitwise_xor_(self, o): return inplace.update(self, lambda t: t ^ o, "bitwise_xor_", o)
    def bitwise_not_(self): return inplace.update(self, lambda t: ~t, "bitwise_not_")

    def bitwise_left_shift_(self, o):
        return inplace.update(self, lambda t: t << o, "bitwise_left_shift_", o)

    def bitwise_right_shift_(self, o):
        return inplace.update(self, lambda t: t >> o, "bitwise_right_shift_", o)

    def neg_(self): return inplace.update(self, lambda t: -t, "neg_")
    def exp_(self): return inplace.update(self, Tensor.exp, "exp_")
    def log_(self): return inplace.update(self, Tensor.log, "log_")
    def sqrt_(self): return inplace.update(self, Tensor.sqrt, "sqrt_")
    def abs_(self): return inplace.update(self, Tensor.abs, "abs_")
    def tanh_(self): return inplace.update(self, Tensor.tanh, "tanh_")
    def sigmoid_(self): return inplace.update(self, Tensor.sigmoid, "sigmoid_")
    def relu_(self): return inplace.update(self, Tensor.relu, "relu_")
    def sin_(self): return inplace.update(self, Tensor.sin, "sin_")
    def cos_(self): return inplace.update(self, Tensor.cos, "cos_")

    def clamp_(self, min=None, max=None):
        return inplace.update(self, lambda t: t.clamp(min, max), "clamp_", min, max)

    clip_ = clamp_
    def clamp_min_(self, min): return self.clamp_(min=min)
    def clamp_max_(self, max): return self.clamp_(max=max)

    def masked_fill_(self, mask, value):
        return inplace.update(self, lambda t: t.masked_fill(mask, value), "masked_fill_", value,
                              check_cast=False)

    def scatter_(self, dim, index_, src=None, value=None):
        return inplace.update(self, lambda t: t.scatter(dim, index_, src, value), "scatter_",
                              src, check_cast=False)

    def scatter_add_(self, dim, index_, src):
        return inplace.update(self, lambda t: t.scatter_add(dim, index_, src), "scatter_add_",
                              src, check_cast=False)

    def zero_(self): return inplace.fill(self, 0, "zero_")
    def fill_(self, value): return inplace.fill(self, value)
    def copy_(self, src, non_blocking=False): return inplace.copy(self, src)

    def uniform_(self, a=0.0, b=1.0):
        r = backend.rng(backend.array_module(self.data))
        return inplace.fill(self, r.uniform(a, b, self.shape), "uniform_")

    def normal_(self, mean=0.0, std=1.0):
        r = backend.rng(backend.array_module(self.data))
        return inplace.fill(self, r.normal(mean, std, self.shape), "normal_")

    def __setitem__(self, key, value):
        inplace.setitem(self, key, value)

    # Python's augmented assignments are in place, as torch's (an alias sees the change)
    def __iadd__(self, o): return self.add_(o)
    def __isub__(self, o): return self.sub_(o)
    def __imul__(self, o): return self.mul_(o)
    def __itruediv__(self, o): return self.div_(o)
    def __ifloordiv__(self, o): return self.floor_divide_(o)
    def __imod__(self, o): return self.remainder_(o)
    def __ipow__(self, o): return self.pow_(o)
    def __iand__(self, o): return self.bitwise_and_(o)
    def __ior__(self, o): return self.bitwise_or_(o)
    def __ixor__(self, o): return self.bitwise_xor_(o)
    def __ilshift__(self, o): return self.bitwise_left_shift_(o)
    def __irshift__(self, o): return self.bitwise_right_shift_(o)

    # ---- operators --------------------------------------------------------------------
    def __add__(self, o): return arith.Add.apply(self, o)
    def __radd__(self, o): return arith.Add.apply(o, self)
    def __sub__(self, o): return arith.Sub.apply(self, o)
    def __rsub__(self, o): return arith.Sub.apply(o, self)
    def __mul__(self, o): return arith.Mul.apply(self, o)
    def __rmul__(self, o): return arith.Mul.apply(o, self)
    def __truediv__(self, o): return arith.Div.apply(self, o)
    def __rtruediv__(self, o): return arith.Div.apply(o, self)
    def __pow__(self, o): return arith.Pow.apply(self, o)
    def __rpow__(self, o): return arith.Pow.apply(o, self)
    def __matmul__(self, o): return linalg.Matmul.apply(self, o)
    def __rmatmul__(self, o): return linalg.Matmul.apply(o, self)
    def __neg__(self): return unary.Neg.apply(self)
    def __pos__(self): return self
    def __abs__(self): return unary.Abs.apply(self)
    def __eq__(self, o): return compare.compare(lambda a, b: a == b, self, o, "eq")
    def __ne__(self, o): return compare.compare(lambda a, b: a != b, self, o, "ne")
    def __lt__(self, o): return compare.compare(lambda a, b: a < b, self, o, "lt")
    def __le__(self, o): return compare.compare(lambda a, b: a <= b, self, o, "le")
    def __gt__(self, o): return compare.compare(lambda a, b: a > b, self, o, "gt")
    def __ge__(self, o): return compare.compare(lambda a, b: a >= b, self, o, "ge")
    def __floordiv__(self, o): return division.floor_divide(self, o)
    def __rfloordiv__(self, o): return division.floor_divide(o, self)
    def __mod__(self, o): return division.remainder(self, o)
    def __rmod__(self, o): return division.remainder(o, self)
    def __invert__(self): return bitwise.bitwise_not(self)
    def __and__(self, o): return bitwise.bitwise_and(self, o)
    def __rand__(self, o): return bitwise.bitwise_and(o, self)
    def __or__(self, o): return bitwise.bitwise_or(self, o)
    def __ror__(self, o): return bitwise.bitwise_or(o, self)
    def __xor__(self, o): return bitwise.bitwise_xor(self, o)
    def __rxor__(self, o): return bitwise.bitwise_xor(o, self)
    def __lshift__(self, o): return bitwise.bitwise_left_shift(self, o)
    def __rlshift__(self, o): return bitwise.bitwise_left_shift(o, self)
    def __rshift__(self, o): return bitwise.bitwise_right_shift(self, o)
    def __rrshift__(self, o): return bitwise.bitwise_right_shift(o, self)

    def __getitem__(self, key):
        return index.GetItem.apply(self, index.convert_key(key, backend.array_module(self.data)))

    # ---- math methods -----------------------------------------------------------------
    def add(self, other, *, alpha=1): return functional.add(self, other, alpha=alpha)
    def sub(self, other, *, alpha=1): return functional.sub(self, other, alpha=alpha)
    subtract = sub
    def mul(self, other): return self * other
    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return division.div(self, other, rounding_mode=rounding_mode)
    divide = div
    def true_divide(self, other): return self / other
    def floor_divide(self, other): return division.floor_divide(self, other)
    def remainder(self, other): return division.remainder(self, other)
    def fmod(self, other): return division.fmod(self, other)
    def bitwise_and(self, other): return bitwise.bitwise_and(self, other)
    def bitwise_or(self, other): return bitwise.bitwise_or(self, other)
    def bitwise_xor(self, other): return bitwise.bitwise_xor(self, other)
    def bitwise_not(self): return bitwise.bitwise_not(self)
    def bitwise_left_shift(self, other): return bitwise.bitwise_left_shift(self, other)
    def bitwise_right_shift(self, other): return bitwise.bitwise_right_shift(self, other)
    def pow(self, o): return self ** o
    def matmul(self, o): return self @ o
    def neg(self): return -self
    def exp(self): return unary.Exp.apply(self)
    def log(self): return unary.Log.apply(self)
    def sqrt(self): return unary.Sqrt.apply(self)
    def abs(self): return unary.Abs.apply(self)
    def tanh(self): return unary.Tanh.apply(self)
    def sigmoid(self): return unary.Sigmoid.apply(self)
    def relu(self): return unary.Relu.apply(self)
    def sin(self): return unary.Sin.apply(self)
    def cos(self): return unary.Cos.apply(self)
    def clamp(self, min=None, max=None): return compare.clamp(self, min, max)
    clip = clamp
    def maximum(self, o): return compare.maximum(self, o)
    def minimum(self, o): return compare.minimum(self, o)
    def masked_fill(self, mask, value): return index.masked_fill(self, mask, value)
    def eq(self, o): return self == o
    def ne(self, o): return self != o
    def lt(self, o): return self < o
    def le(self, o): return self <= o
    def gt(self, o): return self > o
    def ge(self, o): return self >= o

    def sum(self, dim=None, keepdim=False, *, dtype=None):
        return reduce.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        return reduce.mean(self, dim, keepdim, dtype=dtype)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return reduce.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return reduce.std(self, dim, unbiased, keepdim, correction=correction)

    def amax(self, dim=(), keepdim=False): return reduce.amax(self, dim, keepdim)
    def amin(self, dim=(), keepdim=False): return reduce.amin(self, dim, keepdim)

    def aminmax(self, *, dim=None, keepdim=False):
        return reduce.aminmax(self, dim=dim, keepdim=keepdim)

    def max(self, dim=None, keepdim=False, *, other=None):
        return reduce.max(self, dim, keepdim, other=other)

    def min(self, dim=None, keepdim=False, *, other=None):
        return reduce.min(self, dim, keepdim, other=other)

    def argmax(self, dim=None, keepdim=False): return reduce.argmax(self, dim, keepdim)
    def argmin(self, dim=None, keepdim=False): return reduce.argmin(self, dim, keepdim)
    def logsumexp(self, dim, keepdim=False): return reduce.logsumexp(self, dim, keepdim)

    def sort(self, dim=-1, descending=False, *, stable=False):
        return sort.sort(self, dim, descending, stable=stable)

    def argsort(self, dim=-1, descending=False, *, stable=False):
        return sort.argsort(self, dim, descending, stable=stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return sort.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k, dim=-1, keepdim=False): return sort.kthvalue(self, k, dim, keepdim)
    def median(self, dim=None, keepdim=False): return sort.median(self, dim, keepdim)
    def nanmedian(self, dim=None, keepdim=False): return sort.nanmedian(self, dim, keepdim)
    def mode(self, dim=-1, keepdim=False): return sort.mode(self, dim, keepdim)
    def softmax(self, dim, dtype=None): return softmax.softmax(self, dim, dtype)
    def log_softmax(self, dim, dtype=None): return softmax.log_softmax(self, dim, dtype)

    # ---- shape methods ----------------------------------------------------------------
    def reshape(self, *sizes, **kw): return shape_reshape(self, *sizes, **kw)
    def view(self, *sizes, **kw): return shape_reshape(self, *sizes, **kw)
    def view_as(self, other): return shape_reshape(self, other.shape)
    def reshape_as(self, other): return shape_reshape(self, other.shape)
    def permute(self, *dims, **kw): return shape.permute(self, *dims, **kw)
    def transpose(self, dim0, dim1): return shape.transpose(self, dim0, dim1)
    def t(self): return shape.t(self)
    def unsqueeze(self, dim): return shape.unsqueeze(self, dim)
    def squeeze(self, dim=None): return shape.squeeze(self, dim)
    def expand(self, *sizes): return shape.expand(self, *sizes)
    def expand_as(self, other): return shape.expand(self, other.shape)
    def flatten(self, start_dim=0, end_dim=-1): return shape.flatten(self, start_dim, end_dim)
    def contiguous(self): return shape.Contiguous.apply(self)

    def select(self, dim, i):
        d = shape.normalize_dim(dim, self.ndim, "select")
        return self[(slice(None),) * d + (i,)]

    def gather(self, dim, index_): return index.gather(self, dim, index_)

    def scatter(self, dim, index_, src=None, value=None):
        return index.scatter(self, dim, index_, src, value)

    def scatter_add(self, dim, index_, src): return index.scatter_add(self, dim, index_, src)


def shape_reshape(x, *new_shape, **kw):
    """reshape/view with torch's -1 inference and errors (ops/shape.py's reshape)."""
    return shape.reshape(x, *new_shape, **kw)

