"""cevnsjax: differentiable likelihoods for coherent elastic neutrino-nucleus scattering.

Public surface (DESIGN.md)::

    import cevnsjax as cj
    cj.info("coherent_ar_2020")            # options, parameters, data, papers (no JAX needed)
    ar = cj.experiment("coherent_ar_2020")
    best = cj.fit(ar, free=["rn_ar40"])
    prof = cj.profile(ar, "sin2_theta_w", grid)

Importing the package does not change JAX's global configuration: call ``cj.configure()``
before the first JAX computation for float64 and inline CPU dispatch (the CLI and the benchmarks
do), or enable float64 alone with ``jax.config.update("jax_enable_x64", True)``.

The submodules and functions are imported on first use (PEP 562), so that ``import cevnsjax``
and :func:`info` do not start JAX: the command line answers ``--help``, ``list`` and ``info``
in a fraction of a second.
"""

from __future__ import annotations

import importlib

from ._info import info

#: Public name -> (module, attribute or None for the module itself), imported on first access.
_LAZY = {
    "configure": ("._setup", "configure"),
    "constants": (".constants", None),
    "datasets": (".datasets", None),
    "experiments": (".experiments", None),
    "inference": (".inference", None),
    "physics": (".physics", None),
    "experiment": (".experiments", "experiment"),
    "exclusion": (".inference", "exclusion"),
    "fit": (".inference", "fit"),
    "profile": (".inference", "profile"),
    "profile2d": (".inference", "profile2d"),
    "sample": (".inference", "sample"),
    "scan": (".inference", "scan"),
    "initialize_distributed": (".inference", "initialize_distributed"),
    "toys": (".inference", "toys"),
    "feldman_cousins": (".inference", "feldman_cousins"),
    "sensitivity": (".inference", "sensitivity"),
    "combine": (".likelihood", "combine"),
    "tie": (".likelihood", "tie"),
    "load": (".inference", "load"),
    "to_minuit": (".handoff", "to_minuit"),
    "to_pyhf": (".handoff", "to_pyhf"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'cevnsjax' has no attribute '{name}'")
    module, attribute = _LAZY[name]
    value = importlib.import_module(module, __name__)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "configure",
    "constants",
    "datasets",
    "experiments",
    "inference",
    "physics",
    "experiment",
    "info",
    "exclusion",
    "fit",
    "load",
    "profile",
    "profile2d",
    "sample",
    "scan",
    "initialize_distributed",
    "toys",
    "feldman_cousins",
    "sensitivity",
    "combine",
    "tie",
    "to_minuit",
    "to_pyhf",
]
