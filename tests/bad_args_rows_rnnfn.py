"""Rows of the bad-argument sweep: torch's full-sequence RNN functions (mg.rnn_tanh,
mg.rnn_relu, mg.lstm, mg.gru), padded and packed, with every argument varied.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, Arr, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

_SEQ, _PACKED = Arr(4, 2, 3, seed=11), Arr(6, 3, seed=12)
_SIZES = Arr(4, kind="i", fixed=[2, 2, 1, 1])


def _torch_packed(name):
    """torch.<name> on the packed overload, guarded: torch's kernels trust batch_sizes and
    crash (or read past the data) when they are empty, not positive, increasing or do not sum
    to the data's rows; minigrad raises there, so the stand-in raises too."""
    def call(lib, data, sizes, *rest):
        if isinstance(sizes, lib.Tensor) and sizes.dtype == lib.int64 and sizes.ndim == 1 \
                and isinstance(data, lib.Tensor) and data.ndim >= 1:
            v = sizes.tolist()
            if not v or min(v) <= 0 or v != sorted(v, reverse=True) or sum(v) != len(data):
                raise RuntimeError(f"{name}: torch crashes on batch_sizes {v}")
        return getattr(lib, name)(data, sizes, *rest)
    return call


def _params(g, seed):
    return [Arr(g * 5, 3, seed=seed), Arr(g * 5, 5, seed=seed + 1), Arr(g * 5, seed=seed + 2),
            Arr(g * 5, seed=seed + 3)]


for _n, _g in (("rnn_tanh", 1), ("rnn_relu", 1), ("gru", 3), ("lstm", 4)):
    _h = Arr(1, 2, 5, seed=13)
    _hx = [_h, Arr(1, 2, 5, seed=14)] if _n == "lstm" else _h
    row(f"mg.{_n}", _SEQ, _hx, _params(_g, 20), True, 1, 0.0, False, False, False)
    row(f"mg.{_n}", _PACKED, _SIZES, _hx, _params(_g, 30), True, 1, 0.0, False, False,
        torch=_torch_packed(_n))

# ---- mg.embedding_bag (torch.embedding_bag's ATen form) ----
_EB_W, _EB_IDX = Arr(10, 3, seed=40), Arr(8, kind="i", fixed=[1, 2, 4, 5, 4, 3, 2, 9])
_EB_OFF = Arr(4, kind="i", fixed=[0, 4, 4, 6])
# bad offsets or indices tensors (2-D indices, say) make torch read outside its tensors or
# crash (as F.embedding_bag's row in bad_args_rows_seq.py says): varied as objects only;
# tests/test_embedding_bag_aten.py checks their errors instead
_OFF = {"offsets": "object", "indices": "object"}
for _mode in (0, 1, 2):
    row("mg.embedding_bag", _EB_W, _EB_IDX, _EB_OFF, False, _mode, False, None, False, 2,
        kinds=_OFF)
row("mg.embedding_bag", _EB_W, _EB_IDX, _EB_OFF, False, 0, False, Arr(8, seed=41), False,
    kinds=_OFF)

# ---- nn.DataParallel: without CUDA torch ignores device_ids, output_device and dim; a bad
# input fails in the wrapped module (a Linear), whose error names it ----
module("DataParallel", (LIN,), {"device_ids": [0], "output_device": 0, "dim": 0},
       inputs=(Arr(3, 4),), aka=("linear",))

# ---- mg.lobpcg (eigenvector signs are LAPACK's choice: shapes and dtypes only) ----
_SPD = Expr(lambda L, x: x @ x.mT + 6 * L.eye(6), Arr(6, 6, seed=50))
row("mg.lobpcg", _SPD, 1, None, Arr(6, 1, seed=51), None, None, 50, 1e-6, True, "ortho",
    values=False)

try:
    from .bad_args_known import KNOWN
except ImportError:
    from bad_args_known import KNOWN
KNOWN.update({
    (r"mg\.lstm", "args", r".*"): (
        "stricter", "torch's float32 CPU lstm (its mkldnn kernel) checks neither the input's "
        "last size nor its rank nor c_0's dtype, and computes on whatever it reads; minigrad "
        "checks them as torch's float64 lstm does"),
})
