"""The valid calls the bad-argument sweep (tests/bad_args.py) starts from: one row per public
callable, written once for both frameworks. Argument values are plain Python values or the
nodes below (Arr: a tensor; Dt: a dtype; Expr: something built from other nodes), which become
minigrad or torch objects at call time, so both sides always get the same numbers.

Every public name has a row or an entry in SKIP with the reason (tests/test_bad_args.py checks).
"""
from __future__ import annotations

import inspect
import os
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


# elementwise
for _n in ["abs", "cos", "exp", "log", "relu", "sigmoid", "sin", "sqrt", "tanh"]:
    both(_n, X)
both("neg", X, function=False)
for _n in ["add", "sub", "subtract"]:
    both(_n, X, Y, alpha=2)
for _n in ["mul", "multiply", "true_divide", "floor_divide", "fmod", "remainder", "maximum",
           "minimum"]:
    both(_n, X, Y)
for _n in ["div", "divide"]:
    both(_n, X, Y, rounding_mode="floor")
both("pow", X, 2.0)
both("matmul", X, W)
for _n in ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
           "bitwise_right_shift"]:
    both(_n, K, J)
both("bitwise_not", K)
for _n in ["eq", "ne", "lt", "le", "gt", "ge"]:
    both(_n, X, Y, function=False)
both("clamp", X, -0.5, 0.5)
both("clip", X, -0.5, 0.5)
both("where", B, X, Y, method=False)
both("masked_fill", X, B, 2.0)

# reductions and sorting
for _n in ["sum", "mean"]:
    both(_n, X, 1, False, dtype=Dt("float64"))
for _n in ["std", "var"]:
    both(_n, X, 1, True, False)
    both(_n, X, 1, keepdim=True, correction=0)
for _n in ["std_mean", "var_mean"]:
    both(_n, X, 1, True, False, method=False)
for _n in ["amax", "amin", "argmax", "argmin", "logsumexp"]:
    both(_n, X, 1, False)
for _n in ["max", "min"]:
    both(_n, X, 1, False, ties=True)
    both(_n, X, other=Y)
    row(f"mg.{_n}", X)
both("aminmax", X, dim=1, keepdim=False)
for _n in ["median", "nanmedian", "mode"]:
    both(_n, X, 1, False, ties=True)
for _n in ["sort", "argsort"]:
    both(_n, X, 1, False, ties=True)
    both(_n, X, dim=1, descending=True, stable=True, ties=True)   # torch: stable by keyword
both("topk", X, 2, 1, True, True, ties=True)
both("kthvalue", X, 2, 1, False, ties=True)
both("softmax", X, 1, dtype=Dt("float64"))
both("log_softmax", X, 1, dtype=Dt("float64"))

# shapes and views
both("reshape", X, (4, 3), method=False)
row("Tensor.reshape", X, 4, 3)
row("Tensor.view", X, 4, 3)
row("Tensor.view", X, (2, -1))
row("Tensor.view_as", X, Arr(4, 3))
row("Tensor.reshape_as", X, Arr(2, 6))
both("permute", X3, (2, 0, 1), method=False)
row("Tensor.permute", X3, 2, 0, 1, kinds={"dims": "dim"})
both("transpose", X, 0, 1)
both("flatten", X3, 1, 2)
both("squeeze", X1, 1)
both("unsqueeze", X, 0)
row("mg.expand", X1, 3, 4, torch=_torch_expand, kinds={"sizes": "int"})
row("Tensor.expand", X1, 3, 4, kinds={"sizes": "int"})
row("Tensor.expand_as", X1, X)
row("Tensor.select", X, 1, 2, kinds={"i": "int"})
row("Tensor.size", X, 1)
row("Tensor.__getitem__", X, 1, kinds={"key": "key"}, aka=("index", "indices"))
row("Tensor.__setitem__", X, 1, 2.0, kinds={"key": "key", "value": "float"},
    aka=("index", "indices"))
for _n in ["cat", "concat", "concatenate", "stack"]:
    row(f"mg.{_n}", [X, Y], 0, aka=("cat",))

# indexing
both("gather", X, 1, IDX)
both("scatter", X, 1, IDX, SRC)
both("scatter", X, 1, IDX, value=2.0, kinds={"value": "float"})
both("scatter_add", X, 1, IDX, SRC)
row("mg.one_hot", T, 5)

# in-place methods
for _n in ["add_", "sub_"]:
    row(f"Tensor.{_n}", X, Y, alpha=2)
for _n in ["mul_", "true_divide_", "floor_divide_", "remainder_", "fmod_", "copy_"]:
    row(f"Tensor.{_n}", X, Y)
row("Tensor.div_", X, Y, rounding_mode="floor")
row("Tensor.pow_", X, 2.0)
for _n in ["bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_",
           "bitwise_right_shift_"]:
    row(f"Tensor.{_n}", K, J)
for _n in ["abs_", "cos_", "exp_", "log_", "neg_", "relu_", "sigmoid_", "sin_", "sqrt_",
           "tanh_", "zero_"]:
    row(f"Tensor.{_n}", X)
row("Tensor.bitwise_not_", K)
for _n in ["clamp_", "clip_"]:
    row(f"Tensor.{_n}", X, -0.5, 0.5)
row("Tensor.clamp_min_", X, 0.1)
row("Tensor.clamp_max_", X, 0.1)
row("Tensor.fill_", X, 2.0)
row("Tensor.masked_fill_", X, B, 2.0)
row("Tensor.scatter_", X, 1, IDX, SRC)
row("Tensor.scatter_add_", X, 1, IDX, SRC)
row("Tensor.uniform_", X, 0.0, 1.0, values=False)
row("Tensor.normal_", X, 0.0, 1.0, values=False)

# conversions, attributes and autograd methods (only the receiver varies for most)
for _n in ["bool", "double", "float", "half", "int", "long", "clone", "contiguous", "cpu",
           "detach", "dim", "numel", "t", "tolist"]:
    row(f"Tensor.{_n}", X)
row("Tensor.item", Arr(1))
row("Tensor.retain_grad", XG)
row("Tensor.to", X, Dt("float64"))
row("Tensor.to", X, "cpu", kinds={"args": "str"})
row("Tensor.type_as", X, K)
row("Tensor.requires_grad_", X, True)
row("Tensor.backward", NONSCALAR, Arr(3), False, False, kinds={"gradient": "tensor"})
row("Tensor.numpy", X, call=lambda L, x: x.numpy())

# creation
for _n in ["zeros", "ones"]:
    row(f"mg.{_n}", 2, 3, dtype=Dt("float64"))
    row(f"mg.{_n}", (2, 3))
for _n in ["empty", "rand", "randn"]:
    row(f"mg.{_n}", 2, 3, dtype=Dt("float64"), values=False)
row("mg.full", (2, 3), 1.5, dtype=Dt("float64"), kinds={"fill_value": "float"})
row("mg.arange", 0, 5, 1, dtype=Dt("float64"), kinds={"start": "float", "end": "float"})
row("mg.linspace", 0.0, 1.0, 5)
row("mg.eye", 3, 4, dtype=Dt("float64"))
row("mg.randint", 0, 5, (2, 3), values=False)
row("mg.randperm", 5, values=False)
for _n in ["zeros_like", "ones_like"]:
    row(f"mg.{_n}", X, dtype=Dt("float64"))
for _n in ["empty_like", "rand_like", "randn_like"]:
    row(f"mg.{_n}", X, dtype=Dt("float64"), values=False)
row("mg.full_like", X, 2.0)
row("mg.tensor", [[1.0, 2.0], [3.0, 4.0]], dtype=Dt("float64"), kinds={"data": "data"})
row("mg.as_tensor", np.ones((2, 3)), dtype=Dt("float32"))
row("mg.from_numpy", np.ones((2, 3)))
row("mg.Tensor", 2, 3, values=False, kinds={"args": "int"}, aka=("zeros",))
row("mg.Tensor", [1.0, 2.0], kinds={"args": "data"}, values=False)   # Tensor(int): no values
row("mg.numel", X)
row("mg.is_tensor", X, kinds={"obj": "object"})

# dtypes, devices, global state, autograd, I/O
row("mg.device", "cpu")
row("mg.can_cast", Dt("float32"), Dt("int64"))
row("mg.promote_types", Dt("float32"), Dt("int64"))
row("mg.result_type", X, 2, kinds={"operands": "tensor"})
row("mg.finfo", Dt("float32"))
row("mg.iinfo", Dt("int32"))
row("mg.set_default_dtype", Dt("float64"), call=_restoring_default_dtype)
row("mg.manual_seed", 0, call=lambda L, seed: L.manual_seed(seed) and None)
row("mg.set_grad_enabled", True)
row("mg.inference_mode", True)
row("mg.grad", GRAPH, XG, kinds={"outputs": "tensor", "inputs": "tensor"})
row("mg.save", {"w": X}, Expr(_out_path), kinds={"obj": "object", "f": "path"})
row("mg.load", Expr(_saved), kinds={"f": "path"})
for _n in ["get_default_dtype", "is_grad_enabled", "is_inference_mode_enabled", "no_grad",
           "enable_grad"]:
    row(f"mg.{_n}")

# nn.functional
for _n in ["relu", "silu"]:
    row(f"F.{_n}", X, False)
for _n in ["sigmoid", "tanh", "logsigmoid"]:
    row(f"F.{_n}", X)
row("F.gelu", X, approximate="tanh")
row("F.softplus", X, 1.0, 20.0)
row("F.softmax", X, 1, dtype=Dt("float64"))
row("F.log_softmax", X, 1, dtype=Dt("float64"))
row("F.gumbel_softmax", X, 1.0, False, 1e-10, 1, values=False)
row("F.dropout", X, 0.5, True, False, values=False)
row("F.drop_path", X, 0.5, True, True, values=False,
    torch=lambda L, x, p=0.0, training=False, scale_by_keep=True: L.nn.functional.dropout(
        x, p, training))                 # torch has no drop_path: dropout's argument rules
row("F.linear", X, Arr(2, 4), Arr(2))
row("F.layer_norm", X, (4,), Arr(4), Arr(4), 1e-5)
row("F.batch_norm", Arr(4, 3), Arr(3), Arr(3, kind="p"), Arr(3), Arr(3), False, 0.1, 1e-5)
row("F.embedding", Arr(2, 3, kind="i", high=5), Arr(5, 4), padding_idx=0)
row("F.one_hot", T, 5)
row("F.conv2d", X4, Arr(4, 3, 3, 3), Arr(4), 1, 1, 1, 1)
row("F.conv2d", X4, Arr(4, 3, 3, 3), Arr(4), (1, 2), (1, 0), (1, 1), 1)
row("F.max_pool2d", X4, 2, 2, 0, 1, False, False)
row("F.avg_pool2d", X4, 2, 2, 0, False, True, None)
row("F.adaptive_avg_pool2d", X4, (2, 2))
row("F.scaled_dot_product_attention", *QKV, attn_mask=Arr(3, 5, kind="b"), dropout_p=0.0,
    is_causal=False, scale=0.5, random={"dropout_p"})
for _n in ["cross_entropy", "nll_loss"]:
    row(f"F.{_n}", X, T, C4, ignore_index=-100, reduction="mean")
row("F.cross_entropy", X, T, label_smoothing=0.1)
row("F.cross_entropy", X, P, reduction="sum")
for _n in ["mse_loss", "l1_loss"]:
    row(f"F.{_n}", X, Y, reduction="mean")
row("F.smooth_l1_loss", X, Y, reduction="mean", beta=1.0)
row("F.binary_cross_entropy", P, Q, Arr(3, 4, kind="p", seed=3), reduction="mean")
row("F.binary_cross_entropy_with_logits", X, P, Arr(3, 4, kind="p", seed=3), reduction="mean",
    pos_weight=C4)
row("F.kl_div", X, P, reduction="batchmean", log_target=False)

# nn modules: constructor rows (then forward on `inputs`) and forward rows
def module(name, ctor_args=(), ctor_kwargs=None, inputs=(X,), forward_kwargs=None, **kw):
    ctor_kwargs = ctor_kwargs or {}
    ENTRIES.append(Entry(f"nn.{name}", *ctor_args, inputs=inputs, **ctor_kwargs, **kw))
    for k in ("kinds", "fixed", "avoid"):
        kw.pop(k, None)
    ENTRIES.append(Entry(f"nn.{name}.forward", *inputs, ctor=(ctor_args, ctor_kwargs),
                         **(forward_kwargs or {}), **kw))


module("Linear", (4, 2, True))
module("Identity", inputs=(X,))
module("Flatten", (1, -1), inputs=(X3,))
for _n in ["ReLU", "SiLU"]:
    module(_n, (False,))
for _n in ["Sigmoid", "Tanh"]:
    module(_n)
module("GELU", ("tanh",))
for _n in ["Softmax", "LogSoftmax"]:
    module(_n, (1,))
module("Dropout", (0.5, False), values=False)
module("DropPath", (0.5, True), values=False,
       torch=lambda L, p=0.0, scale_by_keep=True: L.nn.Dropout(p))
module("LayerNorm", ((4,), 1e-5, True, True))
module("BatchNorm1d", (3, 1e-5, 0.1, True, True), inputs=(Arr(4, 3),))
module("BatchNorm2d", (3, 1e-5, 0.1, True, True), inputs=(X4,))
module("Conv2d", (3, 4, 3, 1, 1, 1, 1, True, "zeros"), inputs=(X4,))
module("MaxPool2d", (2, 2, 0, 1, False, False), inputs=(X4,))
module("AvgPool2d", (2, 2, 0, False, True, None), inputs=(X4,))
module("AdaptiveAvgPool2d", ((2, 2),), inputs=(X4,))
module("Embedding", (5, 4, 0), inputs=(Arr(2, 3, kind="i", high=5),))
for _n in ["CrossEntropyLoss", "NLLLoss"]:
    module(_n, (C4,), {"ignore_index": -100, "reduction": "mean"}, inputs=(X, T),
           kinds={"weight": "tensor"})
for _n in ["MSELoss", "L1Loss"]:
    module(_n, (), {"reduction": "mean"}, inputs=(X, Y))
module("SmoothL1Loss", (), {"reduction": "mean", "beta": 1.0}, inputs=(X, Y))
module("BCELoss", (Arr(3, 4, kind="p", seed=3),), {"reduction": "mean"}, inputs=(P, Q))
module("BCEWithLogitsLoss", (Arr(3, 4, kind="p", seed=3),),
       {"reduction": "mean", "pos_weight": C4}, inputs=(X, P))
module("KLDivLoss", (), {"reduction": "batchmean", "log_target": False}, inputs=(X, P))
# (eval mode: a bad value for dropout that happens to be valid must not make results random)
module("MultiheadAttention", (4, 2, 0.0, True), {"batch_first": True}, inputs=QKV, train=False,
       forward_kwargs={"key_padding_mask": Arr(2, 5, kind="b"), "need_weights": True,
                       "average_attn_weights": True})
module("TransformerEncoderLayer", (4, 2, 8, 0.0, "relu", 1e-5, True), inputs=(X3,), train=False)
module("TransformerEncoder", (LAYER, 2), inputs=(X3,), kinds={"encoder_layer": "object"},
       train=False,
       torch=_encoder, avoid={"num_layers": ("2**63",)})
module("Sequential", (LIN, Expr(lambda L: L.nn.ReLU())), kinds={"args": "object"})
row("nn.ModuleList", [LIN], kinds={"modules": "object"}, call=lambda L, m: L.nn.ModuleList(m))
row("nn.ModuleDict", {"lin": LIN}, kinds={"modules": "object"},
    call=lambda L, m: L.nn.ModuleDict(m))
row("nn.Parameter", X, call=lambda L, x, *a: L.nn.Parameter(x, *a))
row("nn.Module", call=lambda L: L.nn.Module())

# ---- issue 15's ops -------------------------------------------------------------------------
V, V2, V3 = Arr(4), Arr(4, seed=1), Arr(3)
M32, BA, BB = Arr(3, 2, seed=4), Arr(2, 3, 4), Arr(2, 4, 2)
B2 = Arr(3, 4, kind="b", seed=1)
IV = Arr(2, kind="i", fixed=[0, 2])
SRC2 = Arr(3, 2, seed=3)
SORTED = Arr(5, fixed=[-1.0, -0.5, 0.0, 0.5, 1.0])
X44 = Arr(4, 4)
_UNARY15 = ["acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cosh", "erf", "erfc",
            "erfinv", "exp2", "expm1", "floor", "frac", "log10", "log1p", "log2", "reciprocal",
            "round", "rsqrt", "sgn", "sign", "sinh", "square", "tan", "trunc"]
for _n in _UNARY15:
    both(_n, X)
    row(f"Tensor.{_n}_", X)
for _n in ["isfinite", "isinf", "isnan", "isneginf", "isposinf", "msort", "fliplr", "flipud",
           "trace"]:
    both(_n, X)
both("logical_not", B)
row("Tensor.logical_not_", B)
both("nonzero", X, as_tuple=False)
both("count_nonzero", X, 1)
for _n in ["atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy"]:
    both(_n, X, Y)
for _n in ["atan2", "arctan2", "hypot", "xlogy"]:
    row(f"Tensor.{_n}_", X, Y)
for _n in ["logical_and", "logical_or", "logical_xor"]:
    both(_n, B, B2)
    row(f"Tensor.{_n}_", B, B2)
for _n in ["isclose", "allclose"]:
    both(_n, X, Y, 1e-5, 1e-8, False)
both("equal", X, Y)
both("dist", X, Y, 2.0)
both("kron", X, Y)
for _n in ["outer", "dot", "vdot"]:
    both(_n, V, V2)
both("mm", X, W)
both("bmm", BA, BB)
both("mv", X, V)
row("mg.clamp_min", X, 0.1)
row("mg.clamp_max", X, 0.1)
row("Tensor.clamp_min", X, 0.1)
row("Tensor.clamp_max", X, 0.1)
row("mg.rsub", X, Y, alpha=2)
both("lerp", X, Y, 0.5)
row("Tensor.lerp_", X, Y, 0.5)
for _n in ["addcmul", "addcdiv"]:
    both(_n, X, Y, P, value=0.5)
    row(f"Tensor.{_n}_", X, Y, P, value=0.5)
for _n, _a in [("addmm", (M32, X, W)), ("addbmm", (M32, BA, BB)),
               ("baddbmm", (Arr(2, 3, 2), BA, BB)), ("addmv", (V3, X, V))]:
    both(_n, *_a, beta=1, alpha=2)
    row(f"Tensor.{_n}_", *_a, beta=1, alpha=2)
for _n in ["all", "any"]:
    both(_n, X, 1, False)
for _n in ["prod", "nansum", "nanmean"]:
    both(_n, X, 1, False, dtype=Dt("float64"))
both("norm", X, 2, 1, False)
for _n in ["cumsum", "cumprod"]:
    both(_n, X, 1, dtype=Dt("float64"))
    row(f"Tensor.{_n}_", X, 1)
for _n in ["cummax", "cummin"]:
    both(_n, X, 1, ties=True)
both("logcumsumexp", X, 1)
both("broadcast_to", X1, (3, 4))
both("chunk", X, 2, 1)
both("split", X, 2, 1)
both("tensor_split", X, 2, 1)
both("hsplit", X, 2)
both("vsplit", X44, 2)
both("dsplit", X3, 2)
both("unbind", X, 1)
both("unflatten", X, 1, (2, 2))
row("mg.flip", X3, (0, 2))
row("Tensor.flip", X3, 0, 2, kinds={"dims": "dim"})
both("roll", X, 1, 1)
both("rot90", X, 1, (0, 1))
row("mg.tile", X, (2, 1))
row("Tensor.tile", X, 2, 1, kinds={"dims": "int"})
row("Tensor.repeat", X, 2, 1, kinds={"repeats": "int"})
both("repeat_interleave", X, 2, 1)
for _n in ["moveaxis", "movedim"]:
    both(_n, X3, 0, 2)
both("swapaxes", X, 0, 1, kinds={"axis0": "dim", "axis1": "dim"})
both("swapdims", X, 0, 1)
both("narrow", X, 1, 1, 2, kinds={"start": "int", "length": "int"})
both("diag", X, 0)
both("diag_embed", V, 0, -2, -1)
both("diagonal", X, 0, 0, 1)
for _n in ["tril", "triu"]:
    both(_n, X, 0)
    row(f"Tensor.{_n}_", X, 0)
both("take", X, IDX)
both("take_along_dim", X, IDX, 1)
both("index_select", X, 1, IV)
both("index_add", X, 1, IV, SRC2, alpha=2)
row("Tensor.index_add_", X, 1, IV, SRC2, alpha=2)
both("index_copy", X, 1, IV, SRC2)
row("Tensor.index_copy_", X, 1, IV, SRC2)
both("index_fill", X, 1, IV, 2.0)
row("Tensor.index_fill_", X, 1, IV, 2.0)
_IDXS = (Arr(2, kind="i", fixed=[0, 2]), Arr(2, kind="i", fixed=[1, 3]))
for _n in ["index_put", "index_put_"]:
    both(_n, X, _IDXS, Arr(2, seed=5), False, kinds={"indices": "tensors"})
both("masked_scatter", X, B, Arr(12, seed=6))
row("Tensor.masked_scatter_", X, B, Arr(12, seed=6))
both("masked_select", X, B)
both("scatter_reduce", X, 1, IDX, SRC, "sum", include_self=True)
row("Tensor.scatter_reduce_", X, 1, IDX, SRC, "sum", include_self=True)
both("unique", X, True, False, False, None)
for _n in ["hstack", "vstack", "dstack", "column_stack"]:
    row(f"mg.{_n}", [X, Y])
for _n in ["atleast_1d", "atleast_2d", "atleast_3d"]:
    row(f"mg.{_n}", X)
row("mg.block_diag", X, Y)
row("mg.broadcast_tensors", X, X1)
row("mg.cartesian_prod", V, V2)
row("mg.meshgrid", V, V2, indexing="ij")
row("mg.bucketize", X, SORTED, out_int32=False, right=False)
row("mg.searchsorted", SORTED, X, out_int32=False, right=False)
row("mg.cdist", X, Arr(5, 4, seed=2), 2.0)
row("mg.einsum", "ij,jk->ik", X, W)
row("mg.tensordot", X, W, 1)
row("mg.logspace", 0.0, 1.0, 5, 10.0)
row("mg.randint_like", K, 0, 5, values=False)
both("nan_to_num", X, 0.0, 1.0, -1.0)
row("Tensor.nan_to_num_", X, 0.0, 1.0, -1.0)
row("Tensor.new_zeros", X, 2, 3, kinds={"size": "int"})
row("Tensor.new_ones", X, 2, 3, kinds={"size": "int"})
row("Tensor.new_empty", X, 2, 3, kinds={"size": "int"}, values=False)
row("Tensor.new_full", X, (2, 3), 1.5, kinds={"fill_value": "float"})
row("Tensor.new_tensor", X, [[1.0, 2.0]], kinds={"data": "data"})
module("Unflatten", (1, (2, 2)))


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
