"""Likelihood layer: binned statistics holding the data, template morphing, and combination of models."""

from .base import Likelihood
from .combine import CombinedModel, combine
from .least_squares import LeastSquares
from .poisson import Poisson
from .single_bin import SingleBin

__all__ = ["CombinedModel", "LeastSquares", "Likelihood", "Poisson", "SingleBin", "combine"]
