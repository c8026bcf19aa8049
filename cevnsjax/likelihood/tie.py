"""Tied and derived parameters: one free parameter for several.

:func:`tie` turns a model into one with fewer parameters: each tied parameter leaves the
:class:`~cevnsjax.parameters.ParameterSet` and its value is computed from another one every time
the likelihood is evaluated (docs/physics.md section 17):

* equality, ``tie(model, mu_nu_mu="mu_nu_e")``: one magnetic moment for nu_e and nu_mu;
  ``tie(model, r2_nu_mumu="r2_nu_ee")``: a flavour-universal charge radius (default: the nu_e SM value);
* a derived parameter of :data:`cevnsjax.physics.catalogue.DERIVED`, which joins the parameter set in
  place of those it determines: ``tie(model, ue4_sq="sin2_2theta_ee")`` fits and scans in
  sin^2 2theta_ee with |U_e4|^2 = (1 - sqrt(1 - sin^2 2theta_ee))/2 (Eq. (127));
  ``tie(model, ue4_sq="sin2_2theta_mue", umu4_sq="sin2_2theta_mue")`` in the appearance amplitude with
  |U_e4|^2 = |U_mu4|^2 (Eq. (128)).

The tied model is a model like any other (``chi2``, ``nll``, ``components``, ``parameters``), so
fits, profiles, scans, NUTS and :func:`~cevnsjax.likelihood.combine` see one free parameter where the
original had several, and evaluate exactly the original likelihood at the tied point
(:meth:`TiedModel.full` gives that point).  Tie a combination rather than its members, so that the
tie holds in every member.

Examples:
    >>> import jax.numpy as jnp
    >>> from cevnsjax.model import FunctionModel
    >>> from cevnsjax.parameters import Parameter, ParameterSet
    >>> base = FunctionModel(lambda p: (p["a"] - 1) ** 2 + (p["b"] - 3) ** 2,
    ...                      ParameterSet([Parameter("a", 0.0), Parameter("b", 0.0)]), name="ab")
    >>> m = tie(base, b="a")
    >>> m.parameters.names, float(m.chi2({"a": jnp.asarray(2.0)}))
    (['a'], 2.0)
"""

from __future__ import annotations

from collections.abc import Mapping

import equinox as eqx
import jax
import jax.numpy as jnp

from ..model import Model, Params
from ..parameters import Parameter, ParameterError, ParameterSet
from ..physics.catalogue import DERIVED


class TiedModel(eqx.Module):
    """A model whose tied parameters follow others (build it with :func:`tie`).

    Attributes:
        model: the original model.
        name: the original model's name.
        parameters: the original specs without the tied parameters, plus the derived ones used.
        ties: ``(tied name, source name)`` pairs.
    """

    model: Model
    name: str = eqx.field(static=True)
    parameters: ParameterSet = eqx.field(static=True)
    ties: tuple[tuple[str, str], ...] = eqx.field(static=True)

    @property
    def n_bins(self) -> int:
        return self.model.n_bins

    @property
    def signal(self):
        """The original model's signal configuration (None without one): :func:`combine` compares them."""
        return getattr(self.model, "signal", None)

    def full(self, params: Params) -> dict[str, jax.Array]:
        """The original model's point: the tied parameters computed from their sources, derived ones dropped."""
        out = {n: v for n, v in params.items() if n not in DERIVED or n in self.model.parameters}
        for tied, source in self.ties:
            if source in DERIVED and source not in self.model.parameters:
                out[tied] = DERIVED[source][1][tied](params[source])  # Eqs. (127), (128) of docs/physics.md
            else:
                out[tied] = jnp.asarray(params[source], dtype=float)
        return out

    def chi2(self, params: Params) -> jax.Array:
        """-2 ln L of the original model at :meth:`full` (the point is checked against :attr:`parameters`)."""
        self.parameters.check_point(params)
        return self.model.chi2(self.full(params))

    def nll(self, params: Params) -> jax.Array:
        """Negative log-likelihood, chi2/2."""
        return 0.5 * self.chi2(params)

    def components(self, params: Params) -> dict[str, jax.Array]:
        """The original model's components at :meth:`full`."""
        self.parameters.check_point(params)
        return self.model.components(self.full(params))

    @property
    def expected(self):
        """The original model's ``expected`` at :meth:`full` (AttributeError if it has none)."""
        base = self.model.expected
        return lambda params: base(self.full(params))

    @property
    def likelihood(self):
        """The original model's likelihood (AttributeError if it has none): per-bin log-likelihoods."""
        return self.model.likelihood

    @property
    def build_options(self) -> dict:
        """The options the original experiment was built with (empty for other models)."""
        return dict(getattr(self.model, "build_options", {}))

    @property
    def plot(self):
        """The original model's ``plot`` at :meth:`full` (AttributeError if it has none)."""
        base = self.model.plot
        return lambda params, *args, **kwargs: base(self.full(params), *args, **kwargs)


def _equality_spec(tied: Parameter, source: Parameter) -> Parameter:
    """The source's spec, bounded so that the tied parameter stays inside its own bounds too."""
    if tied.kind != source.kind:
        raise ParameterError(f"cannot tie {tied.name} ({tied.kind}) to {source.name} ({source.kind}): kinds differ")
    if tied.unit != source.unit:
        raise ParameterError(
            f"cannot tie {tied.name} [{tied.unit or 'no unit'}] to {source.name} [{source.unit or 'no unit'}]: "
            "units differ"
        )
    lower, upper = max(tied.lower, source.lower), min(tied.upper, source.upper)
    if not lower <= upper:
        raise ParameterError(f"cannot tie {tied.name} to {source.name}: their bounds do not overlap")
    return source.replace(
        lower=lower, upper=upper, default=min(max(source.default, lower), upper), free=source.free or tied.free
    )


def tie(model: Model, ties: Mapping[str, str] | None = None, /, **more: str) -> TiedModel:
    """One parameter for several: each ``tied=source`` removes ``tied`` and computes it from ``source``.

    Args:
        model: any model (an experiment, a combination, a tied model).
        ties: ``{tied: source}`` (for names that are not Python identifiers); merged with ``more``.
        **more: ``tied="source"``.  ``source`` is another parameter of the model (equality: the source
            keeps its spec, with the bounds of both) or a derived parameter of
            :data:`cevnsjax.physics.catalogue.DERIVED` that determines ``tied`` (``sin2_2theta_ee`` for
            ``ue4_sq``; ``sin2_2theta_mumu`` for ``umu4_sq``; ``sin2_2theta_mue`` for both, tied together).

    Returns:
        The :class:`TiedModel`.

    Raises:
        ParameterError: an unknown tied or source name, a source that is itself tied, a derived
            parameter that does not determine the tied one (or ``sin2_2theta_mue`` for only one of
            ``ue4_sq``, ``umu4_sq``), tied parameters of different kinds, units or disjoint bounds.

    Examples:
        >>> import cevnsjax as cj
        >>> m = cj.tie(cj.experiment("coherent_csi_2021", sterile=True), ue4_sq="sin2_2theta_ee")  # doctest: +SKIP
        >>> "sin2_2theta_ee" in m.parameters, "ue4_sq" in m.parameters  # doctest: +SKIP
        (True, False)
    """
    pairs = {**(ties or {}), **more}
    if not pairs:
        raise ValueError("tie needs at least one tied=source pair")
    ps = model.parameters
    derived_used: dict[str, Parameter] = {}
    specs: dict[str, Parameter] = {}
    for tied, source in pairs.items():
        if tied not in ps:
            raise ParameterError(f"cannot tie '{tied}': {ps.unknown_message(tied)}")
        if source in pairs:
            raise ParameterError(f"cannot tie {tied} to {source}: {source} is tied itself (tie both to one source)")
        if source in ps:
            specs[source] = _equality_spec(ps[tied], specs.get(source, ps[source]))
            continue
        if source not in DERIVED:
            valid = sorted({*(n for n in ps if n not in pairs), *DERIVED})
            raise ParameterError(f"cannot tie {tied} to unknown '{source}'; valid sources: {', '.join(valid)}")
        spec, determines = DERIVED[source]
        if tied not in determines:
            raise ParameterError(
                f"{source} determines {', '.join(determines)}, not {tied}; e.g. --tie {next(iter(determines))}={source}"
            )
        derived_used[source] = spec
    for source, (_, determines) in DERIVED.items():
        partial = [n for n in determines if pairs.get(n) == source]
        if partial and len(partial) != len(determines):
            missing = [n for n in determines if n not in partial]
            raise ParameterError(
                f"{source} fixes {' and '.join(determines)} together: tie {', '.join(missing)}={source} as well"
            )
    kept = [specs.get(n, p) for n, p in ps.items() if n not in pairs]
    return TiedModel(
        model=model,
        name=model.name,
        parameters=ParameterSet([*kept, *derived_used.values()], ps.renamed),
        ties=tuple(pairs.items()),
    )
