"""The bad values the sweep of tests/bad_args.py tries, by kind of argument (a tensor, a
dim, a size, a float, ...), and the variations of one valid call they make."""
from __future__ import annotations

import math
import os

import numpy as np

try:                                    # python -m tests.bad_args
    from . import bad_args_calls as calls
except ImportError:                     # pytest (tests/ on sys.path)
    import bad_args_calls as calls

Arr, Dt, Expr = calls.Arr, calls.Dt, calls.Expr
DIM_NAMES = {"dim", "dim0", "dim1", "start_dim", "end_dim", "dims"}
HUGE = 2 ** 63


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
