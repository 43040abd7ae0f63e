"""mg.load on malformed and hostile files: only RuntimeError naming the file, nothing big
allocated before its size is checked, no arrays of objects/records/dates/strings; and a save
killed halfway leaves the previous checkpoint intact."""
import io
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zipfile

import numpy as np
import pytest

import minigrad as mg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _meta(tree, **fields):
    return {"format": "minigrad-checkpoint", "version": 1, "tree": tree, **fields}


def _npz(tmp_path, meta, name="bad.npz", **arrays):
    """A checkpoint built by hand: `meta` (a JSON value, or raw bytes) as __minigrad__."""
    raw = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    path = tmp_path / name
    np.savez(path, __minigrad__=np.frombuffer(raw, np.uint8), **arrays)
    return path


def _zip(tmp_path, members, meta=None, compression=zipfile.ZIP_STORED):
    """An archive of raw .npy members {name: bytes} plus a metadata entry."""
    path = tmp_path / "crafted.npz"
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name + ".npy", data)
        head = io.BytesIO()
        np.lib.format.write_array(head, np.frombuffer(json.dumps(meta).encode(), np.uint8))
        zf.writestr("__minigrad__.npy", head.getvalue())
    return path


def _npy_header(shape, descr="<f8"):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False,
                                               "shape": shape})
    return buf.getvalue()


def _ref(name="a0"):
    return {"__ndarray__": name}


def _tensor(name="a0", requires_grad=False, parameter=False):
    return {"__tensor__": name, "requires_grad": requires_grad, "parameter": parameter}


BAD_META = [
    ([1, 2], "JSON list, not an object"),
    ("abc", "JSON str, not an object"),
    (_meta(None, version=None), "invalid format version None"),
    (_meta(None, version="abc"), "invalid format version 'abc'"),
    (_meta(None, version=True), "invalid format version True"),
    (_meta(None, version=2), "newer minigrad"),
    (_meta(None, format="other"), "unknown format 'other'"),
    ({"format": "minigrad-checkpoint", "version": 1}, "no 'tree' entry"),
    (_meta({"__dict__": 5}), "malformed '__dict__' entry 5"),
    (_meta({"__dict__": {"a": 1}}), "malformed '__dict__' entry"),
    (_meta({"__dict__": [[1]]}), "malformed dict item"),
    (_meta({"__dict__": [[[1], 2]]}), "malformed dict item"),
    (_meta({"__tuple__": "ab"}), "malformed '__tuple__' entry"),
    (_meta({"__weird__": 1}), "unknown entry"),
    (_meta({"__ndarray__": "a0", "extra": 1}), "unknown entry"),
    (_meta({"__scalar__": 1, "dtype": "zz9"}), "unknown dtype 'zz9'"),
    (_meta({"__scalar__": 1, "dtype": 7}), "malformed 'dtype' entry"),
    (_meta({"__scalar__": 10**30, "dtype": "<i8"}), "int64 scalar out of range"),
    (_meta({"__scalar__": 300, "dtype": "|u1"}), "uint8 scalar out of range"),
    (_meta({"__scalar__": 1e300, "dtype": "<f2"}), "float16 scalar out of range"),
    (_meta({"__scalar__": "x", "dtype": "<f4"}), "invalid value 'x'"),
    (_meta({"__scalar__": 1, "dtype": "|b1"}), "invalid value 1"),
    (_meta({"__scalar__": 1, "dtype": "|O"}), "Python objects"),
    (_meta({"__scalar__": 1, "dtype": "<M8[s]"}), "datetime"),
    (_meta({"__scalar__": "a", "dtype": "<U1"}), "string"),
    (_meta(_tensor("a9")), "entry 'a9' that the archive does not hold"),
    (_meta(_tensor(5)), "malformed '__tensor__' entry 5"),
    (_meta(_tensor(requires_grad="yes")), "malformed 'requires_grad'"),
    (_meta({"__ndarray__": None}), "malformed '__ndarray__'"),
]


@pytest.mark.parametrize("meta, message", BAD_META, ids=[m for _, m in BAD_META])
def test_malformed_metadata_raises_runtime_error(tmp_path, meta, message):
    path = _npz(tmp_path, meta, a0=np.zeros(2))
    with pytest.raises(RuntimeError, match="bad.npz") as info:
        mg.load(path)
    assert message in str(info.value)


def test_huge_ints_deep_json_and_bad_utf8(tmp_path):
    head = b'{"format": "minigrad-checkpoint", "version": 1, "tree": '
    cases = {head + b"9" * 5000 + b"}": "corrupt",                  # int past Python's limit
             head + b"[" * 100_000 + b"]" * 100_000 + b"}": "100001 levels deep",
             head + b'"\xff"}': "UnicodeDecodeError",
             head + b"[1, 2": "JSONDecodeError"}
    for raw, message in cases.items():
        with pytest.raises(RuntimeError, match=message):
            mg.load(_npz(tmp_path, raw))
    ok = _npz(tmp_path, head + b'[["[[[[", {"__dict__": [["}}}", 1]]}]]}')
    assert mg.load(ok) == [["[[[[", {"}}}": 1}]]                    # brackets in strings


def test_nesting_limit_on_save(tmp_path):
    deep = [1]
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 90 containers deep"):
        mg.save(deep, tmp_path / "x.npz")
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="or contains itself"):
        mg.save({"a": loop}, tmp_path / "x.npz")
    nested = {"k": 1}
    for _ in range(89):                                 # 90 dicts: the deepest that saves
        nested = {"k": nested}
    mg.save(nested, tmp_path / "ok.npz")
    assert mg.load(tmp_path / "ok.npz") == nested


REFUSED = {"object": (np.array([{}, None], dtype=object), "Python objects"),
           "structured": (np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]), "structured"),
           "datetime": (np.array(["2020-01-01"], dtype="M8[D]"), "datetime"),
           "timedelta": (np.array([1], dtype="m8[s]"), "timedelta"),
           "string": (np.array(["ab"]), "string"), "bytes": (np.array([b"ab"]), "bytes"),
           "void": (np.zeros(2, dtype="V4"), "void"),
           "longdouble": (np.zeros(2, dtype=np.longdouble), "allowed: bool")}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_refused_dtypes(tmp_path, kind):
    array, message = REFUSED[kind]
    if array.dtype == np.float64:                      # longdouble is float64 on this platform
        pytest.skip("np.longdouble is float64 here")
    with pytest.raises(RuntimeError, match=message):
        mg.load(_npz(tmp_path, _meta(_ref()), a0=array))
    with pytest.raises(TypeError, match=f"cannot save the array at obj\\['x'\\]: .*{message}"):
        mg.save({"x": array}, tmp_path / "x.npz")
    assert not os.path.exists(tmp_path / "x.npz")


def test_complex_arrays_but_not_complex_tensors(tmp_path):
    c = np.array([1 + 2j, 3j], dtype=np.complex64)
    mg.save({"c": c, "s": np.complex128(1 - 1j)}, tmp_path / "c.npz")
    back = mg.load(tmp_path / "c.npz")
    assert back["c"].dtype == np.complex64 and np.array_equal(back["c"], c)
    assert back["s"] == np.complex128(1 - 1j) and back["s"].dtype == np.complex128
    with pytest.raises(RuntimeError, match="complex dtype"):
        mg.load(_npz(tmp_path, _meta(_tensor()), a0=c))
    with pytest.raises(TypeError, match="datetime"):
        mg.save({"t": np.datetime64("2020-01-01")}, tmp_path / "d.npz")


def test_big_endian_arrays_load_native(tmp_path):
    big = np.arange(4, dtype=">f4")
    back = mg.load(_npz(tmp_path, _meta(_tensor()), a0=big))
    assert back.dtype == mg.float32 and back.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_int_tensor_cannot_require_grad(tmp_path):
    with pytest.raises(RuntimeError, match="int64 tensor that requires grad"):
        mg.load(_npz(tmp_path, _meta(_tensor(requires_grad=True)), a0=np.arange(2)))


@pytest.mark.parametrize("shape, data, message", [
    ((10**12, 10**12), b"\0" * 16, "declares shape (1000000000000, 1000000000000)"),
    ((-1,), b"\0" * 8, "negative shape"),
    ((3,), b"\0" * 16, "declares shape (3,) of float64 (24 bytes) but holds 16 bytes"),
])
def test_npy_headers_are_checked_before_allocating(tmp_path, shape, data, message):
    path = _zip(tmp_path, {"a0": _npy_header(shape) + data}, _meta(_ref()))
    with pytest.raises(RuntimeError, match="crafted.npz") as info:
        mg.load(path)
    assert message in str(info.value)


def test_npy_header_garbage(tmp_path):
    for raw in (b"\x93NUMPY\x01\x00\x04\x00{}\n\n", b"\x93NUMPY\x09\x00" + b"\0" * 10,
                b"not npy at all", b"\x93NUMPY\x01\x00\xff\xff" + b" " * 70000):
        with pytest.raises(RuntimeError, match="crafted.npz"):
            mg.load(_zip(tmp_path, {"a0": raw}, _meta(_ref())))


def test_decompression_bomb_is_refused_before_reading(tmp_path):
    zeros = io.BytesIO()
    np.lib.format.write_array(zeros, np.zeros(4_000_000, np.uint8))     # 4 MB, ~4 KB zipped
    path = _zip(tmp_path, {"a0": zeros.getvalue()}, _meta(_ref()), zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 20_000
    with pytest.raises(RuntimeError, match=r"more than max_bytes=1000000 bytes.*'a0.npy' "
                       r"declares 4000128 bytes.*mg.load\(\.\.\., max_bytes=\.\.\.\)"):
        mg.load(path, max_bytes=1_000_000)
    assert mg.load(path).shape == (4_000_000,)          # under the default limit it loads
    twice = _zip(tmp_path, {"a0": zeros.getvalue()}, _meta([_ref(), _ref()]),
                 zipfile.ZIP_DEFLATED)
    with pytest.raises(RuntimeError, match="after the 4000\\d+ read so far"):
        mg.load(twice, max_bytes=6_000_000)             # the total over entries counts
    with pytest.raises(TypeError, match="max_bytes must be a non-negative int"):
        mg.load(path, max_bytes=-1)


def _set_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Patch the uncompressed size the zip's central directory declares for `member`."""
    data, at = bytearray(data), 0
    while (at := data.find(b"PK\x01\x02", at + 1)) >= 0:
        (name_len,) = struct.unpack_from("<H", data, at + 28)
        if data[at + 46: at + 46 + name_len] == member.encode():
            struct.pack_into("<I", data, at + 24, size)
            return bytes(data)
    raise AssertionError(f"{member} not found")


def test_entry_that_inflates_past_its_declared_size(tmp_path):
    header = _npy_header((10,), "|u1")
    path = _zip(tmp_path, {"a0": header + b"\0" * 3_000_000}, _meta(_ref()),
                zipfile.ZIP_DEFLATED)
    with pytest.raises(RuntimeError, match=r"declares shape \(10,\) of uint8 \(10 bytes\)"):
        mg.load(path)                                   # honest size, lying npy header
    path.write_bytes(_set_declared_size(path.read_bytes(), "a0.npy", len(header) + 10))
    with pytest.raises(RuntimeError, match="truncated or corrupt.*CRC"):
        mg.load(path)                                   # reads 10 bytes, then the CRC fails


def test_foreign_and_broken_archives(tmp_path):
    (tmp_path / "w.npz").write_bytes(struct.pack("<Q", 2) + b"{}")     # safetensors bytes
    with pytest.raises(RuntimeError, match="looks like a safetensors file"):
        mg.load(tmp_path / "w.npz")
    with zipfile.ZipFile(tmp_path / "empty.npz", "w"):
        pass
    with pytest.raises(RuntimeError, match="not a minigrad checkpoint"):
        mg.load(tmp_path / "empty.npz")
    with pytest.raises(RuntimeError, match="not a minigrad checkpoint"):
        mg.load(io.BytesIO(b""))


def test_random_corruption_raises_only_runtime_error(tmp_path):
    buf = io.BytesIO()
    mg.save({"w": mg.randn(8, 8), "s": [1, (2.5, "x")], "b": np.arange(3)}, buf)
    good, rng = buf.getvalue(), np.random.default_rng(0)
    for trial in range(400):
        data = bytearray(good)
        for at in rng.integers(0, len(data), size=int(rng.integers(1, 4))):
            data[at] = int(rng.integers(0, 256))
        if trial % 4 == 0:
            data = data[:int(rng.integers(0, len(data)))]
        try:
            mg.load(io.BytesIO(bytes(data)))
        except RuntimeError:
            pass


CHILD = """
import sys
import numpy as np
import minigrad as mg
w = np.zeros(4_000_000)                     # 32 MB: a save takes a while
for i in range(1_000_000):
    w[:] = i
    mg.save({"i": i, "w": w}, sys.argv[1])
    print(i, flush=True)
"""


def test_kill_during_save_keeps_the_previous_checkpoint(tmp_path):
    target = tmp_path / "ckpt.npz"

    def temps():
        return [n for n in os.listdir(tmp_path) if n.startswith("ckpt.npz.")]

    def half_written():
        for n in temps():
            try:
                if os.path.getsize(tmp_path / n) > 0:
                    return True
            except FileNotFoundError:                               # renamed meanwhile
                pass
        return False
    env = dict(os.environ, PYTHONPATH=ROOT)
    killed_mid_write, deadline = False, time.monotonic() + 30   # retries; a loaded machine is slow
    while not killed_mid_write and time.monotonic() < deadline:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(target)], env=env,
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() != ""           # one save completed
            while time.monotonic() < deadline and not half_written():
                pass
            child.send_signal(signal.SIGKILL)                      # mid-save, or at the deadline
            child.wait()
        finally:
            child.kill()
            child.wait()
            child.stdout.close()
        killed_mid_write = bool(temps())
    assert killed_mid_write, "no save was caught mid-write within the time limit"
    back = mg.load(target)                                         # the previous checkpoint
    assert back["w"].shape == (4_000_000,) and np.all(back["w"] == back["i"])
    mg.save({"i": -1}, target)
    assert temps() == [] and mg.load(target) == {"i": -1}
