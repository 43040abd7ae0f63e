"""Grad mode: whether ops record a graph. Per thread, as torch's (a new thread starts on).

no_grad(), enable_grad(), set_grad_enabled(mode) and inference_mode() are context managers
and decorators; set_grad_enabled also acts at once when called. The backward walk switches
the mode for its own thread only.
"""
from __future__ import annotations

import functools
import threading


class _ThreadState(threading.local):
    grad_enabled = True     # class defaults: every new thread starts with grad mode on
    inference = False


_state = _ThreadState()
inference_active = 0        # threads whose inference flag is on (a cheap test for Tensor._make)
_lock = threading.Lock()


def _set_inference(s, value):
    """Set this thread's inference flag, keeping inference_active counted."""
    global inference_active
    value = bool(value)
    if value != s.inference:
        with _lock:
            inference_active += 1 if value else -1
        s.inference = value


class _GradMode:
    """Context manager and decorator that sets grad mode in this thread, then restores it.
    mode None keeps the current grad mode; inference None keeps the inference flag."""

    def __init__(self, mode, inference=None):
        self.mode, self.inference = mode, inference
        self.prev = []                  # a stack: the same object may be entered again

    def __enter__(self):
        s = _state
        self.prev.append((s.grad_enabled, s.inference))
        if self.mode is not None:
            s.grad_enabled = self.mode
        if self.inference is not None:
            _set_inference(s, self.inference)

    def __exit__(self, *exc):
        _state.grad_enabled, inference = self.prev.pop()
        _set_inference(_state, inference)

    def __call__(self, fn):
        mode, inference = self.mode, self.inference

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with _GradMode(mode, inference):
                return fn(*args, **kwargs)
        return wrapper


class set_grad_enabled(_GradMode):
    """Turns graph recording on or off at once when called, as torch's does; as a context
    manager or decorator it restores the previous mode afterwards."""

    def __init__(self, mode: bool):
        if type(mode) is not bool:
            raise TypeError(f"set_grad_enabled(): argument 'mode' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        super().__init__(mode)
        self.before = _state.grad_enabled
        _state.grad_enabled = self.mode

    def __enter__(self):
        super().__enter__()
        self.prev[-1] = (self.before, self.prev[-1][1])

    def __call__(self, fn):
        _state.grad_enabled = self.before       # as a decorator it acts only when fn runs
        return super().__call__(fn)


class no_grad(_GradMode):
    """Ops inside build no graph at all (inference, optimizer steps)."""

    def __init__(self):
        super().__init__(False)


class enable_grad(_GradMode):
    def __init__(self):
        super().__init__(True)


class inference_mode(_GradMode):
    """torch.inference_mode: no graph is recorded (mode=True); mode=False turns grad mode on."""

    def __init__(self, mode: bool = True):
        super().__init__(not mode, bool(mode))


def is_grad_enabled() -> bool:
    return _state.grad_enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference
