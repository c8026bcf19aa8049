"""The root group's machinery: command modules imported on demand, names checked before JAX starts.

``cevnsjax --help``, ``list`` and ``info`` import neither JAX nor the inference modules; a command
that computes imports its module (and JAX, configured by :func:`cevnsjax.configure`) only when it
runs: its ``--help`` is answered from a stored copy of its help (``cevnsjax/resources/cli_help.json``,
regenerated with the experiment table by ``python -c "from cevnsjax._info import write; write()"``).  Experiment, option and parameter names on the command line of such a command are checked
first against the generated experiment table (:mod:`cevnsjax._info`), so that a typo is answered
at once, with close matches.  ``cevnsjax fit EXP --help`` appends EXP's options and parameters.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
from importlib import resources
from pathlib import Path

import click

from .._info import ExperimentInfo, known_names, table, unknown_experiment_message
from .._names import did_you_mean

#: Command -> (module of this package that defines it, the first sentence of its docstring for ``cevnsjax --help``).
#: ``tests/test_cli_info.py`` checks the help against the command's own docstring.
COMMANDS: dict[str, tuple[str, str]] = {
    "couplings": ("couplings", "Radiatively corrected g_V^p(nu_l), g_V^n and SM neutrino charge radii."),
    "data": ("data", "Locate, verify and download the public data releases."),
    "exclusion": (
        "exclusion",
        "Exclusion limits on a coupling versus a mass (nuisances re-minimised): excluded and allowed ranges.",
    ),
    "fc": (
        "toys",
        "Feldman-Cousins intervals of one parameter of EXP (toys on a grid), with the Wilks intervals beside them.",
    ),
    "fit": ("inference", "Fit EXP (several: their combination): best-fit values, Hessian errors, correlations."),
    "info": ("info", "Options, parameters (units, bounds, defaults, priors), data and papers of EXP."),
    "list": ("info", "The experiments, one line each."),
    "plot": (
        "results",
        "Redraw a result saved with --output (fit, profile, scan, exclusion, sample, fc) as the command's --plot would.",
    ),
    "profile": ("inference", "Profile likelihood in one or two parameters, every other free parameter re-minimised."),
    "reproduce": (
        "reproduce",
        "Recompute published numbers (all tables, or NAME): ours, the paper's, the difference and a status.",
    ),
    "sample": ("inference", "NUTS posterior over the nuisances and the --free parameters (flat priors within bounds)."),
    "toys": ("toys", "Pseudo-experiments of EXP at a truth, each fitted: fitted values, chi2_min, Wilks coverage."),
    "scan": (
        "inference",
        "chi^2 on a grid (outer product of the --grid axes): nuisances profiled, or fixed and sharded over devices.",
    ),
}
#: Commands whose leading arguments are experiment names (checked before their module is imported).
EXPERIMENT_COMMANDS = ("fit", "profile", "scan", "sample", "toys", "fc", "exclusion")
#: Modules that import no JAX (the others are imported after :func:`cevnsjax.configure`).
LIGHT = ("info",)
#: The stored help of the commands of the modules that are not light, and its width in characters.
HELP_FILE = "cli_help.json"
HELP_WIDTH = 78
#: Flags whose value is a parameter name (before ``=`` where a value follows).
PARAMETER_FLAGS = ("--free", "--fix", "--start", "--param", "--grid", "--truth", "--poi", "--over")


def _flag_values(args: list[str], flag: str) -> list[str]:
    """The values given to ``flag`` (``--flag V`` or ``--flag=V``) in raw arguments."""
    out = []
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            out.append(args[i + 1])
        elif a.startswith(flag + "="):
            out.append(a[len(flag) + 1 :])
    return out


def precheck(args: list[str]) -> str | None:
    """The error message for an unknown experiment, option, option value or parameter in a command's
    raw arguments, or None.  Experiments are the arguments before the first option; names the table
    cannot judge (a combination's renamed nuisances, parameters added by an option) are left to the
    command itself."""
    if any(a in ("-h", "--help") for a in args):
        return None
    exps = []
    for a in args:
        if a.startswith("-"):
            break
        exps.append(a)
    valid = known_names()
    for name in exps:
        if name not in valid:
            return unknown_experiment_message(name, valid)
    infos = [table()[n] for n in exps if n in table()]
    if not infos or len(infos) != len(exps):
        return None
    accepted = {k: o for e in infos for k, o in e.options.items()}
    given = _flag_values(args, "--option")
    for item in given:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if key not in accepted:
            return (
                f"unknown option '{key}' for {', '.join(exps)}{did_you_mean(key, accepted)}; "
                f"valid options: {', '.join(sorted(accepted))}"
            )
        choices = accepted[key]["choices"]
        if sep and choices is not None and value not in map(str, choices):
            return (
                f"option {key}={value!r} is not valid{did_you_mean(value, map(str, choices))}; "
                f"choices: {', '.join(map(str, choices))}"
            )
    if given or _flag_values(args, "--tie"):
        return None  # options and ties may add, remove or rename parameters: the built model judges
    names = _parameter_names(infos)
    for flag in PARAMETER_FLAGS:
        for value in _flag_values(args, flag):
            for item in value.split(","):
                p = item.partition("=")[0].strip()
                if p and p not in names:
                    shown = [n for n in names if "." not in n] if len(infos) > 1 else names
                    return f"unknown parameter '{p}'{did_you_mean(p, names)}; valid names: {', '.join(shown)}"
    return None


def _parameter_names(infos: list[ExperimentInfo]) -> list[str]:
    """Every name a parameter of these experiments (or of their combination) may have."""
    names: list[str] = []
    for e in infos:
        names += e.parameter_names + list(e.renamed)
        if len(infos) > 1:
            names += [f"{e.name}.{p['name']}" for p in e.parameters if p["kind"] == "nuisance"]
    return list(dict.fromkeys(names))


class ExperimentCommand(click.Command):
    """A command whose ``EXP ... --help`` appends the named experiments' options and parameters."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if any(a in ("-h", "--help") for a in args):
            ctx.meta["cevnsjax.help_experiments"] = [a for a in args if a in table()]
        return super().parse_args(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        if not any(p.name == "experiment_names" for p in self.params):
            return
        shown = ctx.meta.get("cevnsjax.help_experiments", [])
        for name in shown:
            formatter.write("\n")
            formatter.write(
                table()[name].text().replace("--all lists them", f"cevnsjax info {name} --all lists them") + "\n"
            )
        if not shown:
            formatter.write_paragraph()
            formatter.write_text(
                f"EXP: {', '.join(known_names())}. `cevnsjax fit EXP --help` or `cevnsjax info EXP` "
                "lists EXP's options (--option K=V) and parameters."
            )


class LazyGroup(click.Group):
    """The root group: imports a command's module when the command is needed (see the module docstring)."""

    command_class = ExperimentCommand

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            load(COMMANDS[cmd_name][0])
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else None
        if name in COMMANDS and name not in self.commands and any(a in ("-h", "--help") for a in args[1:]):
            stored = stored_help().get(name)
            if stored is not None:  # the command's help without importing its module (nor JAX)
                return name, HelpOnly(name, stored), args[1:]
        if args and args[0] in EXPERIMENT_COMMANDS:
            message = precheck(args[1:])
            if message is not None:
                click.echo(f"error: {message}", err=True)
                if "--json" in args:
                    click.echo(json.dumps({"error": message}))
                sys.exit(2)
        if args and args[0] not in self.list_commands(ctx):
            ctx.fail(f"No such command '{args[0]}'{did_you_mean(args[0], self.list_commands(ctx))}.")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name) or click.Command(name, help=COMMANDS[name][1])
            rows.append((name, cmd.get_short_help_str(formatter.width - 6 - len(name))))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class HelpOnly(ExperimentCommand):
    """Stands in for a command whose ``--help`` is asked: its stored help, the experiments' part live."""

    def __init__(self, name: str, stored: dict[str, str]):
        super().__init__(name, params=[click.Argument(["experiment_names"], nargs=-1)], add_help_option=False)
        self.stored = stored

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["cevnsjax.help_experiments"] = [a for a in args if a in table()]
        click.echo(self.get_help(ctx), color=ctx.color)
        ctx.exit()

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, self.stored["usage"])
        formatter.write("\n" + self.stored["body"])
        if self.stored["experiments"]:
            self.format_epilog(ctx, formatter)


def render_help(command: click.Command) -> dict[str, str]:
    """``usage`` (the arguments after the command's path), ``body`` (description and options) at
    :data:`HELP_WIDTH`, and whether the command takes experiment names: what :class:`HelpOnly` shows."""
    parent = click.Context(click.Group("cevnsjax"), info_name="cevnsjax", help_option_names=["-h", "--help"])
    ctx = click.Context(command, info_name=command.name, parent=parent)
    formatter = click.HelpFormatter(width=HELP_WIDTH)
    command.format_help_text(ctx, formatter)
    command.format_options(ctx, formatter)
    return {
        "usage": " ".join(command.collect_usage_pieces(ctx)),
        "body": formatter.getvalue(),
        "experiments": any(p.name == "experiment_names" for p in command.params),
    }


def generate_help() -> str:
    """The JSON text of the stored help: every command of a module that is not light (groups aside)."""
    from ._app import main

    for module in {m for m, _ in COMMANDS.values()} - set(LIGHT):
        load(module)
    commands = {n: main.commands[n] for n, (m, _) in COMMANDS.items() if m not in LIGHT}
    body = {n: render_help(c) for n, c in sorted(commands.items()) if not isinstance(c, click.Group)}
    return json.dumps(body, indent=1) + "\n"


def write_help() -> None:
    """Regenerate the stored help in place (:func:`cevnsjax._info.write` calls it)."""
    (Path(__file__).parents[1] / "resources" / HELP_FILE).write_text(generate_help(), encoding="utf-8")
    stored_help.cache_clear()


@functools.cache
def stored_help() -> dict[str, dict]:
    """The stored help of the commands (empty if absent)."""
    try:
        return json.loads(resources.files("cevnsjax").joinpath("resources", HELP_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def load(module: str) -> None:
    """Import a command module of this package; JAX is configured first unless it is a light one."""
    if module not in LIGHT:
        from .._setup import configure

        configure()
    importlib.import_module(f"{__package__}.{module}")
