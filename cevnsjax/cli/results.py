"""``cevnsjax plot RESULT.json``: redraw a saved result without recomputing it."""

from __future__ import annotations

from pathlib import Path

import click

from .. import plotting
from ..inference import load
from ._app import emit_json, handle_errors, main


@main.command()
@click.argument("result_file", metavar="RESULT.json")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    default=None,
    help="Figure to write (default: RESULT.png beside the JSON file).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last stdout line.")
@handle_errors
def plot(result_file, plot, as_json):
    """Redraw a result saved with --output (fit, profile, scan, exclusion, sample, fc) as the command's --plot would."""
    result = load(result_file)
    out = plot or str(Path(result_file).with_suffix(".png"))
    try:
        fig = plotting.plot_result(result)
    except TypeError as err:
        raise ValueError(str(err)) from None
    plotting.save(fig, out)
    kind = type(result).__name__
    if as_json:
        emit_json({"type": kind, "experiments": result.metadata.get("experiments", []), "plot": out})
        return
    click.echo(
        f"{kind} of {result.metadata.get('model', '?')} (cevnsjax {result.metadata.get('version', '?')}): saved {out}"
    )
