"""COHERENT CsI[Na] 2017: parameters, bad input, release numbers, SM prediction, quadrature
convergence, gradients, jit, figure and fits with the three likelihoods.

COHERENT (arXiv:1708.01294): 134 +- 22 fitted CEvNS events, SM prediction 173 +- 48.
Literature single bin (arXiv:1708.04255): N_meas = 142, B_ss = 405, B_on = 6.

Measured here: SM 181.3 events in all bins (157.7 in 6 <= PE < 30, t < 6 us) at the default
R_n = 5.01/4.94 fm, 152.8 at a common 5.5 fm; ``quenching=csi2021`` 172.2; Poisson fit (eta_flux,
eta_qf, eta_eff fixed) 153 +- 24 events; energy chi^2 fit 144 +- 25; single-bin fit 143.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cevnsjax.experiments as ex
from cevnsjax.constants import pdg2022
from cevnsjax.experiments import coherent_csi_2017 as csi
from cevnsjax.inference import fit
from cevnsjax.physics.catalogue import bsm_parameters

BSM = {p.name for p in bsm_parameters(pdg2022, sterile=True)}


@pytest.fixture(scope="module")
def model():
    return ex.experiment("coherent_csi_2017")


_CACHE = {}


def _jitted(m, method):
    """jit-compiled model method (eager evaluation compiles every primitive separately)."""
    key = (id(m), method)
    if key not in _CACHE:
        _CACHE[key] = (m, jax.jit(lambda p: getattr(m, method)(p)))
    return _CACHE[key][1]


def _best(m, result):
    return {**m.parameters.defaults(), **{k: jnp.asarray(v) for k, v in result.values.items()}}


def test_parameters(model):
    ps = model.parameters
    assert [n for n in ps.names if n not in BSM] == [
        "sin2_theta_w",
        "rn_csi",
        "eta_flux",
        "eta_qf",
        "eta_eff",
        "eta_ss",
        "mu_cevns",
    ]
    assert ps.default_free() == ["eta_flux", "eta_qf", "eta_eff", "eta_ss"]
    assert ps["eta_qf"].constraint == pytest.approx((1.0, 1.66 / 8.78))
    assert ps["eta_eff"].constraint == (1.0, 0.05)
    assert ps["eta_ss"].constraint == pytest.approx((1.0, 1032**-0.5))
    assert model.n_bins == 600
    # eta_flux is declared exactly like the 2021 dataset's, so a combination shares it
    assert ps["eta_flux"] == ex.experiment("coherent_csi_2021").parameters["eta_flux"]
    single = ex.experiment("coherent_csi_2017", likelihood="single_bin", quenching="csi2021")
    assert [n for n in single.parameters.names if n not in BSM] == ["sin2_theta_w", "rn_csi", "eta_cevns", "eta_brn"]
    assert single.parameters["eta_cevns"].constraint == (1.0, 0.28) and single.n_bins == 1
    energy = ex.experiment("coherent_csi_2017", likelihood="energy_chi2", separate_radii=True)
    assert [n for n in energy.parameters.names if n not in BSM] == ["sin2_theta_w", "rn_cs133", "rn_i127", "eta_cevns"]
    assert energy.n_bins == 12
    assert ex.experiment("coherent_csi_2017", quenching="csi2021").parameters["eta_qf"].constraint == (1.0, 0.042)


def test_combination_shares_flux_and_radius(model):
    from cevnsjax.likelihood.combine import combine

    names = combine(ex.experiment("coherent_csi_2021"), model).parameters.names
    assert {"sin2_theta_w", "rn_csi", "eta_flux"} <= set(names)
    assert {"coherent_csi_2021.eta_ss", "coherent_csi_2017.eta_ss"} <= set(names)


def test_bad_input():
    with pytest.raises(ValueError, match="choices: poisson, single_bin, energy_chi2"):
        ex.experiment("coherent_csi_2017", likelihood="chi2")
    with pytest.raises(ValueError, match="choices: constant, csi2021"):
        ex.experiment("coherent_csi_2017", quenching="birks")
    with pytest.raises(ValueError, match="valid options: likelihood, quenching, form_factor"):
        ex.experiment("coherent_csi_2017", binning="fine")
    with pytest.raises(ValueError, match="expected true or false"):
        ex.experiment("coherent_csi_2017", separate_radii="maybe")


def test_acceptance():
    n = np.arange(8)
    full = 0.6655 / (1 + np.exp(-0.4942 * (n - 10.8507)))
    np.testing.assert_allclose(csi.acceptance(n), np.where(n >= 6, full, np.where(n == 5, full / 2, 0.0)))


def test_release_numbers_and_literature_chi2():
    single = ex.experiment("coherent_csi_2017", likelihood="single_bin")
    assert float(single.likelihood.measured) == 142 and float(single.b_ss) == 405  # arXiv:1708.04255
    p = single.parameters.defaults()
    comps = _jitted(single, "components")(p)
    n_th, n_es = float(comps["cevns"]), float(comps["es"])
    assert n_th == pytest.approx(157.75, abs=0.05)
    assert 0 < n_es < 1e-4  # SM nu-e scattering in the region: negligible
    chi2 = (142 - n_th - n_es - 6) ** 2 / (142 + 2 * 405 + 6)
    assert float(_jitted(single, "chi2")(p)) == pytest.approx(chi2, rel=1e-9)
    energy = ex.experiment("coherent_csi_2017", likelihood="energy_chi2")
    assert float(jnp.sum(energy.data)) == 142
    assert float(jnp.sum(energy.likelihood.sigma2)) == 142 + 2 * 405
    assert float(_jitted(energy, "components")(energy.parameters.defaults())["cevns"]) == pytest.approx(n_th, rel=1e-12)


def test_sm_prediction(model):
    p = model.parameters.defaults()
    comps = {k: float(v) for k, v in _jitted(model, "components")(p).items()}
    assert comps["cevns"] == pytest.approx(181.3, abs=0.1)  # default radii 5.01 / 4.94 fm (arXiv:2005.01645)
    assert comps["cevns"] == pytest.approx(173, abs=48)  # COHERENT SM prediction 173 +- 48
    assert comps["ss"] == pytest.approx(1032.0, rel=1e-12)  # beam-on AC total
    sep = ex.experiment("coherent_csi_2017", separate_radii=True)
    assert float(_jitted(sep, "components")(sep.parameters.defaults())["cevns"]) == pytest.approx(
        comps["cevns"], rel=1e-12
    )
    common = float(_jitted(sep, "components")(sep.parameters.complete({"rn_cs133": 5.5, "rn_i127": 5.5}))["cevns"])
    assert common == pytest.approx(152.8, abs=0.1)
    q21 = ex.experiment("coherent_csi_2017", quenching="csi2021")
    assert float(_jitted(q21, "components")(q21.parameters.defaults())["cevns"]) == pytest.approx(172.2, abs=0.1)


def test_quadrature_convergence(model):
    fine = ex.experiment("coherent_csi_2017", refine=2)
    for values in ({}, {"eta_qf": 1.3, "rn_csi": 6.0}):
        p = model.parameters.complete(values)
        a = np.asarray(_jitted(model, "cevns_2d")(p))
        b = np.asarray(_jitted(fine, "cevns_2d")(p))
        keep = b > 1e-6
        assert keep.sum() > 400
        assert np.max(np.abs(a[keep] / b[keep] - 1)) < 1e-4


def test_gradients_finite(model):
    grad = jax.jit(jax.grad(lambda p: model.chi2(p)))
    ps = model.parameters
    points = [ps.defaults()]
    for name in ps:
        lo, hi = ps[name].lower, ps[name].upper
        points += [ps.complete({name: lo + 1e-6 * (hi - lo)}), ps.complete({name: hi - 1e-6 * (hi - lo)})]
    for p in points:
        assert all(np.isfinite(float(v)) for v in grad(p).values()), p
    g = grad(ps.defaults())
    # beyond-SM parameters enter quadratically (or not at all) at the SM point: zero gradient there
    assert all(float(g[n]) != 0.0 for n in ps if n not in BSM)


def test_jit_equals_eager(model):
    p = model.parameters.complete({"eta_qf": 1.2, "rn_csi": 5.2, "eta_ss": 0.98})
    eager = float(model.chi2(p))
    assert float(_jitted(model, "chi2")(p)) == pytest.approx(eager, rel=1e-12)
    batch = {k: jnp.stack([v, v]) for k, v in p.items()}
    assert np.asarray(jax.jit(jax.vmap(model.chi2))(batch)) == pytest.approx([eager, eager], rel=1e-12)


def test_plot(model, tmp_path):
    out = tmp_path / "csi2017.png"
    model.plot(model.parameters.defaults(), str(out))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_single_bin_and_energy():
    """The literature chi^2 fits: the single bin returns 143 (N_meas - B_on = 136 pulled towards the
    SM 157.7 by the 28% prior), the energy chi^2 144 +- 25."""
    single = ex.experiment("coherent_csi_2017", likelihood="single_bin")
    r = fit(single)
    assert r.converged
    assert float(_jitted(single, "components")(_best(single, r))["cevns"]) == pytest.approx(143.2, abs=0.3)
    energy = ex.experiment("coherent_csi_2017", likelihood="energy_chi2")
    r = fit(energy)
    count = float(_jitted(energy, "components")(_best(energy, r))["cevns"])
    assert r.converged and r.ndof == 12
    assert count == pytest.approx(134, abs=22)  # COHERENT 134 +- 22
    assert count == pytest.approx(143.8, abs=0.3)
    assert r.errors["eta_cevns"] * 157.75 == pytest.approx(24.6, abs=0.5)


def test_fit_poisson(model):
    r = fit(model, free=["mu_cevns"], fixed={"eta_flux": 1.0, "eta_qf": 1.0, "eta_eff": 1.0})
    assert r.converged
    count = float(_jitted(model, "components")(_best(model, r))["cevns"])
    assert count == pytest.approx(134, abs=22)  # COHERENT 134 +- 22
    assert count == pytest.approx(153.4, abs=0.5)
    assert r.errors["mu_cevns"] * 181.29 == pytest.approx(23.8, abs=1)


def test_electron_scattering_component():
    """nu-e scattering: negligible at the SM point, unquenched (eta_qf does not move it), quadratic in mu_nu."""
    m = ex.experiment("coherent_csi_2017")
    off = ex.experiment("coherent_csi_2017", electron_scattering=False)
    comps = _jitted(m, "components")
    p = m.parameters.defaults()
    assert "es" not in _jitted(off, "components")(p)
    assert float(comps(p)["es"]) < 1e-4
    assert float(_jitted(m, "chi2")(p)) == pytest.approx(float(_jitted(off, "chi2")(p)), abs=1e-3)
    one, two = (float(comps(m.parameters.complete({"mu_nu_e": v}))["es"]) for v in (10.0, 20.0))
    assert two == pytest.approx(4 * one, rel=1e-3) and one > 0.1
    assert float(comps(m.parameters.complete({"mu_nu_e": 10.0, "eta_qf": 1.3}))["es"]) == pytest.approx(one, rel=1e-12)
    assert float(comps(m.parameters.complete({"mu_nu_e": 10.0, "eta_eff": 1.1}))["es"]) == pytest.approx(1.1 * one)
