"""Test configuration (tests/ and the doctests of cevnsjax/): float64 on, inline CPU dispatch (as
cevnsjax.configure() sets it), and the command line's persistent compilation cache off (the tests
neither read nor fill the user's cache; the cache's own tests give it a temporary directory).

The dispatch mode is set here, before any test's first JAX computation: a module whose fixture calls
cj.configure() after another module has computed would otherwise meet configure's warning that the
mode can no longer change (an error under filterwarnings), depending on the order in which a pytest
worker happens to run the files."""

import os

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_cpu_enable_async_dispatch", False)
os.environ.setdefault("CEVNSJAX_NO_COMPILATION_CACHE", "1")
