"""The valid calls the bad-argument sweep (tests/bad_args.py) starts from: one row per public
callable, written once for both frameworks. Argument values are plain Python values or the
nodes below (Arr: a tensor; Dt: a dtype; Expr: something built from other nodes), which become
minigrad or torch objects at call time, so both sides always get the same numbers.

Every public name has a row or an entry in SKIP with the reason (tests/test_bad_args.py checks).
"""
from __future__ import annotations

import importlib
import inspect
import os
import pathlib
import tempfile
import zlib

import numpy as np

import minigrad as mg

_DTYPES = {"f": "float32", "p": "float32", "i": "int64", "b": "bool"}


class Arr:
    """A tensor argument: kind f (normal floats), p (floats in (0.05, 0.95)), i (ints in
    [0, high)) or b (bools); `fixed` gives the values, `fill` one value everywhere."""

    def __init__(self, *shape, kind="f", high=4, dtype=None, fixed=None, fill=None, seed=0,
                 grad=False):
        self.shape, self.kind, self.high, self.dtype = tuple(shape), kind, high, dtype
        self.fixed, self.fill, self.seed, self.grad = fixed, fill, seed, grad

    def dtype_name(self):
        return self.dtype or _DTYPES[self.kind]

    def array(self):
        dt = self.dtype_name()
        if self.fixed is not None:
            return np.array(self.fixed).astype(dt)
        if self.fill is not None:
            return np.full(self.shape, self.fill, dtype=dt)
        r = np.random.default_rng(zlib.crc32(repr((self.shape, self.kind, self.high,
                                                   self.seed)).encode()))
        a = {"f": lambda: r.standard_normal(self.shape),
             "p": lambda: r.uniform(0.05, 0.95, self.shape),
             "i": lambda: r.integers(0, self.high, self.shape),
             "b": lambda: r.random(self.shape) < 0.5}[self.kind]()
        return np.asarray(a).astype(dt)

    def like(self, shape=None, kind=None, dtype=None, fill=None):
        """The same argument with another shape, kind (dtype family), dtype or fill."""
        keep = shape is None and fill is None
        return Arr(*(self.shape if shape is None else shape), kind=kind or self.kind,
                   high=self.high, dtype=dtype, fixed=self.fixed if keep else None, fill=fill,
                   seed=self.seed)

    def build(self, lib):
        t = lib.tensor(self.array())
        return t.requires_grad_() if self.grad else t

    def __repr__(self):
        return f"Arr{self.shape}:{self.dtype_name()}"


class Dt:
    """A dtype by name: mg.float64 on one side, torch.float64 on the other."""

    def __init__(self, name):
        self.name = name

    def build(self, lib):
        return getattr(lib, self.name)

    def __repr__(self):
        return self.name


class Expr:
    """fn(lib, *built deps): a value computed per framework (a graph output, a module)."""

    def __init__(self, fn, *deps):
        self.fn, self.deps = fn, deps

    def build(self, lib, memo):
        return self.fn(lib, *[build(d, lib, memo) for d in self.deps])


def build(v, lib, memo):
    """Turn a node (or a container of nodes) into lib's objects; each node is built once per
    call, so an Arr used twice is the same tensor both times."""
    if isinstance(v, (Arr, Dt, Expr)):
        if id(v) not in memo:
            memo[id(v)] = v.build(lib, memo) if isinstance(v, Expr) else v.build(lib)
        return memo[id(v)]
    if isinstance(v, np.ndarray):
        return v.copy()
    if type(v) in (list, tuple):
        return type(v)(build(a, lib, memo) for a in v)
    if type(v) is dict:
        return {k: build(a, lib, memo) for k, a in v.items()}
    return v


# Names an error message may use for a function: the function it forwards to (a method's
# function, an alias's original, a module's functional form).
ALIASES = {"subtract": ("sub",), "multiply": ("mul",), "divide": ("div", "floor_divide"),
           "div": ("floor_divide",), "true_divide": ("div",), "view": ("reshape",),
           "view_as": ("reshape",), "reshape_as": ("reshape",), "expand_as": ("expand",),
           "clip": ("clamp",), "clamp_min": ("clamp",), "clamp_max": ("clamp",),
           "concat": ("cat",), "concatenate": ("cat",), "as_tensor": ("tensor",),
           "max": ("maximum",), "min": ("minimum",), "std_mean": ("std",), "var_mean": ("var",),
           "BatchNorm1d": ("batch_norm",), "BatchNorm2d": ("batch_norm",),
           "LayerNorm": ("layer_norm",), "MaxPool2d": ("max_pool2d",),
           "AvgPool2d": ("avg_pool2d",), "AdaptiveAvgPool2d": ("adaptive_avg_pool2d",),
           "CrossEntropyLoss": ("cross_entropy",), "NLLLoss": ("nll_loss",),
           "MSELoss": ("mse_loss",), "L1Loss": ("l1_loss",), "SmoothL1Loss": ("smooth_l1_loss",),
           "BCELoss": ("binary_cross_entropy",),
           "BCEWithLogitsLoss": ("binary_cross_entropy_with_logits",),
           "KLDivLoss": ("kl_div",), "Dropout": ("dropout",), "DropPath": ("drop_path",),
           "LogSoftmax": ("log_softmax",), "MultiheadAttention": ("linear",),
           # a transformer's errors in forward come from the layer that meets the bad input
           "TransformerEncoderLayer": ("MultiheadAttention", "linear"),
           "TransformerEncoder": ("TransformerEncoderLayer", "MultiheadAttention", "linear"),
           # issue 15: names that forward to another op
           "arctan2": ("atan2",), "swapdims": ("swapaxes",), "moveaxis": ("movedim",),
           "vdot": ("dot",), "allclose": ("isclose",), "rsub": ("sub",), "addmm": ("mm",),
           "addbmm": ("bmm",), "baddbmm": ("bmm",), "addmv": ("mv",), "new_zeros": ("zeros",),
           "new_ones": ("ones",), "new_empty": ("empty",), "new_full": ("full",),
           "new_tensor": ("tensor",), "Unflatten": ("unflatten",), "nansum": ("sum",),
           "nanmean": ("sum", "mean")}


# ---- which object a name means in each framework ---------------------------------------------
TORCH_NAMES = {"mg.one_hot": "nn.functional.one_hot", "mg.grad": "autograd.grad",
               "mg.inference_mode": "inference_mode"}


def _resolve(lib, path):
    obj = lib
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def mg_object(name):
    """The minigrad object a row's name refers to (for its signature)."""
    scope, _, rest = name.partition(".")
    base = {"mg": mg, "Tensor": mg.Tensor, "F": mg.nn.functional, "nn": mg.nn}[scope]
    return _resolve(base, rest)


class Entry:
    """One valid call: name ("mg.sum", "Tensor.sum", "F.conv2d", "nn.Linear" (constructor,
    then forward on `inputs`), "nn.Linear.forward" (forward with the arguments varied)),
    positional and keyword arguments, and options:
      call      (lib, *args, **kwargs) -> result, replacing the default dispatch
      torch     as call, for torch only (a stand-in where torch has no such name)
      values    compare values (False for random results: shapes and dtypes only)
      aka       other words that count as naming the function in an error message
      kinds     {argument name: kind} where the valid value does not tell
      fixed     argument names not to vary
      avoid     {argument name: labels of bad values not to try} (2**63 layers: both hang)
      inputs    the forward inputs of a module row
      ctor      the constructor (args, kwargs) of a forward row
      train     the module's mode
      ties      indices may differ where values tie (sort, topk, ...): compare the values
      random    argument names whose other values make the result random (dropout_p)
    """

    def __init__(self, name, *args, call=None, torch=None, values=True, aka=(), kinds=None,
                 fixed=(), avoid=None, inputs=(), ctor=((), {}), train=True, ties=False,
                 random=(), **kwargs):
        self.name, self.args, self.kwargs = name, args, kwargs
        self.call, self.torch_call, self.values = call, torch, values
        self.aka, self.kinds, self.fixed = tuple(aka), kinds or {}, set(fixed)
        self.avoid = avoid or {}
        self.inputs, self.ctor, self.train, self.ties = inputs, ctor, train, ties
        self.random = set(random)
        self.receiver = name.startswith("Tensor.")
        self.names = self._positional_names()

    def _positional_names(self):
        target = self.name[:-len(".forward")] if self.name.endswith(".forward") else self.name
        obj = mg_object(target)
        if self.name.endswith(".forward"):
            obj = obj.forward
        try:
            params = list(inspect.signature(obj).parameters.values())
        except (TypeError, ValueError):
            return [f"arg{i}" for i in range(len(self.args))]
        if self.receiver:
            params = params[1:]           # self is args[0]: call it 'self'
        elif params and params[0].name == "self":
            params = params[1:]
        names = ["self"] if self.receiver else []
        for p in params:
            if p.kind == p.VAR_POSITIONAL:
                names += [p.name] * (len(self.args) - len(names))
                break
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                names.append(p.name)
        names += [f"arg{i}" for i in range(len(names), len(self.args))]
        return names

    def arguments(self):
        for i, v in enumerate(self.args):
            yield ("pos", i), self.names[i], v
        for k, v in self.kwargs.items():
            yield ("kw", k), k, v

    def words(self):
        short = self.name.split(".")[-1 if not self.name.endswith(".forward") else -2]
        return [short, short.rstrip("_"), *ALIASES.get(short.rstrip("_"), ()), *self.aka]

    def substituted(self, lib, key, bad):
        args, kwargs = list(self.args), dict(self.kwargs)
        if key is not None:
            if key[0] == "pos":
                args[key[1]] = bad
            else:
                kwargs[key[1]] = bad
        memo = {}
        return build(args, lib, memo), build(kwargs, lib, memo)

    def invoke(self, lib, ctx, args, kwargs):
        import torch
        call = self.torch_call if lib is torch and self.torch_call is not None else self.call
        scope, _, rest = self.name.partition(".")
        if scope == "nn":               # call/torch replace the constructor
            if lib is torch:            # the weights must not depend on the rows run before
                torch.manual_seed(zlib.crc32(self.name.encode()))
            make = getattr(lib.nn, rest.split(".")[0]) if call is None else \
                (lambda *a, **k: call(lib, *a, **k))
            if rest.endswith(".forward"):
                memo = {}
                m = make(*build(list(self.ctor[0]), lib, memo),
                         **build(dict(self.ctor[1]), lib, memo))
                return run_module(lib, ctx, m, args, kwargs, self.train)
            m = make(*args, **kwargs)
            if not self.inputs:
                return m
            return run_module(lib, ctx, m, build(list(self.inputs), lib, {}), {}, self.train)
        if call is not None:
            return call(lib, *args, **kwargs)
        if scope == "Tensor":
            return getattr(args[0], rest)(*args[1:], **kwargs)
        if scope == "F":
            return _resolve(lib.nn.functional, rest)(*args, **kwargs)
        path = TORCH_NAMES.get(self.name, rest) if lib is torch else rest
        return _resolve(lib, path)(*args, **kwargs)

    def __repr__(self):
        return self.name


def run_module(lib, ctx, m, inputs, kwargs, train):
    """Forward through m; minigrad's module first takes torch's parameters (when the names and
    shapes agree), so the two compute on the same numbers. Returns (output, module)."""
    m.train(train)
    state = {k: tuple(v.shape) for k, v in m.state_dict().items()}
    if lib is mg:
        theirs = ctx.get("state")
        if theirs is not None and {k: v.shape for k, v in theirs.items()} == state:
            m.load_state_dict(theirs)
    else:
        ctx["state"] = {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
    return m(*inputs, **kwargs), m


# ---- helpers for the rows ---------------------------------------------------------------------
def _restoring_default_dtype(lib, d):
    lib.set_default_dtype(d)            # bad_args._run restores float32 after every call


_TMP = []


def _tmpdir():
    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="bad_args_"))
    return _TMP[0]


def _saved(lib):
    """A file lib.save wrote, for lib.load to read."""
    path = os.path.join(_tmpdir(), f"saved_{lib.__name__}.pt")
    if not os.path.exists(path):
        lib.save({"w": lib.ones(2)}, path)
    return path


def _out_path(lib):
    return os.path.join(_tmpdir(), f"out_{lib.__name__}.pt")


def _encoder(lib, layer, num_layers, **kw):
    if lib.__name__ == "torch":
        kw.setdefault("enable_nested_tensor", False)
    return lib.nn.TransformerEncoder(layer, num_layers, **kw)


def _torch_expand(lib, x, *sizes):
    return x.expand(*sizes)             # torch has no torch.expand: minigrad's is the method


# ---- tensors -----------------------------------------------------------------------------------
X = Arr(3, 4)
Y = Arr(3, 4, seed=1)
P = Arr(3, 4, kind="p")
Q = Arr(3, 4, kind="p", seed=1)
X1 = Arr(3, 1)
X3 = Arr(2, 3, 4)
X4 = Arr(2, 3, 5, 5)
W = Arr(4, 2)
K = Arr(3, 4, kind="i", high=8)
J = Arr(3, 4, kind="i", high=3, seed=1)
B = Arr(3, 4, kind="b")
T = Arr(3, kind="i", high=4)                          # class targets for (3, 4) logits
IDX = Arr(3, 2, kind="i", fixed=[[0, 1], [2, 3], [1, 0]])
SRC = Arr(3, 2, seed=2)
C4 = Arr(4, kind="p")
XG = Arr(3, grad=True)
GRAPH = Expr(lambda L, x: (x * x).sum(), XG)
NONSCALAR = Expr(lambda L, x: x * 2, XG)
LIN = Expr(lambda L: L.nn.Linear(4, 2))
LAYER = Expr(lambda L: L.nn.TransformerEncoderLayer(4, 2, 8, 0.0, batch_first=True))
QKV = (Arr(2, 3, 4), Arr(2, 5, 4, seed=1), Arr(2, 5, 4, seed=2))

ENTRIES = []


def row(name, *args, **kw):
    ENTRIES.append(Entry(name, *args, **kw))


def both(name, *args, function=True, method=True, **kw):
    """Rows for mg.name(...) and Tensor.name(...)."""
    if function:
        row(f"mg.{name}", *args, **kw)
    if method:
        row(f"Tensor.{name}", *args, **kw)


# nn modules: constructor rows (then forward on `inputs`) and forward rows
def module(name, ctor_args=(), ctor_kwargs=None, inputs=(X,), forward_kwargs=None, **kw):
    ctor_kwargs = ctor_kwargs or {}
    ENTRIES.append(Entry(f"nn.{name}", *ctor_args, inputs=inputs, **ctor_kwargs, **kw))
    for k in ("kinds", "fixed", "avoid"):
        kw.pop(k, None)
    ENTRIES.append(Entry(f"nn.{name}.forward", *inputs, ctor=(ctor_args, ctor_kwargs),
                         **(forward_kwargs or {}), **kw))


# Names with no row, and why.
SKIP = {
    "mg.Function": "a base class (tests/test_autograd.py)",
    "Tensor.cuda": "needs a GPU",
    "nn.WindowAttention": "no torch counterpart to compare with (tests/test_mha.py)",
}
NO_ARGS_ATTRIBUTES = {"T", "mT", "data", "device", "dtype", "grad", "grad_fn", "is_cuda",
                      "is_leaf", "ndim", "requires_grad", "shape"}


def public_names():
    names = {f"mg.{n}" for n in dir(mg) if not n.startswith("_")
             and callable(getattr(mg, n)) and not inspect.ismodule(getattr(mg, n))
             and not isinstance(getattr(mg, n), np.dtype)}
    names |= {f"Tensor.{n}" for n in dir(mg.Tensor) if not n.startswith("_")
              and n not in NO_ARGS_ATTRIBUTES}
    names |= {f"F.{n}" for n in dir(mg.nn.functional) if not n.startswith("_")
              and callable(getattr(mg.nn.functional, n))
              and not inspect.ismodule(getattr(mg.nn.functional, n))}
    names |= {f"nn.{n}" for n in dir(mg.nn) if inspect.isclass(getattr(mg.nn, n))}
    return names


# ---- the rows: every tests/bad_args_rows_*.py (one per area) adds to ENTRIES on import ----
for _path in sorted(pathlib.Path(__file__).parent.glob("bad_args_rows_*.py")):
    importlib.import_module(f"{__package__}.{_path.stem}" if __package__ else _path.stem)
