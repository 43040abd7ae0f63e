"""mg.stft / Tensor.stft (return_complex=False) against torch: every argument, values,
gradients for the input and the window, second derivatives, warnings and errors; istft and
return_complex=True raise (minigrad has no complex dtype)."""
import warnings

import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CASES = [
    ((20,), 8, {}), ((3, 20), 8, {}), ((20,), 7, {"hop_length": 3}),
    ((20,), 8, {"center": False}), ((20,), 8, {"win_length": 5}),
    ((20,), 8, {"onesided": False, "normalized": True}),
    ((20,), 8, {"pad_mode": "constant"}), ((20,), 8, {"pad_mode": "replicate"}),
    ((20,), 8, {"pad_mode": "circular"}), ((2, 33), 16, {"hop_length": 5}),
    ((20,), 20, {"center": False}), ((20,), 8, {"center": False, "win_length": 4,
                                                 "align_to_window": True}),
    ((20,), 8, {"center": False, "win_length": 4, "align_to_window": False}),
    ((21,), 9, {"center": False, "hop_length": 4, "win_length": 7, "align_to_window": True}),
]


@pytest.mark.parametrize("shape,n_fft,kw", CASES)
@pytest.mark.parametrize("window", [False, True])
def test_stft_as_torch(shape, n_fft, kw, window):
    rng = np.random.default_rng(n_fft + len(shape))
    arrays = [rng.standard_normal(shape)]
    wl = kw.get("win_length", n_fft)
    if window:
        arrays.append(rng.uniform(0.1, 1.0, wl))

    def call(lib, method=False):
        def f(x, *w):
            win = w[0] if w else None
            if method:
                return x.stft(n_fft, window=win, return_complex=False, **kw)
            return lib.stft(x, n_fft, window=win, return_complex=False, **kw)
        return f
    check_op(call(mg), call(torch), arrays, double=True)
    check_op(call(mg, True), call(torch, True), arrays)


def test_stft_non_contiguous_and_dtypes():
    a = np.random.default_rng(0).standard_normal((24, 2))
    check_op(lambda x: mg.stft(x.mT, 8, return_complex=False),
             lambda x: torch.stft(x.mT, 8, return_complex=False), [a])
    check_op(lambda x: mg.stft(x[::2, 0], 4, hop_length=1, return_complex=False),
             lambda x: torch.stft(x[::2, 0], 4, hop_length=1, return_complex=False), [a])
    x = np.random.default_rng(1).standard_normal(30)
    for xd, wd in (("float32", "float32"), ("float32", "float64"), ("float64", "float32"),
                   ("float32", "int64"), ("float32", "bool")):
        w = np.ones(8).astype(wd)
        m = mg.stft(mg.tensor(x.astype(xd)), 8, window=mg.tensor(w), return_complex=False)
        t = torch.stft(torch.tensor(x.astype(xd)), 8, window=torch.tensor(w),
                       return_complex=False)
        assert str(m.dtype) == str(t.dtype).replace("torch.", "")
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)


def test_stft_warnings():
    x = mg.randn(20)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        mg.stft(x, 8, return_complex=False)
        mg.stft(x, 8, window=mg.ones(8), return_complex=False)
    msgs = [str(r.message) for r in w]
    assert sum("return_complex=False is deprecated" in s for s in msgs) == 2
    assert sum("A window was not provided" in s for s in msgs) == 1


def _err(lib, shape, *a, dtype="float64", **kw):
    x = lib.tensor(np.random.default_rng(0).standard_normal(shape).astype(dtype))
    return lib.stft(x, *a, **kw)


@pytest.mark.parametrize("shape,args,kw,kind,frag", [
    ((20,), (8,), {}, RuntimeError, "return_complex parameter be given"),
    ((20,), (30,), {"return_complex": False, "center": False}, RuntimeError, "0 < n_fft"),
    ((20,), (0,), {"return_complex": False, "center": False}, RuntimeError, "0 < n_fft"),
    ((20,), (8,), {"return_complex": False, "hop_length": 0}, RuntimeError, "hop_length > 0"),
    ((20,), (8,), {"return_complex": False, "win_length": 9}, RuntimeError, "win_length"),
    ((20,), (8,), {"return_complex": False, "win_length": 0}, RuntimeError, "win_length"),
    ((2, 3, 20), (8,), {"return_complex": False}, RuntimeError, "1D or 2D"),
    ((2, 3, 20), (8,), {"return_complex": False, "center": False}, RuntimeError, "1D or 2D"),
    ((2, 2, 3, 20), (8,), {"return_complex": False}, NotImplementedError, "1D or 2D"),
    ((), (4,), {"return_complex": False}, RuntimeError, "stft"),
    ((0,), (4,), {"return_complex": False}, RuntimeError, "stft"),
    ((20,), (8,), {"return_complex": False, "pad_mode": "foo"}, NotImplementedError, "foo"),
    ((20,), (8,), {"return_complex": False, "pad_mode": 3}, TypeError, "pad_mode"),
    ((20,), (8,), {"return_complex": False, "align_to_window": True}, RuntimeError,
     "align_to_window should only be set when center = false"),
    ((20,), (8,), {"return_complex": False, "center": False, "win_length": 5,
                   "hop_length": 3, "align_to_window": True}, RuntimeError, ""),
    ((20,), (8,), {"return_complex": False, "normalized": 1}, TypeError, "normalized"),
    ((20,), (8.0,), {"return_complex": False}, TypeError, "n_fft"),
])
def test_stft_errors(shape, args, kw, kind, frag):
    with pytest.raises(kind, match=frag):
        _err(mg, shape, *args, **kw)
    with pytest.raises(kind):
        _err(torch, shape, *args, **kw)


def test_stft_errors_without_torch_counterpart():
    with pytest.raises(RuntimeError, match="floating point"):
        _err(mg, (20,), 8, dtype="int64", return_complex=False)
    with pytest.raises(RuntimeError):
        _err(torch, (20,), 8, dtype="int64", return_complex=False)
    with pytest.raises(RuntimeError, match="float16"):       # torch: MKL refuses Half
        _err(mg, (20,), 8, dtype="float16", return_complex=False)
    x = mg.randn(20, dtype=mg.float64)
    with pytest.raises(RuntimeError, match="window"):
        mg.stft(x, 8, window=mg.ones(5), return_complex=False)
    with pytest.raises(RuntimeError, match="window"):
        mg.stft(x, 8, window=mg.ones(2, 4), return_complex=False)
    with pytest.raises(TypeError, match="window"):
        mg.stft(x, 8, window=np.ones(8), return_complex=False)
    with pytest.raises(NotImplementedError, match="no complex dtype"):
        mg.stft(x, 8, return_complex=True)
    with pytest.raises(NotImplementedError, match="no complex dtype"):
        x.stft(8, return_complex=True)
    for f in (lambda: mg.istft(mg.randn(5, 3, 2), 8), lambda: mg.randn(5, 3, 2).istft(8)):
        with pytest.raises(RuntimeError, match="complex"):
            f()
    with pytest.raises(RuntimeError, match="complex"):
        torch.istft(torch.randn(5, 3, 2), 8)
