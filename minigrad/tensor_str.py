"""Tensor printing, character for character as torch/_tensor_str.py (torch 2.13).

The choice of format follows torch's _Formatter: integral floats print as `1.`, values spread
over more than three decades (or beyond 1e8 / below 1e-4) switch to scientific notation,
every element is padded to one common width. Above `threshold` elements, only `edgeitems`
rows/columns at each end of every dim are printed, with `...` between them.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import numbers

import numpy as np

from . import backend


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, math.inf, 3, 80)}


def _check_int(name, value, low=None):
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"set_printoptions(): argument '{name}' must be int, not "
                        f"{type(value).__name__}")
    if low is not None and value < low:
        raise ValueError(f"set_printoptions(): argument '{name}' must be >= {low}, got {value}")


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set the options tensors print with; `profile` is "default", "short" or "full" and the
    other arguments override it. sci_mode=None lets the formatter choose (and is what every
    call without sci_mode sets, as in torch). Matches torch.set_printoptions."""
    _check_int("precision", precision, 0)
    _check_int("edgeitems", edgeitems, 0)
    _check_int("linewidth", linewidth)     # any int: at least one element per line
    if threshold is not None and (isinstance(threshold, bool)
                                  or not isinstance(threshold, numbers.Real)):
        raise TypeError("set_printoptions(): argument 'threshold' must be a number, not "
                        f"{type(threshold).__name__}")
    if profile is not None and profile not in _PROFILES:
        raise ValueError("set_printoptions(): profile must be one of 'default', 'short' or "
                         f"'full', got {profile!r}")
    if sci_mode is not None and not isinstance(sci_mode, (bool, np.bool_)):
        raise TypeError("set_printoptions(): argument 'sci_mode' must be bool or None, not "
                        f"{type(sci_mode).__name__}")
    if profile is not None:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = int(precision)
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = int(edgeitems)
    if linewidth is not None:
        PRINT_OPTS.linewidth = int(linewidth)
    PRINT_OPTS.sci_mode = None if sci_mode is None else bool(sci_mode)


def get_printoptions() -> dict:
    """The current print options as a dict set_printoptions(**d) accepts (torch's)."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager: set_printoptions(**kwargs) inside, the previous options after
    (matches torch._tensor_str.printoptions)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """One format for every element: int mode, fixed point or scientific, and a width."""

    def __init__(self, array):
        self.floating_dtype = array.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        flat = array.reshape(-1)
        if not self.floating_dtype:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return                      # only zeros, nan and inf: int mode, width 1
        absvals = np.abs(vals.astype(np.float64))
        lo, hi = absvals.min(), absvals.max()
        values = vals.tolist()          # Python floats, formatted as torch formats item()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{p}e}") for v in values)
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in values)     # + 1 for the trailing "."
        else:
            widths = (len(f"{v:.{p}f}") for v in values)
        self.max_width = max(self.max_width, *widths)

    def format(self, value):
        if self.floating_dtype:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _edges(n):
    """Indices kept along a dim of size n when summarizing (all when n <= 2 * edgeitems)."""
    e = PRINT_OPTS.edgeitems
    return np.r_[0:e, n - e:n] if n > 2 * e else np.arange(n)


def _tensor_str(tensor, indent):
    """The bracketed numbers of a non-empty tensor (torch's _tensor_str). Summarized, only
    the edges of every dim are copied to the host; the formatter sees just those (torch's
    get_summarized_data)."""
    summarize = tensor.numel() > PRINT_OPTS.threshold
    if summarize and tensor.ndim and not PRINT_OPTS.edgeitems:
        return "[...]"
    array = tensor.data
    if summarize:
        xp = backend.array_module(array)
        for d in range(array.ndim):
            array = xp.take(array, xp.asarray(_edges(array.shape[d])), axis=d)
    array = backend.to_device(array, backend.CPU)
    return _nested_str(array, tensor.shape, indent, summarize, _Formatter(array))


def _nested_str(array, full_shape, indent, summarize, fmt):
    """The brackets of `array`, whose summarized dims hold only the edges of `full_shape`."""
    e = PRINT_OPTS.edgeitems
    if array.ndim == 0:
        return fmt.format(array.item())
    parts = list(range(array.shape[0]))
    if summarize and full_shape[0] > 2 * e:
        parts = parts[:e] + [None] + parts[e:]
    if array.ndim == 1:
        # torch's _vector_str: as many elements (and their ", ") as fit in linewidth
        values = array.tolist()
        data = [" ..." if i is None else fmt.format(values[i]) for i in parts]
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (fmt.max_width + 2)))
        lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
        return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"
    slices = ["..." if i is None else _nested_str(array[i], full_shape[1:], indent + 1,
                                                  summarize, fmt) for i in parts]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(tensor_str, suffixes, indent):
    out = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def _dtype_str(dtype):
    return f"torch.{np.dtype(dtype).name}"


def tensor_repr(tensor):
    """repr(tensor): torch's text, with minigrad's grad_fn names (matches torch's _str)."""
    from . import forward_ad      # lazy: forward_ad imports autograd, which imports Tensor
    from .nn.parameter import Buffer, Parameter
    from .tensor import Tensor
    plain = type(tensor) in (Tensor, Parameter, Buffer)   # (torch's Buffer is a plain Tensor)
    prefix = "tensor(" if plain else f"{type(tensor).__name__}("
    indent, suffixes = len(prefix), []
    tangent = forward_ad.tangent_of(tensor)
    device = tensor.device        # torch compares with the default tensor type's device
    if device.type != "cpu" or (device.type == "cuda"
                                and (device.index or 0) != _current_cuda_index()):
        suffixes.append(f"device='{device}'")
    dtype, default_float = tensor.dtype, backend.get_default_dtype()
    if tensor.numel() == 0:
        if tensor.ndim != 1:
            suffixes.append(f"size={tuple(tensor.shape)}")
        if dtype != default_float:
            suffixes.append(f"dtype={_dtype_str(dtype)}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(tensor.shape)}")
        if dtype not in (default_float, np.int64, np.bool_):
            suffixes.append(f"dtype={_dtype_str(dtype)}")
        body = _tensor_str(tensor, indent)
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor.grad_fn.name()}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    if tangent is not None:
        suffixes.append(f"tangent={tensor_repr(tangent)}")
    return _add_suffixes(prefix + body, suffixes, indent)


def _current_cuda_index():
    cp = backend.cupy_module()
    return cp.cuda.Device().id if cp else 0
