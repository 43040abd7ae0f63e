"""The pruning methods of torch.nn.utils.prune. Each mask zeroes entries (unstructured) or
whole slices along `dim` (structured) of the default mask:

    Identity            nothing
    RandomUnstructured  `amount` entries drawn uniformly
    L1Unstructured      the `amount` entries of smallest |t| (torch.topk's choice among ties)
    RandomStructured    `amount` slices drawn uniformly
    LnStructured        the slices of smallest n-norm, keeping torch.topk's choice
    CustomFromMask      the zeros of a given mask
amount: an int (how many) or a float in [0, 1] (round(amount * size)).
"""
from __future__ import annotations

import numpy as np

from ... import creation
from .prune_base import (BasePruningMethod, _compute_nparams_toprune, _compute_norm,
                         _validate_pruning_amount, _validate_pruning_amount_init,
                         _validate_pruning_dim, _validate_structured_pruning)
from .prune_select import topk_indices


def _topk(values, k, largest):
    """torch.topk(values, k, largest).indices as a set, on a 1-D tensor (prune_select.py)."""
    host = np.ascontiguousarray(values.detach().cpu().numpy())
    return creation.tensor(topk_indices(host, k, largest), device=values.device)


class Identity(BasePruningMethod):
    """Prunes nothing: the mask stays all ones (matches torch.nn.utils.prune.Identity)."""
    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        return default_mask

    @classmethod
    def apply(cls, module, name):
        return super().apply(module, name)


def _zero_top(amount, t, default_mask, scores, largest):
    """default_mask with the entries of the amount largest (or smallest) scores() zeroed:
    torch's unstructured compute_mask (scores are drawn only when something is pruned)."""
    tensor_size = t.nelement()
    nparams_toprune = _compute_nparams_toprune(amount, tensor_size)
    _validate_pruning_amount(nparams_toprune, tensor_size)
    mask = default_mask.clone()
    if nparams_toprune != 0:
        mask.view(-1)[_topk(scores(), nparams_toprune, largest)] = 0
    return mask


class RandomUnstructured(BasePruningMethod):
    """Zero `amount` entries chosen at random (matches
    torch.nn.utils.prune.RandomUnstructured; the draws differ from torch's)."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        return _zero_top(self.amount, t, default_mask,
                         lambda: creation.rand_like(t).view(-1), largest=True)

    @classmethod
    def apply(cls, module, name, amount):
        return super().apply(module, name, amount=amount)


class L1Unstructured(BasePruningMethod):
    """Zero the `amount` entries of smallest absolute value (matches
    torch.nn.utils.prune.L1Unstructured, ties broken as torch.topk on CPU)."""
    PRUNING_TYPE = "unstructured"

    def __init__(self, amount) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount

    def compute_mask(self, t, default_mask):
        return _zero_top(self.amount, t, default_mask, lambda: t.abs().reshape(-1),
                         largest=False)

    @classmethod
    def apply(cls, module, name, amount, importance_scores=None):
        return super().apply(module, name, amount=amount, importance_scores=importance_scores)


class RandomStructured(BasePruningMethod):
    """Zero `amount` random slices along dim (matches torch.nn.utils.prune.RandomStructured;
    the draws differ from torch's)."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.dim = dim

    def compute_mask(self, t, default_mask):
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        _validate_pruning_amount(nparams_toprune, tensor_size)
        if nparams_toprune == 0:
            return default_mask
        # keep the slices whose draw is above the nparams_toprune-th smallest
        prob = creation.rand(tensor_size)
        threshold = prob.kthvalue(nparams_toprune).values
        mask = creation.zeros_like(t)
        slc = [slice(None)] * len(t.shape)
        slc[self.dim] = (prob > threshold).to(t.device)
        mask[tuple(slc)] = 1
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, dim=-1):
        return super().apply(module, name, amount=amount, dim=dim)


class LnStructured(BasePruningMethod):
    """Zero the `amount` slices along dim of smallest n-norm (matches
    torch.nn.utils.prune.LnStructured, keeping the slices torch.topk keeps)."""
    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1) -> None:
        _validate_pruning_amount_init(amount)
        self.amount = amount
        self.n = n
        self.dim = dim

    def compute_mask(self, t, default_mask):
        _validate_structured_pruning(t)
        _validate_pruning_dim(t, self.dim)
        tensor_size = t.shape[self.dim]
        nparams_toprune = _compute_nparams_toprune(self.amount, tensor_size)
        nparams_tokeep = tensor_size - nparams_toprune
        _validate_pruning_amount(nparams_toprune, tensor_size)
        norm = _compute_norm(t, self.n, self.dim)
        keep = _topk(norm, nparams_tokeep, True)
        if nparams_toprune == 0:
            return default_mask
        mask = creation.zeros_like(t)
        slc = [slice(None)] * len(t.shape)
        slc[self.dim] = keep
        mask[tuple(slc)] = 1
        mask *= default_mask.to(dtype=mask.dtype)
        return mask

    @classmethod
    def apply(cls, module, name, amount, n, dim, importance_scores=None):
        return super().apply(module, name, amount=amount, n=n, dim=dim,
                             importance_scores=importance_scores)


class CustomFromMask(BasePruningMethod):
    """Zero the entries where the given mask is 0 (matches
    torch.nn.utils.prune.CustomFromMask)."""
    PRUNING_TYPE = "global"

    def __init__(self, mask) -> None:
        self.mask = mask

    def compute_mask(self, t, default_mask):
        if tuple(default_mask.shape) != tuple(self.mask.shape):
            raise AssertionError(f"default_mask shape {tuple(default_mask.shape)} must match "
                                 f"self.mask shape {tuple(self.mask.shape)}")
        return default_mask * self.mask.to(dtype=default_mask.dtype)

    @classmethod
    def apply(cls, module, name, mask):
        return super().apply(module, name, mask=mask)
