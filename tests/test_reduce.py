"""Reductions against torch: every dim form, keepdim, ties, max/min with indices."""
import numpy as np
import pytest
import torch
from conftest import check_op

import minigrad as mg

DIMS = [None, 0, 1, -1, (0, 2), (-1, 0)]
pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning")


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "var", "std"])
def test_reductions(name, dim, keepdim, rng, device):
    x = rng.standard_normal((3, 4, 5))
    if name == "logsumexp" and dim is None:
        dim = (0, 1, 2)
    def reduce(t):
        return getattr(t, name)() if dim is None else getattr(t, name)(dim, keepdim=keepdim)
    check_op(reduce, reduce, [x], device=device, double=name not in ("amax", "amin"))


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_correction(correction, rng):
    x = rng.standard_normal((6, 5))
    check_op(lambda t: t.var(1, correction=correction), lambda t: t.var(1, correction=correction),
             [x])
    check_op(lambda t: t.std(0, unbiased=False), lambda t: t.std(0, unbiased=False), [x])


def test_amax_ties_share_gradient(device):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    check_op(lambda t: t.amax(1), lambda t: t.amax(1), [x], device=device)
    check_op(lambda t: t.max(), lambda t: t.max(), [x], device=device)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_dim_values_and_indices(name, dim, keepdim, rng, device):
    x = rng.standard_normal((4, 5, 3))
    outs = check_op(lambda t: getattr(t, name)(dim, keepdim)[0],
                    lambda t: getattr(t, name)(dim, keepdim)[0], [x], device=device)
    r = getattr(mg.tensor(x, device=device), name)(dim, keepdim)
    tv, ti = getattr(torch.tensor(x), name)(dim, keepdim)
    i = r.indices
    assert r.values is r[0] and i is r[1]
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert i.dtype == mg.int64 and not i.requires_grad and outs[0].shape == tuple(tv.shape)


def test_max_with_tie_goes_to_one_index():
    x = np.array([[3.0, 3.0, 1.0]])
    check_op(lambda t: t.max(1)[0], lambda t: t.max(1)[0], [x])


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_argmax_argmin(dim, rng):
    x = rng.standard_normal((5, 6))
    for name in ("argmax", "argmin"):
        np.testing.assert_array_equal(getattr(mg.tensor(x), name)(dim).numpy(),
                                      getattr(torch.tensor(x), name)(dim).numpy())


def test_logsumexp_extremes():
    x = mg.tensor([[1e4, 0.0], [-np.inf, -np.inf], [np.inf, 1.0]], dtype=mg.float64)
    t = torch.tensor(x.numpy())
    np.testing.assert_array_equal(x.logsumexp(1).numpy(), torch.logsumexp(t, 1).numpy())


def test_sum_of_ints_is_int64_and_bad_dim_errors():
    assert mg.tensor([[1, 2], [3, 4]], dtype=mg.int32).sum().dtype == mg.int64
    with pytest.raises(IndexError, match=r"sum: dim 2 is out of range"):
        mg.ones(2, 3).sum(2)
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype"):
        mg.tensor([1, 2]).mean()


# ---- torch's signatures, dtypes, named tuples and empty/0-d inputs ---------------------------
def _outcome(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001  (the exception type is what we compare)
        return None, e


TOL = {"float16": 2e-3, "float32": 2e-6}


def _assert_same_tensor(a, b, what):
    assert isinstance(a, mg.Tensor), (what, type(a))
    assert tuple(a.shape) == tuple(b.shape), (what, a.shape, b.shape)
    assert str(a.dtype) == str(b.dtype).replace("torch.", ""), (what, a.dtype, b.dtype)
    tol = TOL.get(str(a.dtype), 1e-10)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol,
                               equal_nan=True, err_msg=what)


def assert_same(mg_fn, torch_fn, array, check_indices=True):
    """Run both on the same data: the same exception type, or the same results (named-tuple
    type and fields, shapes, dtypes, values)."""
    ours, err = _outcome(lambda: mg_fn(mg.tensor(array)))
    ref, terr = _outcome(lambda: torch_fn(torch.tensor(array)))
    if terr is not None:
        assert err is not None, f"torch raises {terr!r}, minigrad returned {ours!r}"
        assert isinstance(err, type(terr)), (err, terr)
        return
    assert err is None, f"minigrad raises {err!r}, torch returned {ref!r}"
    if isinstance(ref, torch.Tensor):
        _assert_same_tensor(ours, ref, "result")
        return
    assert type(ours).__name__ == type(ref).__name__ and isinstance(ours, tuple)
    assert len(ours) == len(ref)
    fields = [f for f in ("values", "indices", "min", "max") if hasattr(ref, f)]
    for f in fields:
        if f == "indices" and not check_indices:
            continue
        _assert_same_tensor(getattr(ours, f), getattr(ref, f), f)
    for k, (a, b) in enumerate(zip(ours, ref)):
        if not (k == 1 and "indices" in fields and not check_indices):
            _assert_same_tensor(a, b, f"item {k}")


SHAPES = [(), (0,), (0, 5), (3, 0, 2), (4, 5)]
CALLS = {
    "sum": lambda t: t.sum(), "sum0": lambda t: t.sum(0), "sum-1k": lambda t: t.sum(-1, True),
    "sum()": lambda t: t.sum(()), "sum_dt": lambda t: t.sum(0, dtype=t.dtype),
    "mean": lambda t: t.mean(), "mean0": lambda t: t.mean(0), "mean-1k": lambda t: t.mean(-1, True),
    "var": lambda t: t.var(), "var0": lambda t: t.var(0), "varT": lambda t: t.var(True),
    "varF": lambda t: t.var(False), "var_pos": lambda t: t.var(-1, False, True),
    "var_c0": lambda t: t.var(0, correction=0), "std": lambda t: t.std(),
    "std-1": lambda t: t.std(-1, keepdim=True),
    "amax": lambda t: t.amax(), "amax0": lambda t: t.amax(0), "amin-1": lambda t: t.amin(-1),
    "amax()": lambda t: t.amax(()), "max": lambda t: t.max(), "min": lambda t: t.min(),
    "max0": lambda t: t.max(0), "min-1k": lambda t: t.min(-1, True),
    "argmax": lambda t: t.argmax(), "argmin0": lambda t: t.argmin(0),
    "argmax-1k": lambda t: t.argmax(-1, True), "argmax_k": lambda t: t.argmax(keepdim=True),
    "logsumexp0": lambda t: t.logsumexp(0), "logsumexp-1k": lambda t: t.logsumexp(-1, True),
    "aminmax": lambda t: t.aminmax(), "aminmax0": lambda t: t.aminmax(dim=0),
    "aminmax-1k": lambda t: t.aminmax(dim=-1, keepdim=True),
    "sort": lambda t: t.sort(), "sort0d": lambda t: t.sort(0, descending=True),
    "sort_st": lambda t: t.sort(stable=True), "argsort": lambda t: t.argsort(),
    "topk0": lambda t: t.topk(0), "topk1": lambda t: t.topk(1), "topk2_0": lambda t: t.topk(2, 0),
    "topk_small": lambda t: t.topk(1, largest=False),
    "kth1": lambda t: t.kthvalue(1), "kth2_0k": lambda t: t.kthvalue(2, 0, True),
    "median": lambda t: t.median(), "median-1": lambda t: t.median(-1),
    "median0k": lambda t: t.median(0, True), "nanmedian": lambda t: t.nanmedian(),
    "nanmedian0": lambda t: t.nanmedian(0), "mode": lambda t: t.mode(),
    "mode0k": lambda t: t.mode(0, True),
}
TORCH_ONLY_ARGS = {"sum_dt": lambda t: t.sum(0, dtype=t.dtype)}


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(CALLS))
def test_reduction_forms_on_empty_and_0d_inputs(name, shape, rng):
    x = rng.standard_normal(shape)
    assert_same(CALLS[name], CALLS[name], x)


@pytest.mark.parametrize("view", ["transposed", "stepped"])
@pytest.mark.parametrize("name", list(CALLS))
def test_reduction_forms_on_non_contiguous_inputs(name, view, rng):
    base = rng.standard_normal((5, 8))
    x = base.T if view == "transposed" else base[::2, 1::3]
    assert_same(CALLS[name], CALLS[name], x)


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int32", "int64", "float16",
                                   "float32", "float64"])
@pytest.mark.parametrize("name", ["sum", "sum0", "amax", "max0", "argmax", "aminmax", "sort",
                                  "mean", "var", "logsumexp0", "median", "mode", "topk1", "kth1"])
def test_reduction_dtypes(name, dtype, rng):
    x = (rng.permutation(12).reshape(3, 4) - 5).astype(dtype)   # distinct values but for bool
    torch.set_default_dtype(torch.float32)      # int -> float results use torch's default
    try:
        assert_same(CALLS[name], CALLS[name], x, check_indices=dtype != "bool")
    finally:
        torch.set_default_dtype(torch.float64)


def test_sum_and_mean_dtype_argument():
    x = np.array([[1, 2], [3, 4]], np.int32)
    for fn in (lambda L, t: L.sum(t, dtype=L.float32), lambda L, t: t.sum(1, dtype=L.int32),
               lambda L, t: L.mean(t, dtype=L.float64), lambda L, t: t.mean(0, True,
                                                                           dtype=L.float64),
               lambda L, t: L.sum(t, 0, True), lambda L, t: L.mean(t)):
        assert_same(lambda t, fn=fn: fn(mg, t), lambda t, fn=fn: fn(torch, t), x)
    # float32 input summed in float64 differentiates back to float32
    check_op(lambda t: t.to(mg.float32).mean(dtype=mg.float64),
             lambda t: t.to(torch.float32).mean(dtype=torch.float64), [np.arange(4.0)])


def test_var_std_positional_forms_and_errors(rng):
    x = rng.standard_normal((4, 6))
    for fn in (lambda L, t: L.var(t, True), lambda L, t: L.var(t, 0), lambda L, t: L.std(t, False),
               lambda L, t: L.var(t, 1, False, True), lambda L, t: L.std(t, (0, 1), True),
               lambda L, t: L.var(t, dim=0, correction=2, keepdim=True),
               lambda L, t: L.var(t, 0, correction=0), lambda L, t: L.std(t, unbiased=False),
               lambda L, t: L.var_mean(t, 1, True), lambda L, t: L.var_mean(t, True),
               lambda L, t: L.std_mean(t, dim=0, correction=0, keepdim=True),
               lambda L, t: L.std_mean(t), lambda L, t: L.var(t, 0, True, correction=1),
               lambda L, t: L.var(t.to(L.int64)), lambda L, t: L.var_mean(t.to(L.int64)),
               lambda L, t: L.var(t, (0, 0)), lambda L, t: L.var(t, 2)):
        assert_same(lambda t, fn=fn: fn(mg, t), lambda t, fn=fn: fn(torch, t), x)


def test_var_mean_and_std_mean_values_and_gradients(rng):
    x = rng.standard_normal((4, 6))
    out = mg.var_mean(mg.tensor(x), 1)
    assert type(out) is tuple and type(torch.var_mean(torch.tensor(x), 1)) is tuple
    for name in ("var_mean", "std_mean"):
        ours, ref = getattr(mg, name), getattr(torch, name)
        check_op(lambda t, f=ours: f(t, 1, keepdim=True),
                 lambda t, f=ref: f(t, 1, keepdim=True), [x], double=True)
        check_op(lambda t, f=ours: f(t, correction=0), lambda t, f=ref: f(t, correction=0), [x],
                 double=True)


def test_max_min_with_other_tensor_and_bad_other(rng):
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    check_op(lambda s, t: mg.max(s, t), lambda s, t: torch.max(s, t), [a, b])
    check_op(lambda s, t: mg.min(s, other=t), lambda s, t: torch.min(s, other=t), [a, b])
    check_op(lambda s, t: s.max(t), lambda s, t: s.max(t), [a, b])
    assert_same(lambda t: mg.max(t, 2.0), lambda t: torch.max(t, 2.0), a)
    assert_same(lambda t: t.max(keepdim=True), lambda t: t.max(keepdim=True), a)


NAMED = ["max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "aminmax"]


def test_return_types_names_fields_and_construction():
    x = np.array([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]])
    calls = {"max": lambda L, t: L.max(t, 1), "min": lambda L, t: L.min(t, 1),
             "sort": lambda L, t: L.sort(t), "topk": lambda L, t: L.topk(t, 2),
             "kthvalue": lambda L, t: L.kthvalue(t, 2), "median": lambda L, t: L.median(t, 1),
             "nanmedian": lambda L, t: L.nanmedian(t, 1), "mode": lambda L, t: L.mode(t),
             "aminmax": lambda L, t: L.aminmax(t, dim=1)}
    for name in NAMED:
        ours, ref = calls[name](mg, mg.tensor(x)), calls[name](torch, torch.tensor(x))
        assert type(ours) is getattr(mg.return_types, name)
        assert type(ref) is getattr(torch.return_types, name)
        assert isinstance(ours, tuple) and len(ours) == len(ref) == 2
        assert ours.n_fields == ref.n_fields and ours.n_sequence_fields == ref.n_sequence_fields
        a, b = ours
        fields = ("min", "max") if name == "aminmax" else ("values", "indices")
        assert getattr(ours, fields[0]) is a and getattr(ours, fields[1]) is b
        for f in fields:
            np.testing.assert_array_equal(getattr(ours, f).numpy(), getattr(ref, f).numpy())
        assert f"return_types.{name}(" in repr(ours)
        assert not isinstance(ours, mg.return_types.max) or name == "max"
        # built from one sequence, as torch's struct sequences
        rebuilt, trebuilt = type(ours)((a, b)), type(ref)(tuple(ref))
        assert getattr(rebuilt, fields[1]) is b and len(trebuilt) == 2
        with pytest.raises(TypeError):
            type(ref)((1,))
        with pytest.raises(TypeError):
            type(ours)((1,))


SELECT = {
    "max": lambda t: t.max(1), "min0k": lambda t: t.min(0, True),
    "sort": lambda t: t.sort(1), "sort_desc0": lambda t: t.sort(0, True),
    "topk": lambda t: t.topk(3), "topk_small0": lambda t: t.topk(2, 0, largest=False),
    "kthvalue": lambda t: t.kthvalue(2), "kthvalue0k": lambda t: t.kthvalue(3, 0, True),
    "median": lambda t: t.median(1), "median0k": lambda t: t.median(0, True),
    "nanmedian": lambda t: t.nanmedian(-1), "mode": lambda t: t.mode(),
    "aminmax": lambda t: t.aminmax(dim=1), "aminmax_all": lambda t: t.aminmax(),
}


@pytest.mark.parametrize("view", ["plain", "transposed", "stepped"])
@pytest.mark.parametrize("name", list(SELECT))
def test_selecting_reductions_values_indices_and_double_backward(name, view, rng):
    base = rng.standard_normal((6, 10))
    x = {"plain": base[:4, :5], "transposed": base.T[:5, :4], "stepped": base[::2, 1::2]}[view]
    assert_same(SELECT[name], SELECT[name], x)
    check_op(lambda t: tuple(o for o in SELECT[name](t) if o.dtype == mg.float64),
             lambda t: tuple(o for o in SELECT[name](t) if o.dtype == torch.float64), [x],
             double=True)


def test_median_all_ties_share_gradient_and_nan():
    for x in (np.array([1.0, 2.0, 2.0, 2.0, 3.0]), np.array([[4.0, 1.0], [3.0, 2.0]]),
              np.array([2.0, 2.0, 2.0])):
        check_op(lambda t: t.median(), lambda t: t.median(), [x], double=True)
        check_op(lambda t: t.nanmedian(), lambda t: t.nanmedian(), [x])
    x = np.array([[4.0, np.nan, 3.0, 2.0], [1.0, 5.0, 2.0, 0.0], [np.nan, 1.0, 3.0, 2.0]])
    for fn in (lambda t: t.median(), lambda t: t.nanmedian(), lambda t: t.median(1),
               lambda t: t.nanmedian(1), lambda t: t.sort(1), lambda t: t.sort(1, True),
               lambda t: t.max(1), lambda t: t.argmin(1), lambda t: t.kthvalue(3, 1),
               lambda t: t.topk(2, 1), lambda t: t.topk(2, 1, largest=False)):
        assert_same(fn, fn, x)
    assert_same(lambda t: t.kthvalue(4, 1), lambda t: t.kthvalue(4, 1), x, check_indices=False)
    for fn in (lambda t: t.nanmedian(1), lambda t: t.median(1)):    # rows of NaN only: values
        assert_same(fn, fn, np.full((2, 4), np.nan), check_indices=False)


def test_sort_is_stable_and_mode_picks_smallest_most_frequent():
    x = np.array([[2.0, 1.0, 2.0, 2.0, 0.0], [3.0, 1.0, 1.0, 3.0, 2.0], [3.0, 1.0, 1.0, 3.0, 1.0]])
    for fn in (lambda t: t.sort(1), lambda t: t.sort(1, descending=True),
               lambda t: t.sort(dim=1, stable=True, descending=True)):
        assert_same(fn, fn, x)
    # among ties torch's mode/kthvalue/median index depends on its algorithm: values must
    # agree, and our index must point at an element holding the value
    for fn in (lambda t: t.mode(1), lambda t: t.median(1), lambda t: t.kthvalue(3, 1)):
        assert_same(fn, fn, x, check_indices=False)
        values, indices = fn(mg.tensor(x))
        np.testing.assert_array_equal(np.take_along_axis(x, indices.numpy()[:, None], 1)[:, 0],
                                      values.numpy())
    check_op(lambda t: t.mode(1)[0], lambda t: t.mode(1)[0], [x[:2]], double=True)


@pytest.mark.parametrize("fn", [lambda t: t.topk(6), lambda t: t.topk(-1), lambda t: t.kthvalue(0),
                                lambda t: t.kthvalue(6), lambda t: t.sort(2), lambda t: t.max(2),
                                lambda t: t.median(-3), lambda t: t.mode(5),
                                lambda t: (t > 0).topk(1), lambda t: (t > 0).argmax(),
                                lambda t: (t > 0).argmin(0), lambda t: (t > 0).median(),
                                lambda t: (t > 0).kthvalue(1)])
def test_order_statistics_errors(fn, rng):
    assert_same(fn, fn, rng.standard_normal((3, 5)))


def test_order_statistics_on_bool():
    x = np.array([[True, False, True], [False, False, True]])
    for fn in (lambda t: t.sort(1), lambda t: t.mode(1), lambda t: t.topk(1), lambda t: t.median(),
               lambda t: t.kthvalue(1), lambda t: t.max(1), lambda t: t.aminmax()):
        assert_same(fn, fn, x)


def test_logsumexp_over_an_empty_dim_keeps_the_dtype():
    for dt, tdt in ((mg.float32, torch.float32), (mg.float64, torch.float64)):
        got, want = mg.zeros(3, 0, dtype=dt).logsumexp(1), torch.zeros(3, 0, dtype=tdt).logsumexp(1)
        assert str(got.dtype) == str(want.dtype).replace("torch.", "")
        assert got.tolist() == want.tolist()
