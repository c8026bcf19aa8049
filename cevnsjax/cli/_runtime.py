"""Options every computing command shares that set up the process: the compilation cache and the
distributed run (:func:`runtime_options`)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from functools import wraps

import click


def runtime_options(distributed: bool) -> Callable:
    """Add ``--no-cache`` (and with ``distributed``, ``--distributed``, ``--coordinator``,
    ``--num-processes``, ``--process-id``) to a command; they act before the command's body.

    JAX's persistent compilation cache is on unless ``--no-cache`` or
    ``$CEVNSJAX_NO_COMPILATION_CACHE`` (:func:`cevnsjax.configure`).  In a distributed run every
    process runs the same command; process 0 prints and writes ``--output`` and ``--plot``, the
    others stay silent.
    """

    def decorate(func: Callable) -> Callable:
        @wraps(func)
        def wrapper(
            *args, no_cache=False, distributed=False, coordinator=None, num_processes=None, process_id=None, **kw
        ):
            from .._setup import cli_compilation_cache, use_compilation_cache

            use_compilation_cache(cli_compilation_cache(no_cache))
            explicit = (coordinator, num_processes, process_id)
            if not (distributed or any(v is not None for v in explicit)):
                return func(*args, **kw)
            if kw.get("resume"):
                raise ValueError("--resume runs in a single process: resume a distributed run without --distributed")
            from ..inference._distributed import initialize, is_main

            initialize(coordinator, num_processes, process_id)
            if is_main():
                return func(*args, **kw)
            with contextlib.redirect_stdout(io.StringIO()):
                return func(*args, **{**kw, **{k: None for k in ("output", "plot") if k in kw}})

        wrapper = click.option(
            "--no-cache",
            is_flag=True,
            help="Compile afresh: no persistent compilation cache (also CEVNSJAX_NO_COMPILATION_CACHE=1).",
        )(wrapper)
        if not distributed:
            return wrapper
        for option in (
            click.option(
                "--process-id",
                type=click.IntRange(min=0),
                default=None,
                metavar="I",
                help="This process's index, 0 to N-1.",
            ),
            click.option(
                "--num-processes", type=click.IntRange(min=1), default=None, metavar="N", help="Processes in the run."
            ),
            click.option(
                "--coordinator",
                default=None,
                metavar="HOST:PORT",
                help="Address of process 0 (with --num-processes, --process-id).",
            ),
            click.option(
                "--distributed",
                is_flag=True,
                help="Split the run across processes (jax.distributed; under SLURM the set-up is detected).",
            ),
        ):
            wrapper = option(wrapper)
        return wrapper

    return decorate
