"""Dresden-II: the reactor CEvNS prediction against an independent integration, the fit, gradients, inputs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.stats import norm

import cevnsjax as cj
import cevnsjax.experiments as ex
from cevnsjax.experiments import _reactor_ge as rg
from cevnsjax.experiments import dresden_ii_2022 as d2
from cevnsjax.inference import fit
from cevnsjax.physics import cross_sections as xs
from cevnsjax.physics.nuclei import target
from cevnsjax.sources import reactor


@pytest.fixture(scope="module")
def model():
    return ex.experiment("dresden_ii_2022")


def _jit(m, method):
    return jax.jit(lambda p: getattr(m, method)(p))


def test_structure_and_parameters(model):
    assert model.n_bins == 130 and model.data.shape == (130,)
    ps = model.parameters
    assert ps["eta_flux"].tags == ("reactor_flux",) and ps["rn_ge"].kind == "physics"
    free = {"eta_flux", "theta_qf", "bkg_flat", "bkg_exp", "bkg_tau", "l1_height", "l1_centre", "l1_width", "eta_m"}
    assert set(ps.default_free()) == free
    comps = _jit(model, "components")(ps.defaults())
    assert set(comps) == {"cevns", "es", "epithermal", "ec_lines"}
    assert 0 < float(comps["es"]) < 1e-2 * float(comps["cevns"])  # SM nu-e: small in 0.2-1.5 keVee


def test_cevns_rate_against_independent_integration(model):
    """CEvNS counts per 10 eV per 3 kg per day in two bins = an independent integration (dense trapezoids
    in T_nr and E, no Gauss-Legendre) of sum_iso N_iso fluence int dE S(E) dsigma/dT x P(bin | E_ee(T)), Fef."""
    p = model.parameters.defaults()
    got = np.asarray(model.signal_rates(p)["cevns"])
    comp, fluence = reactor.source(d2.POWER_MW, d2.DISTANCE_M, 1.0)
    table = cj.datasets.load_dresden2022().quenching
    tgt = target("Ge")
    nuclei = np.asarray(tgt.nuclei_per_kg()) * d2.MASS_KG
    skin = float(p["rn_ge"]) - next(i for i in tgt.isotopes if i.name == "74Ge").proton_radius
    u = np.linspace(0.0, 1.0, 3001)
    bins = (0, 25)
    totals = np.zeros(len(bins))
    for iso, n in zip(tgt.isotopes, nuclei, strict=True):
        top = float(xs.t_max(comp.e_max, iso.mass, exact=False))
        T = np.linspace(1e-8, top, 1201)[:-1]  # MeV
        emin = np.asarray(xs.e_min(T, iso.mass, exact=False))
        E = emin[:, None] + (comp.e_max - emin)[:, None] * u[None, :]
        dsig = np.asarray(
            xs.dsigma_dT(E, T[:, None], iso, "nubar_e", rn=iso.proton_radius + skin, rp=iso.proton_radius)
        )
        dndt = np.trapezoid(np.asarray(comp.spectrum(E)) * dsig, E, axis=1)  # per MeV of recoil
        t_kev = 1e3 * T
        e_ee = t_kev * np.interp(t_kev, table.t_kevnr, table.qf_fef)
        s = np.sqrt(d2.SIGMA_NOISE_KEV**2 + rg.FANO * rg.PAIR_ENERGY_KEV * e_ee)
        for j, b in enumerate(bins):
            lo, hi = 0.2 + 0.01 * b, 0.21 + 0.01 * b
            prob = norm.cdf((hi - e_ee) / s) - norm.cdf((lo - e_ee) / s)
            totals[j] += n * fluence * np.trapezoid(dndt * prob, T)
    for j, b in enumerate(bins):
        assert got[b] == pytest.approx(totals[j], rel=2e-3), b


def test_fit_prefers_cevns(model):
    """Background only (eta_flux = 0) against the fit with CEvNS.

    The total Delta chi^2 holds the 5% flux prior's ((0 - 1)/0.05)^2 = 400; the data alone give 8.3
    (p = 4e-3 with Wilks) with Fef quenching. The Dresden-II paper quotes p < 1.2e-3 (arXiv:2202.09672).
    """
    best = fit(model)
    none = fit(model, fixed={"eta_flux": 0.0})
    assert best.converged and none.converged
    assert best.chi2_min / best.ndof == pytest.approx(0.83, abs=0.05)
    assert best.values["eta_flux"] == pytest.approx(1.0, abs=0.05)  # the SM rate

    def prior(eta):
        return ((eta - 1.0) / model.parameters["eta_flux"].constraint[1]) ** 2

    data_only = (none.chi2_min - prior(0.0)) - (best.chi2_min - prior(best.values["eta_flux"]))
    assert data_only == pytest.approx(8.3, abs=0.3)


def test_quenching_morphing_exact_at_the_variants(model):
    """theta_qf = +1 equals a response built with the quenching factor scaled by 1.05 (the +1 sigma variant)."""
    p = model.parameters.defaults()
    plus = np.asarray(model.signal_rates({**p, "theta_qf": jnp.asarray(1.0)})["cevns"])
    det = model.detector
    T_kev = 1e3 * np.asarray(det.folding.T)
    table = cj.datasets.load_dresden2022().quenching
    e = 1.05 * T_kev * np.interp(T_kev, table.t_kevnr, table.qf_fef)
    s = np.sqrt(d2.SIGMA_NOISE_KEV**2 + rg.FANO * rg.PAIR_ENERGY_KEV * e)
    edges = np.asarray(model.edges)[:, None, None]
    R = (norm.cdf((edges[1:] - e) / s) - norm.cdf((edges[:-1] - e) / s)) * np.asarray(det.folding.wT)
    spectra = np.asarray(
        det.folding.cevns_spectra(p, det.rp + (p["rn_ge"] - det.rp[det.reference]), det.rp, model.signal)
    )
    dense = np.einsum("bik,cik->b", R, spectra)
    # the response is stored as two thin factors (low_rank): exact to rounding of the largest bin
    np.testing.assert_allclose(plus, dense, rtol=1e-10, atol=1e-13 * dense.max())
    assert det.response_right.shape[0] < 40  # rank 31 of a (390, 224) matrix: the two factors are thin


def test_gradients_finite_over_the_box(model):
    p = model.parameters.defaults()
    grad = jax.jit(jax.grad(lambda q: model.chi2(q)))  # compiled once for every point below
    assert all(np.isfinite(float(v)) for v in grad(p).values())
    for name in ("theta_qf", "rn_ge", "r2_nu_ee", "mu_nu_e", "q_nu_ee", "l1_width", "bkg_tau"):
        spec = model.parameters[name]
        lo, hi = max(spec.lower, -100.0), min(spec.upper, 100.0)
        for value in (lo, hi):
            gv = grad({**p, name: jnp.asarray(value)})
            assert np.isfinite(float(gv[name])), (name, value)


def test_options_and_bad_input():
    with pytest.raises(ValueError, match="option quenching='lin' is not valid; choices: fef, ybe, lindhard"):
        ex.experiment("dresden_ii_2022", quenching="lin")
    with pytest.raises(ValueError, match="power_mw=-1.0 is out of range"):
        ex.experiment("dresden_ii_2022", power_mw=-1.0)
    lind = ex.experiment("dresden_ii_2022", quenching="lindhard", electron_scattering=False)
    assert "lindhard" in lind.parameters["theta_qf"].doc
    low, high = (float(_jit(lind, "components")(lind.parameters.complete({"theta_qf": t}))["cevns"]) for t in (-1, 1))
    assert 0 < low < high  # more light, more events above threshold


def test_combines_with_coherent(model):
    combo = cj.combine(model, ex.experiment("coherent_csi_2021"))
    names = combo.parameters.names
    for shared in ("sin2_theta_w", "r2_nu_ee", "q_nu_ee", "mu_nu_e"):
        assert shared in names
    # the reactor and SNS flux normalisations carry different tags: kept apart
    assert "dresden_ii_2022.eta_flux" in names and "coherent_csi_2021.eta_flux" in names


def test_reactor_projection_and_user_spectrum(tmp_path):
    """The generic reactor-germanium projection (Asimov) and Dresden-II pointed at a user's spectrum file."""
    proj = ex.experiment("reactor_ge_projection", mass_kg=10.0, live_days=100.0, background=2.0)
    p = proj.parameters.defaults()
    assert abs(float(proj.chi2(p))) < 1e-9 and proj.n_bins == 40
    comps = _jit(proj, "components")(p)
    assert float(comps["bkg"]) == pytest.approx(2.0 * 0.8 * 10.0 * 100.0, rel=1e-12)
    # rates scale with mass x time / distance^2
    near = ex.experiment("reactor_ge_projection", mass_kg=20.0, live_days=100.0, distance_m=10.39 / 2)
    far = ex.experiment("reactor_ge_projection", mass_kg=10.0, live_days=100.0)
    ratio = float(_jit(near, "components")(p)["cevns"]) / float(_jit(far, "components")(p)["cevns"])
    assert ratio == pytest.approx(8.0, rel=1e-10)
    with pytest.raises(ValueError, match="live_days=0.0 is out of range"):
        ex.experiment("reactor_ge_projection", live_days=0.0)
    with pytest.raises(ValueError, match="hmk"):
        ex.experiment("reactor_ge_projection", flux="hmk")
    # a user's spectrum file: the release's values with the Rx-ON rates doubled
    release = cj.datasets.load_dresden2022().spectrum
    rows = np.column_stack(
        [release.energy_kevee, 2 * release.rate_on, release.err_on, release.rate_off, release.err_off]
    )
    path = tmp_path / "my_spectrum.txt"
    np.savetxt(path, rows, fmt="%.6g")
    mine = ex.experiment("dresden_ii_2022", spectrum_file=str(path), electron_scattering=False)
    np.testing.assert_allclose(np.asarray(mine.data), 2 * release.rate_on, rtol=1e-5)
    bad = tmp_path / "bad.txt"
    np.savetxt(bad, rows[:, :4])
    with pytest.raises(cj.datasets.DataError, match="bad.txt"):
        ex.experiment("dresden_ii_2022", spectrum_file=str(bad))
