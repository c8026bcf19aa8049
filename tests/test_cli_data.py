"""``cevnsjax data verify`` and ``cevnsjax data fetch`` (contract: shared/spec/CLI.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cevnsjax import datasets
from cevnsjax.cli import main


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_verify_text():
    result = CliRunner().invoke(main, ["data", "verify"])
    assert result.exit_code == 0, result.output
    for name in datasets.RELEASES:
        assert f"{name}: {datasets.locate(name)}" in result.stdout
    assert "(22/22 files ok)" in result.stdout
    assert result.stdout.strip().endswith("all releases verified")


def test_verify_json():
    result = CliRunner().invoke(main, ["data", "verify", "--json"])
    assert result.exit_code == 0, result.output
    out = last_json(result.stdout)
    assert out["ok"] is True
    assert set(out["releases"]) == set(datasets.RELEASES)
    for name, rel in out["releases"].items():
        assert rel["directory"] == str(datasets.locate(name))
        assert len(rel["files"]) == len(datasets.get_release(name).files)
        assert all(f["found"] and f["hash_ok"] for f in rel["files"].values())
        assert rel["fix"] is None


def test_verify_reports_missing_and_corrupted(tmp_path, monkeypatch):
    folder = tmp_path / "coherent_csi_2021"
    source = datasets.locate("coherent_csi_2021")
    folder.mkdir()
    for entry in datasets.get_release("coherent_csi_2021").files:
        shutil.copyfile(source / entry.path, folder / entry.path)
    (folder / "brnPE.txt").write_text("0.5 0\n")
    (folder / "ninPE.txt").unlink()
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))

    result = CliRunner().invoke(main, ["data", "verify", "--json"])
    assert result.exit_code == 1
    out = last_json(result.stdout)
    assert out["ok"] is False
    csi = out["releases"]["coherent_csi_2021"]
    assert csi["found"] and not csi["ok"]
    assert csi["files"]["brnPE.txt"] == {
        "found": True,
        "hash_ok": False,
        "expected_sha256": datasets.get_release("coherent_csi_2021").file("brnPE.txt").sha256,
        "sha256": datasets._locate.sha256(folder / "brnPE.txt"),
        "problem": None,
    }
    assert csi["files"]["ninPE.txt"]["found"] is False
    assert out["releases"]["coherent_ar_2020"]["found"] is False
    assert "cevnsjax data fetch coherent_ar_2020" in out["releases"]["coherent_ar_2020"]["fix"]

    result = CliRunner().invoke(main, ["data", "verify"])
    assert result.exit_code == 1
    assert "CORRUPT  brnPE.txt" in result.stdout
    assert "missing  ninPE.txt" in result.stdout
    assert "coherent_ar_2020: NOT FOUND" in result.stdout
    assert "fix: run `cevnsjax data fetch coherent_csi_2021`" in result.stdout


def test_fetch_from_file_mirror(tmp_path, monkeypatch):
    base_url = datasets.locate("coherent_ar_2020").parent.as_uri()
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))  # fetch writes here, verify looks only here

    result = CliRunner().invoke(main, ["data", "fetch", "coherent_csi_2017", "--base-url", base_url])
    assert result.exit_code == 0, result.output
    assert f"coherent_csi_2017: 6 files verified in {tmp_path / 'coherent_csi_2017'}" in result.stdout
    assert datasets.verify("coherent_csi_2017").ok

    result = CliRunner().invoke(main, ["data", "fetch", "--base-url", base_url])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["data", "verify", "--json"])
    assert result.exit_code == 0 and last_json(result.stdout)["ok"] is True


def test_fetch_errors():
    result = CliRunner().invoke(main, ["data", "fetch", "coherent_nai_2030"])
    assert result.exit_code == 2
    assert "unknown data release 'coherent_nai_2030'" in result.stderr
    assert "coherent_ar_2020" in result.stderr


def test_console_script_verify_json():
    script = Path(sys.executable).parent / "cevnsjax"
    if not script.is_file():
        pytest.skip("console script not installed next to the interpreter")
    proc = subprocess.run(
        [str(script), "data", "verify", "--json"], capture_output=True, text=True, timeout=300, env=dict(os.environ)
    )
    assert proc.returncode == 0, proc.stderr
    out = last_json(proc.stdout)
    assert out["ok"] is True and set(out["releases"]) == set(datasets.RELEASES)
