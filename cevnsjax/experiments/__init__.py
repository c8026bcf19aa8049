"""Registry of built experiments: ``experiment(name, **options) -> Model``.

Every built-in experiment is an :class:`Experiment` (the abstract skeleton in :mod:`._base`):
it composes a source, a detector response and a likelihood, and implements ``expected``.

Each experiment module registers, in one ``register`` call, a factory together with the options
it accepts (name -> :class:`Option`), a one-line summary and the data releases it reads, so that
unknown names and bad values are refused with close matches and the list of valid choices, CLI
strings (``--option form_factor=helm``) are converted to the declared types, and
:func:`cevnsjax.info` can describe it.  A built-in experiment is a module of this package named
after the experiment and listed in :data:`BUILTIN`.

This module imports no JAX: the experiment modules (and JAX) are imported when an experiment is
built or the live registry is asked for.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._info import table as _table
from .._info import unknown_experiment_message
from .._names import did_you_mean

if TYPE_CHECKING:
    from ..model import Model
    from ._base import Experiment
    from ._options import Option

__all__ = ["BUILTIN", "Experiment", "Option", "experiment", "names", "options", "register", "resolve_options"]

#: The built-in experiment modules, each named after the experiment it registers.
BUILTIN: tuple[str, ...] = (
    "coherent_ar_2020",
    "coherent_csi_2021",
    "coherent_csi_2017",
    "sns_ge_projection",
    "dresden_ii_2022",
    "reactor_ge_projection",
    "apv_cs",
    "coh_ar_750",
    "coh_cryocsi",
    "naivete",
    "ess_csi",
    "ess_xe",
    "ess_ge",
    "ess_ar",
    "coh_ar_10",
)


@dataclasses.dataclass(frozen=True)
class Registration:
    """What one ``register`` call declares (see :func:`register`)."""

    factory: Callable[..., Model]
    options: Mapping[str, Option]
    doc: str
    data: tuple[str, ...]


_REGISTRY: dict[str, Registration] = {}


def register(
    name: str,
    factory: Callable[..., Model],
    options: Mapping[str, Option],
    doc: str = "",
    data: tuple[str, ...] | None = None,
) -> None:
    """Register an experiment factory ``factory(**options) -> Model`` under ``name``.

    Args:
        name: the experiment's name (``cj.experiment(name)``, the CLI's EXP).
        factory: builds the model from the options (keyword arguments).
        options: the options it accepts, name -> :class:`Option` (default, choices, type, doc).
        doc: one-line summary (``cevnsjax list``).
        data: names of the public releases it reads (:data:`cevnsjax.datasets.RELEASES`); default
            the release named like the experiment if there is one, else none.
    """
    if data is None:
        from ..datasets._registry import RELEASES

        data = (name,) if name in RELEASES else ()
    _REGISTRY[name] = Registration(factory, dict(options), doc, tuple(data))
    cls = _model_class(factory)
    if cls is not None and name in _table() and "cj.experiment(" not in (cls.__doc__ or ""):
        cls.__doc__ = (cls.__doc__ or "").rstrip() + "\n\n" + _class_help(name)


def _model_class(factory: Callable) -> type | None:
    """The class a factory's return annotation names, if it is defined in the factory's module."""
    import inspect
    import sys

    annotation = inspect.signature(factory).return_annotation
    if isinstance(annotation, str):
        annotation = getattr(sys.modules.get(factory.__module__), annotation, None)
    return annotation if isinstance(annotation, type) else None


def _class_help(name: str) -> str:
    """What an experiment class's docstring gains at registration: how to build it, its options and
    parameters (from the generated table, the text of ``cevnsjax info NAME``)."""
    e = _table()[name]
    body = [
        f"{e.summary}.",
        "",
        f'Built by ``cevnsjax.experiment("{name}", **options)`` (the module docstring describes the',
        f"analysis; ``cevnsjax.info({name!r})`` returns this table as data)::",
        "",
        *("    " + line for line in e.text().splitlines()[1:]),
    ]
    return "\n".join("    " + line if line else "" for line in body)


def names() -> list[str]:
    """Names of all registered experiments (imports the built-in modules)."""
    _load_builtin()
    return sorted(_REGISTRY)


def options(name: str) -> Mapping[str, Option]:
    """The options an experiment accepts."""
    return registered(name).options


def registered(name: str) -> Registration:
    """What ``name`` was registered with.

    Raises:
        ValueError: unknown name (with close matches and the valid names).
    """
    if name in BUILTIN:  # its own module: building one experiment imports none of the others
        importlib.import_module(f"{__name__}.{name}")
    if name not in _REGISTRY:
        _load_builtin()
    if name not in _REGISTRY:
        raise ValueError(unknown_experiment_message(name, sorted(_REGISTRY)))
    return _REGISTRY[name]


def resolve_options(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and convert user options (strings allowed) for experiment ``name``."""
    entry = registered(name)
    out = {}
    for key, value in given.items():
        if key not in entry.options:
            raise ValueError(
                f"unknown option '{key}' for {name}{did_you_mean(key, entry.options)}; "
                f"valid options: {', '.join(entry.options) or '(none)'}"
            )
        out[key] = entry.options[key].convert(key, value)
    return out


def experiment(name: str, **opts: Any) -> Model:
    """Build the experiment ``name`` with the given options (strings are converted to the declared types).

    ``cevnsjax.info(name)`` (or ``cevnsjax info NAME``) lists an experiment's options, its parameters
    with units, bounds, defaults and priors, the data it reads and its papers.  An unknown experiment,
    option or option value raises ValueError naming close matches and the valid choices.
    """
    entry = registered(name)
    resolved = resolve_options(name, opts)
    model = entry.factory(**resolved)
    every = {key: option.default for key, option in entry.options.items()} | resolved
    object.__setattr__(model, "build_options", every)  # not a field: saved with results, never traced
    return model


def _experiments_help() -> str:
    """The experiments and their options, from the generated table (appended to :func:`experiment`'s docstring)."""
    lines = ["", "    Experiments (options: default, choices or type):", ""]
    for name, e in sorted(_table().items()):
        lines.append(f"    {name}: {e.summary}")
        for key, o in e.options.items():
            choices = f" ({' | '.join(map(str, o['choices']))})" if o["choices"] else f" ({o['type']})"
            lines.append(f"        {key}={o['default']!r}{choices}: {o['doc']}")
        lines.append("")
    return "\n".join(lines)


experiment.__doc__ = (experiment.__doc__ or "") + _experiments_help()


def _load_builtin() -> None:
    """Import the built-in experiment modules (each registers itself)."""
    for mod in BUILTIN:
        importlib.import_module(f"{__name__}.{mod}")


def __getattr__(name: str):
    # the skeleton and the option type import JAX: loaded on first use
    if name == "Experiment":
        from ._base import Experiment

        return Experiment
    if name == "Option":
        from ._options import Option

        return Option
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
