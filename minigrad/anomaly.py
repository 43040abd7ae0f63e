"""Anomaly detection (torch.autograd.detect_anomaly / set_detect_anomaly).

While it is on, every node records the stack of the forward call that made it, and the
backward walk checks each node's gradients: a NaN raises

    RuntimeError: Function 'LogSoftmaxBackward' returned nan values in its 0th output.

after printing (as a warning) the traceback of the forward call that created the node, so
the line of user code to blame is on screen. Off (the default), the cost is one flag test
per recorded node and per backward node.
"""
from __future__ import annotations

import traceback
import warnings

from .backend import array_module


class _State:
    enabled = False
    check_nan = True


state = _State()


def is_anomaly_enabled():
    return state.enabled


def is_anomaly_check_nan_enabled():
    return state.enabled and state.check_nan


class set_detect_anomaly:
    """Turn anomaly detection on or off (a function call or a context manager, as torch's)."""

    def __init__(self, mode, check_nan=True):
        if type(mode) is not bool:
            raise TypeError(f"set_detect_anomaly(): argument 'mode' must be bool, not "
                            f"{type(mode).__name__}")
        self.prev = (state.enabled, state.check_nan)
        state.enabled, state.check_nan = mode, bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self.prev


class detect_anomaly(set_detect_anomaly):
    """Context manager (or decorator) turning anomaly detection on inside it."""

    def __init__(self, check_nan=True):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)
        self.check_nan = check_nan
        self.prev = None

    def __enter__(self):
        self.prev = (state.enabled, state.check_nan)
        state.enabled, state.check_nan = True, bool(self.check_nan)
        return self

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


def record(node):
    """Keep the forward call's stack on the node (anomaly mode only)."""
    node._forward_stack = traceback.format_stack()[:-3]


def check(node, gins):
    """Raise if a gradient this node's backward returned holds a NaN."""
    if not state.check_nan:
        return
    for k, g in enumerate(gins):
        if g is None or g.data.dtype.kind != "f":
            continue
        if bool(array_module(g.data).isnan(g.data).any()):
            stack = getattr(node, "_forward_stack", None)
            if stack:
                warnings.warn("Error detected in " + node.name() + ". Traceback of forward call "
                              "that caused the error:\n" + "".join(stack), UserWarning,
                              stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {k}th "
                               f"output.")
