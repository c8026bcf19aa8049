"""Generic inference on any :class:`~cevnsjax.model.Model`: fits, profiles, scans, NUTS, toys.

Every engine takes the model's chi^2 (-2 ln L with constraint terms) as one
function of named parameters; parameters are freed, fixed, started and
constrained by name, and bounds are honoured through Minuit-style transforms.  Toys (:func:`toys`) draw
pseudo-experiments from an experiment and fit each; :func:`feldman_cousins` builds Neyman belts
from them.  :func:`minimize` and :func:`crossing` are the functional, differentiable forms (implicit
gradients at the optimum) for experiment design.
"""

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
