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
from test_forward_ad_sweep import MG, NO_RULE, TORCH, _ids, _outs
from minigrad.crosscheck_cases import CASES

torch = pytest.importorskip("torch")
tfw = torch.autograd.forward_ad

# cases whose H v torch's forward mode cannot compute (it raises NotImplementedError)
TORCH_NO_HVP = set()


def _hvp(lib, ad, case, arrays, tangents, extra, ws):
    with ad.dual_level():
        xs, wrt = [], []
        for a, v in zip(arrays, tangents):
            x = lib.tensor(a)
            if v is not None:
                x = ad.make_dual(x.requires_grad_(), lib.tensor(v))
                wrt.append(x)
            xs.append(x)
        ys = _outs(case.call(lib, xs, extra, {}))
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
    rng = np.random.default_rng(abs(hash("hvp" + _ids(case))) % 2**32)
    arrays = [s.make(rng, "float64") for s in case.inputs]
    extra = {k: s.make(rng, "float64") for k, s in case.specs.items()}
    tangents = [rng.standard_normal(a.shape) if s.grad and a.dtype.kind == "f" else None
                for s, a in zip(case.inputs, arrays)]
    if all(v is None for v in tangents):
        pytest.skip("no differentiable input")
    if _ids(case) in TORCH_NO_HVP:
        pytest.skip("torch has no forward-over-reverse for this case")
    probe = _outs(case.call(MG, [mg.tensor(a) for a in arrays], extra, {}))
    ws = [rng.standard_normal(y.shape) if y.dtype.kind == "f" else None for y in probe]
    try:
        ours = _hvp(MG, fw, case, arrays, tangents, extra, ws)
    except NotImplementedError as e:
        op = re.search(r"forward AD with \S+ \((\w+)\) that does not support", str(e))
        assert op and op.group(1) in NO_RULE, str(e)
        pytest.skip(f"no forward rule for {op.group(1)} yet")
    theirs = _hvp(TORCH, tfw, case, arrays, tangents, extra, ws)
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
