"""Benchmarks: the scipy-quad references agree with cevnsjax to 1e-3, and benchmarks/run.py runs.

The references (benchmarks/reference) are independent numpy/scipy implementations of the
same recipes; agreement is checked on the signal per bin (at the defaults and at a shifted
physics point), on the full expectation with shifted nuisances, and on chi^2.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

import cevnsjax as cj

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from reference import ar2020 as ref_ar  # noqa: E402
from reference import ar2020_numpy as ref_ar_numpy  # noqa: E402
from reference import csi2021 as ref_csi  # noqa: E402

REQUIRED = (
    "ar_expected",
    "ar_nll_grad",
    "ar_batch_1e4",
    "ar_fit",
    "ar_profile_200",
    "csi2021_expected",
    "csi2021_nll_grad",
    "csi2021_fit",
    "nuts_ar",
    "grid_1e6",
    "toys_ar_1e4",
    "fc_ar_rn",
)


def _rel(a, b, floor=1e-6):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = np.abs(b) > floor * np.max(np.abs(b))
    return np.max(np.abs(a[keep] / b[keep] - 1))


@pytest.fixture(scope="module")
def argon():
    return cj.experiment("coherent_ar_2020"), ref_ar.ArgonReference()


@pytest.fixture(scope="module")
def csi():
    return cj.experiment("coherent_csi_2021"), ref_csi.CsIReference()


def _point(model, **values):
    return {**model.parameters.defaults(), **{k: np.float64(v) for k, v in values.items()}}


def test_argon_reference_agrees(argon):
    model, ref = argon
    signal = jax.jit(lambda p: model.cevns_energy(p))
    chi2 = jax.jit(lambda p: model.chi2(p))
    for s2, rn in ((ref_ar.DEFAULTS["sin2_theta_w"], 3.55), (0.30, 4.5)):
        p = _point(model, sin2_theta_w=s2, rn_ar40=rn, eta_cevns=1.1, eta_brn_prompt=0.8, eta_brn_delayed=1.5)
        ours = np.asarray(signal(p))
        assert _rel(ref.cevns(s2, rn), ours) < 1e-3
        assert ref.cevns(s2, rn).sum() == pytest.approx(ours.sum(), rel=1e-4)
        values = {k: float(p[k]) for k in ref_ar.NAMES}
        assert ref.chi2(values) == pytest.approx(float(chi2(p)), rel=1e-3)
    assert ref.cevns(ref_ar.DEFAULTS["sin2_theta_w"], 3.55).sum() == pytest.approx(
        129.9, abs=0.1
    )  # docs/physics.md 11a


def test_numpy_argon_reference_is_the_same_chi2(argon):
    """reference/ar2020_numpy.py (vectorised numpy + iminuit) gives cevnsjax's chi^2 to 1e-9 and its fits."""
    model, _ = argon
    ref = ref_ar_numpy.ArgonNumpy(model)
    chi2 = jax.jit(lambda p: model.chi2(p))
    for s2, rn, c, p, d in ((0.23857, 3.55, 1.0, 1.0, 1.0), (0.30, 4.5, 1.1, 0.8, 1.5), (0.2, 3.46, 0.7, 1.3, 0.2)):
        point = _point(model, sin2_theta_w=s2, rn_ar40=rn, eta_cevns=c, eta_brn_prompt=p, eta_brn_delayed=d)
        assert ref.chi2(s2, rn, c, p, d) == pytest.approx(float(chi2(point)), rel=1e-9)
    # the nuisance fit at fixed R_n: Minuit stops at EDM < 2e-4 (its default), cj.fit at 1e-6
    m = ref.fit_nuisances(3.55)
    ours = cj.fit(model, fixed={"rn_ar40": 3.55})
    assert m.valid and m.fval == pytest.approx(ours.chi2_min, abs=2e-4)
    for name in ref_ar.NUISANCES:
        assert m.values[name] == pytest.approx(ours.values[name], abs=0.01)
        # Minuit's HESSE error of a bounded parameter goes through its internal transformation:
        # 2% off for eta_brn_delayed (0.93 +- 0.98, one sigma from its bound at 0)
        assert m.errors[name] == pytest.approx(ours.errors[name], rel=0.03)


def test_csi_reference_agrees(csi):
    model, ref = csi
    expected = jax.jit(lambda p: model.expected(p))
    chi2 = jax.jit(lambda p: model.chi2(p))
    shifted = dict(theta_qf=0.6, theta_qf_1=-0.4, theta_eff=-0.8, t_offset=0.07, eta_flux=1.05, eta_ss=0.98)
    for s2, rn, nuisances in ((ref_csi.DEFAULTS["sin2_theta_w"], 5.5, {}), (0.26, 5.0, shifted)):
        p = _point(model, sin2_theta_w=s2, rn_csi=rn, **nuisances)
        values = {k: float(p[k]) for k in ref_csi.NAMES}
        ours = {k: np.asarray(v) for k, v in expected(p).items()}
        theirs = ref.expected(values)
        for k in ("cevns", "ss", "brn", "nin"):
            assert _rel(theirs[k], ours[k], floor=1e-9) < 1e-3, k
        assert ref.chi2(values) == pytest.approx(float(chi2(p)), rel=1e-3)
    assert np.array_equal(ref.data, np.asarray(model.data))


def _run_script(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``benchmarks/<script> args`` in a subprocess (XLA backend optimisation off: the tests check
    that the scripts work, not their timings) and check that it succeeded."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "XLA_FLAGS": "--xla_backend_optimization_level=0",
        "MPLBACKEND": "Agg",
    }
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def test_benchmark_script_smoke(tmp_path):
    """``benchmarks/run.py --smoke --json`` runs every required benchmark and writes its JSON.

    XLA's backend optimisation is turned off in the subprocess: it halves compile time and
    the smoke run checks that the script works, not its timings.
    """
    proc = _run_script("run.py", "--smoke", "--json", "--results", str(tmp_path))
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(REQUIRED) <= set(results)
    assert "ratio = reference / cevnsjax" in proc.stdout
    for name in REQUIRED:
        entry = results[name]
        assert entry["cevnsjax_s"] > 0 and entry["compile_s"] > 0, name
        assert entry["dtype"] == "float64" and entry["device"] and entry["size"] > 0, name
        assert (entry["reference_s"] is None) == (entry["ratio"] is None), name
        saved = json.loads((tmp_path / f"{name}.json").read_text())
        assert saved["name"] == name and saved["mode"] == "smoke"
    # the emcee reference runs where the bench extra is installed
    nuts = results["nuts_ar"]
    assert nuts["ess_per_s"] > 0 and (nuts["reference_s"] is None) == (importlib.util.find_spec("emcee") is None)
    assert results["ar_fit_numpy"]["chi2_min"]["reference"] == pytest.approx(
        results["ar_fit_numpy"]["chi2_min"]["cevnsjax"], abs=2e-4
    )
    assert results["ar_profile_rn_100"]["max_abs_dchi2"] < 1e-3
    assert results["ar_fit"]["chi2_min"]["cevnsjax"] == pytest.approx(8.72, abs=0.05)
    assert results["ar_fit"]["chi2_min"]["reference"] == pytest.approx(8.72, abs=0.05)
    assert "target_met" in results["ar_nll_grad"] and "target_met" in results["ar_profile_200"]
    assert results["toys_ar_1e4"]["per_toy_s"] > 0 and results["toys_ar_1e4"]["converged_fraction"] > 0.9
    assert results["fc_ar_rn"]["belt_50x1000_s"] > 0 and set(results["fc_ar_rn"]["intervals"]) == {"68.27%", "90%"}


def test_precision_script_compares_float32_with_float64(tmp_path):
    """benchmarks/precision.py: both precisions run, float32 is finite and close to float64 on a small grid."""
    proc = _run_script(
        "precision.py", "--side", "4", "--experiments", "coherent_ar_2020", "--json", "--results", str(tmp_path)
    )
    (row,) = json.loads(proc.stdout.strip().splitlines()[-1])
    assert row["size"] == 16 and row["float32_finite"]
    assert row["max_abs_dchi2"] is not None and row["max_abs_dchi2"] < 1e-2
    assert json.loads((tmp_path / "precision.json").read_text()) == [row]
