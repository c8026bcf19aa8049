"""Warm-started sweeps along grid lines: every point minimised from its neighbour's minimum.

Along a line of a grid (a row or a column of a 2D profile) the minimum over the other
parameters moves smoothly, so a point started from its neighbour's minimum needs a few iterations
instead of a cold start's ten to twenty.  A line is swept with :func:`jax.lax.scan` upwards and
then back downwards from the last point, keeping the lower minimum of each point (the downward pass starts from the upward one's), so a
branch found at one point spreads along the whole line in one pass; lines are independent and are
:func:`jax.vmap`-ed.

:func:`line_sweeps` (2D profiles) carries the curvature from point to point: each point is
minimised by :func:`quasi_newton`, Newton steps with the neighbour's Hessian updated by BFGS
(J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer 2006, Eq. (6.19)), so
a point costs a few gradients and no Hessian.  The caller re-minimises the final points with the
exact-Hessian solver of :mod:`._solve` (one Hessian each when converged), whose EDM and
positive-definiteness decide convergence as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from ._minimize import _analyse
from ._objective import Objective
from ._transforms import to_external

# a swept point's minimum is kept when below the point's earlier one by more than this (chi^2 units)
SWEEP_DCHI2 = 1e-4
# the quasi-Newton iteration stops at EDM below this fraction of the tolerance, well inside the
# exact solver's own stopping point (1e-3 of it), so that its check costs one Hessian
QUASI_NEWTON_MARGIN = 1e-5


def fd_hessian(grad: Callable, u: jax.Array) -> jax.Array:
    """Symmetrised forward-difference Hessian of a function from its gradient at ``u``, shape (n, n).

    Steps ``1e-5 max(1, |u_j|)``; a starting matrix for :func:`quasi_newton` (relative error ~1e-5).
    """
    step = 1e-5 * jnp.maximum(1.0, jnp.abs(u))
    g0 = grad(u)
    rows = jax.vmap(lambda e, s: (grad(u + s * e) - g0) / s)(jnp.eye(u.shape[0], dtype=u.dtype), step)
    return 0.5 * (rows + rows.T)


class QuasiMinimum(NamedTuple):
    """Outcome of :func:`quasi_newton`: end point, chi^2 there, the updated Hessian, its EDM, iterations."""

    u: jax.Array
    fval: jax.Array
    h: jax.Array
    edm: jax.Array
    steps: jax.Array


def quasi_newton(f: Callable, u0: jax.Array, h0: jax.Array, *, tolerance: float, max_steps: int) -> QuasiMinimum:
    """Minimise ``f`` from ``u0`` with gradients only, ``h0`` the starting Hessian (pure JAX, vmappable).

    Each iteration takes the damped, saddle-free Newton step of :func:`~._minimize.minimize` with
    the current matrix ``h`` in place of the exact Hessian, accepted only if chi^2 decreases, and
    updates ``h`` by BFGS with the step ``s`` and the change of gradient ``y`` where the curvature
    ``y.s`` is positive: ``h <- h - (h s)(h s)^T / (s^T h s) + y y^T / (y.s)``.  It stops once the
    EDM ``g^T h^-1 g / 2`` is below ``QUASI_NEWTON_MARGIN * tolerance``, or below ``tolerance``
    with the last step refused (the floating-point floor), or after ``max_steps`` iterations.
    """
    value, g = jax.value_and_grad(f)(u0)
    tiny = jnp.finfo(u0.dtype).tiny

    def cond(state):
        _u, value, g, h, nu, k, refused = state
        edm = _analyse(g, h)[4]
        small = (edm < QUASI_NEWTON_MARGIN * tolerance) | ((edm < tolerance) & refused)
        return (k < max_steps) & ~small & (nu < 1e12) & jnp.isfinite(value)

    def body(state):
        u, value, g, h, nu, k, _ = state
        lam, vec, gv, scale, _, _ = _analyse(g, h)
        s = -vec @ (gv / (jnp.abs(lam) + nu * scale + tiny))
        new_value, new_g = jax.value_and_grad(f)(u + s)
        finite = jnp.isfinite(new_value) & jnp.all(jnp.isfinite(new_g))
        accept = finite & (new_value < value)
        y = new_g - g
        hs = h @ s
        ys, shs = y @ s, s @ hs
        curved = finite & (ys > 1e-10 * jnp.linalg.norm(y) * jnp.linalg.norm(s)) & (shs > 0)
        updated = h - jnp.outer(hs, hs) / jnp.where(curved, shs, 1.0) + jnp.outer(y, y) / jnp.where(curved, ys, 1.0)
        h = jnp.where(curved, 0.5 * (updated + updated.T), h)
        nu = jnp.where(accept, 0.1 * nu, jnp.maximum(10.0 * nu, 1e-3))
        nu = jnp.where(nu < 1e-10, 0.0, nu)
        keep = (jnp.where(accept, u + s, u), jnp.where(accept, new_value, value), jnp.where(accept, new_g, g))
        return (*keep, h, nu, k + 1, ~accept)

    start = (u0, value, g, h0, jnp.zeros((), u0.dtype), jnp.asarray(0, jnp.int32), jnp.zeros((), bool))
    u, value, g, h, _, k, _ = jax.lax.while_loop(cond, body, start)
    return QuasiMinimum(u=u, fval=value, h=h, edm=_analyse(g, h)[4], steps=k)


def line_sweeps(obj: Objective, names: tuple[str, ...], tolerance: float, max_steps: int):
    """jit of ``(inputs, u0, values, u_have, chi2_have) -> (chi2, u, steps)``, batched over lines.

    Per line (leading axis of every array but ``inputs``): ``values`` (n_points, len(names)) the
    held values along it, ``u_have`` (n_points, n_free) and ``chi2_have`` (n_points,) each point's
    best internal minimum so far (chi^2 ``inf`` where none), ``u0`` (n_free,) the start of the
    first point.  Each point is minimised by :func:`quasi_newton` from the previous point's kept
    minimum, with its Hessian carried along (a finite-difference Hessian at the line's first
    point); the new minimum is kept when lower than ``chi2_have`` by more than
    :data:`SWEEP_DCHI2`.  Swept up, then down with the upward pass's minima as the points' best;
    ``steps`` counts the gradient evaluations of both passes.
    """
    lower, upper = obj.lower, obj.upper

    def line(inputs, u0, values, u_have, chi2_have):
        lo, hi = jnp.asarray(lower), jnp.asarray(upper)

        def chi2(u, held):
            return obj.chi2(inputs, to_external(u, lo, hi), dict(zip(names, held)))

        h0 = fd_hessian(jax.grad(lambda u: chi2(u, values[0])), u0)

        def step(carry, x):
            u, h = carry
            held, u_old, chi2_old = x
            res = quasi_newton(lambda w: chi2(w, held), u, h, tolerance=tolerance, max_steps=max_steps)
            new = jnp.isfinite(res.fval) & jnp.all(jnp.isfinite(res.u)) & ~(res.fval >= chi2_old - SWEEP_DCHI2)
            old = ~new & jnp.isfinite(chi2_old)
            kept = jnp.where(new, res.u, jnp.where(old, u_old, u))
            value = jnp.where(new, res.fval, chi2_old)
            h = jnp.where(jnp.all(jnp.isfinite(res.h)), res.h, h)
            return (kept, h), (value, kept, res.steps + 1)

        last, (chi2_up, u_up, steps_up) = jax.lax.scan(step, (u0, h0), (values, u_have, chi2_have))
        _, (value, u, steps) = jax.lax.scan(step, last, (values, u_up, chi2_up), reverse=True)
        return value, u, steps + steps_up

    return jax.jit(jax.vmap(line, in_axes=(None, 0, 0, 0, 0)))
