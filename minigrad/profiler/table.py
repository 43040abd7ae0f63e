"""The profile table, laid out as torch's EventList.table() prints it.

Columns, each right-aligned in 12 characters after a Name column sized to the longest name:
Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg, then Self CUDA, Self CUDA %,
CUDA total, CUDA time avg when any CUDA time was measured, CPU Mem and Self CPU Mem (and the
CUDA pair) with profile_memory, # of Calls, Input Shapes when shapes were recorded and grouped
by, and Source Location with stacks. Both percentages divide by the sum of *self* CPU time, so
the Self column adds up to 100% and a total can exceed it. The footer gives that sum.
"""
from __future__ import annotations

from .events import EventList, format_time

_COLUMN = 12
_SPACING = 2
_UNITS = {"s": (1e6, "s"), "ms": (1e3, "ms"), "us": (1.0, "us")}


def format_memory(nbytes):
    """Bytes as torch prints them: 96 B, 1.50 KB, 2.00 MB, 1.00 GB."""
    for size, unit in ((1024 ** 3, "GB"), (1024 ** 2, "MB"), (1024, "KB")):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


def _share(part, whole):
    if whole == 0:
        return "NaN"
    return f"{part * 100.0 / whole:.2f}%"


def _time(us, unit):
    if unit in _UNITS:
        scale, suffix = _UNITS[unit]
        return f"{us / scale:.3f}{suffix}"
    return format_time(us)


def _sort_key(sort_by):
    attr = sort_by.replace("cuda", "device").replace("xpu", "device")

    def key(e):
        try:
            return getattr(e, attr)
        except AttributeError:
            raise AttributeError(f"table(): sort_by={sort_by!r} is not a field of "
                                 f"{type(e).__name__} (try 'cpu_time_total', "
                                 "'self_cpu_time_total', 'cpu_memory_usage', "
                                 "'device_time_total' or 'count')") from None
    return key


def _trim_path(path, width):
    if len(path) > width:
        path = path[len(path) - width:]
        if len(path) > 3:
            path = "..." + path[3:]
    return path


def build_table(events, sort_by=None, row_limit=100, max_src_column_width=75,
                max_name_column_width=55, max_shapes_column_width=80, header=None,
                profile_memory=False, top_level_events_only=False, time_unit=None):
    """The table text (an empty string for no events)."""
    if len(events) == 0:
        return ""
    use_device = events[0].use_device
    has_device_time = any(e.self_device_time_total > 0 for e in events)
    has_device_mem = any(e.self_device_memory_usage > 0 for e in events)
    has_shapes = any(e.input_shapes is not None and len(e.input_shapes) > 0 for e in events)
    if sort_by is not None:
        events = EventList(sorted(events, key=_sort_key(sort_by), reverse=True),
                           use_device=use_device, profile_memory=profile_memory)
    name_width = max(len(e.key) for e in events) + 4
    if max_name_column_width is not None:
        name_width = min(name_width, max_name_column_width)
    shapes_width = max(len(str(e.input_shapes)) for e in events) + 4
    if max_shapes_column_width is not None:
        shapes_width = min(shapes_width, max_shapes_column_width)
    stacks = [e.stack for e in events if e.stack]
    src_width = None
    if stacks:
        src_width = max(len(s) for stack in stacks for s in stack) + 4
        if max_src_column_width is not None:
            src_width = min(src_width, max_src_column_width)

    dev = use_device.upper() if use_device is not None else "None"
    headers = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg"]
    if has_device_time:
        headers += [f"Self {dev}", f"Self {dev} %", f"{dev} total", f"{dev} time avg"]
    if profile_memory:
        headers += ["CPU Mem", "Self CPU Mem"]
        if use_device and has_device_mem:
            headers += [f"{dev} Mem", f"Self {dev} Mem"]
    headers.append("# of Calls")
    widths = [name_width] + [_COLUMN] * (len(headers) - 1)
    aligns = [">"] * len(headers)
    if has_shapes:
        headers.append("Input Shapes")
        widths.append(shapes_width)
        aligns.append(">")
    if stacks:
        headers.append("Source Location")
        widths.append(src_width)
        aligns.append("<")
    row_format = "".join("{: " + a + str(w) + "}" + " " * _SPACING
                         for a, w in zip(aligns, widths))
    separator = "".join("-" * w + " " * _SPACING for w in widths)
    line_length = sum(w + _SPACING for w in widths) - _SPACING

    self_cpu_sum = sum(e.self_cpu_time_total for e in events)
    self_device_sum = sum(e.self_device_time_total for e in events)
    lines = []
    if header is not None:
        lines += ["=" * line_length, header]
    if top_level_events_only:
        lines += ["=" * line_length, "This report only display top-level ops statistics"]
    lines += [separator, row_format.format(*headers), separator]
    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_level_events_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key
        if max_name_column_width is not None and len(name) >= max_name_column_width - 3:
            name = name[:max_name_column_width - 3] + "..."
        row = [name, _share(e.self_cpu_time_total, self_cpu_sum),
               _time(e.self_cpu_time_total, time_unit),
               _share(e.cpu_time_total, self_cpu_sum), _time(e.cpu_time_total, time_unit),
               _time(e.cpu_time, time_unit)]
        if has_device_time:
            row += [_time(e.self_device_time_total, time_unit),
                    _share(e.self_device_time_total, self_device_sum),
                    _time(e.device_time_total, time_unit), _time(e.device_time, time_unit)]
        if profile_memory:
            row += [format_memory(e.cpu_memory_usage), format_memory(e.self_cpu_memory_usage)]
            if use_device and has_device_mem:
                row += [format_memory(e.device_memory_usage),
                        format_memory(e.self_device_memory_usage)]
        row.append(e.count)
        if has_shapes:
            row.append(str(e.input_shapes)[:shapes_width])
        if stacks:
            row.append(_trim_path(e.stack[0], src_width) if e.stack else "")
        lines.append(row_format.format(*row))
        if stacks:
            blank = [""] * (len(headers) - 1)
            for entry in (e.stack or [])[1:]:
                lines.append(row_format.format(*blank, _trim_path(entry, src_width)))
            lines.append(row_format.format(*blank, ""))
    lines.append(separator)
    lines.append(f"Self CPU time total: {_time(self_cpu_sum, time_unit)}")
    if has_device_time:
        lines.append(f"Self {dev} time total: {_time(self_device_sum, time_unit)}")
    return "\n".join(lines) + "\n"
