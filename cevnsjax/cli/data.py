"""``cevnsjax data``: find, verify (SHA-256) and download the public data releases."""

from __future__ import annotations

import sys

import click

from .. import datasets
from ._app import emit_json, handle_errors, main


@main.group()
def data():
    """Locate, verify and download the public data releases."""


def _report_json(report: datasets.ReleaseReport) -> dict:
    return {
        "found": report.directory is not None,
        "directory": None if report.directory is None else str(report.directory),
        "searched": [str(p) for p in report.searched],
        "ok": report.ok,
        "files": {
            f.path: {
                "found": f.found,
                "hash_ok": f.ok,
                "expected_sha256": f.expected,
                "sha256": f.actual,
                "problem": f.problem,
            }
            for f in report.files
        },
        "fix": None if report.ok else report.hint,
    }


def _echo_report(report: datasets.ReleaseReport) -> None:
    if report.directory is None:
        click.echo(f"{report.name}: NOT FOUND (looked in: {', '.join(map(str, report.searched))})")
    else:
        good = sum(f.ok for f in report.files)
        click.echo(f"{report.name}: {report.directory} ({good}/{len(report.files)} files ok)")
    for f in report.files:
        if not f.found:
            click.echo(f"  missing  {f.path} (expected SHA-256 {f.expected})")
        elif f.problem is not None:
            click.echo(f"  BAD      {f.path}: {f.problem}")
        elif not f.ok:
            click.echo(f"  CORRUPT  {f.path}: SHA-256 {f.actual}, expected {f.expected}")
    if not report.ok:
        click.echo(f"  fix: {report.hint}")


@data.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last stdout line.")
@handle_errors
def verify(as_json: bool):
    """Check every known release: where it is, and whether each file has its released SHA-256.

    Exits with status 1 when a release or file is missing or corrupted.
    """
    reports = [datasets.verify(name) for name in datasets.RELEASES]
    ok = all(r.ok for r in reports)
    if as_json:
        emit_json({"ok": ok, "releases": {r.name: _report_json(r) for r in reports}})
    else:
        for report in reports:
            _echo_report(report)
        click.echo("all releases verified" if ok else "some releases are missing or corrupted (see fix above)")
    if not ok:
        sys.exit(1)


@data.command()
@click.argument("names", nargs=-1)
@click.option(
    "--base-url",
    default=None,
    help="Download from this mirror (http(s)://, ftp:// or file:// URL of a folder holding "
    "the release folders) instead of Zenodo / arXiv.",
)
@handle_errors
def fetch(names: tuple[str, ...], base_url: str | None):
    """Download releases (all when no NAME is given) with SHA-256 checks.

    They go to $CEVNSJAX_DATA when set, else to the user cache.
    """
    releases = [datasets.get_release(name) for name in names or datasets.RELEASES]
    for release in releases:
        folder = datasets.fetch(release, base_url=base_url)
        click.echo(f"{release.name}: {len(release.files)} files verified in {folder}")
