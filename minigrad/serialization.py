"""mg.save / mg.load: checkpoints as a plain .npz archive, never pickle.

Layout: every tensor or array is one entry "a0", "a1", ... of the archive; the structure
(nested dicts, lists, tuples, numbers, strings, None) is JSON in the entry "__minigrad__",
where each array appears as {"__tensor__": "a3", ...}. Nothing is ever unpickled: a
checkpoint can hold data but never code, and a malformed or hostile file raises RuntimeError
(serialization_checks.py reads it). save() writes a temporary file in the target directory
and renames it over the target (os.replace is atomic), so a crash mid-save leaves the previous
checkpoint intact, and the next save of that target removes the temporary file such a crash
left behind. A path ending in ".safetensors" goes through the safetensors package instead
(serialization_safetensors.py): a flat dict of tensors that torch and Hugging Face read.
"""
from __future__ import annotations

import cmath
import json
import os
import tempfile

import numpy as np

from . import backend
from . import serialization_safetensors as safetensors_format
from .serialization_checks import (ARRAY_DTYPES, DEFAULT_MAX_BYTES, MAX_NESTING, TENSOR_DTYPES,
                                   check_max_bytes, dtype_problem, open_archive)
from .tensor import Tensor

FORMAT, VERSION, META = "minigrad-checkpoint", 1, "__minigrad__"
_KEY_TYPES = (bool, int, float, str)


def _encode(obj, arrays, where, depth=0):
    from .nn.parameter import Parameter
    if isinstance(obj, (dict, list, tuple)) and depth >= MAX_NESTING:
        raise ValueError(f"mg.save: {where:.80} is nested more than {MAX_NESTING} containers "
                         "deep (or contains itself)")
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, Tensor) or isinstance(obj, np.ndarray) or backend.is_cuda_array(obj):
        array = obj.numpy(force=True) if isinstance(obj, Tensor) else backend.to_device(
            obj, backend.Device("cpu"))
        problem = dtype_problem(array.dtype, ARRAY_DTYPES)
        if problem:
            raise TypeError(f"mg.save: cannot save the array at {where}: {problem}")
        name = f"a{len(arrays)}"
        arrays[name] = array
        if not isinstance(obj, Tensor):
            return {"__ndarray__": name}
        return {"__tensor__": name, "requires_grad": bool(obj.requires_grad),
                "parameter": isinstance(obj, Parameter)}
    if isinstance(obj, np.generic):
        problem = dtype_problem(obj.dtype, ARRAY_DTYPES)
        if problem:
            raise TypeError(f"mg.save: cannot save the NumPy scalar at {where}: {problem}")
        value = obj.item()
        value = [value.real, value.imag] if isinstance(value, complex) else value
        return {"__scalar__": value, "dtype": obj.dtype.str}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not (k is None or isinstance(k, _KEY_TYPES)):
                raise TypeError(f"mg.save: dict key {k!r} at {where} must be a str, int, "
                                "float, bool or None")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]", depth + 1)])
        return {"__dict__": items}
    if isinstance(obj, (list, tuple)):
        enc = [_encode(v, arrays, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]
        return enc if isinstance(obj, list) else {"__tuple__": enc}
    raise TypeError(f"mg.save: cannot save {type(obj).__name__} at {where}: only tensors, "
                    "arrays, numbers, strings, None and dicts/lists/tuples of them (no pickle)")


_TAGS = {frozenset({"__tensor__", "requires_grad", "parameter"}), frozenset({"__ndarray__"}),
         frozenset({"__scalar__", "dtype"}), frozenset({"__tuple__"}), frozenset({"__dict__"})}


def _field(node, key, types, ar):
    value = node[key]
    if not isinstance(value, types) or (isinstance(value, bool) and types is not bool):
        raise ar.fail(f"has a malformed '{key}' entry {value!r:.60} in its structure")
    return value


def _decode(node, ar, device):
    """The saved object of a JSON node, checking every field (the file may be hostile)."""
    from .nn.parameter import Parameter
    if node is None or isinstance(node, _KEY_TYPES):
        return node
    if isinstance(node, list):
        return [_decode(v, ar, device) for v in node]
    if not isinstance(node, dict) or frozenset(node) not in _TAGS:
        raise ar.fail(f"has an unknown entry {node!r:.60} in its structure")
    if "__tensor__" in node:
        array = ar.array(_field(node, "__tensor__", str, ar), TENSOR_DTYPES)
        grad, param = _field(node, "requires_grad", bool, ar), _field(node, "parameter", bool, ar)
        if grad and array.dtype.kind != "f":
            raise ar.fail(f"has a {array.dtype} tensor that requires grad")
        t = Tensor._make(backend.to_device(array, device))
        return Parameter(t, requires_grad=grad) if param else t.requires_grad_(grad)
    if "__ndarray__" in node:
        return ar.array(_field(node, "__ndarray__", str, ar))
    if "__scalar__" in node:
        return _decode_scalar(_field(node, "dtype", str, ar), node["__scalar__"], ar)
    if "__tuple__" in node:
        return tuple(_decode(v, ar, device) for v in _field(node, "__tuple__", list, ar))
    out = {}
    for pair in _field(node, "__dict__", list, ar):
        if not (isinstance(pair, list) and len(pair) == 2
                and (pair[0] is None or isinstance(pair[0], _KEY_TYPES))):
            raise ar.fail(f"has a malformed dict item {pair!r:.60} in its structure")
        out[pair[0]] = _decode(pair[1], ar, device)
    return out


def _real(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _decode_scalar(dtype, value, ar):
    """A NumPy scalar from its JSON form (complex as [real, imag]), checked for its range."""
    try:
        dt = np.dtype(dtype)
    except Exception:       # NumPy parses dtype strings its own ways (even SyntaxError)
        raise ar.fail(f"has a scalar of unknown dtype {dtype!r:.40}") from None
    problem = dtype_problem(dt, ARRAY_DTYPES)
    if problem:
        raise ar.fail(f"has a scalar whose {problem}; refused")
    dt, kind = dt.newbyteorder("="), dt.kind
    valid = (isinstance(value, bool) if kind == "b" else
             _real(value) and isinstance(value, int) if kind in "iu" else
             _real(value) if kind == "f" else
             isinstance(value, list) and len(value) == 2 and all(map(_real, value)))
    if not valid:
        raise ar.fail(f"has a {dt} scalar with the invalid value {value!r:.40}")
    if kind in "iu" and not np.iinfo(dt).min <= value <= np.iinfo(dt).max:
        raise ar.fail(f"has a {dt} scalar out of range: {value!r:.40}")
    try:
        x = complex(*value) if kind == "c" else float(value) if kind == "f" else value
        with np.errstate(over="ignore"):
            out = dt.type(x)
    except OverflowError:
        raise ar.fail(f"has a {dt} scalar out of range: {value!r:.40}") from None
    if kind in "fc" and bool(np.isfinite(out)) != cmath.isfinite(x):
        raise ar.fail(f"has a {dt} scalar out of range: {value!r:.40}")
    return out


def save(obj, f) -> None:
    """Save nested dicts/lists/tuples of tensors, arrays, numbers and strings to `f` (a path
    or a binary file object) as .npz plus JSON (the counterpart of torch.save for state
    dicts; no pickle). Saving to a path is atomic. A path ending in ".safetensors" writes a
    flat dict of tensors in the safetensors format (needs the safetensors package)."""
    if not (isinstance(f, (str, bytes, os.PathLike)) or hasattr(f, "write")):
        raise TypeError(f"save(): f must be a path or a writable binary file object, not "
                        f"{type(f).__name__}")
    if not hasattr(f, "write") and not os.path.isdir(os.path.dirname(os.path.abspath(f))):
        raise RuntimeError(f"save(): parent directory {os.path.dirname(os.path.abspath(f))!s} "
                           "does not exist")
    if _is_safetensors(f):
        return _atomic_write(f, safetensors_format.writer(obj))
    arrays: dict = {}
    meta = json.dumps({"format": FORMAT, "version": VERSION, "tree": _encode(obj, arrays, "obj")})
    arrays[META] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, **arrays)
        return
    _atomic_write(f, lambda tmp: _savez_to(tmp, arrays))


def _savez_to(path, arrays):
    with open(path, "wb") as out:           # a file object: np.savez would append ".npz"
        np.savez(out, **arrays)


def _is_safetensors(f) -> bool:
    return isinstance(f, (str, os.PathLike)) and os.fspath(f).endswith(".safetensors")


def _atomic_write(f, write) -> None:
    """write(tmp) into a temporary file next to `f`, flush it to disk, rename it over `f`."""
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = os.path.basename(path) + "."
    _remove_stale_temps(folder, prefix)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o666 & ~_umask())        # mkstemp's 0600 -> what open() would give
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)          # the only portable way to read it: set, then restore
    os.umask(mask)
    return mask


def _remove_stale_temps(folder, prefix):
    """Temporary files a killed save of the same target left behind (prefix*.tmp)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for n in names:
        if n.startswith(prefix) and n.endswith(".tmp"):
            try:
                os.remove(os.path.join(folder, n))
            except OSError:
                pass            # gone already, or not ours to remove: the save goes on


def load(f, map_location=None, weights_only: bool = True, *,
         max_bytes: int = DEFAULT_MAX_BYTES):
    """Load what save() wrote (the counterpart of torch.load). Tensors go to map_location
    ('cpu' by default, or 'cuda'). A truncated, corrupt, hostile or foreign file raises
    RuntimeError naming the file; nothing is ever unpickled. A file holding more than
    max_bytes of data (16 GiB by default) is refused before anything is allocated."""
    if not (isinstance(f, (str, bytes, os.PathLike)) or hasattr(f, "read")):
        raise TypeError(f"load(): f must be a path or a readable binary file object, not "
                        f"{type(f).__name__}")
    device = backend.Device(map_location if map_location is not None else "cpu")
    check_max_bytes(max_bytes)
    if _is_safetensors(f):
        return safetensors_format.load(f, device, max_bytes)
    name = f if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file object>")
    with open_archive(f, name, max_bytes) as ar:
        if not ar.has(META):
            extra = " (it looks like a torch.save file: use torch.load)" if any(
                n.endswith("data.pkl") for n in ar.zf.namelist()) else ""
            raise ar.fail(f"is not a minigrad checkpoint: no '{META}' entry{extra}")
        meta = ar.metadata(META)
        if not isinstance(meta, dict):
            raise ar.fail(f"is not a minigrad checkpoint: its '{META}' entry is a JSON "
                          f"{type(meta).__name__}, not an object")
        if meta.get("format") != FORMAT:
            raise ar.fail(f"has unknown format {meta.get('format')!r:.60}")
        version = meta.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ar.fail(f"has an invalid format version {version!r:.60}")
        if version > VERSION:
            raise ar.fail(f"was written by a newer minigrad (format version {version} > "
                          f"{VERSION})")
        if "tree" not in meta:
            raise ar.fail("has no 'tree' entry in its metadata")
        return _decode(meta["tree"], ar, device)
