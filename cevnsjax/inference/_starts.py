"""Starting points for multi-start minimisation: seeds spread over the prior/bound box.

A likelihood with several branches (e.g. a large negative neutrino charge radius
that flips the sign of the proton coupling) has a local minimum per branch, and
a Newton iteration stays on the branch it starts on.  The engines therefore also
start from seeds spread over a box of plausible values and keep the lowest
minimum.  The box of each free parameter is

* ``mean +- 2 sigma`` of its Gaussian constraint (model prior or a user
  constraint), intersected with its bounds;
* otherwise its bounds, when both are finite;
* otherwise the starting value alone (no seeds along an unbounded direction).

Seeds are a scrambled Halton sequence (fixed seed, so results are reproducible)
mapped linearly onto the box: the radical inverse of the point index in the d-th prime base with
each digit position's digits permuted at random (random digit scrambling; L. Kocis and
W. J. Whiten, ACM TOMS 23 (1997) 266), which keeps the stratification of the sequence (the first
b^k points fill every interval [i / b^k, (i + 1) / b^k) once) and removes the correlations of the
plain sequence between high dimensions.  Written with numpy, so that a fit imports no scipy.stats
(0.5 s of every command-line start).
"""

from __future__ import annotations

import functools

import numpy as np

from ._objective import Objective

PRIOR_SIGMAS = 2.0


def seed_box(obj: Objective) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper corners of the seed box of ``obj``'s free parameters, shape (n_free,) each."""
    ps = obj.model.parameters
    lo, hi = obj.x0.copy(), obj.x0.copy()
    for i, name in enumerate(obj.free):
        prior = obj.constraints.get(name, ps[name].constraint)
        if prior is not None:
            mean, sigma = prior
            lo[i] = max(obj.lower[i], mean - PRIOR_SIGMAS * sigma)
            hi[i] = min(obj.upper[i], mean + PRIOR_SIGMAS * sigma)
        elif np.isfinite(obj.lower[i]) and np.isfinite(obj.upper[i]):
            lo[i], hi[i] = obj.lower[i], obj.upper[i]
    return lo, hi


def box_seeds(obj: Objective, n: int) -> np.ndarray:
    """``n`` seeds spread over :func:`seed_box`, external values of shape (n, n_free)."""
    d = len(obj.free)
    if n == 0 or d == 0:
        return np.zeros((n, d))
    lo, hi = seed_box(obj)
    return lo + (hi - lo) * _halton(d, n)


@functools.lru_cache(maxsize=64)
def _halton(d: int, n: int) -> np.ndarray:
    """The first ``n`` points of the scrambled Halton sequence in ``d`` dimensions, shape (n, d) (read-only)."""
    rng = np.random.default_rng(0)
    index = np.arange(n)
    unit = np.empty((n, d))
    for j, base in enumerate(_primes(d)):
        digits = int(np.ceil(53 / np.log2(base)))  # down to the float64 resolution
        # one permutation of 0..base-1 per digit position, the leading zeros' digits included
        perms = np.argsort(rng.random((digits, base)), axis=1)
        rest, value, scale = index.copy(), np.zeros(n), 1.0 / base
        for k in range(digits):
            value += perms[k][rest % base] * scale
            rest //= base
            scale /= base
        unit[:, j] = value
    unit.flags.writeable = False
    return unit


def _primes(d: int) -> list[int]:
    """The first ``d`` prime numbers."""
    primes: list[int] = []
    candidate = 2
    while len(primes) < d:
        if all(candidate % p for p in primes if p * p <= candidate):
            primes.append(candidate)
        candidate += 1
    return primes


def distinct(chi2: np.ndarray, xs: np.ndarray, usable: np.ndarray, tolerance: float = 1e-4) -> np.ndarray:
    """The usable end points with distinct chi^2 (within ``tolerance``), lowest first.

    Args:
        chi2: chi^2 of each end point, shape (k,).
        xs: end points, shape (k, n).
        usable: converged end points, shape (k,).
        tolerance: chi^2 values closer than this count as the same minimum.

    Returns:
        The distinct end points, shape (j, n) with j <= k.
    """
    order = [i for i in np.argsort(chi2) if usable[i] and np.isfinite(chi2[i])]
    keep: list[int] = []
    for i in order:
        if not keep or chi2[i] - chi2[keep[-1]] > tolerance:
            keep.append(i)
    return xs[keep]
