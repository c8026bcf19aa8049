"""Toys and Feldman-Cousins: pseudo-data, the toys' fits, Wilks coverage and the Neyman construction.

Checked against what is known exactly: Poisson and Gaussian moments of the pseudo-data, the
distribution of a linear Gaussian fit, Wilks' chi^2 of one dof for the profile-likelihood ratio
(coverage within binomial errors, and the over-coverage when the constraints are not drawn), and
the Feldman-Cousins construction for a Gaussian mean with mu >= 0 (arXiv:physics/9711021, section
IV.B), whose critical values and intervals are computed here independently with scipy.
"""

import json
from typing import ClassVar

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from click.testing import CliRunner
from scipy import optimize, stats

import cevnsjax as cj
import cevnsjax.cli.toys  # registers toys and fc before any JAX computation configures JAX
from cevnsjax.cli import main
from cevnsjax.constants import pdg2022
from cevnsjax.experiments import Experiment
from cevnsjax.inference._objective import build
from cevnsjax.inference._toys import run_rows
from cevnsjax.likelihood import LeastSquares, Poisson, SingleBin, combine
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterError, ParameterSet
from cevnsjax.physics.amplitude import SignalConfig


class Gauss(Experiment):
    """One Gaussian measurement x ~ N(mu, 1) of a mean mu >= 0 (the Feldman-Cousins example)."""

    likelihood: LeastSquares
    parameters: ParameterSet
    signal: SignalConfig
    name: ClassVar[str] = "gauss"

    def expected(self, params):
        return {"signal": jnp.reshape(params["mu"], (1,))}


class Counting(Experiment):
    """A signal s x 100 on a background b x 100 with a 10% prior, in one Poisson bin."""

    likelihood: Poisson
    parameters: ParameterSet
    signal: SignalConfig
    name: ClassVar[str] = "counting"

    def expected(self, params):
        return {"signal": params["s"] * jnp.array([100.0]), "background": params["b"] * jnp.array([100.0])}


def gauss(x_obs: float) -> Gauss:
    return Gauss(
        likelihood=LeastSquares(jnp.array([x_obs]), jnp.array([1.0])),
        parameters=ParameterSet([Parameter("mu", 0.5, lower=0.0, upper=10.0, kind="physics")]),
        signal=SignalConfig(pdg2022),
    )


def counting() -> Counting:
    return Counting(
        likelihood=Poisson(jnp.array([200.0])),
        parameters=ParameterSet(
            [
                Parameter("s", 1.0, lower=0.0, upper=5.0, kind="physics"),
                Parameter("b", 1.0, lower=0.0, upper=5.0, constraint=(1.0, 0.1), free=True),
            ]
        ),
        signal=SignalConfig(pdg2022),
    )


def test_pseudo_data_have_the_moments_of_their_statistic():
    mu = jnp.array([0.5, 3.0, 40.0])
    many = jnp.broadcast_to(mu, (20000, 3))  # a statistic draws in the shape of the expected counts
    n = np.asarray(Poisson(many).sample(jax.random.key(1), many))
    assert np.array_equal(n, np.round(n)) and n.min() >= 0
    err = np.sqrt(np.asarray(mu) / len(n))  # standard error of the mean
    assert np.all(np.abs(n.mean(axis=0) - mu) < 4 * err)
    assert np.allclose(n.var(axis=0), mu, rtol=0.05)
    sigma2 = jnp.array([4.0, 0.25, 9.0])
    g = np.asarray(LeastSquares(many, sigma2).sample(jax.random.key(2), many))
    assert np.all(np.abs(g.mean(axis=0) - mu) < 4 * np.sqrt(sigma2 / len(g)))
    assert np.allclose(g.std(axis=0), np.sqrt(sigma2), rtol=0.03)
    keys = jax.random.split(jax.random.key(3), 4000)
    one = np.asarray(jax.vmap(lambda k: SingleBin(jnp.asarray(1.0), jnp.asarray(4.0)).sample(k, mu))(keys))
    assert one.shape == (4000, 1)
    assert abs(one.mean() - float(mu.sum())) < 4 * 2 / np.sqrt(len(one)) and one.std() == pytest.approx(2, rel=0.06)


def test_with_observed_replaces_only_the_data():
    mu = jnp.array([2.0, 5.0])
    for lik in (Poisson(jnp.array([3.0, 4.0])), LeastSquares(jnp.array([3.0, 4.0]), jnp.array([1.0, 2.0]))):
        assert float(lik.with_observed(lik.observed).chi2(mu)) == float(lik.chi2(mu))
        assert np.array_equal(lik.with_observed(mu).observed, mu) and float(lik.with_observed(mu).chi2(mu)) == 0.0
    single = SingleBin(jnp.asarray(142.0), jnp.asarray(100.0))
    assert float(single.with_observed(jnp.array([7.0])).chi2(mu)) == 0.0
    assert single.with_observed(single.observed).measured.shape == ()
    model = counting()
    toy = model.with_data(jnp.array([150.0]))
    p = {"s": jnp.asarray(0.5), "b": jnp.asarray(1.0)}
    assert float(toy.chi2(p)) == 0.0 and float(model.chi2(p)) > 0  # the data moved, nothing else
    both = combine(model, gauss(1.0))
    data = both.pseudo_data(jax.random.key(0), {"s": 1.0, "b": 1.0, "mu": 0.5})
    assert [np.shape(d) for d in data] == [(1,), (1,)]
    assert [np.asarray(d).tolist() for d in both.with_data(data).data] == [np.asarray(d).tolist() for d in data]


def test_toys_refuse_what_they_cannot_do():
    plain = FunctionModel(lambda p: p["x"] ** 2, ParameterSet([Parameter("x", 0.0, free=True)]))
    with pytest.raises(TypeError, match="cannot draw pseudo-data"):
        cj.toys(plain, 10)
    with pytest.raises(TypeError, match="cannot draw pseudo-data"):
        combine(counting(), plain).data  # noqa: B018
    with pytest.raises(ValueError, match="choices: prior, fixed"):
        cj.toys(counting(), 10, nuisances="drawn")
    with pytest.raises(ValueError, match="n_toys must be a positive integer"):
        cj.toys(counting(), 0)
    with pytest.raises(ValueError, match="seed must be an integer"):
        cj.toys(counting(), 10, seed=-1)
    with pytest.raises(ParameterError, match="truth"):
        cj.toys(counting(), 10, fixed={"s": 1.0}, truth={"s": 2.0})
    with pytest.raises(ValueError, match="levels must be in"):
        cj.feldman_cousins(gauss(0.0), "mu", [0.0, 1.0], cl=1.5)


@pytest.fixture(scope="module")
def wilks():
    """2000 toys of the counting model at s = 1, s the parameter of interest, both nuisance modes."""
    model = counting()
    return {mode: cj.toys(model, 2000, poi="s", nuisances=mode, progress=False) for mode in ("prior", "fixed")}


def test_wilks_coverage_of_the_profile_likelihood_ratio(wilks):
    """With the prior drawn per toy, Delta chi^2 at the truth is chi^2 of 1 dof: 68.27% and 90% coverage.

    Without it (constraints at their nominal centres) the interval is too wide and over-covers:
    Var(s_hat) is 2/3 of what the fit assumes (stat 0.02 against 0.02 + prior 0.01), so the
    coverage is P(chi2_1 <= 1.5) = 0.779.
    """
    res = wilks["prior"]
    assert res.converged.all() and res.n_toys == 2000
    for cl in (0.682689492137, 0.9):
        f, e = res.coverage(cl)
        assert abs(f - cl) < 3 * np.sqrt(cl * (1 - cl) / 2000), (cl, f, e)
    # the fitted signal: unbiased, with the error the model states (sqrt(0.03))
    s = res.values["s"]
    assert abs(s.mean() - 1.0) < 4 * np.sqrt(0.03 / 2000)
    assert s.std() == pytest.approx(np.sqrt(0.03), rel=0.05)
    # the minimum chi^2 of a Poisson bin with a fitted mean and a pull: chi^2 of 1 dof on average
    assert res.ndof == 0 and np.all(res.chi2_min < 1e-6)
    f, _ = wilks["fixed"].coverage(0.682689492137)
    expected = stats.chi2.cdf(1.5, 1)
    assert abs(f - expected) < 3 * np.sqrt(expected * (1 - expected) / 2000) and f > 0.74


def test_a_toy_does_not_depend_on_its_chunk_and_results_persist(wilks, tmp_path):
    """Toys 500-1499 computed in one chunk equal those of the 2000-toy run (two chunks of 1000)."""
    model = counting()
    ref = wilks["prior"]
    obj = build(model, ["s"])
    truth = np.broadcast_to([ref.truth[n] for n in obj.base], (1000, len(obj.base)))
    rows = run_rows(obj, truth, np.zeros(1000, int), np.arange(500, 1500), seed=0, poi=("s",))
    assert np.allclose(rows.x[:, obj.free.index("s")], ref.values["s"][500:1500], rtol=1e-12, atol=1e-12)
    assert np.allclose(rows.delta_chi2, ref.delta_chi2[500:1500], rtol=1e-9, atol=1e-12)
    # two truth points (each with its own starting Hessian), in chunks of 4 and in one chunk of 16
    points = [{"s": 0.5, "b": 1.0}, {"s": 1.5, "b": 1.2}]
    two = np.repeat([[p[n] for n in obj.base] for p in points], 6, axis=0)
    index = np.repeat([3, 8], 6), np.tile(np.arange(6), 2)
    small = run_rows(obj, two, *index, seed=1, poi=("s",), chunk_size=4)
    whole = run_rows(obj, two, *index, seed=1, poi=("s",), chunk_size=16)
    assert np.array_equal(small.x, whole.x) and np.array_equal(small.delta_chi2, whole.delta_chi2)
    assert np.array_equal(run_rows(obj, two[6:], *(i[6:] for i in index), seed=1, poi=("s",)).x, whole.x[6:])
    other = cj.toys(model, 1000, poi="s", seed=7, progress=False)
    assert not np.allclose(other.values["s"], ref.values["s"][:1000])
    back = cj.load(other.to_json(tmp_path / "toys.json"))
    assert np.array_equal(back.delta_chi2, other.delta_chi2) and back.truth == other.truth
    assert back.metadata["settings"]["poi"] == ["s"] and back.seed == 7
    assert "Wilks coverage of s at 68.27%" in repr(other)


def test_toys_of_a_combination():
    """Counting + a Gaussian measurement of a parameter held fixed: each member draws its own data.

    The fixed mean of the Gaussian member adds one dof (chi^2_min averages 1); the signal keeps its
    error sqrt(0.02 + 0.01).
    """
    r = cj.toys(combine(counting(), gauss(1.0)), 2000, poi="s", progress=False)
    assert r.converged.all() and r.ndof == 1 and r.chi2_min.mean() == pytest.approx(1.0, abs=4 * np.sqrt(2 / 2000))
    assert r.values["s"].std() == pytest.approx(np.sqrt(0.03), rel=0.05)
    f, _ = r.coverage(0.682689492137)
    assert abs(f - 0.682689492137) < 3 * np.sqrt(0.2166 / 2000)


def fc_exact(x_obs: float, grid: np.ndarray, cl: float) -> tuple[np.ndarray, tuple[float, float]]:
    """Feldman-Cousins for x ~ N(mu, 1), mu >= 0, computed with scipy (arXiv:physics/9711021, IV.B).

    t(x; mu) = (x - mu)^2 for x >= 0 and mu^2 - 2 x mu for x < 0; its cdf at c is
    P(x >= 0, |x - mu| <= sqrt(c)) + P(x < 0, x >= (mu^2 - c) / (2 mu)).
    """

    def cdf(c, mu):
        r = np.sqrt(c)
        inside = stats.norm.cdf(mu + r, mu) - stats.norm.cdf(max(mu - r, 0.0), mu) if mu + r > 0 else 0.0
        if mu == 0:
            return inside + stats.norm.cdf(0.0, mu)
        lo = (mu**2 - c) / (2 * mu)
        return inside + max(stats.norm.cdf(0.0, mu) - stats.norm.cdf(lo, mu), 0.0)

    crit = np.array([optimize.brentq(lambda c, m=m: cdf(c, m) - cl, 1e-12, 50.0) for m in grid])
    t_obs = (x_obs - grid) ** 2 - (x_obs - max(x_obs, 0.0)) ** 2
    accepted = grid[t_obs <= crit]
    return crit, (accepted.min(), accepted.max())


@pytest.fixture(scope="module")
def belt():
    return cj.feldman_cousins(gauss(-1.0), "mu", np.linspace(0.0, 2.5, 26), n_toys=2000, progress=False)


def test_feldman_cousins_of_a_bounded_gaussian_mean(belt):
    """x_obs = -1: the critical values and the intervals ([0, 0.27] and [0, 0.81]) agree with the exact construction."""
    grid = belt.grid
    assert belt.cl == (0.682689492137, 0.9) and belt.t.shape == (26, 2000) and belt.n_failed.sum() == 0
    # observed statistic: mu^2 + 2 mu over the physical region (the minimum sits on the bound)
    assert np.allclose(belt.t_obs, grid**2 + 2 * grid, atol=1e-6)
    for k, cl in enumerate(belt.cl):
        crit, (lo, hi) = fc_exact(-1.0, np.linspace(0, 2.5, 251), cl)
        exact = crit[::10]
        assert np.all(np.abs(belt.t_crit[k] - exact) < 4 * belt.t_crit_error[k] + 0.02), (cl, belt.t_crit[k], exact)
        ((fc_lo, fc_hi),) = belt.intervals[f"{100 * cl:.4g}%"]
        assert fc_lo is None and lo == 0.0  # the interval starts on the bound (open end of the grid)
        # exact: 0.27 and 0.81; the Monte Carlo error of t_crit (~0.1 at 90% with 2000 toys) over the
        # slope of t_obs - t_crit (~2.3 per unit of mu) moves the end by ~0.04 (1 sigma)
        assert fc_hi == pytest.approx(hi, abs=0.12)
        # Wilks: mu^2 + 2 mu = chi2_1 quantile
        ((w_lo, w_hi),) = belt.wilks[f"{100 * cl:.4g}%"]
        assert w_lo is None and w_hi == pytest.approx(-1 + np.sqrt(1 + stats.chi2.ppf(cl, 1)), abs=1e-3)
    # at mu = 0 half of the toys sit on the bound (t = 0): t_crit(68.27%) = Phi^-1(0.6827)^2 and the
    # Wilks interval covers 0.5 + 0.5 * 0.6827 of them
    assert belt.t_crit[0, 0] == pytest.approx(stats.norm.ppf(0.682689492137) ** 2, abs=0.04)
    assert belt.wilks_coverage[0, 0] == pytest.approx(0.841, abs=3 * np.sqrt(0.841 * 0.159 / 2000))
    # far from the bound the Wilks interval covers as it claims
    assert belt.wilks_coverage[1, -1] == pytest.approx(0.9, abs=3 * np.sqrt(0.09 / 2000))


def test_feldman_cousins_result_persists_and_prints(belt, tmp_path):
    back = cj.load(belt.to_json(tmp_path / "fc.json"))
    assert np.array_equal(back.t, belt.t, equal_nan=True) and back.intervals == belt.intervals
    assert back.profile.param == "mu" and back.cl == belt.cl
    text = repr(belt)
    assert "Feldman-Cousins" in text and "Wilks" in text and "90%" in text


def test_cli_fc_and_toys(tmp_path):
    """``cevnsjax fc`` and ``cevnsjax toys`` on the cesium APV measurement (one Gaussian bin)."""
    runner = CliRunner()
    out = runner.invoke(
        main,
        ["fc", "apv_cs", "--grid", "sin2_theta_w=0.22:0.26:9", "--toys", "200", "--json"]
        + ["--plot", str(tmp_path / "fc.png"), "--output", str(tmp_path / "fc.json")],
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    assert doc["param"] == "sin2_theta_w" and doc["n_toys"] == 200 and set(doc["intervals"]) == {"68.27%", "90%"}
    # one Gaussian measurement far from the bounds: the Feldman-Cousins and Wilks intervals agree to
    # the Monte Carlo error (the Wilks 68.27% half-width is the measurement's error, 0.0018)
    ((lo, hi),) = doc["intervals"]["68.27%"]
    ((w_lo, w_hi),) = doc["wilks"]["68.27%"]
    assert abs(lo - w_lo) < 6e-4 and abs(hi - w_hi) < 6e-4
    assert (tmp_path / "fc.png").stat().st_size > 0 and cj.load(tmp_path / "fc.json").n_toys == 200
    again = runner.invoke(main, ["plot", str(tmp_path / "fc.json"), "--plot", str(tmp_path / "again.png")])
    assert again.exit_code == 0 and (tmp_path / "again.png").exists()
    text = runner.invoke(main, ["toys", "apv_cs", "--toys", "400", "--poi", "sin2_theta_w"])
    assert text.exit_code == 0 and "Wilks coverage of sin2_theta_w at 68.27%" in text.output
    bad = runner.invoke(main, ["fc", "apv_cs", "--grid", "sin2_theta=0.2:0.3:5", "--toys", "10", "--json"])
    assert bad.exit_code == 2 and "unknown parameter 'sin2_theta'" in bad.output
    bad = runner.invoke(main, ["toys", "apv_cs", "--toys", "10", "--nuisances", "drawn"])
    assert bad.exit_code == 2 and "drawn" in bad.output
    # the contract's form --param P --range LO HI --points N gives the same belt as --grid
    same = runner.invoke(
        main,
        ["fc", "apv_cs", "--param", "sin2_theta_w", "--range", "0.22", "0.26", "--points", "9", "--toys", "200"]
        + ["--json"],
    )
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout.strip().splitlines()[-1])["t_crit"] == doc["t_crit"]
    bad = runner.invoke(main, ["fc", "apv_cs", "--param", "sin2_theta_w", "--toys", "10"])
    assert bad.exit_code == 2 and "--range LO HI --points N" in bad.output
