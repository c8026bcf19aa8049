"""Implicit gradients through minima and profile crossings (docs/physics.md section 20).

Checked against closed forms (a Gaussian chi^2, where the argmin and the 1-sigma crossing are
linear in the design), against central finite differences of the converged solver, under
``jit`` and ``vmap``, and on a real profile-based sensitivity: the expected 1-sigma error of
sin^2 theta_W from the germanium projection, differentiated with respect to threshold,
exposure and background level.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax.inference import crossing, design_chi2, minimize

cj.configure()


def quadratic(x, d):
    """chi^2 of x0 measured as d +- 1 and x1 - 2 x0 as 0 +- 1: argmin (d, 2d)."""
    return (x[0] - d) ** 2 + (x[1] - 2.0 * x[0]) ** 2


def on_off(x, d):
    """Poisson on/off counting chi^2 (Asimov): x = (signal strength, background normalisation).

    On: s + b counts, expected mu s + eta b; off: r b counts, expected eta r b.
    """
    s, b, r = d["s"], d["b"], d["r"]

    def deviance(mu, n):
        return 2.0 * (mu - n + n * jnp.log(n / mu))

    return deviance(x[0] * s + x[1] * b, s + b) + deviance(x[1] * r * b, r * b)


ON_OFF = dict(x0=[1.0, 1.0], lower=[0.0, 0.0], upper=[10.0, 10.0])
DESIGN = {"s": jnp.asarray(10.0), "b": jnp.asarray(5.0), "r": jnp.asarray(2.0)}


def central(fun, d, key, rel=1e-5):
    h = rel * float(d[key])
    up, down = dict(d), dict(d)
    up[key], down[key] = d[key] + h, d[key] - h
    return (fun(up) - fun(down)) / (2 * h)


def test_argmin_derivative_is_the_closed_form_and_works_under_jit_and_vmap():
    def argmin_and_value(d):
        sol = minimize(quadratic, [0.0, 0.0], d)
        return jnp.append(sol.x, sol.fval)

    # columns: d x0*/dd = 1, d x1*/dd = 2, and the envelope theorem: d f*/dd = 0 (f* = 0 for every d)
    jac = jax.jit(jax.vmap(jax.jacfwd(argmin_and_value)))(jnp.array([-1.0, 1.5]))
    np.testing.assert_allclose(jac, [[1.0, 2.0, 0.0]] * 2, rtol=1e-10, atol=1e-12)


def test_argmin_gradient_of_a_bounded_poisson_fit_matches_finite_differences():
    """The background normalisation fitted with the on data scaled: not at the truth, so it moves."""

    def eta(d):
        def chi2(x, d):
            return on_off(x, d) + ((x[0] - 1.2) / 0.1) ** 2  # a pull on mu away from the Asimov truth

        return minimize(chi2, ON_OFF["x0"], d, lower=ON_OFF["lower"], upper=ON_OFF["upper"]).x[1]

    grad = jax.jit(jax.grad(eta))(DESIGN)
    for key in DESIGN:
        fd = central(jax.jit(eta), DESIGN, key)
        assert abs(float(fd)) > 1e-4
        np.testing.assert_allclose(grad[key], fd, rtol=1e-6)


def test_crossing_of_a_gaussian_profile_is_the_closed_form():
    def chi2(x, s):  # the profile of x0 is (x0 / s)^2: crossings at +-s sqrt(level), derivative +-sqrt(level)
        return (x[0] / s) ** 2 + (x[1] - x[0]) ** 2

    def both(s):
        return jnp.stack([crossing(chi2, [0.1, 0.0], 0, s), crossing(chi2, [0.1, 0.0], 0, s, side=-1, level=4.0)])

    values, grads = jax.jit(lambda s: (both(s), jax.jacrev(both)(s)))(2.0)
    np.testing.assert_allclose(values, [2.0, -4.0], rtol=1e-9)
    np.testing.assert_allclose(grads, [1.0, -2.0], rtol=1e-9)


def test_expected_upper_limit_with_the_truth_on_a_bound():
    """x0 >= 0 with Asimov truth 0 (on the bound): the 95% CL limit sqrt(2.71) s, derivative sqrt(2.71)."""

    def chi2(x, s):
        return (x[0] / s) ** 2 + (x[1] - x[0]) ** 2

    def limit(s):
        return crossing(chi2, [0.0, 0.0], 0, s, level=2.71, lower=[0.0, -np.inf], upper=[10.0, np.inf])

    value, grad = jax.jit(jax.value_and_grad(limit))(0.5)
    assert float(value) == pytest.approx(np.sqrt(2.71) * 0.5, rel=1e-9)
    # the best fit approaches the bound only linearly (the Minuit transform is flat there): 3e-8
    assert float(grad) == pytest.approx(np.sqrt(2.71), rel=1e-6)


def test_crossing_of_the_on_off_profile_matches_finite_differences_under_jit_and_vmap():
    def upper(d):
        return crossing(on_off, ON_OFF["x0"], 0, d, lower=ON_OFF["lower"], upper=ON_OFF["upper"])

    value_and_grad = jax.jit(jax.value_and_grad(upper))
    width, grad = value_and_grad(DESIGN)
    # the Poisson profile is asymmetric: its +1 crossing lies above the Gaussian 1 + sqrt(s + b + b/r)/s
    assert 1.40 < float(width) < 1.46
    for key in DESIGN:
        fd = central(lambda d: value_and_grad(d)[0], DESIGN, key)
        np.testing.assert_allclose(grad[key], fd, rtol=1e-6)
    batch = {k: jnp.array([v, 2.0 * v]) for k, v in DESIGN.items()}
    widths, grads = jax.jit(jax.vmap(jax.value_and_grad(upper)))(batch)
    np.testing.assert_allclose(widths[0], width, rtol=1e-12)
    for key in DESIGN:
        np.testing.assert_allclose(grads[key][0], grad[key], rtol=1e-9)
    # the crossing of a design with twice the counts is closer to the truth
    assert 1.0 < float(widths[1]) < float(width)


def test_bad_input_is_refused_with_its_name():
    with pytest.raises(ValueError, match="index"):
        crossing(quadratic, [0.0, 0.0], 2, 1.0)
    with pytest.raises(ValueError, match="side"):
        crossing(quadratic, [0.0, 0.0], 0, 1.0, side=0)
    with pytest.raises(ValueError, match="level"):
        crossing(quadratic, [0.0, 0.0], 0, 1.0, level=-1.0)
    with pytest.raises(ValueError, match="lower < upper"):
        minimize(quadratic, [0.0, 0.0], 1.0, lower=[1.0, 0.0], upper=[0.0, 1.0])
    with pytest.raises(ValueError, match="x0"):
        minimize(quadratic, [], 1.0)
    with pytest.raises(TypeError, match="with_design"):
        design_chi2(cj.experiment("apv_cs"), ["sin2_theta_w"])


@pytest.fixture(scope="module")
def germanium():
    return cj.experiment(
        "sns_ge_projection", electron_scattering=False, bin_kevee=1.0, sigma0_kevee=0.15, background=2.0
    )


def test_with_design_at_the_built_values_is_the_built_model(germanium):
    same, double, lower = jax.jit(
        lambda m: (
            m.with_design().data,
            m.with_design(exposure=2.0, background=jnp.asarray(4.0)).data,
            m.with_design(threshold_kevee=0.6).data,
        )
    )(germanium)
    np.testing.assert_allclose(same, germanium.data, rtol=1e-12)
    np.testing.assert_allclose(double, 2.0 * germanium.data, rtol=1e-12)
    assert float(lower[0]) > float(germanium.data[0]) and np.allclose(lower[1:], germanium.data[1:], rtol=1e-12)


def test_profile_sensitivity_gradient_matches_finite_differences(germanium):
    """The must-hold: d sigma(sin^2 theta_W) / d design, implicit vs central differences, to 1e-4."""
    f, x0, lower, upper = design_chi2(germanium, ["sin2_theta_w", "eta_flux", "qf_k", "eta_bkg"])
    design = {"threshold_kevee": jnp.asarray(1.0), "exposure": jnp.asarray(1.0), "background": jnp.asarray(2.0)}
    value_and_grad = jax.jit(jax.value_and_grad(lambda d: crossing(f, x0, 0, d, lower=lower, upper=upper) - x0[0]))
    sigma, grad = value_and_grad(design)
    assert 0.01 < float(sigma) < 0.03  # ~7% on sin^2 theta_W from ~800 events and a 10% flux prior
    assert float(grad["exposure"]) < 0 and float(grad["threshold_kevee"]) > 0 and float(grad["background"]) > 0
    for key in design:
        fd = central(lambda d: value_and_grad(d)[0], design, key, rel=1e-4)
        np.testing.assert_allclose(grad[key], fd, rtol=1e-4)


def test_interval_width_and_upper_limit_of_gaussian_profiles_are_the_closed_forms():
    from cevnsjax.inference import interval_width, upper_limit

    def chi2(x, s):
        return (x[0] / s) ** 2 + (x[1] - x[0]) ** 2

    width, grad = jax.jit(jax.value_and_grad(lambda s: interval_width(chi2, [0.1, 0.0], 0, s, level=4.0)))(1.5)
    assert float(width) == pytest.approx(4 * 1.5, rel=1e-9) and float(grad) == pytest.approx(4.0, rel=1e-9)
    bounds = dict(lower=[0.0, -np.inf], upper=[10.0, np.inf])
    limit, grad = jax.jit(jax.value_and_grad(lambda s: upper_limit(chi2, [0.0, 0.0], 0, s, cl=0.9, **bounds)))(0.5)
    assert float(limit) == pytest.approx(1.2815516 * 0.5, rel=1e-6) and float(grad) == pytest.approx(
        1.2815516, rel=1e-6
    )
    with pytest.raises(ValueError, match="cl=0.3"):
        upper_limit(chi2, [0.0, 0.0], 0, 0.5, cl=0.3)


def test_expected_upper_limit_gradient_matches_finite_differences(germanium):
    """The 90% CL expected limit on the nu_e magnetic moment (Asimov, no signal) as a function of the design.

    The truth mu_nu_e = 0 is on its bound and the rate goes as mu^2: no Hessian error, the
    limit is the Delta chi^2 = 1.64 crossing (Eq. (174)), differentiated by Eq. (172).
    """
    from cevnsjax.inference import upper_limit

    f, x0, lower, upper = design_chi2(germanium, ["mu_nu_e", "eta_flux", "qf_k", "eta_bkg"])
    design = {"threshold_kevee": jnp.asarray(1.0), "exposure": jnp.asarray(1.0), "background": jnp.asarray(2.0)}
    value_and_grad = jax.jit(
        jax.value_and_grad(lambda d: upper_limit(f, x0, 0, d, cl=0.9, lower=lower, upper=upper, scale=50.0))
    )
    limit, grad = value_and_grad(design)
    assert 10.0 < float(limit) < 40.0  # [1e-10 mu_B]: 21 at the defaults
    assert float(grad["exposure"]) < 0 and float(grad["threshold_kevee"]) > 0 and float(grad["background"]) > 0
    for key in design:
        fd = central(lambda d: value_and_grad(d)[0], design, key, rel=1e-4)
        np.testing.assert_allclose(grad[key], fd, rtol=1e-4)


def test_expected_sterile_limit_versus_baseline_matches_finite_differences():
    """The baseline design for a given sterile Delta m^2 (notebook 11): d limit / dL, implicit vs central differences.

    COH-Ar-750 moved to a baseline L (flux x (L0/L)^2, the steady-state background unchanged),
    Asimov data without oscillation, the 90% CL expected limit on |U_mu4|^2 at dm41^2 = 1 eV^2.
    The phase 1.267 dm^2 L/E is that of the built baseline L0 with dm41^2 L/L0 (the spread dL
    scales with L: 0.5 m at L0).  The limit is worst near the source (no oscillation yet) and far
    away (no flux): its minimum lies between, near the first maximum of the prompt line (37 m).
    """
    from cevnsjax.inference import upper_limit
    from cevnsjax.likelihood import Poisson

    ar = cj.experiment("coh_ar_750", n_bins=6, sterile=True)
    l0 = ar.signal.baseline[0]
    defaults = ar.parameters.defaults()
    names = ("umu4_sq", "eta_flux", "eta_bkg")
    x0 = np.array([defaults[n] for n in names])
    lower, upper = (np.array([getattr(ar.parameters[n], b) for n in names]) for b in ("lower", "upper"))
    nominal = ar.expected(defaults)

    def chi2(x, L):
        s = (l0 / L) ** 2
        p = {**defaults, **dict(zip(names, x)), "dm41_sq": 1.0 * L / l0}
        e = ar.expected(p)
        data = s * nominal["cevns"] + nominal["bkg"]
        return Poisson(data).chi2(s * e["cevns"] + e["bkg"]) + ar.parameters.constraint_chi2(p)

    value_and_grad = jax.jit(jax.value_and_grad(lambda L: upper_limit(chi2, x0, 0, L, lower=lower, upper=upper)))
    limits = {}
    for L in (15.0, 45.0):
        limits[L], grad = value_and_grad(L)
        h = 1e-4 * L
        fd = (value_and_grad(L + h)[0] - value_and_grad(L - h)[0]) / (2 * h)
        np.testing.assert_allclose(grad, fd, rtol=1e-4)
        assert np.sign(float(grad)) == (-1 if L < 37 else 1)  # the limit improves towards the optimum
    assert 0.03 < float(limits[45.0]) < float(limits[15.0]) < 0.5
