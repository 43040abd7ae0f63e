"""The NCCL backend on the CPU emulator (tests/cuda_emu/fake_cupy.py, fake_nccl.py): every
collective on "cuda" tensors and raw device arrays against NumPy, every dtype the backend
maps, DDP against one process on the full batch, and what NCCL refuses. Run under
`mpiexec -n N` (one emulated GPU per rank) or alone (world size 1).

minigrad's nccl_backend.py runs unmodified: only `cupy` and `cupy.cuda.nccl` are fakes.
"""
from __future__ import annotations

import copy
import datetime
import os
import sys
import time
import types

import numpy as np
from common import close, dist, mg, ok

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from cuda_emu import fake_cupy, fake_nccl  # noqa: E402

import minigrad.nn.functional as F  # noqa: E402
from minigrad import nn  # noqa: E402
from minigrad.nn.parallel import DistributedDataParallel as DDP  # noqa: E402

try:
    from mpi4py import MPI
    WORLD = MPI.COMM_WORLD.Get_size()
except ImportError:
    WORLD = 1
# A CuPy built without NCCL: `from cupy.cuda import nccl` still imports (cupy/cuda/nccl.py
# catches the ImportError) and leaves only `available = False`
fake_cupy.install(n_devices=WORLD, nccl=types.SimpleNamespace(available=False))
try:
    dist.init_process_group("nccl")
    raise AssertionError("init_process_group('nccl') without NCCL should raise")
except RuntimeError as e:
    assert "NCCL" in str(e) and not dist.is_initialized(), e

cp = fake_cupy.install(n_devices=WORLD, nccl=fake_nccl)     # one GPU per rank, one host
mg.cuda.use_kernels(False)          # the hand-written kernels have their own emulator tests
assert mg.cuda.is_available() and dist.is_nccl_available()

dist.init_process_group("nccl", timeout=datetime.timedelta(seconds=60))
rank, n = dist.get_rank(), dist.get_world_size()
assert dist.get_backend() == "nccl" and n == WORLD
R = dist.ReduceOp
DEV = f"cuda:{rank}"
impl = dist.GroupMember.WORLD.impl
assert impl.device == rank and impl.comm.device_id() == rank and impl.comm.size() == n
assert ("NcclCommunicator", (n, rank)) in fake_nccl.calls


def data(r, shape=(3, 4), dtype="float64"):
    """Rank r's input: every rank can make every rank's, to compute the expected result."""
    rng = np.random.default_rng(100 + r)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dt.kind in "iu":
        return rng.integers(1, 4, size=shape).astype(dt)
    return rng.standard_normal(shape).astype(dt)


def cuda(a):
    return mg.tensor(a).to(DEV)


def host(x):
    return x.cpu().data if isinstance(x, mg.Tensor) else x.get()


def last(name):
    return next(args for c, args in reversed(fake_nccl.calls) if c == name)


everyone = [data(r) for r in range(n)]
stack = np.stack(everyone)

# ---- all_reduce: every op, Tensors and raw device arrays, sync and async ---------------------
expect = {R.SUM: stack.sum(0), R.AVG: stack.sum(0) / n, R.PRODUCT: stack.prod(0),
          R.MIN: stack.min(0), R.MAX: stack.max(0)}
for op, want in expect.items():
    t = cuda(data(rank))
    assert t.is_cuda and isinstance(t.data, cp.ndarray)
    assert dist.all_reduce(t, op=op) is None
    assert t.is_cuda
    close(host(t), want, 1e-12, f"all_reduce {op}")
    assert last("allReduce")[0] == 12, last("allReduce")      # count: elements, not bytes
    a = cp.asarray(data(rank))
    work = dist.all_reduce(a, op=op, async_op=True)
    assert isinstance(work, dist.Work)
    work.wait()
    assert work.is_completed()
    close(a.get(), want, 1e-12, f"all_reduce raw async {op}")
for op in (R.BAND, R.BOR, R.BXOR):
    try:
        dist.all_reduce(cuda(data(rank, (3,), "int64")), op=op)
        raise AssertionError(f"{op} should be refused by the nccl backend")
    except TypeError as e:
        assert "nccl" in str(e), e
try:
    dist.all_reduce(mg.ones(2))
    raise AssertionError("a CPU tensor should be refused")
except RuntimeError as e:
    assert "CUDA" in str(e), e
base = cuda(data(rank, (4, 3)))
view = base.t()                                  # non-contiguous: written back into base
dist.all_reduce(view)
close(host(base), np.stack([data(r, (4, 3)) for r in range(n)]).sum(0), 1e-12, "view")
ok("all_reduce")

# ---- dtypes: reductions and byte moves for every dtype the backend maps ---------------------
# bool as torch's NCCL: SUM is a logical or, PRODUCT a logical and
REF = {R.SUM: np.add, R.PRODUCT: np.multiply, R.MIN: np.minimum, R.MAX: np.maximum}
for dt in ("float16", "float32", "float64", "int8", "int32", "int64", "uint8", "bool"):
    every = [data(r, (5, 3), dt) for r in range(n)]
    for op, fn in REF.items():
        t = cuda(every[rank])
        dist.all_reduce(t, op=op)
        want = every[0]
        for v in every[1:]:
            want = fn(want, v, dtype=np.dtype(dt)) if dt != "bool" else \
                (np.logical_or if op in (R.SUM, R.MAX) else np.logical_and)(want, v)
        got = host(t)
        assert got.dtype == np.dtype(dt), (dt, got.dtype)
        if dt == "bool":     # a byte other than 0/1 is not a valid bool (x == True fails)
            assert set(got.view(np.uint8).ravel().tolist()) <= {0, 1}, (dt, op, got.view(
                np.uint8))
        tol = 2e-3 if dt == "float16" else 1e-6 if dt == "float32" else 0
        close(got.astype(np.float64), want.astype(np.float64), tol, f"all_reduce {dt} {op}")
    if np.dtype(dt).kind == "f":
        t = cuda(every[rank])
        dist.all_reduce(t, op=R.AVG)
        close(host(t).astype(np.float64), np.mean(np.stack(every).astype(np.float64), 0),
              2e-3 if dt == "float16" else 1e-6, f"all_reduce {dt} AVG")
    t = cuda(every[rank])
    dist.broadcast(t, src=n - 1)
    assert (host(t) == every[n - 1]).all() and host(t).dtype == np.dtype(dt)
    cat = cuda(np.zeros((5 * n, 3), dt))
    dist.all_gather_into_tensor(cat, cuda(every[rank]))
    assert (host(cat) == np.concatenate(every)).all(), dt
ok("dtypes")

# ---- broadcast, all_gather, reduce_scatter ---------------------------------------------------
for src in range(n):
    t = cuda(data(rank))
    dist.broadcast(t, src=src)
    close(host(t), everyone[src], 0, f"broadcast src={src}")
    a = cp.asarray(data(rank, (2,), "int64"))
    dist.broadcast(a, group_src=src, async_op=True).wait()
    assert (a.get() == data(src, (2,), "int64")).all()
ok("broadcast")

outs = [cuda(np.zeros((3, 4))) for _ in range(n)]
dist.all_gather(outs, cuda(data(rank)))
for r in range(n):
    assert outs[r].is_cuda
    close(host(outs[r]), everyone[r], 0, "all_gather")
cat = cuda(np.zeros((3 * n, 4)))
dist.all_gather_into_tensor(cat, cuda(data(rank)))
close(host(cat), np.concatenate(everyone), 0, "all_gather_into_tensor cat")
stk = cuda(np.zeros((n, 3, 4)))
dist.all_gather_into_tensor(stk, cuda(data(rank)), async_op=True).wait()
close(host(stk), stack, 0, "all_gather_into_tensor stack")
raw = cp.zeros((n, 3, 4))
dist.all_gather_into_tensor(raw, cp.asarray(data(rank)))
close(raw.get(), stack, 0, "all_gather_into_tensor raw")
ok("all_gather")

big = [data(r, (2 * n, 3)) for r in range(n)]
total = np.sum(big, 0)
for op, want in ((R.SUM, total), (R.AVG, total / n), (R.MAX, np.max(big, 0)),
                 (R.MIN, np.min(big, 0)), (R.PRODUCT, np.prod(big, 0))):
    out = cuda(np.zeros((2, 3)))
    dist.reduce_scatter_tensor(out, cuda(big[rank]), op=op)
    close(host(out), want[2 * rank:2 * rank + 2], 1e-12, f"reduce_scatter_tensor {op}")
    assert last("reduceScatter")[0] == 6, last("reduceScatter")
out = cuda(np.zeros((2, 3)))
dist.reduce_scatter_tensor(out, cuda(big[rank].reshape(n, 2, 3)), async_op=True).wait()
close(host(out), total[2 * rank:2 * rank + 2], 1e-12, "reduce_scatter_tensor stacked")
out32 = cp.zeros((2, 3), np.float32)
dist.reduce_scatter_tensor(out32, cp.asarray(big[rank].astype(np.float32)))
close(out32.get(), total[2 * rank:2 * rank + 2], 1e-5, "reduce_scatter_tensor float32")
ok("reduce_scatter_tensor")

# ---- gather, scatter, reduce: every root -----------------------------------------------------
for root in range(n):
    got = [cuda(np.zeros((3, 4))) for _ in range(n)] if rank == root else None
    dist.gather(cuda(data(rank)), got, dst=root)
    if rank == root:
        for r in range(n):
            close(host(got[r]), everyone[r], 0, f"gather root={root}")
    got = [cp.zeros(5, np.int32) for _ in range(n)] if rank == root else None
    dist.gather(cp.asarray(np.arange(5, dtype=np.int32) * (rank + 1)), got, dst=root,
                async_op=True).wait()
    if rank == root:
        for r in range(n):
            assert (got[r].get() == np.arange(5) * (r + 1)).all(), (root, r)
    parts = [cuda(data(root + 10 * k)) for k in range(n)] if rank == root else None
    t = cuda(np.zeros((3, 4)))
    dist.scatter(t, parts, src=root)
    close(host(t), data(root + 10 * rank), 0, f"scatter root={root}")
    t = cuda(data(rank))
    dist.reduce(t, dst=root, op=R.SUM)
    if rank == root:
        close(host(t), stack.sum(0), 1e-12, "reduce")
    t = cuda(data(rank))
    dist.reduce(t, dst=root, op=R.AVG, async_op=True).wait()
    if rank == root:
        close(host(t), stack.sum(0) / n, 1e-12, "reduce AVG")
ok("gather_scatter_reduce")

# ---- send/recv: NCCL's point-to-point blocks the GPU until the peer's matching call, so a
# ring where every rank sends first would hang: even ranks send first, odd ranks receive first
if n > 1:
    nxt, prv = (rank + 1) % n, (rank - 1) % n
    t = cuda(np.zeros((3, 4)))
    if rank % 2 == 0:
        dist.send(cuda(data(rank)), dst=nxt)
        assert dist.recv(t, src=prv) == prv
    else:
        assert dist.recv(t, src=prv) == prv
        dist.send(cuda(data(rank)), dst=nxt)
    close(host(t), everyone[prv], 0, "send/recv ring")
    if rank == 0:
        for r in range(1, n):
            t = cuda(np.zeros(2))
            work = dist.irecv(t, src=r)
            work.wait()
            assert work.result() == r
            close(host(t), [r, -r], 0, "irecv")
    else:
        dist.isend(cuda(np.array([float(rank), -float(rank)])), dst=0).wait()
    try:
        dist.recv(cuda(np.zeros(2)))
        raise AssertionError("recv without src should be refused by the nccl backend")
    except ValueError as e:
        assert "src" in str(e), e
    ok("send_recv")

dist.barrier()
dist.barrier(async_op=True).wait()
ok("barrier")

# ---- async_op: the Work is pending until every rank has joined (rank 1 comes 0.5 s late) -----
if n > 1:
    dist.barrier()
    if rank == 1:
        time.sleep(0.5)
    t = cuda(data(rank))
    work = dist.all_reduce(t, op=R.AVG, async_op=True)
    if rank == 0:
        assert not work.is_completed()      # the event waits for rank 1
    work.wait()
    assert work.is_completed()
    close(host(t), stack.mean(0), 1e-12, "async all_reduce AVG")
    ok("async_pending")

# ---- what NCCL refuses, on the communicator the backend made ---------------------------------
comm, s = impl.comm, cp.cuda.get_current_stream().ptr
a = cp.zeros(4, np.float32)


def refused(fn, *args, status=fake_nccl.INVALID_ARGUMENT, kind=fake_nccl.NcclError):
    try:
        fn(*args)
    except kind as e:
        assert kind is not fake_nccl.NcclError or e.status == status, e
        return
    raise AssertionError(f"{fn.__name__}{args} was accepted")


refused(comm.allReduce, a.data.ptr, a.data.ptr, a.nbytes, fake_nccl.NCCL_FLOAT32,
        fake_nccl.NCCL_SUM, s)                                  # count in bytes: past the end
refused(comm.allReduce, a.data.ptr, a.data.ptr, 4, 42, fake_nccl.NCCL_SUM, s)
refused(comm.allReduce, a.data.ptr, a.data.ptr, 4, fake_nccl.NCCL_FLOAT32, 9, s)
refused(comm.allReduce, a.get().ctypes.data, a.data.ptr, 4, fake_nccl.NCCL_FLOAT32,
        fake_nccl.NCCL_SUM, s)                                  # a host pointer
refused(comm.broadcast, a.data.ptr, a.data.ptr, 4, fake_nccl.NCCL_FLOAT32, n, s)
refused(comm.allReduce, a.data.ptr, a.data.ptr, -1, fake_nccl.NCCL_FLOAT32,
        fake_nccl.NCCL_SUM, s, kind=OverflowError)
refused(comm.allReduce, a, a, 4, fake_nccl.NCCL_FLOAT32, fake_nccl.NCCL_SUM, s,
        kind=TypeError)                                         # arrays, not pointers
refused(comm.allReduce, a.data.ptr, a.data.ptr, 4, fake_nccl.NCCL_FLOAT32,
        fake_nccl.NCCL_SUM, cp.cuda.get_current_stream(), kind=TypeError)
refused(fake_nccl.groupEnd, status=fake_nccl.INVALID_USAGE)
refused(fake_nccl.NcclCommunicator, n, list(fake_nccl.get_unique_id()), rank, kind=TypeError)
ok("emulator_refuses")

# ---- DDP on emulated GPUs against one process on the full batch (on the CPU) -----------------
mg.set_default_dtype(mg.float64)
B = 8 * n


def batch(step, shape=(12,), classes=10):
    rng = np.random.default_rng(1000 + step)
    return mg.tensor(rng.standard_normal((B,) + shape)), mg.tensor(rng.integers(0, classes, B))


def mine(t):
    return t[rank * B // n:(rank + 1) * B // n].to(DEV)


def mlp():
    return nn.Sequential(nn.Linear(12, 32), nn.Tanh(), nn.Linear(32, 32), nn.ReLU(),
                         nn.Linear(32, 10))


def train_exact(name, make_opt, steps=10, set_to_none=True, **ddp_kw):
    mg.manual_seed(0)
    ref = mlp()
    local = copy.deepcopy(ref).to(DEV)
    if rank > 0:                     # replicas start different: DDP must broadcast rank 0's
        with mg.no_grad():
            for p in local.parameters():
                p.data[...] = 7.0
    model = DDP(local, device_ids=[rank], **ddp_kw)
    assert all(p.is_cuda for p in model.parameters())
    assert all(b.buffer.__class__ is cp.ndarray for b in model.reducer.buckets)
    opt_ref, opt = make_opt(ref.parameters()), make_opt(model.parameters())
    worst = 0.0
    for step in range(steps):
        x, y = batch(step)
        loss_ref = F.cross_entropy(ref(x), y)
        opt_ref.zero_grad(set_to_none)
        loss_ref.backward()
        opt_ref.step()
        loss = F.cross_entropy(model(mine(x)), mine(y))
        opt.zero_grad(set_to_none)
        loss.backward()
        opt.step()
        mean_loss = loss.detach().reshape(1)
        dist.all_reduce(mean_loss, op=R.AVG)
        worst = max(worst, close(host(mean_loss)[0], loss_ref.item(), 1e-10,
                                 f"{name} loss {step}"))
    for (k, a), (k2, b) in zip(model.module.state_dict().items(), ref.state_dict().items()):
        assert k == k2 and a.is_cuda
        worst = max(worst, close(host(a), b.data, 1e-10, f"{name} {k} after {steps} steps"))
    buf = np.array([worst])
    all_worst = cp.asarray(buf)
    dist.all_reduce(all_worst, op=R.MAX)
    print(f"{name}: largest difference from one process {float(all_worst.get()[0]):.2e}",
          flush=True)
    ok(name)
    return model


train_exact("ddp_mlp", lambda ps: mg.optim.Adam(ps, lr=1e-2))
train_exact("ddp_mlp_small_buckets", lambda ps: mg.optim.SGD(ps, lr=0.1, momentum=0.9),
            steps=5, bucket_cap_mb=0.001)
train_exact("ddp_mlp_bucket_view", lambda ps: mg.optim.Adam(ps, lr=1e-2), steps=5,
            bucket_cap_mb=0.002, gradient_as_bucket_view=True)
train_exact("ddp_mlp_bucket_view_zeroed", lambda ps: mg.optim.SGD(ps, lr=0.1, momentum=0.9),
            steps=5, set_to_none=False, bucket_cap_mb=0.002, gradient_as_bucket_view=True)
train_exact("ddp_mlp_find_unused", lambda ps: mg.optim.SGD(ps, lr=0.1), steps=3,
            find_unused_parameters=True)

dist.destroy_process_group()
assert not dist.is_initialized() and not impl.comm._alive
assert ("destroy", ()) in fake_nccl.calls
print(f"DONE rank {rank}", flush=True)
