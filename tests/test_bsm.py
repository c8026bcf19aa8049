"""Beyond-SM terms: SM point unchanged, analytic limits, interference signs, gradients."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

from cevnsjax.constants import HBARC2_MEV2_CM2, XS_UNIT_CM2, pdg2018, pdg2022
from cevnsjax.folding import build_folding
from cevnsjax.parameters import ParameterSet
from cevnsjax.physics import couplings as cp
from cevnsjax.physics import cross_sections as xs
from cevnsjax.physics import electromagnetic as em
from cevnsjax.physics import form_factors as ffm
from cevnsjax.physics import nsi
from cevnsjax.physics.amplitude import SignalConfig
from cevnsjax.physics.catalogue import bsm_parameters
from cevnsjax.physics.kinematics import momentum_transfer
from cevnsjax.physics.nuclei import isotope, target
from cevnsjax.physics.oscillations import active_fraction, averaged_sin2
from cevnsjax.sources import sns

C = pdg2018
BASELINE = (27.5, 0.5)


@pytest.fixture(scope="module")
def setup():
    tgt = target("CsI")
    f = build_folding(tgt, sns.components(C), [1e14] * 3, 10.0, (1e-4, 0.1), n_panels=6, n_t=6, n_e=16)
    rp = jnp.asarray([i.proton_radius for i in tgt.isotopes])
    rn = rp + 0.2
    ps = ParameterSet([*bsm_parameters(C, sterile=True)])
    base = {**ps.defaults(), "sin2_theta_w": jnp.asarray(C.sin2_theta_w)}

    def spectra(overrides=None, radius_q_dependence=False, mediator="universal"):
        p = {**base, **(overrides or {})}
        config = SignalConfig(C, "helm", False, radius_q_dependence, mediator, BASELINE)
        return f.cevns_spectra(p, rn, rp, config)

    return f, rp, rn, base, spectra


def _sm(f, rp, rn):
    """Independent SM spectra: G_F^2 M/pi (g_V^p(l) Z F_Z + g_V^n N F_N)^2 x the folded kinematic factor."""
    q = momentum_transfer(f.T, f.M[:, None])
    FZ, FN = ffm.helm(q, rp[:, None]), ffm.helm(q, rn[:, None])
    gp = cp.gvp(C, zz_boxes=False)[f.flavour][:, None, None]
    Q2 = (gp * f.Z[:, None] * FZ + cp.gvn(C, zz_boxes=False) * f.N[:, None] * FN) ** 2
    return C.G_F**2 * f.M[:, None] / math.pi * HBARC2_MEV2_CM2 / XS_UNIT_CM2 * Q2 * f.moments[0]


def test_sm_point_unchanged_to_machine_precision(setup):
    f, rp, rn, _base, spectra = setup
    np.testing.assert_allclose(spectra(), _sm(f, rp, rn), rtol=1e-13)
    # every mediator model and the sterile path with zero mixing leave it unchanged too
    for model in nsi.MEDIATORS:
        np.testing.assert_allclose(spectra(mediator=model), _sm(f, rp, rn), rtol=1e-13)
    np.testing.assert_allclose(spectra({"dm41_sq": 3.0}), _sm(f, rp, rn), rtol=1e-13)


def test_charge_radius_shift_is_a_proton_coupling_shift(setup):
    """r2_nu_ee -> r2 + d moves g_V^p(nu_e) by -Q~(d): the same as sin2_theta_w + Q~(d)/(2 rho).

    Sign: a *positive* shift of <r^2_ee> mimics a larger sin2_theta_w (g_V^p = g~ - Q~); a negative one
    a smaller sin2_theta_w.
    """
    f, _rp, _rn, base, spectra = setup
    d = 0.5
    ds = float(em.radius_coupling(d, C)) / (2 * C.rho)
    a = spectra({"r2_nu_ee": base["r2_nu_ee"] + d})
    b = spectra({"sin2_theta_w": base["sin2_theta_w"] + ds})
    e = f.components.index("delayed_nu_e")
    np.testing.assert_allclose(a[e], b[e], rtol=1e-12)
    assert not np.allclose(a[e], spectra()[e])
    # nu_mu components do not see r2_nu_ee
    np.testing.assert_allclose(a[0], spectra()[0], rtol=1e-13)


def test_transition_radii_and_millicharges_add_incoherently(setup):
    _, _, _, _, spectra = setup
    sm = spectra()
    for name, value in (("r2_nu_emu", 2.0), ("q_nu_etau", 3.0), ("eps_u_mutau", 0.1)):
        up, down = spectra({name: value}), spectra({name: -value})
        np.testing.assert_allclose(up, down, rtol=1e-12)
        assert np.all(np.asarray(up) >= np.asarray(sm) * (1 - 1e-14))
        assert float(jnp.sum(up)) > float(jnp.sum(sm))


def test_millicharge_enhanced_at_low_recoil(setup):
    f, _, _, _, spectra = setup
    ratio = np.asarray(spectra({"q_nu_ee": 0.05})[1, 0] / spectra()[1, 0])  # nu_e on Cs, linear regime
    T = np.asarray(f.T[0])
    assert abs(ratio[np.argmin(T)] - 1) > 10 * abs(ratio[np.argmax(T)] - 1)


def test_magnetic_moment_incoherent_and_quadratic(setup):
    _, _, _, _, spectra = setup
    sm = spectra()
    d1 = spectra({"mu_nu_mu": 10.0}) - sm
    d2 = spectra({"mu_nu_mu": 20.0}) - sm
    np.testing.assert_allclose(d2, 4 * d1, rtol=1e-10, atol=1e-30)
    assert float(jnp.sum(d1[1])) == 0.0  # the nu_e component has no mu_nu_mu
    assert float(jnp.min(d1[0])) >= 0 and float(jnp.sum(d1[0])) > 0


def test_magnetic_cross_section_formula():
    """The magnetic term of dsigma/dT (one node of the production rate) is pi alpha^2/m_e^2 (1/T - 1/E) Z^2 mu^2."""
    E, T, cs = 30.0, 0.01, isotope("133Cs")
    kw = dict(rn=5.0, form_factor_name="unity", c=pdg2022)
    got = float(xs.dsigma_dT(E, T, cs, "nu_mu", params={"mu_nu_mu": 1.0}, **kw) - xs.dsigma_dT(E, T, cs, "nu_mu", **kw))
    ref = math.pi * pdg2022.alpha**2 / pdg2022.m_e**2 * (1 / T - 1 / E) * cs.Z**2 * 1e-20 * 3.893794e-22
    assert got == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("model, charge", [("universal", 1.0), ("b_minus_l", -1.0 / 3.0)])
def test_heavy_mediator_limit_is_constant_nsi(setup, model, charge):
    _, _, _, _, spectra = setup
    m = 1e5  # MeV, 2 M T << m^2
    eps = 0.05
    g = (
        math.sqrt(eps / charge * math.sqrt(2) * C.G_F * m**2)
        if charge > 0
        else math.sqrt(-eps / charge * math.sqrt(2) * C.G_F * m**2)
    )
    eps_q = eps if charge > 0 else -eps
    light = spectra({"g_zprime": g, "m_zprime": m}, mediator=model)
    nsi_params = {f"eps_{q}_{fl}": eps_q for q in ("u", "d") for fl in ("ee", "mumu")}
    const = spectra(nsi_params)
    np.testing.assert_allclose(light, const, rtol=1e-5)


def test_mediator_interference_signs(setup):
    _, _, _, _, spectra = setup
    sm = float(jnp.sum(spectra()))
    small = {"g_zprime": 1e-5, "m_zprime": 10.0}
    assert float(jnp.sum(spectra(small, mediator="b_minus_l"))) > sm  # constructive
    assert float(jnp.sum(spectra(small, mediator="universal"))) < sm  # destructive
    lmu = spectra({"g_zprime": 1e-4, "m_zprime": 10.0}, mediator="lmu_ltau")
    ref = spectra()
    assert float(jnp.sum(lmu[0])) < float(jnp.sum(ref[0]))  # nu_mu: destructive
    np.testing.assert_allclose(lmu[1], ref[1], rtol=1e-13)  # nu_e untouched


def test_lmu_ltau_loop_function():
    c = pdg2022
    assert float(nsi.lmu_ltau_loop(0.0, c)) == pytest.approx(math.log(c.m_tau**2 / c.m_mu**2), rel=1e-12)
    for q2 in (10.0, 1e3, 1e4, 1e6):
        ref = (
            6
            * quad(
                lambda x: x * (1 - x) * math.log((c.m_tau**2 + x * (1 - x) * q2) / (c.m_mu**2 + x * (1 - x) * q2)),
                0,
                1,
                epsrel=1e-12,
            )[0]
        )
        assert float(nsi.lmu_ltau_loop(q2, c)) == pytest.approx(ref, rel=1e-9)


def test_scalar_mediator_adds(setup):
    _, _, _, _, spectra = setup
    sm = spectra()
    d = spectra({"g_phi": 1e-5, "m_phi": 10.0}) - sm
    assert float(jnp.min(d)) >= 0 and float(jnp.sum(d)) > 0
    ar = isotope("40Ar")
    kw = dict(rn=3.4, form_factor_name="unity", c=pdg2022)
    got = float(
        xs.dsigma_dT(30.0, 0.01, ar, params={"g_phi": 1e-3, "m_phi": 5.0}, **kw) - xs.dsigma_dT(30.0, 0.01, ar, **kw)
    )
    charge, M = 15.1 * ar.Z + 14.0 * ar.N, ar.mass
    ref = 1e-6 * charge**2 * M**2 * 0.01 / (4 * math.pi * 900 * (2 * M * 0.01 + 25.0) ** 2) * 3.893794e-22
    assert got == pytest.approx(ref, rel=1e-9)


def test_sterile_oscillations(setup):
    f, _rp, _rn, _, spectra = setup
    # fast oscillations average to <sin^2> = 1/2: nu_e flux scaled by 1 - 2|U|^2 (1 - |U|^2)
    u = 0.1
    osc = spectra({"ue4_sq": u, "dm41_sq": 5000.0})
    sm = spectra()
    e = f.components.index("delayed_nu_e")
    np.testing.assert_allclose(osc[e], sm[e] * (1 - 2 * u * (1 - u)), rtol=2e-3)
    np.testing.assert_allclose(osc[0], sm[0], rtol=1e-13)
    assert float(averaged_sin2(0.0, 27.5, 0.5, 30.0)) == 0.0
    assert float(active_fraction(0.2, 0.8, 1e-6, 20.0, 0.5, 30.0)) == pytest.approx(1.0, abs=1e-9)
    g = jax.grad(lambda dm: jnp.sum(spectra({"ue4_sq": u, "dm41_sq": dm})))(5.0)
    assert np.isfinite(float(g))


def test_momentum_dependent_radius_option(setup):
    f, _, _, _, spectra = setup
    qd, flat = spectra(radius_q_dependence=True), spectra()
    e = f.components.index("delayed_nu_e")
    rel = np.asarray(qd[e] / flat[e] - 1)
    assert np.max(np.abs(rel)) > 1e-3  # the nu_e proton coupling moves by 10-20% at COHERENT q
    np.testing.assert_allclose(qd[0], flat[0], rtol=1e-3)  # nu_mu: effect only above ~100 MeV


def test_gradients_finite_at_sm_point_and_bounds(setup):
    _, _, _, base, spectra = setup
    total = jax.jit(lambda p: jnp.sum(spectra(p)))
    names = [n for n in base if n != "sin2_theta_w"]
    g = jax.grad(total)(base)
    assert all(np.isfinite(float(g[n])) for n in names)
    for model in nsi.MEDIATORS:
        gm = jax.grad(lambda p, model=model: jnp.sum(spectra(p, mediator=model)))({**base, "g_zprime": 1e-3})
        assert np.isfinite(float(gm["g_zprime"])) and np.isfinite(float(gm["m_zprime"]))
    h = jax.hessian(lambda x: total({**base, "mu_nu_e": x[0], "q_nu_ee": x[1], "r2_nu_emu": x[2]}))(jnp.zeros(3))
    assert np.all(np.isfinite(np.asarray(h)))
