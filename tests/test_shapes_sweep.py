"""Sweep over every public op and method: 0-d, empty and non-contiguous inputs against torch.

Each case is a row (name, minigrad callable, torch callable, input specs). For every row both
frameworks run on the same float64 numbers; the test compares result shape, dtype and values,
and the gradients for a random upstream gradient, or checks that both raise the same kind of
error (minigrad's from its own code, not from inside NumPy). `test_sweep_covers_every_op`
fails when a public name has neither a row nor an entry in SKIP with a reason. The rows are in
tests/sweep_rows_*.py (one file per area, found by name), the row helpers in tests/sweep_table.py.
"""
from __future__ import annotations

import importlib
import inspect
import pathlib
import traceback
import zlib

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F

torch = pytest.importorskip("torch")

from sweep_table import CASES, SKIP_MORE  # noqa: E402  (needs torch)

# ---- the rows: every tests/sweep_rows_*.py adds its rows to sweep_table.CASES on import ----
for _path in sorted(pathlib.Path(__file__).parent.glob("sweep_rows_*.py")):
    importlib.import_module(_path.stem)

# Names with no row, and why. Everything else public must have a row in a sweep_rows file.
SKIP = {
    "mg.Function": "autograd API (tests/test_autograd.py)",
    "mg.Tensor": "the class itself", "mg.device": "a type",
    "mg.grad": "autograd API", "mg.no_grad": "grad mode", "mg.enable_grad": "grad mode",
    "mg.set_grad_enabled": "grad mode", "mg.is_grad_enabled": "grad mode",
    "mg.manual_seed": "random state", "mg.save": "I/O", "mg.load": "I/O",
    "Tensor.backward": "autograd API", "Tensor.retain_grad": "autograd API",
    "Tensor.requires_grad_": "autograd API", "Tensor.grad": "autograd attribute",
    "Tensor.grad_fn": "autograd attribute", "Tensor.requires_grad": "autograd attribute",
    "Tensor.is_leaf": "autograd attribute", "Tensor.data": "the raw array (differs from torch "
                                                          "by design)",
    "Tensor.cuda": "needs a GPU (tests/test_cuda_dispatch.py)", "Tensor.is_cuda": "attribute",
    "Tensor.device": "attribute", "Tensor.uniform_": "random fill",
    "Tensor.normal_": "random fill",
    **{n: "random draws (tests/test_sampling.py: shapes, dtypes, errors and gradients against "
          "torch, values by their statistics)"
       for n in ("mg.bernoulli", "mg.multinomial", "mg.normal", "mg.poisson",
                 "Tensor.bernoulli", "Tensor.bernoulli_", "Tensor.exponential_",
                 "Tensor.multinomial")},
    "nn.Module": "base class", "nn.ModuleList": "container", "nn.ModuleDict": "container",
    "nn.Parameter": "a Tensor subclass",
    "nn.WindowAttention": "no torch counterpart (tests/test_mha.py)",
    "mg.can_cast": "dtype rules (tests/test_promotion.py)",
    "mg.promote_types": "dtype rules (tests/test_promotion.py)",
    "mg.result_type": "dtype rules (tests/test_promotion.py)",
    "mg.finfo": "dtype info (tests/test_promotion.py)",
    "mg.iinfo": "dtype info (tests/test_promotion.py)",
    "mg.get_default_dtype": "global state (tests/test_promotion.py)",
    "mg.set_default_dtype": "global state (tests/test_promotion.py)",
    "mg.inference_mode": "grad mode (tests/test_grad_mode.py)",
    "mg.is_inference_mode_enabled": "grad mode (tests/test_grad_mode.py)",
}

SKIP.update(SKIP_MORE)

# Failures the sweep finds in files other engineers own: case id -> (owner, what differs).
# These rows are xfail (not strict) until the owner's fix lands; then delete the entry.
OWNED_ELSEWHERE = {}


def _owned(owner, why, ids):
    OWNED_ELSEWHERE.update({k: (owner, why) for k in ids})


def public_names():
    names = {f"mg.{n}" for n in dir(mg) if not n.startswith("_")
             and callable(getattr(mg, n)) and not inspect.ismodule(getattr(mg, n))
             and not isinstance(getattr(mg, n), np.dtype)}
    names |= {f"Tensor.{n}" for n in dir(mg.Tensor) if not n.startswith("_")}
    names |= {f"F.{n}" for n in dir(F) if not n.startswith("_")
              and callable(getattr(F, n)) and not inspect.ismodule(getattr(F, n))}
    names |= {f"nn.{n}" for n in dir(mg.nn) if inspect.isclass(getattr(mg.nn, n))}
    return names


def test_sweep_covers_every_op():
    covered = {c[0] for c in CASES}
    missing = public_names() - covered - set(SKIP)
    assert not missing, f"public names without a sweep row (add one, or a SKIP reason): " \
                        f"{sorted(missing)}"
    stale = set(SKIP) - public_names()
    assert not stale, f"SKIP entries for names that no longer exist: {sorted(stale)}"
    ids = {_case_id(c) for c in CASES}
    stale = set(OWNED_ELSEWHERE) - ids
    assert not stale, f"OWNED_ELSEWHERE entries that match no case: {sorted(stale)}"


# ---- the runner ---------------------------------------------------------------------------
def _run(fn, args):
    try:
        return fn(*args), None
    except Exception as e:     # noqa: BLE001 (both frameworks' errors are compared below)
        return None, e


def _builtin_kind(exc):
    return next(k for k in type(exc).__mro__ if k.__module__ == "builtins")


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _np(x):
    if isinstance(x, mg.Tensor):
        return x.detach().numpy()
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return x


def _dtype_name(d):
    return str(d).replace("torch.", "")


def _compare(mo, to, what, values=True):
    if isinstance(to, torch.Tensor):
        assert isinstance(mo, mg.Tensor), f"{what}: torch gives a tensor, minigrad {type(mo)}"
        assert tuple(mo.shape) == tuple(to.shape), f"{what}: shape {mo.shape} vs {to.shape}"
        assert _dtype_name(mo.dtype) == _dtype_name(to.dtype), \
            f"{what}: dtype {mo.dtype} vs {to.dtype}"
        if values:
            np.testing.assert_allclose(_np(mo), _np(to), rtol=1e-7, atol=1e-9, equal_nan=True,
                                       err_msg=what)
    elif isinstance(to, (torch.Size, tuple, list)) and not isinstance(to, str):
        assert isinstance(mo, (tuple, list)), f"{what}: {type(mo)} vs {type(to)}"
        assert len(mo) == len(to), f"{what}: {mo} vs {to}"
        for k, (a, t) in enumerate(zip(mo, to)):
            _compare(a, t, f"{what}[{k}]", values)
    elif isinstance(to, torch.dtype):
        assert _dtype_name(mo) == _dtype_name(to), f"{what}: {mo} vs {to}"
    elif isinstance(to, np.ndarray):
        assert mo.shape == to.shape and mo.dtype == to.dtype, f"{what}: {mo!r} vs {to!r}"
        np.testing.assert_array_equal(mo, to)
    else:
        assert type(mo) is type(to) or (values is False), f"{what}: {mo!r} vs {to!r}"
        if values:
            both_nan = isinstance(to, float) and np.isnan(to) and np.isnan(mo)
            assert mo == to or both_nan, f"{what}: {mo!r} vs {to!r}"


def _case_id(c):
    name, _, _, specs, opts = c
    tag = f"[{opts['tag']}]" if opts.get("tag") else ""
    return f"{name}{tag}-{','.join(map(repr, specs))}" + (
        "-train" if opts.get("module") and opts.get("train", True) else "")


def _params(c):
    owned = OWNED_ELSEWHERE.get(_case_id(c))
    marks = [pytest.mark.xfail(strict=False, reason=f"{owned[0]}: {owned[1]}")] if owned else []
    return pytest.param(c, id=_case_id(c), marks=marks)


@pytest.mark.parametrize("c", [_params(c) for c in CASES])
def test_sweep(c):
    _, mg_fn, torch_fn, specs, opts = c
    rng = np.random.default_rng(zlib.crc32(_case_id(c).encode()))
    arrays = [s.array(rng) for s in specs]
    grad = opts.get("grad", True)
    xs = [mg.Tensor._make(a) for a in arrays]
    ts = [torch.tensor(a.copy()) for a in arrays]
    for x, t, s in zip(xs, ts, specs):
        if grad and s.grad:
            x.requires_grad_()
            t.requires_grad_()
    mg_extra, t_extra = [], []
    if "module" in opts:
        mm, tm = opts["module"]()
        mg_fn, torch_fn = mm, tm
        named = dict(tm.named_parameters())
        for n, prm in mm.named_parameters():
            mg_extra.append(prm)
            t_extra.append(named[n])
    values = opts.get("values", True)
    tout, terr = _run(torch_fn, ts)
    mout, merr = _run(mg_fn, xs)
    if terr is not None:
        assert merr is not None, f"torch raises {terr!r}; minigrad returns {mout!r}"
        kind = _builtin_kind(terr)
        assert isinstance(merr, kind), f"torch raises {kind.__name__} ({terr}); minigrad " \
                                       f"{type(merr).__name__} ({merr})"
        last = traceback.extract_tb(merr.__traceback__)[-1].filename
        assert "/numpy/" not in last and "/cupy/" not in last, \
            f"minigrad's error comes from inside NumPy ({last}): {merr!r}"
        return
    if merr is not None:
        raise AssertionError(f"torch works, minigrad raises {merr!r}") from merr
    mouts, touts = _as_list(mout), _as_list(tout)
    if not isinstance(tout, (tuple, list)) or isinstance(tout, torch.Size):
        mouts, touts = [mout], [tout]
    assert len(mouts) == len(touts), (mout, tout)
    for k, (a, t) in enumerate(zip(mouts, touts)):
        _compare(a, t, f"output {k}", values)
    # gradients for a random upstream gradient (only where the values are deterministic)
    if not values:
        return
    diff = [(a, t) for a, t in zip(mouts, touts) if isinstance(t, torch.Tensor)
            and t.requires_grad]
    wrt_t = [t for t, s in zip(ts, specs) if t.requires_grad] + t_extra
    wrt_m = [x for x, s in zip(xs, specs) if x.requires_grad] + mg_extra
    if not diff or not wrt_t:
        return
    for a, t in diff:
        assert a.requires_grad, "torch's output requires grad, minigrad's does not"
    # the upstream gradient in each output's dtype (torch's engine casts it; see the report)
    ws = [rng.standard_normal(tuple(t.shape)).astype(_dtype_name(t.dtype)) for _, t in diff]
    g_t = torch.autograd.grad([t for _, t in diff], wrt_t, [torch.tensor(w) for w in ws],
                              allow_unused=True)
    g_m = mg.grad([a for a, _ in diff], wrt_m, [mg.tensor(w) for w in ws], allow_unused=True)
    for k, (gm, gt, x) in enumerate(zip(g_m, g_t, wrt_m)):
        gt = np.zeros(x.shape) if gt is None else gt.numpy()
        gm = np.zeros(x.shape) if gm is None else gm.numpy()
        assert gm.shape == gt.shape, f"grad {k}: shape {gm.shape} vs {gt.shape}"
        np.testing.assert_allclose(gm, gt, rtol=1e-7, atol=1e-9, equal_nan=True,
                                   err_msg=f"grad of input {k}")

