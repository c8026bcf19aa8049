"""Light mediators against analytic limits (docs/physics.md sections 8 and 16), and the argon exclusion.

* heavy-mediator limit: a universal / B-L Z' of mass M and coupling g is vector NSI with
  eps^u = eps^d = Q'_l Q'_q g^2 / (sqrt2 G_F M^2), Eq. (100);
* the universal Z' flips the sign of the weak charge at g^2/(M^2 + q^2) = 2 sqrt2 G_F |Q_SM| / (3 A),
  Eq. (101): on Asimov (SM) data the exclusion finds its second minimum there;
* L_mu - L_tau reaches the nucleus only through the mu/tau loop (Eq. (49)): nu_mu (prompt) and
  nubar_mu change by the loop-induced proton coupling, nu_e (delayed) does not;
* gradients are finite at g = 0, at tiny and huge masses and on the degeneracy line.
"""

import math

import jax
import numpy as np
import pytest
from scipy import integrate

import cevnsjax as cj
from cevnsjax.constants import pdg2018, pdg2022
from cevnsjax.experiments._base import with_asimov_data
from cevnsjax.physics import couplings as cp
from cevnsjax.physics.cross_sections import dsigma_dT
from cevnsjax.physics.nuclei import isotope

AR = isotope("40Ar")
E = np.array([20.0, 30.0, 45.0])[:, None]  # MeV
T = np.array([0.01, 0.03, 0.06])[None, :]  # MeV
HEAVY = 1e5  # MeV: 2 M_A T / M^2 < 5e-7


def xs(neutrino, params, mediator="universal"):
    return np.asarray(
        dsigma_dT(E, T, AR, neutrino, rn=3.4, params=params, mediator=mediator, c=pdg2022, form_factor_name="unity")
    )


@pytest.mark.parametrize(("mediator", "charge"), [("universal", 1.0), ("b_minus_l", -1.0 / 3.0)])
def test_heavy_mediator_is_vector_nsi(mediator, charge):
    g = 0.02
    eps = charge * g**2 / (math.sqrt(2) * pdg2022.G_F * HEAVY**2)  # Eq. (100)
    zprime = {"g_zprime": g, "m_zprime": HEAVY}
    for nu, flav in (("nu_e", "ee"), ("nu_mu", "mumu")):
        nsi = {f"eps_u_{flav}": eps, f"eps_d_{flav}": eps}
        got, sm = xs(nu, zprime, mediator), xs(nu, {})
        assert got == pytest.approx(xs(nu, nsi), rel=1e-6, abs=0)
        assert np.max(np.abs(got[sm > 0] / sm[sm > 0] - 1)) > 0.01  # a visible effect (B-L: 1.8%, constructive)


def test_lmu_ltau_acts_on_nu_mu_only_through_the_loop():
    g, m = 1e-3, 50.0
    params = {"g_zprime": g, "m_zprime": m}
    assert np.array_equal(xs("nu_e", params, "lmu_ltau"), xs("nu_e", {}, "lmu_ltau"))  # delayed nu_e untouched
    c = pdg2022
    q2 = 2 * AR.mass * T  # MeV^2
    loop = np.vectorize(
        lambda q: (
            6
            * integrate.quad(
                lambda x: x * (1 - x) * math.log((c.m_tau**2 + x * (1 - x) * q) / (c.m_mu**2 + x * (1 - x) * q)), 0, 1
            )[0]
        )
    )(q2)
    dgp = c.alpha * g**2 * loop / (3 * math.sqrt(2) * math.pi * c.G_F * (q2 + m**2))  # Eq. (49), independent
    qsm = AR.Z * float(cp.gvp(c)[1]) + AR.N * float(cp.gvn(c))
    ratio = ((qsm + AR.Z * dgp) / qsm) ** 2
    for nu in ("nu_mu", "nubar_mu"):  # prompt nu_mu and the delayed nubar_mu
        sm = xs(nu, {}, "lmu_ltau")
        ok = sm > 0  # below the kinematic limit
        got = xs(nu, params, "lmu_ltau")[ok] / sm[ok]
        assert got == pytest.approx(np.broadcast_to(ratio, sm.shape)[ok], rel=1e-6)
    assert np.all(ratio < 0.9)  # destructive for nu_mu, a 10-40% effect here


def degenerate_coupling(mass: float, c=pdg2018, zz_boxes=False) -> np.ndarray:
    """g at which 3 eps (Z + N) = -2 Q_SM (Q_W -> -Q_W), per flavour e, mu; Eq. (101) with q^2 << M^2."""
    qsm = AR.Z * np.asarray(cp.gvp(c, zz_boxes=zz_boxes))[:2] + AR.N * float(cp.gvn(c, zz_boxes=zz_boxes))
    return mass * np.sqrt(2 * math.sqrt(2) * c.G_F * np.abs(qsm) / (3 * (AR.Z + AR.N)))


MASSES = np.array([2e3, 5e3, 1e4])
COUPLINGS = np.geomspace(1e-5, 0.1, 161)


@pytest.fixture(scope="module")
def argon():
    return cj.experiment("coherent_ar_2020")


@pytest.fixture(scope="module")
def asimov_exclusion(argon):
    return cj.exclusion(with_asimov_data(argon), "g_zprime", ("m_zprime", MASSES), COUPLINGS)


def test_universal_second_minimum_sits_on_the_weak_charge_flip(asimov_exclusion):
    r = asimov_exclusion
    assert np.all(r.bands(0.9) == 2)  # the SM-like region and the flipped band
    for i, m in enumerate(MASSES):
        above = r.grid > 2 * r.upper["0.9"][i]
        j = np.flatnonzero(above)[np.argmin(r.delta_chi2[i, above])]
        x, y = np.log(r.grid[j - 1 : j + 2]), r.delta_chi2[i, j - 1 : j + 2]
        a, b, c = np.polyfit(x, y, 2)
        found = math.exp(-b / (2 * a))
        assert found == pytest.approx(degenerate_coupling(m).mean(), rel=5e-3)
        assert c - b**2 / (4 * a) < 0.05  # at the vertex the flipped charge reproduces the SM rate
        lo, hi = r.allowed["0.9"][i][1]
        assert lo < found < hi


def test_heavy_limit_scales_as_g_over_m(asimov_exclusion):
    up = asimov_exclusion.upper["0.9"]
    assert np.all(np.isfinite(up))
    ratio = up / MASSES
    assert ratio == pytest.approx(np.full(3, ratio[-1]), rel=2e-2)  # a contact interaction: g/M fixed


def test_gradients_finite_at_zero_coupling_extreme_masses_and_the_degeneracy(argon):
    grad = jax.jit(jax.grad(lambda p: argon.chi2(p)))
    base = argon.parameters.defaults()
    g_flip = float(degenerate_coupling(5e3).mean())
    points = [
        {"g_zprime": 0.0, "m_zprime": 10.0, "g_phi": 0.0, "m_phi": 10.0},
        {"g_zprime": 1e-5, "m_zprime": 1e-3, "g_phi": 1e-6, "m_phi": 1e-3},
        {"g_zprime": 0.5, "m_zprime": 1e5, "g_phi": 0.5, "m_phi": 1e5},
        {"g_zprime": g_flip, "m_zprime": 5e3, "g_phi": 1e-4, "m_phi": 5e3},  # Q_W -> -Q_W
        {"g_zprime": g_flip / math.sqrt(2), "m_zprime": 5e3, "g_phi": 0.0, "m_phi": 5e3},  # Q_W = 0
    ]
    for point in points:
        g = grad({**base, **point})
        for name in ("g_zprime", "m_zprime", "g_phi", "m_phi", "eta_cevns"):
            assert np.isfinite(float(g[name])), (name, point)
    at_flip = grad({**base, **points[3]})
    assert abs(float(at_flip["g_zprime"])) > 0  # the likelihood does respond there
