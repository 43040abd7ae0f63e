"""torch.backends.cuda's switches: matmul's TF32 and reduced-precision flags (kept and read
back as torch's; minigrad computes float32 products in float32 in any case) and the
scaled-dot-product-attention backend flags (minigrad has one implementation, the math one)."""
from __future__ import annotations

from .. import settings


class _MatmulFlags:
    """torch.backends.cuda.matmul: allow_tf32 is float32_matmul_precision != "highest"."""
    _names = ("allow_tf32", "allow_fp16_reduced_precision_reduction",
              "allow_bf16_reduced_precision_reduction", "allow_fp16_accumulation")

    def __init__(self):
        object.__setattr__(self, "_flags", {"allow_fp16_reduced_precision_reduction": True,
                                            "allow_bf16_reduced_precision_reduction": True,
                                            "allow_fp16_accumulation": False})

    def __getattr__(self, name):
        if name == "allow_tf32":
            return settings.get_float32_matmul_precision() != "highest"
        if name in self._flags:
            return self._flags[name]
        raise AttributeError(f"Unknown attribute {name}")

    def __setattr__(self, name, value):
        if name == "allow_tf32":
            settings.set_float32_matmul_precision("high" if value else "highest")
        elif name in self._flags:
            self._flags[name] = bool(value)
        else:
            raise AttributeError(f"Unknown attribute {name}")


matmul = _MatmulFlags()
_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def is_built() -> bool:
    """Whether minigrad can run on CUDA here (CuPy and a GPU)."""
    from .. import cuda
    return cuda.is_available()


def flash_sdp_enabled() -> bool: return _sdp["flash"]
def mem_efficient_sdp_enabled() -> bool: return _sdp["mem_efficient"]
def math_sdp_enabled() -> bool: return _sdp["math"]
def cudnn_sdp_enabled() -> bool: return _sdp["cudnn"]
def enable_flash_sdp(enabled: bool) -> None: _sdp["flash"] = bool(enabled)
def enable_mem_efficient_sdp(enabled: bool) -> None: _sdp["mem_efficient"] = bool(enabled)
def enable_math_sdp(enabled: bool) -> None: _sdp["math"] = bool(enabled)
def enable_cudnn_sdp(enabled: bool) -> None: _sdp["cudnn"] = bool(enabled)
