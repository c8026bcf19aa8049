"""Running MSbar weak mixing angle: end points, closed form against an ODE solution, smoothness, the plot."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from cevnsjax import plotting
from cevnsjax.constants import pdg2018, pdg2022
from cevnsjax.physics import running


@pytest.mark.parametrize("c", [pdg2018, pdg2022])
def test_end_points(c):
    """sin^2 theta_W(0) = 0.23857 (pdg2018) / 0.23863 (pdg2022) in the Thomson limit and s^2_Z at the Z pole."""
    assert float(running.sin2_theta_w_running(1e-3, c)) == pytest.approx(c.sin2_theta_w, abs=1e-8)
    assert float(running.sin2_theta_w_running(running.M_Z_MEV, c)) == pytest.approx(c.s2_z, abs=1e-12)
    # the effective light-quark threshold is a hadronic scale
    assert 200.0 < running.light_quark_threshold(c) < 600.0


def test_closed_form_solves_the_renormalisation_group_equations():
    """Integrate Eq. (92) numerically (scipy) from M_Z down, with the same thresholds."""
    c = pdg2018
    fermions = running._fermions(c, running.light_quark_threshold(c))

    def rhs(t, y):  # t = ln mu^2
        mu = math.exp(t / 2)
        active = [q for m, q in fermions if m < mu]
        b = sum(n * q**2 for n, q, _ in active) / (3 * math.pi)
        cc = sum(n * q * w for n, q, w in active) / (6 * math.pi)
        inv_alpha, s2 = y
        return [-b, (b * s2 - cc) / inv_alpha]

    for mu in (0.3, 2.4, 50.0, 158.0, 1200.0, 4400.0, 20000.0):
        sol = solve_ivp(
            rhs,
            (2 * math.log(running.M_Z_MEV), 2 * math.log(mu)),
            [c.alpha_z_inv, c.s2_z],
            rtol=1e-11,
            atol=1e-13,
            max_step=0.05,
        )
        assert float(running.sin2_theta_w_running(mu, c)) == pytest.approx(sol.y[1, -1], abs=2e-8)


def test_differentiable_and_monotonic_below_the_z_pole():
    mu = jnp.logspace(0.0, math.log10(running.M_Z_MEV) - 1e-6, 300)
    s2 = np.asarray(running.sin2_theta_w_running(mu, pdg2018))
    assert np.all(np.diff(s2) <= 0)
    grad = jax.vmap(jax.grad(lambda m: running.sin2_theta_w_running(m, pdg2018)))(mu)
    assert np.all(np.isfinite(np.asarray(grad))) and np.all(np.asarray(grad) <= 0)
    # continuous across every threshold (kinks only)
    for m in (pdg2018.m_mu, running.M_C_MEV, running.M_B_MEV):
        lo, hi = running.sin2_theta_w_running(jnp.asarray([m * (1 - 1e-9), m * (1 + 1e-9)]), pdg2018)
        assert abs(float(hi - lo)) < 1e-10


def test_running_plot(tmp_path):
    fig = plotting.plot_running({"test point": (50.0, 0.24, 0.01, 0.02)})
    path = tmp_path / "running.png"
    plotting.save(fig, str(path))
    assert path.stat().st_size > 10_000
    points = running.measurements(pdg2018)
    assert points["Z pole"][1] == pdg2018.s2_z
    assert points["NuTeV"][1] == pytest.approx(float(running.sin2_theta_w_running(4400.0, pdg2018)) + 0.005)
