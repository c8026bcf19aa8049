"""Test configuration: float64 on, shared data located once."""

import jax

jax.config.update("jax_enable_x64", True)
