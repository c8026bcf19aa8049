"""Detector-response building blocks: cevnsjax.detectors.quenching, .resolution, .efficiency.

For every function: an analytic limit or an independent (scipy / numpy) check, numpy in ->
numpy float64 out, and a finite jax gradient, also at the edges (T -> 0, the efficiency zero,
t = t0).  That the experiments reproduce their previous numbers with these functions is checked
by the published-number tests of each experiment.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats
from scipy.integrate import quad

from cevnsjax.detectors import efficiency as eff
from cevnsjax.detectors import quenching as qu
from cevnsjax.detectors import resolution as res

SCINT = (5.54628e-02, 4.30681e00, -1.11707e02, 8.40384e02)  # CsI 2021 scintRespCoefficients, nominal
EFF = (1.32045, 0.285979, 10.8646, -0.333322)  # CsI 2021 effCoefficients, nominal
ACC = (0.6655, 0.4942, 10.8507)  # CsI 2017 acceptance
T0, RATE = 0.52, 0.0494  # CsI 2021 timing efficiency


def test_linear_capped():
    T = np.linspace(0.0, 300.0, 61)
    e = qu.linear_capped(T, 0.246, 0.00078, 125.0)
    assert e.dtype == np.float64 and isinstance(e, np.ndarray)
    lo, hi = T <= 125.0, T >= 125.0
    np.testing.assert_allclose(e[lo], 0.246 * T[lo] + 0.00078 * T[lo] ** 2, rtol=1e-14)
    np.testing.assert_allclose(e[hi] / T[hi], 0.246 + 0.00078 * 125.0, rtol=1e-14)
    g = jax.grad(lambda t: qu.linear_capped(t, 0.246, 0.00078, 125.0))(50.0)
    assert np.isclose(g, 0.246 + 2 * 0.00078 * 50.0)


def test_polynomial():
    T = np.linspace(0.0, 0.06, 31)
    e = qu.polynomial(T, SCINT)
    assert isinstance(e, np.ndarray) and e.dtype == np.float64
    np.testing.assert_allclose(e, 1e3 * np.polyval([*SCINT[::-1], 0.0], T), rtol=1e-12, atol=1e-15)
    g = jax.grad(lambda t: qu.polynomial(t, SCINT))(0.0)
    assert np.isclose(g, 1e3 * SCINT[0])
    g = jax.grad(lambda c: qu.polynomial(0.02, (c, *SCINT[1:])))(SCINT[0])
    assert np.isclose(g, 1e3 * 0.02)


def test_lindhard():
    T = np.geomspace(1e-3, 1e3, 25)
    eps = 11.5 * 32.0 ** (-7 / 3) * T
    g = 3 * eps**0.15 + 0.7 * eps**0.6 + eps
    np.testing.assert_allclose(qu.lindhard(T, 32.0, 1e-9) / (1e-9 * g), 1.0, rtol=1e-8)  # small-k limit k g
    assert qu.lindhard(1e9, 32.0, 0.157) > 1 - 1e-5  # -> 1 at high energy
    q = qu.lindhard(T, 32.0, 0.157)
    assert isinstance(q, np.ndarray) and q.dtype == np.float64 and np.all(np.diff(q) > 0)
    for t in (1e-6, 10.0):
        assert np.isfinite(jax.grad(lambda t: qu.lindhard(t, 32.0, 0.157))(t))
        assert np.isfinite(jax.grad(lambda k, t=t: qu.lindhard(t, 32.0, k))(0.157))


def test_constant_and_tabulated_quenching():
    T = np.array([0.0, 1.0, 5.0, 20.0])
    np.testing.assert_array_equal(qu.constant(T, 0.0878), 0.0878 * T)
    tt, tq = np.array([2.0, 10.0]), np.array([0.1, 0.2])
    e = qu.tabulated(T, tt, tq)
    assert isinstance(e, np.ndarray) and e.dtype == np.float64
    np.testing.assert_allclose(e, T * np.array([0.1, 0.1, 0.1 + 0.1 * 3 / 8, 0.2]), rtol=1e-14)
    assert np.isclose(jax.grad(lambda t: qu.constant(t, 0.0878))(3.0), 0.0878)
    assert np.isclose(jax.grad(lambda t: qu.tabulated(t, tt, tq))(6.0), 0.15 + 6.0 * 0.1 / 8)


def test_gaussian_pdf_and_bins():
    pdf = res.gaussian_pdf(np.array([3.0, 10.0]), np.array([0.5, 2.0]))
    x = np.linspace(-5.0, 25.0, 7)[:, None]
    np.testing.assert_allclose(pdf(x), stats.norm.pdf(x, [3.0, 10.0], [0.5, 2.0]), rtol=1e-13)
    edges = np.linspace(1.0, 15.0, 29)
    mean = np.array([[0.5, 4.0, 8.0], [12.0, 14.9, 20.0]])
    sigma = res.fano_sigma(mean, 0.08)
    np.testing.assert_allclose(sigma**2, 0.08**2 + 0.11 * 2.96e-3 * mean, rtol=1e-14)
    p = res.gaussian_bins(edges, mean, sigma)
    assert p.shape == (28, 2, 3) and isinstance(p, np.ndarray) and p.dtype == np.float64
    cdf = stats.norm.cdf(edges[:, None, None], mean, sigma)
    np.testing.assert_allclose(p, np.diff(cdf, axis=0), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(p.sum(axis=0), cdf[-1] - cdf[0], rtol=1e-12, atol=1e-15)
    grad = jax.grad(lambda m: jnp.sum(res.gaussian_bins(edges, m, res.fano_sigma(m, 0.08))[3] ** 2))
    assert np.all(np.isfinite(grad(jnp.asarray(mean))))
    assert np.isfinite(jax.grad(lambda m: res.gaussian_pdf(m, 0.5)(2.0))(3.0))


def test_gamma_pdf():
    a, b = res.csi_gamma_parameters(np.array([0.5, 3.0]))
    np.testing.assert_allclose([a, b], [[0.0749 / 0.5, 0.0749 / 3.0], [9.56 * 0.5, 9.56 * 3.0]], rtol=1e-15)
    for ai, bi in zip(a, b, strict=True):
        pdf = res.gamma_pdf(ai, bi)
        assert quad(pdf, 0, np.inf)[0] == pytest.approx(1.0, rel=1e-8)
        assert quad(lambda x, pdf=pdf: x * pdf(x), 0, np.inf)[0] == pytest.approx(1 / ai, rel=1e-8)
        x = np.array([-1.0, 0.0, 2.0, 30.0])
        ref = stats.gamma.pdf(x, 1 + bi, scale=1 / (ai * (1 + bi)))
        np.testing.assert_allclose(res.gamma_pdf(ai, bi)(x), ref, rtol=1e-12)
    out = res.gamma_pdf(a, b)(np.array([[1.0], [5.0]]))
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == (2, 2)
    g = jax.grad(lambda e: res.gamma_pdf(*res.csi_gamma_parameters(e))(20.0))(1.5)
    assert np.isfinite(g) and g != 0
    assert jax.grad(lambda x: res.gamma_pdf(0.1, 5.0)(x))(0.0) == 0.0
    assert jax.grad(lambda a: res.gamma_pdf(a, 1e-3)(-1.0))(750.0) == 0.0  # no overflow on the x <= 0 branch


def test_poisson_counts():
    mu = np.array([[0.3, 4.0], [12.5, 25.0]])
    p = res.poisson_counts(mu, 120)
    assert p.shape == (120, 2, 2) and isinstance(p, np.ndarray) and p.dtype == np.float64
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-13)
    np.testing.assert_allclose(p, stats.poisson.pmf(np.arange(120)[:, None, None], mu), rtol=1e-12, atol=1e-300)
    grad = jax.grad(lambda m: res.poisson_counts(m, 50)[7])(5.0)
    assert np.isclose(grad, stats.poisson.pmf(6, 5.0) - stats.poisson.pmf(7, 5.0))


def test_logistic():
    x = np.linspace(0.0, 60.0, 121)
    e = eff.logistic(x, *EFF)
    assert isinstance(e, np.ndarray) and e.dtype == np.float64 and np.all(e >= 0)
    z = eff.logistic_zero(*EFF)
    assert 0 < z < 10 and abs(EFF[0] / (1 + np.exp(-EFF[1] * (z - EFF[2]))) + EFF[3]) < 1e-14
    assert np.all(e[x < z] == 0) and np.all(e[x > z] > 0)
    assert eff.logistic_zero(1.0, 0.3, 10.0, 0.0) == -np.inf
    assert eff.logistic_zero(1.0, 0.3, 10.0, -2.0) == -np.inf
    np.testing.assert_allclose(eff.logistic(x, 0.9, 0.4, 10.0), 0.9 * (1 - stats.logistic.sf(x, 10.0, 1 / 0.4)))
    for xi in (float(z), 20.0):
        assert np.isfinite(jax.grad(lambda t: eff.logistic(t, *EFF))(xi))
    dz = jax.grad(lambda d: eff.logistic_zero(EFF[0], EFF[1], EFF[2], d))(EFF[3])
    assert np.isfinite(dz) and dz == pytest.approx(
        (eff.logistic_zero(*EFF[:3], EFF[3] + 1e-7) - eff.logistic_zero(*EFF[:3], EFF[3] - 1e-7)) / 2e-7, rel=1e-5
    )
    assert jax.grad(lambda d: eff.logistic_zero(1.0, 0.3, 10.0, d))(0.0) == 0.0


def test_tabulated_efficiency():
    tx, te = np.array([1.0, 2.0, 4.0]), np.array([0.2, 0.6, 0.8])
    e = eff.tabulated(np.array([0.0, 1.0, 1.5, 3.0, 4.0, 9.0]), tx, te)
    assert isinstance(e, np.ndarray) and e.dtype == np.float64
    np.testing.assert_allclose(e, [0.0, 0.2, 0.4, 0.7, 0.8, 0.8], rtol=1e-14)
    assert np.isclose(jax.grad(lambda x: eff.tabulated(x, tx, te))(3.0), 0.1)


def test_timing():
    t = np.array([0.0, 0.3, T0, 1.0, 6.0])
    e = eff.timing_exponential(t, T0, RATE)
    assert isinstance(e, np.ndarray) and e.dtype == np.float64
    np.testing.assert_allclose(e, [1.0, 1.0, 1.0, np.exp(-RATE * 0.48), np.exp(-RATE * 5.48)], rtol=1e-15)
    integral = eff.integrated_timing_exponential(t, T0, RATE)
    ref = [quad(eff.timing_exponential, 0.0, ti, args=(T0, RATE), points=[T0] if ti > T0 else None)[0] for ti in t]
    np.testing.assert_allclose(integral, ref, rtol=1e-12, atol=1e-15)
    for f in (eff.timing_exponential, eff.integrated_timing_exponential):
        for ti in (T0, 0.2, 3.0):
            assert np.isfinite(jax.grad(lambda s, f=f: f(s, T0, RATE))(ti))
            assert np.isfinite(jax.grad(lambda s, f=f, ti=ti: f(ti, s, RATE))(T0))
    assert np.isclose(
        jax.grad(lambda s: eff.integrated_timing_exponential(s, T0, RATE))(3.0), eff.timing_exponential(3.0, T0, RATE)
    )


def test_counting_acceptance():
    n = np.arange(15)
    acc = eff.counting_acceptance(n, *ACC)
    assert isinstance(acc, np.ndarray) and acc.dtype == np.float64
    full = ACC[0] * stats.logistic.cdf(n, ACC[2], 1 / ACC[1])
    np.testing.assert_allclose(acc, np.where(n >= 6, full, np.where(n == 5, full / 2, 0.0)), rtol=1e-13)
    assert np.isfinite(jax.grad(lambda x0: eff.counting_acceptance(jnp.arange(15.0), ACC[0], ACC[1], x0)[8])(ACC[2]))


def test_jax_in_jax_out():
    x = jnp.linspace(1.0, 30.0, 5)
    outs = [
        qu.linear_capped(x, 0.246, 0.00078, 125.0),
        qu.polynomial(x * 1e-3, SCINT),
        qu.lindhard(x, 32.0, 0.157),
        qu.constant(x, 0.1),
        qu.tabulated(x, jnp.array([1.0, 9.0]), jnp.array([0.1, 0.2])),
        res.gaussian_pdf(x, 1.0)(x),
        res.gamma_pdf(0.1, x)(x),
        res.fano_sigma(x, 0.08),
        res.gaussian_bins(jnp.arange(0.0, 31.0), x, 1.0),
        res.poisson_counts(x, 10),
        eff.logistic(x, *EFF),
        eff.tabulated(x, np.array([1.0, 9.0]), np.array([0.1, 0.2])),
        eff.timing_exponential(x / 5, T0, RATE),
        eff.integrated_timing_exponential(x / 5, T0, RATE),
        eff.counting_acceptance(x, *ACC),
        eff.logistic_zero(*map(jnp.asarray, EFF)),
    ]
    assert all(isinstance(o, jax.Array) and o.dtype == jnp.float64 for o in outs)
    jitted = jax.jit(lambda m: res.poisson_counts(m, 10))(x)
    np.testing.assert_allclose(jitted, res.poisson_counts(np.asarray(x), 10), rtol=1e-13)


# --- to be replaced when the private copies in the experiment modules are deleted -------------------------------
