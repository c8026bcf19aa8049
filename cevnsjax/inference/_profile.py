"""Profile likelihoods in one and two parameters.

At every grid point the profiled parameters are held at the point's values and
every other free parameter is re-minimised.  A likelihood can have several
branches (local minima in the other parameters), and a minimiser stays on the
branch it starts on, so each point is minimised from several starts and the
lowest minimum is kept:

1. the distinct minima of the global fit's multi-start
   (:func:`~cevnsjax.inference._fit.multistart`: one per branch it found);
2. ``restarts`` seeds per point from the prior/bound box (:mod:`._starts`; each
   point gets different seeds, so the grid as a whole explores the box densely);
3. neighbour sweeps: every point is re-minimised from its grid neighbours'
   solutions, repeated while any point improves, so a branch found at one point
   spreads along the whole curve.

A 2D profile does the starts of 1 and 2 only at a coarse subgrid (:data:`COARSE`
points per axis, the corners included), and its sweeps run along whole rows and
columns (:func:`~cevnsjax.inference._sweeps.line_sweeps`: each point started from
its neighbour's minimum with the neighbour's Hessian, quasi-Newton, the rows
vmapped), rows and columns in turn until a sweep improves no point; every point is
then re-minimised with the exact Hessian from its swept minimum, which decides its
convergence.  Cold starts at every point cost ~20 Hessians each, a swept point a few
gradients.

All minimisations go through one ``jax.vmap``-ed Newton solver
(:func:`~cevnsjax.inference._solve.solve_rows`) in padded chunks (one
compilation), with a progress bar over the minimisations.  The global minimum is
the global fit, re-fitted from the profile's lowest point when that is lower,
and is shared by every profile of the same model with the same free set and
fixed values: the lowest found so far is remembered, so all the scans of one
model report one global minimum.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import weakref
from collections.abc import Iterable, Mapping, Sequence

import jax.numpy as jnp
import numpy as np
from tqdm import tqdm

from ..model import Model
from ..parameters import ParameterError
from ._checkpoint import Checkpoint, open_run
from ._distributed import map_chunks
from ._fit import LOCAL_MINIMUM_DCHI2, RESTARTS, fit_from_rows, multistart
from ._intervals import LEVELS_1D, LEVELS_2D, contours, intervals
from ._objective import Objective, build, compiled, warn_if_float32
from ._persist import attach
from ._result import FitResult, Profile2DResult, ProfileResult
from ._shapes import bucket
from ._solve import solve_rows
from ._starts import box_seeds, distinct
from ._sweeps import SWEEP_DCHI2, line_sweeps
from ._transforms import to_external, to_internal

# 2D profiles: multi-starts at COARSE points per axis; at most SWEEP_STEPS iterations per swept point
COARSE = 3
SWEEP_STEPS = 50

# lowest global minimum found per (model, free set, other values, constraints)
_GLOBAL: dict[tuple, tuple[weakref.ref, FitResult]] = {}


def _check_grid(model: Model, name: str, grid) -> np.ndarray:
    values = np.asarray(grid, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"the grid of '{name}' must be a 1D array of at least 2 values")
    if np.any(np.diff(values) <= 0):
        raise ValueError(f"the grid of '{name}' must be strictly increasing")
    model.parameters[name].check(values.min())
    model.parameters[name].check(values.max())
    return values


def _neighbours(shape: tuple[int, ...]) -> np.ndarray:
    """Flat indices of the grid neighbours (+-1 along each axis) of every point, -1 where none."""
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    out = []
    for axis in range(len(shape)):
        for step in (-1, 1):
            shifted = np.full(shape, -1)
            src = [slice(None)] * len(shape)
            dst = [slice(None)] * len(shape)
            src[axis] = slice(max(0, step), shape[axis] + min(0, step))
            dst[axis] = slice(max(0, -step), shape[axis] + min(0, -step))
            shifted[tuple(dst)] = idx[tuple(src)]
            out.append(shifted.ravel())
    return np.stack(out, axis=1)


def _better(chi2, ok, best_chi2, best_ok) -> bool:
    """Whether (chi2, ok) replaces (best_chi2, best_ok): converged beats not, then lower by SWEEP_DCHI2."""
    if ok != best_ok:
        return bool(ok)
    return bool(np.isfinite(chi2) and not chi2 >= best_chi2 - SWEEP_DCHI2)


def _shared_global(model: Model, every: Objective, best: FitResult) -> FitResult:
    """The lower of ``best`` and the global minimum remembered for the same model and settings."""
    others = tuple(sorted((n, v) for n, v in every.base.items() if n not in every.free))
    key = (id(model), every.free, others, tuple(sorted(every.constraints.items())))
    ref, known = _GLOBAL.get(key, (None, None))
    if ref is not None and ref() is model and known.chi2_min < best.chi2_min:
        return known
    with contextlib.suppress(TypeError):  # a model that cannot be weakly referenced is not remembered
        # the dict is bound now: at interpreter exit the module's globals may already be None
        _GLOBAL[key] = (weakref.ref(model, lambda _, key=key, store=_GLOBAL: store.pop(key, None)), best)
    return best


def _seeded(obj, names, points, branches, restarts, settings, size, bar, checkpoint):
    """The lowest minimum at each of ``points`` from the ``branches`` starts and ``restarts`` box seeds."""
    m, n = len(points), len(obj.free)
    if n:
        seeds = box_seeds(obj, m * restarts).reshape(m, restarts, n)
        starts = np.concatenate([np.broadcast_to(branches, (m, *branches.shape)), seeds], axis=1)
    else:
        starts = np.zeros((m, 1, 0))
    s = starts.shape[1]
    bar.total += m * s
    rows = solve_rows(
        obj,
        names,
        starts.reshape(m * s, n),
        np.repeat(points, s, axis=0),
        **settings,
        size=size(m * s),
        bar=bar,
        checkpoint=checkpoint,
    )
    chi2, ok, x = (a.reshape(m, s, *a.shape[1:]) for a in (rows.chi2, rows.ok, rows.x))
    rank = np.where(ok, chi2, np.where(np.isfinite(chi2), 1e300, np.inf))
    pick = np.argmin(rank, axis=1)
    return tuple(a[np.arange(m), pick] for a in (chi2, ok, x))


def _every_point(obj, names, points, shape, branches, restarts, settings, batch_size, bar, checkpoint):
    """Every point from every start, then neighbour sweeps until no point improves (1D profiles)."""
    m, n = len(points), len(obj.free)
    s = len(branches) + restarts if n else 1
    size = max(1, min(batch_size, bucket(m * s)))  # padded: nearby grid lengths share the compiled solver
    chi2, ok, x = _seeded(obj, names, points, branches, restarts, settings, lambda _: size, bar, checkpoint)
    if n:  # neighbour sweeps until no point improves (each pass spreads a branch by one step)
        nbr = _neighbours(shape)
        changed = np.ones(m, bool)
        for _ in range(m):
            target, which = np.nonzero((nbr >= 0) & changed[np.maximum(nbr, 0)])
            if not len(target):
                break
            source = nbr[target, which]
            bar.total += len(target)
            new = solve_rows(
                obj, names, x[source], points[target], **settings, size=size, bar=bar, checkpoint=checkpoint
            )
            changed = np.zeros(m, bool)
            for k in range(len(target)):
                i = target[k]
                if _better(new.chi2[k], new.ok[k], chi2[i], ok[i]):
                    chi2[i], ok[i], x[i], changed[i] = new.chi2[k], new.ok[k], new.x[k], True
    return chi2, ok, x


def _coarse(shape: tuple[int, ...]) -> np.ndarray:
    """Flat indices of a coarse subgrid: :data:`COARSE` points per axis, the ends included."""
    axes = [np.unique(np.linspace(0, k - 1, min(k, COARSE)).round().astype(int)) for k in shape]
    return np.ravel_multi_index(tuple(np.meshgrid(*axes, indexing="ij")), shape).ravel()


def _grid_sweeps(obj, names, points, shape, branches, restarts, settings, batch_size, bar, checkpoint):
    """Multi-starts at a coarse subgrid, line sweeps along rows and columns, an exact check at every point (2D)."""
    m, n = len(points), len(obj.free)
    coarse = _coarse(shape)
    size = max(1, min(batch_size, bucket(len(coarse) * (len(branches) + restarts))))
    chi2_c, _, x_c = _seeded(obj, names, points[coarse], branches, restarts, settings, lambda _: size, bar, checkpoint)
    lower, upper = obj.lower, obj.upper
    have = np.full(m, np.inf)
    u = np.broadcast_to(to_internal(obj.x0, lower, upper), (m, n)).copy()
    finite = np.isfinite(chi2_c)
    have[coarse[finite]] = chi2_c[finite]
    u[coarse[finite]] = to_internal(x_c[finite], lower, upper)
    steps = min(settings["max_steps"], SWEEP_STEPS)
    sweep = compiled(
        obj,
        "sweeps",
        lambda o: line_sweeps(o, names, settings["tolerance"], steps),
        names,
        settings["tolerance"],
        steps,
    )
    grid = points.reshape(*shape, len(names))
    start = to_internal(obj.x0, lower, upper)
    for k in range(2 * max(shape)):  # rows, columns, rows, ... until a sweep changes nothing
        order = (0, 1) if k % 2 == 0 else (1, 0)
        values = grid.transpose(*order, 2)
        old = have.reshape(shape).transpose(order)
        u_lines = u.reshape(*shape, n).transpose(*order, 2)
        u0 = np.where(np.isfinite(old[:, :1]), u_lines[:, 0], start)

        def compute(_, values=values, old=old, u_lines=u_lines, u0=u0):
            out = sweep(obj.inputs, jnp.asarray(u0), jnp.asarray(values), jnp.asarray(u_lines), jnp.asarray(old))
            return {"chi2": out[0], "u": out[1]}

        bar.total += m
        if checkpoint is not None:
            checkpoint.total = (checkpoint.total or 0) + 1
        (done,) = map_chunks(1, compute, checkpoint=checkpoint, done=lambda _: bar.update(m))
        new = np.asarray(done["chi2"], float).transpose(order).ravel()
        changed = np.isfinite(new) & ~(new >= have - SWEEP_DCHI2)
        have, u = new, np.asarray(done["u"], float).transpose(*order, 2).reshape(m, n)
        if k and not changed.any():
            break
    x = np.asarray(to_external(jnp.asarray(u), jnp.asarray(lower), jnp.asarray(upper)))
    bar.total += m
    rows = solve_rows(obj, names, x, points, **settings, size=size, bar=bar, checkpoint=checkpoint)
    return rows.chi2, rows.ok, rows.x


def _profile_points(
    model: Model,
    names: Sequence[str],
    points: np.ndarray,
    shape: tuple[int, ...],
    free,
    fixed,
    start,
    constraints,
    *,
    tolerance: float,
    max_steps: int,
    batch_size: int,
    progress: bool | None,
    restarts: int,
    checkpoint: Checkpoint | None = None,
) -> tuple[FitResult, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Profiled chi^2 at ``points`` (shape (m, len(names)), a grid of ``shape``) and the global fit."""
    if int(restarts) != restarts or restarts < 0:
        raise ValueError(f"restarts must be a non-negative integer, got {restarts}")
    restarts = int(restarts)
    fixed = dict(fixed or {})
    for name in names:
        if name in fixed:
            raise ParameterError(f"'{name}' is profiled and cannot also be fixed")
    start = dict(start or {})
    free = [] if free is None else [free] if isinstance(free, str) else list(free)
    settings = dict(tolerance=tolerance, max_steps=max_steps)
    every = build(model, [*free, *(n for n in names if n not in free)], fixed, start, constraints)
    global_rows = multistart(every, restarts, **settings)
    best = fit_from_rows(every, global_rows, **settings, restarts=restarts, one_sided=False)
    obj = build(model, [n for n in free if n not in names], fixed, None, constraints, exclude=names)
    warm = {n: best.values[n] for n in obj.free if np.isfinite(best.values[n])}
    obj = dataclasses.replace(obj, base={**obj.base, **warm})
    names = tuple(names)

    n = len(obj.free)
    branches = np.zeros((1, 0))
    if n:  # starts: the warm start and one per branch of the global fit
        cols = [every.free.index(name) for name in obj.free]
        branches = distinct(global_rows.chi2, global_rows.x, global_rows.ok)[:, cols]
        branches = np.concatenate([obj.x0[None], branches])
    bar = tqdm(
        total=0, desc=f"profile {' x '.join(names)}", unit="fit", disable=None if progress is None else not progress
    )
    with bar:
        if n and len(shape) == 2:
            chi2, ok, x = _grid_sweeps(
                obj, names, points, shape, branches, restarts, settings, batch_size, bar, checkpoint
            )
        else:
            chi2, ok, x = _every_point(
                obj, names, points, shape, branches, restarts, settings, batch_size, bar, checkpoint
            )
    nuisances = {name: x[:, i] for i, name in enumerate(obj.free)}

    k = int(np.argmin(np.where(np.isfinite(chi2), chi2, np.inf)))
    if np.isfinite(chi2[k]) and chi2[k] < best.chi2_min - LOCAL_MINIMUM_DCHI2:
        # the profile went below the global fit: re-fit from that point (the same compiled solver)
        point = {**dict(zip(names, points[k])), **dict(zip(obj.free, x[k]))}
        row = np.array([point[name] for name in every.free])
        polish = solve_rows(
            every,
            (),
            np.repeat(row[None], restarts + 1, axis=0),
            np.zeros((restarts + 1, 0)),
            **settings,
            size=restarts + 1,
            checkpoint=checkpoint,
        )
        refit = fit_from_rows(every, polish, **settings, restarts=restarts, one_sided=False)
        if refit.chi2_min < best.chi2_min:
            best = refit
    return _shared_global(model, every, best), chi2, ok, nuisances


def profile(
    model: Model,
    name: str,
    grid,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    start: Mapping[str, float] | None = None,
    constraints: Mapping[str, Sequence[float]] | None = None,
    *,
    tolerance: float = 1e-6,
    max_steps: int = 200,
    batch_size: int = 256,
    progress: bool | None = None,
    output: str | os.PathLike | None = None,
    resume: bool = False,
    restarts: int = RESTARTS,
) -> ProfileResult:
    """One-dimensional profile likelihood of ``name``.

    Args:
        model: the likelihood model.
        name: the profiled parameter.
        grid: its values, strictly increasing, inside its bounds (its unit).
        free: as for :func:`~cevnsjax.inference.fit`; re-minimised at every grid point.
        fixed: as for :func:`~cevnsjax.inference.fit`.
        start: as for :func:`~cevnsjax.inference.fit`.
        constraints: as for :func:`~cevnsjax.inference.fit`.
        tolerance: EDM tolerance of the global fit and of each point.
        max_steps: Newton iteration limit per minimisation.
        batch_size: minimisations per vmapped chunk (memory vs. speed).
        progress: progress bar on stderr (None: only on a terminal).
        output: JSON file rewritten after every chunk of ``batch_size`` points with the finished
            ones, and with the whole result at the end (``cj.load``).
        resume: continue an interrupted run from ``output`` (same arguments), to the result an
            uninterrupted run gives.
        restarts: box seeds per grid point, and restarts of the global fit (see the
            module docstring); 0 with a single-branch likelihood for speed.

    Returns:
        The :class:`~cevnsjax.inference.ProfileResult` with Delta chi^2 and the
        intervals at 1 sigma, 90%, 2 sigma, 99% and 3 sigma.

    Examples:
        >>> import numpy as np
        >>> from cevnsjax.model import FunctionModel
        >>> from cevnsjax.parameters import Parameter, ParameterSet
        >>> m = FunctionModel(lambda p: (p["x"] - 2.0) ** 2 + (p["y"] - p["x"]) ** 2,
        ...                   ParameterSet([Parameter("x", 0.0), Parameter("y", 0.0, free=True)]))
        >>> r = profile(m, "x", np.linspace(-1, 5, 61), progress=False)
        >>> [round(v, 6) for v in r.intervals["1sigma"][0]]
        [1.0, 3.0]
    """
    warn_if_float32("profile")
    name = model.parameters.canonical(name)
    grid = _check_grid(model, name, grid)
    points = grid[:, None]
    settings = dict(
        params=[name],
        grid=[grid],
        restarts=restarts,
        free=free,
        fixed=fixed,
        start=start,
        constraints=constraints,
        tolerance=tolerance,
        max_steps=max_steps,
        batch_size=batch_size,
    )
    checkpoint, finished = open_run(output, "ProfileResult", model, settings, resume=resume)
    if finished is not None:
        return finished
    best, chi2, ok, nuisances = _profile_points(
        model,
        [name],
        points,
        (len(grid),),
        free,
        fixed,
        start,
        constraints,
        tolerance=tolerance,
        max_steps=max_steps,
        batch_size=batch_size,
        progress=progress,
        checkpoint=checkpoint,
        restarts=restarts,
    )
    chi2_min, best_fit = best.chi2_min, dict(best.values)
    delta = chi2 - chi2_min
    result = ProfileResult(
        param=name,
        grid=grid,
        chi2=chi2,
        delta_chi2=delta,
        chi2_min=chi2_min,
        best_fit=best_fit,
        ndof=best.ndof,
        intervals=intervals(grid, delta, LEVELS_1D),
        converged=ok,
        nuisances=nuisances,
        fit=best,
    )
    attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints)
    if checkpoint is not None:
        checkpoint.finish(result)
    return result


def profile2d(
    model: Model,
    names: tuple[str, str],
    grids: tuple,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    start: Mapping[str, float] | None = None,
    constraints: Mapping[str, Sequence[float]] | None = None,
    *,
    tolerance: float = 1e-6,
    max_steps: int = 200,
    batch_size: int = 256,
    progress: bool | None = None,
    output: str | os.PathLike | None = None,
    resume: bool = False,
    restarts: int = RESTARTS,
) -> Profile2DResult:
    """Two-dimensional profile likelihood of ``names = (a, b)``.

    Args:
        model: the likelihood model.
        names: the two profiled parameters.
        grids: ``(grid_a, grid_b)``, each strictly increasing inside the bounds.
        free: as for :func:`~cevnsjax.inference.fit`; re-minimised at every grid point.
        fixed: as for :func:`~cevnsjax.inference.fit`.
        start: as for :func:`~cevnsjax.inference.fit`.
        constraints: as for :func:`~cevnsjax.inference.fit`.
        tolerance: as for :func:`profile`.
        max_steps: as for :func:`profile`.
        batch_size: as for :func:`profile`.
        progress: as for :func:`profile`.
        output: as for :func:`profile`.
        resume: as for :func:`profile`.
        restarts: box seeds at each point of the coarse subgrid (3 x 3 points) where the
            sweeps start (see the module docstring), and restarts of the global fit.

    Returns:
        The :class:`~cevnsjax.inference.Profile2DResult` with contours at the
        2-dof levels 2.30, 4.61, 6.18, 9.21, 11.83.
    """
    warn_if_float32("profile2d")
    a, b = (model.parameters.canonical(n) for n in names)
    if a == b:
        raise ValueError(f"profile2d needs two different parameters, got '{a}' twice")
    ga, gb = _check_grid(model, a, grids[0]), _check_grid(model, b, grids[1])
    settings = dict(
        params=[a, b],
        grid=[ga, gb],
        restarts=restarts,
        free=free,
        fixed=fixed,
        start=start,
        constraints=constraints,
        tolerance=tolerance,
        max_steps=max_steps,
        batch_size=batch_size,
    )
    checkpoint, finished = open_run(output, "Profile2DResult", model, settings, resume=resume)
    if finished is not None:
        return finished
    points = np.stack(np.meshgrid(ga, gb, indexing="ij"), axis=-1).reshape(-1, 2)
    best, chi2, ok, nuisances = _profile_points(
        model,
        [a, b],
        points,
        (len(ga), len(gb)),
        free,
        fixed,
        start,
        constraints,
        tolerance=tolerance,
        max_steps=max_steps,
        batch_size=batch_size,
        progress=progress,
        checkpoint=checkpoint,
        restarts=restarts,
    )
    chi2_min, best_fit = best.chi2_min, dict(best.values)
    shape = (len(ga), len(gb))
    delta = (chi2 - chi2_min).reshape(shape)
    result = Profile2DResult(
        params=(a, b),
        grid=(ga, gb),
        chi2=chi2.reshape(shape),
        delta_chi2=delta,
        chi2_min=chi2_min,
        best_fit=best_fit,
        ndof=best.ndof,
        contours=contours(ga, gb, delta, LEVELS_2D),
        converged=ok.reshape(shape),
        fit=best,
        nuisances={k: v.reshape(shape) for k, v in nuisances.items()},
    )
    attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints)
    if checkpoint is not None:
        checkpoint.finish(result)
    return result
