"""Germanium projection at the SNS: Asimov likelihood, Lindhard quenching, response, convergence,
an independent scipy integration, nu-e scattering, gradients and errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

import cevnsjax.experiments as ex
from cevnsjax.constants import pdg2022
from cevnsjax.detectors import quenching
from cevnsjax.experiments import sns_ge_projection as ge
from cevnsjax.physics import cross_sections as xs
from cevnsjax.physics.nuclei import target
from cevnsjax.sources import sns


@pytest.fixture(scope="module")
def model():
    return ex.experiment("sns_ge_projection")


def _jit(m, method):
    return jax.jit(lambda p: getattr(m, method)(p))


def test_asimov_minimum_and_gradients(model):
    p = model.parameters.defaults()
    assert float(_jit(model, "chi2")(p)) == pytest.approx(0.0, abs=1e-9)
    grad = jax.jit(jax.grad(lambda q: model.chi2(q)))(p)
    assert all(abs(float(v)) < 1e-6 for v in grad.values())  # the Asimov point is the minimum
    assert set(model.parameters.defaults()) >= {"rn_ge", "eta_flux", "qf_k", "eta_bkg", "mu_nu_e", "q_nu_ee"}
    shifted = model.parameters.complete({"sin2_theta_w": 0.25, "rn_ge": 4.6, "mu_nu_e": 20.0, "qf_k": 0.17})
    g = jax.jit(jax.grad(lambda q: model.chi2(q)))(shifted)
    assert all(np.isfinite(float(v)) for v in g.values())
    assert float(g["rn_ge"]) != 0 and float(g["qf_k"]) != 0


def test_lindhard():
    """Lindhard quenching of germanium (k = 0.157): ~0.17 at 1 keVnr, ~0.23 at 10 keVnr, ~0.30 at 50 keVnr."""
    T = np.array([1.0, 5.0, 10.0, 50.0])
    eps = 11.5 * 32 ** (-7 / 3) * T
    g = 3 * eps**0.15 + 0.7 * eps**0.6 + eps
    assert np.allclose(
        np.asarray(quenching.lindhard(jnp.asarray(T), 32.0, 0.157)), 0.157 * g / (1 + 0.157 * g), rtol=1e-14
    )
    qf = np.asarray(quenching.lindhard(jnp.asarray(T), 32.0, 0.157))
    assert 0.16 < qf[0] < 0.18 and 0.225 < qf[2] < 0.245 and 0.29 < qf[3] < 0.31 and np.all(np.diff(qf) > 0)


def test_gaussian_bins_sum_to_one_inside():
    edges = jnp.linspace(0.0, 20.0, 41)
    p = ge._bins(edges, jnp.asarray([5.0, 10.0]), 0.08)
    assert np.allclose(np.asarray(p.sum(axis=0)), 1.0, atol=1e-12)


def test_quadrature_convergence(model):
    fine = ex.experiment("sns_ge_projection", refine=2)
    for values in ({}, {"mu_nu_e": 10.0, "qf_k": 0.17}, {"q_nu_ee": 0.01, "rn_ge": 4.6}):
        p = model.parameters.complete(values)
        a, b = (_jit(m, "expected")(p) for m in (model, fine))
        for k in ("cevns", "es"):
            assert np.max(np.abs(np.asarray(a[k]) / np.asarray(b[k]) - 1)) < 1e-4, (k, values)


def test_total_against_scipy():
    """CEvNS events in 1-15 keVee with a negligible resolution = scipy integration over T_nr between the
    Lindhard-inverted edges and over E (Helm, common skin), to 1e-4."""
    m = ex.experiment("sns_ge_projection", sigma0_kevee=0.002, bin_kevee=14.0, electron_scattering=False)
    p = m.parameters.defaults()
    got = float(_jit(m, "components")(p)["cevns"])
    tgt = target("Ge")
    flu = sns.fluence(0.0848, 3.2e23, 22.0)
    nuclei = np.asarray(tgt.nuclei_per_kg()) * 18.0
    skin = float(p["rn_ge"]) - next(i for i in tgt.isotopes if i.name == "74Ge").proton_radius
    comps = sns.components(pdg2022)
    names = {"prompt_nu_mu": "nu_mu", "delayed_nu_e": "nu_e", "delayed_nubar_mu": "nubar_mu"}

    def e_ee(T_kev):
        return T_kev * float(quenching.lindhard(T_kev, 32.0, 0.157))

    lo, hi = (brentq(lambda t, e=e: e_ee(t) - e, 0.1, 200.0) * 1e-3 for e in (1.0, 15.0))
    total = 0.0
    for iso, n in zip(tgt.isotopes, nuclei, strict=True):
        kw = dict(rn=iso.proton_radius + skin, rp=iso.proton_radius, c=pdg2022)
        e_min = jax.jit(lambda T, iso=iso: xs.e_min(T, iso.mass, exact=False))
        for comp in comps:
            nu = names[comp.name]
            # jitted scalar integrands (the same library functions, compiled once: scipy does the integration)
            dsigma = jax.jit(lambda E, T, iso=iso, nu=nu, kw=kw: xs.dsigma_dT(E, T, iso, nu, **kw))
            weighted = jax.jit(lambda E, T, comp=comp, d=dsigma: comp.spectrum(E) * d(E, T))

            def rate(T, comp=comp, dsigma=dsigma, weighted=weighted):
                if comp.line_energy is not None:
                    return float(dsigma(comp.line_energy, T))
                return quad(lambda E: float(weighted(E, T)), float(e_min(T)), comp.e_max, epsrel=1e-10)[0]

            top = min(hi, float(xs.t_max(comp.e_max, iso.mass, exact=False)))
            total += n * flu * quad(rate, lo, top, epsrel=1e-8, limit=200)[0]
    assert got == pytest.approx(total, rel=1e-4)


def test_electron_scattering_and_options(model):
    p = model.parameters.defaults()
    comps = _jit(model, "components")
    assert 0 < float(comps(p)["es"]) < 1e-2
    mu = float(comps(model.parameters.complete({"mu_nu_e": 10.0}))["es"])
    assert float(comps(model.parameters.complete({"mu_nu_e": 20.0}))["es"]) == pytest.approx(4 * mu, rel=1e-3)
    assert float(comps(model.parameters.complete({"mu_nu_e": 10.0, "qf_k": 0.2}))["es"]) == pytest.approx(mu)
    off = ex.experiment("sns_ge_projection", electron_scattering=False, background=20.0)
    c = _jit(off, "components")(off.parameters.defaults())
    assert "es" not in c and float(c["bkg"]) == pytest.approx(20.0 * 14.0)
    assert off.n_bins == 28


@pytest.mark.parametrize(
    "opts, match",
    [
        ({"mass_kg": 0.0}, "mass_kg"),
        ({"threshold_kevee": 15.0}, "threshold_kevee"),
        ({"background": -1.0}, "background"),
        ({"refine": 0}, "refine"),
        ({"sigma0_kevee": "wide"}, "sigma0_kevee"),
    ],
)
def test_bad_options(opts, match):
    with pytest.raises(ValueError, match=match):
        ex.experiment("sns_ge_projection", **opts)


def test_plot(model, tmp_path):
    out = tmp_path / "ge.png"
    model.plot(model.parameters.complete({"mu_nu_e": 30.0}), str(out))
    assert out.read_bytes()[:4] == b"\x89PNG"
