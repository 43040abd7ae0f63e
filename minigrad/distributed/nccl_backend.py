"""The NCCL backend: GPU collectives through CuPy's NCCL binding (cupy.cuda.nccl).

One GPU per process: the device is `device_id` when init_process_group gets one, else the
LOCAL_RANK environment variable, else the process's rank among the MPI ranks on its node.
Rank 0 creates NCCL's unique id and MPI broadcasts it (so the NCCL backend is launched with
mpiexec too, and needs mpi4py when there is more than one process); every rank then joins the
NCCL communicator. Collectives are enqueued on CuPy's current stream; an event recorded after
each lets Work poll for completion, so the group's timeout applies as with MPI; an uncaught
timeout error reaches the excepthook, which aborts the NCCL communicator (NCCL's way of
unblocking the GPU) and then the MPI job.

Imported only by init_process_group("nccl"): without CuPy, or without a GPU, that call raises
a RuntimeError that says so, and nothing else in minigrad notices.
"""
from __future__ import annotations

import os

from .group import DistBackendError, ReduceOp


def make(world_size, rank, timeout_s, init_method=None, device_id=None):
    from .. import backend
    cp = backend.cupy_module()
    if cp is None:
        raise RuntimeError("init_process_group: backend 'nccl' needs CuPy and an NVIDIA GPU "
                           "(pip install -e \".[cuda12]\"); use backend='mpi' on CPUs")
    try:
        from cupy.cuda import nccl
    except ImportError as e:
        raise RuntimeError(f"init_process_group: CuPy has no NCCL binding here ({e})") from None
    if not getattr(nccl, "available", True):    # CuPy without NCCL: the import still works
        raise RuntimeError("init_process_group: CuPy has no NCCL binding here "
                           "(cupy.cuda.nccl.available is False: install NCCL, e.g. "
                           "pip install nvidia-nccl-cu12)")
    comm = None
    try:
        from mpi4py import MPI
        comm = MPI.COMM_WORLD
    except ImportError:
        pass
    mpi_size = comm.Get_size() if comm is not None else 1
    size = mpi_size if world_size == -1 else world_size
    if size != mpi_size:
        raise ValueError(f"init_process_group: world_size={world_size} but the MPI launcher "
                         f"started {mpi_size} processes (the nccl backend meets over MPI)")
    me = comm.Get_rank() if comm is not None else 0
    if rank not in (-1, me):
        raise ValueError(f"init_process_group: rank={rank} but MPI says this process is rank "
                         f"{me}")
    local = _local_rank(comm, device_id)
    cp.cuda.Device(local).use()
    uid = nccl.get_unique_id() if me == 0 else None
    if size > 1:
        uid = comm.bcast(uid, root=0)
    return NCCLBackend(cp, nccl, nccl.NcclCommunicator(size, uid, me), me, size, local, comm)


def _local_rank(comm, device_id):
    if device_id is not None:
        return int(getattr(device_id, "index", device_id) or 0)
    if os.environ.get("LOCAL_RANK"):
        return int(os.environ["LOCAL_RANK"])
    if comm is None:
        return 0
    from mpi4py import MPI
    node = comm.Split_type(MPI.COMM_TYPE_SHARED)
    try:
        return node.Get_rank()
    finally:
        node.Free()


class NCCLBackend:
    trivial = False
    device_aware = True
    needs_device = True         # CPU tensors raise (collectives.py)

    def __init__(self, cp, nccl, comm, rank, size, device, mpi_comm):
        self.cp, self.nccl, self.comm = cp, nccl, comm
        self.rank, self.size, self.device, self.mpi = rank, size, device, mpi_comm
        self._ops = {ReduceOp.SUM: nccl.NCCL_SUM, ReduceOp.AVG: nccl.NCCL_SUM,
                     ReduceOp.PRODUCT: nccl.NCCL_PROD, ReduceOp.MIN: nccl.NCCL_MIN,
                     ReduceOp.MAX: nccl.NCCL_MAX}
        names = {"float16": "NCCL_FLOAT16", "float32": "NCCL_FLOAT32",
                 "float64": "NCCL_FLOAT64", "int8": "NCCL_INT8", "uint8": "NCCL_UINT8",
                 "int32": "NCCL_INT32", "uint32": "NCCL_UINT32", "int64": "NCCL_INT64",
                 "uint64": "NCCL_UINT64", "bool": "NCCL_UINT8"}
        self._types = {k: getattr(nccl, v) for k, v in names.items() if hasattr(nccl, v)}

    def _type(self, a, what):
        t = self._types.get(a.dtype.name)
        if t is None:
            raise TypeError(f"{what}: the nccl backend has no type for {a.dtype}")
        return t

    def _op(self, op, a, what):
        if op not in self._ops:
            raise TypeError(f"{what}: the nccl backend does not support {op}")
        if a.dtype.kind == "b":     # bool travels as uint8: a SUM of two Trues would be 2
            op = {ReduceOp.SUM: ReduceOp.MAX, ReduceOp.PRODUCT: ReduceOp.MIN}.get(op, op)
        return self._ops[op]        # (an or and an and, as torch's NCCL backend maps them)

    def _enqueue(self, what, fn):
        """Run fn(stream pointer) on the current stream; return an event-based test()."""
        stream = self.cp.cuda.get_current_stream()
        try:
            fn(stream.ptr)
        except self.nccl.NcclError as e:
            raise DistBackendError(f"{what}: NCCL error: {e}") from None
        event = self.cp.cuda.Event(disable_timing=True)
        event.record(stream)

        def test():
            if event.done:
                return True
            try:                # a failed communicator raises now, not at the timeout
                self.comm.check_async_error()
            except self.nccl.NcclError as e:
                raise DistBackendError(f"{what}: NCCL error: {e}") from None
            return False
        return test

    def allreduce(self, buf, op):
        dt, o = self._type(buf, "all_reduce"), self._op(op, buf, "all_reduce")
        return self._enqueue("all_reduce", lambda s: self.comm.allReduce(
            buf.data.ptr, buf.data.ptr, buf.size, dt, o, s))

    def reduce(self, buf, op, root):
        dt, o = self._type(buf, "reduce"), self._op(op, buf, "reduce")
        return self._enqueue("reduce", lambda s: self.comm.reduce(
            buf.data.ptr, buf.data.ptr, buf.size, dt, o, root, s))

    def broadcast(self, buf, root):
        b = _bytes(buf)
        return self._enqueue("broadcast", lambda s: self.comm.broadcast(
            b.data.ptr, b.data.ptr, b.size, self.nccl.NCCL_UINT8, root, s))

    def allgather(self, out, inp):
        i, o = _bytes(inp), _bytes(out)
        return self._enqueue("all_gather", lambda s: self.comm.allGather(
            i.data.ptr, o.data.ptr, i.size, self.nccl.NCCL_UINT8, s))

    def reduce_scatter(self, out, inp, op):
        dt, o = self._type(inp, "reduce_scatter"), self._op(op, inp, "reduce_scatter")
        return self._enqueue("reduce_scatter", lambda s: self.comm.reduceScatter(
            inp.data.ptr, out.data.ptr, out.size, dt, o, s))

    def _grouped(self, what, calls):
        def run(s):
            self.nccl.groupStart()
            try:
                for c in calls:
                    c(s)
            finally:
                self.nccl.groupEnd()
        return self._enqueue(what, run)

    def gather(self, inp, out, root):
        i, u8 = _bytes(inp), self.nccl.NCCL_UINT8
        if self.rank != root:
            return self._grouped("gather", [lambda s: self.comm.send(i.data.ptr, i.size, u8,
                                                                     root, s)])
        o = _bytes(out).reshape(self.size, -1)
        o[root] = i
        return self._grouped("gather", [
            (lambda s, r=r: self.comm.recv(o[r].data.ptr, i.size, u8, r, s))
            for r in range(self.size) if r != root])

    def scatter(self, inp, out, root):
        o, u8 = _bytes(out), self.nccl.NCCL_UINT8
        if self.rank != root:
            return self._grouped("scatter", [lambda s: self.comm.recv(o.data.ptr, o.size, u8,
                                                                      root, s)])
        i = _bytes(inp).reshape(self.size, -1)
        o[...] = i[root]
        return self._grouped("scatter", [
            (lambda s, r=r: self.comm.send(i[r].data.ptr, o.size, u8, r, s))
            for r in range(self.size) if r != root])

    def send(self, buf, dst, tag):
        b = _bytes(buf)
        return self._grouped("send", [lambda s: self.comm.send(
            b.data.ptr, b.size, self.nccl.NCCL_UINT8, dst, s)])

    def recv(self, buf, src, tag):
        if src is None:
            raise ValueError("recv: the nccl backend needs src (NCCL cannot receive from any "
                             "rank)")
        b = _bytes(buf)
        test = self._grouped("recv", [lambda s: self.comm.recv(
            b.data.ptr, b.size, self.nccl.NCCL_UINT8, src, s)])
        return test, (lambda: src)

    def barrier(self):
        one = self.cp.zeros(1, self.cp.float32)
        return self.allreduce(one, ReduceOp.SUM)

    def abort(self, code):
        try:
            self.comm.abort()
        finally:
            if self.mpi is not None and self.size > 1:
                self.mpi.Abort(code)
            raise SystemExit(code)

    def close(self):
        self.comm.destroy()


def _bytes(a):
    return a.reshape(-1).view("uint8")
