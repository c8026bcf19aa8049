"""The ``cevnsjax`` command line (names and JSON output are a stable contract, README.md).

Each command group lives in its own module and attaches itself to :data:`main`.
The CLI runs in float64 with inline CPU dispatch (:func:`cevnsjax.configure`).
"""

from __future__ import annotations

from .._setup import configure

configure()

from . import couplings as _couplings  # noqa: E402,F401
from . import data as _data  # noqa: E402,F401
from . import inference as _inference  # noqa: E402,F401
from . import reproduce as _reproduce  # noqa: E402,F401
from . import results as _results  # noqa: E402,F401
from ._app import main  # noqa: E402

__all__ = ["main"]
