"""Registry of built experiments: ``experiment(name, **options) -> Model``.

Every built-in experiment is an :class:`Experiment` (the abstract skeleton in :mod:`._base`):
it composes a source, a detector response and a likelihood, and implements ``expected``.

Each experiment module registers a factory together with the options it accepts
(name -> :class:`Option`), so that unknown names and bad values are refused with
the list of valid choices, and CLI strings (``--option form_factor=helm``) are
converted to the declared types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ..model import Model
from ._base import Experiment
from ._options import Option

__all__ = ["Experiment", "Option", "experiment", "names", "options", "register", "resolve_options"]


@dataclasses.dataclass(frozen=True)
class _Entry:
    factory: Callable[..., Model]
    options: Mapping[str, Option]
    doc: str


_REGISTRY: dict[str, _Entry] = {}


def register(name: str, factory: Callable[..., Model], options: Mapping[str, Option], doc: str = "") -> None:
    """Register an experiment factory ``factory(**options) -> Model`` under ``name``."""
    _REGISTRY[name] = _Entry(factory, dict(options), doc)


def names() -> list[str]:
    """Names of all registered experiments."""
    _load_builtin()
    return sorted(_REGISTRY)


def options(name: str) -> Mapping[str, Option]:
    """The options an experiment accepts."""
    return _entry(name).options


def _entry(name: str) -> _Entry:
    _load_builtin()
    if name not in _REGISTRY:
        raise ValueError(f"unknown experiment '{name}'; valid experiments: {', '.join(sorted(_REGISTRY)) or '(none)'}")
    return _REGISTRY[name]


def resolve_options(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and convert user options (strings allowed) for experiment ``name``."""
    entry = _entry(name)
    out = {}
    for key, value in given.items():
        if key not in entry.options:
            raise ValueError(
                f"unknown option '{key}' for {name}; valid options: {', '.join(entry.options) or '(none)'}"
            )
        out[key] = entry.options[key].convert(key, value)
    return out


def experiment(name: str, **opts: Any) -> Model:
    """Build the experiment ``name`` with the given options (see :func:`options`)."""
    entry = _entry(name)
    resolved = resolve_options(name, opts)
    model = entry.factory(**resolved)
    every = {key: option.default for key, option in entry.options.items()} | resolved
    object.__setattr__(model, "build_options", every)  # not a field: saved with results, never traced
    return model


def _load_builtin() -> None:
    """Import the built-in experiment modules (each registers itself)."""
    import importlib

    for mod in _BUILTIN:
        importlib.import_module(f"{__name__}.{mod}")


_BUILTIN: list[str] = [
    "coherent_ar_2020",
    "coherent_csi_2021",
    "coherent_csi_2017",
    "sns_ge_projection",
    "dresden_ii_2022",
    "reactor_ge_projection",
]
