"""Projections at pi-DAR sources (docs/physics.md section 19): counts, combination, Asimov fits, sensitivity."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, special

import cevnsjax as cj
from cevnsjax.constants import HBARC2_MEV2_CM2, HBARC_MEV_FM, N_AVOGADRO, pdg2018
from cevnsjax.physics import couplings, nuclei
from cevnsjax.physics.form_factors import HELM_SKIN_FM
from cevnsjax.sources import ess, sns

cj.configure()

#: COH-Ar-750 in the electroweak setting of the argon data (so that it combines with coherent_ar_2020).
AR_OPTIONS = {"preset": "pdg2018", "zz_boxes": False, "n_bins": 8}


@pytest.fixture(scope="module")
def ar750():
    return cj.experiment("coh_ar_750", **AR_OPTIONS)


def _helm(q_fm, r_rms):
    r0 = np.sqrt(5.0 / 3.0 * (r_rms**2 - 3 * HELM_SKIN_FM**2))
    x = q_fm * r0
    return 3 * special.spherical_jn(1, x) / x * np.exp(-((q_fm * HELM_SKIN_FM) ** 2) / 2)


def _independent_count(mass_kg, distance_m, n_pot, nu_per_pot, weight, t_lo_kev, t_hi_kev, c=pdg2018):
    """SM CEvNS events on 40Ar x ``weight(T [keV])``: scipy quadrature, leading-order kinematics."""
    tgt = nuclei.target("40Ar")
    fluence = nu_per_pot * n_pot / (4 * np.pi * (100 * distance_m) ** 2)
    gvp = np.asarray(couplings.gvp(c, zz_boxes=False))  # (e, mu, tau)
    gvn = float(couplings.gvn(c, zz_boxes=False))
    m_mu, e_line = c.m_mu, sns.prompt_energy(c)
    spectra = {  # flavour -> [(spectrum or None for the line, endpoint)]
        0: [(lambda E: 192 * E**2 / m_mu**3 * (0.5 - E / m_mu), m_mu / 2)],
        1: [(None, e_line), (lambda E: 64 * E**2 / m_mu**3 * (0.75 - E / m_mu), m_mu / 2)],
    }
    total = 0.0
    for iso, frac in zip(tgt.isotopes, tgt.multiplicities, strict=True):
        n_nuclei = mass_kg * 1e3 / tgt.molar_mass * N_AVOGADRO * frac
        M, rp = iso.mass, iso.proton_radius
        rn = rp + 0.1

        def dsigma(E, T, flavour, M=M, Z=iso.Z, N=iso.N, rp=rp, rn=rn):
            q = np.sqrt(2 * M * T) / HBARC_MEV_FM
            weak = gvp[flavour] * Z * _helm(q, rp) + gvn * N * _helm(q, rn)
            kin = max(0.0, 1 - M * T / (2 * E**2))
            return c.G_F**2 * M / np.pi * kin * weak**2 * HBARC2_MEV2_CM2 * weight(1e3 * T)

        for flavour, parts in spectra.items():
            for spectrum, e_top in parts:
                hi = min(t_hi_kev * 1e-3, 2 * e_top**2 / M)
                if spectrum is None:
                    value = integrate.quad(
                        lambda T: dsigma(e_top, T, flavour), t_lo_kev * 1e-3, hi, epsrel=1e-10, limit=200
                    )[0]
                else:
                    value = integrate.dblquad(
                        lambda E, T: spectrum(E) * dsigma(E, T, flavour),
                        t_lo_kev * 1e-3,
                        hi,
                        lambda T: np.sqrt(M * T / 2),
                        lambda T: e_top,
                        epsrel=1e-9,
                    )[0]
                total += n_nuclei * fluence * value
    return total


def test_coh_ar_750_counts_against_scipy_and_the_published_rate():
    """The expected CEvNS counts equal a scipy integral with the Gaussian response; the default ~3000/yr."""
    m = cj.experiment("coh_ar_750", **AR_OPTIONS | {"n_bins": 1})
    ours = float(m.components(m.parameters.defaults())["cevns"])
    o = m.build_options
    qf, y = o["quenching"], o["light_yield"]

    def in_window(t_kev):  # P(20 < E_rec < 120 keVnr | T), sigma_nr = sqrt(QF T / Y) / QF
        sigma = np.sqrt(qf * t_kev / y) / qf
        return special.ndtr((120.0 - t_kev) / sigma) - special.ndtr((20.0 - t_kev) / sigma)

    ref = o["efficiency"] * _independent_count(
        o["mass_kg"], o["distance_m"], o["years"] * o["pot_per_year"], o["nu_per_pot"], in_window, 5.0, 180.0
    )
    assert ours == pytest.approx(ref, rel=1e-3)
    # COHERENT: about 3000 CEvNS events per SNS year in 610 kg (arXiv:2204.04575)
    assert 2700 < ours < 3300


@pytest.mark.parametrize(("name", "published"), [("ess_csi", 8000), ("ess_xe", 7000), ("ess_ge", 1500)])
def test_ess_counts_against_the_published_rates(name, published):
    m = cj.experiment(name, n_bins=1)
    n = float(jnp.sum(m.data - m.background))  # the Asimov data less the background: CEvNS at the defaults
    # arXiv:1911.00762: ~8000 events per year in 22.5 kg CsI, ~7000 in 20 kg Xe, ~1500 in 7 kg Ge
    assert n == pytest.approx(published, rel=0.12)


def _window(o, scale=1.0):
    """P(threshold < E < max | T [keVnr]) at the true quenching ``scale`` x QF, E calibrated with QF (Eq. (160))."""
    qf, y = o["quenching"], o["light_yield"]

    def window(t_kev):
        mean, sigma = scale * t_kev, np.sqrt(scale * qf * t_kev / y) / qf
        return special.ndtr((o["max_kevnr"] - mean) / sigma) - special.ndtr((o["threshold_kevnr"] - mean) / sigma)

    return window


def _split_count(o, window):
    """``_independent_count`` over the projection's recoil range, split into decades (a sharp threshold far below
    the range defeats one adaptive quadrature)."""
    lo, hi = 0.25 * o["threshold_kevnr"], 1.5 * o["max_kevnr"]
    cuts = np.unique(np.clip(np.geomspace(lo, hi, 9), lo, hi))
    args = (o["mass_kg"], o["distance_m"], o["years"] * o["pot_per_year"], o["nu_per_pot"], window)
    return o["efficiency"] * sum(_independent_count(*args, a, b) for a, b in itertools.pairwise(cuts))


def test_ess_ar_counts_against_scipy():
    """ess_ar (0.1 keVnr threshold, 150 keVnr range): the SM count equals a scipy quadrature of the window."""
    m = cj.experiment("ess_ar", **AR_OPTIONS | {"n_bins": 1})
    ours = float(jnp.sum(m.data - m.background))
    assert ours == pytest.approx(_split_count(m.build_options, _window(m.build_options)), rel=1e-6)
    assert ours == pytest.approx(1356.4, abs=0.1)  # the count of docs/physics.md section 19 (pdg2018, no boxes)


def test_quenching_nuisance_shifts_the_rate_like_a_shifted_quenching_factor():
    """theta_qf = +-1 is the response at QF x (1 +- quenching_prior): the counts equal scipy's at that QF."""
    m = cj.experiment("coh_ar_750", **AR_OPTIONS | {"n_bins": 1})
    o, p = m.build_options, m.parameters.defaults()
    cevns = jax.jit(lambda theta: m.expected(p | {"theta_qf": theta})["cevns"].sum())
    nominal = float(cevns(0.0))
    for theta in (1.0, -1.0):
        ours = float(cevns(theta))
        ref = _split_count(o, _window(o, 1.0 + theta * o["quenching_prior"]))
        assert ours == pytest.approx(ref, rel=1e-5)
        # a higher quenching factor lifts recoils over the 20 keVnr threshold: about +-4% for +-5%
        assert theta * (ours / nominal - 1) == pytest.approx(0.04, abs=0.01)


def test_asimov_fit_recovers_the_truth_and_gradients_are_finite(ar750):
    p = ar750.parameters.defaults()
    assert float(ar750.chi2(p)) == pytest.approx(0.0, abs=1e-9)
    res = cj.fit(ar750, free=["sin2_theta_w"], start={"sin2_theta_w": 0.25})
    assert res.values["sin2_theta_w"] == pytest.approx(float(p["sin2_theta_w"]), abs=1e-6)
    g = jax.grad(ar750.nll)({k: jnp.asarray(v) for k, v in p.items()})
    assert all(np.isfinite(float(v)) for v in g.values())
    assert float(g["rn_ar40"]) == pytest.approx(0.0, abs=1e-8)  # at the Asimov minimum


def test_combines_with_the_real_argon_data(ar750):
    ar = cj.experiment("coherent_ar_2020")
    both = cj.combine(ar, ar750)
    assert {"sin2_theta_w", "rn_ar40"} <= set(both.parameters.names)
    p = both.parameters.defaults()
    expected = sum(float(x.chi2({k: p[k] for k in x.parameters.names})) for x in (ar, ar750))
    assert float(both.chi2(p)) == pytest.approx(expected, rel=1e-12)
    alone = cj.fit(ar, free=["sin2_theta_w"])
    joint = cj.fit(both, free=["sin2_theta_w"])
    assert joint.errors["sin2_theta_w"] < 0.5 * alone.errors["sin2_theta_w"]


def test_sensitivity_scales_as_one_over_root_exposure_without_systematics(ar750):
    fixed = {"eta_flux": 1.0, "eta_bkg": 1.0, "theta_qf": 0.0}
    r = cj.sensitivity(ar750, "sin2_theta_w", [1.0, 4.0], fixed=fixed, n_grid=9)
    assert r.width[0] / r.width[1] == pytest.approx(2.0, rel=0.02)  # Eq. (154): chi^2 scales with exposure
    assert np.allclose(r.bias, 0.0, atol=1e-6)
    hessian = cj.fit(ar750, free=["sin2_theta_w"], fixed=fixed).errors["sin2_theta_w"]
    assert r.width[0] / 2 == pytest.approx(hessian, rel=0.05)


def test_ess_source_numbers_and_timing():
    assert ess.protons_on_target(ess.POWER_MW, ess.PROTON_ENERGY_GEV, 5000.0) == pytest.approx(2.8e23, rel=0.01)
    assert ess.duty_factor(ess.REPETITION_HZ, ess.PULSE_LENGTH_US) == pytest.approx(0.04, rel=0.001)
    # the uniform pulse convolved with the pion-then-muon decay, by quadrature over the pulse
    c, length = pdg2018, ess.PULSE_LENGTH_US

    def decayed(u):  # fraction of the neutrinos of a proton at time 0 that have arrived by u
        return 1 - (c.tau_mu * np.exp(-u / c.tau_mu) - c.tau_pi * np.exp(-u / c.tau_pi)) / (c.tau_mu - c.tau_pi)

    for probe in (5.0, 1430.0, 2870.0):
        ref = integrate.quad(lambda s: decayed(probe - s), 0.0, min(probe, length), limit=200)[0] / length
        assert float(ess.arrival_time_cdf(probe, "delayed", c=c)) == pytest.approx(ref, rel=1e-9)
    with pytest.raises(ValueError, match="choices are prompt, delayed"):
        ess.arrival_time_cdf(1.0, "late")


def test_bad_options_are_refused_by_name():
    with pytest.raises(ValueError, match="threshold_kevnr=50.0, max_kevnr=40.0"):
        cj.experiment("ess_ge", threshold_kevnr=50.0)
    with pytest.raises(ValueError, match="efficiency"):
        cj.experiment("coh_ar_750", efficiency=1.5)
    with pytest.raises(ValueError, match="did you mean 'coh_ar_750'"):
        cj.experiment("coh_ar_75")


@pytest.fixture(scope="module")
def ar10():
    return cj.experiment("coh_ar_10")


@pytest.fixture(scope="module")
def ess_ar():
    return cj.experiment("ess_ar", **AR_OPTIONS)


def test_coh_ar_10_is_three_times_the_2020_argon_prediction(ar10):
    """Every component is 3 x that of the 2020 argon model (3D Poisson) at the same, non-default parameters."""
    argon = ar10.base  # the coherent_ar_2020 model it was built from
    assert (argon.name, argon.likelihood.observed.shape) == ("coherent_ar_2020", (12, 8, 10))
    assert ar10.parameters.names == argon.parameters.names
    p = ar10.parameters.defaults() | {
        "sin2_theta_w": 0.245,
        "rn_ar40": 3.9,
        "eta_cevns": 1.1,
        "eta_brn_prompt": 1.2,
        "theta_brn_energy": 0.5,
        "theta_cevns_f90": -0.3,
    }
    ours, base = jax.jit(lambda q: ar10.expected(q))(p), jax.jit(lambda q: argon.expected(q))(p)
    assert set(ours) == set(base) == {"cevns", "brn_prompt", "brn_delayed", "ss"}
    for k in base:
        np.testing.assert_allclose(np.asarray(ours[k]), 3.0 * np.asarray(base[k]), rtol=1e-10, atol=0)
    defaults = ar10.parameters.defaults()
    asimov = 3.0 * sum(np.asarray(v) for v in jax.jit(lambda q: argon.expected(q))(defaults).values())
    np.testing.assert_allclose(np.asarray(ar10.data), asimov, rtol=1e-10, atol=0)
    assert float(jnp.sum(ours["cevns"])) > 0
    assert float(jnp.sum(jax.jit(lambda q: ar10.expected(q))(defaults)["cevns"])) == pytest.approx(
        389.7, abs=0.1
    )  # 3 x 129.9


def test_ess_ar_and_coh_ar_10_combine_with_the_argon_data(ar10, ess_ar):
    """One rn_ar40 and sin2_theta_w for the real argon data and both projections; finite chi^2 and gradient."""
    ar = cj.experiment("coherent_ar_2020")
    both = cj.combine(ar, ar10, ess_ar)
    assert {"sin2_theta_w", "rn_ar40", "theta_qf", "coh_ar_10.eta_cevns"} <= set(both.parameters.names)
    p = both.parameters.defaults() | {"sin2_theta_w": 0.24, "rn_ar40": 3.7, "theta_qf": 0.5}
    parts = [ar, ar10, ess_ar]
    expected = sum(float(x.chi2({k: p.get(f"{x.name}.{k}", p.get(k)) for k in x.parameters.names})) for x in parts)
    assert float(both.chi2(p)) == pytest.approx(expected, rel=1e-10)
    g = jax.jit(jax.grad(both.chi2))({k: jnp.asarray(v) for k, v in p.items()})
    assert all(np.isfinite(float(v)) for v in g.values())
    assert float(g["sin2_theta_w"]) != 0.0 and float(g["theta_qf"]) != 0.0
