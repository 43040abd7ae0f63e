"""mg.profiler's outputs against torch.profiler's: the table's layout, the Chrome trace,
schedules and step(), stacks, and CUDA time (on a GPU only)."""
import gzip
import inspect
import json
import os
import re

import numpy as np  # noqa: F401
import pytest
import torch
import torch.profiler as tprof

import minigrad as mg
from minigrad.profiler import ProfilerActivity, profile, record_function, schedule

CPU = [ProfilerActivity.CPU]


def _program(lib, prof_mod, rng, **kw):
    x = lib.tensor(rng.standard_normal((8, 6)), dtype=lib.float64, requires_grad=True)
    w = lib.tensor(rng.standard_normal((6, 4)), dtype=lib.float64, requires_grad=True)
    with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU], **kw) as p:
        with prof_mod.record_function("forward"):
            y = (x @ w).tanh()
            loss = (y * y).sum()
        loss.backward()
    return p


def _header(table):
    lines = table.splitlines()
    return lines[0], re.split(r"\s{2,}", lines[1].strip())


@pytest.mark.parametrize("kw", [{}, {"profile_memory": True}, {"record_shapes": True}])
@pytest.mark.parametrize("group", [False, True])
def test_table_has_torchs_columns_and_layout(rng, kw, group):
    tables = {}
    for lib, prof_mod in ((mg, mg.profiler), (torch, tprof)):
        p = _program(lib, prof_mod, rng, **kw)
        tables[lib.__name__] = p.key_averages(group_by_input_shape=group).table(
            sort_by="self_cpu_time_total", row_limit=5)
    (sep, cols), (tsep, tcols) = _header(tables["minigrad"]), _header(tables["torch"])
    assert cols == tcols
    widths, twidths = [len(d) for d in sep.split()], [len(d) for d in tsep.split()]
    assert widths[1:len(cols) - ("Input Shapes" in cols)] == \
        twidths[1:len(cols) - ("Input Shapes" in cols)]
    for t in tables.values():
        lines = t.splitlines()
        assert len(lines) == 3 + 5 + 2 and lines[-2] == lines[0] == lines[2]
        assert lines[-1].startswith("Self CPU time total: ")
        assert all(len(row) == len(lines[0]) for row in lines[:-1])


def test_table_sorting_limits_and_units(rng):
    p = _program(mg, mg.profiler, rng, profile_memory=True)
    avg = p.key_averages()
    for key in ("cpu_time_total", "self_cpu_time_total", "count", "cpu_memory_usage"):
        rows = avg.table(sort_by=key, row_limit=100).splitlines()[3:-2]
        names = [r.split()[0] for r in rows]
        values = [getattr(next(a for a in avg if a.key == n), key) for n in names]
        assert values == sorted(values, reverse=True) and len(rows) == len(avg)
    assert len(avg.table(row_limit=3).splitlines()) == 3 + 3 + 2
    assert [r.split()[0] for r in avg.table().splitlines()[3:-2]] == [a.key for a in avg]
    us = avg.table(time_unit="ms")
    assert re.search(r"\d\.\d{3}ms", us) and not re.search(r"\d\.\d{3}us", us)
    top = avg.table(top_level_events_only=True)
    assert "This report only display top-level ops statistics" in top
    assert "mg::Tanh" not in top and "forward" in top
    assert avg.table(header="HEAD").splitlines()[1] == "HEAD"
    with pytest.raises(AttributeError, match="sort_by"):
        avg.table(sort_by="bogus")
    with pytest.raises(AttributeError):
        _program(torch, tprof, rng).key_averages().table(sort_by="bogus")
    self_pct = [float(r.split()[1].rstrip("%")) for r in avg.table().splitlines()[3:-2]]
    assert sum(self_pct) == pytest.approx(100, abs=0.1)


def test_memory_format_and_fields(rng):
    from minigrad.profiler.table import format_memory
    assert [format_memory(n) for n in (96, 2048, 3 * 2 ** 20, -1536, 2 ** 30)] == \
        ["96 B", "2.00 KB", "3.00 MB", "-1.50 KB", "1.00 GB"]
    p = _program(mg, mg.profiler, rng, profile_memory=True)
    rows = {a.key: a for a in p.key_averages()}
    assert rows["mg::Matmul"].cpu_memory_usage > 0 and rows["mg::Tanh"].cpu_memory_usage > 0
    fwd = next(e for e in p.events() if e.name == "forward")
    assert [c.cpu_memory_usage for c in fwd.cpu_children] == [8 * 4 * 8] * 3 + [8]
    assert fwd.cpu_memory_usage == rows["forward"].cpu_memory_usage == 8 * 4 * 8 * 3 + 8
    assert "CPU Mem" in p.key_averages().table()


def _check_trace(path, events):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        trace = json.load(f)
    xs = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert len(xs) == len(events)
    for e, ev in zip(xs, events):
        assert set(e) >= {"name", "ph", "ts", "dur", "pid", "tid", "args"}
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        assert e["name"] == ev.trace_name and e["ts"] == ev.time_range.start
        assert e["dur"] == pytest.approx(ev.cpu_time_total) and e["dur"] >= 0
    for tid in {e["tid"] for e in xs}:       # properly nested on each thread
        open_ends = []
        for e in sorted((e for e in xs if e["tid"] == tid), key=lambda e: (e["ts"], -e["dur"])):
            while open_ends and open_ends[-1] <= e["ts"]:
                open_ends.pop()
            end = e["ts"] + e["dur"]
            assert not open_ends or end <= open_ends[-1] + 1e-9
            open_ends.append(end)
    names = {(e["name"], e["args"].get("name")) for e in trace["traceEvents"] if e["ph"] == "M"}
    assert ("process_name", "python") in names
    return trace


def test_chrome_trace_is_valid_nested_json(rng, tmp_path):
    p = _program(mg, mg.profiler, rng, record_shapes=True, profile_memory=True)
    path = str(tmp_path / "trace.json")
    p.add_metadata("run", "seven")
    p.add_metadata_json("config", '{"lr": 0.1}')
    p.export_chrome_trace(path)
    trace = _check_trace(path, p.events())
    assert trace["record_shapes"] == 1 and trace["profile_memory"] == 1
    assert trace["run"] == "seven" and trace["config"] == {"lr": 0.1}
    xs = {}
    for e in trace["traceEvents"]:
        if e["ph"] == "X":
            xs.setdefault(e["name"], e)     # the first of each name
    assert xs["forward"]["cat"] == "user_annotation" and xs["mg::Matmul"]["cat"] == "cpu_op"
    assert xs["mg::Matmul"]["args"]["Input Dims"] == [[8, 6], [6, 4]]
    assert any(e["name"] == "[memory]" and e["args"]["Bytes"] > 0
               for e in trace["traceEvents"])
    starts = {e["id"]: e for e in trace["traceEvents"] if e["ph"] == "s"}
    ends = {e["id"]: e for e in trace["traceEvents"] if e["ph"] == "f"}
    assert starts.keys() == ends.keys() and len(starts) == 4     # Matmul, Tanh, Mul, Sum
    assert all(starts[k]["ts"] < ends[k]["ts"] for k in starts)
    p.export_chrome_trace(path + ".gz")
    _check_trace(path + ".gz", p.events())
    p.events().export_chrome_trace(path)
    _check_trace(path, p.events())
    with pytest.raises(TypeError, match="path"):
        p.export_chrome_trace(3)


def _scheduled(lib, prof_mod, rng, sched, steps, **kw):
    x = lib.tensor(rng.standard_normal(3), dtype=lib.float64)
    seen = []

    def ready(prof):
        seen.append(sorted((e.name, e.trace_name) if e.name == "ProfilerStep*" else ("mul", "")
                           for e in prof.events()
                           if e.name in ("aten::mul", "mg::Mul", "ProfilerStep*")))
    with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU], schedule=sched,
                          on_trace_ready=ready, **kw) as p:
        for _ in range(steps):
            x * 2.0
            p.step()
    return seen, p.step_num


@pytest.mark.parametrize("args,steps,acc", [((1, 1, 2, 1, 0), 7, False),
                                            ((0, 1, 1, 0, 1), 6, False),
                                            ((1, 1, 2, 2, 0), 9, True)])
def test_schedule_records_the_same_steps_as_torch(rng, args, steps, acc):
    wait, warmup, active, repeat, skip = args
    out = []
    for lib, prof_mod in ((mg, mg.profiler), (torch, tprof)):
        sched = prof_mod.schedule(wait=wait, warmup=warmup, active=active, repeat=repeat,
                                  skip_first=skip)
        out.append(_scheduled(lib, prof_mod, rng, sched, steps, acc_events=acc))
    assert out[0] == out[1] and len(out[0][0]) >= 1
    assert [mg.profiler.schedule(wait=1, warmup=1, active=2)(k).name for k in range(5)] == \
        [tprof.schedule(wait=1, warmup=1, active=2)(k).name for k in range(5)]
    with pytest.raises(AssertionError):
        schedule(wait=1, warmup=1, active=0)


def test_start_stop_and_step_without_a_schedule(rng):
    x = mg.tensor(rng.standard_normal(3), dtype=mg.float64)
    p = profile(activities=CPU)
    p.start()
    x + 1
    p.step()
    x + 1
    p.stop()
    x + 1
    assert [e.name for e in p.events()] == ["mg::Add", "mg::Add"]
    assert p.events().total_average().count == 2 and p.events().total_average().key == "Total"
    assert p.key_averages()[0].device_time_total == 0
    with pytest.warns(FutureWarning):
        assert p.key_averages()[0].cuda_time_total == 0


def test_tensorboard_trace_handler_writes_a_trace_per_cycle(rng, tmp_path):
    handler = mg.profiler.tensorboard_trace_handler(str(tmp_path / "tb"), worker_name="w")
    x = mg.tensor(rng.standard_normal(3), dtype=mg.float64)
    with profile(activities=CPU, schedule=schedule(wait=0, warmup=1, active=1, repeat=2),
                 on_trace_ready=handler) as p:
        for _ in range(5):
            x * 2
            p.step()
    files = sorted(os.listdir(tmp_path / "tb"))
    assert len(files) == 2 and all(re.fullmatch(r"w\.\d+\.pt\.trace\.json", f) for f in files)
    for f in files:
        with open(tmp_path / "tb" / f) as fh:
            names = [e["name"] for e in json.load(fh)["traceEvents"] if e["ph"] == "X"]
        assert names == ["ProfilerStep#" + names[0][-1], "mg::Mul"]


def test_with_stack_points_at_the_callers_line(rng, tmp_path):
    x = mg.tensor(rng.standard_normal(3), dtype=mg.float64)
    with profile(activities=CPU, with_stack=True) as p:
        x * 2; line = inspect.currentframe().f_lineno  # noqa: E702
    mul = next(e for e in p.events() if e.name == "mg::Mul")
    assert mul.stack[0].endswith(f"test_profiler_output.py({line}): "
                                 "test_with_stack_points_at_the_callers_line")
    assert "Source Location" in p.key_averages(group_by_stack_n=1).table()
    p.export_stacks(str(tmp_path / "stacks.txt"))
    assert (tmp_path / "stacks.txt").read_text().strip().endswith(
        str(int(mul.self_cpu_time_total)))


@pytest.mark.cuda
def test_cuda_time_and_memory_by_cupy_events(rng):
    if not mg.cuda.is_available():
        pytest.skip("no CUDA GPU")
    x = mg.tensor(rng.standard_normal((512, 512)), dtype=mg.float64, device="cuda",
                  requires_grad=True)
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA],
                 profile_memory=True) as p:
        with record_function("work"):
            loss = (x @ x).tanh().sum()
        loss.backward()
    ev = p.events()
    work = next(e for e in ev if e.name == "work")
    mm = next(e for e in ev if e.name == "mg::Matmul")
    assert mm.cpu_parent is work and mm.device_time_total > 0
    assert work.device_time_total >= mm.device_time_total >= mm.self_device_time_total > 0
    assert mm.device_memory_usage == 512 * 512 * 8 and mm.cpu_memory_usage == 0
    assert any(e.device_time_total > 0 for e in ev if e.name == "MatmulBackward")
    table = p.key_averages().table(sort_by="cuda_time_total")
    assert "Self CUDA" in table and "CUDA Mem" in table
    ref = (x.detach() @ x.detach()).tanh()
    np.testing.assert_allclose(loss.item(), float(ref.sum().item()), rtol=1e-12)


class _FakeEvent:
    """A stand-in for cupy.cuda.Event: each record() advances a fake GPU clock by 1 ms."""
    clock = 0.0

    def record(self):
        _FakeEvent.clock += 1.0
        self.t = _FakeEvent.clock

    def synchronize(self):
        pass


def test_cuda_bookkeeping_with_a_stand_in_for_cupy_events(rng, monkeypatch, tmp_path):
    """The device-time arithmetic on a machine without a GPU: CuPy's events replaced by a
    fake clock, NumPy arrays taken for device arrays. (The real thing: the test above.)"""
    import types

    from minigrad import backend
    from minigrad.profiler import recorder, scheduling
    cuda = types.SimpleNamespace(Event=_FakeEvent, get_elapsed_time=lambda a, b: b.t - a.t,
                                 Device=_FakeDevice)
    monkeypatch.setattr(backend, "cupy_module", lambda: types.SimpleNamespace(cuda=cuda))
    monkeypatch.setattr(scheduling, "supported_activities",
                        lambda: {ProfilerActivity.CPU, ProfilerActivity.CUDA})
    monkeypatch.setattr(recorder, "_on_gpu", lambda a: True)
    monkeypatch.setattr(recorder, "_device_index", lambda a: 0)
    x = mg.tensor(rng.standard_normal((4, 4)), dtype=mg.float64, requires_grad=True)
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as p:
        with record_function("work"):
            loss = (x @ x).tanh().sum()
        loss.backward()
    ev = p.events()
    assert ev[0].use_device == "cuda"
    for e in ev:
        assert e.device_time_total >= e.self_device_time_total >= 0
        assert e.device_time_total == pytest.approx(
            sum(k.duration for k in e.kernels) + sum(c.device_time_total
                                                     for c in e.cpu_children))
        if e.name.startswith("mg::") and e.cpu_parent is not None and \
                e.cpu_parent.name == "work":
            assert e.device_time_total == 1000.0    # start and end events, 1 fake ms apart
    work = ev[0]
    assert work.name == "work" and work.kernels == []
    assert work.device_time_total == 3000.0         # its three ops, none of its own
    table = p.key_averages().table(sort_by="cuda_time_total")
    _, cols = _header(table)
    assert cols[6:10] == ["Self CUDA", "Self CUDA %", "CUDA total", "CUDA time avg"]
    assert table.splitlines()[-1].startswith("Self CUDA time total: ")
    path = str(tmp_path / "t.json")
    p.export_chrome_trace(path)
    kernels = [e for e in _check_trace_any(path) if e.get("cat") == "kernel"]
    assert kernels and all(e["pid"] == 0 and e["dur"] > 0 for e in kernels)


class _FakeDevice:
    """cupy.cuda.Device(i): a context manager with .id."""

    def __init__(self, i=0):
        self.id = i

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _check_trace_any(path):
    with open(path) as f:
        return json.load(f)["traceEvents"]
