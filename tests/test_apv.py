"""Atomic parity violation in 133Cs: weak charge, skin correction, apv_cs model and its combination with CsI."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

import cevnsjax as cj
from cevnsjax.constants import HBARC_MEV_FM, pdg2018
from cevnsjax.experiments import apv_cs
from cevnsjax.physics import apv, nuclei
from cevnsjax.physics import form_factors as ff

CS = nuclei.isotope("133Cs")


def test_sm_weak_charge_of_cesium():
    """Q_W^SM(133Cs) = -73.23(1) at sin^2 theta_W(0) = 0.23857 (PDG; docs/physics.md section 11d)."""
    assert float(apv.weak_charge(0.23857, CS.Z, CS.N, pdg2018)) == pytest.approx(-73.23, abs=0.01)


def test_weak_charge_moves_with_the_tree_level_proton_coupling():
    """dQ_W/ds^2 = -4 Z (1 - alpha/2pi): only g_AV^ep = 2 g_AV^eu + g_AV^ed carries sin^2 theta_W."""
    slope = jax.grad(lambda s: apv.weak_charge(s, CS.Z, CS.N))(0.24)
    assert float(slope) == pytest.approx(-4 * CS.Z * (1 - pdg2018.alpha / (2 * math.pi)), rel=1e-12)
    # a nucleus of neutrons alone does not depend on the angle; a proton's weak charge is about 0.071
    assert float(jax.grad(lambda s: apv.weak_charge(s, 0, 1))(0.24)) == 0.0
    assert float(apv.weak_charge(0.23857, 1, 0)) == pytest.approx(0.0714, abs=0.0005)


@pytest.mark.parametrize("form", ["helm", "sfermi", "kn"])
def test_density_moments_are_the_form_factor_taylor_coefficients(form):
    """F(q) = sum_k (-1)^k q^(2k) <r^(2k)>/(2k+1)!: a polynomial fit in q^2 of the form factors themselves."""
    f = ff.form_factor(form)
    q = np.linspace(0.0, 0.7, 400)  # fm^-1
    for r in (4.0, 4.821, 5.5):
        coef = np.polynomial.polynomial.polyfit(q**2, np.asarray(f(q * HBARC_MEV_FM, r)), 10)
        expected = [(-1) ** k * math.factorial(2 * k + 1) * coef[k] for k in (1, 2, 3)]
        got = [float(m) for m in apv.density_moments(form, r)]
        assert got == pytest.approx(expected, rel=1e-6)
        assert got[0] == pytest.approx(r**2, rel=1e-12)


def test_symmetrized_fermi_moments_by_quadrature():
    """Independent check: integrate r^n of the symmetrized Fermi density numerically."""
    r = 5.0
    a = ff.SFERMI_T_FM / (4 * math.log(3))
    c = math.sqrt(5 / 3 * (r**2 - 7 / 5 * (math.pi * a) ** 2))

    def rho(x):
        return math.sinh(c / a) / (math.cosh(x / a) + math.cosh(c / a))

    norm = quad(lambda x: rho(x) * x**2, 0, 40)[0]
    numeric = [quad(lambda x, n=n: rho(x) * x ** (2 + n), 0, 40, epsabs=0, epsrel=1e-12)[0] / norm for n in (2, 4, 6)]
    assert [float(m) for m in apv.density_moments("sfermi", r)] == pytest.approx(numeric, rel=1e-9)


def test_skin_term_vanishes_without_skin_and_grows_with_it():
    rp = CS.proton_radius
    for form in ("helm", "sfermi", "kn"):
        assert float(apv.skin_shift(form, rp, rp, CS.Z, CS.N, CS.charge_radius)) == pytest.approx(0.0, abs=1e-12)
    shifts = [float(apv.skin_shift("helm", rn, rp, CS.Z, CS.N, CS.charge_radius)) for rn in (5.0, 5.5, 6.0)]
    assert shifts[0] < 0 and np.all(np.diff(shifts) < 0)
    # independent: fold the symmetrized Fermi densities with f(r) of Eq. (91) by quadrature
    a = ff.SFERMI_T_FM / (4 * math.log(3))
    R2 = 5 / 3 * CS.charge_radius**2
    za2 = (CS.Z * pdg2018.alpha) ** 2

    def q_numeric(r):
        c = math.sqrt(5 / 3 * (r**2 - 7 / 5 * (math.pi * a) ** 2))
        rho = lambda x: x**2 / (math.cosh(x / a) + math.cosh(c / a))  # noqa: E731
        f = lambda x: 1 - za2 / 2 * (x**2 / R2 - x**4 / (5 * R2**2) + x**6 / (75 * R2**3))  # noqa: E731
        return quad(lambda x: rho(x) * f(x), 0, 40, epsrel=1e-12)[0] / quad(rho, 0, 40, epsrel=1e-12)[0]

    expected = CS.N * (q_numeric(5.5) / q_numeric(rp) - 1)
    assert float(apv.skin_shift("sfermi", 5.5, rp, CS.Z, CS.N, CS.charge_radius)) == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize(
    ("amplitude", "published"),
    [("dzuba2012", -72.82), ("sahoo2021", -73.71)],
)
def test_published_weak_charge_at_the_reference_radius(amplitude, published):
    """At its default radius (where the recomputed skin equals the calculation's own) the model returns
    the published Q_W; the reference radius is R_p + 0.12 fm for every density."""
    m = cj.experiment("apv_cs", amplitude=amplitude)
    p = m.parameters.defaults()
    a = apv_cs.AMPLITUDES[amplitude]
    assert apv.extracted_weak_charge(apv_cs.E_OVER_BETA_MV_CM, a.beta, a.k_th, 0.0, CS.N) == pytest.approx(
        published, abs=0.005
    )
    measured = float(m.likelihood.observed[0]) - float(m.expected(p)["neutron_skin"][0])
    assert measured == pytest.approx(published, abs=0.005)
    for form in ("helm", "sfermi", "kn"):
        assert apv_cs.reference_radius(form, amplitude) - CS.proton_radius == pytest.approx(0.123, abs=0.003)


@pytest.mark.parametrize(
    ("amplitude", "value", "error"),
    [("dzuba2012", 0.2367, 0.0019), ("sahoo2021", 0.2408, 0.0016)],
)
def test_apv_alone_weak_mixing_angle(amplitude, value, error):
    """sin^2 theta_W(2.4 MeV) = 0.2367(18) (PDG, Dzuba amplitude) and 0.2408(16) (Sahoo): fit, Hessian, profile.

    Our Dzuba error is 0.0019 = 0.42/219.7 (exp and th added in quadrature over dQ_W/ds^2); the PDG quotes 0.0018.
    """
    m = cj.experiment("apv_cs", amplitude=amplitude)
    best = cj.fit(m, free=["sin2_theta_w"])
    assert best.values["sin2_theta_w"] == pytest.approx(value, abs=0.00006)
    assert best.errors["sin2_theta_w"] == pytest.approx(error, abs=0.00006)
    prof = cj.profile(m, "sin2_theta_w", np.linspace(value - 0.006, value + 0.006, 25), free=["sin2_theta_w"])
    ((lo, hi),) = prof.intervals["1sigma"]
    assert (hi - lo) / 2 == pytest.approx(best.errors["sin2_theta_w"], rel=1e-3)
    ((lo90, hi90),) = prof.intervals["90%"]
    assert (hi90 - lo90) / (hi - lo) == pytest.approx(math.sqrt(2.71), rel=2e-3)


def test_gradients_finite_over_the_box():
    m = cj.experiment("apv_cs", form_factor="sfermi")
    grad = jax.jit(jax.grad(m.chi2))
    box = m.parameters
    for s2 in (box["sin2_theta_w"].lower, 0.2, 0.5, box["sin2_theta_w"].upper):
        for rn in (box["rn_cs133"].lower, 5.0, 8.0, box["rn_cs133"].upper):
            g = grad({"sin2_theta_w": jnp.asarray(s2), "rn_cs133": jnp.asarray(rn)})
            assert all(np.isfinite(float(v)) for v in g.values())


def test_options_refused_with_choices():
    with pytest.raises(ValueError, match="dzuba2012, sahoo2021"):
        cj.experiment("apv_cs", amplitude="porsev2009")
    with pytest.raises(ValueError, match="helm"):
        cj.experiment("apv_cs", form_factor="gauss")


def test_combination_with_csi_shares_angle_and_cesium_radius():
    """Parameters only (building CsI takes seconds): the CsI separate-radius names are shared, not renamed."""
    csi = cj.experiment("coherent_csi_2021", separate_radii=True)
    comb = cj.combine(csi, cj.experiment("apv_cs", preset="pdg2022"))  # CsI 2021's preset
    names = comb.parameters.names
    assert "sin2_theta_w" in names and "rn_cs133" in names and "rn_i127" in names
    assert not any(n.startswith("apv_cs.") for n in names)
    assert comb.parameters["rn_cs133"].kind == "physics"
    assert comb.parameters["rn_cs133"].lower == pytest.approx(CS.proton_radius)
    p = comb.parameters.defaults()
    apv_only = cj.experiment("apv_cs").chi2({"sin2_theta_w": p["sin2_theta_w"], "rn_cs133": p["rn_cs133"]})
    csi_chi2 = jax.jit(lambda q: csi.chi2(q))(p)
    assert float(jax.jit(lambda q: comb.chi2(q))(p)) == pytest.approx(float(csi_chi2) + float(apv_only), rel=1e-12)


def test_apv_term_is_a_few_scalar_operations():
    """The APV chi^2 and its gradient are ~200 scalar primitives (no arrays, no quadrature): adding it to a
    CsI fit costs nothing measurable (~11 us per call alone, dispatch included, against ~1.3 ms for CsI 2021)."""
    m = cj.experiment("apv_cs", form_factor="sfermi")
    jaxpr = jax.make_jaxpr(jax.value_and_grad(lambda p: m.chi2(p)))(m.parameters.defaults()).jaxpr
    assert len(jaxpr.eqns) < 300
    assert all(v.aval.size <= 1 for eqn in jaxpr.eqns for v in eqn.outvars)
