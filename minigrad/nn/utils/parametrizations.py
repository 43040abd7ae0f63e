"""torch.nn.utils.parametrizations: weight_norm and spectral_norm as parametrizations
(see parametrize.py), with torch's state_dict names:

    weight_norm:   parametrizations.<name>.original0 (g), .original1 (v);
                   weight = v * g / ||v|| (the norm over every dim but `dim`; dim=None: all)
    spectral_norm: parametrizations.<name>.original, .0._u, .0._v (power-iteration buffers);
                   weight = W / sigma, sigma = u . (W_mat v), u and v refined in training
"""
from __future__ import annotations

from ... import creation
from ...autograd import no_grad
from ...ops.checks import need_float, need_int
from ...ops.norm_rms import normalize
from ...ops.products import vdot
from ...tensor import Tensor
from ..module import Module
from . import parametrize


def _norm_except_dim(v, dim):
    """The 2-norm of v over every dim but `dim`, keeping v's rank (torch.norm_except_dim;
    dim=-1 means over all dims, a 0-d result, as torch's)."""
    if dim == -1:
        return v.norm(2)
    if dim == 0:
        return v.reshape(v.shape[0], -1).norm(2, 1).reshape((v.shape[0],) + (1,) * (v.ndim - 1))
    if dim == v.ndim - 1:
        return v.reshape(-1, v.shape[-1]).norm(2, 0).reshape((1,) * (v.ndim - 1)
                                                              + (v.shape[-1],))
    return _norm_except_dim(v.transpose(0, dim), 0).transpose(0, dim)


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize module.<name> as g * v / ||v|| with g (original0) and v (original1)
    trained separately (matches torch.nn.utils.parametrizations.weight_norm)."""
    if dim is not None:
        dim = need_int("weight_norm", dim, "dim", 3)
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(module, state_dict, prefix, local_metadata, strict,
                                 missing_keys, unexpected_keys, error_msgs) -> None:
        # a checkpoint of the hook-based nn.utils.weight_norm: <name>_g, <name>_v
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    module.register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight.detach())
            h, w = weight_mat.shape
            kw = {"dtype": weight.dtype, "device": weight.device}
            u = creation.empty(h, **kw).normal_(0, 1)
            v = creation.empty(w, **kw).normal_(0, 1)
            self.register_buffer("_u", normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        # u <- W v / |W v|, v <- W^T u / |W^T u|, written into the buffers (torch's out=)
        with no_grad():
            w = weight_mat.detach()
            for _ in range(n_power_iterations):
                self._u.data[...] = normalize(w @ self._v, dim=0, eps=self.eps).data
                self._v.data[...] = normalize(w.T @ self._u, dim=0, eps=self.eps).data

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = vdot(u, weight_mat @ v)
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Reparametrize module.<name> as W / sigma(W), sigma the largest singular value estimated
    by power iteration (one step per training forward; matches
    torch.nn.utils.parametrizations.spectral_norm). dim: 0 (1 for transposed convolutions)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    n_power_iterations = need_int("spectral_norm", n_power_iterations, "n_power_iterations", 3)
    eps = need_float("spectral_norm", eps, "eps", 4)
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    dim = need_int("spectral_norm", dim, "dim", 5)
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


from .orthogonal import orthogonal  # noqa: E402,F401  (its own file: the three maps)
