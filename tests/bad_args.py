"""Bad-argument sweep (issue 14): every public minigrad callable, one argument at a time replaced
by a bad value, run side by side with torch and classified.

    python -m tests.bad_args          (from the repository root; or python tests/bad_args.py)

prints the counts and every case that breaks the rule. The rule: given None, a list, a NumPy
array, a wrong dtype, a negative or out-of-range size, dim or index, a non-integer where an int
is required, or mismatched shapes, a public function either does what torch does (torch accepts
it too and the results match) or raises TypeError/ValueError/IndexError/RuntimeError from
minigrad's own code with a message naming the function or the argument.

Categories:
  clear     minigrad raises an allowed class from its own code, naming function or argument
  same      both accept with equal results, or both raise the same builtin error with the same
            text (Python's own "unsupported operand" TypeError, say)
  unclear   minigrad raises a disallowed class (AttributeError, ZeroDivisionError, ...), or from
            inside NumPy, or with a message that names neither function nor argument
  silent    minigrad accepts what torch rejects
and two more the rule also forbids: `differs` (both accept, results differ) and `stricter`
(torch accepts, minigrad raises a clear error; point 4 of the issue: accept it too).

This is a test helper, not library code: it needs torch, which minigrad must never import.
The table of valid calls lives in tests/bad_args_calls.py.
"""
from __future__ import annotations

import math
import os
import re
import sys
import traceback
import warnings
from collections import Counter

import numpy as np
import torch

import minigrad as mg

try:                                    # python -m tests.bad_args
    from . import bad_args_calls as calls
except ImportError:                     # pytest (tests/ on sys.path) or python tests/bad_args.py
    import bad_args_calls as calls

Arr, Dt, Expr = calls.Arr, calls.Dt, calls.Expr
CATEGORIES = ("clear", "same", "unclear", "silent", "differs", "stricter", "known")
ALLOWED = (TypeError, ValueError, IndexError, RuntimeError)
FORBIDDEN = (RecursionError,)           # a RuntimeError subclass, but never acceptable
MG_DIR = os.path.dirname(os.path.abspath(mg.__file__)) + os.sep

# Documented deviations from torch: KNOWN and KNOWN_FROM_DRAWS (tests/bad_args_known.py).
try:                                    # python -m tests.bad_args
    from .bad_args_known import KNOWN, KNOWN_FROM_DRAWS  # noqa: F401
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_known import KNOWN, KNOWN_FROM_DRAWS  # noqa: F401


def known_reason(name, argname, label, category=None):
    """Why this deviation is accepted, or None. A KNOWN value (category, why) applies to that
    category only."""
    for (pat, arg, lab), why in KNOWN.items():
        only, why = why if isinstance(why, tuple) else (None, why)
        if only not in (None, category):
            continue
        if re.fullmatch(pat, name) and re.fullmatch(arg, argname) and re.fullmatch(lab, label):
            return why
    return None


# the bad values, by kind of argument: tests/bad_args_values.py
try:                                    # python -m tests.bad_args
    from .bad_args_values import (DIM_NAMES, HUGE, bads_for, kind_of,  # noqa: F401
                                  tensor_bads, tensors_bads, variations)
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_values import (DIM_NAMES, HUGE, bads_for, kind_of,  # noqa: F401
                                 tensor_bads, tensors_bads, variations)


def _run(entry, lib, key, bad, ctx):
    grad_on = lib.is_grad_enabled()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            args, kwargs = entry.substituted(lib, key, bad)
            return entry.invoke(lib, ctx, args, kwargs), None
    except Exception as e:   # noqa: BLE001 - every exception is classified below
        return None, e
    finally:
        lib.set_grad_enabled(grad_on)
        if lib is mg:
            mg.set_default_dtype(mg.float32)
        else:
            torch.set_default_dtype(torch.float32)


def _dtype_name(d):
    return str(d).replace("torch.", "")


def summary(x, values=True):
    """A framework-neutral picture of a result, for comparing minigrad's with torch's."""
    if isinstance(x, (mg.Tensor, torch.Tensor)):
        a = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x.detach().numpy()
        return ("tensor", tuple(x.shape), _dtype_name(x.dtype), a if values else None)
    if isinstance(x, (mg.nn.Module, torch.nn.Module)):
        return ("module", sorted((k, tuple(v.shape)) for k, v in x.state_dict().items()))
    if isinstance(x, np.ndarray):
        return ("array", x.shape, x.dtype.name, x if values else None)
    if isinstance(x, dict):
        return {k: summary(v, values) for k, v in x.items()}
    if isinstance(x, (tuple, list)):
        return [summary(v, values) for v in x]
    if isinstance(x, (np.dtype, torch.dtype)) or x in (np.float32, np.float64, np.int64):
        return ("dtype", _dtype_name(np.dtype(x) if not isinstance(x, torch.dtype) else x))
    if isinstance(x, (mg.device, torch.device)):
        return ("device", str(x))
    if isinstance(x, np.generic):
        return x.item()
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if hasattr(x, "bits") and hasattr(x, "max"):             # finfo / iinfo
        return ("info", x.bits, float(x.max), float(x.min))
    return ("object",)                                       # context managers and the like


def same(a, b):
    """(equal, why not) for two summaries."""
    if isinstance(a, tuple) and a and a[0] in ("tensor", "array"):
        if not (isinstance(b, tuple) and b and b[0] == a[0]):
            return False, f"minigrad {a[:3]} vs torch {b!r:.80}"
        if a[1] != b[1] or a[2] != b[2]:
            return False, f"minigrad {a[1]} {a[2]} vs torch {b[1]} {b[2]}"
        if a[3] is not None and b[3] is not None:
            x, y = a[3], b[3]
            if x.dtype.kind in "fc" or y.dtype.kind in "fc":
                ok = np.allclose(x.astype(np.float64), y.astype(np.float64), rtol=1e-4,
                                 atol=1e-5, equal_nan=True)
            else:
                ok = np.array_equal(x, y)
            if not ok:
                return False, "values differ"
        return True, ""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False, f"{len(a)} results vs torch's {len(b)}"
        for u, v in zip(a, b):
            ok, why = same(u, v)
            if not ok:
                return ok, why
        return True, ""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return False, "different keys"
        return same(list(a.values()), list(b.values()))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True, ""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7), f"{a!r} vs torch {b!r}"
    return a == b, f"minigrad {a!r:.80} vs torch {b!r:.80}"


def _values_only(s):
    """(values, indices) -> values; an index tensor alone -> its shape and dtype."""
    if isinstance(s, list) and s:
        return s[0]
    if isinstance(s, tuple) and s and s[0] == "tensor":
        return s[:3] + (None,)
    return s


def _last_frame(exc):
    tb = traceback.extract_tb(exc.__traceback__)
    return tb[-1].filename if tb else "?"


def _names(msg, words):
    low = msg.lower()
    return any(re.search(rf"(?<![a-z0-9]){re.escape(w.lower())}(?![a-z0-9])", low)
               for w in words if w)


def unclear_reason(exc, entry, argname, torch_exc=None):
    """Why minigrad's exception breaks the rule, or '' when it is a clear error. Besides the
    four allowed classes, torch's own class is fine (MultiheadAttention's AssertionError),
    unless it is one the rule forbids outright."""
    kind = type(exc)
    torch_kind = None if torch_exc is None else _builtin(type(torch_exc))
    allowed = issubclass(kind, ALLOWED) or (kind is torch_kind and torch_kind is AssertionError)
    if not allowed or issubclass(kind, FORBIDDEN):
        return f"{kind.__name__} is not an allowed class"
    if kind.__module__ != "builtins" and kind.__module__.split(".")[0] != "minigrad":
        return f"{kind.__module__}.{kind.__name__} is not a builtin class"
    where = _last_frame(exc)
    if not os.path.abspath(where).startswith(MG_DIR):
        return f"raised in {where}"
    if not _names(str(exc), entry.words() + [argname]):
        return "message names neither the function nor the argument"
    return ""


def _builtin(kind):
    return next(k for k in kind.__mro__ if k.__module__ == "builtins")


def judge(entry, key, argname, bad):
    """(category, detail) for the entry called with argument `key` replaced by `bad`."""
    ctx = {}
    t_out, t_exc = _run(entry, torch, key, bad, ctx)     # torch first: modules copy its state
    m_out, m_exc = _run(entry, mg, key, bad, ctx)
    if m_exc is None:
        if t_exc is not None:
            return "silent", f"torch raises {type(t_exc).__name__}: {_short(t_exc)}"
        values = entry.values and argname not in entry.random
        ms, ts = summary(m_out, values), summary(t_out, values)
        ok, why = same(ms, ts)
        if not ok and entry.ties:           # equal values may come in another order: compare
            ms, ts = _values_only(ms), _values_only(ts)   # the values, not the indices
            ok = same(ms, ts)[0]
        return ("same", "") if ok else ("differs", why)
    mine = f"{type(m_exc).__name__}: {_short(m_exc)}"
    reason = unclear_reason(m_exc, entry, argname, t_exc)
    if reason:
        if t_exc is not None and _builtin(type(m_exc)) is _builtin(type(t_exc)) \
                and str(m_exc) == str(t_exc) and _last_frame(m_exc).startswith(MG_DIR):
            return "same", mine                                  # torch's own words
        return "unclear", f"{reason}; {mine}"
    if t_exc is None:
        return "stricter", f"torch accepts; minigrad {mine}"
    return "clear", mine


def _short(exc, n=160):
    s = " ".join(str(exc).split())
    return s if len(s) <= n else s[:n] + "..."


class _TorchFloat32:
    """The sweep runs with torch's default dtype float32 (tests/conftest.py sets float64)."""

    def __enter__(self):
        self.prev = torch.get_default_dtype()
        torch.set_default_dtype(torch.float32)

    def __exit__(self, *exc):
        torch.set_default_dtype(self.prev)


def valid_call_problems(entries=None):
    """[(entry name, what)] for rows whose valid call does not run alike in both frameworks:
    the sweep's baseline must be right before any bad value means anything."""
    out = []
    with _TorchFloat32():
        for entry in entries if entries is not None else calls.ENTRIES:
            ctx = {}
            t_out, t_exc = _run(entry, torch, None, None, ctx)
            m_out, m_exc = _run(entry, mg, None, None, ctx)
            if t_exc is not None or m_exc is not None:
                out.append((entry.name, f"torch: {t_exc!r:.150}; minigrad: {m_exc!r:.150}"))
                continue
            ok, why = same(summary(m_out, entry.values), summary(t_out, entry.values))
            if not ok:
                out.append((entry.name, why))
    return out


def sweep(entries=None):
    """[(entry name, arg name, label, category, detail)] for every variation."""
    rows = []
    with _TorchFloat32():
        for entry in entries if entries is not None else calls.ENTRIES:
            for key, name, _kind, label, bad in variations(entry):
                cat, detail = judge(entry, key, name, bad)
                why = known_reason(entry.name, name, label, cat) \
                    if cat not in ("clear", "same") else None
                if why:
                    cat, detail = "known", f"{cat}: {why}"
                rows.append((entry.name, name, label, cat, detail))
    return rows


def report(rows, out=sys.stdout):
    counts = Counter(r[3] for r in rows)
    names = {r[0] for r in rows}
    print(f"swept {len(calls.ENTRIES)} callables ({len(names)} with varied arguments), "
          f"{len(rows)} calls", file=out)
    print("  ".join(f"{c}: {counts.get(c, 0)}" for c in CATEGORIES), file=out)
    for cat in CATEGORIES[2:-1]:
        for r in rows:
            if r[3] == cat:
                print(f"[{cat}] {r[0]}({r[1]}={r[2]}): {r[4]}", file=out)
    return counts


def main():
    for name, what in valid_call_problems():
        print(f"[invalid row] {name}: {what}")
    rows = sweep()
    counts = report(rows)
    print(f"known (documented deviations, listed in KNOWN): {counts.get('known', 0)}")
    return 1 if any(counts.get(c) for c in CATEGORIES[2:-1]) else 0


if __name__ == "__main__":
    sys.exit(main())
