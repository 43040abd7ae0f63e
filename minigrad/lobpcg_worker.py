"""The LOBPCG iteration of torch.lobpcg (torch/_lobpcg.py's LOBPCG worker) on NumPy/CuPy
arrays, step for step, so that with the same starting X the iterates are torch's (up to the
signs LAPACK picks for eigenvectors, which leave every subspace unchanged).

Each step: Rayleigh-Ritz on the basis S = [X, P, W] (X the current eigenvectors, P the
previous search directions, W the residuals R = A X - B X E, preconditioned by iK and, for
method "ortho", B-orthogonalised against [X, P]); a pair has converged when
|R_j| / (|X_j| (|A| + |E_j| |B|)) < tol, counted from the first pair on. Any method other
than "ortho" runs torch's "basic" scheme, as torch's does.
"""
from __future__ import annotations

import numpy as np

from .backend import array_module


def _mm(A, B):
    return B if A is None else A @ B


def _qform(A, S):
    return S.T @ _mm(A, S)


def _symeig(xp, M, largest=False):
    """Eigenpairs of M (upper triangle), ascending, or descending with largest."""
    E, Z = xp.linalg.eigh(M, UPLO="U")
    return (E[::-1], Z[:, ::-1]) if largest else (E, Z)


def _cholesky_upper(xp, M):
    try:
        return xp.linalg.cholesky(M).T
    except Exception as e:     # numpy.linalg.LinAlgError, or CuPy's
        raise RuntimeError("lobpcg: linalg.cholesky: The factorization could not be completed "
                           "because the input is not positive-definite (the search basis lost "
                           "rank: try method='ortho', another X or a larger tol)") from e


class Worker:
    """torch's LOBPCG worker: X (m, n), E (n,), R and S (m, 3n) arrays, and the dicts a
    tracker reads (ivars: istep, converged_count, ...; fvars; bvars: force_stop; tvars)."""

    def __init__(self, A, B, X, iK, iparams, fparams, bparams, method, tracker):
        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.method, self.tracker = method, tracker
        self.xp = xp = array_module(X)
        m, n = iparams["m"], iparams["n"]
        self.X = X
        self.E = xp.zeros((n,), X.dtype)
        self.R = xp.zeros((m, n), X.dtype)
        self.S = xp.zeros((m, 3 * n), X.dtype)
        self.tvars, self.ivars = {}, {"istep": 0}
        self.fvars, self.bvars = {"_": 0.0}, {"_": False}

    def update(self):
        xp = self.xp
        if self.ivars["istep"] == 0:
            x_norm = float(xp.linalg.norm(self.X))
            self.fvars["X_norm"] = x_norm
            self.fvars["A_norm"] = float(xp.linalg.norm(_mm(self.A, self.X))) / x_norm
            self.fvars["B_norm"] = float(xp.linalg.norm(_mm(self.B, self.X))) / x_norm
            self.ivars["iterations_left"] = self.iparams["niter"]
            self.ivars["converged_count"] = 0
            self.ivars["converged_end"] = 0
        if self.method == "ortho":
            self._update_ortho()
        else:
            self._update_basic()
        self.ivars["iterations_left"] -= 1
        self.ivars["istep"] += 1

    def update_residual(self):
        self.R = _mm(self.A, self.X) - _mm(self.B, self.X) * self.E

    def update_converged_count(self):
        xp = self.xp
        E, X, R = self.E, self.X, self.R
        a_norm, b_norm = self.fvars["A_norm"], self.fvars["B_norm"]
        rerr = xp.linalg.norm(R, axis=0) / (xp.linalg.norm(X, axis=0)
                                            * (a_norm + xp.abs(E[:X.shape[-1]]) * b_norm))
        count = 0
        for ok in (rerr < self.fparams["tol"]).tolist():
            if not ok:                  # later pairs wait: eigenpairs converge in order
                break
            count += 1
        self.ivars["converged_count"] = count
        self.tvars["rerr"] = rerr
        return count

    def stop_iteration(self):
        return (self.bvars.get("force_stop", False) or self.ivars["iterations_left"] == 0
                or self.ivars["converged_count"] >= self.iparams["k"])

    def run(self, view=None):
        self.update()
        if self.tracker is not None:
            self.tracker(view)
        while not self.stop_iteration():
            self.update()
            if self.tracker is not None:
                self.tracker(view)

    # ---- the two schemes ------------------------------------------------------------------
    def _update_basic(self):
        xp = self.xp
        ns, nc = self.ivars["converged_end"], self.ivars["converged_count"]
        n, largest = self.iparams["n"], self.bparams["largest"]
        if self.ivars["istep"] == 0:
            Ri = self._rayleigh_ritz_transform(self.X)
            E, Z = _symeig(xp, _qform(_qform(self.A, self.X), Ri), largest)
            self.X[:] = self.X @ (Ri @ Z)
            self.E[:] = E
            np_ = 0
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            W = _mm(self.iK, self.R)
        else:
            S_ = self.S[:, nc:ns]
            Ri = self._rayleigh_ritz_transform(S_)
            E_, Z = _symeig(xp, _qform(_qform(self.A, S_), Ri), largest)
            self.X[:, nc:] = S_ @ (Ri @ Z[:, :n - nc])
            self.E[nc:] = E_[:n - nc]
            P = S_ @ (Ri @ Z[:, n:2 * n - nc])
            np_ = P.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            self.S[:, n:n + np_] = P
            W = _mm(self.iK, self.R[:, nc:])
        self.ivars["converged_end"] = ns = n + np_ + W.shape[-1]
        self.S[:, n + np_:ns] = W

    def _update_ortho(self):
        xp = self.xp
        ns, nc = self.ivars["converged_end"], self.ivars["converged_count"]
        n, largest = self.iparams["n"], self.bparams["largest"]
        if self.ivars["istep"] == 0:
            Ri = self._rayleigh_ritz_transform(self.X)
            _, Z = _symeig(xp, _qform(_qform(self.A, self.X), Ri), largest)
            self.X = self.X @ (Ri @ Z)
            self.update_residual()
            np_ = 0
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            W = self._get_ortho(self.R, self.X)
        else:
            S_ = self.S[:, nc:ns]
            E_, Z = _symeig(xp, _qform(self.A, S_), largest)
            self.X[:, nc:] = S_ @ Z[:, :n - nc]
            self.E[nc:] = E_[:n - nc]
            basis = xp.linalg.qr(Z[:n - nc, n - nc:].T)[0]
            P = S_ @ (Z[:, n - nc:] @ basis)
            np_ = P.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            self.S[:, n:n + np_] = P
            W = self._get_ortho(self.R[:, nc:], self.S[:, :n + np_])
        ns = self.ivars["converged_end"] = n + np_ + W.shape[-1]
        self.S[:, n + np_:ns] = W

    # ---- the linear algebra ---------------------------------------------------------------
    def _rayleigh_ritz_transform(self, S):
        """Ri with Ri^T (S^T B S) Ri = I: Ri = R^{-1} diag(d), R^T R = Cholesky(dd * SBS)."""
        from .ops.linalg_solve import _trsm
        xp = self.xp
        SBS = _qform(self.B, S)
        d_row = xp.diagonal(SBS) ** -0.5
        R = _cholesky_upper(xp, (SBS * d_row) * d_row[:, None])
        return _trsm(R, xp.diag(d_row), True, False, False)

    def _get_svqb(self, U, drop, tau):
        """B-orthonormal columns spanning U's (Algorithm 4 of [DuerschPhD2015])."""
        xp = self.xp
        if U.size == 0:
            return U
        UBU = _qform(self.B, U)
        d = xp.diagonal(UBU)
        nz = xp.flatnonzero(xp.abs(d) != 0.0)
        if nz.size < d.size:            # exact zero columns would divide by zero: dropped
            U = U[:, nz]
            if U.size == 0:
                return U
            UBU = _qform(self.B, U)
            d = xp.diagonal(UBU)
        d_col = (d ** -0.5).reshape(d.shape[0], 1)
        E, Z = _symeig(xp, (UBU * d_col) * d_col.T)
        t = tau * float(xp.abs(E).max())
        if drop:
            keep = xp.flatnonzero(E > t)
            E, Z, d_col = E[keep], Z[:, keep], d_col[keep]
        else:
            E = E.copy()
            E[E < t] = t
        return (U * d_col.T) @ (Z * E ** -0.5)

    def _get_ortho(self, U, V):
        """U's columns made B-orthonormal and B-orthogonal to V (Algorithms 3 and 6 of
        [DuerschPhD2015]); empty when U lies in span(V)."""
        xp = self.xp
        m = self.iparams["m"]
        tau_ortho = self.fparams["ortho_tol"]
        tau_drop, tau_replace = self.fparams["ortho_tol_drop"], self.fparams["ortho_tol_replace"]
        i_max, j_max = self.iparams["ortho_i_max"], self.iparams["ortho_j_max"]
        use_drop = self.bparams["ortho_use_drop"]
        for key in [k for k in self.fvars if k.startswith("ortho_") and k.endswith("_rerr")]:
            self.fvars.pop(key)
        self.ivars.pop("ortho_i", 0)
        self.ivars.pop("ortho_j", 0)
        BV_norm = float(xp.linalg.norm(_mm(self.B, V)))
        VBU = V.T @ _mm(self.B, U)
        i = j = 0
        for i in range(i_max):
            U = U - V @ VBU
            drop, tau_svqb = False, tau_drop
            for j in range(j_max):
                if use_drop:
                    U = self._get_svqb(U, drop, tau_svqb)
                    drop, tau_svqb = True, tau_replace
                else:
                    U = self._get_svqb(U, False, tau_replace)
                if U.size == 0:         # every column of U was B-collinear to V
                    self.ivars["ortho_i"], self.ivars["ortho_j"] = i, j
                    return U
                BU = _mm(self.B, U)
                UBU = U.T @ BU
                R_norm = float(xp.linalg.norm(UBU - xp.eye(UBU.shape[-1], dtype=UBU.dtype)))
                with np.errstate(divide="ignore"):
                    rerr = R_norm * float(xp.linalg.norm(BU) * xp.linalg.norm(U)) ** -1
                self.fvars[f"ortho_UBUmI_rerr[{i}, {j}]"] = rerr
                if rerr < tau_ortho:
                    break
            VBU = V.T @ BU
            rerr = float(xp.linalg.norm(VBU)) * (BV_norm * float(xp.linalg.norm(U))) ** -1
            self.fvars[f"ortho_VBU_rerr[{i}]"] = rerr
            if rerr < tau_ortho:
                break
            if m < U.shape[-1] + V.shape[-1]:
                raise ValueError(f"lobpcg: Overdetermined shape of U: #B-cols(={m}) >= "
                                 f"#U-cols(={U.shape[-1]}) + #V-cols(={V.shape[-1]}) must hold")
        self.ivars["ortho_i"], self.ivars["ortho_j"] = i, j
        return U
