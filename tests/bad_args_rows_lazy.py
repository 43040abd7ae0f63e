"""Rows of the bad-argument sweep: the lazy modules (built, then run once on a fixed input so
that both are initialized before the row's forward), CrossMapLRN2d, NLLLoss2d and
AdaptiveLogSoftmaxWithLoss (constructor and forward arguments).

tests/bad_args_calls.py imports every tests/bad_args_rows_*.py at its end; the names used
here (row, both, module, Arr, X, ALIASES, ...) come from there."""
# ruff: noqa: F403, F405  (the row helpers come in by star import)
import warnings

try:                                    # python -m tests.bad_args
    from .bad_args_calls import *
except ImportError:                     # pytest (tests/ on sys.path)
    from bad_args_calls import *


def _dry(name, shape):
    """A constructor that also runs the lazy module once on zeros of `shape`."""
    def make(lib, *a, **k):
        m = getattr(lib.nn, name)(*a, **k)
        m(lib.zeros(*shape))
        return m
    return make


_X5 = Arr(2, 3, 2, 2, 2)
for _name, _args, _kw, _x in [
        ("LazyLinear", (2,), {"bias": True}, X),
        ("LazyConv1d", (4, 3), {"stride": 1, "padding": 1}, X3),
        ("LazyConv2d", (4, 3), {"groups": 1, "padding_mode": "zeros"}, X4),
        ("LazyConv3d", (2, 2), {"dilation": 1}, _X5),
        ("LazyConvTranspose1d", (4, 3), {"stride": 2}, X3),
        ("LazyConvTranspose2d", (4, 3), {"output_padding": 0}, X4),
        ("LazyConvTranspose3d", (2, 2), {"bias": False}, _X5),
        ("LazyBatchNorm1d", (1e-5, 0.1, True, True), {}, X),
        ("LazyBatchNorm2d", (1e-5, 0.1), {"affine": True}, X4),
        ("LazyBatchNorm3d", (1e-5,), {"track_running_stats": True}, _X5),
        ("LazyInstanceNorm1d", (1e-5, 0.1, False, False), {}, X3),
        ("LazyInstanceNorm2d", (1e-5,), {"affine": False, "track_running_stats": False}, X4),
        ("LazyInstanceNorm3d", (1e-5, 0.1, False), {}, _X5)]:
    module(_name, _args, _kw, inputs=(_x,), call=_dry(_name, _x.shape))
ALIASES.update({"LazyLinear": ("Linear", "linear", "addmm", "mat1", "mat2"),
                **{f"LazyConv{n}d": (f"Conv{n}d", f"conv{n}d") for n in (1, 2, 3)},
                **{f"LazyConvTranspose{n}d": (f"ConvTranspose{n}d", f"conv_transpose{n}d")
                   for n in (1, 2, 3)},
                **{f"LazyBatchNorm{n}d": (f"BatchNorm{n}d", "batch_norm") for n in (1, 2, 3)},
                **{f"LazyInstanceNorm{n}d": (f"InstanceNorm{n}d", "instance_norm")
                   for n in (1, 2, 3)}})

module("CrossMapLRN2d", (3, 1e-4, 0.75, 1.0), inputs=(X4,))


def _nll2d(lib, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return lib.nn.NLLLoss2d(*a, **k)


module("NLLLoss2d", (), {"ignore_index": -100, "reduction": "mean"},
       inputs=(Arr(2, 4, 3, 3), Arr(2, 3, 3, kind="i", high=4)), call=_nll2d)
ALIASES.update({"NLLLoss2d": ("NLLLoss", "nll_loss")})
module("AdaptiveLogSoftmaxWithLoss", (4, 10, [2, 6], 2.0, True),
       inputs=(X, Arr(3, kind="i", high=10)))
SKIP["nn.Container"] = "deprecated; takes only submodules by keyword, checked in " \
                       "tests/test_buffer_and_legacy.py"
SKIP["nn.Buffer"] = "a Tensor subclass; its errors: tests/test_buffer_and_legacy.py"
SKIP["nn.UninitializedParameter"] = "a Tensor subclass; tests/test_lazy_modules.py"
SKIP["nn.UninitializedBuffer"] = "a Tensor subclass; tests/test_lazy_modules.py"

try:
    from .bad_args_known import KNOWN
except ImportError:
    from bad_args_known import KNOWN
KNOWN.update({
    (r"nn\.LazyInstanceNorm\dd\.forward", "input", r"dtype .*"): (
        "stricter", "as F.instance_norm's entry: torch's CPU kernel lets an affine=False "
        "instance norm's running_mean keep another dtype; minigrad requires the input's"),
    (r"nn\.CrossMapLRN2d", "size", r".*"): (
        "stricter", "torch's legacy CrossMapLRN2d takes any number as size (a float, a "
        "negative, 2**63) and computes with it; minigrad asks for a positive int"),
})
