"""The NumPy/CuPy switch: array module of an array, devices, dtypes, the random generator.

This is the only module that imports CuPy, and it does so lazily: a machine without CuPy
or without a GPU imports minigrad fine and sees ``minigrad.cuda.is_available() == False``.
"""
from __future__ import annotations

import numpy as np

_cupy = None          # the cupy module once imported, False if it cannot be used
_seed = None          # last manual_seed, applied to CuPy lazily when it is first used
_initial_seed = int(np.random.SeedSequence().entropy) % 2**64   # (torch seeds from entropy)
_cpu_rng = np.random.default_rng(_initial_seed % 2**63)
kernels_enabled = True  # flipped by minigrad.cuda.use_kernels(); read by Op.apply


def cupy_module():
    """Return the cupy module, or None when CuPy is missing or no GPU is usable."""
    global _cupy
    if _cupy is None:
        try:
            import cupy
            cupy.cuda.runtime.getDeviceCount()
            _cupy = cupy
            if _seed is not None:
                cupy.random.seed(_seed)
        except Exception:  # ImportError, CUDA driver errors: both mean "no GPU here"
            _cupy = False
    return _cupy or None


def cuda_available() -> bool:
    return cupy_module() is not None


def _cupy_for(a):
    """The cupy module when `a` may be a CuPy array (imports it on first sight of one: a
    CuPy array can reach minigrad before anything else has loaded CuPy), else None."""
    if _cupy is None and type(a).__module__.startswith("cupy"):
        cupy_module()
    return _cupy or None


def array_module(a):
    """numpy for host arrays, cupy for device arrays (the `xp` every op is written against)."""
    if isinstance(a, np.ndarray):
        return np
    cp = _cupy_for(a)
    return cp if cp is not None and isinstance(a, cp.ndarray) else np


def module_of(array_type):
    """numpy or cupy, from the type of an array (what a graph node keeps of its outputs)."""
    return np if array_type is np.ndarray else cupy_module()


def module_of_device(t):
    """NumPy or CuPy for a Tensor, from its device (not its array: inside vmap a batched
    tensor has no array of its own)."""
    return cupy_module() if t.is_cuda else np


def is_cuda_array(a) -> bool:
    cp = _cupy_for(a)
    return cp is not None and isinstance(a, cp.ndarray)


class MovesWithTo:
    """torch's shorthands for .to(...), shared by Tensor and Module: each class defines `to`."""

    __slots__ = ()

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else f"cuda:{device}")

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def half(self):
        return self.to(float16)

    @staticmethod
    def _to_args(args, device, dtype):
        """(device, dtype) from torch's to(...) forms: to(device), to(dtype), to(device, dtype),
        to(tensor) (its device and dtype); positionals override the keywords."""
        for a in args:
            if isinstance(a, (str, Device)):
                device = a
            elif isinstance(a, MovesWithTo) and hasattr(a, "dtype"):    # a Tensor
                device, dtype = a.device, a.dtype
            else:
                dtype = a
        return device, dtype


class Device:
    """A device like torch.device: ``str(d)`` is "cpu" or "cuda:0"; compares equal to strings."""

    __slots__ = ("type", "index")

    def __init__(self, spec="cpu", index=None):
        if isinstance(spec, Device):
            spec, index = spec.type, spec.index
        spec = str(spec)
        kind, _, idx = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise ValueError(f"device: expected 'cpu' or 'cuda[:N]', got {spec!r}")
        if idx:
            if not idx.isdigit():
                raise ValueError(f"device: bad device index in {spec!r}")
            index = int(idx)
        self.type = kind
        self.index = index if kind == "cuda" else None

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = Device(other)
            except ValueError:
                return False
        if not isinstance(other, Device):
            return NotImplemented
        same_index = self.index == other.index or None in (self.index, other.index)
        return self.type == other.type and same_index

    def __hash__(self):
        return hash(self.type)


CPU = Device("cpu")
default_device = None    # set by mg.set_default_device: where creation functions put tensors


def device_of(a) -> Device:
    if is_cuda_array(a):
        return Device("cuda", a.device.id)
    return CPU


def to_device(a, device: Device):
    """Move an array to `device` (a no-op when it is already there)."""
    if device.type == "cpu":
        return a.get() if is_cuda_array(a) else a
    cp = cupy_module()
    if cp is None:
        raise RuntimeError("to('cuda'): CUDA is not available (CuPy is not installed or no GPU "
                           "was found); install CuPy: pip install cupy-cuda12x or cupy-cuda13x "
                           "(in minigrad's checkout: pip install -e '.[cuda12]')")
    with cp.cuda.Device(device.index or 0):
        return cp.asarray(a)


# ---- dtypes: NumPy dtype objects, so that x.dtype == mg.float32 holds -------------------
float16 = np.dtype("float16")
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = np.dtype("int16")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")

_DEFAULT_FLOAT = float32     # what Python floats and float constructors produce (set below)


def get_default_dtype():
    """The dtype of Python floats and float constructors (torch.get_default_dtype)."""
    return _DEFAULT_FLOAT


def set_default_dtype(d):
    """Set the default floating dtype: float16, float32 or float64 (torch.set_default_dtype)."""
    global _DEFAULT_FLOAT
    from .ops.checks import need_dtype  # lazy: the ops package imports this module
    dt = need_dtype("set_default_dtype", d, "d")
    if dt.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    _DEFAULT_FLOAT = dt


def to_dtype(dtype):
    """Accept mg dtypes, numpy dtypes, strings, Python types, and torch dtypes by name."""
    if dtype is None:
        return None
    try:
        return np.dtype(dtype)
    except TypeError:
        name = str(dtype).replace("torch.", "")
        try:
            return np.dtype(name)
        except TypeError:
            raise TypeError(f"dtype: cannot interpret {dtype!r} as a data type") from None


def is_floating(dtype) -> bool:
    return np.dtype(dtype).kind == "f"


# ---- random numbers: one generator per device, both seeded by manual_seed ----------------
def check_seed(seed, who="manual_seed") -> int:
    """torch's rule for a seed: an int (or what int() takes) in [-2**63, 2**64), kept modulo
    2**64 (manual_seed(-1) then reports initial_seed() == 2**64 - 1)."""
    try:
        seed = int(seed)                    # torch's manual_seed takes int(seed) too
    except (TypeError, ValueError):
        raise TypeError(f"{who}: seed must be an int, got {seed!r}") from None
    if not -2**63 <= seed < 2**64:
        raise RuntimeError(f"{who}: seed must be within [-2**63, 2**64), got {seed}")
    return seed % 2**64


def manual_seed(seed: int):
    """Seed every random op in minigrad, on CPU and (when present) on CUDA."""
    global _cpu_rng, _seed, _initial_seed
    _initial_seed = check_seed(seed)
    _seed = _initial_seed % (2**63)
    _cpu_rng = np.random.default_rng(_seed)
    if _cupy:
        _cupy.random.seed(_seed)


def initial_seed() -> int:
    """The seed the global generator last got (torch.initial_seed)."""
    return _initial_seed


vmap_random_check = None    # set by minigrad.func.vmap while a vmap runs


def vmap_decides_draws() -> bool:
    """Inside minigrad.func.vmap and outside one of its own draws: a random factory, sampler
    or in-place fill hands its draw to func/batching_random.py (the randomness flag decides)."""
    if vmap_random_check is None:
        return False
    from .func.batching_random import drawing
    return not drawing()


def rng(xp, generator=None):
    """The generator for array module `xp`: numpy.random.Generator or cupy.random; with a
    minigrad.Generator (generator.py), its own stream (CPU only, as the generator)."""
    if vmap_random_check is not None:       # inside vmap: its randomness mode decides
        vmap_random_check()
    if generator is not None:
        return generator_stream(generator, xp)
    return _cpu_rng if xp is np else xp.random


def generator_stream(generator, xp):
    """The numpy Generator behind a minigrad.Generator, checked against the device drawn on."""
    stream = getattr(generator, "_rng", None)
    if stream is None or not hasattr(generator, "manual_seed"):
        raise TypeError(f"generator must be a minigrad.Generator or None, got "
                        f"{type(generator).__name__}")
    if xp is not np:
        raise RuntimeError("Expected a 'cuda' device type for generator but found 'cpu' "
                           "(minigrad's Generator draws on the CPU only)")
    return stream
