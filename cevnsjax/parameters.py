"""Named parameters: the static specification shared by every model and engine.

A model declares its parameters once (name, unit, default, bounds, Gaussian
constraint, label, whether it is free by default, its kind and tags).  The kind
says what a parameter *is*: ``physics`` (the weak mixing angle, a neutron radius, a
coupling: one value for every experiment, shared by :func:`cevnsjax.combine`) or
``nuisance`` (a normalisation or shape parameter of one data set, kept apart in a
combination unless it carries a tag, such as ``sns_flux``, that another data set's
nuisance of the same name carries too).  Values always travel as a
flat mapping ``name -> scalar array`` (a pytree), so ``jax.vmap`` over a batch of
parameter points is a vmap over that mapping.

Examples:
    >>> from cevnsjax.parameters import Parameter, ParameterSet
    >>> ps = ParameterSet([Parameter("eta", 1.0, lower=0.0, constraint=(1.0, 0.1))])
    >>> round(float(ps.constraint_chi2({"eta": 1.2})), 12)
    4.0
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping

import jax
import jax.numpy as jnp
import numpy as np

from ._names import did_you_mean

KINDS = ("physics", "nuisance")


class ParameterError(ValueError):
    """Bad parameter name or value (unknown name, value outside bounds)."""


@dataclasses.dataclass(frozen=True)
class Parameter:
    """Static description of one named scalar parameter.

    Attributes:
        name: identifier used everywhere (CLI, JSON, dict keys).
        default: nominal value, in ``unit``.
        unit: unit string for humans (e.g. ``"fm"``, ``"1e-32 cm^2"``).
        lower, upper: hard bounds (inclusive); ``-inf``/``inf`` when open.
        constraint: ``(mean, sigma)`` of a Gaussian constraint term
            ``((x - mean)/sigma)^2`` that the model adds to its chi^2
            (= a Gaussian prior for Bayesian sampling), or ``None``.
        label: plot label (matplotlib mathtext allowed).
        free: free by default (nuisances usually are; physics parameters are not).
        doc: one-line description.
        kind: ``"physics"`` or ``"nuisance"`` (see the module docstring).
        tags: nuisance tags; a combination shares a nuisance that every declaring model
            tags alike (e.g. ``("sns_flux",)`` for the SNS neutrino-flux normalisation).
    """

    name: str
    default: float
    unit: str = ""
    lower: float = -math.inf
    upper: float = math.inf
    constraint: tuple[float, float] | None = None
    label: str = ""
    free: bool = False
    doc: str = ""
    kind: str = "nuisance"
    tags: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ParameterError(f"parameter '{self.name}': kind {self.kind!r} is not one of {', '.join(KINDS)}")
        object.__setattr__(self, "tags", tuple(self.tags))
        if not self.lower <= self.default <= self.upper:
            raise ParameterError(
                f"default {self.default} of '{self.name}' outside its bounds [{self.lower}, {self.upper}]"
            )
        if not self.label:
            object.__setattr__(self, "label", self.name)

    def check(self, value: float) -> None:
        """Raise ParameterError if ``value`` lies outside the bounds."""
        v = float(value)
        if not (self.lower <= v <= self.upper) or math.isnan(v):
            raise ParameterError(
                f"{self.name} = {v} is outside its bounds [{self.lower}, {self.upper}]"
                + (f" {self.unit}" if self.unit else "")
            )

    def replace(self, **changes) -> Parameter:
        return dataclasses.replace(self, **changes)


def shape_nuisance(name: str, label: str, doc: str) -> Parameter:
    """A free nuisance in units of its own 1-sigma shift: default 0, constraint N(0, 1), bounds +-5 sigma.

    The nuisances that morph between +-1 sigma variants (Eqs. (86)-(87) of docs/physics.md, section
    11e; the projections' quenching, Eq. (160)) are declared this way.
    """
    return Parameter(name, 0.0, lower=-5.0, upper=5.0, constraint=(0.0, 1.0), free=True, label=label, doc=doc)


class ParameterSet(Mapping[str, Parameter]):
    """Ordered, immutable collection of Parameters keyed by name.

    Args:
        parameters: the specs, in display order.
        renamed: ``old name -> new name`` of parameters renamed in this release; the old
            names are still accepted by :meth:`canonical` (and so by :meth:`complete`,
            :meth:`check_names` and every engine) with a :class:`FutureWarning`.
    """

    def __init__(self, parameters: Iterable[Parameter], renamed: Mapping[str, str] | None = None):
        self._p: dict[str, Parameter] = {}
        for p in parameters:
            if p.name in self._p:
                raise ParameterError(f"duplicate parameter name '{p.name}'")
            self._p[p.name] = p
        self._renamed = {old: new for old, new in (renamed or {}).items() if new in self._p and old not in self._p}

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._p[name]
        except KeyError:
            raise ParameterError(self.unknown_message(name)) from None

    def __contains__(self, name: object) -> bool:
        return name in self._p

    def __iter__(self) -> Iterator[str]:
        return iter(self._p)

    def __len__(self) -> int:
        return len(self._p)

    def __hash__(self) -> int:
        # Immutable, so hashable (static field of equinox modules, jit cache keys);
        # consistent with Mapping equality, which ignores order.
        return hash(frozenset(self._p.items()))

    @property
    def renamed(self) -> dict[str, str]:
        """``old name -> new name`` of the deprecated names still accepted."""
        return dict(self._renamed)

    def canonical(self, name: str) -> str:
        """The current name for ``name``: itself, or the new name of a renamed parameter (with a FutureWarning)."""
        if name in self._renamed and name not in self._p:
            new = self._renamed[name]
            warnings.warn(
                f"parameter '{name}' was renamed '{new}' in cevnsjax 0.2 (see CHANGELOG.md); "
                "the old name will stop working in the next release",
                FutureWarning,
                stacklevel=3,
            )
            return new
        return name

    def canonical_mapping(self, values: Mapping[str, float] | None) -> dict[str, float]:
        """``values`` with renamed keys replaced by their current names (see :meth:`canonical`)."""
        return {self.canonical(n): v for n, v in (values or {}).items()}

    def __repr__(self) -> str:
        rows = [
            f"  {p.name:<18} {p.default:>12.6g} {p.unit:<12} [{p.lower:g}, {p.upper:g}]"
            + (f"  constraint {p.constraint}" if p.constraint else "")
            + ("  (free)" if p.free else "")
            for p in self._p.values()
        ]
        return "ParameterSet(\n" + "\n".join(rows) + "\n)"

    @property
    def names(self) -> list[str]:
        return list(self._p)

    def unknown_message(self, name: str) -> str:
        return f"unknown parameter '{name}'{did_you_mean(name, self._p)}; valid names: {', '.join(self._p)}"

    def check_point(self, values: Mapping[str, jax.typing.ArrayLike]) -> None:
        """Check a complete parameter point given to a model's ``chi2``, ``nll`` or ``components``.

        Names are always checked: every parameter present, none unknown (with close matches).
        Values are checked only when concrete (not under ``jax.jit``/``vmap``/``grad`` tracing,
        where they are unknown until run time): finite and inside the bounds, every element of an
        array.  Inference engines pass checked values, so they skip nothing that matters.

        Raises:
            ParameterError: (a ``ValueError``) naming the bad parameter and the valid choices.
        """
        if not isinstance(values, Mapping):
            raise ParameterError(
                f"parameters must be a mapping name -> value (e.g. model.parameters.defaults()), "
                f"got {type(values).__name__}"
            )
        for name in values:
            if name not in self._p:
                if name in self._renamed:
                    raise ParameterError(f"parameter '{name}' was renamed '{self._renamed[name]}'; use the new name")
                raise ParameterError(self.unknown_message(name))
        missing = [n for n in self._p if n not in values]
        if missing:
            raise ParameterError(
                f"missing parameter(s) {', '.join(missing)}: pass every parameter, e.g. "
                "{**model.parameters.defaults(), 'name': value}"
            )
        for name, value in values.items():
            if isinstance(value, jax.core.Tracer):
                continue
            v = np.asarray(value, dtype=float)
            p = self._p[name]
            bad = ~np.isfinite(v) | (v < p.lower) | (v > p.upper)
            if np.any(bad):
                first = float(v[bad].flat[0]) if v.ndim else float(v)
                raise ParameterError(
                    f"{name} = {first} is {'not finite' if not math.isfinite(first) else 'outside its bounds'}; "
                    f"valid: [{p.lower}, {p.upper}]" + (f" {p.unit}" if p.unit else "")
                )

    def defaults(self) -> dict[str, jnp.ndarray]:
        """The default point as a name -> float64-array mapping."""
        return {n: jnp.asarray(p.default, dtype=float) for n, p in self._p.items()}

    def default_free(self) -> list[str]:
        return [n for n, p in self._p.items() if p.free]

    def check_names(self, names: Iterable[str]) -> None:
        """Raise ParameterError for a name that is neither a parameter nor a renamed one."""
        for n in names:
            if self.canonical(n) not in self._p:
                raise ParameterError(self.unknown_message(n))

    def check_values(self, values: Mapping[str, float]) -> None:
        """Raise ParameterError for unknown names or values outside bounds."""
        self.check_names(values)
        for n, v in values.items():
            self._p[n].check(v)

    def complete(self, values: Mapping[str, float] | None = None) -> dict[str, jnp.ndarray]:
        """Defaults overridden by ``values`` (checked; renamed keys accepted), as arrays."""
        values = self.canonical_mapping(values)
        self.check_values(values)
        out = self.defaults()
        out.update({n: jnp.asarray(v, dtype=float) for n, v in values.items()})
        return out

    def constraint_chi2(self, values: Mapping[str, jnp.ndarray]) -> jnp.ndarray:
        """Sum of Gaussian constraint terms ((x-mean)/sigma)^2 over constrained parameters."""
        total = jnp.zeros(())
        for n, p in self._p.items():
            if p.constraint is not None and n in values:
                mean, sigma = p.constraint
                # Eq. (82) of docs/physics.md (the pull terms of Eq. (77))
                total = total + ((values[n] - mean) / sigma) ** 2
        return total

    def replace(self, name: str, **changes) -> ParameterSet:
        """A copy with one parameter's spec changed (e.g. bounds, default)."""
        return ParameterSet((p.replace(**changes) if p.name == name else p for p in self._p.values()), self._renamed)

    def merged(self, other: ParameterSet) -> ParameterSet:
        """Union by name; identical names must have identical specs."""
        out = dict(self._p)
        for n, p in other._p.items():
            if n in out and out[n] != p:
                raise ParameterError(f"parameter '{n}' declared differently in combined models")
            out[n] = p
        return ParameterSet(out.values(), {**self._renamed, **other._renamed})

    def of_kind(self, kind: str) -> list[str]:
        """Names of the parameters of one kind (``physics`` or ``nuisance``)."""
        return [n for n, p in self._p.items() if p.kind == kind]
