"""Start-up: the persistent compilation cache hits in a new process; grids of nearby lengths reuse
the compiled programs (sizes padded to buckets)."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax._setup import cache_dir, cli_compilation_cache
from cevnsjax.inference._shapes import bucket
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterSet

CACHED = textwrap.dedent(
    """
    import sys
    import jax, jax.numpy as jnp
    import cevnsjax as cj
    events = []
    jax.monitoring.register_event_listener(lambda name, **kw: events.append(name))
    cj.configure(compilation_cache=sys.argv[1])
    f = jax.jit(lambda x: jnp.sum(jnp.sin(x) ** 2 + jnp.cos(x)))
    print(float(f(jnp.arange(5.0))), events.count("/jax/compilation_cache/cache_hits"),
          events.count("/jax/compilation_cache/cache_misses"))
    """
)


def test_compilation_cache_hits_in_a_new_process(tmp_path):
    folder = tmp_path / "cache"
    run = [sys.executable, "-c", CACHED, str(folder)]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    first = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout.split()
    second = subprocess.run(run, capture_output=True, text=True, check=True, env=env).stdout.split()
    assert first[0] == second[0]  # the same value from the loaded program
    stored = int(first[2])  # every program compiled by the first process (however quick) is stored
    assert first[1] == "0" and stored >= 1 and len(list(folder.glob("*-cache"))) == stored
    assert second[1:] == [str(stored), "0"]  # and loaded by the second: nothing compiled


def test_cache_settings(monkeypatch):
    monkeypatch.setenv("CEVNSJAX_CACHE_DIR", "~/elsewhere")
    assert str(cache_dir()) == os.path.expanduser("~/elsewhere")
    monkeypatch.delenv("CEVNSJAX_CACHE_DIR")
    assert cache_dir().parts[-2:] == ("cevnsjax", "jax")
    monkeypatch.delenv("CEVNSJAX_NO_COMPILATION_CACHE", raising=False)
    assert cli_compilation_cache(False) and not cli_compilation_cache(True)
    monkeypatch.setenv("CEVNSJAX_NO_COMPILATION_CACHE", "1")
    assert not cli_compilation_cache(False)
    monkeypatch.setenv("CEVNSJAX_NO_COMPILATION_CACHE", "0")
    assert cli_compilation_cache(False)


def test_buckets_bound_the_padding():
    sizes = np.arange(1, 5000)
    padded = np.array([bucket(n) for n in sizes])
    assert np.all(padded >= sizes) and np.all(padded - sizes < padded / 3 + 1)  # at most a third is padding
    assert len(set(padded[45:47])) == 1  # 46 and 47 points: one bucket (48)


@pytest.fixture(scope="module")
def counted():
    """A model that counts how often its chi^2 is traced (each compilation traces it once)."""
    traces = []

    def chi2(p):
        traces.append(1)
        return ((p["mu"] * p["eta"] - 1.0) / 0.3) ** 2 + ((p["eta"] - 1.0) / 0.1) ** 2

    ps = ParameterSet(
        [
            Parameter("mu", 0.0, lower=-10.0, upper=10.0, kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True),
        ]
    )
    return FunctionModel(chi2, ps, name="counted"), traces


@pytest.mark.parametrize("kind", ["scan", "profile"])
def test_a_new_grid_length_in_the_same_bucket_compiles_nothing(counted, kind):
    model, traces = counted
    runs = {
        "scan": lambda n: cj.scan(model, {"mu": np.linspace(0.0, 2.0, n)}, progress=False).chi2,
        "profile": lambda n: cj.profile(model, "mu", np.linspace(0.5, 2.0, n), restarts=0, progress=False).chi2,
    }
    first = runs[kind](46)
    before = len(traces)
    second = runs[kind](47)
    assert len(traces) == before, f"{kind}: 47 points traced the chi^2 again"
    assert first.shape == (46,) and second.shape == (47,) and np.isfinite(second).all()
    assert second[0] == pytest.approx(first[0], rel=1e-12) and second[-1] == pytest.approx(first[-1], rel=1e-12)
    runs[kind](80)  # another bucket: compiled anew
    assert len(traces) > before


def test_the_program_ends_with_its_commands_code_and_output(tmp_path):
    """``python -m cevnsjax`` (cevnsjax.cli.run, which skips the interpreter's teardown): the exit
    code and the flushed output of the command; under cProfile the normal exit, so the report is written."""
    import json

    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    program = [sys.executable, "-m", "cevnsjax"]
    bad = subprocess.run([*program, "fit", "nope", "--json"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and json.loads(bad.stdout.splitlines()[-1])["error"].startswith("unknown experiment")
    listed = subprocess.run([*program, "list"], capture_output=True, text=True, env=env)
    assert listed.returncode == 0 and "coherent_ar_2020" in listed.stdout and listed.stdout.endswith("\n")
    report = tmp_path / "list.prof"
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(report), *program[1:], "list"],
        env=env,
        check=True,
        capture_output=True,
    )
    assert report.stat().st_size > 0
