"""pixel_shuffle, pixel_unshuffle, channel_shuffle, unfold and fold (and their modules) against
torch: values, gradients, second derivatives, batched and unbatched, dtypes and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import check_op
from module_check import check_module

import minigrad as mg
import minigrad.nn.functional as F

tF = torch.nn.functional


def _raises_like_torch(mg_call, torch_call):
    with pytest.raises(Exception) as te:
        torch_call()
    kind = next(k for k in (NotImplementedError, TypeError, ValueError, IndexError,
                            RuntimeError) if isinstance(te.value, k))
    with pytest.raises(kind):
        mg_call()


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 2), 2), ((9, 2, 3), 3), ((2, 3, 4, 2, 1), 2),
                                     ((1, 1, 2, 2), 1)])
def test_pixel_shuffle(shape, r, rng):
    for lib in (mg, F):
        tlib = torch if lib is mg else tF
        check_op(lambda x: lib.pixel_shuffle(x, r), lambda x: tlib.pixel_shuffle(x, r),
                 [rng.standard_normal(shape)], double=True)


@pytest.mark.parametrize("shape,r", [((2, 2, 4, 6), 2), ((2, 6, 9), 3), ((2, 1, 3, 2, 4), 2)])
def test_pixel_unshuffle_inverts_pixel_shuffle(shape, r, rng):
    a = rng.standard_normal(shape)
    for lib in (mg, F):
        tlib = torch if lib is mg else tF
        check_op(lambda x: lib.pixel_unshuffle(x, r), lambda x: tlib.pixel_unshuffle(x, r), [a],
                 double=True)
    x = mg.tensor(a)
    np.testing.assert_array_equal(F.pixel_shuffle(F.pixel_unshuffle(x, r), r).numpy(), a)


@pytest.mark.parametrize("shape,g", [((2, 6, 3), 3), ((2, 6, 3, 2), 2), ((1, 4, 2, 2, 2), 4),
                                     ((3, 5, 2), 1), ((0, 4, 2), 2)])
def test_channel_shuffle(shape, g, rng):
    for lib in (mg, F):
        tlib = torch if lib is mg else tF
        check_op(lambda x: lib.channel_shuffle(x, g), lambda x: tlib.channel_shuffle(x, g),
                 [rng.standard_normal(shape)], double=True)


def test_shuffles_keep_dtype_noncontiguous_and_empty(rng):
    a = rng.integers(0, 9, (2, 8, 3, 2))
    for fn, arg in [("pixel_shuffle", 2), ("channel_shuffle", 4)]:
        for arr in [a, a.astype(bool), a.astype(np.float32)]:
            t = getattr(tF, fn)(torch.tensor(arr), arg)
            m = getattr(F, fn)(mg.tensor(arr), arg)
            assert m.dtype == arr.dtype
            np.testing.assert_array_equal(m.numpy(), t.numpy())
    v = rng.standard_normal((2, 4, 8, 6)).transpose(0, 2, 3, 1)
    check_op(lambda x: F.pixel_shuffle(x, 2), lambda x: tF.pixel_shuffle(x, 2), [v])
    check_op(lambda x: F.pixel_unshuffle(x, 2), lambda x: tF.pixel_unshuffle(x, 2),
             [v[:, ::2]])
    for shape in [(0, 8, 3, 2), (2, 0, 3, 2), (2, 8, 0, 2)]:     # forward only: torch's
        e = np.zeros(shape)                                       # backward fails on these
        assert tuple(F.pixel_shuffle(mg.tensor(e), 2).shape) == \
            tuple(tF.pixel_shuffle(torch.tensor(e), 2).shape)
        # torch returns an empty input to pixel_unshuffle unchanged (its shape kept):
        # minigrad refuses rather than differ
        e = np.zeros(shape[:2] + (shape[2] * 2, 4))
        assert tuple(tF.pixel_unshuffle(torch.tensor(e), 2).shape) == e.shape
        with pytest.raises(RuntimeError, match="empty"):
            F.pixel_unshuffle(mg.tensor(e), 2)


@pytest.mark.parametrize("fn,shape,arg", [
    ("pixel_shuffle", (4, 2), 2), ("pixel_shuffle", (), 2), ("pixel_shuffle", (1, 3, 2, 2), 2),
    ("pixel_shuffle", (1, 4, 2, 2), 0), ("pixel_shuffle", (1, 4, 2, 2), -2),
    ("pixel_shuffle", (1, 4, 2, 2), 2.0), ("pixel_unshuffle", (1, 4, 3, 2), 2),
    ("pixel_unshuffle", (1, 4, 2, 3), 2), ("pixel_unshuffle", (1, 4, 2, 2), 0),
    ("pixel_unshuffle", (4, 2), 2), ("channel_shuffle", (2, 4), 2),
    ("channel_shuffle", (4,), 2), ("channel_shuffle", (1, 4, 2), 3),
    ("channel_shuffle", (1, 4, 2), 0), ("channel_shuffle", (1, 4, 2), -1),
    ("channel_shuffle", (1, 4, 2), None)])
def test_shuffle_errors_as_torch(fn, shape, arg, rng):
    a = rng.standard_normal(shape)
    _raises_like_torch(lambda: getattr(F, fn)(mg.tensor(a), arg),
                       lambda: getattr(tF, fn)(torch.tensor(a), arg))


UNFOLD = [((2, 3, 4, 5), dict(kernel_size=2)),
          ((2, 3, 5, 6), dict(kernel_size=(2, 3), dilation=(2, 1), padding=(1, 2),
                              stride=(2, 3))),
          ((3, 4, 5), dict(kernel_size=3, padding=1)),
          ((0, 2, 4, 4), dict(kernel_size=2, stride=2)),
          ((1, 1, 3, 3), dict(kernel_size=3))]


@pytest.mark.parametrize("shape,kw", UNFOLD)
def test_unfold_and_fold_are_adjoint_and_match_torch(shape, kw, rng):
    a = rng.standard_normal(shape)
    check_op(lambda x: F.unfold(x, **kw), lambda x: tF.unfold(x, **kw), [a], double=True)
    cols = tF.unfold(torch.tensor(a), **kw)
    check_op(lambda c: F.fold(c, shape[-2:], **kw), lambda c: tF.fold(c, shape[-2:], **kw),
             [rng.standard_normal(tuple(cols.shape))], double=True)


def test_fold_unfold_dtypes_and_noncontiguous(rng):
    a = rng.standard_normal((2, 3, 5, 4)).transpose(0, 1, 3, 2)
    check_op(lambda x: F.unfold(x, 2, 1, 1, 2), lambda x: tF.unfold(x, 2, 1, 1, 2), [a])
    c = rng.standard_normal((2, 12, 8)).transpose(0, 2, 1)
    check_op(lambda x: F.fold(x, (4, 5), 2), lambda x: tF.fold(x, (4, 5), 2), [c])
    for dt in [np.float32, np.float16, np.bool_]:
        x = (rng.standard_normal((1, 2, 4, 4)) > 0).astype(dt)
        t, m = tF.unfold(torch.tensor(x), 2), F.unfold(mg.tensor(x), 2)
        assert m.dtype == dt
        np.testing.assert_array_equal(m.numpy(), t.numpy())
        t, m = tF.fold(t, (4, 4), 2), F.fold(m, (4, 4), 2)
        assert m.dtype == dt
        np.testing.assert_array_equal(m.numpy(), t.numpy())
    for dt in [np.int64, np.uint8]:
        x = np.ones((1, 2, 4, 4), dt)
        _raises_like_torch(lambda: F.unfold(mg.tensor(x), 2), lambda: tF.unfold(torch.tensor(x), 2))
        _raises_like_torch(lambda: F.fold(mg.tensor(x[0]), 2, 1),
                           lambda: tF.fold(torch.tensor(x[0]), 2, 1))


@pytest.mark.parametrize("shape,kw", [
    ((2, 0, 4, 5), dict(kernel_size=2)), ((2, 3, 0, 5), dict(kernel_size=2)),
    ((4, 5), dict(kernel_size=2)), ((), dict(kernel_size=2)),
    ((1, 2, 3, 4, 5), dict(kernel_size=2)),
    ((2, 3, 4, 5), dict(kernel_size=0)), ((2, 3, 4, 5), dict(kernel_size=2, stride=0)),
    ((2, 3, 4, 5), dict(kernel_size=2, dilation=0)),
    ((2, 3, 4, 5), dict(kernel_size=2, padding=-1)), ((2, 3, 4, 5), dict(kernel_size=6)),
    ((2, 3, 4, 5), dict(kernel_size=(2, 2, 2))), ((2, 3, 4, 5), dict(kernel_size=2.0)),
    ((2, 3, 4, 5), dict(kernel_size=None))])
def test_unfold_errors_as_torch(shape, kw, rng):
    a = rng.standard_normal(shape)
    _raises_like_torch(lambda: F.unfold(mg.tensor(a), **kw),
                       lambda: tF.unfold(torch.tensor(a), **kw))


@pytest.mark.parametrize("shape,args,kw", [
    ((2, 0, 6), ((3, 4), 2), {}), ((2, 12, 0), ((3, 4), 2), {}), ((12,), ((3, 4), 2), {}),
    ((1, 1, 12, 6), ((3, 4), 2), {}), ((2, 12, 5), ((3, 4), 2), {}),
    ((2, 11, 6), ((3, 4), 2), {}), ((2, 12, 6), (0, 2), {}), ((2, 12, 6), ((1, 1), 2), {}),
    ((2, 12, 6), ((3, 4), 2), dict(stride=0)), ((2, 12, 6), ((3, 4), 2), dict(padding=1)),
    ((2, 12, 6), ((3, 4, 5), 2), {})])
def test_fold_errors_as_torch(shape, args, kw, rng):
    a = rng.standard_normal(shape)
    _raises_like_torch(lambda: F.fold(mg.tensor(a), *args, **kw),
                       lambda: tF.fold(torch.tensor(a), *args, **kw))


def test_modules_repr_state_and_outputs(rng):
    for make, shape in [(lambda nn: nn.PixelShuffle(2), (2, 8, 3, 2)),
                        (lambda nn: nn.PixelUnshuffle(3), (2, 1, 6, 3)),
                        (lambda nn: nn.ChannelShuffle(3), (2, 6, 2, 2)),
                        (lambda nn: nn.Unfold((2, 3), padding=1, stride=2), (2, 3, 5, 6)),
                        (lambda nn: nn.Unfold(2), (3, 4, 5)),
                        (lambda nn: nn.Fold((4, 5), 2), (2, 8, 12)),
                        (lambda nn: nn.Fold(output_size=(3, 3), kernel_size=(2, 1), dilation=2,
                                            padding=(1, 0), stride=1), (2, 4, 9))]:
        m, t = make(mg.nn), make(torch.nn)
        assert repr(m) == repr(t)
        assert list(m.state_dict()) == list(t.state_dict()) == []
        assert list(m.parameters()) == [] and list(t.parameters()) == []
        check_module(m, t, [rng.standard_normal(shape)])
