"""Built models kept on disk between command-line runs, beside the compilation cache.

Building an experiment reads and checks its data release, precomputes its response arrays and
runs a dozen small compiled programs: 0.3 s of a 2.5 s ``cevnsjax fit coherent_ar_2020`` even
when every program is loaded from the compilation cache.  The command line keeps the built model
(its arrays and settings, pickled) in ``models/`` of the compilation cache's directory
(:func:`cevnsjax._setup.cache_dir`) and loads it in the next run that asks for the same model;
it is on exactly when JAX's persistent compilation cache is (``--no-cache`` and
``$CEVNSJAX_NO_COMPILATION_CACHE`` turn both off).

An entry is used only when everything the build depends on is unchanged, all of it in its key
(:func:`key`): the request (experiments, options, shared nuisances, ties), every file of the
package (code, resources, the data releases' SHA-256 registry), the versions of Python and of the
numerical libraries, JAX's float64 switch and the ``JAX_*``/``XLA_*`` environment, the machine
(host name and architecture: compiled build steps may round differently on another CPU), and the
data files the experiments read (located path, size, modification time and inode: a changed or
moved file is built, and so checked against its SHA-256, again).  A request with a free-text
option (a user's spectrum file, ``--option spectrum_file=...``) is never cached: its file is not
in the key.  An entry that cannot be read, holds another key or no model is ignored and replaced.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import platform
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

#: Bump to ignore every entry written before (a change of the entry's layout).
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parents[1]


def folder() -> Path | None:
    """Where built models are kept: ``models/`` in JAX's persistent compilation cache directory, or
    None when that cache is off."""
    import jax

    if not jax.config.jax_enable_compilation_cache or not jax.config.jax_compilation_cache_dir:
        return None
    return Path(jax.config.jax_compilation_cache_dir) / "models"


@functools.cache
def package_digest() -> str:
    """SHA-256 of every file of the package (paths and contents; compiled bytecode aside)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def cacheable(names: tuple[str, ...], options: tuple[str, ...]) -> bool:
    """Whether the request may be cached: no free-text option (it may name a file outside the key)."""
    from .. import experiments

    for item in options:
        name = item.partition("=")[0].strip()
        for experiment in names:
            option = experiments.options(experiment).get(name)
            if option is not None and option.choices is None and option.type is str:
                return False
    return True


def _data_files(names: tuple[str, ...]) -> list[str]:
    """``path size mtime inode`` of every file of the data releases the experiments read."""
    from .. import experiments
    from ..datasets import get_release, locate

    out = []
    for release in sorted({r for n in names for r in experiments.registered(n).data}):
        where = locate(release)
        for entry in get_release(release).files:
            st = os.stat(where / entry.path)
            out.append(f"{(where / entry.path).resolve()} {st.st_size} {st.st_mtime_ns} {st.st_ino}")
    return out


def key(names: tuple[str, ...], options: tuple[str, ...], share: tuple[str, ...], tie: tuple[str, ...]) -> str:
    """The text that identifies a built model (see the module docstring); it raises when a data
    file is missing (the build then reports it)."""
    import equinox
    import jax
    import jaxlib
    import numpy as np

    environment = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith(("JAX_", "XLA_")))
    lines = [
        f"format {FORMAT}",
        f"request {list(names)!r} {list(options)!r} {list(share)!r} {list(tie)!r}",
        f"package {package_digest()}",
        f"python {sys.version}",
        f"versions jax {jax.__version__} jaxlib {jaxlib.__version__} numpy {np.__version__} "
        f"equinox {equinox.__version__}",
        f"x64 {bool(jax.config.jax_enable_x64)}",
        f"environment {environment!r}",
        f"machine {socket.gethostname()} {platform.machine()}",
        *_data_files(names),
    ]
    return "\n".join(lines)


def _entry(where: Path, text: str) -> Path:
    return where / f"{hashlib.sha256(text.encode()).hexdigest()}.pkl"


def load(where: Path, text: str):
    """The model stored under ``text``, or None (no entry, unreadable, another key, not a model)."""
    from ..model import Model

    try:
        stored, model = pickle.loads(_entry(where, text).read_bytes())
    except Exception:  # absent, truncated, corrupt, or written by code that no longer exists
        return None
    return model if stored == text and isinstance(model, Model) else None


def store(where: Path, text: str, model) -> None:
    """Keep ``model`` under ``text`` (atomically; a model that cannot be pickled is not kept)."""
    try:
        blob = pickle.dumps((text, model), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a model holding a function defined at run time
        return
    with contextlib.suppress(OSError):  # a read-only or full disk: the run goes on uncached
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(blob)
            os.replace(temporary, _entry(where, text))
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def cached(
    build: Callable, names: tuple[str, ...], options: tuple[str, ...], share: tuple[str, ...], tie: tuple[str, ...]
):
    """``build(names, options, share, tie)``, or the same model loaded from :func:`folder`."""
    where = folder()
    try:
        text = key(names, options, share, tie) if where is not None and cacheable(names, options) else None
    except (OSError, ValueError):  # missing data or an unknown name: the build says what is wrong
        text = None
    if text is None:
        return build(names, options, share, tie)
    model = load(where, text)
    if model is None:
        model = build(names, options, share, tie)
        store(where, text, model)
    return model
