"""Runs split across processes (jax.distributed): two local CPU processes give the one-process result, bit for bit.

Every engine that splits its chunks is run once in one process and once in two (scan, profile,
exclusion, toys, Feldman-Cousins; the command line of scan and fc), with chunks small enough that
each run has several rounds and one with a spare copy on process 1.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy import stats

import cevnsjax as cj
from cevnsjax.inference._distributed import initialize

WORKER = textwrap.dedent(
    """
    import contextlib, io, json, sys
    from typing import ClassVar
    import jax.numpy as jnp
    import numpy as np
    import cevnsjax as cj
    from cevnsjax import experiments
    from cevnsjax.cli import main
    from cevnsjax.constants import pdg2022
    from cevnsjax.experiments import Experiment
    from cevnsjax.likelihood import Poisson
    from cevnsjax.model import FunctionModel
    from cevnsjax.parameters import Parameter, ParameterSet
    from cevnsjax.physics.amplitude import SignalConfig

    pid, n, port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    cj.configure()
    if n > 1:
        cj.initialize_distributed(f"127.0.0.1:{port}", n, pid)

    def toy():
        ps = ParameterSet([
            Parameter("mu", 0.0, unit="fm", lower=-10.0, upper=10.0, kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True),
        ])
        return FunctionModel(
            lambda p: ((p["mu"] * p["eta"] - 1.0) / 0.3) ** 2 + ((p["eta"] - 1.0) / 0.1) ** 2 + 0.1 * p["mu"] ** 4,
            ps, name="toy_dist",
        )

    class Counting(Experiment):
        likelihood: Poisson
        parameters: ParameterSet
        signal: SignalConfig
        name: ClassVar[str] = "counting_dist"

        def expected(self, params):
            return {"signal": params["s"] * jnp.array([100.0, 50.0]), "background": params["b"] * jnp.array([100.0, 80.0])}

    def counting():  # a signal on a background with a 10% prior: toys draw the data and the prior's centre
        ps = ParameterSet([
            Parameter("s", 1.0, lower=0.0, upper=5.0, kind="physics"),
            Parameter("b", 1.0, lower=0.0, upper=5.0, constraint=(1.0, 0.1), free=True),
        ])
        return Counting(likelihood=Poisson(jnp.array([200.0, 130.0])), parameters=ps, signal=SignalConfig(pdg2022))

    def run_cli(args):
        if n > 1:
            args = [*args, "--coordinator", f"127.0.0.1:{port}", "--num-processes", str(n), "--process-id", str(pid)]
        text = io.StringIO()
        with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
            main(args)
        return text.getvalue()

    m = toy()
    grid = {"mu": np.linspace(-1, 2, 9), "eta": np.linspace(0.8, 1.2, 5)}
    fixed = cj.scan(m, grid, chunk_size=4, progress=False)  # 12 chunks: 6 rounds of 2
    # 3 passes of chunks, each written to --output (by process 0 only)
    prof = cj.profile(m, "mu", np.linspace(0.5, 2, 11), batch_size=3, progress=False, output=out + ".profile.json")
    # a rate 1 + (g/m)^4 measured 1 +- 0.3 on a normalisation eta (10% prior): the 90% limit is g = 0.8635 m
    mediator = FunctionModel(
        lambda p: ((p["eta"] * (1.0 + (p["g"] / p["m"]) ** 4) - 1.0) / 0.3) ** 2 + ((p["eta"] - 1.0) / 0.1) ** 2,
        ParameterSet([
            Parameter("g", 0.0, lower=0.0, upper=100.0, kind="physics"),
            Parameter("m", 1.0, lower=0.1, upper=100.0, kind="physics"),
            Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1), free=True),
        ]),
        name="mediator_dist",
    )
    masses = [1.0, 1.5, 2.0, 3.0, 5.0]  # 3 chunks of 2: 2 rounds
    excl = cj.exclusion(mediator, "g", ("m", masses), range=(0.1, 20.0), points=60, chunk_size=2, output=out + ".excl.json")
    experiments.register("toy_dist", toy, options={})
    experiments.register("counting_dist", counting, options={})
    cli = run_cli(["scan", "toy_dist", "--grid", "mu=-1:2:7", "--fixed-nuisances", "--chunk-size", "2", "--json"])
    # 10 toys in chunks of 4 (3 chunks), then a belt of 3 points x 8 toys (6 chunks): one compiled program
    cli_toys = run_cli(
        ["toys", "counting_dist", "--toys", "10", "--poi", "s", "--chunk-size", "4", "--json", "--output", out + ".toys.json"]
    )
    cli_fc = run_cli(
        ["fc", "counting_dist", "--grid", "s=0:2:3", "--toys", "8", "--chunk-size", "4", "--json", "--output", out + ".fc.json"]
    )
    np.savez(
        out,
        fixed=fixed.chi2, fixed_devices=fixed.n_devices, prof=prof.chi2, prof_delta=prof.delta_chi2,
        prof_eta=prof.nuisances["eta"], prof_ok=prof.converged, prof_lo=prof.intervals["1sigma"][0][0],
        excl=excl.chi2, excl_delta=excl.delta_chi2, excl_eta=excl.nuisances["eta"], excl_ok=excl.converged,
        excl_upper=excl.upper["0.9"], cli=cli, cli_toys=cli_toys, cli_fc=cli_fc,
    )
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One single-process run and one two-process run of the same worker, side by side."""
    folder = tmp_path_factory.mktemp("dist")
    script = folder / "worker.py"
    script.write_text(WORKER)
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "CEVNSJAX_NO_COMPILATION_CACHE": "1"}
    port = str(_free_port())
    jobs = [(0, 1, folder / "single.npz"), (0, 2, folder / "p0.npz"), (1, 2, folder / "p1.npz")]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(pid), str(n), port, str(out)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pid, n, out in jobs
    ]
    try:
        logs = [p.communicate(timeout=240) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, (out, err), (_, _, path) in zip(procs, logs, jobs):
        assert p.returncode == 0, out + err
        path.with_suffix(".stdout").write_text(out)
    return folder, [dict(np.load(out)) for _, _, out in jobs]


def test_two_processes_give_the_single_process_result_bit_for_bit(runs):
    folder, (single, p0, p1) = runs
    assert int(single["fixed_devices"]) == 1 and int(p0["fixed_devices"]) == 2
    for key in single:
        if key == "fixed_devices" or key.startswith("cli"):
            continue
        assert single[key].shape == p0[key].shape, key
        assert np.array_equal(single[key], p0[key]), key  # every process holds the gathered result
        assert np.array_equal(single[key], p1[key]), key
    assert np.all(single["prof_ok"]) and np.isfinite(single["prof"]).all()
    saved = cj.load(str(folder / "p0.npz.profile.json"))  # written by process 0, not by process 1
    assert np.array_equal(saved.chi2, single["prof"]) and not (folder / "p1.npz.profile.json").exists()
    # the profile's interval is the analytic one of this toy (not a vacuous comparison of two failures)
    assert 0.5 < float(single["prof_lo"]) < 1.0


def test_command_line_prints_on_process_0_only(runs):
    folder, (single, p0, p1) = runs
    one, two = (json.loads(str(r["cli"])) for r in (single, p0))  # --json: one JSON document
    assert one["chi2"] == two["chi2"] and len(one["chi2"]) == 7
    assert str(p1["cli"]) == ""
    # nothing else on the processes' standard output (the runtime's connection message goes to stderr)
    assert [(folder / f"{n}.stdout").read_text() for n in ("single", "p0", "p1")] == ["", "", ""]


def test_incomplete_set_up_is_refused():
    with pytest.raises(ValueError, match="all of the coordinator address"):
        initialize("127.0.0.1:1234", None, None)
    with pytest.raises(ValueError, match=r"process id 2 is not in 0\.\.1"):
        initialize("127.0.0.1:1234", 2, 2)
    with pytest.raises(ValueError, match="give HOST:PORT"):
        initialize("localhost", 2, 0)


def test_exclusion_is_split_by_masses(runs):
    """The gathered exclusion is the single-process one (checked bit for bit above), and right."""
    folder, (single, _, p1) = runs
    masses = np.array([1.0, 1.5, 2.0, 3.0, 5.0])
    # the mediator's limit, eta profiled: y^2 / (0.3^2 + 0.1^2 (1 + y)^2) = chi2_90 with y = (g/m)^4
    level = stats.chi2.ppf(0.9, 1)
    y = max(np.roots([1 - 0.01 * level, -0.02 * level, -0.1 * level]).real)
    # (within the interpolation on the log grid of 60 couplings: 1.7e-3)
    assert np.allclose(single["excl_upper"], y**0.25 * masses, rtol=3e-3), single["excl_upper"] / masses
    assert single["excl_ok"].all()
    saved = cj.load(str(folder / "p0.npz.excl.json"))  # process 0 writes, process 1 does not
    assert np.array_equal(saved.chi2, single["excl"]) and not (folder / "p1.npz.excl.json").exists()
    assert np.array_equal(single["excl_upper"], p1["excl_upper"])


@pytest.mark.parametrize("command", ["toys", "fc"])
def test_toys_and_belts_are_split_toy_by_toy(runs, command):
    """``toys`` and ``fc`` on two processes: the same toys, bit for bit, printed and written by process 0 only."""
    folder, (single, p0, p1) = runs
    one, two = (json.loads(str(r[f"cli_{command}"]).strip().splitlines()[-1]) for r in (single, p0))
    assert one == two and str(p1[f"cli_{command}"]) == ""
    ref, got = (cj.load(str(folder / f"{name}.npz.{command}.json")) for name in ("single", "p0"))
    assert not (folder / f"p1.npz.{command}.json").exists()
    if command == "toys":  # ten different toys, each drawn from its own key: the split changes no draw
        assert got.converged.all() and len(np.unique(got.values["s"])) == 10
        for a, b in ((ref.values["s"], got.values["s"]), (ref.values["b"], got.values["b"])):
            assert np.array_equal(a, b)
        assert np.array_equal(ref.delta_chi2, got.delta_chi2) and np.all(got.delta_chi2 >= 0)
    else:
        assert one["n_failed"] == 0 and len(one["t_obs"]) == 3
        assert got.t.shape == (3, 8) and len(np.unique(got.t)) > 12
        assert np.array_equal(ref.t, got.t) and np.array_equal(ref.t_crit, got.t_crit)
