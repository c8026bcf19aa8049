"""Fits on toy models with analytic minima and errors; both engines; names and bounds."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from cevnsjax.inference import FitResult, FitWarning, PrecisionWarning, _objective, fit
from cevnsjax.inference._result import pdg_format
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterError, ParameterSet

MU = np.array([1.0, -2.0])
SIGMA = np.array([0.5, 2.0])
RHO = 0.6
COV = np.array([[SIGMA[0] ** 2, RHO * SIGMA[0] * SIGMA[1]], [RHO * SIGMA[0] * SIGMA[1], SIGMA[1] ** 2]])
ICOV = np.linalg.inv(COV)


def gauss_chi2(p):
    d = jnp.stack([p["x"] - MU[0], p["y"] - MU[1]])
    return d @ jnp.asarray(ICOV) @ d + ((p["eta"] - 1.0) / 0.1) ** 2


@pytest.fixture(scope="module")
def gauss():
    """Correlated Gaussian in physics parameters x, y plus a constrained nuisance eta."""
    ps = ParameterSet(
        [
            Parameter("x", 0.0, unit="fm", lower=-10.0, upper=10.0),
            Parameter("y", 0.0),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True),
        ]
    )
    return FunctionModel(gauss_chi2, ps, name="gauss", n_bins=12)


@pytest.fixture(scope="module")
def both_engines(gauss):
    return {e: fit(gauss, free=["x", "y"], engine=e, tolerance=1e-10) for e in ("jax", "iminuit")}


@pytest.mark.parametrize("engine", ["jax", "iminuit"])
def test_gaussian_minimum_errors_and_correlation(both_engines, engine):
    r = both_engines[engine]
    assert isinstance(r, FitResult) and r.converged
    np.testing.assert_allclose([r.values["x"], r.values["y"], r.values["eta"]], [*MU, 1.0], atol=1e-6)
    np.testing.assert_allclose([r.errors["x"], r.errors["y"], r.errors["eta"]], [*SIGMA, 0.1], rtol=0.01)
    assert r.chi2_min == pytest.approx(0.0, abs=1e-6)
    assert r.ndof == 12 + 1 - 3  # eta is constrained: its pull is a pseudo-measurement
    assert r.free == ("x", "y", "eta")
    assert r.correlation()["x", "y"] == pytest.approx(RHO, abs=0.01)
    assert r.correlation()["x", "eta"] == pytest.approx(0.0, abs=0.01)
    assert r.covariance["y", "y"] == pytest.approx(SIGMA[1] ** 2, rel=0.02)


def test_engines_agree(both_engines):
    a, b = both_engines["jax"], both_engines["iminuit"]
    for name in a.values:
        assert a.values[name] == pytest.approx(b.values[name], abs=1e-6)
        assert a.errors[name] == pytest.approx(b.errors[name], rel=0.01)
    assert a.chi2_min == pytest.approx(b.chi2_min, abs=1e-6)


def test_fixed_parameter_conditional_minimum_and_zero_error(gauss):
    r = fit(gauss, free=["x"], fixed={"y": 0.0})
    mean = MU[0] + RHO * SIGMA[0] / SIGMA[1] * (0.0 - MU[1])
    assert r.values["x"] == pytest.approx(mean, abs=1e-6)
    assert r.errors["x"] == pytest.approx(SIGMA[0] * np.sqrt(1 - RHO**2), rel=1e-6)
    assert r.values["y"] == 0.0 and r.errors["y"] == 0.0
    assert r.free == ("x", "eta") and r.ndof == 12 + 1 - 2
    assert r.chi2_min == pytest.approx((0.0 - MU[1]) ** 2 / SIGMA[1] ** 2, rel=1e-6)


def test_start_and_extra_constraint(gauss):
    # With y at its mean, x ~ N(1, s) with s = sigma_x sqrt(1 - rho^2); a constraint
    # N(0, s) on top halves the variance and moves the mean to 0.5.
    s = SIGMA[0] * np.sqrt(1 - RHO**2)
    r = fit(gauss, free=["x"], fixed={"y": MU[1]}, start={"x": 3.0}, constraints={"x": (0.0, s)})
    assert r.converged
    assert r.values["x"] == pytest.approx(0.5, abs=1e-6)
    assert r.errors["x"] == pytest.approx(s / np.sqrt(2), rel=1e-6)


def test_defaults_free_only_nuisances(gauss):
    r = fit(gauss)
    assert r.free == ("eta",)
    assert r.values["x"] == 0.0 and r.errors["x"] == 0.0


@pytest.mark.parametrize("engine", ["jax", "iminuit"])
@pytest.mark.parametrize(
    "lower, upper, target, expected",
    [(-1.0, 0.5, 2.0, 0.5), (-1.0, 0.5, -3.0, -1.0), (0.0, np.inf, -2.0, 0.0), (-np.inf, 0.25, 1.0, 0.25)],
)
def test_minimum_outside_bounds_ends_on_bound(engine, lower, upper, target, expected):
    m = FunctionModel(
        lambda p: ((p["a"] - target) / 0.3) ** 2,
        ParameterSet([Parameter("a", 0.0, lower=lower, upper=upper, free=True)]),
    )
    r = fit(m, engine=engine)
    assert lower <= r.values["a"] <= upper
    assert r.values["a"] == pytest.approx(expected, abs=1e-6)


def test_start_on_bound_moves_inside():
    m = FunctionModel(lambda p: (p["mu"] - 0.7) ** 2, ParameterSet([Parameter("mu", 0.0, lower=0.0, free=True)]))
    r = fit(m)
    assert r.converged and r.values["mu"] == pytest.approx(0.7, abs=1e-4)


def test_fix_outside_bounds_refused(gauss):
    with pytest.raises(ParameterError, match=r"x = 20.0 is outside its bounds \[-10.0, 10.0\]"):
        fit(gauss, fixed={"x": 20.0})
    with pytest.raises(ParameterError, match=r"outside its bounds \[0.0, inf\]"):
        fit(gauss, start={"eta": -1.0})


@pytest.mark.parametrize(
    "kwargs",
    [{"free": ["nope"]}, {"fixed": {"nope": 1.0}}, {"start": {"nope": 1.0}}, {"constraints": {"nope": (0, 1)}}],
)
def test_unknown_names_refused_with_valid_list(gauss, kwargs):
    with pytest.raises(ParameterError, match="unknown parameter 'nope'; valid names: x, y, eta"):
        fit(gauss, **kwargs)


def test_conflicting_requests_refused(gauss):
    with pytest.raises(ParameterError, match="both freed and fixed"):
        fit(gauss, free=["x"], fixed={"x": 1.0})
    with pytest.raises(ParameterError, match="not free"):
        fit(gauss, start={"x": 1.0})
    with pytest.raises(ValueError, match="unknown engine 'scipy'; valid engines: jax, iminuit"):
        fit(gauss, engine="scipy")
    with pytest.raises(ValueError, match="minos=True needs engine='iminuit'"):
        fit(gauss, minos=True)


def test_step_limit_reported():
    rosenbrock = FunctionModel(
        lambda p: (1 - p["a"]) ** 2 + 100 * (p["b"] - p["a"] ** 2) ** 2,
        ParameterSet([Parameter("a", -1.2, free=True), Parameter("b", 1.0, free=True)]),
    )
    r = fit(rosenbrock, max_steps=2)
    assert not r.converged and "maximum number of steps (2) reached" in r.message
    assert "NOT CONVERGED" in repr(r)
    good = fit(rosenbrock)
    assert good.converged and good.values["a"] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("engine", ["jax", "iminuit"])
def test_no_minimum_reported(engine):
    slope = FunctionModel(lambda p: -p["a"], ParameterSet([Parameter("a", 0.0, free=True)]))
    r = fit(slope, engine=engine)
    assert not r.converged and r.message


def test_minos_gaussian(gauss):
    r = fit(gauss, free=["x"], fixed={"y": MU[1]}, engine="iminuit", minos=True)
    lo, hi = r.minos["x"]
    cond = SIGMA[0] * np.sqrt(1 - RHO**2)
    assert lo == pytest.approx(-cond, rel=1e-3) and hi == pytest.approx(cond, rel=1e-3)
    assert "MINOS" in repr(r)


@pytest.mark.filterwarnings("ignore:Explicitly requested dtype")  # JAX truncating the test model's float64 constants
def test_float32_warns(gauss, monkeypatch):
    monkeypatch.setattr(_objective, "_float32_warned", False)
    with jax.enable_x64(False):
        with pytest.warns(PrecisionWarning, match=r"float32.*cevnsjax.configure\(\).*once"):
            fit(gauss)
        with warnings.catch_warnings():
            warnings.simplefilter("error", PrecisionWarning)
            fit(gauss)  # once per process: no second warning


def test_repr_and_pdg_rounding(both_engines):
    text = repr(both_engines["jax"])
    assert "converged" in text and "x" in text and "±" in text and "fm" in text
    assert pdg_format(0.23812, 0.00312) == "0.2381 ± 0.0031"
    assert pdg_format(0.23812, 0.00451) == "0.238 ± 0.005"
    assert pdg_format(0.23812, 0.0451) == "0.24 ± 0.05"
    assert pdg_format(12.345, 0.0996) == "12.35 ± 0.10"
    assert pdg_format(1.234e-5, 2.1e-7) == "(1.234 ± 0.021)e-05"


def test_compiled_solver_reused_across_calls():
    """A second fit with the same structure reuses the compiled solver, with the new fixed values and starts."""
    from cevnsjax.inference import _objective, profile

    def model():
        return FunctionModel(
            lambda p: ((p["x"] - p["c"]) / 0.5) ** 2 + (p["y"] - 2 * p["x"]) ** 2,
            ParameterSet([Parameter("x", 0.0, free=True), Parameter("y", 0.0, free=True), Parameter("c", 1.0)]),
        )

    def keys():
        return set(_objective._COMPILED)

    m = model()
    first = fit(m, fixed={"c": 1.0})
    before = keys()
    again = fit(m, fixed={"c": 3.0}, start={"x": 2.0})
    assert keys() <= before  # nothing new compiled
    assert first.values["x"] == pytest.approx(1.0, abs=1e-6) and again.values["x"] == pytest.approx(3.0, abs=1e-6)
    assert again.values["y"] == pytest.approx(6.0, abs=1e-5)
    # a profile compiles its batched solver once, then reuses it with other fixed values
    r1 = profile(m, "x", np.linspace(0.0, 2.0, 5), fixed={"c": 1.0}, progress=False)
    before = keys()
    r2 = profile(m, "x", np.linspace(2.0, 4.0, 5), fixed={"c": 3.0}, progress=False)
    assert keys() <= before
    assert r1.best_fit["x"] == pytest.approx(1.0, abs=1e-6) and r2.best_fit["x"] == pytest.approx(3.0, abs=1e-6)
    # a different model function is a different structure
    fit(model(), fixed={"c": 1.0})
    assert keys() - before


def double_well():
    """Two minima in x (x ~ -1 and the deeper x ~ +1), bounded x, with a constrained nuisance."""
    ps = ParameterSet(
        [
            Parameter("x", -1.0, lower=-3.0, upper=3.0, free=True),
            Parameter("eta", 1.0, lower=0.0, upper=2.0, constraint=(1.0, 0.1), free=True),
        ]
    )
    return FunctionModel(lambda p: 4.0 * (p["x"] ** 2 - 1.0) ** 2 - 0.5 * p["x"] + ((p["eta"] - 1.0) / 0.1) ** 2, ps)


@pytest.mark.parametrize("engine", ["jax", "iminuit"])
def test_fit_local_minimum_found_and_flagged(engine):
    m = double_well()
    # stationary points of 4 (x^2 - 1)^2 - 0.5 x: 16 x^3 - 16 x - 0.5 = 0
    left, _, right = np.sort(np.roots([16.0, 0.0, -16.0, -0.5]).real)

    def chi2(x):
        return 4.0 * (x**2 - 1.0) ** 2 - 0.5 * x

    with pytest.warns(FitWarning, match="local minimum"):
        r = fit(m, start={"x": -1.0}, engine=engine)
    assert r.converged and not r.trusted
    assert r.values["x"] == pytest.approx(right, abs=1e-5)
    assert r.chi2_min == pytest.approx(chi2(right), abs=1e-8)
    assert r.local_minimum_chi2 == pytest.approx(chi2(left), abs=1e-6)
    assert "local minimum" in r.message and r.restarts == 4
    # without restarts nothing can tell: the start's minimum is reported (and not flagged)
    alone = fit(m, start={"x": -1.0}, engine=engine, restarts=0)
    assert alone.values["x"] == pytest.approx(left, abs=1e-5) and alone.local_minimum_chi2 is None
    with pytest.raises(ValueError, match="restarts must be a non-negative integer"):
        fit(m, restarts=-1)


def at_bound():
    """chi^2 = ((x + 1) / 0.5)^2 + (y - x)^2 with x >= 0: the minimum sits on x = 0."""
    ps = ParameterSet(
        [
            Parameter("x", 1.0, unit="fm", lower=0.0, upper=10.0, free=True),
            Parameter("y", 0.0, lower=-10.0, upper=10.0, free=True),
        ]
    )
    return FunctionModel(lambda p: ((p["x"] + 1.0) / 0.5) ** 2 + (p["y"] - p["x"]) ** 2, ps, n_bins=4)


def test_at_limit_flagged_with_profile_error_in_both_engines():
    m = at_bound()
    # profile of x (y = x): 4 (x + 1)^2 - 4 = 1 at x = sqrt(1.25) - 1
    upper = np.sqrt(1.25) - 1.0
    results = {e: fit(m, engine=e) for e in ("jax", "iminuit")}
    for r in results.values():
        assert r.converged and r.at_limit == {"x": "lower"}
        assert r.values["x"] == pytest.approx(0.0, abs=1e-6)
        lo, hi = r.limit_errors["x"]
        assert lo == 0.0 and hi == pytest.approx(upper, rel=1e-5)  # Delta chi^2 = 1 to the tolerance 1e-6
        assert r.errors["x"] == pytest.approx(upper, rel=1e-5)
        assert r.errors["y"] == pytest.approx(1.0, rel=1e-3)  # conditional on x held at the bound
        assert r.value_text("x") == "0 +0.12 (at lower limit)"
        assert "at limit: x (lower)" in repr(r)
    a, b = results["jax"], results["iminuit"]
    assert a.errors["x"] == pytest.approx(b.errors["x"], rel=1e-6)
    assert a.errors["y"] == pytest.approx(b.errors["y"], rel=1e-3)


def _first_crossing() -> float:
    """x in (0, 5) with 3 sin^2(pi x / 10) + 0.05 x = 1, by bisection (the function rises there)."""
    lo, hi = 0.0, 5.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if 3.0 * np.sin(np.pi * mid / 10.0) ** 2 + 0.05 * mid < 1.0 else (lo, mid)
    return 0.5 * (lo + hi)


FIRST_CROSSING = _first_crossing()


@pytest.mark.parametrize(
    ("chi2", "side", "expected"),
    [
        # upper limit: ((x - 12) / 2)^2 - 1 = 1 at x = 12 - 2 sqrt(2)
        (lambda x: ((x - 12.0) / 2.0) ** 2, "upper", (-(2.0 * np.sqrt(2.0) - 2.0), 0.0)),
        # steep: ((x + 0.01) / 1e-3)^2 - 100 = 1 at x = 1e-3 sqrt(101) - 0.01 = 5e-5 (5e-6 of the range)
        (lambda x: ((x + 0.01) / 1e-3) ** 2, "lower", (0.0, 1e-3 * np.sqrt(101.0) - 0.01)),
        # shallow: Delta chi^2 = 0.056 at the other bound, no crossing
        (lambda x: ((x - 12.0) / 50.0) ** 2, "upper", (None, 0.0)),
        # up to 3.2 near x = 5 and back to 0.5 at x = 10 (as R_n with sin2_theta_w free): the first crossing,
        # 3 sin^2(pi x / 10) + 0.05 x = 1 (x = 1.9395...)
        (lambda x: 3.0 * jnp.sin(jnp.pi * x / 10.0) ** 2 + 0.05 * x, "lower", (0.0, FIRST_CROSSING)),
    ],
)
def test_limit_error_is_the_delta_chi2_crossing(chi2, side, expected):
    ps = ParameterSet([Parameter("x", 5.0, lower=0.0, upper=10.0, free=True)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)  # the shallow one is flat inside its bounds
        r = fit(FunctionModel(lambda p: chi2(p["x"]), ps), restarts=0)
    assert r.at_limit == {"x": side}
    lo, hi = r.limit_errors["x"]
    for got, want in ((lo, expected[0]), (hi, expected[1])):
        assert got == (None if want is None else pytest.approx(want, rel=1e-6, abs=1e-12))
    far = lo if side == "upper" else hi
    assert np.isnan(r.errors["x"]) if far is None else r.errors["x"] == abs(far)


@pytest.mark.parametrize("engine", ["jax", "iminuit"])
def test_flat_direction_flagged(engine):
    ps = ParameterSet(
        [Parameter("x", 0.0, free=True), Parameter("m", 2.0, unit="MeV", lower=1.0, upper=11.0, free=True)]
    )
    # m is constrained only at +-1000 MeV: far wider than its bounds
    m = FunctionModel(lambda p: (p["x"] - 1.0) ** 2 + 1e-6 * (p["m"] - 6.0) ** 2, ps)
    with pytest.warns(FitWarning, match="not constrained inside their bounds"):
        r = fit(m, engine=engine)
    assert r.flat == ("m",) and not r.trusted
    assert "not constrained" in r.value_text("m") and "not constrained" in r.status()


def test_rounding_stays_inside_bounds():
    assert pdg_format(3.4481, 2.43) == "3.4 ± 2.4"
    assert pdg_format(3.4481, 2.43, (3.448, 20.0)) == "3.45 ± 2.43"
    assert pdg_format(3.4401, 2.43, (3.44, 20.0)) == "3.44 ± 2.43"
    assert pdg_format(19.97, 2.43, (3.448, 19.98)) == "19.97 ± 2.43"


def test_multistart_rows_carry_the_lowest_start_and_its_hessian():
    """One packed transfer: every start's minimum, the lowest converged one and the exact Hessian there."""
    from cevnsjax.inference import _fit

    # two minima in x: chi^2 = (x^2 - 4)^2 / 4 + 0.5 x + (y - x)^2 / 0.25, the one at x ~ -2 is lower
    ps = ParameterSet([Parameter("x", 1.0, lower=-5.0, upper=5.0, free=True), Parameter("y", 0.0, free=True)])
    m = FunctionModel(lambda p: (p["x"] ** 2 - 4.0) ** 2 / 4.0 + 0.5 * p["x"] + (p["y"] - p["x"]) ** 2 / 0.25, ps)
    obj = _objective.build(m)
    rows = _fit.multistart(obj, 6, tolerance=1e-8, max_steps=200)
    assert rows.chi2.shape == (7,) and rows.x.shape == (7, 2) and rows.ok.all()
    assert rows.x[0, 0] > 0  # the start's own minimum is the upper one
    assert rows.best == int(np.argmin(rows.chi2)) and rows.x[rows.best, 0] < 0
    x = rows.x[rows.best, 0]
    # d2/dx2 of the quartic is 3 x^2 - 4, plus 8 from the (y - x)^2 / 0.25 term; d2/dy2 = 8, d2/dxdy = -8
    expected = np.array([[3 * x**2 - 4 + 8, -8.0], [-8.0, 8.0]])
    np.testing.assert_allclose(rows.hessian, expected, rtol=1e-12)
    np.testing.assert_allclose(rows.hessian, _fit.exact_hessian(obj, rows.x[rows.best]), rtol=1e-12)
    with pytest.warns(FitWarning, match="local minimum"):
        r = fit(m, restarts=6, tolerance=1e-8)
    assert r.values["x"] == rows.x[rows.best, 0] and r.local_minimum_chi2 == rows.chi2[0]
