"""The NCCL backend on one GPU (world size 1), run where CuPy and a GPU are present
(skipped otherwise): collectives on CUDA tensors, CPU tensors refused, DDP's buckets on the
device. Several GPUs need mpiexec: `mpiexec -n 2 python tests/mpi_scripts/...` by hand."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.distributed as dist
from minigrad import nn
from minigrad.nn.parallel import DistributedDataParallel as DDP

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(
    not (mg.cuda.is_available() and dist.is_nccl_available()),
    reason="needs CuPy with NCCL and an NVIDIA GPU")]


@pytest.fixture
def nccl():
    dist.init_process_group("nccl")
    yield
    dist.destroy_process_group()


def test_collectives_on_one_gpu(nccl):
    assert dist.get_backend() == "nccl" and dist.get_world_size() == 1
    x = np.random.default_rng(0).standard_normal((4, 5))
    t = mg.tensor(x).to("cuda")
    for op in (dist.ReduceOp.SUM, dist.ReduceOp.AVG, dist.ReduceOp.MAX):
        dist.all_reduce(t, op=op)
        np.testing.assert_array_equal(t.cpu().data, x)
    dist.all_reduce(t, async_op=True).wait()
    out = mg.zeros(4, 5, dtype=mg.float64).to("cuda")
    dist.all_gather_into_tensor(out, t)
    np.testing.assert_array_equal(out.cpu().data, x)
    dist.reduce_scatter_tensor(out, t)
    np.testing.assert_array_equal(out.cpu().data, x)
    dist.broadcast(t, src=0)
    dist.barrier()
    with pytest.raises(RuntimeError, match="CUDA"):
        dist.all_reduce(mg.ones(2))


def test_ddp_on_one_gpu_matches_plain_training(nccl):
    mg.manual_seed(0)
    ref = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 2)).double().to("cuda")
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 2)).double().to("cuda")
    model.load_state_dict(ref.state_dict())
    model = DDP(model, device_ids=[0], bucket_cap_mb=0.0001)   # several buckets
    assert len(model.reducer.buckets) > 1
    x = mg.randn(5, 6, dtype=mg.float64).to("cuda")
    (ref(x) ** 2).sum().backward()
    (model(x) ** 2).sum().backward()
    for p, q in zip(model.module.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.cpu().data, q.grad.cpu().data, rtol=1e-14)
