"""Special functions with series expansions at small arguments (grad-safe "double where"), and a
fast, vectorised sine/cosine pair.

``sincos`` exists for speed: XLA evaluates float64 ``sin`` and ``cos`` on the CPU one element at a
time (about 10 ns each), and the form factors evaluate them on every recoil node of every parameter
point.  Here the argument is reduced by multiples of pi/2 (Cody-Waite, pi/2 split in a 33-bit head
and a tail) and sin and cos on [-pi/4, pi/4] are the minimax polynomials of fdlibm's ``k_sin.c`` and
``k_cos.c`` (Sun Microsystems, 1993): plain multiply-adds that XLA vectorises and fuses.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

SINCOS_MAX_ARG = 1.0e6  # |x| up to which sincos agrees with sin/cos to 1 ulp (the n * pi/2 reduction is exact)
_PIO2_HI = 1.57079632673412561417e00  # first 33 bits of pi/2
_PIO2_LO = 6.07710050650619224932e-11  # pi/2 - _PIO2_HI
_SIN = (
    -1.66666666666666324348e-01,
    8.33333333332248946124e-03,
    -1.98412698298579493134e-04,
    2.75573137070700676789e-06,
    -2.50507602534068634195e-08,
    1.58969099521155010221e-10,
)
_COS = (
    4.16666666666666019037e-02,
    -1.38888888888741095749e-03,
    2.48015872894767294178e-05,
    -2.75573143513906633035e-07,
    2.08757232129817482790e-09,
    -1.13596475577881948265e-11,
)


def _horner(z, coefficients):
    acc = coefficients[-1]
    for c in coefficients[-2::-1]:
        acc = c + z * acc
    return acc


def _sincos(x):
    n = jnp.round(x * (2 / math.pi))
    r = (x - n * _PIO2_HI) - n * _PIO2_LO  # x - n pi/2, |r| <= pi/4
    z = r * r
    s = r + r * z * _horner(z, _SIN)
    c = 1.0 - 0.5 * z + z * z * _horner(z, _COS)
    quadrant = n.astype(jnp.int32) & 3
    odd = (quadrant & 1) == 1
    sin = jnp.where(odd, c, s)
    cos = jnp.where(odd, s, c)
    return jnp.where(quadrant >= 2, -sin, sin), jnp.where((quadrant == 1) | (quadrant == 2), -cos, cos)


@jax.custom_jvp
def sincos(x: jax.typing.ArrayLike) -> tuple[jax.Array, jax.Array]:
    """``(sin x, cos x)`` for float64 ``|x| <= SINCOS_MAX_ARG``, within 1 ulp of ``jnp.sin``/``jnp.cos``.

    Beyond ``SINCOS_MAX_ARG`` the argument reduction loses digits (abs. error 1e-9 at |x| = 1e7);
    CEvNS arguments (q R, oscillation phases) stay far below it.  Derivatives are exact:
    d sin = cos dx, d cos = -sin dx, from the same evaluation.
    """
    return _sincos(jnp.asarray(x, dtype=float))


@sincos.defjvp
def _sincos_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    s, c = sincos(x)
    return (s, c), (c * dx, -s * dx)


def series_where(x, threshold, exact, series):
    """Evaluate ``exact(x)`` for |x| >= threshold and ``series(x)`` below, grad-safe."""
    small = jnp.abs(x) < threshold
    xs = jnp.where(small, threshold, x)
    xz = jnp.where(small, x, 0.0)
    return jnp.where(small, series(xz), exact(xs))  # series below the threshold: Eq. (35) of docs/physics.md


def _j1_over_x_and_derivative(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(3 j_1(x)/x, its derivative): the series of Eq. (35) of docs/physics.md below |x| = 0.1 (and its
    term-by-term derivative), else 3 (sin x - x cos x)/x^3 and d/dx = 3 (sin x / x - 3 j_1(x)/x)/x."""
    small = jnp.abs(x) < 0.1
    xs = jnp.where(small, 0.1, x)  # the "double where": neither branch sees the other's arguments
    xz = jnp.where(small, x, 0.0)
    sin, cos = sincos(xs)
    exact = 3 * (sin - xs * cos) / xs**3
    # Eq. (35) of docs/physics.md
    series = 1 - xz**2 / 10 + xz**4 / 280 - xz**6 / 15120 + xz**8 / 1330560
    d_series = -xz / 5 + xz**3 / 70 - xz**5 / 2520 + xz**7 / 166320
    return jnp.where(small, series, exact), jnp.where(small, d_series, 3 * (sin / xs - exact) / xs)


@jax.custom_jvp
def j1_over_x(x: jax.typing.ArrayLike) -> jax.Array:
    """3 j_1(x)/x = 3 (sin x - x cos x)/x^3, equal to 1 at x = 0.

    Its derivative is the closed form of :func:`_j1_over_x_and_derivative` (a custom JVP): a
    gradient costs a few operations on the values of the forward pass instead of the transposed
    series and quotient rules of both branches.  Higher derivatives differentiate that closed form.
    """
    return _j1_over_x_and_derivative(jnp.asarray(x, dtype=float))[0]


@j1_over_x.defjvp
def _j1_over_x_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    value, derivative = _j1_over_x_and_derivative(jnp.asarray(x, dtype=float))
    return value, derivative * dx


def sinc(x):
    """sin(x)/x, equal to 1 at x = 0."""
    return series_where(x, 0.1, lambda s: sincos(s)[0] / s, lambda z: 1 - z**2 / 6 + z**4 / 120 - z**6 / 5040)


def x_over_sinh(x):
    """x/sinh(x), equal to 1 at x = 0."""
    return series_where(x, 0.1, lambda s: s / jnp.sinh(s), lambda z: 1 - z**2 / 6 + 7 * z**4 / 360 - 31 * z**6 / 15120)


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
    # Eq. (18) of docs/physics.md (arXiv:2402.16709)
    closed = -5.0 / 18.0 + 2.0 / (3 * rs) + (1 - 2 / rs) * b * log_term / 6
    rz = jnp.where(small, r, 0.0)
    # Taylor series of I(r), Eq. (18) of docs/physics.md, below r = 0.01
    series = rz / 30 - rz**2 / 280 + rz**3 / 1890 - rz**4 / 11088 + rz**5 / 60060
    return jnp.where(small, series, closed)
