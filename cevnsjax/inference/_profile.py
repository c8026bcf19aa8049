"""Profile likelihoods in one and two parameters.

At every grid point the profiled parameters are held at the point's values and
every other free parameter is re-minimised.  The minimiser
(:func:`~cevnsjax.inference._minimize.minimize`, a ``while_loop`` of damped
Newton steps with the exact Hessian) is ``jax.vmap``-ed over the grid and
warm-started from the global best fit; the grid is processed in fixed-size,
padded chunks (one compilation) with a progress bar over the chunks.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from tqdm import tqdm

from ..model import Model
from ..parameters import ParameterError
from ._checkpoint import Checkpoint
from ._fit import fit_objective, solve_internal
from ._intervals import LEVELS_1D, LEVELS_2D, contours, intervals
from ._objective import Objective, build, compiled, warn_if_float32
from ._persist import attach, from_dict
from ._result import FitResult, Profile2DResult, ProfileResult
from ._transforms import to_external, to_internal


def _check_grid(model: Model, name: str, grid) -> np.ndarray:
    values = np.asarray(grid, dtype=float)
    if values.ndim != 1 or len(values) < 2:
        raise ValueError(f"the grid of '{name}' must be a 1D array of at least 2 values")
    if np.any(np.diff(values) <= 0):
        raise ValueError(f"the grid of '{name}' must be strictly increasing")
    model.parameters[name].check(values.min())
    model.parameters[name].check(values.max())
    return values


def _profile_points(
    model: Model,
    names: Sequence[str],
    points: np.ndarray,
    free,
    fixed,
    start,
    constraints,
    *,
    tolerance: float,
    max_steps: int,
    batch_size: int,
    progress: bool | None,
    checkpoint: Checkpoint | None = None,
) -> tuple[FitResult, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Profiled chi^2 at ``points`` (shape (m, len(names))) and the global fit."""
    fixed = dict(fixed or {})
    for name in names:
        if name in fixed:
            raise ParameterError(f"'{name}' is profiled and cannot also be fixed")
    start = dict(start or {})
    free = [] if free is None else [free] if isinstance(free, str) else list(free)
    every = build(model, [*free, *(n for n in names if n not in free)], fixed, start, constraints)
    best = fit_objective(every, tolerance=tolerance, max_steps=max_steps)
    obj = build(model, [n for n in free if n not in names], fixed, None, constraints, exclude=names)
    warm = {n: best.values[n] for n in obj.free if np.isfinite(best.values[n])}
    obj = dataclasses.replace(obj, base={**obj.base, **warm})

    m = len(points)
    size = max(1, min(batch_size, m))
    n_chunks = -(-m // size)
    padded = np.concatenate([points, np.repeat(points[-1:], n_chunks * size - m, axis=0)])
    u0 = jnp.asarray(to_internal(obj.x0, obj.lower, obj.upper))
    batched = compiled(
        obj,
        "profile",
        lambda o: _batched_solver(o, tuple(names), tolerance, max_steps),
        tuple(names),
        tolerance,
        max_steps,
    )
    chi2, ok, xs = [], [], []
    bar = tqdm(
        total=m, desc=f"profile {' x '.join(names)}", unit="pt", disable=None if progress is None else not progress
    )
    if checkpoint is not None:
        checkpoint.total = n_chunks
    with bar:
        for k in range(n_chunks):
            saved = None if checkpoint is None else checkpoint.take()  # finished before an interruption
            if saved is not None:
                c, o, x = saved["chi2"], saved["converged"], saved["free"]
            else:
                c, o, x = batched(obj.inputs, u0, jnp.asarray(padded[k * size : (k + 1) * size]))
                if checkpoint is not None:
                    checkpoint.add({"chi2": np.asarray(c), "converged": np.asarray(o), "free": np.asarray(x)})
            chi2.append(np.asarray(c))
            ok.append(np.asarray(o))
            xs.append(np.asarray(x))
            bar.update(min(size, m - k * size))
    chi2 = np.concatenate(chi2)[:m]
    ok = np.concatenate(ok)[:m]
    xs = np.concatenate(xs)[:m]
    nuisances = {n: xs[:, i] for i, n in enumerate(obj.free)}
    return best, chi2, ok, nuisances


def _batched_solver(obj: Objective, names: tuple[str, ...], tolerance: float, max_steps: int):
    """jit(vmap) of ``(inputs, u0, values) -> (chi2, converged, free values)`` over grid points ``values``."""
    if obj.free:
        run = solve_internal(obj, tolerance=tolerance, max_steps=max_steps)

        def one(inputs, u0, values):
            res = run(inputs, u0, dict(zip(names, values)))
            ok = jnp.isfinite(res.fval) & res.posdef & (res.edm < tolerance)
            return res.fval, ok, to_external(res.u, jnp.asarray(obj.lower), jnp.asarray(obj.upper))
    else:

        def one(inputs, u0, values):
            chi2 = obj.chi2(inputs, jnp.zeros(0), dict(zip(names, values)))
            return chi2, jnp.isfinite(chi2), jnp.zeros(0)

    return jax.jit(jax.vmap(one, in_axes=(None, None, 0)))


def _checkpoint(output, resume, kind, model, settings, tolerance, max_steps, batch_size) -> Checkpoint | None:
    if output is None:
        return None
    settings = {**settings, "tolerance": tolerance, "max_steps": max_steps, "batch_size": batch_size}
    return Checkpoint(output, kind, model, settings, resume=resume)


def _global_minimum(best: FitResult, names, points, chi2, nuisances) -> tuple[float, dict[str, float]]:
    """Global minimum: the fit's, unless a profile point went lower."""
    if not np.any(np.isfinite(chi2)) or np.nanmin(chi2) >= best.chi2_min:
        return best.chi2_min, dict(best.values)
    k = int(np.nanargmin(chi2))
    values = dict(best.values)
    values.update({n: float(v) for n, v in zip(names, points[k])})
    values.update({n: float(v[k]) for n, v in nuisances.items()})
    return float(chi2[k]), values


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
) -> ProfileResult:
    """One-dimensional profile likelihood of ``name``.

    Args:
        model: the likelihood model.
        name: the profiled parameter.
        grid: its values, strictly increasing, inside its bounds (its unit).
        free, fixed, start, constraints: as for :func:`~cevnsjax.inference.fit`;
            the free set is re-minimised at every grid point.
        tolerance: EDM tolerance of the global fit and of each point.
        max_steps: Newton iteration limit per minimisation.
        batch_size: grid points per vmapped chunk (memory vs. speed).
        progress: progress bar on stderr (None: only on a terminal).
        output: JSON file rewritten after every chunk of ``batch_size`` points with the finished
            ones, and with the whole result at the end (``cj.load``).
        resume: continue an interrupted run from ``output`` (same arguments), to the result an
            uninterrupted run gives.

    Returns:
        The :class:`~cevnsjax.inference.ProfileResult` with Delta chi^2 and the
        intervals at 1 sigma, 90%, 2 sigma, 99% and 3 sigma.

    Example:
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
    settings = dict(params=[name], grid=[grid], free=free, fixed=fixed, start=start, constraints=constraints)
    checkpoint = _checkpoint(output, resume, "ProfileResult", model, settings, tolerance, max_steps, batch_size)
    if checkpoint is not None and checkpoint.complete is not None:
        return from_dict(checkpoint.complete)
    best, chi2, ok, nuisances = _profile_points(
        model,
        [name],
        points,
        free,
        fixed,
        start,
        constraints,
        tolerance=tolerance,
        max_steps=max_steps,
        batch_size=batch_size,
        progress=progress,
        checkpoint=checkpoint,
    )
    chi2_min, best_fit = _global_minimum(best, [name], points, chi2, nuisances)
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
) -> Profile2DResult:
    """Two-dimensional profile likelihood of ``names = (a, b)``.

    Args:
        model: the likelihood model.
        names: the two profiled parameters.
        grids: ``(grid_a, grid_b)``, each strictly increasing inside the bounds.
        free, fixed, start, constraints: as for :func:`~cevnsjax.inference.fit`.
        tolerance, max_steps, batch_size, progress, output, resume: as for :func:`profile`.

    Returns:
        The :class:`~cevnsjax.inference.Profile2DResult` with contours at the
        2-dof levels 2.30, 4.61, 6.18, 9.21, 11.83.
    """
    warn_if_float32("profile2d")
    a, b = (model.parameters.canonical(n) for n in names)
    if a == b:
        raise ValueError(f"profile2d needs two different parameters, got '{a}' twice")
    ga, gb = _check_grid(model, a, grids[0]), _check_grid(model, b, grids[1])
    settings = dict(params=[a, b], grid=[ga, gb], free=free, fixed=fixed, start=start, constraints=constraints)
    checkpoint = _checkpoint(output, resume, "Profile2DResult", model, settings, tolerance, max_steps, batch_size)
    if checkpoint is not None and checkpoint.complete is not None:
        return from_dict(checkpoint.complete)
    points = np.stack(np.meshgrid(ga, gb, indexing="ij"), axis=-1).reshape(-1, 2)
    best, chi2, ok, nuisances = _profile_points(
        model,
        [a, b],
        points,
        free,
        fixed,
        start,
        constraints,
        tolerance=tolerance,
        max_steps=max_steps,
        batch_size=batch_size,
        progress=progress,
        checkpoint=checkpoint,
    )
    chi2_min, best_fit = _global_minimum(best, [a, b], points, chi2, nuisances)
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
    )
    attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints)
    if checkpoint is not None:
        checkpoint.finish(result)
    return result
