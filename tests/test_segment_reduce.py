"""mg.segment_reduce against torch: every reduction with lengths and offsets, along inner
axes with per-row lengths, unsafe, initial, ties and zeros; values, dtypes, gradients
(torch's tie rule included) and the errors."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

REDUCE = ["sum", "mean", "max", "min", "prod", "amax", "amin"]
LAYOUTS = [((10,), [2, 0, 3, 5], 0), ((10, 3), [4, 0, 6], 0),
           ((2, 7, 3), [[2, 0, 5], [3, 3, 1]], 1), ((2, 6), [[1, 5], [0, 6]], 1),
           ((0,), [0, 0], 0), ((6, 0), [3, 3], 0),
           ((12,), [4, 4, 4], 0)]


def _data(shape, reduce, seed, ties=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    if ties:
        a = np.round(a)
    if reduce == "prod":
        a[np.abs(a) < 0.3] = 0.0              # zeros, one and several per segment
    return a


def _offsets(lengths):
    L = np.array(lengths)
    return np.concatenate([np.zeros(L.shape[:-1] + (1,), np.int64), np.cumsum(L, -1)], -1)


@pytest.mark.parametrize("reduce", REDUCE)
@pytest.mark.parametrize("layout", range(len(LAYOUTS)))
@pytest.mark.parametrize("initial", [None, 0.5, -2.0])
@pytest.mark.parametrize("by", ["lengths", "offsets"])
def test_segment_reduce_as_torch(reduce, layout, initial, by):
    shape, lengths, axis = LAYOUTS[layout]
    seg = np.array(lengths) if by == "lengths" else _offsets(lengths)
    a = _data(shape, reduce, layout, ties=layout == 6)

    def call(lib):
        return lambda x: lib.segment_reduce(x, reduce, **{by: lib.tensor(seg)}, axis=axis,
                                            initial=initial)
    check_op(call(mg), call(torch), [a])


@pytest.mark.parametrize("zeros", [0, 1, 2])
def test_segment_reduce_prod_second_derivatives(zeros):
    """prod's gradient depends on x (sum/mean/max's do not): second derivatives numerically,
    with no, one and two zeros in the first segment (torch has no double backward here)."""
    from minigrad.testing import gradgradcheck
    a = np.random.default_rng(zeros).uniform(0.5, 1.5, (9, 2))
    a[:zeros, 0] = 0.0
    x = mg.tensor(a, requires_grad=True)
    assert gradgradcheck(lambda x: mg.segment_reduce(x, "prod", lengths=mg.tensor([3, 2, 4]),
                                                     initial=1.5), [x])


def test_segment_reduce_unsafe_negative_axis_and_dtypes():
    a = _data((2, 7), "sum", 5)
    for r in REDUCE:
        check_op(lambda x: mg.segment_reduce(x, r, lengths=mg.tensor([[2, 3], [1, 1]]),
                                             axis=-1, unsafe=True),
                 lambda x: torch.segment_reduce(x, r, lengths=torch.tensor([[2, 3], [1, 1]]),
                                                axis=-1, unsafe=True), [a])
        check_op(lambda x: mg.segment_reduce(x.mT, r, lengths=mg.tensor([3, 4])),
                 lambda x: torch.segment_reduce(x.mT, r, lengths=torch.tensor([3, 4])), [a])
    for dt in ("float32", "float16"):
        m = mg.segment_reduce(mg.tensor(a[0].astype(dt)), "sum",
                              lengths=mg.tensor([3, 4], dtype=mg.int32))
        t = torch.segment_reduce(torch.tensor(a[0].astype(dt)), "sum",
                                 lengths=torch.tensor([3, 4], dtype=torch.int32))
        assert str(m.dtype) == dt
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-3)


def test_segment_reduce_ties_and_nan():
    """torch splits dy among tied maxima only where dy > 0; nan elements take dy."""
    a = np.array([3.0, 3.0, 1.0, 2.0, 2.0, np.nan, 4.0])
    for g in ([1.0, 10.0, 1.0], [-1.0, -3.0, 2.0]):
        for r in ("max", "min"):
            x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
            mo = mg.segment_reduce(x, r, lengths=mg.tensor([3, 2, 2]))
            to = torch.segment_reduce(t, r, lengths=torch.tensor([3, 2, 2]))
            np.testing.assert_array_equal(mo.detach().numpy(), to.detach().numpy())
            mo.backward(mg.tensor(g))
            to.backward(torch.tensor(g))
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("call,kind,frag", [
    (lambda L, x: L.segment_reduce(x, "foo", lengths=L.tensor([6])), RuntimeError,
     "reduce argument must be"),
    (lambda L, x: L.segment_reduce(x, 3, lengths=L.tensor([6])), TypeError, "reduce"),
    (lambda L, x: L.segment_reduce(x, "sum"), RuntimeError, "Either lengths or offsets"),
    (lambda L, x: L.segment_reduce(x, "sum", lengths=L.tensor([2, 3])), RuntimeError,
     "sum to data.size"),
    (lambda L, x: L.segment_reduce(x, "sum", lengths=L.tensor([2, -1, 5])), RuntimeError,
     "negative"),
    (lambda L, x: L.segment_reduce(x, "sum", lengths=L.tensor([2.0, 4.0])),
     NotImplementedError, ""),
    (lambda L, x: L.segment_reduce(x.long(), "sum", lengths=L.tensor([2, 4])),
     NotImplementedError, ""),
    (lambda L, x: L.segment_reduce(x, "sum", lengths=[2, 4]), TypeError, "lengths"),
    (lambda L, x: L.segment_reduce(x, "sum", lengths=L.tensor([2, 4]), unsafe=1), TypeError,
     "unsafe"),
    (lambda L, x: L.segment_reduce(x, "sum", lengths=L.tensor([2, 4]), axis=1.0), TypeError,
     "axis"),
    (lambda L, x: L.segment_reduce(x, "sum", lengths=L.tensor([2, 4]), axis=1), IndexError,
     ""),
    (lambda L, x: L.segment_reduce(x.reshape(2, 3), "sum", lengths=L.tensor([1, 2]), axis=1),
     RuntimeError, "last dimension of lengths"),
    (lambda L, x: L.segment_reduce(x, "sum", lengths=L.tensor(6)), RuntimeError,
     "last dimension of lengths"),
    (lambda L, x: L.segment_reduce(x, "sum", offsets=L.tensor([3, 1, 6])), RuntimeError,
     "segment"),
    (lambda L, x: L.segment_reduce(x, "sum", indices=L.tensor([0, 0, 1, 1, 1, 2]),
                                   lengths=L.tensor([6])), RuntimeError, "indices"),
    (lambda L, x: L.segment_reduce(x[0], "sum", lengths=L.tensor([1])), RuntimeError, ""),
])
def test_segment_reduce_errors(call, kind, frag):
    a = np.arange(6.0)
    with pytest.raises(kind, match=frag):
        call(mg, mg.tensor(a))
    with pytest.raises(kind):
        call(torch, torch.tensor(a))


def test_segment_reduce_errors_where_torch_reads_past_the_data():
    x = mg.arange(6.0)
    with pytest.raises(RuntimeError, match="past data's size"):
        mg.segment_reduce(x, "sum", offsets=mg.tensor([0, 3, 7]))
    with pytest.raises(RuntimeError, match="past data's size"):
        mg.segment_reduce(x, "sum", lengths=mg.tensor([4, 4]), unsafe=True)
    with pytest.raises(RuntimeError, match="does not fit"):
        mg.segment_reduce(x.reshape(2, 3), "sum", lengths=mg.tensor([[1, 2]]), axis=1)
