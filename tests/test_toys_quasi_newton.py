"""The toys' quasi-Newton fits against the exact-Hessian Newton minimiser, toy by toy.

``cevnsjax.inference._toys`` fits every toy with gradients only, from the exact Hessian at the
truth computed once per truth point (:func:`cevnsjax.inference._minimize.quasi_newton`).  Here each
toy's pseudo-data and drawn constraint centres are re-derived from its key, and the toy is fitted
again by the damped Newton minimiser with the exact Hessian at every iteration
(:func:`cevnsjax.inference._minimize.minimize`, what ``fit`` and ``profile`` use), from the same
start.  Both fits of every toy are compared: the global one (R_n free) and the one with R_n held at
its truth, for Gaussian data (argon 2020) and Poisson counts (COH-Ar-750 projection), with the
truth on R_n's lower bound (R_n = R_p, where the Feldman-Cousins belt of notebook/README starts and
where half of the toys end on the bound).
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax.inference._minimize import _analyse, derivatives, minimize, quasi_newton
from cevnsjax.inference._objective import build
from cevnsjax.inference._toys import MARGIN, _draw, curvatures, priors, run_rows
from cevnsjax.inference._transforms import to_external, to_internal

N_TOYS = 200
SEED = 5


def exact_fits(obj, truth_row, poi, n):
    """Both fits of toys 0..n-1 of point 0 by the exact Newton minimiser, and the EDM of the quasi-Newton fit.

    Returns:
        ``(chi2, x, ok, chi2_poi, ok_poi)`` combined as :func:`run_rows` does, and ``(edm, exact)``: the
        EDM of the toys' quasi-Newton global fit with its own Hessian and with the exact one at its end.
    """
    names = tuple(obj.base)
    constrained = priors(obj)
    nuisances = [n_ for n_, _, _ in constrained]
    means = jnp.array([m for _, m, _ in constrained])
    sigmas = jnp.array([s for _, _, s in constrained])
    keep = [i for i, n_ in enumerate(obj.free) if n_ not in poi]
    held = dataclasses.replace(obj, free=tuple(obj.free[i] for i in keep), lower=obj.lower[keep], upper=obj.upper[keep])
    truth = jnp.asarray(truth_row)
    x0 = np.array([truth_row[names.index(n_)] for n_ in obj.free])

    b0 = jnp.asarray(curvatures(obj, SEED, np.zeros(1), truth_row[None])[0][0])

    def fit(o, inputs, shift, u0):
        lo, hi = jnp.asarray(o.lower), jnp.asarray(o.upper)

        def fx(x):
            p = {**o.point(truth), **dict(zip(o.free, x))}
            return o.chi2(inputs, x) + shift(jnp.stack([p[k] for k in nuisances]))

        def f(u):
            return fx(to_external(u, lo, hi))

        res = minimize(f, u0)
        return res.fval, to_external(res.u, lo, hi), jnp.isfinite(res.fval) & res.posdef & (res.edm < 1e-6), fx

    def one(leaves, toy):
        # the key scheme of run_rows: fold_in(fold_in(key(seed), point), toy), split into data and centres
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(SEED), 0), toy)
        k_data, k_aux = jax.random.split(key)
        inputs = _draw(obj, leaves, k_data, truth)
        true = jnp.stack([truth[names.index(k)] for k in nuisances])
        aux = true + sigmas * jax.random.normal(k_aux, true.shape, true.dtype)

        def shift(t):  # Eq. (142) of docs/physics.md
            return jnp.sum(((t - aux) ** 2 - (t - means) ** 2) / sigmas**2)

        u0 = jnp.asarray(to_internal(x0, obj.lower, obj.upper))
        chi2, x, ok, fx = fit(obj, inputs, shift, u0)
        chi2_poi, x_poi, ok_poi, _ = fit(held, inputs, shift, u0[jnp.asarray(keep)])
        # the toys' global fit again, its EDM against the exact Hessian's at its end point
        lo, hi = jnp.asarray(obj.lower), jnp.asarray(obj.upper)
        qn = quasi_newton(fx, u0, b0, lo, hi, tolerance=1e-6, max_steps=200, margin=MARGIN)
        _, g, h = derivatives(lambda u: fx(to_external(u, lo, hi)), qn.u)
        return chi2, x, ok, chi2_poi, x_poi, ok_poi, qn.edm, _analyse(g, h)[4]

    out = jax.jit(lambda leaves: jax.lax.map(lambda t: one(leaves, t), jnp.arange(n)))(obj.leaves)
    chi2, x, ok, chi2_poi, x_poi, ok_poi, edm, exact = map(np.asarray, out)
    # as run_rows: the held fit's minimum is a point of the physical region too
    lower = ok_poi & (~ok | (chi2_poi < chi2))
    x_held = np.tile(x0, (n, 1))
    x_held[:, keep] = x_poi
    fits = np.where(lower, chi2_poi, chi2), np.where(lower[:, None], x_held, x), ok | lower, chi2_poi, ok_poi
    return fits, (edm, exact)


@pytest.fixture(scope="module", params=["coherent_ar_2020", "coh_ar_750"])
def pair(request):
    """(experiment, quasi-Newton rows, exact rows) of N_TOYS toys at R_n on its lower bound."""
    cj.configure()
    model = cj.experiment(request.param)
    obj = build(model, ["rn_ar40"])
    names = tuple(obj.base)
    truth = np.array([obj.base[n] for n in names])
    truth[names.index("rn_ar40")] = obj.lower[obj.free.index("rn_ar40")]
    rows = run_rows(
        obj, np.tile(truth, (N_TOYS, 1)), np.zeros(N_TOYS, int), np.arange(N_TOYS), seed=SEED, poi=("rn_ar40",)
    )
    return request.param, obj, rows, exact_fits(obj, truth, ("rn_ar40",), N_TOYS)


def test_quasi_newton_toys_agree_with_exact_newton(pair):
    name, obj, rows, ((chi2, x, ok, chi2_poi, ok_poi), _) = pair
    assert rows.ok.all() and rows.ok_poi.all() and ok.all() and ok_poi.all()
    # the held fits (nuisances only, a convex problem here): the same minimum for every toy
    np.testing.assert_allclose(rows.chi2_poi, chi2_poi, atol=1e-6, rtol=0)
    print(name, "held: max |dchi2|", np.abs(rows.chi2_poi - chi2_poi).max())
    # the global fits: the same minimum, or another converged local minimum of R_n (argon's chi^2 has a
    # second valley at large R_n) for a few toys, lower as often for one minimiser as for the other
    same = np.abs(rows.chi2 - chi2) < 1e-6
    print(name, "agree", same.mean(), "max |dchi2| where same", np.abs(rows.chi2 - chi2)[same].max())
    assert same.mean() >= 0.97, (name, np.flatnonzero(~same), rows.chi2[~same] - chi2[~same])
    assert np.abs(rows.chi2 - chi2)[same].max() < 1e-7  # both stop at EDM < 1e-9
    np.testing.assert_allclose(rows.x[same], x[same], atol=2e-3, rtol=0)
    on_bound = x[same, 0] < obj.lower[0] + 1e-6
    print(name, "on bound", on_bound.mean(), "max |dx|", np.abs(rows.x[same] - x[same]).max(axis=0))
    assert 0.2 < on_bound.mean() < 0.8  # R_n ends on its bound for a good part of the toys, inside for the rest
    assert np.array_equal(rows.x[same, 0] < obj.lower[0] + 1e-6, on_bound)


def test_the_quasi_newton_edm_is_honest(pair):
    """The EDM that decides a toy's convergence, with the quasi-Newton Hessian, against the exact Hessian's."""
    name, _, _, (_, (edm, exact)) = pair
    ratio = exact / edm
    print(
        name,
        "EDM exact / quasi-Newton: median",
        np.median(ratio),
        "range",
        ratio.min(),
        ratio.max(),
        "max exact",
        exact.max(),
    )
    assert np.all(edm < 1e-6) and np.all(exact < 1e-6)  # converged by either Hessian's judgement
    assert 0.5 < np.median(ratio) < 2 and ratio.max() < 10
