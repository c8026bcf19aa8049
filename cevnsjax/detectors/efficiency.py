"""Detection efficiencies in the reconstructed observable (docs/physics.md section 10).

Every function is pure and works on numpy float64 arrays at build time (numpy out) and on
jax arrays or tracers at run time (differentiable with :func:`jax.grad`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def _xp(*args):
    """jax.numpy if any argument is a jax array or tracer, else numpy."""
    return jnp if any(isinstance(x, jax.Array) for x in args) else np


def logistic(x, a, b, c, d=0.0):
    """eff(x) = max(0, a/(1 + exp(-b(x - c))) + d) (CsI[Na] 2021 ``effCoefficients.txt``, arXiv:2110.07730).

    Args:
        x: observable (e.g. PE), any shape.
        a: plateau above d; b: steepness [1/unit of x]; c: midpoint [unit of x]; d: offset.

    Returns:
        Efficiency in [0, a + d], shape of ``x``.
    """
    xp = _xp(x, a, b, c, d)
    x = xp.asarray(x, dtype=float)
    return xp.maximum(0.0, a / (1.0 + xp.exp(-b * (x - c))) + d)  # Eq. (69) of docs/physics.md (arXiv:2110.07730)


def logistic_zero(a, b, c, d):
    """The x where :func:`logistic` reaches zero: c - ln(a/(-d) - 1)/b if d < 0 < a + d, else -inf.

    Args:
        a: the :func:`logistic` coefficient a (scalar).
        b: the :func:`logistic` coefficient b (scalar).
        c: the :func:`logistic` coefficient c (scalar).
        d: the :func:`logistic` coefficient d (scalar).

    Returns:
        The zero [unit of x] (0-d array), -inf when the efficiency never vanishes.
    """
    xp = _xp(a, b, c, d)
    has_zero = (d < 0) & (0 < a + d)
    ratio = xp.where(has_zero, a / xp.where(has_zero, -d, 1.0) - 1.0, 1.0)  # safe: no log(<=0) or 1/0
    return xp.where(has_zero, c - xp.log(ratio) / b, -xp.inf)  # zero of Eq. (69) of docs/physics.md


def tabulated(x, table_x, table_eff):
    """Efficiency interpolated linearly in a table: 0 below it, the last value above (arXiv:2003.10630).

    Args:
        x: observable (e.g. keVee), any shape.
        table_x: increasing abscissae, shape (n,); table_eff: efficiencies there, shape (n,).

    Returns:
        Efficiency, shape of ``x``.
    """
    xp = _xp(x, table_x, table_eff)
    table_eff = xp.asarray(table_eff, dtype=float)
    return xp.interp(
        xp.asarray(x, dtype=float), xp.asarray(table_x, dtype=float), table_eff, left=0.0, right=table_eff[-1]
    )


def timing_exponential(t, t0, rate):
    """Timing efficiency 1 for t < t0, exp(-rate (t - t0)) after (CsI[Na] 2021, arXiv:2110.07730).

    Args:
        t: time [us], any shape; t0: start of the decay [us]; rate: [1/us].

    Returns:
        Efficiency, shape of ``t``.
    """
    xp = _xp(t, t0, rate)
    t = xp.asarray(t, dtype=float)
    return xp.where(t < t0, 1.0, xp.exp(-rate * (t - t0)))  # Eq. (70) of docs/physics.md (arXiv:2110.07730)


def integrated_timing_exponential(t, t0, rate):
    """int_0^t :func:`timing_exponential` dt' = min(t, t0) + (1 - exp(-rate max(t - t0, 0)))/rate.

    Args:
        t: time [us] (>= 0), any shape; t0: start of the decay [us]; rate: [1/us].

    Returns:
        The integral [us], shape of ``t``.
    """
    xp = _xp(t, t0, rate)
    t = xp.asarray(t, dtype=float)
    after = xp.maximum(t - t0, 0.0)
    return xp.minimum(t, t0) + (1.0 - xp.exp(-rate * after)) / rate  # int_0^t of Eq. (70) of docs/physics.md


def counting_acceptance(n, a, k, x0, full_from=6, half_from=5):
    """Acceptance at integer counts: a/(1 + exp(-k(n - x0))) for n >= full_from, half of it from half_from, else 0.

    COHERENT CsI[Na] 2017 release (arXiv:1708.01294, arXiv:1804.09459): a = 0.6655, k = 0.4942, x0 = 10.8507.

    Args:
        n: photoelectron counts, any shape.
        a: plateau; k: steepness [1/PE]; x0: midpoint [PE]; full_from, half_from: thresholds [PE].

    Returns:
        Acceptance, shape of ``n``.
    """
    xp = _xp(n, a, k, x0)
    n = xp.asarray(n, dtype=float)
    full = a / (1.0 + xp.exp(-k * (n - x0)))  # A(n) of Eq. (74) of docs/physics.md (arXiv:1708.01294)
    return xp.where(n >= full_from, full, xp.where(n >= half_from, 0.5 * full, 0.0))
