"""Minuit-style maps between bounded parameters and an unconstrained space.

Minimisers work on an internal vector ``u`` in R^n; the model sees the external
(physical) value ``x``, which lies inside its bounds for every ``u``:

* two bounds:  ``x = lo + (hi - lo) (sin u + 1) / 2``
* lower only:  ``x = lo - 1 + sqrt(u^2 + 1)``
* upper only:  ``x = hi + 1 - sqrt(u^2 + 1)``
* no bounds:   ``x = u``

These are the transforms of Minuit2 (F. James, MINUIT reference manual, CERN
D506, section 1.2.1), so the jax and iminuit engines minimise the same surface.
A bound is reached at a finite ``u`` with zero slope, so a minimum outside the
bounds ends exactly on the bound instead of running off to infinity.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

# Internal distance kept from the stationary points of the maps (where dx/du = 0),
# so that a start exactly on a bound still has a usable gradient.
_EDGE = 1e-3


def _kinds(lower, upper):
    lo_ok = jnp.isfinite(lower)
    hi_ok = jnp.isfinite(upper)
    lo = jnp.where(lo_ok, lower, 0.0)
    hi = jnp.where(hi_ok, upper, 1.0)
    return lo_ok, hi_ok, lo_ok & hi_ok, lo, hi


def to_external(u, lower, upper):
    """Map internal coordinates to bounded parameter values.

    Args:
        u: internal values, shape (n,).
        lower, upper: bounds, shape (n,); ``-inf``/``inf`` where open.

    Returns:
        External values, shape (n,), each within ``[lower, upper]``.
    """
    lo_ok, hi_ok, both, lo, hi = _kinds(lower, upper)
    # Written so that rounding never leaves the bounds and each bound is hit exactly:
    # a convex combination, and sqrt(u^2 + 1) - 1 = u^2 / (sqrt(u^2 + 1) + 1) >= 0.
    s = (jnp.sin(u) + 1.0) / 2.0
    x_both = lo * (1.0 - s) + hi * s
    rise = u * u / (jnp.sqrt(u * u + 1.0) + 1.0)
    x_lo = lo + rise
    x_hi = hi - rise
    return jnp.where(both, x_both, jnp.where(lo_ok, x_lo, jnp.where(hi_ok, x_hi, u)))


def to_internal(x, lower, upper):
    """Inverse of :func:`to_external`, kept away from the maps' flat points.

    Values on a bound map to an internal point a small distance (``1e-3``)
    inside, where the gradient with respect to ``u`` does not vanish.

    Args:
        x: external values inside the bounds, shape (n,).
        lower, upper: bounds, shape (n,).

    Returns:
        Internal values, shape (n,).
    """
    x = np.asarray(x, dtype=float)
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    lo_ok, hi_ok = np.isfinite(lower), np.isfinite(upper)
    both = lo_ok & hi_ok
    lo = np.where(lo_ok, lower, 0.0)
    hi = np.where(hi_ok, upper, 1.0)
    width = np.where(both, hi - lo, 1.0)
    s = np.clip(2.0 * (x - lo) / width - 1.0, -1.0, 1.0)
    u_both = np.clip(np.arcsin(s), -np.pi / 2 + _EDGE, np.pi / 2 - _EDGE)
    u_lo = np.maximum(np.sqrt(np.maximum((x - lo + 1.0) ** 2 - 1.0, 0.0)), _EDGE)
    u_hi = np.maximum(np.sqrt(np.maximum((hi - x + 1.0) ** 2 - 1.0, 0.0)), _EDGE)
    return np.where(both, u_both, np.where(lo_ok, u_lo, np.where(hi_ok, u_hi, x)))
