"""Likelihood layer: binned statistics holding the data, template morphing, combination and tying of models."""

from .base import Likelihood
from .combine import CombinedModel, combine
from .least_squares import LeastSquares
from .poisson import Poisson
from .single_bin import SingleBin
from .tie import TiedModel, tie

__all__ = ["CombinedModel", "LeastSquares", "Likelihood", "Poisson", "SingleBin", "TiedModel", "combine", "tie"]
