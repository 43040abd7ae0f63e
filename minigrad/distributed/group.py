"""The process group: who this process is (rank), how many there are (world size), and the
backend that moves bytes between them (torch.distributed's init_process_group and friends).

One default group per process, as in torch. Its backend is one of:

    "mpi"    mpi4py over the MPI library installed from PyPI (`pip install -e
             ".[distributed]"`); launched with `mpiexec -n N python script.py`. NumPy arrays
             go straight to MPI; CuPy arrays through CUDA-aware MPI or staged through host
             memory (mpi_backend.py).
    "nccl"   NCCL through CuPy, one GPU per process (nccl_backend.py).

A script run alone (no launcher, world size 1) gets a group of one, where every collective
is a copy at most: the same training script runs on one process or on many.

A rank that raises must not leave the others waiting forever: with more than one process,
init_process_group installs a sys.excepthook that prints the error with its rank and aborts
the whole MPI job (MPI_Abort), so mpiexec exits non-zero. A collective that has not
completed after `timeout` raises DistBackendError on the ranks that wait for it.
"""
from __future__ import annotations

import datetime
import enum
import os
import sys
import traceback

default_pg_timeout = datetime.timedelta(minutes=30)     # torch's default for every backend


class DistError(RuntimeError):
    """Base of the errors the distributed package raises (torch.distributed.DistError)."""


class DistBackendError(DistError):
    """A collective failed or exceeded its timeout (torch.distributed.DistBackendError)."""


class ReduceOp(enum.Enum):
    """How all_reduce/reduce/reduce_scatter combine the ranks' values (torch's ReduceOp)."""
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.value}>"

    def __str__(self):
        return f"RedOpType.{self.name}"


class ProcessGroup:
    """The default group: `rank`, `size` and the backend object (see mpi_backend.py)."""

    def __init__(self, backend_name, impl, timeout):
        self.backend_name, self.impl, self.timeout = backend_name, impl, timeout

    def rank(self) -> int:
        return self.impl.rank

    def size(self) -> int:
        return self.impl.size

    def __repr__(self):
        return f"<ProcessGroup {self.backend_name} rank {self.rank()} of {self.size()}>"


class _World:
    group = None            # the default ProcessGroup, or None before init_process_group
    old_excepthook = None


_world = _World()


class _GroupMember:
    WORLD = None            # torch.distributed.GroupMember.WORLD: the default group


GroupMember = _GroupMember


def _not_initialized(fn):
    return ValueError("Default process group has not been initialized, please make sure to "
                      f"call init_process_group. ({fn})")


def default_group(fn: str, group=None) -> ProcessGroup:
    """The group a collective runs on: `group` must be None or the default group."""
    g = _world.group
    if g is None:
        raise _not_initialized(fn)
    if group is not None and group is not g:
        raise ValueError(f"{fn}: only the default process group is supported, got {group!r}")
    return g


def _seconds(timeout, fn) -> float:
    if timeout is None:
        return default_pg_timeout.total_seconds()
    if isinstance(timeout, datetime.timedelta):
        return timeout.total_seconds()
    raise TypeError(f"{fn}: timeout must be a datetime.timedelta, got {type(timeout).__name__}")


def _env_int(name):
    value = os.environ.get(name)
    return None if value in (None, "") else int(value)


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: datetime.timedelta | None = None, world_size: int = -1,
                       rank: int = -1, store=None, group_name: str = "", pg_options=None,
                       device_id=None) -> None:
    """Join the default process group (torch.distributed.init_process_group).

    backend: "mpi" (default) or "nccl". Rank and world size come from the MPI launcher
    (mpiexec); when given they must agree with it. Run without a launcher, the group has
    one process. timeout (a timedelta, default 30 minutes) bounds every collective.
    """
    if _world.group is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if backend is None:
        backend = "mpi"
    if not isinstance(backend, str) or backend.lower() not in ("mpi", "nccl"):
        raise ValueError(f"init_process_group: backend must be 'mpi' or 'nccl', got {backend!r}"
                         " (gloo, ucc and custom backends are not available in minigrad)")
    backend = backend.lower()
    if store is not None:
        raise ValueError("init_process_group: store is not supported (ranks meet through MPI "
                         "or CuPy's TCP store)")
    seconds = _seconds(timeout, "init_process_group")
    for name, v in (("world_size", world_size), ("rank", rank)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError(f"init_process_group: {name} must be an int, got {v!r}")
    if init_method is not None and init_method.startswith("env://"):
        world_size = _env_int("WORLD_SIZE") if world_size == -1 else world_size
        rank = _env_int("RANK") if rank == -1 else rank
        world_size = -1 if world_size is None else world_size
        rank = -1 if rank is None else rank
    if backend == "mpi":
        from . import mpi_backend
        impl = mpi_backend.make(world_size, rank, seconds)
    else:
        from . import nccl_backend
        impl = nccl_backend.make(world_size, rank, seconds, init_method, device_id)
    _world.group = GroupMember.WORLD = ProcessGroup(backend, impl, seconds)
    if impl.size > 1:
        _install_excepthook(impl)


def _install_excepthook(impl):
    """Make an uncaught exception on any rank end the whole job (no rank waits forever)."""
    _world.old_excepthook = sys.excepthook

    def hook(kind, value, tb):
        sys.stderr.write(f"[rank {impl.rank}] " + "".join(
            traceback.format_exception(kind, value, tb)))
        sys.stderr.flush()
        impl.abort(1)
    sys.excepthook = hook


def destroy_process_group(group=None) -> None:
    """Leave the default group (torch.distributed.destroy_process_group)."""
    g = default_group("destroy_process_group", group)
    g.impl.close()
    if _world.old_excepthook is not None:
        sys.excepthook, _world.old_excepthook = _world.old_excepthook, None
    _world.group = GroupMember.WORLD = None


def is_initialized() -> bool:
    return _world.group is not None


def is_available() -> bool:
    """True: the package is always importable (backends are checked at init)."""
    return True


def is_mpi_available() -> bool:
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def is_nccl_available() -> bool:
    try:
        from cupy.cuda import nccl
    except Exception:       # CuPy missing
        return False
    return bool(getattr(nccl, "available", True))   # (CuPy without NCCL still imports it)


def get_rank(group=None) -> int:
    return default_group("get_rank", group).rank()


def get_world_size(group=None) -> int:
    return default_group("get_world_size", group).size()


def get_backend(group=None) -> str:
    return default_group("get_backend", group).backend_name
