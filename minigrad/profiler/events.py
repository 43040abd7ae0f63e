"""What a profile is made of: one FunctionEvent per timed range, and their averages.

An event is a time range on one thread: an op's forward (named after its Function class,
"Mul"), a graph node's backward ("MulBackward"), or a user range (record_function). Ranges
nest: an event's `cpu_children` are the ranges that ran inside it. Its *total* time includes
the children; its *self* time is the total minus the children's totals, so summing self time
over all events counts every microsecond once. Memory works the same way: `cpu_memory_usage`
is what the range allocated including its children, `self_cpu_memory_usage` without them.
Field names, units (microseconds, bytes) and formulas follow torch.autograd.profiler_util.
"""
from __future__ import annotations

import enum
import warnings
from collections import namedtuple


class DeviceType(enum.Enum):
    """Where an event ran (torch.autograd.DeviceType's two members that minigrad has)."""
    CPU = 0
    CUDA = 1


Kernel = namedtuple("Kernel", ["name", "device", "duration"])


class Interval:
    """[start, end] in microseconds since the profile started."""
    __slots__ = ("start", "end")

    def __init__(self, start, end):
        self.start, self.end = start, end

    def elapsed_us(self):
        return self.end - self.start


def format_time(time_us):
    """12.345us, 1.234ms or 1.234s, as torch prints times."""
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _deprecated(old, new):
    def get(self):
        warnings.warn(f"`{old}` is deprecated, please use `{new}` instead.", FutureWarning,
                      stacklevel=2)
        return getattr(self, new)
    return property(get)


def _formatted(name):
    return property(lambda self: format_time(getattr(self, name)))


class _Times:
    """Per-call averages and their printed forms, shared by events and averages."""

    @property
    def cpu_time(self):
        return 0.0 if self.count == 0 else self.cpu_time_total / self.count

    @property
    def device_time(self):
        return 0.0 if self.count == 0 else self.device_time_total / self.count

    cpu_time_str = _formatted("cpu_time")
    device_time_str = _formatted("device_time")
    cpu_time_total_str = _formatted("cpu_time_total")
    device_time_total_str = _formatted("device_time_total")
    self_cpu_time_total_str = _formatted("self_cpu_time_total")
    self_device_time_total_str = _formatted("self_device_time_total")
    # torch's older names, deprecated there with the same FutureWarning
    cuda_time = _deprecated("cuda_time", "device_time")
    cuda_time_total = _deprecated("cuda_time_total", "device_time_total")
    self_cuda_time_total = _deprecated("self_cuda_time_total", "self_device_time_total")
    self_cuda_memory_usage = _deprecated("self_cuda_memory_usage", "self_device_memory_usage")


class FunctionEvent(_Times):
    """One timed range (torch.autograd.profiler_util.FunctionEvent)."""

    def __init__(self, id, name, thread, start_us, end_us, input_shapes=None, stack=None,
                 scope=0, use_device=None, cpu_memory_usage=0, device_memory_usage=0,
                 sequence_nr=-1, device_index=0, is_user_annotation=False, trace_name=None):
        self.id, self.name, self.thread = id, name, thread
        self.trace_name = name if trace_name is None else trace_name
        self.time_range = Interval(start_us, end_us)
        self.fwd_thread = None
        self.kernels: list[Kernel] = []     # device work measured for this range itself
        self.count = 1
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.input_shapes = input_shapes
        self.stack = stack
        self.scope = scope                  # torch's RecordScope: 0 op, 1 backward, 7 user
        self.use_device = use_device
        self.cpu_memory_usage = cpu_memory_usage
        self.device_memory_usage = device_memory_usage
        self.sequence_nr = sequence_nr
        self.device_type = DeviceType.CPU   # every event is a host range; kernels hang off it
        self.device_index = device_index
        self.is_user_annotation = is_user_annotation
        self.node_id, self.overload_name = -1, ""
        self.is_async = self.is_remote = self.is_legacy = False
        self.flops = None

    @property
    def key(self):
        return self.name

    @property
    def cpu_time_total(self):
        return self.time_range.elapsed_us()

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    @property
    def device_time_total(self):
        """Device time of this range's own kernels plus its children's."""
        if not self.use_device:
            return 0
        return sum(k.duration for k in self.kernels) + sum(
            c.device_time_total for c in self.cpu_children)

    @property
    def self_device_time_total(self):
        if not self.use_device:
            return 0
        return self.device_time_total - sum(c.device_time_total for c in self.cpu_children)

    @property
    def self_cpu_memory_usage(self):
        return self.cpu_memory_usage - sum(c.cpu_memory_usage for c in self.cpu_children)

    @property
    def self_device_memory_usage(self):
        return self.device_memory_usage - sum(c.device_memory_usage for c in self.cpu_children)

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time={self.cpu_time_str} "
                f"start_us={self.time_range.start} end_us={self.time_range.end} "
                f"cpu_children={[c.id for c in self.cpu_children]} thread={self.thread} "
                f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage} "
                f"device_memory_usage={self.device_memory_usage}>")


class FunctionEventAvg(_Times):
    """The sum of the events that share a key (torch's FunctionEventAvg); `count` of them."""

    def __init__(self):
        self.key = None
        self.count = 0
        self.node_id, self.overload_name = 0, None
        self.is_async = self.is_remote = self.is_legacy = False
        self.is_user_annotation = False
        self.use_device = None
        self.cpu_time_total = self.self_cpu_time_total = 0
        self.device_time_total = self.self_device_time_total = 0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.device_memory_usage = self.self_device_memory_usage = 0
        self.input_shapes = None
        self.stack = None
        self.scope = None
        self.cpu_children = None
        self.cpu_parent = None
        self.device_type = DeviceType.CPU
        self.flops = 0

    def add(self, other):
        if self.key is None:            # the first event sets what the group shares
            self.key = other.key
            for name in ("node_id", "is_async", "is_remote", "cpu_parent", "cpu_children",
                         "overload_name", "input_shapes", "stack", "scope", "device_type",
                         "is_legacy", "use_device", "is_user_annotation"):
                setattr(self, name, getattr(other, name))
        if other.key != self.key:
            raise AssertionError(f"Expected keys to match, but got {other.key} vs {self.key}")
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        self.device_time_total += other.device_time_total
        self.self_device_time_total += other.self_device_time_total
        self.cpu_memory_usage += other.cpu_memory_usage
        self.self_cpu_memory_usage += other.self_cpu_memory_usage
        self.device_memory_usage += other.device_memory_usage
        self.self_device_memory_usage += other.self_device_memory_usage
        self.count += other.count
        if other.flops is not None:
            self.flops += other.flops
        return self

    def __iadd__(self, other):
        return self.add(other)

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str}"
                f" cpu_time={self.cpu_time_str} self_device_time="
                f"{self.self_device_time_total_str} device_time={self.device_time_str} "
                f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage} "
                f"device_memory_usage={self.device_memory_usage}>")


class EventList(list):
    """A list of events (or averages) with torch's table(), key_averages() and exports."""

    def __init__(self, *args, use_device=None, profile_memory=False, with_flops=False):
        super().__init__(*args)
        self._use_device = use_device
        self._profile_memory = profile_memory
        self._with_flops = with_flops

    def __str__(self):
        return self.table()

    @property
    def self_cpu_time_total(self):
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False, time_unit=None):
        """The events as torch prints them; sort_by names a field ("cpu_time_total",
        "self_cpu_time_total", "cpu_memory_usage", "count", ...), largest first."""
        from .table import build_table
        return build_table(self, sort_by=sort_by, row_limit=row_limit,
                           max_src_column_width=max_src_column_width,
                           max_name_column_width=max_name_column_width,
                           max_shapes_column_width=max_shapes_column_width, header=header,
                           profile_memory=self._profile_memory,
                           top_level_events_only=top_level_events_only, time_unit=time_unit)

    def key_averages(self, group_by_input_shapes=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        """One FunctionEventAvg per event name (and input shapes / top stack frames when
        asked), in the order each key first appears."""
        stats = {}
        for e in self:
            key = (e.key, e.node_id, e.device_type, e.is_legacy, e.is_user_annotation)
            if group_by_input_shapes:
                key += (str(e.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple((e.stack or [])[:group_by_stack_n])
            avg = stats.get(key)
            if avg is None:
                avg = stats[key] = FunctionEventAvg()
            avg.add(e)
        out = EventList(stats.values(), use_device=self._use_device,
                        profile_memory=self._profile_memory, with_flops=self._with_flops)
        for avg in out:
            avg.stack = (avg.stack or [])[:group_by_stack_n]
            if not group_by_input_shapes:
                avg.input_shapes = ""
            if not group_by_overload_name:
                avg.overload_name = ""
        return out

    def total_average(self):
        """Every event summed into one FunctionEventAvg with key "Total"."""
        total = FunctionEventAvg()
        for e in self:
            total.key = e.key           # add() insists on one key
            total.add(e)
        total.key = "Total"
        return total

    def export_chrome_trace(self, path):
        """Write the events as Chrome trace JSON (see minigrad.profiler.chrome)."""
        from .chrome import write_trace
        write_trace(self, path)

    def export_stacks(self, path: str, metric: str = "self_cpu_time_total"):
        """One "frame;frame;... value" line per event with a stack (flame graph input)."""
        allowed = ["self_cpu_time_total", "self_cuda_time_total"]
        if metric not in allowed:
            raise ValueError("metric should be one of: " + str(allowed))
        attr = metric.replace("cuda", "device")
        table = str.maketrans(" ;\t\n", "____")
        with open(path, "w") as f:
            for e in self:
                value = int(getattr(e, attr))
                if e.stack and value > 0:
                    frames = ";".join(s.translate(table) for s in reversed(e.stack))
                    f.write(f"{frames} {value}\n")
