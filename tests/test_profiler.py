"""mg.profiler against torch.profiler: which ranges are recorded, how often, how they nest,
their shapes and memory, and that an idle profiler leaves nothing behind.

Forward ops are "mg::<Function class>" here and "aten::<op>" in torch; backward nodes are
"MulBackward" here and "MulBackward0" in torch (docs/tour.md, chapter 13, says why).
"""
import threading

import numpy as np
import pytest
import torch
import torch.profiler as tprof

import minigrad as mg
from minigrad import autograd, engine
from minigrad.profiler import ProfilerActivity, profile, record_function
from minigrad.profiler import recorder

CPU = [ProfilerActivity.CPU]


def _leaves(lib, rng, shapes):
    return [lib.tensor(rng.standard_normal(s), dtype=lib.float64, requires_grad=True)
            for s in shapes]


def _counts(events, names):
    return {n: sum(1 for e in events if e.name == n) for n in names}


def test_results_and_gradients_unchanged_and_match_torch(rng):
    """The profiled program computes what torch computes, forward and backward."""
    arrays = [rng.standard_normal(s) for s in ((6, 5), (5, 4), (4,))]
    out = {}
    for lib, prof_mod in ((mg, mg.profiler), (torch, tprof)):
        x, w, b = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
        with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU],
                              record_shapes=True, profile_memory=True):
            with prof_mod.record_function("layer"):
                y = ((x @ w) + b).tanh()
            loss = (y * y).mean()
            loss.backward()
        out[lib.__name__] = [loss.detach().numpy(), x.grad.numpy(), w.grad.numpy(),
                             b.grad.numpy()]
    for a, b in zip(out["minigrad"], out["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_call_counts_match_torch(rng):
    """Each op and each backward node is counted once per call, as in torch. (Backward
    also adds gradients that meet at a tensor: torch's aten::add_, our mg::Add, so the op
    counts are compared on the forward pass.)"""
    counts = {}
    for lib, prof_mod, fwd, bwd in (
            (mg, mg.profiler, ("mg::Mul", "mg::Add", "mg::Exp"), ("MulBackward", "ExpBackward")),
            (torch, tprof, ("aten::mul", "aten::add", "aten::exp"),
             ("MulBackward0", "ExpBackward0"))):
        x, y = _leaves(lib, rng, [(3, 4), (3, 4)])
        activities = [prof_mod.ProfilerActivity.CPU]
        with prof_mod.profile(activities=activities) as p:
            z = x
            for _ in range(3):
                z = z * y
            for _ in range(2):
                z = z.exp()
            w = x.detach() + 1.0
            w = w + x.detach()
            loss = z.sum()
        averages = {e.key: e.count for e in p.key_averages()}
        with prof_mod.profile(activities=activities) as p:
            loss.backward()
        averages.update({e.key: e.count for e in p.key_averages() if e.key in bwd})
        counts[lib.__name__] = [averages.get(n, 0) for n in fwd + bwd]
    assert counts["minigrad"] == counts["torch"] == [3, 2, 2, 3, 2]


def _check_tree(events):
    """Totals include children, self excludes them, children lie inside their parent."""
    for e in events:
        assert e.self_cpu_time_total <= e.cpu_time_total
        assert e.self_cpu_time_total >= 0
        kids = sum(c.cpu_time_total for c in e.cpu_children)
        assert e.self_cpu_time_total == pytest.approx(e.cpu_time_total - kids)
        for c in e.cpu_children:
            assert c.cpu_parent is e and c.thread == e.thread
            assert e.time_range.start <= c.time_range.start <= c.time_range.end \
                <= e.time_range.end


def test_self_and_total_times_nest(rng):
    x, w = _leaves(mg, rng, [(8, 6), (6, 6)])
    with profile(activities=CPU) as p:
        with record_function("outer"):
            h = (x @ w).relu()
            with record_function("inner"):
                loss = (h * h).sum()
        loss.backward()
    events = p.events()
    _check_tree(events)
    by_name = {e.name: e for e in events}
    assert by_name["inner"].cpu_parent is by_name["outer"]
    assert {c.name for c in by_name["inner"].cpu_children} == {"mg::Mul", "mg::Sum"}
    assert {c.name for c in by_name["outer"].cpu_children} >= {"mg::Matmul", "inner"}
    # backward nodes are timed during backward and hold the ops their backward ran
    mm = by_name["MatmulBackward"]
    assert mm.cpu_parent is None and mm.time_range.start > by_name["outer"].time_range.end
    assert "mg::Matmul" in {c.name for c in mm.cpu_children}
    total = p.key_averages()
    assert sum(a.self_cpu_time_total for a in total) == pytest.approx(
        sum(e.self_cpu_time_total for e in events if e.cpu_parent is None) + sum(
            e.self_cpu_time_total for e in events if e.cpu_parent is not None))


def test_record_function_nesting_matches_torch(rng):
    """The parent of each range is the same as in torch's profile of the same program."""
    parents = {}
    for lib, prof_mod, mul in ((mg, mg.profiler, "mg::Mul"), (torch, tprof, "aten::mul")):
        x, = _leaves(lib, rng, [(5,)])

        @prof_mod.record_function("step")
        def step(t):
            with prof_mod.record_function("a"):
                with prof_mod.record_function("b"):
                    return t * 2.0

        with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU]) as p:
            step(x)
            step(x)
        parents[lib.__name__] = sorted(
            (e.name.replace(mul, "mul"), e.cpu_parent.name if e.cpu_parent else None)
            for e in p.events() if e.name in ("step", "a", "b", mul))
    assert parents["minigrad"] == parents["torch"]
    assert parents["torch"].count(("mul", "b")) == 2


def test_record_function_is_free_and_harmless_without_a_profile(rng):
    x, = _leaves(mg, rng, [(3,)])
    with record_function("nothing"):
        y = x * 2
    assert recorder.active is None
    np.testing.assert_array_equal(y.detach().numpy(), x.detach().numpy() * 2)
    with pytest.raises(RuntimeError):
        with record_function(3):
            pass
    with pytest.raises(RuntimeError):
        with torch.profiler.record_function(3):
            pass


def test_input_shapes_match_torch(rng):
    shapes = {}
    for lib, prof_mod, names in ((mg, mg.profiler, ("mg::Mul", "mg::Matmul")),
                                 (torch, tprof, ("aten::mul", "aten::matmul"))):
        x, w = _leaves(lib, rng, [(4, 5), (5, 3)])
        with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU],
                              record_shapes=True) as p:
            x * x
            x @ w
        ev = {e.name: e.input_shapes for e in p.events()}
        shapes[lib.__name__] = [ev[n] for n in names]
        grouped = p.key_averages(group_by_input_shape=True)
        assert [a.input_shapes for a in grouped if a.key == names[1]] == [[[4, 5], [5, 3]]]
        assert all(a.input_shapes == "" for a in p.key_averages())
    assert shapes["minigrad"] == shapes["torch"] == [[[4, 5], [4, 5]], [[4, 5], [5, 3]]]


def test_memory_matches_torch_for_allocating_ops_and_views(rng):
    """Bytes of each op's new outputs: torch's CPU allocator reports the same numbers for
    these ops (views allocate nothing in both)."""
    mem = {}
    for lib, prof_mod, names in (
            (mg, mg.profiler, ("mg::Mul", "mg::Exp", "mg::Matmul", "mg::Sum", "mg::Permute")),
            (torch, tprof, ("aten::mul", "aten::exp", "aten::matmul", "aten::sum",
                            "aten::permute"))):
        x, w = _leaves(lib, rng, [(6, 7), (7, 3)])
        with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU],
                              profile_memory=True) as p:
            x * x
            x.exp()
            x @ w
            x.sum()
            x.permute(1, 0)
        avg = {a.key: a for a in p.key_averages()}
        mem[lib.__name__] = [avg[n].cpu_memory_usage for n in names]
        if lib is mg:       # (torch's matmul calls aten::mm, which allocates: self 0 there)
            assert all(avg[n].self_cpu_memory_usage == avg[n].cpu_memory_usage for n in names)
    assert mem["minigrad"] == mem["torch"] == [336, 336, 144, 8, 0]


def test_memory_totals_include_children_and_backward_counts_once(rng):
    x, w = _leaves(mg, rng, [(4, 5), (5, 3)])
    with profile(activities=CPU, profile_memory=True) as p:
        with record_function("fwd"):
            y = (x @ w).tanh()
        y.sum().backward()
    for e in p.events():
        assert e.cpu_memory_usage == e.self_cpu_memory_usage + sum(
            c.cpu_memory_usage for c in e.cpu_children)
        assert e.self_cpu_memory_usage >= 0
    ev = {e.name: e for e in p.events()}
    assert ev["fwd"].cpu_memory_usage == 96 + 96 and ev["fwd"].self_cpu_memory_usage == 0
    # MatmulBackward's gradients (5x3 and 4x5 doubles) are made by the Matmul ops inside it
    mb = ev["MatmulBackward"]
    assert mb.cpu_memory_usage == 120 + 160 and mb.self_cpu_memory_usage == 0
    assert mb.device_memory_usage == 0 and mb.device_time_total == 0


def test_profiler_is_off_afterwards_and_after_an_exception(rng):
    apply_before = autograd.Function.__dict__["apply"]
    backward_before = engine._call_backward
    x, = _leaves(mg, rng, [(2, 2)])
    with profile(activities=CPU):
        assert autograd.Function.__dict__["apply"] is not apply_before
        assert engine._call_backward is not backward_before
        (x * x).sum().backward()
    assert autograd.Function.__dict__["apply"] is apply_before
    assert engine._call_backward is backward_before and recorder.active is None
    with pytest.raises(ValueError, match="boom"):
        with profile(activities=CPU) as p:
            with record_function("failing"):
                x * 3
                raise ValueError("boom")
    assert autograd.Function.__dict__["apply"] is apply_before
    assert engine._call_backward is backward_before and recorder.active is None
    assert [e.name for e in p.events()] == ["failing", "mg::Mul"]


def test_an_op_that_raises_still_closes_its_range(rng):
    a, b = _leaves(mg, rng, [(2, 3), (4, 5)])
    with profile(activities=CPU) as p:
        with record_function("r"):
            with pytest.raises(RuntimeError):
                a @ b
            a * 2
    ev = p.events()
    assert [e.name for e in ev] == ["r", "mg::Matmul", "mg::Mul"]
    assert all(e.cpu_parent is ev[0] for e in ev[1:])
    _check_tree(ev)


def test_no_function_subclass_overrides_apply():
    """The profile wraps Function.apply alone: a subclass with its own apply would escape."""
    import minigrad.nn.functional  # noqa: F401  (load every op module)
    stack, found = [autograd.Function], []
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls is not autograd.Function and "apply" in cls.__dict__:
            found.append(cls.__qualname__)
    assert found == []


def test_ops_in_other_threads_are_recorded_with_their_thread_id(rng):
    x, = _leaves(mg, rng, [(3,)])
    tids = {}

    def work(name):
        tids[name] = threading.get_native_id()
        with record_function(name):
            for _ in range(4):
                x * 2

    with profile(activities=CPU) as p:
        threads = [threading.Thread(target=work, args=(f"t{k}",)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    ev = p.events()
    _check_tree(ev)
    for name, tid in tids.items():
        rng_ev = [e for e in ev if e.name == name]
        assert len(rng_ev) == 1 and rng_ev[0].thread == tid
        assert [c.name for c in rng_ev[0].cpu_children] == ["mg::Mul"] * 4
        assert all(c.thread == tid for c in rng_ev[0].cpu_children)


def test_bad_arguments_raise_torchs_exception_types():
    for bad, exc in (([], AssertionError), ([1], AssertionError), ("cpu", AssertionError),
                     ([ProfilerActivity.CPU, ProfilerActivity.CPU], ValueError)):
        with pytest.raises(exc):
            profile(activities=bad)
        tbad = [tprof.ProfilerActivity.CPU] * 2 if exc is ValueError else bad
        with pytest.raises(exc):
            with tprof.profile(activities=tbad):
                pass
    with pytest.raises(TypeError):
        profile(activities=[ProfilerActivity.CPU, 1])
    with pytest.raises(AssertionError):
        profile(activities=CPU).key_averages()
    with pytest.raises(AssertionError):
        tprof.profile(activities=[tprof.ProfilerActivity.CPU]).key_averages()
    with pytest.raises(AssertionError):
        profile(activities=CPU).events()
    with pytest.raises(TypeError):
        profile(activities=CPU, schedule=3)
    if not mg.cuda.is_available():      # torch on a machine without CUDA: the same
        with pytest.warns(UserWarning, match="CUDA is not available"):
            with pytest.raises(AssertionError):
                profile(activities=[ProfilerActivity.CUDA])


def test_unsupported_options_raise_instead_of_being_ignored():
    for kw in ({"with_flops": True}, {"with_modules": True}, {"experimental_config": 1}):
        with pytest.raises(NotImplementedError, match=next(iter(kw))):
            profile(activities=CPU, **kw)
    with pytest.raises(RuntimeError, match="already recording"):
        with profile(activities=CPU):
            with profile(activities=CPU):
                pass
    assert recorder.active is None
    with pytest.warns(UserWarning, match="not available"):
        profile(activities=[ProfilerActivity.CPU, ProfilerActivity.XPU])
    with pytest.warns(FutureWarning, match="use_cuda"):
        profile(activities=CPU, use_cuda=False)


def test_activity_and_action_names_match_torch():
    assert [(m, a.value) for m, a in ProfilerActivity.__members__.items()] == \
        [(m, int(a)) for m, a in tprof.ProfilerActivity.__members__.items()]
    assert [(a.name, a.value) for a in mg.profiler.ProfilerAction] == \
        [(a.name, a.value) for a in tprof.ProfilerAction][:4]
    assert mg.profiler.supported_activities() >= {ProfilerActivity.CPU}


def test_backward_ranges_share_the_sequence_number_of_their_forward_op(rng):
    """torch links an op and its node's backward by sequence_nr; so does mg.profiler."""
    pairs = {}
    for lib, prof_mod, fwd_name in ((mg, mg.profiler, lambda b: "mg::" + b[:-len("Backward")]),
                                    (torch, tprof, None)):
        x, w = _leaves(lib, rng, [(4, 5), (5, 3)])
        with prof_mod.profile(activities=[prof_mod.ProfilerActivity.CPU]) as p:
            loss = (x @ w).tanh().exp().sum()
            loss.backward()
        ev = p.events()
        fwd = {e.sequence_nr: e.name for e in ev if e.scope == 0 and e.sequence_nr >= 0
               and e.cpu_parent is None and e.name.startswith(("mg::", "aten::"))}
        bwd = [(e.name, fwd.get(e.sequence_nr)) for e in ev
               if e.scope == 1 and e.name.endswith(("Backward", "Backward0"))]
        pairs[lib.__name__] = bwd
        if fwd_name is not None:
            assert bwd and all(f == fwd_name(b) for b, f in bwd)
    assert [b for b, _ in pairs["minigrad"]] == \
        ["SumBackward", "ExpBackward", "TanhBackward", "MatmulBackward"]
    assert [f for _, f in pairs["torch"]] == \
        ["aten::sum", "aten::exp", "aten::tanh", "aten::matmul"]
