"""torch.cuda's device, seeding and memory functions, on CuPy. Without a GPU they behave as
torch's CPU-only build does: seeding and cache functions do nothing, the memory counters
read 0, and the functions that need a device raise AssertionError (torch's type) saying so.
Memory counts are CuPy's default pool's: allocated = its used bytes, reserved = its total."""
from __future__ import annotations

import secrets

from .. import backend


def _cupy(who=None):
    cp = backend.cupy_module()
    if cp is None and who is not None:
        raise AssertionError(f"minigrad.cuda.{who}: CUDA is not available (minigrad needs CuPy "
                             "and a GPU)")
    return cp


def _index(device, who):
    if device is None:
        return _cupy(who).cuda.runtime.getDevice()
    if isinstance(device, int):
        return device
    dev = backend.Device(str(device) if not isinstance(device, backend.Device) else device)
    if dev.type != "cuda":
        raise ValueError(f"minigrad.cuda.{who}: Expected a cuda device, but got: {device}")
    return dev.index or 0


def manual_seed(seed: int) -> None:
    """Seed CUDA's generator (not the CPU's); nothing without a GPU (torch.cuda.manual_seed).
    minigrad has one CUDA generator, so this is also manual_seed_all."""
    seed = backend.check_seed(seed)
    cp = _cupy()
    if cp is not None:
        cp.random.seed(seed % (2 ** 63))


manual_seed_all = manual_seed


def seed() -> None:
    """Seed CUDA's generator from the OS's randomness (torch.cuda.seed); seed_all the same."""
    manual_seed(secrets.randbits(63))


seed_all = seed


def is_initialized() -> bool:
    return _cupy() is not None


def init() -> None:
    _cupy("init")


def current_device() -> int:
    return _cupy("current_device").cuda.runtime.getDevice()


def set_device(device) -> None:
    _cupy("set_device").cuda.Device(_index(device, "set_device")).use()


def get_device_properties(device=None, _who="get_device_properties"):
    """CuPy's properties dict of the device, with torch's attribute names for the common ones
    (name, total_memory, major, minor, multi_processor_count)."""
    cp = _cupy(_who)
    return _Properties(cp.cuda.runtime.getDeviceProperties(_index(device, _who)))


class _Properties:
    def __init__(self, p):
        name = p["name"]
        self.name = name.decode() if isinstance(name, bytes) else name
        self.total_memory = int(p["totalGlobalMem"])
        self.major, self.minor = int(p["major"]), int(p["minor"])
        self.multi_processor_count = int(p["multiProcessorCount"])

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f"minor={self.minor}, total_memory={self.total_memory // 2 ** 20}MB, "
                f"multi_processor_count={self.multi_processor_count})")


def get_device_name(device=None) -> str:
    return get_device_properties(device, "get_device_name").name


def get_device_capability(device=None) -> tuple:
    p = get_device_properties(device, "get_device_capability")
    return p.major, p.minor


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: minigrad (NumPy and CuPy) has no bfloat16 dtype."""
    return False


def mem_get_info(device=None) -> tuple:
    """(free, total) bytes on the device (cudaMemGetInfo)."""
    cp = _cupy("mem_get_info")
    with cp.cuda.Device(_index(device, "mem_get_info")):
        return tuple(cp.cuda.runtime.memGetInfo())


def empty_cache() -> None:
    """Free the unused blocks of CuPy's memory pools; nothing without a GPU."""
    cp = _cupy()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()
        cp.get_default_pinned_memory_pool().free_all_blocks()


def memory_allocated(device=None) -> int:
    """Bytes in tensors (CuPy's pool's used bytes); 0 without a GPU."""
    cp = _cupy()
    return 0 if cp is None else int(cp.get_default_memory_pool().used_bytes())


def memory_reserved(device=None) -> int:
    """Bytes held by the allocator (CuPy's pool's total bytes); 0 without a GPU."""
    cp = _cupy()
    return 0 if cp is None else int(cp.get_default_memory_pool().total_bytes())
