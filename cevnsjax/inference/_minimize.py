"""Newton minimisation with the exact JAX Hessian, jit- and vmap-friendly.

:func:`minimize` is a pure JAX ``while_loop`` (no Python control flow on
values), so profiles ``jax.vmap`` it over their grid.  Each iteration takes the
damped, saddle-free Newton step

    step = -V diag(1 / (|lambda| + nu * max|lambda|)) V^T g,   H = V diag(lambda) V^T,

which is a descent direction even where the Hessian is indefinite (e.g. near a
bound in the internal coordinates), and is accepted only if chi^2 decreases; the
Levenberg-Marquardt damping ``nu`` shrinks tenfold after an accepted step and
grows tenfold after a rejected one.  Near the minimum ``nu -> 0`` and the
iteration is plain Newton, converging quadratically.

Convergence is Minuit's criterion (F. James, MINUIT reference manual, CERN D506):
the estimated distance to minimum ``EDM = g^T H^-1 g / 2`` (chi^2 units) below a
tolerance, with a positive-definite Hessian.

:func:`quasi_newton` takes the same steps with gradients only, for many minimisations of one
surface (toys, the points of a 2D profile): the Hessian in the internal coordinates is the
chain rule of the bound transforms (:mod:`._transforms`),

    H_u = J B J + diag(g_x * x''(u)),   J = diag(x'(u)),

exact in the transforms (their slopes and curvatures, which dominate near a bound) with the
external Hessian ``B`` carried by BFGS updates from a starting matrix (Nocedal and Wright,
*Numerical Optimization*, 2nd ed., Springer 2006, Eq. (6.19)).  Its EDM is judged with that
``H_u``, as MIGRAD judges EDM with its variable-metric matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from ._transforms import to_external


class Minimum(NamedTuple):
    """Outcome of :func:`minimize` (arrays, batched under vmap).

    Attributes:
        u: internal coordinates of the minimum, shape (n,).
        fval: chi^2 at ``u``.
        edm: estimated distance to minimum ``g^T H^-1 g / 2`` at ``u`` (chi^2 units).
        posdef: whether the Hessian at ``u`` is positive definite.
        steps: iterations taken.
        max_steps_reached: stopped on the iteration limit.
    """

    u: jax.Array
    fval: jax.Array
    edm: jax.Array
    posdef: jax.Array
    steps: jax.Array
    max_steps_reached: jax.Array


def derivatives(f: Callable, u):
    """Value, gradient and Hessian of ``f`` at ``u`` by forward-over-reverse differentiation.

    Column ``j`` of the Hessian is the JVP of the gradient along the unit vector ``e_j``; the
    columns are computed one after the other (``lax.map``), each with the value and gradient
    as by-products.  On a CPU this is about twice as fast as the vectorised ``jacfwd`` of the
    gradient (XLA's code for the batched tangents of a small model is slow), compiles a smaller
    program, and gives the same numbers; under an outer ``vmap`` (profiles, toys on an
    accelerator) the rows still run in parallel.
    """
    value_and_grad = jax.value_and_grad(f)

    def column(e):
        (value, g), (_, h_col) = jax.jvp(value_and_grad, (u,), (e,))
        return value, g, h_col

    values, gs, h = jax.lax.map(column, jnp.eye(u.shape[0], dtype=u.dtype))
    return values[0], gs[0], 0.5 * (h + h.T)


def _analyse(g, h):
    """Eigen-decomposition of H, its scale, EDM and positive-definiteness."""
    lam, vec = jnp.linalg.eigh(h)
    scale = jnp.max(jnp.abs(lam))
    scale = jnp.where(scale > 0, scale, 1.0)
    gv = vec.T @ g
    posdef = jnp.all(lam > 1e-14 * scale) & jnp.all(jnp.isfinite(lam))
    edm = 0.5 * jnp.sum(gv**2 / jnp.maximum(jnp.abs(lam), jnp.finfo(g.dtype).tiny))
    return lam, vec, gv, scale, edm, posdef


def _step(lam, vec, gv, scale, nu):
    """The damped, saddle-free Newton step ``-V diag(1 / (|lambda| + nu max|lambda|)) V^T g`` (module docstring)."""
    return -vec @ (gv / (jnp.abs(lam) + nu * scale + jnp.finfo(gv.dtype).tiny))


def _damping(nu, accepted):
    """The Levenberg-Marquardt damping after a step: tenfold smaller if it was accepted, tenfold larger
    (at least 1e-3) if refused, and 0 once below 1e-10 (plain Newton)."""
    nu = jnp.where(accepted, 0.1 * nu, jnp.maximum(10.0 * nu, 1e-3))
    return jnp.where(nu < 1e-10, 0.0, nu)


def minimize(
    f: Callable[[jax.Array], jax.Array],
    u0: jax.Array,
    *,
    tolerance: float = 1e-6,
    max_steps: int = 200,
) -> Minimum:
    """Minimise ``f`` over R^n from ``u0`` (pure JAX, vmappable).

    Args:
        f: scalar chi^2 as a function of the internal vector, shape (n,) -> ().
        u0: starting point, shape (n,) with n >= 1.
        tolerance: the iteration stops once EDM < ``tolerance / 1000`` with a
            positive-definite Hessian (the margin costs at most one quadratic
            step), or EDM < ``tolerance`` and no further step lowers chi^2; the
            caller judges convergence at ``tolerance``.
        max_steps: iteration limit.

    Returns:
        The :class:`Minimum`.
    """

    def cond(state):
        _u, value, g, h, nu, k, refused = state
        _, _, _, _, edm, posdef = _analyse(g, h)
        # Done well inside the tolerance, or inside it with the last step refused:
        # at the floating-point floor no step lowers chi^2 any more.
        small = posdef & ((edm < 1e-3 * tolerance) | ((edm < tolerance) & refused))
        return (k < 0) | ((k < max_steps) & ~small & (nu < 1e12) & jnp.isfinite(value))

    def body(state):
        u, value, g, h, nu, k, _ = state
        lam, vec, gv, scale, _, _ = _analyse(g, h)
        trial = u + _step(lam, vec, gv, scale, nu)
        new_value, new_g, new_h = derivatives(f, trial)
        accept = jnp.isfinite(new_value) & (new_value < value) & jnp.all(jnp.isfinite(new_g))
        nu = _damping(nu, accept)
        keep = (
            jnp.where(accept, trial, u),
            jnp.where(accept, new_value, value),
            jnp.where(accept, new_g, g),
            jnp.where(accept, new_h, h),
        )
        return (*keep, nu, k + 1, ~accept)

    # Iteration k = -1 takes a zero step (g = 0), i.e. evaluates the derivatives at
    # u0: one copy of the (expensive to compile) Hessian code serves every point.
    n = u0.shape[0]
    start = (
        u0,
        jnp.asarray(jnp.inf, u0.dtype),
        jnp.zeros_like(u0),
        jnp.eye(n, dtype=u0.dtype),
        jnp.zeros((), u0.dtype),
        jnp.asarray(-1, jnp.int32),
        jnp.zeros((), bool),
    )
    u, value, g, h, _, k, _ = jax.lax.while_loop(cond, body, start)
    _, _, _, _, edm, posdef = _analyse(g, h)
    return Minimum(u=u, fval=value, edm=edm, posdef=posdef, steps=k, max_steps_reached=k >= max_steps)


def positive(h: jax.Array) -> jax.Array:
    """The symmetric matrix ``h`` with its eigenvalues replaced by their absolute values (positive semi-definite).

    A starting matrix for :func:`quasi_newton`: its BFGS updates keep a positive-definite
    matrix positive definite, and the saddle-free step treats ``|lambda|`` alike.
    """
    lam, vec = jnp.linalg.eigh(h)
    return (vec * jnp.abs(lam)) @ vec.T


def slopes(u: jax.Array, lower: jax.Array, upper: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
    """External values ``x(u)`` and the first and second derivatives of the (elementwise) bound transforms."""

    def ext(w):
        return to_external(w, lower, upper)

    ones = jnp.ones_like(u)
    x, dx = jax.jvp(ext, (u,), (ones,))
    ddx = jax.jvp(lambda w: jax.jvp(ext, (w,), (ones,))[1], (u,), (ones,))[1]
    return x, dx, ddx


class QuasiMinimum(NamedTuple):
    """Outcome of :func:`quasi_newton` (arrays, batched under vmap).

    Attributes:
        u: internal coordinates of the end point, shape (n,).
        fval: chi^2 at ``u``.
        b: the updated external Hessian, shape (n, n).
        edm: ``g^T H_u^-1 g / 2`` at ``u`` with the quasi-Newton ``H_u`` (chi^2 units).
        posdef: whether that ``H_u`` is positive definite.
        steps: iterations taken (gradient evaluations after the first).
    """

    u: jax.Array
    fval: jax.Array
    b: jax.Array
    edm: jax.Array
    posdef: jax.Array
    steps: jax.Array


def quasi_newton(
    f: Callable[[jax.Array], jax.Array],
    u0: jax.Array,
    b0: jax.Array,
    lower: jax.Array,
    upper: jax.Array,
    *,
    tolerance: float,
    max_steps: int,
    margin: float,
) -> QuasiMinimum:
    """Minimise ``f`` inside its bounds from internal ``u0`` with gradients only (pure JAX, vmappable).

    Each iteration takes the damped, saddle-free Newton step of :func:`minimize` in the internal
    coordinates with ``H_u = J B J + diag(g_x x'')`` (module docstring) in place of the exact
    Hessian, accepted only if chi^2 decreases, and updates ``B`` by BFGS with the external step
    ``s`` and change of gradient ``y`` where the curvature ``y.s`` is positive:
    ``B <- B - (B s)(B s)^T / (s^T B s) + y y^T / (y.s)``.

    Args:
        f: scalar chi^2 of the external (bounded) values, shape (n,) -> ().
        u0: starting point in the internal coordinates, shape (n,) with n >= 1.
        b0: starting external Hessian, shape (n, n), symmetric; positive definite (:func:`positive`)
            for the updates to keep it so.
        lower, upper: the bounds of :func:`~._transforms.to_external`, shape (n,).
        tolerance: the iteration stops once EDM < ``margin * tolerance``, or EDM < ``tolerance``
            with the last step refused (the floating-point floor); the caller judges convergence.
        max_steps: iteration limit.
        margin: fraction of ``tolerance`` to stop at.

    Returns:
        The :class:`QuasiMinimum`.
    """

    def evaluate(u):
        x, dx, ddx = slopes(u, lower, upper)
        value, g = jax.value_and_grad(f)(x)
        return x, value, g, dx, ddx

    def analyse(b, g, dx, ddx):
        """:func:`_analyse` of the gradient and the Hessian ``H_u`` in the internal coordinates."""
        return _analyse(dx * g, dx[:, None] * b * dx[None, :] + jnp.diag(g * ddx))

    def cond(state):
        *_, value, nu, k, refused, (_, _, _, _, edm, _) = state
        small = (edm < margin * tolerance) | ((edm < tolerance) & refused)
        return (k < 0) | ((k < max_steps) & ~small & (nu < 1e12) & jnp.isfinite(value))

    def body(state):
        u, x, g, dx, ddx, b, value, nu, k, _, (lam, vec, gv, scale, _, _) = state
        trial = u + _step(lam, vec, gv, scale, nu)
        new_x, new_value, new_g, new_dx, new_ddx = evaluate(trial)
        finite = jnp.isfinite(new_value) & jnp.all(jnp.isfinite(new_g))
        accept = finite & (new_value < value)
        s, y = new_x - x, new_g - g
        bs = b @ s
        ys, sbs = y @ s, s @ bs
        curved = finite & (ys > 1e-10 * jnp.linalg.norm(y) * jnp.linalg.norm(s)) & (sbs > 0)
        updated = b - jnp.outer(bs, bs) / jnp.where(curved, sbs, 1.0) + jnp.outer(y, y) / jnp.where(curved, ys, 1.0)
        b = jnp.where(curved, 0.5 * (updated + updated.T), b)
        nu = _damping(nu, accept)
        u, x, g, dx, ddx, value = (
            jnp.where(accept, a, o)
            for a, o in zip((trial, new_x, new_g, new_dx, new_ddx, new_value), (u, x, g, dx, ddx, value))
        )
        return u, x, g, dx, ddx, b, value, nu, k + 1, ~accept, analyse(b, g, dx, ddx)

    # Iteration k = -1 takes a zero step (g = 0), i.e. evaluates chi^2 and its gradient at u0 (accepted
    # against chi^2 = inf; s = 0 updates nothing): one copy of the gradient code serves every point.
    g0, dx0, ddx0 = jnp.zeros_like(u0), jnp.ones_like(u0), jnp.zeros_like(u0)
    start = (
        u0,
        to_external(u0, lower, upper),
        g0,
        dx0,
        ddx0,
        b0,
        jnp.asarray(jnp.inf, u0.dtype),
        jnp.zeros((), u0.dtype),
        jnp.asarray(-1, jnp.int32),
        jnp.zeros((), bool),
        analyse(b0, g0, dx0, ddx0),
    )
    u, _, _, _, _, b, value, _, k, _, (_, _, _, _, edm, posdef) = jax.lax.while_loop(cond, body, start)
    return QuasiMinimum(u=u, fval=value, b=b, edm=edm, posdef=posdef, steps=k)
