"""Toy Monte Carlo: pseudo-experiments drawn from a model and fitted, in one compiled program.

A toy is one pseudo-experiment at a *truth* (a value for every parameter):

* pseudo-data drawn from the model's own statistic (``model.pseudo_data``): Poisson counts for
  binned Poisson likelihoods, Gaussian data for least-squares ones (Eqs. (140)-(141) of
  docs/physics.md);
* with ``nuisances="prior"`` the Gaussian constraint of every free nuisance is an auxiliary
  measurement drawn around the truth, ``a_k ~ N(theta_k, sigma_k)``, and the toy's fit uses the
  constraint ``((theta_k - a_k)/sigma_k)^2`` (Eq. (142)): the frequentist way of drawing the
  nuisances from their priors, the same in distribution as drawing ``theta_k`` from the prior when
  the truth is the prior's centre; with ``nuisances="fixed"`` the constraints keep their nominal
  centres and only the data fluctuate;
* a fit from the truth over the free parameters, inside their bounds (the physical region), and,
  for parameters of interest (``poi``), a second fit with them held at their true values, so that
  ``delta_chi2 = chi2(poi = truth) - chi2_min`` is the profile-likelihood ratio at the truth
  (Eq. (143); Wilks: a chi^2 of ``len(poi)`` dof).

Every toy of one truth starts its fits at that truth, where the chi^2 surfaces of the toys differ
only by the fluctuation of their data.  The exact Hessian of chi^2 in the free parameters at the
truth is therefore computed once per truth point, for the pseudo-data drawn with the point's own key
(:func:`curvatures`: a typical data set; no toy draws with that key), and every fit of that point is
the quasi-Newton iteration of :func:`~._minimize.quasi_newton` from it: damped saddle-free Newton
steps in the internal coordinates whose Hessian is the exact chain rule of the bound transforms
around the BFGS-updated external Hessian, one value and gradient per iteration instead of the
exact minimiser's Hessian (about 8 gradients' worth for argon's four parameters).  A fit has
converged when chi^2 is finite and the quasi-Newton Hessian is positive definite with EDM below
the tolerance: as MIGRAD judges its EDM with its variable-metric matrix, no exact Hessian is
computed at the end.  The iteration stops at EDM below 1e-3 of the tolerance (:data:`MARGIN`, as
the exact minimiser); at the end points of argon and CsI 2021 toys the exact Hessian's EDM is within
a factor 1.3 of the quasi-Newton one (tests/test_toys_quasi_newton.py, docs/physics.md section 18).

The pseudo-data become a traced leaf of the model (``model.with_data``), so one compiled program
draws and fits a whole chunk of toys (mapped over the toys: vmapped on an accelerator, one toy
after the other inside the compiled program on a CPU), and one compilation serves every chunk,
truth and seed.  Toy ``i`` of point ``j`` draws with the key ``fold_in(fold_in(key(seed), j),
i)``: a toy does not depend on the chunking or on which process computes it (:func:`run_rows`
takes any set of rows).  In a distributed run the chunks are split across the processes and
gathered on every one (:func:`~._distributed.map_chunks`).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from tqdm import tqdm

from ..model import Model
from ..parameters import ParameterError
from ._checkpoint import Checkpoint, open_run
from ._distributed import map_chunks
from ._fit import _ndof
from ._minimize import derivatives, positive, quasi_newton
from ._objective import Objective, build, compiled, warn_if_float32
from ._persist import attach
from ._result import ToysResult
from ._solve import batch_size
from ._transforms import to_external, to_internal

#: Choices of ``nuisances``: constraints drawn around the truth for every toy, or kept nominal.
NUISANCE_MODES = ("prior", "fixed")
#: Toys per compiled call (the last chunk is padded).
CHUNK_SIZE = 1000
#: The toys' quasi-Newton iteration stops at EDM below this fraction of the tolerance (as :func:`~._minimize.minimize`).
MARGIN = 1e-3
#: Truth points per compiled call of the starting Hessians.
CURVATURE_BLOCK = 8


@dataclasses.dataclass(frozen=True)
class ToyRows:
    """Fits of a set of toys (numpy arrays, one entry per toy).

    Attributes:
        chi2: minimum chi^2 over the free parameters inside their bounds, shape (k,); the lower
            of the global fit and the conditional one (a point of the physical region too).
        x: the free parameters at that minimum, shape (k, n_free).
        ok: the fit that gave ``chi2`` converged, shape (k,).
        chi2_poi: minimum with the parameters of interest held at their true values, shape (k,)
            (None without them).
        ok_poi: that fit converged, shape (k,) (None without them).
    """

    chi2: np.ndarray
    x: np.ndarray
    ok: np.ndarray
    chi2_poi: np.ndarray | None = None
    ok_poi: np.ndarray | None = None

    @property
    def delta_chi2(self) -> np.ndarray | None:
        """``chi2_poi - chi2`` (>= 0), NaN where a fit failed; None without parameters of interest."""
        if self.chi2_poi is None:
            return None
        return np.where(self.ok & self.ok_poi, self.chi2_poi - self.chi2, np.nan)


def check_toys_model(model: Model) -> None:
    """Refuse a model that cannot draw pseudo-data (a plain function model)."""
    if not (hasattr(model, "pseudo_data") and hasattr(model, "with_data")):
        raise TypeError(
            f"model '{model.name}' cannot draw pseudo-data (it has no pseudo_data/with_data): toys need an "
            "experiment (cevnsjax.experiment) or a combination of experiments (cevnsjax.combine)"
        )


def check_mode(nuisances: str) -> str:
    if nuisances not in NUISANCE_MODES:
        raise ValueError(f"nuisances={nuisances!r} is not valid; choices: {', '.join(NUISANCE_MODES)}")
    return nuisances


def _count(value, what: str) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def check_seed(seed) -> int:
    """The seed as an int in [0, 2^32), or a ValueError."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2^32), got {seed!r}")
    return int(seed)


def priors(obj: Objective) -> tuple[tuple[str, float, float], ...]:
    """``(name, mean, sigma)`` of the free parameters with a Gaussian prior in the model."""
    ps = obj.model.parameters
    return tuple((n, *map(float, ps[n].constraint)) for n in obj.free if ps[n].constraint is not None)


def _fit_in_program(o: Objective, inputs, u0, b0, shift, tolerance: float, max_steps: int):
    """Minimise ``o``'s chi^2 plus ``shift(params)`` from internal ``u0``: (chi2, external x, converged).

    :func:`~._minimize.quasi_newton` from the external Hessian ``b0``; converged when chi^2 is finite
    and the quasi-Newton Hessian is positive definite with EDM < ``tolerance`` (module docstring).
    """
    lower, upper = jnp.asarray(o.lower), jnp.asarray(o.upper)

    def params(x):
        return {**o.point(inputs[1]), **dict(zip(o.free, x))}

    if not o.free:
        chi2 = o.chi2(inputs, jnp.zeros(0)) + shift(params(jnp.zeros(0)))
        return chi2, jnp.zeros(0, chi2.dtype), jnp.isfinite(chi2)

    def f(x):
        return o.chi2(inputs, x) + shift(params(x))

    res = quasi_newton(f, u0, b0, lower, upper, tolerance=tolerance, max_steps=max_steps, margin=MARGIN)
    ok = jnp.isfinite(res.fval) & res.posdef & (res.edm < tolerance)
    return res.fval, to_external(res.u, lower, upper), ok


def _draw(obj: Objective, leaves, key, truth_vec):
    """The inputs of ``obj.chi2`` for the model holding pseudo-data drawn with ``key`` at ``truth_vec``."""
    model = obj.rebuild(leaves)
    toy_model = model.with_data(model.pseudo_data(key, dict(zip(obj.base, truth_vec))))
    return jax.tree_util.tree_leaves(eqx.filter(toy_model, eqx.is_array)), truth_vec  # obj.base's order


def _curvature_program(obj: Objective):
    """jit of ``(leaves, seed, point, truth) -> B``: the starting Hessians of the toys, one per truth.

    ``B`` (shape (k, n_free, n_free)) is the exact Hessian of chi^2 in the free parameters (external
    units) at the truth, for the pseudo-data drawn with the point's own key ``fold_in(key(seed),
    point)`` (no toy draws with it), its eigenvalues made positive (:func:`~._minimize.positive`).
    """
    columns = [list(obj.base).index(n) for n in obj.free]

    def one(leaves, seed, point, truth_vec):
        inputs = _draw(obj, leaves, jax.random.fold_in(jax.random.key(seed), point), truth_vec)
        return positive(derivatives(lambda x: obj.chi2(inputs, x), truth_vec[jnp.asarray(columns)])[2])

    def block(leaves, seed, point, truth):
        return jax.lax.map(lambda r: one(leaves, seed, *r), (point, truth), batch_size=batch_size(len(point)))

    return jax.jit(block)


def _program(
    obj: Objective,
    names: tuple[str, ...],
    poi: tuple[str, ...],
    constrained: tuple[tuple[str, float, float], ...],
    mode: str,
    tolerance: float,
    max_steps: int,
):
    """jit of one chunk of toys: ``(leaves, seed, point, toy, truth, u0, u0_poi, b0) -> fits`` (see :func:`run_rows`)."""
    keep = [i for i, n in enumerate(obj.free) if n not in poi]
    held = dataclasses.replace(obj, free=tuple(obj.free[i] for i in keep), lower=obj.lower[keep], upper=obj.upper[keep])
    nuisance_names = tuple(n for n, _, _ in constrained)
    means = np.array([m for _, m, _ in constrained])
    sigmas = np.array([s for _, _, s in constrained])

    def one(leaves, seed, point, toy, truth_vec, u0, u0_poi, b0):
        truth = dict(zip(names, truth_vec))
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), point), toy)
        k_data, k_aux = jax.random.split(key)
        inputs = _draw(obj, leaves, k_data, truth_vec)
        if mode == "prior" and constrained:
            # Eq. (142) of docs/physics.md: the auxiliary measurements a_k ~ N(theta_k, sigma_k) replace the
            # constraint centres: ((t - a)/s)^2 - ((t - m)/s)^2 is added to the model's own term
            true = jnp.stack([truth[n] for n in nuisance_names])
            aux = true + sigmas * jax.random.normal(k_aux, true.shape, true.dtype)

            def shift(p):
                t = jnp.stack([p[n] for n in nuisance_names])
                return jnp.sum(((t - aux) ** 2 - (t - means) ** 2) / sigmas**2)
        else:

            def shift(p):
                return jnp.zeros((), truth_vec.dtype)

        chi2, x, ok = _fit_in_program(obj, inputs, u0, b0, shift, tolerance, max_steps)
        if not poi:
            return chi2, x, ok
        b0_poi = b0[jnp.ix_(jnp.asarray(keep, int), jnp.asarray(keep, int))]
        chi2_poi, x_poi, ok_poi = _fit_in_program(held, inputs, u0_poi, b0_poi, shift, tolerance, max_steps)
        return chi2, x, ok, chi2_poi, x_poi, ok_poi

    def chunk(leaves, seed, point, toy, truth, u0, u0_poi, b0):
        rows = (point, toy, truth, u0, u0_poi, b0)
        return jax.lax.map(lambda r: one(leaves, seed, *r), rows, batch_size=batch_size(len(point)))

    return jax.jit(chunk)


def curvatures(obj: Objective, seed: int, points: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The toys' starting Hessians (:func:`_curvature_program`), computed once per distinct (point, truth).

    Args:
        obj, seed: as for :func:`run_rows`.
        points, truth: each row's point index, shape (k,), and truth, shape (k, n_params).

    Returns:
        ``(table, which)``: the Hessians of the distinct rows, shape (m, n_free, n_free), and each
        row's entry in the table, shape (k,).
    """
    rows = np.concatenate([np.asarray(points, float)[:, None], truth], axis=1)
    if not obj.free:
        return np.zeros((1, 0, 0)), np.zeros(len(rows), int)
    distinct, which = np.unique(rows, axis=0, return_inverse=True)
    run = compiled(obj, "toy curvatures", _curvature_program)
    # distinct truths in blocks of CURVATURE_BLOCK (padded): one compiled program for any number
    blocks = np.concatenate([distinct, np.repeat(distinct[-1:], -len(distinct) % CURVATURE_BLOCK, axis=0)])

    def block(b):
        point, values = jnp.asarray(b[:, 0].astype(np.int64)), jnp.asarray(b[:, 1:])
        return np.asarray(run(obj.leaves, jnp.asarray(seed, jnp.uint32), point, values))

    table = np.concatenate([block(b) for b in np.split(blocks, len(blocks) // CURVATURE_BLOCK)])
    return table[: len(distinct)], which.ravel()


def run_rows(
    obj: Objective,
    truth: np.ndarray,
    points: np.ndarray,
    toys: np.ndarray,
    *,
    seed: int,
    poi: Sequence[str] = (),
    nuisances: str = "prior",
    tolerance: float = 1e-6,
    max_steps: int = 200,
    chunk_size: int = CHUNK_SIZE,
    bar=None,
    checkpoint: Checkpoint | None = None,
) -> ToyRows:
    """Draw and fit one toy per row, in padded chunks of one compiled program.

    Args:
        obj: the objective of the toys' fits (free set, bounds); its model draws the pseudo-data.
        truth: value of every model parameter (``obj.base``'s order) per toy, shape (k, n_params);
            the fits start there and hold the parameters that are not free at these values.
        points, toys: integer indices of each row's truth and toy, shape (k,): its random key is
            ``fold_in(fold_in(key(seed), point), toy)``.
        seed: the random seed.
        poi: parameters (free in ``obj``) also held at their true values in a second fit per toy.
        nuisances: ``"prior"`` or ``"fixed"`` (see the module docstring).
        tolerance, max_steps: convergence (EDM of the quasi-Newton Hessian) and iteration limit of
            each fit (module docstring).
        chunk_size: toys per compiled call.
        bar: optional progress bar, advanced by the toys done.
        checkpoint: optional checkpoint: saved chunks are replayed, new ones added.

    Returns:
        The :class:`ToyRows`.
    """
    names = tuple(obj.base)
    poi = tuple(poi)
    constrained = priors(obj)
    run = compiled(
        obj,
        "toys",
        lambda o: _program(o, names, poi, constrained, nuisances, tolerance, max_steps),
        names,
        poi,
        constrained,
        nuisances,
        tolerance,
        max_steps,
    )
    truth = np.asarray(truth, float).reshape(-1, len(names))
    k = len(truth)
    columns = [names.index(n) for n in obj.free]
    u0 = to_internal(truth[:, columns], obj.lower, obj.upper).reshape(k, len(columns))
    keep = [i for i, n in enumerate(obj.free) if n not in poi]
    u0_poi = u0[:, keep]
    index = np.stack([np.asarray(points, np.int64), np.asarray(toys, np.int64)], axis=1)
    # the chunk size, or the power of two that holds all the rows when fewer: few compilations
    size = min(chunk_size, 1 << max(0, k - 1).bit_length())
    n_chunks = -(-k // size)
    pad = n_chunks * size - k

    def padded(a):
        return np.concatenate([a, np.repeat(a[-1:], pad, axis=0)])

    truth, u0, u0_poi, index = (padded(a) for a in (truth, u0, u0_poi, index))
    # the starting Hessians, computed with the first chunk that is not replayed from a checkpoint
    starts = functools.cache(lambda: curvatures(obj, seed, index[:, 0], truth))
    fields = ("chi2", "x", "ok", "chi2_poi", "x_poi", "ok_poi")[: 6 if poi else 3]
    if checkpoint is not None:
        checkpoint.total = (checkpoint.total or 0) + n_chunks

    def chunk(c):
        sl = slice(c * size, (c + 1) * size)
        table, which = starts()
        args = (index[sl, 0], index[sl, 1], truth[sl], u0[sl], u0_poi[sl], table[which[sl]])
        return dict(zip(fields, run(obj.leaves, jnp.asarray(seed, jnp.uint32), *map(jnp.asarray, args))))

    # chunks split across the processes of a distributed run, gathered on every process
    parts = map_chunks(
        n_chunks,
        chunk,
        checkpoint=checkpoint,
        done=None if bar is None else lambda c: bar.update(min(size, k - c * size)),
    )
    got = {f: np.concatenate([p[f] for p in parts])[:k] for f in fields}
    chi2, x, ok = got["chi2"].astype(float), got["x"].astype(float).reshape(k, len(obj.free)), got["ok"]
    if not poi:
        return ToyRows(chi2, x, ok)
    # the held fit's minimum is a point of the physical region too: the global minimum is at most it
    chi2_poi, ok_poi = got["chi2_poi"].astype(float), got["ok_poi"]
    lower = ok_poi & (~ok | (chi2_poi < chi2))
    x_held = truth[:k, columns]
    x_held[:, keep] = got["x_poi"].reshape(k, len(keep))
    x = np.where(lower[:, None], x_held, x)
    return ToyRows(np.where(lower, chi2_poi, chi2), x, ok | lower, chi2_poi, ok_poi)


def truth_point(model: Model, obj: Objective, truth, fixed) -> dict[str, float]:
    """Every parameter's true value: ``obj.base`` (defaults, fixed values) updated by ``truth``.

    Raises:
        ParameterError: unknown names, values outside bounds, a truth for a fixed parameter that
            differs from its fixed value (the fits hold what is not free at its true value).
    """
    ps = model.parameters
    truth = ps.canonical_mapping(truth)
    fixed = ps.canonical_mapping(fixed)
    ps.check_names(list(truth))
    ps.check_values(truth)
    for name, value in truth.items():
        if name in fixed and float(value) != float(fixed[name]):
            raise ParameterError(
                f"'{name}' is fixed at {fixed[name]:g} but its truth is {value:g}: the fits hold the parameters "
                "that are not free at their true values; give one of the two"
            )
    return {**obj.base, **{n: float(v) for n, v in truth.items()}}


def toys(
    model: Model,
    n_toys: int,
    truth: Mapping[str, float] | None = None,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    poi: Iterable[str] | str | None = None,
    *,
    seed: int = 0,
    nuisances: str = "prior",
    tolerance: float = 1e-6,
    max_steps: int = 200,
    chunk_size: int = CHUNK_SIZE,
    progress: bool | None = None,
    output: str | os.PathLike | None = None,
    resume: bool = False,
) -> ToysResult:
    """Draw ``n_toys`` pseudo-experiments at ``truth`` and fit each (one compiled program).

    Args:
        model: an experiment or a combination of experiments.
        n_toys: number of pseudo-experiments.
        truth: ``name -> value`` the toys are drawn at (other parameters: defaults or ``fixed``).
        free: names freed in the fits besides the model's default free set (the nuisances).
        fixed: ``name -> value`` held fixed in the fits (and the truth of those parameters).
        poi: parameters of interest: each toy is also fitted with them held at their true values,
            giving :attr:`~cevnsjax.inference.ToysResult.delta_chi2` (they are freed in the main fit).
        seed: random seed; toy ``i`` uses the key ``fold_in(fold_in(key(seed), 0), i)``.
        nuisances: ``"prior"`` (default): the Gaussian constraint of each free nuisance is drawn
            around its true value for every toy (an auxiliary measurement, Eq. (142) of
            docs/physics.md); ``"fixed"``: constraints at their nominal centres, only the data vary.
        tolerance: convergence when EDM < tolerance (chi^2 units), as for :func:`~cevnsjax.inference.fit`
            (the EDM of the quasi-Newton Hessian, module :mod:`cevnsjax.inference._toys`).
        max_steps: iteration limit per fit (quasi-Newton iterations, one gradient each).
        chunk_size: toys per compiled call (bounds memory; results do not depend on it).
        progress: progress bar on stderr (None: only on a terminal).
        output: JSON file rewritten after every chunk and with the whole result at the end.
        resume: continue an interrupted run from ``output`` (same arguments).

    Returns:
        The :class:`~cevnsjax.inference.ToysResult`.

    Raises:
        TypeError: a model that cannot draw pseudo-data.
        ParameterError: unknown names, values outside bounds, a truth that contradicts ``fixed``.
        ValueError: a bad ``n_toys``, ``chunk_size`` or ``nuisances``.

    Examples:
        >>> import cevnsjax as cj
        >>> apv = cj.experiment("apv_cs")  # one Gaussian measurement of the cesium weak charge
        >>> r = cj.toys(apv, 400, poi="sin2_theta_w", progress=False)
        >>> r.n_toys, bool(r.converged.all())
        (400, True)
        >>> f, err = r.coverage(0.6827)  # linear Gaussian: Wilks holds, 68.27% within 3 errors
        >>> abs(f - 0.6827) < 3 * err
        True
    """
    warn_if_float32("toys")
    check_toys_model(model)
    n_toys = _count(n_toys, "n_toys")
    chunk_size = _count(chunk_size, "chunk_size")
    check_mode(nuisances)
    seed = check_seed(seed)
    poi = [] if poi is None else [poi] if isinstance(poi, str) else list(poi)
    poi = [model.parameters.canonical(n) for n in poi]
    free = [] if free is None else [free] if isinstance(free, str) else list(free)
    obj = build(model, [*free, *(n for n in poi if n not in free)], fixed)
    point = truth_point(model, obj, truth, fixed)
    settings = dict(
        n_toys=n_toys,
        truth=point,
        free=obj.free,
        poi=poi,
        seed=seed,
        nuisances=nuisances,
        tolerance=tolerance,
        max_steps=max_steps,
        chunk=chunk_size,
    )
    checkpoint, finished = open_run(output, "ToysResult", model, settings, resume=resume)
    if finished is not None:
        return finished
    row = np.array([point[n] for n in obj.base])
    bar = tqdm(total=n_toys, desc="toys", unit="toy", disable=None if progress is None else not progress)
    with bar:
        rows = run_rows(
            obj,
            np.broadcast_to(row, (n_toys, len(row))),
            np.zeros(n_toys, np.int64),
            np.arange(n_toys),
            seed=seed,
            poi=poi,
            nuisances=nuisances,
            tolerance=tolerance,
            max_steps=max_steps,
            chunk_size=chunk_size,
            bar=bar,
            checkpoint=checkpoint,
        )
    result = ToysResult(
        truth=point,
        free=obj.free,
        poi=tuple(poi),
        chi2_min=rows.chi2,
        values={n: rows.x[:, i] for i, n in enumerate(obj.free)},
        converged=rows.ok,
        chi2_poi=rows.chi2_poi,
        delta_chi2=rows.delta_chi2,
        seed=int(seed),
        nuisances=nuisances,
        ndof=_ndof(obj),
    )
    attach(result, model, truth=truth, free=free, fixed=fixed, poi=poi, seed=seed, nuisances=nuisances)
    if checkpoint is not None:
        checkpoint.finish(result)
    return result
