"""torch.nn.utils.parametrizations.orthogonal: a matrix (or batch) kept orthogonal, Q^T Q = I
(for n x k with n >= k; wide matrices are handled transposed). From the unconstrained X:

    matrix_exp   Q = expm(A),                     A = tril(X) - tril(X)^T (padded to n x n)
    cayley       Q = (I - A/2)^-1 (I + A/2)
    householder  Q = H_1 ... H_k, from the strictly lower part of X (torch's reflectors)

With use_trivialization (the default) the map is composed with a buffer `base`, Q = base @
map(X), and assigning the weight sets base and X = -I: torch's "dynamic trivialization".
"""
from __future__ import annotations

from enum import Enum, auto

import numpy as np

from ... import creation
from ...autograd import no_grad
from ...tensor import Tensor
from ..module import Module
from . import parametrize


def _geqrf(A):
    """LAPACK's geqrf of A (batched): R above the diagonal and the Householder vectors
    below it, with their scales tau (torch.geqrf), computed on the host by scipy."""
    import scipy.linalg
    a = A.detach().cpu().numpy()
    batch = a.shape[:-2]
    m, n = a.shape[-2:]
    flat = a.reshape((-1, m, n))
    out = np.empty_like(flat)
    taus = np.empty((flat.shape[0], min(m, n)), a.dtype)
    for i, mat in enumerate(flat):
        (qr, tau), _ = scipy.linalg.qr(mat, mode="raw")
        out[i], taus[i] = qr, tau
    return (creation.tensor(out.reshape(a.shape), device=A.device),
            creation.tensor(taus.reshape(batch + (min(m, n),)), device=A.device))


def _is_orthogonal(Q, eps=None):
    from ...dtypes import finfo
    from ...ops.predicates import allclose
    n, k = Q.size(-2), Q.size(-1)
    Id = creation.eye(k, dtype=Q.dtype, device=Q.device)
    eps = 10.0 * n * finfo(Q.dtype).eps
    return allclose(Q.mT @ Q, Id, atol=eps)


def _make_orthogonal(A):
    """The Q of A's QR decomposition, with R's diagonal made positive (unique)."""
    from ...linalg import householder_product
    X, tau = _geqrf(A)
    Q = householder_product(X, tau)
    Q *= X.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)
    return Q


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        from ...linalg import householder_product, matrix_exp, solve
        from ...ops.shape import cat
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mT                                        # skew-symmetric
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = matrix_exp(A)
            else:                                               # (I - A/2)^-1 (I + A/2)
                Id = creation.eye(n, dtype=A.dtype, device=A.device)
                Q = solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            # reflectors I - tau v v^T with v = (1, lower part of a column), tau = 2 / |v|^2
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        with no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q):
        if tuple(Q.shape) != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape "
                             f"{tuple(self.shape)}. Got a tensor of shape {tuple(Q.shape)}.")
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError("It is not possible to assign to the matrix "
                                          "exponential or the Cayley parametrizations when "
                                          "use_trivialization=False.")
            # the reflectors of Q's QR; the diagonal keeps the signs of R's (tau = 0: flipped)
            A, tau = _geqrf(Q)
            d = A.diagonal(dim1=-2, dim2=-1).sign()
            d = d.where(tau != 0.0, -d)
            A.diagonal(dim1=-2, dim2=-1).copy_(d)
            return A.mT if transpose else A
        if n == k:
            Q = _make_orthogonal(Q) if not _is_orthogonal(Q) else Q.clone()
        else:       # completed to a square orthogonal matrix with random columns
            N = creation.randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype,
                               device=Q.device)
            from ...ops.shape import cat
            Q = _make_orthogonal(cat([Q, N], dim=-1))
        self.base = Q
        neg_Id = creation.zeros_like(Q_init)
        neg_Id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_Id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Constrain module.<name> (a matrix or a batch of them) to be orthogonal through
    orthogonal_map ("matrix_exp", "cayley" or "householder"; default: matrix_exp for square
    matrices, householder otherwise) (matches torch.nn.utils.parametrizations.orthogonal)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.size(-2) == weight.size(-1) else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None) \
        if isinstance(orthogonal_map, str) else None
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
