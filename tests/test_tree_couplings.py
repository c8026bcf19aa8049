"""Tree-level couplings (``couplings="tree"``): the coupling values, the rate of a built experiment
(Q_W^2 scaling), the equivalence with compensating vector NSI, APV at tree level (docs/physics.md section 17)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax.constants import pdg2018, pdg2022
from cevnsjax.folding import build_folding
from cevnsjax.parameters import ParameterError, ParameterSet
from cevnsjax.physics import amplitude as amp
from cevnsjax.physics import couplings as cp
from cevnsjax.physics import cross_sections as xs
from cevnsjax.physics.catalogue import bsm_parameters
from cevnsjax.physics.nuclei import isotope, target
from cevnsjax.sources import sns


def test_tree_coupling_values():
    """g_V^p = 1/2 - 2 x 0.2312 = 0.0376 and g_V^n = -1/2 for every flavour, SM charge radii included in the point."""
    c = cp.tree_constants(pdg2022)
    assert c.sin2_theta_w == 0.2312 and c.G_F == pdg2022.G_F
    config = amp.SignalConfig(c, couplings="tree")
    pt = amp.physics_point(ParameterSet(bsm_parameters(c)).defaults(), c)  # r2_nu_ee, r2_nu_mumu at their SM values
    gp, gn = amp.nuclear_couplings(pt, jnp.arange(3), jnp.asarray(0.01), 37000.0, config)
    np.testing.assert_allclose(np.diagonal(np.asarray(gp)), 0.0376, rtol=1e-12)
    np.testing.assert_allclose(np.diagonal(np.asarray(gn)), -0.5, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(gp) - np.diag(np.diagonal(np.asarray(gp))), 0.0, atol=1e-15)
    # a charge radius moves g_V^p by -Q~ (<r^2> - <r^2>_SM), as for the radiative couplings
    shifted = amp.physics_point({"r2_nu_ee": jnp.asarray(pt.r2[0, 0] + 10.0)}, c)
    gp2, _ = amp.nuclear_couplings(shifted, jnp.arange(1), jnp.asarray(0.01), 37000.0, config)
    q = cp.radius_to_coupling(c) * 10.0e-32
    assert float(gp2[0, 0]) == pytest.approx(0.0376 - q, rel=1e-10)
    with pytest.raises(ValueError, match="couplings='loop' is not valid; choices: radiative, tree"):
        amp.SignalConfig(c, couplings="loop")


def test_cross_section_ratio_is_the_weak_charge_ratio():
    """Point nucleus: dsigma_tree/dsigma_radiative = (Z g_tree^p - N/2)^2/(Z g_V^p(nu_l) + N g_V^n)^2 (spec values)."""
    cs = isotope("133Cs")
    kw = dict(rn=5.01, form_factor_name="unity", c=pdg2018, zz_boxes=False)
    for neutrino, gp_rad in (
        ("nu_e", cp.gvp(pdg2018, zz_boxes=False)[0]),
        ("nu_mu", cp.gvp(pdg2018, zz_boxes=False)[1]),
    ):
        ratio = float(xs.dsigma_dT(30.0, 0.005, cs, neutrino, couplings="tree", **kw)) / float(
            xs.dsigma_dT(30.0, 0.005, cs, neutrino, **kw)
        )
        qt = cs.Z * (0.5 - 2 * 0.2312) - cs.N / 2
        qr = cs.Z * float(gp_rad) + cs.N * float(cp.gvn(pdg2018, zz_boxes=False))
        assert ratio == pytest.approx(qt**2 / qr**2, rel=1e-12)


def test_tree_equals_radiative_with_compensating_nsi():
    """Folded spectra: tree couplings == radiative couplings plus the vector NSI (flavour-diagonal) that
    shift g_V^p(nu_l) and g_V^n onto their tree values (Eq. (46) inverted), form factors included."""
    c = pdg2022
    tgt = target("CsI")
    f = build_folding(tgt, sns.components(c), [1e14] * 3, 10.0, (1e-4, 0.1), n_panels=4, n_t=6, n_e=12)
    rp = jnp.asarray([i.proton_radius for i in tgt.isotopes])
    rn = rp + 0.3
    tc = cp.tree_constants(c)
    base = {**ParameterSet(bsm_parameters(c)).defaults(), "sin2_theta_w": jnp.asarray(0.2312)}
    tree = f.cevns_spectra(base, rn, rp, amp.SignalConfig(tc, couplings="tree"))
    dp = (0.5 - 2 * 0.2312) - np.asarray(cp.gvp(c, sin2_theta_w=0.2312))  # per flavour
    dn = -0.5 - float(cp.gvn(c))
    comp = dict(base)
    for i, fl in enumerate(("ee", "mumu")):
        comp[f"eps_u_{fl}"] = jnp.asarray((2 * dp[i] - dn) / 3)
        comp[f"eps_d_{fl}"] = jnp.asarray((2 * dn - dp[i]) / 3)
    rad = f.cevns_spectra(comp, rn, rp, amp.SignalConfig(c))
    np.testing.assert_allclose(np.asarray(tree), np.asarray(rad), rtol=1e-11)


@pytest.fixture(scope="module")
def argon_tree():
    return cj.experiment("coherent_ar_2020", couplings="tree", form_factor="unity")


def test_experiment_rate_scales_as_the_tree_weak_charge(argon_tree):
    """Ar 2020 built with couplings=tree: default sin2_theta_w 0.2312 and a CEvNS total proportional to
    (Z(1/2 - 2 s^2) - N/2)^2 (every flavour has the same tree charge; unity form factor)."""
    m = argon_tree
    assert m.parameters["sin2_theta_w"].default == 0.2312 and m.signal.couplings == "tree"
    cevns = jax.jit(lambda s2: m.components({**m.parameters.defaults(), "sin2_theta_w": s2})["cevns"])
    a, b = 0.2312, 0.30
    ar = isotope("40Ar")
    qw = lambda s2: ar.Z * (0.5 - 2 * s2) - ar.N / 2  # noqa: E731
    assert float(cevns(b) / cevns(a)) == pytest.approx(qw(b) ** 2 / qw(a) ** 2, rel=1e-10)
    assert math.isfinite(float(jax.grad(cevns)(a)))


def test_combination_and_apv(argon_tree):
    """A tree-level member cannot silently join radiatively corrected ones; APV's tree weak charge."""
    apv = cj.experiment("apv_cs", couplings="tree")
    assert apv.parameters["sin2_theta_w"].default == 0.2312
    cs = isotope("133Cs")
    qw = float(apv.components(apv.parameters.defaults())["weak_charge"])
    assert qw == pytest.approx(cs.Z * (1 - 4 * 0.2312) - cs.N, rel=1e-12)
    with pytest.raises(ParameterError, match="tree-level"):
        cj.combine(argon_tree, cj.experiment("apv_cs", preset="pdg2018"))
    assert cj.combine(argon_tree, cj.experiment("apv_cs", preset="pdg2018", couplings="tree")).electroweak == (
        "pdg2018+tree"
    )
