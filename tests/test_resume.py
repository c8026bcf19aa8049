"""Long runs lose nothing: incremental --output, a valid partial file when interrupted, --resume."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import jax
import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax.inference import _checkpoint
from cevnsjax.model import FunctionModel
from cevnsjax.parameters import Parameter, ParameterSet
from tests.test_results_io import assert_same

jax.config.update("jax_enable_x64", True)


@pytest.fixture(scope="module")
def model():
    ps = ParameterSet(
        [
            Parameter("mu", 0.0, unit="fm", lower=-10.0, upper=10.0, kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True),
        ]
    )
    return FunctionModel(
        lambda p: ((p["mu"] * p["eta"] - 1.0) / 0.3) ** 2 + ((p["eta"] - 1.0) / 0.1) ** 2, ps, name="toy_resume"
    )


def interrupted_after(n, run, monkeypatch):
    """Run ``run()`` with Ctrl-C arriving right after the n-th chunk is written."""
    add = _checkpoint.Checkpoint.add

    def add_then_stop(self, chunk, state=None):
        add(self, chunk, state)
        if len(self.chunks) == n:
            raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(_checkpoint.Checkpoint, "add", add_then_stop)
        with pytest.raises(KeyboardInterrupt):
            run()


def check_partial(path, done, total):
    data = json.loads(path.read_text())
    assert data["partial"] and data["progress"] == {"done": done, "total": total}
    with pytest.raises(ValueError, match=f"{done} of {total} chunks done\\); continue it with --resume"):
        cj.load(path)


@pytest.mark.parametrize("kind", ["scan", "profile", "profile2d", "sample"])
def test_resume_gives_the_uninterrupted_result(model, kind, tmp_path, monkeypatch):
    runs = {
        "scan": lambda **kw: cj.scan(
            model, {"mu": np.linspace(-1, 2, 9), "eta": np.linspace(0.8, 1.2, 5)}, chunk_size=7, progress=False, **kw
        ),
        "profile": lambda **kw: cj.profile(model, "mu", np.linspace(0.5, 2, 11), batch_size=3, progress=False, **kw),
        "profile2d": lambda **kw: cj.profile2d(
            model, ("mu", "eta"), (np.linspace(0.5, 2, 4), np.linspace(0.8, 1.2, 3)), batch_size=5, progress=False, **kw
        ),
        "sample": lambda **kw: cj.sample(
            model, free=["mu"], chains=2, samples=30, warmup=30, chunk_draws=15, progress=False, **kw
        ),
    }
    run = runs[kind]
    whole = run()  # no output: one run (NUTS included: chunks continue the chain state and its key)
    path = tmp_path / "cut.json"
    interrupted_after(1, lambda: run(output=path), monkeypatch)
    total = {"scan": 7, "sample": 2}.get(kind)
    if total is None:  # profiles: chunks of batch_size minimisations (grid points x multi-start seeds)
        total = json.loads(path.read_text())["progress"]["total"]
        assert total > 1
    check_partial(path, 1, total)
    resumed = run(output=path, resume=True)
    assert_same(whole, resumed)
    assert_same(whole, cj.load(path))
    assert_same(whole, run(output=path, resume=True))  # a finished file is reloaded, not recomputed


def test_resume_refuses_another_run(model, tmp_path, monkeypatch):
    path = tmp_path / "cut.json"
    grid = {"mu": np.linspace(-1, 2, 9)}
    interrupted_after(1, lambda: cj.scan(model, grid, chunk_size=2, progress=False, output=path), monkeypatch)
    with pytest.raises(ValueError, match="different run \\(differs in grid\\)"):
        cj.scan(model, {"mu": np.linspace(-1, 3, 9)}, chunk_size=2, progress=False, output=path, resume=True)
    with pytest.raises(ValueError, match="does not hold a ProfileResult"):
        cj.profile(model, "mu", np.linspace(0, 1, 3), progress=False, output=path, resume=True)


SCRIPT = textwrap.dedent(
    """
    import sys, time
    import jax, jax.numpy as jnp
    import numpy as np
    from cevnsjax import experiments
    from cevnsjax.cli import main
    from cevnsjax.model import FunctionModel
    from cevnsjax.parameters import Parameter, ParameterSet

    def slow(x):  # one call per chunk (vmapped as a whole): 0.3 s of "work"
        time.sleep(0.3)
        return np.zeros(x.shape)

    def toy():
        ps = ParameterSet([Parameter("mu", 0.0, lower=-10.0, upper=10.0), Parameter("eta", 1.0, lower=0.0)])
        def chi2(p):
            pad = jax.pure_callback(slow, jax.ShapeDtypeStruct((), jnp.float64), p["mu"], vmap_method="broadcast_all")
            return ((p["mu"] * p["eta"] - 1.0) / 0.3) ** 2 + (p["eta"] - 1.0) ** 2 + pad
        return FunctionModel(chi2, ps, name="slow_toy")

    experiments.register("slow_toy", toy, options={})
    main(sys.argv[1:])
    """
)


def start(tmp_path, *extra):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    args = [
        "scan",
        "slow_toy",
        "--grid",
        "mu=-1:2:12",
        "--grid",
        "eta=0.5:1.5:5",
        "--chunk-size",
        "4",
        "--fixed-nuisances",
        *extra,
    ]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.Popen(
        [sys.executable, str(script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def wait_for_chunks(path, n, proc, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if path.exists() and json.loads(path.read_text()).get("progress", {}).get("done", 0) >= n:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("no progress")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("whole")
    proc = start(tmp, "--output", tmp / "whole.json")
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return cj.load(tmp / "whole.json")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_cli_scan_resumes_to_the_same_result(tmp_path, uninterrupted, sig):
    path = tmp_path / "scan.json"
    proc = start(tmp_path, "--output", path)
    wait_for_chunks(path, 3, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    data = json.loads(path.read_text())  # a valid file, whatever the signal
    assert data["partial"] and 3 <= data["progress"]["done"] < data["progress"]["total"] == 15
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        lines = [line for line in err.splitlines() if line.startswith("error")]
        assert len(lines) == 1 and "continue with the same command and --resume" in lines[0], err
        assert f"of 15 chunks are saved in {path}" in lines[0]
    else:
        assert proc.returncode == -signal.SIGKILL
    proc = start(tmp_path, "--output", path, "--resume")
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert_same(uninterrupted, cj.load(path))
