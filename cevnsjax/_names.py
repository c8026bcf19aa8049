"""Close matches for mistyped names ("did you mean"), shared by every error that names a bad choice.

Examples:
    >>> did_you_mean("coherent_ar_202", ["coherent_ar_2020", "coherent_csi_2021"])
    " (did you mean 'coherent_ar_2020'?)"
    >>> did_you_mean("xyz", ["coherent_ar_2020"])
    ''
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_matches(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` entries of ``choices`` that look like ``name`` (difflib ratio >= 0.6), best first;
    only those about as close as the best (ratio within 0.05)."""
    scored = sorted(((difflib.SequenceMatcher(None, name, c).ratio(), c) for c in choices), reverse=True)
    good = [(r, c) for r, c in scored if r >= 0.6]
    return [c for r, c in good[:n] if r >= good[0][0] - 0.05]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the close matches of ``name``, or an empty string."""
    found = close_matches(name, choices)
    return f" (did you mean {' or '.join(repr(m) for m in found)}?)" if found else ""
