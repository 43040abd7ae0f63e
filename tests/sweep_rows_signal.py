"""Sweep rows: window functions, stft/istft, segment_reduce, svd_lowrank/pca_lowrank (the
singular values at full rank, where the random sketch does not matter), lu, matrix_rank,
over 0-d, empty and non-contiguous inputs against torch.

Collected by tests/test_shapes_sweep.py, which imports every tests/sweep_rows_*.py."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

from sweep_table import *

for _n in ("hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"):
    for _len, _per in ((0, True), (1, False), (6, True), (7, False)):
        case(f"mg.{_n}", lambda n=_n, k=_len, p=_per: getattr(mg, n)(k, p, dtype=mg.float64),
             lambda n=_n, k=_len, p=_per: getattr(torch, n)(k, p, dtype=torch.float64), [()],
             tag=f"{_len},{_per}")
    case(f"mg.{_n}", lambda n=_n: getattr(mg, n)(5, dtype=mg.int64),
         lambda n=_n: getattr(torch, n)(5, dtype=torch.int64), [()], tag="int64")


def _quiet(fn):
    def call(*a, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*a, **kw)
    return call


_SIGNALS = [(f(*s),) for s in ((), (0,), (3, 0, 2))] + \
    [(f(20, 3, layout="t"),), (f(2, 24, layout="s"),), (f(17, layout="n"),), (f(2, 13),)]
for _kw in ({}, {"hop_length": 3, "win_length": 6, "onesided": False},
            {"center": False, "normalized": True}, {"pad_mode": "constant"}):
    _tag = ",".join(f"{k}={v}" for k, v in _kw.items())
    case("mg.stft", _quiet(lambda x, kw=_kw: mg.stft(x, 8, return_complex=False, **kw)),
         _quiet(lambda x, kw=_kw: torch.stft(x, 8, return_complex=False, **kw)), _SIGNALS,
         tag=_tag)
    case("Tensor.stft", _quiet(lambda x, w, kw=_kw: x.stft(8, window=w, return_complex=False,
                                                           win_length=w.shape[0], **kw)),
         _quiet(lambda x, w, kw=_kw: x.stft(8, window=w, return_complex=False,
                                            win_length=w.shape[0], **kw)),
         [(f(20,), f(8,)), (f(2, 19), f(6, layout="n")), (f(21, 2, layout="t"), f(5,))],
         tag=_tag)
case("mg.stft", lambda x: mg.stft(x, 4, return_complex=True),
     lambda x: torch.stft(x, 4, return_complex=True).real, [(f(4, 0),)], tag="complex")
for _name, _lib in (("mg.istft", None), ("Tensor.istft", None)):
    case(_name, _quiet(lambda x, n=_name: (mg.istft(x, 8) if n == "mg.istft" else x.istft(8))),
         _quiet(lambda x, n=_name: (torch.istft(x, 8) if n == "mg.istft" else x.istft(8))),
         [(f(5, 3, 2),), (f(0, 3, 2),), (f(),)])

_SEG = [(f(6),), (f(6, 3, layout="t"),), (f(6, 4, layout="s"),), (f(6, 2, layout="n"),),
        (f(6, 0),), (f(),), (f(0),)]
for _r in ("sum", "mean", "max", "min", "prod"):
    case("mg.segment_reduce",
         lambda x, r=_r: mg.segment_reduce(x, r, lengths=mg.tensor([2, 0, 3, 1])),
         lambda x, r=_r: torch.segment_reduce(x, r, lengths=torch.tensor([2, 0, 3, 1])), _SEG,
         tag=_r)
    case("mg.segment_reduce",
         lambda x, r=_r: mg.segment_reduce(x, r, offsets=mg.tensor([[0, 1, 3], [0, 3, 3]]),
                                           axis=1, initial=0.5),
         lambda x, r=_r: torch.segment_reduce(x, r, offsets=torch.tensor([[0, 1, 3],
                                                                         [0, 3, 3]]),
                                              axis=1, initial=0.5),
         [(f(2, 3),), (f(2, 3, layout="t"),), (f(2, 3, 2, layout="s"),)], tag=f"{_r},offsets")

_MATS = [(f(5, 3),), (f(3, 4, layout="t"),), (f(2, 4, 3, layout="n"),), (f(4, 4, layout="s"),),
         (f(0, 3),), (f(3, 0),), (f(),), (f(4),)]
case("mg.svd_lowrank", lambda a: mg.svd_lowrank(a, q=min(a.shape[-2:]) if a.ndim > 1 else 1)[1],
     lambda a: torch.svd_lowrank(a, q=min(a.shape[-2:]) if a.ndim > 1 else 1)[1],
     _MATS[:4] + _MATS[6:])
case("mg.pca_lowrank", lambda a: mg.pca_lowrank(a, q=min(a.shape[-2:]))[1],
     lambda a: torch.pca_lowrank(a, q=min(a.shape[-2:]))[1], _MATS[:4])
_LU = [(f(4, 4),), (f(3, 3, layout="t"),), (f(2, 3, 3, layout="n"),), (f(3, 5),),
       (f(0, 3, 3),), (f(0, 0),), (f(),), (f(3),), (i(3, 3),)]
case("mg.lu", _quiet(lambda a: mg.lu(a)), _quiet(lambda a: torch.lu(a)), _LU)
case("mg.lu", _quiet(lambda a: tuple(mg.lu(a, get_infos=True))),
     _quiet(lambda a: tuple(torch.lu(a, get_infos=True))), _LU[:3], tag="infos")
case("Tensor.lu", _quiet(lambda a: a.lu()), _quiet(lambda a: a.lu()), _LU)
case("mg.matrix_rank", lambda a: mg.matrix_rank(a), lambda a: torch.matrix_rank(a),
     [(f(3, 3),)])
