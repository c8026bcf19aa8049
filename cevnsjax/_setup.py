"""Opt-in JAX settings for likelihood work (importing cevnsjax changes no global configuration)."""

from __future__ import annotations

import warnings


def configure(*, x64: bool = True, cpu_sync_dispatch: bool = True) -> None:
    """Set JAX up for likelihood work; the CLI and the benchmarks call this first.

    Args:
        x64: float64 everywhere (``jax_enable_x64``), which likelihood work needs.
        cpu_sync_dispatch: run CPU computations inline in the calling thread instead of handing
            them to a worker thread (``jax_cpu_enable_async_dispatch=False``).  A minimiser calls
            the likelihood and waits for it, so the hand-off is pure latency: on a 2-core machine
            an argon chi^2-and-gradient call takes 37 us instead of 44 us when the machine is
            quiet, 70 us instead of 160 us when it is loaded (benchmarks/README.md).  Fits,
            profiles and scans run at the same speed either way; numpyro's NUTS runs about 20%
            faster with the worker thread, so pass ``False`` for sampling-heavy sessions.
            It only takes effect before JAX's first computation creates the CPU client.
    """
    import jax  # imported here: the command line imports this module before it knows whether it needs JAX

    jax.config.update("jax_enable_x64", x64)
    if jax.config.read("jax_cpu_enable_async_dispatch") == (not cpu_sync_dispatch):
        return
    if _backend_started():
        warnings.warn(
            "cevnsjax.configure: JAX's CPU client already exists, so the dispatch mode stays as it is; "
            "call configure() before the first JAX computation",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    jax.config.update("jax_cpu_enable_async_dispatch", not cpu_sync_dispatch)


def _backend_started() -> bool:
    from jax._src import xla_bridge  # jax 0.10 has no public "a client exists" test

    started = getattr(xla_bridge, "backends_are_initialized", None)
    return True if started is None else bool(started())
