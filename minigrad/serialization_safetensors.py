"""mg.save / mg.load for paths ending in ".safetensors", through the safetensors package.

A safetensors file is a flat mapping name -> tensor with a JSON header and no code: the
format torch (safetensors.torch) and Hugging Face use for model weights. It suits a
state_dict; optimizer state and nested objects go to the .npz format of serialization.py.
The package is imported only when such a path is used, so minigrad does not depend on it.
"""
from __future__ import annotations

import os

import numpy as np

from . import backend
from .tensor import Tensor

INSTALL = ('pip install -e ".[safetensors]" in minigrad\'s checkout (or pip install '
           'safetensors)')
# safetensors dtype names of the tensors minigrad has (no bfloat16, float8 or complex)
_DTYPES = {"BOOL": "bool", "U8": "uint8", "I8": "int8", "U16": "uint16", "I16": "int16",
           "U32": "uint32", "I32": "int32", "U64": "uint64", "I64": "int64", "F16": "float16",
           "F32": "float32", "F64": "float64"}
_SAVEABLE = frozenset(np.dtype(n) for n in _DTYPES.values())


def _package():
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ImportError(f"mg.save/mg.load of a .safetensors file needs the safetensors "
                          f"package: {INSTALL}") from None
    return safetensors


def writer(obj):
    """Check that `obj` is a flat dict of tensors and return write(path) for it."""
    def refuse(problem):
        return TypeError(f"mg.save: a .safetensors file holds a flat dict of name -> tensor "
                         f"(model weights); {problem}. Save optimizer state and nested "
                         "objects to an .npz path instead: mg.save(obj, 'ckpt.npz')")
    if not isinstance(obj, dict):
        raise refuse(f"got {type(obj).__name__}")
    arrays = {}
    for k, v in obj.items():
        if not isinstance(k, str):
            raise refuse(f"key {k!r} is not a str")
        if isinstance(v, Tensor):
            v = v.numpy(force=True)
        elif isinstance(v, np.ndarray) or backend.is_cuda_array(v):
            v = backend.to_device(v, backend.Device("cpu"))
        else:
            raise refuse(f"obj[{k!r}] is a {type(v).__name__}")
        if v.dtype.newbyteorder("=") not in _SAVEABLE:
            raise refuse(f"obj[{k!r}] has dtype {v.dtype}, which minigrad does not store "
                         "in safetensors")
        arrays[k] = np.asarray(v, dtype=v.dtype.newbyteorder("="), order="C")
    package = _package()
    # "format": "pt" tells Hugging Face loaders the names and layouts are torch's, as ours are
    return lambda path: package.numpy.save_file(arrays, path, metadata={"format": "pt"})


def load(path, device, max_bytes: int) -> dict:
    """The tensors of a .safetensors file, as a dict of Tensors on `device`."""
    package = _package()
    size = os.path.getsize(path)               # a missing file raises FileNotFoundError
    if size > max_bytes:
        raise RuntimeError(f"mg.load: {path!s} holds {size} bytes, more than max_bytes="
                           f"{max_bytes}. If you trust the file, raise the limit: "
                           "mg.load(..., max_bytes=...)")
    out = {}
    try:
        with package.safe_open(os.fspath(path), framework="np") as f:
            for key in f.keys():
                kind = f.get_slice(key).get_dtype()
                if kind not in _DTYPES:
                    raise RuntimeError(f"mg.load: {path!s}: tensor {key!r} has dtype {kind}, "
                                       "which minigrad does not have; convert it before "
                                       "saving (in torch: tensor.float())")
                array = f.get_tensor(key)
                if not array.flags.writeable:
                    array = array.copy()
                out[key] = Tensor._make(backend.to_device(array, device))
    except RuntimeError:
        raise
    except Exception as e:   # the package's SafetensorError and friends: the file is bad
        raise RuntimeError(f"mg.load: {path!s} is not a valid safetensors file "
                           f"({type(e).__name__}: {e})") from None
    return out
