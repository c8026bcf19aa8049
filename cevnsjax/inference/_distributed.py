"""Runs split across processes and machines with ``jax.distributed``: one program, every process.

The model is JAX's own (single program, multiple data): every process runs the same script or
command with the same arguments, after :func:`initialize`.  A long run is a sequence of
fixed-size chunks (grid points of a scan, minimisations of a profile); :func:`map_chunks` hands
chunk ``c`` to process ``c mod N``, computes them one round of ``N`` chunks at a time and gathers
each round on every process with :func:`jax.experimental.multihost_utils.process_allgather` (the
values are copied, never combined, so they are bit for bit the single-process ones: every chunk is
computed by the same compiled program from the same inputs).  Every process then holds the whole
result and goes on with the same next step (a profile's neighbour sweeps); process 0 writes the
``output`` file.  Nothing changes in a single process.

Any engine built on :func:`map_chunks` (or on :func:`~cevnsjax.inference._solve.solve_rows`,
which uses it: profiles, profiled scans, multi-start fits) is split the same way; a new engine
plugs in by writing its loop over chunks as ``map_chunks(n_chunks, compute)`` with a
``compute(c)`` that returns a ``name -> array`` mapping of the same shapes for every ``c``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Mapping

import numpy as np

#: Environment variables read by :func:`initialize` when its arguments are not given.
COORDINATOR_ENV = "CEVNSJAX_COORDINATOR"
NUM_PROCESSES_ENV = "CEVNSJAX_NUM_PROCESSES"
PROCESS_ID_ENV = "CEVNSJAX_PROCESS_ID"


def initialize(coordinator: str | None = None, num_processes: int | None = None, process_id: int | None = None) -> None:
    """Join this process to a multi-process run (before the process's first JAX computation).

    Without arguments (and without the ``CEVNSJAX_COORDINATOR``, ``CEVNSJAX_NUM_PROCESSES`` and
    ``CEVNSJAX_PROCESS_ID`` environment variables) JAX detects the cluster itself: under SLURM
    (``srun``, one task per host or per GPU) the coordinator is the first host of the job.

    Args:
        coordinator: ``HOST:PORT`` of process 0, reachable from every process.
        num_processes: the number of processes (all started with the same arguments).
        process_id: this process's index, 0 to ``num_processes - 1``.

    Raises:
        ValueError: an incomplete or inconsistent explicit set-up, or a JAX computation already ran.

    Examples:
        Two processes on one machine, each running the same script::

            import cevnsjax as cj
            cj.configure()
            cj.initialize_distributed("127.0.0.1:12345", 2, int(sys.argv[1]))
            result = cj.scan(model, {"rn_ar40": grid}, profile=True)  # split, gathered on all
    """
    import jax

    from .._setup import _backend_started

    if jax.distributed.is_initialized():
        return
    coordinator = coordinator or os.environ.get(COORDINATOR_ENV) or None
    num_processes = _env_int(num_processes, NUM_PROCESSES_ENV)
    process_id = _env_int(process_id, PROCESS_ID_ENV)
    explicit = (coordinator, num_processes, process_id)
    if any(v is not None for v in explicit) and any(v is None for v in explicit):
        raise ValueError(
            "a distributed run needs all of the coordinator address (HOST:PORT), the number of processes "
            "and the process id, or none of them (cluster detection, e.g. SLURM)"
        )
    if num_processes is not None and not (num_processes >= 1 and 0 <= process_id < num_processes):
        raise ValueError(
            f"process id {process_id} is not in 0..{num_processes - 1} (number of processes {num_processes})"
        )
    if coordinator is not None and not coordinator.rpartition(":")[2].isdigit():
        raise ValueError(f"coordinator '{coordinator}': give HOST:PORT, e.g. 127.0.0.1:12345")
    if _backend_started():
        raise ValueError("a distributed run must be set up before the process's first JAX computation")
    try:
        jax.distributed.initialize(coordinator, num_processes, process_id)
    except (RuntimeError, ValueError) as err:
        raise ValueError(f"could not set up the distributed run: {err}") from None
    if jax.process_count() > 1:
        # connect the processes' collectives now: the CPU runtime announces the connection on the
        # standard output of the C library ("[Gloo] Rank 0 is connected ..."), which goes to standard
        # error instead, so that a command's --json output stays one JSON document
        from jax.experimental import multihost_utils

        with _stdout_to_stderr():
            multihost_utils.process_allgather(np.zeros(1))


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send what is written to file descriptor 1 (C and C++ code included) to descriptor 2 meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _env_int(value: int | None, name: str) -> int | None:
    if value is not None or not os.environ.get(name):
        return value
    try:
        return int(os.environ[name])
    except ValueError:
        raise ValueError(f"${name}={os.environ[name]!r}: must be an integer") from None


def active() -> bool:
    """Whether this process is one of several of a distributed run."""
    import jax

    return jax.distributed.is_initialized() and jax.process_count() > 1


def is_main() -> bool:
    """Whether this process writes files and prints (process 0; always True in a single process)."""
    import jax

    return not jax.distributed.is_initialized() or jax.process_index() == 0


def map_chunks(
    n_chunks: int,
    compute: Callable[[int], Mapping[str, np.ndarray]],
    *,
    checkpoint=None,
    done: Callable[[int], None] | None = None,
) -> list[dict[str, np.ndarray]]:
    """``[compute(0), ..., compute(n_chunks - 1)]``, split across the processes of a distributed run.

    Args:
        n_chunks: the number of chunks.
        compute: chunk index -> ``name -> numpy array``; the same names and shapes for every chunk.
        checkpoint: optional :class:`~cevnsjax.inference._checkpoint.Checkpoint`; its saved chunks
            are taken in order (single process only) and every finished chunk is added to it.
        done: called with each chunk's index once it is finished (a progress bar).

    Returns:
        The chunks in order, on every process.

    Raises:
        ValueError: a resumed checkpoint in a distributed run (resume runs in one process).
    """
    out: list[dict[str, np.ndarray]] = []
    if not active():
        for c in range(n_chunks):
            saved = None if checkpoint is None else checkpoint.take()  # finished before an interruption
            if saved is None:
                saved = {k: np.asarray(v) for k, v in compute(c).items()}
                if checkpoint is not None:
                    checkpoint.add(saved)
            out.append(saved)
            if done is not None:
                done(c)
        return out
    import jax
    from jax.experimental import multihost_utils

    if checkpoint is not None and checkpoint.take() is not None:  # saved chunks left to replay
        raise ValueError("resuming a distributed run is not supported: resume it in a single process")
    n, me = jax.process_count(), jax.process_index()
    for first in range(0, n_chunks, n):
        mine = {k: np.asarray(v) for k, v in compute(min(first + me, n_chunks - 1)).items()}  # idle: a spare copy
        gathered = multihost_utils.process_allgather(mine, tiled=False)
        for q in range(min(n, n_chunks - first)):
            chunk = {k: np.asarray(v[q]) for k, v in gathered.items()}
            if checkpoint is not None:
                checkpoint.add(chunk)
            out.append(chunk)
            if done is not None:
                done(first + q)
    return out
