"""The MPI backend: each collective is one nonblocking mpi4py call on contiguous buffers.

mpi4py passes NumPy arrays to MPI without copies. Reductions use MPI's typed operations
(MPI_SUM, MPI_PROD, ...); broadcast, gather and the like move raw bytes, so every dtype
works. ReduceOp.AVG is MPI_SUM followed by a division by the world size (MPI has no
average). Without mpi4py, a process run alone gets the single-process backend below.

CuPy arrays: MPI reads device memory only when the library is CUDA-aware (mpi4py's
MPI.Query_cuda_support(); the MPICH wheel from PyPI is not), so collectives.py stages them
through host memory unless `device_aware` is True.
"""
from __future__ import annotations

from .group import DistBackendError, ReduceOp


class SingleProcess:
    """World size 1 without MPI: every collective is already complete (the data is already
    where it goes); collectives.py does the copies."""
    rank, size, device_aware = 0, 1, True
    trivial = True          # collectives.py does the copies itself

    def abort(self, code):
        raise SystemExit(code)

    def close(self):
        pass


def make(world_size: int, rank: int, timeout_s: float):
    try:
        from mpi4py import MPI
    except ImportError:
        if world_size in (-1, 1) and rank in (-1, 0):
            return SingleProcess()
        raise RuntimeError("init_process_group: backend 'mpi' needs mpi4py and an MPI library "
                           "(pip install -e \".[distributed]\"), and a launcher: mpiexec -n "
                           f"{world_size} python script.py") from None
    backend = MPIBackend(MPI)
    if world_size not in (-1, backend.size):
        raise ValueError(f"init_process_group: world_size={world_size} but the MPI launcher "
                         f"started {backend.size} processes")
    if rank not in (-1, backend.rank):
        raise ValueError(f"init_process_group: rank={rank} but MPI says this process is rank "
                         f"{backend.rank}")
    return backend


class MPIBackend:
    trivial = False         # called even in a group of one: the same code path as with many

    def __init__(self, MPI):
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD.Dup()
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        query = getattr(MPI, "Query_cuda_support", None)
        self.device_aware = bool(query()) if query is not None else False
        self._ops = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
                     ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
                     ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}
        # MPI reduces C bools with its logical ops only: SUM and MAX are an or, PRODUCT and
        # MIN an and (what torch's NCCL backend does with bool)
        self._bool_ops = {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
                          ReduceOp.PRODUCT: MPI.LAND, ReduceOp.MIN: MPI.LAND,
                          ReduceOp.BAND: MPI.LAND, ReduceOp.BXOR: MPI.LXOR}

    def _op(self, op, buf):
        return (self._bool_ops if buf.dtype.kind == "b" else self._ops)[op]

    # Each method starts the operation and returns a test() callable: True once complete.
    def _start(self, what, call, *args):
        try:
            req = call(*args)
        except self.MPI.Exception as e:
            raise DistBackendError(f"{what}: MPI error: {e}") from None
        return req.Test

    def allreduce(self, buf, op):
        return self._start("all_reduce", self.comm.Iallreduce, self.MPI.IN_PLACE, buf,
                           self._op(op, buf))

    def reduce(self, buf, op, root):
        send = self.MPI.IN_PLACE if self.rank == root else buf
        return self._start("reduce", self.comm.Ireduce, send, buf if self.rank == root
                           else None, self._op(op, buf), root)

    def broadcast(self, buf, root):
        return self._start("broadcast", self.comm.Ibcast, _bytes(buf), root)

    def allgather(self, out, inp):
        return self._start("all_gather", self.comm.Iallgather, _bytes(inp), _bytes(out))

    def reduce_scatter(self, out, inp, op):
        return self._start("reduce_scatter", self.comm.Ireduce_scatter_block, inp, out,
                           self._op(op, inp))

    def gather(self, inp, out, root):
        return self._start("gather", self.comm.Igather, _bytes(inp),
                           _bytes(out) if out is not None else None, root)

    def scatter(self, inp, out, root):
        return self._start("scatter", self.comm.Iscatter,
                           _bytes(inp) if inp is not None else None, _bytes(out), root)

    def send(self, buf, dst, tag):
        return self._start("send", self.comm.Isend, _bytes(buf), dst, tag)

    def recv(self, buf, src, tag):
        """Returns (test, sender): sender() is the source rank once complete."""
        status = self.MPI.Status()
        source = self.MPI.ANY_SOURCE if src is None else src
        tag = self.MPI.ANY_TAG if tag is None else tag
        try:
            req = self.comm.Irecv(_bytes(buf), source, tag)
        except self.MPI.Exception as e:
            raise DistBackendError(f"recv: MPI error: {e}") from None
        return (lambda: req.Test(status)), status.Get_source

    def barrier(self):
        return self._start("barrier", self.comm.Ibarrier)

    def abort(self, code):
        self.comm.Abort(code)

    def close(self):
        self.comm.Free()


def _bytes(a):
    """The array's memory as bytes (contiguous arrays only): MPI moves any dtype this way."""
    return a.reshape(-1).view("uint8")
