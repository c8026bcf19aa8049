"""`cevnsjax reproduce`: verdicts, JSON contract, every experiment has a table, CsI 2021 reproduced."""

import json
import math

import pytest
from click.testing import CliRunner

from cevnsjax.cli import main
from cevnsjax.cli.reproduce import TABLES, Row


def test_status_rules():
    def row(ours, published, decimals, sigma=None):
        return Row("q", ours, published, decimals, sigma, "src")

    assert row(0.04009, 0.0401, 4).status == "within rounding"  # |diff| = 1e-5 <= 5e-5
    assert row(0.316, 0.31, 2).status == "off"  # |diff| = 0.006 > 0.005, no sigma
    assert row(11.65, 11.6, 1).status == "within rounding"  # the boundary itself counts
    assert row(330.6, 333, 0, 11).status == "within 1 sigma"
    assert row(360.0, 333, 0, 11).status == "off"
    assert row(math.nan, 0.24, 2, 0.04).status == "off"  # an interval end outside the grid
    d = row(math.nan, 0.24, 2).to_dict()
    assert d["cevnsjax"] is None and d["difference"] is None and d["status"] == "off"
    assert row(8.72, 8.8, 1).difference == pytest.approx(-0.08)
    assert row(330.6, 333, 0, 11).published_text() == "333 +- 11"


def test_every_experiment_has_a_table():
    names = {"couplings", "coherent_ar_2020", "coherent_csi_2021", "coherent_csi_2017", "combinations"}
    assert names | {"dresden_ii_2022", "apv_cs"} <= set(TABLES)


def test_apv_table_within_rounding():
    r = CliRunner().invoke(main, ["reproduce", "apv_cs", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output.strip().splitlines()[-1])["apv_cs"]
    assert [row["status"] for row in rows] == ["within 1 sigma", "within rounding", "within rounding"], rows


def test_couplings_json_all_within_rounding():
    r = CliRunner().invoke(main, ["reproduce", "couplings", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output.strip().splitlines()[-1])["couplings"]
    assert len(rows) == 9
    for row in rows:
        assert set(row) == {"quantity", "cevnsjax", "published", "decimals", "sigma", "difference", "status", "source"}
        assert row["status"] == "within rounding", row
        assert row["source"].startswith("arXiv:")


def test_unknown_table_lists_choices():
    r = CliRunner().invoke(main, ["reproduce", "coherent_csi"])
    assert r.exit_code == 2 and "coherent_csi_2021" in r.output


@pytest.mark.slow
def test_csi_2021_table():
    r = CliRunner().invoke(main, ["reproduce", "coherent_csi_2021"])
    assert r.exit_code == 0, r.output
    assert "within 1 sigma" in r.output and "independent reference computation" in r.output
    rows = {row[0]: row for row in _rows_of(r.output)}
    sm = rows["CsI 2021 SM CEvNS events (R_n 5.01 / 4.94 fm)"]
    assert sm[1] == "330.6" and sm[2] == "333 +- 11" and sm[4] == "within 1 sigma"
    assert rows["CsI 2021 CEvNS significance [sigma]"][4] == "within rounding"  # 11.58 vs 11.6


def _rows_of(text: str) -> list[tuple[str, ...]]:
    """(quantity, ours, published, diff, status) of the printed table (columns split on 2+ spaces)."""
    import re

    out = []
    for line in text.splitlines():
        if line.startswith(("==", "quantity")) or not line.strip():
            continue
        quantity, rest = line[:58].strip(), line[58:]
        cells = re.split(r"\s{2,}", rest.strip())
        out.append((quantity, *cells[:4]))
    return out
