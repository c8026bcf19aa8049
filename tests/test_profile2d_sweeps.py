"""2D profiles by line sweeps: the lower branch everywhere, and each point a true minimum.

``profile2d`` minimises from several starts only at a coarse subgrid and then sweeps rows and
columns from neighbour to neighbour (cevnsjax/inference/_sweeps.py); these tests check its points
against a brute-force minimum (two branches that swap across the grid) and against an independent
many-start MIGRAD minimisation of the argon nuisances.
"""

import iminuit
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax.inference import profile2d
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterSet

A = np.linspace(-1.0, 1.0, 9)
B = np.linspace(-1.0, 1.0, 7)


def two_branches():
    """A double well in the nuisance y whose tilt 0.6 (a + b) picks y ~ -1 (a + b > 0) or y ~ +1 (a + b < 0).

    Both wells exist at every grid point, so a minimiser started on one stays there.
    """

    def chi2(p):
        y = p["y"]
        return (
            4.0 * (y**2 - 1.0) ** 2
            + 0.6 * (p["a"] + p["b"]) * y
            + (p["a"] - 0.2) ** 2
            + (p["b"] + 0.1) ** 2
            + ((p["eta"] - 1.0) / 0.1) ** 2
        )

    ps = ParameterSet(
        [
            Parameter("a", 0.0, lower=-2.0, upper=2.0),
            Parameter("b", 0.0, lower=-2.0, upper=2.0),
            Parameter("y", 1.0, lower=-3.0, upper=3.0, free=True),
            Parameter("eta", 1.0, lower=0.0, upper=2.0, constraint=(1.0, 0.1), free=True),
        ]
    )
    return FunctionModel(chi2, ps, name="two_branches")


def test_lower_branch_at_every_point():
    r = profile2d(two_branches(), ("a", "b"), (A, B), progress=False)
    ys = np.linspace(-3.0, 3.0, 60001)
    aa, bb = np.meshgrid(A, B, indexing="ij")
    t = 0.6 * (aa + bb)[..., None]
    brute = np.min(4.0 * (ys**2 - 1.0) ** 2 + t * ys, axis=-1) + (aa - 0.2) ** 2 + (bb + 0.1) ** 2
    assert r.converged.all()
    np.testing.assert_allclose(r.chi2, brute, atol=1e-6)
    # the branch: y < 0 where a + b > 0, y > 0 where a + b < 0
    side = np.sign(aa + bb)
    assert np.all(r.nuisances["y"][side > 0] < 0) and np.all(r.nuisances["y"][side < 0] > 0)


@pytest.fixture(scope="module")
def argon():
    cj.configure()
    return cj.experiment("coherent_ar_2020")


def test_argon_points_equal_an_independent_many_start_minimisation(argon):
    """Every nuisance re-minimised at each point: chi^2 within 1e-3 of MIGRAD from 6 starts."""
    names = ("r2_nu_ee", "r2_nu_mumu")
    ee, mumu = np.linspace(-60.0, 40.0, 6), np.linspace(-40.0, 30.0, 5)
    r = profile2d(argon, names, (ee, mumu), progress=False)
    assert r.converged.all()
    ps = argon.parameters
    free = ps.default_free()
    base = {n: float(v) for n, v in ps.defaults().items()}

    @jax.jit
    def chi2(x, held):
        return argon.chi2({**base, **dict(zip(free, x)), **dict(zip(names, held))})

    rng = np.random.default_rng(1)
    bounds = [(max(ps[n].lower, 0.0), min(ps[n].upper, 3.0)) for n in free]
    for i, j in [(0, 0), (2, 3), (5, 4)]:
        held = jnp.array([ee[i], mumu[j]])
        best = np.inf
        for _ in range(6):
            start = [rng.uniform(lo, hi) for lo, hi in bounds]
            m = iminuit.Minuit(lambda *x: float(chi2(jnp.array(x), held)), *start, name=free)
            m.errordef = iminuit.Minuit.LEAST_SQUARES
            m.limits = [(ps[n].lower, ps[n].upper) for n in free]
            m.migrad()
            best = min(best, m.fval)
        assert r.chi2[i, j] == pytest.approx(best, abs=1e-3)
        assert r.chi2[i, j] <= best + 1e-6  # never above the independent minimum
