"""combine(): chi^2 adds, physics parameters and commonly tagged nuisances shared, other clashes renamed."""

import jax.numpy as jnp
import pytest

from cevnsjax.inference import fit
from cevnsjax.likelihood import CombinedModel, combine
from cevnsjax.model import FunctionModel, Model
from cevnsjax.parameters import Parameter, ParameterError, ParameterSet

FLUX = Parameter("eta_flux", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True, tags=("sns_flux",))


def experiment(name, target, n_bins, own=(), flux=FLUX):
    ps = ParameterSet(
        [
            Parameter("s", 0.0, unit="fm", kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.2), free=True),
            flux,
            *own,
        ]
    )

    def chi2(p):
        return ((p["s"] * p["eta"] * p["eta_flux"] - target) / 0.5) ** 2 + ps.constraint_chi2(p)

    return FunctionModel(
        chi2, ps, name=name, n_bins=n_bins, components=lambda p: {"cevns": 10 * p["s"] * p["eta"] * p["eta_flux"]}
    )


@pytest.fixture(scope="module")
def pair():
    a = experiment("a", 1.0, 3, own=[Parameter("bkg_a", 0.0, free=True, constraint=(0.0, 1.0))])
    b = experiment("b", 2.0, 4)
    return a, b, combine(a, b)


def test_parameters_shared_and_renamed(pair):
    _a, _b, c = pair
    assert isinstance(c, CombinedModel) and isinstance(c, Model)
    assert c.parameters.names == ["s", "a.eta", "eta_flux", "bkg_a", "b.eta"]
    assert c.parameters["a.eta"].constraint == (1.0, 0.2) and c.parameters["s"].unit == "fm"
    assert c.parameters.default_free() == ["a.eta", "eta_flux", "bkg_a", "b.eta"]
    assert c.n_bins == 7 and c.name == "a+b"


def test_chi2_is_the_sum_with_shared_constraint_once(pair):
    a, b, c = pair
    p = {"s": 1.3, "a.eta": 0.9, "b.eta": 1.2, "eta_flux": 1.05, "bkg_a": 0.2}
    pa = {"s": 1.3, "eta": 0.9, "eta_flux": 1.05, "bkg_a": 0.2}
    pb = {"s": 1.3, "eta": 1.2, "eta_flux": 1.05}
    flux_term = (0.05 / 0.1) ** 2
    expected = a.chi2(pa) + b.chi2(pb) - flux_term
    assert float(c.chi2({k: jnp.asarray(v) for k, v in p.items()})) == pytest.approx(float(expected))
    comps = c.components(p)
    assert set(comps) == {"a.cevns", "b.cevns"}
    assert float(comps["b.cevns"]) == pytest.approx(10 * 1.3 * 1.2 * 1.05)


def test_fit_of_combination_with_renamed_fixed(pair):
    _, _, c = pair
    r = fit(c, free=["s"], fixed={"a.eta": 1.0, "b.eta": 1.0, "eta_flux": 1.0})
    # s * 1 = 1 +- 0.5 and s = 2 +- 0.5 average to 1.5 +- 0.5/sqrt(2).
    assert r.values["s"] == pytest.approx(1.5, abs=1e-6)
    assert r.errors["s"] == pytest.approx(0.5 / 2**0.5, rel=1e-6)
    assert r.ndof == 7 + 1 - 2  # bkg_a is constrained: a pseudo-measurement
    with pytest.raises(
        ParameterError, match=r"unknown parameter 'eta' \(did you mean 'b.eta' or 'a.eta'\?\); valid names: s, a.eta"
    ):
        fit(c, fixed={"eta": 1.0})


def test_shared_list_and_independent_flux():
    a, b = experiment("a", 1.0, 3), experiment("b", 2.0, 4)
    shared_eta = combine(a, b, shared=("eta",))
    assert shared_eta.parameters.names == ["s", "eta", "eta_flux"]
    untagged = FLUX.replace(tags=())
    separate = combine(experiment("a", 1.0, 3, flux=untagged), experiment("b", 2.0, 4, flux=untagged))
    assert separate.parameters.names == ["s", "a.eta", "a.eta_flux", "b.eta", "b.eta_flux"]
    assert separate.parameters["b.eta_flux"].label == "b.eta_flux"
    # a tag only one model carries shares nothing
    assert "a.eta_flux" in combine(a, experiment("b", 2.0, 4, flux=untagged)).parameters


def test_untagged_fixed_nuisances_are_not_shared():
    """Two fixed, unconstrained nuisances of one name (e.g. signal strengths) stay apart."""
    strength = Parameter("mu", 1.0, lower=0.0)
    a = experiment("a", 1.0, 3, own=[strength])
    b = experiment("b", 2.0, 4, own=[strength])
    names = combine(a, b).parameters.names
    assert "a.mu" in names and "b.mu" in names and "mu" not in names


def test_conflicts_refused():
    a = experiment("a", 1.0, 3)
    with pytest.raises(ParameterError, match="distinct names"):
        combine(a, experiment("a", 2.0, 3))
    physics = dict(kind="physics")
    other = FunctionModel(lambda p: p["s"] ** 2, ParameterSet([Parameter("s", 0.5, unit="m", **physics)]), name="other")
    with pytest.raises(ParameterError, match="shared parameter 's' has unit 'fm' in a but 'm' in other"):
        combine(a, other)
    apart = FunctionModel(
        lambda p: p["s"] ** 2, ParameterSet([Parameter("s", 9, lower=5, unit="fm", **physics)]), name="apart"
    )
    narrow = FunctionModel(
        lambda p: p["s"] ** 2, ParameterSet([Parameter("s", 0, upper=1, unit="fm", **physics)]), name="narrow"
    )
    with pytest.raises(ParameterError, match="no common range"):
        combine(apart, narrow)
    nuisance = FunctionModel(lambda p: p["s"] ** 2, ParameterSet([Parameter("s", 0.5, unit="fm")]), name="nuisance")
    with pytest.raises(ParameterError, match="'s' is a physics parameter in some models and a nuisance in others"):
        combine(a, nuisance)
    with pytest.raises(ParameterError, match="kind 'physic' is not one of physics, nuisance"):
        Parameter("x", 0.0, kind="physic")


def test_shared_parameter_merges_defaults_and_bounds():
    # E.g. the weak mixing angle of two different constants presets.
    a = FunctionModel(
        lambda p: p["s"] ** 2, ParameterSet([Parameter("s", 0.23857, lower=0, upper=1, kind="physics")]), name="a"
    )
    b = FunctionModel(
        lambda p: p["s"] ** 2, ParameterSet([Parameter("s", 0.23863, lower=0.1, upper=2, kind="physics")]), name="b"
    )
    spec = combine(a, b).parameters["s"]
    assert (spec.default, spec.lower, spec.upper, spec.free) == (0.23857, 0.1, 1, False)


def test_one_electroweak_preset_per_combination():
    """Members computing their couplings differently (argon: pdg2018 without ZZ boxes by default, CsI:
    pdg2022 with them) are refused unless ``electroweak="mixed"``; built alike they combine."""
    from cevnsjax.experiments import experiment as build

    ar = build("coherent_ar_2020")
    csi = build("coherent_csi_2017", likelihood="single_bin")
    with pytest.raises(ParameterError, match=r"coherent_ar_2020: pdg2018, coherent_csi_2017: pdg2022 with ZZ boxes"):
        combine(ar, csi)
    with pytest.raises(ValueError, match="choices: same, mixed"):
        combine(ar, csi, electroweak="any")
    assert combine(ar, csi, electroweak="mixed").electroweak == "mixed"
    alike = combine(build("coherent_ar_2020", preset="pdg2022", zz_boxes=True), csi)
    assert alike.electroweak == "pdg2022+ZZ"
    assert alike.parameters["sin2_theta_w"].default == 0.23863  # the common preset's value
    # nested combinations are checked member by member
    with pytest.raises(ParameterError, match="different electroweak presets"):
        combine(alike, build("coherent_csi_2021", preset="pdg2018", zz_boxes=False))
    toys = experiment("a", 1.0, 3), experiment("b", 2.0, 4)
    assert combine(*toys).electroweak is None  # no member has a signal configuration
