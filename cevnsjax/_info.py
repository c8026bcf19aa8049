"""What each experiment is: its options, parameters (units, bounds, defaults, priors), data and papers.

:func:`info` answers from ``cevnsjax/resources/experiments.json``, a table generated from the
experiment registry (each experiment's one ``register`` call, its parameter set and its module
docstring), so that it needs neither the data nor JAX: ``cevnsjax list`` and ``cevnsjax info``
answer in a fraction of a second.  Options other than the defaults, or an experiment registered at
run time, are described by building the experiment (:func:`describe`).  The table is written by
:func:`write`; ``tests/test_info.py`` checks that it equals what the
registry builds now, so it cannot drift from the code.

Examples:
    >>> import cevnsjax as cj
    >>> ar = cj.info("coherent_ar_2020")
    >>> ar.options["likelihood"]["choices"]
    ['energy_chi2', 'poisson_3d']
    >>> p = ar.parameter("rn_ar40"); p["unit"], p["default"], p["lower"]
    ('fm', 3.55, 3.448)
    >>> "arXiv:2005.01645" in ar.papers
    True
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import sys
from importlib import resources
from typing import Any

from ._names import did_you_mean

TABLE_FILE = "experiments.json"
_ARXIV = re.compile(r"arXiv:\d{4}\.\d{4,5}")


@dataclasses.dataclass(frozen=True)
class ExperimentInfo:
    """The description of one experiment (plain JSON types throughout).

    Attributes:
        name: registry name (``cj.experiment(name)``, the CLI's EXP).
        summary: one line: what the experiment is.
        options: option name -> ``{"default", "choices" (list or None), "type", "doc"}``.
        given: the options this description was built with (empty: the defaults).
        parameters: in display order, each ``{"name", "unit", "default", "lower", "upper" (None for
            an open end), "prior" ([mean, sigma] of the Gaussian constraint, or None), "free" (free by
            default), "kind" ("physics" or "nuisance"), "sm" (a beyond-SM parameter at its SM value),
            "label", "doc"}``.
        renamed: old parameter name -> current name (still accepted, with a warning).
        data: the public releases read, each ``{"release", "source", "files"}``.
        papers: the arXiv numbers the module docstring cites, in order.
    """

    name: str
    summary: str
    options: dict[str, dict[str, Any]]
    given: dict[str, Any]
    parameters: list[dict[str, Any]]
    renamed: dict[str, str]
    data: list[dict[str, Any]]
    papers: list[str]

    def parameter(self, name: str) -> dict[str, Any]:
        """One parameter's entry.

        Raises:
            KeyError: unknown name (the message lists close matches and the valid names).
        """
        for p in self.parameters:
            if p["name"] == name:
                return p
        names = [p["name"] for p in self.parameters]
        raise KeyError(
            f"unknown parameter '{name}' of {self.name}{did_you_mean(name, names)}; valid names: {', '.join(names)}"
        )

    @property
    def parameter_names(self) -> list[str]:
        """Every parameter name, in display order."""
        return [p["name"] for p in self.parameters]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (``cevnsjax info EXP --json``)."""
        return dataclasses.asdict(self)

    def text(self, *, show_all: bool = False) -> str:
        """Human-readable description; beyond-SM parameters fixed at their SM values are summarised
        in one line unless ``show_all``."""
        lines = [f"{self.name}: {self.summary}"]
        if self.papers:
            lines.append(f"papers: {', '.join(self.papers)}")
        if self.data:
            for d in self.data:
                lines.append(f"data: release {d['release']} ({d['source']}), {len(d['files'])} files")
        else:
            lines.append("data: none read (Asimov data or numbers from the papers)")
        lines += ["", "options (--option K=V; python: cj.experiment(name, K=V)):"]
        width = max([len(k) for k in self.options] + [6])
        for key, o in self.options.items():
            value = self.given.get(key, o["default"])
            shown = f"{_fmt(value)}" + (" (given)" if key in self.given else "")
            allowed = " | ".join(map(str, o["choices"])) if o["choices"] else o["type"]
            lines.append(f"  {key:<{width}}  {shown:<14} {allowed:<34} {o['doc']}".rstrip())
        hidden = [p for p in self.parameters if p["sm"] and not show_all]
        shown_params = [p for p in self.parameters if not (p["sm"] and not show_all)]
        lines += ["", "parameters (* = free by default; prior = Gaussian constraint mean, sigma):"]
        width = max([len(p["name"]) for p in shown_params] + [9])
        lines.append(f"    {'name':<{width}}  {'default':>10} {'unit':<11} {'bounds':<22} {'prior':<16} description")
        for p in shown_params:
            bounds = f"[{_fmt(p['lower'], '-inf')}, {_fmt(p['upper'], 'inf')}]"
            prior = "" if p["prior"] is None else f"{_fmt(p['prior'][0])}, {_fmt(p['prior'][1])}"
            star = "*" if p["free"] else " "
            lines.append(
                f"  {star} {p['name']:<{width}}  {_fmt(p['default']):>10} {p['unit']:<11} {bounds:<22} "
                f"{prior:<16} {p['doc']}".rstrip()
            )
        if hidden:
            lines.append(
                f"  ({len(hidden)} beyond-SM parameters at their SM values not shown: "
                f"{_families([p['name'] for p in hidden])}; --all lists them)"
            )
        if self.renamed:
            lines.append(
                "renamed (old names still accepted): " + ", ".join(f"{a} -> {b}" for a, b in self.renamed.items())
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def _fmt(value: Any, inf: str = "") -> str:
    if value is None:
        return inf
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _families(names: list[str]) -> str:
    """``r2_nu_*, q_nu_*, ...``: the name prefixes of a list of parameters, in order."""
    out: list[str] = []
    for n in names:
        head = n.rsplit("_", 1)[0] + "_*" if n.count("_") > 1 else n
        if head not in out:
            out.append(head)
    return ", ".join(out)


@functools.cache
def table() -> dict[str, ExperimentInfo]:
    """The generated table of the built-in experiments at their default options (empty if absent)."""
    try:
        text = resources.files("cevnsjax").joinpath("resources", TABLE_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    known = {f.name for f in dataclasses.fields(ExperimentInfo)}
    try:  # a table of an older layout is ignored (then the experiments are built to be described)
        entries = json.loads(text)["experiments"].items()
        return {name: ExperimentInfo(**{k: v for k, v in e.items() if k in known}) for name, e in entries}
    except (KeyError, TypeError, ValueError):
        return {}


def known_names() -> list[str]:
    """The names of the built-in experiments and of those registered so far, without importing the
    experiment modules (nor JAX)."""
    from . import experiments

    return sorted({*table(), *experiments.BUILTIN, *experiments._REGISTRY})


def unknown_experiment_message(name: str, valid: list[str]) -> str:
    """The one error message for an unknown experiment name (close matches, then every valid name)."""
    return f"unknown experiment '{name}'{did_you_mean(name, valid)}; valid experiments: {', '.join(valid) or '(none)'}"


def info(name: str, **options: Any) -> ExperimentInfo:
    """Describe an experiment: options, parameters (units, bounds, defaults, priors), data, papers.

    ``print(cj.info(name))`` gives a table (beyond-SM parameters at their SM values summarised;
    ``.text(show_all=True)`` lists them); ``.to_dict()`` gives JSON types.  With the default
    options the answer comes from the generated table without building the experiment; other
    options (``cj.info("coherent_csi_2021", separate_radii=True)``) build it, as
    :func:`cevnsjax.experiment` would.

    Args:
        name: experiment name (``cevnsjax list`` / :func:`cevnsjax.experiments.names`).
        **options: build options, as for :func:`cevnsjax.experiment`.

    Raises:
        ValueError: unknown experiment, option or option value (with close matches and the valid choices).
    """
    known = table()
    if name in known and not options:
        return known[name]
    if name not in known_names():
        raise ValueError(unknown_experiment_message(name, known_names()))
    return describe(name, **options)


def describe(name: str, **options: Any) -> ExperimentInfo:
    """Build the experiment and describe it (what the generated table holds; imports JAX).

    Args:
        name: experiment name.
        **options: build options.
    """
    from . import datasets, experiments
    from .physics import catalogue

    entry = experiments.registered(name)
    given = experiments.resolve_options(name, options)
    model = experiments.experiment(name, **given)
    c = model.signal.constants
    module_doc = sys.modules[entry.factory.__module__].__doc__ or ""
    params = []
    for p in model.parameters.values():
        try:
            sm = p.kind == "physics" and not p.free and p.default == catalogue.sm_value(p.name, c)
        except KeyError:
            sm = False
        params.append(
            {
                "name": p.name,
                "unit": p.unit,
                "default": p.default,
                "lower": p.lower if math.isfinite(p.lower) else None,
                "upper": p.upper if math.isfinite(p.upper) else None,
                "prior": None if p.constraint is None else [float(v) for v in p.constraint],
                "free": p.free,
                "kind": p.kind,
                "sm": bool(sm),
                "label": p.label,
                "doc": p.doc,
            }
        )
    data = []
    for release in entry.data:
        r = datasets.get_release(release)
        data.append({"release": r.name, "source": r.source, "files": [f.path for f in r.files]})
    papers = list(dict.fromkeys(_ARXIV.findall(entry.doc + "\n" + module_doc)))
    return ExperimentInfo(
        name=name,
        summary=entry.doc,
        options={
            k: {
                "default": o.default,
                "choices": None if o.choices is None else list(o.choices),
                "type": o.type.__name__,
                "doc": o.doc,
            }
            for k, o in entry.options.items()
        },
        given={k: given[k] for k in options},
        parameters=params,
        renamed=model.parameters.renamed,
        data=data,
        papers=papers,
    )


def generate() -> str:
    """The JSON text of the table: every built-in experiment at its default options."""
    from . import experiments

    body = {"experiments": {n: describe(n).to_dict() for n in experiments.names()}}
    return json.dumps(body, indent=1, ensure_ascii=False) + "\n"


def write() -> None:
    """Regenerate the table in place: ``python -c "from cevnsjax._info import write; write()"`` after
    adding an experiment or changing its options or parameters (a command's stored ``--help`` is
    :func:`cevnsjax.cli._lazy.write_help`)."""
    from pathlib import Path

    from ._setup import configure

    configure()
    target = Path(__file__).parent / "resources" / TABLE_FILE
    target.write_text(generate(), encoding="utf-8")
    table.cache_clear()
