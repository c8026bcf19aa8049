"""Grid scans: equal to direct evaluation; sharded over 4 fake CPU devices equal to 1 device."""

import os
import subprocess
import sys
import textwrap

import jax.numpy as jnp
import numpy as np
import pytest

from cevnsjax.inference import scan
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterError, ParameterSet


def toy():
    ps = ParameterSet(
        [
            Parameter("a", 0.5, lower=0.0, upper=2.0),
            Parameter("b", 0.0),
            Parameter("c", 1.0, lower=0.0),
            Parameter("eta", 1.0, constraint=(1.0, 0.1), free=True),
        ]
    )
    return FunctionModel(
        lambda p: (
            ((p["a"] - 1.2) / 0.3) ** 2
            + (p["b"] * p["c"] - 0.4) ** 2
            + jnp.sin(3 * p["a"] * p["b"])
            + ((p["eta"] - 1.0) / 0.1) ** 2
        ),
        ps,
        name="toy",
    )


def direct(a, b, c, eta):
    return ((a - 1.2) / 0.3) ** 2 + (b * c - 0.4) ** 2 + np.sin(3 * a * b) + ((eta - 1.0) / 0.1) ** 2


def test_scan_equals_direct_evaluation():
    ga, gb, gc = np.linspace(0.0, 2.0, 7), np.linspace(-1.0, 1.0, 5), np.array([0.5, 2.0])
    r = scan(toy(), {"a": ga, "b": gb, "c": gc}, fixed={"eta": 1.1}, chunk_size=16, progress=False)
    a, b, c = np.meshgrid(ga, gb, gc, indexing="ij")
    np.testing.assert_allclose(r.chi2, direct(a, b, c, 1.1), rtol=1e-13)
    assert r.chi2.shape == (7, 5, 2) and r.params == ("a", "b", "c")
    k = np.unravel_index(np.argmin(r.chi2), r.chi2.shape)
    assert r.best_point == {"a": ga[k[0]], "b": gb[k[1]], "c": gc[k[2]]}
    assert r.chi2_min == pytest.approx(r.chi2.min())


def test_scan_million_points():
    ga, gb = np.linspace(0.0, 2.0, 1000), np.linspace(-1.0, 1.0, 1001)
    r = scan(toy(), {"a": ga, "b": gb}, progress=False)
    assert r.chi2.size == 1_001_000
    rows = [0, 517, 999]
    a, b = np.meshgrid(ga[rows], gb, indexing="ij")
    np.testing.assert_allclose(r.chi2[rows], direct(a, b, 1.0, 1.0), rtol=1e-13)


def test_scan_refuses_bad_requests():
    with pytest.raises(ParameterError, match=r"outside its bounds \[0.0, 2.0\]"):
        scan(toy(), {"a": np.linspace(-1, 1, 3)}, progress=False)
    with pytest.raises(ParameterError, match="unknown parameter 'z'; valid names: a, b, c, eta"):
        scan(toy(), {"z": [1.0]}, progress=False)
    with pytest.raises(ParameterError, match="cannot also be fixed"):
        scan(toy(), {"a": [1.0]}, fixed={"a": 1.0}, progress=False)


SHARDED = textwrap.dedent(
    """
    import jax
    jax.config.update("jax_enable_x64", True)
    import numpy as np
    from tests.test_inference_scan import toy
    from cevnsjax.inference import scan

    assert jax.device_count() == 4, jax.devices()
    grid = {"a": np.linspace(0.0, 2.0, 37), "b": np.linspace(-1.0, 1.0, 29)}
    many = scan(toy(), grid, chunk_size=250, progress=False)
    one = scan(toy(), grid, chunk_size=250, devices=jax.devices()[:1], progress=False)
    assert many.n_devices == 4 and one.n_devices == 1
    assert np.array_equal(many.chi2, one.chi2), np.abs(many.chi2 - one.chi2).max()
    assert many.best_point == one.best_point
    print("sharded ok")
    """
)


def test_sharded_equals_single_device():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu")
    out = subprocess.run(
        [sys.executable, "-c", SHARDED], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "sharded ok" in out.stdout


def test_scan_profiles_nuisances_or_says_they_are_fixed():
    # chi2 = ((a - 1.2 eta) / 0.3)^2 + ((eta - 1) / 0.1)^2: profiling eta gives ((a - 1.2) / sqrt(0.3^2 + 0.12^2))^2
    ps = ParameterSet(
        [Parameter("a", 0.5, lower=0.0, upper=3.0), Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True)]
    )
    m = FunctionModel(lambda p: ((p["a"] - 1.2 * p["eta"]) / 0.3) ** 2 + ((p["eta"] - 1.0) / 0.1) ** 2, ps)
    a = np.linspace(0.0, 3.0, 13)
    fixed = scan(m, {"a": a}, progress=False)
    assert fixed.profiled == () and fixed.converged is None and "not profiled" in repr(fixed)
    np.testing.assert_allclose(fixed.chi2, ((a - 1.2) / 0.3) ** 2, rtol=1e-12)
    prof = scan(m, {"a": a}, profile=True, progress=False)
    assert prof.profiled == ("eta",) and np.all(prof.converged) and "profiled" in repr(prof)
    np.testing.assert_allclose(prof.chi2, (a - 1.2) ** 2 / (0.3**2 + 0.12**2), atol=1e-9)
    eta = (a * 1.2 / 0.09 + 1.0 / 0.01) / (1.2**2 / 0.09 + 1.0 / 0.01)  # the conditional minimum
    np.testing.assert_allclose(prof.nuisances["eta"], eta, atol=1e-7)
    with pytest.raises(ValueError, match="only with profile=True"):
        scan(m, {"a": a}, free=["eta"], progress=False)
