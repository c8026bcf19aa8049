"""Neutrino sources (SNS pion decay at rest)."""

from . import sns

__all__ = ["sns"]
