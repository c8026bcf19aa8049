"""Combination of independent likelihoods: chi^2 adds, parameters are matched by name.

A parameter that several models declare is *shared* (one value for all) when

* it is a physics parameter (``kind="physics"`` in every model: the weak mixing
  angle, a neutron radius, a coupling), or
* it is a nuisance that every declaring model tags with a common tag (the SNS
  neutrino-flux normalisation ``eta_flux`` carries ``sns_flux`` in every SNS
  experiment), or
* its name is listed in ``shared``.

Nothing else is shared by accident: other clashing nuisances stay independent and are
renamed ``"<model.name>.<param>"``, and a name that is a physics parameter in one model
but a nuisance in another is refused.

One electroweak preset per combination: a shared ``sin2_theta_w`` (and every shared coupling)
means the same thing only if every member computes its couplings alike, so by default
(``electroweak="same"``) the members must agree on the constants preset and the ZZ boxes of their
signal configuration; ``combine`` refuses a mix (today's defaults: argon pdg2018 without ZZ boxes,
the CsI, germanium and reactor experiments pdg2022 with them) and says how to build the members
alike.  ``electroweak="mixed"`` is the user's explicit choice to combine them anyway (each member
keeps its own couplings; :attr:`CombinedModel.electroweak` records ``"mixed"``).

Each model's chi^2 already contains the Gaussian constraint terms of its own
parameters; for a shared constrained parameter the duplicate terms are
subtracted so the constraint counts once.  A shared parameter keeps the first
model's default (e.g. the weak mixing angle of that model's constants preset)
and the intersection of the models' bounds.
"""

from __future__ import annotations

from collections.abc import Iterable

import equinox as eqx
import jax
import jax.numpy as jnp

from ..model import Model, Params
from ..parameters import Parameter, ParameterError, ParameterSet


class CombinedModel(eqx.Module):
    """Sum of the chi^2 of several models over one named parameter set.

    Build it with :func:`combine`.

    Attributes:
        models: the combined models.
        name: ``"a+b+..."`` from the models' names.
        parameters: the combined parameter specs (renamed nuisances included).
        n_bins: total number of bins.
        electroweak: the members' common ``"<preset>"``, ``"<preset>+ZZ"`` or ``"<preset>+tree"``, ``"mixed"`` (allowed
            with ``combine(..., electroweak="mixed")``), or None when no member has a signal
            configuration.
    """

    models: tuple
    name: str = eqx.field(static=True)
    parameters: ParameterSet = eqx.field(static=True)
    n_bins: int = eqx.field(static=True)
    electroweak: str | None = eqx.field(static=True)
    # Per model: (name in the model, name in the combination) pairs.
    _names: tuple[tuple[tuple[str, str], ...], ...] = eqx.field(static=True)
    # Shared constrained parameters: (name, mean, sigma, models declaring it - 1).
    _repeated: tuple[tuple[str, float, float, int], ...] = eqx.field(static=True)

    def __init__(self, models, name, parameters, names, repeated, electroweak=None):
        self.models = tuple(models)
        self.electroweak = electroweak
        self.name = name
        self.parameters = parameters
        self.n_bins = sum(int(m.n_bins) for m in self.models)
        self._names = names
        self._repeated = repeated

    def _split(self, params: Params) -> list[dict[str, jax.Array]]:
        return [{own: params[comb] for own, comb in pairs} for pairs in self._names]

    def chi2(self, params: Params) -> jax.Array:
        """Sum of the models' chi^2 (constraints of shared parameters counted once).

        Args:
            params: complete mapping of the combined parameter names.

        Returns:
            Scalar -2 ln L of the combination.
        """
        self.parameters.check_point(params)
        # Eq. (83) of docs/physics.md: sum_d chi^2_d - sum_p (k_p - 1) [(p - p_0)/sigma_p]^2
        total = jnp.zeros(())
        for model, sub in zip(self.models, self._split(params)):
            total = total + model.chi2(sub)
        for name, mean, sigma, extra in self._repeated:
            total = total - extra * ((params[name] - mean) / sigma) ** 2
        return total

    @property
    def data(self) -> tuple:
        """The members' data, one entry per model (for toys: :meth:`pseudo_data`, :meth:`with_data`)."""
        return tuple(_toy_member(model).data for model in self.models)

    def pseudo_data(self, key: jax.Array, params: Params) -> tuple:
        """Pseudo-data of every member at ``params`` (independent draws), shaped like :attr:`data`.

        Raises:
            TypeError: a member that cannot draw pseudo-data (a plain function model).
        """
        keys = jax.random.split(key, len(self.models))
        return tuple(
            _toy_member(model).pseudo_data(k, sub) for model, k, sub in zip(self.models, keys, self._split(params))
        )

    def with_data(self, data: tuple) -> CombinedModel:
        """The combination with every member holding its entry of ``data`` (shaped like :attr:`data`)."""
        return eqx.tree_at(
            lambda c: c.models, self, tuple(_toy_member(m).with_data(d) for m, d in zip(self.models, data))
        )

    def components(self, params: Params) -> dict[str, jax.Array]:
        """Every model's components, keyed ``"<model.name>.<component>"``."""
        self.parameters.check_point(params)
        out = {}
        for model, sub in zip(self.models, self._split(params)):
            out.update({f"{model.name}.{k}": v for k, v in model.components(sub).items()})
        return out


def _toy_member(model):
    """``model`` if it can draw pseudo-data and hold other data, else a TypeError naming it."""
    if not (hasattr(model, "pseudo_data") and hasattr(model, "with_data")):
        raise TypeError(
            f"model '{model.name}' cannot draw pseudo-data (it has no pseudo_data/with_data): toys need an "
            "experiment (cevnsjax.experiment) or a combination of experiments"
        )
    return model


def _merge(owners: list[tuple[str, Parameter]]) -> Parameter:
    """One spec for a parameter shared by several models.

    Units and Gaussian constraints must agree (they change the likelihood); the
    bounds are intersected; the default, label and doc are the first model's
    (clipped into the common bounds); it is free by default if any model frees it.
    """
    (first_owner, first), others = owners[0], owners[1:]
    lower = max(p.lower for _, p in owners)
    upper = min(p.upper for _, p in owners)
    for owner, p in others:
        for field in ("unit", "constraint"):
            if getattr(p, field) != getattr(first, field):
                raise ParameterError(
                    f"shared parameter '{first.name}' has {field} {getattr(first, field)!r} in {first_owner} "
                    f"but {getattr(p, field)!r} in {owner}"
                )
    if not lower <= upper:
        raise ParameterError(
            f"shared parameter '{first.name}' has no common range: "
            + ", ".join(f"[{p.lower:g}, {p.upper:g}] in {owner}" for owner, p in owners)
        )
    return first.replace(
        lower=lower,
        upper=upper,
        default=min(max(first.default, lower), upper),
        free=any(p.free for _, p in owners),
    )


#: Choices of ``combine(..., electroweak=...)``.
ELECTROWEAK = ("same", "mixed")


def _electroweak_of(model) -> list[tuple[str, str]]:
    """``(member name, "<preset>" or "<preset>+ZZ")`` of a model, or of each member of a combination."""
    if isinstance(model, CombinedModel):
        return [pair for m in model.models for pair in _electroweak_of(m)]
    signal = getattr(model, "signal", None)
    if signal is None:
        return []
    if getattr(signal, "couplings", "radiative") == "tree":
        return [(model.name, signal.constants.name + "+tree")]
    return [(model.name, signal.constants.name + ("+ZZ" if signal.zz_boxes else ""))]


def _check_electroweak(models, electroweak: str) -> str | None:
    """The members' common electroweak setting; refuse a mix unless ``electroweak="mixed"``."""
    if electroweak not in ELECTROWEAK:
        raise ValueError(f"electroweak={electroweak!r} is not valid; choices: {', '.join(ELECTROWEAK)}")
    members = [pair for m in models for pair in _electroweak_of(m)]
    settings = {setting for _, setting in members}
    if len(settings) <= 1:
        return settings.pop() if settings else None
    if electroweak == "mixed":
        return "mixed"
    listing = ", ".join(
        f"{name}: {setting.replace('+ZZ', ' with ZZ boxes').replace('+tree', ' tree-level')}"
        for name, setting in members
    )
    raise ParameterError(
        f"the combined models compute their couplings with different electroweak presets ({listing}), so a "
        "shared sin2_theta_w would mean different things in each; build them alike, e.g. "
        "experiment(name, preset='pdg2022', zz_boxes=True) (CLI: --option preset=pdg2022 --option zz_boxes=true), "
        "or pass combine(..., electroweak='mixed') to combine them as they are"
    )


def combine(
    *models: Model, shared: Iterable[str] = (), name: str | None = None, electroweak: str = "same"
) -> CombinedModel:
    """Combine independent models into one whose chi^2 is the sum.

    Args:
        *models: two or more models with distinct names.
        shared: further nuisance names shared between the models that declare them
            (physics parameters and commonly tagged nuisances are always shared);
            names that no two models declare are ignored.
        name: name of the combination (default ``"a+b+..."``).
        electroweak: ``"same"`` (default): the members with a signal configuration must share its
            constants preset and ZZ-box choice; ``"mixed"``: combine them even if they do not.

    Returns:
        The :class:`CombinedModel`.

    Raises:
        ParameterError: duplicate model names, a name declared as a physics parameter in one
            model and a nuisance in another, or a shared parameter whose units or
            constraints differ between models, or whose bounds do not overlap; members with
            different electroweak presets (unless ``electroweak="mixed"``).
        ValueError: an unknown ``electroweak`` choice.

    Examples:
        >>> from cevnsjax.model import FunctionModel
        >>> from cevnsjax.parameters import Parameter, ParameterSet
        >>> specs = ParameterSet([Parameter("s", 0.0, kind="physics"), Parameter("eta", 0.0, free=True),
        ...                       Parameter("flux", 1.0, free=True, tags=("sns_flux",))])
        >>> a = FunctionModel(lambda p: (p["s"] - 1) ** 2 + p["eta"] ** 2, specs, name="a")
        >>> b = FunctionModel(lambda p: (p["s"] + 1) ** 2 + p["eta"] ** 2, specs, name="b")
        >>> combine(a, b).parameters.names
        ['s', 'a.eta', 'flux', 'b.eta']
    """
    if not models:
        raise ValueError("combine needs at least one model")
    model_names = [m.name for m in models]
    if len(set(model_names)) != len(model_names):
        raise ParameterError(f"models to combine must have distinct names, got {', '.join(model_names)}")
    setting = _check_electroweak(models, electroweak)
    shared = set(shared)
    owners: dict[str, list[tuple[str, Parameter]]] = {}
    for m in models:
        for p in m.parameters.values():
            owners.setdefault(p.name, []).append((m.name, p))

    def is_shared(pname: str) -> bool:
        specs = [p for _, p in owners[pname]]
        kinds = {p.kind for p in specs}
        if len(kinds) > 1:
            raise ParameterError(
                f"'{pname}' is a physics parameter in some models and a nuisance in others: "
                + ", ".join(f"{owner}: {p.kind}" for owner, p in owners[pname])
            )
        common_tags = set.intersection(*(set(p.tags) for p in specs))
        return len(specs) == 1 or pname in shared or kinds == {"physics"} or bool(common_tags)

    combined: dict[str, Parameter] = {}
    names = []
    for m in models:
        pairs = []
        for p in m.parameters.values():
            if is_shared(p.name):
                new = p.name
                if new not in combined:
                    combined[new] = _merge(owners[new])
            else:
                new = f"{m.name}.{p.name}"
                label = new if p.label == p.name else p.label
                combined[new] = p.replace(name=new, label=label)
            pairs.append((p.name, new))
        names.append(tuple(pairs))
    repeated = tuple(
        (pname, float(specs[0][1].constraint[0]), float(specs[0][1].constraint[1]), len(specs) - 1)
        for pname, specs in owners.items()
        if len(specs) > 1 and is_shared(pname) and specs[0][1].constraint is not None
    )
    return CombinedModel(
        models,
        name or "+".join(model_names),
        ParameterSet(combined.values()),
        tuple(names),
        repeated,
        setting,
    )
