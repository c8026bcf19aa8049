"""Maximum-likelihood fits: ``fit(model, ...)`` with the jax or iminuit engine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ..model import Model
from ._minimize import minimize
from ._objective import Objective, build, compiled, warn_if_float32
from ._persist import attach
from ._result import FitResult, NamedMatrix
from ._transforms import to_external, to_internal

ENGINES = ("jax", "iminuit")


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

    Returns:
        The :class:`~cevnsjax.inference.FitResult`.

    Raises:
        ParameterError: unknown names or values outside bounds.
        ValueError: unknown engine, or ``minos`` with the jax engine.

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
    result = fit_objective(obj, engine, minos, tolerance=tolerance, max_steps=max_steps)
    return attach(result, model, free=free, fixed=fixed, start=start, constraints=constraints, engine=engine)


def fit_objective(
    obj: Objective, engine: str = "jax", minos: bool = False, *, tolerance: float = 1e-6, max_steps: int = 200
) -> FitResult:
    """:func:`fit` of an already built :class:`Objective` (same arguments)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine '{engine}'; valid engines: {', '.join(ENGINES)}")
    if minos and engine != "iminuit":
        raise ValueError("minos=True needs engine='iminuit'; use profile() for asymmetric intervals")
    if engine == "jax":
        return _fit_jax(obj, tolerance=tolerance, max_steps=max_steps)
    return _fit_iminuit(obj, tolerance=tolerance, max_steps=max_steps, minos=minos)


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


def hessian_covariance(obj: Objective, x) -> tuple[np.ndarray, bool]:
    """Covariance ``2 H^-1`` of the free parameters from the exact Hessian of chi^2.

    Args:
        obj: the objective.
        x: external point, shape (n_free,).

    Returns:
        ``(covariance, posdef)``; non-positive-definite Hessians give NaN errors.
    """
    n = len(obj.free)
    if n == 0:
        return np.zeros((0, 0)), True
    hessian = compiled(obj, "hessian", lambda o: jax.jit(jax.hessian(o.chi2, argnums=1)))
    h = np.asarray(hessian(obj.inputs, jnp.asarray(x)))
    h = 0.5 * (h + h.T)
    lam = np.linalg.eigvalsh(h) if np.all(np.isfinite(h)) else np.array([np.nan])
    posdef = bool(np.all(lam > 0))
    cov = 2.0 * np.linalg.inv(h) if posdef else np.full((n, n), np.nan)
    return cov, posdef


def _result(obj: Objective, x, chi2_min, converged, message, edm, engine, cov, minos=None) -> FitResult:
    sd = np.sqrt(np.diag(cov)) if len(obj.free) else np.zeros(0)
    errors = dict.fromkeys(obj.base, 0.0)
    errors.update({n: float(s) for n, s in zip(obj.free, sd)})
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
        units={n: ps[n].unit for n in ps},
        minos=minos,
    )


def solve_internal(obj: Objective, *, tolerance: float, max_steps: int):
    """``run(inputs, u0, extra)``: :func:`minimize` of ``obj`` from internal ``u0``.

    ``extra`` overrides parameters that are not free (a profiled value); the
    returned function is pure, to be jitted and vmapped by the caller.
    """

    def run(inputs, u0, extra):
        lower, upper = jnp.asarray(obj.lower), jnp.asarray(obj.upper)  # at trace time: the current dtype

        def f(u):
            return obj.chi2(inputs, to_external(u, lower, upper), extra)

        return minimize(f, u0, tolerance=tolerance, max_steps=max_steps)

    return run


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


def _fit_jax(obj: Objective, *, tolerance: float, max_steps: int) -> FitResult:
    if not obj.free:
        chi2 = float(compiled(obj, "chi2", lambda o: jax.jit(o.chi2))(obj.inputs, jnp.zeros(0)))
        ok = bool(np.isfinite(chi2))
        msg = "no free parameters" if ok else "chi2 is not finite"
        return _result(obj, np.zeros(0), chi2, ok, msg, 0.0, "jax", np.zeros((0, 0)))
    run = compiled(
        obj,
        "solve",
        lambda o: jax.jit(solve_internal(o, tolerance=tolerance, max_steps=max_steps)),
        tolerance,
        max_steps,
    )
    u0 = jnp.asarray(to_internal(obj.x0, obj.lower, obj.upper))
    m = run(obj.inputs, u0, {})
    x = np.asarray(to_external(m.u, jnp.asarray(obj.lower), jnp.asarray(obj.upper)))
    converged, message = status_message(
        float(m.fval), float(m.edm), bool(m.posdef), bool(m.max_steps_reached), tolerance, max_steps
    )
    cov, posdef = hessian_covariance(obj, x)
    if converged and not posdef:
        message += "; Hessian in parameter space not positive definite, errors are NaN"
    return _result(obj, x, m.fval, converged, message, m.edm, "jax", cov)


def _fit_iminuit(obj: Objective, *, tolerance: float, max_steps: int, minos: bool) -> FitResult:
    from iminuit import Minuit

    if not obj.free:
        return _fit_jax(obj, tolerance=tolerance, max_steps=max_steps)
    f = compiled(obj, "chi2", lambda o: jax.jit(o.chi2))
    g = compiled(obj, "grad", lambda o: jax.jit(jax.grad(o.chi2, argnums=1)))
    inputs = obj.inputs

    def fcn(x):
        return float(f(inputs, jnp.asarray(x)))

    def grad(x):
        return np.asarray(g(inputs, jnp.asarray(x)))

    m = Minuit(fcn, obj.x0, grad=grad, name=obj.free)
    m.errordef = Minuit.LEAST_SQUARES
    m.limits = [
        (None if not np.isfinite(lo) else lo, None if not np.isfinite(hi) else hi)
        for lo, hi in zip(obj.lower, obj.upper)
    ]
    # Minuit2 stops at EDM < 0.002 * tol * errordef.
    m.tol = tolerance / 0.002
    m.migrad(ncall=50 * max_steps)
    m.hesse()
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
    result = _result(obj, x, m.fval, converged, message, fmin.edm, "iminuit", cov, merrors)
    result._attach(minuit=m)
    return result
