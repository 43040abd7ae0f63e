"""Forward mode on every crosscheck case: minigrad's J v against torch.autograd.forward_ad's,
and against minigrad's own reverse mode (<J v, u> == <v, J^T u> for random v and u).

A case that meets an op without a forward rule must raise NotImplementedError naming an op
class listed in NO_RULE (the case is then skipped, so the gaps stay visible in the counts);
test_no_rule_is_current keeps that list from going stale.
"""
import re
import zlib

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as mgF
from minigrad import forward_ad as fw
from minigrad.crosscheck import _Lib
from minigrad.crosscheck_cases import CASES

torch = pytest.importorskip("torch")
tfw = torch.autograd.forward_ad

MG = _Lib(mg, mgF, "cpu", lambda a: mg.tensor(a))
TORCH = _Lib(torch, torch.nn.functional, "cpu", lambda a: torch.tensor(a))

# Op classes whose forward rules are not written yet
NO_RULE = set("""
Op
""".split())
# ops torch's forward mode does not support (checked against reverse mode only)
# (scatter_reduce: prod gets no tangent from torch, silently; logcumsumexp: torch's tangent
# loses accuracy as the values spread, ~1e-1 relative at scale 10:
# tests/test_forward_ad_structured.py)
TORCH_NO_JVP = {"embedding_bag", "logcumsumexp", "scatter_reduce",
                "multi_margin_loss", "multilabel_margin_loss", "cdist", "ctc_loss"}
# cases whose backward is deliberately not J^T, in torch too (the padding row gets no
# gradient but keeps its tangent): the reverse-mode identity is not checked for them
NOT_ADJOINT = {"embedding[(4,3),(10,5), padding_idx=0]"}


def _outs(y):
    return list(y) if isinstance(y, (tuple, list)) else [y]


def _run(lib, ad, case, arrays, tangents, extra, state):
    """Outputs and their tangents of one case under one library's forward mode."""
    with ad.dual_level():
        xs = []
        for a, v in zip(arrays, tangents):
            x = lib.tensor(a)
            xs.append(x if v is None else ad.make_dual(x, lib.tensor(v)))
        ys = _outs(case.call(lib, xs, extra, state))
        pairs = [ad.unpack_dual(y) for y in ys]
        return [(p.detach().numpy().copy(), None if t is None else t.detach().numpy().copy())
                for p, t in pairs]


def _reverse(case, arrays, tangents, extra, us, state):
    """sum_i <v_i, J_i^T u>: the same number as <J v, u> by reverse mode."""
    xs = [mg.tensor(a, requires_grad=v is not None) for a, v in zip(arrays, tangents)]
    ys = _outs(case.call(MG, xs, extra, state))
    live = [(y, u) for y, u in zip(ys, us) if u is not None and y.requires_grad]
    wrt = [x for x, v in zip(xs, tangents) if v is not None]
    if not live:
        return 0.0
    gs = mg.autograd.grad([y for y, _ in live], wrt, [mg.tensor(u) for _, u in live],
                          allow_unused=True)
    vs = [v for v in tangents if v is not None]
    return sum(float((g.data * v).sum()) for g, v in zip(gs, vs) if g is not None)


def draw(case, salt):
    """A case's generator (seeded by its name, the same in every process), inputs, extra
    arguments and one tangent per differentiable input; skips a case with none."""
    rng = np.random.default_rng(zlib.crc32((salt + _ids(case)).encode()))
    arrays = [s.make(rng, "float64") for s in case.inputs]
    extra = {k: s.make(rng, "float64") for k, s in case.specs.items()}
    tangents = [rng.standard_normal(a.shape) if s.grad and a.dtype.kind == "f" else None
                for s, a in zip(case.inputs, arrays)]
    if all(v is None for v in tangents):
        pytest.skip("no differentiable input")
    return rng, arrays, extra, tangents


def _ids(case):
    return f"{case.op}[{case.options}]"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_forward_mode_matches_torch_and_reverse_mode(case):
    if case.missing():
        pytest.skip(f"minigrad has no {case.missing()}")
    rng, arrays, extra, tangents = draw(case, "")
    state = {}          # shared by the runs: a MaskCase's mask, drawn by minigrad's first
    try:
        ours = _run(MG, fw, case, arrays, tangents, extra, state)
    except NotImplementedError as e:
        op = re.search(r"forward AD with \S+ \((\w+)\) that does not support", str(e))
        assert op and op.group(1) in NO_RULE, str(e)
        pytest.skip(f"no forward rule for {op.group(1)} yet")
    theirs = None
    if case.op not in TORCH_NO_JVP:
        try:
            theirs = _run(TORCH, tfw, case, arrays, tangents, extra, state)
        except NotImplementedError:     # (torch's fused CPU attention kernels have no rule:
            pass                        # then the reverse-mode identity below is the check)
    if theirs is not None:
        assert len(ours) == len(theirs)
        for (p, t), (tp, tt) in zip(ours, theirs):
            np.testing.assert_allclose(p, tp, rtol=1e-7, atol=1e-9)
            if tt is None or not np.any(tt):
                assert t is None or np.allclose(t, 0, atol=1e-9)
            else:
                assert t is not None, "torch has a tangent, minigrad has none"
                np.testing.assert_allclose(t, tt, rtol=1e-6 * case.tol, atol=1e-8 * case.tol)
    if _ids(case) in NOT_ADJOINT:
        return
    us = [rng.standard_normal(p.shape) if t is not None else None for p, t in ours]
    forward = sum(float(np.where(np.isfinite(t), t * u, 0).sum())   # (a mean over nothing)
                  for (p, t), u in zip(ours, us) if t is not None)
    backward = _reverse(case, arrays, tangents, extra, us, state)
    assert forward == pytest.approx(backward, rel=1e-7 * case.tol, abs=1e-8 * case.tol)


def _op_classes(cls=mg.autograd.Function):
    for sub in cls.__subclasses__():
        yield sub
        yield from _op_classes(sub)


def test_no_rule_is_current():
    by_name = {c.__name__: c for c in _op_classes()}
    for name in sorted(NO_RULE):
        assert name in by_name, f"NO_RULE names {name}, which is not an op class"
        assert by_name[name].jvp is None, f"{name} has a forward rule: take it out of NO_RULE"
