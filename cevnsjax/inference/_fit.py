"""Maximum-likelihood fits: ``fit(model, ...)`` with the jax or iminuit engine.

Every fit also minimises from ``restarts`` seeds spread over the prior/bound box
(:mod:`._starts`, in one compiled call) and keeps the lowest minimum: a start on
the wrong branch of a multi-branch likelihood is reported as a local minimum
(:attr:`FitResult.local_minimum_chi2`, a :class:`FitWarning`) instead of a
converged fit.  Parameters ending on a bound are flagged (:attr:`FitResult.at_limit`)
and get one-sided errors from their profile (Delta chi^2 = 1, as MINOS) instead of
the Hessian; directions the data do not constrain inside the bounds are flagged
(:attr:`FitResult.flat`).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ..model import Model
from ._minimize import derivatives
from ._objective import Objective, build, compiled, warn_if_float32
from ._persist import attach
from ._result import FitResult, NamedMatrix
from ._solve import Rows, batch_size, row_solver, solve_internal, solve_rows
from ._starts import box_seeds, seed_box
from ._transforms import to_internal

ENGINES = ("jax", "iminuit")
RESTARTS = 4
# a restart lower by more than this (chi^2 units) makes the start's minimum a local one
LOCAL_MINIMUM_DCHI2 = 1e-3
# a value within this fraction of its range (or of max(1, |bound|) for a one-sided bound) is at the limit
AT_LIMIT_TOLERANCE = 1e-5


class FitWarning(UserWarning):
    """A fit result not to be trusted as it stands: a local minimum, or directions the data do not constrain."""


def fit(
    model: Model,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    start: Mapping[str, float] | None = None,
    constraints: Mapping[str, Sequence[float]] | None = None,
    engine: str = "jax",
    minos: bool = False,
    *,
    tolerance: float = 1e-6,
    max_steps: int = 200,
    restarts: int = RESTARTS,
) -> FitResult:
    """Minimise the model's chi^2 over its free parameters.

    Args:
        model: the likelihood model.
        free: names freed in addition to ``model.parameters.default_free()``.
        fixed: ``name -> value`` held fixed (removed from the free set); values
            outside a parameter's bounds are refused.
        start: ``name -> value`` starting points of free parameters.
        constraints: ``name -> (mean, sigma)`` extra Gaussian terms added to chi^2.
        engine: ``"jax"`` (jit-compiled damped Newton with the exact JAX Hessian) or
            ``"iminuit"`` (Minuit2 MIGRAD + HESSE with the JAX gradient).
        minos: also run MINOS for asymmetric errors (``engine="iminuit"`` only).
        tolerance: convergence when EDM = g^T H^-1 g / 2 < tolerance (chi^2 units).
        max_steps: limit on Newton iterations (iminuit: 50 function calls per step).
        restarts: further minimisations from seeds spread over the prior/bound box
            (Newton, in the same compiled call); the lowest minimum is reported, and a start that led to
            a minimum higher by more than 1e-3 is flagged
            (:attr:`FitResult.local_minimum_chi2`, :class:`FitWarning`). 0: the start only.

    Returns:
        The :class:`~cevnsjax.inference.FitResult`.

    Raises:
        ParameterError: unknown names or values outside bounds.
        ValueError: unknown engine, ``minos`` with the jax engine, negative ``restarts``.

    Warns:
        FitWarning: the start led to a local minimum, or some free parameters are
            not constrained inside their bounds (:attr:`FitResult.flat`).

    Examples:
        >>> import jax.numpy as jnp
        >>> from cevnsjax.model import FunctionModel
        >>> from cevnsjax.parameters import Parameter, ParameterSet
        >>> m = FunctionModel(lambda p: ((p["x"] - 2.0) / 0.5) ** 2,
        ...                   ParameterSet([Parameter("x", 0.0, free=True)]))
        >>> r = fit(m)
        >>> round(r.values["x"], 6), round(r.errors["x"], 6)
        (2.0, 0.5)
    """
    warn_if_float32("fit")
    obj = build(model, free, fixed, start, constraints)
    result = fit_objective(obj, engine, minos, tolerance=tolerance, max_steps=max_steps, restarts=restarts)
    return attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints, engine=engine)


def fit_objective(
    obj: Objective,
    engine: str = "jax",
    minos: bool = False,
    *,
    tolerance: float = 1e-6,
    max_steps: int = 200,
    restarts: int = RESTARTS,
) -> FitResult:
    """:func:`fit` of an already built :class:`Objective` (same arguments)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine '{engine}'; valid engines: {', '.join(ENGINES)}")
    if minos and engine != "iminuit":
        raise ValueError("minos=True needs engine='iminuit'; use profile() for asymmetric intervals")
    if int(restarts) != restarts or restarts < 0:
        raise ValueError(f"restarts must be a non-negative integer, got {restarts}")
    if engine == "jax":
        result = _fit_jax(obj, tolerance=tolerance, max_steps=max_steps, restarts=int(restarts))
    else:
        result = _fit_iminuit(obj, tolerance=tolerance, max_steps=max_steps, minos=minos, restarts=int(restarts))
    if result.local_minimum_chi2 is not None:
        warnings.warn(f"fit: {result.message}", FitWarning, stacklevel=3)
    if result.flat:
        warnings.warn(
            f"fit: not constrained inside their bounds (Hessian errors meaningless): {', '.join(result.flat)}",
            FitWarning,
            stacklevel=3,
        )
    return result


def _ndof(obj: Objective) -> int | None:
    """Data bins plus the Gaussian constraint terms of free parameters, minus the free parameters.

    A constrained nuisance brings its own pseudo-measurement, so it costs no degree of
    freedom: the Ar energy chi^2 with R_n and three constrained nuisances free has
    12 + 3 - 4 = 11 dof, as in arXiv:2005.01645.
    """
    n_bins = int(obj.model.n_bins)
    if n_bins == 0:
        return None
    params = obj.model.parameters
    constrained = sum(1 for n in obj.free if params[n].constraint is not None or n in obj.constraints)
    return n_bins + constrained - len(obj.free)


def _hessian(obj: Objective, inputs, x) -> jax.Array:
    """The exact Hessian of ``obj``'s chi^2 at external ``x`` (traced; symmetric)."""
    return derivatives(lambda v: obj.chi2(inputs, v), x)[2]


def exact_hessian(obj: Objective, x) -> np.ndarray:
    """The exact JAX Hessian of chi^2 in the free parameters at external ``x``, shape (n_free, n_free)."""
    hessian = compiled(obj, "hessian", lambda o: jax.jit(lambda inputs, v: _hessian(o, inputs, v)))
    return np.asarray(hessian(obj.inputs, np.asarray(x, float)), dtype=float)


def _inverse(h: np.ndarray) -> np.ndarray:
    """``2 H^-1`` when H is finite and positive definite, else NaN."""
    n = len(h)
    if n == 0:
        return np.zeros((0, 0))
    if np.all(np.isfinite(h)) and np.all(np.linalg.eigvalsh(h) > 0):
        return 2.0 * np.linalg.inv(h)
    return np.full((n, n), np.nan)


def at_limit(obj: Objective, x) -> dict[str, str]:
    """Free parameters within :data:`AT_LIMIT_TOLERANCE` of a bound: ``name -> "lower" | "upper"``."""
    out = {}
    # Python floats: math on numpy scalars costs ~1 us per operation
    for name, v, lo, hi in zip(obj.free, np.asarray(x, float).tolist(), obj.lower.tolist(), obj.upper.tolist()):
        width = hi - lo if math.isfinite(hi - lo) else max(1.0, abs(lo) if math.isfinite(lo) else abs(hi))
        if math.isfinite(lo) and v - lo <= AT_LIMIT_TOLERANCE * width:
            out[name] = "lower"
        elif math.isfinite(hi) and hi - v <= AT_LIMIT_TOLERANCE * width:
            out[name] = "upper"
    return out


def _block(a: np.ndarray, inside: list[int]) -> np.ndarray:
    """The rows and columns ``inside`` of the square ``a`` (``a`` itself when that is all of them)."""
    return a if len(inside) == len(a) else a[np.ix_(inside, inside)]


def _flat(obj: Objective, h: np.ndarray, cov: np.ndarray, inside: list[int]) -> tuple[str, ...]:
    """Free parameters (not at a limit) that the data do not constrain inside their seed box.

    Flat: the Hessian error is larger than the box (:func:`~._starts.seed_box`: the
    bounds, or +-2 sigma of a prior), or the parameter takes part in a direction of
    zero or negative curvature of the Hessian scaled to the box widths.
    """
    lo, hi = seed_box(obj)
    width = np.where(hi > lo, hi - lo, np.inf)
    sd = np.sqrt(np.abs(np.diag(cov)))
    too_wide = (np.isfinite(width) & ~(sd <= width)).tolist()
    flat = {i for i in inside if too_wide[i]}
    if inside:
        scale = np.where(np.isfinite(width), width, 1.0)[inside]
        sub = _block(h, inside) * np.outer(scale, scale)
        if np.all(np.isfinite(sub)):
            lam, vec = np.linalg.eigh(sub)
            null = lam <= 1e-10 * max(np.max(np.abs(lam)), np.finfo(float).tiny)
            flat |= {inside[j] for j in np.nonzero(np.any(np.abs(vec[:, null]) > 0.3, axis=1))[0]}
        else:
            flat |= set(inside)
    return tuple(obj.free[i] for i in sorted(flat))


def limit_errors(
    obj: Objective, x, chi2_min: float, limits: Mapping[str, str], *, tolerance: float, max_steps: int
) -> dict[str, tuple[float, float | None]]:
    """One-sided errors of parameters at a limit, from their profile (as MINOS).

    The parameter is moved a distance ``d`` away from its bound, every other free parameter
    re-minimised (warm-started from the previous point), and the first crossing of
    Delta chi^2(d) = 1 is found in one compiled call (:func:`_crossing_program`): up a geometric
    grid (24 points from 1e-6 to 1 of the distance to the other bound) to the first point at or
    above 1 (none: None), then regula falsi (Illinois) between it and the point before, until
    Delta chi^2 is within ``tolerance`` of 1 or the bracket is 1e-10 of that distance.  For the
    argon R_n at its lower bound: 19 grid points and 4 regula falsi steps, where the vmapped grid and
    a 24-point linear refinement took 48 minimisations (3 ms) and interpolated linearly (1.3e-6 fm
    from this crossing).  A profile that falls back below 1 further out (R_n with sin2_theta_w free)
    keeps its first crossing.

    Returns:
        ``name -> (lower, upper)`` signed errors, 0 towards the bound; the far side is
        None when Delta chi^2 stays below 1 up to the other bound.
    """
    out = {}
    x = np.asarray(x, float)
    for name, side in limits.items():
        i = obj.free.index(name)
        keep = [j for j in range(len(obj.free)) if j != i]
        sub = dataclasses.replace(
            obj,
            free=tuple(obj.free[j] for j in keep),
            base=obj.values(x),
            lower=obj.lower[keep],
            upper=obj.upper[keep],
        )
        bound = x[i]
        far = obj.upper[i] if side == "lower" else obj.lower[i]
        span = abs(far - bound) if np.isfinite(far) else 100.0 * max(1.0, abs(bound))
        sign = 1.0 if side == "lower" else -1.0
        run = compiled(
            sub,
            "crossing",
            lambda o, name=name: _crossing_program(o, name, tolerance, max_steps),
            name,
            tolerance,
            max_steps,
        )
        u0 = to_internal(sub.x0, sub.lower, sub.upper)
        found, d = (float(v) for v in np.asarray(run(sub.inputs, u0, np.array([bound, sign, span, chi2_min]))))
        err = d if found else None
        out[name] = (0.0, err) if side == "lower" else (None if err is None else -err, 0.0)
    return out


# the crossing search of limit_errors: its geometric grid (1e-6 to 1 of the distance to the other
# bound) and the relative bracket width at which the regula falsi stops
CROSSING_FLOOR = 1e-6
CROSSING_GRID = 24
CROSSING_XTOL = 1e-10
CROSSING_ITERATIONS = 100


def _crossing_program(sub: Objective, name: str, tolerance: float, max_steps: int):
    """jit of ``(inputs, u0, (bound, sign, span, chi2_min)) -> (found, d)`` for :func:`limit_errors`.

    ``d`` in (0, span]: the first crossing of Delta chi^2 = chi^2(``name`` = bound + sign d, the
    others re-minimised) - chi2_min through 1; ``found`` is 0 when no point of the grid reaches 1.
    """
    solve = solve_internal(sub, tolerance=tolerance, max_steps=max_steps)

    def minimum(inputs, u, held):
        if not sub.free:
            return sub.chi2(inputs, u, held), u
        res = solve(inputs, u, held)
        return res.fval, res.u

    def run(inputs, u0, settings):
        bound, sign, span, chi2_min = settings
        grid = span * jnp.geomspace(CROSSING_FLOOR, 1.0, CROSSING_GRID).astype(span.dtype)

        def excess(d, u):  # Delta chi^2 - 1 at d and the minimum's internal point (the next warm start)
            chi2, u = minimum(inputs, u, {name: bound + sign * d})
            return chi2 - chi2_min - 1.0, u

        # up the grid until the first point at or above 1 (excess(0) = -1: the fit's own minimum)
        def walk(s):
            k, u, _f_before, f = s
            f_new, u = excess(grid[k], u)
            return k + 1, u, f, f_new

        minus_one = -jnp.ones_like(span)
        start = (jnp.zeros((), jnp.int32), u0, minus_one, minus_one)
        k, u, fa, fb = jax.lax.while_loop(lambda s: (s[0] < CROSSING_GRID) & ~(s[3] >= 0), walk, start)
        found = fb >= 0
        a, b = jnp.where(k >= 2, grid[jnp.maximum(k - 2, 0)], 0.0), grid[jnp.maximum(k - 1, 0)]

        # then regula falsi (Illinois) in the bracket (a, b), excess(a) < 0 <= excess(b)
        def cond(s):
            a, _fa, b, _fb, _u, _c, fc, _side, k = s
            done = (b - a <= CROSSING_XTOL * span) | (jnp.abs(fc) < tolerance)
            return found & (k < CROSSING_ITERATIONS) & ~done

        def body(s):
            a, fa, b, fb, u, _c, _fc, side, k = s
            c = _secant(a, fa, b, fb)
            fc, u = excess(c, u)
            up = ~(fc < 0)  # a non-finite chi^2 counts as above: the crossing is looked for below it
            # Illinois: the end point kept twice in a row has its value halved
            fa = jnp.where(up, jnp.where(side == 1, 0.5 * fa, fa), fc)
            fb = jnp.where(up, fc, jnp.where(side == -1, 0.5 * fb, fb))
            a, b = jnp.where(up, a, c), jnp.where(up, c, b)
            return a, fa, b, fb, u, c, fc, jnp.where(up, 1, -1).astype(jnp.int32), k + 1

        none = jnp.zeros((), jnp.int32)
        state = (a, fa, b, fb, u, b, fb, none, none)
        a, fa, b, fb, _u, c, fc, _side, _k = jax.lax.while_loop(cond, body, state)
        d = jnp.where(jnp.abs(fc) < tolerance, c, _secant(a, fa, b, fb))
        return jnp.stack([found.astype(span.dtype), jnp.where(found, d, jnp.nan)])

    return jax.jit(run)


def _secant(a, fa, b, fb):
    """The zero of the line through ``(a, fa)`` and ``(b, fb)``; the midpoint where that is not finite."""
    c = (a * fb - b * fa) / (fb - fa)
    return jnp.where(jnp.isfinite(c), c, 0.5 * (a + b))


def _finish(
    obj: Objective,
    x,
    chi2_min,
    converged: bool,
    message: str,
    edm,
    engine: str,
    *,
    tolerance: float,
    max_steps: int,
    restarts: int,
    local: float | None,
    engine_cov: np.ndarray | None = None,
    minos=None,
    one_sided: bool = True,
    hessian: np.ndarray | None = None,
) -> FitResult:
    """The :class:`FitResult` at ``x``: covariance, limits, flat directions, one-sided errors.

    ``hessian``: the exact Hessian at ``x`` when already computed (else it is computed here).
    """
    x = np.asarray(x, float)
    n = len(obj.free)
    limits = at_limit(obj, x)
    inside = [i for i, name in enumerate(obj.free) if name not in limits]
    h = hessian if hessian is not None else exact_hessian(obj, x) if n else np.zeros((0, 0))
    if engine_cov is not None and not limits:
        cov = engine_cov
    elif len(inside) == n:
        cov = _inverse(h)
    else:  # the parameters at a limit are held there: their Hessian error means nothing
        cov = np.full((n, n), np.nan)
        cov[np.ix_(inside, inside)] = _inverse(h[np.ix_(inside, inside)])
    flat = _flat(obj, h, cov, inside) if n and converged else ()
    one_sided = (
        limit_errors(obj, x, float(chi2_min), limits, tolerance=tolerance, max_steps=max_steps) if one_sided else {}
    )
    errors = dict.fromkeys(obj.base, 0.0)
    errors.update(zip(obj.free, np.sqrt(np.diag(cov)).tolist()))
    for name, side in limits.items():
        lo, hi = one_sided.get(name, (None, None))
        far = hi if side == "lower" else lo
        errors[name] = float("nan") if far is None else abs(far)
    if local is not None:
        message = (
            f"{message}; the start led to a local minimum (chi2 = {local:.6g}, {local - float(chi2_min):.4g} above "
            f"the lowest of {restarts + 1} starts, which is reported)"
        )
    ps = obj.model.parameters
    return FitResult(
        values=obj.values(x),
        errors=errors,
        free=obj.free,
        covariance=NamedMatrix(obj.free, cov),
        chi2_min=float(chi2_min),
        ndof=_ndof(obj),
        converged=bool(converged),
        message=message,
        edm=float(edm),
        engine=engine,
        units={name: p.unit for name, p in ps.items()},
        minos=minos,
        at_limit=limits,
        limit_errors=one_sided,
        flat=flat,
        local_minimum_chi2=None if local is None else float(local),
        restarts=restarts,
        bounds=dict(zip(obj.free, zip(obj.lower.tolist(), obj.upper.tolist()))),
    )


def _multistart_program(obj: Objective, tolerance: float, max_steps: int):
    """jit of ``(inputs, u0) -> packed`` over the starts ``u0``, shape (k, n_free); :func:`unpack` reads it.

    The minimisations (over the rows ``u0``), the choice of the lowest converged one (as
    :func:`lowest`) and the exact Hessian there are one compiled program whose outcome is one
    vector ``(chi2, x, edm, posdef, max_steps_reached, best, hessian)``: a fit is one call and
    one transfer (a tuple of seven arrays cost ~60 us more to fetch).
    """
    one = row_solver(obj, (), tolerance, max_steps)

    def run(inputs, u0):
        # one start after the other on a CPU (a vmapped Newton loop runs every start as long as the
        # slowest), vectorised on an accelerator
        rows = jax.lax.map(lambda u: one(inputs, u, jnp.zeros(0)), u0, batch_size=batch_size(len(u0)))
        chi2, x, edm, posdef, hit = rows
        finite = jnp.isfinite(chi2)
        ok = finite & posdef & (edm < tolerance)

        def lowest_of(usable):
            return jnp.argmin(jnp.where(usable, chi2, jnp.inf))

        best = jnp.where(jnp.any(ok), lowest_of(ok), jnp.where(jnp.any(finite), lowest_of(finite), 0))
        h = _hessian(obj, inputs, x[best])
        parts = (chi2, x, edm, posdef, hit, best, h)
        return jnp.concatenate([jnp.ravel(a).astype(chi2.dtype) for a in parts])

    return jax.jit(run)


def unpack(packed, k: int, n: int, tolerance: float) -> Rows:
    """The :class:`Rows` of :func:`_multistart_program`'s vector for ``k`` starts of ``n`` parameters."""
    packed = np.array(packed, dtype=float)
    chi2, x, edm = packed[:k], packed[k : k + k * n].reshape(k, n), packed[k + k * n : 2 * k + k * n]
    posdef, hit = packed[2 * k + k * n : 4 * k + k * n].reshape(2, k).astype(bool)
    best, h = int(packed[4 * k + k * n]), packed[4 * k + k * n + 1 :].reshape(n, n)
    ok = np.isfinite(chi2) & posdef & (edm < tolerance)
    return Rows(chi2, x, edm, posdef, hit, ok, best, h)


def multistart(obj: Objective, restarts: int, *, tolerance: float, max_steps: int) -> Rows:
    """Minimise from the start and from ``restarts`` box seeds in one call; row 0 is the start.

    The rows carry the lowest (:attr:`Rows.best`) and the exact Hessian there (:attr:`Rows.hessian`).
    """
    starts = np.concatenate([obj.x0[None], box_seeds(obj, restarts)])
    if not obj.free:
        empty = np.zeros((len(starts), 0))
        return solve_rows(obj, (), starts, empty, tolerance=tolerance, max_steps=max_steps, size=len(starts))
    run = compiled(obj, "multistart", lambda o: _multistart_program(o, tolerance, max_steps), tolerance, max_steps)
    u0 = to_internal(starts, obj.lower, obj.upper).reshape(starts.shape)
    return unpack(run(obj.inputs, u0), *starts.shape, tolerance)


def lowest(rows: Rows) -> int:
    """Index of the lowest converged row (of the lowest finite one if none converged; else 0).

    The rows of :func:`multistart` carry it already (:attr:`Rows.best`, chosen on the device).
    """
    if rows.best is not None:
        return rows.best
    for usable in (rows.ok, np.isfinite(rows.chi2)):
        if np.any(usable):
            return int(np.argmin(np.where(usable, rows.chi2, np.inf)))
    return 0


def _local(start_chi2: float, rows: Rows, i: int) -> float | None:
    """chi^2 of the start's minimum when a converged restart went lower by more than the threshold."""
    if rows.ok[i] and np.isfinite(start_chi2) and start_chi2 - rows.chi2[i] > LOCAL_MINIMUM_DCHI2:
        return float(start_chi2)
    return None


def status_message(fval, edm, posdef, max_steps_reached, tolerance, max_steps) -> tuple[bool, str]:
    """Convergence flag and a human message from a :class:`Minimum`'s fields."""
    if not np.isfinite(fval):
        return False, "chi2 is not finite at the end point"
    if not posdef:
        return False, f"Hessian not positive definite at the end point (EDM = {edm:.2g})"
    if not edm < tolerance:
        why = f"maximum number of steps ({max_steps}) reached; " if max_steps_reached else ""
        return False, f"{why}EDM = {edm:.2g} above tolerance {tolerance:.2g}"
    return True, f"EDM = {edm:.2g} < {tolerance:.2g}"


def _fit_jax(obj: Objective, *, tolerance: float, max_steps: int, restarts: int) -> FitResult:
    if not obj.free:
        chi2 = float(compiled(obj, "chi2", lambda o: jax.jit(o.chi2))(obj.inputs, jnp.zeros(0)))
        ok = bool(np.isfinite(chi2))
        msg = "no free parameters" if ok else "chi2 is not finite"
        return _finish(
            obj,
            np.zeros(0),
            chi2,
            ok,
            msg,
            0.0,
            "jax",
            tolerance=tolerance,
            max_steps=max_steps,
            restarts=0,
            local=None,
        )
    rows = multistart(obj, restarts, tolerance=tolerance, max_steps=max_steps)
    return fit_from_rows(obj, rows, tolerance=tolerance, max_steps=max_steps, restarts=restarts)


def fit_from_rows(
    obj: Objective, rows: Rows, *, tolerance: float, max_steps: int, restarts: int, one_sided: bool = True
) -> FitResult:
    """The jax engine's :class:`FitResult` from :func:`multistart` rows (row 0: the start).

    ``one_sided=False`` skips the profile errors of parameters at a limit (their
    :attr:`FitResult.errors` are then NaN): a profile computes them itself.
    """
    i = lowest(rows)
    hessian = rows.hessian  # computed with the rows by multistart (else None: computed by _finish)
    converged, message = status_message(
        rows.chi2[i], rows.edm[i], rows.posdef[i], rows.max_steps_reached[i], tolerance, max_steps
    )
    local = _local(rows.chi2[0], rows, i)
    return _finish(
        obj,
        rows.x[i],
        rows.chi2[i],
        converged,
        message,
        rows.edm[i],
        "jax",
        tolerance=tolerance,
        max_steps=max_steps,
        restarts=restarts,
        local=local,
        one_sided=one_sided,
        hessian=hessian,
    )


def _fit_iminuit(obj: Objective, *, tolerance: float, max_steps: int, minos: bool, restarts: int) -> FitResult:
    from iminuit import Minuit

    settings = dict(tolerance=tolerance, max_steps=max_steps)
    if not obj.free:
        return _fit_jax(obj, **settings, restarts=restarts)
    f = compiled(obj, "chi2", lambda o: jax.jit(o.chi2))
    g = compiled(obj, "grad", lambda o: jax.jit(jax.grad(o.chi2, argnums=1)))
    inputs = obj.inputs

    # numpy arguments: the jitted functions transfer them themselves (~35 us less per call than jnp.asarray)
    def fcn(x):
        return float(f(inputs, np.asarray(x, float)))

    def grad(x):
        return np.asarray(g(inputs, np.asarray(x, float)))

    def migrad(x0):
        m = Minuit(fcn, x0, grad=grad, name=obj.free)
        m.errordef = Minuit.LEAST_SQUARES
        m.limits = [
            (None if not np.isfinite(lo) else lo, None if not np.isfinite(hi) else hi)
            for lo, hi in zip(obj.lower, obj.upper)
        ]
        # Minuit2 stops at EDM < 0.002 * tol * errordef.
        m.tol = tolerance / 0.002
        m.migrad(ncall=50 * max_steps)
        m.hesse()
        return m

    m = migrad(obj.x0)
    local = None
    if restarts:
        rows = multistart(obj, restarts, **settings)
        i = lowest(rows)
        local = _local(float(m.fval), rows, i)
        if local is not None:
            m = migrad(rows.x[i])
    fmin = m.fmin
    converged = bool(fmin.is_valid)
    if converged:
        message = f"MIGRAD valid, EDM = {fmin.edm:.2g}"
    else:
        flags = [
            label
            for label, bad in [
                ("call limit reached", fmin.has_reached_call_limit),
                ("EDM above maximum", fmin.is_above_max_edm),
                ("HESSE failed", fmin.hesse_failed),
                ("covariance not positive definite", not fmin.has_posdef_covar),
            ]
            if bad
        ]
        message = "MIGRAD invalid: " + (", ".join(flags) or "see iminuit's FMin")
    merrors = None
    if minos and converged:
        m.minos()
        merrors = {n: (float(m.merrors[n].lower), float(m.merrors[n].upper)) for n in obj.free}
    x = np.array(m.values, dtype=float)
    cov = np.array(m.covariance, dtype=float) if m.covariance is not None else np.full((len(x),) * 2, np.nan)
    result = _finish(
        obj,
        x,
        m.fval,
        converged,
        message,
        fmin.edm,
        "iminuit",
        **settings,
        restarts=restarts,
        local=local,
        engine_cov=cov,
        minos=merrors,
    )
    result._attach(minuit=m)
    return result
