"""A stand-in `cupy` module on the CPU: arrays that minigrad sees as CUDA arrays, backed by
NumPy memory, so that code written for CuPy (minigrad's ops on "cuda" tensors, the NCCL
backend with fake_nccl.py) runs unmodified on a machine without a GPU.

    from cuda_emu import fake_cupy
    cp = fake_cupy.install(n_devices=2)     # sys.modules['cupy'], 'cupy.cuda', 'cupy.cuda.nccl'
    t = mg.tensor([1.0, 2.0]).to("cuda")    # t.data is a fake_cupy.ndarray

`ndarray` is not a numpy.ndarray subclass (minigrad tells the devices apart by type, as with
real CuPy); it holds one NumPy array and forwards to it, re-wrapping results. It behaves as
CuPy does where a mistake would matter on a GPU:
  - host arrays are refused where CuPy refuses them (ufuncs and functions mixing a NumPy
    array with a device array, `numpy.asarray(device_array)`): `.get()` / `cp.asarray` move
    data, and `cp.asarray(host)` copies;
  - `.data.ptr` is the address of the memory, `.base` the array a view was taken from (the
    root owner, as CuPy), `.device.id` the device current when it was made;
  - `cp.empty` returns memory filled with 0xff bytes (NaN), so unwritten outputs show.
Streams and events are CuPy's classes in outline; with fake_nccl installed, NCCL work is
queued per stream (an event's `done` advances it) and device work waits for it first.
`allocation_device(ptr, nbytes)` tells on which device a pointer range lies inside one live
allocation, if any (what fake_nccl checks before touching memory).
"""
from __future__ import annotations

import itertools
import sys
import types
import weakref

import numpy as np

_ROOTS: dict = {}               # id(root buffer) -> (weakref to it, device): live allocations
_state = types.SimpleNamespace(n_devices=1, device=0, nccl=None)


def _sync():
    """Wait for queued NCCL work before device work that could touch its memory (stream
    order: a kernel after a collective on the stream runs after it)."""
    if _state.nccl is not None and _state.nccl.pending():
        _state.nccl.synchronize()


def _root(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _register(a: np.ndarray, dev: int):
    r = _root(a)
    if id(r) not in _ROOTS:
        _ROOTS[id(r)] = (weakref.ref(r, lambda _, k=id(r): _ROOTS.pop(k, None)), dev)


def allocation_device(ptr: int, nbytes: int):
    """The device of the live allocation holding [ptr, ptr + nbytes), or None when no single
    device allocation holds that range (a host pointer, freed memory, a range run past an
    array's end)."""
    for ref, dev in list(_ROOTS.values()):
        r = ref()
        if r is None:
            continue
        start = r.__array_interface__["data"][0]
        if start <= ptr and ptr + nbytes <= start + r.nbytes:
            return dev
    return None


class CUDARuntimeError(RuntimeError):
    pass


class _Memory:
    __slots__ = ("ptr",)

    def __init__(self, ptr):
        self.ptr = ptr


class ndarray:
    """A device array: NumPy memory behind CuPy's interface (see the module docstring)."""

    __slots__ = ("_a", "base", "_dev", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        if memptr is not None or strides is not None:
            raise NotImplementedError("fake cupy.ndarray: memptr/strides")
        self._a = _empty(shape, dtype)
        self.base, self._dev = None, _state.device
        _register(self._a, self._dev)

    # -- what makes it a CuPy array --------------------------------------------------------
    @property
    def data(self):
        return _Memory(self._a.__array_interface__["data"][0])

    @property
    def device(self):
        return Device(self._dev)

    def get(self, stream=None, order="C", out=None):
        _sync()
        if out is not None:
            out[...] = self._a
            return out
        return np.array(self._a, order=order)

    def set(self, arr, stream=None):
        _sync()
        if not isinstance(arr, np.ndarray):
            raise TypeError("cupy.ndarray.set: expected a numpy.ndarray")
        self._a[...] = arr

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. Please use "
                        "`.get()` to construct a NumPy array explicitly.")

    def __repr__(self):
        _sync()
        return repr(self._a).replace("array(", "fake_cupy.array(", 1)

    def __str__(self):
        return str(self._a)

    # -- NumPy's protocols: unwrap, compute, rewrap ----------------------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _sync()
        if "out" in kwargs:
            kwargs["out"] = tuple(_unwrap(o, ufunc.__name__) for o in kwargs["out"])
        res = getattr(ufunc, method)(*[_unwrap(x, ufunc.__name__) for x in inputs], **kwargs)
        return _wrap_like(res, inputs + tuple(_outs(kwargs)), kwargs)

    def __array_function__(self, func, types_, args, kwargs):
        _sync()
        return _call(func, args, kwargs, func.__name__)

    def __getattr__(self, name):
        if name in ("_a", "base", "_dev"):
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if callable(attr):
            def method(*args, **kwargs):
                _sync()
                return _wrap_like(attr(*_unwrap_all(args, name), **_unwrap_all(kwargs, name)),
                                  (self,) + tuple(args), kwargs)
            return method
        return _wrap_like(attr, (self,), {})

    def __getitem__(self, key):
        _sync()
        return _wrap_like(self._a[_unwrap_all(key, "__getitem__")], (self,), {})

    def __setitem__(self, key, value):      # CuPy copies a host value in (as .set does)
        _sync()
        value = value._a if isinstance(value, ndarray) else value
        self._a[_unwrap_all(key, "__setitem__")] = value

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        _sync()
        return bool(self._a)

    def __float__(self):
        _sync()
        return float(self._a)

    def __int__(self):
        _sync()
        return int(self._a)

    def __index__(self):
        return self._a.__index__()

    def __complex__(self):
        return complex(self._a)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __reduce__(self):
        raise TypeError("fake cupy.ndarray: pickling is not emulated")

    __hash__ = None


def _ufunc_dunder(ufunc, reflected=False, inplace=False):
    if inplace:
        return lambda self, other: ufunc(self, other, out=(self,))
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


# The operators, written out (each is one NumPy ufunc through __array_ufunc__).
ndarray.__add__, ndarray.__radd__, ndarray.__iadd__ = (
    _ufunc_dunder(np.add), _ufunc_dunder(np.add, True), _ufunc_dunder(np.add, inplace=True))
ndarray.__sub__, ndarray.__rsub__, ndarray.__isub__ = (
    _ufunc_dunder(np.subtract), _ufunc_dunder(np.subtract, True),
    _ufunc_dunder(np.subtract, inplace=True))
ndarray.__mul__, ndarray.__rmul__, ndarray.__imul__ = (
    _ufunc_dunder(np.multiply), _ufunc_dunder(np.multiply, True),
    _ufunc_dunder(np.multiply, inplace=True))
ndarray.__truediv__, ndarray.__rtruediv__, ndarray.__itruediv__ = (
    _ufunc_dunder(np.true_divide), _ufunc_dunder(np.true_divide, True),
    _ufunc_dunder(np.true_divide, inplace=True))
ndarray.__floordiv__, ndarray.__rfloordiv__ = (
    _ufunc_dunder(np.floor_divide), _ufunc_dunder(np.floor_divide, True))
ndarray.__mod__, ndarray.__rmod__ = _ufunc_dunder(np.remainder), _ufunc_dunder(np.remainder, True)
ndarray.__pow__, ndarray.__rpow__, ndarray.__ipow__ = (
    _ufunc_dunder(np.power), _ufunc_dunder(np.power, True), _ufunc_dunder(np.power, inplace=True))
ndarray.__matmul__, ndarray.__rmatmul__ = _ufunc_dunder(np.matmul), _ufunc_dunder(np.matmul, True)
ndarray.__and__, ndarray.__rand__, ndarray.__iand__ = (
    _ufunc_dunder(np.bitwise_and), _ufunc_dunder(np.bitwise_and, True),
    _ufunc_dunder(np.bitwise_and, inplace=True))
ndarray.__or__, ndarray.__ror__, ndarray.__ior__ = (
    _ufunc_dunder(np.bitwise_or), _ufunc_dunder(np.bitwise_or, True),
    _ufunc_dunder(np.bitwise_or, inplace=True))
ndarray.__xor__, ndarray.__rxor__ = _ufunc_dunder(np.bitwise_xor), \
    _ufunc_dunder(np.bitwise_xor, True)
ndarray.__lshift__, ndarray.__rshift__ = _ufunc_dunder(np.left_shift), \
    _ufunc_dunder(np.right_shift)
ndarray.__lt__, ndarray.__le__ = _ufunc_dunder(np.less), _ufunc_dunder(np.less_equal)
ndarray.__gt__, ndarray.__ge__ = _ufunc_dunder(np.greater), _ufunc_dunder(np.greater_equal)
ndarray.__eq__, ndarray.__ne__ = _ufunc_dunder(np.equal), _ufunc_dunder(np.not_equal)
ndarray.__neg__ = lambda self: np.negative(self)
ndarray.__pos__ = lambda self: np.positive(self)
ndarray.__abs__ = lambda self: np.absolute(self)
ndarray.__invert__ = lambda self: np.invert(self)


def _outs(kwargs):
    return kwargs.get("out", ()) or ()


def _unwrap(x, where):
    if isinstance(x, ndarray):
        return x._a
    if isinstance(x, np.ndarray):
        raise TypeError(f"Unsupported type <class 'numpy.ndarray'> (fake cupy: a host array "
                        f"reached device code in {where})")
    return x


def _unwrap_all(x, where):
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap_all(v, where) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap_all(v, where) for k, v in x.items()}
    return _unwrap(x, where)


def _device_inputs(xs):
    found = []
    for x in xs:
        if isinstance(x, ndarray):
            found.append(x)
        elif isinstance(x, (list, tuple)):
            found.extend(_device_inputs(x))
    return found


def _wrap_like(res, inputs, kwargs):
    """Wrap NumPy results: an input's own array is that input; a view of an input's memory
    gets it as base; a tuple is wrapped item by item."""
    if isinstance(res, tuple):
        return tuple(_wrap_like(r, inputs, kwargs) for r in res)
    if isinstance(res, list):
        return [_wrap_like(r, inputs, kwargs) for r in res]
    if not isinstance(res, np.ndarray):
        return res
    ins = _device_inputs(list(inputs) + list(_outs(kwargs)))
    for x in ins:
        if res is x._a:
            return x
    root = _root(res)
    for x in ins:
        if root is _root(x._a):
            return _make(res, x.base if x.base is not None else x, x._dev)
    return _make(res)


def _make(a: np.ndarray, base=None, dev=None) -> ndarray:
    out = ndarray.__new__(ndarray)
    out._a, out.base = a, base
    out._dev = _state.device if dev is None else dev
    _register(a, out._dev)
    return out


def _call(func, args, kwargs, where):
    _sync()
    res = func(*_unwrap_all(args, where), **_unwrap_all(kwargs, where))
    return _wrap_like(res, tuple(args) + tuple(kwargs.values()), {})


def _empty(shape, dtype=float, order="C"):
    dtype = np.dtype(dtype)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    n = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.full(max(n, 1), 0xFF, np.uint8)
    return raw[:n].view(dtype).reshape(shape, order=order)


# ---- the module's functions ----------------------------------------------------------------
def _host_copy(a, dtype=None, order="K"):
    """The device copy of host data (cp.asarray of a NumPy array or a list)."""
    if isinstance(a, (list, tuple)):
        a = _unwrap_all(a, "asarray") if _device_inputs(a) else a
    arr = np.array(a, dtype=dtype, order=order, copy=True)
    return _make(arr)


def asarray(a, dtype=None, order=None, *, blocking=False):
    if isinstance(a, ndarray):
        return a if dtype is None or np.dtype(dtype) == a.dtype else a.astype(dtype)
    return _host_copy(a, dtype)


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    if isinstance(obj, ndarray):
        out = obj.astype(obj.dtype if dtype is None else dtype, order=order, copy=copy)
        return out if ndmin <= out.ndim else out.reshape((1,) * (ndmin - out.ndim) + out.shape)
    out = _host_copy(obj, dtype, order)
    return out if ndmin <= out.ndim else out.reshape((1,) * (ndmin - out.ndim) + out.shape)


def ascontiguousarray(a, dtype=None):
    a = asarray(a, dtype)
    return a if a.flags.c_contiguous else _make(np.ascontiguousarray(a._a))


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    return a.get(order=order, out=out) if isinstance(a, ndarray) else np.asarray(a, order=order)


def empty(shape, dtype=float, order="C"):
    return _make(_empty(shape, dtype, order))


def empty_like(a, dtype=None, order="K", subok=None, shape=None):
    return empty(a.shape if shape is None else shape, a.dtype if dtype is None else dtype)


def from_dlpack(obj):
    raise NotImplementedError("fake cupy: from_dlpack is not emulated")


class _Module(types.ModuleType):
    """`cupy`: the functions above, NumPy's ufuncs (device arrays dispatch them through
    __array_ufunc__), and any other NumPy function with its arrays unwrapped and rewrapped."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        attr = getattr(np, name)
        if isinstance(attr, np.ufunc) or not callable(attr) or isinstance(attr, type):
            return attr
        return lambda *args, **kwargs: _call(attr, args, kwargs, name)


# ---- cupy.cuda: devices, streams, events -----------------------------------------------------
class Device:
    def __init__(self, device=None):
        self.id = _state.device if device is None else int(device)
        self._prev = []

    def _check(self):
        if not 0 <= self.id < _state.n_devices:
            raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")

    def use(self):
        self._check()
        _state.device = self.id

    def __enter__(self):
        self._check()
        self._prev.append(_state.device)
        _state.device = self.id
        return self

    def __exit__(self, *exc):
        _state.device = self._prev.pop()

    def synchronize(self):
        _sync()

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return self.id

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


_handles = itertools.count(0x7F0000001000, 0x100)


class Stream:
    """A stream handle (NCCL work queued on it lives in fake_nccl)."""
    null = None

    def __init__(self, null=False, non_blocking=False, ptds=False):
        self.ptr = 0 if null else next(_handles)
        self.device_id = -1 if null else _state.device

    @property
    def done(self):
        return _state.nccl is None or _state.nccl.reached(_state.nccl.mark(self.ptr))

    def synchronize(self):
        _sync()

    def use(self):
        _current[_state.device] = self
        return self

    def __enter__(self):
        self._prev = _current.get(_state.device, Stream.null)
        _current[_state.device] = self
        return self

    def __exit__(self, *exc):
        _current[_state.device] = self._prev


Stream.null = Stream(null=True)
_current: dict = {}


def get_current_stream(device_id=-1):
    return _current.get(_state.device if device_id == -1 else device_id, Stream.null)


class Event:
    """cupy.cuda.Event: record(stream=None) marks the stream's work so far (the current
    stream's when None); `done` says whether that work completed (an event never recorded
    is done, as CUDA's)."""

    def __init__(self, block=False, disable_timing=False, interprocess=False):
        if interprocess and not disable_timing:
            raise ValueError("Timing must be disabled for interprocess events")
        self.ptr = next(_handles)
        self._mark = None

    def record(self, stream=None):
        if stream is None:
            stream = get_current_stream()
        if not isinstance(stream, Stream):      # CuPy reads stream.ptr
            raise AttributeError(f"'{type(stream).__name__}' object has no attribute 'ptr'")
        if _state.nccl is not None:
            self._mark = _state.nccl.mark(stream.ptr)

    @property
    def done(self):
        return self._mark is None or _state.nccl.reached(self._mark)

    def synchronize(self):
        _sync()


def _runtime():
    rt = types.ModuleType("cupy.cuda.runtime")
    rt.CUDARuntimeError = CUDARuntimeError
    rt.getDeviceCount = lambda: _state.n_devices
    rt.getDevice = lambda: _state.device
    rt.deviceSynchronize = _sync
    return rt


class _Random(types.ModuleType):
    """cupy.random on one NumPy RandomState (seeded by seed())."""

    def __init__(self):
        super().__init__("cupy.random")
        self._rs = np.random.RandomState(0)

    def seed(self, seed=None):
        self._rs = np.random.RandomState(None if seed is None else seed % 2**32)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        fn = getattr(self._rs, name)

        def draw(*args, dtype=None, **kwargs):
            out = np.asarray(fn(*args, **kwargs))
            return _make(out if dtype is None else out.astype(dtype))
        return draw


def install(n_devices: int = 1, nccl=None):
    """Put the fake cupy (and `nccl` as cupy.cuda.nccl, when given) in sys.modules and make
    minigrad.backend find it. Returns the cupy module."""
    _state.n_devices, _state.device = n_devices, 0
    cp = _Module("cupy")
    for name in ("ndarray", "asarray", "array", "ascontiguousarray", "asnumpy", "empty",
                 "empty_like", "from_dlpack"):
        setattr(cp, name, globals()[name])
    cuda = types.ModuleType("cupy.cuda")
    cuda.Device, cuda.Stream, cuda.Event = Device, Stream, Event
    cuda.get_current_stream, cuda.runtime = get_current_stream, _runtime()
    cp.cuda, cp.random = cuda, _Random()
    sys.modules["cupy"], sys.modules["cupy.cuda"] = cp, cuda
    sys.modules["cupy.cuda.runtime"], sys.modules["cupy.random"] = cuda.runtime, cp.random
    _state.nccl = nccl if hasattr(nccl, "synchronize") else None
    if nccl is not None:
        cuda.nccl = nccl
        sys.modules["cupy.cuda.nccl"] = nccl
    from minigrad import backend
    backend._cupy = None            # found again on next use: this module
    backend.cupy_module()
    return cp
