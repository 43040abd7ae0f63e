"""Sweep rows: torch's full-sequence RNN functions (mg.rnn_tanh, mg.rnn_relu, mg.lstm, mg.gru)
over empty batches, batch_first and non-contiguous inputs and states against torch, padded and
packed (tests/test_rnn_functional.py has the rest).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

_GATES = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}


def _params(L, g, inp, hid, layers, dirs):
    """Fixed weights for every layer and direction (torch's flat order, with biases)."""
    out = []
    for k in range(layers * dirs):
        n_in = inp if k < dirs else hid * dirs
        out += [L.tensor(np.linspace(-1, 1, g * hid * n_in).reshape(g * hid, n_in) / (k + 1)),
                L.tensor(np.linspace(1, -1, g * hid * hid).reshape(g * hid, hid)),
                L.tensor(np.linspace(-0.5, 0.5, g * hid)), L.tensor(np.linspace(0.3, -0.2,
                                                                                g * hid))]
    return out


def _call(name, layers, dirs, batch_first=False, sizes=None):
    def run(L, x, h):
        hx = [h, h * 0.5] if name == "lstm" else h
        ps = _params(L, _GATES[name], x.shape[-1], h.shape[-1], layers, dirs)
        if sizes is not None:
            return getattr(L, name)(x, L.tensor(sizes), hx, ps, True, layers, 0.0, False,
                                    dirs == 2)
        return getattr(L, name)(x, hx, ps, True, layers, 0.0, False, dirs == 2, batch_first)
    return (lambda *xs: run(mg, *xs)), (lambda *xs: run(torch, *xs))


for _n in _GATES:
    case(f"mg.{_n}", *_call(_n, 1, 1), [(f(3, 2, 4), f(1, 2, 5)), (f(3, 0, 4), f(1, 0, 5)),
                                         (f(3, 2, 4, layout="t"), f(1, 2, 5, layout="s")),
                                         (f(1, 1, 4, layout="n"), f(1, 1, 5))])
    case(f"mg.{_n}", *_call(_n, 2, 2, batch_first=True),
         [(f(2, 3, 4), f(4, 2, 3)), (f(0, 3, 4), f(4, 0, 3)),
          (f(2, 3, 4, layout="t"), f(4, 2, 3, layout="t"))], tag="2 layers,bidir,batch_first")
    case(f"mg.{_n}", *_call(_n, 2, 2, sizes=[3, 2, 2, 1]), [(f(8, 4), f(4, 3, 5)),
                                                            (f(8, 4, layout="s"), f(4, 3, 5))],
         tag="packed")
    # an empty sequence: both raise
    case(f"mg.{_n}", *_call(_n, 1, 1), [(f(0, 2, 4), f(1, 2, 5))], tag="empty sequence")

# ---- mg.embedding_bag (the ATen form: weight first, int mode, four outputs) ----
_EB_IDX = np.array([1, 2, 4, 5, 4, 3, 2, 0])
for _mode in (0, 1, 2):
    for _pad in (None, 2):
        case("mg.embedding_bag",
             lambda w, m=_mode, p=_pad: mg.embedding_bag(w, mg.tensor(_EB_IDX), mg.tensor(
                 [0, 4, 4, 6]), False, m, False, None, False, p),
             lambda w, m=_mode, p=_pad: torch.embedding_bag(w, torch.tensor(_EB_IDX),
                                                           torch.tensor([0, 4, 4, 6]), False,
                                                           m, False, None, False, p),
             [(f(6, 3),), (f(6, 3, layout="t"),), (f(6, 4, layout="s"),), (f(6, 0),),
              (f(6, 3, layout="n"),), (f(3),)], tag=f"mode={_mode},padding_idx={_pad}")

# ---- nn.DataParallel (no CUDA: calls its module, as torch's) ----
module_case("DataParallel", lambda nn: nn.DataParallel(nn.Linear(4, 3)),
            [(f(2, 4),), (f(0, 4),), (f(4, 2, layout="t"),), (f(4),)])

# ---- mg.lobpcg: on x x^T (symmetric, full rank: x has no more rows than columns), from a
# fixed start; eigenvectors squared (their signs are LAPACK's choice); (2, 6): m < 3 k ----
def _lobpcg(L, largest):
    def run(x):
        a = x @ x.mT
        e, v = L.lobpcg(a, k=1, X=L.ones(*a.shape[:-1], 1, dtype=a.dtype), largest=largest)
        return e, v ** 2
    return run


for _largest in (True, False):
    case("mg.lobpcg", _lobpcg(mg, _largest), _lobpcg(torch, _largest),
         [(f(6, 6),), (f(5, 7, layout="t"),), (f(2, 5, 6),), (f(6, 8, layout="s"),),
          (f(6, 7, layout="n"),), (f(2, 6),)], tag=f"largest={_largest}")
