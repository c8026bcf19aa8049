"""Hand-off to iminuit, ArviZ and pyhf: the same numbers in the tools users trust."""

import math
import warnings
from typing import ClassVar

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln, xlogy

import cevnsjax as cj
from cevnsjax.constants import pdg2022
from cevnsjax.experiments import Experiment
from cevnsjax.handoff import to_minuit, to_pyhf
from cevnsjax.inference._pointwise import pointwise_loglik
from cevnsjax.likelihood import Poisson
from cevnsjax.parameters import Parameter, ParameterSet
from cevnsjax.physics.amplitude import SignalConfig

jax.config.update("jax_enable_x64", True)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    import arviz as az


@pytest.fixture(scope="module")
def ar():
    return cj.experiment("coherent_ar_2020")


class Counting(Experiment):
    """Poisson counts in 12 bins: signal strength s times a falling spectrum, flat background b."""

    likelihood: Poisson
    parameters: ParameterSet
    signal: SignalConfig
    name: ClassVar[str] = "counting"

    def expected(self, params):
        return {"signal": params["s"] * 20.0 * jnp.exp(-jnp.arange(12.0) / 4), "bkg": params["b"] * jnp.ones(12)}


@pytest.fixture(scope="module")
def counting():
    data = jnp.array([23.0, 19, 14, 13, 10, 6, 7, 3, 5, 3, 4, 2])
    ps = ParameterSet(
        [Parameter("s", 1.0, lower=0.0, upper=5.0), Parameter("b", 2.0, lower=0.0, constraint=(2.0, 0.5), free=True)]
    )
    return Counting(likelihood=Poisson(data), signal=SignalConfig(pdg2022), parameters=ps)


@pytest.fixture(scope="module")
def posterior(counting):
    return cj.sample(counting, free=["s"], chains=2, samples=150, warmup=150, seed=3, progress=False)


def test_migrad_on_to_minuit_reproduces_fit(ar):
    best = cj.fit(ar, free=["sin2_theta_w"])
    m = to_minuit(ar, free=["sin2_theta_w"])
    assert m.errordef == 1.0
    assert m.fixed["rn_ar40"] and not m.fixed["sin2_theta_w"] and not m.fixed["eta_cevns"]
    assert m.limits["sin2_theta_w"] == (0.0, 1.0) and m.limits["rn_ar40"][0] == ar.parameters["rn_ar40"].lower
    m.migrad()
    m.hesse()
    assert m.valid
    assert m.fval == pytest.approx(best.chi2_min, abs=1e-6)
    for name in best.free:
        assert m.values[name] == pytest.approx(best.values[name], abs=1e-3 * best.errors[name])
    # HESSE: finite differences in Minuit's bound-transformed space; 0.3% from the exact Hessian, 2% for
    # eta_brn_delayed = 0.9 +- 1.0, one error above its bound at 0
    for name in best.free:
        assert m.errors[name] == pytest.approx(best.errors[name], rel=0.03)
    m.fixed["rn_ar40"] = False  # users release parameters themselves
    m.migrad()
    assert m.fval <= best.chi2_min + 1e-9


def test_iminuit_engine_returns_its_minuit(ar):
    result = cj.fit(ar, free=["sin2_theta_w"], engine="iminuit")
    assert result.minuit.valid and result.minuit.fval == result.chi2_min
    assert result.minuit.values["sin2_theta_w"] == result.values["sin2_theta_w"]
    assert cj.fit(ar).minuit is None


def test_sample_summary_is_arviz_summary(posterior):
    table = az.summary(posterior.to_arviz(), var_names=["s"], round_to="none")
    s = posterior.summary["s"]
    assert s["r_hat"] == pytest.approx(table["r_hat"].iloc[0], rel=1e-12)
    assert s["ess_bulk"] == pytest.approx(table["ess_bulk"].iloc[0], rel=1e-12) and s["ess"] == s["ess_bulk"]
    assert s["ess_tail"] == pytest.approx(table["ess_tail"].iloc[0], rel=1e-12)


def test_pointwise_log_likelihood_is_the_poisson_log_probability(counting, posterior):
    loglik = posterior.log_likelihood["counting"]
    assert loglik.shape == (2, 150, 12)
    n = np.asarray(counting.data)
    for c, d in [(0, 0), (1, 77)]:
        s, b = posterior.samples["s"][c, d], posterior.samples["b"][c, d]
        mu = s * 20.0 * np.exp(-np.arange(12.0) / 4) + b
        assert loglik[c, d] == pytest.approx(stats.poisson.logpmf(n, mu), rel=1e-12)


def test_pointwise_log_likelihood_of_least_squares_and_combinations(ar, counting):
    p = ar.parameters.complete({"sin2_theta_w": 0.25})
    (loglik,) = jax.jit(lambda p: pointwise_loglik(ar, p))(p).values()
    sigma2 = np.ravel(np.asarray(ar.likelihood.sigma2))
    data_chi2 = float(ar.chi2(p) - ar.parameters.constraint_chi2(p))
    assert loglik.shape == (ar.n_bins,)
    assert float(loglik.sum()) == pytest.approx(-0.5 * data_chi2 - 0.5 * np.sum(np.log(2 * math.pi * sigma2)))
    both = cj.combine(ar, counting, electroweak="mixed")
    parts = pointwise_loglik(both, both.parameters.complete({}))
    assert {k: v.shape for k, v in parts.items()} == {"coherent_ar_2020": (12,), "counting": (12,)}


def test_arviz_loo_and_plot_energy(posterior):
    idata = posterior.to_arviz()
    assert {"posterior", "sample_stats", "log_likelihood"} <= set(idata.groups())
    assert {"energy", "lp", "diverging", "acceptance_rate", "n_steps", "step_size"} <= set(idata.sample_stats)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pareto k of a short chain
        loo = az.loo(idata, pointwise=True)
    assert loo.n_data_points == 12 and np.isfinite(loo.elpd_loo)
    assert loo.elpd_loo < posterior.log_likelihood["counting"].sum(axis=-1).mean()
    assert loo.loo_i.shape == (12,)
    ax = az.plot_energy(idata)
    ax.figure.clf()
    back = cj.load(posterior.to_json())  # a saved sample keeps what ArviZ needs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert az.loo(back.to_arviz()).elpd_loo == loo.elpd_loo


@pytest.fixture(scope="module")
def csi():
    return cj.experiment("coherent_csi_2021")


@pytest.fixture(scope="module")
def exported(csi):
    return to_pyhf(csi, fixed={"t_offset": 0.07})


@pytest.fixture(scope="module")
def csi_chi2(csi):
    return jax.jit(lambda p: csi.chi2(p))


@pytest.fixture(scope="module")
def pyhf_model(exported):
    pytest.importorskip("pyhf")
    return exported.model()


def test_pyhf_workspace_maps_every_nuisance(exported):
    pyhf = pytest.importorskip("pyhf")
    assert exported.modifiers["eta_flux"] == ("lumi", "lumi")
    assert exported.modifiers["mu_cevns"] == ("mu_cevns", "normfactor")
    assert {exported.modifiers[n][1] for n in ("eta_ss", "eta_brn", "eta_nin", "theta_qf", "theta_eff")} == {"pull"}
    model, _data = exported.model()
    assert model.config.poi_name == "mu_cevns" and model.config.nmaindata == 99
    assert isinstance(pyhf.Workspace(exported.workspace), pyhf.Workspace)


# every pull within +-1 sigma: beyond it pyhf 0.7.6's code2 drops the extrapolation offset (pyhf
# issues #2729, #2610), where ROOT's HistFactory code 2 and our morphing (Eq. (86)) keep it
@pytest.mark.parametrize(
    "values",
    [
        {},
        {"mu_cevns": 0.9, "eta_flux": 1.07, "eta_ss": 0.99, "eta_brn": 1.2, "eta_nin": 0.7},
        {"mu_cevns": 1.2, "eta_flux": 0.95, "theta_qf": 0.6, "theta_qf_1": -0.8, "theta_eff": 1.0},
        {"eta_brn": 0.8, "theta_qf": -1.0, "theta_eff": -0.4, "theta_qf_1": 0.3},
    ],
)
def test_pyhf_nll_equals_ours(csi, csi_chi2, exported, pyhf_model, values):
    model, data = pyhf_model
    nll_pyhf = -float(model.logpdf(exported.pars(model, values), data)[0])
    p = {n: jnp.asarray(v) for n, v in {**exported.point, **values}.items()}
    chi2 = float(csi_chi2(p)) - (0.07 / 0.1) ** 2  # t_offset = 0.07 is fixed: its prior is not in pyhf
    # pyhf: -ln L = sum [mu - n ln mu + ln n!] + the Gaussian constraints with their normalisations;
    # ours: chi2 / 2 = sum [mu - n + n ln(n/mu)] + pulls^2 / 2
    n = np.ravel(np.asarray(csi.data))
    n_pulls = sum(kind == "pull" for _, kind in exported.modifiers.values())
    const = np.sum(gammaln(n + 1) + n - xlogy(n, n)) + 0.5 * n_pulls * math.log(2 * math.pi)
    const += 0.5 * math.log(2 * math.pi * exported.constraints["eta_flux"][1] ** 2)
    # the response clipped at zero (coherent_csi_2021.pe_response) makes theta_qf = -1 with theta_eff = -0.4
    # not exactly additive: 1e-5 of the CEvNS counts in a few bins, 3.5e-4 in -ln L
    tol = 5e-4 if values.get("theta_qf") == -1.0 else 1e-8
    assert nll_pyhf == pytest.approx(chi2 / 2 + const, abs=tol)


def test_pyhf_export_refuses_what_histfactory_cannot_hold(csi, ar):
    with pytest.raises(ValueError, match="t_offset move"):
        to_pyhf(csi)
    with pytest.raises(ValueError, match="not a binned Poisson experiment"):
        to_pyhf(ar)
