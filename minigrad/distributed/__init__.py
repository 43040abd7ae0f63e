"""minigrad.distributed: torch.distributed's data-parallel API over MPI (CPU) and NCCL (GPU).

    import minigrad.distributed as dist
    dist.init_process_group("mpi")           # launched with: mpiexec -n 4 python train.py
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    model = mg.nn.parallel.DistributedDataParallel(model)

group.py holds the process group and init_process_group, collectives.py the collectives,
work.py the async handle and its timeout, mpi_backend.py and nccl_backend.py the transports.
docs/distributed.md is the user's guide.
"""
from .collectives import (all_gather, all_gather_into_tensor, all_reduce, barrier, broadcast,
                          gather, irecv, isend, recv, reduce, reduce_scatter_tensor, scatter,
                          send)
from .group import (DistBackendError, DistError, GroupMember, ProcessGroup, ReduceOp,
                    default_pg_timeout, destroy_process_group, get_backend, get_rank,
                    get_world_size, init_process_group, is_available, is_initialized,
                    is_mpi_available, is_nccl_available)
from .work import Work

__all__ = ["DistBackendError", "DistError", "GroupMember", "ProcessGroup", "ReduceOp", "Work",
           "all_gather", "all_gather_into_tensor", "all_reduce", "barrier", "broadcast",
           "default_pg_timeout", "destroy_process_group", "gather", "get_backend", "get_rank",
           "get_world_size", "init_process_group", "irecv", "is_available", "is_initialized",
           "is_mpi_available", "is_nccl_available", "isend", "recv", "reduce",
           "reduce_scatter_tensor", "scatter", "send"]
