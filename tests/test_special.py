"""The fast sine/cosine pair against numpy, with its derivatives, over the documented domain."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from cevnsjax.physics._special import SINCOS_MAX_ARG, j1_over_x, sinc, sincos


@pytest.mark.parametrize("scale", [1.0, 10.0, 1e3, SINCOS_MAX_ARG])
def test_sincos_matches_numpy_to_one_ulp(scale):
    x = np.random.default_rng(1).uniform(-scale, scale, 100_000)
    x[:8] = [0.0, -0.0, np.pi / 4, np.pi / 2, np.pi, 3 * np.pi / 2, -np.pi / 4, 1e-300]
    s, c = (np.asarray(v) for v in sincos(jnp.asarray(x)))
    assert np.max(np.abs(s - np.sin(x))) <= 2.3e-16
    assert np.max(np.abs(c - np.cos(x))) <= 2.3e-16


def test_sincos_derivatives_are_cos_and_minus_sin():
    x = jnp.linspace(-40.0, 40.0, 4001)
    ds = jax.vmap(jax.grad(lambda t: sincos(t)[0]))(x)
    dc = jax.vmap(jax.grad(lambda t: sincos(t)[1]))(x)
    np.testing.assert_allclose(ds, np.cos(x), rtol=0, atol=3e-16)
    np.testing.assert_allclose(dc, -np.sin(x), rtol=0, atol=3e-16)
    d2 = jax.vmap(jax.grad(jax.grad(lambda t: sincos(t)[0])))(x)
    np.testing.assert_allclose(d2, -np.sin(x), rtol=0, atol=3e-16)


def test_bessel_and_sinc_built_on_it_match_textbook_forms():
    # Above x = 1 the textbook difference sin x - x cos x loses no digits, so it is a 1e-15 reference.
    x = np.linspace(1.0, 60.0, 5000)
    np.testing.assert_allclose(j1_over_x(x), 3 * (np.sin(x) - x * np.cos(x)) / x**3, rtol=0, atol=1e-15)
    np.testing.assert_allclose(sinc(x), np.sin(x) / x, rtol=0, atol=2.3e-16)


def test_bessel_derivatives_match_spherical_bessel():
    # d/dx [3 j1(x)/x] = -3 j2(x)/x; the custom JVP's closed form and series against scipy, both sides of 0.1
    from scipy.special import spherical_jn

    x = np.concatenate([np.geomspace(1e-6, 0.0999, 200), np.linspace(0.1, 40.0, 2000)])
    d = np.asarray(jax.vmap(jax.grad(j1_over_x))(jnp.asarray(x)))
    ref = -3 * spherical_jn(2, x) / x
    np.testing.assert_allclose(d, ref, rtol=1e-10, atol=1e-15)
    d2 = np.asarray(jax.vmap(jax.grad(jax.grad(j1_over_x)))(jnp.asarray(x)))
    ref2 = -3 * (spherical_jn(2, x, derivative=True) * x - spherical_jn(2, x)) / x**2
    np.testing.assert_allclose(d2, ref2, rtol=1e-9, atol=1e-14)
    assert float(jax.grad(j1_over_x)(0.0)) == 0.0
