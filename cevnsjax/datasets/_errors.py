"""The error raised for released data that is present but cannot be trusted."""

from __future__ import annotations


class DataError(ValueError):
    """A data file fails its SHA-256 check or does not have the released format.

    The message names the file, what was expected and how to fix it. Missing
    files and folders raise :class:`FileNotFoundError` instead.
    """
