"""cevnsjax: differentiable likelihoods for coherent elastic neutrino-nucleus scattering.

Public surface (DESIGN.md)::

    import cevnsjax as cj
    ar = cj.experiment("coherent_ar_2020")
    best = cj.fit(ar, free=["rn_ar40"])
    prof = cj.profile(ar, "sin2_theta_w", grid)

Importing the package does not change JAX's global configuration: call ``cj.configure()``
before the first JAX computation for float64 and inline CPU dispatch (the CLI and the benchmarks
do), or enable float64 alone with ``jax.config.update("jax_enable_x64", True)``.
"""

from . import constants, datasets, experiments, inference, physics
from ._setup import configure
from .experiments import experiment
from .handoff import to_minuit, to_pyhf
from .inference import fit, load, profile, profile2d, sample, scan
from .likelihood import combine

__all__ = [
    "configure",
    "constants",
    "datasets",
    "experiments",
    "inference",
    "physics",
    "experiment",
    "fit",
    "load",
    "profile",
    "profile2d",
    "sample",
    "scan",
    "combine",
    "to_minuit",
    "to_pyhf",
]
