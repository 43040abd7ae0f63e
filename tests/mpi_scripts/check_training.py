"""DDP and SyncBatchNorm on N ranks against one process on the full batch (mpiexec -n N).

Every rank also trains the reference itself (a copy of the model on the whole batch, plain
BatchNorm, no collectives), so each rank compares its replica with it directly.
"""
from __future__ import annotations

import copy
import datetime
import os
import sys

import numpy as np
from common import close, dist, max_err, mg, ok

import minigrad.nn.functional as F
from minigrad import nn
from minigrad.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
from digits_cnn import DigitsCNN  # noqa: E402

mg.set_default_dtype(mg.float64)
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=60))
rank, n = dist.get_rank(), dist.get_world_size()
B = 8 * n                        # each rank gets 8 rows of every batch


def batch(step, shape, classes=10):
    rng = np.random.default_rng(1000 + step)
    x = mg.tensor(rng.standard_normal((B,) + shape))
    y = mg.tensor(rng.integers(0, classes, B))
    return x, y


def mine(t):
    return t[rank * B // n:(rank + 1) * B // n]


def mlp():
    return nn.Sequential(nn.Linear(12, 32), nn.Tanh(), nn.Linear(32, 32), nn.ReLU(),
                         nn.Linear(32, 10))


def train_exact(name, make, shape, make_opt, sync_bn=False, steps=20, set_to_none=True,
                **ddp_kw):
    mg.manual_seed(0)
    ref = make()
    local = copy.deepcopy(ref)
    if rank > 0:                     # replicas start different: DDP must broadcast rank 0's
        with mg.no_grad():
            for p in local.parameters():
                p.data[...] = 7.0
    if sync_bn:
        local = nn.SyncBatchNorm.convert_sync_batchnorm(local)
    model = DDP(local, **ddp_kw)
    opt_ref, opt = make_opt(ref.parameters()), make_opt(model.parameters())
    worst = 0.0
    for step in range(steps):
        x, y = batch(step, shape)
        loss_ref = F.cross_entropy(ref(x), y)
        opt_ref.zero_grad(set_to_none)
        loss_ref.backward()
        opt_ref.step()
        loss = F.cross_entropy(model(mine(x)), mine(y))
        opt.zero_grad(set_to_none)
        loss.backward()
        opt.step()
        mean_loss = np.array([loss.item()])
        dist.all_reduce(mean_loss, op=dist.ReduceOp.AVG)
        worst = max(worst, close(mean_loss[0], loss_ref.item(), 1e-10, f"{name} loss {step}"))
    for (k, a), (k2, b) in zip(model.module.state_dict().items(), ref.state_dict().items()):
        assert k == k2
        worst = max(worst, close(a, b, 1e-10, f"{name} {k} after {steps} steps"))
    keys = list(model.state_dict())
    assert keys == ["module." + k for k in ref.state_dict()], keys
    print(f"{name}: largest difference from one process {max_err(worst):.2e}", flush=True)
    ok(name)
    return model


train_exact("ddp_mlp", mlp, (12,), lambda ps: mg.optim.Adam(ps, lr=1e-2))
train_exact("ddp_mlp_small_buckets", mlp, (12,),
            lambda ps: mg.optim.SGD(ps, lr=0.1, momentum=0.9), steps=5, bucket_cap_mb=0.001)
train_exact("ddp_mlp_bucket_view", mlp, (12,), lambda ps: mg.optim.Adam(ps, lr=1e-2), steps=5,
            bucket_cap_mb=0.002, gradient_as_bucket_view=True)
# zero_grad(set_to_none=False) zeroes the bucket views in place, and backward accumulates
# into them: the gradients stay the same tensors, views of the buckets, step after step
kept = train_exact("ddp_mlp_bucket_view_zeroed", mlp, (12,),
                   lambda ps: mg.optim.SGD(ps, lr=0.1, momentum=0.9), steps=5,
                   set_to_none=False, bucket_cap_mb=0.002, gradient_as_bucket_view=True)
grads = [p.grad for p in kept.parameters()]
x, y = batch(0, (12,))
F.cross_entropy(kept(mine(x)), mine(y)).backward()
assert all(p.grad is g for p, g in zip(kept.parameters(), grads))
assert all(any(np.shares_memory(p.grad.data, b.buffer) for b in kept.reducer.buckets)
           for p in kept.parameters())
ok("bucket_view_zeroed_identity")

# overlap: the last layers' buckets start while backward has not reached the first layer
mg.manual_seed(3)        # (a first bucket is 1 MiB, as torch's: the middle layer fills it)
model = DDP(nn.Sequential(nn.Linear(12, 256), nn.Tanh(), nn.Linear(256, 512), nn.ReLU(),
                          nn.Linear(512, 10)), bucket_cap_mb=0.001)
events = []        # the order of bucket launches and of the first layer's output gradient


def watch(module, inputs, out):
    out.register_hook(lambda g: events.append("first layer's output"))


model.module[0].register_forward_hook(watch)
launch = dist.all_reduce


def spy(*args, **kwargs):
    events.append("launch")
    return launch(*args, **kwargs)


dist.all_reduce = spy
try:
    x, y = batch(0, (12,))
    F.cross_entropy(model(mine(x)), mine(y)).backward()
finally:
    dist.all_reduce = launch
if n > 1:       # the first bucket started before backward reached the first layer
    assert events.count("launch") > 2 and events[0] == "launch", events
ok("overlap")

# SGD, not Adam, for the CNN: the conv biases before BatchNorm have a gradient of exactly zero
# in exact arithmetic, so theirs is rounding noise (~1e-17), which Adam divides by its own
# square root: a 1e-17 difference in the order of additions becomes a 1e-10 one in the
# weights, for one process and for N alike. SGD keeps rounding noise at its own size.
train_exact("ddp_digits_cnn", DigitsCNN, (1, 8, 8),
            lambda ps: mg.optim.SGD(ps, lr=0.05, momentum=0.9), sync_bn=True)

# no_sync: two accumulated micro-batches, then a synchronised one == full-batch accumulation
mg.manual_seed(1)
ref = mlp()
model = DDP(copy.deepcopy(ref))
for step in range(3):
    x, y = batch(step, (12,))
    F.cross_entropy(ref(x), y).backward()
    if step < 2:
        with model.no_sync():
            F.cross_entropy(model(mine(x)), mine(y)).backward()
        if n > 1:     # still local: differs from the reference
            p, q = next(model.parameters()), next(ref.parameters())
            assert np.abs(p.grad.data - q.grad.data).max() > 1e-6
    else:
        F.cross_entropy(model(mine(x)), mine(y)).backward()
for p, q in zip(model.module.parameters(), ref.parameters()):
    close(p.grad, q.grad, 1e-10, "no_sync accumulation")
ok("no_sync")


class Branches(nn.Module):
    """Rank 0 uses head a, the other ranks head b; head c is never used."""

    def __init__(self):
        super().__init__()
        self.trunk, self.a, self.b, self.c = (nn.Linear(4, 4), nn.Linear(4, 2), nn.Linear(4, 2),
                                              nn.Linear(4, 2))

    def forward(self, x, which):
        return (self.a if which == 0 else self.b)(self.trunk(x))


mg.manual_seed(2)
model = DDP(Branches(), find_unused_parameters=True)
x = mg.tensor(np.random.default_rng(rank).standard_normal((3, 4)))
model(x, rank).sum().backward()
assert model.module.c.weight.grad is None          # unused everywhere: left alone
if n > 1:
    for head in (model.module.a, model.module.b):  # used on some rank: averaged, zeros elsewhere
        assert head.weight.grad is not None
    # head a's gradient is rank 0's divided by n (the other ranks contribute zeros)
    x0 = np.random.default_rng(0).standard_normal((3, 4))
    with mg.no_grad():
        h0 = model.module.trunk(mg.tensor(x0)).data
    close(model.module.a.weight.grad, np.ones((2, 1)) * h0.sum(0) / n, 1e-12, "unused a")
    close(model.module.a.bias.grad, np.full(2, 3.0 / n), 1e-12, "unused a bias")
ok("find_unused_parameters")

model = DDP(Branches())
model(x, rank).sum().backward()
try:
    model(x, rank)
    raise AssertionError("a parameter without gradient should make the next forward raise")
except RuntimeError as e:
    assert "Expected to have finished reduction" in str(e)
ok("unused_parameter_error")

# the averaged gradients are handed over as views of the buckets, unless someone holds them;
# memory a live view shows is never written again (torch: each step's .grad is its own)
mg.manual_seed(4)
model = DDP(mlp())
ref = copy.deepcopy(model.module)
params = list(model.module.parameters())


def averaged(step):
    """The full-batch gradients of `ref` (the average over ranks of the DDP gradients)."""
    x, y = batch(step, (12,))
    for q in ref.parameters():
        q.grad = None
    F.cross_entropy(ref(x), y).backward()
    return [q.grad.data.copy() for q in ref.parameters()]


def step_grads(step, keep_hook=None):
    x, y = batch(step, (12,))
    for p in params:
        p.grad = None
    F.cross_entropy(model(mine(x)), mine(y)).backward()
    return [p.grad for p in params]


g0 = step_grads(0)
want0 = averaged(0)
if n > 1:
    assert all(any(np.shares_memory(g.data, b.buffer) for b in model.reducer.buckets)
               for g in g0), "fresh gradients were copied instead of handed over"
for g, w in zip(g0, want0):
    close(g, w, 1e-12, "handed-over gradient, step 0")
kept_tensor, kept_view = g0[0], g0[0][:2]       # a user keeps step 0's gradient and a view
snapshot = kept_tensor.data.copy()
for step in (1, 2, 3):
    grads = step_grads(step)
    for g, w in zip(grads, averaged(step)):
        close(g, w, 1e-12, f"handed-over gradient, step {step}")
    close(kept_tensor, snapshot, 0, "a kept gradient tensor changed")
    close(kept_view, snapshot[:2], 0, "a kept view of a gradient changed")
ok("views_handed_over")

# a .grad a hook keeps while backward runs: the average is copied into it (identity kept)
caught = {}
handle = params[0].register_post_accumulate_grad_hook(lambda p: caught.setdefault("g", p.grad))
grads = step_grads(4)
handle.remove()
assert grads[0] is caught["g"], "a held .grad was replaced"
close(grads[0], averaged(4)[0], 1e-12, "held gradient averaged in place")
ok("held_grad_copied")

# a second backward through one forward would mix local and averaged gradients: torch raises
model = DDP(mlp())
loss = (model(mg.randn(4, 12)) ** 2).sum()
loss.backward(retain_graph=True)
try:
    loss.backward()
    raise AssertionError("a second backward through one DDP forward should raise")
except RuntimeError as e:
    assert "only once" in str(e)
ok("second_backward_error")

# buffers: rank 0's are broadcast before each training forward
bn = DDP(nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3)))
with mg.no_grad():
    bn.module[1].running_mean.data[...] = rank
bn(mg.randn(4, 3))
assert abs(bn.module[1].running_mean.data - 0.9 * 0.0).max() < 10    # ran
means = np.zeros((n, 3))
dist.all_gather_into_tensor(means, bn.module[1].running_mean.data.copy())
close(means, np.repeat(means[:1], n, 0), 0, "buffers broadcast")
ok("broadcast_buffers")

# SyncBatchNorm on slices == BatchNorm on the whole batch: output, input and weight gradients,
# running statistics (momentum 0.1 and None), eval mode
for shape, momentum in (((3,), 0.1), ((3, 5), None), ((3, 4, 2), 0.1), ((3, 2, 2, 2), 0.3)):
    rng = np.random.default_rng(7)
    full = rng.standard_normal((B,) + shape) * 3 + 1
    upstream = rng.standard_normal((B,) + shape)
    kind = {1: nn.BatchNorm1d, 2: nn.BatchNorm1d, 3: nn.BatchNorm2d, 4: nn.BatchNorm3d}
    ref = kind[len(shape)](3, momentum=momentum)
    sync = nn.SyncBatchNorm(3, momentum=momentum)
    with mg.no_grad():
        w = rng.standard_normal(3)
        ref.weight.data[...] = w
        sync.weight.data[...] = w
    for _ in range(2):
        x = mg.tensor(full, requires_grad=True)
        (ref(x) * mg.tensor(upstream)).sum().backward()
        xs = mg.tensor(mine(mg.tensor(full)).data, requires_grad=True)
        (sync(xs) * mine(mg.tensor(upstream))).sum().backward()
        close(xs.grad, mine(x.grad), 1e-10, f"SyncBatchNorm input grad {shape}")
    gw = sync.weight.grad.data.copy()
    gb = sync.bias.grad.data.copy()
    dist.all_reduce(gw)
    dist.all_reduce(gb)
    close(gw, ref.weight.grad, 1e-10, "SyncBatchNorm weight grad")
    close(gb, ref.bias.grad, 1e-10, "SyncBatchNorm bias grad")
    close(sync.running_mean, ref.running_mean, 1e-12, "running_mean")
    close(sync.running_var, ref.running_var, 1e-12, "running_var")
    assert int(sync.num_batches_tracked.item()) == 2
    ref.train(False)
    sync.train(False)
    close(sync(mine(mg.tensor(full))), mine(ref(mg.tensor(full))), 1e-12, "eval")
    ref.train()
    sync.train()
    close(sync(mine(mg.tensor(full))), mine(ref(mg.tensor(full))), 1e-10,
          f"SyncBatchNorm output {shape}")
ok("sync_batchnorm")
dist.destroy_process_group()
print(f"DONE rank {rank}", flush=True)
