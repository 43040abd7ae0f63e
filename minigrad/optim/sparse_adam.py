"""SparseAdam (torch.optim.SparseAdam): Adam masked to the entries a sparse gradient holds.

minigrad has no sparse tensors, so every gradient is dense, and torch's SparseAdam refuses
dense gradients: the constructor checks its arguments as torch's does, and step() raises
torch's error as soon as a parameter has a gradient.
"""
from __future__ import annotations

from ..autograd import no_grad
from ..tensor import Tensor
from .optimizer import Optimizer


class SparseAdam(Optimizer):
    """Adam for sparse gradients (matches torch.optim.SparseAdam's arguments and errors;
    with no sparse gradients in minigrad, step() raises for any gradient, as torch does
    for dense ones)."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "maximize": maximize})
        complex_params = [[i, j] for i, g in enumerate(self.param_groups)
                          for j, p in enumerate(g["params"]) if p.is_complex()]
        if complex_params:
            raise ValueError(f"Complex params at indices {complex_params}: SparseAdam does "
                             "not support complex parameters")

    @no_grad()
    def step(self, closure=None):
        loss = self._closure(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:                   # always dense in minigrad
                    raise RuntimeError("SparseAdam does not support dense gradients, please "
                                       "consider Adam instead")
        return loss
