"""The math of torch's recurrent layers: one time step of each cell, and the loop over time
of one layer in one direction (padded or packed), written with differentiable minigrad ops
so every autograd feature (double backward, forward mode, vmap) follows from the parts.

With gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh (the gates stacked along the last dim):

    RNN:   h' = act(gi + gh)                    act = tanh or relu
    LSTM:  i, f, g, o = gi + gh                 (in that order)
           c' = sigmoid(f) c + sigmoid(i) tanh(g)
           h' = sigmoid(o) tanh(c')             (then h' W_hr^T with proj_size > 0)
    GRU:   r, z, n = gi, gh                     (in that order)
           r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z)
           n = tanh(gi_n + r (gh_n))            (gh_n includes b_hn, as torch's)
           h' = n + z (h - n)                   (= (1 - z) n + z h)

The input projection gi is computed for every time step at once (one matmul per layer and
direction); only h W_hh^T runs inside the loop. For RNN and LSTM b_hh is folded into gi.
A packed batch (sequences sorted by decreasing length) shrinks as sequences end: at step t
only the first batch_sizes[t] rows advance, and a finished row keeps its last state, as in
torch. The reverse direction runs from the last step, rows joining as their sequences start.
Gradients: every op here has its own backward; nothing is fused.
"""
from __future__ import annotations

from ..ops.dropout import dropout
from ..ops.shape import cat, stack
from ..ops.split import split, unbind


def rnn_step(gi, h, w_hh_t, b_hh, nonlinearity):
    """One RNN step: act(gi + h W_hh^T + b_hh) (b_hh may be None: folded into gi)."""
    pre = gi + h @ w_hh_t
    if b_hh is not None:
        pre = pre + b_hh
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_step(gi, h, c, w_hh_t, b_hh, w_hr_t=None):
    """One LSTM step: (h', c') with torch's gate order i, f, g, o."""
    gates = gi + h @ w_hh_t
    if b_hh is not None:
        gates = gates + b_hh
    i, f, g, o = gates.chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr_t is not None:
        h = h @ w_hr_t
    return h, c


def gru_step(gi, h, w_hh_t, b_hh):
    """One GRU step with torch's gate order r, z, n and n = tanh(gi_n + r (W_hn h + b_hn))."""
    gh = h @ w_hh_t
    if b_hh is not None:
        gh = gh + b_hh
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    n = (i_n + r * h_n).tanh()
    return n + z * (h - n)


def input_gates(x, w_ih, b_ih):
    """x W_ih^T + b_ih: one step's input contribution to the gates (the cells)."""
    gi = x @ w_ih.T
    return gi if b_ih is None else gi + b_ih


def input_projection(x, w_ih, b_ih, b_hh, mode):
    """gi = x W_ih^T + b_ih (+ b_hh for RNN and LSTM, whose gates only see the sum) for all
    time steps at once: x is (T, N, H_in) or packed (sum of lengths, H_in)."""
    lead = x.shape[:-1]
    gi = x.reshape(-1, x.shape[-1]) @ w_ih.T
    if b_ih is not None:
        gi = gi + (b_ih if mode == "GRU" else b_ih + b_hh)
    return gi.reshape(lead + (w_ih.shape[0],))


class Weights:
    """One layer and direction's parameters as the step functions use them."""

    def __init__(self, mode, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None):
        self.mode, self.w_ih, self.b_ih, self.b_hh = mode, w_ih, b_ih, b_hh
        self.w_hh_t = w_hh.T
        self.w_hr_t = None if w_hr is None else w_hr.T
        # RNN and LSTM add b_hh into gi once; GRU needs it inside r * (W_hn h + b_hn)
        self.step_b_hh = b_hh if mode == "GRU" else None

    def step(self, gi, state):
        mode = self.mode
        if mode == "LSTM":
            return lstm_step(gi, state[0], state[1], self.w_hh_t, self.step_b_hh, self.w_hr_t)
        if mode == "GRU":
            return (gru_step(gi, state[0], self.w_hh_t, self.step_b_hh),)
        return (rnn_step(gi, state[0], self.w_hh_t, self.step_b_hh,
                         "relu" if mode == "RNN_RELU" else "tanh"),)


def weights_from_flat(mode, params, has_biases, has_proj):
    """One Weights per layer and direction from torch's flat parameter list (w_ih, w_hh,
    then b_ih, b_hh with biases, then w_hr with projections; layer by layer, the forward
    direction before the reverse one), as nn.RNNBase's _flat_weights and torch.lstm's
    params."""
    per = 2 + 2 * bool(has_biases) + bool(has_proj)
    out = []
    for k in range(0, len(params), per):
        ws = params[k:k + per]
        b_ih, b_hh = (ws[2], ws[3]) if has_biases else (None, None)
        out.append(Weights(mode, ws[0], ws[1], b_ih, b_hh, ws[-1] if has_proj else None))
    return out


def run_direction(wts, x, state, batch_sizes=None, reverse=False):
    """One layer in one direction over all time steps.

    x: (T, N, H_in), or packed data (sum of lengths, H_in) with batch_sizes (a list of T
    ints, non-increasing); state: (h0,) or (h0, c0), each (N, *). Returns (output, final
    state): output (T, N, H_out) or packed (sum of lengths, H_out)."""
    gi = input_projection(x, wts.w_ih, wts.b_ih, wts.b_hh, wts.mode)
    if batch_sizes is None:
        steps = unbind(gi, 0)
        order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
        outs = [None] * len(steps)
        for t in order:
            state = wts.step(steps[t], state)
            outs[t] = state[0]
        return stack(outs, 0), state
    steps = split(gi, list(batch_sizes), 0)
    outs = [None] * len(steps)
    if reverse:
        full, n = state, batch_sizes[-1]
        state = tuple(s[:n] for s in full)
        for t in range(len(steps) - 1, -1, -1):
            bs = batch_sizes[t]
            if bs > n:                  # sequences of length t + 1 start here
                state = tuple(cat([s, f[n:bs]], 0) for s, f in zip(state, full))
                n = bs
            state = wts.step(steps[t], state)
            outs[t] = state[0]
        return cat(outs, 0), state
    done = []                           # the final states of the rows that ended, in order
    n = state[0].shape[0]
    for t in range(len(steps)):
        bs = batch_sizes[t]
        if bs < n:                      # rows bs..n-1 ended at step t - 1
            done.append(tuple(s[bs:n] for s in state))
            state = tuple(s[:bs] for s in state)
            n = bs
        state = wts.step(steps[t], state)
        outs[t] = state[0]
    if done:
        state = tuple(cat([s] + [d[k] for d in reversed(done)], 0) for k, s in enumerate(state))
    return cat(outs, 0), state


def run_layers(weights, x, states, batch_sizes, directions, dropout_p):
    """Every layer (weights: one Weights per layer and direction, in torch's order) over x;
    states: (h_0,) or (h_0, c_0), each (layers * directions, N, *). Between layers the output
    goes through dropout(p) (p = 0 outside training). Returns (output, [h_n(, c_n)])."""
    per_layer = [s.unbind(0) for s in states]
    layers, finals = len(weights) // directions, []
    for layer in range(layers):
        outs = []
        for d in range(directions):
            k = layer * directions + d
            out, state = run_direction(weights[k], x, tuple(s[k] for s in per_layer),
                                       batch_sizes, reverse=d == 1)
            outs.append(out)
            finals.append(state)
        x = outs[0] if directions == 1 else cat(outs, -1)
        if dropout_p > 0 and layer < layers - 1:
            x = dropout(x, dropout_p, True)
    return x, [stack([f[j] for f in finals], 0) for j in range(len(states))]
