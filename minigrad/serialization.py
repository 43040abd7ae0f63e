"""mg.save / mg.load: checkpoints as a plain .npz archive, never pickle.

Layout: every tensor or array is one entry "a0", "a1", ... of the archive; the structure
(nested dicts, lists, tuples, numbers, strings, None) is JSON in the entry "__minigrad__",
where each array appears as {"__tensor__": "a3", ...}. Loading uses allow_pickle=False, so a
checkpoint can hold data but never code. save() writes a temporary file in the target
directory and renames it over the target (os.replace is atomic), so a crash mid-save leaves
the previous checkpoint intact, and the next save of that target removes the temporary
file such a crash left behind.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile

import numpy as np

from . import backend
from .tensor import Tensor

FORMAT, VERSION, META = "minigrad-checkpoint", 1, "__minigrad__"


def _encode(obj, arrays, where):
    from .nn.parameter import Parameter
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, Tensor):
        name = f"a{len(arrays)}"
        arrays[name] = obj.numpy(force=True)
        return {"__tensor__": name, "requires_grad": bool(obj.requires_grad),
                "parameter": isinstance(obj, Parameter)}
    if isinstance(obj, np.ndarray) or backend.is_cuda_array(obj):
        if obj.dtype == object:
            raise TypeError(f"mg.save: {where} is an object array, which needs pickle")
        name = f"a{len(arrays)}"
        arrays[name] = obj.get() if backend.is_cuda_array(obj) else obj
        return {"__ndarray__": name}
    if isinstance(obj, np.generic):
        return {"__scalar__": obj.item(), "dtype": obj.dtype.str}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not (k is None or isinstance(k, (bool, int, float, str))):
                raise TypeError(f"mg.save: dict key {k!r} at {where} must be a str, int, "
                                "float, bool or None")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"__dict__": items}
    if isinstance(obj, (list, tuple)):
        enc = [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]
        return enc if isinstance(obj, list) else {"__tuple__": enc}
    raise TypeError(f"mg.save: cannot save {type(obj).__name__} at {where}: only tensors, "
                    "arrays, numbers, strings, None and dicts/lists/tuples of them (no pickle)")


def _decode(node, archive, device):
    from .nn.parameter import Parameter
    if isinstance(node, list):
        return [_decode(v, archive, device) for v in node]
    if not isinstance(node, dict):
        return node
    if "__tensor__" in node:
        array = backend.to_device(archive[node["__tensor__"]], device)
        if node.get("parameter"):
            return Parameter(Tensor._make(array), requires_grad=node["requires_grad"])
        t = Tensor._make(array)
        return t.requires_grad_(True) if node["requires_grad"] else t
    if "__ndarray__" in node:
        return archive[node["__ndarray__"]]
    if "__scalar__" in node:
        return np.dtype(node["dtype"]).type(node["__scalar__"])
    if "__tuple__" in node:
        return tuple(_decode(v, archive, device) for v in node["__tuple__"])
    if "__dict__" in node:
        return {k: _decode(v, archive, device) for k, v in node["__dict__"]}
    raise RuntimeError(f"mg.load: unknown entry {sorted(node)} in the checkpoint structure")


def save(obj, f) -> None:
    """Save nested dicts/lists/tuples of tensors, arrays, numbers and strings to `f` (a path
    or a binary file object) as .npz plus JSON (the counterpart of torch.save for state
    dicts; no pickle). Saving to a path is atomic."""
    if not (isinstance(f, (str, bytes, os.PathLike)) or hasattr(f, "write")):
        raise TypeError(f"save(): f must be a path or a writable binary file object, not "
                        f"{type(f).__name__}")
    if not hasattr(f, "write") and not os.path.isdir(os.path.dirname(os.path.abspath(f))):
        raise RuntimeError(f"save(): parent directory {os.path.dirname(os.path.abspath(f))!s} "
                           "does not exist")
    arrays: dict = {}
    meta = json.dumps({"format": FORMAT, "version": VERSION, "tree": _encode(obj, arrays, "obj")})
    arrays[META] = np.frombuffer(meta.encode("utf-8"), dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, **arrays)
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    prefix = os.path.basename(path) + "."
    _remove_stale_temps(folder, prefix)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
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


def load(f, map_location=None, weights_only: bool = True):
    """Load what save() wrote (the counterpart of torch.load). Tensors go to map_location
    ('cpu' by default, or 'cuda'). A truncated, corrupt or foreign file raises RuntimeError
    naming the file; nothing is ever unpickled."""
    if not (isinstance(f, (str, bytes, os.PathLike)) or hasattr(f, "read")):
        raise TypeError(f"load(): f must be a path or a readable binary file object, not "
                        f"{type(f).__name__}")
    name = f if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file object>")
    device = backend.Device(map_location if map_location is not None else "cpu")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            data = fh.read()
    else:
        data = f.read()
    if data[:4] != b"PK\x03\x04":
        raise RuntimeError(f"mg.load: {name!s} is not a minigrad checkpoint (not an .npz/zip "
                           "archive; it may be truncated or written by another program)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            if META not in archive.files:
                extra = " (it looks like a torch.save file: use torch.load)" if any(
                    n.endswith("data.pkl") for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
                ) else ""
                raise RuntimeError(f"mg.load: {name!s} is not a minigrad checkpoint: no "
                                   f"'{META}' entry{extra}")
            meta = json.loads(bytes(archive[META]).decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise RuntimeError(f"mg.load: {name!s} has unknown format {meta.get('format')!r}")
            if meta.get("version", 0) > VERSION:
                raise RuntimeError(f"mg.load: {name!s} was written by a newer minigrad (format "
                                   f"version {meta['version']} > {VERSION})")
            return _decode(meta["tree"], archive, device)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError,
            UnicodeDecodeError) as e:
        raise RuntimeError(f"mg.load: {name!s} is truncated or corrupt ({type(e).__name__}: "
                           f"{e})") from None
