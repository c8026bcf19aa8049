"""Many minimisations at once: :func:`minimize` vmapped over rows of (start, held values).

One row is one minimisation of an :class:`~cevnsjax.inference._objective.Objective`
over its free parameters from an internal starting point, with some other
parameters held at given values (a profile's grid point; none for a fit).  Rows
are processed in fixed-size, padded chunks, so one compilation serves a whole
profile, its neighbour sweeps and the restarts of a fit.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from ._distributed import map_chunks
from ._minimize import minimize
from ._objective import Objective, compiled
from ._transforms import to_external, to_internal


class Rows(NamedTuple):
    """Outcome of :func:`solve_rows`, one entry per row (numpy arrays).

    Attributes:
        chi2: minimum chi^2, shape (k,).
        x: external values of the free parameters at the minimum, shape (k, n_free).
        edm: estimated distance to minimum, shape (k,).
        posdef: Hessian (internal coordinates) positive definite, shape (k,).
        max_steps_reached: stopped on the iteration limit, shape (k,).
        ok: converged (finite chi^2, positive-definite Hessian, EDM below tolerance), shape (k,).
        best: index of the lowest converged row when it was chosen with the rows (a fit's
            :func:`~cevnsjax.inference._fit.multistart`), else None.
        hessian: exact Hessian of chi^2 in the free parameters (external) at row ``best``,
            shape (n_free, n_free), or None.
    """

    chi2: np.ndarray
    x: np.ndarray
    edm: np.ndarray
    posdef: np.ndarray
    max_steps_reached: np.ndarray
    ok: np.ndarray
    best: int | None = None
    hessian: np.ndarray | None = None


def solve_internal(obj: Objective, *, tolerance: float, max_steps: int):
    """``run(inputs, u0, extra)``: :func:`minimize` of ``obj`` from internal ``u0``.

    ``extra`` overrides parameters that are not free (a profiled value); the
    returned function is pure, to be jitted and vmapped by the caller.
    """

    def run(inputs, u0, extra):
        lower, upper = jnp.asarray(obj.lower), jnp.asarray(obj.upper)  # at trace time: the current dtype

        def f(u):
            return obj.chi2(inputs, to_external(u, lower, upper), extra)

        return minimize(f, u0, tolerance=tolerance, max_steps=max_steps)

    return run


def batch_size(n: int) -> int | None:
    """Minimisations vectorised together in a ``lax.map`` of ``n``: all on an accelerator, one at a time on a CPU.

    A vmapped Newton loop runs every row until the slowest has converged, and XLA's CPU code for the
    batched gradient is slower per row than the unbatched one (argon toys: 3.3 ms per toy fit one at a
    time against 4.7 ms in batches of 16 and 12 ms in one batch of 1000, on the shared 2-core
    machine); a GPU wants the whole batch.
    """
    return None if jax.default_backend() == "cpu" else n


def row_solver(obj: Objective, names: tuple[str, ...], tolerance: float, max_steps: int):
    """``one(inputs, u0, values) -> (chi2, x, edm, posdef, max_steps_reached)`` for one row (pure, unjitted)."""
    lower, upper = obj.lower, obj.upper
    if obj.free:
        run = solve_internal(obj, tolerance=tolerance, max_steps=max_steps)

        def one(inputs, u0, values):
            res = run(inputs, u0, dict(zip(names, values)))
            x = to_external(res.u, jnp.asarray(lower), jnp.asarray(upper))
            return res.fval, x, res.edm, res.posdef, res.max_steps_reached
    else:

        def one(inputs, u0, values):
            chi2 = obj.chi2(inputs, jnp.zeros(0), dict(zip(names, values)))
            zero = jnp.zeros((), chi2.dtype)
            return chi2, jnp.zeros(0, chi2.dtype), zero, jnp.ones((), bool), jnp.zeros((), bool)

    return one


def _batched(obj: Objective, names: tuple[str, ...], tolerance: float, max_steps: int):
    """jit(vmap) of :func:`row_solver` over rows."""
    return jax.jit(jax.vmap(row_solver(obj, names, tolerance, max_steps), in_axes=(None, 0, 0)))


def solve_rows(
    obj: Objective,
    names: tuple[str, ...],
    starts: np.ndarray,
    values: np.ndarray,
    *,
    tolerance: float,
    max_steps: int,
    size: int,
    bar=None,
    checkpoint=None,
) -> Rows:
    """Minimise ``obj`` once per row.

    Args:
        obj: the objective (its free parameters are minimised).
        names: parameters held at ``values`` (not free in ``obj``).
        starts: external starting values, shape (k, n_free).
        values: held values, shape (k, len(names)).
        tolerance, max_steps: as for :func:`minimize`.
        size: rows per compiled call (the last chunk is padded).
        bar: optional progress bar, advanced by the rows done.
        checkpoint: optional :class:`~cevnsjax.inference._checkpoint.Checkpoint`: its saved
            chunks are replayed in order (``--resume``) and each new chunk is added to it (written
            to disk), so every pass of a profile resumes.  In a distributed run the chunks are
            split across the processes (:func:`~cevnsjax.inference._distributed.map_chunks`).

    Returns:
        The :class:`Rows`.
    """
    k = len(starts)
    run = compiled(obj, "rows", lambda o: _batched(o, names, tolerance, max_steps), names, tolerance, max_steps)
    u0 = to_internal(np.asarray(starts, float).reshape(k, len(obj.free)), obj.lower, obj.upper)
    values = np.asarray(values, float).reshape(k, len(names))
    n_chunks = -(-k // size)
    pad = n_chunks * size - k
    u0 = np.concatenate([u0, np.repeat(u0[-1:], pad, axis=0)])
    values = np.concatenate([values, np.repeat(values[-1:], pad, axis=0)])
    if checkpoint is not None:  # several passes (a profile's sweeps) add up
        checkpoint.total = (checkpoint.total or 0) + n_chunks

    def chunk(c):
        sl = slice(c * size, (c + 1) * size)
        return dict(zip(Rows._fields[:5], run(obj.inputs, jnp.asarray(u0[sl]), jnp.asarray(values[sl]))))

    parts = map_chunks(
        n_chunks,
        chunk,
        checkpoint=checkpoint,
        done=None if bar is None else lambda c: bar.update(min(size, k - c * size)),
    )
    chi2, x, edm, posdef, hit = (np.concatenate([p[key] for p in parts])[:k] for key in Rows._fields[:5])
    chi2 = chi2.astype(float)
    ok = np.isfinite(chi2) & posdef & (edm < tolerance)
    return Rows(chi2, x.astype(float).reshape(k, len(obj.free)), edm.astype(float), posdef, hit, ok)
