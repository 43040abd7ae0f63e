"""Module state-dict hooks (register_state_dict_pre/post_hook,
register_load_state_dict_pre/post_hook) against torch: call order, arguments, edits made by
the hooks, the incompatible keys, and the errors for hooks that return values."""
import pytest
import torch

import minigrad as mg


def _pair():
    return (mg.nn.Sequential(mg.nn.Linear(2, 2), mg.nn.Sequential(mg.nn.Linear(2, 1))),
            torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sequential(torch.nn.Linear(2, 1))))


def _record(m, log):
    """Register one hook of each kind on every submodule; each logs what it was called with."""
    for name, sub in m.named_modules():
        sub.register_state_dict_pre_hook(
            lambda mod, prefix, keep, name=name: log.append(("pre", name, prefix, keep)))
        sub.register_state_dict_post_hook(
            lambda mod, sd, prefix, md, name=name: log.append(("post", name, prefix,
                                                                list(sd), md)))
        sub.register_load_state_dict_pre_hook(
            lambda mod, sd, prefix, md, strict, missing, unexpected, errors, name=name:
            log.append(("lpre", name, prefix, strict, list(missing), list(unexpected))))
        sub.register_load_state_dict_post_hook(
            lambda mod, keys, name=name: log.append(("lpost", name, list(keys.missing_keys),
                                                     list(keys.unexpected_keys))))


def test_hook_calls_and_arguments_match_torch():
    (m, t), logs = _pair(), ([], [])
    _record(m, logs[0])
    _record(t, logs[1])
    sm, st = m.state_dict(keep_vars=True), t.state_dict(keep_vars=True)
    assert list(sm) == list(st)
    st = {k: v.detach() for k, v in st.items()}
    st["extra"], st["1.0.foo"], st["2.x"] = torch.ones(1), torch.ones(1), torch.ones(1)
    del st["1.0.bias"]
    rm, rt = m.load_state_dict(st, strict=False), t.load_state_dict(st, strict=False)
    assert rm.missing_keys == rt.missing_keys and rm.unexpected_keys == rt.unexpected_keys
    assert logs[0] == logs[1]


def test_hooks_may_edit_and_rename():
    def rename(mod, sd, prefix, md):              # save under an old name ...
        sd[prefix + "w_old"] = sd.pop(prefix + "weight")

    def back(mod, sd, prefix, md, strict, missing, unexpected, errors):  # ... load it back
        if prefix + "w_old" in sd:
            sd[prefix + "weight"] = sd.pop(prefix + "w_old")

    def forgive(mod, keys):
        keys.missing_keys.clear()

    for lib in (mg, torch):
        m = lib.nn.Linear(3, 2)
        m.register_state_dict_post_hook(rename)
        m.register_load_state_dict_pre_hook(back)
        sd = dict(m.state_dict())
        assert sorted(sd) == ["bias", "w_old"]
        fresh = lib.nn.Linear(3, 2)
        fresh.register_load_state_dict_pre_hook(back)
        fresh.load_state_dict(sd)
        assert (fresh.weight.detach().numpy() == m.weight.detach().numpy()).all()
        strictless = lib.nn.Linear(3, 2)
        strictless.register_load_state_dict_post_hook(forgive)
        keys = strictless.load_state_dict({"weight": sd["w_old"]})   # bias missing: forgiven
        assert keys.missing_keys == [] and keys.unexpected_keys == []


def test_removed_hooks_and_errors():
    for lib in (mg, torch):
        m = lib.nn.Linear(2, 2)
        calls = []
        h = m.register_state_dict_pre_hook(lambda *a: calls.append(1))
        m.state_dict()
        h.remove()
        m.state_dict()
        assert calls == [1]
        h = m.register_state_dict_post_hook(lambda *a: 5)
        with pytest.raises(RuntimeError, match="must return None"):
            m.state_dict()
        h.remove()
        m.register_load_state_dict_post_hook(lambda *a: 5)
        with pytest.raises(AssertionError):
            m.load_state_dict(m.state_dict())
        bad = lib.nn.Linear(2, 2)
        bad.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.append("x"))
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "x"'):
            bad.load_state_dict(bad.state_dict())
