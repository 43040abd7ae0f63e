"""nn.DataParallel and nn.parallel.data_parallel with torch's behaviour on the devices minigrad
has. Without CUDA, torch's DataParallel is a plain wrapper: it ignores device_ids,
output_device and dim, keeps `module` (so state_dict keys start with 'module.') and
device_ids = [], and forward calls the module; data_parallel raises ("device type could not be
determined"). With CUDA and one device in device_ids, the module and the inputs go to that
device and the module runs there, as torch's; splitting a batch over several GPUs (torch's
replicate, scatter, parallel_apply and gather) is not implemented and raises.
"""
from __future__ import annotations

from typing import Any, Generic, TypeVar

from ...backend import Device
from ...ops.checks import type_name
from ..module import Module

T = TypeVar("T", bound=Module)


def _device_index(who, d) -> int:
    """A CUDA device index from an int, 'cuda[:N]' or a device (torch's _get_device_index
    with optional=True: no index means device 0)."""
    from ... import cuda
    if isinstance(d, int) and not isinstance(d, bool):
        idx = d
    elif isinstance(d, (str, Device)):
        dev = Device(d)
        if dev.type != "cuda":
            raise ValueError(f"{who}: Expected a cuda device, but got: {dev}")
        idx = 0 if dev.index is None else dev.index
    else:
        raise TypeError(f"{who}: a device id must be an int, a string or a device, not "
                        f"{type_name(d)}")
    count = cuda.device_count()
    if not 0 <= idx < count:
        raise RuntimeError(f"{who}: CUDA device {idx} does not exist ({count} visible)")
    return idx


def _devices(who, device_ids, output_device):
    """(device_ids as indices, output_device's index) with torch's defaults: every visible
    GPU, and device_ids[0]."""
    from ... import cuda
    if device_ids is None:
        device_ids = list(range(cuda.device_count()))
    try:
        ids = [_device_index(who, d) for d in device_ids]
    except TypeError:
        if isinstance(device_ids, (list, tuple)):
            raise
        raise TypeError(f"{who}: device_ids must be a sequence of devices, not "
                        f"{type_name(device_ids)}") from None
    if not ids:
        raise RuntimeError(f"{who}: no available devices were found (device_ids is empty)")
    out = ids[0] if output_device is None else _device_index(who, output_device)
    return ids, out


def _to(obj, device):
    """Tensors inside obj (tuples, lists, dicts) moved to device: a one-device scatter."""
    from ...tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_to(v, device) for v in obj)
    if isinstance(obj, dict):
        return {k: _to(v, device) for k, v in obj.items()}
    return obj


def _run_on_one(who, module, ids, inputs, kwargs):
    if len(ids) > 1:
        raise NotImplementedError(
            f"{who}: splitting the batch over {len(ids)} GPUs (device_ids={ids}) is not "
            "implemented in minigrad; pass one device (device_ids=[0]) or use "
            "DistributedDataParallel")
    device = Device("cuda", ids[0])
    for t in list(module.parameters()) + list(module.buffers()):
        if t.device != device:
            raise RuntimeError(f"{who}: module must have its parameters and buffers on device "
                               f"{device} (device_ids[0]) but found one of them on device: "
                               f"{t.device}")
    return module(*_to(tuple(inputs), device), **_to(dict(kwargs or {}), device))


class DataParallel(Module, Generic[T]):
    """Wraps a module for data parallelism (matches torch.nn.DataParallel). Without CUDA it
    only calls the module (torch's CPU behaviour); with CUDA, one device in device_ids runs
    the module there and several raise NotImplementedError (no scatter/gather)."""

    def __init__(self, module: T, device_ids=None, output_device=None, dim: int = 0) -> None:
        from ... import cuda
        super().__init__()
        if not cuda.is_available():        # torch: no device type, all arguments unused
            self.module = module
            self.device_ids = []
            return
        self.dim = dim
        self.module = module
        self.device_ids, self.output_device = _devices("DataParallel", device_ids,
                                                       output_device)
        self.src_device_obj = Device("cuda", self.device_ids[0])
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        return _run_on_one("DataParallel", self.module, self.device_ids, inputs, kwargs)


def data_parallel(module: Module, inputs: Any, device_ids=None, output_device=None,
                  dim: int = 0, module_kwargs: Any = None):
    """module(*inputs) on the GPUs in device_ids (matches torch.nn.parallel.data_parallel):
    without CUDA it raises as torch's does; with one device it runs the module there;
    several raise NotImplementedError."""
    from ... import cuda
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    if not cuda.is_available():
        raise RuntimeError("data_parallel: device type could not be determined (no CUDA "
                           "device is available)")
    ids, _ = _devices("data_parallel", device_ids, output_device)
    return _run_on_one("data_parallel", module, ids, inputs, module_kwargs)


__all__ = ["DataParallel", "data_parallel"]
