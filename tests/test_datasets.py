"""The data access layer: registry, locating, SHA-256 checks, parsers, fetch.

Release facts come from ../shared/data/README.md and the companion documents;
where the files disagree with a quoted number the test states what they hold.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from cevnsjax import datasets
from cevnsjax.datasets import ar2020, csi2017, csi2021

AR, CSI21, CSI17 = "coherent_ar_2020", "coherent_csi_2021", "coherent_csi_2017"


def copy_release(name: str, root: Path) -> Path:
    """Copy the registry files of a release into ``root/name`` (writable copies)."""
    source = datasets.locate(name)
    for entry in datasets.get_release(name).files:
        target = root / name / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / entry.path, target)
    return root / name


def flip_byte(file: Path, offset: int = 3) -> None:
    """Change one byte of ``file`` (same size) and move its mtime forward."""
    data = bytearray(file.read_bytes())
    data[offset] = ord("7") if data[offset] != ord("7") else ord("8")
    st = file.stat()
    file.write_bytes(bytes(data))
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))


@pytest.fixture
def http_mirror(tmp_path):
    """A loopback HTTP server over a writable copy of every release; yields (url, root)."""
    root = tmp_path / "mirror"
    for name in datasets.RELEASES:
        copy_release(name, root)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()
    thread.join()


# --- registry and the mirror -------------------------------------------------------------


def test_registry_matches_readme_hashes():
    readme = datasets.locate(AR).parent / "README.md"
    if not readme.is_file():
        pytest.skip("no README next to the releases (not the development mirror)")
    text = readme.read_text()
    pairs = {p: h for h, p in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M)}
    assert len(pairs) == 36
    # Dresden-II is listed apart from the block, one "- `path`: sha256 HASH" line per file
    pairs.update(dict(re.findall(r"`(dresden_ii_2022/\S+)`: sha256 ([0-9a-f]{64})", text)))
    assert len(pairs) == 38
    ours = {f"{r.name}/{f.path}": f.sha256 for r in datasets.RELEASES.values() for f in r.files}
    assert ours == pairs


def test_registry_urls():
    ar = datasets.get_release(AR)
    assert ar.file("SystErrors/brnpdf+1sigEnergy.txt").url == (
        "https://zenodo.org/api/records/3903810/files/brnpdf%2B1sigEnergy.txt/content"
    )
    assert (
        datasets.get_release(CSI17)
        .file("data_coincidence_beamOn.txt")
        .url.startswith("https://zenodo.org/api/records/1228631/files/")
    )
    assert datasets.get_release(CSI21).file("brnPE.txt").url == "https://arxiv.org/src/2110.07730v2/anc/brnPE.txt"
    with pytest.raises(ValueError, match="valid releases: coherent_ar_2020"):
        datasets.get_release("coherent_nai_2030")
    with pytest.raises(KeyError, match="valid files"):
        ar.file("nope.txt")


@pytest.mark.parametrize("name", list(datasets.RELEASES))
def test_mirror_hashes_verify(name):
    report = datasets.verify(name)
    assert report.ok, report
    assert len(report.files) == len(datasets.get_release(name).files)
    assert all(f.found and f.ok for f in report.files)


def test_sha256_cache_follows_file_changes(tmp_path):
    file = tmp_path / "x.txt"
    file.write_bytes(b"abc")
    assert datasets._locate.sha256(file) == hashlib.sha256(b"abc").hexdigest()
    st = file.stat()
    file.write_bytes(b"abd")
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert datasets._locate.sha256(file) == hashlib.sha256(b"abd").hexdigest()


# --- Ar 2020 -----------------------------------------------------------------------------


def test_ar2020_shapes_and_totals():
    ar = datasets.load_ar2020()
    for cube in (ar.data, ar.cevns, ar.brn_prompt, ar.brn_delayed, ar.steady_state, *ar.systematics.values()):
        assert cube.shape == (12, 8, 10)
        assert not cube.flags.writeable
    assert ar.data.sum() == 3752
    # PDFs are normalised to the central-value predictions (the files agree to < 1e-6).
    assert ar.cevns.sum() == pytest.approx(128, rel=1e-6)
    assert ar.brn_prompt.sum() == pytest.approx(497, rel=1e-6)
    assert ar.brn_delayed.sum() == pytest.approx(33, rel=1e-6)
    assert ar.steady_state.sum() == pytest.approx(3152, rel=1e-6)
    # Steady state is flat in time.
    assert np.allclose(ar.steady_state, ar.steady_state[..., :1])
    np.testing.assert_allclose(ar.energy_centers, np.arange(5, 120, 10))
    np.testing.assert_allclose(ar.f90_centers, np.arange(0.525, 0.9, 0.05))
    np.testing.assert_allclose(ar.time_centers, np.arange(0.15, 4.9, 0.5))
    np.testing.assert_allclose(ar.energy_edges[[0, -1]], [0, 120])
    np.testing.assert_allclose(ar.f90_edges[[0, -1]], [0.5, 0.9])
    np.testing.assert_allclose(ar.time_edges[[0, -1]], [-0.1, 4.9])


def test_ar2020_row_order_is_energy_f90_time():
    """The files list energy slowest and time fastest; the parser does not depend on it."""
    ar = datasets.load_ar2020()
    raw = np.loadtxt(ar.directory / "cevnspdf.txt")
    np.testing.assert_array_equal(raw[:, 3].reshape(12, 8, 10), ar.cevns)
    np.testing.assert_allclose(raw[:10, 2], ar.time_centers)


def test_ar2020_cube_parser_ignores_row_order(tmp_path):
    ar = datasets.load_ar2020()
    lines = (ar.directory / "brnpdf.txt").read_text().splitlines()
    shuffled = tmp_path / "brnpdf.txt"
    shuffled.write_text("\n".join(np.random.default_rng(1).permutation(lines)) + "\n")
    np.testing.assert_array_equal(ar2020.read_cube(shuffled), ar.brn_prompt)


def test_ar2020_systematics():
    ar = datasets.load_ar2020()
    assert set(ar.systematics) == {
        "brnpdf+1sigBRNTimingMean",
        "brnpdf+1sigEnergy",
        "brnpdf-1sigBRNTimingMean",
        "brnpdf-1sigEnergy",
        "brnpdfBRNTimingWidthSyst",
        "cevnspdf+1sigF90",
        "cevnspdf-1sigF90",
        "cevnspdfCEvNSTimingMeanSyst",
    }
    for name, cube in ar.systematics.items():
        # Alternative shapes keep the normalisation, except the +1 sigma BRN timing mean (523.67).
        expected = 128 if name.startswith("cevns") else 497
        if name == "brnpdf+1sigBRNTimingMean":
            assert cube.sum() == pytest.approx(523.67, abs=0.01)
        else:
            assert cube.sum() == pytest.approx(expected, rel=1e-6)


def test_ar2020_projections_are_at_best_fit():
    ar = datasets.load_ar2020()
    e = ar.energy_projection
    assert e.center.shape == (12,)
    assert ar.f90_projection.center.shape == (8,) and ar.time_projection.center.shape == (10,)
    # CEvNS column = 1.2461 x the energy projection of the 3D CEvNS PDF (159 events).
    np.testing.assert_allclose(e.cevns, 1.2461 * ar.cevns.sum(axis=(1, 2)), atol=0.005)
    assert e.cevns.sum() == pytest.approx(159, abs=1)
    # BRN column = prompt at 553 + delayed at 10 events.
    best_brn = ar.brn_prompt.sum(axis=(1, 2)) * 553 / 497 + ar.brn_delayed.sum(axis=(1, 2)) * 10 / 33
    np.testing.assert_allclose(e.brn, best_brn, rtol=2e-3)
    np.testing.assert_allclose(e.cevns_plus_brn, e.cevns + e.brn, atol=1e-3)
    assert np.all(e.syst_low <= e.cevns_plus_brn) and np.all(e.cevns_plus_brn <= e.syst_high)
    for axis, centres in (("energy", ar.energy_centers), ("f90", ar.f90_centers), ("time", ar.time_centers)):
        band = ar.syst_bands[axis]
        np.testing.assert_allclose(band.center, centres)
        assert np.all(band.min_frac <= band.max_frac)


def test_ar2020_efficiency_and_parameters():
    ar = datasets.load_ar2020()
    eff = ar.efficiency
    assert eff.kevee_center.shape == eff.kevnr_center.shape == eff.efficiency.shape == (80,)
    assert eff.kevee_center[0] == 0.25 and eff.kevee_center[-1] == 39.75
    assert eff.efficiency[-1] == pytest.approx(0.96345)
    p = ar.parameters
    assert isinstance(p, dict)
    assert p["beamExposure"]["value"] == 13.8
    assert p["distanceToTarget"]["value"] == 27.5
    assert p["fiducialMass"]["value"] == 24.4 and p["fiducialMass"]["uncertainty"] == 0.61
    qf = {q["name"]: q["value"] for q in p["larQF"]["parameters"]}
    assert qf == {"a": 0.246, "b": 0.00078}
    assert p["cevnsPredictionNormalization"]["value"] == 128
    assert p["neutrinosPerProton"]["value"] == 0.09


def test_ar2020_load_is_cached():
    assert datasets.load_ar2020() is datasets.load_ar2020()


# --- CsI 2021 ----------------------------------------------------------------------------


def test_csi2021_events():
    csi = datasets.load_csi2021()
    assert csi.events_ac.pe.shape == csi.events_ac.t_rec.shape == (4890,)
    assert csi.events_c.pe.shape == csi.events_c.t_rec.shape == (5142,)
    for ev in (csi.events_ac, csi.events_c):
        assert ev.pe.max() < 250 and ev.t_rec.min() >= 0 and ev.t_rec.max() < 6


def test_csi2021_pdfs():
    csi = datasets.load_csi2021()
    for pe in (csi.brn_pe, csi.nin_pe):
        np.testing.assert_allclose(pe.center, np.arange(0.5, 250, 1.0))
        assert pe.value[pe.center < 60].sum() == pytest.approx(1, abs=1e-6)
    for t in (csi.brn_trec, csi.nin_trec):
        assert t.center.shape == (650,)
        assert t.center[0] == pytest.approx(-0.245) and t.center[-1] == pytest.approx(6.245)
    # The t_rec PDFs count events over all PE (27.63 BRN, 7.56 NIN) ...
    assert csi.brn_trec.value.sum() == pytest.approx(27.632, abs=1e-3)
    assert csi.nin_trec.value.sum() == pytest.approx(7.565, abs=1e-3)

    # ... and give 18.45 BRN and 5.62 NIN in the PE < 60, 0 <= t_rec < 6 us analysis region.
    def in_analysis(trec, pe):
        window = (trec.center > 0) & (trec.center < 6)
        return trec.value[window].sum() * pe.value[pe.center < 60].sum() / pe.value.sum()

    assert in_analysis(csi.brn_trec, csi.brn_pe) == pytest.approx(18.45, abs=0.01)
    assert in_analysis(csi.nin_trec, csi.nin_pe) == pytest.approx(5.62, abs=0.01)


def test_csi2021_coefficients():
    csi = datasets.load_csi2021()
    eff = csi.efficiency
    np.testing.assert_array_equal(eff.nominal, [1.32045, 0.285979, 10.8646, -0.333322])

    def curve(coef, x):
        a, b, c, d = coef
        return a / (1 + np.exp(-b * (x - c))) + d

    x = np.linspace(5, 40, 36)
    assert np.all(curve(eff.plus, x) > curve(eff.nominal, x))
    assert np.all(curve(eff.minus, x) < curve(eff.nominal, x))
    sc = csi.scintillation
    assert sc.nominal.shape == (4,) and sc.plus.shape == sc.minus.shape == (2, 4)
    np.testing.assert_array_equal(sc.nominal, [0.0554628, 4.30681, -111.707, 840.384])
    np.testing.assert_array_equal(sc.plus[0], [0.0613632, 3.51547, -85.5548, 595.562])
    np.testing.assert_array_equal(sc.minus[1], [0.0555126, 4.67765, -130.309, 1050.68])


# --- CsI 2017 ----------------------------------------------------------------------------


def test_csi2017_tables():
    csi = datasets.load_csi2017()
    np.testing.assert_allclose(csi.pe_centers, np.arange(1, 50, 2))
    np.testing.assert_allclose(csi.time_centers, np.arange(0.25, 12, 0.5))
    totals = {
        "coincidence_on": 1207,
        "anticoincidence_on": 1032,
        "coincidence_off": 507,
        "anticoincidence_off": 507,
    }
    for name, total in totals.items():
        table = getattr(csi, name)
        assert table.shape == (25, 24)
        assert table.sum() == total
    raw = np.loadtxt(csi.directory / "data_coincidence_beamOn.txt", delimiter=",")
    np.testing.assert_array_equal(raw[:, 2].reshape(25, 24), csi.coincidence_on)
    for pdf in (csi.prompt_pdf, csi.delayed_pdf):
        np.testing.assert_allclose(pdf.center, csi.time_centers)
        assert pdf.value.sum() == pytest.approx(1)
    assert csi.prompt_pdf.value[csi.time_centers > 2].sum() == 0


# --- locating, corruption, bad formats ---------------------------------------------------


def test_env_override(tmp_path, monkeypatch):
    copy = copy_release(CSI21, tmp_path)
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    assert datasets.search_roots() == (tmp_path,)
    assert datasets.locate(CSI21) == copy
    assert datasets.path(CSI21, "brnPE.txt") == copy / "brnPE.txt"
    assert datasets.load_csi2021().directory == copy
    # The variable is the only place looked at: no silent fallback to the mirror.
    with pytest.raises(FileNotFoundError, match=f"cevnsjax data fetch {AR}"):
        datasets.locate(AR)


def test_missing_release_gives_fetch_hint(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError) as err:
        datasets.load_ar2020()
    msg = str(err.value)
    assert "cevnsjax data fetch coherent_ar_2020" in msg
    assert str(tmp_path / AR) in msg
    report = datasets.verify(AR)
    assert not report.ok and report.directory is None and report.searched == (tmp_path / AR,)


def test_missing_file_names_file_and_hash(tmp_path, monkeypatch):
    copy = copy_release(CSI17, tmp_path)
    (copy / "arrivalTimePDF_promptNeutrinos.txt").unlink()
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    expected = datasets.get_release(CSI17).file("arrivalTimePDF_promptNeutrinos.txt").sha256
    with pytest.raises(FileNotFoundError, match=f"arrivalTimePDF_promptNeutrinos.txt.*{expected}"):
        datasets.load_csi2017()
    report = datasets.verify(CSI17)
    missing = [f for f in report.files if not f.found]
    assert [f.path for f in missing] == ["arrivalTimePDF_promptNeutrinos.txt"]


def test_corrupted_copy_is_refused(tmp_path, monkeypatch):
    copy = copy_release(AR, tmp_path)
    monkeypatch.setenv(datasets.ENV_VAR, str(tmp_path))
    datasets.load_ar2020()  # fine before, cached afterwards
    flip_byte(copy / "cevnspdf.txt")
    expected = datasets.get_release(AR).file("cevnspdf.txt").sha256
    for load in (datasets.load_ar2020, lambda: datasets.path(AR, "cevnspdf.txt")):
        with pytest.raises(datasets.DataError) as err:
            load()
        msg = str(err.value)
        assert "cevnspdf.txt" in msg and expected in msg and "cevnsjax data fetch coherent_ar_2020" in msg
    assert isinstance(err.value, ValueError)
    bad = [f.path for f in datasets.verify(AR).files if not f.ok]
    assert bad == ["cevnspdf.txt"]


def test_corrupted_mirror_copy_hint_points_at_fetch_destination(tmp_path, monkeypatch):
    """Without CEVNSJAX_DATA a bad copy outside the cache tells how to use a fetched one."""
    copy = copy_release(CSI17, tmp_path / "repo_mirror")
    flip_byte(copy / "data_coincidence_beamOn.txt")
    monkeypatch.delenv(datasets.ENV_VAR, raising=False)
    monkeypatch.setattr(datasets._locate, "search_roots", lambda: (tmp_path / "repo_mirror",))
    monkeypatch.setattr(datasets._locate, "fetch_destination", lambda: tmp_path / "cache")
    with pytest.raises(datasets.DataError, match=f"set CEVNSJAX_DATA={tmp_path / 'cache'}"):
        datasets.path(CSI17, "data_coincidence_beamOn.txt")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    file = tmp_path / name
    file.write_text(text)
    return file


def test_truncated_cube_refused(tmp_path):
    lines = (datasets.locate(AR) / "cevnspdf.txt").read_text().splitlines()
    file = _write(tmp_path, "cevnspdf.txt", "\n".join(lines[:-1]) + "\n")
    with pytest.raises(datasets.DataError, match=r"cevnspdf\.txt: 959 data rows, expected 960"):
        ar2020.read_cube(file)


def test_bad_cube_content_refused(tmp_path):
    lines = (datasets.locate(AR) / "brnpdf.txt").read_text().splitlines()
    cases = {
        "columns": (lines[:5] + ["5 0.525 0.15"] + lines[6:], r"line 6 has 3 columns, expected 4"),
        "text": (lines[:7] + ["5 0.525 0.15 abc"] + lines[8:], r"line 8 is not numeric"),
        "nan": (lines[:7] + ["5 0.525 0.15 nan"] + lines[8:], r"line 8 has a non-finite value"),
        "off grid": (["6" + lines[0][1:]] + lines[1:], r"energy \[keVee\] 6\.0, not one of the bin centres"),
        "repeated": ([lines[1]] + lines[1:], r"appears 0 times"),
    }
    for case, (content, message) in cases.items():
        file = _write(tmp_path, f"brnpdf_{case.replace(' ', '_')}.txt", "\n".join(content) + "\n")
        with pytest.raises(datasets.DataError, match=message) as err:
            ar2020.read_cube(file)
        assert file.name in str(err.value)


def test_truncated_projection_refused(tmp_path):
    lines = (datasets.locate(AR) / "OneDProjections/energydata1d.txt").read_text().splitlines()
    file = _write(tmp_path, "energydata1d.txt", "\n".join(lines[:-1]) + "\n")
    with pytest.raises(datasets.DataError, match=r"energydata1d\.txt: 11 data rows, expected 12"):
        ar2020.read_projection(file, "energy")
    file = _write(tmp_path, "f90data1d.txt", "\n".join(lines) + "\n")
    with pytest.raises(datasets.DataError, match="expected 8"):
        ar2020.read_projection(file, "f90")


def test_bad_yaml_refused(tmp_path):
    with pytest.raises(datasets.DataError, match="params.yaml"):
        ar2020.read_parameters(_write(tmp_path, "params.yaml", "a: [1, 2\n"))
    with pytest.raises(datasets.DataError, match="mapping"):
        ar2020.read_parameters(_write(tmp_path, "list.yaml", "- 1\n- 2\n"))


def test_bad_csi_files_refused(tmp_path):
    with pytest.raises(datasets.DataError, match=r"events\.txt: line 3 is not numeric"):
        csi2021.read_events(_write(tmp_path, "events.txt", "# header\n1.0 2.0\n1.0 x\n"))
    with pytest.raises(datasets.DataError, match="outside"):
        csi2021.read_events(_write(tmp_path, "late.txt", "10.0 6.5\n"))
    eff = (datasets.locate(CSI21) / "effCoefficients.txt").read_text()
    with pytest.raises(datasets.DataError, match="two systematic rows"):
        csi2021.read_efficiency(_write(tmp_path, "eff.txt", eff.rsplit("\n", 2)[0] + "\n"))
    scint = (datasets.locate(CSI21) / "scintRespCoefficients.txt").read_text()
    with pytest.raises(datasets.DataError, match="Syst model 0/1"):
        csi2021.read_scintillation(_write(tmp_path, "scint.txt", scint.replace("model 1, -1", "model 1, +1")))
    with pytest.raises(datasets.DataError, match="steps of 0.01"):
        lines = (datasets.locate(CSI21) / "brnTrec.txt").read_text().splitlines()
        datasets._tables.read_binned_pdf(_write(tmp_path, "trec.txt", "\n".join(lines[::2])), 0.01)
    table = (datasets.locate(CSI17) / "data_coincidence_beamOn.txt").read_text().splitlines()
    with pytest.raises(datasets.DataError, match="599 data rows, expected 600"):
        csi2017.read_counts(_write(tmp_path, "counts.txt", "\n".join(table[1:])))
    with pytest.raises(datasets.DataError, match="non-negative integers"):
        csi2017.read_counts(_write(tmp_path, "frac.txt", "\n".join(["1.0, 0.25, 0.5"] + table[1:])))
    with pytest.raises(datasets.DataError, match="line 1 has 1 columns"):
        csi2017.read_counts(_write(tmp_path, "spaces.txt", "\n".join(line.replace(",", "") for line in table)))


# --- fetch -------------------------------------------------------------------------------


def test_fetch_from_loopback_http_mirror(http_mirror, tmp_path, monkeypatch):
    url, _ = http_mirror
    dest = tmp_path / "dest"
    for name in datasets.RELEASES:
        assert datasets.fetch(name, dest=dest, base_url=url) == dest / name
    monkeypatch.setenv(datasets.ENV_VAR, str(dest))
    assert all(datasets.verify(name).ok for name in datasets.RELEASES)
    assert datasets.load_ar2020().directory == dest / AR
    # A second fetch finds everything in place (no server needed).
    assert datasets.fetch(CSI17, dest=dest, base_url="http://127.0.0.1:9/") == dest / CSI17


def test_fetch_refuses_corrupted_mirror(http_mirror, tmp_path):
    url, root = http_mirror
    flip_byte(root / AR / "SystErrors" / "brnpdf+1sigEnergy.txt")
    dest = tmp_path / "dest"
    expected = datasets.get_release(AR).file("SystErrors/brnpdf+1sigEnergy.txt").sha256
    with pytest.raises(datasets.DataError, match=f"brnpdf\\+1sigEnergy.txt.*{expected}"):
        datasets.fetch(AR, dest=dest, base_url=url)
    assert not (dest / AR / "SystErrors" / "brnpdf+1sigEnergy.txt").exists()


def test_fetch_replaces_corrupted_local_copy_from_file_url(tmp_path):
    mirror = datasets.locate(CSI21).parent.as_uri()
    dest = tmp_path / "dest"
    folder = datasets.fetch(CSI21, dest=dest, base_url=mirror)
    flip_byte(folder / "ninPE.txt")
    datasets.fetch(CSI21, dest=dest, base_url=mirror)
    assert datasets._locate.sha256(folder / "ninPE.txt") == datasets.get_release(CSI21).file("ninPE.txt").sha256


def test_fetch_errors(tmp_path):
    with pytest.raises(ValueError, match="unsupported URL"):
        datasets.fetch(CSI17, dest=tmp_path, base_url="gopher://example")
    with pytest.raises(RuntimeError, match="could not download"):
        datasets.fetch(CSI17, dest=tmp_path, base_url=(tmp_path / "empty").as_uri())


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_fetch_from_archive(tmp_path, kind):
    """Files shipped inside an archive of a record are extracted and checked one by one."""
    source = datasets.locate(CSI17)
    archive = tmp_path / f"release.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as bundle:
            for entry in datasets.get_release(CSI17).files:
                bundle.write(source / entry.path, f"Data/{entry.path}")
    else:
        with tarfile.open(archive, "w:gz") as bundle:
            for entry in datasets.get_release(CSI17).files:
                bundle.add(source / entry.path, f"Data/{entry.path}")
    members = (
        datasets.RemoteFile(f.path, f.sha256, archive.as_uri(), f"Data/{f.path}")
        for f in datasets.get_release(CSI17).files
    )
    release = datasets.Release(CSI17, "test archive", tuple(members))
    folder = datasets.fetch(release, dest=tmp_path / "dest")
    for entry in release.files:
        assert datasets._locate.sha256(folder / entry.path) == entry.sha256
    wrong = datasets.RemoteFile("x.txt", "0" * 64, archive.as_uri(), "Data/data_coincidence_beamOn.txt")
    bad = datasets.Release(CSI17, "bad", (wrong,))
    with pytest.raises(datasets.DataError, match="expected 0000"):
        datasets.fetch(bad, dest=tmp_path / "bad")
    assert not (tmp_path / "bad" / CSI17 / "x.txt").exists()
