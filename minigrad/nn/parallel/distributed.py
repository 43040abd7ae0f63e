"""DistributedDataParallel: one model replica per process, gradients averaged after backward
(torch.nn.parallel.DistributedDataParallel).

    model = DistributedDataParallel(model)      # after dist.init_process_group(...)
    loss = loss_fn(model(x_of_this_rank), y_of_this_rank)
    loss.backward()                             # .grad now holds the average over ranks
    opt.step()                                  # every replica takes the same step

At construction rank 0's parameters and buffers are broadcast to every rank, so the replicas
start equal; with the gradients averaged (reducer.py) they stay equal. Buffers (BatchNorm's
running statistics) are broadcast from rank 0 before each forward (broadcast_buffers=True).
no_sync() skips the averaging: gradients accumulate locally, and the first backward outside
it averages the sum.
"""
from __future__ import annotations

import contextlib

from ... import backend
from ... import distributed as dist
from ...grad_mode import is_grad_enabled
from ..module import Module
from .reducer import Reducer


class DistributedDataParallel(Module):
    """Data parallelism across processes (matches torch.nn.parallel.DistributedDataParallel's
    main arguments). The wrapped module is `self.module`; state_dict keys get the `module.`
    prefix as in torch."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool | None = True, init_sync: bool = True,
                 process_group=None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be a Module, got "
                            f"{type(module).__name__}")
        dist.get_world_size(process_group)     # ValueError when no process group exists
        if dim != 0:
            raise NotImplementedError("DistributedDataParallel: only dim=0 is supported")
        if static_graph:
            raise NotImplementedError("DistributedDataParallel: static_graph is not supported")
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        devices = {p.device for _, p in module.named_parameters()}
        on_cpu = all(d.type == "cpu" for d in devices)
        if (device_ids is not None or output_device is not None) and (
                on_cpu or len(devices) > 1 or [getattr(d, "index", d) for d in device_ids or []]
                not in ([], [next(iter(devices)).index or 0])):
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters "
                f"{devices}.")
        if bucket_cap_mb is None:
            bucket_cap_mb = 25
        if not isinstance(bucket_cap_mb, (int, float)) or bucket_cap_mb <= 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got "
                             f"{bucket_cap_mb!r}")
        self.module = module
        object.__setattr__(self, "process_group", process_group)
        object.__setattr__(self, "device_ids", device_ids)
        object.__setattr__(self, "broadcast_buffers", broadcast_buffers is not False)
        object.__setattr__(self, "find_unused_parameters", bool(find_unused_parameters))
        object.__setattr__(self, "bucket_bytes_cap", int(bucket_cap_mb * 1024 * 1024))
        object.__setattr__(self, "require_backward_grad_sync", True)
        object.__setattr__(self, "require_forward_param_sync", True)
        if init_sync:
            self._broadcast([p for _, p in module.named_parameters()]
                            + [b for _, b in module.named_buffers()])
        object.__setattr__(self, "reducer", Reducer(named, self.bucket_bytes_cap,
                                                    self.find_unused_parameters,
                                                    process_group,
                                                    bool(gradient_as_bucket_view)))

    def _broadcast(self, tensors):
        """Copy rank 0's values into `tensors` on every rank: one flat broadcast per dtype
        and device (torch coalesces the same way), not one per tensor."""
        groups = {}
        for t in tensors:
            if t is not None:
                groups.setdefault((t.data.dtype.str, type(t.data)), []).append(t.data)
        for arrays in groups.values():
            xp = backend.array_module(arrays[0])
            flat = xp.concatenate([a.reshape(-1) for a in arrays])
            dist.broadcast(flat, src=0, group=self.process_group)
            start = 0
            for a in arrays:
                a[...] = flat[start:start + a.size].reshape(a.shape)
                start += a.size

    def forward(self, *inputs, **kwargs):
        if self.require_forward_param_sync and self.broadcast_buffers:
            buffers = [b for _, b in self.module.named_buffers()]
            if buffers:
                self._broadcast(buffers)
        sync = is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            self.reducer.prepare()
        else:
            self.reducer.armed = self.reducer.finished = False
        object.__setattr__(self, "require_forward_param_sync", sync)
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Inside, backward() leaves the gradients local (accumulating in .grad); the first
        synchronised backward after it averages the accumulated sum."""
        old = self.require_backward_grad_sync
        object.__setattr__(self, "require_backward_grad_sync", False)
        try:
            yield
        finally:
            object.__setattr__(self, "require_backward_grad_sync", old)

    def __del__(self):
        # the hooks live on the parameters, which may outlive this wrapper (model.module)
        reducer = self.__dict__.get("reducer")
        if reducer is not None:
            reducer.remove()

    def extra_repr(self):
        return f"bucket_cap_mb={self.bucket_bytes_cap / 2 ** 20:g}, world_size=" \
               f"{dist.get_world_size(self.process_group)}"
