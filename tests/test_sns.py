"""SNS pi-DAR spectra and timing."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.signal import fftconvolve

from cevnsjax.constants import pdg2022
from cevnsjax.sources import sns


def test_prompt_energy_and_endpoint():
    assert sns.prompt_energy() == pytest.approx(29.79, abs=0.005)
    assert sns.endpoint() == pytest.approx(52.83, abs=0.01)


@pytest.mark.parametrize("spec, mean", [(sns.nu_e_spectrum, 0.6), (sns.nubar_mu_spectrum, 0.7)])
def test_spectra_normalised(spec, mean):
    m = pdg2022.m_mu
    norm = quad(lambda e: float(spec(e)), 0, m / 2)[0]
    assert norm == pytest.approx(1.0, rel=1e-10)
    # mean energies of the Michel spectra: 0.6 and 0.7 of the endpoint m_mu/2
    emean = quad(lambda e: e * float(spec(e)), 0, m / 2)[0]
    assert emean == pytest.approx(mean * m / 2, rel=1e-10)
    assert float(spec(m / 2 + 1)) == 0.0 and float(spec(-1.0)) == 0.0


def test_fluence():
    assert sns.fluence(0.09, 13.7e22, 27.5) == pytest.approx(0.09 * 13.7e22 / (4 * np.pi * 2750.0**2))


def _numeric_cdf(t, mean, width, taus):
    """Monte-Carlo-free numerical convolution on a fine grid."""
    grid = np.linspace(-3, 30, 400001)
    dt = grid[1] - grid[0]
    dens = np.exp(-0.5 * ((grid - mean) / width) ** 2) / (np.sqrt(2 * np.pi) * width)
    for tau in taus:
        kern = np.exp(-np.arange(len(grid)) * dt / tau)
        kern[0] *= 0.5
        kern /= kern.sum()
        dens = fftconvolve(dens, kern)[: len(grid)]
    cdf = (np.cumsum(dens) - 0.5 * dens) * dt  # trapezoid
    return np.interp(t, grid, cdf)


def test_timing_cdfs_against_numerical_convolution():
    t = np.array([0.0, 0.3, 0.5, 1.0, 2.0, 6.0])
    c = pdg2022
    p = np.asarray(sns.prompt_time_cdf(t, 0.44, 0.15))
    d = np.asarray(sns.delayed_time_cdf(t, 0.44, 0.15))
    np.testing.assert_allclose(p, _numeric_cdf(t, 0.44, 0.15, [c.tau_pi]), atol=2e-4)
    np.testing.assert_allclose(d, _numeric_cdf(t, 0.44, 0.15, [c.tau_pi, c.tau_mu]), atol=2e-4)
    assert float(sns.prompt_time_cdf(50.0, 0.44, 0.15)) == pytest.approx(1.0)
    frac = sns.time_bin_fractions(np.linspace(-1, 60, 50), 0.44, 0.15, "delayed")
    assert float(frac.sum()) == pytest.approx(1.0, abs=1e-8)


def test_components():
    comps = sns.components()
    assert [c.name for c in comps] == ["prompt_nu_mu", "delayed_nu_e", "delayed_nubar_mu"]
    assert [c.flavour for c in comps] == [1, 0, 1]
    assert comps[0].line_energy == pytest.approx(29.79, abs=0.005)


@pytest.mark.parametrize("tau", [pdg2022.tau_pi, pdg2022.tau_mu])
def test_exgauss_closed_form_derivatives_equal_automatic_ones(tau):
    """The custom JVP of the ex-Gaussian CDF against JAX differentiating its value (ndtr, log_ndtr)."""
    from cevnsjax.sources.sns import _exgauss_cdf, _exgauss_parts

    t = jnp.linspace(-1.0, 8.0, 301)
    args = (t, 0.474, 0.147, tau)
    for i in range(4):
        for jac in (jax.jacfwd, jax.jacrev):
            custom = np.asarray(jac(lambda a, i=i: _exgauss_cdf(*args[:i], a, *args[i + 1 :]))(args[i]))
            auto = np.asarray(jac(lambda a, i=i: _exgauss_parts(*args[:i], a, *args[i + 1 :])[0])(args[i]))
            np.testing.assert_allclose(custom, auto, rtol=0, atol=1e-13 * np.max(np.abs(auto)))
    h = jax.hessian(lambda m: jnp.sum(_exgauss_cdf(t, m, 0.147, tau) ** 2))(0.5)
    h_auto = jax.hessian(lambda m: jnp.sum(_exgauss_parts(t, m, 0.147, tau)[0] ** 2))(0.5)
    assert float(h) == pytest.approx(float(h_auto), rel=1e-12)


def test_time_cdfs_equal_prompt_and_delayed():
    t = np.linspace(-1.0, 8.0, 101)
    both = np.asarray(sns.time_cdfs(t, 0.5, 0.147))
    np.testing.assert_allclose(both[0], sns.prompt_time_cdf(t, 0.5, 0.147), rtol=0, atol=1e-15)
    np.testing.assert_allclose(both[1], sns.delayed_time_cdf(t, 0.5, 0.147), rtol=0, atol=1e-15)
