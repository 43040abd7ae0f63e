"""Tensor creation: tensor(), zeros/ones/full/empty/arange/eye, random tensors, *_like.

dtype rules follow torch: Python floats give the default dtype (mg.get_default_dtype()),
Python ints int64, bools bool; NumPy/CuPy arrays and NumPy scalars keep their dtype; a list
mixing them takes the promotion of its elements.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import autograd, backend
from .creation_data import (_check_array_dtype, _check_int_range, _check_strides,
                            _from_python, _leaf_dtype)
from .generator import check_generator
from .ops import memory_format as mf
from .ops.checks import need_dtype, need_int, need_ints, need_not_bool, need_number, need_tensor
from .ops.arith import torch_name
from .tensor import Tensor


def _finish(array, requires_grad):
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _xp_for(device):
    if device is None:          # mg.set_default_device, else the CPU
        device = backend.default_device or "cpu"
    dev = backend.Device(device)
    if dev.type == "cpu":
        return np, dev
    cp = backend.cupy_module()
    if cp is None:
        raise RuntimeError("device='cuda': CUDA is not available (CuPy is not installed or no "
                           "GPU was found)")
    return cp, dev


def tensor(data, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A new leaf tensor holding a copy of `data` (torch.tensor)."""
    dtype = None if dtype is None else need_dtype("tensor", dtype)
    if isinstance(data, Tensor):
        array = data.data.copy()
    elif isinstance(data, np.ndarray) or backend.is_cuda_array(data):
        _check_array_dtype(data)
        _check_strides(data)
        array = data.copy()
    elif hasattr(data, "__dlpack__") and hasattr(data, "detach"):    # a torch tensor
        array = np.array(data.detach().cpu().numpy())
    else:
        # Python numbers straight into a float dtype: 0.2 must not pass through float32
        array = _from_python(data, dtype if dtype is not None and dtype.kind == "f" else None)
        if dtype is not None and dtype.kind in "iu" and array.dtype.kind in "iu":
            _check_int_range(array, dtype)
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    device = backend.default_device if device is None else device
    if device is not None or not isinstance(array, np.ndarray):
        dev = backend.Device(device) if device is not None else backend.device_of(array)
        array = backend.to_device(array, dev)
    return _finish(array, requires_grad)


def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (torch.from_numpy): writes through either
    are seen by the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(ndarray).__name__})")
    _check_array_dtype(ndarray, "from_numpy")
    _check_strides(ndarray)
    if not ndarray.dtype.isnative:
        raise ValueError("from_numpy: given numpy array has byte order different from the "
                         "native byte order. Conversion between byte orders is currently not "
                         "supported.")
    return Tensor._make(ndarray)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """data as a tensor, sharing memory when dtype and device allow (torch.as_tensor)."""
    dt = None if dtype is None else need_dtype("as_tensor", dtype)
    device = backend.default_device if device is None else device
    if isinstance(data, Tensor):
        out = data.to(dtype=dt) if dt is not None else data
        return out.to(device) if device is not None else out
    on_cpu = device is None or backend.Device(device).type == "cpu"
    if isinstance(data, np.ndarray) and on_cpu and (dt is None or dt == data.dtype):
        return from_numpy(data)
    if backend.is_cuda_array(data) and (dt is None or dt == data.dtype) and (
            device is None or backend.Device(device) == backend.device_of(data)):
        return Tensor._make(data)
    return tensor(data, dtype=dt, device=device)


def _size(size, fn):
    if not size:                # torch: zeros() needs a size; zeros(()) is 0-d
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = need_ints(fn, list(size), "size")
    if any(s < 0 for s in size):
        raise RuntimeError(f"{fn}(): Trying to create tensor with negative dimension "
                           f"{min(size)}: {list(size)}")
    return size


def _dtype(dtype, default=None, fn="tensor"):
    """The requested dtype (checked as torch checks it), else `default`, else the default
    float dtype."""
    if dtype is not None:
        return need_dtype(fn, dtype)
    return default if default is not None else backend.get_default_dtype()


def zeros(*size, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    return _finish(xp.zeros(_size(size, "zeros"), _dtype(dtype, fn="zeros")), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    return _finish(xp.ones(_size(size, "ones"), _dtype(dtype, fn="ones")), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False,
          memory_format=mf.contiguous_format):
    xp, _ = _xp_for(device)
    shape, dt = _size(size, "empty"), _dtype(dtype, fn="empty")
    fmt = mf.check("empty", memory_format)
    if fmt is mf.preserve_format:
        raise RuntimeError("empty: unsupported memory format Preserve")
    mf.check_rank(fmt, len(shape))
    return _finish(mf.empty_strided(xp, shape, mf.format_strides(shape, fmt), dt)
                   if fmt is not mf.contiguous_format else xp.empty(shape, dt), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if not isinstance(fill_value, Tensor):
        need_number("full", fill_value, "fill_value", 2)
    if dtype is None:
        dtype = _leaf_dtype(autograd.unwrap(fill_value) if isinstance(fill_value, Tensor)
                            else fill_value)
    return _finish(xp.full(_size((size,), "full"), fill_value, _dtype(dtype, fn="full")),
                   requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    xp, _ = _xp_for(device)
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        need_number("arange", v, name)
        if not math.isfinite(v):
            raise RuntimeError(f"arange: unsupported range: {start} -> {end} (step {step})")
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and larger bound inconsistent with step sign "
                           f"({start} -> {end}, step {step})")
    ints = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    default = backend.int64 if ints else backend.get_default_dtype()
    dt = need_not_bool(_dtype(dtype, default, fn="arange"), "arange", "arange_cpu")
    return _finish(xp.arange(start, end, step).astype(dt), requires_grad)


def _steps(steps, op):
    if isinstance(steps, Tensor):
        steps = steps.item()
    steps = need_int(op, steps, "steps")
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative, got {steps}")
    return int(steps)


def _endpoint(v, op, name):
    if isinstance(v, Tensor):
        if v.ndim:
            raise RuntimeError(f"{op}(): expected a 0-d tensor for {name}, got shape "
                               f"{tuple(v.shape)}")
        v = v.item()
    if not isinstance(v, numbers.Real):
        raise TypeError(f"{op}(): argument '{name}' must be a number, not {type(v).__name__}")
    return v


def _linspace(xp, start, end, steps, dt):
    """torch's linspace: the first half counted up from start, the second down from end, in
    the result dtype (float) so the end points are exact."""
    work = dt if dt.kind == "f" else np.dtype(np.float64)
    if dt.kind in "iub":                    # torch casts the end points first
        start, end = int(start), int(end)
    if steps == 1:
        return xp.full((1,), start, dtype=work)
    i = xp.arange(steps, dtype=work)
    step = (work.type(end) - work.type(start)) / work.type(max(steps - 1, 1))
    half = steps // 2
    return xp.where(i < half, work.type(start) + step * i,
                    work.type(end) - step * (steps - 1 - i)).astype(work)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    """`steps` evenly spaced values from start to end inclusive (torch.linspace)."""
    xp, _ = _xp_for(device)
    start, end = _endpoint(start, "linspace", "start"), _endpoint(end, "linspace", "end")
    dt = need_not_bool(np.dtype(_dtype(dtype, fn="linspace")), "linspace", "linspace_cpu")
    a = _linspace(xp, start, end, _steps(steps, "linspace"), dt)
    return _finish(a.astype(dt), requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    """The n x m identity matrix (m defaults to n) (torch.eye)."""
    xp, _ = _xp_for(device)
    n = need_int("eye", n, "n", 1)
    m = n if m is None else need_int("eye", m, "m", 2)
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {v}")
    return _finish(xp.eye(n, m, dtype=_dtype(dtype, fn="eye")), requires_grad)


def _float_dtype(dtype, op, kernel):
    """A floating dtype for op's draws: torch's sampling kernel has no other."""
    dt = _dtype(dtype, fn=op)
    if dt.kind != "f":
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for "
                                  f"'{torch_name(dt)}'")
    return dt


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Standard normal samples from minigrad's generator (seeded by manual_seed), or from
    `generator` (a minigrad.Generator)."""
    xp, _ = _xp_for(device)
    dt = _float_dtype(dtype, "randn", "normal_kernel_cpu")
    check_generator("randn", generator)
    if backend.vmap_decides_draws():        # the vmap's randomness flag decides the draw
        from .func import batching_random
        return batching_random.factory(
            lambda shape: randn(shape, dtype=dt, device=device, generator=generator),
            _size(size, "randn"))
    r = backend.rng(xp, generator)
    a = r.standard_normal(_size(size, "randn"), dtype=np.float64 if dt == np.float16 else dt)
    return _finish(a.astype(dt, copy=False), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None):
    """Uniform samples on [0, 1)."""
    xp, _ = _xp_for(device)
    dt = _float_dtype(dtype, "rand", "check_uniform_bounds")
    check_generator("rand", generator)
    if backend.vmap_decides_draws():
        from .func import batching_random
        return batching_random.factory(
            lambda shape: rand(shape, dtype=dt, device=device, generator=generator),
            _size(size, "rand"))
    r = backend.rng(xp, generator)
    draw = r.random if xp is np else r.random_sample
    a = draw(_size(size, "rand"), dtype=np.float64 if dt == np.float16 else dt)
    return _finish(a.astype(dt, copy=False), requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None, *, generator=None):
    """Integers in [low, high) (torch.randint(low=0, high, size))."""
    if size is None:
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint: expected randint(high, size) or randint(low, high, size)")
    low, high = need_int("randint", low, "low"), need_int("randint", high, "high")
    check_generator("randint", generator)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    if high <= low:
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    xp, _ = _xp_for(device)
    if backend.vmap_decides_draws():
        from .func import batching_random
        return batching_random.factory(
            lambda shape: randint(low, high, shape, dtype=dtype, device=device,
                                  generator=generator),
            _size((size,), "randint"))
    r = backend.rng(xp, generator)
    draw = r.integers if xp is np else r.randint
    dt = np.dtype(_dtype(dtype, backend.int64, fn="randint"))
    if dt.kind in "biu":                # torch's random_(from, to) bounds for the dtype
        lo, hi = (0, 1) if dt.kind == "b" else (np.iinfo(dt).min, np.iinfo(dt).max)
        for what, v in (("from", low), ("to - 1", high - 1)):
            if not lo <= v <= hi:
                raise RuntimeError(f"randint: {what} is out of bounds for {_C_NAMES[dt.str[1:]]}")
    a = draw(low, high, _size((size,), "randint"))
    return _finish(a.astype(dt), False)


_C_NAMES = {"b1": "bool", "i1": "signed char", "u1": "unsigned char", "i2": "short",
            "i4": "int", "i8": "long"}


def randperm(n, dtype=None, device=None, *, generator=None):
    n = need_int("randperm", n, "n", 1)
    check_generator("randperm", generator)
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    xp, _ = _xp_for(device)
    dt = np.dtype(_dtype(dtype, backend.int64, fn="randperm"))
    _randperm_fits(n, dt)
    if backend.vmap_decides_draws():        # 'different': a permutation per sample
        from .func import batching_random
        return batching_random.factory(
            lambda shape: _finish(xp.argsort(backend.rng(xp, generator).random(shape), axis=-1,
                                             kind="stable").astype(dt), False), (n,))
    perm = backend.rng(xp, generator).permutation(n)
    return _finish(perm.astype(dt), False)


def _randperm_fits(n, dt):
    """torch's checks that 0..n-1 are exact in dt."""
    if dt.kind == "b":
        raise NotImplementedError("randperm: \"randperm\" not implemented for 'Bool'")
    if dt.kind in "iu" and n - 1 > np.iinfo(dt).max:
        raise RuntimeError(f"randperm: value cannot be converted to type {dt.name}_t without "
                           "overflow")
    limit = {2: 2049, 4: 2 ** 24 + 1, 8: 2 ** 53 + 1}.get(dt.itemsize)
    if dt.kind == "f" and n > limit:
        raise RuntimeError(f"randperm: n cannot be greater than {limit} for "
                           f"{torch_name(dt)} type.")


def _like(fn, x, dtype, device, requires_grad, *args, memory_format=mf.preserve_format,
          **kw):
    """fn(x.shape, *args) with x's dtype and device unless given (torch's *_like), laid out
    in memory_format (preserve_format: as x, made dense)."""
    name = f"{fn.__name__}_like"
    need_tensor(name, x, "input", 1)
    fmt = mf.check(name, memory_format)
    if fmt is not mf.preserve_format:
        mf.check_rank(fmt, x.ndim)
    out = fn(x.shape, *args, dtype=x.dtype if dtype is None else dtype,
             device=x.device if device is None else device, requires_grad=requires_grad, **kw)
    if x._batched:                      # (inside vmap: the per-sample layout is hidden)
        return out
    st = mf.like_strides(x.data, fmt)
    return out if st == mf.strides_of(out.data) else _finish(mf.copy_as(out.data, st),
                                                             requires_grad)


def zeros_like(x, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(zeros, x, dtype, device, requires_grad, memory_format=_fmt(memory_format))


def ones_like(x, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(ones, x, dtype, device, requires_grad, memory_format=_fmt(memory_format))


def empty_like(x, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _like(empty, x, dtype, device, requires_grad, memory_format=_fmt(memory_format))


def full_like(x, fill_value, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    return _like(full, x, dtype, device, requires_grad, fill_value,
                 memory_format=_fmt(memory_format))


def randn_like(x, dtype=None, device=None, requires_grad=False, *, generator=None,
               memory_format=None):
    return _like(randn, x, dtype, device, requires_grad, generator=generator,
                 memory_format=_fmt(memory_format))


def rand_like(x, dtype=None, device=None, requires_grad=False, *, generator=None,
              memory_format=None):
    return _like(rand, x, dtype, device, requires_grad, generator=generator,
                 memory_format=_fmt(memory_format))


def _fmt(memory_format):
    return mf.preserve_format if memory_format is None else memory_format


# ---- issue 15: logspace, randint_like, Tensor.new_* ----
def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    """base ** linspace(start, end, steps) (torch.logspace)."""
    xp, _ = _xp_for(device)
    start, end = _endpoint(start, "logspace", "start"), _endpoint(end, "logspace", "end")
    base = _endpoint(base, "logspace", "base")
    dt = need_not_bool(np.dtype(_dtype(dtype)), "logspace", "logspace_cpu")
    exps = _linspace(xp, start, end, _steps(steps, "logspace"), np.dtype(np.float64))
    return _finish(xp.power(float(base), exps).astype(dt), requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False,
                 generator=None, memory_format=None):
    """Integers in [low, high) with input's shape, dtype and device unless given
    (torch.randint_like(input, high) or (input, low, high))."""
    if not isinstance(input, Tensor):
        raise TypeError(f"randint_like(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if high is None:
        low, high = 0, low
    low, high = need_int("randint_like", low, "low"), need_int("randint_like", high, "high")
    if high <= low:
        raise RuntimeError(f"randint_like: random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    dt = input.dtype if dtype is None else need_dtype("randint_like", dtype)
    if dt.kind == "b" and not (0 <= low and high <= 2):
        raise RuntimeError(f"randint_like: [{low}, {high}) is out of bounds for bool")
    def draw(shape, dtype, device, requires_grad, generator):
        return randint(low, high, shape, dtype=dtype, device=device, generator=generator)
    draw.__name__ = "randint"           # (_like's errors say randint_like)
    out = _like(draw, input, dtype, device, False, generator=generator,
                memory_format=_fmt(memory_format))
    return out.requires_grad_(True) if requires_grad else out


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    """Tensor.new_tensor: a copy of data with self's dtype and device unless given."""
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
    """Tensor.new_full: `size` filled with fill_value, self's dtype and device unless given."""
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_filled(fn, self, size, dtype, device, requires_grad):
    """Tensor.new_zeros/new_ones/new_empty: fn(*size) with self's dtype and device unless
    given."""
    return fn(*size, dtype=dtype or self.dtype, device=device or self.device,
              requires_grad=requires_grad)
