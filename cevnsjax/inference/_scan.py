"""Dense grid scans of chi^2, sharded over all visible devices.

The outer-product grid is never built on the host: each chunk is a range of
flat indices, sharded over a 1D mesh of devices (``NamedSharding``), padded to a
multiple of the device count; on device the indices are unravelled into grid
coordinates and chi^2 is ``jax.vmap``-ed over them.  Each point is computed
independently, so the result does not depend on the number of devices.
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
from ._checkpoint import Checkpoint
from ._objective import build, compiled, warn_if_float32
from ._persist import attach, from_dict
from ._result import ScanResult


def scan(
    model: Model,
    grid: Mapping[str, Sequence[float]],
    fixed: Mapping[str, float] | None = None,
    *,
    chunk_size: int = 65536,
    devices: Sequence[jax.Device] | None = None,
    progress: bool | None = None,
    output: str | os.PathLike | None = None,
    resume: bool = False,
) -> ScanResult:
    """chi^2 on the outer product of one grid per parameter (no re-minimisation).

    Parameters not scanned stay at their defaults or at the ``fixed`` values.

    Args:
        model: the likelihood model.
        grid: ``name -> 1D values`` (inside the bounds, in the parameter's unit).
        fixed: ``name -> value`` for parameters held away from their defaults.
        chunk_size: points per device call (rounded up to a multiple of the
            number of devices); bounds the memory used at once.
        devices: devices to shard over (default: ``jax.devices()``).
        progress: progress bar over chunks on stderr (None: only on a terminal).
        output: JSON file rewritten after every chunk with the finished ones, and with the
            whole result at the end (``cj.load``).
        resume: continue an interrupted run from ``output`` (same arguments and chunk size),
            to the result an uninterrupted run gives.

    Returns:
        The :class:`~cevnsjax.inference.ScanResult`; ``chi2`` has shape
        ``tuple(len(v) for v in grid.values())``.

    Example:
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
    axes = tuple(np.atleast_1d(np.asarray(v, dtype=float)) for v in grid.values())
    names = tuple(model.parameters.canonical(n) for n in grid)
    for name, values in zip(names, axes):
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"the grid of '{name}' must be a non-empty 1D array")
        model.parameters.check_names([name])
        model.parameters[name].check(values.min())
        model.parameters[name].check(values.max())
    obj = build(model, None, fixed, None, None, exclude=names, defaults_free=False)

    devices = list(jax.devices() if devices is None else devices)
    mesh = Mesh(np.array(devices), ("points",))
    sharded = NamedSharding(mesh, PartitionSpec("points"))
    replicated = NamedSharding(mesh, PartitionSpec())
    shape = tuple(len(a) for a in axes)
    total = math.prod(shape)
    size = len(devices) * -(-min(chunk_size, total) // len(devices))
    n_chunks = -(-total // size)

    run = compiled(
        obj,
        "scan",
        lambda o: jax.jit(
            lambda inputs, axes, idx: jax.vmap(lambda i: _point(o, names, shape, total, inputs, axes, i))(idx),
            out_shardings=sharded,
        ),
        names,
        shape,
        tuple(str(d) for d in devices),
    )
    settings = dict(params=names, grid=axes, base=obj.base, chunk=size, n_devices=len(devices))
    checkpoint = None if output is None else Checkpoint(output, "ScanResult", model, settings, resume=resume)
    if checkpoint is not None and checkpoint.complete is not None:
        return from_dict(checkpoint.complete)
    inputs = jax.device_put(obj.inputs, replicated)
    axes_dev = jax.device_put(tuple(jnp.asarray(a) for a in axes), replicated)
    out = np.empty(n_chunks * size)
    bar = tqdm(
        total=total, desc=f"scan {' x '.join(names)}", unit="pt", disable=None if progress is None else not progress
    )
    if checkpoint is not None:
        checkpoint.total = n_chunks
    with bar:
        for k in range(n_chunks):
            saved = None if checkpoint is None else checkpoint.take()  # finished before an interruption
            if saved is not None:
                out[k * size : (k + 1) * size] = saved["chi2"]
            else:
                idx = jax.device_put(np.arange(k * size, (k + 1) * size), sharded)
                out[k * size : (k + 1) * size] = np.asarray(run(inputs, axes_dev, idx))
                if checkpoint is not None:
                    checkpoint.add({"chi2": out[k * size : (k + 1) * size]})
            bar.update(min(size, total - k * size))
    chi2 = out[:total].reshape(shape)
    finite = np.where(np.isfinite(chi2), chi2, np.inf)
    best = np.unravel_index(int(np.argmin(finite)), shape)
    result = ScanResult(
        params=names,
        grid=axes,
        chi2=chi2,
        best_point={n: float(a[i]) for n, a, i in zip(names, axes, best)},
        chi2_min=float(chi2[best]),
        n_devices=len(devices),
    )
    attach(result, model, fixed=fixed)
    if checkpoint is not None:
        checkpoint.finish(result)
    return result


def _point(obj, names, shape, total, inputs, axes, index):
    """chi^2 at flat grid index ``index`` (indices past the end repeat the last point)."""
    coords = jnp.unravel_index(jnp.minimum(index, total - 1), shape)
    values = {n: ax[c] for n, ax, c in zip(names, axes, coords)}
    return obj.chi2(inputs, jnp.zeros(0), values)
