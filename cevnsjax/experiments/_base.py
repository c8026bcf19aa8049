"""The experiment skeleton: an abstract base every experiment completes with ``expected``.

An experiment composes a source (flux components and fluence), a detector response and a
likelihood holding the data; it declares its parameters (physics ones from
:mod:`cevnsjax.physics.catalogue`, nuisances of its own) and one static
:class:`~cevnsjax.physics.amplitude.SignalConfig`.  What is final here is what every model
shares (equinox's abstract/final pattern):

    chi2(p) = likelihood.chi2(sum of expected(p)) + constraint terms of the parameters
    nll(p) = chi2(p)/2;  components(p) = totals of expected(p);  n_bins, data from the likelihood;
    pseudo_data(key, p) = likelihood.sample(key, sum of expected(p));  with_data(d): the model holding d.

Examples:
    >>> from typing import ClassVar
    >>> import jax.numpy as jnp
    >>> from cevnsjax.likelihood import Poisson
    >>> from cevnsjax.parameters import Parameter, ParameterSet
    >>> from cevnsjax.physics.amplitude import SignalConfig
    >>> from cevnsjax.constants import pdg2022
    >>> class Counting(Experiment):
    ...     likelihood: Poisson
    ...     parameters: ParameterSet
    ...     signal: SignalConfig
    ...     name: ClassVar[str] = "counting"
    ...     def expected(self, params):
    ...         return {"signal": params["s"] * jnp.array([2.0, 3.0]), "bkg": jnp.array([1.0, 1.0])}
    >>> m = Counting(likelihood=Poisson(jnp.array([3.0, 4.0])), signal=SignalConfig(pdg2022),
    ...              parameters=ParameterSet([Parameter("s", 1.0, free=True)]))
    >>> float(m.chi2({"s": jnp.asarray(1.0)})), m.n_bins
    (0.0, 2)
"""

import abc
from collections.abc import Mapping

import equinox as eqx
import jax
import jax.numpy as jnp

from ..constants import Constants
from ..likelihood.base import Likelihood
from ..parameters import Parameter, ParameterSet
from ..physics import catalogue
from ..physics.amplitude import SignalConfig

Params = Mapping[str, jax.Array]


class Experiment(eqx.Module):
    """Abstract experiment (a :class:`cevnsjax.model.Model`): subclasses set the fields and ``expected``.

    Attributes:
        name: registry name (class attribute).
        parameters: named parameter specs (static).
        signal: static signal configuration (constants preset, form factor, boxes, beyond-SM options).
        likelihood: the statistic and the data it compares with.
    """

    name: eqx.AbstractClassVar[str]
    parameters: eqx.AbstractVar[ParameterSet]
    signal: eqx.AbstractVar[SignalConfig]
    likelihood: eqx.AbstractVar[Likelihood]

    @abc.abstractmethod
    def expected(self, params: Params) -> dict[str, jax.Array]:
        """Expected counts per component, each in the likelihood's bins."""

    @property
    def data(self) -> jax.Array:
        """The data the likelihood compares with."""
        return self.likelihood.observed

    @property
    def n_bins(self) -> int:
        """Number of data bins (for ndof)."""
        return self.likelihood.n_bins

    def chi2(self, params: Params) -> jax.Array:
        """-2 ln L (chi^2 or Poisson deviance) including the constraint (pull) terms.

        Raises:
            ParameterError: unknown or missing names; non-finite or out-of-bounds concrete values
                (:meth:`~cevnsjax.parameters.ParameterSet.check_point`; not checked under tracing).
        """
        self.parameters.check_point(params)
        mu = sum(self.expected(params).values())
        return self.likelihood.chi2(mu) + self.parameters.constraint_chi2(params)

    def nll(self, params: Params) -> jax.Array:
        """Negative log-likelihood, chi2/2."""
        return 0.5 * self.chi2(params)

    def pseudo_data(self, key: jax.Array, params: Params) -> jax.Array:
        """Pseudo-data drawn at ``params`` (Poisson counts or Gaussian least-squares data), shaped like :attr:`data`.

        Args:
            key: a JAX random key.
            params: complete parameter mapping (the truth of the toy).
        """
        return self.likelihood.sample(key, sum(self.expected(params).values()))

    def with_data(self, data: jax.Array) -> "Experiment":
        """The model with its likelihood holding ``data`` (shaped like :attr:`data`) instead of the observed data."""
        return eqx.tree_at(lambda m: m.likelihood, self, self.likelihood.with_observed(data))

    def components(self, params: Params) -> dict[str, jax.Array]:
        """Total expected events per component (the point is checked as by :meth:`chi2`)."""
        self.parameters.check_point(params)
        return {k: jnp.sum(v) for k, v in self.expected(params).items()}


def with_asimov_data(model: Experiment) -> Experiment:
    """The model with its likelihood's data replaced by the expected counts at the default parameters."""
    asimov = sum(jax.jit(lambda p: model.expected(p))(model.parameters.defaults()).values())
    return eqx.tree_at(lambda m: m.likelihood.data, model, asimov)


def parameter_set(
    c: Constants,
    radii: list[Parameter],
    nuisances: list[Parameter],
    *,
    sterile: bool,
    renamed: Mapping[str, str] | None = None,
) -> ParameterSet:
    """The parameters of an experiment: weak mixing angle, neutron radii, nuisances, beyond-SM terms."""
    return ParameterSet(
        [catalogue.sin2_theta_w(c), *radii, *nuisances, *catalogue.bsm_parameters(c, sterile=sterile)], renamed
    )


def flux_normalisation(sigma: float) -> Parameter:
    """The SNS neutrino-flux normalisation ``eta_flux`` (tag ``sns_flux``: shared in combinations)."""
    return Parameter(
        "eta_flux",
        1.0,
        lower=0.0,
        upper=3.0,
        constraint=(1.0, sigma),
        free=True,
        tags=("sns_flux",),
        label=r"$\eta_{\rm flux}$",
        doc=f"SNS neutrino-flux normalisation ({100 * sigma:.3g}% prior)",
    )


def signal_strength(
    doc: str = "CEvNS signal strength, no prior (free it, with eta_flux fixed, to measure the event count)",
) -> Parameter:
    """``mu_cevns``: a free, unconstrained multiplier of the CEvNS expectation (not free by default)."""
    return Parameter("mu_cevns", 1.0, lower=0.0, upper=5.0, label=r"$\mu_{\rm CEvNS}$", doc=doc)


#: Renamed parameters (0.2): the unconstrained signal strength was ``eta_cevns``.
RENAMED_STRENGTH = {"eta_cevns": "mu_cevns"}
