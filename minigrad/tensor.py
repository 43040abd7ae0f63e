"""Tensor: one NumPy or CuPy array plus what autograd needs (grad, requires_grad, grad_fn).

No op math lives here: every method below calls a function in minigrad/ops/.
Unlike torch, `.data` is the raw NumPy/CuPy array, not a Tensor.
"""
from __future__ import annotations

import numpy as np

from . import autograd, backend
from .ops import arith, index, linalg, reduce, shape, softmax, sort


class Tensor(backend.MovesWithTo):
    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_output_nr", "__weakref__")
    __array_ufunc__ = None          # numpy scalars/arrays defer to our reflected operators

    def __init__(self, data, dtype=None, device=None, requires_grad=False):
        from .creation import tensor
        t = tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        self.data, self.grad, self.grad_fn, self._output_nr = t.data, None, None, 0
        self.requires_grad = t.requires_grad

    @classmethod
    def _make(cls, array, grad_fn=None, output_nr=0):
        """Wrap an array without copying (the fast path every op uses)."""
        t = object.__new__(cls)
        if not isinstance(array, np.ndarray) and not backend.is_cuda_array(array):
            array = np.asarray(array)
        t.data, t.grad, t.grad_fn, t._output_nr = array, None, grad_fn, output_nr
        t.requires_grad = grad_fn is not None
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
    def is_cuda(self):
        return backend.is_cuda_array(self.data)

    @property
    def T(self):
        return shape.permute(self, *reversed(range(self.ndim)))

    @property
    def mT(self):
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
        if inputs is not None:
            raise NotImplementedError("backward(inputs=...) is not supported; use minigrad.grad")
        g, = autograd._default_grads([self], gradient, "backward")
        keep = create_graph if retain_graph is None else retain_graph
        autograd.run_backward([self], [g], keep, create_graph)

    # ---- in-place updates (no autograd; for init and optimizers) -------------------------
    def _inplace(self, value):
        if self.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError("a leaf tensor that requires grad is being used in an in-place "
                               "operation; wrap it in minigrad.no_grad()")
        value = autograd.unwrap(value)
        xp = backend.array_module(self.data)
        if self.data.flags.writeable:
            self.data[...] = value
        else:
            self.data = xp.array(xp.broadcast_to(value, self.shape), dtype=self.dtype)
        return self

    def zero_(self):
        return self._inplace(0)

    def fill_(self, value):
        return self._inplace(value)

    def copy_(self, src):
        src = autograd.unwrap(src)
        return self._inplace(backend.to_device(src, self.device).astype(self.dtype))

    def _ufunc_(self, name, other):
        """self = self <op> other written into self's own memory when it is writable."""
        xp = backend.array_module(self.data)
        other = autograd.unwrap(other)
        if self.requires_grad and autograd.is_grad_enabled():
            return self._inplace(getattr(xp, name)(self.data, other))
        if self.data.flags.writeable:
            getattr(xp, name)(self.data, other, out=self.data, casting="unsafe")
            return self
        return self._inplace(getattr(xp, name)(self.data, other))

    def add_(self, other, alpha=1):
        return self._ufunc_("add", other if alpha == 1 else alpha * autograd.unwrap(other))

    def sub_(self, other, alpha=1):
        return self._ufunc_("subtract",
                            other if alpha == 1 else alpha * autograd.unwrap(other))

    def mul_(self, other):
        return self._ufunc_("multiply", other)

    def div_(self, other):
        return self._ufunc_("true_divide", other)

    def clamp_(self, min=None, max=None):
        return self._inplace(backend.array_module(self.data).clip(self.data, min, max))

    def uniform_(self, a=0.0, b=1.0):
        r = backend.rng(backend.array_module(self.data))
        return self._inplace(r.uniform(a, b, self.shape))

    def normal_(self, mean=0.0, std=1.0):
        r = backend.rng(backend.array_module(self.data))
        return self._inplace(r.normal(mean, std, self.shape))

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
    def __neg__(self): return arith.Neg.apply(self)
    def __pos__(self): return self
    def __abs__(self): return arith.Abs.apply(self)
    def __eq__(self, o): return arith.compare(lambda a, b: a == b, self, o, "eq")
    def __ne__(self, o): return arith.compare(lambda a, b: a != b, self, o, "ne")
    def __lt__(self, o): return arith.compare(lambda a, b: a < b, self, o, "lt")
    def __le__(self, o): return arith.compare(lambda a, b: a <= b, self, o, "le")
    def __gt__(self, o): return arith.compare(lambda a, b: a > b, self, o, "gt")
    def __ge__(self, o): return arith.compare(lambda a, b: a >= b, self, o, "ge")
    def __invert__(self): return arith.compare(lambda a, b: ~a, self, None, "invert")
    def __and__(self, o): return arith.compare(lambda a, b: a & b, self, o, "and")
    def __or__(self, o): return arith.compare(lambda a, b: a | b, self, o, "or")
    def __xor__(self, o): return arith.compare(lambda a, b: a ^ b, self, o, "xor")

    def __getitem__(self, key):
        return index.GetItem.apply(self, index.convert_key(key, backend.array_module(self.data)))

    def __setitem__(self, key, value):
        if self.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError("in-place assignment into a tensor that requires grad is not "
                               "supported by minigrad's autograd; use where/masked_fill/scatter")
        key = index.convert_key(key, backend.array_module(self.data))
        self.data[key] = autograd.unwrap(value)

    # ---- math methods -----------------------------------------------------------------
    def add(self, o): return self + o
    def sub(self, o): return self - o
    def mul(self, o): return self * o
    def div(self, o): return self / o
    def pow(self, o): return self ** o
    def matmul(self, o): return self @ o
    def neg(self): return -self
    def exp(self): return arith.Exp.apply(self)
    def log(self): return arith.Log.apply(self)
    def sqrt(self): return arith.Sqrt.apply(self)
    def abs(self): return arith.Abs.apply(self)
    def tanh(self): return arith.Tanh.apply(self)
    def sigmoid(self): return arith.Sigmoid.apply(self)
    def relu(self): return arith.Relu.apply(self)
    def sin(self): return arith.Sin.apply(self)
    def cos(self): return arith.Cos.apply(self)
    def clamp(self, min=None, max=None): return arith.clamp(self, min, max)
    clip = clamp
    def maximum(self, o): return arith.maximum(self, o)
    def minimum(self, o): return arith.minimum(self, o)
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
    def reshape(self, *shape): return shape_reshape(self, *shape)
    def view(self, *shape): return shape_reshape(self, *shape)
    def view_as(self, other): return shape_reshape(self, other.shape)
    def reshape_as(self, other): return shape_reshape(self, other.shape)
    def permute(self, *dims): return shape.permute(self, *dims)
    def transpose(self, dim0, dim1): return shape.transpose(self, dim0, dim1)
    def t(self): return shape.transpose(self, 0, 1)
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


def shape_reshape(x, *new_shape):
    """reshape with torch's -1 inference and error message."""
    dims = tuple(new_shape[0]) if len(new_shape) == 1 and isinstance(new_shape[0], (tuple, list)) \
        else new_shape
    dims = tuple(int(d) for d in dims)
    if dims.count(-1) > 1:
        raise RuntimeError(f"reshape: only one dimension can be -1, got {dims}")
    return shape.reshape(x, dims)
