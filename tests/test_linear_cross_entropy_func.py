"""The chunked linear_cross_entropy keeps every autograd feature (issue 18): forward mode,
func.grad, hessian and per-sample gradients with vmap(grad), against torch.func on the
reference composition cross_entropy(linear(...)) in float64."""
import numpy as np
import pytest
import torch

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import func

OPTS = mg.nn.LinearCrossEntropyOptions(batch_chunk_size=2)   # blocks smaller than N
KW = {"label_smoothing": 0.1}


def _data(seed=0):
    r = np.random.default_rng(seed)
    return r.standard_normal((6, 5)), r.standard_normal((7, 5)), r.integers(0, 7, 6)


def _ours(x, W, c):
    return F.linear_cross_entropy(x, W, c, options=OPTS, **KW)


def _torch(x, W, c):
    return torch.nn.functional.cross_entropy(x @ W.T, c, **KW)


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a.detach().numpy()), b.detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_grad_jvp_and_hessian_match_torch_func():
    x, W, c = _data()
    m = [mg.tensor(x), mg.tensor(W), mg.tensor(c)]
    t = [torch.tensor(x), torch.tensor(W), torch.tensor(c)]
    for a, b in zip(func.grad(_ours, (0, 1))(*m), torch.func.grad(_torch, (0, 1))(*t)):
        _close(a, b)
    v = np.random.default_rng(1).standard_normal(x.shape)
    _close(func.jvp(lambda x: _ours(x, m[1], m[2]), (m[0],), (mg.tensor(v),))[1],
           torch.func.jvp(lambda x: _torch(x, t[1], t[2]), (t[0],), (torch.tensor(v),))[1])
    _close(func.hessian(lambda x: _ours(x, m[1], m[2]))(m[0]),
           torch.func.hessian(lambda x: _torch(x, t[1], t[2]))(t[0]))


@pytest.mark.parametrize("in_dims", [(0, 0, None), (0, 0, 0)])
def test_per_sample_gradients_with_vmap(in_dims):
    x, W, c = _data(2)
    Ws = np.stack([W] * 6) if in_dims[2] == 0 else W

    def ours(xi, ci, w):
        return F.linear_cross_entropy(xi[None], w, ci[None], options=OPTS, **KW)

    def theirs(xi, ci, w):
        return _torch(xi[None], w, ci[None])

    got = func.vmap(func.grad(ours, (0, 2)), in_dims=in_dims)(
        mg.tensor(x), mg.tensor(c), mg.tensor(Ws))
    want = torch.func.vmap(torch.func.grad(theirs, (0, 2)), in_dims=in_dims)(
        torch.tensor(x), torch.tensor(c), torch.tensor(Ws))
    for a, b in zip(got, want):
        assert tuple(a.shape) == tuple(b.shape)
        _close(a, b)
