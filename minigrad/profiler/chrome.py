"""Chrome trace JSON: the format chrome://tracing and https://ui.perfetto.dev open.

One object {"traceEvents": [...], ...}. Each range is a complete event: "ph": "X" with its
start "ts" and duration "dur" in microseconds, "pid" (this process) and "tid" (the OS thread
id), so the viewer stacks nested ranges under each other, one lane per thread. "ph": "M"
events name the process and the threads; with profile_memory, "[memory]" instant events
("ph": "i") mark the bytes each range allocated; with CUDA time, each op's device span is a
"kernel" event on a GPU process (pid = device index, as torch writes it); "fwdbwd" flow
events ("ph": "s" then "f") draw an arrow from each op to the backward of the node it made.
"""
from __future__ import annotations

import json
import os


def trace_object(events, base_ns=0, metadata=None):
    """The trace as a dict, ready for json.dump."""
    pid = os.getpid()
    out = [{"ph": "M", "name": "process_name", "ts": 0, "pid": pid, "tid": 0,
            "args": {"name": "python"}},
           {"ph": "M", "name": "process_labels", "ts": 0, "pid": pid, "tid": 0,
            "args": {"labels": "CPU"}}]
    for tid in sorted({e.thread for e in events}):
        out.append({"ph": "M", "name": "thread_name", "ts": 0, "pid": pid, "tid": tid,
                    "args": {"name": f"thread {tid} (python)"}})
    gpus = set()
    for e in events:
        args = {"External id": e.id}
        if e.input_shapes is not None:
            args["Input Dims"] = e.input_shapes
        if e.stack:
            args["Call stack"] = ";".join(e.stack)
        out.append({"ph": "X", "cat": "user_annotation" if e.is_user_annotation else "cpu_op",
                    "name": e.trace_name, "pid": pid, "tid": e.thread,
                    "ts": e.time_range.start, "dur": e.cpu_time_total, "args": args})
        if e.self_cpu_memory_usage > 0 or e.self_device_memory_usage > 0:
            out.append({"ph": "i", "s": "t", "cat": "cpu_instant_event", "name": "[memory]",
                        "pid": pid, "tid": e.thread, "ts": e.time_range.end,
                        "args": {"Bytes": e.self_cpu_memory_usage
                                 + e.self_device_memory_usage,
                                 "Device Type": 1 if e.self_device_memory_usage else 0}})
        span = getattr(e, "device_span", None)
        if span is not None and span[0] is not None:
            gpus.add(e.device_index)
            out.append({"ph": "X", "cat": "kernel", "name": e.name, "pid": e.device_index,
                        "tid": 7, "ts": span[0], "dur": span[1],
                        "args": {"External id": e.id, "device": e.device_index}})
    out += _flows(events, pid)
    for d in sorted(gpus):
        out.append({"ph": "M", "name": "process_name", "ts": 0, "pid": d, "tid": 0,
                    "args": {"name": f"GPU {d}"}})
    trace = {"schemaVersion": 1, "displayTimeUnit": "ms", "baseTimeNanoseconds": base_ns}
    trace.update(metadata or {})
    trace["traceEvents"] = out
    return trace


def _flows(events, pid):
    """Arrows from each op to the backward of the node it made (same sequence_nr)."""
    ops, arrows = {}, []
    for e in events:
        if e.sequence_nr >= 0 and e.scope == 0:
            ops[e.sequence_nr] = e
    for e in events:
        op = ops.get(e.sequence_nr) if e.scope == 1 else None
        if op is not None:
            arrows.append({"ph": "s", "id": e.sequence_nr, "pid": pid, "tid": op.thread,
                           "ts": op.time_range.start, "cat": "fwdbwd", "name": "fwdbwd"})
            arrows.append({"ph": "f", "id": e.sequence_nr, "pid": pid, "tid": e.thread,
                           "ts": e.time_range.start, "cat": "fwdbwd", "name": "fwdbwd",
                           "bp": "e"})
    return arrows


def write_trace(events, path, base_ns=0, metadata=None):
    """Write the trace to `path` (gzip-compressed when the name ends in .gz)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"export_chrome_trace(): argument 'path' must be a str or "
                        f"os.PathLike, not {type(path).__name__}")
    text = json.dumps(trace_object(events, base_ns, metadata))
    if str(path).endswith(".gz"):
        import gzip
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        with open(path, "w") as f:
            f.write(text)
