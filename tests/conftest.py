"""Test-session set-up shared by every test module."""

import jax

# The dispatch mode cevnsjax.configure() chooses (inline CPU dispatch), set before any test's first JAX
# computation: a module that calls cj.configure() in a fixture after another module has computed would
# otherwise meet the warning that the mode can no longer change (an error under filterwarnings),
# depending on the order in which a pytest worker happens to run the files.
jax.config.update("jax_cpu_enable_async_dispatch", False)
