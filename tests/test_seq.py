"""ctc_loss and nn.CTCLoss against torch (issue 15, sequences): values and gradients for
padded and concatenated targets, lengths as tuples and tensors, unbatched input, every
reduction, zero_infinity, unnormalised log_probs, and torch's errors. The embedding bags are
in tests/test_seq_bag.py, pad_sequence and the parameter containers in
tests/test_seq_containers.py."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import check_op

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")
tF = torch.nn.functional


def _log_probs(rng, *shape, normalised=True):
    x = rng.standard_normal(shape)
    return x - np.log(np.exp(x).sum(-1, keepdims=True)) if normalised else x


def _ctc_pair(il, tl, *rest, tensors=False, **kw):
    """(minigrad fn, torch fn) calling ctc_loss(x, targets, il, tl, *rest, **kw)."""
    def lengths(lib):
        return (lib.tensor(il), lib.tensor(tl)) if tensors else (il, tl)
    return (lambda x, t: F.ctc_loss(x, t, *lengths(mg), *rest, **kw),
            lambda x, t: tF.ctc_loss(x, t, *lengths(torch), *rest, **kw))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("tensors", [False, True])
def test_ctc_padded_targets(rng, reduction, zero_infinity, tensors):
    T, N, C, S = 7, 3, 5, 4
    x = _log_probs(rng, T, N, C)
    t = rng.integers(1, C, (N, S))
    il, tl = [7, 5, 2], [4, 0, 2]
    fns = _ctc_pair(il, tl, 0, reduction, zero_infinity, tensors=tensors)
    out = check_op(*fns, [x, t])
    assert out[0].shape == (() if reduction != "none" else (N,))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_ctc_concatenated_targets_unnormalised_blank(rng, reduction):
    # raw scores, not log_softmax output: torch's gradient convention (exp(lp) - ...) holds
    T, N, C = 6, 3, 4
    x = _log_probs(rng, T, N, C, normalised=False) * 2
    tl = [3, 1, 2]
    t = rng.integers(0, C, sum(tl))         # labels may equal the blank, as torch allows
    check_op(*_ctc_pair([6, 6, 4], tl, 2, reduction), [x, t])


def test_ctc_repeated_labels_and_blank_labels(rng):
    # repeated labels need a blank between them; a label equal to the blank (torch computes
    # it anyway, with its own assignment at the last step)
    x = _log_probs(rng, 8, 4, 3)
    t = np.array([[1, 1, 2], [2, 2, 2], [0, 1, 0], [1, 0, 0]])
    for blank in (0, 1):
        check_op(*_ctc_pair([8, 8, 7, 8], [3, 3, 3, 2], blank, "none"), [x, t])


def test_ctc_unbatched(rng):
    x = _log_probs(rng, 6, 4)
    for t, tl in [(rng.integers(1, 4, 3), (3,)), (rng.integers(1, 4, (1, 5)), (2,))]:
        for red in ("none", "mean", "sum"):
            out = check_op(*_ctc_pair((6,), tl, 0, red), [x, t])
            assert out[0].shape == ()
    mine = F.ctc_loss(mg.tensor(x), mg.tensor([1, 2]), mg.tensor(6), mg.tensor(2))
    theirs = tF.ctc_loss(torch.tensor(x), torch.tensor([1, 2]), torch.tensor(6),
                         torch.tensor(2))
    np.testing.assert_allclose(mine.item(), theirs.item(), rtol=1e-12)


def test_ctc_infeasible_and_zero_lengths(rng):
    # input too short for the target: inf loss, NaN gradient (torch's), zero_infinity: 0, 0
    x = _log_probs(rng, 5, 3, 4)
    t = rng.integers(1, 4, (3, 3))
    for zi in (False, True):
        out = check_op(*_ctc_pair([1, 0, 0], [3, 0, 2], 0, "none", zi), [x, t])
        loss = out[0].detach().numpy()
        assert loss[1] == 0 and (loss[0] == loss[2] == 0 if zi else np.isinf(loss[[0, 2]]).all())
    x_m = mg.tensor(x, requires_grad=True)
    F.ctc_loss(x_m, mg.tensor(t), (1, 0, 0), (3, 0, 2), zero_infinity=True).backward()
    assert not np.any(x_m.grad.numpy())


def test_ctc_noncontiguous_and_float32(rng):
    x = _log_probs(rng, 3, 6, 5).transpose(1, 0, 2)          # (6, 3, 5), not contiguous
    t = rng.integers(1, 5, (3, 2))
    check_op(*_ctc_pair([6, 6, 5], [2, 2, 1], 0, "mean"), [x, t])
    x32 = x.astype(np.float32)
    out = check_op(*_ctc_pair([6, 6, 5], [2, 2, 1], 0, "sum"), [x32, t], rtol=1e-4, atol=1e-5)
    assert out[0].dtype == mg.float32


def test_ctc_gradient_is_torch_convention(rng):
    """dL/dlp = exp(lp) - posterior occupancy: for a normalised input the classes' gradients
    sum to zero at every time step within the input length."""
    x = _log_probs(rng, 5, 2, 4)
    xm = mg.tensor(x, requires_grad=True)
    F.ctc_loss(xm, mg.tensor([[1, 2], [3, 3]]), (5, 4), (2, 2), reduction="sum").backward()
    g = xm.grad.numpy()
    np.testing.assert_allclose(g[:, 0].sum(-1), 0, atol=1e-12)
    np.testing.assert_allclose(g[:4, 1].sum(-1), 0, atol=1e-12)
    assert not np.any(g[4, 1])                              # past input length 4


def test_ctc_no_double_backward(rng):
    x = _log_probs(rng, 5, 2, 4)
    t = [[1, 2], [3, 1]]
    xm = mg.tensor(x, requires_grad=True)
    gm, = mg.grad(F.ctc_loss(xm, mg.tensor(t), (5, 5), (2, 2)), xm, create_graph=True)
    xt = torch.tensor(x, requires_grad=True)
    gt, = torch.autograd.grad(tF.ctc_loss(xt, torch.tensor(t), (5, 5), (2, 2)), xt,
                              create_graph=True)
    np.testing.assert_allclose(gm.detach().numpy(), gt.detach().numpy(), rtol=1e-10)
    with pytest.raises(RuntimeError):
        gt.sum().backward()
    with pytest.raises(RuntimeError, match="ctc_loss"):
        gm.sum().backward()


_X = np.zeros((5, 2, 4))
_T = np.ones((2, 3), np.int64)
BAD = [
    ((_X, _T, (6, 4), (3, 2)), {}),                     # input length > T
    ((_X, _T, (5, 4), (4, 2)), {}),                     # target length > S
    ((_X, _T, (5,), (3, 2)), {}),                       # wrong batch
    ((_X, _T, (-1, 4), (3, 2)), {}),
    ((_X, _T, (5, 4), (-1, 2)), {}),
    ((_X, _T, (5, 4), (3, 2)), {"blank": 4}),
    ((_X, _T, (5, 4), (3, 2)), {"blank": -1}),
    ((_X, _T, (5, 4), (3, 2)), {"reduction": "bogus"}),
    ((_X, _T, (5.0, 4), (3, 2)), {}),
    ((_X, _T, 5, 3), {}),
    ((_X, _T, (5, 4), (3, 2)), {"zero_infinity": 1}),
    ((_X, _T, (5, 4), (3, 2)), {"blank": 1.5}),
    ((_X, _T.ravel(), (5, 4), (3, 4)), {}),             # concatenated: wrong total
    ((_X, _T[None], (5, 4), (3, 2)), {}),               # 3-D targets
    ((_X[:, :0], _T[:0], (), ()), {}),                  # empty batch
    ((_X[None], _T, (5, 4), (3, 2)), {}),               # 4-D log_probs
    ((_X[0, 0], _T, (5,), (3,)), {}),                   # 1-D log_probs
    ((_X.astype(np.float16), _T, (5, 4), (3, 2)), {}),
    ((_X.astype(np.int64), _T, (5, 4), (3, 2)), {}),
]


def _build(lib, a):
    return lib.tensor(a) if isinstance(a, np.ndarray) else a


@pytest.mark.parametrize("args,kw", BAD)
def test_ctc_errors_as_torch(args, kw):
    with pytest.raises(Exception) as te:
        tF.ctc_loss(*[_build(torch, a) for a in args], **kw)
    kind = next(k for k in type(te.value).__mro__ if k.__module__ == "builtins")
    with pytest.raises(kind):
        F.ctc_loss(*[_build(mg, a) for a in args], **kw)


def test_ctc_lengths_mixed_kinds_and_float_tensors():
    x, t = mg.zeros(5, 2, 4), mg.ones(2, 3, dtype=mg.int64)
    with pytest.raises(TypeError):
        F.ctc_loss(x, t, (5, 4), mg.tensor([3, 2]))
    with pytest.raises(RuntimeError, match="integral"):
        F.ctc_loss(x, t, mg.tensor([5.0, 4.0]), mg.tensor([3, 2]))
    with pytest.raises(IndexError, match="targets"):        # torch reads out of bounds here
        F.ctc_loss(x, t * 7, (5, 4), (3, 2))


def test_ctc_targets_of_other_dtypes(rng):
    # torch reads targets as int64: int32, bool and float targets (truncated) are accepted
    x = _log_probs(rng, 5, 2, 4)
    for t in (np.array([[1, 2, 3], [2, 1, 1]], np.int32), np.ones((2, 3), bool),
              np.array([[1.7, 2.2, 3.9], [2.5, 1.0, 1.0]])):
        mine = F.ctc_loss(mg.tensor(x), mg.tensor(t), (5, 4), (3, 2), reduction="none")
        theirs = tF.ctc_loss(torch.tensor(x), torch.tensor(t), (5, 4), (3, 2),
                             reduction="none")
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)


def test_ctc_module(rng):
    m, t = mg.nn.CTCLoss(), torch.nn.CTCLoss()
    assert (m.blank, m.reduction, m.zero_infinity) == (t.blank, t.reduction, t.zero_infinity)
    assert repr(m) == repr(t) == "CTCLoss()"
    assert repr(mg.nn.CTCLoss(blank=2, reduction="sum")) == "CTCLoss()"
    assert not list(m.parameters()) and not m.state_dict()
    x = _log_probs(rng, 6, 2, 5)
    tg = rng.integers(0, 4, (2, 3))
    for kw in ({}, {"blank": 4, "reduction": "sum", "zero_infinity": True}):
        check_op(lambda a, b, kw=kw: mg.nn.CTCLoss(**kw)(a, b, (6, 3), (3, 2)),
                 lambda a, b, kw=kw: torch.nn.CTCLoss(**kw)(a, b, (6, 3), (3, 2)), [x, tg])
    with pytest.raises(ValueError):
        mg.nn.CTCLoss(reduction="bogus")


def test_ctc_numpy_int_lengths(rng):
    x = _log_probs(rng, 5, 2, 4)
    t = np.array([[1, 2, 3], [3, 1, 1]])
    il, tl = (np.int64(5), 4), (3, np.int32(2))
    mine = F.ctc_loss(mg.tensor(x), mg.tensor(t), il, tl)
    theirs = tF.ctc_loss(torch.tensor(x), torch.tensor(t), il, tl)
    np.testing.assert_allclose(mine.item(), theirs.item(), rtol=1e-12)
