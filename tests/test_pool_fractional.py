"""Fractional max pooling (F.fractional_max_pool2d/3d, _with_indices, nn.FractionalMaxPool2d/3d)
against torch: with the same _random_samples, values, indices and gradients exactly equal in
float64, float32 and float16; without them, shapes and dtypes; every error."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def _pair(lib, x, s):
    return lib.tensor(x), lib.tensor(s)


def _both(nd, x, s, *args, **kw):
    f, tf = getattr(F, f"fractional_max_pool{nd}d"), getattr(TF, f"fractional_max_pool{nd}d")
    mv, mi = f(mg.tensor(x), *args, return_indices=True, _random_samples=mg.tensor(s), **kw)
    tv, ti = tf(torch.tensor(x), *args, return_indices=True, _random_samples=torch.tensor(s),
                **kw)
    return (mv.numpy(), mi.numpy(), mv.dtype, mi.dtype), (tv.numpy(), ti.numpy())


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("nd", [2, 3])
def test_same_samples_same_windows(rng, nd, dtype):
    """Random sizes, kernels and output sizes (up to the largest torch allows), with ties."""
    for trial in range(25):
        size = rng.integers(3, 24 if nd == 2 else 10, nd)
        k = rng.integers(1, 4, nd)
        out = [int(rng.integers(0, n - kk + 2 - (nd == 3))) for n, kk in zip(size, k)]
        x = rng.standard_normal((2, 3, *size))
        if trial % 3 == 0:
            x = np.round(x)                                     # ties: the first max wins
        x = x.astype(dtype)
        s = rng.random((2, 3, nd)).astype(dtype)
        (v, i, vd, idt), (tv, ti) = _both(nd, x, s, tuple(int(a) for a in k), out)
        assert np.array_equal(i, ti) and np.array_equal(v, tv), (trial, size, k, out)
        assert vd == np.dtype(dtype) and idt == mg.int64


@pytest.mark.parametrize("nd", [2, 3])
def test_gradients_and_second_derivatives(rng, nd):
    shape = (2, 3, 9, 8) if nd == 2 else (2, 2, 6, 7, 6)
    x, s = rng.standard_normal(shape), rng.random((2, shape[1], nd))
    f, tf = getattr(F, f"fractional_max_pool{nd}d"), getattr(TF, f"fractional_max_pool{nd}d")
    for k, out in ((2, 3), (3, (3,) * nd), (1, 2)):
        check_op(lambda x: f(x, k, out, _random_samples=mg.tensor(s)) ** 2,
                 lambda x: tf(x, k, out, _random_samples=torch.tensor(s)) ** 2, [x],
                 double=True)


@pytest.mark.parametrize("nd", [2, 3])
def test_nan_unbatched_empty_batch_noncontiguous(rng, nd):
    shape = (2, 3, 8, 9) if nd == 2 else (2, 3, 5, 6, 7)
    x, s = rng.standard_normal(shape), rng.random((2, 3, nd))
    x[0, 0].flat[::5] = np.nan                                   # the last NaN wins
    (v, i, *_), (tv, ti) = _both(nd, x, s, 2, 3)
    assert np.array_equal(i, ti) and np.array_equal(v, tv, equal_nan=True)
    # unbatched: the first row of samples; a larger sample batch is allowed
    (v, i, *_), (tv, ti) = _both(nd, x[1], s, 2, 3)
    assert v.shape == tv.shape == (3,) + (3,) * nd and np.array_equal(i, ti)
    (v, i, *_), (tv, ti) = _both(nd, x[:0], s[:0], 2, 3)
    assert v.shape == tv.shape and i.shape == ti.shape
    xt = np.swapaxes(x, -1, -2)                                  # non-contiguous
    check_op(lambda a: getattr(F, f"fractional_max_pool{nd}d")(
                 a.transpose(-1, -2), 2, 2, _random_samples=mg.tensor(s)),
             lambda a: getattr(TF, f"fractional_max_pool{nd}d")(
                 a.transpose(-1, -2), 2, 2, _random_samples=torch.tensor(s)),
             [np.ascontiguousarray(xt)])


@pytest.mark.parametrize("nd", [2, 3])
def test_output_ratio_and_with_indices(rng, nd):
    shape = (2, 3, 10, 9) if nd == 2 else (1, 2, 7, 6, 9)
    x, s = rng.standard_normal(shape), rng.random((shape[0], shape[1], nd))
    ratio = (0.5, 0.7, 0.4)[:nd]
    (v, i, *_), (tv, ti) = _both(nd, x, s, 2, output_ratio=ratio)
    assert np.array_equal(v, tv) and np.array_equal(i, ti)
    w = getattr(F, f"fractional_max_pool{nd}d_with_indices")(
        mg.tensor(x), 2, 3, None, False, mg.tensor(s))
    tw = getattr(TF, f"fractional_max_pool{nd}d_with_indices")(
        torch.tensor(x), 2, 3, None, False, torch.tensor(s))
    assert np.array_equal(w[0].numpy(), tw[0].numpy()) and np.array_equal(w[1].numpy(),
                                                                          tw[1].numpy())
    if nd == 3:     # 3-D repeats a single ratio
        (v, _, *_), (tv, _) = _both(3, x, s, 2, output_ratio=0.5)
        assert np.array_equal(v, tv)


@pytest.mark.parametrize("nd", [2, 3])
def test_random_draws_shapes_and_dtypes(nd):
    shape = (2, 3, 10, 9) if nd == 2 else (2, 3, 7, 6, 9)
    for dt, tdt in ((mg.float32, torch.float32), (mg.float64, torch.float64)):
        m = getattr(nn, f"FractionalMaxPool{nd}d")(2, output_ratio=0.5, return_indices=True)
        t = getattr(torch.nn, f"FractionalMaxPool{nd}d")(2, output_ratio=0.5,
                                                         return_indices=True)
        (v, i), (tv, ti) = m(mg.randn(*shape, dtype=dt)), t(torch.randn(*shape, dtype=tdt))
        assert v.shape == tuple(tv.shape) and i.shape == tuple(ti.shape)
        assert v.dtype == dt and i.dtype == mg.int64
    # the draws come from minigrad's generator
    x = mg.randn(*shape)
    mg.manual_seed(3)
    a = getattr(F, f"fractional_max_pool{nd}d")(x, 2, 2)
    mg.manual_seed(3)
    b = getattr(F, f"fractional_max_pool{nd}d")(x, 2, 2)
    assert np.array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("nd", [2, 3])
def test_modules_match_torch(rng, nd):
    shape = (2, 3, 9, 8) if nd == 2 else (2, 2, 6, 7, 5)
    x, s = rng.standard_normal(shape), rng.random((2, shape[1], nd))
    M, T = getattr(nn, f"FractionalMaxPool{nd}d"), getattr(torch.nn, f"FractionalMaxPool{nd}d")
    m = M(2, output_size=3, _random_samples=mg.tensor(s))
    t = T(2, output_size=3, _random_samples=torch.tensor(s))
    assert list(m.state_dict()) == list(t.state_dict()) and repr(m) == repr(t)
    assert m.kernel_size == t.kernel_size and m.output_size == t.output_size
    check_op(m, t, [x])
    m, t = M((2,) * nd, output_ratio=0.5), T((2,) * nd, output_ratio=0.5)
    assert m.output_ratio == t.output_ratio and list(m.state_dict()) == []


def _err(fn_mg, fn_t, exc, frag):
    with pytest.raises(exc) as e:
        fn_mg()
    assert frag in str(e.value)
    with pytest.raises(exc):
        fn_t()


@pytest.mark.parametrize("nd", [2, 3])
def test_errors_match_torch(rng, nd):
    shape = (2, 3, 7, 8) if nd == 2 else (2, 3, 5, 6, 7)
    x, s = rng.standard_normal(shape), rng.random((2, 3, nd))
    name = f"fractional_max_pool{nd}d"
    f, tf = getattr(F, name), getattr(TF, name)

    def both(exc, frag, *a, x=x, s=s, **kw):
        _err(lambda: f(mg.tensor(x), *a, _random_samples=None if s is None else mg.tensor(s),
                       **kw),
             lambda: tf(torch.tensor(x), *a,
                        _random_samples=None if s is None else torch.tensor(s), **kw),
             exc, frag)
    both(ValueError, "either an output_size or an output_ratio", 2)
    both(RuntimeError, "too large relative to input", 2, 7)
    both(RuntimeError, "kernel_size must either be a single Int", (2,) * (nd + 1), 2)
    both(RuntimeError, "output_size must either be a single Int", 2, (2,) * (nd - 1))
    both(TypeError, "kernel_size", 2.0, 2)
    both(TypeError, "output_size", 2, 2.5)
    both(RuntimeError, "negative dimension", 2, -1)
    both(RuntimeError, f"Expected {nd + 1}D or {nd + 2}D tensor", 2, 2, x=x[0, 0])
    both(RuntimeError, "non-zero size for non-batch", 2, 2, x=x[:, :, :0], s=s)
    both(RuntimeError, "same dtype as input", 2, 2, s=s.astype(np.float32))
    both(RuntimeError, "3 dimensions", 2, 2, s=s[0])
    both(RuntimeError, "size(0) no less then input batch", 2, 2, s=s[:1])
    both(RuntimeError, "size(1) equals to input channel", 2, 2, s=s[:, :2])
    both(RuntimeError, f"size(2) equals to {nd}", 2, 2, s=rng.random((2, 3, 5 - nd)))
    both(NotImplementedError, "not implemented for 'Long'", 2, 2, x=x.astype(np.int64),
         s=s.astype(np.int64))
    both(NotImplementedError, "not implemented for 'Long'", 2, 2, x=x.astype(np.int64), s=None)
    both(IndexError, "output_ratio", 2, output_ratio=(0.5,) * (nd - 1))
    if nd == 2:
        both(TypeError, "output_ratio", 2, output_ratio=0.5)
        both(ValueError, "output_ratio", 2, output_ratio=(0.5, 0.5, 0.5))
    _err(lambda: f([1.0], 2, 2, _random_samples=mg.tensor(s)),
         lambda: tf([1.0], 2, 2, _random_samples=torch.tensor(s)), TypeError, "input")
    sg = mg.tensor(s, requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
        f(mg.tensor(x), 2, 2, _random_samples=sg)
    # torch reads outside the plane for kernel_size <= 0 or samples far outside [0, 1)
    with pytest.raises(RuntimeError, match="kernel_size must be greater than 0"):
        f(mg.tensor(x), 0, 2, _random_samples=mg.tensor(s))
    with pytest.raises(RuntimeError, match="_random_samples too large"):
        f(mg.tensor(x), 2, 3, _random_samples=mg.tensor(s + 1e12))
    for shift in (-50, -0.7, 3.3, 1e5):          # torch takes samples outside [0, 1) too
        (v, i, *_), (tv, ti) = _both(nd, x, s + shift, 2, 3)
        assert np.array_equal(i, ti) and np.array_equal(v, tv)
    M, T = getattr(nn, f"FractionalMaxPool{nd}d"), getattr(torch.nn, f"FractionalMaxPool{nd}d")
    for args, kw, exc, frag in (((2,), {}, ValueError, "either an output size"),
                                ((2, 3, 0.5), {}, ValueError, "only one of"),
                                ((2,), {"output_ratio": 1.0}, ValueError, "between 0 and 1"),
                                ((2,), {"output_ratio": -0.5}, ValueError, "between 0 and 1")):
        _err(lambda: M(*args, **kw), lambda: T(*args, **kw), exc, frag)
    if nd == 3:
        _err(lambda: M(0, 2), lambda: T(0, 2), ValueError, "kernel_size must be greater")
