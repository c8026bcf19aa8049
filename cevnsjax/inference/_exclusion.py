"""Exclusion limits on a coupling as a function of a mass: ``cj.exclusion``.

For every mass M of ``over`` and every coupling g of the grid, the chi^2 is minimised over the
nuisances (and any other free parameter) with (M, g) held: a profile in g at each mass, the
raster scan of light-mediator searches (arXiv:2008.05022).  A chunk of masses is one compiled
call: :func:`jax.vmap` over the masses of a :func:`jax.lax.scan` along the couplings, each point
minimised by the Newton solver of :mod:`._solve` from its neighbour's solution (the
nuisances move smoothly with g, so a point takes 2-4 Newton steps instead of ~10 from a cold
start).  The couplings are swept upwards from the SM value of ``param`` and then back downwards,
keeping the lower minimum of each point, so a branch found at one coupling spreads along the line.
The chunks of masses (padded to one size, so one compilation serves them all and nearby numbers of
masses) are split across the processes of a distributed run and gathered on every one
(:func:`~._distributed.map_chunks`); the chunking does not depend on the number of processes, so
the result is the single-process one bit for bit.

Delta chi^2 is taken from the global minimum over the grid and the SM point (``param`` at its SM
value, where the mass has no effect); at each confidence level CL the excluded couplings are those
with Delta chi^2 above the chi^2 quantile ``chi2.ppf(CL, dof)`` (``dof = 1``: one coupling at a
fixed mass).  The crossings are interpolated in log g on a log grid (in g on a linear one).  A
model can have several allowed regions at one mass: the universal Z' cancels the SM weak charge
and then flips its sign, so a second band of couplings where the rate equals the SM one is allowed
(docs/physics.md section 16); every allowed and excluded range is reported, and ``upper`` is the
lower edge of the first excluded range above the SM-like region (the usual exclusion curve).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from ..model import Model
from ._distributed import is_main, map_chunks
from ._intervals import intervals_at
from ._objective import Objective, build, compiled, warn_if_float32
from ._persist import attach
from ._result import ExclusionResult
from ._shapes import bucket
from ._solve import solve_internal
from ._transforms import to_external, to_internal

#: Masses per compiled call of :func:`exclusion` (the unit of work split across processes).  On a
#: CPU small chunks are faster, a vmapped Newton loop running every mass until the slowest has
#: converged: the argon 100 x 200 grid took 1.0-1.1 s of CPU time in chunks of 8, 1.4-1.5 s in one call.
MASS_CHUNK = 8


def threshold(cl: float, dof: int = 1) -> float:
    """The Delta chi^2 of confidence level ``cl`` for ``dof`` parameters (Wilks: the chi^2 quantile).

    Examples:
        >>> round(threshold(0.9), 4), round(threshold(0.95), 4), round(threshold(0.9, 2), 4)
        (2.7055, 3.8415, 4.6052)
    """
    if not 0 < cl < 1:
        raise ValueError(f"a confidence level must be in (0, 1), got {cl}")
    return float(stats.chi2.ppf(cl, dof))


def cl_key(cl: float) -> str:
    """The key of a confidence level in the result's mappings: ``0.9 -> "0.9"``."""
    return f"{cl:g}"


def log_spaced(grid: np.ndarray) -> bool:
    """Whether ``grid`` is positive and evenly spaced in log (then crossings are interpolated in log)."""
    grid = np.asarray(grid, dtype=float)
    if len(grid) < 3 or np.any(grid <= 0):
        return False
    step = np.diff(np.log(grid))
    return bool(np.allclose(step, step[0], rtol=1e-6))


def _sweeps(obj: Objective, names: tuple[str, str], tolerance: float, max_steps: int):
    """jit of ``(inputs, u0, masses, couplings) -> (chi2, u, edm, posdef)``, each (n_m, 1 + n_g).

    Column 0 is the SM point (coupling ``couplings[0]``); the rest the grid, swept up then down.
    """
    run = solve_internal(obj, tolerance=tolerance, max_steps=max_steps) if obj.free else None
    over, param = names

    def line(inputs, u0, mass, couplings):
        def step(u, g):
            held = {over: mass, param: g}
            if run is None:  # nothing to minimise: the chi^2 itself
                value = obj.chi2(inputs, u, held)
                return u, (value, u, jnp.zeros_like(value), jnp.isfinite(value))
            res = run(inputs, u, held)
            good = jnp.isfinite(res.fval) & jnp.all(jnp.isfinite(res.u))
            return jnp.where(good, res.u, u), (res.fval, res.u, res.edm, res.posdef)

        last, up = jax.lax.scan(step, u0, couplings)
        _, down = jax.lax.scan(step, last, couplings, reverse=True)
        lower = ~(down[0] >= up[0]) & jnp.isfinite(down[0])  # NaN in the upward sweep loses
        return tuple(jnp.where(lower.reshape((-1,) + (1,) * (a.ndim - 1)), d, a) for a, d in zip(up, down))

    return jax.jit(jax.vmap(line, in_axes=(None, None, 0, None)))


def _ranges(grid: np.ndarray, delta: np.ndarray, level: float, log: bool):
    """(allowed, excluded) ranges of one mass at one level; open ends None."""
    x = np.log(grid) if log else grid
    back = np.exp if log else (lambda v: v)
    allowed = [
        (None if lo is None else float(back(lo)), None if hi is None else float(back(hi)))
        for lo, hi in intervals_at(x, delta, level)
    ]
    excluded, edge = [], None  # the complement inside the grid, from its lower end
    for lo, hi in allowed:
        if lo is not None:
            excluded.append((edge, lo))
        edge = hi
        if hi is None:
            break
    else:
        excluded.append((edge, None))
    return allowed, excluded


def _upper(allowed, excluded) -> float:
    """The lower edge of the first excluded range above the SM-like region, NaN if none in the grid."""
    if not allowed or allowed[0][0] is not None or not excluded:
        return float("nan")  # the lowest coupling is already excluded, or nothing is
    return excluded[0][0]


def exclusion(
    model: Model,
    param: str = "g_zprime",
    over: tuple[str, Sequence[float]] = ("m_zprime", ()),
    grid: Sequence[float] | None = None,
    *,
    range: tuple[float, float] | None = None,
    points: int = 200,
    log: bool = True,
    cl: float | Iterable[float] = 0.9,
    dof: int = 1,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    start: Mapping[str, float] | None = None,
    constraints: Mapping[str, Sequence[float]] | None = None,
    tolerance: float = 1e-4,
    max_steps: int = 50,
    chunk_size: int = MASS_CHUNK,
    output: str | os.PathLike | None = None,
) -> ExclusionResult:
    """Exclusion limits on the coupling ``param`` as a function of the mass ``over``.

    Args:
        model: the likelihood model (an experiment or a combination).
        param: the coupling, e.g. ``g_zprime`` or ``g_phi``.
        over: ``(mass name, masses)``, e.g. ``("m_zprime", np.geomspace(1, 1e4, 60))`` [MeV];
            masses strictly increasing inside the parameter's bounds.
        grid: the couplings, strictly increasing inside the bounds; or give ``range`` and ``points``.
        range: ``(lo, hi)`` of the couplings (with ``points`` and ``log``).
        points: number of couplings with ``range``.
        log: log-spaced couplings with ``range`` (``lo`` must be positive).
        cl: confidence level(s), e.g. 0.9 or ``[0.9, 0.95]``.
        dof: degrees of freedom of the Delta chi^2 thresholds (1: a raster scan, one coupling per mass).
        free: as for :func:`~cevnsjax.inference.fit`; re-minimised at every point.
        fixed: as for :func:`~cevnsjax.inference.fit`.
        start: as for :func:`~cevnsjax.inference.fit`: where the sweeps start at the SM point.
        constraints: as for :func:`~cevnsjax.inference.fit`.
        tolerance: EDM tolerance of each point (chi^2 units; limits need 1e-2).
        max_steps: Newton iteration limit per point.
        chunk_size: masses per compiled call (the chunks are split across the processes of a
            distributed run; the result does not depend on the number of processes).
        output: JSON file for the whole result (``cj.load``, ``cevnsjax plot``; written by
            process 0 of a distributed run).

    Returns:
        The :class:`~cevnsjax.inference.ExclusionResult`: Delta chi^2 on the grid, the allowed
        and excluded coupling ranges per mass and CL, and ``upper``.

    Examples:
        >>> import numpy as np
        >>> from cevnsjax.model import FunctionModel
        >>> from cevnsjax.parameters import Parameter, ParameterSet
        >>> ps = ParameterSet([Parameter("g", 0.0, lower=0.0, upper=10.0), Parameter("m", 1.0, lower=0.1, upper=10.0),
        ...                    Parameter("b", 0.0, free=True)])
        >>> m = FunctionModel(lambda p: (p["g"] / p["m"]) ** 4 + (p["b"] - p["g"]) ** 2, ps)
        >>> r = exclusion(m, "g", ("m", [1.0, 2.0]), range=(1e-3, 10.0), points=201, cl=0.9)
        >>> [round(float(u), 2) for u in r.upper["0.9"]]  # (g/m)^4 = 2.7055: g = 1.2825 m
        [1.28, 2.56]
    """
    warn_if_float32("exclusion")
    ps = model.parameters
    param, (over_name, masses) = ps.canonical(param), over
    over_name = ps.canonical(over_name)
    if over_name == param:
        raise ValueError(f"the coupling and the mass must be different parameters, got '{param}' twice")
    masses = _check_axis(model, over_name, masses, "masses")
    couplings = _couplings(model, param, grid, range, points, log)
    levels = [float(c) for c in ([cl] if np.isscalar(cl) else cl)]
    if not levels:
        raise ValueError("give at least one confidence level (cl)")
    limits = {cl_key(c): threshold(c, dof) for c in levels}
    sm = float(ps[param].default)
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size!r}: must be a positive integer (masses per compiled call)")

    obj = build(model, free, fixed, start, constraints, exclude=(over_name, param))
    names = (over_name, param)
    n = len(obj.free)
    sweep = compiled(obj, "exclusion", lambda o: _sweeps(o, names, tolerance, max_steps), names, tolerance, max_steps)
    u0 = jnp.asarray(to_internal(obj.x0, obj.lower, obj.upper) if n else np.zeros(0))
    line = jnp.asarray(np.r_[sm, couplings])
    size = min(int(chunk_size), bucket(len(masses)))  # padded: one program for every chunk
    n_chunks = -(-len(masses) // size)
    padded = np.pad(masses, (0, n_chunks * size - len(masses)), mode="edge")

    def chunk(c):
        out = sweep(obj.inputs, u0, jnp.asarray(padded[c * size : (c + 1) * size]), line)
        return dict(zip(("chi2", "u", "edm", "posdef"), out))

    parts = map_chunks(n_chunks, chunk)
    chi2, u, edm, posdef = (
        np.concatenate([p[k] for p in parts])[: len(masses)] for k in ("chi2", "u", "edm", "posdef")
    )
    chi2 = chi2.astype(float)
    x = np.asarray(to_external(jnp.asarray(u), jnp.asarray(obj.lower), jnp.asarray(obj.upper))) if n else u
    converged = np.isfinite(chi2) & posdef & (edm < tolerance)
    chi2_sm = float(np.nanmin(chi2[:, 0]))
    grid_chi2 = chi2[:, 1:]
    finite = np.where(np.isfinite(grid_chi2), grid_chi2, np.inf)
    k = np.unravel_index(np.argmin(finite), finite.shape)
    if finite[k] < chi2_sm:
        chi2_min, best = float(finite[k]), {over_name: float(masses[k[0]]), param: float(couplings[k[1]])}
    else:
        chi2_min, best = chi2_sm, {over_name: float("nan"), param: sm}
    delta = grid_chi2 - chi2_min
    in_log = log_spaced(couplings)
    allowed, excluded, upper = {}, {}, {}
    for key, level in limits.items():
        pairs = [_ranges(couplings, d, level, in_log) for d in delta]
        allowed[key] = [a for a, _ in pairs]
        excluded[key] = [e for _, e in pairs]
        upper[key] = np.array([_upper(a, e) for a, e in pairs])
    result = ExclusionResult(
        param=param,
        over=over_name,
        masses=masses,
        grid=couplings,
        chi2=grid_chi2,
        delta_chi2=delta,
        chi2_min=chi2_min,
        chi2_sm=chi2_sm,
        best_point=best,
        cl=tuple(levels),
        thresholds=limits,
        dof=int(dof),
        allowed=allowed,
        ranges=excluded,
        upper=upper,
        converged=converged[:, 1:],
        nuisances={name: x[:, 1:, i] for i, name in enumerate(obj.free)},
    )
    attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints, tolerance=tolerance)
    if output is not None and is_main():
        result.to_json(output)
    return result


def _check_axis(model: Model, name: str, values, what: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) < 1:
        raise ValueError(f"the {what} of '{name}' must be a 1D array of at least one value")
    if not np.all(np.isfinite(values)) or np.any(np.diff(values) <= 0):
        raise ValueError(f"the {what} of '{name}' must be finite and strictly increasing")
    model.parameters[name].check(values.min())
    model.parameters[name].check(values.max())
    return values


def _couplings(model: Model, param: str, grid, span, points: int, log: bool) -> np.ndarray:
    if (grid is None) == (span is None):
        raise ValueError("give the couplings either as grid=... or as range=(lo, hi) with points=N")
    if grid is None:
        lo, hi = (float(v) for v in span)
        if int(points) != points or points < 2:
            raise ValueError(f"points must be an integer >= 2, got {points}")
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise ValueError(f"range ({lo}, {hi}) of '{param}': need finite lo < hi")
        if log and lo <= 0:
            raise ValueError(f"a log grid of '{param}' needs lo > 0, got {lo}; use log=False for a linear grid")
        grid = np.geomspace(lo, hi, int(points)) if log else np.linspace(lo, hi, int(points))
    values = _check_axis(model, param, grid, "couplings")
    if len(values) < 2:
        raise ValueError(f"the couplings of '{param}' need at least 2 values")
    return values
