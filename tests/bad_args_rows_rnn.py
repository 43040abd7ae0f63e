"""Rows of the bad-argument sweep: the recurrent layers and cells (nn.RNN, nn.LSTM, nn.GRU,
nn.RNNCell, nn.LSTMCell, nn.GRUCell): every constructor argument and the forward's input and
initial state.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, module, Arr, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

# ---- rnn ----
SEQ = Arr(5, 2, 4)
# num_layers=2**63: torch builds layers until memory runs out (minigrad too): not tried
_HANG = {"num_layers": ("2**63",)}
# a dropout > 0 between layers draws masks (minigrad's generator, not torch's): random values
_R = ("dropout",)
module("RNN", (4, 3, 2, "tanh", True, False, 0.0, True), inputs=(SEQ,), avoid=_HANG, random=_R)
module("RNN", (4, 3), {"nonlinearity": "relu"}, inputs=(SEQ, Arr(1, 2, 3, seed=1)))
module("GRU", (4, 3, 2, True, False, 0.0, False), inputs=(SEQ, Arr(2, 2, 3, seed=1)),
       avoid=_HANG, random=_R)
module("LSTM", (4, 3, 1, True, False, 0.0, False, 2), inputs=(SEQ,), avoid=_HANG)
module("LSTM", (4, 3), {"batch_first": True, "bidirectional": True}, inputs=(Arr(2, 5, 4),))
row("nn.LSTM.forward", SEQ, (Arr(1, 2, 3, seed=1), Arr(1, 2, 3, seed=2)), ctor=((4, 3), {}),
    kinds={"hx": "object"})
module("RNNCell", (4, 3, True, "tanh"), inputs=(Arr(2, 4), Arr(2, 3, seed=1)))
module("GRUCell", (4, 3, True), inputs=(Arr(2, 4), Arr(2, 3, seed=1)))
module("LSTMCell", (4, 3, True), inputs=(Arr(2, 4),))
row("nn.LSTMCell.forward", Arr(4), (Arr(3, seed=1), Arr(3, seed=2)), ctor=((4, 3), {}),
    kinds={"hx": "object"})
SKIP.update({"nn.RNNBase": "a base class: its subclasses' rows cover it",
             "nn.RNNCellBase": "a base class: its subclasses' rows cover it"})
