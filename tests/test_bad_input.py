"""The bad-input table of the reliability campaign, re-run in one process (CLI in-process and API).

One test per defect, named after it; each reproduces the defect (it failed before the fix).
Every CLI refusal must be: exit code non-zero, one line ``error: ...`` on stderr naming the bad
thing (and the valid choices where there are any), no traceback, and with ``--json`` the last
stdout line ``{"error": ...}``.
"""

from __future__ import annotations

import json
import math
import os
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

import cevnsjax as cj
from cevnsjax import datasets
from cevnsjax.cli import main
from cevnsjax.parameters import ParameterError

AR = "coherent_ar_2020"


@pytest.fixture(scope="module")
def ar():
    return cj.experiment(AR)


def refused(args: list[str], *fragments: str) -> dict:
    """Run the CLI with --json; check the error contract; return the JSON error object."""
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(out) == {"error"}
    for fragment in fragments:
        assert fragment in out["error"], (fragment, out["error"])
    return out


# defect 2: --chunk-size -1 returned uninitialised memory, 0 a ZeroDivisionError traceback
@pytest.mark.parametrize("size", ["-1", "0"])
def test_chunk_size_negative_or_zero(size, ar):
    refused(["scan", AR, "--grid", "sin2_theta_w=0.2:0.3:3", "--chunk-size", size], "--chunk-size", size)
    with pytest.raises(ValueError, match=f"chunk_size={size}: must be a positive integer"):
        cj.scan(ar, {"sin2_theta_w": [0.2, 0.3]}, chunk_size=int(size), progress=False)
    with pytest.raises(ValueError, match="chunk_size=2.5"):
        cj.scan(ar, {"sin2_theta_w": [0.2, 0.3]}, chunk_size=2.5, progress=False)


@pytest.fixture
def ar_copy(tmp_path, monkeypatch):
    """A verified copy of the argon release in a folder that $CEVNSJAX_DATA points to."""
    source = datasets.locate(AR)
    folder = tmp_path / AR
    folder.mkdir()
    for entry in datasets.get_release(AR).files:
        (folder / entry.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / entry.path, folder / entry.path)
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    return folder


def _first_file() -> str:
    return datasets.get_release(AR).files[0].path


# defect 3: an unreadable file was a PermissionError traceback in every command; a directory "missing"
def test_unreadable_data_file(ar_copy, monkeypatch):
    name = _first_file()
    target = ar_copy / name
    if os.geteuid() == 0:  # root reads any file: make the permission check see what a user would
        real = os.access
        monkeypatch.setattr(datasets._locate.os, "access", lambda p, m: real(p, m) and os.fspath(p) != str(target))
    else:
        target.chmod(0)
    refused(["fit", AR], name, "unreadable (permission denied)", "chmod u+r")
    with pytest.raises(datasets.DataError, match="unreadable"):
        datasets.path(AR, name)
    result = CliRunner().invoke(main, ["data", "verify", "--json"])
    assert result.exit_code == 1 and (result.exception is None or isinstance(result.exception, SystemExit))
    report = json.loads(result.stdout.strip().splitlines()[-1])["releases"][AR]
    assert report["files"][name]["problem"] == "unreadable (permission denied)" and not report["ok"]
    result = CliRunner().invoke(main, ["data", "verify"])
    assert f"BAD      {name}: unreadable" in result.stdout


def test_directory_in_place_of_data_file(ar_copy):
    name = _first_file()
    (ar_copy / name).unlink()
    (ar_copy / name).mkdir()
    refused(["fit", AR], name, "a directory, not a file", "remove")
    result = CliRunner().invoke(main, ["data", "verify", "--json"])
    report = json.loads(result.stdout.strip().splitlines()[-1])["releases"][AR]
    assert result.exit_code == 1 and report["files"][name]["problem"] == "a directory, not a file"


def test_open_error_after_the_checks_is_one_line(monkeypatch):
    """An OSError at any later stage (a race, an I/O error) is still one line, not a traceback."""

    def broken(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/data/file.txt")

    monkeypatch.setattr(cj.experiments, "experiment", broken)
    refused(["fit", AR], "Permission denied", "/data/file.txt")


# defect 6: the Python API evaluated anything
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rn_ar40": -3.0}, r"rn_ar40 = -3.0 is outside its bounds; valid: \[3.448, 20.0\] fm"),
        ({"sin2_theta_w": 2.0}, r"sin2_theta_w = 2.0 is outside its bounds; valid: \[0.0, 1.0\]"),
        ({"sin2_theta_w": math.nan}, r"sin2_theta_w = nan is not finite"),
        ({"rn_ar40": np.array([4.0, math.inf])}, r"rn_ar40 = inf is not finite"),
        ({"rn_Ar40": 4.0}, r"unknown parameter 'rn_Ar40' \(did you mean 'rn_ar40'\?\); valid names: sin2_theta_w"),
    ],
)
def test_python_api_evaluates_anything(ar, change, message):
    with pytest.raises(ParameterError, match=message):
        ar.chi2({**ar.parameters.defaults(), **change})
    with pytest.raises(ValueError, match=message):
        ar.components({**ar.parameters.defaults(), **change})


def test_python_api_missing_names_and_non_mappings(ar):
    partial = {k: v for k, v in ar.parameters.defaults().items() if k != "eta_cevns"}
    with pytest.raises(ParameterError, match=r"missing parameter\(s\) eta_cevns: pass every parameter"):
        ar.chi2(partial)
    with pytest.raises(ParameterError, match="must be a mapping name -> value.*got ndarray"):
        ar.chi2(np.zeros(3))
    combined = cj.combine(ar, cj.experiment("coherent_csi_2017"), electroweak="mixed")
    with pytest.raises(ParameterError, match="unknown parameter 'rn_cs'"):
        combined.chi2({**combined.parameters.defaults(), "rn_cs": 5.0})


def test_python_api_skips_value_checks_under_tracing(ar):
    """Under jit/vmap the values are not known: names are still checked, values are not (documented)."""
    import jax

    point = ar.parameters.defaults()
    assert float(jax.jit(lambda p: ar.chi2(p))(point)) == pytest.approx(float(ar.chi2(point)), rel=1e-12)
    with pytest.raises(ParameterError, match="unknown parameter 'rn_Ar40'"):
        jax.jit(lambda p: ar.chi2(p))({**point, "rn_Ar40": 4.0})


# defect 7: build options were not range-checked
@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        (AR, {"sigma_cevns": 0}, r"sigma_cevns=0.0 is out of range; valid: a number in \(0, inf\)"),
        (AR, {"sigma_cevns": math.nan}, r"sigma_cevns=nan is out of range"),
        (AR, {"sigma_cevns": -0.1}, r"sigma_cevns=-0.1 is out of range"),
        (AR, {"rn_min": -1}, r"rn_min=-1.0 is out of range; valid: a number in \(0, 20\]"),
        (AR, {"rn_min": 50}, r"rn_min=50.0 is out of range"),
        (AR, {"sterile": 2}, r"sterile=2: expected true or false"),
        (AR, {"sterile": "2"}, r"sterile='2': expected true or false"),
        (AR, {"form_factor": "gauss"}, r"form_factor='gauss' is not valid; choices: helm"),
        ("coherent_csi_2021", {"refine": 0}, r"refine=0 is out of range; valid: an integer in \[1, inf\)"),
        ("coherent_csi_2021", {"refine": 1.5}, r"refine=1.5: expected an integer"),
        ("sns_ge_projection", {"mass_kg": math.inf}, r"mass_kg=inf is out of range"),
        ("sns_ge_projection", {"background": -1.0}, r"background=-1.0 is out of range; valid: a number in \[0, inf\)"),
        ("reactor_ge_projection", {"live_days": 0.0}, r"live_days=0.0 is out of range"),
        ("dresden_ii_2022", {"distance_m": -10.0}, r"distance_m=-10.0 is out of range"),
    ],
)
def test_build_options_not_range_checked(name, options, message):
    with pytest.raises(ValueError, match=message):
        cj.experiment(name, **options)
    ((key, value),) = options.items()
    refused(["fit", name, "--option", f"{key}={value}"], key)


def test_every_numeric_option_declares_its_range():
    """Every int/float option of every experiment is range-checked declaratively (_options.Option)."""
    for name in cj.experiments.names():
        for key, option in cj.experiments.options(name).items():
            if option.type in (int, float) and option.choices is None:
                assert option.positive or option.minimum is not None, (name, key)
                option.convert(key, option.default)  # the default itself is valid


# defect 8: the --json contract broke where click rejected a value itself
@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["profile", AR, "--param", "rn_ar40", "--range", "a", "b"], ["--range", "'a' is not a valid float"]),
        (["profile", AR, "--param", "rn_ar40", "--range", "4", "6", "--points", "2.5"], ["--points", "2.5"]),
        (["couplings", "--preset", "bogus"], ["'bogus' is not one of", "pdg2018", "pdg2022"]),
        (["profile", AR, "--param", "rn_ar40", "--range", "4", "inf"], ["--range 4.0 inf", "finite"]),
        (["scan", AR, "--grid", "rn_ar40=4:inf:3"], ["--grid rn_ar40=4:inf:3", "finite"]),
        (["fit", AR, "--fix", "rn_ar40=4", "--fix", "rn_ar40=5"], ["--fix rn_ar40 given twice"]),
        (["scan", AR, "--grid", "sin2_theta_w=0.5:0.1:5"], ["HI must be above LO"]),
        (["fit", AR, "--engine", "scipy"], ["unknown engine 'scipy'", "jax, iminuit"]),
        (["fitt", AR], ["No such command 'fitt'"]),
        (["profile", AR, "--param", "rn_ar40", "--range", "6", "4"], ["--range 6.0 4.0", "HI must be above LO"]),
        (["sample", AR, "--samples", "0"], ["--samples", "0 is not in the range x>=1"]),
    ],
)
def test_json_contract_breaks(args, fragments):
    refused(args, *fragments)


def test_json_contract_plot_directory(tmp_path):
    refused(["fit", AR, "--plot", str(tmp_path)], "--plot", "is a directory")


def test_decreasing_scan_grid_refused_like_profile(ar):
    with pytest.raises(ValueError, match="the grid of 'sin2_theta_w' must be strictly increasing"):
        cj.scan(ar, {"sin2_theta_w": [0.3, 0.2]}, progress=False)


def test_unknown_parameter_name_in_cli():
    refused(["fit", AR, "--fix", "rn_Ar40=4"], "unknown parameter 'rn_Ar40'", "did you mean 'rn_ar40'")


# defect 9: no guards on size; --plot to an unwritable path failed after the computation
def test_no_guards_on_size():
    refused(["profile", AR, "--param", "rn_ar40", "--range", "4", "6", "--points", "100000000"], "--force", "1e+08")
    refused(
        ["scan", AR, "--grid", "sin2_theta_w=0.1:0.5:20000", "--grid", "rn_ar40=4:6:20000"], "--force", "4e+08", "GB"
    )


@pytest.mark.parametrize(
    ("path", "fragment"), [("/nonexistent-folder/fig.png", "does not exist"), ("fig.xyz", "unknown figure format")]
)
def test_plot_to_unwritable_path_fails_first(path, fragment, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the model was built before the --plot path was checked")

    monkeypatch.setattr("cevnsjax.cli.inference.build_model", never)
    refused(["fit", AR, "--plot", path], "--plot", fragment)
    refused(["profile", AR, "--param", "rn_ar40", "--range", "4", "6", "--plot", path], fragment)


# defect 10: scans differed at 1e-14 across chunk sizes (and devices): the bound is stated and tested
def test_scans_across_chunk_sizes(ar):
    grid = {"sin2_theta_w": np.linspace(0.1, 0.5, 9), "rn_ar40": np.linspace(3.5, 6.0, 5)}
    ref = cj.scan(ar, grid, progress=False).chi2
    for size in (1, 7):
        chi2 = cj.scan(ar, grid, chunk_size=size, progress=False).chi2
        assert np.all(np.isfinite(chi2))
        np.testing.assert_allclose(chi2, ref, rtol=1e-13, atol=0)


def test_scan_never_returns_nan_silently():
    import jax.numpy as jnp

    from cevnsjax.model import FunctionModel
    from cevnsjax.parameters import Parameter, ParameterSet

    model = FunctionModel(lambda p: jnp.sqrt(p["x"] - 0.5), ParameterSet([Parameter("x", 1.0, lower=0.0)]))
    with pytest.raises(FloatingPointError, match="chi\\^2 is NaN at 2 of 4 grid points, first at x = 0"):
        cj.scan(model, {"x": [0.0, 0.25, 0.75, 1.0]}, progress=False)
