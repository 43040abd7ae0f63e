"""State-dict hooks (torch's Module.register_state_dict_pre_hook / _post_hook and
register_load_state_dict_pre_hook / _post_hook), mixed into nn.Module.

    register_state_dict_pre_hook(hook)        hook(module, prefix, keep_vars), before the
                                              module's entries are collected
    register_state_dict_post_hook(hook)       hook(module, state_dict, prefix, local_metadata),
                                              after them (may edit state_dict in place)
    register_load_state_dict_pre_hook(hook)   hook(module, state_dict, prefix, local_metadata,
                                              strict, missing_keys, unexpected_keys,
                                              error_msgs), before the module loads its entries
    register_load_state_dict_post_hook(hook)  hook(module, incompatible_keys), after the module
                                              and its children loaded (may edit the key lists)

A module keeps them in one dict made on first registration, so a module without state-dict
hooks pays one dictionary lookup per state_dict()/load_state_dict().
"""
from __future__ import annotations

from collections import OrderedDict

from .module_hooks import _Handle

_KINDS = ("state_dict_pre", "state_dict_post", "load_pre", "load_post")


def hooks_of(module, kind):
    """The module's hooks of one kind (an empty tuple when it has none)."""
    table = module.__dict__.get("_state_hooks")
    return () if table is None else tuple(table[kind].values())


def metadata(module):
    """The local_metadata torch passes to state-dict hooks: the module class's version."""
    return {"version": getattr(type(module), "_version", 1)}


class StateDictHookMethods:
    def _add_state_hook(self, kind, hook, who):
        if not callable(hook):
            raise TypeError(f"{who}(): hook must be callable, not {type(hook).__name__}")
        table = self.__dict__.get("_state_hooks")
        if table is None:
            table = {k: OrderedDict() for k in _KINDS}
            object.__setattr__(self, "_state_hooks", table)
        key = object()
        table[kind][key] = hook
        return _Handle(table[kind], key)

    def register_state_dict_pre_hook(self, hook):
        return self._add_state_hook("state_dict_pre", hook, "register_state_dict_pre_hook")

    def register_state_dict_post_hook(self, hook):
        return self._add_state_hook("state_dict_post", hook, "register_state_dict_post_hook")

    def register_load_state_dict_pre_hook(self, hook):
        return self._add_state_hook("load_pre", hook, "register_load_state_dict_pre_hook")

    def register_load_state_dict_post_hook(self, hook):
        return self._add_state_hook("load_post", hook, "register_load_state_dict_post_hook")
