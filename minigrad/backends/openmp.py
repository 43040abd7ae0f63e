"""torch.backends.openmp: minigrad's CPU threads are NumPy's BLAS threads, not OpenMP's."""


def is_available() -> bool:
    return False
