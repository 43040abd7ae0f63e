"""Window functions (mg.hann_window & co., mg.signal.windows) and mg.fft's real helpers
(fftfreq, rfftfreq, fftshift, ifftshift) against torch: values, dtypes, shapes, the 0 and 1
lengths, requires_grad and the graph torch builds, gradients, and the errors."""
import numpy as np
import pytest
import torch
import torch.signal.windows as TW
from conftest import check_op

import minigrad as mg

TOL = {"float64": 1e-13, "float32": 2e-6, "float16": 2e-3}
TOP = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("name", TOP)
@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_top_level_windows(name, dtype):
    for n in (0, 1, 2, 3, 6, 31):
        for periodic in (True, False):
            m = getattr(mg, name)(n, periodic, dtype=getattr(mg, dtype))
            t = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
            assert m.shape == tuple(t.shape) and str(m.dtype) == dtype
            np.testing.assert_allclose(m.numpy().astype(float), t.numpy().astype(float),
                                       atol=TOL[dtype], err_msg=f"{name}({n}, {periodic})")


def test_window_arguments():
    for a, b in ((0.3, 0.6), (0.5, 0.5), (1.0, 0.0)):
        np.testing.assert_allclose(mg.hamming_window(9, False, a, b, dtype=mg.float64).numpy(),
                                   torch.hamming_window(9, False, a, b,
                                                        dtype=torch.float64).numpy(),
                                   atol=1e-14)
    for beta in (0.0, 3.5, 12.0, -2.0):
        np.testing.assert_allclose(mg.kaiser_window(10, True, beta, dtype=mg.float64).numpy(),
                                   torch.kaiser_window(10, True, beta,
                                                       dtype=torch.float64).numpy(),
                                   atol=1e-13)
    assert mg.hann_window(5).dtype == mg.float32              # the default dtype
    m, t = mg.hann_window(4, requires_grad=True), torch.hann_window(4, requires_grad=True)
    assert m.requires_grad and m.is_leaf and t.is_leaf


@pytest.mark.parametrize("name", TOP)
def test_top_level_window_errors(name):
    for bad, kind, frag in ((mg.int64, RuntimeError, "expects floating point dtypes"),
                            (mg.bool, RuntimeError, "expects floating point dtypes")):
        with pytest.raises(kind, match=frag):
            getattr(mg, name)(5, dtype=bad)
        with pytest.raises(kind):
            getattr(torch, name)(5, dtype=getattr(torch, str(bad).replace("mg.", "")))
    with pytest.raises(RuntimeError, match=f"{name} requires non-negative window_length"):
        getattr(mg, name)(-1)
    with pytest.raises(TypeError, match=f"{name}.*window_length"):
        getattr(mg, name)(5.0)
    with pytest.raises(TypeError, match="periodic"):
        getattr(mg, name)(5, 1)


SIGNAL = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_hamming",
          "hamming", "hann", "kaiser", "nuttall"]
EXTRA = {"exponential": [{"tau": 2.5}], "gaussian": [{"std": 0.7}], "kaiser": [{"beta": 4.0}],
         "general_hamming": [{"alpha": 0.3}]}


@pytest.mark.parametrize("name", SIGNAL + ["general_cosine"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_signal_windows(name, dtype):
    kws = [{}] + EXTRA.get(name, [])
    if name == "general_cosine":
        kws = [{"a": [0.4, 0.5, 0.1]}, {"a": (1.0,)}, {"a": [0.2, 0.3, 0.3, 0.2]}]
    for kw in kws:
        for n in (0, 1, 2, 5, 8):
            for sym in (True, False):
                m = getattr(mg.signal.windows, name)(n, sym=sym, dtype=getattr(mg, dtype), **kw)
                t = getattr(TW, name)(n, sym=sym, dtype=getattr(torch, dtype), **kw)
                assert m.shape == tuple(t.shape) and str(m.dtype) == dtype
                np.testing.assert_allclose(m.numpy(), t.numpy(), atol=TOL[dtype],
                                           err_msg=f"{name}({n}, sym={sym}, {kw})")
    m = mg.signal.windows.exponential(7, center=1.5, sym=False, dtype=mg.float64)
    t = TW.exponential(7, center=1.5, sym=False, dtype=torch.float64)
    np.testing.assert_allclose(m.numpy(), t.numpy(), atol=1e-14)


@pytest.mark.parametrize("name", ["hann", "gaussian", "cosine", "bartlett", "exponential"])
def test_signal_window_requires_grad(name):
    """torch builds the window from a linspace leaf: the result is a non-leaf that requires
    grad; minigrad builds the same graph."""
    m = getattr(mg.signal.windows, name)(6, requires_grad=True, dtype=mg.float64)
    t = getattr(TW, name)(6, requires_grad=True, dtype=torch.float64)
    assert m.requires_grad and t.requires_grad and m.is_leaf == t.is_leaf


def test_signal_window_errors():
    W = mg.signal.windows
    cases = [(lambda: W.hann(-1), ValueError, "requires non-negative window length"),
             (lambda: W.hann(5, dtype=mg.int64), ValueError, "expects float32 or float64"),
             (lambda: W.hann(5, dtype=mg.float16), ValueError, "expects float32 or float64"),
             (lambda: W.gaussian(5, std=0), ValueError, "Standard deviation must be positive"),
             (lambda: W.exponential(5, tau=-1.0), ValueError, "Tau must be positive"),
             (lambda: W.exponential(5, center=1.0), ValueError, "Center must be None"),
             (lambda: W.kaiser(5, beta=-1.0), ValueError, "beta must be non-negative"),
             (lambda: W.general_cosine(5, a=0.5), TypeError, "Coefficients must be a list"),
             (lambda: W.general_cosine(5, a=[]), ValueError, "Coefficients cannot be empty"),
             (lambda: W.hann(5.0), TypeError, "M")]
    for fn, kind, frag in cases:
        with pytest.raises(kind, match=frag):
            fn()
    for fn in (lambda: TW.hann(-1), lambda: TW.gaussian(5, std=0),
               lambda: TW.general_cosine(5, a=[])):
        with pytest.raises(ValueError):
            fn()


# ---- mg.fft ------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 2, 5, 8, 11])
@pytest.mark.parametrize("d", [1.0, 0.1, 2, -0.5])
def test_fftfreq(n, d):
    for name in ("fftfreq", "rfftfreq"):
        for dt in ("float64", "float32"):
            m = getattr(mg.fft, name)(n, d, dtype=getattr(mg, dt))
            t = getattr(torch.fft, name)(n, d, dtype=getattr(torch, dt))
            assert m.shape == tuple(t.shape) and str(m.dtype) == dt
            np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=TOL[dt], atol=0)
    assert mg.fft.fftfreq(4, requires_grad=True).requires_grad
    np.testing.assert_array_equal(mg.fft.fftfreq(5, 0.0).numpy(),
                                  torch.fft.fftfreq(5, 0.0).numpy())      # nan, inf, -inf


def test_fftfreq_errors():
    with pytest.raises(RuntimeError, match="fftfreq requires a floating point"):
        mg.fft.fftfreq(5, dtype=mg.int64)
    with pytest.raises(RuntimeError, match="negative dimension"):
        mg.fft.rfftfreq(-1)
    with pytest.raises(TypeError, match="fft_fftfreq.*'n'"):
        mg.fft.fftfreq(5.0)


@pytest.mark.parametrize("shape", [(10,), (7,), (0,), (3, 4), (2, 5, 3), (1,)])
@pytest.mark.parametrize("dim", [None, 0, -1, (0, -1), [0, 0]])
def test_fftshift(shape, dim):
    a = np.random.default_rng(len(shape)).standard_normal(shape)
    for name in ("fftshift", "ifftshift"):
        check_op(lambda x: getattr(mg.fft, name)(x, dim=dim),
                 lambda x: getattr(torch.fft, name)(x, dim=dim), [a], double=True)
        check_op(lambda x: getattr(mg.fft, name)(x.mT if x.ndim > 1 else x, dim),
                 lambda x: getattr(torch.fft, name)(x.mT if x.ndim > 1 else x, dim), [a])
    i = np.arange(int(np.prod(shape))).reshape(shape)
    np.testing.assert_array_equal(mg.fft.fftshift(mg.tensor(i), dim).numpy(),
                                  torch.fft.fftshift(torch.tensor(i), dim).numpy())


def test_fftshift_errors():
    with pytest.raises(RuntimeError, match="shifts"):
        mg.fft.fftshift(mg.tensor(3.0))
    with pytest.raises(RuntimeError):
        torch.fft.fftshift(torch.tensor(3.0))
    with pytest.raises(IndexError, match="fftshift"):
        mg.fft.fftshift(mg.zeros(2, 3), dim=2)
    with pytest.raises(TypeError, match="fft_ifftshift.*input"):
        mg.fft.ifftshift([1, 2])
    for name in ("fft", "rfft", "ifft", "irfft", "fft2", "rfftn", "hfft"):
        with pytest.raises(NotImplementedError, match="no complex dtype"):
            getattr(mg.fft, name)(mg.ones(4))
