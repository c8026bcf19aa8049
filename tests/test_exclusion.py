"""``cj.exclusion`` and ``cevnsjax exclusion`` on a toy mediator with an analytic answer; log grids on the CLI."""

import json

import jax.numpy as jnp
import numpy as np
import pytest
from click.testing import CliRunner

import cevnsjax as cj
from cevnsjax import experiments
from cevnsjax.cli import main
from cevnsjax.inference._exclusion import threshold
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterSet
from cevnsjax.plotting import plot_exclusion

SIGMA = 0.1  # the toy's data and normalisation-prior widths


def toy_mediator():
    """A weak charge Q = -1 + g^2/M^2 seen through rate = eta Q^2, measured 1 +- 0.1, eta = 1 +- 0.1.

    Like the universal Z' (docs/physics.md section 16): the rate falls to 0 at g^2/M^2 = 1 and is
    back at its SM value at g^2/M^2 = 2, where Q has flipped sign.  With eta profiled,
    chi^2(s = Q^2) = (s - 1)^2 / (SIGMA^2 (1 + s^2)).
    """
    ps = ParameterSet(
        [
            Parameter("g", 0.0, lower=0.0, upper=100.0, kind="physics"),
            Parameter("m", 1.0, unit="MeV", lower=0.1, upper=100.0, kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, SIGMA), free=True),
        ]
    )

    def chi2(p):
        q = -1.0 + (p["g"] / p["m"]) ** 2
        return ((p["eta"] * q**2 - 1.0) / SIGMA) ** 2 + ((p["eta"] - 1.0) / SIGMA) ** 2

    return FunctionModel(chi2, ps, name="toy_mediator", n_bins=1, components=lambda p: {"signal": jnp.asarray(1.0)})


def analytic(level: float, mass: float):
    """(upper, (band_lo, band_hi)) of the toy: the roots s of (s - 1)^2 = SIGMA^2 level (1 + s^2)."""
    a = SIGMA**2 * level
    s_lo, s_hi = sorted(np.roots([1 - a, -2, 1 - a]).real)
    x = lambda q: mass * np.sqrt(1 + q)  # noqa: E731 - Q = -1 + g^2/M^2
    return x(-np.sqrt(s_lo)), (x(np.sqrt(s_lo)), x(np.sqrt(s_hi)))


MASSES = np.array([1.0, 2.0, 5.0])


@pytest.fixture(scope="module")
def toy():
    return toy_mediator()  # one model: its compiled sweep serves every call with the same grid shape


@pytest.fixture(scope="module")
def toy_result(toy):
    return cj.exclusion(toy, "g", ("m", MASSES), range=(1e-3, 10.0), points=400, cl=[0.9, 0.95])


def test_limits_and_the_flipped_band_match_the_analytic_toy(toy_result):
    r = toy_result
    assert r.chi2_sm == pytest.approx(0.0, abs=1e-8) and r.chi2_min == pytest.approx(0.0, abs=1e-8)
    for cl in (0.9, 0.95):
        key = f"{cl:g}"
        assert r.thresholds[key] == pytest.approx(threshold(cl))
        for i, m in enumerate(MASSES):
            upper, (lo, hi) = analytic(r.thresholds[key], m)
            assert r.upper[key][i] == pytest.approx(upper, rel=1e-3)
            (a0, a1), (b0, b1) = r.allowed[key][i]
            assert a0 is None and a1 == pytest.approx(upper, rel=1e-3)
            assert (b0, b1) == pytest.approx((lo, hi), rel=1e-3)
            # the excluded ranges are the complement: up to the band, and above it to the grid's end
            assert r.ranges[key][i] == [(a1, b0), (b1, None)]
        assert np.all(r.bands(cl) == 2)
    # the minimum of the flipped band is at g^2/M^2 = 2, Delta chi^2 = 0 there (0.45 one 1.2% grid step away)
    i = np.argmin(np.abs(np.log(r.grid[None] / (np.sqrt(2) * MASSES[:, None]))), axis=1)
    assert np.all(r.delta_chi2[np.arange(3), i] < 0.3)
    assert r.converged.mean() > 0.95
    assert r.nuisances["eta"].shape == (3, 400)


def test_saved_result_reloads_and_redraws(toy_result, tmp_path):
    path = tmp_path / "excl.json"
    toy_result.to_json(path)
    back = cj.load(path)
    assert type(back).__name__ == "ExclusionResult"
    assert np.array_equal(back.delta_chi2, toy_result.delta_chi2)
    assert back.allowed == toy_result.allowed and back.cl == (0.9, 0.95)
    assert np.array_equal(back.upper["0.9"], toy_result.upper["0.9"])
    fig = plot_exclusion(back)
    ax = fig.axes[0]
    assert ax.get_xlim() == pytest.approx(np.log10(MASSES[[0, -1]]))
    assert ax.get_ylim() == pytest.approx((-3.0, 1.0))  # log10 coordinates with 10^k tick labels
    assert "excluded, 90% CL" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_bad_input_is_named():
    model = toy_mediator()
    with pytest.raises(ValueError, match="log grid of 'g' needs lo > 0"):
        cj.exclusion(model, "g", ("m", MASSES), range=(0.0, 1.0))
    with pytest.raises(ValueError, match="either as grid"):
        cj.exclusion(model, "g", ("m", MASSES))
    with pytest.raises(ValueError, match="confidence level must be in"):
        cj.exclusion(model, "g", ("m", MASSES), range=(1e-3, 1.0), cl=90)
    with pytest.raises(ValueError, match="strictly increasing"):
        cj.exclusion(model, "g", ("m", [2.0, 1.0]), range=(1e-3, 1.0))
    with pytest.raises(ValueError, match="different parameters"):
        cj.exclusion(model, "g", ("g", MASSES), range=(1e-3, 1.0))
    for bad in (0, 2.5, "8"):
        with pytest.raises(ValueError, match=r"chunk_size=.*masses per compiled call"):
            cj.exclusion(model, "g", ("m", MASSES), range=(1e-3, 1.0), chunk_size=bad)


@pytest.fixture(scope="module")
def registered():
    experiments.names()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(experiments, "_REGISTRY", dict(experiments._REGISTRY))
        experiments.register("toy_mediator", toy_mediator, options={})
        yield


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_exclusion_json_plot_and_output(registered, tmp_path):
    png, out = tmp_path / "excl.png", tmp_path / "excl.json"
    args = ["exclusion", "toy_mediator", "--param", "g", "--over", "m=log:1:5:3", "--range", "1e-3", "10"]
    r = invoke(*args, "--points", "400", "--json", "--plot", str(png), "--output", str(out))
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout.strip().splitlines()[-1])
    assert {"param", "over", "masses", "cl", "ranges", "allowed", "upper"} <= set(data)
    assert data["masses"] == pytest.approx([1.0, np.sqrt(5.0), 5.0])
    assert data["cl"] == [0.9]
    upper, (lo, hi) = analytic(threshold(0.9), 5.0)
    assert data["upper"]["0.9"][2] == pytest.approx(upper, rel=1e-3)
    assert data["ranges"]["0.9"][2][1][1] is None  # excluded up to the end of the grid: open
    assert data["allowed"]["0.9"][2][1] == pytest.approx([lo, hi], rel=1e-3)
    assert png.stat().st_size > 0 and cj.load(out).param == "g"
    redraw = invoke("plot", str(out), "--plot", str(tmp_path / "again.png"))
    assert redraw.exit_code == 0, redraw.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--over", "m=log:0:5:3", "--range", "1e-3", "10"], "a log grid needs LO > 0"),
        (["--over", "m=1:5", "--range", "1e-3", "10"], "--over expects P=LO:HI:N or P=log:LO:HI:N"),
        (["--over", "m=log:1:5:3", "--range", "0", "10"], "--linear"),
        (["--over", "m=log:1:5:3", "--range", "1e-3", "10", "--cl", "90"], "between 0 and 1"),
    ],
)
def test_cli_exclusion_errors(registered, extra, message):
    r = invoke("exclusion", "toy_mediator", "--param", "g", *extra)
    assert r.exit_code == 2 and message in r.output


def test_log_grids_in_scan_and_profile(registered):
    r = invoke("scan", "toy_mediator", "--grid", "g=log:0.01:100:5", "--fix", "m=1", "--fixed-nuisances", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout.strip().splitlines()[-1])["grid"][0] == pytest.approx([0.01, 0.1, 1, 10, 100])
    r = invoke("profile", "toy_mediator", "--grid", "g=log:0.1:10:9", "--fix", "m=1", "--restarts", "0", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout.strip().splitlines()[-1])["grid"] == pytest.approx(np.geomspace(0.1, 10, 9))
    r = invoke("scan", "toy_mediator", "--grid", "g=log:-1:10:5")
    assert r.exit_code == 2 and "a log grid needs LO > 0" in r.output
    r = invoke("profile", "toy_mediator", "--grid", "g=log:0.1:10:9", "--param", "g")
    assert r.exit_code == 2 and "either as --grid" in r.output


def test_linear_coupling_grid_through_zero_agrees_and_draws(toy):
    r = cj.exclusion(toy, "g", ("m", MASSES), range=(0.0, 10.0), points=400, log=False)
    for i, m in enumerate(MASSES):
        upper, (lo, hi) = analytic(r.thresholds["0.9"], m)
        assert r.upper["0.9"][i] == pytest.approx(upper, rel=5e-3)
        assert r.allowed["0.9"][i][1] == pytest.approx((lo, hi), rel=5e-3)
    ax = plot_exclusion(r).axes[0]
    assert ax.get_ylim() == pytest.approx((0.0, 10.0))  # a grid through 0 stays linear
