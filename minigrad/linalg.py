"""mg.linalg: torch.linalg's norms (vector_norm, matrix_norm, norm); see ops/norms.py."""
from .ops.norms import matrix_norm, norm, vector_norm

__all__ = ["matrix_norm", "norm", "vector_norm"]
