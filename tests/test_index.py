"""Indexing, gather/scatter, masked_fill, one_hot against torch."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

KEYS = [
    ("int", lambda: 1), ("slice", lambda: slice(1, 3)),
    ("step", lambda: (slice(None), slice(0, None, 2))),
    ("neg", lambda: -1), ("ellipsis", lambda: (Ellipsis, 0)), ("none", lambda: (None, 0)),
    ("int-array-repeat", lambda: np.array([0, 2, 0, 0])),
    ("two-arrays", lambda: (np.array([0, 1, 1]), np.array([2, 2, 0]))),
    ("mixed", lambda: (slice(None), np.array([1, 1, 3]))),
]


def _convert(key, make):
    if isinstance(key, tuple):
        return tuple(make(i) if isinstance(i, np.ndarray) else i for i in key)
    return make(key) if isinstance(key, np.ndarray) else key


@pytest.mark.parametrize("name,key", KEYS, ids=[k[0] for k in KEYS])
def test_getitem(name, key, rng, device):
    x = rng.standard_normal((3, 4))
    k = key()
    tk = _convert(k, torch.tensor)
    mk = _convert(k, lambda a: mg.tensor(a, device=device))
    check_op(lambda t: t[mk] ** 2, lambda t: t[tk] ** 2, [x], device=device, double=True)


def test_bool_mask_index(rng, device):
    x = rng.standard_normal((4, 5))
    mask = x > 0.2
    check_op(lambda t: t[mg.tensor(mask, device=device)] * 3, lambda t: t[torch.tensor(mask)] * 3,
             [x], device=device)


@pytest.mark.parametrize("dim", [0, 1])
def test_gather_scatter(dim, rng, device):
    x = rng.standard_normal((4, 5))
    idx = rng.integers(0, x.shape[dim], size=(3, 4) if dim == 0 else (4, 3))
    ti, mi = torch.tensor(idx), mg.tensor(idx, device=device)
    check_op(lambda t: t.gather(dim, mi), lambda t: t.gather(dim, ti), [x], device=device)
    full = rng.integers(0, x.shape[dim], size=(3, 5) if dim == 0 else (4, 3))
    check_op(lambda t: t.gather(dim, mg.tensor(full, device=device)),   # torch's double backward
             lambda t: t.gather(dim, torch.tensor(full)), [x], device=device, double=True)
    src = rng.standard_normal((4, 5))       # larger than index: torch allows it in forward
    check_op(lambda t, s: t.scatter_add(dim, mi, s), lambda t, s: t.scatter_add(dim, ti, s),
             [x, src], device=device, requires_grad=[True, False])
    check_op(lambda t, s: t.scatter_add(dim, mi, s), lambda t, s: t.scatter_add(dim, ti, s),
             [x, src[:idx.shape[0], :idx.shape[1]]], device=device)
    fi, mfi = torch.tensor(full), mg.tensor(full, device=device)
    check_op(lambda t, s: t.scatter_add(dim, mfi, s), lambda t, s: t.scatter_add(dim, fi, s),
             [x, src[:full.shape[0], :full.shape[1]]], device=device, double=True)
    uniq = np.argsort(rng.random((4, 5)), axis=dim)[:3] if dim == 0 else \
        np.argsort(rng.random((4, 5)), axis=1)[:, :3]
    ui, mui = torch.tensor(uniq), mg.tensor(uniq, device=device)
    check_op(lambda t, s: t.scatter(dim, mui, s), lambda t, s: t.scatter(dim, ui, s),
             [x, src[:uniq.shape[0], :uniq.shape[1]]], device=device)
    check_op(lambda t: t.scatter(dim, mui, value=2.0), lambda t: t.scatter(dim, ui, value=2.0),
             [x], device=device)


def test_masked_fill(rng, device):
    x = rng.standard_normal((3, 4))
    mask = rng.random((4,)) > 0.5
    check_op(lambda t: t.masked_fill(mg.tensor(mask, device=device), -1.5),
             lambda t: t.masked_fill(torch.tensor(mask), -1.5), [x], device=device)


def test_one_hot():
    t = np.array([[0, 2], [1, 3]])
    np.testing.assert_array_equal(mg.one_hot(mg.tensor(t), 5).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(t), 5).numpy())
    assert mg.one_hot(mg.tensor(t)).shape == (2, 2, 4)
    with pytest.raises(RuntimeError, match="one_hot: class values must be in"):
        mg.one_hot(mg.tensor([0, 5]), 3)


def test_index_errors():
    x = mg.ones(3, 4)
    # torch raises RuntimeError (not IndexError) for gather/scatter indices out of bounds
    with pytest.raises(RuntimeError,
                       match=r"gather: index 4 is out of bounds for dim 1 with size 4"):
        x.gather(1, mg.tensor([[4]]))
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.gather(1, mg.tensor([[-1]]))
    with pytest.raises(IndexError, match=r"index: .*shape \(3, 4\)"):
        x[5]
    with pytest.raises(IndexError, match="must be integer or bool"):
        x[mg.tensor([0.5])]
    with pytest.raises(RuntimeError, match="masked_fill_ only supports boolean masks"):
        x.masked_fill(mg.ones(3, 4), 0.0)
