"""Test configuration (tests/ and the doctests of cevnsjax/): float64 on, and the command line's
persistent compilation cache off (the tests neither read nor fill the user's cache; the cache's
own tests give it a temporary directory)."""

import os

import jax

jax.config.update("jax_enable_x64", True)
os.environ.setdefault("CEVNSJAX_NO_COMPILATION_CACHE", "1")
