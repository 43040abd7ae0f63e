"""nn.RNNBase, nn.RNN, nn.LSTM and nn.GRU with torch.nn's arguments, parameter names, shapes,
order and initialisation, so a torch state_dict loads as is and gives torch's numbers.

Parameters of layer k, direction suffix s ('' or '_reverse'), registered in this order:
weight_ih_l{k}{s} (G, H_in), weight_hh_l{k}{s} (G, H_r), bias_ih_l{k}{s} (G,),
bias_hh_l{k}{s} (G,), weight_hr_l{k}{s} (proj_size, hidden_size) (LSTM with proj_size > 0),
with G = gates * hidden_size (RNN 1, GRU 3, LSTM 4), H_r = proj_size or hidden_size and
H_in = input_size for layer 0, else D * H_r (D = 2 when bidirectional). All are drawn from
U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as torch's reset_parameters.

forward takes (L, N, H_in) ((N, L, H_in) with batch_first), unbatched (L, H_in) or a
PackedSequence, and an optional initial state (D * num_layers, N, H_r) (LSTM: a pair (h_0,
c_0), c_0 (D * num_layers, N, hidden_size)); the step math is in rnn_math.py. Dropout (with
minigrad's generator) applies to every layer's output but the last, in training mode only.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .. import autocast_state, creation
from ..ops.checks import type_name
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter
from .rnn_math import run_layers, weights_from_flat
from .utils.rnn import PackedSequence

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _is_int(v):
    return isinstance(v, (int, np.integer))


class RNNBase(Module):
    """The parameters, checks and layer loop shared by RNN, LSTM and GRU (torch.nn.RNNBase);
    mode is 'LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU'."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        super().__init__()
        who = type(self).__name__
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.bidirectional, self.proj_size = bidirectional, proj_size
        range_msg = ("dropout should be a number in range [0, 1] representing the probability "
                     "of an element being zeroed")
        try:
            self.dropout = float(dropout)
        except (TypeError, ValueError):
            kind = ValueError if isinstance(dropout, str) else TypeError
            raise kind(f"{who}: {range_msg}, got {type_name(dropout)}") from None
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError(range_msg)
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        for name, v in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(v, bool):
                raise TypeError(f"{name} should be of type bool, got: {type(v).__name__}")
        for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(v, int):
                raise TypeError(f"{name} should be of type int, got: {type(v).__name__}")
            if v <= 0:
                raise ValueError(f"{name} must be greater than zero")
            if v >= 2**63:
                raise TypeError(f"{who}: {name}={v} overflows int64")
        if not _is_int(num_layers):
            raise TypeError(f"{who}: num_layers should be of type int, got: "
                            f"{type(num_layers).__name__}")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if not _is_int(proj_size) or proj_size is True:
            raise TypeError(f"{who}: proj_size should be of type int, got: "
                            f"{type(proj_size).__name__}")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + str(mode))
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1

        def new(*shape):
            return Parameter(creation.empty(*shape, dtype=dtype, device=device))
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_in = input_size if layer == 0 else real_hidden * directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_in)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for kind, shape in shapes:
                    names.append(f"{kind}_l{layer}{suffix}")
                    setattr(self, names[-1], new(*shape))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters, one list per layer and direction (torch's all_weights)."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op: torch's compacts the weights for cuDNN, which minigrad does not use."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ---- torch's checks ------------------------------------------------------------------
    def check_input(self, input, batch_sizes) -> None:
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.ndim != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.ndim}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def get_expected_hidden_size(self, input, batch_sizes, cell=False):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.shape[0] if self.batch_first else input.shape[1]
        size = self.proj_size if self.proj_size > 0 and not cell else self.hidden_size
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, size)

    def check_hidden_size(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        if self.mode != "LSTM":
            self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))
            return
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_hidden_size(
            input, batch_sizes, cell=True), "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        if self.mode == "LSTM":
            return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)
        return hx.index_select(1, permutation)

    # ---- forward -------------------------------------------------------------------------
    def _hx_arg(self, hx):
        """hx as given: a Tensor (RNN, GRU) or a pair of Tensors (LSTM), or None."""
        who = type(self).__name__
        if hx is None:
            return None
        if self.mode != "LSTM":
            if not isinstance(hx, Tensor):
                raise TypeError(f"{who}.forward(): argument 'hx' must be Tensor, not "
                                f"{type_name(hx)}")
            return hx
        if not isinstance(hx, (tuple, list)):
            raise TypeError(f"{who}.forward(): argument 'hx' must be a tuple of two Tensors "
                            f"(h_0, c_0), not {type_name(hx)}")
        if len(hx) != 2:
            raise RuntimeError(f"{who}: lstm expects two hidden states (h_0, c_0), got {len(hx)}")
        for k, h in enumerate(hx):
            if not isinstance(h, Tensor):
                raise TypeError(f"{who}.forward(): hx[{k}] must be Tensor, not {type_name(h)}")
        return tuple(hx)

    def _zeros(self, x, batch):
        shape = (self.num_layers * (2 if self.bidirectional else 1), batch)
        real = self.proj_size if self.proj_size > 0 else self.hidden_size
        h = creation.zeros(*shape, real, dtype=x.dtype, device=x.device)
        if self.mode != "LSTM":
            return h
        return h, creation.zeros(*shape, self.hidden_size, dtype=x.dtype, device=x.device)

    def _forward(self, input, hx=None):
        who = type(self).__name__
        if type(self.bidirectional) is not bool:         # torch's kernels take a bool only
            raise TypeError(f"{who}: bidirectional must be bool, not "
                            f"{type_name(self.bidirectional)}")
        if isinstance(self.num_layers, bool):
            raise TypeError(f"{who}: num_layers must be int, not bool")
        hx = self._hx_arg(hx)
        lstm = self.mode == "LSTM"
        if isinstance(input, PackedSequence):
            x, batch_sizes, sorted_indices, unsorted_indices = input
            if not isinstance(x, Tensor) or not isinstance(batch_sizes, Tensor):
                raise TypeError(f"{who}.forward(): a PackedSequence of Tensors is expected")
            sizes = [int(b) for b in batch_sizes.tolist()]
            if not sizes:
                raise RuntimeError(f"{who}: Expected sequence length to be larger than 0 in RNN")
            hx = self._zeros(x, sizes[0]) if hx is None else \
                self.permute_hidden(hx, sorted_indices)
            self.check_forward_args(x, hx, batch_sizes)
            batched = batch_dim = None
        else:
            if not isinstance(input, Tensor):
                raise TypeError(f"{who}.forward(): argument 'input' must be Tensor or "
                                f"PackedSequence, not {type_name(input)}")
            if input.ndim not in (2, 3):
                tail = "tensor instead" if not lstm and self.mode != "GRU" else "instead"
                raise ValueError(f"{'RNN' if self.mode.startswith('RNN') else self.mode}: "
                                 f"Expected input to be 2D or 3D, got {input.ndim}D {tail}")
            batched, batch_dim = input.ndim == 3, 0 if self.batch_first else 1
            x = input if batched else input.unsqueeze(batch_dim)
            want = 3 if batched else 2
            if hx is not None:
                dims = [h.ndim for h in (hx if lstm else (hx,))]
                if any(d != want for d in dims):
                    what = f"{want}-D input, hx{' and cx' if lstm else ''} should also be"
                    got = f"({dims[0]}-D, {dims[1]}-D) tensors" if lstm else \
                        f"{dims[0]}-D tensor"
                    raise RuntimeError(f"For {'batched' if batched else 'unbatched'} {what} "
                                       f"{want}-D but got {got}")
                if not batched:
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1)) if lstm else hx.unsqueeze(1)
            sizes = sorted_indices = unsorted_indices = None
            if hx is None:
                hx = self._zeros(x, x.shape[0] if self.batch_first else x.shape[1])
            self.check_forward_args(x, hx, None)
        states = hx if lstm else (hx,)
        for k, h in enumerate(states):
            if h.dtype != x.dtype:
                raise RuntimeError(f"{who}: hx{f'[{k}]' if lstm else ''} dtype ({h.dtype}) does "
                                   f"not match input dtype ({x.dtype})")
        if sizes is None:
            if x.shape[1 if self.batch_first else 0] == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            if self.batch_first:
                x = x.transpose(0, 1)
        out, finals = self._layers(x, states, sizes)
        hidden = tuple(finals) if lstm else finals[0]
        if sizes is not None:
            packed = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
            return packed, self.permute_hidden(hidden, unsorted_indices)
        if self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out = out.squeeze(batch_dim)
            hidden = (hidden[0].squeeze(1), hidden[1].squeeze(1)) if lstm else hidden.squeeze(1)
        return out, hidden

    def _layers(self, x, states, sizes):
        """Run every layer and direction; returns (last layer's output, [h_n(, c_n)])."""
        drop = self.dropout if self.training else 0.0

        def run(flat, x, states):
            weights = weights_from_flat(self.mode, flat, self.bias, self.proj_size > 0)
            return run_layers(weights, x, states, sizes, 2 if self.bidirectional else 1, drop)
        # under autocast, torch's RNN runs in float16 (its linears), GRU and LSTM as they are
        name = {"RNN_TANH": "rnn_tanh", "RNN_RELU": "rnn_relu"}.get(self.mode, self.mode.lower())
        return autocast_state.call(name, run, list(self._flat_weights), x, states)


class RNN(RNNBase):
    """Elman RNN, h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) with act tanh or relu
    (matches torch.nn.RNN). forward(input, hx=None) -> (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, *, device=None,
                 dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._forward(input, hx)


class LSTM(RNNBase):
    """Long short-term memory with torch's gate order (i, f, g, o) and optional projection
    (matches torch.nn.LSTM). forward(input, (h_0, c_0)=None) -> (output, (h_n, c_n))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def forward(self, input, hx=None):
        return self._forward(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit with torch's gate order (r, z, n) and n = tanh(W_in x + b_in +
    r * (W_hn h + b_hn)) (matches torch.nn.GRU). forward(input, hx=None) -> (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, *, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)

    def forward(self, input, hx=None):
        return self._forward(input, hx)
