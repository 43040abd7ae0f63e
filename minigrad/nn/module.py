"""Module: the base of every layer (parameters, buffers, submodules, train/eval, state_dict)."""
from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from .. import backend
from ..accumulate_grad import zero_grad_in_place
from ..autograd import no_grad
from ..ops import memory_format as mf
from ..tensor import Tensor
from .module_hooks import HookMethods
from .module_state_hooks import StateDictHookMethods, hooks_of, metadata
from .parameter import _DATA, LAZY_SHAPE_MSG, Buffer, Parameter, is_lazy

_IncompatibleKeys = namedtuple("_IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _addindent(text, spaces):
    lines = text.split("\n")
    return lines[0] if len(lines) == 1 else \
        "\n".join([lines[0]] + [" " * spaces + line for line in lines[1:]])


def _as_array(value, key):
    """A checkpoint value (minigrad/torch tensor, NumPy array, number) as a host/device array."""
    if isinstance(value, Tensor):
        return value.data
    if hasattr(value, "detach") and hasattr(value, "cpu"):     # a torch tensor
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray) or backend.is_cuda_array(value):
        return value
    if isinstance(value, (int, float, bool, np.generic)):
        return np.asarray(value)
    raise TypeError(f"load_state_dict: value for '{key}' must be a tensor or an array, got "
                    f"{type(value).__name__}")


class Module(HookMethods, StateDictHookMethods, backend.MovesWithTo):
    """Base class with torch.nn.Module's registration rules: assigning a Parameter, a Module or
    (through register_buffer) a Tensor to an attribute registers it under that name."""

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    # ---- registration -----------------------------------------------------------------
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: call super().__init__() before "
                                 "assigning attributes")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            buffers.pop(name, None), modules.pop(name, None)
            self.__dict__.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None), buffers.pop(name, None)
            self.__dict__.pop(name, None)
            modules[name] = value
        elif name in params or name in modules:
            if value is not None:
                kind = "parameter" if name in params else "module"
                raise TypeError(f"cannot assign {type(value).__name__} as {kind} '{name}' "
                                "(a Parameter, a Module or None is expected)")
            (params if name in params else modules)[name] = None
        elif isinstance(value, Buffer):     # nn.Buffer: registered, with its persistence
            self.register_buffer(name, value, value.persistent)
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name):
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def _check_name(self, name, what):
        if not isinstance(name, str):
            raise TypeError(f"{what} name should be a string, got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f"{what} name can't contain \".\" or be empty, got {name!r}")
        if hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Register `param` (a Parameter or None) as `name` (torch's register_parameter)."""
        if name not in self._parameters:
            self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: '{name}' must be a Parameter or None, got "
                            f"{type(param).__name__}")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register a Tensor (or None) that is state but not a parameter; persistent buffers
        are part of state_dict (torch's register_buffer)."""
        if name not in self._buffers:
            self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: '{name}' must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.add_module: {name!r} is a "
                            f"{type(module).__name__}, not a Module subclass")
        if name not in self._modules:
            self._check_name(name, "module")
        self._modules[name] = module

    register_module = add_module

    # ---- traversal --------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(memo, prefix + ("." if prefix else "") + name,
                                           remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(name, parameter) pairs; a parameter (or a submodule) reachable under several
        names comes once, unless remove_duplicate=False (torch's)."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def _named_members(self, table, prefix, recurse, remove_duplicate):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for mp, m in mods:
            for name, t in getattr(m, table).items():
                if t is not None and not (remove_duplicate and id(t) in seen):
                    seen.add(id(t))
                    yield mp + ("." if mp else "") + name, t

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str):
        mod = self
        for part in target.split(".") if target else []:
            if part not in mod._modules or mod._modules[part] is None:
                raise AttributeError(f"{type(mod).__name__} has no submodule '{part}' "
                                     f"(looking up '{target}')")
            mod = mod._modules[part]
        return mod

    def get_parameter(self, target: str):
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter '{name}'")
        return mod._parameters[name]

    def apply(self, fn):
        """Call fn on every submodule (children first) and then on self; returns self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---- modes ------------------------------------------------------------------------
    def train(self, mode=True):
        if not isinstance(mode, bool):
            # torch raises ValueError here, not TypeError
            raise ValueError(  # noqa: TRY004
                f"train: training mode is expected to be boolean, got {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    zero_grad_in_place(p)

    # ---- devices and dtypes -----------------------------------------------------------
    def _apply(self, fn):
        """Replace the array of every parameter, gradient and buffer by fn(array), in place:
        Parameter objects keep their identity, so optimizers built earlier stay valid."""
        with no_grad():
            for m in self.modules():
                for p in m._parameters.values():
                    if p is not None:
                        p.data = fn(_DATA.__get__(p))     # the slot: lazy ones hide .data
                        if p.grad is not None:
                            p.grad = Tensor._make(fn(p.grad.data))
                for b in m._buffers.values():
                    if b is not None:
                        b.data = fn(_DATA.__get__(b))
        return self

    def to(self, *args, device=None, dtype=None, non_blocking=False, memory_format=None):
        """Move and/or cast parameters and buffers in place: to(device), to(dtype),
        to(device, dtype), to(tensor), to(memory_format=): only floating point tensors change
        dtype, and only 4-D and 5-D ones change memory format (as torch)."""
        device, dtype = self._to_args(args, device, dtype)
        fmt = mf.check("to", memory_format, allow_none=True)
        dev = backend.Device(device) if device is not None else None
        dt = backend.to_dtype(dtype)
        if dt is not None and dt.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, got {dt}")

        def move(a):
            if dev is not None:
                a = backend.to_device(a, dev)
            if dt is not None and a.dtype.kind == "f" and a.dtype != dt:
                a = a.astype(dt)
            if fmt is not mf.preserve_format and a.ndim in (4, 5):
                mf.check_rank(fmt, a.ndim)
                if mf.suggest(a) is not fmt:
                    a = mf.copy_as(a, mf.format_strides(a.shape, fmt))
            return a
        return self._apply(move)

    # ---- state_dict -------------------------------------------------------------------
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """Parameters and persistent buffers by dotted name (torch's order: each module's own
        parameters, then its buffers, then its children). Values are detached unless
        keep_vars=True; they share memory with the module."""
        out = OrderedDict() if destination is None else destination
        for hook in hooks_of(self, "state_dict_pre"):
            hook(self, prefix, keep_vars)
        for name, p in self._parameters.items():
            if p is not None:
                out[prefix + name] = p if keep_vars or is_lazy(p) else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                out[prefix + name] = b if keep_vars or is_lazy(b) else b.detach()
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(out, prefix + name + ".", keep_vars)
        for hook in hooks_of(self, "state_dict_post"):
            if hook(self, out, prefix, metadata(self)) is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return out

    def _own_state(self):
        """(name, tensor) of this module's own state_dict entries (not its children's)."""
        own = [(n, p) for n, p in self._parameters.items() if p is not None]
        return own + [(n, b) for n, b in self._buffers.items()
                      if b is not None and n not in self._non_persistent]

    def _load_from_state_dict(self, state_dict, prefix, missing, errors):
        """Copy this module's own entries from state_dict (BatchNorm overrides to fill in
        num_batches_tracked for old checkpoints, as torch does)."""
        for name, t in self._own_state():
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            if is_lazy(t) and is_lazy(state_dict[key]):
                continue        # torch: copying an uninitialized one into another is a no-op
            if is_lazy(state_dict[key]):
                raise RuntimeError(LAZY_SHAPE_MSG)
            array = _as_array(state_dict[key], key)
            if tuple(array.shape) != tuple(t.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{tuple(array.shape)} from checkpoint, the shape in current "
                              f"model is {tuple(t.shape)}.")
                continue
            src = backend.to_device(array, t.device)
            if getattr(t.data.flags, "writeable", True):
                with no_grad():         # in place, as torch's param.copy_: aliases see it
                    t.copy_(Tensor._make(src))
            else:
                t.data = src.astype(t.dtype, copy=True)

    def load_state_dict(self, state_dict, strict=True):
        """Copy parameters and buffers from state_dict (values: minigrad tensors, NumPy arrays
        or torch tensors), keeping each tensor's dtype and device. Shape mismatches always
        raise; missing/unexpected keys raise when strict (torch's RuntimeError text).
        Returns (missing_keys, unexpected_keys)."""
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"load_state_dict: expected a dict, got {type(state_dict).__name__}")
        state_dict = OrderedDict(state_dict)    # hooks may edit it; the caller's dict stays
        missing, unexpected, errors = [], [], []
        incompatible = _IncompatibleKeys(missing, unexpected)

        def load(module, prefix):       # torch's order: a module, then its children, per module
            for hook in hooks_of(module, "load_pre"):
                hook(module, state_dict, prefix, metadata(module), True, missing, unexpected,
                     errors)
            module._load_from_state_dict(state_dict, prefix, missing, errors)
            own = {name for name, _ in module._own_state()}
            for key in state_dict:      # a key under this prefix that names nothing here
                if key.startswith(prefix):
                    first = key[len(prefix):].split(".", 1)[0]
                    if first not in module._modules and first not in own:
                        unexpected.append(key)
            for name, child in module._modules.items():
                if child is not None:
                    load(child, prefix + name + ".")
            for hook in hooks_of(module, "load_post"):
                if hook(module, incompatible) is not None:
                    raise AssertionError("Hooks registered with "
                                         "``register_load_state_dict_post_hook`` are not "
                                         "expected to return new values, if incompatible_keys "
                                         "need to be modified, it should be done inplace.")

        load(self, "")
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in missing) + ". ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        return incompatible

    # ---- printing ---------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(m), 2)
                       for name, m in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))
