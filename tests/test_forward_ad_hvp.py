"""Forward over reverse on every crosscheck case: the Hessian-vector product H v of
<w, f(x)> (the forward derivative of a create_graph gradient) against torch's.

This reaches what the plain sweep does not: the forward rules of the ops that backward
formulas are made of, and the tangents of the tensors a backward reads from its saved values
(an input, an output, or an intermediate: a saved intermediate without a tangent would give a
wrong H v silently, so every case is compared).
"""
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad import forward_ad as fw
from test_forward_ad_sweep import MG, NO_RULE, TORCH, _ids, _outs, draw
from minigrad.crosscheck_cases import CASES

torch = pytest.importorskip("torch")
tfw = torch.autograd.forward_ad

# cases whose H v torch's forward mode cannot compute (it raises NotImplementedError), or
# computes wrongly (logcumsumexp: off by more than the H v itself at scale 10); their H v is
# checked against finite differences of torch's gradient in tests/test_forward_ad_structured_hvp.py
TORCH_NO_HVP = {"embedding_bag[1-D + offsets, sum]", "embedding_bag[1-D + offsets, max]",
                "embedding_bag[1-D + offsets, mean, padding_idx=1]", "logcumsumexp[dim=1]"}
# torch has no forward derivative of huber_loss_backward and soft_margin_loss_backward
TORCH_NO_HVP |= {_ids(c) for c in CASES if c.op in ("huber_loss", "soft_margin_loss")}
# torch's H v of scatter_reduce(prod, include_self=False) for self is wrong: the true one is 0
# (the gradient of self does not depend on anything: finite differences of torch's own
# gradient give 0, torch's forward over reverse ~1); minigrad's is 0
TORCH_NO_HVP |= {"scatter_reduce[prod, include_self=False]"}
# torch has no forward AD for grid_sampler_2d/3d: tests/test_grid_sample.py checks minigrad's
# H v against finite differences of torch's gradient
TORCH_NO_HVP |= {_ids(c) for c in CASES if c.op == "grid_sample"}
# minigrad refuses an in-place write into a view when the tangents require grad
# (forward_ad.after_inplace): NotImplementedError, skipped here so that the gap stays visible
MG_NO_HVP = {"add_[x.mul_, +=, x[i] = .., through views (non-leaf)]",
             "log1p_[in place on a non-leaf view]"}


def _hvp(lib, ad, case, arrays, tangents, extra, ws, state):
    with ad.dual_level():
        xs, wrt = [], []
        for a, v in zip(arrays, tangents):
            x = lib.tensor(a)
            if v is not None:
                x = ad.make_dual(x.requires_grad_(), lib.tensor(v))
                wrt.append(x)
            xs.append(x)
        ys = _outs(case.call(lib, xs, extra, state))
        live = [(y, w) for y, w in zip(ys, ws) if w is not None and y.requires_grad]
        if not live:
            return None
        loss = sum((y * lib.tensor(w)).sum() for y, w in live)
        gs = lib.autograd.grad(loss, wrt, create_graph=True, allow_unused=True)
        out = []
        for g in gs:
            t = None if g is None else ad.unpack_dual(g).tangent
            out.append(None if t is None else t.detach().numpy().copy())
        return out


@pytest.mark.parametrize("case", [c for c in CASES if c.double],
                         ids=[_ids(c) for c in CASES if c.double])
def test_hessian_vector_product_matches_torch(case):
    if case.missing():
        pytest.skip(f"minigrad has no {case.missing()}")
    rng, arrays, extra, tangents = draw(case, "hvp")
    if _ids(case) in TORCH_NO_HVP:
        pytest.skip("torch has no forward-over-reverse for this case")
    if _ids(case) in MG_NO_HVP:
        pytest.skip("minigrad: in-place write into a view with tangents that require grad")
    state = {}          # shared by the runs: a MaskCase's mask, drawn by the probe
    probe = _outs(case.call(MG, [mg.tensor(a) for a in arrays], extra, state))
    ws = [rng.standard_normal(y.shape) if y.dtype.kind == "f" else None for y in probe]
    try:
        ours = _hvp(MG, fw, case, arrays, tangents, extra, ws, state)
    except NotImplementedError as e:
        op = re.search(r"forward AD with \S+ \((\w+)\) that does not support", str(e))
        assert op and op.group(1) in NO_RULE, str(e)
        pytest.skip(f"no forward rule for {op.group(1)} yet")
    theirs = _hvp(TORCH, tfw, case, arrays, tangents, extra, ws, state)
    if ours is None or theirs is None:
        assert ours is None and theirs is None
        return
    for k, (o, t) in enumerate(zip(ours, theirs)):
        if t is None or not np.any(t):
            assert o is None or np.allclose(o, 0, atol=1e-9), f"input {k}"
        else:
            assert o is not None, f"input {k}: torch has H v, minigrad has no tangent"
            np.testing.assert_allclose(o, t, rtol=1e-6 * case.tol, atol=1e-8 * case.tol,
                                       err_msg=f"H v for input {k}")



# minigrad refuses an in-place write into a view under nested forward levels
# (forward_ad.after_inplace): NotImplementedError, tested in tests/test_forward_ad.py
MG_NO_FOF = {"diagonal[written in place through the view]", "leaky_relu_[in place on a view]"}


def _diff_fn(lib, case, arrays, tangents, extra, state):
    """f(*differentiable inputs) -> tuple of the case's float outputs."""
    wrt = [k for k, v in enumerate(tangents) if v is not None]

    def f(*diff):
        xs = [lib.tensor(a) for a in arrays]
        for k, d in zip(wrt, diff):
            xs[k] = d
        return tuple(y for y in _outs(case.call(lib, xs, extra, state))
                     if getattr(y.dtype, "is_floating_point", getattr(y.dtype, "kind", "") == "f"))
    return f, wrt


@pytest.mark.parametrize("case", [c for c in CASES if c.double],
                         ids=[_ids(c) for c in CASES if c.double])
def test_forward_over_forward_matches_torch(case):
    """Nested forward levels (jvp inside jvp, as jacfwd(jacfwd(f))) on every case: the second
    directional derivative d2 f[v, u] contracted with random w, against u^T H v of <w, f> by
    torch's reverse over reverse (torch's own forward over forward is wrong for the norms:
    tests/test_func_forward.py)."""
    from minigrad import func as mf
    if case.missing():
        pytest.skip(f"minigrad has no {case.missing()}")
    rng, arrays, extra, tangents = draw(case, "fof")
    if _ids(case) in TORCH_NO_HVP or _ids(case) in MG_NO_HVP or _ids(case) in MG_NO_FOF:
        pytest.skip("no second derivative to compare with torch")
    us = [None if v is None else rng.standard_normal(v.shape) for v in tangents]
    state = {}
    f, wrt = _diff_fn(MG, case, arrays, tangents, extra, state)
    if not f(*[mg.tensor(arrays[k]) for k in wrt]):
        pytest.skip("no float output")
    primals = tuple(mg.tensor(arrays[k]) for k in wrt)
    vs, uu = [tangents[k] for k in wrt], [us[k] for k in wrt]

    def inner(*diff):
        return mf.jvp(f, diff, tuple(mg.tensor(v) for v in vs))[1]
    second = mf.jvp(inner, primals, tuple(mg.tensor(u) for u in uu))[1]
    ws = [rng.standard_normal(tuple(y.shape)) for y in second]
    ours = sum(float((y.detach().numpy() * w).sum()) for y, w in zip(second, ws))
    try:
        tf_, _ = _diff_fn(TORCH, case, arrays, tangents, extra, state)
        diff = [torch.tensor(arrays[k], requires_grad=True) for k in wrt]
        loss = sum((y * torch.tensor(w)).sum() for y, w in zip(tf_(*diff), ws))
        g = torch.autograd.grad(loss, diff, create_graph=True, allow_unused=True)
        s = sum((gi * torch.tensor(v)).sum() for gi, v in zip(g, vs) if gi is not None)
        h = torch.autograd.grad(s, diff, allow_unused=True) if torch.is_tensor(s) \
            and s.requires_grad else [None] * len(diff)
    except (NotImplementedError, RuntimeError, AttributeError) as e:   # (no F.drop_path)
        pytest.skip(f"torch cannot: {str(e)[:60]}")
    theirs = sum(float((hi * torch.tensor(u)).sum()) for hi, u in zip(h, uu) if hi is not None)
    assert ours == pytest.approx(theirs, rel=1e-6 * case.tol, abs=1e-8 * case.tol)
