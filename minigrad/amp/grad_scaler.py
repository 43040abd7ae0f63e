"""GradScaler (torch.amp.GradScaler): loss scaling for low-precision training.

scale(loss) multiplies by the current scale S (a float32 0-d tensor, 2**16 at first);
step(optimizer) divides the gradients by S (unscale_), and calls optimizer.step() only if
none of them holds an inf or a NaN; update() then multiplies S by backoff_factor after a
skipped step, or by growth_factor after growth_interval steps in a row without one (the
growth tracker, an int32 0-d tensor, counts them). The arithmetic is torch's: 1/S is
rounded to float32 before the gradients are multiplied by it, and S's updates are computed
in float64 and rounded to float32."""
from __future__ import annotations

import warnings
from collections import abc, defaultdict
from enum import Enum

import numpy as np

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor

__all__ = ["OptState", "GradScaler"]


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state():
    return {"stage": OptState.READY, "found_inf_per_device": {}}


class GradScaler:
    """Scale the loss, unscale and check the gradients, skip steps with infs/NaNs and adapt
    the scale (torch.amp.GradScaler, same arguments, states, errors and numbers)."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device, self._enabled = device, enabled
        if device == "cuda" and enabled:
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not "
                              "available.  Disabling.", stacklevel=2)
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale, self._scale = init_scale, None     # (made at the first scale())
            self._growth_factor, self._backoff_factor = growth_factor, backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker, self._growth_tracker = 0, None
            self._per_optimizer_states = defaultdict(_fresh_state)

    # ---- the three calls of a training step ----
    def scale(self, outputs):
        """outputs (a tensor, or nested lists/tuples/iterables of them) times the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            self._lazy_init(outputs.device)
            return outputs * self._scale.to(outputs.device)
        if isinstance(outputs, abc.Iterable):
            out = map(self.scale, outputs)
            return type(outputs)(out) if isinstance(outputs, (list, tuple)) else out
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer) -> None:
        """Divide optimizer's gradients by the scale in place, noting infs/NaNs among them
        (once per optimizer and step, before step())."""
        if not self._enabled:
            return
        self._check("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = np.float32(1.0 / float(self._scale.item()))
        state["found_inf_per_device"] = self._unscale_grads(optimizer, inv_scale, False)
        state["stage"] = OptState.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """unscale_(optimizer) unless done, then optimizer.step(*args, **kwargs) unless a
        gradient held an inf or a NaN; returns what optimizer.step returned (or None)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        self._check("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if not state["found_inf_per_device"]:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        found = sum(float(v.item()) for v in state["found_inf_per_device"].values())
        out = optimizer.step(*args, **kwargs) if not found else None
        state["stage"] = OptState.STEPPED
        return out

    def update(self, new_scale=None) -> None:
        """Back the scale off after a skipped step, grow it after growth_interval clean
        steps, or set it to new_scale (a float or a 1-element float tensor)."""
        if not self._enabled:
            return
        self._check("update")
        if new_scale is not None:
            if isinstance(new_scale, float):
                self._scale.fill_(new_scale)
            else:
                reason = ("new_scale should be a float or a 1-element torch.cuda.FloatTensor "
                          "or torch.FloatTensor with requires_grad=False.")
                if not isinstance(new_scale, Tensor) or new_scale.device.type != \
                        self._device or new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                with no_grad():             # (as torch: a (1,) tensor fails to copy
                    self._scale.copy_(new_scale)  # into the 0-d scale)
        else:
            found = [f for s in self._per_optimizer_states.values()
                     for f in s["found_inf_per_device"].values()]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            self._update_scale(sum(float(f.item()) for f in found))
        self._per_optimizer_states = defaultdict(_fresh_state)

    # ---- the arithmetic ----
    def _unscale_grads(self, optimizer, inv_scale, allow_fp16):
        """grad *= inv_scale for every gradient; {device: float32 0-d tensor, 1 where a
        gradient on that device is not finite}."""
        found = {}
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    if not allow_fp16 and g.dtype == np.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    flag = found.setdefault(g.device, Tensor._make(np.zeros((), np.float32)))
                    if not bool(array_module(g.data).isfinite(g.data).all()):
                        flag.fill_(1.0)     # (checked before the division, as torch)
                    if inv_scale != 1:
                        g.mul_(float(inv_scale))
        return found

    def _update_scale(self, found_inf):
        scale = float(self._scale.item())
        tracker = int(self._growth_tracker.item())
        if found_inf:
            scale, tracker = scale * self._backoff_factor, 0
        else:
            tracker += 1
            if tracker == self._growth_interval:
                grown = scale * self._growth_factor
                if np.isfinite(np.float32(grown)):
                    scale = grown
                tracker = 0
        self._scale.fill_(float(np.float32(scale)))
        self._growth_tracker.fill_(tracker)

    def _lazy_init(self, device):
        if self._scale is None:
            from ..creation import full
            self._scale = full((), self._init_scale, dtype=np.float32, device=device)
            self._growth_tracker = full((), self._init_growth_tracker, dtype=np.int32,
                                        device=device)

    def _check(self, fn):
        if self._scale is None:
            raise AssertionError(f"Attempted {fn} but _scale is None.  This may indicate your "
                                 f"script did not use scaler.scale(loss or outputs) earlier "
                                 f"in the iteration.")

    # ---- settings and state ----
    def get_scale(self) -> float:
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None \
            else int(self._growth_tracker.item())

    def is_enabled(self) -> bool:
        return self._enabled

    def state_dict(self) -> dict:
        """scale, growth_factor, backoff_factor, growth_interval and _growth_tracker ({}
        when disabled), as torch's."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict["_growth_tracker"])

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError("A GradScaler instance may only be pickled at the "
                                     "beginning of an iteration, or at the end after "
                                     "scaler.update().")
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = state["_growth_tracker"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
