"""Generic flux folding: quadrature convergence, an independent scipy integration, jit/vmap."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

from cevnsjax.constants import pdg2018
from cevnsjax.detectors.resolution import gamma_pdf, gaussian_pdf
from cevnsjax.detectors.response import bin_response
from cevnsjax.folding import build_folding
from cevnsjax.physics import cross_sections as xs
from cevnsjax.physics.amplitude import SignalConfig
from cevnsjax.physics.nuclei import single_isotope, target
from cevnsjax.sources import sns

SM18 = SignalConfig(pdg2018, "helm", zz_boxes=False)

EDGES = np.arange(0.0, 130.0, 10.0)  # keVee


def _eff(x):
    return 1.0 / (1.0 + np.exp(-(x - 20.0) / 3.0))


def _counts(tgt, n_panels=24, n_t=8, n_e=24, n_sub=8, rn=3.55):
    comps = sns.components(pdg2018)
    flu = sns.fluence(0.09, 13.7e22, 27.5)
    f = build_folding(tgt, comps, [flu] * 3, 24.0, (1e-4, 0.2), n_panels=n_panels, n_t=n_t, n_e=n_e)
    T = np.asarray(f.T) * 1e3
    Eee = (0.246 + 0.00078 * np.minimum(T, 125.0)) * T
    R = np.stack(
        [bin_response(EDGES, gaussian_pdf(Eee[i], 0.58 * np.sqrt(Eee[i])), _eff, n_sub=n_sub) for i in range(len(T))], 1
    )
    R = jnp.asarray(R * np.asarray(f.wT)[None])
    rp = jnp.asarray([i.proton_radius for i in tgt.isotopes])

    def counts(rn):
        return f.counts(R, f.cevns_spectra({}, jnp.full(len(tgt.isotopes), rn), rp, SM18))

    return f, counts


@pytest.mark.parametrize("name", ["40Ar", "Ar"])
def test_quadrature_convergence(name):
    """Doubling every grid changes no bin by more than 1e-4 relative (bins with > 1e-3 events)."""
    tgt = target(name)
    _, c1 = _counts(tgt)
    _, c2 = _counts(tgt, n_panels=48, n_t=8, n_e=48, n_sub=16)
    a, b = np.asarray(c1(3.55)).sum(0), np.asarray(c2(3.55)).sum(0)
    keep = b > 1e-3
    assert keep.sum() >= 5
    assert np.max(np.abs(a[keep] / b[keep] - 1)) < 1e-4


def test_against_independent_scipy_integration():
    """Total events above threshold in T_nr, folded with scipy.quad: no detector response."""
    tgt = single_isotope("40Ar")
    ar = tgt.isotopes[0]
    comps = sns.components(pdg2018)
    flu = sns.fluence(0.09, 13.7e22, 27.5)
    f = build_folding(tgt, comps, [flu] * 3, 24.0, (0.02, 0.2))
    n_nuc = tgt.nuclei_per_kg()[0] * 24.0
    kw = dict(rn=3.55, c=pdg2018, zz_boxes=False)

    # the library's scalar functions, each jitted once (scipy does the integration)
    e_min = jax.jit(lambda T: xs.e_min(T, ar.mass, exact=False))
    prompt_xs = jax.jit(lambda T: xs.dsigma_dT(sns.prompt_energy(pdg2018), T, ar, "nu_mu", **kw))
    weighted = {
        nu: jax.jit(lambda E, T, nu=nu, spec=spec: spec(E, pdg2018) * xs.dsigma_dT(E, T, ar, nu, **kw))
        for nu, spec in (("nu_e", sns.nu_e_spectrum), ("nubar_mu", sns.nubar_mu_spectrum))
    }

    def rate(T):  # events per MeV
        emin = float(e_min(T))
        prompt = float(prompt_xs(T))
        cont = 0.0
        if emin < sns.endpoint(pdg2018):
            for w in weighted.values():
                cont += quad(lambda E, w=w: float(w(E, T)), emin, sns.endpoint(pdg2018), epsrel=1e-10)[0]
        return flu * n_nuc * (prompt + cont)

    tline = float(xs.t_max(sns.prompt_energy(pdg2018), ar.mass, exact=False))
    ttop = float(xs.t_max(sns.endpoint(pdg2018), ar.mass, exact=False))
    ref = quad(rate, 0.02, tline, epsrel=1e-9)[0] + quad(rate, tline, ttop, epsrel=1e-9)[0]
    dndt = f.cevns_spectra({}, jnp.asarray([3.55]), jnp.asarray([ar.proton_radius]), SM18)
    ours = float(jnp.sum(dndt * f.wT[None]))
    assert ours == pytest.approx(ref, rel=1e-6)


def test_counts_jit_vmap_grad():
    _, counts = _counts(target("40Ar"), n_panels=8, n_e=12)
    total = lambda rn: counts(rn).sum()  # noqa: E731
    rns = jnp.linspace(3.45, 5.0, 4)
    batched = jax.vmap(total)(rns)
    jitted = jax.jit(total)
    for i in range(4):
        assert float(batched[i]) == pytest.approx(float(total(rns[i])), rel=1e-12)
        assert float(jitted(rns[i])) == pytest.approx(float(total(rns[i])), rel=1e-12)
    g = jax.grad(total)(3.55)
    fd = (total(3.55 + 1e-5) - total(3.55 - 1e-5)) / 2e-5
    assert float(g) < 0 and float(g) == pytest.approx(float(fd), rel=1e-6)


def test_gamma_kernel_normalised_and_mean():
    a = np.array([0.2, 0.05])
    b = np.array([3.0, 10.0])
    edges = np.linspace(0.0, 400.0, 801)
    R = bin_response(edges, gamma_pdf(a, b), n_sub=2)
    np.testing.assert_allclose(R.sum(0), 1.0, rtol=1e-8)
    centres = 0.5 * (edges[1:] + edges[:-1])
    np.testing.assert_allclose((R * centres[:, None]).sum(0), 1 / a, rtol=1e-3)


@pytest.mark.parametrize("bsm", ["sm", "sterile", "magnetic"])
def test_merging_components_by_flavour_keeps_the_spectrum(bsm):
    """Three SNS components -> two flavours: the summed spectrum agrees, also with oscillated flux."""
    comps = sns.components(pdg2018)
    f = build_folding(single_isotope("40Ar", 39.96), comps, [1e14] * 3, 24.0, (1e-4, 0.2), n_panels=6, n_e=12)
    merged = f.merged_by_flavour()
    assert merged.components == ("prompt_nu_mu+delayed_nubar_mu", "delayed_nu_e")
    assert merged.timing == ("prompt+delayed", "delayed") and merged.E.shape[-1] == 24
    params = {"sin2_theta_w": 0.2387}
    config = SignalConfig(pdg2018, "helm", zz_boxes=False, baseline=(20.0, 0.5) if bsm == "sterile" else None)
    if bsm == "sterile":
        params.update(ue4_sq=0.02, umu4_sq=0.05, dm41_sq=3.0)
    if bsm == "magnetic":
        params.update(mu_nu_e=300.0, mu_nu_mu=100.0)  # units of 1e-10 mu_B

    def total(folding):
        spectra = folding.cevns_spectra(params, jnp.asarray([3.4]), jnp.asarray([3.4]), config)
        return np.asarray(spectra.sum(axis=0))

    np.testing.assert_allclose(total(merged), total(f), rtol=1e-13)
    sm = f.cevns_spectra({"sin2_theta_w": 0.2387}, jnp.asarray([3.4]), jnp.asarray([3.4]), SM18).sum()
    assert bsm == "sm" or abs(float(total(f).sum() / sm) - 1) > 1e-3  # the beyond-SM term is really there
