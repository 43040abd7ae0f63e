"""Moving data between minigrad, NumPy, CuPy and PyTorch, without copies where memory allows.

    from_numpy(a)          shares a's memory (torch.from_numpy)
    from_dlpack(obj)       any object with __dlpack__: NumPy, CuPy, torch, JAX ... (no copy)
    from_torch(t)          torch.Tensor -> Tensor; CPU and CUDA memory is shared, not copied
    to_torch(x)            Tensor -> torch.Tensor; shared unless the strides forbid it
    x.__dlpack__()         so torch.from_dlpack(x) and numpy.from_dlpack(x) work directly
    load_torch_state_dict  copy a torch state_dict (torch tensors) into a minigrad Module

torch is imported only inside the functions that return torch tensors.
"""
from __future__ import annotations

import numpy as np

from . import backend
from .creation import from_numpy  # noqa: F401  (one implementation, also mg.from_numpy)
from .tensor import Tensor

# DLPack device type codes (dlpack.h): what __dlpack_device__()[0] means
_DL_CPU, _DL_CUDA, _DL_CUDA_HOST, _DL_CUDA_MANAGED = 1, 2, 3, 13


def _exportable(array):
    """`array`, or a contiguous copy when its strides are negative or not whole elements.

    DLPack strides are counted in elements, and torch aborts the process on negative ones,
    so such views (x[::-1]) are copied before they are exported.
    """
    item = array.dtype.itemsize
    if any(s < 0 or s % item for s in array.strides):
        xp = backend.array_module(array)
        return xp.ascontiguousarray(array)
    return array


def export_dlpack(x: Tensor, stream=None, max_version=None, dl_device=None, copy=None):
    """The body of Tensor.__dlpack__: a DLPack capsule for x's array (no copy when possible)."""
    if x.requires_grad:
        raise BufferError("__dlpack__: can't export a tensor that requires grad; use "
                          "tensor.detach()")
    kwargs = {k: v for k, v in (("stream", stream), ("max_version", max_version),
                                ("dl_device", dl_device), ("copy", copy)) if v is not None}
    return _exportable(x.data).__dlpack__(**kwargs)


def from_dlpack(obj) -> Tensor:
    """A Tensor viewing the memory of any DLPack exporter (NumPy, CuPy, torch, JAX ...).

    CPU memory becomes a NumPy array, CUDA memory a CuPy array on the same GPU: no copy in
    either case. Matches torch.from_dlpack (the result does not require grad).
    """
    if isinstance(obj, Tensor):
        return Tensor._make(obj.data)
    if not hasattr(obj, "__dlpack__") or not hasattr(obj, "__dlpack_device__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__ and "
                        f"__dlpack_device__ (NumPy, CuPy, torch ...), got {type(obj).__name__}")
    kind = int(obj.__dlpack_device__()[0])
    if kind in (_DL_CPU, _DL_CUDA_HOST):
        return Tensor._make(np.from_dlpack(obj))
    if kind in (_DL_CUDA, _DL_CUDA_MANAGED):
        cp = backend.cupy_module()
        if cp is None:
            raise RuntimeError("from_dlpack: the data lives on a CUDA GPU but CuPy is not "
                               "usable here; install CuPy: pip install cupy-cuda12x (or, "
                               "in minigrad's checkout, pip install -e '.[cuda12]')")
        return Tensor._make(cp.from_dlpack(obj))
    raise RuntimeError(f"from_dlpack: unsupported DLPack device type {kind} (minigrad holds "
                       "CPU and CUDA memory only)")


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("this function needs PyTorch: pip install torch (CPU-only wheels: "
                          "pip install torch --index-url https://download.pytorch.org/whl/cpu)"
                          ) from None
    return torch


def from_torch(t, requires_grad: bool | None = None) -> Tensor:
    """A Tensor sharing `t`'s memory (CPU: NumPy, CUDA: CuPy; no copy, no host round trip).

    The result is a leaf; it requires grad when `requires_grad` says so, or (None) when `t`
    does. Dtypes NumPy lacks (bfloat16) raise a TypeError that suggests a cast.
    """
    torch = _torch()
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"from_torch: expected a torch.Tensor, got {type(t).__name__}")
    if t.dtype == torch.bfloat16 or t.is_complex() and t.is_conj():
        raise TypeError(f"from_torch: dtype {t.dtype} has no NumPy equivalent; cast it first "
                        "(e.g. t.float())")
    base = t.detach()
    if base.device.type not in ("cpu", "cuda"):
        raise RuntimeError(f"from_torch: tensors on device '{base.device}' are not supported; "
                           "move it to 'cpu' or 'cuda' first")
    out = from_dlpack(base)
    grad = t.requires_grad if requires_grad is None else requires_grad
    if grad:
        out.requires_grad_(True)
    return out


def to_torch(x, requires_grad: bool | None = None):
    """A torch.Tensor sharing x's memory (CPU or CUDA) where the strides allow, else a copy.

    The torch tensor is a leaf; it requires grad when `requires_grad` says so, or (None) when
    `x` does. Arrays are accepted too (NumPy or CuPy).
    """
    torch = _torch()
    array = x.data if isinstance(x, Tensor) else x
    if not isinstance(array, np.ndarray) and not backend.is_cuda_array(array):
        raise TypeError(f"to_torch: expected a minigrad Tensor or an array, got "
                        f"{type(x).__name__}")
    array = _exportable(array)
    if isinstance(array, np.ndarray) and not array.flags.writeable:
        array = array.copy()        # torch tensors are writable; never alias read-only memory
    out = torch.from_dlpack(array)
    grad = getattr(x, "requires_grad", False) if requires_grad is None else requires_grad
    if grad:
        out.requires_grad_(True)
    return out


def load_torch_state_dict(module, torch_state_dict, strict: bool = True):
    """Copy a torch state_dict (name -> torch.Tensor) into a minigrad Module.

    Names and shapes must match torch's layout (minigrad's layers use torch's). Tensors are
    converted without copies, then copied into the module's parameters and buffers by
    Module.load_state_dict, whose (missing_keys, unexpected_keys) result is returned.
    """
    if not hasattr(module, "load_state_dict"):
        raise TypeError(f"load_torch_state_dict: expected a minigrad nn.Module, got "
                        f"{type(module).__name__}")
    converted = {}
    for name, value in torch_state_dict.items():
        if hasattr(value, "detach") and hasattr(value, "dtype") and not isinstance(value, Tensor):
            value = from_torch(value, requires_grad=False)
        converted[name] = value
    return module.load_state_dict(converted, strict=strict)
