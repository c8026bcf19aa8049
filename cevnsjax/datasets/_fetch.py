"""Downloading releases with pooch, every file checked against its SHA-256."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlparse
from urllib.request import url2pathname

from ._errors import DataError
from ._locate import fetch_destination, sha256
from ._registry import Release, RemoteFile, get_release

if TYPE_CHECKING:
    import pooch

_SCHEMES = ("http", "https", "ftp", "file")


def _copy_local(url: str, output_file: str, pooch_instance: pooch.Pooch | None) -> None:
    """pooch downloader for ``file://`` URLs (pooch has none); ``output_file`` is a path."""
    shutil.copyfile(url2pathname(urlparse(url).path), output_file)


def _download(url: str, target: Path, known_hash: str | None, what: str) -> None:
    """Download ``url`` to ``target`` with pooch (skipped when ``target`` already has ``known_hash``).

    Raises:
        ValueError: (from pooch) the download does not match ``known_hash``.
        RuntimeError: The download itself failed.
    """
    import pooch  # imported here: loading a release that is present does not need it (start-up time)

    try:
        pooch.retrieve(
            url,
            known_hash=known_hash,
            fname=target.name,
            path=target.parent,
            downloader=_copy_local if urlparse(url).scheme == "file" else None,
        )
    except OSError as err:  # network errors (requests' are OSErrors) and missing local files
        raise RuntimeError(f"could not download {what} from {url}: {err}") from err


def _fetch_file(release: str, entry: RemoteFile, folder: Path) -> None:
    target = folder / entry.path
    what = f"'{entry.path}' of data release '{release}'"
    try:
        _download(entry.url, target, f"sha256:{entry.sha256}", what)
    except ValueError as err:
        raise DataError(
            f"{entry.url}: downloaded {what} does not have the released SHA-256 {entry.sha256}; "
            f"refused, nothing written to {target} ({err})"
        ) from err


def _read_member(archive: Path, member: str) -> bytes:
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as bundle:
            return bundle.read(member)
    with tarfile.open(archive) as bundle:
        handle = bundle.extractfile(member)
        if handle is None:
            raise KeyError(member)
        return handle.read()


def _fetch_archive(release: str, url: str, entries: list[RemoteFile], folder: Path) -> None:
    wanted = [e for e in entries if not ((folder / e.path).is_file() and sha256(folder / e.path) == e.sha256)]
    if not wanted:
        return
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "archive"
        # The archive's own hash is not recorded; every member is checked before it is written.
        _download(url, archive, None, f"the archive of data release '{release}'")
        for entry in wanted:
            try:
                content = _read_member(archive, entry.member)
            except (KeyError, zipfile.BadZipFile, tarfile.TarError) as err:
                raise DataError(f"{url}: no readable archive member '{entry.member}' ({err})") from err
            digest = hashlib.sha256(content).hexdigest()
            if digest != entry.sha256:
                raise DataError(
                    f"{url}: member '{entry.member}' ('{entry.path}' of data release '{release}') has SHA-256 "
                    f"{digest}, expected {entry.sha256}; refused, nothing written"
                )
            target = folder / entry.path
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(content)
            os.replace(partial, target)


def fetch(release: str | Release, dest: str | os.PathLike | None = None, base_url: str | None = None) -> Path:
    """Download a release into ``dest/<release>``, checking every file's SHA-256.

    Files already present with the released hash are not downloaded again; a
    present file with another hash is replaced by a verified download. A download
    that fails its hash is refused (nothing is written) with :class:`DataError`.

    Args:
        release: Release name (see :data:`RELEASES`) or a :class:`Release`.
        dest: Directory receiving the release folder; default ``$CEVNSJAX_DATA`` when
            set, else the user cache ``pooch.os_cache("cevnsjax")`` (both are searched
            by :func:`locate`).
        base_url: Mirror to download from instead of the canonical sources: a URL
            (``http(s)://``, ``ftp://`` or ``file://``) of a directory laid out like
            ``shared/data``, i.e. files at ``{base_url}/{release}/{path}``.

    Returns:
        The release folder.

    Raises:
        ValueError: Unknown release name or unsupported URL scheme.
        DataError: A downloaded file does not have its released SHA-256.
        RuntimeError: A download failed (network, missing mirror file).
    """
    entry = get_release(release) if isinstance(release, str) else release
    folder = Path(fetch_destination() if dest is None else dest).expanduser() / entry.name
    files = entry.files
    if base_url is not None:
        root = f"{base_url.rstrip('/')}/{quote(entry.name)}"
        files = tuple(replace(f, url=f"{root}/{quote(f.path)}", member=None) for f in files)
    for item in files:
        if urlparse(item.url).scheme not in _SCHEMES:
            raise ValueError(f"unsupported URL {item.url!r}; use one of the schemes {', '.join(_SCHEMES)}")
    archives: defaultdict[str, list[RemoteFile]] = defaultdict(list)
    for item in files:
        if item.member is None:
            _fetch_file(entry.name, item, folder)
        else:
            archives[item.url].append(item)
    for url, members in archives.items():
        _fetch_archive(entry.name, url, members, folder)
    return folder
