"""torch.nn.utils.weight_norm (the hook-based form, deprecated in torch in favour of
parametrizations.weight_norm): module.<name> is replaced by the parameters <name>_g (the norm)
and <name>_v (the direction), and a WeightNorm forward pre-hook recomputes

    <name> = v * (g / ||v||)      (the 2-norm over every dim but `dim`; dim=None: all dims)

as a plain attribute before every forward call, as torch's.
"""
from __future__ import annotations

import warnings

from ..parameter import Parameter
from .parametrizations import _norm_except_dim

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


class WeightNorm:
    """The forward pre-hook of weight_norm: holds the tensor's name and dim (-1: all dims)."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))   # torch._weight_norm(v, g, dim)

    @staticmethod
    def apply(module, name: str, dim: int | None) -> WeightNorm:
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                      stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if name not in module._parameters:
            raise KeyError(name)
        _check_dim(weight, fn.dim)
        del module._parameters[name]
        module.register_parameter(name + "_g",
                                  Parameter(_norm_except_dim(weight, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def _check_dim(weight, dim):
    # torch.norm_except_dim transposes dim with 0 (dim -1 means every dim)
    if dim != -1 and not -max(weight.ndim, 1) <= dim < max(weight.ndim, 1):
        n = max(weight.ndim, 1)
        raise IndexError(f"weight_norm: Dimension out of range (expected to be in range of "
                         f"[{-n}, {n - 1}], but got {dim})")


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Replace module.<name> by <name>_g * <name>_v / ||<name>_v||, recomputed by a forward
    pre-hook (matches torch.nn.utils.weight_norm, FutureWarning included; dim=None: the norm
    over the whole tensor). Returns the module."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Undo weight_norm: <name> becomes one Parameter holding g * v / ||v|| again (matches
    torch.nn.utils.remove_weight_norm). ValueError when there is no such hook."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
