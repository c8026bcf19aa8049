"""The ``cevnsjax`` command line (names and JSON output are a stable contract, README.md).

Each command group lives in its own module and attaches itself to :data:`main`; the modules are
imported when their command is needed (:mod:`._lazy`, whose ``COMMANDS`` table names them), so
that ``--help``, ``list`` and ``info`` answer without starting JAX.  The computing commands run in
float64 with inline CPU dispatch (:func:`cevnsjax.configure`).  The program itself is :func:`run`
(``cevnsjax`` and ``python -m cevnsjax``); :data:`main` is the click group, for tests and callers
that stay in their own process.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading

from ._app import main

if "jax" in sys.modules:  # imported from a session that already uses JAX: configure before its first computation
    from .._setup import configure

    configure()

__all__ = ["main", "run"]


def run() -> None:
    """Run the command line as a program: :data:`main`, then end the process at once.

    When the command has finished (its output printed, its files closed), the exit handlers run
    (JAX's among them: pending effects, the backend, a distributed run's shutdown), the output is
    flushed and the process ends without the interpreter's teardown, which takes 0.2-0.3 s once
    JAX and a compiled model are loaded (freeing thousands of modules and compiled programs the
    operating system reclaims anyway).  The normal exit is kept when a live non-daemon thread
    must be waited for (none of the commands starts one) and under a profiler, tracer or debugger
    (``python -m cProfile -m cevnsjax ...`` writes its report after the program returns).
    """
    try:
        main()
        code = 0
    except SystemExit as done:
        if isinstance(done.code, (str, bytes)) or _observed() or _waited_for():
            raise  # the interpreter prints a message code, waits for the threads, lets the profiler report
        code = 0 if done.code is None else int(done.code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (cevnsjax ... | head): nothing to say
            stream.flush()
    os._exit(code)


def _waited_for() -> bool:
    """A live non-daemon thread, which the normal exit waits for."""
    return any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread())


def _observed() -> bool:
    """A profiler, tracer or debugger is attached (``sys.monitoring`` tools from Python 3.12 on)."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6))
