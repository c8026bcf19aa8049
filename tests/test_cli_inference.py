"""``cevnsjax fit | profile | scan | sample`` on toy experiments registered in-process."""

import json

import jax.numpy as jnp
import pytest
from click.testing import CliRunner

from cevnsjax import experiments
from cevnsjax.cli import main
from cevnsjax.experiments import Option
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterSet


def toy_gauss(width=0.5):
    """mu * eta = 1 +- width, with a 10% normalisation nuisance eta."""
    ps = ParameterSet(
        [
            Parameter("mu", 0.0, unit="fm", lower=-10.0, upper=10.0, kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True),
        ]
    )
    return FunctionModel(
        lambda p: ((p["mu"] * p["eta"] - 1.0) / width) ** 2 + ((p["eta"] - 1.0) / 0.1) ** 2,
        ps,
        name="toy_gauss",
        n_bins=5,
        components=lambda p: {"signal": 100 * p["mu"] * p["eta"], "background": jnp.asarray(20.0)},
    )


def toy_other(offset=0.0):
    """mu = 1.5 + offset +- 0.5, with its own nuisance called eta too."""
    ps = ParameterSet(
        [
            Parameter("mu", 0.0, unit="fm", lower=-10.0, upper=10.0, kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.2), free=True),
        ]
    )
    return FunctionModel(
        lambda p: ((p["mu"] * p["eta"] - 1.5 - offset) / 0.5) ** 2 + ((p["eta"] - 1.0) / 0.2) ** 2,
        ps,
        name="toy_other",
        n_bins=3,
    )


@pytest.fixture(scope="module", autouse=True)
def registered():
    experiments.names()  # the built-in experiments register first, so the restored registry keeps them
    with pytest.MonkeyPatch.context() as mp:
        experiments.names()  # the built-in ones registered before the registry is swapped
        mp.setattr(experiments, "_REGISTRY", dict(experiments._REGISTRY))
        experiments.register("toy_gauss", toy_gauss, options={"width": Option(0.5, type=float)})
        experiments.register("toy_other", toy_other, options={"offset": Option(0.0, type=float)})
        yield


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def last_json(result):
    return json.loads(result.stdout.strip().splitlines()[-1])


FIT_KEYS = {"values", "errors", "chi2_min", "ndof", "converged", "components", "nominal_components", "correlation"}


def test_fit_json_contract():
    r = invoke("fit", "toy_gauss", "--free", "mu", "--option", "width=0.4", "--json")
    assert r.exit_code == 0, r.output
    out = last_json(r)
    assert FIT_KEYS <= set(out)
    assert out["converged"] is True and out["ndof"] == 4  # bins + constrained free - free
    assert out["values"]["mu"] == pytest.approx(1.0, abs=1e-5)
    assert set(out["errors"]) == {"mu", "eta"}
    assert out["components"]["signal"] == pytest.approx(100.0, rel=1e-5)
    assert out["nominal_components"] == {"signal": 0.0, "background": 20.0}
    assert out["correlation"]["mu"]["mu"] == pytest.approx(1.0)


def test_fit_table_iminuit_and_plot(tmp_path):
    png = tmp_path / "fit.png"
    r = invoke("fit", "toy_gauss", "--free", "mu", "--engine", "iminuit", "--minos", "--plot", str(png))
    assert r.exit_code == 0, r.output
    assert "iminuit" in r.stdout and "mu" in r.stdout and "±" in r.stdout and "signal" in r.stdout
    assert png.stat().st_size > 1000


def test_combination_options_and_renamed_nuisances():
    # 'offset' is only accepted by toy_other, 'width' only by toy_gauss: both apply.
    r = invoke(
        "fit",
        "toy_gauss",
        "toy_other",
        "--free",
        "mu",
        "--fix",
        "toy_other.eta=1",
        "--option",
        "offset=0.5",
        "--option",
        "width=0.5",
        "--json",
    )
    assert r.exit_code == 0, r.output
    out = last_json(r)
    assert set(out["values"]) == {"mu", "toy_gauss.eta", "toy_other.eta"}
    assert out["errors"]["toy_other.eta"] == 0.0
    assert out["ndof"] == 8 + 1 - 2  # toy_gauss.eta is constrained
    assert set(out["components"]) == {"toy_gauss.signal", "toy_gauss.background"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "toy_gauss", "--fix", "mu=20"], "mu = 20.0 is outside its bounds [-10.0, 10.0] fm"),
        (["fit", "toy_gauss", "--free", "nu"], "unknown parameter 'nu'; valid names: mu, eta"),
        (["fit", "toy_gauss", "toy_other", "--option", "foo=1"], "unknown option 'foo' for toy_gauss, toy_other"),
        (["fit", "nope"], "unknown experiment 'nope'"),
        (["fit", "toy_gauss", "--engine", "scipy"], "unknown engine 'scipy'; valid engines: jax, iminuit"),
        (["fit", "toy_gauss", "--fix", "mu"], "--fix expects NAME=VALUE, got 'mu'"),
        (["scan", "toy_gauss", "--grid", "mu=0:1"], "--grid expects P=LO:HI:N"),
        (["profile", "toy_gauss", "--param", "mu"], "one --range LO HI per --param"),
    ],
)
def test_errors_one_line_and_json(args, message):
    r = invoke(*args, "--json")
    assert r.exit_code != 0
    assert r.stderr.strip().count("\n") == 0 and message in r.stderr
    assert message in last_json(r)["error"]


def test_non_convergence_warns():
    # With eta fixed at 0, chi^2 does not depend on mu: no minimum in mu.
    r = invoke("fit", "toy_gauss", "--free", "mu", "--fix", "eta=0", "--json")
    assert r.exit_code == 0
    assert "warning: the fit did not converge" in r.stderr
    assert last_json(r)["converged"] is False


def test_profile_1d_json_contract():
    r = invoke("profile", "toy_gauss", "--param", "mu", "--range", "0", "2", "--points", "21", "--json")
    assert r.exit_code == 0, r.output
    out = last_json(r)
    assert {"param", "grid", "delta_chi2", "chi2_min", "best_fit", "ndof", "intervals"} <= set(out)
    assert set(out["intervals"]) == {"1sigma", "90%", "2sigma", "99%", "3sigma"}
    [[lo, hi]] = out["intervals"]["1sigma"]
    assert 0.4 < lo < 0.6 and 1.4 < hi < 1.6
    assert out["intervals"]["3sigma"] == [[None, None]]
    assert len(out["grid"]) == len(out["delta_chi2"]) == 21


def test_profile_2d_json_and_plot(tmp_path):
    png = tmp_path / "p2.png"
    r = invoke(
        "profile",
        "toy_gauss",
        "--param",
        "mu",
        "--param",
        "eta",
        "--range",
        "0",
        "2.5",
        "--range",
        "0.6",
        "1.4",
        "--points",
        "15",
        "--json",
        "--plot",
        str(png),
    )
    assert r.exit_code == 0, r.output
    out = last_json(r)
    assert {"params", "grid", "delta_chi2", "best_fit", "chi2_min", "contours"} <= set(out)
    assert out["params"] == ["mu", "eta"]
    assert len(out["delta_chi2"]) == 15 and len(out["delta_chi2"][0]) == 15
    assert all(len(point) == 2 for poly in out["contours"]["1sigma"] for point in poly)
    assert png.stat().st_size > 1000


def test_profile_table_and_plot(tmp_path):
    png = tmp_path / "p1.png"
    r = invoke("profile", "toy_gauss", "--param", "mu", "--range", "0", "2", "--points", "11", "--plot", str(png))
    assert r.exit_code == 0, r.output
    assert "1sigma" in r.stdout and "delta_chi2" in r.stdout
    assert png.stat().st_size > 1000


def test_profile_table_shows_a_bound_the_grid_starts_on():
    # mu = 1 +- 20 inside [-10, 10]: every interval reaches both edges of the grid [-10, 5]; the lower
    # edge is mu's bound (the interval ends there), the upper one is not (it goes on beyond the grid)
    r = invoke("profile", "toy_gauss", "--option", "width=20", "--param", "mu", "--range", "-10", "5", "--points", "7")
    assert r.exit_code == 0, r.output
    assert "1sigma  [-10, >grid]" in r.stdout, r.stdout


def test_scan_json_contract():
    r = invoke("scan", "toy_gauss", "--grid", "mu=0:2:5", "--grid", "eta=0.5:1.5:3", "--json")
    assert r.exit_code == 0, r.output
    out = last_json(r)
    assert {"params", "grid", "chi2", "best_point"} <= set(out)
    assert out["params"] == ["mu", "eta"]
    assert len(out["chi2"]) == 5 and len(out["chi2"][0]) == 3
    assert out["best_point"] == {"mu": 1.0, "eta": 1.0}
    table = invoke("scan", "toy_gauss", "--grid", "mu=0:2:5")
    assert table.exit_code == 0 and "lowest chi2" in table.stdout


def test_sample_json_contract_and_corner_plot(tmp_path):
    png = tmp_path / "corner.png"
    r = invoke(
        "sample",
        "toy_gauss",
        "--free",
        "mu",
        "--chains",
        "2",
        "--samples",
        "200",
        "--warmup",
        "200",
        "--seed",
        "3",
        "--json",
        "--plot",
        str(png),
    )
    assert r.exit_code == 0, r.output
    out = last_json(r)
    assert {"summary", "divergences", "num_chains", "num_samples"} <= set(out)
    assert set(out["summary"]) == {"mu", "eta"}
    keys = {"mean", "std", "median", "q05", "q16", "q84", "q95", "r_hat", "ess", "ess_bulk", "ess_tail"}
    assert set(out["summary"]["mu"]) == keys
    assert out["num_chains"] == 2 and out["num_samples"] == 200
    assert png.stat().st_size > 1000


def test_scan_profiles_by_default_or_says_nuisances_fixed(tmp_path):
    png = tmp_path / "scan.png"
    r = invoke("scan", "toy_gauss", "--grid", "mu=0:2:5", "--json", "--plot", str(png))
    assert r.exit_code == 0, r.output
    out = last_json(r)
    assert out["nuisances"] == "profiled" and out["nuisances_profiled"] == ["eta"]
    # profiled: (mu eta - 1)^2 / 0.25 + (eta - 1)^2 / 0.01 is below the fixed-eta value away from mu = 1
    fixed = last_json(invoke("scan", "toy_gauss", "--grid", "mu=0:2:5", "--fixed-nuisances", "--json"))
    assert fixed["nuisances"] == "fixed" and fixed["nuisances_profiled"] == []
    assert all(p <= f + 1e-12 for p, f in zip(out["chi2"], fixed["chi2"])) and out["chi2"][3] < fixed["chi2"][3]
    assert out["chi2"][2] == pytest.approx(0.0, abs=1e-12) and fixed["chi2"][2] == 0.0
    assert png.stat().st_size > 1000
    text = invoke("scan", "toy_gauss", "--grid", "mu=0:2:5", "--fixed-nuisances")
    assert "nuisances fixed" in text.stdout
    png2 = tmp_path / "scan2d.png"
    two = invoke("scan", "toy_gauss", "--grid", "mu=0:2:9", "--grid", "eta=0.5:1.5:9", "--plot", str(png2))
    assert two.exit_code == 0, two.output
    assert png2.stat().st_size > 1000
    grids = ["--grid", "mu=0:2:3", "--grid", "eta=0.5:1.5:3", "--grid", "x=0:1:2"]
    three = invoke("scan", "toy_gauss", *grids, "--plot", str(png), "--json")
    assert three.exit_code != 0 and "draws scans of 1 or 2 parameters" in last_json(three)["error"]


def test_fit_json_says_how_far_to_trust_it():
    out = last_json(invoke("fit", "toy_gauss", "--free", "mu", "--json"))
    assert out["converged"] and out["trusted"]
    assert out["at_limit"] == {"mu": False, "eta": False} and out["limit_side"] == {}
    assert out["flat"] == [] and out["local_minimum_chi2"] is None
