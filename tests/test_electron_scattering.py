"""Neutrino-electron scattering: Z_eff steps, the free-electron formula, EM terms, gradients."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

from cevnsjax.constants import HBARC2_MEV2_CM2, pdg2022
from cevnsjax.physics import electron_scattering as es
from cevnsjax.physics.catalogue import sm_value
from cevnsjax.physics.cross_sections import dsigma_dTe


def test_z_eff_steps():
    assert float(es.z_eff("Cs", 0.1)) == 55.0  # above the K edge (35.99 keV)
    assert float(es.z_eff("Cs", 0.02)) == 53.0
    assert float(es.z_eff("Cs", 0.0001)) == 19.0
    assert float(es.z_eff("I", 0.0052)) == 51.0
    assert float(es.z_eff("Ge", 0.002)) == 30.0 and float(es.z_eff("Ge", 0.00001)) == 4.0
    with pytest.raises(ValueError, match="available: Cs, I, Ge"):
        es.z_eff("Xe", 0.01)


def test_total_cross_section_free_electron_limit():
    """Above all edges Z_eff = Z; for E >> m_e the integral is Z G^2 m_e E/(2 pi)[(gV+gA)^2 + (gV-gA)^2/3]."""
    c = pdg2022
    E = 30.0
    for fl in (0, 1):
        tmax = 2 * E**2 / (c.m_e + 2 * E)
        num = quad(lambda t: float(dsigma_dTe(E, t, "Ge", fl)), 0.0111, tmax, limit=200, epsrel=1e-10)[0]
        gv, ga = (float(g) for g in es.sm_couplings(fl, c.sin2_theta_w))

        # closed form over [0, tmax] minus the (negligible) part below the K edge, exact bracket integral
        def bracket(t):
            return (gv + ga) ** 2 + (gv - ga) ** 2 * (1 - t / E) ** 2 - (gv**2 - ga**2) * c.m_e * t / E**2

        ref = 32 * c.G_F**2 * c.m_e / (2 * math.pi) * HBARC2_MEV2_CM2 * quad(bracket, 0.0111, tmax, epsrel=1e-12)[0]
        assert num == pytest.approx(float(ref), rel=1e-7)
    # nu_e (CC + NC) has the larger cross section
    assert float(dsigma_dTe(E, 0.05, "Cs", 0)) > float(dsigma_dTe(E, 0.05, "Cs", 1))


def test_antineutrino_and_kinematic_limit():
    a = dsigma_dTe(30.0, 1.0, "Cs", 1)
    b = dsigma_dTe(30.0, 1.0, "Cs", 1, antineutrino=True)
    assert float(a) != float(b)
    assert float(dsigma_dTe(1.0, 5.0, "Cs", 0)) == 0.0


def test_electromagnetic_terms():
    base = dsigma_dTe(30.0, 0.01, "Cs", 1)
    sm = {"r2_nu_mumu": sm_value("r2_nu_mumu", pdg2022), "q_nu_mumu": 0.0, "mu_nu_mu": 0.0}
    assert float(dsigma_dTe(30.0, 0.01, "Cs", 1, params=sm)) == float(base)
    mag = dsigma_dTe(30.0, 0.01, "Cs", 1, params={"mu_nu_mu": 10.0}) - base
    ref = 55 * math.pi * pdg2022.alpha**2 / pdg2022.m_e**2 * (1 / 0.01 - 1 / 30.0) * 1e-18 * HBARC2_MEV2_CM2
    assert float(mag) == pytest.approx(ref, rel=1e-10)
    # the charge radius enters with the electron's charge: opposite sign to the proton coupling shift
    gv, _ = es.sm_couplings(1, pdg2022.sin2_theta_w)
    assert float(gv) < 0
    assert float(dsigma_dTe(30.0, 0.01, "Cs", 1, params={"r2_nu_mumu": sm["r2_nu_mumu"] - 5.0})) > float(base)
    with pytest.raises(ValueError, match="unknown physics parameter.*r2_nu_e;"):
        dsigma_dTe(30.0, 0.01, "Cs", 1, params={"r2_nu_e": 1.0})


def test_gradients_finite():
    def f(s, r, q, m):
        return dsigma_dTe(30.0, 0.01, "I", 0, sin2_theta_w=s, params={"r2_nu_ee": r, "q_nu_ee": q, "mu_nu_e": m})

    g = jax.grad(f, argnums=(0, 1, 2, 3))(0.238, 0.0, 0.0, 0.0)
    assert all(np.isfinite(float(x)) for x in g)
    assert np.isfinite(float(jax.grad(lambda t: dsigma_dTe(30.0, t, "Cs", 0))(jnp.asarray(0.05))))
