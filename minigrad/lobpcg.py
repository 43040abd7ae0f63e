"""torch.lobpcg: the k largest (or smallest) eigenpairs of a symmetric A, or of the generalized
problem A x = lambda B x, by LOBPCG (the iteration is lobpcg_worker.py, torch's step for step).

Gradient (torch's, dense A only, B = I): A is symmetrised, A_s = (A + A^T) / 2, and with
D (k,) and U (m, k) the result, F_ij = 1 / (d_j - d_i) (0 on the diagonal):
    span(U) part:        dA = U (diag(gD) + (U^T gU) * F) U^T
    orthogonal part:     the solution of the Sylvester equation U_o^T A U_o dX - dX D =
                         -U_o^T gU, through p(A) with p(x) = prod_i (x - d_i) (Hu & Cheng 2006)
U_o spans the complement of span(U) (a projected random matrix: the result does not depend on
which basis). Written with differentiable ops, so second derivatives follow.
"""
from __future__ import annotations

import numbers

import numpy as np

from .autograd import Op, wrap
from .backend import array_module, is_cuda_array
from .lobpcg_worker import Worker
from .ops.checks import need_float, need_optional_tensor, need_tensor, type_name

_WHO = "lobpcg"


class _TrackerView:
    """What a tracker sees: the worker, with its arrays as Tensors (torch's are Tensors)."""

    def __init__(self, worker):
        self._w = worker

    def __getattr__(self, name):
        v = getattr(self._w, name)
        if name == "tvars":
            return {k: wrap(a) for k, a in v.items()}
        return wrap(v) if isinstance(v, np.ndarray) or is_cuda_array(v) else v


def _params(k, n, X, m, niter, tol, largest, method, dtype, oi, of, ob):
    if tol is None:
        tol = {"float32": 1.2e-07, "float64": 2.23e-16}[dtype.name] ** 0.5
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) "
                         f"is smaller than 3 x the number of requested eigenpairs (={n})")
    method = "ortho" if method is None else method
    iparams = {"m": m, "n": n, "k": k, "niter": 1000 if niter is None else niter}
    fparams, bparams = {"tol": tol}, {"largest": True if largest is None else largest}
    if method == "ortho":
        iparams.update(oi or {})
        fparams.update(of or {})
        bparams.update(ob or {})
        iparams.setdefault("ortho_i_max", 3)
        iparams.setdefault("ortho_j_max", 3)
        for key in ("ortho_tol", "ortho_tol_drop", "ortho_tol_replace"):
            fparams.setdefault(key, tol)
        bparams.setdefault("ortho_use_drop", False)
    return k, n, iparams, fparams, bparams, method


def _run(a, b, x, ik, args):
    """(E, X) arrays: each matrix of the batch solved on its own, as torch's loop."""
    k, n, niter, tol, largest, method, tracker, oi, of, ob = args
    xp = array_module(a)
    m = a.shape[-1]
    k, n, iparams, fparams, bparams, method = _params(k, n, x, m, niter, tol, largest, method,
                                                      a.dtype, oi, of, ob)
    lead = a.shape[:-2]
    if lead:                            # torch fills (N, k) and (N, m, k) results
        try:
            E, V = xp.empty(lead + (k,), a.dtype), xp.empty(lead + (m, k), a.dtype)
        except ValueError:
            raise RuntimeError(f"{_WHO}: k={k} eigenpairs cannot be returned for a batch") \
                from None
    for idx in np.ndindex(*lead):
        if x is None:                   # minigrad's generator (torch draws with its own)
            from .creation import randn
            x0 = randn(m, n, dtype=a.dtype, device=wrap(a).device).data
        else:
            x0 = x[idx].copy()          # (torch's "basic" scheme writes into the caller's X)
        if x0.shape != (m, n):
            raise AssertionError(f"{_WHO}: X shape mismatch: got {tuple(x0.shape)}, expected "
                                 f"{(m, n)}")
        if lead:
            iparams["batch_index"] = int(np.ravel_multi_index(idx, lead))
        w = Worker(a[idx], None if b is None else b[idx], x0, ik, iparams, fparams, bparams,
                   method, tracker)
        w.run(_TrackerView(w))
        if not lead:                    # E[:k]: k larger than n or negative slices, as torch
            return w.E[:k].copy(), w.X[:, :k].copy()
        if w.E[:k].shape != E[idx].shape:
            raise RuntimeError(f"{_WHO}: the {w.E[:k].shape[0]} eigenpairs found do not fill "
                               f"the batch's k={k}: ask for k <= n")
        E[idx], V[idx] = w.E[:k], w.X[:, :k]
    return E, V


class LOBPCG(Op):
    @staticmethod
    def forward(ctx, a, b, x, ik, args):
        E, V = _run(a, b, x, ik, args)
        ctx.save_for_backward(a, E, V)
        ctx.largest, ctx.has_b = args[4], b is not None
        return E, V

    @staticmethod
    def backward(ctx, gd, gu):
        a, d, u = ctx.saved_tensors
        if ctx.has_b:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        largest = True if ctx.largest is None else ctx.largest
        return _symeig_backward(gd, gu, a, d, u, largest), None, None, None, None


def _complete(gd, gu, d, u):
    """dA = U (diag(gD) + (U^T gU) * F) U^T, F_ij = 1 / (d_j - d_i), F_ii = 0."""
    from .ops.matrix import diag_embed
    one = diag_embed(d * 0 + 1)
    f = (1 - one) / (d.unsqueeze(-2) - d.unsqueeze(-1) + one)
    return u @ (diag_embed(gd) + (u.mT @ gu) * f) @ u.mT


def _poly_coefficients(roots):
    """(a_0, ..., a_k = 1) with prod_i (x - r_i) = sum_j a_j x^j (batched over roots' lead)."""
    from .ops.shape import cat
    zero = roots[..., :1] * 0
    c = zero + 1
    for i in range(roots.shape[-1]):    # (x - r) p(x): shift up, minus r p
        c = cat([zero, c], -1) - roots[..., i:i + 1] * cat([c, zero], -1)
    return c


def _symeig_backward(gd, gu, a, d, u, largest):
    from .creation import eye
    from .ops.linalg_decomp import cholesky
    from .ops.linalg_lu import cholesky_solve
    m, k = u.shape[-2], u.shape[-1]
    if m == k:
        return _complete(gd, gu, d, u)
    # U_o: a fixed random (m, m - k) matrix projected onto the complement of span(U)
    proj = eye(m, dtype=a.dtype, device=a.device) - u @ u.mT
    r = np.random.default_rng(0).standard_normal(tuple(a.shape[:-1]) + (m - k,))
    xp = array_module(a.data)
    u_o = proj @ wrap(xp.asarray(r.astype(a.dtype)))
    poly = _poly_coefficients(d)
    # series = sum_j A^(j-1) gU (p_j(D)) with p_j the tail of p from x^j (Horner in D)
    projected, series = gu, gu * 0
    for j in range(1, k + 1):
        tail = poly[..., -1:] * 0 + 1   # Horner's rule over poly[j:], leading 1
        for c in range(k - 1, j - 1, -1):
            tail = poly[..., c:c + 1] + d * tail
        series = series + projected * tail.unsqueeze(-2)
        projected = a @ projected
    # p(A) by Horner's rule, restricted to span(U_o)
    ident = eye(m, dtype=a.dtype, device=a.device)
    p_a = ident
    for c in range(k - 1, -1, -1):
        p_a = a @ p_a + poly[..., c, None, None] * ident
    sign = -1 if (largest and k % 2 == 1) else 1
    chol = cholesky(sign * (u_o.mT @ p_a @ u_o))
    res = _complete(gd, gu, d, u)
    return res - u_o @ (sign * cholesky_solve(u_o.mT @ series, chol)) @ u.mT


def _check(A, k, B, X, n, iK, niter, tol, largest, method, tracker, dicts):
    need_tensor(_WHO, A, "A", 1)
    for name, t, pos in (("B", B, 3), ("X", X, 4), ("iK", iK, 6)):
        need_optional_tensor(_WHO, t, name, pos)
    # torch's lobpcg is Python: k and n slice and size (any int), niter counts down to 0
    # (a float never reaches it: the loop runs to convergence), largest is read for its
    # truth value and any method but "ortho" is "basic"; those are accepted alike here
    for name, v in (("k", k), ("n", n)):
        if v is not None and not isinstance(v, (int, np.integer)):
            raise TypeError(f"{_WHO}(): argument '{name}' must be int, not {type_name(v)}")
    if niter is not None and not isinstance(niter, (numbers.Real, np.number)):
        raise TypeError(f"{_WHO}(): argument 'niter' must be a number, not {type_name(niter)}")
    if tol is not None:
        need_float(_WHO, tol, "tol", 8)
    if tracker is not None and not callable(tracker):
        raise TypeError(f"{_WHO}(): argument 'tracker' must be callable, not "
                        f"{type_name(tracker)}")
    for name, v in dicts.items():
        if v is not None and not isinstance(v, dict):
            raise TypeError(f"{_WHO}(): argument '{name}' must be dict, not {type_name(v)}")
    if A.ndim < 2:
        raise IndexError(f"{_WHO}: A must be a (batch of) square matrices, got shape "
                         f"{tuple(A.shape)}")
    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f"{_WHO}: A must be square, got shape {tuple(A.shape)}")
    if B is not None and tuple(A.shape) != tuple(B.shape):
        raise AssertionError(f"{_WHO}: A and B must have same shape, got {tuple(A.shape)} vs "
                             f"{tuple(B.shape)}")
    if A.dtype.name not in ("float32", "float64"):
        # (torch: int A fails in a matmul with its float32 X; float16 has no tolerance)
        raise RuntimeError(f"{_WHO}: expected a float32 or float64 A, got {A.dtype}")
    for name, t in (("B", B), ("X", X), ("iK", iK)):
        if t is not None and t.dtype != A.dtype:
            raise RuntimeError(f"{_WHO}: expected {name} to have A's dtype {A.dtype}, got "
                               f"{t.dtype}")
    if A.shape[-1] == 0:
        raise ValueError(f"{_WHO}: A is empty (shape {tuple(A.shape)}): no eigenpairs to find")


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None,
           method=None, tracker=None, ortho_iparams=None, ortho_fparams=None,
           ortho_bparams=None):
    """The k largest (largest=False: smallest) eigenpairs (E (*, k), X (*, m, k)) of the
    symmetric A (*, m, m), or of A x = e B x, by LOBPCG (matches torch.lobpcg). X: a start
    (m, n); without it a random one from minigrad's generator. Backward: dense A, B = I."""
    _check(A, k, B, X, n, iK, niter, tol, largest, method, tracker,
           {"ortho_iparams": ortho_iparams, "ortho_fparams": ortho_fparams,
            "ortho_bparams": ortho_bparams})
    args = (k, n, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams,
            ortho_bparams)
    from .autograd import is_grad_enabled
    if is_grad_enabled() and (A.requires_grad or (B is not None and B.requires_grad)):
        # the gradient of a symmetric A is symmetric: torch symmetrises A (and B) first
        A_s = (A + A.mT) / 2
        B_s = None if B is None else (B + B.mT) / 2
        return LOBPCG.apply(A_s, B_s, X, iK, args)
    E, V = _run(A.data, None if B is None else B.data,
                None if X is None else X.data, None if iK is None else iK.data, args)
    return wrap(E), wrap(V)


__all__ = ["lobpcg"]
