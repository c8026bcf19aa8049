"""Confidence intervals and contours from Delta chi^2 curves on a grid.

Thresholds are Wilks' theorem values for one and two parameters as quoted in
docs/physics.md section 12 (1 dof: 1, 2.71, 4, 6.63, 9; 2 dof: 2.30, 4.61, 6.18,
9.21, 11.83 for 1 sigma, 90%, 2 sigma, 99%, 3 sigma).
"""

from __future__ import annotations

import contourpy
import numpy as np

# thresholds on the profile Delta chi^2 of Eq. (88) of docs/physics.md (table of section 12)
LEVELS_1D: dict[str, float] = {"1sigma": 1.0, "90%": 2.71, "2sigma": 4.0, "99%": 6.63, "3sigma": 9.0}
LEVELS_2D: dict[str, float] = {"1sigma": 2.30, "90%": 4.61, "2sigma": 6.18, "99%": 9.21, "3sigma": 11.83}


def _crossing(x, y, i: int, threshold: float, inside: int) -> float:
    """Where the curve crosses ``threshold`` between grid points ``i`` and ``i + 1``.

    A parabola through the bracket and the next point on the ``inside`` side
    (index ``inside``) is solved when its root falls in the bracket (exact for a
    Gaussian likelihood); otherwise linear interpolation.
    """
    x0, x1, y0, y1 = x[i], x[i + 1], y[i], y[i + 1]
    linear = x0 + (threshold - y0) * (x1 - x0) / (y1 - y0)
    if not 0 <= inside < len(x):
        return float(linear)
    idx = sorted({i, i + 1, inside})
    xs, ys = x[idx], y[idx]
    if not np.all(np.isfinite(ys)):
        return float(linear)
    centre, width = xs.mean(), np.ptp(xs)
    coef = np.polyfit((xs - centre) / width, ys - threshold, 2)
    roots = np.roots(coef)
    roots = centre + width * roots[np.isreal(roots)].real
    lo, hi = min(x0, x1), max(x0, x1)
    good = roots[(roots >= lo) & (roots <= hi)]
    return float(good[0]) if len(good) == 1 else float(linear)


def intervals_at(grid, delta_chi2, threshold: float) -> list[tuple[float | None, float | None]]:
    """The regions where ``delta_chi2 <= threshold``, as (lo, hi) pairs.

    Args:
        grid: increasing parameter values, shape (n,).
        delta_chi2: profile Delta chi^2 on the grid, shape (n,); NaN counts as outside.
        threshold: the Delta chi^2 level.

    Returns:
        One pair per disjoint region, in grid order; an end where the curve is
        still below the threshold at the edge of the grid is None (open).

    Examples:
        >>> import numpy as np
        >>> x = np.linspace(-3, 3, 61)
        >>> [(round(lo, 6), round(hi, 6)) for lo, hi in intervals_at(x, x**2, 4.0)]
        [(-2.0, 2.0)]
    """
    x = np.asarray(grid, dtype=float)
    y = np.asarray(delta_chi2, dtype=float)
    inside = np.zeros(len(y), dtype=bool)
    np.less_equal(y, threshold, out=inside, where=np.isfinite(y))
    out = []
    i, n = 0, len(x)
    while i < n:
        if not inside[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and inside[j + 1]:
            j += 1
        lo = None if i == 0 or not np.isfinite(y[i - 1]) else _crossing(x, y, i - 1, threshold, i + 1)
        hi = None if j == n - 1 or not np.isfinite(y[j + 1]) else _crossing(x, y, j, threshold, j - 1)
        out.append((lo, hi))
        i = j + 1
    return out


def intervals(grid, delta_chi2, levels: dict[str, float] = LEVELS_1D) -> dict[str, list]:
    """:func:`intervals_at` for each named level (default: the 1-dof levels)."""
    return {name: intervals_at(grid, delta_chi2, t) for name, t in levels.items()}


def contours(grid_a, grid_b, delta_chi2, levels: dict[str, float] = LEVELS_2D) -> dict[str, list[np.ndarray]]:
    """Contour lines of a 2D Delta chi^2 surface at the 2-dof levels.

    Args:
        grid_a, grid_b: the two parameter grids, shapes (na,), (nb,).
        delta_chi2: surface, shape (na, nb) with ``[i, j]`` at ``(grid_a[i], grid_b[j])``.
        levels: ``name -> threshold``.

    Returns:
        ``name -> list of polygons``, each an array of shape (k, 2) of ``(a, b)``
        points (closed loops repeat their first point; lines ending on the grid
        edge are open).
    """
    z = np.ma.masked_invalid(np.asarray(delta_chi2, dtype=float).T)
    gen = contourpy.contour_generator(np.asarray(grid_a, float), np.asarray(grid_b, float), z)
    return {name: [np.asarray(line) for line in gen.lines(t)] for name, t in levels.items()}
