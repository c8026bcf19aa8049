"""Generic inference on any :class:`~cevnsjax.model.Model`: fits, profiles, scans, NUTS.

Every engine takes the model's chi^2 (-2 ln L with constraint terms) as one
function of named parameters; parameters are freed, fixed, started and
constrained by name, and bounds are honoured through Minuit-style transforms.
"""

from ._fit import FitWarning, fit
from ._intervals import LEVELS_1D, LEVELS_2D
from ._objective import PrecisionWarning
from ._persist import load
from ._profile import profile, profile2d
from ._result import FitResult, NamedMatrix, Profile2DResult, ProfileResult, SampleResult, ScanResult
from ._sample import sample
from ._scan import scan
from ._sensitivity import ExposureScaled, SensitivityResult, sensitivity

__all__ = [
    "LEVELS_1D",
    "LEVELS_2D",
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
    "fit",
    "load",
    "profile",
    "profile2d",
    "sample",
    "scan",
    "sensitivity",
]
