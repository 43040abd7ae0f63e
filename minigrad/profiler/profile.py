"""profile: torch.profiler.profile for minigrad.

    with mg.profiler.profile(record_shapes=True, profile_memory=True) as prof:
        loss = model(x).sum()
        loss.backward()
    print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
    prof.export_chrome_trace("trace.json")      # open in https://ui.perfetto.dev

Rows are ranges: each op's forward, named "mg::" + its Function class ("mg::Matmul",
"mg::Tanh", where torch has "aten::mm", "aten::tanh"), each graph node's backward, named as
the node prints itself ("TanhBackward", torch's "TanhBackward0"), and the user's
record_function ranges. A schedule (see
scheduling.py) records only some steps of a loop; step() marks each step, as torch's does.
"""
from __future__ import annotations

import json
import time
import warnings

from . import recorder
from .chrome import write_trace
from .events import EventList
from .scheduling import (_NOT_SUPPORTED, ProfilerAction, ProfilerActivity, _parse_activities,
                         _record_always, supported_activities)

_N, _W, _R, _S = (ProfilerAction.NONE, ProfilerAction.WARMUP, ProfilerAction.RECORD,
                  ProfilerAction.RECORD_AND_SAVE)
# What moving from one schedule action to the next does (torch's table; None: the end).
_TRANSITIONS = {
    (_N, _W): ("prepare",), (_N, _R): ("prepare", "start"), (_N, _S): ("prepare", "start"),
    (_W, _N): ("warn:WARMUP followed by NONE", "start", "stop"),
    (_W, _R): ("start",), (_W, _S): ("start",),
    (_R, _N): ("warn:RECORD followed by NONE", "stop"),
    (_R, _W): ("warn:RECORD followed by WARMUP", "stop"),
    (_S, _N): ("stop", "ready"), (_S, _W): ("stop", "ready", "prepare"),
    (_S, _R): ("stop", "ready", "prepare", "start"),
    (_S, _S): ("stop", "ready", "prepare", "start"),
    (_W, None): ("start", "stop"), (_R, None): ("stop", "ready"), (_S, None): ("stop", "ready"),
}


class profile:
    """Records op, backward and user ranges between start() and stop() (or in a `with`
    block); matches torch.profiler.profile. Arguments are keyword-only, as torch's."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False, with_modules: bool = False,
                 experimental_config=None, execution_trace_observer=None,
                 acc_events: bool = False, use_cuda: bool | None = None,
                 custom_trace_id_callback=None, post_processing_timeout_s=None):
        found = _parse_activities(activities)
        if use_cuda is not None:
            warnings.warn("`use_cuda` is deprecated, use `activities` argument instead",
                          FutureWarning, stacklevel=2)
            (found.add if use_cuda else found.discard)(ProfilerActivity.CUDA)
        for name, value in (("with_flops", with_flops), ("with_modules", with_modules),
                            ("experimental_config", experimental_config),
                            ("execution_trace_observer", execution_trace_observer),
                            ("custom_trace_id_callback", custom_trace_id_callback)):
            if value not in (None, False):
                raise NotImplementedError(f"profile: {name}={value!r} is not supported: "
                                          f"{_NOT_SUPPORTED[name]}")
        if schedule is not None and not callable(schedule):
            raise TypeError(f"profile(): schedule must be callable, not "
                            f"{type(schedule).__name__}")
        if on_trace_ready is not None and not callable(on_trace_ready):
            raise TypeError(f"profile(): on_trace_ready must be callable, not "
                            f"{type(on_trace_ready).__name__}")
        available = supported_activities()
        for act in sorted(found - {ProfilerActivity.CPU}, key=lambda a: a.value):
            if act not in available:
                warnings.warn(f"{act.name} is not available, disabling {act.name} profiling",
                              stacklevel=2)
                found.discard(act)
        if not found:
            raise AssertionError("No activities specified for the profiler")
        if ProfilerActivity.CPU not in found:
            raise NotImplementedError(
                "profile: activities without ProfilerActivity.CPU are not supported: minigrad "
                "measures CUDA time per op, on the CPU ranges of the ops; pass "
                "activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]")
        self.activities = found
        self.use_device = "cuda" if ProfilerActivity.CUDA in found else None
        self.record_shapes, self.profile_memory = bool(record_shapes), bool(profile_memory)
        self.with_stack, self.acc_events = bool(with_stack), bool(acc_events)
        self.record_steps = schedule is not None
        self.schedule = schedule if schedule is not None else _record_always
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self._events = None             # EventList of the current cycle, once prepared
        self._rec = None                # the Recorder while recording
        self._step_range = None
        self._t0 = self._wall0 = None
        self._metadata = {}             # add_metadata*: written at the top of the trace

    # ---- start, stop, step --------------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        self._transit(ProfilerAction.NONE, self.current_action)
        self._open_step()

    def stop(self):
        self._close_step()
        self._transit(self.current_action, None)

    def step(self):
        """Mark the start of the next step; the schedule decides what it records."""
        self._close_step()
        prev = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transit(prev, self.current_action)
        self._open_step()

    def _open_step(self):
        rec = recorder.active
        if self.record_steps and rec is not None and rec is self._rec:
            r = rec.begin("ProfilerStep*", recorder.SCOPE_USER)
            r.trace_name = f"ProfilerStep#{self.step_num}"
            self._step_range = (rec, r)

    def _close_step(self):
        if self._step_range is not None:
            rec, r = self._step_range
            self._step_range = None
            rec.end(r)

    def _transit(self, prev, current):
        for action in _TRANSITIONS.get((prev, current), ()):
            if action.startswith("warn:"):
                warnings.warn("Incorrect schedule: " + action[5:], stacklevel=3)
            else:
                getattr(self, "_" + action)()

    def _prepare(self):
        if self._events is None or not self.acc_events:
            self._events = EventList(use_device=self.use_device,
                                     profile_memory=self.profile_memory)
        if self._t0 is None or not self.acc_events:
            self._t0, self._wall0 = time.perf_counter_ns(), time.time_ns()

    def _start(self):
        if self._rec is not None:
            return
        rec = recorder.Recorder(self.record_shapes, self.profile_memory, self.with_stack,
                                self.use_device is not None, self._t0)
        recorder.install(rec)           # raises (installing nothing) if another records
        self._rec = rec

    def _stop(self):
        rec, self._rec = self._rec, None
        if rec is None:
            return
        recorder.uninstall(rec)         # first: the originals are back whatever happens next
        if rec.use_cuda:
            rec.read_cuda_times()
        made = rec.events(self.use_device, first_id=len(self._events) + 1)
        self._events.extend(made)

    def _ready(self):
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    # ---- results ------------------------------------------------------------------------
    def events(self):
        """Every recorded range as a FunctionEvent, sorted by start time."""
        if self._events is None:
            raise AssertionError("Profiler must be initialized before accessing events")
        return self._events

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False):
        """One row per op name (and input shapes, with group_by_input_shape=True)."""
        if self._events is None:
            raise AssertionError("Profiler must be initialized before getting key averages")
        return self._events.key_averages(group_by_input_shape, group_by_stack_n,
                                         group_by_overload_name)

    def export_chrome_trace(self, path: str, use_python_export: bool = False):
        """Write the ranges as Chrome trace JSON (chrome://tracing, ui.perfetto.dev)."""
        meta = dict(self._metadata, traceName=str(path))
        for flag in ("profile_memory", "record_shapes", "with_stack"):
            if getattr(self, flag):
                meta[flag] = 1
        write_trace(self.events(), path, self._wall0 or 0, meta)

    def add_metadata(self, key: str, value: str) -> None:
        """A string the trace file carries at its top level, under `key`."""
        self._metadata[key] = str(value)

    def add_metadata_json(self, key: str, value: str) -> None:
        """A JSON text the trace file carries, parsed, under `key`."""
        self._metadata[key] = json.loads(value)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total"):
        """Write "frame;frame;... value" lines (with_stack=True) for flame graph tools."""
        if not self.with_stack:
            raise AssertionError("Stacks are not recorded: pass with_stack=True to profile")
        self.events().export_stacks(path, metric)

