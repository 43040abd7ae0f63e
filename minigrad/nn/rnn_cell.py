"""nn.RNNCellBase, nn.RNNCell, nn.LSTMCell and nn.GRUCell: one time step of each recurrent
layer, with torch.nn's arguments, parameters (weight_ih (G, input_size), weight_hh (G,
hidden_size), bias_ih and bias_hh (G,), G = gates * hidden_size), initialisation
U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) and checks. The step math (and its formulas)
is in rnn_math.py; input (N, input_size) or unbatched (input_size,), hx optional (zeros).
"""
from __future__ import annotations

import math

import numpy as np

from .. import autocast_state, creation
from ..ops.checks import type_name
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter
from .rnn_math import gru_step, input_gates, lstm_step, rnn_step


def _size(who, v, name):
    """A size argument as torch's empty() takes it: an int (a bool or NumPy int too), >= 0."""
    if not isinstance(v, (int, np.integer)):
        raise TypeError(f"{who}: {name} must be int, not {type_name(v)}")
    if v < 0:
        raise RuntimeError(f"{who}: Trying to create tensor with negative dimension {v}: "
                           f"{name}={v}")
    if v >= 2**63:
        raise TypeError(f"{who}: {name}={v} overflows int64")
    return int(v)


class RNNCellBase(Module):
    """The parameters of a cell with num_chunks gates (torch.nn.RNNCellBase)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None):
        super().__init__()
        who = type(self).__name__
        n_in, n_h = _size(who, input_size, "input_size"), _size(who, hidden_size, "hidden_size")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        g = num_chunks * n_h
        self.weight_ih = Parameter(creation.empty(g, n_in, dtype=dtype, device=device))
        self.weight_hh = Parameter(creation.empty(g, n_h, dtype=dtype, device=device))
        if bias:                                # (torch tests its truth value only)
            self.bias_ih = Parameter(creation.empty(g, dtype=dtype, device=device))
            self.bias_hh = Parameter(creation.empty(g, dtype=dtype, device=device))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    # ---- torch's checks (those of its C++ cells, with their messages) --------------------
    def _input(self, input):
        who = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{who}.forward(): argument 'input' must be Tensor, not "
                            f"{type_name(input)}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{who}: Expected input to be 1D or 2D, got {input.ndim}D instead")

    def _hidden(self, h, label):
        who = type(self).__name__
        if not isinstance(h, Tensor):
            raise TypeError(f"{who}.forward(): {label} must be Tensor, not {type_name(h)}")
        if h.ndim not in (1, 2):
            raise ValueError(f"{who}: Expected {label} to be 1D or 2D, got {h.ndim}D instead")

    def _check_step(self, x, hs):
        """torch's check_rnn_cell_forward_input / _hidden on the 2-D input and states."""
        who = type(self).__name__
        if x.shape[1] != self.weight_ih.shape[1]:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected "
                               f"{self.weight_ih.shape[1]}")
        hidden = self.weight_hh.shape[1]
        for k, h in enumerate(hs):
            if x.shape[0] != h.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{k} "
                                   f"batch size {h.shape[0]}")
            if h.ndim < 2:
                raise IndexError(f"{who}: hidden{k} of shape {tuple(h.shape)} has no "
                                 "hidden_size dim (dim 1)")
            if h.shape[1] != hidden:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, "
                                   f"expected {hidden}")
            if h.ndim != 2:
                raise RuntimeError(f"{who}: hidden{k} must be 2-D (batch, hidden_size), got "
                                   f"shape {tuple(h.shape)}")
        w = self.weight_ih
        for k, t in enumerate((x,) + tuple(hs)):
            if t.dtype != w.dtype:
                what = "input" if k == 0 else f"hidden{k - 1}"
                raise RuntimeError(f"{who}: {what} dtype ({t.dtype}) does not match weight "
                                   f"dtype ({w.dtype})")

    def _zeros(self, x):
        return creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)

    def _gi(self, x):
        return input_gates(x, self.weight_ih, self.bias_ih)


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act tanh or relu (torch.nn.RNNCell;
    nonlinearity is checked at forward, as torch's)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        self._input(input)
        if hx is not None:
            self._hidden(hx, "hidden")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        h = self._zeros(x) if hx is None else (hx if batched else hx.unsqueeze(0))
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        self._check_step(x, (h,))
        out = autocast_state.call(f"rnn_{self.nonlinearity}_cell", self._step, x, h,
                                  self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)

    def _step(self, x, h, w_ih, w_hh, b_ih, b_hh):
        return rnn_step(input_gates(x, w_ih, b_ih), h, w_hh.T, b_hh, self.nonlinearity)


class LSTMCell(RNNCellBase):
    """(h', c') of one LSTM step with gates i, f, g, o (torch.nn.LSTMCell)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        self._input(input)
        if hx is not None:
            if not isinstance(hx, (tuple, list)):
                raise TypeError(f"LSTMCell.forward(): argument 'hx' must be a tuple of two "
                                f"Tensors (h_0, c_0), not {type_name(hx)}")
            for k, h in enumerate(hx):
                self._hidden(h, f"hx[{k}]")
            if len(hx) != 2:
                raise RuntimeError(f"LSTMCell: lstm_cell expects two hidden states, got "
                                   f"{len(hx)}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            hx = (self._zeros(x), self._zeros(x))
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        self._check_step(x, hx)
        h, c = autocast_state.call("lstm_cell", lambda: lstm_step(
            self._gi(x), hx[0], hx[1], self.weight_hh.T, self.bias_hh))
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """h' of one GRU step with gates r, z, n (torch.nn.GRUCell)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        self._input(input)
        if hx is not None:
            self._hidden(hx, "hidden")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        h = self._zeros(x) if hx is None else (hx if batched else hx.unsqueeze(0))
        self._check_step(x, (h,))
        out = autocast_state.call("gru_cell", lambda: gru_step(self._gi(x), h, self.weight_hh.T,
                                                               self.bias_hh))
        return out if batched else out.squeeze(0)
