"""The gradient reducer behind DistributedDataParallel: flat buckets, filled by hooks.

After backward() every rank holds the gradient of its own share of the batch; training on N
ranks equals training on the whole batch once each gradient is replaced by the average over
ranks. Averaging one parameter at a time would pay a collective's latency per parameter, so
parameters are grouped into flat buckets (about bucket_cap_mb each; the first one smaller,
1 MiB, so that it fills and starts early), in reverse order of module.parameters(): that is
roughly the order in which backward produces their gradients.

    hook(p)       a post-accumulate-grad hook on every parameter: copies p.grad / world_size
                  into its bucket slot; a bucket whose slots are all filled starts its
                  all_reduce (async). Buckets start in index order on every rank, as the
                  collectives must be issued in the same order everywhere.
    finalize()    queued with engine.queue_callback by the first hook of a backward: waits
                  for every bucket, then gives each p.grad the average in its slot:
                    - a .grad nothing else refers to (the usual case: the engine's fresh
                      gradient, after zero_grad() set it to None) is replaced by a view of
                      the slot, without a copy; nobody can tell it from a copy, because the
                      bucket never writes into memory that a live view still shows: a
                      bucket whose buffer is still viewed (last step's gradients, kept)
                      fills its spare buffer instead (two buffers, used in turn);
                    - a .grad someone holds (a reference kept by user code or a hook) gets
                      the average copied into it in place, keeping its identity, as torch;
                    - gradient_as_bucket_view=True: .grad becomes a view of the one buffer
                      and stays one; the next synchronised backward overwrites it, as torch.

The engine gives each parameter its .grad (and runs this hook) as soon as the backward walk
has summed every contribution to it (minigrad/accumulate_grad.py), so the last layers'
buckets start while backward still computes the first layers' gradients.

find_unused_parameters=True: a parameter that got no gradient on this rank fills its slot
with zeros at finalize; one small extra all_reduce of a "used" mask tells which parameters
no rank used, and their .grad is left untouched (torch's behaviour). Without it, a parameter
without gradient leaves its bucket unlaunched, and the next forward raises torch's error.
"""
from __future__ import annotations

from ... import accumulate_grad, backend, engine, storage
from ... import distributed as dist
from ...tensor import Tensor

FIRST_BUCKET_BYTES = 1024 * 1024     # torch's dist._DEFAULT_FIRST_BUCKET_BYTES

UNFINISHED = ("Expected to have finished reduction in the prior iteration before starting a "
              "new one. This error indicates that your module has parameters that were not "
              "used in producing loss. You can enable unused parameter detection by passing "
              "the keyword argument `find_unused_parameters=True` to "
              "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` "
              "function outputs participate in calculating loss. Parameters that did not "
              "receive a gradient on rank {rank}: {names}")


class Bucket:
    def __init__(self, params, names):
        self.params, self.names = params, names
        self.offsets, total = [], 0
        for p in params:
            self.offsets.append(total)
            total += p.data.size
        xp = backend.array_module(params[0].data)
        self.buffer = xp.zeros(total, params[0].data.dtype)
        self.spare = None               # the other buffer, once one was needed
        self.unviewed = accumulate_grad.count_refs(self.buffer)   # (when no view of it lives)
        self.ready = [False] * len(params)
        self.pending, self.work, self.claimed = len(params), None, False

    def slot(self, k):
        p = self.params[k]
        return self.buffer[self.offsets[k]:self.offsets[k] + p.data.size].reshape(p.data.shape)

    def reset(self):
        self.ready = [False] * len(self.params)
        self.pending, self.work, self.claimed = len(self.params), None, False

    def claim(self):
        """Before this backward's first write into the bucket: if a view of the buffer still
        lives (gradients handed out by an earlier finalize), switch to the spare buffer,
        made when first needed (a spare still viewed too is replaced by a new one)."""
        self.claimed = True
        if accumulate_grad.count_refs(self.buffer) <= self.unviewed:
            return
        if self.spare is None or accumulate_grad.count_refs(self.spare) > self.unviewed:
            self.spare = backend.array_module(self.buffer).empty_like(self.buffer)
        self.buffer, self.spare = self.spare, self.buffer


def assign_buckets(named_params, cap_bytes, first_cap_bytes=FIRST_BUCKET_BYTES):
    """Buckets of parameters in reverse order, one dtype/device per bucket; a bucket is
    closed once it holds cap bytes (the first one of each kind: first_cap_bytes)."""
    buckets, open_, closed_kinds = [], {}, set()
    for name, p in reversed(named_params):
        kind = (p.data.dtype.str, type(p.data))
        names, params, size = open_.setdefault(kind, ([], [], [0]))
        names.append(name)
        params.append(p)
        size[0] += p.data.nbytes
        cap = cap_bytes if kind in closed_kinds else first_cap_bytes
        if size[0] >= cap:
            buckets.append(Bucket(params, names))
            closed_kinds.add(kind)
            del open_[kind]
    for names, params, _ in open_.values():
        buckets.append(Bucket(params, names))
    return buckets


class Reducer:
    def __init__(self, named_params, cap_bytes, find_unused, group=None, as_view=False):
        self.find_unused, self.group, self.as_view = find_unused, group, as_view
        self.buckets = assign_buckets(named_params, cap_bytes)
        self.where = {}
        for b in self.buckets:
            for k, p in enumerate(b.params):
                self.where[id(p)] = (b, k)
        self.world = dist.get_world_size(group)
        self.armed = self.queued = False
        self.next_bucket, self.first_busy, self.error = 0, 0, None
        self.finished = False           # True from the end of a synchronised backward
        self.handles = [p.register_post_accumulate_grad_hook(self._hook)
                        for _, p in named_params]

    def prepare(self):
        """Called by a forward that will be followed by a synchronising backward."""
        if self.error is not None:
            msg, self.error = self.error, None
            raise RuntimeError(msg)
        for b in self.buckets:
            b.reset()
        self.next_bucket, self.first_busy, self.armed, self.queued = 0, 0, True, False
        self.finished = False

    def _hook(self, p):
        if not self.armed or self.world == 1:
            if self.finished and self.world > 1:
                raise RuntimeError(
                    "Expected to mark a variable ready only once: a second backward() through "
                    "one DistributedDataParallel forward would add a local gradient to the "
                    "averaged one; run forward again (or accumulate under no_sync())")
            return      # no_sync(), eval, a backward DDP was not told of, or nothing to average
        if not self.queued:
            engine.queue_callback(self._finalize)
            self.queued = True
        b, k = self.where[id(p)]
        if b.ready[k]:
            raise RuntimeError("Expected to mark a variable ready only once: a parameter got "
                               "its gradient twice in one iteration (two backward passes "
                               "through one DDP forward?)")
        if not b.claimed and not self.as_view:
            b.claim()
        slot = b.slot(k)
        xp = backend.array_module(slot)
        xp.multiply(p.grad.data, 1.0 / self.world, out=slot)   # torch divides while copying
        self._mark(b, k)
        for nb in self.buckets[self.first_busy:self.next_bucket]:
            if not nb.work.is_completed():      # MPI progresses only inside MPI calls
                break
            self.first_busy += 1

    def _mark(self, b, k):
        b.ready[k] = True
        b.pending -= 1
        while self.next_bucket < len(self.buckets) and \
                self.buckets[self.next_bucket].pending == 0:
            nb = self.buckets[self.next_bucket]
            nb.work = dist.all_reduce(nb.buffer, group=self.group, async_op=True)
            self.next_bucket += 1

    def _finalize(self):
        self.armed, self.finished = False, True
        used = None
        if self.find_unused:
            used = [r for b in self.buckets for r in b.ready]
            for b in self.buckets:
                for k, r in enumerate(b.ready):
                    if not r:
                        if not b.claimed and not self.as_view:
                            b.claim()
                        b.slot(k)[...] = 0
                        self._mark(b, k)
            mask = backend.array_module(self.buckets[0].buffer).asarray(used, dtype="int32")
            dist.all_reduce(mask, group=self.group)
            used = mask.tolist()
        missing = [n for b in self.buckets for n, r in zip(b.names, b.ready) if not r]
        for b in self.buckets:
            if b.work is not None:
                b.work.wait()
        if missing:
            self.error = UNFINISHED.format(rank=dist.get_rank(self.group),
                                           names=", ".join(missing))
            return
        j = 0
        for b in self.buckets:
            for k, p in enumerate(b.params):
                if used is None or used[j]:
                    avg = b.slot(k)
                    if self.as_view:        # gradient_as_bucket_view: no copy back; a .grad
                        if p.grad is None or not storage.shares_storage(p.grad.data,
                                                                        b.buffer):
                            p.grad = Tensor._make(avg)  # already a view (zero_grad with
                                                        # set_to_none=False) stays itself
                    elif p.grad is None or _unheld(p):
                        p.grad = Tensor._make(avg)      # (see claim: never overwritten)
                    else:
                        backend.array_module(avg).copyto(p.grad.data, avg)
                j += 1

    def remove(self):
        for h in self.handles:
            h.remove()


def _unheld(p):
    """Whether only p refers to p.grad, and only p.grad to its memory (then replacing it by
    a bucket view cannot be seen)."""
    g = p.grad
    return accumulate_grad._exclusive(g, 2)        # p's .grad slot, and `g` here
