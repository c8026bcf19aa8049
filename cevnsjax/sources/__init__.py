"""Neutrino sources: generic flux components (:mod:`.flux`) and the SNS pion decay at rest (:mod:`.sns`)."""

from . import flux, sns
from .flux import FluxComponent

__all__ = ["FluxComponent", "flux", "sns"]
