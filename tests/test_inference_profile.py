"""Profile likelihoods against analytic curves; intervals, open ends, 2D contours."""

import jax.numpy as jnp
import numpy as np
import pytest

from cevnsjax.inference import LEVELS_1D, LEVELS_2D, profile, profile2d
from cevnsjax.inference._intervals import intervals_at
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterError, ParameterSet

RHO = 0.6


def correlated(sx=0.5, sy=2.0, rho=RHO):
    """Gaussian in (x, y) around (1, -2) plus an independent constrained nuisance eta."""
    icov = np.linalg.inv([[sx**2, rho * sx * sy], [rho * sx * sy, sy**2]])

    def chi2(p):
        d = jnp.stack([p["x"] - 1.0, p["y"] + 2.0])
        return d @ jnp.asarray(icov) @ d + ((p["eta"] - 1.0) / 0.1) ** 2

    ps = ParameterSet(
        [
            Parameter("x", 0.0, lower=-10.0, upper=10.0),
            Parameter("y", 0.0, free=True),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True),
        ]
    )
    return FunctionModel(chi2, ps, name="correlated", n_bins=20)


@pytest.fixture(scope="module")
def parabola():
    # y (free, correlated with x) is profiled out: x keeps its marginal width 0.5.
    return profile(correlated(), "x", np.linspace(-1.23, 3.17, 45), progress=False)


def test_parabola_profile_and_intervals(parabola):
    r = parabola
    assert r.fit.converged and np.all(r.converged)
    np.testing.assert_allclose(r.delta_chi2, ((r.grid - 1.0) / 0.5) ** 2, atol=1e-8)
    assert r.chi2_min == pytest.approx(0.0, abs=1e-9)
    assert r.best_fit["x"] == pytest.approx(1.0, abs=1e-6)
    assert r.ndof == 20 + 1 - 3  # one free parameter carries a constraint
    # The nuisance follows its conditional mean y = -2 + rho sy/sx (x - 1).
    np.testing.assert_allclose(r.nuisances["y"], -2.0 + RHO * 4.0 * (r.grid - 1.0), atol=1e-6)
    for level, threshold in LEVELS_1D.items():
        half = 0.5 * np.sqrt(threshold)
        if 1.0 + half <= 3.17 and 1.0 - half >= -1.23:
            [(lo, hi)] = r.intervals[level]
            assert lo == pytest.approx(1.0 - half, abs=1e-9)
            assert hi == pytest.approx(1.0 + half, abs=1e-9)
    # 3 sigma needs [-0.5, 2.5]: inside this grid.
    assert r.intervals["3sigma"][0][0] == pytest.approx(-0.5, abs=1e-9)


def test_open_ends_are_none():
    m = correlated()
    r = profile(m, "x", np.linspace(0.0, 1.7, 18), progress=False)
    [(lo, hi)] = r.intervals["1sigma"]
    assert (lo, hi) == (pytest.approx(0.5), pytest.approx(1.5))
    [(lo, hi)] = r.intervals["3sigma"]  # needs [-0.5, 2.5]: open on both sides
    assert lo is None and hi is None
    [(lo, hi)] = r.intervals["2sigma"]  # needs [0, 2]: the grid starts at 0 exactly
    assert lo is None and hi is None


def test_double_well_gives_disjoint_intervals():
    # Delta chi^2 = 4 (x^2 - 1)^2 after profiling y: 1 sigma is |x| in [sqrt(0.5), sqrt(1.5)].
    m = FunctionModel(
        lambda p: 4.0 * (p["x"] ** 2 - 1.0) ** 2 + ((p["y"] - 0.5 * p["x"]) / 0.3) ** 2,
        ParameterSet([Parameter("x", 0.3), Parameter("y", 0.0, free=True)]),
    )
    r = profile(m, "x", np.linspace(-2.0, 2.0, 161), progress=False)
    inner, outer = np.sqrt(0.5), np.sqrt(1.5)
    got = r.intervals["1sigma"]
    assert len(got) == 2
    np.testing.assert_allclose(got, [[-outer, -inner], [inner, outer]], atol=2e-4)
    [(lo, hi)] = r.intervals["3sigma"]  # x^2 <= 1 + 1.5 merges both wells
    assert hi == pytest.approx(np.sqrt(2.5), abs=2e-4) and lo == pytest.approx(-np.sqrt(2.5), abs=2e-4)


def test_profile_minimum_below_global_fit_is_refitted():
    # Two wells, the right one deeper; the global fit starts in the left one and (x, y unbounded)
    # has no box to restart from: the profile's lowest point is re-fitted to the true minimum.
    m = FunctionModel(
        lambda p: (p["x"] ** 2 - 1.0) ** 2 - 0.3 * p["x"] + (p["y"] - p["x"]) ** 2,
        ParameterSet([Parameter("x", -1.0), Parameter("y", -1.0, free=True)]),
    )
    r = profile(m, "x", np.linspace(-2.0, 2.0, 81), progress=False)
    # minimum of (x^2 - 1)^2 - 0.3 x: 4 x^3 - 4 x - 0.3 = 0, largest root
    x_star = max(np.roots([4.0, 0.0, -4.0, -0.3]).real)
    assert r.fit.values["x"] == pytest.approx(x_star, abs=1e-6) and r.best_fit["x"] == r.fit.values["x"]
    assert r.chi2_min == r.fit.chi2_min == pytest.approx((x_star**2 - 1) ** 2 - 0.3 * x_star, abs=1e-10)
    assert 0.0 <= np.nanmin(r.delta_chi2) < 1e-3


def test_profile_refuses_bad_requests():
    m = correlated()
    with pytest.raises(ParameterError, match="outside its bounds"):
        profile(m, "x", np.linspace(-20, 0, 5), progress=False)
    with pytest.raises(ParameterError, match="profiled and cannot also be fixed"):
        profile(m, "x", np.linspace(0, 1, 5), fixed={"x": 1.0}, progress=False)
    with pytest.raises(ParameterError, match="unknown parameter 'z'"):
        profile(m, "z", np.linspace(0, 1, 5), progress=False)
    with pytest.raises(ValueError, match="strictly increasing"):
        profile(m, "x", np.array([1.0, 0.0]), progress=False)


def test_2d_contours_of_correlated_gaussian():
    sx, sy = 0.5, 2.0
    m = correlated(sx, sy)
    ga, gb = np.linspace(-0.6, 2.6, 41), np.linspace(-8.5, 4.5, 41)
    r = profile2d(m, ("x", "y"), (ga, gb), progress=False)
    assert r.delta_chi2.shape == (41, 41) and np.all(r.converged)
    icov = np.linalg.inv([[sx**2, RHO * sx * sy], [RHO * sx * sy, sy**2]])
    a, b = np.meshgrid(ga - 1.0, gb + 2.0, indexing="ij")
    expected = icov[0, 0] * a**2 + 2 * icov[0, 1] * a * b + icov[1, 1] * b**2
    np.testing.assert_allclose(r.delta_chi2, expected, atol=1e-7)
    assert set(r.contours) == set(LEVELS_2D)
    for level in ("1sigma", "2sigma"):
        [poly] = r.contours[level]
        d = poly - np.array([1.0, -2.0])
        q = np.einsum("ki,ij,kj->k", d, icov, d)
        np.testing.assert_allclose(q, LEVELS_2D[level], rtol=0.02)
        assert np.allclose(poly[0], poly[-1])  # closed ellipse
        # Extent of the ellipse along x: sx sqrt(threshold).
        assert np.ptp(poly[:, 0]) / 2 == pytest.approx(sx * np.sqrt(LEVELS_2D[level]), rel=0.01)


R = 2 / np.sqrt(3)


@pytest.mark.parametrize(
    "x, y, expected",
    [
        ([-2, -1, 0, 1, 2], [12, 3, 0, 3, 12], [(-R, R)]),  # 3 x^2: exact crossings at +-2/sqrt(3)
        ([-1, 0, 1], [0, 3, 12], [(None, R - 1)]),  # 3 (x + 1)^2, open below
        ([-1, 0, 1], [9, 9, 9], []),
        ([-1, 0, 1], [0, 0, 0], [(None, None)]),
        ([-1, 0, 1], [np.nan, 0, 12], [(None, 1 / 3)]),  # NaN: open, and linear next to it
    ],
)
def test_intervals_at_edge_cases(x, y, expected):
    got = intervals_at(np.array(x, float), np.array(y, float), 4.0)
    assert len(got) == len(expected)
    for (lo, hi), (elo, ehi) in zip(got, expected):
        assert (lo is None) == (elo is None) and (hi is None) == (ehi is None)
        assert lo is None or lo == pytest.approx(elo)
        assert hi is None or hi == pytest.approx(ehi)


def test_branches_found_and_one_global_minimum_shared():
    """Two branches in y (y = +-x-ish): the profile of x keeps the lower one at every point, and
    the profiles of x and of y report the same global minimum (the lower one remembered)."""
    # chi2 = (y^2 - (x + 2)^2 / 4)^2 + 0.3 (y - 1)^2 ... minima near y = +-(x + 2) / 2, the y > 0 one lower
    ps = ParameterSet(
        [
            Parameter("x", 0.0, lower=-1.0, upper=3.0),
            Parameter("y", -1.0, lower=-5.0, upper=5.0),
            Parameter("eta", 1.0, lower=0.0, upper=2.0, constraint=(1.0, 0.1), free=True),
        ]
    )

    def chi2(p):
        return (
            (p["y"] ** 2 - ((p["x"] + 2.0) / 2.0) ** 2) ** 2
            + 0.3 * (p["y"] - 1.0) ** 2
            + (p["x"] - 1.0) ** 2
            + ((p["eta"] - 1.0) / 0.1) ** 2
        )

    m = FunctionModel(chi2, ps)
    grid = np.linspace(-1.0, 3.0, 9)
    r = profile(m, "x", grid, free=["y"], start={"y": -1.5}, progress=False)
    # brute force over y on a fine grid (eta = 1 at its prior mean is the conditional minimum)
    ys = np.linspace(-5.0, 5.0, 20001)
    brute = np.array([np.min((ys**2 - ((x + 2) / 2) ** 2) ** 2 + 0.3 * (ys - 1) ** 2 + (x - 1) ** 2) for x in grid])
    assert np.all(r.nuisances["y"] > 0)
    np.testing.assert_allclose(r.chi2, brute, atol=1e-6)
    other = profile(m, "y", np.linspace(-3.0, 3.0, 7), free=["x"], start={"y": -1.5}, progress=False)
    assert other.chi2_min == r.chi2_min and other.best_fit == r.best_fit
    xs = np.linspace(-1.0, 3.0, 2001)[:, None]
    fine = np.min((ys[::10] ** 2 - ((xs + 2) / 2) ** 2) ** 2 + 0.3 * (ys[::10] - 1) ** 2 + (xs - 1) ** 2)
    assert r.best_fit["y"] > 0 and r.chi2_min <= fine and r.chi2_min == pytest.approx(fine, abs=1e-4)
