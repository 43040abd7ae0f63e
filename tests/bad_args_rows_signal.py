"""Rows of the bad-argument sweep: window functions, stft, segment_reduce, svd_lowrank,
pca_lowrank (random sketches: shapes and dtypes only), the legacy lu.

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, Arr, Dt, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *

warnings.filterwarnings("ignore", message=".*return_complex=False is deprecated.*")
warnings.filterwarnings("ignore", message="A window was not provided.*")
warnings.filterwarnings("ignore", message="torch.lu is deprecated.*")

row("mg.hann_window", 8, False, dtype=Dt("float64"))
row("mg.blackman_window", 8, True, dtype=Dt("float64"))
row("mg.bartlett_window", 7, False, dtype=Dt("float64"))
row("mg.hamming_window", 8, True, 0.5, 0.4, dtype=Dt("float64"))
row("mg.kaiser_window", 9, False, 5.0, dtype=Dt("float64"))

SIG = Arr(20, seed=11)
SIG2 = Arr(2, 19, seed=12)
WIN = Arr(6, kind="p", seed=13)
both("stft", SIG, 8, 2, 6, WIN, True, "reflect", False, True, return_complex=False,
     fixed=("return_complex",))
row("mg.stft", SIG2, 8, hop_length=3, center=False, normalized=True, onesided=False,
    return_complex=False, fixed=("return_complex",))
SKIP["mg.istft"] = "takes stft's complex output: minigrad has no complex dtype, so it " \
                   "always raises (tests/test_stft.py)"
SKIP["Tensor.istft"] = SKIP["mg.istft"]

# torch reads the segments unchecked: some bad lengths/offsets (an empty (0, 3) offsets, a
# too-long unsafe segment) crash the process, so those arguments stay as given here
LENGTHS = Arr(4, kind="i", dtype="int64", fixed=[2, 0, 3, 1])
row("mg.segment_reduce", Arr(6, seed=14), "max", lengths=LENGTHS, axis=0, unsafe=False,
    initial=0.5, fixed=("lengths", "unsafe"))

A53 = Arr(5, 3, seed=16)
_HANG = {"niter": ("2**63",), "q": ("2**63",)}     # torch loops range(niter): 2**63 hangs
row("mg.svd_lowrank", A53, 2, 1, values=False, avoid=_HANG)
row("mg.pca_lowrank", A53, 2, True, 1, values=False, avoid=_HANG)
SQ4 = Arr(4, 4, seed=17)
both("lu", SQ4, True, True)
SKIP["mg.matrix_rank"] = "removed from torch: both raise torch's RuntimeError for any " \
                         "arguments (tests/test_lowrank.py)"
