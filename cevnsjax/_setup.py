"""Opt-in JAX settings for likelihood work (importing cevnsjax changes no global configuration)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

#: Environment variables read by the command line: a non-empty value other than 0 turns its
#: persistent compilation cache off; the other replaces the cache directory.
NO_CACHE_ENV = "CEVNSJAX_NO_COMPILATION_CACHE"
CACHE_DIR_ENV = "CEVNSJAX_CACHE_DIR"


def configure(
    *, x64: bool = True, cpu_sync_dispatch: bool = True, compilation_cache: bool | str | os.PathLike | None = None
) -> None:
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
        compilation_cache: JAX's persistent compilation cache, which keeps compiled programs on
            disk so that a new process with the same model and settings loads them instead of
            compiling again (the command line turns it on).  ``True``: in :func:`cache_dir`;
            a path: in that directory; ``False``: off; ``None`` (default): left as it is.
            Every program is cached, however short its compilation.  It takes effect before
            the process's first compilation.
    """
    import jax  # imported here: the command line imports this module before it knows whether it needs JAX

    jax.config.update("jax_enable_x64", x64)
    if compilation_cache is not None:
        use_compilation_cache(compilation_cache)
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


def cache_dir() -> Path:
    """The directory of the persistent compilation cache: ``$CEVNSJAX_CACHE_DIR`` when set, else
    ``jax`` in the user cache directory of cevnsjax (``~/.cache/cevnsjax/jax`` on Linux, beside the
    downloaded data)."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_cache_path("cevnsjax") / "jax"


def cli_compilation_cache(no_cache: bool) -> bool:
    """Whether the command line uses the persistent cache: on unless ``--no-cache`` or ``$CEVNSJAX_NO_COMPILATION_CACHE``."""
    return not no_cache and os.environ.get(NO_CACHE_ENV, "").strip() in ("", "0")


def use_compilation_cache(setting: bool | str | os.PathLike) -> None:
    """Turn JAX's persistent compilation cache on (``True``: :func:`cache_dir`; a path) or off (``False``)."""
    import jax

    if setting is False:
        jax.config.update("jax_enable_compilation_cache", False)
        return
    path = cache_dir() if setting is True else Path(setting).expanduser()
    jax.config.update("jax_enable_compilation_cache", True)
    jax.config.update("jax_compilation_cache_dir", str(path))
    # every program, however small: a fit is many short compilations, each one loaded in ~1 ms
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)


def _backend_started() -> bool:
    from jax._src import xla_bridge  # jax 0.10 has no public "a client exists" test

    started = getattr(xla_bridge, "backends_are_initialized", None)
    return True if started is None else bool(started())
