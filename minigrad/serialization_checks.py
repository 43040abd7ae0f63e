"""Reading a checkpoint that may be hostile: every malformed file raises RuntimeError naming
the file, and no array is allocated before its size has been checked.

An .npz is a zip archive. Each member declares its uncompressed size (ZipInfo.file_size) and
each .npy member declares its dtype and shape in a text header. Before reading a member,
Archive.array checks that the dtype is plain numeric data, that shape * itemsize plus the
header is exactly the declared size, and that the total read so far stays under max_bytes;
then it reads exactly those bytes into an array allocated once, so a member whose data
inflates past its declared size fails its CRC check instead of growing. The JSON structure
is checked for nesting depth before json.loads, whose C decoder recurses.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import struct
import warnings
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npy

try:                    # zipfile reads LZMA members through it; not every Python build has it
    from lzma import LZMAError
except ImportError:     # pragma: no cover
    LZMAError = zlib.error

# A cap against decompression bombs and absurd headers, not a memory policy: 16 GiB holds a
# 4-billion-parameter float32 model, far past what one trains with NumPy/CuPy, and a bigger
# file is refused with a message that names the keyword raising the cap.
DEFAULT_MAX_BYTES = 16 * 2**30
MAX_NESTING = 90            # containers inside containers that save() accepts
MAX_JSON_DEPTH = 300        # a saved dict takes 3 JSON levels: {"__dict__": [[key, value]]}
_CHUNK = 1 << 24

TENSOR_DTYPES = frozenset(np.dtype(n) for n in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64"))
ARRAY_DTYPES = TENSOR_DTYPES | {np.dtype("complex64"), np.dtype("complex128")}
_CORRUPT = (zipfile.BadZipFile, zlib.error, LZMAError, EOFError, ValueError, OSError, KeyError,
            UnicodeDecodeError, NotImplementedError, struct.error, OverflowError,
            RecursionError)


def dtype_problem(dt, allowed) -> str | None:
    """Why arrays of dtype `dt` cannot be in a checkpoint, or None when they can."""
    if dt.newbyteorder("=") in allowed:
        return None
    if dt.hasobject:
        return f"dtype {dt} holds Python objects, which would need pickle"
    if dt.names is not None:
        return f"dtype {dt} is a structured (record) dtype"
    kinds = {"M": "a datetime", "m": "a timedelta", "U": "a string", "S": "a bytes",
             "V": "a void", "c": "a complex"}
    what = kinds.get(dt.kind, "an unsupported")
    return f"dtype {dt} is {what} dtype; allowed: {', '.join(sorted(d.name for d in allowed))}"


_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')


def json_depth(text: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (strings do not count)."""
    skeleton = np.frombuffer(_STRINGS.sub(b"", text), dtype=np.uint8)
    opens = (skeleton == ord("[")) | (skeleton == ord("{"))
    closes = (skeleton == ord("]")) | (skeleton == ord("}"))
    steps = opens.astype(np.int64) - closes
    return int(np.cumsum(steps).max(initial=0))


class Archive:
    """The members of an open .npz checkpoint, read under a byte budget (max_bytes)."""

    def __init__(self, zf: zipfile.ZipFile, name, max_bytes: int):
        self.zf, self.name, self.max_bytes, self.left = zf, name, max_bytes, max_bytes

    def fail(self, what: str) -> RuntimeError:
        return RuntimeError(f"mg.load: {self.name!s} {what}")

    def has(self, key: str) -> bool:
        return key + ".npy" in self.zf.NameToInfo

    def _charge(self, info: zipfile.ZipInfo) -> None:
        if info.file_size > self.left:
            raise self.fail(
                f"holds more than max_bytes={self.max_bytes} bytes: its entry "
                f"{info.filename!r} declares {info.file_size} bytes after the "
                f"{self.max_bytes - self.left} read so far. If you trust the file, raise "
                "the limit: mg.load(..., max_bytes=...)")
        self.left -= info.file_size

    def array(self, key: str, allowed=ARRAY_DTYPES) -> np.ndarray:
        """The array stored as `key`.npy, its dtype one of `allowed`."""
        if not isinstance(key, str) or not self.has(key):
            raise self.fail(f"refers to an entry {key!r} that the archive does not hold")
        info = self.zf.getinfo(key + ".npy")
        if info.flag_bits & 0x1:
            raise self.fail(f"has an encrypted entry {key!r}")
        self._charge(info)
        with self.zf.open(info) as fp:
            shape, fortran, dtype = self._header(fp, key)
            problem = dtype_problem(dtype, allowed)
            if problem:
                raise self.fail(f"entry {key!r}: {problem}; refused")
            if any(n < 0 for n in shape):
                raise self.fail(f"entry {key!r} declares a negative shape {shape}")
            nbytes, data_size = math.prod(shape) * dtype.itemsize, info.file_size - fp.tell()
            if nbytes != data_size:
                raise self.fail(f"entry {key!r} declares shape {shape} of {dtype} ({nbytes} "
                                f"bytes) but holds {data_size} bytes: it is corrupt")
            flat = np.empty(math.prod(shape), dtype=dtype)
            view, pos = memoryview(flat.view(np.uint8)), 0
            while pos < nbytes:         # exactly the declared bytes, into the one allocation
                n = fp.readinto(view[pos:pos + _CHUNK])
                if not n:
                    raise self.fail(f"entry {key!r} is truncated")
                pos += n
            if fp.read(1):              # zipfile stops at file_size; this also checks the CRC
                raise self.fail(f"entry {key!r} holds more data than it declares")
        array = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
        return array if dtype.isnative else array.astype(dtype.newbyteorder("="))

    def _header(self, fp, key):
        """(shape, fortran_order, dtype) of an .npy header, without reading the data."""
        try:
            version = npy.read_magic(fp)
            if version not in ((1, 0), (2, 0)):
                raise self.fail(f"entry {key!r} has .npy format version {version}")
            read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")         # "written by Python 2" fallbacks
                return read(fp)
        except (RuntimeError, *_CORRUPT):
            raise
        except Exception as e:  # NumPy's header parser raises SyntaxError, TokenError, ...
            raise self.fail(f"entry {key!r} has a malformed .npy header ({type(e).__name__}: "
                            f"{e})") from None

    def metadata(self, meta_key: str) -> object:
        """The JSON structure stored as uint8 bytes in `meta_key`, depth-checked first."""
        text = self.array(meta_key, frozenset({np.dtype("uint8")})).tobytes()
        depth = json_depth(text)
        if depth > MAX_JSON_DEPTH:
            raise self.fail(f"has a structure nested {depth} levels deep (at most "
                            f"{MAX_JSON_DEPTH}); it is corrupt or hostile")
        return json.loads(text.decode("utf-8"))


def check_max_bytes(max_bytes) -> None:
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
        raise TypeError(f"mg.load: max_bytes must be a non-negative int, got {max_bytes!r}")


def _looks_like_safetensors(head: bytes) -> bool:
    return len(head) >= 9 and head[8:9] == b"{"


@contextlib.contextmanager
def open_archive(f, name, max_bytes: int):
    """Open `f` (a path or a binary file object) as an Archive; every error of a malformed
    file raised inside the block becomes RuntimeError naming the file."""
    owned = isinstance(f, (str, os.PathLike))
    fh = open(f, "rb") if owned else f         # a missing file raises FileNotFoundError
    try:
        if not owned and not (hasattr(fh, "seekable") and fh.seekable()):
            fh = io.BytesIO(fh.read())
        start = fh.tell()
        head = fh.read(9)
        fh.seek(start)
        if head[:4] != b"PK\x03\x04":
            hint = (" (it looks like a safetensors file: load it from a path ending in "
                    "'.safetensors')" if _looks_like_safetensors(head) else
                    " (not an .npz/zip archive; it may be truncated or written by another "
                    "program)")
            raise RuntimeError(f"mg.load: {name!s} is not a minigrad checkpoint{hint}")
        with zipfile.ZipFile(fh) as zf:
            yield Archive(zf, name, max_bytes)
    except _CORRUPT as e:
        raise RuntimeError(f"mg.load: {name!s} is truncated or corrupt ({type(e).__name__}: "
                           f"{e})") from None
    finally:
        if owned:
            fh.close()
