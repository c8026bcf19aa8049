"""Test configuration (tests/ and the doctests of cevnsjax/): float64 on."""

import jax

jax.config.update("jax_enable_x64", True)
