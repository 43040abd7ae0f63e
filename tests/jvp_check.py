"""Helpers of the forward-mode tests (test_forward_ad_structured*.py, test_forward_ad_nn.py):
run a function under minigrad's and torch's forward AD, compare values and tangents, and
Hessian-vector products by forward-over-reverse."""
import numpy as np
import torch

import minigrad as mg
from minigrad import forward_ad as fw

tfw = torch.autograd.forward_ad


def _np(t):
    return None if t is None else t.detach().numpy().copy()


def jvp(lib, ad, f, xs, vs):
    """Primals and tangents of f's outputs; xs with a tangent in vs become dual tensors."""
    with ad.dual_level():
        ds = [lib.tensor(x) if v is None else ad.make_dual(lib.tensor(x), lib.tensor(v))
              for x, v in zip(xs, vs)]
        out = f(lib, *ds)
        return [tuple(map(_np, ad.unpack_dual(o)))
                for o in (out if isinstance(out, (tuple, list)) else (out,))]


def tangents(xs, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(x.shape).astype(x.dtype) if x.dtype.kind == "f" else None
            for x in xs]


def check(f, *xs, vs=None, seed=1, rtol=1e-10, atol=1e-12):
    """f(L, *tensors) under both forward modes: the same values and tangents."""
    vs = tangents(xs, seed) if vs is None else vs
    ours, theirs = jvp(mg, fw, f, xs, vs), jvp(torch, tfw, f, xs, vs)
    assert len(ours) == len(theirs)
    for (p, t), (tp, tt) in zip(ours, theirs):
        np.testing.assert_allclose(p, tp, rtol=rtol, atol=atol)
        if tt is None:
            assert t is None or not np.any(t)
        else:
            assert t is not None and t.dtype == tt.dtype
            np.testing.assert_allclose(t, tt, rtol=rtol, atol=atol)
    return ours


def rand(*shape, seed=0, scale=1.0, dtype="float64"):
    return (scale * np.random.default_rng(seed).standard_normal(shape)).astype(dtype)


def hvp(lib, ad, f, xs, vs):
    """Forward over reverse: the tangents of the gradient of the scalar f(L, *xs) with respect
    to the float inputs (a Hessian-vector product); integer inputs are constants."""
    with ad.dual_level():
        ds = [lib.tensor(x) if v is None else
              ad.make_dual(lib.tensor(x).requires_grad_(), lib.tensor(v))
              for x, v in zip(xs, vs)]
        gs = lib.autograd.grad(f(lib, *ds), [d for d, v in zip(ds, vs) if v is not None],
                               create_graph=True)
        return [_np(ad.unpack_dual(g).tangent) for g in gs]


def check_hvp(f, *xs, seed=1, rtol=1e-10, atol=1e-12):
    """H v of f(L, *tensors) by forward over reverse, minigrad's against torch's."""
    vs = tangents(xs, seed)
    ours, theirs = hvp(mg, fw, f, xs, vs), hvp(torch, tfw, f, xs, vs)
    assert len(ours) == len(theirs)
    for t, tt in zip(ours, theirs):
        assert t is not None and tt is not None
        np.testing.assert_allclose(t, tt, rtol=rtol, atol=atol)


def check_hvp_fd(f, *xs, seed=1, h=1e-5, rtol=1e-7):
    """H v of f(L, *tensors) by forward over reverse against central differences of torch's
    gradient, (g(x + h v) - g(x - h v)) / 2h, for ops whose H v torch's forward mode cannot
    give; the error is measured against the largest entry."""
    vs = tangents(xs, seed)
    ours = hvp(mg, fw, f, xs, vs)

    def grads(sign):
        ts = [torch.tensor(x + sign * h * v if v is not None else x) for x, v in zip(xs, vs)]
        for t, v in zip(ts, vs):
            t.requires_grad_(v is not None)
        return torch.autograd.grad(f(torch, *ts), [t for t, v in zip(ts, vs) if v is not None])
    for t, gp, gm in zip(ours, grads(1), grads(-1)):
        ref = ((gp - gm) / (2 * h)).numpy()
        assert np.abs(t - ref).max() <= rtol * max(np.abs(ref).max(), 1.0)
