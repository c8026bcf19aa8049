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
