"""Incremental output of long runs (scan, profile, sample) and ``--resume``.

A :class:`Checkpoint` keeps the finished chunks of a run in its ``--output`` JSON file, which
is rewritten atomically (temporary file and rename) after every chunk, so an interrupted run
(Ctrl-C, a killed job) leaves a valid file with every finished chunk.  The file records the
run's settings; resuming checks that they are the same.  A run is deterministic, so it asks for
its chunks in the same order again: every computing loop first takes the next saved chunk
(:meth:`~Checkpoint.take`) and computes (and :meth:`~Checkpoint.add`) one only when none is left, whatever
the loops' structure (several passes included).  The final result is the one an uninterrupted
run gives, bit for bit (every chunk is computed by the same compiled program from the same
inputs).  When the run ends, the engine writes the complete result over the partial file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from ._distributed import is_main
from ._persist import FORMAT, FORMAT_VERSION, decode, describe, encode, from_dict, library_version, read, write_atomic


class Checkpoint:
    """The partial file of one run.

    Args:
        path: the ``--output`` file.
        kind: the result type the run produces (``"ScanResult"``, ...).
        model: the model (its description goes into the file).
        settings: everything the result depends on (grids, fixed values, chunk size, seed, ...).
        resume: continue from ``path`` if it holds a partial file of the same run.

    Attributes:
        chunks: the finished chunks, each a ``name -> array`` mapping, in order.
        state: extra state to continue from (a sampler's state), or None.
        total: the number of chunks of the whole run (set by the engine).

    Raises:
        ValueError: ``resume`` with a file of another run (the differing settings are named),
            or of a complete result of another kind.
    """

    #: Set (by the CLI's Ctrl-C handler) to stop the run once the chunk under way is saved.
    stop_requested = False

    def __init__(self, path, kind: str, model, settings: Mapping, *, resume: bool = False):
        self.path = os.fspath(path)
        self.kind = kind
        self.header = {"version": library_version(), **describe(model)}
        self.settings = decode(encode(dict(settings)))
        self.chunks: list[dict] = []
        self._cursor = 0
        self.state = None
        self.total = None
        self.complete = None
        if resume and os.path.exists(self.path):
            self._restore()

    def _restore(self) -> None:
        data = read(self.path)
        if data.get("format") != FORMAT or data.get("type") != self.kind:
            raise ValueError(f"--resume: {self.path} does not hold a {self.kind} of cevnsjax")
        saved = decode(data.get("run", {}))
        if not data.get("partial"):
            saved = decode(data.get("settings", {})).get("run", saved)
        differ = sorted(k for k in set(saved) | set(self.settings) if _differ(saved.get(k), self.settings.get(k)))
        if differ:
            raise ValueError(
                f"--resume: {self.path} was written by a different run (differs in {', '.join(differ)}); "
                "give the same arguments, or another --output file"
            )
        if not data.get("partial"):
            self.complete = data
            return
        self.chunks = decode(data.get("chunks", []))
        self.state = decode(data.get("state"))

    def take(self) -> dict | None:
        """The next saved chunk of a resumed run, in the order they were computed, or None."""
        if self._cursor >= len(self.chunks):
            return None
        self._cursor += 1
        return self.chunks[self._cursor - 1]

    def add(self, chunk: Mapping, state=None) -> None:
        """Append a finished chunk (and the state to continue from) and rewrite the file."""
        self.chunks.append(dict(chunk))
        self._cursor = len(self.chunks)
        self.state = state
        self.save()
        if Checkpoint.stop_requested:
            raise KeyboardInterrupt

    def save_state(self, state) -> None:
        """Record the state to continue from (before the first chunk) and rewrite the file."""
        self.state = state
        self.save()

    def save(self) -> None:
        """Write the partial file (atomically; in a distributed run only process 0 writes)."""
        if not is_main():
            return
        doc = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "type": self.kind,
            "partial": True,
            "progress": {"done": len(self.chunks), "total": self.total},
            **encode(self.header),
            "run": encode(self.settings),
            "chunks": encode(self.chunks),
            "state": encode(self.state),
        }
        write_atomic(self.path, json.dumps(doc, allow_nan=False))

    def finish(self, result) -> None:
        """Write the complete ``result`` over the partial file (its settings keep the run's; process 0 only)."""
        if not is_main():
            return
        meta = dict(result.metadata)
        meta["settings"] = {**meta.get("settings", {}), "run": self.settings}
        result._attach(_metadata=meta)
        result.to_json(self.path)


def open_run(output, kind: str, model, settings: Mapping, *, resume: bool = False):
    """The checkpoint of a run with ``--output`` and, when ``--resume`` finds the run finished, its result.

    Returns:
        ``(checkpoint, finished)``: ``(None, None)`` without ``output``; the :class:`Checkpoint`
        and None for a run to compute (or continue); the checkpoint and the saved result when the
        file holds the complete result of the same run (the engine returns it as it is).
    """
    if output is None:
        return None, None
    checkpoint = Checkpoint(output, kind, model, settings, resume=resume)
    finished = None if checkpoint.complete is None else from_dict(checkpoint.complete)
    return checkpoint, finished


def _differ(a, b) -> bool:
    return json.dumps(encode(a), sort_keys=True) != json.dumps(encode(b), sort_keys=True)
