"""Finding the releases on disk and checking them against their SHA-256.

Search order (first hit wins, nothing is ever silently replaced):

1. ``$CEVNSJAX_DATA`` - when set, the only place looked at;
2. ``../shared/data`` next to the repository root (the development mirror), then
   ``../shared/data`` relative to the current working directory;
3. the user cache (``~/.cache/cevnsjax`` on Linux, ``pooch.os_cache("cevnsjax")``), filled by ``cevnsjax data fetch``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ._errors import DataError
from ._registry import get_release

ENV_VAR = "CEVNSJAX_DATA"
"""Environment variable naming a directory that holds the release folders."""

_REPO_ROOT = Path(__file__).resolve().parents[2]

# SHA-256 of files already read in this process, keyed on (path, mtime, size, inode).
_DIGESTS: dict[tuple[str, int, int, int], str] = {}


def fetch_destination() -> Path:
    """Return where ``cevnsjax data fetch`` puts releases by default.

    Returns:
        ``$CEVNSJAX_DATA`` when set, else the user cache ``pooch.os_cache("cevnsjax")``.
    """
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else platformdirs.user_cache_path("cevnsjax")  # = pooch.os_cache


def search_roots() -> tuple[Path, ...]:
    """Return the directories searched for release folders, in order.

    Returns:
        ``($CEVNSJAX_DATA,)`` when the variable is set; otherwise the repository's
        ``../shared/data``, the working directory's ``../shared/data`` and the
        user cache (duplicates removed).
    """
    if os.environ.get(ENV_VAR):
        return (fetch_destination(),)
    candidates = (
        _REPO_ROOT.parent / "shared" / "data",
        (Path.cwd().parent / "shared" / "data").resolve(),
        fetch_destination(),
    )
    return tuple(dict.fromkeys(candidates))


def _fix_hint(release: str, found: Path | None = None) -> str:
    root = fetch_destination()
    hint = f"run `cevnsjax data fetch {release}` (downloads verified copies into {root / release})"
    if found is not None and found != root / release:
        hint += f" and set {ENV_VAR}={root} so that copy is used instead of {found}"
    elif found is None and ENV_VAR not in os.environ:
        hint += f", or set {ENV_VAR} to a directory holding a verified '{release}' folder"
    return hint


def locate(release: str) -> Path:
    """Return the folder of a release.

    Args:
        release: Release name, e.g. ``"coherent_ar_2020"``.

    Returns:
        The first ``<root>/<release>`` directory found along :func:`search_roots`.
        Its files are not checked here; :func:`path` checks each one.

    Raises:
        ValueError: Unknown release name.
        FileNotFoundError: No root holds the folder; the message lists where it
            was looked for and how to get it.
    """
    get_release(release)
    roots = search_roots()
    for root in roots:
        if (root / release).is_dir():
            return root / release
    looked = ", ".join(str(root / release) for root in roots)
    raise FileNotFoundError(f"data release '{release}' not found (looked in: {looked}); fix: {_fix_hint(release)}")


def sha256(file: str | os.PathLike) -> str:
    """Return the SHA-256 of a file, computed once per process per version of the file.

    Args:
        file: Path of the file.

    Returns:
        The hex digest (64 lowercase hex digits). Results are cached on
        (resolved path, modification time, size, inode), so re-reading an unchanged
        file costs one ``stat``.
    """
    resolved = Path(file).resolve()
    st = resolved.stat()
    key = (str(resolved), st.st_mtime_ns, st.st_size, st.st_ino)
    if key not in _DIGESTS:
        with open(resolved, "rb") as handle:
            _DIGESTS[key] = hashlib.file_digest(handle, "sha256").hexdigest()
    return _DIGESTS[key]


def path(release: str, file: str) -> Path:
    """Return the path of a released file after checking its SHA-256.

    Args:
        release: Release name, e.g. ``"coherent_csi_2021"``.
        file: POSIX path inside the release folder, e.g. ``"dataBeamOnC.txt"``.

    Returns:
        The verified file's path.

    Raises:
        ValueError: Unknown release name.
        KeyError: ``file`` is not part of the release.
        FileNotFoundError: The release folder or the file is missing.
        DataError: The file's SHA-256 differs from the released one.
    """
    entry = get_release(release).file(file)
    directory = locate(release)
    target = directory / entry.path
    problem = _problem(target)
    if problem is not None:
        error = FileNotFoundError if problem == "missing" else DataError
        raise error(
            f"{target}: file '{entry.path}' of data release '{release}' is {problem} "
            f"(expected SHA-256 {entry.sha256}, source {entry.url}); fix: {_fix(problem, target, release, directory)}"
        )
    actual = sha256(target)
    if actual != entry.sha256:
        raise DataError(
            f"{target}: SHA-256 mismatch for '{entry.path}' of data release '{release}': "
            f"expected {entry.sha256}, found {actual} (corrupted or not the released file; "
            f"source {entry.url}); fix: {_fix_hint(release, directory)}"
        )
    return target


def _problem(target: Path) -> str | None:
    """Why ``target`` cannot be read as a released file: None, ``missing``, a directory, unreadable."""
    if not target.exists():
        return "missing"
    if not target.is_file():
        return "a directory, not a file" if target.is_dir() else "not a regular file"
    if not os.access(target, os.R_OK):
        return "unreadable (permission denied)"
    return None


def _fix(problem: str, target: Path, release: str, directory: Path) -> str:
    if problem.startswith("unreadable"):
        return f"make it readable (chmod u+r {target}), or {_fix_hint(release, directory)}"
    if problem != "missing":
        return f"remove {target}, then {_fix_hint(release, directory)}"
    return _fix_hint(release, directory)


@dataclass(frozen=True)
class FileReport:
    """The state of one released file on disk.

    Attributes:
        path: POSIX path inside the release folder.
        expected: Released SHA-256.
        found: Whether the file exists.
        actual: SHA-256 on disk, ``None`` when missing or unreadable.
        problem: why it could not be read (``missing``, ``a directory, not a file``,
            ``unreadable (permission denied)``), or ``None``.
    """

    path: str
    expected: str
    found: bool
    actual: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file is present with the released hash."""
        return self.actual == self.expected


@dataclass(frozen=True)
class ReleaseReport:
    """The state of one release on disk.

    Attributes:
        name: Release name.
        directory: Folder found by :func:`locate`, ``None`` when not found.
        searched: Folders looked at, in order.
        files: One report per released file (empty when the folder was not found).
    """

    name: str
    directory: Path | None
    searched: tuple[Path, ...]
    files: tuple[FileReport, ...]

    @property
    def ok(self) -> bool:
        """Whether the release was found and every file has its released hash."""
        return self.directory is not None and all(f.ok for f in self.files)

    @property
    def hint(self) -> str:
        """How to obtain a verified copy of this release."""
        return _fix_hint(self.name, self.directory)


def verify(release: str) -> ReleaseReport:
    """Check every file of a release without raising on missing or corrupted files.

    Args:
        release: Release name.

    Returns:
        A :class:`ReleaseReport`.

    Raises:
        ValueError: Unknown release name.
    """
    entry = get_release(release)
    searched = tuple(root / release for root in search_roots())
    try:
        directory = locate(release)
    except FileNotFoundError:
        return ReleaseReport(release, None, searched, ())
    files = []
    for item in entry.files:
        target = directory / item.path
        problem = _problem(target)
        actual = None
        if problem is None:
            try:
                actual = sha256(target)
            except OSError as err:  # e.g. an I/O error while reading
                problem = f"unreadable ({err.strerror or err})"
        files.append(FileReport(item.path, item.sha256, target.exists(), actual, problem))
    return ReleaseReport(release, directory, searched, tuple(files))
