"""A stand-in for `cupy.cuda.nccl` (CuPy's NCCL binding, cupy_backends/cuda/libs/nccl.pyx)
over MPI, on fake_cupy's device memory: the NCCL backend's calls run unmodified on CPUs.

The interface is CuPy's: the constants of nccl.pxd (NCCL_SUM = 0 ... NCCL_AVG = 4,
NCCL_INT8 = 0 ... NCCL_BFLOAT16 = 9), get_unique_id() -> a tuple of 128 signed chars,
NcclCommunicator(ndev, commId: tuple, rank), and its methods with raw pointers, `count` in
elements of `datatype` and a stream pointer last:

    allReduce(sendbuf, recvbuf, count, datatype, op, stream)
    reduce(sendbuf, recvbuf, count, datatype, op, root, stream)
    broadcast(sendbuff, recvbuff, count, datatype, root, stream); bcast(buff, count, ...)
    reduceScatter(sendbuf, recvbuf, recvcount, datatype, op, stream)
    allGather(sendbuf, recvbuf, count, datatype, stream)     # count: per rank
    send(sendbuf, count, datatype, peer, stream); recv(recvbuf, count, datatype, peer, stream)
    groupStart(); groupEnd(); destroy(); abort(); rank_id(); size(); device_id()

Arguments are converted as the Cython signatures convert them (intptr_t/size_t/int: an
integer or TypeError, a negative size_t OverflowError). NcclError (status 4, invalid
argument; 5, invalid usage) for what NCCL refuses: an unknown datatype or op, a root or peer
outside the communicator, a pointer that is not device memory of the communicator's device
(here also: a range running past the allocation, so a count in bytes instead of elements
shows), a destroyed communicator, groupEnd without groupStart, two ranks on one device.
Where real NCCL would hang or read garbage, the emulator raises instead: ranks calling
different collectives or counts/types/ops/roots that differ (every collective first compares
a header across ranks), a recv whose size differs from the send, and operations that can
never complete (an ungrouped send/recv is blocking for the GPU, as NCCL documents: a ring of
ungrouped sends deadlocks; waits end after FAKE_NCCL_TIMEOUT_S, default 30 s).

Work is asynchronous and stream-ordered, as on a GPU: a call (or a group, at groupEnd)
joins its stream's queue and returns; the queue advances (nonblocking MPI) whenever a CuPy
event recorded on the stream is polled (`event.done`), and a device operation on any
fake_cupy array first waits for the queue, as a kernel after it on the stream would. So a
collective whose peers never come leaves its event not done (the caller's timeout applies),
and memory is read when the operation runs, not when it is enqueued.
Reductions combine the ranks' values in rank order in the datatype (float16 sums in float16).
"""
from __future__ import annotations

import ctypes
import operator
import os
import socket
import time

import numpy as np

from . import fake_cupy

available = True
NCCL_SUM, NCCL_PROD, NCCL_MAX, NCCL_MIN, NCCL_AVG = 0, 1, 2, 3, 4
NCCL_INT8 = NCCL_CHAR = 0
NCCL_UINT8 = 1
NCCL_INT32 = NCCL_INT = 2
NCCL_UINT32 = 3
NCCL_INT64 = 4
NCCL_UINT64 = 5
NCCL_FLOAT16 = NCCL_HALF = 6
NCCL_FLOAT32 = NCCL_FLOAT = 7
NCCL_FLOAT64 = NCCL_DOUBLE = 8
NCCL_BFLOAT16 = 9
_DTYPES = {0: np.int8, 1: np.uint8, 2: np.int32, 3: np.uint32, 4: np.int64, 5: np.uint64,
           6: np.float16, 7: np.float32, 8: np.float64, 9: None}     # bfloat16: bytes only
_ITEMSIZE = {k: (2 if v is None else np.dtype(v).itemsize) for k, v in _DTYPES.items()}
_REDUCE = {NCCL_SUM: np.add, NCCL_PROD: np.multiply, NCCL_MAX: np.maximum,
           NCCL_MIN: np.minimum}
_ERRORS = {0: "NCCL_ERROR_SUCCESS", 1: "NCCL_ERROR_UNHANDLED_CUDA_ERROR",
           2: "NCCL_ERROR_SYSTEM_ERROR", 3: "NCCL_ERROR_INTERNAL_ERROR",
           4: "NCCL_ERROR_INVALID_ARGUMENT", 5: "NCCL_ERROR_INVALID_USAGE"}
INVALID_ARGUMENT, INVALID_USAGE = 4, 5
UNIQUE_ID_BYTES = 128
TIMEOUT_S = float(os.environ.get("FAKE_NCCL_TIMEOUT_S", "30"))

calls: list = []            # (method name, args) of every call, for tests to inspect


class NcclError(RuntimeError):
    def __init__(self, status, detail=""):
        self.status = status
        super().__init__(f"{_ERRORS.get(status, status)}: {detail}")

    def __reduce__(self):
        return (type(self), (self.status,))


def get_version():
    return 22304                # what a recent NCCL (2.23.4) reports


def get_build_version():
    return 22304


def get_unique_id():
    """128 signed chars, as CuPy returns ncclUniqueId.internal."""
    return tuple(int(b) - 256 if b > 127 else int(b) for b in os.urandom(UNIQUE_ID_BYTES))


# ---- groups -----------------------------------------------------------------------------------
class _Group:
    depth = 0
    pending: list = []          # (stream, (communicator, op)) enqueued inside the open group


def groupStart():
    calls.append(("groupStart", ()))
    _Group.depth += 1


def groupEnd():
    calls.append(("groupEnd", ()))
    if _Group.depth == 0:
        raise NcclError(INVALID_USAGE, "groupEnd without a matching groupStart")
    _Group.depth -= 1
    if _Group.depth == 0 and _Group.pending:
        ops, _Group.pending = _Group.pending, []
        _submit(ops[0][0], [op for _, op in ops])


# ---- argument conversion, as Cython's typed parameters do ---------------------------------
def _int(x, what, unsigned=False):
    try:
        v = operator.index(x)
    except TypeError:
        raise TypeError(f"an integer is required for {what}, got {type(x).__name__}") from None
    if unsigned and v < 0:
        raise OverflowError(f"can't convert negative value to size_t ({what}={v})")
    return v


def _memory(ptr, nbytes):
    """A uint8 NumPy view of nbytes at address ptr."""
    if nbytes == 0:
        return np.empty(0, np.uint8)
    return np.ctypeslib.as_array((ctypes.c_uint8 * nbytes).from_address(ptr))


class NcclCommunicator:
    """One rank's communicator; ranks meet over MPI.COMM_WORLD when ndev > 1."""

    def __init__(self, ndev, commId, rank):
        ndev, rank = _int(ndev, "ndev"), _int(rank, "rank")
        if not isinstance(commId, tuple):
            raise TypeError(f"Argument 'commId' has incorrect type (expected tuple, got "
                            f"{type(commId).__name__})")
        assert len(commId) == UNIQUE_ID_BYTES
        calls.append(("NcclCommunicator", (ndev, rank)))
        if ndev < 1 or not 0 <= rank < ndev:
            raise NcclError(INVALID_ARGUMENT, f"rank {rank} of {ndev}")
        self._rank, self._size, self._device = rank, ndev, fake_cupy._state.device
        self._alive = True
        self._coll = self._p2p = None
        if ndev > 1:
            from mpi4py import MPI
            world = MPI.COMM_WORLD
            me = (commId, ndev, rank, socket.gethostname(), self._device)
            everyone = world.allgather(me)
            if any(e[:2] != me[:2] for e in everyone) or len(everyone) != ndev or \
                    sorted(e[2] for e in everyone) != list(range(ndev)):
                raise NcclError(INVALID_USAGE, "ranks disagree on the unique id, the count or "
                                f"the ranks: {[e[1:3] for e in everyone]}")
            places = [e[3:] for e in everyone]
            if len(set(places)) != len(places):
                raise NcclError(INVALID_USAGE, f"Duplicate GPU detected: ranks on one host "
                                f"use the same device ({places})")
            self._coll = world.Split(0, rank)
            self._p2p = self._coll.Dup()
            self._MPI = MPI

    # -- the communicator itself ------------------------------------------------------------
    def destroy(self):
        calls.append(("destroy", ()))
        if self._alive:
            self._alive = False
            for c in (self._coll, self._p2p):
                if c is not None:
                    c.Free()

    def abort(self):
        calls.append(("abort", ()))
        self._alive = False         # MPI is ended by the caller (MPI_Abort), not here

    def _check_alive(self):
        if not self._alive:
            raise NcclError(INVALID_ARGUMENT, "the communicator was destroyed or aborted")

    @property
    def comm(self):
        return id(self) if self._alive else 0

    def rank_id(self):
        self._check_alive()
        return self._rank

    def size(self):
        self._check_alive()
        return self._size

    def device_id(self):
        self._check_alive()
        return self._device

    # -- argument checks --------------------------------------------------------------------
    def _dtype(self, datatype):
        datatype = _int(datatype, "datatype")
        if datatype not in _DTYPES:
            raise NcclError(INVALID_ARGUMENT, f"invalid datatype {datatype}")
        return datatype

    def _redop(self, op):
        op = _int(op, "op")
        if op not in (NCCL_SUM, NCCL_PROD, NCCL_MAX, NCCL_MIN, NCCL_AVG):
            raise NcclError(INVALID_ARGUMENT, f"invalid reduction operation {op}")
        return op

    def _rank_arg(self, r, what):
        r = _int(r, what)
        if not 0 <= r < self._size:
            raise NcclError(INVALID_ARGUMENT, f"{what} {r} outside 0..{self._size - 1}")
        return r

    def _buffer(self, ptr, count, datatype, what):
        """The device memory of `count` elements of `datatype` at `ptr`, as uint8."""
        nbytes = count * _ITEMSIZE[datatype]
        if nbytes and ptr == 0:
            raise NcclError(INVALID_ARGUMENT, f"{what} is a null pointer")
        dev = fake_cupy.allocation_device(ptr, nbytes) if nbytes else self._device
        if dev is None:
            raise NcclError(INVALID_ARGUMENT, f"{what} ({hex(ptr)}, {nbytes} bytes) is not "
                            "inside one device allocation (a host pointer, freed memory, or a "
                            "count past the buffer's end: count is in elements of datatype)")
        if dev != self._device:
            raise NcclError(INVALID_ARGUMENT, f"{what} is on device {dev}, the communicator "
                            f"on device {self._device}")
        return _memory(ptr, nbytes)

    def _enqueue(self, name, args, op):
        calls.append((name, args))
        if _Group.depth:
            _Group.pending.append((self._stream, (self, op)))
        else:
            _submit(self._stream, [(self, op)])

    def _common(self, stream, count):
        self._check_alive()
        self._stream = _int(stream, "stream")
        return _int(count, "count", unsigned=True)

    # -- the collectives --------------------------------------------------------------------
    def allReduce(self, sendbuf, recvbuf, count, datatype, op, stream):
        count = self._common(stream, count)
        dt, op = self._dtype(datatype), self._redop(op)
        send = self._buffer(_int(sendbuf, "sendbuf"), count, dt, "sendbuf")
        recv = self._buffer(_int(recvbuf, "recvbuf"), count, dt, "recvbuf")
        self._enqueue("allReduce", (count, dt, op), _Coll(
            ("allReduce", count, dt, op), send, lambda parts: recv.__setitem__(
                Ellipsis, _reduce(parts, dt, op, self._size))))

    def reduce(self, sendbuf, recvbuf, count, datatype, op, root, stream):
        count = self._common(stream, count)
        dt, op = self._dtype(datatype), self._redop(op)
        root = self._rank_arg(root, "root")
        send = self._buffer(_int(sendbuf, "sendbuf"), count, dt, "sendbuf")
        recv = self._buffer(_int(recvbuf, "recvbuf"), count, dt, "recvbuf") \
            if self._rank == root else None

        def land(parts):
            if recv is not None:
                recv[...] = _reduce(parts, dt, op, self._size)
        self._enqueue("reduce", (count, dt, op, root), _Coll(("reduce", count, dt, op, root),
                                                             send, land))

    def broadcast(self, sendbuff, recvbuff, count, datatype, root, stream):
        count = self._common(stream, count)
        dt, root = self._dtype(datatype), self._rank_arg(root, "root")
        send = self._buffer(_int(sendbuff, "sendbuff"), count, dt, "sendbuff") \
            if self._rank == root else np.zeros(count * _ITEMSIZE[dt], np.uint8)  # unread
        recv = self._buffer(_int(recvbuff, "recvbuff"), count, dt, "recvbuff")
        self._enqueue("broadcast", (count, dt, root), _Coll(
            ("broadcast", count, dt, root), send,
            lambda parts: recv.__setitem__(Ellipsis, parts[root])))

    def bcast(self, buff, count, datatype, root, stream):
        self.broadcast(buff, buff, count, datatype, root, stream)

    def reduceScatter(self, sendbuf, recvbuf, recvcount, datatype, op, stream):
        count = self._common(stream, recvcount)
        dt, op = self._dtype(datatype), self._redop(op)
        send = self._buffer(_int(sendbuf, "sendbuf"), count * self._size, dt, "sendbuf")
        recv = self._buffer(_int(recvbuf, "recvbuf"), count, dt, "recvbuf")
        nb, r = count * _ITEMSIZE[dt], self._rank
        self._enqueue("reduceScatter", (count, dt, op), _Coll(
            ("reduceScatter", count, dt, op), send, lambda parts: recv.__setitem__(
                Ellipsis, _reduce([p[r * nb:(r + 1) * nb] for p in parts], dt, op,
                                  self._size))))

    def allGather(self, sendbuf, recvbuf, count, datatype, stream):
        count = self._common(stream, count)
        dt = self._dtype(datatype)
        send = self._buffer(_int(sendbuf, "sendbuf"), count, dt, "sendbuf")
        recv = self._buffer(_int(recvbuf, "recvbuf"), count * self._size, dt, "recvbuf")
        self._enqueue("allGather", (count, dt), _Coll(
            ("allGather", count, dt), send,
            lambda parts: recv.__setitem__(Ellipsis, np.concatenate(parts))))

    def send(self, sendbuf, count, datatype, peer, stream):
        count = self._common(stream, count)
        dt, peer = self._dtype(datatype), self._rank_arg(peer, "peer")
        buf = self._buffer(_int(sendbuf, "sendbuf"), count, dt, "sendbuf")
        self._enqueue("send", (count, dt, peer), _P2P("send", buf, peer))

    def recv(self, recvbuf, count, datatype, peer, stream):
        count = self._common(stream, count)
        dt, peer = self._dtype(datatype), self._rank_arg(peer, "peer")
        buf = self._buffer(_int(recvbuf, "recvbuf"), count, dt, "recvbuf")
        self._enqueue("recv", (count, dt, peer), _P2P("recv", buf, peer))

    def check_async_error(self):
        self._check_alive()


class _Coll:
    """A collective: `header` must agree on every rank; every rank's `send` bytes are
    gathered (parts, in rank order) and `land(parts)` writes this rank's result."""

    def __init__(self, header, send, land):
        self.header, self.send, self.land = header, send, land


class _P2P:
    def __init__(self, kind, buf, peer):
        self.kind, self.buf, self.peer = kind, buf, peer


def _reduce(parts, dt, op, n):
    typ = _DTYPES[dt]
    if typ is None:
        raise NotImplementedError("fake_nccl: bfloat16 reductions are not emulated")
    vals = [p.view(typ) for p in parts]
    if op == NCCL_AVG:
        total = vals[0].copy()
        for v in vals[1:]:
            total = np.add(total, v, dtype=typ)
        out = (total / typ(n)).astype(typ) if np.dtype(typ).kind == "f" else total // typ(n)
    else:
        out = vals[0].copy()
        for v in vals[1:]:
            out = _REDUCE[op](out, v, dtype=typ)
    return np.ascontiguousarray(out).view(np.uint8)


class _Task:
    """One ungrouped call or one group, in its stream's queue. start() posts its MPI work
    (all point-to-point transfers; the first collective's header), test() advances it without
    blocking: collectives one after another (header compared across ranks, then the data
    gathered and this rank's result written), and says whether everything completed."""

    def __init__(self, ops):
        self.ops = ops
        self.colls = [(c, op) for c, op in ops if isinstance(op, _Coll)]
        self.p2p, self.req, self.phase = [], None, 0

    def start(self):
        to_self = []
        for comm, op in self.ops:
            if isinstance(op, _P2P):
                if comm._size == 1:
                    to_self.append((comm, op))      # peer 0 is itself: paired below
                    continue
                req = comm._p2p.Issend(op.buf, op.peer, 0) if op.kind == "send" else \
                    comm._p2p.Irecv(op.buf, op.peer, 0)
                self.p2p.append((req, comm._MPI.Status(), op))
        _self_p2p(to_self)

    def test(self) -> bool:
        while self.colls:
            comm, op = self.colls[0]
            if comm._size == 1:
                op.land([op.send.copy()])
            elif self.req is None:          # post this collective's header
                mine = np.frombuffer(repr(op.header).encode()[:128].ljust(128), np.uint8)
                self.buf = np.empty((comm._size, 128), np.uint8)
                self.req, self.phase = comm._coll.Iallgather(mine, self.buf), 0
                continue
            elif not self.req.Test():
                return False
            elif self.phase == 0:           # headers in: compare, then post the data
                got = [bytes(h).decode().strip() for h in self.buf]
                if len(set(got)) != 1:
                    raise NcclError(INVALID_USAGE, "fake_nccl: ranks called mismatched "
                                    f"collectives (name, count, datatype, op/root by rank): "
                                    f"{got}")
                self.buf = np.empty(comm._size * op.send.size, np.uint8)
                self.sent = op.send.copy()  # read now: earlier work on the stream is done
                self.req, self.phase = comm._coll.Iallgather(self.sent, self.buf), 1
                continue
            else:
                op.land(list(self.buf.reshape(comm._size, -1)))
            self.colls.pop(0)
            self.req = None
        if self.p2p:
            from mpi4py import MPI
            statuses = [w[1] for w in self.p2p]
            if not MPI.Request.Testall([w[0] for w in self.p2p], statuses):
                return False
            for _, status, op in self.p2p:
                got = status.Get_count(MPI.BYTE)
                if op.kind == "recv" and got != op.buf.size:
                    raise NcclError(INVALID_USAGE, f"fake_nccl: recv of {op.buf.size} bytes "
                                    f"from rank {op.peer} got {got}")
            self.p2p = []
        return True


class _Stream:
    """A CUDA stream's NCCL work: tasks run in order, each once the previous completed."""

    def __init__(self):
        self.queue, self.submitted, self.completed = [], 0, 0

    def progress(self):
        while self.queue:
            task = self.queue[0]
            if not getattr(task, "started", False):
                task.started = True
                task.start()
            if not task.test():
                return
            self.queue.pop(0)
            self.completed += 1


_streams: dict = {}             # stream pointer -> _Stream


def _submit(stream, ops):
    st = _streams.setdefault(stream, _Stream())
    st.queue.append(_Task(ops))
    st.submitted += 1
    st.progress()


def mark(stream) -> tuple:
    """What an event recorded now on `stream` waits for."""
    st = _streams.setdefault(stream, _Stream())
    return st, st.submitted


def reached(marked) -> bool:
    st, n = marked
    st.progress()
    return st.completed >= n


def synchronize():
    """Wait for every stream's NCCL work (a kernel or a copy after it on the stream would):
    on a GPU a stream whose work never completes hangs; here NcclError after TIMEOUT_S."""
    deadline = time.monotonic() + TIMEOUT_S
    for st in list(_streams.values()):
        st.progress()
        while st.queue:
            if time.monotonic() > deadline:
                raise NcclError(INVALID_USAGE, f"fake_nccl: a stream waited {TIMEOUT_S:g} s for "
                                "NCCL work that cannot complete: on a GPU this hangs (ranks "
                                "called different operations, or ungrouped send/recv that "
                                "wait on each other)")
            time.sleep(0.0002)
            st.progress()


def pending() -> bool:
    return any(st.queue for st in _streams.values())


def _self_p2p(ops):
    sends = [op for _, op in ops if op.kind == "send"]
    recvs = [op for _, op in ops if op.kind == "recv"]
    if len(sends) != len(recvs):
        raise NcclError(INVALID_USAGE, "fake_nccl: a send to itself without its recv in the "
                        "same group (or the reverse): on a GPU this hangs")
    for s, r in zip(sends, recvs):
        if s.buf.size != r.buf.size:
            raise NcclError(INVALID_USAGE, "fake_nccl: send/recv sizes differ")
        r.buf[...] = s.buf
