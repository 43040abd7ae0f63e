"""Every collective against NumPy, on any number of ranks (mpiexec -n N)."""
from __future__ import annotations

import datetime

import numpy as np
from common import close, dist, mg, ok

dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=60))
rank, n = dist.get_rank(), dist.get_world_size()
R = dist.ReduceOp


def data(r, shape=(3, 4), dtype="float64"):
    """Rank r's input: every rank can make every rank's, to compute the expected result."""
    rng = np.random.default_rng(100 + r)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(1, 9, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


everyone = [data(r) for r in range(n)]
stack = np.stack(everyone)

# all_reduce: every op, on Tensors and raw arrays, sync and async
expect = {R.SUM: stack.sum(0), R.AVG: stack.sum(0) / n, R.PRODUCT: stack.prod(0),
          R.MIN: stack.min(0), R.MAX: stack.max(0)}
for op, want in expect.items():
    t = mg.tensor(data(rank))
    dist.all_reduce(t, op=op)
    close(t, want, 1e-12, f"all_reduce {op}")
    a = data(rank)
    work = dist.all_reduce(a, op=op, async_op=True)
    assert isinstance(work, dist.Work)
    work.wait()
    assert work.is_completed()
    close(a, want, 1e-12, f"all_reduce raw async {op}")
ints = np.stack([data(r, (5,), "int64") for r in range(n)])
for op, fn in ((R.BAND, np.bitwise_and), (R.BOR, np.bitwise_or), (R.BXOR, np.bitwise_xor),
               (R.SUM, np.add)):
    t = mg.tensor(ints[rank].copy())
    dist.all_reduce(t, op=op)
    assert t.dtype == mg.int64 and (t.data == fn.reduce(ints, axis=0)).all(), op
flags = np.stack([np.random.default_rng(200 + r).random(16) < 0.5 for r in range(n)])
for op, fn in ((R.SUM, np.any), (R.MAX, np.any), (R.PRODUCT, np.all), (R.MIN, np.all)):
    t = mg.tensor(flags[rank].copy())           # bool: an or / an and, as torch's NCCL
    dist.all_reduce(t, op=op)
    assert t.dtype == mg.bool and (t.data == fn(flags, axis=0)).all(), op
    assert set(np.unique(t.data.view(np.uint8))) <= {0, 1}, op
f32 = mg.tensor(data(rank, (7,), "float32"))
dist.all_reduce(f32)
assert f32.dtype == mg.float32
close(f32, np.stack([data(r, (7,), "float32") for r in range(n)]).sum(0), 1e-6, "float32")
base = mg.tensor(data(rank, (4, 3)))
view = base.t()                                  # non-contiguous: written back into base
dist.all_reduce(view)
close(base, np.stack([data(r, (4, 3)) for r in range(n)]).sum(0), 1e-12, "view")
ok("all_reduce")

for src in range(n):
    t = mg.tensor(data(rank))
    dist.broadcast(t, src=src)
    close(t, everyone[src], 0, f"broadcast src={src}")
    t = mg.tensor(data(rank, (2,), "int64"))
    dist.broadcast(t, group_src=src)
    assert (t.data == data(src, (2,), "int64")).all()
ok("broadcast")

outs = [mg.zeros(3, 4, dtype=mg.float64) for _ in range(n)]
dist.all_gather(outs, mg.tensor(data(rank)))
for r in range(n):
    close(outs[r], everyone[r], 0, "all_gather")
cat = mg.zeros(3 * n, 4, dtype=mg.float64)
dist.all_gather_into_tensor(cat, mg.tensor(data(rank)))
close(cat, np.concatenate(everyone), 0, "all_gather_into_tensor cat")
stk = mg.zeros(n, 3, 4, dtype=mg.float64)
dist.all_gather_into_tensor(stk, mg.tensor(data(rank)), async_op=True).wait()
close(stk, stack, 0, "all_gather_into_tensor stack")
ok("all_gather")

big = [data(r, (2 * n, 3)) for r in range(n)]
total = np.sum(big, 0)
for op, want in ((R.SUM, total), (R.AVG, total / n), (R.MAX, np.max(big, 0))):
    out = mg.zeros(2, 3, dtype=mg.float64)
    dist.reduce_scatter_tensor(out, mg.tensor(big[rank]), op=op)
    close(out, want[2 * rank:2 * rank + 2], 1e-12, f"reduce_scatter_tensor {op}")
out = mg.zeros(2, 3, dtype=mg.float64)
dist.reduce_scatter_tensor(out, mg.tensor(big[rank].reshape(n, 2, 3)))
close(out, total[2 * rank:2 * rank + 2], 1e-12, "reduce_scatter_tensor stacked")
ok("reduce_scatter_tensor")

for root in range(n):
    got = [mg.zeros(3, 4, dtype=mg.float64) for _ in range(n)] if rank == root else None
    dist.gather(mg.tensor(data(rank)), got, dst=root)
    if rank == root:
        for r in range(n):
            close(got[r], everyone[r], 0, "gather")
    parts = [mg.tensor(data(root + 10 * k)) for k in range(n)] if rank == root else None
    t = mg.zeros(3, 4, dtype=mg.float64)
    dist.scatter(t, parts, src=root)
    close(t, data(root + 10 * rank), 0, "scatter")
    t = mg.tensor(data(rank))
    dist.reduce(t, dst=root, op=R.SUM)
    if rank == root:
        close(t, stack.sum(0), 1e-12, "reduce")
ok("gather_scatter_reduce")

if n > 1:
    nxt, prv = (rank + 1) % n, (rank - 1) % n
    work = dist.isend(mg.tensor(data(rank)), dst=nxt, tag=3)
    t = mg.zeros(3, 4, dtype=mg.float64)
    assert dist.recv(t, src=prv, tag=3) == prv
    work.wait()
    close(t, everyone[prv], 0, "send/recv ring")
    if rank == 0:
        got = {}
        for _ in range(n - 1):
            t = mg.zeros(2, dtype=mg.float64)
            sender = dist.recv(t)                   # any source
            got[sender] = t.data.copy()
        assert sorted(got) == list(range(1, n))
        for r, v in got.items():
            close(v, [r, -r], 0, "recv any source")
    else:
        dist.send(mg.tensor([float(rank), -float(rank)], dtype=mg.float64), dst=0)
    ok("send_recv")

dist.barrier()
dist.barrier(async_op=True).wait()
ok("barrier")
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"DONE rank {rank}", flush=True)
