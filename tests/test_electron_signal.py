"""nu-e elastic scattering as a flux-folded signal: quadrature against scipy, flavour structure, mediators."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

from cevnsjax.constants import pdg2022
from cevnsjax.folding import build_electron_folding
from cevnsjax.parameters import ParameterSet
from cevnsjax.physics import cross_sections, nsi
from cevnsjax.physics.amplitude import SignalConfig
from cevnsjax.physics.catalogue import bsm_parameters
from cevnsjax.physics.nuclei import target
from cevnsjax.sources import sns

C = pdg2022
FLUENCE = 1e14
MASS_KG = 10.0
BASELINE = (19.3, 0.5)


@pytest.fixture(scope="module")
def setup():
    tgt = target("CsI")
    comps = sns.components(C)
    f = build_electron_folding(
        ("Cs", "I"), tgt.nuclei_per_kg(), comps, [FLUENCE] * 3, MASS_KG, (5e-5, 1e-2), C.m_e, n_panels=8, n_t=6, n_e=24
    )
    ps = ParameterSet(bsm_parameters(C, sterile=True))
    base = {**ps.defaults(), "sin2_theta_w": jnp.asarray(C.sin2_theta_w)}

    def spectra(overrides=None, mediator="universal", sterile=False):
        config = SignalConfig(C, mediator=mediator, baseline=BASELINE if sterile else None)
        return f.spectra({**base, **(overrides or {})}, config)

    return tgt, comps, f, spectra


def _direct(tgt, comp, element_index, Te, **kw):
    """dN/dT_e at one node by scipy quad over the neutrino energy, with the per-atom cross section."""
    element = ("Cs", "I")[element_index]
    atoms = tgt.nuclei_per_kg()[element_index] * MASS_KG * FLUENCE

    def xs(E):
        return float(cross_sections.dsigma_dTe(E, Te, element, comp.flavour, antineutrino=comp.antineutrino, c=C, **kw))

    if comp.line_energy is not None:
        return atoms * xs(comp.line_energy)
    emin = 0.5 * (Te + np.sqrt(Te**2 + 2 * C.m_e * Te))
    return atoms * quad(lambda E: float(comp.spectrum(E)) * xs(E), emin, comp.e_max, epsabs=0, epsrel=1e-11)[0]


@pytest.mark.parametrize(
    "overrides, kw",
    [
        ({}, {}),
        ({"r2_nu_ee": "+25", "r2_nu_mumu": "-40"}, {}),
        ({"q_nu_ee": 0.02, "q_nu_mumu": -0.03}, {}),
        ({"mu_nu_e": 30.0, "mu_nu_mu": 20.0}, {}),
    ],
)
def test_folded_spectra_match_direct_integration(setup, overrides, kw):
    """Every component (prompt line, nu_e, antineutrino) and element at several recoil nodes, to 1e-10."""
    tgt, comps, f, spectra = setup
    base_r2 = {k: float(v) for k, v in ParameterSet(bsm_parameters(C)).defaults().items() if k.startswith("r2_nu_")}
    values = {k: (base_r2[k] + float(v) if isinstance(v, str) else v) for k, v in overrides.items()}
    got = np.asarray(spectra(values))
    kw = {"params": values}
    for c, comp in enumerate(comps):
        for i in (0, 1):
            for k in (3, 20, 40):
                Te = float(f.T[i, k])
                assert got[c, i, k] == pytest.approx(_direct(tgt, comp, i, Te, **kw), rel=1e-10)


def test_sm_point_and_antineutrino_axial_sign(setup):
    _tgt, comps, _f, spectra = setup
    sm = np.asarray(spectra())
    defaults = ParameterSet(bsm_parameters(C)).defaults()
    assert np.array_equal(np.asarray(spectra(dict(defaults))), sm)
    # prompt nu_mu and delayed nubar_mu differ only by the g_A sign (and their spectra)
    assert comps[2].antineutrino and not comps[0].antineutrino
    assert np.all(sm > 0)


def test_transition_terms_even_and_quadratic(setup):
    _, _, _f, spectra = setup
    sm = spectra()
    for name, comp in (("r2_nu_emu", 1), ("q_nu_etau", 1), ("r2_nu_mutau", 0)):
        plus, minus, double = (spectra({name: v}) - sm for v in (1.0, -1.0, 2.0))
        assert np.allclose(plus, minus, rtol=1e-9, atol=0)
        assert np.allclose(double, 4 * plus, rtol=1e-9, atol=0)
        assert float(jnp.sum(plus[comp])) > 0


def test_millicharge_enhanced_at_low_recoil(setup):
    _, _, _f, spectra = setup
    ratio = np.asarray(spectra({"q_nu_ee": 0.05})[1, 0] / spectra()[1, 0])
    assert ratio[0] > 100 * ratio[-1] > 100


@pytest.mark.parametrize("model", nsi.MEDIATORS)
def test_zprime_heavy_limit_is_a_vector_coupling_shift(setup, model):
    """A heavy Z' shifts g_V by g^2 Q'_nu Q'_e/(sqrt2 G_F M^2): compare with dsigma_dTe at shifted couplings."""
    tgt, comps, f, spectra = setup
    g, m = 1e-3, 5e3
    eps = float(nsi.zprime_electron_shift(model, g, m, 1e-3, C)[1])
    expected_sign = {"universal": 1.0, "b_minus_l": 1.0, "lmu_ltau": -1.0}[model]
    assert np.sign(eps) == expected_sign
    got = np.asarray(spectra({"g_zprime": g, "m_zprime": m}, mediator=model))[0, 0, 10]
    Te = float(f.T[0, 10])
    # the line component (nu_mu): g_V -> g_V + eps is a shift of s^2_W by eps/2
    shifted = float(
        cross_sections.dsigma_dTe(comps[0].line_energy, Te, "Cs", 1, sin2_theta_w=C.sin2_theta_w + eps / 2, c=C)
    )
    assert got == pytest.approx(tgt.nuclei_per_kg()[0] * MASS_KG * FLUENCE * shifted, rel=1e-6)
    if model == "lmu_ltau":  # nu_e untouched
        assert np.allclose(spectra({"g_zprime": g, "m_zprime": m}, mediator=model)[1], spectra()[1], rtol=1e-13)


def test_sterile_average_and_sm_point(setup):
    _, _, _f, spectra = setup
    assert np.allclose(spectra(sterile=True), spectra(), rtol=1e-13, atol=0)
    u = 0.1
    fast = spectra({"ue4_sq": u, "umu4_sq": 0.0, "dm41_sq": 1e4}, sterile=True)
    assert np.allclose(fast[1], (1 - 2 * u * (1 - u)) * spectra()[1], rtol=1e-3)
    assert np.allclose(fast[0], spectra()[0], rtol=1e-12)


def test_gradients_finite(setup):
    _, _, _f, spectra = setup
    names = ("sin2_theta_w", "r2_nu_ee", "r2_nu_emu", "q_nu_ee", "q_nu_mutau", "mu_nu_e", "g_zprime", "m_zprime")
    p0 = {n: jnp.asarray(v) for n, v in ParameterSet(bsm_parameters(C)).defaults().items() if n in names}
    p0["sin2_theta_w"] = jnp.asarray(C.sin2_theta_w)
    grad = jax.grad(lambda p: jnp.sum(spectra(p)))(p0)
    hess = jax.hessian(lambda p: jnp.sum(spectra(p)))(p0)
    assert all(np.isfinite(float(v)) for v in grad.values())
    assert all(np.isfinite(float(v)) for row in hess.values() for v in row.values())
    assert float(grad["sin2_theta_w"]) != 0.0


def test_build_errors():
    with pytest.raises(ValueError, match="electron recoil range"):
        build_electron_folding(("Cs",), (1e24,), sns.components(C), [1.0] * 3, 1.0, (0.0, 1e-2), C.m_e)
