"""Build options shared by the experiments, declared once.

Each experiment's option table is ``{**its own options, **signal_options(...), ...}``; the
signal options differ between experiments only in their defaults (the argon analysis of
arXiv:2005.01645 uses the pdg2018 preset without ZZ boxes).  ``tests/test_experiment_skeleton.py``
checks that every registered table matches its builder's signature, names and defaults.
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

import numpy as np

from ..constants import preset as get_preset
from ..physics import couplings as cp
from ..physics import nsi
from ..physics.amplitude import SignalConfig
from ..physics.form_factors import FORM_FACTORS
from ..sources import sns

PRESETS = ("pdg2018", "pdg2022")


@dataclasses.dataclass(frozen=True)
class Option:
    """One build option of an experiment.

    Attributes:
        default: value used when the option is not given.
        choices: allowed values (strings), or None for a free value of ``type``.
        type: ``str``, ``bool``, ``int`` or ``float``; CLI strings are converted to it, Python
            values must already be of it (an ``int`` is accepted for a ``float``).
        doc: one-line description.
        positive: numbers must be > 0 (masses, distances, widths, priors).
        minimum, maximum: inclusive limits of a number (None: none); float values must be finite.
    """

    default: Any
    choices: tuple | None = None
    type: type = str
    doc: str = ""
    positive: bool = False
    minimum: float | None = None
    maximum: float | None = None

    @property
    def valid(self) -> str:
        """The valid values in words (for error messages and ``info``)."""
        if self.choices is not None:
            return ", ".join(map(str, self.choices))
        if self.type is bool:
            return "true or false"
        low = "(0" if self.positive else "(-inf" if self.minimum is None else f"[{self.minimum:g}"
        high = "inf)" if self.maximum is None else f"{self.maximum:g}]"
        return f"{'an integer' if self.type is int else 'a number' if self.type is float else 'a string'}" + (
            f" in {low}, {high}" if self.type in (int, float) else ""
        )

    def convert(self, name: str, value: Any) -> Any:
        if isinstance(value, str) and self.type is not str:
            if self.type is bool:
                low = value.strip().lower()
                if low not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(f"option {name}={value!r}: expected true or false")
                value = low in ("true", "1", "yes")
            else:
                try:
                    value = self.type(value)
                except ValueError:
                    raise ValueError(f"option {name}={value!r}: expected a {self.type.__name__}") from None
        value = self._typed(name, value)
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"option {name}={value!r} is not valid; choices: {', '.join(map(str, self.choices))}")
        if self.type in (int, float):
            ok = math.isfinite(value) and not (self.positive and value <= 0)
            ok = ok and (self.minimum is None or value >= self.minimum)
            ok = ok and (self.maximum is None or value <= self.maximum)
            if not ok:
                raise ValueError(f"option {name}={value!r} is out of range; valid: {self.valid} ({self.doc})")
        return value

    def _typed(self, name: str, value: Any) -> Any:
        """``value`` as ``type``, refusing Python values of another type (``sterile=2``, ``refine=1.5``)."""
        if self.type is bool:
            ok = isinstance(value, (bool, np.bool_))
        elif self.type is int:
            ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
        elif self.type is float:
            ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
        else:
            value = os.fspath(value) if isinstance(value, os.PathLike) else value  # a file option
            ok = isinstance(value, self.type)
        if not ok:
            raise ValueError(f"option {name}={value!r}: expected {self.valid}")
        return float(value) if self.type is float else int(value) if self.type is int else value


def signal_options(*, preset: str = "pdg2022", zz_boxes: bool = True) -> dict[str, Option]:
    """Options of the signal calculation (form factor, preset, boxes, beyond-SM choices)."""
    return {
        "form_factor": Option("helm", FORM_FACTORS, doc="nuclear form factor (protons and neutrons)"),
        "preset": Option(preset, PRESETS, doc="constants preset"),
        "zz_boxes": Option(zz_boxes, type=bool, doc="include ZZ box radiative corrections"),
        "radius_q_dependence": Option(
            False, type=bool, doc="momentum-dependent neutrino charge radius (arXiv:2402.16709)"
        ),
        "mediator": Option("universal", nsi.MEDIATORS, doc="light vector mediator model for g_zprime, m_zprime"),
        "couplings": Option(
            "radiative",
            cp.COUPLINGS,
            doc="SM couplings: radiatively corrected, or tree level (sin2_theta_w default 0.2312, no SM charge radius)",
        ),
        "sterile": Option(False, type=bool, doc="add the 3+1 sterile parameters ue4_sq, umu4_sq, dm41_sq"),
    }


#: nu-e elastic scattering as a signal component (experiments whose analysis keeps electron recoils).
ELECTRON_SCATTERING = Option(True, type=bool, doc="add nu-e elastic scattering on the detector's electrons")
#: Refinement of every quadrature grid (convergence checks).
REFINE = Option(1, type=int, doc="multiply every quadrature grid (convergence checks)", minimum=1)


def signal_config(
    *,
    preset: str,
    form_factor: str,
    zz_boxes: bool,
    radius_q_dependence: bool,
    mediator: str,
    sterile: bool,
    baseline: tuple[float, float],
    couplings: str = "radiative",
) -> SignalConfig:
    """The static signal configuration; ``baseline`` = (L, dL) [m] of the source (used with ``sterile``).

    With ``couplings="tree"`` the preset's sin^2 theta_W becomes 0.2312 (the default of ``sin2_theta_w``).
    """
    c = get_preset(preset)
    return SignalConfig(
        constants=cp.tree_constants(c) if couplings == "tree" else c,
        couplings=couplings,
        form=form_factor,
        zz_boxes=zz_boxes,
        radius_q_dependence=radius_q_dependence,
        mediator=mediator,
        baseline=baseline if sterile else None,
    )


def sns_signal(*, distance_m: float, **options) -> SignalConfig:
    """The static signal configuration of a detector at ``distance_m`` [m] from the SNS target."""
    return signal_config(baseline=sns.baseline(distance_m), **options)


def check_positive(**values: float) -> None:
    """Refuse options that must be positive (masses, distances, exposures, widths), naming the bad one."""
    for key, value in values.items():
        if not value > 0:
            raise ValueError(f"option {key}={value}: must be positive")


def uniform_edges(threshold_kevee: float, max_kevee: float, bin_kevee: float) -> np.ndarray:
    """Edges [keVee] of bins of ``bin_kevee`` from ``threshold_kevee`` up to at most ``max_kevee``.

    Raises:
        ValueError: not even one bin fits between the threshold and ``max_kevee``.
    """
    if not threshold_kevee + bin_kevee <= max_kevee:
        raise ValueError(
            f"options threshold_kevee={threshold_kevee}, max_kevee={max_kevee}: need at least one "
            f"bin of bin_kevee={bin_kevee} between them"
        )
    n_bins = math.floor((max_kevee - threshold_kevee) / bin_kevee + 1e-9)
    return threshold_kevee + bin_kevee * np.arange(n_bins + 1)


def check_positive_int(name: str, value: int) -> None:
    """Refuse a non-positive integer option (``refine``)."""
    if value < 1:
        raise ValueError(f"option {name}={value}: must be a positive integer")


__all__ = [
    "ELECTRON_SCATTERING",
    "REFINE",
    "Option",
    "check_positive",
    "check_positive_int",
    "uniform_edges",
    "signal_config",
    "signal_options",
    "sns_signal",
]
