"""Discoverability: ``cj.info``, ``cevnsjax list | info``, close matches, answers before JAX starts."""

import json
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

import cevnsjax as cj
from cevnsjax import _info, experiments
from cevnsjax._names import did_you_mean
from cevnsjax.cli import _lazy, main
from cevnsjax.parameters import Parameter, ParameterSet


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_generated_table_is_what_the_registry_builds_now():
    """The table the light path reads equals a fresh description of every registered experiment.

    If this fails after adding an experiment or changing its options or parameters, regenerate:
    python -c "from cevnsjax._info import write; write()"
    """
    fresh = json.loads(_info.generate())["experiments"]
    stored = {n: e.to_dict() for n, e in _info.table().items()}
    assert sorted(stored) == sorted(fresh) == experiments.names() == sorted(experiments.BUILTIN)
    for name in fresh:
        assert stored[name] == fresh[name], f"{name}: regenerate the table (see the docstring)"


def test_info_matches_the_built_experiment():
    ar = cj.experiment("coherent_ar_2020")
    info = cj.info("coherent_ar_2020")
    assert info.parameter_names == list(ar.parameters)
    eta = info.parameter("eta_cevns")
    assert eta["prior"] == [1.0, 0.134] and eta["free"] and eta["kind"] == "nuisance"
    assert info.parameter("rn_ar40")["lower"] == ar.parameters["rn_ar40"].lower == 3.448
    assert info.parameter("q_nu_ee")["sm"] and not info.parameter("sin2_theta_w")["sm"]
    assert set(info.options) == set(experiments.options("coherent_ar_2020"))
    assert info.data[0]["release"] == "coherent_ar_2020" and len(info.data[0]["files"]) == 22
    assert info.papers[:1] == ["arXiv:2003.10630"] and "arXiv:2005.01645" in info.papers
    assert cj.info("sns_ge_projection").data == []
    with pytest.raises(KeyError, match="did you mean 'rn_ar40'"):
        info.parameter("rn_ar")


def test_info_with_options_builds_the_experiment():
    split = cj.info("coherent_csi_2021", separate_radii="true")
    assert split.given == {"separate_radii": True}
    assert {"rn_cs133", "rn_i127"} <= set(split.parameter_names) and "rn_csi" not in split.parameter_names
    with pytest.raises(ValueError, match=r"unknown option 'separate_radius'.*did you mean 'separate_radii'"):
        cj.info("coherent_csi_2021", separate_radius=True)
    with pytest.raises(
        ValueError,
        match=r"did you mean 'coherent_ar_2020'\?\); valid experiments: apv_cs, coh_ar_10, coh_ar_750, coh_cryocsi, coherent_ar_2020",
    ):
        cj.info("coherent_ar_202")


def test_text_hides_the_sm_point_unless_asked():
    info = cj.info("coherent_ar_2020")
    short, full = info.text(), info.text(show_all=True)
    assert "36 beyond-SM parameters at their SM values not shown" in short
    assert "q_nu_ee" not in short and "q_nu_ee" in full
    for name in ("sin2_theta_w", "rn_ar40", "eta_cevns", "likelihood", "poisson_3d", "sigma_cevns", "rn_min"):
        assert name in short


def test_help_of_experiment_lists_experiments_and_options():
    doc = cj.experiment.__doc__
    for name, e in _info.table().items():
        assert f"    {name}: {e.summary}" in doc
        for option in e.options:
            assert f"        {option}=" in doc


def test_experiment_classes_document_their_options_and_parameters():
    doc = type(cj.experiment("coherent_csi_2021")).__doc__
    for text in ('cevnsjax.experiment("coherent_csi_2021"', "binning", "flux_prior", "eta_flux", "rn_csi"):
        assert text in doc


def test_close_matches():
    assert did_you_mean("rn_ar4", ["rn_ar40", "rn_csi"]) == " (did you mean 'rn_ar40'?)"
    assert did_you_mean("coherent_csi_2012", experiments.BUILTIN) == (
        " (did you mean 'coherent_csi_2021' or 'coherent_csi_2017'?)"
    )
    assert did_you_mean("banana", experiments.BUILTIN) == ""
    ps = ParameterSet([Parameter("eta_flux", 1.0), Parameter("eta_ss", 1.0)])
    with pytest.raises(ValueError, match="unknown parameter 'eta_flx' \\(did you mean 'eta_flux'\\?\\)"):
        ps["eta_flx"]


def test_list_and_info_commands():
    r = invoke("list")
    assert r.exit_code == 0, r.output
    assert [line.split()[0] for line in r.stdout.splitlines()] == experiments.names()
    r = invoke("list", "--json")
    assert set(json.loads(r.stdout.splitlines()[-1])["experiments"]) == set(experiments.names())
    r = invoke("info", "coherent_csi_2021", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout.splitlines()[-1])
    assert out["options"]["binning"]["choices"] == ["coherent", "fine"]
    assert out["parameters"][0]["name"] == "sin2_theta_w"
    r = invoke("info", "coherent_csi_2021", "--all")
    assert "mu_nu_mu" in r.stdout and "1e-10 mu_B" in r.stdout
    r = invoke("info", "coherent_csi_2021", "--option", "separate_radii=true")
    assert r.exit_code == 0 and "rn_cs133" in r.stdout and "(given)" in r.stdout
    r = invoke("info", "cohrent_csi_2021", "--json")
    assert r.exit_code == 2 and "did you mean 'coherent_csi_2021'" in r.stderr
    assert "error" in json.loads(r.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "coherent_ar_202"], "unknown experiment 'coherent_ar_202' (did you mean 'coherent_ar_2020'?)"),
        (["fit", "coherent_ar_2020", "--option", "form_factr=helm"], "did you mean 'form_factor'?"),
        (["profile", "coherent_ar_2020", "--option", "form_factor=helmm"], "choices: helm, sfermi, kn, unity"),
        (["fit", "coherent_ar_2020", "--free", "sin2_theta_w,rn_ar4"], "unknown parameter 'rn_ar4' (did you mean"),
        (["scan", "coherent_ar_2020", "--grid=rn_ar=3:5:3"], "unknown parameter 'rn_ar' (did you mean 'rn_ar40'?)"),
        (["fit", "coherent_ar_2020", "coherent_csi_2021", "--fix", "coherent_csi_2021.eta_fux=1"], "eta_fux"),
    ],
)
def test_typos_are_refused_before_the_command_runs(args, message):
    assert _lazy.precheck(args[1:]) is not None
    r = invoke(*args, "--json")
    assert r.exit_code == 2
    assert message in r.stderr
    assert message in json.loads(r.stdout.splitlines()[-1])["error"]


def test_precheck_leaves_valid_and_undecidable_names_alone():
    assert _lazy.precheck(["coherent_ar_2020", "--free", "rn_ar40", "--fix", "eta_cevns=1"]) is None
    assert _lazy.precheck(["coherent_csi_2021", "--free", "eta_cevns"]) is None  # renamed, still accepted
    # an option may add parameters: left to the built model
    assert _lazy.precheck(["coherent_csi_2021", "--option", "separate_radii=true", "--free", "rn_cs133"]) is None
    assert _lazy.precheck(["coherent_ar_2020", "coherent_csi_2021", "--fix", "coherent_ar_2020.eta_cevns=1"]) is None
    assert _lazy.precheck(["--free", "x", "coherent_ar_2020"]) is None  # options first: the command judges


def test_fit_help_with_experiment_lists_its_options_and_parameters():
    r = invoke("fit", "coherent_ar_2020", "--help")
    assert r.exit_code == 0, r.output
    for text in ("--free P", "sigma_cevns", "poisson_3d", "eta_brn_prompt", "cevnsjax info coherent_ar_2020 --all"):
        assert text in r.stdout
    r = invoke("profile", "--help")
    assert "lists EXP's options" in r.stdout and "coherent_csi_2021" in r.stdout


def test_command_table_matches_the_commands():
    """The root help lists every command with the first line of its own docstring."""
    for module in {m for m, _ in _lazy.COMMANDS.values()}:
        _lazy.load(module)
    assert set(main.commands) == set(_lazy.COMMANDS)
    for name, (_, short) in _lazy.COMMANDS.items():
        assert main.commands[name].get_short_help_str(200) == short, name


def test_stored_help_is_the_commands_help():
    """``CMD --help`` of a computing command answers from the stored help: equal to the live one.

    If this fails after changing a command's options, regenerate:
    python -c "from cevnsjax.cli._lazy import write_help; write_help()"
    """
    assert json.loads(_lazy.generate_help()) == _lazy.stored_help()
    r = invoke("fit", "coherent_ar_2020", "--help")
    assert "poisson_3d" in r.stdout and "--no-cache" in r.stdout


CHECK = """
import sys, time
t0 = time.perf_counter()
from cevnsjax.cli import main
try:
    main({args!r})
except SystemExit as exit:
    code = exit.code
print("ELAPSED", time.perf_counter() - t0, "JAX", "jax" in sys.modules, "CODE", code)
"""


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--help"], 0),
        (["list"], 0),
        (["info", "coherent_csi_2021"], 0),
        (["fit", "coherent_csi_221"], 2),
        (["fit", "coherent_ar_2020", "--free", "rn_ar40", "--help"], 0),
        (["scan", "--help"], 0),
    ],
)
def test_light_commands_answer_quickly_without_jax(args, code):
    """A fresh process answers without importing JAX, well within 1.5 s (bound 3 s: shared CI machines)."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHECK.format(args=args)], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    fields = out.stdout.split()[-6:]
    assert fields[2:] == ["JAX", "False", "CODE", str(code)], out.stdout + out.stderr
    assert wall < 3.0, f"{args}: {wall:.2f} s"


def test_fit_table_hides_the_sm_point_unless_all():
    args = ["fit", "coherent_csi_2017", "--option", "likelihood=single_bin", "--free", "q_nu_ee"]
    short, full = invoke(*args), invoke(*args, "--all")
    assert short.exit_code == 0 and full.exit_code == 0, short.output + full.output
    assert "35 beyond-SM parameters fixed at their SM values not shown" in short.stdout
    assert "q_nu_ee" in short.stdout  # free: shown
    assert "mu_nu_e " not in short.stdout and "mu_nu_e " in full.stdout
    assert "sin2_theta_w" in short.stdout and "eta_cevns" in short.stdout
