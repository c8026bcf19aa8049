"""Couplings and charge radii against docs/physics.md sections 2-3 (published numbers and limits)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

from cevnsjax.constants import pdg2018, pdg2022
from cevnsjax.physics import couplings as cp


def test_tree_level():
    gp, gn = cp.tree_level(0.25)
    assert float(gp) == 0.0 and float(gn) == -0.5


@pytest.mark.parametrize(
    "c, zz, expected",
    [
        (pdg2018, False, {"e": 0.0401, "mu": 0.0318, "n": -0.5094, "tilde": 0.0204}),
        (pdg2022, True, {"e": 0.0381, "mu": 0.0299, "tau": 0.0255, "n": -0.5117, "tilde": 0.0184}),
    ],
)
def test_published_coupling_tables(c, zz, expected):
    gvp = np.asarray(cp.gvp(c, zz_boxes=zz))
    assert round(gvp[0], 4) == expected["e"]
    assert round(gvp[1], 4) == expected["mu"]
    if "tau" in expected:
        assert round(gvp[2], 4) == expected["tau"]
    assert round(float(cp.gvn(c, zz_boxes=zz)), 4) == expected["n"]
    assert round(float(cp.gvp_no_radius(c, zz_boxes=zz)), 4) == expected["tilde"]


def test_sm_charge_radii_and_conversion():
    r2 = np.asarray(cp.r2_sm(pdg2022)) / 1e-32
    np.testing.assert_allclose(np.round(r2, 2), [-0.83, -0.48, -0.30])
    assert cp.radius_to_coupling(pdg2022) == pytest.approx(2.38e30, rel=2e-3)
    # NOT 2 M_W^2 s^2_W / 3 (10% off)
    assert abs(cp.radius_to_coupling(pdg2022) / 2.64e30 - 1) > 0.08


@pytest.mark.parametrize("c", [pdg2018, pdg2022])
@pytest.mark.parametrize("zz", [False, True])
def test_sm_radius_reproduces_corrected_coupling(c, zz):
    """g~_V^p - Q~(<r^2>_SM) = g_V^p(nu_l) for every flavour."""
    q_sm = cp.radius_to_coupling(c) * cp.r2_sm(c)
    np.testing.assert_allclose(cp.gvp_no_radius(c, zz_boxes=zz) - q_sm, cp.gvp(c, zz_boxes=zz), rtol=1e-12)


def test_sin2_theta_w_moves_only_tree_term():
    d = cp.gvp(pdg2022, sin2_theta_w=0.25) - cp.gvp(pdg2022)
    np.testing.assert_allclose(d, -2 * pdg2022.rho * (0.25 - pdg2022.sin2_theta_w), rtol=1e-12)
    g = jax.grad(lambda s: cp.gvp(pdg2022, sin2_theta_w=s)[0])(0.24)
    assert float(g) == pytest.approx(-2 * pdg2022.rho)


def test_loop_function_against_quadrature():
    m, mw = pdg2022.m_e, pdg2022.m_w
    for q2 in [0.0, -1e-4, -0.01, -1.0, -100.0, -1e4, -1e6]:
        ref = quad(
            lambda x: x * (1 - x) * math.log((m**2 - q2 * x * (1 - x)) / mw**2), 0, 1, epsabs=0, epsrel=1e-12, limit=200
        )[0]
        assert float(cp.loop_function_r(q2, m, mw)) == pytest.approx(ref, rel=1e-9, abs=1e-12)
    assert float(cp.loop_function_r(0.0, m, mw)) == pytest.approx(math.log(m**2 / mw**2) / 6, rel=1e-14)


def test_radius_form_factor_limits():
    M = 37215.5
    T = jnp.array([0.0, 1e-3, 1e-2, 5e-2])
    F = np.asarray(cp.radius_form_factor(T, M, pdg2022))
    np.testing.assert_allclose(F[:, 0], 1.0, rtol=1e-13)
    # nu_e: 10-20% effect at COHERENT momenta; nu_mu: negligible below ~100 MeV
    assert 0.6 < F[0, 3] < 0.9
    assert abs(F[1, 1] - 1) < 1e-3
    assert np.all(np.diff(F[0]) < 0)


def test_momentum_dependent_coupling_at_zero_is_sm():
    g0 = cp.gvp_momentum_dependent(jnp.zeros(()), 37215.5, pdg2022)
    np.testing.assert_allclose(g0, cp.gvp(pdg2022), rtol=1e-12)


def test_gradients_finite_at_q_zero():
    for fn in (
        lambda t: cp.radius_form_factor(t, 37215.5)[0],
        lambda t: cp.gvp_momentum_dependent(t, 37215.5)[0],
        lambda t: cp.r2_effective(t, 123000.0)[1],
    ):
        for t in (0.0, 1e-12, 1e-6, 0.1):
            g = jax.grad(fn)(t)
            h = jax.grad(jax.grad(fn))(t)
            assert np.isfinite(g) and np.isfinite(h)
