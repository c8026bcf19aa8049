"""Feldman-Cousins confidence intervals in one parameter: the Neyman construction with toys.

For every grid value ``mu`` of the parameter (Feldman & Cousins, arXiv:physics/9711021; the
profile construction of the LHC Higgs combination, ATL-PHYS-PUB-2011-011, for the nuisances):

1. the observed data are profiled: ``t_obs(mu) = chi2(mu, theta_hat(mu)) - chi2_min``, the
   minimum taken over the physical region (the parameters' bounds);
2. toys are drawn at ``(mu, theta_hat(mu))`` (:mod:`._toys`: the nuisances at their profiled values
   for the observed data, their constraints drawn around them) and each gives
   ``t = chi2(mu) - chi2_min`` the same way (Eq. (144) of docs/physics.md);
3. the critical value ``t_crit(mu)`` is the ``cl`` quantile of the toys' ``t`` (Eq. (145));
4. the interval is ``{mu : t_obs(mu) <= t_crit(mu)}`` (Eq. (146)), its ends interpolated between
   grid points where ``t_obs - t_crit`` changes sign.

Ordering by the likelihood ratio with the minimum over the physical region is what makes the
intervals unified (two-sided far from a bound, one-sided near it) and never empty.  The Wilks
intervals (``t_obs`` below the chi^2 quantile of one dof) come beside them, and the toys also give
the Wilks coverage at every grid point.

All toys of all grid points go through one compiled program (:func:`._toys.run_rows`), in chunks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.stats import chi2 as chi2_dist
from tqdm import tqdm

from ..model import Model
from ._checkpoint import open_run
from ._fit import RESTARTS
from ._intervals import intervals_at
from ._objective import build, warn_if_float32
from ._persist import attach
from ._profile import _check_grid, profile
from ._result import FeldmanCousinsResult, cl_label
from ._toys import CHUNK_SIZE, _count, check_mode, check_seed, check_toys_model, run_rows

#: Default confidence levels: 1 sigma (68.27%) and 90%.
CONFIDENCE_LEVELS = (0.682689492137, 0.9)


def critical_values(t: np.ndarray, cl: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``cl`` quantile of ``t`` along its last axis and its Monte Carlo error (NaNs left out).

    The quantile is the smallest toy value with at least a fraction ``cl`` of the toys at or below
    it (numpy's ``inverted_cdf``), so the acceptance region ``t <= t_crit`` holds at least ``cl``
    of them (Eq. (145) of docs/physics.md).  The error is half the width between the order
    statistics ``n cl -+ sqrt(n cl (1 - cl))``, the 68% band of the quantile.

    Returns:
        ``(t_crit, error)``, each of ``t``'s shape without its last axis.
    """
    t = np.asarray(t, float)
    flat = t.reshape(-1, t.shape[-1])
    crit, err = np.full(len(flat), np.nan), np.full(len(flat), np.nan)
    for j, row in enumerate(flat):
        row = np.sort(row[np.isfinite(row)])
        n = len(row)
        if n == 0:
            continue
        crit[j] = np.quantile(row, cl, method="inverted_cdf")
        half = np.sqrt(n * cl * (1 - cl))
        lo, hi = int(np.clip(np.floor(n * cl - half), 0, n - 1)), int(np.clip(np.ceil(n * cl + half), 0, n - 1))
        err[j] = 0.5 * (row[hi] - row[lo])
    return crit.reshape(t.shape[:-1]), err.reshape(t.shape[:-1])


def feldman_cousins(
    model: Model,
    param: str,
    grid,
    n_toys: int = 1000,
    cl: float | Sequence[float] = CONFIDENCE_LEVELS,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    *,
    seed: int = 0,
    nuisances: str = "prior",
    restarts: int = RESTARTS,
    tolerance: float = 1e-6,
    max_steps: int = 200,
    chunk_size: int = CHUNK_SIZE,
    progress: bool | None = None,
    output: str | os.PathLike | None = None,
    resume: bool = False,
) -> FeldmanCousinsResult:
    """Feldman-Cousins intervals of ``param``: a Neyman belt of ``n_toys`` toys per grid value.

    Args:
        model: an experiment or a combination of experiments.
        param: the parameter.
        grid: its values, strictly increasing inside the bounds (the interval ends are found
            between them, so the grid should cover the intervals with some margin).
        n_toys: toys per grid value.
        cl: confidence level(s) in (0, 1), default 68.27% and 90%.
        free: names freed besides the model's default free set (profiled, as the nuisances).
        fixed: ``name -> value`` held fixed everywhere.
        seed: random seed; toy ``i`` of grid point ``j`` uses ``fold_in(fold_in(key(seed), j), i)``.
        nuisances: as for :func:`~cevnsjax.inference.toys` (``"prior"``: each toy draws the
            constraints of the free nuisances around their profiled values).
        restarts: as for :func:`~cevnsjax.inference.profile` (the observed profile).
        tolerance: as for :func:`~cevnsjax.inference.fit`.
        max_steps: as for :func:`~cevnsjax.inference.fit`.
        chunk_size: toys per compiled call.
        progress: progress bars on stderr (None: only on a terminal).
        output: JSON file rewritten after every chunk of toys and with the whole result at the end.
        resume: continue an interrupted run from ``output`` (same arguments).

    Returns:
        The :class:`~cevnsjax.inference.FeldmanCousinsResult`.

    Raises:
        TypeError: a model that cannot draw pseudo-data.
        ParameterError: unknown names, values outside bounds.
        ValueError: a bad grid, ``n_toys``, ``cl`` or ``nuisances``.

    Examples:
        >>> import numpy as np
        >>> import cevnsjax as cj
        >>> apv = cj.experiment("apv_cs")
        >>> fc = cj.feldman_cousins(apv, "sin2_theta_w", np.linspace(0.22, 0.26, 9), n_toys=200, progress=False)
        >>> sorted(fc.intervals), fc.t.shape
        (['68.27%', '90%'], (9, 200))
    """
    warn_if_float32("feldman_cousins")
    check_toys_model(model)
    n_toys = _count(n_toys, "n_toys")
    chunk_size = _count(chunk_size, "chunk_size")
    check_mode(nuisances)
    seed = check_seed(seed)
    levels = tuple(float(c) for c in np.atleast_1d(cl))
    for c in levels:
        if not 0 < c < 1:
            raise ValueError(f"cl={c}: confidence levels must be in (0, 1), e.g. 0.9")
    name = model.parameters.canonical(param)
    model.parameters.check_names([name])
    grid = _check_grid(model, name, grid)
    free = [] if free is None else [free] if isinstance(free, str) else list(free)
    settings = dict(
        param=name,
        grid=grid,
        n_toys=n_toys,
        free=free,
        fixed=fixed,
        seed=seed,
        nuisances=nuisances,
        restarts=restarts,
        tolerance=tolerance,
        max_steps=max_steps,
        chunk=chunk_size,
    )
    checkpoint, finished = open_run(output, "FeldmanCousinsResult", model, settings, resume=resume)
    if finished is not None:
        return finished
    observed = profile(
        model,
        name,
        grid,
        free=free,
        fixed=fixed,
        restarts=restarts,
        tolerance=tolerance,
        max_steps=max_steps,
        progress=progress,
    )
    obj = build(model, [*free, name], fixed)
    names = tuple(obj.base)
    # the truth of the toys at grid point j: mu_j, the nuisances profiled on the observed data
    truth = np.tile(np.array([obj.base[n] for n in names]), (len(grid), 1))
    truth[:, names.index(name)] = grid
    for nuisance, values in observed.nuisances.items():
        truth[:, names.index(nuisance)] = values
    n = len(grid)
    bar = tqdm(
        total=n * n_toys, desc=f"feldman-cousins {name}", unit="toy", disable=None if progress is None else not progress
    )
    with bar:
        rows = run_rows(
            obj,
            np.repeat(truth, n_toys, axis=0),
            np.repeat(np.arange(n), n_toys),
            np.tile(np.arange(n_toys), n),
            seed=seed,
            poi=(name,),
            nuisances=nuisances,
            tolerance=tolerance,
            max_steps=max_steps,
            chunk_size=chunk_size,
            bar=bar,
            checkpoint=checkpoint,
        )
    t = rows.delta_chi2.reshape(n, n_toys)
    t_obs = observed.delta_chi2
    crit, err = zip(*(critical_values(t, c) for c in levels))
    t_crit, t_crit_error = np.stack(crit), np.stack(err)
    thresholds = {cl_label(c): float(chi2_dist.ppf(c, 1)) for c in levels}
    valid = np.isfinite(t)
    counted = np.maximum(valid.sum(axis=1), 1)
    coverage = np.stack([np.sum(valid & (t <= thresholds[cl_label(c)]), axis=1) / counted for c in levels])
    coverage[:, ~valid.any(axis=1)] = np.nan
    result = FeldmanCousinsResult(
        param=name,
        grid=grid,
        cl=levels,
        t_obs=t_obs,
        t_crit=t_crit,
        t_crit_error=t_crit_error,
        # Eq. (146) of docs/physics.md: accepted where t_obs <= t_crit
        intervals={cl_label(c): intervals_at(grid, t_obs - tc, 0.0) for c, tc in zip(levels, t_crit)},
        wilks={label: intervals_at(grid, t_obs, threshold) for label, threshold in thresholds.items()},
        wilks_threshold=thresholds,
        wilks_coverage=coverage,
        t=t,
        n_failed=np.sum(~np.isfinite(t), axis=1),
        n_toys=n_toys,
        seed=int(seed),
        nuisances=nuisances,
        profile=observed,
    )
    attach(result, model, free=free, fixed=fixed, seed=seed, nuisances=nuisances, n_toys=n_toys, cl=list(levels))
    if checkpoint is not None:
        checkpoint.finish(result)
    return result
