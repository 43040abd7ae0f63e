"""Tensor metadata and memory interop against torch (tensor_meta.py, creation_buffer.py):
data_ptr, output_nr, layout, the is_* flags, is_inference, share_memory_, pin_memory, the
casts to dtypes minigrad lacks, asarray, frombuffer and DLPack (shared memory checked by
writing through one side and reading the other)."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")
from test_tensor_extra import _same_error  # noqa: E402  (the shared error check)


def test_data_ptr_offsets_match_torch():
    a = np.arange(12.0).reshape(3, 4)
    x, t = mg.tensor(a), torch.tensor(a)
    for view in (lambda v: v[1], lambda v: v[:, 2], lambda v: v.t()[3], lambda v: v[2, 1:]):
        assert view(x).data_ptr() - x.data_ptr() == view(t).data_ptr() - t.data_ptr()
    assert x.const_data_ptr() == x.data_ptr() == x.data.ctypes.data
    assert mg.zeros(0).data_ptr() == torch.zeros(0).data_ptr() == 0


def test_flags_layout_and_output_nr():
    x, t = mg.ones(2, 3), torch.ones(2, 3)
    for name in ("is_sparse", "is_sparse_csr", "is_quantized", "is_meta", "is_mkldnn",
                 "is_nested"):
        assert getattr(x, name) is getattr(t, name) is False
    assert x.is_distributed() is t.is_distributed() is False
    assert mg.is_distributed(x) is False
    assert repr(x.layout) == repr(t.layout) == "torch.strided" and x.layout is mg.strided
    assert x.output_nr == t.output_nr == 0
    xm, tm = mg.ones(2, 3, requires_grad=True), torch.ones(2, 3, requires_grad=True)
    for k, (a, b) in enumerate(zip(xm.unbind(1), tm.unbind(1))):
        assert a.output_nr == b.output_nr, k
    assert x.is_conj() is t.is_conj() and x.is_neg() is t.is_neg()


def test_is_inference():
    with mg.inference_mode():
        a = mg.ones(2)
        b = a * 2
    with torch.inference_mode():
        ta = torch.ones(2)
        tb = ta * 2
    c, tc = a + 1, ta + 1
    assert (a.is_inference(), b.is_inference(), c.is_inference()) == \
        (ta.is_inference(), tb.is_inference(), tc.is_inference()) == (True, True, False)
    assert mg.is_inference(mg.ones(1)) is False
    _same_error(lambda: mg.is_inference(3), lambda: torch.is_inference(3), "Tensor")


def test_share_memory_is_seen_by_a_forked_child():
    x = mg.zeros(4, dtype=mg.float64)
    assert not x.is_shared()
    assert x.share_memory_() is x and x.is_shared()
    assert x.share_memory_() is x
    pid = os.fork()
    if pid == 0:                            # the child writes; the parent must see it
        x[1] = 5.0
        os._exit(0)
    os.waitpid(pid, 0)
    assert x.tolist() == [0.0, 5.0, 0.0, 0.0]
    assert not mg.ones(1).is_pinned()


@pytest.mark.skipif(mg.cuda.is_available(), reason="torch pins memory when a GPU is present")
def test_pin_memory_without_a_gpu_raises_as_torch():
    if torch.cuda.is_available():
        pytest.skip("torch has a GPU here")
    _same_error(lambda: mg.ones(2).pin_memory(), lambda: torch.ones(2).pin_memory(),
                "accelerator")


@pytest.mark.parametrize("name", ["bfloat16", "cfloat", "cdouble", "chalf"])
def test_missing_dtypes_raise_a_clear_type_error(name):
    with pytest.raises(TypeError, match=name):
        getattr(mg.ones(2), name)()


# ---- asarray ----
def test_asarray_shares_memory_as_torch():
    a = np.arange(6.0).reshape(2, 3)[:, ::2]
    x, t = mg.asarray(a), torch.asarray(a)
    a[0, 0] = 9.0
    assert x[0, 0].item() == t[0, 0].item() == 9.0
    assert x.stride() == tuple(t.stride())
    c = mg.asarray(a, copy=True)
    a[0, 0] = 1.0
    assert c[0, 0].item() == 9.0
    y = mg.ones(2)
    assert mg.asarray(y) is y and mg.asarray(y, copy=True) is not y
    assert mg.asarray(y, dtype=mg.float64).dtype == mg.float64
    for data in ([1, 2.5], 3, [[1, 2], [3, 4]], np.float64(2.5), [True]):
        prev = mg.get_default_dtype()
        mg.set_default_dtype(getattr(mg, str(torch.get_default_dtype()).split(".")[1]))
        try:
            m, tt = mg.asarray(data), torch.asarray(data)
        finally:
            mg.set_default_dtype(prev)
        np.testing.assert_array_equal(m.numpy(), tt.numpy())
        assert str(m.dtype) == str(tt.dtype).replace("torch.", "")
    buf = bytearray(np.array([1.5, 2.5], np.float64).tobytes())
    m = mg.asarray(buf, dtype=mg.float64)
    buf[:8] = np.array([7.0]).tobytes()
    assert m.tolist() == [7.0, 2.5]
    tt = torch.arange(3.0)
    m = mg.asarray(tt)
    tt[0] = 4.0
    assert m[0].item() == 4.0


def test_asarray_requires_grad_and_errors():
    leaf, tleaf = mg.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r, tr = mg.asarray(leaf, requires_grad=False), torch.asarray(tleaf, requires_grad=False)
    assert (r is leaf, r.requires_grad) == (tr is tleaf, tr.requires_grad)
    z, tz = mg.ones(2, requires_grad=True) * 2, torch.ones(2, requires_grad=True) * 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert (mg.asarray(z) is z) == (torch.asarray(tz) is tz)
        assert mg.asarray(z, requires_grad=False).requires_grad is \
            torch.asarray(tz, requires_grad=False).requires_grad
    assert mg.asarray(np.arange(3.0), requires_grad=True).requires_grad
    a = np.arange(3.0)
    for call, frag in ((lambda L: L.asarray(a, dtype=L.float32, copy=False), "can't alias"),
                       (lambda L: L.asarray([1, 2], copy=False), "can't alias"),
                       (lambda L: L.asarray(L.ones(2).float(), dtype=L.float64, copy=False),
                        "can't alias"),
                       (lambda L: L.asarray(a[::-1]), "negative"),
                       (lambda L: L.asarray(a, copy=5), "copy"),
                       (lambda L: L.asarray(np.arange(3), requires_grad=True), None)):
        _same_error(lambda: call(mg), lambda: call(torch), frag)


# ---- frombuffer ----
def test_frombuffer_shares_memory_and_errors():
    b = bytearray(np.array([1, 2, 3], np.int32).tobytes())
    x, t = mg.frombuffer(b, dtype=mg.int32), torch.frombuffer(b, dtype=torch.int32)
    b[0] = 7
    assert x.tolist() == t.tolist() == [7, 2, 3]
    m = mg.frombuffer(b, dtype=mg.int32, count=2, offset=4)
    tt = torch.frombuffer(b, dtype=torch.int32, count=2, offset=4)
    assert m.tolist() == tt.tolist()
    assert mg.frombuffer(b, dtype=mg.int32, count=-2).tolist() == [7, 2, 3]
    import array
    d = array.array("d", [1.0, 2.0])
    assert mg.frombuffer(d, dtype=mg.float64).tolist() == [1.0, 2.0]
    assert mg.frombuffer(b, dtype=mg.float32, requires_grad=True).requires_grad
    for kw, frag in (({"dtype": "int32", "count": 5}, "requested buffer length"),
                     ({"dtype": "int32", "offset": 13}, "offset (13 bytes)"),
                     ({"dtype": "int32", "offset": 2}, "multiple of element size"),
                     ({"dtype": "int64"}, "multiple of element size"),
                     ({"dtype": "int32", "count": 0}, "must not be 0")):
        _same_error(lambda: mg.frombuffer(b, **{**kw, "dtype": getattr(mg, kw["dtype"])}),
                    lambda: torch.frombuffer(b, **{**kw, "dtype": getattr(torch, kw["dtype"])}),
                    frag)
    _same_error(lambda: mg.frombuffer([1, 2], dtype=mg.uint8),
                lambda: torch.frombuffer([1, 2], dtype=torch.uint8), "buffer protocol")
    _same_error(lambda: mg.frombuffer(b), lambda: torch.frombuffer(b), "dtype")


# ---- DLPack ----
def test_dlpack_shares_memory_both_ways():
    t = torch.arange(4.0)
    m = mg.from_dlpack(t)
    t[0] = 5.0
    assert m[0].item() == 5.0
    x = mg.arange(3.0)
    tx = torch.from_dlpack(x)
    x[1] = 8.0
    assert tx[1].item() == 8.0
    assert x.__dlpack_device__() == tx.__dlpack_device__()
    cap = mg.utils.dlpack.to_dlpack(x)
    back = mg.utils.dlpack.from_dlpack(cap)
    x[2] = -1.0
    assert back[2].item() == -1.0
    assert torch.utils.dlpack.from_dlpack(mg.utils.dlpack.to_dlpack(x)).tolist() == x.tolist()
    with pytest.raises(TypeError, match="from_dlpack"):
        mg.from_dlpack([1, 2])
    with pytest.raises(BufferError):
        mg.ones(2, requires_grad=True).__dlpack__()
