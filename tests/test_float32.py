"""Every experiment in both precisions: float32 (JAX's default) finite and close to float64.

The tests run with float64 on (conftest.py); ``jax.enable_x64(False)`` builds and evaluates a
second copy of each experiment in float32 in the same process.  The points are the default one and
two random points of the box of the SM and nuisance parameters (each inside its bounds, nuisances
within 3 sigma of their priors; beyond-SM parameters at the SM, where chi^2 reaches 1e10 and more).
Accuracy reached (README, "Precision"): expected counts within 1.2e-5 of each component's largest
bin, chi^2 within 4e-6 (1 + chi^2), so within 1e-3 for chi^2 below ~250.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax.constants import pdg2022
from cevnsjax.physics import catalogue

BSM = {p.name for p in catalogue.bsm_parameters(pdg2022, sterile=True)}


def box_points(parameters, n: int, seed: int = 0) -> list[dict[str, float]]:
    """The default point and ``n`` random points of the SM + nuisance box."""
    rng = np.random.default_rng(seed)
    points = [{name: p.default for name, p in parameters.items()}]
    for _ in range(n):
        point = {}
        for name, p in parameters.items():
            lo, hi = p.lower, p.upper
            if p.constraint is not None:
                mean, sigma = p.constraint
                lo, hi = max(lo, mean - 3 * sigma), min(hi, mean + 3 * sigma)
            lo = lo if math.isfinite(lo) else p.default - 1.0
            hi = hi if math.isfinite(hi) else p.default + 1.0
            point[name] = p.default if name in BSM else rng.uniform(lo, hi)
        points.append(point)
    return points


def evaluate(name: str, points, grad: bool = False):
    """chi^2 and expected counts at ``points`` (and the chi^2 gradient at the first), in the current precision."""
    model = cj.experiment(name)
    run = jax.jit(lambda p: (model.chi2(p), model.expected(p)))
    values = [run({k: jnp.asarray(v) for k, v in p.items()}) for p in points]
    chi2 = np.array([float(c) for c, _ in values])
    expected = {k: np.stack([np.asarray(e[k], dtype=float) for _, e in values]) for k in values[0][1]}
    gradient = (
        jax.jit(jax.grad(lambda p: model.chi2(p)))({k: jnp.asarray(v) for k, v in points[0].items()}) if grad else {}
    )
    return chi2, expected, gradient


@pytest.mark.parametrize("name", cj.experiments.names())
def test_float32_gives_nan(name):
    """Defect 1 of the reliability campaign: float32 chi^2 was NaN (fluence x nuclei ~ 1e40 overflowed)."""
    points = box_points(cj.experiment(name).parameters, 2)
    chi2_64, exp_64, _ = evaluate(name, points)
    with jax.enable_x64(False):
        chi2_32, exp_32, grad_32 = evaluate(name, points, grad=True)
    assert all(v.dtype == jnp.float32 for v in grad_32.values())
    assert np.all(np.isfinite(chi2_32)) and all(np.all(np.isfinite(v)) for v in exp_32.values())
    assert all(np.isfinite(float(v)) for v in grad_32.values())
    assert np.all(np.abs(chi2_32 - chi2_64) < 1e-3 + 4e-6 * chi2_64), (chi2_32, chi2_64)
    for component, ref in exp_64.items():
        scale = np.max(np.abs(ref), axis=tuple(range(1, ref.ndim)), keepdims=True)
        assert np.all(np.abs(exp_32[component] - ref) <= 1.2e-5 * scale), component
