"""Tied and derived parameters (cj.tie, --tie): one free parameter for several (docs/physics.md section 17)."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from click.testing import CliRunner

import cevnsjax as cj
from cevnsjax.cli import main
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterError, ParameterSet
from cevnsjax.physics import oscillations as osc
from cevnsjax.physics.catalogue import DERIVED


def _toy():
    """chi^2 = ((a - 1)/0.5)^2 + ((b - 2)/0.5)^2 + eta^2 (eta a constrained nuisance), u, v mixing-like."""
    ps = ParameterSet(
        [
            Parameter("a", 0.0, lower=-10, upper=10, kind="physics"),
            Parameter("b", 0.0, lower=-5, upper=20, kind="physics"),
            Parameter("eta", 0.0, lower=-5, upper=5, constraint=(0.0, 1.0), free=True),
            Parameter("ue4_sq", 0.0, lower=0.0, upper=0.5, kind="physics"),
            Parameter("umu4_sq", 0.0, lower=0.0, upper=0.5, kind="physics"),
        ]
    )

    def chi2(p):
        return (
            ((p["a"] - 1) / 0.5) ** 2
            + ((p["b"] - 2) / 0.5) ** 2
            + p["eta"] ** 2
            + (p["ue4_sq"] - 0.1) ** 2
            + p["umu4_sq"] ** 2
        )

    return FunctionModel(chi2, ps, name="toy", n_bins=4, components=lambda p: {"s": p["a"] + p["b"]})


def test_mixing_inverses_and_gradients():
    """4|U|^2(1-|U|^2) and 4|U|^4 give back sin^2 2theta; the branch |U|^2 <= 1/2; gradients finite at 0 and 1."""
    s = np.linspace(0.0, 0.999, 41)
    u = np.asarray(osc.mixing_from_disappearance(s))
    np.testing.assert_allclose(4 * u * (1 - u), s, atol=1e-12)
    assert u.max() <= 0.5
    s2 = np.linspace(1e-6, 1.0, 41)
    v = np.asarray(osc.mixing_from_appearance(s2))
    np.testing.assert_allclose(4 * v * v, s2, rtol=1e-12)
    for f in (osc.mixing_from_disappearance, osc.mixing_from_appearance):
        for x in (0.0, 1.0, 0.5):
            assert np.isfinite(float(jax.grad(f)(x)))


def test_equality_tie_on_a_toy_model():
    base = _toy()
    m = cj.tie(base, b="a")
    assert "b" not in m.parameters and m.parameters["a"].upper == 10 and m.parameters["a"].lower == -5
    p = {**m.parameters.defaults(), "a": jnp.asarray(1.7)}
    assert float(m.chi2(p)) == pytest.approx(float(base.chi2({**p, "b": 1.7})), rel=1e-14)
    assert float(m.components(p)["s"]) == pytest.approx(3.4)
    # the best common value is the weighted mean of 1 and 2: 1.5; one free physics parameter
    fit = cj.fit(m, free=["a"])
    assert set(fit.free) == {"eta", "a"}
    assert fit.values["a"] == pytest.approx(1.5, abs=1e-6) and "b" not in fit.values
    assert fit.errors["a"] == pytest.approx(0.5 / np.sqrt(2), rel=1e-4)
    prof = cj.profile(m, "a", np.linspace(1.0, 2.0, 5))
    np.testing.assert_allclose(prof.delta_chi2, 8 * (np.linspace(1.0, 2.0, 5) - 1.5) ** 2, atol=1e-6)
    post = cj.sample(m, free=["a"], chains=1, samples=400, warmup=200, seed=1, progress=False)
    assert set(post.samples) == {"a", "eta"}
    assert float(np.mean(post.samples["a"])) == pytest.approx(1.5, abs=0.1)


def test_derived_sterile_parameters_on_a_toy_model():
    base = _toy()
    m = cj.tie(base, ue4_sq="sin2_2theta_ee")
    assert "ue4_sq" not in m.parameters and m.parameters["sin2_2theta_ee"] == DERIVED["sin2_2theta_ee"][0]
    s = 0.3
    full = m.full({**m.parameters.defaults(), "sin2_2theta_ee": jnp.asarray(s)})
    assert "sin2_2theta_ee" not in full and float(full["ue4_sq"]) == pytest.approx((1 - np.sqrt(1 - s)) / 2)
    both = cj.tie(base, {"ue4_sq": "sin2_2theta_mue", "umu4_sq": "sin2_2theta_mue"})
    full = both.full({**both.parameters.defaults(), "sin2_2theta_mue": jnp.asarray(0.04)})
    assert float(full["ue4_sq"]) == pytest.approx(0.1) and float(full["umu4_sq"]) == pytest.approx(0.1)
    g = jax.grad(lambda x: m.chi2({**m.parameters.defaults(), "sin2_2theta_ee": x}))
    assert all(np.isfinite(float(g(x))) for x in (0.0, 1.0))


@pytest.mark.parametrize(
    "ties, match",
    [
        ({"c": "a"}, "cannot tie 'c': unknown parameter 'c'"),
        ({"b": "zz"}, "cannot tie b to unknown 'zz'; valid sources: a, eta"),
        ({"b": "a", "a": "eta"}, "a is tied itself"),
        ({"b": "eta"}, r"kinds differ"),
        ({"ue4_sq": "sin2_2theta_mumu"}, "sin2_2theta_mumu determines umu4_sq, not ue4_sq"),
        ({"ue4_sq": "sin2_2theta_mue"}, "tie umu4_sq=sin2_2theta_mue as well"),
    ],
)
def test_bad_ties(ties, match):
    with pytest.raises(ParameterError, match=match):
        cj.tie(_toy(), ties)


@pytest.fixture(scope="module")
def argon():
    return cj.experiment("coherent_ar_2020", sterile=True)


def test_tied_experiment_equals_untied_at_equal_values(argon):
    """A flavour-universal magnetic moment and charge radius, and sin^2 2theta_mumu, on Ar 2020."""
    m = cj.tie(argon, mu_nu_mu="mu_nu_e", r2_nu_mumu="r2_nu_ee", umu4_sq="sin2_2theta_mumu")
    assert {"mu_nu_mu", "r2_nu_mumu", "umu4_sq"}.isdisjoint(m.parameters)
    assert m.parameters["r2_nu_ee"].default == argon.parameters["r2_nu_ee"].default
    point = {
        **m.parameters.defaults(),
        "mu_nu_e": jnp.asarray(20.0),
        "r2_nu_ee": jnp.asarray(-5.0),
        "sin2_2theta_mumu": jnp.asarray(0.3),
        "dm41_sq": jnp.asarray(2.0),
    }
    untied = {
        **{n: v for n, v in point.items() if n != "sin2_2theta_mumu"},
        "mu_nu_mu": jnp.asarray(20.0),
        "r2_nu_mumu": jnp.asarray(-5.0),
        "umu4_sq": jnp.asarray((1 - np.sqrt(0.7)) / 2),
    }
    chi2 = jax.jit(lambda p: m.chi2(p))
    assert float(chi2(point)) == pytest.approx(float(argon.chi2(untied)), rel=1e-12)
    tied_c, untied_c = m.components(point), argon.components(untied)
    assert all(float(tied_c[k]) == pytest.approx(float(untied_c[k]), rel=1e-12) for k in untied_c)
    g = jax.grad(chi2)(point)
    assert all(np.isfinite(float(v)) for v in g.values())
    # combine accepts the tied model (and keeps the electroweak check)
    both = cj.combine(m, cj.experiment("apv_cs", preset="pdg2018", zz_boxes=False))
    assert "mu_nu_mu" not in both.parameters and both.electroweak == "pdg2018"


def test_cli_tie(monkeypatch):
    """--tie on the command line: the fitted values list one parameter; bad --tie names the valid choices."""
    from cevnsjax.cli import inference

    monkeypatch.setattr(inference.experiments, "experiment", lambda name, **kw: _toy())
    runner = CliRunner()
    out = runner.invoke(main, ["fit", "coherent_ar_2020", "--tie", "b=a", "--free", "a", "--restarts", "0", "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output.strip().splitlines()[-1])
    assert result["values"]["a"] == pytest.approx(1.5, abs=1e-6) and "b" not in result["values"]
    bad = runner.invoke(main, ["fit", "coherent_ar_2020", "--tie", "b=x", "--json"])
    assert bad.exit_code == 2 and "valid sources: a, eta" in bad.output


def test_pointwise_and_saved_header(argon):
    """Per-bin log-likelihoods (LOO/WAIC) and the saved-result header work through the tie."""
    from cevnsjax.inference._persist import describe
    from cevnsjax.inference._pointwise import pointwise_loglik

    m = cj.tie(argon, mu_nu_mu="mu_nu_e")
    p = {**m.parameters.defaults(), "mu_nu_e": jnp.asarray(10.0)}
    got = pointwise_loglik(m, p)[argon.name]
    ref = pointwise_loglik(argon, {**p, "mu_nu_mu": jnp.asarray(10.0)})[argon.name]
    np.testing.assert_allclose(np.asarray(got), np.asarray(ref), rtol=1e-12)
    head = describe(m)
    assert head["experiments"] == [argon.name] and "mu_nu_mu" not in head["parameters"]
    assert head["options"][argon.name] == dict(getattr(argon, "build_options", {}))
