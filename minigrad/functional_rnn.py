"""torch's full-sequence recurrent functions in their ATen form: rnn_tanh, rnn_relu, lstm and
gru, each with torch's two overloads:

    (input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
    (data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional)

params is the flat list nn.RNN/LSTM/GRU keep (w_ih, w_hh, (b_ih, b_hh), (w_hr) per layer and
direction); an LSTM has projections when h_0 and c_0 differ in their last size, as in torch.
The math is nn's (nn/rnn_math.py); this file only parses and checks the arguments, which torch
leaves to its kernels (it reads out of bounds on some bad batch_sizes): here they fail first.
"""
from __future__ import annotations

from .autocast_state import autocast_op
from .nn.rnn_math import run_layers, weights_from_flat
from .ops.checks import _is_tensor, need_bool, need_float, need_int, need_tensor, type_name

_GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}
_MODES = {"rnn_tanh": "RNN_TANH", "rnn_relu": "RNN_RELU", "lstm": "LSTM", "gru": "GRU"}
_PADDED = ("input", "hx", "params", "has_biases", "num_layers", "dropout", "train",
           "bidirectional", "batch_first")
_PACKED = ("data", "batch_sizes", "hx", "params", "has_biases", "num_layers", "dropout",
           "train", "bidirectional")


def _invalid(fn, args, kwargs):
    hx = "tuple of Tensors hx" if fn == "lstm" else "Tensor hx"

    def kind(v):
        return "Tensor" if _is_tensor(v) else type_name(v)
    got = ", ".join([kind(a) for a in args] + [f"{k}={kind(v)}" for k, v in kwargs.items()])
    return TypeError(
        f"{fn}() received an invalid combination of arguments - got ({got}), but expected one "
        f"of:\n * (Tensor data, Tensor batch_sizes, {hx}, tuple of Tensors params, bool "
        "has_biases, int num_layers, float dropout, bool train, bool bidirectional)\n"
        f" * (Tensor input, {hx}, tuple of Tensors params, bool has_biases, int num_layers, "
        "float dropout, bool train, bool bidirectional, bool batch_first)")


def _bind(fn, args, kwargs):
    """The arguments by name, for whichever overload the call means: packed when argument 3
    is the params list (not has_biases), or, with fewer positional arguments, when
    batch_sizes is there (a Tensor where lstm's hx is a tuple, or the others' params)."""
    at = 1 if fn == "lstm" else 2
    if len(args) > 3:                   # params is argument 3 of the packed form only
        packed = isinstance(args[3], (list, tuple))
    else:
        packed = "data" in kwargs or "batch_sizes" in kwargs or \
            (len(args) > at and _is_tensor(args[at])) or \
            (fn != "lstm" and len(args) == 2 and "hx" in kwargs)
    names = _PACKED if packed else _PADDED
    if len(args) > len(names) or any(k not in names for k in kwargs) or \
            any(k in kwargs for k in names[:len(args)]):
        raise _invalid(fn, args, kwargs)
    bound = dict(zip(names, args), **kwargs)
    if len(bound) != len(names):
        raise _invalid(fn, args, kwargs)
    return packed, bound


def _states(fn, hx):
    if fn != "lstm":
        need_tensor(fn, hx, "hx", 2)
        return (hx,)
    if not isinstance(hx, (list, tuple)):
        raise TypeError(f"lstm(): argument 'hx' must be tuple of Tensors, not {type_name(hx)}")
    for k, h in enumerate(hx):
        if not _is_tensor(h):
            raise TypeError(f"lstm(): expected Tensor as element {k} in argument 'hx', but got "
                            f"{type_name(h)}")
    if len(hx) != 2:
        raise RuntimeError(f"lstm: lstm expects two hidden states (h_0, c_0), got {len(hx)}")
    return tuple(hx)


def _batch_sizes(fn, data, batch_sizes):
    """batch_sizes as a list of ints: 1-D int64, positive, non-increasing, summing to the
    packed data's length (torch's kernels assume all of this)."""
    need_tensor(fn, batch_sizes, "batch_sizes", 2)
    if batch_sizes.dtype.name != "int64":
        raise RuntimeError(f"{fn}: batch_sizes: expected scalar type Long but found "
                           f"{batch_sizes.dtype}")
    if batch_sizes.ndim != 1:
        raise RuntimeError(f"{fn}: batch_sizes must be 1-D, got shape {tuple(batch_sizes.shape)}")
    if batch_sizes.device.type != "cpu":
        raise RuntimeError(f"{fn}: batch_sizes must be a CPU tensor, got {batch_sizes.device}")
    sizes = [int(b) for b in batch_sizes.tolist()]
    if not sizes:
        raise RuntimeError(f"{fn}: Expected sequence length to be larger than 0 in RNN")
    if data.ndim != 2:
        raise RuntimeError(f"{fn}: packed input must have 2 dimensions, got {data.ndim}")
    if sizes[-1] <= 0 or any(a < b for a, b in zip(sizes, sizes[1:])):
        raise RuntimeError(f"{fn}: batch_sizes must be positive and non-increasing, got "
                           f"{sizes}")
    if sum(sizes) != data.shape[0]:
        raise RuntimeError(f"{fn}: batch_sizes sum to {sum(sizes)}, but the packed data has "
                           f"{data.shape[0]} rows")
    return sizes


def _check(fn, x, states, params, has_biases, num_layers, directions, batch):
    """ATen's shape and dtype rules for the state and every parameter; returns whether an
    LSTM has projections."""
    for k, h in enumerate(states):
        if h.ndim != 3:
            raise RuntimeError(f"{fn}: hx{f'[{k}]' if len(states) > 1 else ''} must have 3 "
                               f"dimensions (num_layers * num_directions, batch, hidden_size), "
                               f"got shape {tuple(h.shape)}")
    h_out, hidden = states[0].shape[2], states[-1].shape[2]
    proj = fn == "lstm" and h_out != hidden
    per = 2 + 2 * has_biases + proj
    if len(params) != num_layers * directions * per:
        raise RuntimeError(f"{fn}: got an incorrect number of RNN parameters: expected "
                           f"{num_layers * directions * per} ({num_layers} layers x "
                           f"{directions} directions x {per}), got {len(params)}")
    for k, (h, size) in enumerate(zip(states, (h_out, hidden))):
        want = (num_layers * directions, batch, size)
        if tuple(h.shape) != want:
            what = f"hidden[{k}]" if len(states) > 1 else "hidden"
            raise RuntimeError(f"{fn}: Expected {what} size {want}, got {list(h.shape)}")
    gates = _GATES[fn] * hidden
    names = ["weight_ih", "weight_hh"] + ["bias_ih", "bias_hh"] * has_biases + \
        ["weight_hr"] * proj
    for i, w in enumerate(params):
        layer, d, j = i // (per * directions), i // per % directions, i % per
        layer_in = x.shape[-1] if layer == 0 else h_out * directions
        want = {"weight_ih": (gates, layer_in), "weight_hh": (gates, h_out),
                "bias_ih": (gates,), "bias_hh": (gates,), "weight_hr": (h_out, hidden)}[names[j]]
        if i == 0 and w.ndim == 2 and w.shape[1] != x.shape[-1]:
            raise RuntimeError(f"{fn}: input.size(-1) must be equal to input_size. Expected "
                               f"{w.shape[1]}, got {x.shape[-1]}")
        if tuple(w.shape) != want:
            name = f"{names[j]}_l{layer}{'_reverse' if d else ''}"
            raise RuntimeError(f"{fn}: params[{i}] ({name}) has shape {tuple(w.shape)}, "
                               f"expected {want}")
    if x.dtype.kind != "f":             # (minigrad has no complex dtypes)
        raise RuntimeError(f"{fn}: expected a floating point input, got {x.dtype}")
    for name, t in [("hx", s) for s in states] + [("params", w) for w in params]:
        if t.dtype != x.dtype:
            raise RuntimeError(f"{fn}: expected {name} to have the input's dtype {x.dtype}, "
                               f"but got {t.dtype}")
    return proj


def _run(fn, args, kwargs):
    packed, a = _bind(fn, args, kwargs)
    x = a["data"] if packed else a["input"]
    need_tensor(fn, x, "data" if packed else "input", 1)
    states = _states(fn, a["hx"])
    params = a["params"]
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'params' must be tuple of Tensors, not "
                        f"{type_name(params)}")
    for k, w in enumerate(params):
        if not _is_tensor(w):
            raise TypeError(f"{fn}(): expected Tensor as element {k} in argument 'params', "
                            f"but got {type_name(w)}")
    for name in ("has_biases", "train", "bidirectional") + (() if packed else ("batch_first",)):
        need_bool(fn, a[name], name)
    num_layers = need_int(fn, a["num_layers"], "num_layers")
    p = need_float(fn, a["dropout"], "dropout")
    if num_layers <= 0:
        raise RuntimeError(f"{fn}: num_layers must be positive, got {num_layers}")
    directions = 2 if a["bidirectional"] else 1
    batch_first = not packed and a["batch_first"]
    if packed:
        sizes = _batch_sizes(fn, x, a["batch_sizes"])
        batch = sizes[0]
    else:
        sizes = None
        if x.ndim != 3:
            raise RuntimeError(f"{fn}: input must have 3 dimensions, got {x.ndim}")
        if x.shape[1 if batch_first else 0] == 0:
            raise RuntimeError(f"{fn}: Expected sequence length to be larger than 0 in RNN")
        batch = x.shape[0 if batch_first else 1]
    proj = _check(fn, x, states, params, a["has_biases"], num_layers, directions, batch)
    train = a["train"] and num_layers > 1
    if train and not 0 <= p <= 1:
        raise RuntimeError(f"{fn}: dropout probability has to be between 0 and 1, but got {p}")
    weights = weights_from_flat(_MODES[fn], list(params), a["has_biases"], proj)
    out, finals = run_layers(weights, x.transpose(0, 1) if batch_first else x, states, sizes,
                             directions, p if train else 0.0)
    return (out.transpose(0, 1) if batch_first else out, *finals)


@autocast_op("rnn_tanh")
def rnn_tanh(*args, **kwargs):
    """A stack of tanh RNN layers over a whole sequence: (output, h_n) (matches torch.rnn_tanh,
    both overloads: (input, hx, params, has_biases, num_layers, dropout, train,
    bidirectional, batch_first) and the packed (data, batch_sizes, hx, params, ...))."""
    return _run("rnn_tanh", args, kwargs)


@autocast_op("rnn_relu")
def rnn_relu(*args, **kwargs):
    """As rnn_tanh with relu: (output, h_n) (matches torch.rnn_relu, both overloads)."""
    return _run("rnn_relu", args, kwargs)


@autocast_op("lstm")
def lstm(*args, **kwargs):
    """A stack of LSTM layers over a whole sequence, hx = (h_0, c_0): (output, h_n, c_n)
    (matches torch.lstm, both overloads; projections when h_0's last size differs from
    c_0's, with w_hr after each layer's biases in params)."""
    return _run("lstm", args, kwargs)


@autocast_op("gru")
def gru(*args, **kwargs):
    """A stack of GRU layers over a whole sequence: (output, h_n) (matches torch.gru, both
    overloads)."""
    return _run("gru", args, kwargs)


__all__ = ["gru", "lstm", "rnn_relu", "rnn_tanh"]
