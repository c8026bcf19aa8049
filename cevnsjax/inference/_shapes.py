"""Padded sizes: grids of nearby lengths share one compiled program.

A jitted function is compiled once per input shape, so a scan or profile of 47 points would not
reuse the program compiled for 46.  Sizes are rounded up to the next bucket (``2^k`` or
``3 * 2^(k-1)``: 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, ...), so at most a third of a chunk is
padding, and the padded rows (copies of a real one) are dropped from the result.
"""

from __future__ import annotations


def bucket(n: int) -> int:
    """The smallest size ``2^k`` or ``3 * 2^(k-1)`` that holds ``n`` (n >= 1).

    Examples:
        >>> [bucket(n) for n in (1, 3, 5, 7, 46, 47, 49, 200)]
        [1, 3, 6, 8, 48, 48, 64, 256]
    """
    if n <= 2:
        return max(1, int(n))
    power = 1 << (int(n) - 1).bit_length()  # 2^k >= n
    return 3 * power // 4 if 3 * power // 4 >= n else power
