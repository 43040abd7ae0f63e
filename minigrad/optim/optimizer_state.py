"""Optimizer.state_dict / load_state_dict in torch's format, and their hooks.

    {'state': {index: {'step': t, 'exp_avg': ..., ...}},
     'param_groups': [{'lr': ..., ..., 'params': [index, ...]}]}

Parameters are numbered by position over all groups. As in torch, state_dict() holds
references to the live state (copy.deepcopy it for a snapshot), and load_state_dict() casts
each floating state tensor but 'step' to its parameter's dtype and device, so a torch
optimizer's state_dict (converted tensor by tensor, or as torch tensors) resumes here.
"""
from __future__ import annotations

import copy
from collections import OrderedDict

from .. import backend
from ..autograd import unwrap
from ..hooks import RemovableHandle
from ..tensor import Tensor


def _register(table: OrderedDict, hook, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(table)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


class OptimizerStateDict:
    """Mixin of Optimizer: state_dict, load_state_dict and their four hook registries."""

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """hook(optimizer) runs before state_dict() (torch's register_state_dict_pre_hook)."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """hook(optimizer, state_dict) -> None or a replacement, after state_dict()."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook,
                                          prepend: bool = False) -> RemovableHandle:
        """hook(optimizer, state_dict) -> None or a replacement, before loading."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook,
                                           prepend: bool = False) -> RemovableHandle:
        """hook(optimizer) runs after load_state_dict() (torch's)."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def state_dict(self) -> dict:
        """{'state': {index: state}, 'param_groups': [group options + 'params': indices]};
        matches torch.optim.Optimizer.state_dict (references, not copies)."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index, groups, start = {}, [], 0
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            index.update({id(p): i for i, p in enumerate(g["params"], start)
                          if id(p) not in index})
            packed["params"] = [index[id(p)] for p in g["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        sd = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, sd)
            if result is not None:
                sd = result
        return sd

    def load_state_dict(self, state_dict: dict):
        """Restore state and group options saved by state_dict() (ours or torch's, with
        torch's checks and casts); matches torch.optim.Optimizer.load_state_dict."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        saved = copy.deepcopy(state_dict["param_groups"])
        if len(saved) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved)} vs {len(self.param_groups)})")
        for g, s in zip(self.param_groups, saved):
            if len(g["params"]) != len(s["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't "
                                 f"match the size of optimizer's group ({len(s['params'])} vs "
                                 f"{len(g['params'])})")
        by_index = {}
        for g, s in zip(self.param_groups, saved):
            by_index.update(zip(s["params"], g["params"]))
        state = {}
        for key, st in state_dict["state"].items():
            p = by_index.get(key)
            if p is None:
                state[key] = st                          # torch keeps unknown entries as is
            else:
                state[p] = {k: _cast_state(p, k, v) for k, v in st.items()}
        groups = []
        for g, s in zip(self.param_groups, saved):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            groups.append(s)
        self.state, self.param_groups = state, groups
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def _cast_state(p, key, value):
    """torch's _cast: tensors move to p's device and, but for 'step', take p's dtype when p
    is floating (the same Tensor when nothing changes); lists, tuples and dicts are walked
    (LBFGS's history); a torch tensor becomes a minigrad one."""
    if isinstance(value, dict):
        return {k: _cast_state(p, k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(p, key, v) for v in value)
    if not (isinstance(value, Tensor) or hasattr(value, "shape")):
        return value
    array = unwrap(value)
    is_torch = hasattr(array, "detach")
    if is_torch:
        array = array.detach().cpu().numpy().copy()
    if key == "step":
        return value if not is_torch else Tensor._make(array)
    moved = backend.to_device(array, p.device)
    if array.dtype.kind == "f" and p.data.dtype.kind == "f":
        moved = moved.astype(p.data.dtype, copy=False)
    if isinstance(value, Tensor) and moved is array:
        return value
    return Tensor._make(moved)
