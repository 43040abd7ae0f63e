"""The collectives, with torch.distributed's names, arguments and checks.

Each works on a Tensor (its array is written in place, as torch's collectives write into the
tensor) or on a raw NumPy/CuPy array. The pattern is the same for all of them:

    1. check the arguments against the default group (torch's exception types);
    2. get a contiguous buffer the backend can read (the array itself, or a staged copy:
       a non-contiguous view, or a CuPy array for an MPI that cannot read device memory);
    3. start the backend's nonblocking operation, wrap it in a Work whose `finish` copies
       staged results back (and divides for ReduceOp.AVG);
    4. return the Work (async_op=True) or wait on it and return None.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from ..tensor import Tensor
from .group import ReduceOp, default_group
from .work import Work


def _array(x, fn, name):
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, np.ndarray) or backend.is_cuda_array(x):
        return x
    raise TypeError(f"{fn}: Invalid function argument. Expected parameter `{name}` of type "
                    f"Tensor (or a NumPy/CuPy array) but got {type(x).__name__} instead.")


def _arrays(xs, fn, name):
    if not isinstance(xs, (list, tuple)):
        raise TypeError(f"{fn}: Invalid function argument: `{name}` should be a list of "
                        f"tensors, got {type(xs).__name__}")
    return [_array(x, f"{fn}", f"{name}[{k}]") for k, x in enumerate(xs)]


def _op(op, fn):
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{fn}: op must be a ReduceOp (e.g. ReduceOp.SUM), got {op!r}")
    return op


def _check_op_dtype(op, a, fn):
    kind = a.dtype.kind
    if op is ReduceOp.AVG and kind not in "fc":
        raise TypeError(f"{fn}: ReduceOp.AVG needs a floating point tensor, got {a.dtype} "
                        "(use SUM and divide)")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "biu":
        raise TypeError(f"{fn}: {op} needs an integer or bool tensor, got {a.dtype}")


def _stage(a, impl, fn, write_back=True):
    """(buffer, copy_back) for array `a`: the buffer the backend reads and writes."""
    cuda = backend.is_cuda_array(a)
    if cuda and not impl.device_aware:
        host = np.ascontiguousarray(a.get())
        return host, (lambda: a.__setitem__(Ellipsis, backend.array_module(a).asarray(host))) \
            if write_back else None
    if not cuda and getattr(impl, "needs_device", False):
        raise RuntimeError(f"{fn}: the nccl backend works on CUDA tensors; got a CPU tensor "
                           "(use the mpi backend for CPU tensors)")
    if a.flags.c_contiguous:
        return a, None
    xp = backend.array_module(a)
    buf = xp.ascontiguousarray(a)
    return buf, (lambda: xp.copyto(a, buf)) if write_back else None


def _empty(like, shape, impl):
    """A contiguous buffer of `like`'s dtype, on the host when `like` would be staged there."""
    xp = backend.array_module(like)
    if xp is not np and not impl.device_aware:
        xp = np
    return xp.empty(shape, like.dtype)


def _both(*fs):
    fs = [f for f in fs if f is not None]
    if not fs:
        return None

    def run():
        for f in fs:
            f()
    return run


def _finish(work, async_op):
    if async_op:
        return work
    work.wait()
    return None


def _rank_arg(fn, value, group_value, g, name, default=None):
    if value is not None and group_value is not None:
        raise ValueError(f"{fn}: can't specify both {name} and group_{name}")
    r = value if value is not None else group_value
    if r is None:
        r = default
    if r is None:
        raise ValueError(f"{fn}: Either {name} or group_{name} must be specified")
    if not isinstance(r, (int, np.integer)) or isinstance(r, bool):
        raise TypeError(f"{fn}: {name} must be an int, got {r!r}")
    if not 0 <= r < g.size():
        raise RuntimeError(f"{fn}: invalid {name} rank: {r} (world size {g.size()})")
    return int(r)


def _avg(buf, op, size):
    if op is ReduceOp.AVG and size > 1:
        def run():
            buf[...] = buf / size
        return run
    return None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce `tensor` over all ranks with `op`; every rank gets the result, in place
    (torch.distributed.all_reduce)."""
    g = default_group("all_reduce", group)
    op = _op(op, "all_reduce")
    a = _array(tensor, "all_reduce", "tensor")
    _check_op_dtype(op, a, "all_reduce")
    buf, back = _stage(a, g.impl, "all_reduce")
    test = g.impl.allreduce(buf, op) if not g.impl.trivial else None
    return _finish(Work(test, _both(_avg(buf, op, g.size()), back), g.timeout, "all_reduce"),
                   async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op: bool = False,
           group_dst=None):
    """Reduce `tensor` over all ranks into rank `dst`'s tensor (torch.distributed.reduce)."""
    g = default_group("reduce", group)
    dst = _rank_arg("reduce", dst, group_dst, g, "dst", 0)
    op = _op(op, "reduce")
    a = _array(tensor, "reduce", "tensor")
    _check_op_dtype(op, a, "reduce")
    buf, back = _stage(a, g.impl, "reduce", write_back=g.rank() == dst)
    test = g.impl.reduce(buf, op, dst) if not g.impl.trivial else None
    fin = _avg(buf, op, g.size()) if g.rank() == dst else None
    return _finish(Work(test, _both(fin, back), g.timeout, "reduce"), async_op)


def broadcast(tensor, src=None, group=None, async_op: bool = False, group_src=None):
    """Copy rank `src`'s tensor into every rank's tensor (torch.distributed.broadcast)."""
    g = default_group("broadcast", group)
    src = _rank_arg("broadcast", src, group_src, g, "src")
    a = _array(tensor, "broadcast", "tensor")
    buf, back = _stage(a, g.impl, "broadcast", write_back=g.rank() != src)
    test = g.impl.broadcast(buf, src) if not g.impl.trivial else None
    return _finish(Work(test, back, g.timeout, "broadcast"), async_op)


def _same(fn, what, k, a, like):
    if a.shape != like.shape or a.dtype != like.dtype:
        raise RuntimeError(f"{fn}: invalid {what} at index {k} (expected {like.dtype} of shape "
                           f"{tuple(like.shape)}, got {a.dtype} of shape {tuple(a.shape)})")


def all_gather(tensor_list, tensor, group=None, async_op: bool = False):
    """tensor_list[r] = rank r's tensor, on every rank (torch.distributed.all_gather)."""
    g = default_group("all_gather", group)
    outs = _arrays(tensor_list, "all_gather", "tensor_list")
    a = _array(tensor, "all_gather", "tensor")
    if len(outs) != g.size():
        raise RuntimeError(f"all_gather: invalid output tensor list (expected length "
                           f"{g.size()}, got {len(outs)})")
    for k, o in enumerate(outs):
        _same("all_gather", "output tensor", k, o, a)
    inp, _ = _stage(a, g.impl, "all_gather", write_back=False)
    flat = _empty(a, (g.size(),) + a.shape, g.impl)
    if not g.impl.trivial:
        test = g.impl.allgather(flat, inp)
    else:
        test = None
        flat[0] = inp

    def finish():
        for k, o in enumerate(outs):
            o[...] = backend.array_module(o).asarray(flat[k])
    return _finish(Work(test, finish, g.timeout, "all_gather"), async_op)


def _stacked(fn, big, small, n):
    """Whether `big` is `small` concatenated (n*d0, ...) or stacked (n, ...) n times."""
    if big.dtype != small.dtype:
        raise RuntimeError(f"{fn}: tensors must have the same dtype, got {big.dtype} and "
                           f"{small.dtype}")
    cat = small.ndim >= 1 and big.shape == (n * small.shape[0],) + small.shape[1:]
    if not (cat or big.shape == (n,) + small.shape):
        raise RuntimeError(f"{fn}: the larger tensor must have shape (world_size * "
                           f"{small.shape[0] if small.ndim else 1}, ...) or (world_size, "
                           f"*{tuple(small.shape)}); got {tuple(big.shape)} and "
                           f"{tuple(small.shape)} with world size {n}")


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op: bool = False):
    """Concatenate (or stack) every rank's input_tensor into output_tensor
    (torch.distributed.all_gather_into_tensor)."""
    g = default_group("all_gather_into_tensor", group)
    out = _array(output_tensor, "all_gather_into_tensor", "output_tensor")
    a = _array(input_tensor, "all_gather_into_tensor", "input_tensor")
    _stacked("all_gather_into_tensor", out, a, g.size())
    inp, _ = _stage(a, g.impl, "all_gather_into_tensor", write_back=False)
    buf, back = _stage(out, g.impl, "all_gather_into_tensor")
    if not g.impl.trivial:
        test = g.impl.allgather(buf, inp)
    else:
        test = None
        buf.reshape(inp.shape)[...] = inp
    return _finish(Work(test, back, g.timeout, "all_gather_into_tensor"), async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce `input` over ranks with `op`; rank r keeps the r-th chunk of the result
    (torch.distributed.reduce_scatter_tensor)."""
    g = default_group("reduce_scatter_tensor", group)
    op = _op(op, "reduce_scatter_tensor")
    out = _array(output, "reduce_scatter_tensor", "output")
    a = _array(input, "reduce_scatter_tensor", "input")
    _stacked("reduce_scatter_tensor", a, out, g.size())
    _check_op_dtype(op, a, "reduce_scatter_tensor")
    inp, _ = _stage(a, g.impl, "reduce_scatter_tensor", write_back=False)
    buf, back = _stage(out, g.impl, "reduce_scatter_tensor")
    if not g.impl.trivial:
        test = g.impl.reduce_scatter(buf, inp, op)
    else:
        test = None
        buf[...] = inp.reshape(buf.shape)
    return _finish(Work(test, _both(_avg(buf, op, g.size()), back), g.timeout,
                        "reduce_scatter_tensor"), async_op)


def _root_list(fn, lst, name, g, root, what):
    """The list argument of gather/scatter: required on the root, forbidden elsewhere."""
    if g.rank() == root:
        if not lst:
            raise ValueError(f"Argument ``{name}`` must be specified on {what} rank.")
        arrays = _arrays(lst, fn, name)
        if len(arrays) != g.size():
            raise ValueError(f"{fn}: Argument ``{name}`` must have {g.size()} tensors (one per "
                             f"rank), got {len(arrays)}")
        return arrays
    if lst:
        raise ValueError(f"Argument ``{name}`` must NOT be specified on non-{what} ranks.")
    return None


def gather(tensor, gather_list=None, dst=None, group=None, async_op: bool = False,
           group_dst=None):
    """gather_list[r] = rank r's tensor, on rank `dst` only (torch.distributed.gather)."""
    g = default_group("gather", group)
    dst = _rank_arg("gather", dst, group_dst, g, "dst", 0)
    a = _array(tensor, "gather", "tensor")
    outs = _root_list("gather", gather_list, "gather_list", g, dst, "destination")
    for k, o in enumerate(outs or ()):
        _same("gather", "gather_list tensor", k, o, a)
    inp, _ = _stage(a, g.impl, "gather", write_back=False)
    flat = _empty(a, (g.size(),) + a.shape, g.impl) if outs is not None else None
    if not g.impl.trivial:
        test = g.impl.gather(inp, flat, dst)
    else:
        test = None
        flat[0] = inp

    def finish():
        for k, o in enumerate(outs or ()):
            o[...] = backend.array_module(o).asarray(flat[k])
    return _finish(Work(test, finish, g.timeout, "gather"), async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op: bool = False,
            group_src=None):
    """Rank r's tensor = scatter_list[r] of rank `src` (torch.distributed.scatter)."""
    g = default_group("scatter", group)
    src = _rank_arg("scatter", src, group_src, g, "src", 0)
    a = _array(tensor, "scatter", "tensor")
    ins = _root_list("scatter", scatter_list, "scatter_list", g, src, "source")
    for k, i in enumerate(ins or ()):
        _same("scatter", "scatter_list tensor", k, i, a)
    flat = None
    if ins is not None:
        flat = _empty(a, (g.size(),) + a.shape, g.impl)
        for k, i in enumerate(ins):
            flat[k] = i if backend.array_module(flat) is backend.array_module(i) else \
                backend.array_module(flat).asarray(i if isinstance(i, np.ndarray) else i.get())
    buf, back = _stage(a, g.impl, "scatter")
    if not g.impl.trivial:
        test = g.impl.scatter(flat, buf, src)
    else:
        test = None
        buf[...] = flat[0]
    return _finish(Work(test, back, g.timeout, "scatter"), async_op)


def _peer(fn, value, group_value, g, name, allow_none=False):
    if value is None and group_value is None and allow_none:
        return None
    r = _rank_arg(fn, value, group_value, g, name)
    if r == g.rank():
        what = "destination" if name == "dst" else "source"
        raise ValueError(f"Invalid {what} rank: {what} rank should not be the same as the rank "
                         "of the current process.")
    return r


def _tag(fn, tag):
    if not isinstance(tag, (int, np.integer)) or isinstance(tag, bool) or tag < 0:
        raise ValueError(f"{fn}: tag must be a non-negative int, got {tag!r}")
    return int(tag)


def isend(tensor, dst=None, group=None, tag: int = 0, group_dst=None) -> Work:
    """Start sending `tensor` to rank `dst`; returns a Work (torch.distributed.isend)."""
    g = default_group("isend", group)
    dst = _peer("isend", dst, group_dst, g, "dst")
    buf, _ = _stage(_array(tensor, "isend", "tensor"), g.impl, "isend", write_back=False)
    return Work(g.impl.send(buf, dst, _tag("isend", tag)), None, g.timeout, "send")


def irecv(tensor, src=None, group=None, tag: int = 0, group_src=None) -> Work:
    """Start receiving into `tensor` from rank `src` (any rank when None); returns a Work
    whose result() is the sender's rank (torch.distributed.irecv)."""
    g = default_group("irecv", group)
    src = _peer("irecv", src, group_src, g, "src", allow_none=True)
    buf, back = _stage(_array(tensor, "irecv", "tensor"), g.impl, "irecv")
    test, sender = g.impl.recv(buf, src, _tag("irecv", tag))
    return Work(test, back, g.timeout, "recv", result=sender)


def send(tensor, dst=None, group=None, tag: int = 0, group_dst=None) -> None:
    """Send `tensor` to rank `dst` and wait until it is sent (torch.distributed.send)."""
    isend(tensor, dst, group, tag, group_dst).wait()


def recv(tensor, src=None, group=None, tag: int = 0, group_src=None) -> int:
    """Receive into `tensor` from `src` (any rank when None); returns the sender's rank
    (torch.distributed.recv)."""
    return irecv(tensor, src, group, tag, group_src).result()


def barrier(group=None, async_op: bool = False, device_ids=None, timeout=None):
    """Wait until every rank has called barrier (torch.distributed.barrier)."""
    g = default_group("barrier", group)
    test = g.impl.barrier() if not g.impl.trivial else None
    work = Work(test, None, g.timeout if timeout is None else timeout.total_seconds(),
                "barrier")
    return _finish(work, async_op)
