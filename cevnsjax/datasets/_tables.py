"""Reading the releases' whitespace / comma separated text tables, with validation.

Every check failure raises :class:`DataError` naming the file and the line.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._errors import DataError


def readonly(array: np.ndarray) -> np.ndarray:
    """Mark ``array`` read-only (parsed releases are cached and shared) and return it."""
    array.setflags(write=False)
    return array


def read_labelled_rows(
    path: Path, ncols: int, *, delimiter: str | None = None, header_lines: int = 0
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Read the numeric rows of a text table and the comment line preceding each row.

    Blank lines and lines starting with ``#`` are skipped; the text of the last
    ``#`` line seen before a row is its label.

    Args:
        path: File to read.
        ncols: Required number of columns in every row.
        delimiter: Column separator; ``None`` for any whitespace.
        header_lines: Leading lines to skip (column titles).

    Returns:
        ``(rows, labels)``: float64 array of shape (n_rows, ncols) and one label per row.

    Raises:
        DataError: Unreadable text, a row with another column count, a
            non-numeric or non-finite entry, or no rows at all.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not a text file ({err})") from err
    rows: list[list[float]] = []
    labels: list[str] = []
    label = ""
    for lineno, line in enumerate(text.splitlines()[header_lines:], start=header_lines + 1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            label = stripped.lstrip("#").strip()
            continue
        tokens = [t.strip() for t in stripped.split(delimiter)]
        if len(tokens) != ncols:
            raise DataError(f"{path}: line {lineno} has {len(tokens)} columns, expected {ncols}: {stripped!r}")
        try:
            values = [float(t) for t in tokens]
        except ValueError:
            raise DataError(f"{path}: line {lineno} is not numeric: {stripped!r}") from None
        if not all(map(math.isfinite, values)):
            raise DataError(f"{path}: line {lineno} has a non-finite value: {stripped!r}")
        rows.append(values)
        labels.append(label)
    if not rows:
        raise DataError(f"{path}: no data rows")
    return np.asarray(rows, dtype=np.float64), tuple(labels)


def read_rows(
    path: Path, ncols: int, nrows: int | None = None, *, delimiter: str | None = None, header_lines: int = 0
) -> np.ndarray:
    """Read a numeric text table (see :func:`read_labelled_rows`), optionally of a fixed length.

    Args:
        path: File to read.
        ncols: Required number of columns.
        nrows: Required number of data rows; ``None`` accepts any.
        delimiter: Column separator; ``None`` for any whitespace.
        header_lines: Leading lines to skip.

    Returns:
        float64 array of shape (n_rows, ncols).

    Raises:
        DataError: As :func:`read_labelled_rows`, or a wrong row count (e.g. a truncated file).
    """
    rows, _ = read_labelled_rows(path, ncols, delimiter=delimiter, header_lines=header_lines)
    if nrows is not None and len(rows) != nrows:
        raise DataError(f"{path}: {len(rows)} data rows, expected {nrows} (truncated or not the released file?)")
    return rows


def check_centers(path: Path, what: str, found: np.ndarray, expected: np.ndarray) -> None:
    """Require the bin centres in a file to equal the expected ones.

    Args:
        path: File the centres come from (for the message).
        what: Name of the axis and its unit, e.g. ``"energy [keVee]"``.
        found: Centres read from the file.
        expected: Expected centres.

    Raises:
        DataError: Different number or values (to 1e-6 absolute).
    """
    if found.shape != expected.shape or not np.allclose(found, expected, rtol=0.0, atol=1e-6):
        raise DataError(f"{path}: {what} bin centres {found.tolist()} differ from the expected {expected.tolist()}")


def fill_grid(path: Path, rows: np.ndarray, axes: Sequence[tuple[str, np.ndarray]]) -> np.ndarray:
    """Arrange ``(x_1, ..., x_k, value)`` rows on the grid of bin centres, whatever the row order.

    Args:
        path: File the rows come from (for the message).
        rows: Array of shape (n, k + 1): bin centres on k axes, then the value.
        axes: ``(name, centres)`` for each of the k axes, in column order.

    Returns:
        float64 array of shape ``(len(centres_1), ..., len(centres_k))``.

    Raises:
        DataError: A coordinate that is not a bin centre, or a bin missing or repeated.
    """
    shape = tuple(len(centres) for _, centres in axes)
    indices = []
    for k, (name, centres) in enumerate(axes):
        nearest = np.abs(rows[:, k, None] - centres[None, :]).argmin(axis=1)
        off = np.flatnonzero(np.abs(centres[nearest] - rows[:, k]) > 1e-6)
        if off.size:
            row = int(off[0])
            raise DataError(
                f"{path}: data row {row + 1} has {name} {rows[row, k]}, not one of the bin centres {centres.tolist()}"
            )
        indices.append(nearest)
    flat = np.ravel_multi_index(tuple(indices), shape)
    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    if np.any(counts != 1):
        first = int(np.flatnonzero(counts != 1)[0])
        bad = np.unravel_index(first, shape)
        where = ", ".join(f"{name} {centres[i]}" for (name, centres), i in zip(axes, bad, strict=True))
        raise DataError(f"{path}: the bin at {where} appears {counts[first]} times, expected once")
    grid = np.empty(flat.size)
    grid[flat] = rows[:, -1]
    return grid.reshape(shape)


def check_counts(path: Path, values: np.ndarray) -> None:
    """Require event counts to be non-negative integers.

    Raises:
        DataError: A negative or fractional count.
    """
    if np.any(values < 0) or np.any(values != np.round(values)):
        raise DataError(f"{path}: event counts must be non-negative integers")


@dataclass(frozen=True)
class BinnedPDF:
    """A histogram given by its bin centres (uniform bins).

    Attributes:
        center: Bin centres, shape (n,), in the unit of the axis (PE or us).
        value: Content of each bin, shape (n,) (probability or expected events per bin).
    """

    center: np.ndarray
    value: np.ndarray


def read_binned_pdf(path: Path, width: float, *, delimiter: str | None = None) -> BinnedPDF:
    """Read a two-column ``center value`` histogram with uniform bins.

    Args:
        path: File to read.
        width: Required bin width, in the unit of the centres.
        delimiter: Column separator; ``None`` for any whitespace.

    Returns:
        The :class:`BinnedPDF` (read-only arrays).

    Raises:
        DataError: Bad format, fewer than two bins, non-uniform spacing or a negative value.
    """
    rows = read_rows(path, 2, delimiter=delimiter)
    if len(rows) < 2 or not np.allclose(np.diff(rows[:, 0]), width, rtol=0.0, atol=1e-6):
        raise DataError(f"{path}: bin centres must increase in steps of {width}")
    if np.any(rows[:, 1] < 0):
        raise DataError(f"{path}: negative bin content")
    return BinnedPDF(readonly(rows[:, 0].copy()), readonly(rows[:, 1].copy()))
