"""minigrad.backends: torch.backends' switches, so scripts that set them run unchanged.
minigrad uses none of these libraries (cuDNN, MKL-DNN, MPS): the flags are kept and read
back as torch's are, and change nothing. Float32 products are always computed in float32,
whatever allow_tf32 says (torch may use TF32 there; see settings.set_float32_matmul_precision)."""
from . import cuda, cudnn, mkldnn, mps, openmp  # noqa: F401
