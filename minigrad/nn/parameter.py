"""Parameter: a leaf Tensor that a Module registers as learnable."""
from __future__ import annotations

from ..autograd import unwrap
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that requires grad by default and is found by Module.parameters()."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            import numpy as np
            data = np.empty((0,), np.float32)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Parameter: data must be a Tensor, not {type(data).__name__}")
        elif requires_grad and data.dtype.kind not in "fc":
            raise RuntimeError(f"Parameter: only Tensors of floating point and complex dtype "
                               f"can require gradients, got {data.dtype}")
        array = unwrap(data)
        self.data, self.grad, self.grad_fn, self._output_nr = array, None, None, 0
        self.requires_grad, self._view = False, None
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """A Tensor that Module.__setattr__ registers as a buffer (matches torch.nn.Buffer):
    Buffer(data, persistent=False) keeps it out of state_dict. It shares data's memory and
    requires_grad; torch returns a plain Tensor flagged as a buffer, minigrad a Buffer."""

    __slots__ = ("persistent",)

    def __init__(self, data=None, *, persistent=True):
        if data is None:
            from .. import creation     # lazy: creation imports tensor, as this file does
            data = creation.empty(0)
        elif not isinstance(data, Tensor):
            raise TypeError(f"Buffer: data must be a Tensor, not {type(data).__name__}")
        self.data, self.grad, self.grad_fn, self._output_nr = unwrap(data), None, None, 0
        self.requires_grad, self._view = data.requires_grad, None
        self.persistent = bool(persistent)


_DATA = Tensor.__dict__["data"]         # the slot itself: the lazy classes' .data hides it

LAZY_SHAPE_MSG = ("Can't access the shape of an uninitialized parameter or buffer. This error "
                  "usually happens in `load_state_dict` when trying to load an uninitialized "
                  "parameter into an initialized one. Call `forward` to initialize the "
                  "parameters before accessing their attributes.")


class UninitializedTensorMixin:
    """What UninitializedParameter and UninitializedBuffer share (torch's mixin): no shape
    and no data until materialize(shape); dtype, device, requires_grad and module moves work,
    anything that reads the values raises torch's ValueError."""

    __slots__ = ()
    cls_to_become = None

    def _setup(self, requires_grad, device, dtype):
        from .. import creation
        _DATA.__set__(self, creation.empty(0, dtype=dtype, device=device).data)
        self.grad, self.grad_fn, self._output_nr, self._view = None, None, 0, None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @property
    def data(self):
        raise ValueError(f"Attempted to use an uninitialized parameter ({type(self).__name__}). "
                         "This error happens when you are using a `LazyModule` or explicitly "
                         f"manipulating `nn.parameter.{type(self).__name__}` objects. "
                         "When using LazyModules Call `forward` with a dummy batch to "
                         "initialize the parameters before calling functions on them")

    @data.setter
    def data(self, array):          # Module.to / .double() move the empty placeholder
        _DATA.__set__(self, array)

    @property
    def dtype(self):
        return _DATA.__get__(self).dtype

    @property
    def device(self):
        from .. import backend
        return backend.device_of(_DATA.__get__(self))

    @property
    def shape(self):
        raise RuntimeError(LAZY_SHAPE_MSG)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give it an (uninitialised) array of `shape`, on this device and dtype unless given,
        and turn it into cls_to_become (matches torch's materialize)."""
        from .. import creation
        dtype = self.dtype if dtype is None else dtype
        device = self.device if device is None else device
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        array = creation.empty(*shape, dtype=dtype, device=device).data
        self.__class__ = self.cls_to_become
        self.data = array

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call "
                           "`forward` to initialize the parameters before calling "
                           "`module.share_memory()`.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]

    def __reduce_ex__(self, proto):        # as torch: dtype and device are not kept
        return (type(self), (self.requires_grad,))


def is_lazy(param) -> bool:
    """Whether param is an UninitializedParameter or UninitializedBuffer (torch's is_lazy)."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape is not known yet (matches torch.nn.UninitializedParameter);
    a lazy module materializes it on its first forward."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        self._setup(requires_grad, device, dtype)


class UninitializedBuffer(UninitializedTensorMixin, Buffer):
    """A buffer whose shape is not known yet (matches torch.nn.UninitializedBuffer); it
    becomes a Buffer (torch: a Tensor flagged as a buffer) when materialized."""

    __slots__ = ()
    cls_to_become = Buffer

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        self._setup(requires_grad, device, dtype)
        self.persistent = bool(persistent)

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype,
                                        self.persistent)
        return memo[id(self)]
