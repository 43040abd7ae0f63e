"""Optimizer: parameter groups, per-parameter state, zero_grad and state_dict (torch's)."""
from __future__ import annotations

import copy

from .. import backend, storage
from ..accumulate_grad import zero_grad_in_place
from ..autograd import enable_grad, unwrap
from ..tensor import Tensor


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class: subclasses implement step(). `params` is an iterable of Tensors, of
    (name, Tensor) pairs, or of dicts (parameter groups with per-group options)."""

    def __init__(self, params, defaults: dict):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {type(params).__name__}")
        self.defaults = defaults
        self.state: dict = {}
        self.param_groups: list[dict] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group: dict):
        """Add a group of parameters with its own options (torch's add_param_group)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if params and isinstance(params[0], tuple):      # named parameters
            group["param_names"] = [n for n, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params "
                                f"is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params) or len({id(p) for p in params}) != len(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True):
        """Clear every parameter's .grad (None by default, else zeros)."""
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        zero_grad_in_place(p)

    def _closure(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def step(self, closure=None):
        raise NotImplementedError

    # ---- state_dict: state keyed by each parameter's position over all groups ------------
    def state_dict(self) -> dict:
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}."""
        index, groups, start = {}, [], 0
        for g in self.param_groups:
            ids = list(range(start, start + len(g["params"])))
            index.update({id(p): i for p, i in zip(g["params"], ids)})
            packed = {k: v for k, v in g.items() if k != "params"}
            packed["params"] = ids
            groups.append(packed)
            start += len(ids)
        state = {index[id(p)]: {k: (Tensor._make(v.data.copy()) if isinstance(v, Tensor) else
                                    copy.deepcopy(v)) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict):
        """Restore state and group options saved by state_dict() (torch's checks)."""
        saved = state_dict["param_groups"]
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
        self.state = {}
        for key, st in state_dict["state"].items():
            p = by_index.get(int(key))
            if p is None:
                continue
            self.state[p] = {k: self._cast_state(p, k, v) for k, v in st.items()}
        for g, s in zip(self.param_groups, saved):
            g.update({k: copy.deepcopy(v) for k, v in s.items() if k != "params"})

    @staticmethod
    def _cast_state(p, key, value):
        """State tensors move to the parameter's device; float ones take its dtype (inside
        lists and tuples too, such as LBFGS's history, as torch's _cast does)."""
        if isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast_state(p, key, v) for v in value)
        if isinstance(value, Tensor) or hasattr(value, "shape"):
            array = unwrap(value)
            if hasattr(array, "detach"):                 # a torch tensor
                array = array.detach().cpu().numpy()
            array = backend.to_device(array, p.device)
            if key != "step" and array.dtype.kind == "f":
                array = array.astype(p.dtype)
            return Tensor._make(array.copy())
        return copy.deepcopy(value)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        return "\n".join(lines) + "\n)"


def _set(p, array):
    """Write the updated array into parameter p's own memory, as torch's p.add_ does: its
    aliases see the update and its version counter moves (in place when the buffer allows)."""
    if getattr(p.data.flags, "writeable", True) and p.data.shape == array.shape:
        p.data[...] = array
        storage.bump(p.data)
    else:
        p.data = array.astype(p.dtype)
