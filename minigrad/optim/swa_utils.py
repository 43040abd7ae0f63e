"""Stochastic weight averaging and EMA (torch.optim.swa_utils: same updates and errors).

    SWA:  avg = avg + (p - avg) / (n + 1)         (n = models averaged so far)
    EMA:  avg = decay * avg + (1 - decay) * p     (the multi-tensor forms use lerp)
    AveragedModel keeps a deep copy of a model and averages its parameters (and, with
    use_buffers, its buffers) into it; SWALR anneals each group's lr to swa_lr; update_bn
    recomputes BatchNorm statistics with one pass over a loader.
"""
from __future__ import annotations

import itertools
import math
import warnings
from copy import deepcopy

from .. import int64, tensor
from ..autograd import no_grad
from ..nn.module import Module
from ..nn.norm import _BatchNorm
from ..tensor import Tensor
from .lr_scheduler_base import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def _floating(t: Tensor) -> bool:
    return t.is_floating_point() or t.is_complex()


def get_ema_multi_avg_fn(decay=0.999):
    """fn(ema_list, current_list, n) updating ema in place: lerp(ema, p, 1 - decay) for
    floating tensors, else ema * decay + p * (1 - decay); matches torch's."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        if _floating(ema_param_list[0]):
            for e, p in zip(ema_param_list, current_param_list):
                e.lerp_(p, 1 - decay)
        else:
            for e, p in zip(ema_param_list, current_param_list, strict=True):
                e.copy_(e * decay + p * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """fn(avg_list, current_list, n) updating avg in place: lerp(avg, p, 1 / (n + 1)) for
    floating tensors (a Tensor n gives the weight in the default float dtype, as torch)."""
    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        if _floating(averaged_param_list[0]):
            w = 1 / (num_averaged + 1)
            w = float(w.item()) if isinstance(w, Tensor) else w
            for a, p in zip(averaged_param_list, current_param_list):
                a.lerp_(p, w)
        else:
            for a, p in zip(averaged_param_list, current_param_list):
                if isinstance(num_averaged, Tensor):
                    a.addcdiv_(p - a, num_averaged + 1)
                else:
                    a.add_(p - a, alpha=1.0 / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """fn(ema, p, n) -> decay * ema + (1 - decay) * p; matches torch's."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """fn(avg, p, n) -> avg + (p - avg) / (n + 1); matches torch's."""
    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A deep copy of `model` whose parameters average those passed to update_parameters
    (SWA by default, or avg_fn / multi_avg_fn); forward calls the copy. Matches
    torch.optim.swa_utils.AveragedModel."""

    def __init__(self, model: Module, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        n = tensor(0, dtype=int64)
        self.register_buffer("n_averaged", n if device is None else n.to(device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold `model`'s current parameters (and buffers, with use_buffers) into the
        average; the first call copies them."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        mine_d, theirs_d = [], []
        first = bool(self.n_averaged == 0)
        for p_avg, p_model in zip(mine, theirs):
            p_model_ = p_model.detach().to(p_avg.device)
            mine_d.append(p_avg.detach())
            theirs_d.append(p_model_)
            if first:
                p_avg.detach().copy_(p_model_)
        if self.n_averaged > 0:
            if self.multi_avg_fn is not None or self.avg_fn is None:
                for device, (avgs, cur) in _group_by_device_and_dtype(mine_d, theirs_d):
                    n = self.n_averaged.to(device)
                    if self.multi_avg_fn:
                        self.multi_avg_fn(avgs, cur, n)
                    elif device.type == "cuda":          # torch's foreach devices
                        get_swa_multi_avg_fn()(avgs, cur, n)
                    else:
                        fn = get_swa_avg_fn()
                        for a, p in zip(avgs, cur):
                            a.copy_(fn(a, p, n))
            else:
                for a, p in zip(mine_d, theirs_d):
                    a.detach().copy_(self.avg_fn(a.detach(), p, self.n_averaged.to(a.device)))
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_swa.detach().copy_(b_model.detach().to(b_swa.device))
        self.n_averaged += 1


def _group_by_device_and_dtype(avgs, cur):
    groups = {}
    for a, p in zip(avgs, cur):
        key = (str(a.device), str(a.dtype))
        groups.setdefault(key, (a.device, ([], [])))
        groups[key][1][0].append(a)
        groups[key][1][1].append(p)
    return list(groups.values())


@no_grad()
def update_bn(loader, model: Module, device=None) -> None:
    """Reset every BatchNorm's running statistics and recompute them as a cumulative
    average over one pass of `loader` (the first item of list/tuple batches); matches
    torch.optim.swa_utils.update_bn."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr from its value to swa_lr over anneal_epochs steps ('cos' or
    'linear'), then holds it; matches torch.optim.swa_utils.SWALR."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        # lr_t = swa_lr * a(t) + lr_0 * (1 - a(t)), lr_0 recovered from the previous step
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, "
                          "please use `get_last_lr()`.", UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha)
                    for g in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha)
                for g, lr in zip(self.optimizer.param_groups, prev_lrs, strict=True)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = (self._cosine_anneal if anneal_strategy == "cos"
                            else self._linear_anneal)

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
