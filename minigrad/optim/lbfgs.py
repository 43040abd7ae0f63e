"""L-BFGS (torch.optim.LBFGS: same iterations, stopping rules, line search and state names).

Each step(closure) runs up to max_iter iterations on the flattened parameters x, gradient g:
    first iteration: d = -g, H = 1;  later: y = g - g_prev, s = t d, and when y.s > 1e-10
    the pair (s, y) joins a history of history_size, rho = 1 / y.s, H = y.s / y.y;
    two-loop recursion: q = -g; for i newest..oldest: a_i = rho_i s_i.q, q -= a_i y_i;
    r = H q; for i oldest..newest: b_i = rho_i y_i.r, r += (a_i - b_i) s_i;  d = r
    step t = min(1, 1 / sum|g|) * lr on the very first iteration, else lr; stop when g.d >
    -tolerance_change. With line_search_fn='strong_wolfe' t comes from the strong-Wolfe search
    (minigrad/optim/line_search.py), else x += t d and the closure is re-evaluated.
    Stop on max_iter, max_eval evaluations, max|g| <= tolerance_grad, max|t d| <=
    tolerance_change or |loss - prev_loss| < tolerance_change.
The state (func_evals, n_iter, d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad,
prev_loss, al) lives under the first parameter, as in torch; NumPy/CuPy scalars play the role
of torch's 0-d tensors (so float32 parameters compute in float32) and are stored as 0-d Tensors.
"""
from __future__ import annotations

import numpy as np

from ..autograd import no_grad
from ..backend import array_module
from ..tensor import Tensor
from .common import fma, scalar_lr
from .line_search import strong_wolfe
from .optimizer import Optimizer, _set

_ARRAYS = ("d", "t", "H_diag", "prev_flat_grad")
_LISTS = ("old_dirs", "old_stps", "ro", "al")


def _wrap(v):
    if isinstance(v, np.generic) or hasattr(v, "shape"):
        return Tensor._make(np.asarray(v).copy() if isinstance(v, np.generic) else v)
    return v


def _unwrap(v):
    if isinstance(v, Tensor):
        return v.data[()] if v.data.ndim == 0 and isinstance(v.data, np.ndarray) else v.data
    return v


class LBFGS(Optimizer):
    """Limited-memory BFGS (matches torch.optim.LBFGS): one parameter group, step(closure)."""

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval=None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn=None):
        lr = scalar_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                                  "tolerance_grad": tolerance_grad,
                                  "tolerance_change": tolerance_change,
                                  "history_size": history_size,
                                  "line_search_fn": line_search_fn})
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _gather_flat_grad(self):
        xp = array_module(self._params[0].data)
        return xp.concatenate([xp.zeros(p.data.size, p.data.dtype) if p.grad is None
                               else p.grad.data.reshape(-1) for p in self._params])

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            n = p.data.size
            u = update[offset:offset + n].reshape(p.data.shape)
            _set(p, fma(step_size, u, p.data))
            offset += n

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(self._closure(closure))
        flat_grad = self._gather_flat_grad()
        for p, data in zip(self._params, x):
            _set(p, data)
        return loss, flat_grad

    @no_grad()
    def step(self, closure):
        """Run up to max_iter L-BFGS iterations; closure re-evaluates and returns the loss."""
        if closure is None:
            raise RuntimeError("LBFGS.step requires a closure that re-evaluates the loss")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._closure(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        opt_cond = abs(flat_grad).max() <= tolerance_grad
        if opt_cond:
            return orig_loss

        d, t, H_diag, prev_flat_grad = (_unwrap(state.get(k)) for k in _ARRAYS)
        old_dirs, old_stps, ro = ([_unwrap(v) for v in state[k]] if k in state else None
                                  for k in _LISTS[:3])
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:       # drop the oldest pair
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = [_unwrap(v) for v in state["al"]]
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q = fma(-al[i], old_dirs[i], q)
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r = fma(al[i] - be_i, old_stps[i], r)
                d = r
                state["al"] = [_wrap(v) for v in al]
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:                   # not a descent direction
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p.data.copy() for p in self._params]

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)
                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    loss = float(self._closure(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        for k, v in zip(_ARRAYS, (d, t, H_diag, prev_flat_grad)):
            state[k] = _wrap(v)
        for k, v in zip(_LISTS[:3], (old_dirs, old_stps, ro)):
            state[k] = [_wrap(e) for e in v]
        state["prev_loss"] = prev_loss
        return orig_loss
