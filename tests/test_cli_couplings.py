"""`cevnsjax couplings` as a console script (subprocess) and in-process."""

import json
import subprocess
import sys

from click.testing import CliRunner

from cevnsjax.cli import main


def test_console_script_json():
    out = subprocess.run(
        [sys.executable, "-m", "cevnsjax", "couplings", "--preset", "pdg2018", "--no-zz-boxes", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    d = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(d) >= {"gVp", "gVn", "gVp_no_radius", "r2_sm_cm2"}
    assert set(d["gVp"]) == {"e", "mu", "tau"} and set(d["r2_sm_cm2"]) == {"e", "mu", "tau"}
    assert round(d["gVp"]["e"], 4) == 0.0401 and round(d["gVn"], 4) == -0.5094
    assert round(d["r2_sm_cm2"]["e"] / 1e-32, 2) == -0.83


def test_table_default_preset():
    r = CliRunner().invoke(main, ["couplings"])
    assert r.exit_code == 0
    assert "0.0381" in r.output and "-0.5117" in r.output and "pdg2022" in r.output


def test_bad_preset_lists_choices():
    r = CliRunner().invoke(main, ["couplings", "--preset", "pdg2000"])
    assert r.exit_code != 0 and "pdg2018" in r.output
