"""torch's legacy typed-tensor constructors (mg.FloatTensor, ..., mg.BoolTensor), the legacy
`new` rules they share with Tensor.new, and set_default_tensor_type.

FloatTensor(2, 3): an uninitialized float32 tensor of that shape; FloatTensor([1, 2]): from
data; FloatTensor(): empty; FloatTensor(t): an alias of t (which must already be float32 on
the CPU). isinstance(t, mg.FloatTensor) is True for a float32 CPU tensor, as torch's.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from . import backend

# dtype name -> (legacy type name, the C++ name torch's TensorOptions error prints)
_NAMES = {"float32": ("Float", "float"), "float64": ("Double", "double"),
          "float16": ("Half", "c10::Half"), "int64": ("Long", "long int"),
          "int32": ("Int", "int"), "int16": ("Short", "short int"),
          "int8": ("Char", "signed char"), "uint8": ("Byte", "unsigned char"),
          "bool": ("Bool", "bool")}


def _options(dt, dev):
    return (f"TensorOptions(dtype={_NAMES[dt.name][1]}, device={dev}, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def _is_size(v) -> bool:
    """torch reads an int, a NumPy integer or a 0-d integer array as one size."""
    if isinstance(v, bool):
        return False
    if isinstance(v, (numbers.Integral, np.integer)):
        return True
    return isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iu"


def _invalid(fn, args, kwargs):
    got = [type(a).__name__ for a in args] + [f"{k}={type(v).__name__}" for k, v in
                                               kwargs.items()]
    return TypeError(f"{fn}() received an invalid combination of arguments - got "
                     f"({', '.join(got)}), but expected one of: (*, device=None), "
                     "(Tensor other), (tuple of ints size, *, device=None), "
                     "(object data, *, device=None)")


def legacy_new(fn, dt, device, args, kwargs):
    """torch's legacy constructor rules for dtype `dt` on `device` (a Device or None for the
    CPU); `device=` is the only keyword, and it must be of the same device type. Errors name
    `fn` ('new' as torch's, or 'FloatTensor', ...)."""
    from .creation import empty, tensor          # lazy: creation imports tensor.py
    from .tensor import Tensor
    if set(kwargs) - {"device"}:
        raise _invalid(fn, args, kwargs)
    want = "cpu" if device is None else device.type
    if kwargs.get("device") is not None:
        asked = backend.Device(kwargs["device"])
        if asked.type != want:
            raise RuntimeError(f"{fn}(): legacy constructor expects device type: {want} but "
                               f"device type: {asked.type} was passed")
        device = asked
    if len(args) == 1 and isinstance(args[0], Tensor):
        t = args[0]
        if t.dtype != dt or t.device.type != want:
            raise TypeError(f"{fn}(): expected {_options(dt, want)} (got "
                            f"{_options(t.dtype, t.device.type)})")
        return t[...]                           # torch: an alias sharing t's memory
    from .size import Size
    if len(args) == 1 and isinstance(args[0], Size) or args and all(map(_is_size, args)):
        sizes = tuple(args[0]) if isinstance(args[0], Size) else tuple(int(a) for a in args)
        for pos, n in enumerate(sizes):
            if not -2**63 <= n < 2**63:
                raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos "
                                f"{pos + 1} with error \"Overflow when unpacking long long\"")
        if any(n < 0 for n in sizes):
            raise RuntimeError(f"{fn}(): Trying to create tensor with negative dimension "
                               f"{min(sizes)}: {list(sizes)}")
        return empty(sizes, dtype=dt, device=device)        # Size([]): 0-d
    if not args:
        return empty(0, dtype=dt, device=device)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, str):
            raise TypeError(f"{fn}(): invalid data type 'str'")
        if not isinstance(data, (list, tuple, np.ndarray)) and not backend.is_cuda_array(data):
            raise TypeError(f"{fn}(): data must be a sequence (got {_type_name(data)})")
        try:
            return tensor(data, dtype=dt, device=device)
        except (TypeError, ValueError, RuntimeError) as e:     # name the constructor called
            raise type(e)(f"{fn}(): {e}") from None
    if _is_size(args[0]):
        pos = next(i for i, a in enumerate(args) if not _is_size(a))
        raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos {pos + 1} "
                        f"with error \"type must be tuple of ints,but got "
                        f"{_type_name(args[pos])}\"")
    raise _invalid(fn, args, kwargs)


def _type_name(v):
    t = type(v)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}." \
        f"{t.__qualname__}"


class tensortype:
    """The type of mg.FloatTensor and its siblings (torch.tensortype): calling one builds a
    tensor by the legacy rules; isinstance(t, it) checks t's dtype on the CPU."""
    __slots__ = ("__name__", "dtype")
    is_cuda = False
    is_sparse = False

    def __init__(self, name, dt):
        self.__name__, self.dtype = name, dt

    def __call__(self, *args, **kwargs):
        return legacy_new(self.__name__, self.dtype, None, args, kwargs)

    def __instancecheck__(self, obj):
        from .tensor import Tensor
        return (isinstance(obj, Tensor) and obj.dtype == self.dtype
                and obj.device.type == "cpu")

    def __repr__(self):
        return f"<class 'torch.{self.__name__}'>"


def _make(dt):
    dt = np.dtype(dt)
    return tensortype(f"{_NAMES[dt.name][0]}Tensor", dt)


FloatTensor, DoubleTensor, HalfTensor = _make("float32"), _make("float64"), _make("float16")
LongTensor, IntTensor, ShortTensor = _make("int64"), _make("int32"), _make("int16")
CharTensor, ByteTensor, BoolTensor = _make("int8"), _make("uint8"), _make("bool")
_BY_NAME = {t.__name__: t for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor,
                                    IntTensor, ShortTensor, CharTensor, ByteTensor,
                                    BoolTensor)}


class _NoModule(ModuleNotFoundError, ValueError):
    """torch imports a type name's module ('bogus.FloatTensor': ModuleNotFoundError); also a
    ValueError, the class minigrad raises for a bad argument value."""


def set_default_tensor_type(t) -> None:
    """Deprecated in torch (warns as torch does): sets the default dtype from a floating
    legacy type (mg.DoubleTensor or 'torch.DoubleTensor'). matches
    torch.set_default_tensor_type."""
    if isinstance(t, str):
        head, _, rest = t.partition(".")
        if head != "torch":
            raise _NoModule(f"set_default_tensor_type(): No module named '{head}'")
        if rest not in _BY_NAME:
            raise AttributeError(f"set_default_tensor_type(): module 'torch' has no attribute "
                                 f"'{rest}'")
        t = _BY_NAME[rest]
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    if not isinstance(t, tensortype):
        raise TypeError("set_default_tensor_type(): invalid type object: only floating-point "
                        "types are supported as the default type")
    if t.dtype.kind != "f":
        raise TypeError("set_default_tensor_type(): only floating-point types are supported as "
                        "the default type")
    backend.set_default_dtype(t.dtype)
