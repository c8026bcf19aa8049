"""Differentiable minima and profile crossings: gradients through fits by implicit differentiation.

:func:`~cevnsjax.inference.fit` and :func:`~cevnsjax.inference.profile` iterate a damped
Newton method in a ``while_loop`` (:mod:`._minimize`), which JAX cannot differentiate in
reverse mode, and differentiating the iterations would be slow and wrong before convergence
anyway.  Here the same solver runs undifferentiated and the derivative of its result follows
from the optimality condition alone (implicit function theorem, docs/physics.md section 20):

* argmin ``u*(d)`` of ``f(u, d)`` (``grad_u f = 0``), Eq. (170):
  ``du*/dd = -H^-1 d(grad_u f)/dd``, ``H = d^2 f/du^2`` at ``u*``;
* the minimum ``f*(d) = f(u*(d), d)`` then has ``df*/dd = df/dd`` at ``u*`` (Eq. 171);
* a crossing ``t*(d)`` of a profile, ``p(t*, d) = level`` with
  ``p(t, d) = min_x f(t, x, d) - min_{t, x} f(t, x, d)``, Eq. (172):
  ``dt*/dd = -(dp/dd) / (dp/dt)``.

``f`` is any scalar function (a chi^2) of the parameters ``x`` and a pytree of *design*
arrays ``d`` (a threshold, an exposure, a background level): gradients, Jacobians, ``jit`` and
``vmap`` work with respect to ``d``.  :func:`design_chi2` turns a function ``design -> model``
(e.g. :meth:`~cevnsjax.experiments.sns_ge_projection.SnsGeProjection.with_design`) into such an
``f``.  Bounds are handled by the Minuit transforms of :mod:`._transforms`, as in :func:`fit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.special import ndtri

from ._minimize import minimize as newton
from ._transforms import to_external, to_internal


class Solution(NamedTuple):
    """Outcome of :func:`minimize`.

    Attributes:
        x: the argmin, external (bounded) values, shape (n,).
        fval: the minimum value of ``f``.
        converged: EDM below the tolerance with a positive-definite Hessian.
    """

    x: jax.Array
    fval: jax.Array
    converged: jax.Array


def _bounds(n: int, lower, upper) -> tuple[np.ndarray, np.ndarray]:
    lower = np.full(n, -np.inf) if lower is None else np.broadcast_to(np.asarray(lower, float), (n,))
    upper = np.full(n, np.inf) if upper is None else np.broadcast_to(np.asarray(upper, float), (n,))
    if np.any(~(lower < upper)):
        raise ValueError(f"bounds must satisfy lower < upper, got lower={lower.tolist()}, upper={upper.tolist()}")
    return lower, upper


def _argmin(g: Callable, u0: jax.Array, design, tolerance: float, max_steps: int):
    """``(u*, converged)`` minimising ``g(u, design)`` from ``u0``; ``u*`` differentiable in ``design`` (Eq. 170)."""

    def run(u0, design):
        res = newton(lambda u: g(u, design), u0, tolerance=tolerance, max_steps=max_steps)
        return res.u, res.posdef & (res.edm < tolerance) & jnp.isfinite(res.fval)

    @jax.custom_jvp
    def solve(u0, design):
        return run(u0, design)

    @solve.defjvp
    def solve_jvp(primals, tangents):
        u0, design = primals
        _, d_design = tangents  # the start does not move the minimum
        u, ok = run(u0, design)
        h = jax.hessian(g)(u, design)
        _, cross = jax.jvp(lambda d: jax.grad(g)(u, d), (design,), (d_design,))
        du = -jnp.linalg.solve(0.5 * (h + h.T), cross)
        return (u, ok), (du, np.zeros((), jax.dtypes.float0))

    return solve(u0, design)


def minimize(
    f: Callable,
    x0,
    design=None,
    *,
    lower=None,
    upper=None,
    tolerance: float = 1e-10,
    max_steps: int = 100,
) -> Solution:
    """Minimise ``f(x, design)`` over ``x``, differentiably in ``design``.

    The minimiser is the damped Newton iteration of :func:`~cevnsjax.inference.fit`; its
    result is differentiated by the implicit function theorem at the optimum
    (docs/physics.md Eqs. 170-171), so ``jax.grad``, ``jax.jacfwd``, ``jax.jit`` and
    ``jax.vmap`` work with respect to ``design``.

    Args:
        f: scalar objective (e.g. a chi^2) of ``x`` (shape (n,)) and ``design``.
        x0: starting point inside the bounds, shape (n,) (concrete values; the start is not
            differentiated: the minimum does not depend on it).
        design: pytree of float arrays the objective depends on (None: none).
        lower, upper: bounds of ``x``, shape (n,) or scalars (None: open).
        tolerance: convergence when EDM = g^T H^-1 g / 2 < tolerance (units of ``f``); the
            derivative is that of the exact minimum, so keep it small.
        max_steps: limit on Newton iterations.

    Returns:
        The :class:`Solution` ``(x, fval, converged)``; ``x`` and ``fval`` carry the implicit
        derivatives.  The derivative needs a positive-definite Hessian at the minimum (a
        minimum on a bound, where the Minuit transform is flat, has none).

    Raises:
        ValueError: ``x0`` not a non-empty vector, or bounds with ``lower >= upper``.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> jax.config.update("jax_enable_x64", True)
        >>> f = lambda x, d: (x[0] - d) ** 2 + (x[1] - 2.0 * x[0]) ** 2
        >>> jax.grad(lambda d: minimize(f, [0.0, 0.0], d).x[1])(1.5).round(6)
        Array(2., dtype=float64, weak_type=True)
    """
    x0 = np.atleast_1d(np.asarray(x0, dtype=float))
    if x0.ndim != 1 or x0.size == 0:
        raise ValueError(f"x0 must be a non-empty vector, got shape {x0.shape}")
    lower, upper = _bounds(x0.size, lower, upper)

    def g(u, d):
        return f(to_external(u, jnp.asarray(lower), jnp.asarray(upper)), d)

    u0 = jnp.asarray(to_internal(x0, lower, upper))
    u, ok = _argmin(g, u0, design, tolerance, max_steps)
    return Solution(to_external(u, jnp.asarray(lower), jnp.asarray(upper)), g(u, design), ok)


def crossing(
    f: Callable,
    x0,
    index: int,
    design=None,
    *,
    level: float = 1.0,
    side: int = 1,
    lower=None,
    upper=None,
    tolerance: float = 1e-10,
    max_steps: int = 100,
    max_iterations: int = 30,
    scale: float | None = None,
) -> jax.Array:
    """Where the profile of parameter ``index`` rises by ``level`` above its minimum, differentiably.

    The profile is ``p(t) = min_{x_j, j != index} f(x | x_index = t) - min_x f(x)``; the
    crossing ``t*`` solves ``p(t*) = level`` on the ``side`` of the best fit (Newton's method on
    ``sqrt(p)``, which is linear in ``t`` for a quadratic profile, from the Hessian estimate,
    every step re-minimising the other parameters from the previous step's minimum).  Its
    derivative with respect to ``design`` is Eq. (172) of docs/physics.md.  With Asimov data
    and ``level=1``, ``t* - x_index(truth)`` is the expected 1-sigma error (Wilks; 2.71 on
    one side: the expected 95% CL upper limit).

    Args:
        f: scalar chi^2 of ``x`` (shape (n,)) and ``design``.
        x0: starting point of the global minimisation, shape (n,) (concrete values).
        index: the profiled parameter's position in ``x``.
        design: pytree of float arrays ``f`` depends on.
        level: Delta f at the crossing (1: 68.27% CL for one parameter).
        side: +1 for the crossing above the best fit, -1 below it.
        lower, upper: bounds of ``x``; the crossing must lie inside them, the best fit and the
            profiled parameters may end on them (Eq. 172 needs first derivatives only).
        tolerance, max_steps: of every minimisation (:func:`minimize`).
        max_iterations: limit on Newton steps of the crossing.
        scale: the first step from the best fit, in the parameter's units (times sqrt(level));
            default: the Hessian error at the best fit, or 1 where it gives none.  Give it where
            the Hessian misleads: a best fit on a bound of a parameter whose rate goes as its
            square (a magnetic moment, a coupling), where the curvature vanishes.

    Returns:
        ``t*`` (scalar), with the implicit derivative; NaN if no crossing was found inside the
        bounds within ``max_iterations`` (``|p(t*) - level| < 1e-9 level``).

    Raises:
        ValueError: bad ``index``, ``side``, ``level`` or bounds.

    Examples:
        >>> import jax, jax.numpy as jnp
        >>> jax.config.update("jax_enable_x64", True)
        >>> f = lambda x, s: (x[0] / s) ** 2 + (x[1] - x[0]) ** 2  # profile of x[0]: (x0/s)^2
        >>> float(crossing(f, [0.1, 0.0], 0, 2.0).round(8))
        2.0
        >>> float(jax.grad(lambda s: crossing(f, [0.1, 0.0], 0, s))(2.0).round(6))
        1.0
    """
    x0 = np.atleast_1d(np.asarray(x0, dtype=float))
    n = x0.size
    if x0.ndim != 1 or n < 1:
        raise ValueError(f"x0 must be a non-empty vector, got shape {x0.shape}")
    if int(index) != index or not 0 <= index < n:
        raise ValueError(f"index must be an integer in [0, {n}), got {index}")
    if side not in (1, -1):
        raise ValueError(f"side must be +1 or -1, got {side}")
    if not level > 0:
        raise ValueError(f"level must be > 0, got {level}")
    lower, upper = _bounds(n, lower, upper)
    rest = np.array([j for j in range(n) if j != index], dtype=int)
    lo, hi, lo_r, hi_r = jnp.asarray(lower), jnp.asarray(upper), jnp.asarray(lower[rest]), jnp.asarray(upper[rest])
    t_lo, t_hi = float(lower[index]), float(upper[index])
    u0 = jnp.asarray(to_internal(x0, lower, upper))
    found = 1e-9 * level

    def full(t, v):
        """External point with x_index = t and the others from internal ``v``."""
        return jnp.zeros(n, jnp.result_type(t, v)).at[rest].set(to_external(v, lo_r, hi_r)).at[index].set(t)

    def run(d):
        """(t*, x at t*, global argmin): undifferentiated Newton iterations."""
        best = newton(lambda u: f(to_external(u, lo, hi), d), u0, tolerance=tolerance, max_steps=max_steps)
        x_hat = to_external(best.u, lo, hi)
        h = jax.hessian(f)(x_hat, d)
        sigma = jnp.sqrt(2.0 * jnp.linalg.inv(0.5 * (h + h.T))[index, index])
        sigma = jnp.where(jnp.isfinite(sigma) & (sigma > 0), sigma, 1.0) if scale is None else scale

        def body(state):
            t, v, _, k, _ = state
            if rest.size:
                res = newton(lambda w: f(full(t, w), d), v, tolerance=tolerance, max_steps=max_steps)
                v, ok = res.u, res.edm < tolerance  # no posdef: a nuisance may end on its bound
            else:
                ok = jnp.ones((), bool)
            x = full(t, v)
            p = jnp.maximum(f(x, d) - best.fval, 0.0)
            # Newton on sqrt(p) = sqrt(level): dp/dt is df/dx_index at the profiled minimum (Eq. 171)
            slope = jax.grad(f)(x, d)[index] / (2.0 * jnp.maximum(jnp.sqrt(p), 1e-300))
            usable = (side * slope > 0) & jnp.isfinite(slope)
            t_new = jnp.where(usable, t + (jnp.sqrt(level) - jnp.sqrt(p)) / jnp.where(usable, slope, 1.0), t)
            t_new = jnp.where(usable, t_new, t + side * sigma)
            done = jnp.abs(p - level) < found
            return jnp.where(done, t, jnp.clip(t_new, t_lo, t_hi)), v, p, k + 1, ok & (best.edm < tolerance)

        def cond(state):
            _t, _v, p, k, _ok = state
            return (k < max_iterations) & ~(jnp.abs(p - level) < found)

        t0 = jnp.clip(x_hat[index] + side * jnp.sqrt(level) * sigma, t_lo, t_hi)
        state = (t0, best.u[rest], jnp.asarray(jnp.inf, t0.dtype), jnp.asarray(0), jnp.ones((), bool))
        t, v, p, _, ok = jax.lax.while_loop(cond, body, state)
        t = jnp.where((jnp.abs(p - level) < found) & ok, t, jnp.nan)
        return t, full(t, v), x_hat

    @jax.custom_jvp
    def solve(d):
        return run(d)[0]

    @solve.defjvp
    def solve_jvp(primals, tangents):
        (d,), (dd,) = primals, tangents
        t, x_t, x_hat = run(d)
        # Eq. (172) with the envelope theorem (Eq. 171) for both minima: first derivatives only
        dp_dt = jax.grad(f)(x_t, d)[index]
        _, dp_dd = jax.jvp(lambda dv: f(x_t, dv) - f(x_hat, dv), (d,), (dd,))
        return t, -dp_dd / dp_dt

    return solve(design)


def interval_width(f: Callable, x0, index: int, design=None, *, level: float = 1.0, **options) -> jax.Array:
    """Width of the profile interval of parameter ``index`` at ``level``, differentiably (Eq. (173) of docs/physics.md).

    The distance between the crossings above and below the best fit (:func:`crossing`), so its
    derivative is the difference of two Eq. (172) derivatives.  With Asimov data and ``level=1``
    it is twice the expected 1-sigma error.

    Args:
        f, x0, index, design: as for :func:`crossing`.
        level: Delta f at both ends (1: 68.27% CL, 2.71: 90% CL, 4: 2 sigma).
        **options: the other keyword arguments of :func:`crossing` (bounds, tolerances, ``scale``).

    Returns:
        ``t_up* - t_down*`` (scalar), NaN where a crossing was not found.

    Examples:
        >>> import jax
        >>> jax.config.update("jax_enable_x64", True)
        >>> f = lambda x, s: (x[0] / s) ** 2 + (x[1] - x[0]) ** 2  # profile of x[0]: (x0/s)^2
        >>> float(interval_width(f, [0.1, 0.0], 0, 2.0).round(8)), float(jax.grad(lambda s: interval_width(f, [0.1, 0.0], 0, s))(2.0).round(6))
        (4.0, 2.0)
    """
    up = crossing(f, x0, index, design, level=level, side=1, **options)
    return up - crossing(f, x0, index, design, level=level, side=-1, **options)


def upper_limit(f: Callable, x0, index: int, design=None, *, cl: float = 0.9, **options) -> jax.Array:
    """Expected one-sided upper limit on parameter ``index`` at confidence ``cl``, differentiably (Eq. (174) of docs/physics.md).

    For a parameter whose truth is on its lower bound (no signal: a magnetic moment, a Z'
    coupling, a sterile mixing) and Asimov data of that truth, the median upper limit of the
    one-sided profile-likelihood test is where the profile reaches ``Phi^-1(cl)^2`` (1.64 for 90%,
    2.71 for 95%; the median limit from the Asimov data set of G. Cowan et al., arXiv:1007.1727):
    :func:`crossing` on the upper side
    at that level, with the derivative of Eq. (172).

    Args:
        f, x0, index, design: as for :func:`crossing` (``x0`` with the parameter at its bound).
        cl: confidence level in (0.5, 1).
        **options: the other keyword arguments of :func:`crossing` (bounds, tolerances, ``scale``).

    Returns:
        The limit (scalar), NaN where the crossing was not found.

    Raises:
        ValueError: ``cl`` outside (0.5, 1).

    Examples:
        >>> import jax
        >>> jax.config.update("jax_enable_x64", True)
        >>> f = lambda x, s: (x[0] / s) ** 2  # a Gaussian measurement of x >= 0 with error s at 0
        >>> print(f"{float(upper_limit(f, [0.0], 0, 0.5, cl=0.95, lower=0.0, upper=10.0)):.6f}")
        0.822427
    """
    if not 0.5 < cl < 1:
        raise ValueError(f"cl={cl}: the confidence level of an upper limit must be in (0.5, 1), e.g. 0.9")
    level = float(ndtri(cl)) ** 2  # Eq. (174) of docs/physics.md
    return crossing(f, x0, index, design, level=level, side=1, **options)


def design_chi2(
    model, free: Iterable[str], fixed: Mapping[str, float] | None = None
) -> tuple[Callable, np.ndarray, np.ndarray, np.ndarray]:
    """The chi^2 of a model with design values as a function ``f(x, design)`` of its named free parameters.

    Args:
        model: a model with a ``with_design(**design)`` method returning the model with those
            (possibly traced) design values, e.g.
            :meth:`~cevnsjax.experiments.sns_ge_projection.SnsGeProjection.with_design`.
        free: names of the parameters in ``x``, in order.
        fixed: ``name -> value`` of other parameters (the rest stay at their defaults).

    Returns:
        ``(f, x0, lower, upper)``: ``f(x, design)`` with ``design`` a mapping of the keyword
        arguments of ``with_design``, and the free parameters' defaults and bounds, ready for
        :func:`minimize` and :func:`crossing`.

    Raises:
        ParameterError: unknown names, or fixed values outside their bounds.
        TypeError: the model has no ``with_design``.
    """
    if not callable(getattr(model, "with_design", None)):
        raise TypeError(f"model '{model.name}' has no with_design method: its design cannot be varied")
    params = model.parameters
    free = [params.canonical(n) for n in free]
    fixed = params.canonical_mapping(fixed)
    params.check_names(free)
    params.check_values(fixed)
    base = {**{n: float(p.default) for n, p in params.items()}, **{n: float(v) for n, v in fixed.items()}}

    def f(x, design):
        p = {n: jnp.asarray(v) for n, v in base.items()}
        p.update({n: x[i] for i, n in enumerate(free)})
        return model.with_design(**design).chi2(p)

    x0 = np.array([base[n] for n in free])
    return f, x0, np.array([params[n].lower for n in free]), np.array([params[n].upper for n in free])
