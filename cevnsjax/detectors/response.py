"""Response matrices: probability that a recoil of energy T_k lands in analysis bin b.

    R[b, k] = integral_{bin b} dx eff(x) P(x | T_k)

computed at build time (numpy) on a composite Gauss-Legendre rule inside each
analysis bin, for any resolution kernel P(x | T) (:mod:`.resolution`: Gaussian, gamma, ...)
and any efficiency eff(x) of the reconstructed observable x (:mod:`.efficiency`).  Multiplying by the recoil
quadrature weights gives the matrix :meth:`cevnsjax.folding.Folding.counts` expects.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._quadrature import gauss_legendre


def bin_response(
    edges: np.ndarray,
    pdf: Callable[[np.ndarray], np.ndarray],
    efficiency: Callable[[np.ndarray], np.ndarray] | None = None,
    *,
    n_sub: int = 8,
    n_gl: int = 8,
) -> np.ndarray:
    """R[b, ...] = integral over bin b of eff(x) pdf(x) dx.

    Args:
        edges: analysis bin edges in the observable x, shape (n_bins + 1,).
        pdf: ``pdf(x)`` with x of shape (n_bins, n_sub*n_gl, 1) returning the density of x
            for every true-energy node on the trailing axis.
        efficiency: ``eff(x)`` (broadcasting), or None for 1.
        n_sub: sub-panels per bin; n_gl: Gauss-Legendre nodes per sub-panel.

    Returns:
        Array of shape (n_bins, n_true).
    """
    edges = np.asarray(edges, dtype=float)
    sub = np.linspace(edges[:-1], edges[1:], n_sub + 1, axis=-1)  # (n_bins, n_sub+1)
    x, w = gauss_legendre(sub[:, :-1], sub[:, 1:], n_gl)  # (n_bins, n_sub, n_gl)
    x = x.reshape(len(edges) - 1, -1)[..., None]
    w = w.reshape(len(edges) - 1, -1)[..., None]
    eff = 1.0 if efficiency is None else efficiency(x)
    return np.sum(w * eff * pdf(x), axis=1)  # Eq. (63) of docs/physics.md


def low_rank(matrix: np.ndarray, rtol: float = 1e-15) -> tuple[np.ndarray, np.ndarray]:
    """Factor a response matrix into ``left @ right`` by its singular-value decomposition (build time).

    A resolution smooths: the rows of a response are smooth functions of the true energy, so the
    matrix has few singular values above rounding (a germanium response of 3 x 130 bins on 224
    recoil nodes has 31).  Dropping those below ``rtol`` x the largest changes ``matrix @ x`` by at
    most ``rtol`` ||matrix|| ||x||, i.e. at rounding, and two thin products replace one wide one.

    Args:
        matrix: shape (m, n).
        rtol: singular values below ``rtol`` times the largest are dropped.

    Returns:
        ``(left, right)`` of shapes (m, r) and (r, n), ``left`` holding the singular values.

    Examples:
        >>> a = np.outer(np.arange(1.0, 5.0), np.ones(6))  # rank 1
        >>> left, right = low_rank(a)
        >>> left.shape, right.shape, bool(np.allclose(left @ right, a, rtol=1e-14, atol=0))
        ((4, 1), (1, 6), True)
    """
    u, s, vt = np.linalg.svd(np.asarray(matrix, dtype=float), full_matrices=False)
    r = max(int(np.sum(s > rtol * s[0])), 1)
    return u[:, :r] * s[:r], vt[:r]
