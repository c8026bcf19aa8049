"""Neutrino sources: generic flux components (:mod:`.flux`), the SNS pion decay at rest (:mod:`.sns`) and the ESS (:mod:`.ess`)."""

from . import ess, flux, sns
from .flux import FluxComponent

__all__ = ["FluxComponent", "ess", "flux", "sns"]
