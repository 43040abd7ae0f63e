"""torch.nn.utils.prune: zero parts of a module's tensor through a mask. Pruning
module.<name> moves the parameter to <name>_orig, adds the buffer <name>_mask, and registers
the pruning method as a forward pre-hook that sets module.<name> = <name>_mask * <name>_orig
(a plain attribute). Pruning again combines the masks in a PruningContainer; remove() makes
the pruning permanent. The classes are in prune_base.py and prune_methods.py.
"""
from __future__ import annotations

from collections.abc import Iterable

from .prune_base import BasePruningMethod, PruningContainer
from .prune_methods import (CustomFromMask, Identity, L1Unstructured, LnStructured,
                            RandomStructured, RandomUnstructured)

__all__ = ["BasePruningMethod", "PruningContainer", "Identity", "RandomUnstructured",
           "L1Unstructured", "RandomStructured", "LnStructured", "CustomFromMask", "identity",
           "random_unstructured", "l1_unstructured", "random_structured", "ln_structured",
           "global_unstructured", "custom_from_mask", "remove", "is_pruned"]


def identity(module, name):
    """Prune nothing, but reparametrize as <name>_orig and an all-ones <name>_mask (matches
    torch.nn.utils.prune.identity). Returns the module."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune `amount` random entries of module.<name> (matches
    torch.nn.utils.prune.random_unstructured). Returns the module."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the `amount` entries of module.<name> of smallest |importance_scores| (default:
    the tensor) (matches torch.nn.utils.prune.l1_unstructured). Returns the module."""
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    """Prune `amount` random slices along dim (matches
    torch.nn.utils.prune.random_structured). Returns the module."""
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the `amount` slices along dim of smallest n-norm of importance_scores (matches
    torch.nn.utils.prune.ln_structured). Returns the module."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs) -> None:
    """Prune the (module, name) pairs together: pruning_method (an unstructured class, e.g.
    L1Unstructured, with its kwargs) picks entries among all of them at once; each tensor
    then gets its part as a custom mask (matches torch.nn.utils.prune.global_unstructured)."""
    from ... import creation
    from .convert_parameters import parameters_to_vector
    if not isinstance(parameters, Iterable):
        raise TypeError("global_unstructured(): parameters is not an Iterable")
    importance_scores = importance_scores if importance_scores is not None else {}
    if not isinstance(importance_scores, dict):
        raise TypeError("global_unstructured(): importance_scores must be of type dict")
    relevant_importance_scores = parameters_to_vector(
        [importance_scores.get((module, name), getattr(module, name))
         for (module, name) in parameters])
    default_mask = parameters_to_vector(
        [getattr(module, name + "_mask", creation.ones_like(getattr(module, name)))
         for (module, name) in parameters])
    container = PruningContainer()
    container._tensor_name = "temp"
    method = pruning_method(**kwargs)
    method._tensor_name = "temp"
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError('Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. '
                        f"Found method {pruning_method} of type {method.PRUNING_TYPE}")
    container.add_pruning_method(method)
    final_mask = container.compute_mask(relevant_importance_scores, default_mask)
    pointer = 0
    for module, name in parameters:
        param = getattr(module, name)
        num_param = param.numel()
        param_mask = final_mask[pointer:pointer + num_param].view_as(param)
        custom_from_mask(module, name, mask=param_mask)
        pointer += num_param


def custom_from_mask(module, name, mask):
    """Prune module.<name> where `mask` is 0 (matches torch.nn.utils.prune.custom_from_mask).
    Returns the module."""
    CustomFromMask.apply(module, name, mask)
    return module


def remove(module, name):
    """Make the pruning of module.<name> permanent: it becomes a Parameter holding the masked
    values, without <name>_orig, <name>_mask or the hook (matches
    torch.nn.utils.prune.remove). ValueError when it is not pruned."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning "
                     f"can be removed")


def is_pruned(module) -> bool:
    """Whether module or any submodule has a pruning hook (matches
    torch.nn.utils.prune.is_pruned)."""
    for _, submodule in module.named_modules():
        for hook in submodule._forward_pre_hooks.values():
            if isinstance(hook, BasePruningMethod):
                return True
    return False
