"""The chi^2 of a model as a function of a flat vector of free parameters.

Every engine goes through :func:`build`: it checks the user's names and values
against the model's :class:`~cevnsjax.parameters.ParameterSet`, decides which
parameters are free (the model's default free set, plus ``free``, minus
``fixed``), and returns an :class:`Objective` that evaluates
``chi2(x) = model.chi2(params) + sum_k ((x_k - mean_k) / sigma_k)^2`` for the
free vector ``x`` (external, bounded values) and any extra Gaussian constraints.

The model's array leaves and the values of the non-free parameters are handed to
jitted functions as arguments (:attr:`Objective.inputs`), so large response
matrices are not baked into the compiled program as constants, and a compiled
solver is reused (:func:`compiled`) by every later call with the same model
structure, free set and settings: a second fit, profile or scan of the same
experiment skips compilation even when its fixed values or starting point differ.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..model import Model
from ..parameters import ParameterError


class PrecisionWarning(UserWarning):
    """Likelihood work is running in float32 (enable ``jax_enable_x64``)."""


_float32_warned = False


def warn_if_float32(what: str) -> None:
    """Warn, once per process, when JAX runs in single precision (its default).

    Predictions and chi^2 values are finite and accurate in float32 (README, "Precision"), but the
    minimisers' convergence tests, Hessians and small chi^2 differences need float64.
    """
    global _float32_warned
    if not jax.config.jax_enable_x64 and not _float32_warned:
        _float32_warned = True
        warnings.warn(
            f"cevnsjax {what} is running in float32 (JAX's default): minima, Hessian errors and small "
            "chi^2 differences lose precision; call cevnsjax.configure() (float64) before the first JAX "
            "computation. This warning is shown once.",
            PrecisionWarning,
            stacklevel=3,
        )


@dataclasses.dataclass(frozen=True, eq=False)
class Objective:
    """chi^2 of a model over its free parameters.

    Attributes:
        model: the model.
        free: names of the free parameters, in the model's order.
        base: complete parameter point (defaults, fixed values, starting values).
        lower, upper: bounds of the free parameters, shape (n_free,).
        constraints: extra Gaussian terms ``name -> (mean, sigma)``.
        leaves: the model's array leaves (with the base values, :attr:`inputs` is the first
            argument of :meth:`chi2`).
    """

    model: Model
    free: tuple[str, ...]
    base: dict[str, float]
    lower: np.ndarray
    upper: np.ndarray
    constraints: dict[str, tuple[float, float]]
    leaves: list
    _treedef: jax.tree_util.PyTreeDef
    _static: _Static

    @property
    def x0(self) -> np.ndarray:
        """Starting values of the free parameters, shape (n_free,)."""
        return np.array([self.base[n] for n in self.free], dtype=float)

    @property
    def inputs(self) -> tuple[list, np.ndarray]:
        """``(leaves, base values)``: the array arguments of :meth:`chi2` and the solvers.

        The base values are one numpy vector in the order of :attr:`base` (one host-to-device
        transfer per call instead of one per parameter, done by the jitted function's own
        argument handling, about 35 us cheaper than a ``jnp.asarray`` first); :meth:`point`
        names them.
        """
        return self.leaves, np.fromiter(self.base.values(), float, len(self.base))

    def point(self, base_values) -> dict[str, jax.Array]:
        """``name -> value`` of the base vector of :attr:`inputs` (inside a traced function)."""
        return {n: base_values[i] for i, n in enumerate(self.base)}

    @property
    def key(self) -> tuple:
        """Everything a compiled function of this objective depends on besides :attr:`inputs`."""
        return (
            self._static,
            self._treedef,
            self.free,
            tuple(self.base),
            tuple(sorted(self.constraints.items())),
            tuple(self.lower),
            tuple(self.upper),
        )

    def rebuild(self, leaves) -> Model:
        """The model with its array leaves replaced by ``leaves``."""
        return eqx.combine(jax.tree_util.tree_unflatten(self._treedef, leaves), self._static.value)

    def chi2(self, inputs, x, extra: Mapping[str, jax.Array] | None = None) -> jax.Array:
        """chi^2 (model, with its constraints, plus the extra constraints) at ``x``.

        Args:
            inputs: ``(leaves, base values)`` (:attr:`inputs`, or traced copies).
            x: free parameter values, shape (n_free,), external units.
            extra: values of parameters that are neither free nor in :attr:`base`'s
                defaults (e.g. a profiled parameter's grid value).

        Returns:
            Scalar chi^2 = -2 ln L.
        """
        leaves, base = inputs
        p = {**self.point(base), **(extra or {}), **{n: x[i] for i, n in enumerate(self.free)}}
        total = self.rebuild(leaves).chi2(p)
        for name, (mean, sigma) in self.constraints.items():
            total = total + ((p[name] - mean) / sigma) ** 2
        return total

    def values(self, x) -> dict[str, float]:
        """All parameter values as Python floats, with the free ones from ``x``."""
        out = dict(self.base)
        out.update({n: float(v) for n, v in zip(self.free, np.asarray(x))})
        return out


class _Static:
    """The static (non-array) part of a model, with its hash computed once.

    Compiled functions are cached by :attr:`Objective.key`, which holds this part; hashing
    an equinox module walks its whole tree on every lookup, which cost ~0.5 ms per cached call.
    """

    __slots__ = ("_hash", "value")

    def __init__(self, value):
        self.value = value
        self._hash = hash(value)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        return isinstance(other, _Static) and (self.value is other.value or self.value == other.value)


_COMPILED: OrderedDict = OrderedDict()
CACHE_SIZE = 32
# the partition of the last few models built: (model, leaves, treedef, static) by id(model)
_PARTS: OrderedDict = OrderedDict()
PARTS_SIZE = 4


def _partition(model: Model) -> tuple[list, jax.tree_util.PyTreeDef, _Static]:
    """``(leaves, treedef, static)`` of ``model``, remembered for the last :data:`PARTS_SIZE` models.

    Models are immutable, so a second fit of the same model object reuses the split and the
    static part's hash.
    """
    entry = _PARTS.get(id(model))
    if entry is not None and entry[0] is model:
        _PARTS.move_to_end(id(model))
        return entry[1:]
    dynamic, static = eqx.partition(model, eqx.is_array)
    leaves, treedef = jax.tree_util.tree_flatten(dynamic)
    _PARTS[id(model)] = (model, leaves, treedef, _Static(static))
    if len(_PARTS) > PARTS_SIZE:
        _PARTS.popitem(last=False)
    return _PARTS[id(model)][1:]


def compiled(obj: Objective, kind: str, make: Callable[[Objective], Callable], *settings) -> Callable:
    """The jitted function ``make(obj)``, built once per (kind, :attr:`Objective.key`, settings).

    ``make`` receives a copy of ``obj`` without its model and arrays (the function must take
    :attr:`Objective.inputs` as an argument), so the cache holds no large arrays; the
    least recently used of more than :data:`CACHE_SIZE` entries is dropped.
    """
    key = (kind, obj.key, settings, bool(jax.config.jax_enable_x64))
    if key in _COMPILED:
        _COMPILED.move_to_end(key)
        return _COMPILED[key]
    skeleton = dataclasses.replace(obj, model=None, leaves=[], base=dict.fromkeys(obj.base, 0.0))
    _COMPILED[key] = function = make(skeleton)
    if len(_COMPILED) > CACHE_SIZE:
        _COMPILED.popitem(last=False)
    return function


def _names(arg: Iterable[str] | str | None) -> list[str]:
    if arg is None:
        return []
    if isinstance(arg, str):
        return [arg]
    return list(arg)


def build(
    model: Model,
    free: Iterable[str] | str | None = None,
    fixed: Mapping[str, float] | None = None,
    start: Mapping[str, float] | None = None,
    constraints: Mapping[str, Sequence[float]] | None = None,
    *,
    exclude: Iterable[str] = (),
    defaults_free: bool = True,
) -> Objective:
    """Check the user's choices and build the :class:`Objective`.

    Args:
        model: the likelihood model.
        free: names freed in addition to the model's default free set.
        fixed: ``name -> value``; removed from the free set and set to ``value``
            (refused outside the parameter's bounds).
        start: ``name -> value`` starting values of free parameters.
        constraints: ``name -> (mean, sigma)`` extra Gaussian constraint terms.
        exclude: names taken out of the free set by the caller (profiled or
            scanned parameters); they may not also be fixed.
        defaults_free: start from the model's default free set (False: only
            ``free`` is free).

    Returns:
        The objective over the free parameters.

    Raises:
        ParameterError: unknown names (with the valid ones), values outside
            bounds, a name both fixed and freed, a start for a non-free name.
    """
    ps = model.parameters
    free = [ps.canonical(n) for n in _names(free)]
    fixed = ps.canonical_mapping(fixed)
    start = ps.canonical_mapping(start)
    constraints = {n: tuple(float(c) for c in v) for n, v in ps.canonical_mapping(constraints).items()}
    exclude = [ps.canonical(n) for n in exclude]
    ps.check_names([*free, *exclude, *start, *constraints])
    ps.check_values(fixed)
    for name in fixed:
        if name in free:
            raise ParameterError(f"'{name}' is both freed and fixed")
        if name in exclude:
            raise ParameterError(f"'{name}' is scanned or profiled and cannot also be fixed")
    chosen = set(free) | (set(ps.default_free()) if defaults_free else set())
    chosen -= set(fixed) | set(exclude)
    names = tuple(n for n in ps.names if n in chosen)
    for name, value in start.items():
        if name not in names:
            raise ParameterError(
                f"start value given for '{name}', which is not free; free parameters: {', '.join(names) or '(none)'}"
            )
        ps[name].check(value)
    for name, c in constraints.items():
        if len(c) != 2 or not c[1] > 0 or not all(map(math.isfinite, c)):
            raise ParameterError(f"constraint on '{name}' must be (mean, sigma) with sigma > 0, got {c}")
    base = {n: float(p.default) for n, p in ps.items()}
    base.update({n: float(v) for n, v in fixed.items()})
    base.update({n: float(v) for n, v in start.items()})
    leaves, treedef, static = _partition(model)
    return Objective(
        model=model,
        free=names,
        base=base,
        lower=np.array([ps[n].lower for n in names], dtype=float),
        upper=np.array([ps[n].upper for n in names], dtype=float),
        constraints=constraints,
        leaves=list(leaves),
        _treedef=treedef,
        _static=static,
    )


def component_totals(model: Model, points: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
    """Total expected events per component of ``model`` at each point.

    ``model.components`` is jit-compiled once, with the model's arrays passed as
    arguments, and evaluated at every point.

    Args:
        model: the model.
        points: complete ``name -> value`` mappings.

    Returns:
        One ``component -> total`` (summed over bins) mapping of floats per point.
    """
    obj = build(model, defaults_free=False)
    run = compiled(obj, "components", lambda o: jax.jit(lambda leaves, p: o.rebuild(leaves).components(p)))
    out = []
    for point in points:
        values = run(obj.leaves, {n: jnp.asarray(float(v)) for n, v in point.items()})
        out.append({k: float(np.sum(np.asarray(v))) for k, v in values.items()})
    return out
