"""Fixed quadrature rules prepared at build time (numpy), used as dense arrays at run time."""

from __future__ import annotations

import numpy as np


def gauss_legendre(lo, hi, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n-point Gauss-Legendre nodes and weights on [lo, hi] (broadcast over lo, hi; nodes on the last axis)."""
    x, w = np.polynomial.legendre.leggauss(n)
    lo = np.asarray(lo, dtype=float)[..., None]
    hi = np.asarray(hi, dtype=float)[..., None]
    half = 0.5 * (hi - lo)
    return lo + half * (x + 1.0), half * w


def composite_gauss_legendre(edges, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Composite n-point Gauss-Legendre rule over consecutive panels [edges[i], edges[i+1]] (flattened)."""
    edges = np.asarray(edges, dtype=float)
    nodes, weights = gauss_legendre(edges[:-1], edges[1:], n)
    return nodes.ravel(), weights.ravel()


def panel_edges(lo: float, hi: float, n_panels: int, breakpoints=(), *, geometric: bool = False) -> np.ndarray:
    """Uniform (or, with ``geometric``, log-uniform) panel edges on [lo, hi] plus interior breakpoints."""
    edges = np.geomspace(lo, hi, n_panels + 1) if geometric else np.linspace(lo, hi, n_panels + 1)
    inner = [b for b in breakpoints if lo < b < hi]
    return np.unique(np.concatenate([edges, inner]))
