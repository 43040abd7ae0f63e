"""Checking gradients: gradcheck, gradgradcheck (central differences in float64), assert_close.

gradcheck(fn, inputs) compares every analytic gradient d(sum(out * v))/d(input) for a fixed
random v against central differences, and raises an error naming the input and the worst
element when they differ.
"""
from __future__ import annotations

import numpy as np

from . import autograd
from .tensor import Tensor


class GradcheckError(AssertionError):
    pass


def to_numpy(x):
    """Host NumPy copy of a minigrad tensor, NumPy/CuPy array, torch tensor or number."""
    if isinstance(x, Tensor):
        return np.asarray(x.numpy(force=True))
    if hasattr(x, "detach") and hasattr(x, "cpu"):          # torch.Tensor, without importing torch
        return x.detach().numpy(force=True)                 # force: zero/conj tensors, GPU
    if hasattr(x, "get"):                                   # cupy.ndarray
        return x.get()
    return np.asarray(x)


def assert_close(actual, expected, rtol=1e-7, atol=1e-7, msg=""):
    """Elementwise |a - e| <= atol + rtol |e| (NaNs must match); shapes must be equal."""
    a, e = to_numpy(actual), to_numpy(expected)
    if a.shape != e.shape:
        raise AssertionError(f"{msg}shape mismatch: {tuple(a.shape)} vs {tuple(e.shape)}")
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    same_nan = np.isnan(a64) == np.isnan(e64)
    err = np.abs(a64 - e64)
    bad = ~same_nan | (~np.isnan(e64) & ~(err <= atol + rtol * np.abs(e64)) & (a64 != e64))
    if bad.any():
        i = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1)), a.shape)
        raise AssertionError(f"{msg}{int(bad.sum())} of {a.size} elements differ; worst at index "
                             f"{tuple(int(k) for k in i)}: {a64[i]!r} vs {e64[i]!r} "
                             f"(rtol={rtol}, atol={atol})")


def _outputs(fn, inputs):
    out = fn(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _weighted_sum(fn, inputs, weights):
    return sum(float((o.detach() * w).sum().item()) for o, w in zip(_outputs(fn, inputs), weights))


def _numerical(fn, inputs, k, weights, eps):
    """Central difference of sum(out * w) with respect to inputs[k]."""
    x = inputs[k]
    flat = x.data.reshape(-1)
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        old = flat[i].item()
        flat[i] = old + eps
        plus = _weighted_sum(fn, inputs, weights)
        flat[i] = old - eps
        minus = _weighted_sum(fn, inputs, weights)
        flat[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """True if analytic and numerical gradients of fn agree for every float64 input.

    `inputs` are tensors (those with requires_grad are checked) or a single tensor.
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for k, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype != np.float64:
            raise GradcheckError(f"gradcheck: inputs[{k}] is {x.dtype}; use float64 inputs")
    checked = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn, inputs)
    rng = np.random.default_rng(seed)
    weights = [Tensor._make(rng.standard_normal(o.shape)) for o in outs]
    diff_outs = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
    if not diff_outs:
        raise GradcheckError("gradcheck: no output requires grad")
    grads = autograd.grad([o for o, _ in diff_outs], [inputs[k] for k in checked],
                          [w for _, w in diff_outs], allow_unused=True)
    for k, g in zip(checked, grads):
        num = _numerical(fn, inputs, k, weights, eps)
        ana = np.zeros(inputs[k].shape) if g is None else to_numpy(g)
        err = np.abs(ana - num)
        bad = err > atol + rtol * np.abs(num)
        if bad.any():
            i = np.unravel_index(np.argmax(err), err.shape)
            raise GradcheckError(
                f"gradcheck: gradient of inputs[{k}] (shape {tuple(inputs[k].shape)}) differs at "
                f"index "
                f"{tuple(int(v) for v in i)}: analytic {ana[i]!r}, numerical {num[i]!r} "
                f"({int(bad.sum())} of {bad.size} elements out of tolerance)")
    return True


def gradgradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=1):
    """gradcheck applied to the first derivative (built with create_graph=True)."""
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    checked = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    rng = np.random.default_rng(seed)
    outs = _outputs(fn, inputs)
    weights = [Tensor._make(rng.standard_normal(o.shape)) for o in outs]

    def first_derivative(*xs):
        res = [o for o in _outputs(fn, xs) if o.requires_grad]
        ws = [w for o, w in zip(_outputs(fn, xs), weights) if o.requires_grad]
        grads = autograd.grad(res, [xs[k] for k in checked], ws, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs, eps, atol, rtol, seed)


# ---- compare_with_torch: the same computation in minigrad and in torch ---------------------
class ComparisonError(AssertionError):
    pass


class ComparisonRow:
    """One compared quantity: stage ('forward', 'grad', 'grad2'), which tensor, its errors."""
    __slots__ = ("max_abs", "max_rel", "name", "note", "ok", "shape", "stage")

    def __init__(self, stage, name, shape, max_abs, max_rel, ok, note=""):
        self.stage, self.name, self.shape, self.note = stage, name, shape, note
        self.max_abs, self.max_rel, self.ok = max_abs, max_rel, ok


class ComparisonReport:
    """What compare_with_torch found: one row per output, gradient and second derivative.

    max_abs is max |mg - torch|; max_rel is max_abs / max |torch| (a normwise relative error).
    `ok` is True when every element passed |mg - torch| <= atol + rtol |torch|.
    """

    def __init__(self, rtol, atol):
        self.rows, self.rtol, self.atol = [], rtol, atol
        self.outputs = []           # minigrad's outputs, for further checks by the caller

    @property
    def ok(self):
        return all(r.ok for r in self.rows)

    def max_error(self, stage):
        """Largest max_abs among rows of `stage`, or None when that stage was not compared."""
        errs = [r.max_abs for r in self.rows if r.stage == stage]
        return max(errs) if errs else None

    forward_error = property(lambda self: self.max_error("forward"))
    grad_error = property(lambda self: self.max_error("grad"))
    grad2_error = property(lambda self: self.max_error("grad2"))

    def raise_if_failed(self, title="compare_with_torch"):
        if not self.ok:
            bad = [f"{r.stage} of {r.name}" for r in self.rows if not r.ok]
            if all(r.stage.endswith("check") for r in self.rows):     # the no-torch fallback
                raise ComparisonError(f"{title}: {', '.join(bad)} failed (no torch: finite "
                                      f"differences)\n{self}")
            raise ComparisonError(f"{title}: minigrad and torch disagree on {', '.join(bad)} "
                                  f"(rtol={self.rtol}, atol={self.atol})\n{self}")
        return self

    def __str__(self):
        head = ("stage", "tensor", "shape", "max abs err", "max rel err", "result")
        rows = [head] + [(r.stage, r.name, str(r.shape), _num(r.max_abs), _num(r.max_rel),
                          ("ok" if r.ok else "FAIL") + (f" ({r.note})" if r.note else ""))
                         for r in self.rows]
        widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__

    def _add(self, stage, name, a, e):
        """Compare arrays a (minigrad) and e (torch), record a row."""
        if a is None or e is None:
            note = "missing in " + ("minigrad" if a is None else "torch")
            self.rows.append(ComparisonRow(stage, name, None, float("nan"), float("nan"), False,
                                           note))
            return
        a, e = to_numpy(a), to_numpy(e)
        if a.shape != e.shape or a.dtype != e.dtype:
            what = "shape" if a.shape != e.shape else "dtype"
            mine, theirs = (a.shape, e.shape) if what == "shape" else (a.dtype, e.dtype)
            self.rows.append(ComparisonRow(stage, name, a.shape, float("nan"), float("nan"),
                                           False, f"{what} {mine} vs torch {theirs}"))
            return
        a64, e64 = a.astype(np.float64), e.astype(np.float64)
        both_nan = np.isnan(a64) & np.isnan(e64)
        err = np.where(both_nan, 0.0, np.abs(a64 - e64))
        err = np.where(a64 == e64, 0.0, err)          # equal infinities
        max_abs = float(np.nan_to_num(err, nan=np.inf).max()) if err.size else 0.0
        scale = float(np.abs(e64[np.isfinite(e64)]).max()) if np.isfinite(e64).any() else 0.0
        max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else float("inf"))
        ok = True
        try:
            assert_close(a, e, self.rtol, self.atol)
        except AssertionError:
            ok = False
        self.rows.append(ComparisonRow(stage, name, a.shape, max_abs, max_rel, ok))


def _num(v):
    return "-" if v is None else f"{v:.2e}"


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def compare_with_torch(mg_fn, torch_fn, *arrays, grad=True, double=False, rtol=None, atol=None,
                       dtype="float64", device="cpu", requires_grad=None, seed=None,
                       check=True, gradcheck_fallback=False) -> ComparisonReport:
    """Run mg_fn on minigrad tensors and torch_fn on torch tensors built from the same data.

    `arrays` are NumPy arrays (or numbers/lists/tensors); float ones are cast to `dtype`
    (dtype=None keeps each array's own) and require grad (unless `requires_grad`, a list of
    bools, says otherwise); minigrad's live on `device`. Compares each output's shape, dtype
    and values, then (grad=True) gradients for one random upstream gradient, then (double=True)
    second derivatives. Returns a ComparisonReport (minigrad's outputs in `report.outputs`);
    with check=True a mismatch raises ComparisonError whose message holds the report table.
    Default tolerances: rtol=1e-7, atol=1e-9 in float64; rtol=1e-4, atol=1e-5 below.
    Without torch: ImportError, or with gradcheck_fallback=True, gradcheck (and gradgradcheck
    when double) of mg_fn in float64 on CPU.
    """
    data = [to_numpy(a) for a in arrays]
    if dtype is None:                   # each array as it is; tolerances of the narrowest float
        low = any(a.dtype.kind == "f" and a.dtype != np.float64 for a in data)
    else:
        data = [a.astype(dtype) if a.dtype.kind == "f" else a for a in data]
        low = np.dtype(dtype) != np.float64
    rtol = (1e-4 if low else 1e-7) if rtol is None else rtol
    atol = (1e-5 if low else 1e-9) if atol is None else atol
    if requires_grad is None:
        requires_grad = [grad and a.dtype.kind == "f" for a in data]
    if len(requires_grad) != len(data):
        raise ValueError(f"compare_with_torch: requires_grad has {len(requires_grad)} entries "
                         f"for {len(data)} arrays")
    from .creation import tensor
    xs = [tensor(a, device=device, requires_grad=r) for a, r in zip(data, requires_grad)]
    report = ComparisonReport(rtol, atol)
    try:
        import torch
    except ImportError:
        if not gradcheck_fallback:
            raise
        report.outputs = _as_list(mg_fn(*xs))
        if grad and any(requires_grad):
            _gradcheck_rows(report, mg_fn, data, requires_grad, double)
        return report.raise_if_failed() if check else report
    ts = [torch.tensor(a, requires_grad=bool(r)) for a, r in zip(data, requires_grad)]
    outs, touts = _as_list(mg_fn(*xs)), _as_list(torch_fn(*ts))
    report.outputs = outs
    if len(outs) != len(touts):
        report.rows.append(ComparisonRow("forward", "outputs", None, float("nan"), float("nan"),
                                         False, f"{len(outs)} outputs vs torch {len(touts)}"))
        return report.raise_if_failed() if check else report
    for k, (o, t) in enumerate(zip(outs, touts)):
        report._add("forward", f"output {k}", o, t)
    wrt = [k for k, r in enumerate(requires_grad) if r]
    pairs = [(o, t) for o, t in zip(outs, touts) if t.requires_grad or getattr(o, "requires_grad",
                                                                                 False)]
    comparable = all(not r.note for r in report.rows)      # same number and shapes of outputs
    if grad and wrt and pairs and comparable:
        _compare_grads(report, pairs, xs, ts, wrt, double, device, seed)
    return report.raise_if_failed() if check else report


def _gradcheck_rows(report, mg_fn, data, requires_grad, double):
    """The fallback without torch: gradcheck (and gradgradcheck) in float64 on CPU, one row
    each ('gradcheck', 'gradgradcheck'; their errors are not measured, only pass/fail)."""
    from .creation import tensor
    cpu = [tensor(a.astype(np.float64) if a.dtype.kind == "f" else a, requires_grad=r)
           for a, r in zip(data, requires_grad)]
    for stage, check in (("gradcheck", gradcheck), ("gradgradcheck", gradgradcheck))[:1 + double]:
        try:
            check(mg_fn, cpu)
            ok, note = True, "no torch: finite differences"
        except GradcheckError as e:
            ok, note = False, str(e)
        report.rows.append(ComparisonRow(stage, "inputs", None, float("nan"), float("nan"), ok,
                                         note))


def _grads(lib, outs, inputs, weights, create):
    """Gradients of sum(out * w) for the outputs that require grad; None where unused."""
    used = [(o, w) for o, w in zip(outs, weights) if o is not None and o.requires_grad]
    if not used:
        return [None] * len(inputs)
    return list(lib.autograd.grad([o for o, _ in used], inputs, [w for _, w in used],
                                  create_graph=create, allow_unused=True))


def _zeros_for(g, x):
    return np.zeros(tuple(x.shape), to_numpy(x).dtype) if g is None else g


def _compare_grads(report, pairs, xs, ts, wrt, double, device, seed):
    import torch

    from . import autograd as mg_autograd
    from .creation import tensor

    class _mg:                     # the namespace _grads calls: minigrad's grad()
        autograd = mg_autograd

    rng = np.random.default_rng(seed)
    ws = [rng.standard_normal(tuple(t.shape)).astype(to_numpy(t).dtype) for _, t in pairs]
    g_mg = _grads(_mg, [o for o, _ in pairs], [xs[k] for k in wrt],
                  [tensor(w, device=device) for w in ws], double)
    g_t = _grads(torch, [t for _, t in pairs], [ts[k] for k in wrt],
                 [torch.tensor(w) for w in ws], double)
    for k, a, b in zip(wrt, g_mg, g_t):
        report._add("grad", f"input {k}", _zeros_for(a, xs[k]), _zeros_for(b, xs[k]))
    if not double:
        return
    vs = [rng.standard_normal(tuple(xs[k].shape)).astype(xs[k].dtype) for k in wrt]
    gg_mg = _grads(_mg, g_mg, [xs[k] for k in wrt], [tensor(v, device=device) for v in vs],
                   False)
    gg_t = _grads(torch, g_t, [ts[k] for k in wrt], [torch.tensor(v) for v in vs], False)
    for k, a, b in zip(wrt, gg_mg, gg_t):
        report._add("grad2", f"input {k}", _zeros_for(a, xs[k]), _zeros_for(b, xs[k]))

