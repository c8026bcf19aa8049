"""NUTS recovers known posteriors (Gaussian, and a half-normal behind a bound)."""

import numpy as np
import pytest

from cevnsjax.inference import SampleResult, sample
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterSet

KEYS = {"mean", "std", "median", "q05", "q16", "q84", "q95", "r_hat", "ess", "ess_bulk", "ess_tail"}


@pytest.fixture(scope="module")
def posterior():
    # x ~ N(1, 0.5) inside wide bounds, y ~ N(-2, 2) unbounded, h ~ half-normal(1) on h >= 0
    # (checks the Jacobian of the bounded map), z fixed.
    ps = ParameterSet(
        [
            Parameter("x", 0.0, lower=-5.0, upper=5.0),
            Parameter("y", 0.0),
            Parameter("h", 0.0, lower=0.0, free=True),
            Parameter("z", 0.0),
        ]
    )
    m = FunctionModel(
        lambda p: ((p["x"] - 1.0) / 0.5) ** 2 + ((p["y"] + 2.0) / 2.0) ** 2 + p["h"] ** 2 + p["z"] ** 2,
        ps,
        name="posterior",
    )
    return sample(m, free=["x", "y"], chains=4, samples=1000, warmup=500, seed=1, progress=False)


def test_summary_shape(posterior):
    assert isinstance(posterior, SampleResult)
    assert list(posterior.summary) == ["x", "y", "h"]
    assert all(set(s) == KEYS for s in posterior.summary.values())
    assert posterior.samples["x"].shape == (4, 1000)
    assert posterior.num_chains == 4 and posterior.num_samples == 1000
    assert isinstance(posterior.divergences, int) and posterior.divergences < 20
    assert posterior.fixed == {"z": 0.0}
    assert "divergences" in repr(posterior)


@pytest.mark.parametrize(
    "name, mean, std",
    [("x", 1.0, 0.5), ("y", -2.0, 2.0), ("h", np.sqrt(2 / np.pi), np.sqrt(1 - 2 / np.pi))],
)
def test_recovers_mean_and_width(posterior, name, mean, std):
    s = posterior.summary[name]
    assert s["r_hat"] < 1.05 and s["ess"] > 500
    assert s["mean"] == pytest.approx(mean, abs=5 * std / np.sqrt(s["ess"]))
    assert s["std"] == pytest.approx(std, rel=0.1)
    assert s["q16"] < s["median"] < s["q84"]
    assert posterior.samples[name].min() >= (0.0 if name == "h" else -np.inf)


def test_to_arviz(posterior):
    idata = posterior.to_arviz()
    assert set(idata.posterior.data_vars) == {"x", "y", "h"}
    assert idata.posterior["x"].shape == (4, 1000)
    assert int(idata.sample_stats["diverging"].sum()) == posterior.divergences


def test_nothing_to_sample_refused():
    m = FunctionModel(lambda p: p["a"] ** 2, ParameterSet([Parameter("a", 0.0)]))
    with pytest.raises(ValueError, match="no free parameters"):
        sample(m, progress=False)
    with pytest.raises(ValueError, match="unknown chain_method 'threads'"):
        sample(m, free=["a"], chain_method="threads", progress=False)
