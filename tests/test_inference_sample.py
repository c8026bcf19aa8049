"""NUTS recovers known posteriors (Gaussian, and a half-normal behind a bound); its compiled
sampler is reused by later calls, and a seed gives the same draws."""

import json
import os
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest

from cevnsjax.inference import SampleResult, sample
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterSet

KEYS = {"mean", "std", "median", "q05", "q16", "q84", "q95", "r_hat", "ess", "ess_bulk", "ess_tail"}
RUN = dict(free=["x", "y"], chains=4, samples=1000, warmup=500, seed=1, progress=False)

_compiles: list | None = None  # XLA compilations while a list is set here


def _on_event(name: str, duration: float, **_) -> None:
    if _compiles is not None and name == "/jax/core/compile/backend_compile_duration":
        _compiles.append(name)


jax.monitoring.register_event_duration_secs_listener(_on_event)


@pytest.fixture(scope="module")
def model():
    # x ~ N(1, 0.5) inside wide bounds, y ~ N(-2, 2) unbounded, h ~ half-normal(1) on h >= 0
    # (checks the Jacobian of the bounded map), z fixed.  traces: how often the chi^2 is traced.
    ps = ParameterSet(
        [
            Parameter("x", 0.0, lower=-5.0, upper=5.0),
            Parameter("y", 0.0),
            Parameter("h", 0.0, lower=0.0, free=True),
            Parameter("z", 0.0),
        ]
    )
    traces = []

    def chi2(p):
        traces.append(1)
        return ((p["x"] - 1.0) / 0.5) ** 2 + ((p["y"] + 2.0) / 2.0) ** 2 + p["h"] ** 2 + p["z"] ** 2

    return FunctionModel(chi2, ps, name="posterior"), traces


@pytest.fixture(scope="module")
def posterior(model):
    return sample(model[0], **RUN)


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


def test_a_second_call_compiles_nothing_and_a_seed_repeats_its_draws(model, posterior):
    global _compiles
    m, traces = model
    before, _compiles = len(traces), []
    try:
        again = sample(m, **RUN)
        other = sample(m, **{**RUN, "seed": 2}, fixed={"z": 0.5}, start={"x": 0.5})
    finally:
        compiles, _compiles = _compiles, None
    assert len(traces) == before and compiles == []
    for name in posterior.samples:
        assert np.array_equal(again.samples[name], posterior.samples[name])
        assert not np.array_equal(other.samples[name], posterior.samples[name])
    for name in posterior.sample_stats:
        assert np.array_equal(again.sample_stats[name], posterior.sample_stats[name])
    # z = 0.5 adds a constant to the potential: the same posterior of x
    assert other.summary["x"]["mean"] == pytest.approx(1.0, abs=5 * 0.5 / np.sqrt(other.summary["x"]["ess"]))


PARALLEL = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import cevnsjax as cj
    from cevnsjax.model import FunctionModel
    from cevnsjax.parameters import Parameter, ParameterSet
    cj.configure()
    ps = ParameterSet([Parameter("x", 0.0, lower=-5.0, upper=5.0), Parameter("y", 0.0, free=True)])
    m = FunctionModel(lambda p: ((p["x"] - 1.0) / 0.5) ** 2 + ((p["y"] + 2.0) / 2.0) ** 2, ps)
    r = cj.sample(m, free=["x"], chains=4, samples=500, warmup=300, seed=4, chain_method="parallel", progress=False)
    print(json.dumps({n: [s["mean"], s["std"], s["ess"], s["r_hat"]] for n, s in r.summary.items()}))
    """
)


def test_parallel_chains_on_two_devices():
    # the chains shared by 2 (forced host) devices, vmapped on each (the fixture's are sequential)
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    env["PYTHONPATH"] = os.getcwd()
    run = subprocess.run([sys.executable, "-c", PARALLEL], capture_output=True, text=True, env=env, check=True)
    out = json.loads(run.stdout.strip().splitlines()[-1])
    for name, mean, std in (("x", 1.0, 0.5), ("y", -2.0, 2.0)):
        m, s, ess, r_hat = out[name]
        assert r_hat < 1.05 and ess > 300, name
        assert m == pytest.approx(mean, abs=5 * std / np.sqrt(ess)), name
        assert s == pytest.approx(std, rel=0.15), name
