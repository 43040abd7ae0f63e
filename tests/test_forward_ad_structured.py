"""Forward-mode rules of the indexing, reduction, scan, matrix, conv and pooling ops: J v
against torch.autograd.forward_ad in float64 (and float32, 0-d and empty inputs for a few),
for the ops and options the crosscheck sweep does not reach."""
import numpy as np
import pytest

import minigrad as mg
from minigrad import forward_ad as fw

torch = pytest.importorskip("torch")
tfw = torch.autograd.forward_ad

from jvp_check import check, jvp, rand, tangents  # noqa: E402  (after the torch skip)

# ---- reductions -----------------------------------------------------------------------
@pytest.mark.parametrize("dim", [None, 0, (0, 2)])
@pytest.mark.parametrize("fn", ["amax", "amin"])
def test_amax_amin_share_the_tangent_between_ties(fn, dim):
    x = np.round(rand(4, 3, 5)) * 0.5       # many ties
    if dim is None:
        check(lambda L, a: getattr(L, fn)(a), x)
    else:
        check(lambda L, a: getattr(L, fn)(a, dim, keepdim=True), x)
        check(lambda L, a: getattr(L, fn)(a, dim), x)


def test_median_of_all_elements_and_nanmedian():
    x = np.round(rand(3, 4)) * 0.5
    check(lambda L, a: a.median(), x)
    x[0, 1] = np.nan
    check(lambda L, a: a.nanmedian(), x)
    check(lambda L, a: a.median(), x)           # NaN: NaN value, NaN tangent, as torch


@pytest.mark.parametrize("dim", [None, 1, (0, 1)])
def test_logsumexp(dim):
    x = rand(3, 4, 2, scale=5)
    x[0, 0, 0] = -np.inf
    d = (0, 1, 2) if dim is None else dim
    check(lambda L, a: L.logsumexp(a, d), x)
    check(lambda L, a: L.logsumexp(a, d, keepdim=True), x)


@pytest.mark.parametrize("zeros", [(), ((0, 1),), ((0, 1), (0, 3)), ((1, 0), (2, 2))])
def test_prod_exact_with_zeros(zeros):
    x = rand(3, 4)
    for z in zeros:
        x[z] = 0.0
    check(lambda L, a: L.prod(a), x)
    check(lambda L, a: L.prod(a, 1), x)
    check(lambda L, a: L.prod(a, 0, keepdim=True), x)


def test_argmax_carries_no_tangent():
    out = check(lambda L, a: (L.argmax(a, 1), a.max(1).values), rand(3, 4))
    assert out[0][1] is None


def test_nansum_drops_the_tangent_at_nans():
    x = rand(3, 4)
    x[1, 2] = np.nan
    check(lambda L, a: L.nansum(a, 1), x)


# ---- scans ------------------------------------------------------------------------------
@pytest.mark.parametrize("zeros", [(), ((0, 0),), ((0, 2), (0, 4)), ((1, 5), (2, 1))])
def test_cumprod_exact_with_zeros(zeros):
    x = rand(3, 6)
    for z in zeros:
        x[z] = 0.0
    check(lambda L, a: L.cumprod(a, 1), x)
    check(lambda L, a: L.cumprod(a.t(), 0), x)


def test_logcumsumexp_matches_torch_on_a_small_range():
    check(lambda L, a: L.logcumsumexp(a, 1), rand(3, 7), rtol=1e-9)
    check(lambda L, a: L.logcumsumexp(a, 0), rand(9, 2), rtol=1e-9)


def _lcse_tangent_exact(x, v):
    """sum_{i <= k} v_i exp(x_i - y_k) in long double along the last dim."""
    xl, vl = x.astype(np.longdouble), v.astype(np.longdouble)
    out = np.empty_like(xl)
    for k in range(x.shape[-1]):
        w = np.exp(xl[..., :k + 1] - xl[..., :k + 1].max(-1, keepdims=True))
        out[..., k] = (w * vl[..., :k + 1]).sum(-1) / w.sum(-1)
    return out


@pytest.mark.parametrize("dtype, scale, rtol", [("float64", 10.0, 1e-12),
                                                ("float32", 40.0, 2e-5)])
def test_logcumsumexp_stays_exact_over_a_wide_range(dtype, scale, rtol):
    # torch's cumsum(e v) / cumsum(e), e = exp(x - max), loses the early terms here
    x, v = rand(4, 33, scale=scale, dtype=dtype), rand(4, 33, seed=1, dtype=dtype)
    (p, t), = jvp(mg, fw, lambda L, a: L.logcumsumexp(a, 1), [x], [v])
    assert t.dtype == dtype
    np.testing.assert_allclose(t, _lcse_tangent_exact(x, v).astype(np.float64), rtol=rtol,
                               atol=rtol)


def test_cumsum_flip_roll_repeat_take():
    x = rand(3, 4)
    idx = np.array([2, 0, 2, 3])
    check(lambda L, a: (L.cumsum(a, 0), L.flip(a, (0, 1)), L.roll(a, (1, -2), (0, 1)),
                        a.repeat(2, 1, 3), L.repeat_interleave(a, 2, 1),
                        L.index_select(a, 1, L.tensor(idx))), x)


# ---- indexing -----------------------------------------------------------------------------
def test_masked_fill_with_a_dual_value():
    x, m = rand(3, 4), np.random.default_rng(2).random((1, 4)) < 0.5
    check(lambda L, a, mask, val: a.masked_fill(mask, val), x, m, np.array(1.5))
    check(lambda L, a, mask, val: a.masked_fill(mask, 2.0), x, m, np.array(1.5))
    check(lambda L, a, mask, val: L.zeros(3, 4, dtype=a.dtype).masked_fill(mask, val), x, m,
          np.array(1.5))


def test_scatter_with_a_number_and_with_src():
    x, src = rand(3, 4), rand(3, 4, seed=3)
    idx = np.array([[1, 0], [3, 3], [2, 0]])
    check(lambda L, a, s, i: (a.scatter(1, i, 2.5), a.scatter(1, i, s), a.scatter_add(1, i, s),
                              a.gather(1, i)), x, src, idx)
    check(lambda L, a, s, i: L.zeros(3, 4, dtype=s.dtype).scatter(1, i, s), x, src, idx,
          vs=[None, rand(3, 4, seed=4), None])


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_matches_torch(reduce, include_self):
    x = np.round(rand(3, 5)) * 0.5            # ties for amax/amin
    src = np.round(rand(3, 4, seed=1)) * 0.5
    idx = np.array([[0, 0, 2, 4], [1, 1, 1, 3], [4, 0, 4, 0]])
    check(lambda L, a, s, i: a.scatter_reduce(1, i, s, reduce, include_self=include_self),
          x, src, idx)


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("zeros", [(), ((0, 1),), ((1, 0), (2, 1)), ((0, 0), (0, 1))])
def test_scatter_reduce_prod_against_torch_double_vjp(include_self, zeros):
    # torch's forward mode gives prod no tangent at all; its double-vjp jvp is exact (and
    # raises for two zeros in one place: there, against the product rule written out)
    x, src = rand(3, 5), rand(3, 4, seed=1)
    x[1, 1] = 0.0
    for z in zeros:
        src[z] = 0.0
    idx = np.array([[0, 0, 2, 4], [1, 1, 1, 3], [4, 0, 4, 0]])
    vs = tangents([x, src], 2)

    def f(L, a, s):
        return a.scatter_reduce(1, L.tensor(idx), s, "prod", include_self=include_self)
    (p, t), = jvp(mg, fw, f, [x, src], vs)
    ref = _scatter_prod_tangent(x, src, idx, vs[0], vs[1], include_self)
    np.testing.assert_allclose(t, ref, rtol=1e-10, atol=1e-12)
    if zeros != ((0, 0), (0, 1)):
        ref = torch.autograd.functional.jvp(lambda a, s: f(torch, a, s),
                                            (torch.tensor(x), torch.tensor(src)),
                                            (torch.tensor(vs[0]), torch.tensor(vs[1])))[1]
        np.testing.assert_allclose(t, ref.numpy(), rtol=1e-10, atol=1e-12)


def _scatter_prod_tangent(x, src, idx, vx, vs, include_self):
    """The product rule term by term, along dim 1."""
    out = np.zeros_like(x)
    for r in range(x.shape[0]):
        for p in range(x.shape[1]):
            factors = [(src[r, j], vs[r, j]) for j in range(idx.shape[1]) if idx[r, j] == p]
            if include_self or not factors:
                factors.append((x[r, p], vx[r, p]))
            out[r, p] = sum(t * np.prod([v for i, (v, _) in enumerate(factors) if i != k])
                            for k, (_, t) in enumerate(factors))
    return out


def test_index_ops_with_partial_tangents():
    x, s = rand(5, 3), rand(2, 3, seed=1)
    i = np.array([4, 1])
    check(lambda L, a, b, k: (a.index_add(0, k, b, alpha=2.0), a.index_copy(0, k, b),
                              a.index_put((k,), b, accumulate=True), a[k], a[[1, 1, 3]]),
          x, s, i, vs=[None, rand(2, 3, seed=5), None])
    m = np.random.default_rng(0).random((5, 3)) < 0.5
    check(lambda L, a, b, mask: a.masked_scatter(mask, b.reshape(-1).repeat(3)), x, s, m)


def test_unique_has_no_forward_derivative_as_torch():
    for lib, ad in ((mg, fw), (torch, tfw)):
        with ad.dual_level():
            d = ad.make_dual(lib.tensor([3.0, 1.0, 3.0]), lib.tensor([1.0, 2.0, 3.0]))
            with pytest.raises(NotImplementedError, match="forward AD with _?unique"):
                lib.unique(d)


def test_delayed_error_passes_the_tangent_and_its_backward_raises():
    from minigrad.ops.scatter_reduce import DelayedError
    x = mg.tensor(rand(3), requires_grad=True)
    with fw.dual_level():
        d = fw.make_dual(x, mg.tensor(np.arange(3.0)))
        y = DelayedError.apply(d, "no second derivative")
        np.testing.assert_array_equal(fw.unpack_dual(y).tangent.numpy(), np.arange(3.0))
    with pytest.raises(RuntimeError, match="no second derivative"):
        y.sum().backward()


def test_in_place_writes_recorded_for_reverse_mode():
    """copy_ into a view (CopySlices), fill_ and copy_ (Fill), contiguous(), with both modes
    on at once."""
    def run(lib, ad):
        x = lib.tensor(rand(3, 4)).requires_grad_()
        s = lib.tensor(rand(4, seed=1)).requires_grad_()
        with ad.dual_level():
            d = ad.make_dual(x, lib.tensor(rand(3, 4, seed=2)))
            e = ad.make_dual(s, lib.tensor(rand(4, seed=3)))
            y, z, u = d * 1, d * 1, d * 1
            y[1].copy_(e * 2)
            z.fill_(2.0)
            u.copy_(e)
            outs = [y, z, u, d.t().contiguous()]
            assert all(o.grad_fn is not None for o in outs)
            return [ad.unpack_dual(o).tangent.detach().numpy().copy() for o in outs]
    for t, tt in zip(run(mg, fw), run(torch, tfw)):
        np.testing.assert_allclose(t, tt, rtol=1e-12)


def test_constant_inputs_holding_inf_get_zero_tangents():
    """An input without a tangent is a constant: zero tangent, even where it is inf (not
    0 * inf = nan)."""
    c = rand(3, 4)
    c[0, 1], c[2, 3] = np.inf, -np.inf
    d, i = rand(3, 4, seed=1), np.array([[0, 2], [1, 1], [3, 0]])
    vs = [None, rand(3, 4, seed=2), None]
    check(lambda L, a, b, k: (L.cat([a, b]), L.stack([a, b]), a.scatter(1, k, b),
                              a.scatter_add(1, k, b), a.index_add(0, k[:, 0] % 3, b),
                              a.masked_fill(a > 0, b[0, 0]), a.masked_scatter(a > 0, b),
                              a.scatter_reduce(1, k, b[:, :2], "amax")),
          c, d, i, vs=vs)
