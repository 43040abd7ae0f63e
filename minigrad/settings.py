"""Global runtime settings with torch's names: threads, determinism, the default device,
float32 matmul precision, warn-always, flush-denormal and anomaly mode.

minigrad's CPU ops are deterministic. On CUDA, the one nondeterministic path is accumulation
with repeated indices (cupyx.scatter_add: float atomics, used by indexing backward,
scatter_add, index_add, embedding_bag, repeat_interleave backward): in deterministic mode it
raises (or warns, with warn_only=True), where torch would run a deterministic kernel.
"""
from __future__ import annotations

import numbers
import os
import warnings

from . import anomaly, backend


class _State:
    num_threads = None          # None: whatever the BLAS library uses
    interop_threads = 1         # minigrad runs one op at a time on the calling thread
    deterministic = False
    warn_only = False
    matmul_precision = "highest"
    warn_always = False


state = _State()
_limiter = None                 # the threadpoolctl limiter that set_num_threads installed


def _need_int(who, n):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise RuntimeError(f"{who} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{who} expects a positive integer")
    return int(n)


def _need_bool(who, arg, value, pos=None):
    if type(value) is not bool:
        where = f" (position {pos})" if pos else ""
        raise TypeError(f"{who}(): argument '{arg}'{where} must be bool, not "
                        f"{type(value).__name__}")
    return value


# ---- threads -----------------------------------------------------------------------------
def get_num_threads() -> int:
    """The number of threads NumPy's BLAS uses for matrix products (torch.get_num_threads:
    its intra-op threads). minigrad's elementwise ops run on one thread."""
    if state.num_threads is not None:
        return state.num_threads
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return os.cpu_count() or 1
    counts = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(counts) if counts else 1


def set_num_threads(int) -> None:     # noqa: A002  (torch's argument name)
    """Limit NumPy's BLAS to `int` threads, through threadpoolctl (torch.set_num_threads)."""
    global _limiter
    n = _need_int("set_num_threads", int)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise RuntimeError("set_num_threads: needs the threadpoolctl package to control "
                           "NumPy's BLAS threads (pip install threadpoolctl)") from None
    _limiter = threadpool_limits(limits=n, user_api="blas")
    state.num_threads = n


def get_num_interop_threads() -> int:
    """Threads running independent ops in parallel: minigrad runs ops one after another on
    the calling thread (torch.get_num_interop_threads)."""
    return state.interop_threads


def set_num_interop_threads(int) -> None:     # noqa: A002  (torch's argument name)
    """Accepts only 1: minigrad has no inter-op thread pool (torch.set_num_interop_threads)."""
    n = _need_int("set_num_interop_threads", int)
    if n != 1:
        raise RuntimeError(f"set_num_interop_threads({n}): minigrad has no inter-op thread "
                           "pool (ops run one after another on the calling thread); only 1 "
                           "is supported")
    state.interop_threads = n


# ---- determinism -------------------------------------------------------------------------
def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Make nondeterministic ops raise (or warn, with warn_only) (matches
    torch.use_deterministic_algorithms; see this module's docstring for which ops)."""
    _need_bool("use_deterministic_algorithms", "mode", mode, 1)
    _need_bool("use_deterministic_algorithms", "warn_only", warn_only)
    state.deterministic, state.warn_only = mode, warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """Whether use_deterministic_algorithms(True) is on (torch's)."""
    return state.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether deterministic mode only warns (torch's)."""
    return state.warn_only


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode) -> None:
    """0/"default": off, 1/"warn": warn on nondeterministic ops, 2/"error": raise (matches
    torch.set_deterministic_debug_mode)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`,"
                               f" `error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif isinstance(debug_mode, bool) or not isinstance(debug_mode, numbers.Integral):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    elif debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    state.deterministic, state.warn_only = debug_mode != 0, debug_mode == 1


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (warn) or 2 (error) (torch.get_deterministic_debug_mode)."""
    return 0 if not state.deterministic else 1 if state.warn_only else 2


def alert_not_deterministic(caller: str) -> None:
    """Called by an op about to run a nondeterministic path: raise or warn in deterministic
    mode, with torch's message (at::globalContext().alertNotDeterministic)."""
    if not state.deterministic:
        return
    msg = (f"{caller} does not have a deterministic implementation in minigrad, but you set "
           "'mg.use_deterministic_algorithms(True)'. You can turn off determinism just for "
           "this operation, or you can use the 'warn_only=True' option, if that's acceptable "
           "for your application.")
    if state.warn_only:
        warnings.warn(msg, UserWarning, stacklevel=3)
    else:
        raise RuntimeError(msg)


# ---- the default device ------------------------------------------------------------------
def set_default_device(device) -> None:
    """Where creation functions (zeros, tensor, randn, ...) put tensors when no device is
    given; None restores the CPU (matches torch.set_default_device). An int means cuda:N."""
    if device is None:
        backend.default_device = None
        return
    if isinstance(device, numbers.Integral) and not isinstance(device, bool):
        device = backend.Device("cuda", int(device))
    elif not isinstance(device, (str, backend.Device)):
        raise TypeError("set_default_device(): device must be a str, int, mg.device or None, "
                        f"not {type(device).__name__}")
    try:
        dev = backend.Device(device)
    except ValueError as e:
        raise RuntimeError(f"set_default_device(): {e}") from None
    if dev.type == "cuda":
        if not backend.cuda_available():
            raise RuntimeError(f"set_default_device('{dev}'): CUDA is not available (CuPy is "
                               "not installed or no GPU was found)")
        dev = backend.Device("cuda", dev.index or 0)
    backend.default_device = dev


def get_default_device():
    """The device creation functions use (torch.get_default_device): cpu or cuda:N."""
    return backend.default_device or backend.CPU


# ---- matmul precision, warnings, denormals -----------------------------------------------
def set_float32_matmul_precision(precision: str) -> None:
    """"highest", "high" or "medium" (torch.set_float32_matmul_precision). minigrad always
    computes float32 products in float32 ("highest"): the others only allow torch to use
    TF32/bfloat16, which it need not, so every setting gives float32 results here."""
    if not isinstance(precision, str):
        raise RuntimeError("set_float32_matmul_precision expects a str, but got "
                           f"{type(precision).__name__}")
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", UserWarning,
                      stacklevel=2)
        return
    state.matmul_precision = precision


def get_float32_matmul_precision() -> str:
    """The last valid set_float32_matmul_precision value (torch's)."""
    return state.matmul_precision


def set_warn_always(b: bool, /) -> None:
    """Make minigrad's once-per-process warnings warn every time (torch.set_warn_always)."""
    if type(b) is not bool:
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    state.warn_always = b


def is_warn_always_enabled() -> bool:
    """Whether set_warn_always(True) is on (torch's)."""
    return state.warn_always


def set_flush_denormal(mode: bool) -> bool:
    """Returns False: NumPy gives no control over the CPU's denormal flushing, so minigrad
    reports it unsupported, as torch does on CPUs without it (torch.set_flush_denormal)."""
    if type(mode) is not bool:
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return False


# ---- anomaly mode (minigrad/anomaly.py holds the state) ----------------------------------
def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on (torch.is_anomaly_enabled)."""
    return anomaly.state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly mode checks gradients for nan (torch.is_anomaly_check_nan_enabled)."""
    return anomaly.state.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn anomaly detection on or off (torch.set_anomaly_enabled)."""
    _need_bool("set_anomaly_enabled", "enabled", enabled, 1)
    _need_bool("set_anomaly_enabled", "check_nan", check_nan, 2)
    anomaly.state.enabled, anomaly.state.check_nan = enabled, check_nan
