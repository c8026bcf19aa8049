"""Grid specifications of the command line: ``LO:HI:N`` (linear) and ``log:LO:HI:N`` (logarithmic)."""

from __future__ import annotations

import math

import numpy as np

SYNTAX = "P=LO:HI:N or P=log:LO:HI:N"


def grid_values(spec: str, flag: str, item: str | None = None) -> np.ndarray:
    """The values of ``LO:HI:N`` (``np.linspace``) or ``log:LO:HI:N`` (``np.geomspace``, LO > 0).

    Args:
        spec: the text after ``P=``.
        flag: the option, for error messages (e.g. ``--grid``).
        item: the option's whole argument (default ``spec``), for error messages.

    Examples:
        >>> grid_values("log:1:100:3", "--grid").tolist(), grid_values("0:1:3", "--grid").tolist()
        ([1.0, 10.0, 100.0], [0.0, 0.5, 1.0])
    """
    item = spec if item is None else item
    what = f"{flag} {item}"
    parts = spec.split(":")
    log = len(parts) == 4 and parts[0].strip().lower() == "log"
    if log:
        parts = parts[1:]
    if len(parts) != 3:
        raise ValueError(f"{flag} expects {SYNTAX}, got '{item}'")
    try:
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise ValueError(f"{flag} expects {SYNTAX} with numbers (N an integer), got '{item}'") from None
    if n < 1:
        raise ValueError(f"{what}: N must be at least 1")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{what}: LO and HI must be finite numbers")
    if n > 1 and not hi > lo:
        raise ValueError(f"{what}: HI must be above LO (grids are increasing)")
    if log and lo <= 0:
        raise ValueError(f"{what}: a log grid needs LO > 0 (got {lo:g}); use LO:HI:N for a linear grid through 0")
    if n == 1:
        return np.array([lo])
    return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)


def parse_grid(item: str, flag: str) -> tuple[str, np.ndarray]:
    """``P=LO:HI:N`` or ``P=log:LO:HI:N`` -> (P, values)."""
    name, sep, spec = item.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"{flag} expects {SYNTAX}, got '{item}'")
    return name.strip(), grid_values(spec, flag, item)
