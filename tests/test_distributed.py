"""Runs split across processes (jax.distributed): two local CPU processes give the one-process result, bit for bit."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import cevnsjax as cj
from cevnsjax.inference._distributed import initialize

WORKER = textwrap.dedent(
    """
    import contextlib, io, json, sys
    import numpy as np
    import cevnsjax as cj
    from cevnsjax import experiments
    from cevnsjax.cli import main
    from cevnsjax.model import FunctionModel
    from cevnsjax.parameters import Parameter, ParameterSet

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

    m = toy()
    grid = {"mu": np.linspace(-1, 2, 9), "eta": np.linspace(0.8, 1.2, 5)}
    fixed = cj.scan(m, grid, chunk_size=4, progress=False)  # 12 chunks: 6 rounds of 2
    # 3 passes of chunks, each written to --output (by process 0 only)
    prof = cj.profile(m, "mu", np.linspace(0.5, 2, 11), batch_size=3, progress=False, output=out + ".profile.json")
    experiments.register("toy_dist", toy, options={})
    args = ["scan", "toy_dist", "--grid", "mu=-1:2:7", "--fixed-nuisances", "--chunk-size", "2", "--json"]
    if n > 1:
        args += ["--coordinator", f"127.0.0.1:{port}", "--num-processes", str(n), "--process-id", str(pid)]
    text = io.StringIO()
    with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
        main(args)
    np.savez(
        out,
        fixed=fixed.chi2, fixed_devices=fixed.n_devices, prof=prof.chi2, prof_delta=prof.delta_chi2,
        prof_eta=prof.nuisances["eta"], prof_ok=prof.converged, prof_lo=prof.intervals["1sigma"][0][0],
        cli=text.getvalue(),
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
    for p, (out, err) in zip(procs, logs):
        assert p.returncode == 0, out + err
    return folder, [dict(np.load(out)) for _, _, out in jobs]


def test_two_processes_give_the_single_process_result_bit_for_bit(runs):
    folder, (single, p0, p1) = runs
    assert int(single["fixed_devices"]) == 1 and int(p0["fixed_devices"]) == 2
    for key in single:
        if key in ("fixed_devices", "cli"):
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
    _, (single, p0, p1) = runs
    one, two = (json.loads(str(r["cli"]).strip().splitlines()[-1]) for r in (single, p0))
    assert one["chi2"] == two["chi2"] and len(one["chi2"]) == 7
    assert str(p1["cli"]) == ""


def test_incomplete_set_up_is_refused():
    with pytest.raises(ValueError, match="all of the coordinator address"):
        initialize("127.0.0.1:1234", None, None)
    with pytest.raises(ValueError, match=r"process id 2 is not in 0\.\.1"):
        initialize("127.0.0.1:1234", 2, 2)
    with pytest.raises(ValueError, match="give HOST:PORT"):
        initialize("localhost", 2, 0)
