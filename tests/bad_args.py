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
DIM_NAMES = {"dim", "dim0", "dim1", "start_dim", "end_dim", "dims"}
HUGE = 2 ** 63


# Documented deviations from torch: (name regex, argument, bad-value label) -> why, or
# (category, why) for one category only. A call that matches is counted as "known" instead of
# its category. Every entry must still match a call of the fixed sweep, or be listed in
# KNOWN_FROM_DRAWS (met only by the property test's random values), so that a fix makes its
# entry fail until it is deleted (tests/test_bad_args.py).
_EMPTY = r"(Arr\((\d+, )*0(, \d+)*,?\)|empty \(.*\)).*"     # labels of empty tensors
_EXPLICIT_NONE = ("explicit None is read as the omitted argument (the Python default): the "
                  "result is torch's for the call without it")
KNOWN = {
    (r"(mg|Tensor)\.(max|min|median|nanmedian|squeeze|prod)", "dim", "None"): _EXPLICIT_NONE,
    (r"(mg|Tensor)\.(max|min)", "other", "None"): _EXPLICIT_NONE,
    (r"(mg|Tensor)\.(std|var|std_mean|var_mean)", "unbiased", "None"): _EXPLICIT_NONE,
    (r"mg\.arange", "end", "None"): _EXPLICIT_NONE,
    (r"mg\.eye", "m", "None"): _EXPLICIT_NONE,
    (r"mg\.finfo", "type", "None"): _EXPLICIT_NONE,
    (r"(mg|Tensor)\.logsumexp", "dim", r"\[\]|\(\)"): (
        "torch's logsumexp fails on an empty dim list (an internal shape error); minigrad "
        "reduces over all dims, as torch.sum(dim=[]) does"),
    (r"(mg|Tensor)\.(std|var)(_mean)?", "correction", "nan"): (
        "correction=nan: torch divides by max(0, N - nan) = 0 (inf), minigrad by nan (nan)"),
    (r"mg\.(tensor|as_tensor|Tensor)|Tensor\.new_tensor", "data|args", r".*\[\].*"): (
        "ragged data with an empty list: torch sometimes builds an empty tensor from it "
        "(as_tensor([[], True]) is (2, 0)); minigrad refuses ragged data"),
    (r"mg\.save", "obj", r"<object object.*"): (
        "mg.save writes no pickle: tensors, arrays, numbers, strings and containers of them"),
    (r"Tensor\.to", "args", r"-?([\d.]+(e[-+]?\d+)?|inf|nan)"): (
        "torch reads a Python float positional as the float64 dtype; minigrad asks for a dtype"),
    (r"F\.scaled_dot_product_attention", "dropout_p", r"(np\.float64\()?-.*|nan"): (
        "torch does not range-check dropout_p here; minigrad keeps dropout's [0, 1] check"),
    (r"F\.gumbel_softmax", "tau", r"(np\.float64\()?(-.*|0|0\.0\)?)|nan"): (
        "torch takes any tau (NaN or reversed-order samples); minigrad requires tau > 0"),
    (r"nn\.MultiheadAttention", "dropout", r".*"): (
        "stricter", "torch checks dropout only where it is used (training forward); minigrad "
        "checks it in the constructor"),
    (r"F\.adaptive_avg_pool2d|nn\.AdaptiveAvgPool2d", "output_size", r"np\.int64\(.*\)"): (
        "silent", "torch fails on a NumPy int output_size (it calls len() on it); minigrad "
        "takes it as the int it is"),
    (r"(mg|Tensor)\.pow_?", "exponent", r"(np\.float64\()?-?[\d.]+(e[-+]?\d+)?\)?"): (
        "differs", "bug in arith.Pow (reported, not fixed here): a float exponent is rounded to "
        "the tensor's dtype first, so x ** 9.999999999999998 on float32 is x ** 10 (torch keeps "
        "the double exponent: NaN for a negative base)"),
    (r"F\.drop_path|nn\.DropPath\.forward", "x", r"Arr\(\):.*"): (
        "stricter", "drop_path drops whole samples along dim 0, so a 0-d input has none (timm "
        "fails too); the stand-in torch.dropout takes it"),
    (r"F\.scaled_dot_product_attention", "scale", r"(np\.float64\()?-inf\)?"): (
        "differs", "scale=-inf makes a row's scores all -inf: minigrad gives such a row zeros "
        "(its rule for a fully masked row), torch NaN"),
    (r"(mg|Tensor)\.split", "split_size(_or_sections)?", r"np\.int64.*"): (
        "silent", "torch's split takes only a Python int (a NumPy int is read as a list and "
        "fails); minigrad takes it as the int it is"),
    (r"mg\.tensordot", "dims", r"np\.int64.*"): (
        "silent", "torch's tensordot refuses a NumPy int for dims; minigrad takes it as an int"),
    (r"Tensor\.(addmm|addbmm|baddbmm|addmv)_", "self", r"Arr\(.*\):.*"): (
        "stricter", "torch's add-product in-place ops resize a smaller self to the product's "
        "shape; "
        "minigrad refuses an in-place result of another shape, as for every in-place op"),
    (r"F\.softplus", "beta", r"(np\.float64\()?0(\.0)?\)?"): (
        "torch takes beta=0 (and divides by it); minigrad raises"),
    (r"F\.(linear_)?cross_entropy", "label_smoothing", r"(np\.float64\()?-.*|nan"): (
        "torch does not range-check label_smoothing on this path; minigrad requires [0, 1]"),
    (r"F\.linear_cross_entropy", "options", r".*"): ("stricter", (
        "torch ignores `options` whenever it falls back to its reference path (here: "
        "label_smoothing), whatever the object; minigrad checks its type every time")),
    (r"nn\.BatchNorm[12]d", "num_features", r"\[\d+(, \d+)*\]"): (
        "torch accepts a list only because torch.empty does; minigrad asks for an int"),
    # issue 15: norm
    (r"nn\.BatchNorm3d", "num_features", r"\[\d+(, \d+)*\]"): (
        "torch accepts a list only because torch.empty does; minigrad asks for an int"),
    (r"F\.instance_norm", "running_mean", r"dtype .*"): (
        "stricter", "torch's CPU kernel checks running_var's dtype but not running_mean's "
        "(then writes the update into it); minigrad requires the input's dtype for both"),
    (r"(mg|Tensor)\.addbmm_?", "alpha", r"(np\.float64\()?-?inf\)?"): (
        "differs", "alpha=inf: torch's float64 CPU kernel hands alpha to BLAS, where inf * 0 "
        "terms make every entry nan; minigrad scales each batch's product and sums, which is "
        "torch's float32 result and its documented formula"),
    (r"mg\.(tensor|as_tensor|Tensor)|Tensor\.new_tensor", "data|args", r".*''.*"): (
        "torch reads a str in the data as a sequence of characters ('' is an empty list); "
        "minigrad refuses str data"),
    (r".*", r".*", r"'(torch\.)?(bool|u?int(8|16|32|64)|float(16|32|64))'"): (
        "silent", "minigrad accepts a dtype by its full name ('float16'), an extension of "
        "torch (tests/test_tensor.py relies on it)"),
    # ---- issue 15: seq ----
    (r"nn\.utils\.rnn\.pack_padded_sequence", "input", r"Arr\(.*"): (
        "stricter", "a length beyond the input's padded length: torch reads past the end of "
        "the input (undefined behaviour); minigrad raises"),
    (r".*", r".*", _EMPTY): (
        "stricter", "an empty tensor: torch skips some checks when there is nothing to compute "
        "(the dtype in softmax, normal_, dropout, batch_norm, adaptive pooling and gather's "
        "index; sdpa's batch broadcast); minigrad checks whatever the size"),
}


KNOWN_FROM_DRAWS = {
    (r"(mg|Tensor)\.addbmm_?", "alpha", r"(np\.float64\()?-?inf\)?"),
    (r"nn\.utils\.rnn\.pack_padded_sequence", "input", r"Arr\(.*"),      # issue 15: seq
    (r"Tensor\.(addmm|addbmm|baddbmm|addmv)_", "self", r"Arr\(.*\):.*"),
    (r"(mg|Tensor)\.(std|var)(_mean)?", "correction", "nan"),
    (r"(mg|Tensor)\.logsumexp", "dim", r"\[\]|\(\)"),
    (r"mg\.finfo", "type", "None"),
    (r"mg\.save", "obj", r"<object object.*"),
    (r".*", r".*", r"'(torch\.)?(bool|u?int(8|16|32|64)|float(16|32|64))'"),
    (r"F\.scaled_dot_product_attention", "scale", r"(np\.float64\()?-inf\)?"),
    (r"F\.drop_path|nn\.DropPath\.forward", "x", r"Arr\(\):.*"),
    (r"(mg|Tensor)\.pow_?", "exponent", r"(np\.float64\()?-?[\d.]+(e[-+]?\d+)?\)?"),
    (r"F\.adaptive_avg_pool2d|nn\.AdaptiveAvgPool2d", "output_size", r"np\.int64\(.*\)"),
    (r"F\.softplus", "beta", r"(np\.float64\()?0(\.0)?\)?"),
    (r"mg\.(tensor|as_tensor|Tensor)|Tensor\.new_tensor", "data|args", r".*''.*"),
    (r"mg\.(tensor|as_tensor|Tensor)|Tensor\.new_tensor", "data|args", r".*\[\].*"),
}


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


# ---- bad values by kind of argument ---------------------------------------------------------
def _ndim_of(entry):
    for a in entry.args:
        if isinstance(a, Arr):
            return len(a.shape)
    return 2


def tensor_bads(a, receiver=False):
    """Bad stand-ins for tensor `a`; for a method's receiver only other tensors make sense."""
    out = [] if receiver else [("None", None), ("list", a.array().tolist()),
                                ("ndarray", a.array()), ("number 1.5", 1.5)]
    alternatives = {"f": [("i", None), ("b", None), ("f", "float64")],
                    "p": [("i", None), ("b", None), ("p", "float64")],
                    "i": [("f", None), ("b", None), ("i", "int32")],
                    "b": [("f", None), ("i", None)]}[a.kind]
    for kind, dtype in alternatives:
        b = a.like(kind=kind, dtype=dtype)
        if kind == "i" and a.kind != "i":
            b.high = 1000                   # (few ties: topk/sort indices then agree)
        out.append((f"dtype {b.dtype_name()}", b))
    longer = a.shape[:-1] + (a.shape[-1] + 1,) if a.shape else (2,)
    out.append((f"shape {longer}", a.like(shape=longer)))
    out.append((f"shape {a.shape + (2,)}", a.like(shape=a.shape + (2,))))
    if a.shape:
        empty = (0,) + a.shape[1:]
        out.append((f"empty {empty}", a.like(shape=empty)))
        out.append((f"empty {empty} int64", a.like(shape=empty, kind="i" if a.kind != "i"
                                                   else "f")))
    if a.kind == "i" and a.fixed is None:
        out.append(("index 99", a.like(fill=99)))
        out.append(("index -7", a.like(fill=-7)))
    return out


def tensors_bads(seq):
    a = seq[0]
    longer = a.shape[:-1] + (a.shape[-1] + 1,) if a.shape else (2,)
    return [("None", None), ("a tensor, not a list", a), ("[]", []), ("[t, None]", [a, None]),
            ("[t, ndarray]", [a, a.array()]), (f"[t, shape {longer}]", [a, a.like(shape=longer)]),
            ("[t, int64 t]", [a, a.like(kind="i")])]


def bads_for(kind, value, entry):
    """[(label, bad value)] for one argument of the given kind whose valid value is `value`."""
    if kind == "tensor":
        return tensor_bads(value) if isinstance(value, Arr) else \
            [("None", None), ("list", [1.0, 2.0]), ("number 1.5", 1.5)]
    if kind == "receiver":
        return tensor_bads(value, receiver=True)
    if kind == "tensors":
        return tensors_bads(value)
    if kind == "int":
        return [("None", None), ("1.5", 1.5), ("-1", -1), ("0", 0), ("100", 100),
                ("2**63", HUGE), (f"[{value}]", [value]), ("np.int64", np.int64(value)),
                ("'2'", "2")]
    if kind == "dim":
        n = _ndim_of(entry)
        d = value if isinstance(value, int) else 0
        return [("None", None), ("1.5", 1.5), (f"{n + 1}", n + 1), (f"{-n - 2}", -n - 2),
                (f"[{d}]", [d]), (f"({d}, {d})", (d, d)), ("np.int64", np.int64(d)),
                ("2**63", HUGE), ("'a'", "a")]
    if kind == "ints" or kind == "dims":
        v = tuple(value)
        out = [("None", None), ("1.5", 1.5), ("list", list(v)), ("ndarray", np.array(v)),
               ("()", ())]
        if v:
            out += [("with 1.5", (1.5,) + v[1:]), ("with -1", (-1,) + v[1:]),
                    ("with 2**63", (HUGE,) + v[1:]), ("longer", v + v[:1]),
                    ("shorter", v[:-1])]
        if kind == "dims":
            out += [("out of range", tuple(range(1, len(v) + 1))),
                    ("repeated", (0,) * len(v))]
        return out
    if kind == "float":
        return [("None", None), ("'0.5'", "0.5"), (f"[{value}]", [value]), ("-1.0", -1.0),
                ("1.5", 1.5), ("nan", math.nan), ("inf", math.inf), ("np.float64",
                                                                      np.float64(value))]
    if kind == "bool":
        return [("None", None), ("'yes'", "yes"), ("2", 2), ("np.bool_", np.bool_(not value))]
    if kind == "str":
        return [("None", None), ("'bogus'", "bogus"), ("1", 1)]
    if kind == "dtype":
        return [("'bogus'", "bogus"), ("1.5", 1.5), ("3", 3)]
    if kind == "data":
        return [("None", None), ("'abc'", "abc"), ("ragged", [[1, 2], [3]]), ("[None]", [None]),
                ("dict", {1: 2}), ("object()", object())]
    if kind == "key":
        n = value if isinstance(value, int) else 0
        return [("99", 99), ("-99", -99), ("1.5", 1.5), ("'a'", "a"), ("[0, 99]", [0, 99]),
                ("ndarray [0, 99]", np.array([0, 99])), ("float tensor", Arr(2)),
                ("bool mask (2,)", Arr(2, kind="b")), ("(0, 0, 0)", (0, 0, 0)),
                ("None", None), ("np.int64", np.int64(n))]
    if kind == "object":
        return [("None", None), ("1.5", 1.5), ("'a'", "a")]
    if kind == "path":
        missing = os.path.join(calls._tmpdir(), "missing", "x.pt")
        return [("None", None), ("1.5", 1.5), ("['x']", ["x"]), ("missing dir", missing)]
    raise ValueError(f"bads_for: unknown kind {kind!r}")


def kind_of(name, value):
    """The kind of an argument, from its valid value and name (None: not varied)."""
    if isinstance(value, (Arr, Expr)):
        return "tensor"
    if isinstance(value, list) and value and isinstance(value[0], Arr):
        return "tensors"
    if isinstance(value, Dt):
        return "dtype"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, int):
        return "dim" if name in DIM_NAMES else "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return "dims" if name in DIM_NAMES else "ints"
    if isinstance(value, np.ndarray):
        return "data"
    return None


def variations(entry):
    """[(key, arg name, kind, label, bad value)] for every varied argument of the entry."""
    out = []
    for key, name, value in entry.arguments():
        kind = entry.kinds.get(name) or kind_of(name, value)
        if key == ("pos", 0) and entry.receiver:
            kind = "receiver" if isinstance(value, Arr) else None
        if kind is None or name in entry.fixed:
            continue
        for label, bad in bads_for(kind, value, entry):
            if label in entry.avoid.get(name, ()):
                continue
            out.append((key, name, kind, label, bad))
    return out


# ---- running and comparing ------------------------------------------------------------------
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
