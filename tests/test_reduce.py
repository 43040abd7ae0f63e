"""Reductions against torch: every dim form, keepdim, ties, max/min with indices."""
import numpy as np
import pytest
import torch

import minigrad as mg
from conftest import check_op

DIMS = [None, 0, 1, -1, (0, 2), (-1, 0)]


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "var", "std"])
def test_reductions(name, dim, keepdim, rng, device):
    x = rng.standard_normal((3, 4, 5))
    if name == "logsumexp" and dim is None:
        dim = (0, 1, 2)
    if dim is None:
        if name in ("amax", "amin"):
            mgf, tf = (lambda t: getattr(t, name)()), (lambda t: getattr(t, name)())
        elif name in ("var", "std"):
            mgf, tf = (lambda t: getattr(t, name)()), (lambda t: getattr(t, name)())
        else:
            mgf, tf = (lambda t: getattr(t, name)()), (lambda t: getattr(t, name)())
    else:
        mgf = lambda t: getattr(t, name)(dim, keepdim=keepdim)  # noqa: E731
        tf = lambda t: getattr(t, name)(dim, keepdim=keepdim)  # noqa: E731
    check_op(mgf, tf, [x], device=device, double=name not in ("amax", "amin"))


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
    v, i = getattr(mg.tensor(x, device=device), name)(dim, keepdim)
    tv, ti = getattr(torch.tensor(x), name)(dim, keepdim)
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
