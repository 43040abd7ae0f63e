"""Sweep rows: the recurrent layers and cells (nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell,
nn.LSTMCell, nn.GRUCell) on empty batches, zero-length sequences (torch's error),
unbatched and non-contiguous inputs, with and without an initial state.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

# ---- rnn ----
_SEQ = [(f(5, 2, 4),), (f(5, 0, 4),), (f(0, 2, 4),), (f(5, 4),), (f(5, 2, 4, layout="s"),),
        (f(5, 2, 4, layout="n"),), (f(2, 5, 4, layout="t"),), (f(5, 2, 5),), (f(1, 1, 4),)]
for _n, _kw in [("RNN", {}), ("RNN", dict(nonlinearity="relu", bias=False)),
                ("GRU", dict(num_layers=2, bidirectional=True)),
                ("LSTM", dict(bidirectional=True)), ("LSTM", dict(proj_size=2, num_layers=2)),
                ("GRU", dict(batch_first=True))]:
    module_case(_n, lambda nn, n=_n, kw=_kw: getattr(nn, n)(4, 3, **kw), _SEQ, train=False)
# with an initial state (RNN, GRU: hx (D * layers, N, H)); LSTM: a pair, given in a lambda
module_case("RNN", lambda nn: nn.RNN(4, 3, num_layers=2),
            [(f(5, 2, 4), f(2, 2, 3)), (f(5, 0, 4), f(2, 0, 3)), (f(5, 4), f(2, 3)),
             (f(5, 2, 4), f(2, 3, 2, layout="t")), (f(5, 2, 4), f(2, 3)), (f(5, 4), f(2, 1, 3))],
            train=False)
module_case("GRU", lambda nn: nn.GRU(4, 3, bidirectional=True),
            [(f(5, 2, 4), f(2, 2, 3, layout="n")), (f(5, 2, 4), f(1, 2, 3))], train=False)
for _n in ["RNNCell", "GRUCell", "LSTMCell"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(4, 3),
                [(f(2, 4),), (f(0, 4),), (f(4),), (f(2, 4, layout="s"),), (f(3, 2, layout="t"),),
                 (f(2, 5),), (f(2, 3, 4),), (f(),)], train=False)
for _n in ["RNNCell", "GRUCell"]:
    module_case(_n, lambda nn, n=_n: getattr(nn, n)(4, 3),
                [(f(2, 4), f(2, 3)), (f(0, 4), f(0, 3)), (f(4), f(3)),
                 (f(2, 4), f(3, 2, layout="t")), (f(2, 4), f(2, 4)), (f(4), f(2, 3))],
                train=False)
SKIP_MORE["nn.RNNBase"] = "base class of RNN/LSTM/GRU, no forward (tests/test_rnn.py)"
SKIP_MORE["nn.RNNCellBase"] = "base class of the cells, no forward (tests/test_rnn_cells.py)"
