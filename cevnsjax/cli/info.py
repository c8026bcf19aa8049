"""``cevnsjax list`` and ``cevnsjax info EXP``: what the experiments are, without starting JAX."""

from __future__ import annotations

import click

from .._info import info as describe_experiment
from .._info import known_names, table
from ._app import emit_json, handle_errors, main


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last stdout line.")
@handle_errors
def list_experiments(as_json: bool):
    """The experiments, one line each."""
    summaries = {n: table()[n].summary if n in table() else "" for n in known_names()}
    if as_json:
        emit_json({"experiments": summaries})
        return
    width = max(map(len, summaries))
    for name, summary in summaries.items():
        click.echo(f"{name:<{width}}  {summary}".rstrip())


@main.command()
@click.argument("name", metavar="EXP")
@click.option("--option", "options", multiple=True, metavar="K=V", help="Describe EXP built with these options.")
@click.option("--all", "show_all", is_flag=True, help="Also list the beyond-SM parameters at their SM values.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object as the last stdout line.")
@handle_errors
def info(name: str, options: tuple[str, ...], show_all: bool, as_json: bool):
    """Options, parameters (units, bounds, defaults, priors), data and papers of EXP.

    With --option the experiment is built (JAX starts, the data are read); otherwise the answer
    comes from the table generated from the experiment registry.
    """
    given = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--option expects K=V, got '{item}'")
        given[key.strip()] = value.strip()
    if given:
        from .._setup import configure

        configure()
    result = describe_experiment(name, **given)
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(result.text(show_all=show_all))


def hidden_at_sm(model, values: dict, free) -> list[str]:
    """The beyond-SM parameters of ``values`` that are fixed at their SM values (text output omits them)."""
    from ..constants import pdg2022
    from ..physics import catalogue

    out = []
    for name, value in values.items():
        p = model.parameters[name]
        if name in free or p.kind != "physics" or float(value) != p.default:
            continue
        try:
            catalogue.sm_value(name, pdg2022)
        except KeyError:
            continue
        out.append(name)
    return out
