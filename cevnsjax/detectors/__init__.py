"""Detector layer: quenching, resolution and efficiency models, and binned response matrices.

Each model is a small pure function of the recoil (or visible) energy that works on numpy arrays
at build time and on jax arrays at run time (differentiable), so an experiment can either
precompute its response or keep a nuisance (a quenching scale, a Lindhard k) live.
"""

from . import efficiency, quenching, resolution, response

__all__ = ["efficiency", "quenching", "resolution", "response"]
