"""The Dresden-II 2022 release: registry, parsed numbers, and refusal of bad copies.

Numbers are those of ../shared/data/README.md and of the mirrored files themselves.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cevnsjax import datasets
from cevnsjax.cli import main
from cevnsjax.datasets import dresden2022

DRESDEN = "dresden_ii_2022"
SPECTRUM, QF = "data_release.txt", "QF_Fef_YBe.txt"


def copy_release(root: Path) -> Path:
    """Writable copies of the release's registry files in ``root/dresden_ii_2022``."""
    source = datasets.locate(DRESDEN)
    for entry in datasets.get_release(DRESDEN).files:
        target = root / DRESDEN / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / entry.path, target)
    return root / DRESDEN


def _lines(name: str) -> list[str]:
    return (datasets.locate(DRESDEN) / name).read_text().splitlines()


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    file = tmp_path / name
    file.write_text("\n".join(lines) + "\n")
    return file


# --- registry -----------------------------------------------------------------------------


def test_registry_entry_matches_readme():
    release = datasets.get_release(DRESDEN)
    assert [f.path for f in release.files] == [SPECTRUM, QF]
    readme = datasets.locate(DRESDEN).parent / "README.md"
    if readme.is_file():
        listed = dict(re.findall(r"`dresden_ii_2022/(\S+)`: sha256 ([0-9a-f]{64})", readme.read_text()))
        assert listed == {f.path: f.sha256 for f in release.files}
    for entry in release.files:
        assert entry.url == (
            "https://raw.githubusercontent.com/LeireLarizgoitia/Reactor_CEnuNS/"
            f"a887c7c96757f30ebe8b065c4deef35d59c9ece7/{entry.path}"
        )
        assert entry.member is None
    assert "arXiv:2202.09672" in release.source and "third-party" in release.source


def test_mirror_verifies():
    report = datasets.verify(DRESDEN)
    assert report.ok, report
    assert [f.path for f in report.files] == [SPECTRUM, QF]


def test_cli_verify_lists_release():
    result = CliRunner().invoke(main, ["data", "verify"])
    assert f"{DRESDEN}: {datasets.locate(DRESDEN)} (2/2 files ok)" in result.stdout
    result = CliRunner().invoke(main, ["data", "verify", "--json"])
    rel = json.loads(result.stdout.strip().splitlines()[-1])["releases"][DRESDEN]
    assert rel["ok"] is True and rel["fix"] is None and set(rel["files"]) == {SPECTRUM, QF}


def test_cli_fetch_from_file_mirror(tmp_path, monkeypatch):
    base_url = datasets.locate(DRESDEN).parent.as_uri()
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    result = CliRunner().invoke(main, ["data", "fetch", DRESDEN, "--base-url", base_url])
    assert result.exit_code == 0, result.output
    assert f"{DRESDEN}: 2 files verified in {tmp_path / DRESDEN}" in result.stdout
    assert datasets.verify(DRESDEN).ok
    assert datasets.load_dresden2022().directory == tmp_path / DRESDEN


# --- parsed release -----------------------------------------------------------------------


def test_spectrum_numbers():
    spec = datasets.load_dresden2022().spectrum
    arrays = [spec.energy_kevee, spec.rate_on, spec.err_on, spec.rate_off, spec.err_off]
    for array in arrays:
        assert array.shape == (130,) and array.dtype == np.float64 and not array.flags.writeable
    assert spec.edges_kevee.shape == (131,) and not spec.edges_kevee.flags.writeable
    assert spec.energy_kevee[0] == pytest.approx(0.205, abs=1e-12)
    assert spec.energy_kevee[-1] == pytest.approx(1.495, abs=1e-12)
    np.testing.assert_allclose(np.diff(spec.energy_kevee), 0.01, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.diff(spec.edges_kevee), 0.01, rtol=0, atol=1e-12)
    assert spec.edges_kevee[0] == 0.2 and spec.edges_kevee[-1] == 1.5
    np.testing.assert_allclose(0.5 * (spec.edges_kevee[1:] + spec.edges_kevee[:-1]), spec.energy_kevee, atol=1e-12)
    total_on, total_off = float(spec.rate_on.sum()), float(spec.rate_off.sum())
    print(f"sum rate_on = {total_on!r}, sum rate_off = {total_off!r}")
    assert total_on == pytest.approx(5106.253, abs=1e-10)
    assert total_off == pytest.approx(4055.2792, abs=1e-10)
    assert (spec.rate_on[0], spec.err_on[0], spec.rate_off[0], spec.err_off[0]) == (92.851, 15.057, 47.287, 18.332)
    assert spec.LIVE_DAYS_ON == dresden2022.LIVE_DAYS_ON == 96.4
    assert spec.LIVE_DAYS_OFF == dresden2022.LIVE_DAYS_OFF == 25.0
    assert spec.MASS_NORM_KG == dresden2022.MASS_NORM_KG == 3.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.rate_on = spec.rate_off


def test_quenching_table():
    qf = datasets.load_dresden2022().quenching
    for array in (qf.t_kevnr, qf.qf_fef, qf.qf_ybe):
        assert array.shape == (451,) and array.dtype == np.float64 and not array.flags.writeable
    assert qf.t_kevnr[0] == 0.0 and qf.t_kevnr[-1] == 4.5
    np.testing.assert_allclose(np.diff(qf.t_kevnr), 0.01, rtol=0, atol=1e-12)
    # The T_nr = 0 row holds the curves' limiting values, not 0.
    assert (qf.qf_fef[0], qf.qf_ybe[0]) == (0.4361, 0.37738)
    assert (qf.qf_fef[-1], qf.qf_ybe[-1]) == (0.20933, 0.21862)
    for curve in (qf.qf_fef, qf.qf_ybe):
        assert np.all((curve > 0) & (curve <= 1))


def test_load_is_cached():
    assert datasets.load_dresden2022() is datasets.load_dresden2022()


def test_user_spectrum(tmp_path):
    release = datasets.load_dresden2022().spectrum
    # The user's copy of the released file reads to the same numbers, without a hash check.
    user = _write(tmp_path, "my_spectrum.txt", _lines(SPECTRUM))
    spec = datasets.read_user_spectrum(user)
    for field in dataclasses.fields(spec):
        np.testing.assert_array_equal(getattr(spec, field.name), getattr(release, field.name))
    # A sub-range passes only when the released grid is not required.
    part = _write(tmp_path, "part.txt", _lines(SPECTRUM)[10:20])
    with pytest.raises(datasets.DataError, match=r"part\.txt: 10 data rows, expected 130"):
        datasets.read_user_spectrum(part)
    sub = datasets.read_user_spectrum(part, release_grid=False)
    assert sub.energy_kevee.shape == (10,)
    np.testing.assert_allclose(sub.edges_kevee[[0, -1]], [0.3, 0.4], atol=1e-12)


def test_quenching_zero_allowed_only_at_t_zero(tmp_path):
    lines = _lines(QF)
    zero_at_origin = _write(tmp_path, "qf0.txt", ["0.0000 0 0"] + lines[1:])
    qf = dresden2022.read_quenching(zero_at_origin)
    assert qf.qf_fef[0] == 0 and qf.qf_ybe[0] == 0
    with pytest.raises(datasets.DataError, match=r"qf_mid\.txt: QF_YBe = 0\.0 at T_nr = 1\.0 keVnr .*outside \(0, 1\]"):
        dresden2022.read_quenching(_write(tmp_path, "qf_mid.txt", lines[:100] + ["1.0000 0.2 0"] + lines[101:]))
    with pytest.raises(datasets.DataError, match=r"qf_big\.txt: QF_Fef = 1\.5 .*outside \(0, 1\]"):
        dresden2022.read_quenching(_write(tmp_path, "qf_big.txt", ["0.0000 1.5 0.3"] + lines[1:]))


# --- refusal of corrupted copies ----------------------------------------------------------


def _corrupt_and_load(tmp_path, monkeypatch, name: str, lines: list[str]) -> str:
    copy = copy_release(tmp_path)
    (copy / name).write_text("\n".join(lines) + "\n")
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    with pytest.raises(datasets.DataError) as err:
        datasets.load_dresden2022()
    return str(err.value)


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        (SPECTRUM, lambda lines: lines[:-1]),  # truncated
        (SPECTRUM, lambda lines: lines[:5] + ["0.25500 nan 1.0 2.0 1.0"] + lines[6:]),  # a NaN
        (SPECTRUM, lambda lines: lines[:5] + [" ".join(lines[5].split()[:4])] + lines[6:]),  # 4 columns
        (QF, lambda lines: lines[:3] + ["0.030000 0.43 nan"] + lines[4:]),
        (QF, lambda lines: lines[:-1]),
    ],
    ids=["spectrum-truncated", "spectrum-nan", "spectrum-columns", "qf-nan", "qf-truncated"],
)
def test_corrupted_copy_refused_by_hash(tmp_path, monkeypatch, name, edit):
    """Any change to a released file fails its SHA-256; the message names the file, the hash and the fix."""
    msg = _corrupt_and_load(tmp_path, monkeypatch, name, edit(_lines(name)))
    expected = datasets.get_release(DRESDEN).file(name).sha256
    assert str(tmp_path / DRESDEN / name) in msg
    assert "SHA-256 mismatch" in msg and expected in msg
    assert f"cevnsjax data fetch {DRESDEN}" in msg
    bad = [f.path for f in datasets.verify(DRESDEN).files if not f.ok]
    assert bad == [name]


def test_missing_file_names_file_and_hash(tmp_path, monkeypatch):
    copy = copy_release(tmp_path)
    (copy / QF).unlink()
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    expected = datasets.get_release(DRESDEN).file(QF).sha256
    with pytest.raises(FileNotFoundError, match=f"QF_Fef_YBe.txt.*{expected}.*cevnsjax data fetch {DRESDEN}"):
        datasets.load_dresden2022()


def test_missing_release_gives_fetch_hint(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=f"cevnsjax data fetch {DRESDEN}"):
        datasets.load_dresden2022()


def test_bad_spectrum_content_refused(tmp_path):
    """The parsers' own checks (what a user's file or a wrongly registered copy would hit)."""
    lines = _lines(SPECTRUM)
    cases = {
        "truncated": (lines[:-1], r"129 data rows, expected 130"),
        "nan": (lines[:5] + ["0.25500 nan 1.0 2.0 1.0"] + lines[6:], r"line 6 has a non-finite value"),
        "columns": (lines[:5] + ["0.25500 1.0 2.0 1.0"] + lines[6:], r"line 6 has 4 columns, expected 5"),
        "text": (lines[:5] + ["0.25500 1.0 2.0 1.0 x"] + lines[6:], r"line 6 is not numeric"),
        "order": ([lines[1], lines[0]] + lines[2:], r"must increase from row to row; data row 2"),
        "spacing": (["0.19500 1 1 1 1"] + lines[1:], r"steps of 0\.01; data row 2"),
        "grid": ([f"{float(r.split()[0]) + 0.01:.5f} 1 1 1 1" for r in lines], r"expected 0\.205 to 1\.495 keVee"),
        "negative error": (lines[:7] + ["0.27500 10 1 10 -1"] + lines[8:], r"negative uncertainty err_off = -1\.0"),
    }
    for case, (content, message) in cases.items():
        file = _write(tmp_path, f"spectrum_{case.replace(' ', '_')}.txt", content)
        for read in (dresden2022.read_spectrum, datasets.read_user_spectrum):
            with pytest.raises(datasets.DataError, match=message) as err:
                read(file)
            assert str(file) in str(err.value)


def test_bad_quenching_content_refused(tmp_path):
    lines = _lines(QF)
    cases = {
        "truncated": (lines[:-1], r"450 data rows, expected 451"),
        "nan": (lines[:3] + ["0.030000 0.43 nan"] + lines[4:], r"line 4 has a non-finite value"),
        "columns": (lines[:3] + ["0.030000 0.43"] + lines[4:], r"line 4 has 2 columns, expected 3"),
        "order": ([lines[1], lines[0]] + lines[2:], r"T_nr \[keVnr\] must increase"),
        "spacing": (lines[:3] + ["0.035 0.43 0.37"] + lines[4:], r"steps of 0\.01"),
        "range": ([f"{0.01 * (i + 1):.4f} 0.3 0.3" for i in range(451)], r"expected 0 to 4\.5 keVnr"),
        "negative": (lines[:9] + ["0.090000 -0.1 0.37"] + lines[10:], r"QF_Fef = -0\.1 .*outside \(0, 1\]"),
    }
    for case, (content, message) in cases.items():
        file = _write(tmp_path, f"qf_{case}.txt", content)
        with pytest.raises(datasets.DataError, match=message) as err:
            dresden2022.read_quenching(file)
        assert str(file) in str(err.value)
