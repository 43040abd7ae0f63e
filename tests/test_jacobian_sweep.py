"""jacfwd and jacrev on every crosscheck case against torch.func (float64, the case's first
differentiable input, when it has at most 48 elements). jacfwd vmaps over the basis of
tangents, so this runs every op's batching rule under forward mode; jacrev pushes a batch of
cotangents through one backward, so it runs every backward formula on batched gradients; and
both their one-column / one-row fallbacks for what cannot be batched."""
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.crosscheck_cases import CASES, MaskCase
from test_forward_ad_sweep import MG, TORCH, TORCH_NO_JVP, _ids, _outs, draw

torch = pytest.importorskip("torch")


def _function(lib, case, arrays, extra, k):
    state = {}

    def f(x):
        xs = [lib.tensor(a) for a in arrays]
        xs[k] = x
        return tuple(_outs(case.call(lib, xs, extra, state)))
    return f


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_jacfwd_matches_torch(case):
    if case.missing():
        pytest.skip(f"minigrad has no {case.missing()}")
    if case.op in TORCH_NO_JVP:
        pytest.skip("torch's forward mode is not a reference for this op")
    _, arrays, extra, tangents = draw(case, "jacfwd")
    k = next(i for i, v in enumerate(tangents) if v is not None)
    if not 0 < arrays[k].size <= 48:
        pytest.skip("input too large for a dense Jacobian here")
    ours = _function(MG, case, arrays, extra, k)       # first: a MaskCase draws its mask
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # (the loop fallbacks say they are slow)
            got = mg.func.jacfwd(ours)(mg.tensor(arrays[k]))
    except RuntimeError as e:                   # a random op: refused by default, as torch
        assert "randomness" in str(e), str(e)
        if isinstance(case, MaskCase):          # (torch replays our mask: none was drawn)
            return
        with pytest.raises(RuntimeError, match="random"):
            torch.func.jacfwd(_function(TORCH, case, arrays, extra, k))(
                torch.tensor(arrays[k]))
        return
    try:
        want = torch.func.jacfwd(_function(TORCH, case, arrays, extra, k))(
            torch.tensor(arrays[k]))
    except (RuntimeError, NotImplementedError) as e:
        pytest.skip(f"torch.func.jacfwd refuses: {str(e)[:80]}")
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-6 * case.tol,
                                   atol=1e-8 * case.tol)


def test_an_op_vmap_cannot_batch_goes_column_by_column():
    # f reads the raw array: vmap cannot batch that, jacfwd's column-by-column loop can
    x = np.random.default_rng(1).standard_normal((3, 4))
    want = torch.func.jacfwd(lambda t: (t * t.detach().sign()).sin())(torch.tensor(x))
    with pytest.warns(UserWarning, match="one column at a time"):
        got = mg.func.jacfwd(lambda t: (t * mg.tensor(np.sign(t.data))).sin())(mg.tensor(x))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


# the crosscheck cases whose ops now batch under vmap (their wrappers used to read raw arrays):
# jacfwd runs them in one vmapped pass, never the column-by-column loop
BATCHED_NOW = {"rsub", "isclose", "logical_xor", "cummax", "cummin", "all", "any",
               "count_nonzero", "nanmean", "norm", "matrix_norm", "msort", "masked_select",
               "take", "take_along_dim", "index_select", "index_add", "index_copy", "index_fill",
               "index_put", "scatter_reduce", "searchsorted", "index_add_", "repeat_interleave",
               "column_stack", "adaptive_avg_pool1d", "max_unpool1d"}
FIXED = [c for c in CASES if c.op in BATCHED_NOW]


@pytest.mark.parametrize("case", FIXED, ids=[_ids(c) for c in FIXED])
def test_jacfwd_does_not_go_column_by_column(case):
    _, arrays, extra, tangents = draw(case, "jacfwd")
    k = next(i for i, v in enumerate(tangents) if v is not None)
    if not 0 < arrays[k].size <= 48:
        pytest.skip("input too large for a dense Jacobian here")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("error", message=".*one column at a time")
        mg.func.jacfwd(_function(MG, case, arrays, extra, k))(mg.tensor(arrays[k]))


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_jacrev_matches_torch(case):
    if case.missing():
        pytest.skip(f"minigrad has no {case.missing()}")
    _, arrays, extra, tangents = draw(case, "jacrev")
    k = next(i for i, v in enumerate(tangents) if v is not None)
    if not 0 < arrays[k].size <= 48:
        pytest.skip("input too large for a dense Jacobian here")
    state = {}                                  # a MaskCase: torch replays minigrad's mask

    def function(lib):
        def f(x):
            xs = [lib.tensor(a) for a in arrays]
            xs[k] = x
            return tuple(_outs(case.call(lib, xs, extra, state)))
        return f
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = mg.func.jacrev(function(MG))(mg.tensor(arrays[k]))
    except RuntimeError as e:                   # an integer or bool output: refused, as torch
        assert "floating-point" in str(e), str(e)
        with pytest.raises(RuntimeError, match="floating-point"):
            torch.func.jacrev(function(TORCH))(torch.tensor(arrays[k]))
        return
    # the reference: torch's plain autograd, one row at a time (torch.func.jacrev itself is
    # wrong for cdist in torch 2.13: its backward under vmap)
    try:
        want = torch.autograd.functional.jacobian(function(TORCH), torch.tensor(arrays[k]))
    except RuntimeError:                        # (it cannot stack the rows of an empty output)
        want = torch.func.jacrev(function(TORCH))(torch.tensor(arrays[k]))
    assert len(got) == len(want)
    for a, b in zip(got, want):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-6 * case.tol,
                                   atol=1e-8 * case.tol)


def test_a_backward_that_cannot_take_a_batch_goes_row_by_row(monkeypatch):
    # a custom Function whose backward computes on raw arrays: jacrev falls back to one
    # backward pass per row, and still matches torch
    import sys
    rows = sys.modules["minigrad.func.jacrev"]
    used = []
    real = rows._rows_one_by_one
    monkeypatch.setattr(rows, "_rows_one_by_one", lambda *a: used.append(1) or real(*a))

    def custom(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                ctx.save_for_backward(t)
                return t ** 3

            @staticmethod
            def backward(ctx, g):
                (t,) = ctx.saved_tensors
                if lib is mg:               # the raw arrays, as user code may do
                    return mg.Tensor._make(3 * t.data ** 2 * g.data)
                return 3 * t ** 2 * g
        return Cube
    x = np.random.default_rng(2).standard_normal(5)
    want = torch.autograd.functional.jacobian(lambda t: custom(torch).apply(t).sin(),
                                              torch.tensor(x))     # (torch.func would need
                                                                   # setup_context)
    got = mg.func.jacrev(lambda t: custom(mg).apply(t).sin())(mg.tensor(x))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    assert used, "jacrev did not fall back to one row at a time"
