"""minigrad.distributed in one process: a group of one (the script run without a launcher),
argument checks with torch's exception types, and the reducer's bucket assignment. The
multi-process behaviour is in test_dist_mpi.py; DistributedSampler in test_dist_sampler.py."""
from __future__ import annotations

import datetime
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.distributed as dist
from minigrad import engine, nn
from minigrad.nn.parallel import DistributedDataParallel as DDP
from minigrad.nn.parallel.reducer import FIRST_BUCKET_BYTES, assign_buckets


@pytest.fixture(params=["mpi4py", "no-mpi4py"])
def group(request, monkeypatch):
    """A default group of one: through mpi4py (a singleton MPI process) when it is installed,
    and through the fallback that needs no MPI at all."""
    if request.param == "mpi4py":
        pytest.importorskip("mpi4py")
    else:
        monkeypatch.setitem(sys.modules, "mpi4py", None)     # import mpi4py -> ImportError
    dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=30))
    yield request.param
    if dist.is_initialized():
        dist.destroy_process_group()


def test_group_of_one(group):
    assert dist.is_initialized() and dist.is_available()
    assert dist.get_rank() == 0 and dist.get_world_size() == 1
    assert dist.get_backend() == "mpi"
    with pytest.raises(ValueError, match="twice"):
        dist.init_process_group("mpi")
    dist.destroy_process_group()
    assert not dist.is_initialized()


def test_collectives_of_one_are_identities(group):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    for op in (dist.ReduceOp.SUM, dist.ReduceOp.AVG, dist.ReduceOp.MAX, dist.ReduceOp.MIN,
               dist.ReduceOp.PRODUCT):
        t = mg.tensor(x.copy())
        assert dist.all_reduce(t, op=op) is None
        np.testing.assert_array_equal(t.data, x)
    work = dist.all_reduce(mg.tensor(x), async_op=True)
    assert isinstance(work, dist.Work) and work.is_completed() and work.wait()
    t = mg.tensor(x.copy())
    dist.broadcast(t, src=0)
    np.testing.assert_array_equal(t.data, x)
    outs = [mg.zeros(3, 4, dtype=mg.float64)]
    dist.all_gather(outs, mg.tensor(x))
    np.testing.assert_array_equal(outs[0].data, x)
    out = mg.zeros(3, 4, dtype=mg.float64)
    dist.all_gather_into_tensor(out, mg.tensor(x))
    np.testing.assert_array_equal(out.data, x)
    out = mg.zeros(1, 3, 4, dtype=mg.float64)
    dist.all_gather_into_tensor(out, mg.tensor(x))
    np.testing.assert_array_equal(out.data[0], x)
    out = mg.zeros(3, 4, dtype=mg.float64)
    dist.reduce_scatter_tensor(out, mg.tensor(x), op=dist.ReduceOp.AVG)
    np.testing.assert_array_equal(out.data, x)
    got = [mg.zeros(3, 4, dtype=mg.float64)]
    dist.gather(mg.tensor(x), got, dst=0)
    np.testing.assert_array_equal(got[0].data, x)
    t = mg.zeros(3, 4, dtype=mg.float64)
    dist.scatter(t, [mg.tensor(x)], src=0)
    np.testing.assert_array_equal(t.data, x)
    raw = x.copy()
    dist.all_reduce(raw)                       # raw NumPy arrays work too
    np.testing.assert_array_equal(raw, x)
    dist.barrier()


def test_not_initialized_raises_value_error():
    assert not dist.is_initialized()
    for call in (dist.get_rank, dist.get_world_size, lambda: dist.all_reduce(mg.ones(2)),
                 lambda: dist.barrier(), lambda: DDP(nn.Linear(2, 2)),
                 lambda: mg.data.DistributedSampler(range(4))):
        with pytest.raises(ValueError):
            call()


def test_argument_errors(group):
    t = mg.ones(2)
    with pytest.raises(TypeError):
        dist.all_reduce([1.0, 2.0])
    with pytest.raises(TypeError):
        dist.all_reduce(t, op="sum")
    with pytest.raises(TypeError):      # we refuse AVG on integers rather than guess
        dist.all_reduce(mg.tensor([1, 2]), op=dist.ReduceOp.AVG)
    with pytest.raises(RuntimeError):   # torch (gloo): invalid root rank
        dist.broadcast(t, src=1)
    with pytest.raises(ValueError):
        dist.broadcast(t)
    with pytest.raises(RuntimeError):   # torch: invalid output tensor list
        dist.all_gather([mg.ones(2), mg.ones(2)], t)
    with pytest.raises(RuntimeError):
        dist.all_gather_into_tensor(mg.ones(3), t)
    with pytest.raises(RuntimeError):
        dist.reduce_scatter_tensor(mg.ones(2), mg.ones(3))
    with pytest.raises(ValueError, match="gather_list"):
        dist.gather(t, None, dst=0)
    with pytest.raises(ValueError, match="scatter_list"):
        dist.scatter(t, None, src=0)
    with pytest.raises(ValueError, match="destination rank"):
        dist.send(t, dst=0)
    with pytest.raises(ValueError, match="source rank"):
        dist.recv(t, src=0)
    with pytest.raises(ValueError):
        dist.all_reduce(t, group=object())


def test_init_argument_errors():
    with pytest.raises(ValueError, match="backend"):
        dist.init_process_group("gloo")
    with pytest.raises(TypeError, match="timeout"):
        dist.init_process_group("mpi", timeout=30)
    assert not dist.is_initialized()
    assert dist.ReduceOp.SUM is not dist.ReduceOp.AVG and str(dist.ReduceOp.AVG) == \
        "RedOpType.AVG"


def test_nccl_without_gpu_raises():
    if dist.is_nccl_available() and mg.cuda.is_available():
        pytest.skip("a GPU is here: test_dist_nccl.py covers it")
    with pytest.raises(RuntimeError, match="nccl"):
        dist.init_process_group("nccl")
    assert not dist.is_initialized()


def mlp():
    return nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3))


def test_ddp_of_one_is_the_module(group):
    mg.manual_seed(0)
    ref = mlp().double()
    model = DDP(mlp().double().requires_grad_(True))
    model.module.load_state_dict(ref.state_dict())
    x = mg.randn(6, 5, dtype=mg.float64)
    (ref(x) ** 2).sum().backward()
    (model(x) ** 2).sum().backward()
    for p, q in zip(model.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.data, rtol=1e-15, atol=0)
    assert list(model.state_dict()) == ["module." + k for k in ref.state_dict()]
    assert model.module is not None and isinstance(model.module, nn.Sequential)
    with model.no_sync():                    # accumulates locally
        (model(x) ** 2).sum().backward()
    for p, q in zip(model.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.data, 2 * q.grad.data, rtol=1e-14)


def test_ddp_argument_errors(group):
    with pytest.raises(ValueError, match="device_ids"):
        DDP(mlp(), device_ids=[0])
    with pytest.raises(RuntimeError, match="doesn't have any parameter"):
        DDP(nn.ReLU())
    with pytest.raises(ValueError, match="bucket_cap_mb"):
        DDP(mlp(), bucket_cap_mb=0)


def test_buckets_reverse_order_and_caps():
    # 300 float64 = 2400 bytes each; caps: first 1 MiB, then 5000 bytes
    params = [(f"p{i}", nn.Parameter(mg.zeros(300, dtype=mg.float64))) for i in range(6)]
    buckets = assign_buckets(params, 5000, first_cap_bytes=3000)
    assert [b.names for b in buckets] == [["p5", "p4"], ["p3", "p2", "p1"], ["p0"]]
    default = assign_buckets(params, 25 * 2 ** 20)
    assert len(default) == 1 and default[0].names == ["p5", "p4", "p3", "p2", "p1", "p0"]
    assert FIRST_BUCKET_BYTES == 2 ** 20
    mixed = [("a", nn.Parameter(mg.zeros(4, dtype=mg.float32))),
             ("b", nn.Parameter(mg.zeros(4, dtype=mg.float64)))]
    assert sorted(b.names[0] for b in assign_buckets(mixed, 100)) == ["a", "b"]


def test_queue_callback_runs_after_the_grads():
    w = mg.ones(3, requires_grad=True)
    seen = []

    def post(t):
        seen.append(("hook", t.grad.data.copy()))
        engine.queue_callback(lambda: seen.append(("end", w.grad.data.copy())))

    handle = w.register_post_accumulate_grad_hook(post)
    (w * 2).sum().backward()
    handle.remove()
    assert [s[0] for s in seen] == ["hook", "end"]
    np.testing.assert_array_equal(seen[1][1], [2.0, 2.0, 2.0])
    assert not engine._final_callbacks


def test_dropping_ddp_removes_its_hooks(group):
    from minigrad import hooks
    inner = mlp()
    model = DDP(inner)
    assert all(hooks.post_hooks.get(id(p)) for p in inner.parameters())
    del model
    assert not any(hooks.post_hooks.get(id(p)) for p in inner.parameters())
