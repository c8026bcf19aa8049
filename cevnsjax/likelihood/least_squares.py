"""Gaussian least-squares chi^2 of binned data (pull terms come from the parameter constraints)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def gaussian_chi2(prediction: jax.Array, data: jax.Array, sigma2: jax.Array) -> jax.Array:
    """sum_i (data_i - prediction_i)^2 / sigma2_i."""
    return jnp.sum((jnp.asarray(data) - prediction) ** 2 / sigma2)
