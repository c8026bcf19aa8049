"""The ``cevnsjax`` command line (names and JSON output are a stable contract, README.md).

Each command group lives in its own module and attaches itself to :data:`main`; the modules are
imported when their command is needed (:mod:`._lazy`, whose ``COMMANDS`` table names them), so
that ``--help``, ``list`` and ``info`` answer without starting JAX.  The computing commands run in
float64 with inline CPU dispatch (:func:`cevnsjax.configure`).
"""

from __future__ import annotations

import sys

from ._app import main

if "jax" in sys.modules:  # imported from a session that already uses JAX: configure before its first computation
    from .._setup import configure

    configure()

__all__ = ["main"]
