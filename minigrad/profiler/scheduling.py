"""The pieces around a profile, with torch.profiler's names: the activities it can record,
schedule() and the actions it returns for each step, record_function for user ranges, and
tensorboard_trace_handler. The profile itself is in profile.py, the recording in
recorder.py.
"""
from __future__ import annotations

import contextlib
import enum
import functools
import os
import time
import warnings

from .. import backend
from . import recorder


class ProfilerActivity(enum.Enum):
    """What to record: CPU ranges, and CUDA time of the ops that run on CuPy arrays."""
    CPU = 0             # (torch's order and numbers; minigrad records CPU and CUDA only)
    XPU = 1
    MTIA = 4
    CUDA = 2
    HPU = 3
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What a schedule asks of a step."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities():
    """The activities this machine can record: CPU, and CUDA where CuPy sees a GPU."""
    found = {ProfilerActivity.CPU}
    if backend.cuda_available():
        found.add(ProfilerActivity.CUDA)
    return found


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0, skip_first: int = 0,
             skip_first_wait: int = 0):
    """Steps to skip, then cycles of `wait` idle, `warmup` and `active` recorded steps,
    `repeat` times (0: until the profile ends); matches torch.profiler.schedule."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), "
            f"warmup={warmup} (need >= 0), active={active} (need > 0), repeat={repeat} "
            f"(need >= 0), skip_first={skip_first} (need >= 0).")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)

    def schedule_fn(step: int) -> ProfilerAction:
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait != 0:
            step += wait
        cycle = wait + warmup + active
        if repeat > 0 and step / cycle >= repeat:
            return ProfilerAction.NONE
        k = step % cycle
        if k < wait:
            return ProfilerAction.NONE
        if k < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if k < cycle - 1 else ProfilerAction.RECORD_AND_SAVE
    return schedule_fn


def _record_always(_):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False, use_python_export: bool = False):
    """An on_trace_ready that writes each cycle's trace to dir_name as
    "<worker>.<ns>.pt.trace.json" (".gz" with use_gzip), as torch's does."""
    def handler(prof):
        nonlocal worker_name
        if not os.path.isdir(dir_name):
            try:
                os.makedirs(dir_name, exist_ok=True)
            except Exception as e:
                raise RuntimeError("Can't create directory: " + dir_name) from e
        if not worker_name:
            import socket       # (only here: not worth loading with minigrad)
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker_name}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, name))
    return handler


class record_function(contextlib.ContextDecorator):
    """A named user range around a block (`with record_function("attention"):`) or a
    function (as a decorator). Costs one global read when no profile is recording."""

    def __init__(self, name: str, args: str | None = None):
        self.name, self.args = name, args
        self._open = []

    def __enter__(self):
        if not isinstance(self.name, str):
            raise RuntimeError(f"record_function(): argument 'name' must be str, not "
                               f"{type(self.name).__name__}")
        if self.args is not None and not isinstance(self.args, str):
            raise RuntimeError(f"record_function(): argument 'args' must be str or None, "
                               f"not {type(self.args).__name__}")
        rec = recorder.active
        self._open.append((rec, rec.begin(self.name, recorder.SCOPE_USER) if rec else None))
        return self

    def __exit__(self, *exc):
        rec, r = self._open.pop()
        if r is not None:
            rec.end(r)
        return False

    def __call__(self, fn):
        name, args = self.name, self.args

        @functools.wraps(fn)
        def wrapper(*a, **kw):
            with record_function(name, args):   # a fresh range per call (threads, recursion)
                return fn(*a, **kw)
        return wrapper


_NOT_SUPPORTED = {"with_flops": "minigrad does not count FLOPs",
                  "with_modules": "minigrad does not record the module hierarchy",
                  "experimental_config": "there is no Kineto configuration in minigrad",
                  "execution_trace_observer": "minigrad writes no execution traces",
                  "custom_trace_id_callback": "minigrad's traces carry no trace id"}


def _parse_activities(activities):
    if activities is None:
        return supported_activities()
    found = set()
    items = list(activities) if not isinstance(activities, (str, bytes)) else list(activities)
    for item in items:
        if isinstance(item, ProfilerActivity):
            found.add(item)
        elif isinstance(item, dict):
            found.update(item.keys())
    if not found:
        raise AssertionError("No valid profiler activities found")
    seen = set()
    for item in items:
        keys = list(item.keys()) if isinstance(item, dict) else [item]
        for key in keys:
            if not isinstance(key, ProfilerActivity):
                raise TypeError(f"Expected ProfilerActivity or dict, got {type(key)}")
            if key in seen:
                raise ValueError(f"Activity {key} specified more than once")
            seen.add(key)
    return found
