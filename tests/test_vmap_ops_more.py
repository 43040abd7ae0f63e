"""vmap of the ops whose wrappers read raw arrays (index checks, comparisons, sorting,
running statistics) against torch.func.vmap: float64, in_dims 0 and a non-zero in_dims,
values and shapes, and per-sample gradients (vmap(grad(f))) where the op is differentiable.
Expected values come from torch; where torch.func.vmap has no rule and refuses
(column_stack), from torch run on each sample."""
import warnings
import zlib

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

B = 3


def _rng(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def F(L):
    return L.nn.functional


def _unpool(L, x):
    y, i = F(L).max_pool1d(x, 2, return_indices=True)
    return F(L).max_unpool1d(y ** 2, i, 2)


def _instance_norm(L, x, rm, rv):
    return F(L).instance_norm(x, rm, rv, momentum=0.3)


# name: (f(L, *xs), makers (rng -> one sample's array), differentiable, non-zero in_dims)
def R(*shape):
    return lambda g: g.standard_normal(shape)


def Ints(n, *shape):
    return lambda g: g.integers(0, n, shape)



CASES = {
    "rsub": (lambda L, a, b: L.rsub(a, b, alpha=2), [R(3, 4), R(4)], True, (1, 0)),
    "isclose": (lambda L, a, b: L.where(L.isclose(a, b, atol=0.5), a, b), [R(3, 4), R(3, 4)],
                True, (2, 1)),
    "logical_xor": (lambda L, a, b: L.where(L.logical_xor(a > 0, b), a, b),
                    [R(3, 4), R(3, 4)], True, (1, None)),
    "cummax": (lambda L, a: L.cummax(a, 1), [R(3, 5)], True, (1,)),
    "cummin": (lambda L, a: a.cummin(0)[0], [R(4, 3)], True, (2,)),
    "all": (lambda L, a: L.all(a > 0, 1), [R(3, 4)], False, (1,)),
    "any": (lambda L, a: L.any(a > 1, (0, 1), keepdim=True), [R(3, 4)], False, (2,)),
    "count_nonzero": (lambda L, a: L.count_nonzero(a > 0, 0), [R(3, 4)], False, (1,)),
    "nanmean": (lambda L, a: L.nanmean(a.log()), [R(3, 4)], True, (1,)),
    "nanmean_dim": (lambda L, a: L.nanmean(a.log(), -1, keepdim=True), [R(3, 4)], True, (2,)),
    "norm_nuc": (lambda L, a: L.norm(a, "nuc"), [R(3, 4)], True, (1,)),
    "matrix_norm_1": (lambda L, a: L.linalg.matrix_norm(a, 1), [R(2, 3, 4)], True, (3,)),
    "matrix_norm_-inf": (lambda L, a: L.linalg.matrix_norm(a, -float("inf")), [R(3, 4)], True,
                         (1,)),
    "matrix_norm_2": (lambda L, a: L.linalg.matrix_norm(a, 2), [R(3, 4)], True, (2,)),
    "msort": (lambda L, a: L.msort(a), [R(4, 3)], True, (1,)),
    "sort": (lambda L, a: L.sort(a, 0, descending=True), [R(4, 3)], True, (2,)),
    "masked_select": (lambda L, a, m: L.masked_select(a, m), [R(3, 4), lambda g: g.random(4) > .5],
                      True, (1, None)),
    "take": (lambda L, a, k: L.take(a, k), [R(3, 4), Ints(12, 5)], True, (1, None)),
    "take_batched_index": (lambda L, a, k: L.take(a, k), [R(3, 4), Ints(12, 5)], True, (1, 1)),
    "take_along_dim": (lambda L, a, k: L.take_along_dim(a, k, dim=1), [R(3, 4), Ints(4, 3, 2)],
                       True, (2, 1)),
    "take_along_dim_none": (lambda L, a, k: L.take_along_dim(a, k), [R(3, 4), Ints(12, 5)], True,
                            (1, None)),
    "index_select": (lambda L, a, k: L.index_select(a, 0, k), [R(3, 4), Ints(3, 5)], True,
                     (1, 0)),
    "index_add": (lambda L, a, k, s: a.index_add(0, k, s, alpha=2), [R(3, 4), Ints(3, 5), R(5, 4)],
                  True, (1, None, 2)),
    "index_copy": (lambda L, a, k, s: a.index_copy(1, k, s),
                   [R(3, 4), lambda g: g.permutation(4)[:2], R(3, 2)], True, (2, None, 0)),
    "index_fill": (lambda L, a, k, v: a.index_fill(1, k, v),
                   [R(3, 4), lambda g: g.permutation(4)[:2], R()], True, (1, 0, 0)),
    "index_put": (lambda L, a, k, v: a.index_put((k,), v, accumulate=True),
                  [R(3, 4), Ints(3, 5), R(4)], True, (2, None, 1)),
    "index_add_": (lambda L, a, k, s: (a * 1).index_add_(0, k, s), [R(3, 4), Ints(3, 5), R(5, 4)],
                   True, (1, 0, 0)),
    "searchsorted": (lambda L, s, v: L.searchsorted(s.sort().values, v, right=True),
                     [R(3, 5), R(3, 4)], False, (1, None)),
    "searchsorted_1d": (lambda L, s, v: L.searchsorted(s.sort().values, v), [R(5), R(3, 4)],
                        False, (0, 2)),
    "repeat_interleave": (lambda L, a: L.repeat_interleave(a, 2, 0) ** 2, [R(3, 4)], True,
                          (1,)),
    "repeat_interleave_tensor": (lambda L, a, r: L.repeat_interleave(a, r, 1) ** 2,
                                 [R(3, 4), Ints(3, 4)], True, (2, None)),
    "adaptive_avg_pool1d": (lambda L, x: F(L).adaptive_avg_pool1d(x, 3), [R(2, 3, 7)], True,
                            (3,)),
    "max_unpool1d": (lambda L, x: _unpool(L, x), [R(2, 3, 7)], True, (1,)),
    "max_unpool1d_unbatched": (lambda L, x: _unpool(L, x), [R(3, 7)], True, (2,)),
    "instance_norm_stats": (_instance_norm, [R(2, 3, 2, 2), R(3), lambda g: g.random(3) + .5],
                            True, (1, 1, 0)),
}
for _red, _inc in (("sum", True), ("prod", False), ("mean", True), ("amax", True),
                   ("amin", False)):
    CASES[f"scatter_reduce_{_red}"] = (
        lambda L, a, k, s, r=_red, i=_inc: a.scatter_reduce(1, k, s, r, include_self=i),
        [R(3, 4), Ints(4, 3, 6), R(3, 6)], True, (1, 0, 2))
TORCH_REFUSES = {"column_stack": (lambda L, a, b: L.column_stack([a, b]), [R(3), R(3, 2)],
                                  True, (0, 2))}


def _arrays(name, makers, in_dims):
    """One array per maker, the batch of B at position in_dims[i] (None: one sample)."""
    g = _rng(name)
    out = []
    for mk, d in zip(makers, in_dims):
        if d is None:
            out.append(np.asarray(mk(g)))
        else:
            out.append(np.moveaxis(np.stack([np.asarray(mk(g)) for _ in range(B)]), 0, d))
    return out


def _zero(nonzero):
    """in_dims 0 for the arguments the case batches (an index or mask it leaves unbatched
    stays so: batching it would give each sample its own result shape)."""
    return tuple(None if d is None else 0 for d in nonzero)


def _tensors(L, arrays):
    return [L.tensor(a) for a in arrays]


def _compare(got, want):
    gs = list(got) if isinstance(got, tuple) else [got]
    ws = list(want) if isinstance(want, tuple) else [want]
    assert len(gs) == len(ws)
    for g, w in zip(gs, ws):
        assert tuple(g.shape) == tuple(w.shape)
        assert str(g.dtype) == str(w.dtype).replace("torch.", "")
        np.testing.assert_allclose(g.numpy(), w.detach().numpy(), rtol=1e-10, atol=1e-12)


def _vmap(L, f, in_dims, **kw):
    vm = torch.func.vmap if L is torch else mg.func.vmap
    return vm(lambda *xs: f(L, *xs), in_dims=in_dims, **kw)


@pytest.mark.parametrize("dims", ["zero", "nonzero"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_matches_torch(name, dims):
    f, makers, _, nonzero = CASES[name]
    in_dims = _zero(nonzero) if dims == "zero" else nonzero
    arrays = _arrays(name, makers, in_dims)
    want_args = _tensors(torch, arrays)
    want = _vmap(torch, f, in_dims)(*want_args)
    got_args = _tensors(mg, arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # (log of negatives, the loop's note)
        got = _vmap(mg, f, in_dims)(*got_args)
    _compare(got, want)
    for a, b in zip(got_args, want_args):       # in-place updates (running stats) too
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def _scalar(f):
    def g(L, *xs):
        out = f(L, *xs)
        out = out[0] if isinstance(out, tuple) else out
        return (out * out.detach().sin()).sum()     # a non-uniform upstream gradient
    return g


# (torch's own backward of scatter_reduce prod reads .item(), which its vmap refuses)
@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n][2]
                                        and n != "scatter_reduce_prod"))
def test_per_sample_gradients_match_torch(name):
    f, makers, _, nonzero = CASES[name]
    in_dims = _zero(nonzero)
    arrays = _arrays("grad" + name, makers, in_dims)
    g = _scalar(f)
    want = torch.func.vmap(torch.func.grad(lambda *xs: g(torch, *xs)), in_dims)(
        *_tensors(torch, arrays))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = mg.func.vmap(mg.func.grad(lambda *xs: g(mg, *xs)), in_dims)(*_tensors(mg, arrays))
    _compare(got, want)


@pytest.mark.parametrize("dims", ["zero", "nonzero"])
def test_column_stack_where_torch_vmap_has_no_rule(dims):
    # torch.func.vmap refuses column_stack (no batching rule, no fallback for a TensorList);
    # the per-sample answer is unambiguous, so we give torch's column_stack on each sample
    f, makers, _, nonzero = TORCH_REFUSES["column_stack"]
    in_dims = (0, 0) if dims == "zero" else nonzero
    arrays = _arrays("column_stack", makers, in_dims)
    got = _vmap(mg, f, in_dims)(*_tensors(mg, arrays))
    samples = [[torch.tensor(np.take(a, i, axis=d)) for a, d in zip(arrays, in_dims)]
               for i in range(B)]
    _compare(got, torch.stack([f(torch, *s) for s in samples]))


def test_batched_mask_of_masked_select_is_refused_as_torch():
    g = _rng("masked_select_mask")
    x, m = g.standard_normal((3, 4)), g.random((B, 4)) > .5
    match = "Attempted to vmap over `mask`"
    with pytest.raises(RuntimeError, match=match):
        torch.func.vmap(lambda k: torch.masked_select(torch.tensor(x), k))(torch.tensor(m))
    with pytest.raises(RuntimeError, match=match):
        mg.func.vmap(lambda k: mg.masked_select(mg.tensor(x), k))(mg.tensor(m))


def test_unbatched_running_stats_of_a_batched_input_are_refused_as_torch():
    g = _rng("instance_norm_refused")
    x, rm, rv = g.standard_normal((B, 2, 3, 4)), g.standard_normal(3), g.random(3) + .5
    match = "running_mean or running_var, which will be updated in place, were not batched"
    with pytest.raises(RuntimeError, match=match):
        torch.func.vmap(lambda a: _instance_norm(torch, a, torch.tensor(rm),
                                                 torch.tensor(rv)))(torch.tensor(x))
    stats = mg.tensor(rm), mg.tensor(rv)
    with pytest.raises(RuntimeError, match=match):
        mg.func.vmap(lambda a: _instance_norm(mg, a, *stats))(mg.tensor(x))
    np.testing.assert_array_equal(stats[0].numpy(), rm)     # untouched


def test_batched_index_runs_the_loop_with_its_warning():
    x, k = mg.randn(B, 3, 4), mg.tensor(_rng("loop").integers(0, 12, (B, 5)))
    from minigrad.func import batching
    batching._warned.discard("take")
    with pytest.warns(UserWarning, match="no batching rule for take"):
        mg.func.vmap(mg.take)(x, k)


def test_repeats_that_differ_per_sample_fail_as_torch_loop_does():
    x, r = np.ones((3, 4)), np.array([[1, 2, 0, 1], [0, 0, 1, 1]])
    with pytest.raises(RuntimeError):
        torch.func.vmap(lambda t: torch.repeat_interleave(torch.tensor(x), t, 1))(
            torch.tensor(r))
    with pytest.raises(RuntimeError), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mg.func.vmap(lambda t: mg.repeat_interleave(mg.tensor(x), t, 1))(mg.tensor(r))


# ---- drop_path: a random op, drawn as dropout is under each randomness mode ---------------
def _drop_path(randomness):
    x = mg.tensor(np.ones((8, 6, 3, 2)))
    return mg.func.vmap(lambda a: F(mg).drop_path(a, 0.5, training=True),
                        randomness=randomness)(x).numpy()


def test_drop_path_refuses_in_error_mode_as_dropout():
    with pytest.raises(RuntimeError, match="randomness error mode"):
        _drop_path("error")
    with pytest.raises(RuntimeError, match="randomness error mode"):
        torch.func.vmap(lambda a: F(torch).dropout(a, 0.5))(torch.ones(8, 6))


@pytest.mark.parametrize("randomness", ["same", "different"])
def test_drop_path_masks_each_samples_dim_0(randomness):
    mg.manual_seed(0)
    y = _drop_path(randomness)
    assert set(np.unique(y)) <= {0.0, 2.0}
    rows = y.reshape(8, 6, -1)
    assert (rows == rows[:, :, :1]).all()           # one decision per row of each sample
    same = (rows == rows[:1]).all()
    assert same if randomness == "same" else not same


NESTED = ["isclose", "cummax", "all", "nanmean", "matrix_norm_2", "sort", "masked_select",
          "take_along_dim", "index_add", "index_put", "scatter_reduce_mean", "searchsorted_1d",
          "max_unpool1d", "adaptive_avg_pool1d"]


@pytest.mark.parametrize("name", NESTED)
def test_nested_vmap_matches_torch(name):
    # an outer vmap over the first argument only, an inner one over the case's batched ones
    f, makers, _, nonzero = CASES[name]
    in_dims = _zero(nonzero)
    arrays = _arrays("nested" + name, makers, in_dims)
    arrays[0] = np.stack([arrays[0], arrays[0] * 2 - 1])
    outer = (0,) + (None,) * (len(arrays) - 1)

    def run(L):
        vm = torch.func.vmap if L is torch else mg.func.vmap
        return vm(_vmap(L, f, in_dims), in_dims=outer)(*_tensors(L, arrays))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = run(mg)
    _compare(got, run(torch))
