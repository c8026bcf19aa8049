"""Generic inference on any :class:`~cevnsjax.model.Model`: fits, profiles, scans, NUTS, toys.

Every engine takes the model's chi^2 (-2 ln L with constraint terms) as one
function of named parameters; parameters are freed, fixed, started and
constrained by name, and bounds are honoured through Minuit-style transforms.  Toys (:func:`toys`) draw
pseudo-experiments from an experiment and fit each; :func:`feldman_cousins` builds Neyman belts
from them.  :func:`minimize` and :func:`crossing` are the functional, differentiable forms (implicit
gradients at the optimum) for experiment design.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the same names for static analysis (type checkers, the API reference)
    from ._distributed import initialize as initialize_distributed
    from ._exclusion import exclusion
    from ._feldman_cousins import feldman_cousins
    from ._fit import FitWarning, fit
    from ._implicit import Solution, crossing, design_chi2, interval_width, minimize, upper_limit
    from ._intervals import LEVELS_1D, LEVELS_2D
    from ._objective import PrecisionWarning
    from ._persist import load
    from ._profile import profile, profile2d
    from ._result import (
        ExclusionResult,
        FeldmanCousinsResult,
        FitResult,
        NamedMatrix,
        Profile2DResult,
        ProfileResult,
        SampleResult,
        ScanResult,
        ToysResult,
    )
    from ._sample import sample
    from ._scan import scan
    from ._sensitivity import ExposureScaled, SensitivityResult, sensitivity
    from ._toys import toys

#: Public name -> (module, attribute), imported on first access (PEP 562): a fit does not import
#: the sampler (numpyro), the exclusion and Feldman-Cousins engines (scipy.stats) or the scans.
_LAZY = {
    "initialize_distributed": ("._distributed", "initialize"),
    "exclusion": ("._exclusion", "exclusion"),
    "feldman_cousins": ("._feldman_cousins", "feldman_cousins"),
    "FitWarning": ("._fit", "FitWarning"),
    "fit": ("._fit", "fit"),
    "Solution": ("._implicit", "Solution"),
    "crossing": ("._implicit", "crossing"),
    "design_chi2": ("._implicit", "design_chi2"),
    "minimize": ("._implicit", "minimize"),
    "interval_width": ("._implicit", "interval_width"),
    "upper_limit": ("._implicit", "upper_limit"),
    "LEVELS_1D": ("._intervals", "LEVELS_1D"),
    "LEVELS_2D": ("._intervals", "LEVELS_2D"),
    "PrecisionWarning": ("._objective", "PrecisionWarning"),
    "load": ("._persist", "load"),
    "profile": ("._profile", "profile"),
    "profile2d": ("._profile", "profile2d"),
    "ExclusionResult": ("._result", "ExclusionResult"),
    "FeldmanCousinsResult": ("._result", "FeldmanCousinsResult"),
    "FitResult": ("._result", "FitResult"),
    "NamedMatrix": ("._result", "NamedMatrix"),
    "Profile2DResult": ("._result", "Profile2DResult"),
    "ProfileResult": ("._result", "ProfileResult"),
    "SampleResult": ("._result", "SampleResult"),
    "ScanResult": ("._result", "ScanResult"),
    "ToysResult": ("._result", "ToysResult"),
    "sample": ("._sample", "sample"),
    "scan": ("._scan", "scan"),
    "ExposureScaled": ("._sensitivity", "ExposureScaled"),
    "SensitivityResult": ("._sensitivity", "SensitivityResult"),
    "sensitivity": ("._sensitivity", "sensitivity"),
    "toys": ("._toys", "toys"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'cevnsjax.inference' has no attribute '{name}'")
    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "LEVELS_1D",
    "LEVELS_2D",
    "FeldmanCousinsResult",
    "ExclusionResult",
    "ExposureScaled",
    "FitResult",
    "FitWarning",
    "NamedMatrix",
    "PrecisionWarning",
    "Profile2DResult",
    "ProfileResult",
    "SampleResult",
    "SensitivityResult",
    "ScanResult",
    "ToysResult",
    "feldman_cousins",
    "exclusion",
    "Solution",
    "crossing",
    "design_chi2",
    "fit",
    "initialize_distributed",
    "interval_width",
    "load",
    "minimize",
    "profile",
    "profile2d",
    "sample",
    "scan",
    "toys",
    "sensitivity",
    "upper_limit",
]
