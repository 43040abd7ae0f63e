"""mg.embedding_bag (torch.embedding_bag's ATen form) against torch on fresh random inputs:
the output and the weight's (and per_sample_weights') gradient, and offset2bag, bag_size and
max_indices value for value, dtype and shape, in every mode with and without padding_idx,
scale_grad_by_freq, per_sample_weights, include_last_offset, int32 indices and offsets,
empty and trailing empty bags, float64/float32/float16 and non-contiguous weights (where
torch's sum fast path leaves offset2bag empty); and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.testing import assert_close

torch = pytest.importorskip("torch")

TOL = {"float64": 1e-12, "float32": 1e-5, "float16": 2e-2}


def bags(rng, n_ids=10, n=12, nb=5):
    """Random ids and sorted offsets starting at 0 (some bags empty)."""
    idx = rng.integers(0, n_ids, n)
    off = np.sort(np.concatenate([[0], rng.integers(0, n + 1, nb - 1)]))
    return idx, off


def compare(w, idx, off, *rest, view=None, dtype="float64", psw=None):
    rng = np.random.default_rng()
    outs, grads = [], []
    for lib in (mg, torch):
        W = lib.tensor(w, dtype=getattr(lib, dtype), requires_grad=True)
        x = W if view is None else view(W)
        extra = list(rest)
        P = None
        if psw is not None:
            P = lib.tensor(psw, dtype=getattr(lib, dtype), requires_grad=True)
            extra = extra[:3] + [P] + extra[3:]
        r = lib.embedding_bag(x, lib.tensor(idx), lib.tensor(off), *extra)
        outs.append(r)
        if not grads:
            g = rng.standard_normal(tuple(r[0].shape))
        grads.append((lib.autograd.grad if lib is torch else mg.grad)(
            r[0], [W] + ([P] if P is not None else []), lib.tensor(g, dtype=r[0].dtype)))
    (m, t), tol = outs, TOL[dtype]
    assert len(m) == len(t) == 4
    assert_close(m[0].float(), t[0].detach().float(), tol, tol)
    for a, b in zip(m[1:], t[1:]):
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype) == str(b.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(*grads):
        assert_close(a.float(), b.float(), tol, tol)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("padding_idx", [None, 3, -1])
@pytest.mark.parametrize("scale", [False, True])
def test_modes_against_torch(dtype, mode, padding_idx, scale):
    rng = np.random.default_rng()
    idx, off = bags(rng)
    compare(rng.standard_normal((10, 4)), idx, off, scale, mode, False, None, False,
            padding_idx, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_per_sample_weights(dtype, padding_idx):
    rng = np.random.default_rng()
    idx, off = bags(rng)
    compare(rng.standard_normal((10, 3)), idx, off, False, 0, False, False, padding_idx,
            psw=rng.random(idx.size), dtype=dtype)


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_layouts_and_index_dtypes(mode, dtype):
    rng = np.random.default_rng()
    idx, off = bags(rng)
    w = rng.standard_normal((10, 4))
    # a transposed and a column-sliced weight: torch's sum fast path needs unit column stride
    compare(w, idx, off, False, mode, dtype=dtype, view=lambda t: t.t().contiguous().t())
    compare(w, idx, off, False, mode, dtype=dtype, view=lambda t: t[:, ::2])
    for it, ot in (("int32", "int32"), ("int32", "int64"), ("int64", "int32")):
        compare(w, idx.astype(it), off.astype(ot), False, mode, dtype=dtype)
    # include_last_offset, trailing empty bags, an empty input
    compare(w, idx, np.concatenate([off, [idx.size]]), False, mode, False, None, True,
            dtype=dtype)
    compare(w, idx, np.array([0, 4, idx.size, idx.size]), False, mode, dtype=dtype)
    compare(w, idx[:0], np.array([0, 0]), False, mode, dtype=dtype)


def test_defaults_keywords_and_agreement_with_functional():
    rng = np.random.default_rng()
    idx, off = bags(rng)
    w = mg.tensor(rng.standard_normal((10, 3)))
    r = mg.embedding_bag(weight=w, indices=mg.tensor(idx), offsets=mg.tensor(off))
    assert_close(r[0], mg.nn.functional.embedding_bag(mg.tensor(idx), w, mg.tensor(off),
                                                      mode="sum"), 1e-14, 1e-14)
    t = torch.embedding_bag(torch.tensor(w.numpy()), torch.tensor(idx), torch.tensor(off))
    for a, b in zip(r, t):
        assert_close(a, b, 1e-12, 1e-12)
    assert not r[1].requires_grad and r[0].requires_grad is False


W, IDX, OFF = np.ones((10, 3)), np.array([1, 2, 4, 5]), np.array([0, 2])


@pytest.mark.parametrize("change,kind,frag", [
    ({"mode": 3}, RuntimeError, "`mode` must be sum, mean, or max"),
    ({"mode": "sum"}, TypeError, "'mode'"),
    ({"mode": 1.0}, TypeError, "'mode'"),
    ({"offsets": None}, TypeError, "'offsets'"),
    ({"sparse": 1}, TypeError, "'sparse'"),
    ({"mode": 1, "per_sample_weights": np.ones(4)}, RuntimeError, "per_sample_weights only"),
    ({"padding_idx": 10}, RuntimeError, "padding_idx must be within"),
    ({"indices": IDX + 6}, RuntimeError, "not in the valid range"),
    ({"offsets": OFF + 1}, RuntimeError, "offsets[0] has to be 0"),
    ({"offsets": OFF.astype(float)}, RuntimeError, "'offsets'"),
    ({"indices": IDX.astype(float)}, RuntimeError, "'indices'"),
    ({"weight": W.astype(np.int64)}, RuntimeError, "'weight'"),
    ({"weight": W[0]}, RuntimeError, "weight has to be a 2D Tensor"),
    ({"offsets": OFF[None]}, RuntimeError, "offsets has to be a 1D Tensor"),
])
def test_errors(change, kind, frag):
    def args(lib):                      # positional: torch takes padding_idx no other way
        a = {"weight": W, "indices": IDX, "offsets": OFF, "scale_grad_by_freq": False,
             "mode": 0, "sparse": False, "per_sample_weights": None,
             "include_last_offset": False, "padding_idx": None}
        a.update(change)
        return [lib.tensor(v) if isinstance(v, np.ndarray) else v for v in a.values()]
    with pytest.raises(kind) as e:
        mg.embedding_bag(*args(mg))
    assert frag in str(e.value) and "embedding_bag" in str(e.value)
    with pytest.raises(kind):
        torch.embedding_bag(*args(torch))


def test_errors_where_torch_misbehaves():
    w, idx = mg.tensor(W), mg.tensor(IDX)
    with pytest.raises(RuntimeError, match="embedding_bag: offsets must have at least one"):
        mg.embedding_bag(w, idx, mg.tensor(OFF[:0]))        # torch crashes
    with pytest.raises(RuntimeError, match="embedding_bag: indices has to be a 1D"):
        mg.embedding_bag(w, idx.reshape(2, 2), mg.tensor(OFF))   # torch misreads its length
    with pytest.raises(NotImplementedError, match="sparse"):
        mg.embedding_bag(w, idx, mg.tensor(OFF), False, 0, True)
