"""Sweep rows: issue 15, sequences (ctc_loss, embedding_bag, pad_sequence, parameter
containers).

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
from sweep_table import *

from minigrad.nn.utils.rnn import pad_sequence as _mg_pad
from torch.nn.utils.rnn import pad_sequence as _t_pad

# ---- issue 15: seq ----
_LP = [(f(5, 2, 4), i(2, 3, high=4)), (f(5, 2, 4, layout="n"), i(2, 3, high=4)),
       (f(5, 2, 4, layout="t"), i(2, 3, high=4)), (f(5, 2, 4), i(5, high=4)),
       (f(), i(2, 3, high=4)), (f(0, 2, 4), i(2, 3, high=4)), (f(5, 2, 0), i(2, 3, high=4)),
       (f(5, 4), i(2, 3, high=4))]
for _red in ["none", "mean", "sum"]:
    for _zi in [False, True]:
        case("F.ctc_loss", lambda x, t, r=_red, z=_zi: F.ctc_loss(x, t, (5, 4), (3, 2), 0, r, z),
             lambda x, t, r=_red, z=_zi: tF.ctc_loss(x, t, (5, 4), (3, 2), 0, r, z), _LP,
             tag=f"{_red},{_zi}")
    # infeasible (inf loss, NaN gradient) and empty targets
    case("F.ctc_loss", lambda x, t, r=_red: F.ctc_loss(x, t, (1, 0), (3, 0), 0, r),
         lambda x, t, r=_red: tF.ctc_loss(x, t, (1, 0), (3, 0), 0, r),
         [(f(5, 2, 4), i(2, 3, high=4))], tag=f"{_red},inf")
    case("F.ctc_loss", lambda x, t, r=_red: F.ctc_loss(x, t, mg.tensor([5]), mg.tensor([3]), 2,
                                                         r),
         lambda x, t, r=_red: tF.ctc_loss(x, t, torch.tensor([5]), torch.tensor([3]), 2, r),
         [(f(5, 4), i(3, high=4)), (f(5, 4, layout="t"), i(1, 3, high=4)), (f(5, 4), i(2))],
         tag=f"{_red},unbatched")
case("F.ctc_loss", lambda x, t: F.ctc_loss(x, t, (), ()), lambda x, t: tF.ctc_loss(x, t, (), ()),
     [(f(5, 0, 4), i(0, 3, high=4)), (f(5, 0, 4), i(0, high=4))], tag="empty batch")
case("nn.CTCLoss", lambda x, t: mg.nn.CTCLoss(blank=1)(x, t, (5, 4), (3, 2)),
     lambda x, t: torch.nn.CTCLoss(blank=1)(x, t, (5, 4), (3, 2)), _LP)

_OFF = [0, 2, 2]
_EB = [(i(5, high=6), f(6, 3)), (i(5, high=6), f(6, 3, layout="t")),
       (i(5, high=6), f(6, 3, layout="n")), (i(high=6), f(6, 3)), (i(0), f(6, 3)),
       (i(5, high=6), f(6, 0)), (i(5, high=6), f(6)), (i(5, 2, high=6), f(6, 3))]
for _mode in ["sum", "mean", "max"]:
    for _pad in [None, 1]:
        case("F.embedding_bag",
             lambda x, w, m=_mode, p=_pad: F.embedding_bag(x, w, mg.tensor(_OFF) if x.ndim == 1
                                                           and x.shape[0] else mg.tensor([0, 0]),
                                                           mode=m, padding_idx=p),
             lambda x, w, m=_mode, p=_pad: tF.embedding_bag(
                 x, w, torch.tensor(_OFF) if x.ndim == 1 and x.shape[0] else torch.tensor([0, 0]),
                 mode=m, padding_idx=p), _EB, tag=f"{_mode},{_pad}")
        case("F.embedding_bag", lambda x, w, m=_mode, p=_pad: F.embedding_bag(x, w, mode=m,
                                                                              padding_idx=p),
             lambda x, w, m=_mode, p=_pad: tF.embedding_bag(x, w, mode=m, padding_idx=p),
             [(i(2, 3, high=6), f(6, 3)), (i(0, 3, high=6), f(6, 3)),
              (i(3, 2, high=6, layout="t"), f(6, 3, layout="s")), (i(2, 0), f(6, 3))],
             tag=f"2-D,{_mode},{_pad}")
case("F.embedding_bag", lambda x, w, s: F.embedding_bag(x, w, mode="sum", per_sample_weights=s),
     lambda x, w, s: tF.embedding_bag(x, w, mode="sum", per_sample_weights=s),
     [(i(2, 3, high=6), f(6, 3), f(2, 3)), (i(3, 2, high=6), f(6, 3), f(3, 2, layout="t")),
      (i(0, 3, high=6), f(6, 3), f(0, 3)), (i(2, 3, high=6), f(6, 3), f(3))], tag="psw")
case("F.embedding_bag", lambda x, w: F.embedding_bag(x, w, mode="mean", scale_grad_by_freq=True),
     lambda x, w: tF.embedding_bag(x, w, mode="mean", scale_grad_by_freq=True),
     [(i(3, 4, high=4), f(4, 3)), (i(0, 2, high=4), f(4, 3))], tag="freq")
for _mode in ["sum", "mean", "max"]:
    module_case("EmbeddingBag", lambda nn, m=_mode: nn.EmbeddingBag(6, 3, mode=m),
                [(i(2, 3, high=6),), (i(0, 3, high=6),), (i(3, 2, high=6, layout="t"),),
                 (i(high=6),)])

case("nn.utils.rnn.pad_sequence", lambda *xs: _mg_pad(list(xs)),
     lambda *xs: _t_pad(list(xs)),
     [(f(3), f(2)), (f(3, 2), f(0, 2)), (f(0), f(0)), (f(4, 3, layout="t"), f(2, 3, layout="s")),
      (f(),), (f(3, 2), f(3, 4)), (f(2), i(3)), (i(2), f(3))])
for _bf in [False, True]:
    for _side in ["left", "right"]:
        case("nn.utils.rnn.pad_sequence",
             lambda *xs, bf=_bf, sd=_side: _mg_pad(list(xs), bf, -1.5, sd),
             lambda *xs, bf=_bf, sd=_side: _t_pad(list(xs), bf, -1.5, sd),
             [(f(3, 2, 2), f(1, 2, 2), f(2, 2, 2, layout="n")), (i(2), i(4))],
             tag=f"{_bf},{_side}")

SKIP_MORE["nn.ParameterList"] = "container: holds parameters, computes nothing (tests/test_seq.py)"
SKIP_MORE["nn.ParameterDict"] = "container: holds parameters, computes nothing (tests/test_seq.py)"

_PACK = [(f(5, 4, 2),), (f(5, 4, 0),), (f(5, 2, 4, layout="t"),), (f(5, 4, 2, layout="n"),),
         (f(),), (f(5, 0),)]
for _es, _lens in [(True, [5, 3, 3, 1]), (False, [2, 3, 2, 5])]:
    case("nn.utils.rnn.pack_padded_sequence",
         lambda x, es=_es, ln=_lens: tuple(mg.nn.utils.rnn.pack_padded_sequence(x, ln, False, es)),
         lambda x, es=_es, ln=_lens: tuple(torch.nn.utils.rnn.pack_padded_sequence(x, ln, False,
                                                                                   es)),
         _PACK, tag=f"{_es}")
    case("nn.utils.rnn.pad_packed_sequence",
         lambda x, es=_es, ln=_lens: mg.nn.utils.rnn.pad_packed_sequence(
             mg.nn.utils.rnn.pack_padded_sequence(x, ln, True, es), True, 0.5),
         lambda x, es=_es, ln=_lens: torch.nn.utils.rnn.pad_packed_sequence(
             torch.nn.utils.rnn.pack_padded_sequence(x, ln, True, es), True, 0.5),
         [(f(4, 5, 2),), (f(4, 5, 0),), (f(4, 5, 3, layout="t"),), (f(4, 5, layout="s"),)],
         tag=f"{_es}")
case("nn.utils.rnn.pack_sequence", lambda *xs: tuple(mg.nn.utils.rnn.pack_sequence(list(xs),
                                                                                   False)),
     lambda *xs: tuple(torch.nn.utils.rnn.pack_sequence(list(xs), False)),
     [(f(2, 3), f(4, 3)), (f(3), f(3, layout="n")), (f(2, 0), f(1, 0)), (f(0), f(2)),
      (f(4, 3, layout="t"), f(1, 3))])
