"""Dense grid scans of chi^2, sharded over all visible devices.

The outer-product grid is never built on the host: each chunk is a range of
flat indices, sharded over a 1D mesh of devices (``NamedSharding``), padded to a
multiple of the device count; on device the indices are unravelled into grid
coordinates and chi^2 is ``jax.vmap``-ed over them.  Each point is computed
independently, so the result depends on the number of devices and the chunk size only through
rounding (XLA may vectorise batches of different sizes differently): within 1e-13 relative.
Chunk and axis lengths are padded to size buckets (:mod:`._shapes`), so a grid of a new length
usually reuses the compiled program.  In a distributed run (:mod:`._distributed`) each process
shards its chunks over its own devices and the chunks are gathered on every process.

With ``profile=True`` the nuisances (the model's default free parameters, plus
``free``) are re-minimised at every grid point instead, by the multi-start
profile machinery of :mod:`._profile` (the grid points are then processed in
vmapped chunks on the default device).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec
from tqdm import tqdm

from ..model import Model
from ._checkpoint import open_run
from ._distributed import active, map_chunks
from ._fit import RESTARTS
from ._objective import build, compiled, warn_if_float32
from ._persist import attach
from ._profile import _profile_points
from ._result import ScanResult
from ._shapes import bucket


def scan(
    model: Model,
    grid: Mapping[str, Sequence[float]],
    fixed: Mapping[str, float] | None = None,
    *,
    profile: bool = False,
    free: Sequence[str] | str | None = None,
    restarts: int = RESTARTS,
    chunk_size: int = 65536,
    devices: Sequence[jax.Device] | None = None,
    progress: bool | None = None,
    output: str | os.PathLike | None = None,
    resume: bool = False,
) -> ScanResult:
    """chi^2 on the outer product of one grid per parameter.

    By default nothing is re-minimised: parameters not scanned, the nuisances
    included, stay at their defaults or at the ``fixed`` values
    (:attr:`ScanResult.profiled` is empty).  With ``profile=True`` the nuisances
    are re-minimised at every point (a profile on the grid).

    Args:
        model: the likelihood model.
        grid: ``name -> 1D values`` (strictly increasing, inside the bounds, in the parameter's unit).
        fixed: ``name -> value`` for parameters held away from their defaults.
        profile: re-minimise the model's default free parameters (and ``free``) at
            every point.
        free: further parameters re-minimised at every point (needs ``profile``).
        restarts: with ``profile``: box seeds per point (see :func:`~cevnsjax.inference.profile`).
        chunk_size: points per device call, a positive integer (rounded up to a multiple of
            the number of devices); bounds the device memory used at once.  The chi^2 values
            agree across chunk sizes and device counts to rounding (XLA may vectorise a batch
            differently): within 1e-13 relative in float64, tested in tests/test_bad_input.py.
        devices: devices to shard over (default: ``jax.devices()``; not with ``profile``, whose
            minimisations run in vmapped chunks of at most 256 on the default device).
        progress: progress bar over chunks on stderr (None: only on a terminal).
        output: JSON file rewritten after every chunk with the finished ones, and with the
            whole result at the end (``cj.load``).
        resume: continue an interrupted run from ``output`` (same arguments and chunk size),
            to the result an uninterrupted run gives.

    Returns:
        The :class:`~cevnsjax.inference.ScanResult`; ``chi2`` has shape
        ``tuple(len(v) for v in grid.values())``.

    Raises:
        ValueError: an empty, non-increasing or out-of-bounds grid, a bad ``chunk_size``.
        FloatingPointError: chi^2 is NaN somewhere on the grid (never returned silently).

    Examples:
        >>> import numpy as np
        >>> from cevnsjax.model import FunctionModel
        >>> from cevnsjax.parameters import Parameter, ParameterSet
        >>> m = FunctionModel(lambda p: p["x"] ** 2 + (p["y"] - 1.0) ** 2,
        ...                   ParameterSet([Parameter("x", 0.0), Parameter("y", 0.0)]))
        >>> r = scan(m, {"x": np.linspace(-1, 1, 5), "y": np.linspace(0, 2, 3)}, progress=False)
        >>> r.chi2.shape, r.best_point
        ((5, 3), {'x': 0.0, 'y': 1.0})
    """
    warn_if_float32("scan")
    if not grid:
        raise ValueError("scan needs at least one parameter grid")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size!r}: must be a positive integer (grid points per device call)")
    axes = tuple(np.atleast_1d(np.asarray(v, dtype=float)) for v in grid.values())
    names = tuple(model.parameters.canonical(n) for n in grid)
    for name, values in zip(names, axes):
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"the grid of '{name}' must be a non-empty 1D array")
        if np.any(np.diff(values) <= 0):
            raise ValueError(f"the grid of '{name}' must be strictly increasing")
        model.parameters.check_names([name])
        model.parameters[name].check(values.min())
        model.parameters[name].check(values.max())
    if profile:
        settings = dict(params=names, grid=axes, fixed=fixed, free=free, restarts=restarts, chunk=min(chunk_size, 256))
        checkpoint, finished = open_run(output, "ScanResult", model, settings, resume=resume)
        if finished is not None:
            return finished
        result = _profiled(model, names, axes, fixed, free, restarts, min(chunk_size, 256), progress, checkpoint)
        attach(result, model, fixed=fixed)
        if checkpoint is not None:
            checkpoint.finish(result)
        return result
    if free:
        raise ValueError("scan: free parameters are re-minimised only with profile=True")
    obj = build(model, None, fixed, None, None, exclude=names, defaults_free=False)

    devices = list((jax.local_devices() if active() else jax.devices()) if devices is None else devices)
    mesh = Mesh(np.array(devices), ("points",))
    sharded = NamedSharding(mesh, PartitionSpec("points"))
    replicated = NamedSharding(mesh, PartitionSpec())
    shape = tuple(len(a) for a in axes)
    total = math.prod(shape)
    # padded sizes (the chunk, each axis): grids of nearby lengths reuse one compiled program
    size = len(devices) * -(-min(chunk_size, bucket(total)) // len(devices))
    n_chunks = -(-total // size)
    padded = tuple(np.pad(a, (0, bucket(len(a)) - len(a)), mode="edge") for a in axes)

    run = compiled(
        obj,
        "scan",
        lambda o: jax.jit(
            lambda inputs, axes, dims, idx: jax.vmap(lambda i: _point(o, names, inputs, axes, dims, i))(idx),
            out_shardings=sharded,
        ),
        names,
        tuple(len(a) for a in padded),
        tuple(str(d) for d in devices),
    )
    n_devices = len(devices) * (jax.process_count() if active() else 1)
    settings = dict(params=names, grid=axes, base=obj.base, chunk=size, n_devices=len(devices))  # per process
    checkpoint, finished = open_run(output, "ScanResult", model, settings, resume=resume)
    if finished is not None:
        return finished
    inputs = jax.device_put(obj.inputs, replicated)
    axes_dev = jax.device_put(tuple(jnp.asarray(a) for a in padded), replicated)
    dims = jax.device_put(jnp.asarray(shape), replicated)
    bar = tqdm(
        total=total, desc=f"scan {' x '.join(names)}", unit="pt", disable=None if progress is None else not progress
    )
    if checkpoint is not None:
        checkpoint.total = n_chunks

    def chunk(k):
        idx = jax.device_put(np.arange(k * size, (k + 1) * size), sharded)
        return {"chi2": run(inputs, axes_dev, dims, idx)}

    with bar:
        parts = map_chunks(
            n_chunks, chunk, checkpoint=checkpoint, done=lambda k: bar.update(min(size, total - k * size))
        )
    out = np.concatenate([np.asarray(p["chi2"], dtype=float) for p in parts])
    chi2 = out[:total].reshape(shape)
    bad = np.isnan(chi2)
    if bad.any():  # never returned silently: inside the bounds chi^2 is a number (or +inf)
        first = np.unravel_index(int(np.argmax(bad)), shape)
        point = ", ".join(f"{n} = {a[i]:.6g}" for n, a, i in zip(names, axes, first))
        raise FloatingPointError(f"scan: chi^2 is NaN at {int(bad.sum())} of {total} grid points, first at {point}")
    finite = np.where(np.isfinite(chi2), chi2, np.inf)
    best = np.unravel_index(int(np.argmin(finite)), shape)
    result = ScanResult(
        params=names,
        grid=axes,
        chi2=chi2,
        best_point={n: float(a[i]) for n, a, i in zip(names, axes, best)},
        chi2_min=float(chi2[best]),
        n_devices=n_devices,
    )
    attach(result, model, fixed=fixed)
    if checkpoint is not None:
        checkpoint.finish(result)
    return result


def _profiled(model, names, axes, fixed, free, restarts, batch_size, progress, checkpoint) -> ScanResult:
    """The scan with the nuisances re-minimised at every point (:func:`._profile._profile_points`)."""
    shape = tuple(len(a) for a in axes)
    points = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(names))
    _, chi2, ok, nuisances = _profile_points(
        model,
        list(names),
        points,
        shape,
        free,
        fixed,
        None,
        None,
        tolerance=1e-6,
        max_steps=200,
        batch_size=batch_size,
        progress=progress,
        restarts=restarts,
        checkpoint=checkpoint,
    )
    chi2 = chi2.reshape(shape)
    finite = np.where(np.isfinite(chi2), chi2, np.inf)
    best = np.unravel_index(int(np.argmin(finite)), shape)
    return ScanResult(
        params=names,
        grid=axes,
        chi2=chi2,
        best_point={n: float(a[i]) for n, a, i in zip(names, axes, best)},
        chi2_min=float(chi2[best]),
        n_devices=1,
        profiled=tuple(nuisances),
        converged=ok.reshape(shape),
        nuisances={k: v.reshape(shape) for k, v in nuisances.items()},
    )


def _point(obj, names, inputs, axes, dims, index):
    """chi^2 at flat grid index ``index`` of a grid of shape ``dims`` (indices past the end repeat the last point).

    ``dims`` is an argument, not a constant, and ``axes`` are padded: one program serves every grid
    whose padded axis lengths agree.
    """
    rest = jnp.minimum(index, jnp.prod(dims) - 1)
    coords = []
    for d in range(len(names) - 1, -1, -1):
        coords.append(rest % dims[d])
        rest = rest // dims[d]
    values = {n: ax[c] for n, ax, c in zip(names, axes, reversed(coords))}
    return obj.chi2(inputs, jnp.zeros(0), values)
