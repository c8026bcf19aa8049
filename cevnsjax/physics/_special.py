"""Special functions with series expansions at small arguments (grad-safe "double where")."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def series_where(x, threshold, exact, series):
    """Evaluate ``exact(x)`` for |x| >= threshold and ``series(x)`` below, grad-safe."""
    small = jnp.abs(x) < threshold
    xs = jnp.where(small, threshold, x)
    xz = jnp.where(small, x, 0.0)
    return jnp.where(small, series(xz), exact(xs))


def j1_over_x(x: jax.typing.ArrayLike) -> jax.Array:
    """3 j_1(x)/x = 3 (sin x - x cos x)/x^3, equal to 1 at x = 0."""
    x = jnp.asarray(x, dtype=float)
    return series_where(
        x,
        0.1,
        lambda s: 3 * (jnp.sin(s) - s * jnp.cos(s)) / s**3,
        lambda z: 1 - z**2 / 10 + z**4 / 280 - z**6 / 15120 + z**8 / 1330560,
    )


def sinc(x):
    """sin(x)/x, equal to 1 at x = 0."""
    return series_where(x, 0.1, lambda s: jnp.sin(s) / s, lambda z: 1 - z**2 / 6 + z**4 / 120 - z**6 / 5040)


def x_over_sinh(x):
    """x/sinh(x), equal to 1 at x = 0."""
    return series_where(
        x, 0.1, lambda s: s / jnp.sinh(s), lambda z: 1 - z**2 / 6 + 7 * z**4 / 360 - 31 * z**6 / 15120
    )


def xcoth_minus_one(x):
    """3 (x coth x - 1)/x^2, equal to 1 at x = 0."""
    return series_where(
        x,
        0.1,
        lambda s: 3 * (s / jnp.tanh(s) - 1) / s**2,
        lambda z: 1 - z**2 / 15 + 2 * z**4 / 315 - z**6 / 1575,
    )


def loop_integral(r: jax.Array) -> jax.Array:
    """I(r) = int_0^1 x(1-x) ln(1 + r x(1-x)) dx for r >= 0 (closed form, series at small r)."""
    r = jnp.asarray(r, dtype=float)
    small = r < 1e-2
    rs = jnp.where(small, 1.0, r)
    b = jnp.sqrt(1 + 4 / rs)
    # ln((b+1)/(b-1)) with b-1 = (4/r)/(b+1), stable for large r.
    log_term = 2 * jnp.log(b + 1) - jnp.log(4 / rs)
    closed = -5.0 / 18.0 + 2.0 / (3 * rs) + (1 - 2 / rs) * b * log_term / 6
    rz = jnp.where(small, r, 0.0)
    series = rz / 30 - rz**2 / 280 + rz**3 / 1890 - rz**4 / 11088 + rz**5 / 60060
    return jnp.where(small, series, closed)
