"""Warm-started sweeps along grid lines: every point minimised from its neighbour's minimum.

Along a line of a grid (a row or a column of a 2D profile) the minimum over the other
parameters moves smoothly, so a point started from its neighbour's minimum needs a few iterations
instead of a cold start's ten to twenty.  A line is swept with :func:`jax.lax.scan` upwards and
then back downwards from the last point, keeping the lower minimum of each point (the downward pass starts from the upward one's), so a
branch found at one point spreads along the whole line in one pass; lines are independent and are
:func:`jax.vmap`-ed.

:func:`line_sweeps` (2D profiles) carries the curvature from point to point: each point is
minimised by :func:`~._minimize.quasi_newton`, Newton steps in the internal coordinates with the
external Hessian carried from the neighbour and updated by BFGS, so a point costs a few gradients
and no Hessian.  The caller re-minimises the final points with the exact-Hessian solver of
:mod:`._solve` (one Hessian each when converged), whose EDM and positive-definiteness decide
convergence as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from ._minimize import positive, quasi_newton
from ._objective import Objective
from ._transforms import to_external

# a swept point's minimum is kept when below the point's earlier one by more than this (chi^2 units)
SWEEP_DCHI2 = 1e-4
# the quasi-Newton iteration stops at EDM below this fraction of the tolerance, well inside the
# exact solver's own stopping point (1e-3 of it), so that its check costs one Hessian
QUASI_NEWTON_MARGIN = 1e-5


def fd_hessian(grad: Callable, x: jax.Array, lower: jax.Array, upper: jax.Array) -> jax.Array:
    """Symmetrised forward-difference Hessian of a function of bounded ``x`` from its gradient, shape (n, n).

    Steps ``1e-5 max(1, |x_j|)``, towards the inside where a step would cross the upper bound; a
    starting matrix for :func:`~._minimize.quasi_newton` (relative error ~1e-5).
    """
    step = 1e-5 * jnp.maximum(1.0, jnp.abs(x))
    step = jnp.where(x + step > upper, -step, step)
    g0 = grad(x)
    rows = jax.vmap(lambda e, s: (grad(x + s * e) - g0) / s)(jnp.eye(x.shape[0], dtype=x.dtype), step)
    return 0.5 * (rows + rows.T)


def line_sweeps(obj: Objective, names: tuple[str, ...], tolerance: float, max_steps: int):
    """jit of ``(inputs, u0, values, u_have, chi2_have) -> (chi2, u, steps)``, batched over lines.

    Per line (leading axis of every array but ``inputs``): ``values`` (n_points, len(names)) the
    held values along it, ``u_have`` (n_points, n_free) and ``chi2_have`` (n_points,) each point's
    best internal minimum so far (chi^2 ``inf`` where none), ``u0`` (n_free,) the start of the
    first point.  Each point is minimised by :func:`~._minimize.quasi_newton` from the previous
    point's kept minimum, with its external Hessian carried along (a finite-difference Hessian at
    the line's first point); the new minimum is kept when lower than ``chi2_have`` by more than
    :data:`SWEEP_DCHI2`.  Swept up, then down with the upward pass's minima as the points' best;
    ``steps`` counts the gradient evaluations of both passes.
    """
    lower, upper = obj.lower, obj.upper

    def line(inputs, u0, values, u_have, chi2_have):
        lo, hi = jnp.asarray(lower), jnp.asarray(upper)

        def chi2(x, held):
            return obj.chi2(inputs, x, dict(zip(names, held)))

        b0 = positive(fd_hessian(jax.grad(lambda x: chi2(x, values[0])), to_external(u0, lo, hi), lo, hi))

        def step(carry, x):
            u, b = carry
            held, u_old, chi2_old = x
            res = quasi_newton(
                lambda w: chi2(w, held),
                u,
                b,
                lo,
                hi,
                tolerance=tolerance,
                max_steps=max_steps,
                margin=QUASI_NEWTON_MARGIN,
            )
            new = jnp.isfinite(res.fval) & jnp.all(jnp.isfinite(res.u)) & ~(res.fval >= chi2_old - SWEEP_DCHI2)
            old = ~new & jnp.isfinite(chi2_old)
            kept = jnp.where(new, res.u, jnp.where(old, u_old, u))
            value = jnp.where(new, res.fval, chi2_old)
            b = jnp.where(jnp.all(jnp.isfinite(res.b)), res.b, b)
            return (kept, b), (value, kept, res.steps + 1)

        last, (chi2_up, u_up, steps_up) = jax.lax.scan(step, (u0, b0), (values, u_have, chi2_have))
        _, (value, u, steps) = jax.lax.scan(step, last, (values, u_up, chi2_up), reverse=True)
        return value, u, steps + steps_up

    return jax.jit(jax.vmap(line, in_axes=(None, 0, 0, 0, 0)))
